"""Reading import files: CSV or JSON bytes into numbered raw rows, or a file-level error.

CSV: UTF-8 (a byte-order mark is fine), a header row naming the columns, line numbers as
an editor shows them (the header is line 1). JSON: an array of objects; an item's "line"
is its position in the array, from 1.
"""

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from newretail.kernel.errors import DomainError, InvalidInput
from newretail.kernel.schemas import holds_nul


class FileFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


class BadEncoding(InvalidInput):
    code = "bad_encoding"
    default_detail = "The file is not valid UTF-8."


class MissingColumn(InvalidInput):
    code = "missing_column"
    default_detail = "A required column is missing."


class UnknownColumn(InvalidInput):
    code = "unknown_column"
    default_detail = "The file has a column this import does not know."


class InvalidFile(InvalidInput):
    code = "invalid_file"
    default_detail = "The file cannot be read."


@dataclass(frozen=True, slots=True)
class RawRow:
    line: int
    cells: dict[str, Any]
    problem: str | None = None


@dataclass(frozen=True)
class ParsedFile:
    columns: tuple[str, ...]
    rows: list[RawRow]


def parse(content: bytes, fmt: FileFormat) -> ParsedFile:
    if fmt is FileFormat.JSON:
        return _parse_json(content)
    return _parse_csv(content)


def check_columns(columns: Sequence[str], *, known: Sequence[str], required: Sequence[str]) -> None:
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise UnknownColumn(f"Unknown column(s): {', '.join(unknown)}; known: {', '.join(known)}.")
    missing = [c for c in required if c not in columns]
    if missing:
        raise MissingColumn(f"Missing column(s): {', '.join(missing)}.")


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise BadEncoding(f"The file is not valid UTF-8 (line {line}, byte {exc.start}).") from exc


def _parse_csv(content: bytes) -> ParsedFile:
    text = _decode(content)
    if "\x00" in text:
        raise InvalidFile("The file contains NUL bytes; it is not a CSV text file.")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise InvalidFile("The file is empty; the first line must name the columns.")
        columns = tuple(cell.strip().lower() for cell in header)
        if len(set(columns)) != len(columns):
            raise InvalidFile("A column is named twice in the header.")
        return ParsedFile(columns, list(_csv_rows(reader, columns)))
    except csv.Error as exc:
        raise InvalidFile(f"Line {reader.line_num}: {exc}.") from exc


def _csv_rows(reader: Any, columns: tuple[str, ...]) -> Iterator[RawRow]:
    width = len(columns)
    start = reader.line_num + 1
    for record in reader:
        line, start = start, reader.line_num + 1
        if len(record) == width:
            yield RawRow(line, dict(zip(columns, record, strict=True)))
        elif not any(cell.strip() for cell in record):
            continue
        else:
            problem = f"expected {width} cells, found {len(record)}"
            yield RawRow(line, {}, problem)


def _parse_json(content: bytes) -> ParsedFile:
    try:
        data = json.loads(content)
    except UnicodeDecodeError as exc:
        raise BadEncoding() from exc
    except json.JSONDecodeError as exc:
        raise InvalidFile(f"Not valid JSON: {exc.msg} (line {exc.lineno}).") from exc
    if not isinstance(data, list):
        raise InvalidFile("A JSON import is an array of objects.")
    if holds_nul(data):
        raise InvalidFile("The file contains the NUL character (\\u0000); text must not.")
    columns: dict[str, None] = {}
    rows = []
    for line, item in enumerate(data, start=1):
        if isinstance(item, dict):
            columns.update(dict.fromkeys(item))
            rows.append(RawRow(line, item))
        else:
            rows.append(RawRow(line, {}, "each item must be a JSON object"))
    return ParsedFile(tuple(columns), rows)


class FileTooLarge(DomainError):
    code = "payload_too_large"
    status = 413
    default_detail = "The file is too large to import in one go."
