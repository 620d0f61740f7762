"""Tables in and out of the office: CSV (UTF-8 with BOM, so Excel shows Chinese right) and XLSX
(openpyxl), and one response helper so every report and list can be exported the same way.

    return table_response("sales", ["day", "sku", "units"], rows, format)   # format: json|csv|xlsx
    rows = read_table("skus.xlsx", data)   # [(line_number, {"column": "text", ...}), ...]
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi.responses import JSONResponse, Response

from server.office.accounts import OfficeError
from server.office.headers import LANGS, header

FORMATS = ("json", "csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def to_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], lang: str = "en") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header(columns, lang))
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], sheet: str = "kucun",
            lang: str = "en") -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    page = book.create_sheet(sheet[:31])
    page.append(header(columns, lang))
    for row in rows:
        page.append([_cell(row.get(c)) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, (int, float, str)):
        return value
    return str(value)


def read_table(filename: str, data: bytes) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV or XLSX file as `(line, {header: text})`; line 1 is the header, so the
    first data row is line 2 — the number a user sees in Excel. Blank rows are skipped."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
    if name.endswith(".csv") or name.endswith(".txt"):
        return _read_csv(data)
    raise OfficeError("bad_file_type", f"{filename}: expected a .csv or .xlsx file")


def _header(cells: Sequence[Any]) -> list[str]:
    header = [str(c).strip().lower() if c is not None else "" for c in cells]
    if not any(header):
        raise OfficeError("bad_file", "the first row must name the columns")
    return header


def _read_csv(data: bytes) -> list[tuple[int, dict[str, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")  # what Excel on a Chinese Windows saves as "CSV"
        except UnicodeDecodeError as problem:
            raise OfficeError("bad_file", f"the file is neither UTF-8 nor GB18030 text: {problem}") from problem
    reader = csv.reader(io.StringIO(text))
    try:
        header = _header(next(reader))
        rows = []
        for line, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            rows.append((line, {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header) if h}))
    except StopIteration:
        raise OfficeError("bad_file", "the file is empty") from None
    except csv.Error as problem:  # e.g. a bare carriage return inside a field
        raise OfficeError("bad_file", f"not a readable CSV file (line {reader.line_num}): {problem}") from None
    return rows


def _read_xlsx(data: bytes) -> list[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as problem:  # openpyxl raises many kinds for a broken file
        raise OfficeError("bad_file", f"not a readable .xlsx file: {problem}") from problem
    page = book.worksheets[0]
    lines = page.iter_rows(values_only=True)
    try:
        header = _header(next(lines))
    except StopIteration:
        raise OfficeError("bad_file", "the sheet is empty") from None
    rows = []
    for line, cells in enumerate(lines, start=2):
        texts = ["" if c is None else _text(c) for c in cells]
        if not any(texts):
            continue
        rows.append((line, {h: (texts[i] if i < len(texts) else "") for i, h in enumerate(header) if h}))
    return rows


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 6901234500011 as a float
    return str(value).strip()


def table_answers(columns: Sequence[str], description: str = "", *,
                  more: bool = False) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a route answering `table_response(..., columns, ...)`, for the OpenAPI
    schema: JSON rows of these columns, or a CSV / XLSX file. `more`: the columns vary (by the
    query); these are those that may show, and others may."""
    row: dict[str, Any] = {"type": "object", "properties": {column: {} for column in columns}}
    if not more:
        row.update(required=list(columns), additionalProperties=False)
    return {200: {"description": description or "The rows as JSON, or a CSV / XLSX download (`format`)",
                  "content": {"application/json": {"schema": {"type": "array", "items": row}},
                              "text/csv": {"schema": {"type": "string"}},
                              XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}}}}


def table_response(
    name: str, columns: Sequence[str], rows: Sequence[Mapping[str, Any]], format: str = "json",
    lang: str = "en",
) -> Response:
    """`rows` as JSON (a list of objects), or as a CSV / XLSX download named `<name>.<format>` whose
    header row is in `lang` (`server/office/headers.py`; JSON keys are always the field names)."""
    if lang not in LANGS:
        raise OfficeError("bad_lang", f"lang must be one of {list(LANGS)}")
    if format == "json":
        return JSONResponse([{c: row.get(c) for c in columns} for row in rows])
    if format == "csv":
        return Response(to_csv(columns, rows, lang), media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": f'attachment; filename="{name}.csv"'})
    if format == "xlsx":
        return Response(to_xlsx(columns, rows, name, lang), media_type=XLSX_TYPE,
                        headers={"content-disposition": f'attachment; filename="{name}.xlsx"'})
    raise OfficeError("bad_format", f"format must be one of {list(FORMATS)}")
