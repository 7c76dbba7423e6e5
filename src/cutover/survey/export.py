"""One Excel workbook (and one CSV with BOM) per site for the prefecture's IT contact."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from cutover import atomic
from cutover.cells import text_cell
from cutover.inventory import Inventory, Site, csvsource
from cutover.survey.answers import (
    ANSWERS,
    COLUMNS,
    EDITABLE,
    EXPORTED_PREFIX,
    FORMAT,
    INSTRUCTIONS,
    KINDS,
    MAILERS,
    META,
    SHEET,
    from_client,
)

INSTRUCTION_LINES = [
    "メールの受信設定に関する調査（回答のお願い）",
    "",
    "なぜ必要か",
    "・メールボックスが満杯になり、メールを受信できなくなる障害をなくすため、メールの保存ルールを変更します。",
    "・個人メールを Outlook や Thunderbird などガルーン以外のメーラーで受信している場合、",
    "　「サーバーにメッセージのコピーを置く」に加えて「サーバーから削除する：15日後」の設定が必要です。",
    "・ガルーンのみで受信している個人メールは、ガルーン側で「サーバーのメールを削除する」に設定します。",
    "・共有メールは複数の人が受信するため設定変更はありません（古いメールはITセンターが削除します）。",
    "・回答のないアドレスや設定されていないアドレスは、受信できなくなる・満杯になるおそれがあります。",
    "・誤って削除された個人メールは復元できなくなります。",
    "",
    "回答のしかた",
    "・「回答」シートの「回答」列で、ガルーンのみ／ガルーン以外のメーラーのみ／併用 のいずれかを選んでください。",
    "・ガルーン以外のメーラーを使う場合は「メーラー」列で Outlook または Thunderbird を選び、",
    "　「設定しているPC」列にコンピューター名を書いてください（複数は ; で区切る）。",
    "・それ以外のメーラーをお使いの場合は、ITセンターにご相談ください。",
    "・アドレス・種別・使用者の列は変更できません。行の追加・削除もしないでください。",
]


def _columns_letter(name: str) -> str:
    return "ABCDEFGHIJ"[COLUMNS.index(name)]


def rows(site: Site) -> list[dict[str, str]]:
    out = []
    for mail in site.mail:
        answer, mailer = from_client(mail.client)
        out.append({"サイト": site.id, "アドレス": mail.address, "種別": KINDS[mail.kind], "使用者": mail.owner,
                    "回答": answer, "メーラー": mailer, "設定しているPC": ";".join(mail.endpoints)})
    return out


def workbook(site: Site, inventory: Inventory, deadline: dt.date | None) -> bytes:
    wb = Workbook()
    info = wb.active
    info.title = INSTRUCTIONS
    contact = site.config.contacts[0]
    lines = [f"{site.config.name_ja}（{site.id}）", *INSTRUCTION_LINES, "",
             f"回答期限: {deadline.isoformat() if deadline else '別途連絡'}",
             f"問い合わせ先: {contact.name}（{contact.role}） {contact.email}"]
    for number, line in enumerate(lines, start=1):
        cell = text_cell(info.cell(row=number, column=1), line)
        if number in (1, 2) or line in ("なぜ必要か", "回答のしかた"):
            cell.font = Font(bold=True, size=13 if number <= 2 else 11)
    info.column_dimensions["A"].width = 110

    sheet = wb.create_sheet(SHEET)
    for number, values in enumerate([list(COLUMNS), *([row[c] for c in COLUMNS] for row in rows(site))], start=1):
        for column, value in enumerate(values, start=1):
            text_cell(sheet.cell(row=number, column=column), value)
    header = PatternFill("solid", fgColor="23395D")
    editable = PatternFill("solid", fgColor="FFF8DC")
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header
        cell.alignment = Alignment(horizontal="center")
    last = sheet.max_row
    for name in EDITABLE:
        letter = _columns_letter(name)
        for row in range(2, last + 1):
            cell = sheet[f"{letter}{row}"]
            cell.protection = Protection(locked=False)
            cell.fill = editable
    answers = DataValidation(type="list", formula1='"' + ",".join(ANSWERS) + '"', allow_blank=True,
                             showErrorMessage=True, errorTitle="回答", error="一覧から選んでください")
    mailers = DataValidation(type="list", formula1='"' + ",".join(MAILERS) + '"', allow_blank=True,
                             showErrorMessage=True, errorTitle="メーラー", error="一覧から選んでください")
    sheet.add_data_validation(answers)
    sheet.add_data_validation(mailers)
    answers.add(f"{_columns_letter('回答')}2:{_columns_letter('回答')}{max(last, 2)}")
    mailers.add(f"{_columns_letter('メーラー')}2:{_columns_letter('メーラー')}{max(last, 2)}")
    for letter, width in zip("ABCDEFG", (18, 38, 8, 22, 28, 14, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.protection.sheet = True  # only the answer cells are editable (no password: a guard, not security)

    meta = wb.create_sheet(META)
    entries = [("format", FORMAT), ("site", site.id), ("inventory_revision", inventory.revision),
               ("exported_at", dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()),
               *((EXPORTED_PREFIX + m.address, f"{m.client}|{';'.join(m.endpoints)}") for m in site.mail)]
    for number, (key, value) in enumerate(entries, start=1):
        text_cell(meta.cell(row=number, column=1), key)
        text_cell(meta.cell(row=number, column=2), value)
    meta.sheet_state = "hidden"
    wb.active = 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def export_site(site: Site, inventory: Inventory, out: Path, deadline: dt.date | None = None) -> list[Path]:
    base = Path(out) / f"mail-survey-{site.id}"
    xlsx, csv_path = base.with_suffix(".xlsx"), base.with_suffix(".csv")
    atomic.write_bytes(xlsx, workbook(site, inventory, deadline))
    atomic.write_bytes(csv_path, csvsource.render(COLUMNS, rows(site)))
    return [xlsx, csv_path]
