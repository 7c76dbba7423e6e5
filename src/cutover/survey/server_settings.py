"""What the mail administrators set on the groupware side, per address."""

from __future__ import annotations

from dataclasses import dataclass

from cutover.inventory import Site

DELETE = ("delete mail on server", "サーバー上のメールを削除する")
KEEP = ("do not delete", "削除しない")
UNANSWERED = ("unanswered: decide after the survey", "未回答（調査の回答を待つ）")


@dataclass(frozen=True)
class ServerSetting:
    site: str
    address: str
    kind: str
    client: str
    setting_en: str
    setting_ja: str
    blocking: bool  # the survey has no answer for it yet


def settings(site: Site) -> list[ServerSetting]:
    out = []
    for mail in site.mail:
        if mail.kind == "shared":
            en, ja = KEEP  # several people receive it; the IT centre keeps deleting old mail
        elif mail.client == "unknown":
            en, ja = UNANSWERED
        elif mail.client == "garoon":
            en, ja = DELETE
        else:
            en, ja = KEEP  # another mailer keeps a copy and removes it after 15 days
        out.append(ServerSetting(site.id, mail.address, mail.kind, mail.client, en, ja,
                                 blocking=mail.kind == "personal" and mail.client == "unknown"))
    return out
