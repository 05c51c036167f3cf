"""Reading CSV files of unknown origin: encoding (UTF-8, else Windows-1251 as VK exports
often are), delimiter (comma, semicolon or tab), header row."""

from __future__ import annotations

import csv
import io

from hearth.metrics.imports.common import ImportProblem


def read_table(content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    """Header names (stripped) and rows as dicts; line numbers are index + 2."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1251")
        except UnicodeDecodeError:
            raise ImportProblem(["the file is neither UTF-8 nor Windows-1251 text"]) from None
    if "\x00" in text:
        raise ImportProblem(["the file is binary, not CSV text"])
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ImportProblem(["the file is empty (no header row)"])
    header_line = lines[0]
    delimiter = max(",;\t", key=header_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = list(reader)
    header = [h.strip() for h in rows[0]]
    if len(set(header)) != len(header):
        raise ImportProblem([f"repeated column names in the header: {header}"])
    records, problems = [], []
    for number, values in enumerate(rows[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            problems.append(f"line {number}: {len(values)} fields, the header has {len(header)}")
            continue
        records.append({"_line": str(number), **dict(zip(header, values, strict=True))})
    if problems:
        raise ImportProblem(problems)
    return header, records


def pick(header: list[str], aliases: tuple[str, ...]) -> str | None:
    """The first header matching one of the aliases, case-insensitively."""
    lowered = {h.lower(): h for h in header}
    for alias in aliases:
        if alias.lower() in lowered:
            return lowered[alias.lower()]
    return None
