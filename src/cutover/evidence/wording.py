"""Every check's message in Japanese (``message_ja``): the one place that words a check for the ja report.

Collectors write ``message`` in English (what CI logs and JUnit carry, and the en report shows); the
model fills ``message_ja`` from here when a collector gives none (cutover.evidence.model.Check), so
every check of every evidence file carries both. A family of checks (an id, and the ids below it:
``cloud`` holds ``cloud.<policy>``) is worded from the check's status and data; a status its family
has no sentence for gets the status's own sentence (GENERIC_JA). ``translated()`` says whether a
family worded a check: the tests hold that every check of a rehearsal of the sample site is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cutover.evidence.model import Check

# What each status means, in a sentence, when nothing more specific is known about the check.
GENERIC_JA = {
    "pass": "基準を満たしています",
    "fail": "基準を満たしていません。詳細と証跡を確認してください",
    "error": "確認できませんでした（証跡を取得できていません）。収集し直してください",
    "manual": "手作業の完了がまだ記録されていません",
    "waived": "例外承認により、期限まで判定から除外しています",
    "not_applicable": "このサイト・PCには該当しません",
}
_MODE_JA = {"offline-plan": "オフラインの計画で確認", "stack-export": "デプロイ済みの状態で確認"}
_PASS_JA = {"seed_pass": "初回コピー", "delta_pass": "差分コピー", "final_pass": "最終コピー"}
_PENDING = "変更済みです。PC の再起動後に有効になるため、再起動後にもう一度確認します"


def _days(n: Any) -> str:
    try:
        days = int(n)
    except (TypeError, ValueError, OverflowError):
        return ""
    return f"残り{days}日" if days >= 0 else f"{-days}日超過"


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, list | dict) else None


def _could_not_collect(c: Check) -> str | None:
    if c.status == "error" and c.message.startswith("could not collect"):
        return ("証跡を収集できませんでした。取得元（計画、Ansible の実行記録、ファクト、検証結果）を確認して"
                "収集し直してください")
    return None


def _policy(c: Check) -> str | None:
    mode = _MODE_JA.get(str(c.data.get("mode")), "確認")
    if c.status == "pass":
        return f"準拠しています（{mode}）"
    if c.status == "fail":
        level = "必須" if c.data.get("enforcement") == "mandatory" else "推奨"
        found = _size(c.data.get("findings"))
        return f"{level}ポリシーに違反しています" + (f"（指摘{found}件）" if found else "") + \
            "。指摘の内容を証跡で確認し、設定を直してください"
    if c.status == "not_applicable":
        return "このスタックには対象のリソースがありません"
    if c.status == "waived":
        return "例外承認により、期限まで違反を許容しています"
    return None


def _backup(c: Check) -> str | None:
    shares = c.data.get("backed_up_shares")
    if c.status == "pass" and isinstance(shares, list):
        mode = _MODE_JA.get(str(c.data.get("mode")), "確認")
        return f"バックアップ対象の共有：{'、'.join(map(str, shares))}（{mode}）"
    if c.status == "fail":
        return "このサイトの共有はどれもバックアップされていません"
    return None


def _manual(c: Check) -> str | None:
    if c.status == "manual":
        return "手作業の完了がサイト設定（site.yml）に記録されていません。作業後に実施者・日付・証跡を記録してください"
    if c.status == "pass":
        return "手作業の完了が記録されています"
    return None


def _confirmation(c: Check) -> str | None:
    if c.status == "fail":
        return (f"site.yml に完了と記録された手作業「{c.data.get('step')}」は、このサイトのスタックの"
                "手作業にありません。記録を見直してください")
    return None


def _waiver(c: Check) -> str | None:
    expires = c.data.get("expires")
    if not expires:
        return None
    if c.status == "waived":
        return f"例外承認中：{expires}まで（{_days(c.data.get('days_left'))}）"
    if c.status == "fail":
        return f"例外承認の期限（{expires}）が切れています。更新するか削除してください"
    return None


def _no_waiver(c: Check) -> str | None:
    return "サイト設定（site.yml）に例外承認はありません" if c.status == "pass" else None


def _survey_answered(c: Check) -> str | None:
    unanswered = c.data.get("unanswered")
    if isinstance(unanswered, list):
        return f"未回答のアドレスが{len(unanswered)}件あります" if unanswered else "すべてのアドレスに回答があります"
    return None


def _survey_pcs(c: Check) -> str | None:
    addresses = c.data.get("addresses")
    if isinstance(addresses, list):
        return (f"設定しているPCが未回答の個人POPアドレスが{len(addresses)}件あります" if addresses
                else "個人POPアドレスはすべて設定しているPCが回答済みです")
    return None


def _mailer(c: Check) -> str | None:
    who = c.data.get("address") or c.item or "このアドレス"
    if c.data.get("pending") and c.status == "fail":
        return f"{who}：{_PENDING}"
    if c.status == "pass":
        return f"{who}：受信したメールをサーバーに残し、所定の日数後に削除する設定です"
    if c.status == "fail":
        return f"{who}：メールをサーバーに残す設定になっていません"
    if c.status == "error":
        return f"{who}：設定を確認できませんでした（メールのプロファイルが見つからないか、ネットワーク上にあります）"
    if c.status == "not_applicable":
        return f"{who}：このPCでは設定されていません"
    return None


def _hive(c: Check) -> str | None:
    if c.status == "pass":
        return "ユーザーのレジストリ（ハイブ）は作業後に閉じられました"
    if c.status in ("fail", "error"):
        return "ユーザーのレジストリ（ハイブ）を閉じられませんでした。PC を再起動してください"
    return None


def _role(sentences: dict[str, str]) -> Callable[[Check], str | None]:
    """A role's check worded by status (a change waiting for a restart is said as such)."""

    def word(c: Check) -> str | None:
        if c.data.get("pending") and c.status == "fail":
            return _PENDING
        return sentences.get(c.status)

    return word


def _ngav_installed(c: Check) -> str | None:
    product = c.data.get("product")
    name = product.get("display_name") if isinstance(product, dict) else None
    if c.status == "pass":
        return f"{name or '次世代ウイルス対策'}：インストール済み、サービス稼働中、セキュリティセンターに登録済みです"
    return _role({"fail": "次世代ウイルス対策がインストールされていないか、正常に動作していません"})(c)


def _when(value: Any) -> str | None:
    """A time as people write it (2026-11-24 22:00), from the ISO 8601 the roles report."""
    try:
        return dt.datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(value) if value else None


def _first_scan(c: Check) -> str | None:
    when = _when(c.data.get("next_run_time"))
    if c.status == "pass":
        return f"初回フルスキャンは {when} に開始予定です" if when else "初回フルスキャンが予定されています"
    return _role({"fail": "初回フルスキャンが予定されていません"})(c)


def _office(c: Check) -> str | None:
    product = c.data.get("product")
    if not product:
        return None
    if c.status == "pass":
        return f"{product}：サポート期間内です"
    if c.status == "fail":
        return f"{product}：サポートが終了しています。Microsoft 365 Apps への切り替えが必要です"
    if c.status == "manual":
        return f"{product}：サポート期限を判定できません。ライセンスの種類を確認してください"
    return None


def _reachable(c: Check) -> str | None:
    if c.status in ("fail", "error"):
        seen = c.data.get("last_seen")
        return f"PCに接続できません（最後に接続できた日：{seen}）" if seen else "PCに接続できません"
    return "PCに接続できました" if c.status == "pass" else None


def _os(c: Check) -> str | None:
    build = c.data.get("build")
    caption = c.data.get("caption") or "Windows"
    if build is None:
        return None
    if c.status == "pass":
        return f"{caption}（ビルド {build}）：対応しています"
    if c.status == "fail":
        return f"{caption}（ビルド {build}）：この方式に対応していない Windows です。更新が必要です"
    return None


def _tcp445(c: Check) -> str | None:
    host = c.data.get("host")
    if c.status == "pass":
        return f"{host} へ TCP 445 で接続できます" if host else "TCP 445 で接続できます"
    if c.status == "fail":
        return (f"{host} への TCP 445 が遮断されています" if host else "TCP 445 が遮断されています") + \
            "。プロバイダーへの開放依頼、または VPN／Azure File Sync を検討してください"
    return None


def _ticket(c: Check) -> str | None:
    if c.status == "pass":
        return "クラウド Kerberos チケットの取得が有効です" + \
            ("（今回設定しました。再起動後に有効になります）" if c.data.get("changed") else "")
    return _role({"fail": "クラウド Kerberos チケットの取得が有効になっていません"})(c)


def _scan(c: Check) -> str | None:
    if c.status == "pass":
        return f"{c.data.get('files', '?')}ファイルを確認しました。Azure Files で使えない名前はありません"
    if c.status == "fail":
        return (f"Azure Files で使えない名前が{c.data.get('findings_total', '?')}件あります。"
                "シードコピーの前に名前を直してください")
    return None


def _copy_pass(c: Check) -> str | None:
    step = _PASS_JA.get(c.id.split(".")[1], "コピー")
    rc = c.data.get("rc")
    if c.status == "pass":
        return f"robocopy の{step}が成功しました（終了コード {rc}）"
    if c.status == "fail":
        return f"robocopy の{step}が失敗しました（終了コード {rc}）。ログを確認してやり直してください"
    return None


def _verified(c: Check) -> str | None:
    if c.status == "pass":
        return "独立した検証（cutover verify）で確認しました"
    if c.status == "fail":
        return "独立した検証（cutover verify）で一致しませんでした。詳細と証跡を確認してください"
    if c.status == "error":
        return "独立した検証（cutover verify）で確認できませんでした（PCに接続できないか、対象が見つかりません）"
    return None


def _task_failed(c: Check) -> str | None:
    if c.status == "fail":
        return "直近の実行でタスクが失敗しました。実行記録を確認して、もう一度実行してください"
    return None


# (a check id, or the id of a family: "cloud" words "cloud.<policy>"; the first that words the check wins)
FAMILIES: list[tuple[str, Callable[[Check], str | None]]] = [
    ("", _could_not_collect),
    ("cloud.manual", _manual), ("cloud.backup", _backup), ("cloud", _policy),
    ("inventory.confirmation", _confirmation), ("inventory.waiver", _waiver), ("inventory.waivers", _no_waiver),
    ("mail.survey.answered", _survey_answered), ("mail.survey.pcs_known", _survey_pcs),
    ("mail.outlook", _mailer), ("mail.thunderbird", _mailer),
    ("mail.hive_unloaded", _hive), ("mail.hive_left_loaded", _hive),
    ("ngav.old_av_absent", _role({"pass": "旧ウイルス対策ソフトはインストールされておらず、残ったサービスもありません",
                                  "fail": "旧ウイルス対策ソフトまたはそのサービスが残っています"})),
    ("ngav.old_scan_task_absent", _role({"pass": "旧ウイルス対策ソフトの定期スキャン設定は残っていません",
                                         "fail": "旧ウイルス対策ソフトの定期スキャン設定が残っています"})),
    ("ngav.installed_healthy", _ngav_installed), ("ngav.first_scan_scheduled", _first_scan),
    ("ngav.defender_realtime", _role({"pass": "Windows Defender のリアルタイム保護が有効です",
                                      "fail": "Windows Defender のリアルタイム保護が無効です"})),
    ("office", _office),
    ("endpoint.reachable", _reachable), ("endpoint.task_failed", _task_failed),
    ("fileshare.os_supported", _os), ("fileshare.tcp445", _tcp445), ("fileshare.ticket_retrieval", _ticket),
    ("fileshare.entra_joined", _role({"pass": "Microsoft Entra に参加済みです",
                                      "fail": "Microsoft Entra に参加していません（Kerberos 認証に必要です）"})),
    ("fileshare.services", _role({"pass": "必要なサービスが動いています",
                                  "fail": "必要なサービスが止まっているか、ありません"})),
    ("fileshare.mapping_installed", _role({"pass": "ログオン時のドライブ割り当てを設定済みです",
                                           "fail": "ログオン時のドライブ割り当てが設定されていません"})),
    ("fileshare.smb_cipher", _role({"pass": "SMB の暗号化方式はクラウドファイル共有に対応しています",
                                    "fail": "SMB の暗号化方式がクラウドファイル共有に対応していません"})),
    ("migration.scan", _scan), ("migration.seed_pass", _copy_pass), ("migration.delta_pass", _copy_pass),
    ("migration.final_pass", _copy_pass),
    ("migration.verify", _role({"pass": "ファイル数・容量・SHA-256 のサンプルが一致しました",
                                 "fail": "ファイル数・容量・ハッシュが一致しません。差分コピーをやり直してください"})),
    ("migration.server_reachable", _role({"pass": "移行元のファイルサーバーに接続できました",
                                          "fail": "移行元のファイルサーバーに接続できません"})),
    ("testinfra", _verified),
]


def _family_text(check: Check) -> str | None:
    for prefix, word in FAMILIES:
        if not prefix or check.id == prefix or check.id.startswith(f"{prefix}."):
            text = word(check)
            if text:
                return text
    return None


def translated(check: Check) -> bool:
    """A family of FAMILIES words this check (not only its status's generic sentence)."""
    return _family_text(check) is not None


def japanese(check: Check) -> str:
    """The Japanese message of ``check``, made from its id, status and data."""
    return _family_text(check) or GENERIC_JA[check.status]
