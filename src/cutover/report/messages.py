"""Check messages and gate reasons in the report's language.

Collectors write each check's ``message`` in English (it is also what CI logs and JUnit carry); every
check also carries ``message_ja`` (worded by cutover.evidence.wording). The Japanese report shows
``message_ja``, the English one ``message`` (the English original stays readable in the check's
evidence table, labelled as such).
"""

from __future__ import annotations

from cutover.evidence.model import Check


def check_message(check: Check, lang: str) -> str:
    """The sentence shown for ``check`` in a report in ``lang`` ("ja" or "en")."""
    return check.message_ja if lang == "ja" else check.message


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
