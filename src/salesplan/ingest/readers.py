"""Files → a table of strings: encodings, delimiters, CSV and XLSX, header row, footers.

Everything is read as text first (`RawTable.frame` has only String columns, blanks as null)
and typed later by `conversion`. Each row keeps `ROW`, its row number as the user sees it
in the file (1-based, counting the header and any title rows above it; for XLSX the sheet's
row number), so every problem can point at the right line.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import polars as pl

from salesplan.errors import DataError

ROW: Final = "__row"
"""Column holding each row's number in the file."""

HEADER_SCAN: Final = 30
_SAMPLE = 256 * 1024
_CHECK_SLICE = 16 * 2**20  # bytes decoded at a time to check a file is UTF-8
_DELIMITERS: Final = (",", ";", "\t", "|")
_CANDIDATE_ENCODINGS: Final = ["gb18030", "cp1252", "big5", "shift_jis"]
_FOOTER: Final = (
    r"(?i)^(?:(?:grand\s+totals?|sub-?totals?|totals?|合计|总计|小计|共计)\s*(?:[:：(（].*)?"
    r"|confidential\s+information\b.*|copyright\s*(?:©|\(c\)).*|©.*|\(c\)\s*\d{4}.*)$"
)

IsKnownHeader = Callable[[str], bool]


@dataclass(slots=True)
class RawTable:
    """A file's rows as text, with the header row found and footers dropped."""

    source: str
    headers: list[str]
    frame: pl.DataFrame  # one String column per header, plus ROW (Int64)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    dropped_rows: list[int] = field(default_factory=list)  # footers and totals

    @property
    def height(self) -> int:
        return self.frame.height


def read_table(
    path: Path,
    *,
    is_known: IsKnownHeader | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> RawTable:
    """Read a CSV/TSV/TXT or XLSX file into a RawTable; raises DataError when it cannot."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(
            "Cannot read {file}: {reason}", file=str(path), reason=exc.strerror
        ) from None
    known = is_known or (lambda _: False)
    if raw[:4] == b"PK\x03\x04" or path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path, raw, known, sheet)
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise DataError(
            "{file} is an old binary Excel file (.xls); save it as .xlsx or CSV first.",
            file=path.name,
        )
    used = encoding or detect_encoding(raw, whole=False)
    if _is_utf8_codec(used):
        if b"\x00" in raw:
            raise DataError(
                "{file} contains binary data; is it really a CSV file? Try --encoding.",
                file=path.name,
            )
        try:  # Polars checks every cell is UTF-8 as it reads: no separate pass over the file
            table = read_csv_bytes(raw, path.name, known, encoding=used)
        except _NotUtf8:
            pass  # the sample was UTF-8, the file is not: decode it the slow way below
        else:
            del raw  # the file's bytes are no longer needed: free them before tidying
            return _tidy(table)
    text, used = decode(raw, encoding, path.name)
    return read_csv_text(text, path.name, known, encoding=used)


def _is_utf8_codec(name: str) -> bool:
    try:
        return codecs.lookup(name).name in ("utf-8", "utf-8-sig")
    except LookupError:
        return False


def _is_utf8(raw: bytes) -> bool:
    """Whether `raw` is valid UTF-8, decoded in slices so no str of the whole file is built
    (a 240 MB export would otherwise cost ~500 MB of str just to be checked)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(raw)
    try:
        for start in range(0, len(raw), _CHECK_SLICE):
            decoder.decode(view[start : start + _CHECK_SLICE], final=False)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _starts_utf8(sample: bytes) -> bool:
    """Whether `sample` is UTF-8 up to a character its end may cut in two."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


# --- encodings -------------------------------------------------------------------------


class _NotUtf8(Exception):
    """Polars found bytes that are not UTF-8 in a file read as UTF-8."""


def detect_encoding(raw: bytes, *, whole: bool = True) -> str:
    """The encoding of `raw`: BOMs first, then UTF-8, UTF-16 without BOM, then the best guess.

    With `whole=False` only the first `_SAMPLE` bytes must be UTF-8 (about 0.7 s less per
    240 MB); the caller then reads with a UTF-8 validating reader and comes back with
    `whole=True` when the rest is not."""
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = raw[:_SAMPLE]
    if len(sample) >= 4 and sample.count(0) * 3 >= len(sample):
        even_nuls = sample[0::2].count(0)
        return "utf-16-be" if even_nuls > sample[1::2].count(0) else "utf-16-le"
    if _is_utf8(raw) if whole else _starts_utf8(sample):
        return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(_legacy_sample(raw), cp_isolation=_CANDIDATE_ENCODINGS).best()
    if best is None:
        return "gb18030"
    return str(best.encoding)


def _legacy_sample(raw: bytes) -> bytes:
    """The bytes to guess a legacy encoding from: the first `_SAMPLE`, unless those are plain
    ASCII (which every candidate reads alike: an export whose first thousands of rows are
    ids and dates), then `_SAMPLE` bytes from the line of the first non-ASCII byte."""
    sample = raw[:_SAMPLE]
    if not sample.isascii():
        return sample
    step = 2**20
    for start in range(0, len(raw), step):
        block = raw[start : start + step]
        if not block.isascii():
            found = re.search(rb"[\x80-\xff]", block)
            at = start + (found.start() if found else 0)
            line = raw.rfind(b"\n", 0, at) + 1
            return raw[line : line + _SAMPLE]
    return sample


def decode(raw: bytes, encoding: str | None, name: str) -> tuple[str, str]:
    """(text, encoding used); an explicit `encoding` wins over detection."""
    used = encoding or detect_encoding(raw)
    try:
        codec = codecs.lookup(used)
    except LookupError:
        raise DataError(
            "Unknown encoding {value}; use for example utf-8, gb18030, utf-16 or cp1252.",
            value=used,
        ) from None
    try:
        text = raw.decode(codec.name)
    except UnicodeDecodeError as exc:
        raise DataError(
            "{file} is not valid {encoding} text (byte {position}); pass the right one "
            "with --encoding.",
            file=name,
            encoding=used,
            position=exc.start,
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise DataError(
            "{file} contains binary data; is it really a CSV file? Try --encoding.", file=name
        )
    return text, used


# --- CSV -------------------------------------------------------------------------------


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the first records most consistently into the most fields."""
    best, best_score = ",", -1
    for delimiter in _DELIMITERS:
        counts = [len(r) for r in _records(sample, delimiter, limit=HEADER_SCAN) if len(r) > 1]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        score = counts.count(mode) * mode
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _records(text: str, delimiter: str, *, limit: int) -> list[list[str]]:
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:
        pass
    return rows


def _record_offsets(text: str, delimiter: str, limit: int) -> list[tuple[int, list[str]]]:
    """The first `limit` records with the character offset where each one starts."""
    consumed = [0]

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            consumed[0] += len(line)
            yield line

    out: list[tuple[int, list[str]]] = []
    reader = csv.reader(lines(), delimiter=delimiter)
    start = 0
    try:
        for row in reader:
            out.append((start, row))
            start = consumed[0]
            if len(out) >= limit:
                break
    except csv.Error:
        pass
    return out


def read_csv_text(
    text: str, source: str, is_known: IsKnownHeader, *, encoding: str | None = None
) -> RawTable:
    sample = text[:_SAMPLE]
    delimiter = sniff_delimiter(sample)
    head = _record_offsets(sample, delimiter, HEADER_SCAN)
    if not head:
        raise DataError("{file} is empty.", file=source)
    index = find_header([row for _, row in head], is_known)
    offset, _ = head[index]
    body = text[offset:].encode("utf-8")
    return _tidy(_read_body(body, source, delimiter, index, encoding))


def read_csv_bytes(
    raw: bytes, source: str, is_known: IsKnownHeader, *, encoding: str | None = None
) -> RawTable:
    """`read_csv_text` for UTF-8 bytes, without decoding the whole file into a str: the
    header is found in a decoded sample and Polars reads the bytes itself. Not yet tidied
    (`_tidy`), so the caller can free `raw` first."""
    start = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    sample = raw[start : start + _SAMPLE].decode("utf-8", errors="ignore")
    delimiter = sniff_delimiter(sample)
    head = _record_offsets(sample, delimiter, HEADER_SCAN)
    if not head:
        raise DataError("{file} is empty.", file=source)
    index = find_header([row for _, row in head], is_known)
    offset, _ = head[index]
    skip = len(sample[:offset].encode("utf-8"))
    body = raw[start + skip :] if skip else raw  # Polars skips a leading BOM itself
    return _read_body(body, source, delimiter, index, encoding)  # untidied: see read_table


def _read_body(
    body: bytes, source: str, delimiter: str, index: int, encoding: str | None
) -> RawTable:
    """The records from the header row on (UTF-8 bytes) → a RawTable; `index` is the header
    row's position among the file's records (title rows above it count for row numbers)."""
    try:
        frame = pl.read_csv(
            body,
            has_header=False,
            separator=delimiter,
            infer_schema=False,
            truncate_ragged_lines=True,
            quote_char='"',
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError as exc:
        if "utf-8" in str(exc).lower() and (encoding is None or _is_utf8_codec(encoding)):
            raise _NotUtf8 from None
        raise DataError(
            "{file} cannot be read as CSV: {reason}", file=source, reason=str(exc)[:200]
        ) from None
    if frame.height == 0:
        raise DataError("{file} is empty.", file=source)
    names = unique_headers([str(v) if v is not None else "" for v in frame.row(0)])
    frame = frame.slice(1).rename(dict(zip(frame.columns, names, strict=True)))
    header_row = index + 1
    frame = frame.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + header_row + 1).alias(ROW))
    return RawTable(source, names, frame, encoding=encoding, delimiter=delimiter)


# --- XLSX ------------------------------------------------------------------------------


def read_xlsx(path: Path, raw: bytes, is_known: IsKnownHeader, sheet: str | None) -> RawTable:
    import openpyxl  # type: ignore[import-untyped]
    from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DataError(
            "{file} cannot be read as an Excel workbook: {reason}",
            file=path.name,
            reason=str(exc)[:200] or type(exc).__name__,
        ) from None
    names = book.sheetnames
    if sheet is not None:
        match = [n for n in names if n.casefold() == sheet.strip().casefold()]
        if not match:
            raise DataError(
                "{file} has no sheet {sheet}; its sheets are: {choices}.",
                file=path.name,
                sheet=sheet,
                choices=", ".join(names),
            )
        candidates = match
    else:
        candidates = names
    best: tuple[int, str, list[list[str | None]]] | None = None
    for name in candidates:
        rows = _sheet_rows(book[name])
        score = max((_score(r, is_known) for r in rows[:HEADER_SCAN]), default=0)
        if rows and (best is None or score > best[0]):
            best = (score, name, rows)
    if best is None:
        raise DataError("{file} is empty.", file=path.name)
    _, name, rows = best
    index = find_header(rows, is_known)
    headers = unique_headers([c or "" for c in rows[index]])
    width = len(headers)
    body = [(r + [None] * width)[:width] for r in rows[index + 1 :]]
    columns = {h: [r[j] for r in body] for j, h in enumerate(headers)}
    frame = pl.DataFrame(columns, schema=dict.fromkeys(headers, pl.String))
    frame = frame.with_columns(pl.Series(ROW, range(index + 2, index + 2 + len(body)), pl.Int64))
    return _tidy(RawTable(path.name, headers, frame, sheet=name))


def _sheet_rows(ws: object) -> list[list[str | None]]:
    from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

    if not isinstance(ws, Worksheet):
        return []
    merged = [
        (r.min_row, r.max_row, r.min_col, r.max_col, ws.cell(r.min_row, r.min_col).value)
        for r in ws.merged_cells.ranges
    ]
    rows = [[cell_text(v) for v in row] for row in ws.iter_rows(min_row=1, values_only=True)]
    for top, bottom, left, right, value in merged:
        text = cell_text(value)
        for r in range(top - 1, min(bottom, len(rows))):
            row = rows[r]
            if len(row) < right:
                row.extend([None] * (right - len(row)))
            for c in range(left - 1, right):
                row[c] = text
    return rows


def cell_text(value: object) -> str | None:
    """A cell's value as the text a CSV export of it would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    text = str(value)
    return text if text.strip() else None


# --- shared ----------------------------------------------------------------------------


def _score(row: Sequence[str | None], is_known: IsKnownHeader) -> int:
    return sum(1 for cell in row if cell and is_known(cell))


def find_header(rows: Sequence[Sequence[str | None]], is_known: IsKnownHeader) -> int:
    """Index of the header row: the first with the most known headers (at least two),
    else the first row with the most non-empty cells (title rows above it have fewer)."""
    scan = list(rows[:HEADER_SCAN])
    scores = [_score(r, is_known) for r in scan]
    if scores and max(scores) >= 2:
        return scores.index(max(scores))
    filled = [sum(1 for c in r if c and str(c).strip()) for r in scan]
    return filled.index(max(filled)) if filled else 0


def unique_headers(names: Sequence[str]) -> list[str]:
    """Stripped header names; blanks become `column N`, repeats get ` (2)`, ` (3)`."""
    out: list[str] = []
    seen: set[str] = set()
    for position, name in enumerate(names, start=1):
        base = " ".join(name.split()) or f"column {position}"
        if base == "*" or (base.startswith("^") and base.endswith("$")):
            base = f"'{base}'"  # Polars reads these as wildcard / regex column selectors
        candidate, n = base, 1
        while candidate in seen or candidate == ROW:
            n += 1
            candidate = f"{base} ({n})"
        seen.add(candidate)
        out.append(candidate)
    return out


def _tidy(table: RawTable) -> RawTable:
    """Blank cells → null, then drop blank rows and report footers/totals rows.

    Only columns with a cell to strip or blank are rewritten, and rows are filtered only when
    some must go: a clean 1M-row export is not copied twice (~200 MB each) on the way.
    """
    cols = [c for c in table.frame.columns if c != ROW]
    if not cols:
        return table
    dirty = table.frame.select(
        (pl.col(c).str.contains(r"^\s|\s$") | (pl.col(c) == "")).any().alias(c) for c in cols
    ).row(0)
    touched = [c for c, needed in zip(cols, dirty, strict=True) if needed]
    if touched:
        table.frame = table.frame.with_columns(
            pl.col(c).str.strip_chars().replace("", None) for c in touched
        )
    blank = pl.all_horizontal(pl.col(c).is_null() for c in cols)
    footer = pl.coalesce(cols).str.contains(_FOOTER).fill_null(False)
    flags = table.frame.select(blank.alias("blank"), footer.alias("footer"))
    if not (flags["blank"].any() or flags["footer"].any()):
        return table
    dropped = table.frame.filter(flags["footer"] & ~flags["blank"])[ROW].to_list()
    table.frame = table.frame.filter(~flags["blank"] & ~flags["footer"])
    table.dropped_rows = dropped
    return table
