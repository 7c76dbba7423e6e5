"""What a check is and what it finds: the catalogue of checks (id, area, titles) and the finding."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Check:
    id: str
    area: str
    title_en: str
    title_ja: str


CATALOGUE = {c.id: c for c in (
    Check("endpoint.reachable", "endpoint", "PC answered the verification", "端末が検証に応答した"),
    Check("endpoint.probe", "endpoint", "PC state could be read", "端末の状態を読み取れた"),
    Check("ngav.old_av_absent", "ngav", "Old antivirus gone (product and services)", "旧ウイルス対策ソフトが削除済み"),
    Check("ngav.old_scan_task_absent", "ngav", "Old antivirus's scheduled scan gone",
          "旧ウイルス対策ソフトの定時検索が削除済み"),
    Check("ngav.installed", "ngav", "NGAV installed", "次世代ウイルス対策が導入済み"),
    Check("ngav.services_running", "ngav", "NGAV services running", "次世代ウイルス対策のサービスが稼働中"),
    Check("ngav.security_center_on", "ngav", "NGAV registered and on in Security Center",
          "次世代ウイルス対策がセキュリティセンターで有効"),
    Check("ngav.defender_on", "ngav", "Windows Defender real-time protection on",
          "Windows Defender のリアルタイム保護が有効"),
    Check("ngav.first_scan_task", "ngav", "HDD PC: first full scan scheduled off-hours",
          "HDD の PC: 初回フルスキャンが業務時間外に予約済み"),
    Check("office.supported", "office", "Office not past its end of support", "Office がサポート期限内"),
    Check("mail.outlook_leave_on_server", "mail", "Outlook: personal POP addresses keep mail for the set days only",
          "Outlook: 個人の POP アドレスがサーバーに指定日数だけ残す設定"),
    Check("mail.thunderbird_leave_on_server", "mail",
          "Thunderbird: personal POP addresses keep mail for the set days only (user.js)",
          "Thunderbird: 個人の POP アドレスがサーバーに指定日数だけ残す設定（user.js）"),
    Check("mail.shared_addresses_untouched", "mail", "Shared addresses not given the personal removal setting",
          "共有アドレスには個人用の削除設定がない"),
    Check("fileshare.ticket_retrieval", "fileshare", "Kerberos cloud ticket retrieval on",
          "Kerberos クラウドチケット取得が有効"),
    Check("fileshare.drive_mapping_task", "fileshare", "Logon-time drive mapping installed",
          "ログオン時のドライブ割り当てが設定済み"),
    Check("migration.target_matches_source", "migration", "Azure file share holds exactly the source's files",
          "Azure ファイル共有の内容が移行元と一致"),
)}


@dataclass(frozen=True)
class Finding:
    site: str
    host: str
    check: str
    status: str  # pass | fail | error
    message: str
    action_en: str | None = None
    action_ja: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def area(self) -> str:
        return CATALOGUE[self.check].area
