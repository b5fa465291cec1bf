"""Reading an enrolment spreadsheet export (CSV). Pure: no Flask, no database.

UTF-8 with or without a byte-order mark, comma, semicolon or tab separated, columns
`email` and/or `phone`, `name`, optional `language` (common Urdu/Indonesian headings too).
Every bad row is reported with its line number; good rows are returned.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

HEADER_ALIASES = {
    "email": {"email", "e-mail", "emailaddress", "mail", "surel", "alamatemail"},
    "phone": {"phone", "mobile", "phonenumber", "mobilenumber", "whatsapp", "nohp", "nomorhp",
              "hp", "telepon", "telp", "nomortelepon", "mobileno", "cell"},
    "name": {"name", "fullname", "nama", "namalengkap", "naam", "trainee", "participant"},
    "language": {"language", "lang", "bahasa", "zaban"},
}  # fmt: skip
MAX_ROWS = 5000


@dataclass(frozen=True)
class Row:
    line: int
    name: str
    email: str
    phone: str
    language: str


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


def _column(header: str) -> str | None:
    key = "".join(ch for ch in header.strip().lower() if ch.isalnum() or ch == "-").replace("-", "")
    for column, aliases in HEADER_ALIASES.items():
        if key in {a.replace("-", "") for a in aliases}:
            return column
    return None


def decode(data: bytes) -> str:
    """Text of the upload: UTF-8, or UTF-16 with its byte-order mark (Excel's "Unicode
    text"); raises ValueError for anything else (a binary file, Windows-1256, ...)."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("not UTF-8") from None
    if "\0" in text:  # valid UTF-8 that is no text: a binary file
        raise ValueError("not text")
    return text


def read_rows(text: str) -> tuple[list[Row], list[RowError]]:
    """Rows with their line numbers, and the problems found (header problems on line 1)."""
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count) if any(d in first for d in ";,\t") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return [], [RowError(1, "the file is empty")]
    columns = [_column(h) for h in header]
    if "name" not in columns or not ({"email", "phone"} & set(columns)):
        return [], [RowError(1, "the first line must name the columns: name, and email or phone")]
    rows: list[Row] = []
    errors: list[RowError] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:  # all or nothing: never half a file
                return [], [RowError(line, f"more than {MAX_ROWS} rows: split the file")]
            rows.append(_row(line, columns, cells))
    except csv.Error:
        return [], [RowError(reader.line_num or 1, "this line is not readable CSV")]
    return rows, errors


def _row(line: int, columns: list[str | None], cells: list[str]) -> Row:
    values = {column: "" for column in HEADER_ALIASES}
    for column, cell in zip(columns, cells, strict=False):
        if column and not values[column]:
            values[column] = cell.strip()
    return Row(line=line, **values)
