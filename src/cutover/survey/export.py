"""One Excel workbook (and one CSV with BOM) per site for the prefecture's IT contact."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

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

# What the prefecture's IT contact reads first (the 説明 sheet): why, what to do, by when, how to return it.
WHY = [
    "なぜ必要か",
    "・メールボックスが満杯になり、メールを受信できなくなる障害をなくすため、メールの保存ルールを変更します。",
    "・個人メールを Outlook や Thunderbird などガルーン以外のメーラーで受信している場合は、"
    "「サーバーにメッセージのコピーを置く」に加えて「サーバーから削除する：15日後」の設定が必要です。",
    "・ガルーンのみで受信している個人メールは、ガルーン側で「サーバーのメールを削除する」に設定します。",
    "・共有メールは複数の人が受信するため設定変更はありません（古いメールはITセンターが削除します）。",
    "・回答のないアドレスや設定されていないアドレスは、受信できなくなる・満杯になるおそれがあります。",
    "・誤って削除された個人メールは復元できなくなります。",
]
HOW = [
    "回答のしかた",
    "・「回答」シートの黄色いセルだけを記入します。未回答の行は薄い赤色で表示され、回答すると色が消えます。",
    "・「回答」列：▼ボタンから「ガルーンのみ」「ガルーン以外のメーラーのみ」「併用」のいずれかを選びます。",
    "・「メーラー」列：ガルーン以外のメーラーを使う場合に「Outlook」または「Thunderbird」を選びます"
    "（ガルーンのみの場合は空欄のまま）。",
    "・「設定しているPC」列：そのメーラーを設定しているパソコンを▼ボタンから選びます。"
    "一覧は「PC一覧」シートと同じで、この県本部の台帳にあるパソコンです。",
    "・複数のパソコンで設定している場合は、コンピューター名を「;」（半角セミコロン）で区切って入力します"
    "（例: P18-DT-001;P18-NB-002）。一覧にない入力への確認が表示されたら「はい」を押してください。",
    "・それ以外のメーラーをお使いの場合は、問い合わせ先にご相談ください。",
    "・アドレス・種別・使用者の列は変更できません。行の追加・削除もしないでください。",
]
FIND_NAME = [
    "コンピューター名の調べ方",
    "・Windows 11: スタート →「設定」→「システム」→「バージョン情報」の「デバイス名」。",
    "・Windows 10: スタート →「設定」→「システム」→「詳細情報」の「デバイス名」。",
    "・どちらでも: エクスプローラーの「PC」を右クリック →「プロパティ」でも確認できます。",
    "・パソコン本体に貼られた管理ラベルの名前と同じです（例: P18-DT-001）。",
]


def instruction_lines(site: Site, deadline: dt.date | None) -> list[str]:
    contact = site.config.contacts[0]
    by_when = f"{deadline.year}年{deadline.month}月{deadline.day}日" if deadline else "別途お知らせします"
    return [
        f"{site.config.name_ja}（{site.id}）",
        "メールの受信設定に関する調査（回答のお願い）",
        "",
        "お願いすること",
        f"・このファイルの「回答」シートで、{len(site.mail)}件のメールアドレスそれぞれについて、"
        "ガルーン以外のメーラーを使っているかを回答してください。",
        f"・回答期限: {by_when}",
        f"・返送先: 記入したファイルを、ファイル名を変えずに {contact.name}（{contact.role}）"
        f" {contact.email} へメールに添付して返送してください。",
        "",
        *WHY,
        "",
        *HOW,
        "",
        *FIND_NAME,
        "",
        f"問い合わせ先: {contact.name}（{contact.role}） {contact.email}",
    ]


HEADINGS = {"お願いすること", WHY[0], HOW[0], FIND_NAME[0]}
ANSWER_FILL = PatternFill("solid", fgColor="FFFF99")  # visibly yellow: "fill in the yellow cells"
UNANSWERED_FILL = PatternFill("solid", fgColor="F8CBAD")  # light red on the rest of a row without an answer
HEADER_FILL = PatternFill("solid", fgColor="23395D")
PC_SHEET = "PC一覧"
PC_COLUMNS = ("コンピューター名", "種類", "機種", "OS")
FORM_FACTORS = {"desktop": "デスクトップ", "notebook": "ノート"}


def _columns_letter(name: str) -> str:
    return get_column_letter(COLUMNS.index(name) + 1)


def rows(site: Site) -> list[dict[str, str]]:
    out = []
    for mail in site.mail:
        answer, mailer = from_client(mail.client)
        out.append({"サイト": site.id, "アドレス": mail.address, "種別": KINDS[mail.kind], "使用者": mail.owner,
                    "回答": answer, "メーラー": mailer, "設定しているPC": ";".join(mail.endpoints)})
    return out


def _print_setup(sheet, landscape: bool) -> None:
    """A4, one page wide (as many pages tall as needed), header row repeated on every page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4


def _instructions(wb: Workbook, site: Site, deadline: dt.date | None) -> None:
    info = wb.active
    info.title = INSTRUCTIONS
    info.column_dimensions["A"].width = 100
    for number, line in enumerate(instruction_lines(site, deadline), start=1):
        cell = text_cell(info.cell(row=number, column=1), line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if number <= 2:
            cell.font = Font(bold=True, size=14)
        elif line in HEADINGS:
            cell.font = Font(bold=True, size=12)
        elif line.startswith(("・回答期限", "・返送先")):
            cell.font = Font(bold=True, color="9C0006")
    _print_setup(info, landscape=False)


def _pc_sheet(wb: Workbook, site: Site) -> str:
    """The site's PCs, the source of the 設定しているPC drop-down; returns the list's range."""
    sheet = wb.create_sheet(PC_SHEET)
    for column, name in enumerate(PC_COLUMNS, start=1):
        cell = text_cell(sheet.cell(row=1, column=column), name)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), HEADER_FILL
    for number, endpoint in enumerate(site.endpoints, start=2):
        for column, value in enumerate((endpoint.hostname, FORM_FACTORS[endpoint.form_factor], endpoint.model,
                                        f"{endpoint.os_edition} ({endpoint.os_build})"), start=1):
            text_cell(sheet.cell(row=number, column=column), value)
    for letter, width in zip("ABCD", (18, 14, 30, 34), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    _print_setup(sheet, landscape=False)
    sheet.protection.sheet = True
    last = max(len(site.endpoints) + 1, 2)
    return f"'{PC_SHEET}'!$A$2:$A${last}"


def _answer_sheet(wb: Workbook, site: Site, pc_range: str) -> None:
    sheet = wb.create_sheet(SHEET, 1)
    for number, values in enumerate([list(COLUMNS), *([row[c] for c in COLUMNS] for row in rows(site))], start=1):
        for column, value in enumerate(values, start=1):
            text_cell(sheet.cell(row=number, column=column), value)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    last = max(sheet.max_row, 2)
    for name in EDITABLE:
        letter = _columns_letter(name)
        for row in range(2, last + 1):
            cell = sheet[f"{letter}{row}"]
            cell.protection = Protection(locked=False)
            cell.fill = ANSWER_FILL
            cell.border = Border(*(Side(style="thin", color="BF9000"),) * 4)
    answer, mailer, pcs = (_columns_letter(n) for n in ("回答", "メーラー", "設定しているPC"))
    for formula, column, title in (('"' + ",".join(ANSWERS) + '"', answer, "回答"),
                                   ('"' + ",".join(MAILERS) + '"', mailer, "メーラー")):
        validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                                    errorTitle=title, error="一覧から選んでください")
        sheet.add_data_validation(validation)
        validation.add(f"{column}2:{column}{last}")
    # A drop-down of the site's PCs; several PCs are typed "A;B", so a value outside the list only warns.
    computers = DataValidation(type="list", formula1=pc_range, allow_blank=True, showErrorMessage=True,
                               errorStyle="warning", errorTitle="設定しているPC",
                               error="一覧にないコンピューター名です。複数のPCを「;」で区切って入力した場合は"
                                     "「はい」を押してください。",
                               showInputMessage=True, promptTitle="設定しているPC",
                               prompt="▼から選ぶか、複数なら「;」で区切って入力")
    sheet.add_data_validation(computers)
    computers.add(f"{pcs}2:{pcs}{last}")
    # Rows without an answer: the fixed cells turn light red until 回答 is chosen.
    sheet.conditional_formatting.add(f"A2:{_columns_letter('使用者')}{last}",
                                     FormulaRule(formula=[f'LEN(${answer}2)=0'], fill=UNANSWERED_FILL))
    for letter, width in zip("ABCDEFG", (16, 36, 7, 20, 26, 14, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    _print_setup(sheet, landscape=True)
    sheet.protection.sheet = True  # only the answer cells are editable (no password: a guard, not security)


def workbook(site: Site, inventory: Inventory, deadline: dt.date | None) -> bytes:
    wb = Workbook()
    _instructions(wb, site, deadline)
    _answer_sheet(wb, site, _pc_sheet(wb, site))
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
