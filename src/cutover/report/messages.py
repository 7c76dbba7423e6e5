"""Check messages and gate reasons in the report's language.

Collectors write each check's ``message`` in English (it is also what CI logs and JUnit carry). The
Japanese report never shows it as the message: it shows the check's own ``message_ja`` when the
collector gave one, else a Japanese sentence made here from the check's id, status and data (the
English original stays readable in the check's evidence table, labelled as such).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


def _days(n: Any) -> str:
    try:
        days = int(n)
    except (TypeError, ValueError):
        return ""
    return f"残り{days}日" if days >= 0 else f"{-days}日超過"


def _office(c: Check) -> str | None:
    product = c.data.get("product")
    if not product:
        return None
    if c.status == "pass":
        return f"{product}：サポート期間内です"
    if c.status == "fail":
        return f"{product}：サポートが終了しています。Microsoft 365 Apps への切り替えが必要です"
    return None


def _reachable(c: Check) -> str | None:
    if c.status in ("fail", "error"):
        seen = c.data.get("last_seen")
        return f"PCに接続できません（最後に接続できた日時：{seen}）" if seen else "PCに接続できません"
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


def _waiver(c: Check) -> str | None:
    expires = c.data.get("expires")
    if not expires:
        return None
    if c.status == "waived":
        return f"例外承認中：{expires}まで（{_days(c.data.get('days_left'))}）"
    if c.status == "fail":
        return f"例外承認の期限（{expires}）が切れています。更新するか削除してください"
    return None


def _manual(c: Check) -> str | None:
    if c.status == "manual":
        return "手作業の完了がサイト設定（site.yml）に記録されていません。作業後に実施者・日付・証跡を記録してください"
    if c.status == "pass":
        return "手作業の完了が記録されています"
    return None


def _verified(c: Check) -> str | None:
    if c.status == "pass":
        return "独立した検証（cutover verify）で確認しました"
    if c.status == "fail":
        return "独立した検証（cutover verify）で一致しませんでした。詳細と証跡を確認してください"
    return None


_SPECIFIC: list[tuple[str, Callable[[Check], str | None]]] = [
    ("office.support", _office), ("office.supported", _office), ("endpoint.reachable", _reachable),
    ("fileshare.os_supported", _os), ("fileshare.tcp445", _tcp445), ("mail.survey.answered", _survey_answered),
    ("mail.survey.pcs_known", _survey_pcs), ("inventory.waiver.", _waiver), ("cloud.manual.", _manual),
    ("testinfra.", _verified),
]


def check_message(check: Check, lang: str) -> str:
    """The sentence shown for ``check`` in a report in ``lang`` ("ja" or "en")."""
    if lang != "ja":
        return check.message
    if check.message_ja:
        return check.message_ja
    for prefix, make in _SPECIFIC:
        if check.id == prefix or (prefix.endswith(".") and check.id.startswith(prefix)):
            text = make(check)
            if text:
                return text
    return GENERIC_JA[check.status]


# The gate's conditions in Japanese: (condition id, result) -> a sentence; the English reason stays beside it.
CONDITION_JA = {
    "pass": "満たしています",
    "on_plan": "計画上は満たしています。デプロイ後、実環境の証跡で判定し直してください",
    "fail": {
        "evidence-for-site": "別のサイトの証跡です。このサイトの証跡を収集してください",
        "evidence-fresh": "証跡が古いか、判定日より後の日付です。収集し直してください",
        "inventory-current": "台帳が変わった後の証跡がありません。収集し直してください",
        "evidence-complete": "証跡がそろっていません（取得元またはPCが不足）",
        "verification-matched": "最後の検証パスで件数・容量・ハッシュの一致が確認できていません",
        "final-pass-succeeded": "最終コピーパスの成功が確認できていません",
        "backups-exist": "新しい共有のバックアップが確認できていません",
        "manual-steps-done": "完了が記録されていない手作業があります",
        "pcs-ready": "対応が終わっていないPCがあります",
        "pcs-verified": "独立した検証に合格していない、または検証されていないPCがあります",
        "policies-pass": "必須ポリシーの違反があります",
    },
}


def condition_message(condition_id: str, result: str, lang: str, why: str) -> str:
    if lang != "ja":
        return why
    text = CONDITION_JA[result]
    return text[condition_id] if isinstance(text, dict) else text
