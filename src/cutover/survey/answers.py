"""The answers prefecture IT contacts choose from, and how they map to mail.csv's `client` column."""

from __future__ import annotations

SHEET = "回答"
INSTRUCTIONS = "説明"
META = "_meta"
FORMAT = "cutover-mail-survey/1"
# _meta rows "exported:<address>" = "<client>|<endpoints>": what the workbook showed at export.
EXPORTED_PREFIX = "exported:"
COLUMNS = ("サイト", "アドレス", "種別", "使用者", "回答", "メーラー", "設定しているPC")
EDITABLE = ("回答", "メーラー", "設定しているPC")
GAROON_ONLY, OTHER_ONLY, BOTH = "ガルーンのみ", "ガルーン以外のメーラーのみ", "併用"
ANSWERS = (GAROON_ONLY, OTHER_ONLY, BOTH)
MAILERS = {"Outlook": "outlook", "Thunderbird": "thunderbird"}
KINDS = {"personal": "個人", "shared": "共有"}


def to_client(answer: str, mailer: str) -> str:
    """(answer, mailer) → mail.csv client; the caller has validated both."""
    if answer == GAROON_ONLY:
        return "garoon"
    base = MAILERS[mailer]
    return base if answer == OTHER_ONLY else f"garoon+{base}"


def from_client(client: str) -> tuple[str, str]:
    """mail.csv client → (answer, mailer) as shown in the workbook ('' for unknown)."""
    if client == "unknown":
        return "", ""
    if client == "garoon":
        return GAROON_ONLY, ""
    mailer = next(label for label, value in MAILERS.items() if client.endswith(value))
    return (BOTH if client.startswith("garoon+") else OTHER_ONLY), mailer
