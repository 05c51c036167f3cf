"""Goal measurements from CSV (columns date,value): all rows or none, every bad row named."""

from __future__ import annotations

import csv
import io
from datetime import date


class CsvProblem(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


MAX_BYTES = 2_000_000


def parse_measurements(raw: bytes) -> list[tuple[date, float]]:
    if len(raw) > MAX_BYTES:
        raise CsvProblem([f"file is larger than {MAX_BYTES // 1_000_000} MB"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvProblem([f"not UTF-8 text (byte {exc.start})"]) from exc
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or {"date", "value"} - {
        f.strip().lower() for f in reader.fieldnames
    }:
        raise CsvProblem(["the header must name the columns date and value"])
    rows, problems = [], []
    for line, record in enumerate(reader, start=2):
        record = {k.strip().lower(): (v or "").strip() for k, v in record.items() if k}
        try:
            day = date.fromisoformat(record["date"])
        except ValueError:
            problems.append(f"line {line}: date {record['date']!r} is not YYYY-MM-DD")
            continue
        try:
            value = float(record["value"].replace(",", "."))
        except ValueError:
            problems.append(f"line {line}: value {record['value']!r} is not a number")
            continue
        rows.append((day, value))
    if problems:
        raise CsvProblem(problems)
    if not rows:
        raise CsvProblem(["no rows"])
    return rows
