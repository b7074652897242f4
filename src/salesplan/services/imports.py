"""`salesplan import KIND FILE`: a CRM export into the store, whole or not at all.

read (ingest.readers) → pick a preset or apply a mapping → parse and validate every value
(ingest.conversion, ingest.deals) → one transaction: stage list, import batch, upserts, stage
events (history columns replace a deal's events; changes since the last import add one).
Any invalid row and nothing is written, unless the caller asked to skip invalid rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from salesplan.config import Settings
from salesplan.domain.records import RecordKind
from salesplan.domain.stages import DEFAULT_STAGES, StageList
from salesplan.errors import ConfigError, DataError
from salesplan.i18n import N_, translator
from salesplan.ingest import deals, history, mapping, validate
from salesplan.ingest.conversion import Converted, Plan, StageResolver, convert, plan_columns
from salesplan.ingest.conversion import stage_resolver as make_resolver
from salesplan.ingest.fields import KIND_NAMES, norm
from salesplan.ingest.mapping import MappingFile, load_mapping
from salesplan.ingest.presets import PRESET_NAMES, Preset, all_presets, detect, is_known_header
from salesplan.ingest.readers import ROW, RawTable, read_table
from salesplan.ingest.validate import Problem
from salesplan.services.progress import Progress, SilentProgress
from salesplan.services.store import open_store
from salesplan.storage import imports as store_imports
from salesplan.storage import records

STAGED = (RecordKind.OPPORTUNITY, RecordKind.STAGE_EVENT)


@dataclass(slots=True)
class ImportReport:
    kind: str
    file: Path
    preset: str
    preset_detected: bool
    encoding: str | None
    sheet: str | None
    as_of: dt.date
    dry_run: bool
    rows_read: int = 0
    rows_written: int = 0
    rejected: int = 0
    events_written: int = 0
    batch_id: int | None = None
    stages_replaced: bool = False
    problems: list[Problem] = field(default_factory=list)
    report_path: Path | None = None
    rejects_path: Path | None = None

    @property
    def errors(self) -> list[Problem]:
        return validate.errors(self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return validate.warnings(self.problems)

    @property
    def ok(self) -> bool:
        """False when errors stopped the import (nothing was written)."""
        return not self.errors or self.rejects_path is not None


def kind_of(name: str) -> RecordKind:
    if name not in KIND_NAMES:
        raise ConfigError(
            "Unknown record kind {value}; use one of: {choices}.",
            value=name,
            choices=", ".join(KIND_NAMES),
        )
    return KIND_NAMES[name]


def _preset(name: str | None) -> Preset | None:
    if name is None:
        return None
    if name not in PRESET_NAMES:
        raise ConfigError(
            "Unknown preset {value}; use one of: {choices}.",
            value=name,
            choices=", ".join(PRESET_NAMES),
        )
    return all_presets()[name]


@dataclass(slots=True)
class _Read:
    raw: RawTable
    preset: Preset
    detected: bool
    mapping: MappingFile | None


def _read(
    kind: RecordKind,
    path: Path,
    preset_name: str | None,
    mapping_path: Path | None,
    sheet: str | None,
    encoding: str | None,
) -> _Read:
    chosen = _preset(preset_name)
    spec = load_mapping(mapping_path, kind) if mapping_path is not None else None
    if chosen is None and spec is not None and spec.preset is not None:
        chosen = all_presets()[spec.preset]
    known = is_known_header(kind)
    extra = {norm(h) for hs in (spec.columns.values() if spec else []) for h in _listed(hs)}
    raw = read_table(
        path,
        is_known=lambda h: norm(h) in known or norm(h) in extra,
        encoding=encoding or (spec.encoding if spec else None),
        sheet=sheet or (spec.sheet if spec else None),
    )
    detected = chosen is None
    if chosen is None:
        chosen, _ = detect(kind, raw.headers)
    return _Read(raw, chosen, detected, spec)


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def _stage_plan(
    kind: RecordKind,
    preset: Preset,
    spec: MappingFile | None,
    stored: StageList | None,
    has_deals: bool,
) -> tuple[StageList, bool]:
    """(the stage list to read stages with, whether it replaces the stored one)."""
    candidate = (spec.stage_list() if spec else None) or preset.stage_list()
    if stored is None or (stored == DEFAULT_STAGES and not has_deals):
        return candidate, candidate != stored
    return stored, False


def _unknown_stage_problem(unknown: dict[str, int], resolver: StageResolver) -> Problem:
    keys = [s.key for s in resolver.stages.stages]
    lines = ["values:", "  stage:"]
    lines += [f'    "{label}": {keys[0]}   # one of: {", ".join(keys)}' for label in unknown]
    return Problem(
        "unknown_stages",
        N_(
            "Unknown stage labels: {labels}. Map each one to a stage of this workspace in a "
            "mapping file (--mapping), for example:\n{snippet}"
        ),
        {"labels": ", ".join(unknown), "snippet": "\n".join(lines)},
    )


def import_file(
    settings: Settings,
    kind_name: str,
    path: Path,
    *,
    preset: str | None = None,
    mapping_path: Path | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    as_of: dt.date | None = None,
    dry_run: bool = False,
    skip_invalid: Path | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one export file; see the module docstring. Raises DataError for file-level
    problems (unreadable, no id column, bad mapping); row problems are in the report."""
    progress = progress or SilentProgress()
    kind = kind_of(kind_name)
    when = as_of or dt.date.today()
    progress.step(N_("Reading {file}…"), file=path.name)
    read = _read(kind, path, preset, mapping_path, sheet, encoding)
    raw, spec = read.raw, read.mapping
    report = ImportReport(
        kind_name,
        path,
        read.preset.name,
        read.detected,
        raw.encoding,
        raw.sheet,
        when,
        dry_run,
        rows_read=raw.height,
    )
    engine = open_store(settings)
    try:
        with engine.connect() as connection:
            stored = records.read_stages(connection)
            has_deals = store_imports.has_deals(connection)
        stages, replace = _stage_plan(kind, read.preset, spec, stored, has_deals)
        progress.step(N_("Checking {rows} rows…"), rows=raw.height)
        conv, events = _convert(raw, kind, read.preset, spec, stages, settings.currency)
        report.problems = conv.problems
        errors = validate.errors(conv.problems)
        bad_rows = validate.rows_with_errors(conv.problems)
        t = translator(settings.locale)
        frame = conv.frame
        if errors:
            if skip_invalid is None:
                report.report_path = _write_errors(path, raw.source, errors, t.gettext, settings)
                return report
            rejected = raw.frame.filter(pl.col(ROW).is_in(list(bad_rows)))
            validate.write_rejects(
                skip_invalid,
                raw.headers,
                rejected.rename({ROW: "row"}).to_dicts(),
                errors,
                t.gettext,
            )
            report.rejects_path, report.rejected = skip_invalid, rejected.height
            frame = frame.filter(~pl.col(ROW).is_in(list(bad_rows)))
            events = events.filter(~pl.col(ROW).is_in(list(bad_rows)))
        raw.frame = raw.frame.clear()  # the file's text is no longer needed: free it
        frame = deals.dedupe(frame, kind)
        report.stages_replaced = replace
        if dry_run:
            report.rows_written = 0
            return report
        progress.step(N_("Writing {rows} rows to the store…"), rows=frame.height)
        with path.open("rb") as exported:  # in blocks: the file may be hundreds of MB
            checksum = hashlib.file_digest(exported, "sha256").hexdigest()[:64]
        with engine.begin() as connection:
            if replace:
                records.replace_stages(connection, stages)
            batch = records.create_batch(
                connection,
                kind=kind.value,
                source=path.name,
                as_of=when,
                row_count=frame.height,
                preset=read.preset.name,
                checksum=checksum,
            )
            report.batch_id = batch.id
            report.rows_written, report.events_written = _write(
                connection, kind, frame.drop(ROW), events.drop(ROW), batch, when, has_deals
            )
    finally:
        engine.dispose()
    return report


def _convert(
    raw: RawTable,
    kind: RecordKind,
    preset: Preset,
    spec: MappingFile | None,
    stages: StageList,
    currency: str,
) -> tuple[Converted, pl.DataFrame]:
    skip = history.is_stage_timing_header if preset.history_columns else (lambda _: False)
    matched, unmatched = plan_columns(raw, kind, preset, spec, skip)
    default = (spec.currency if spec else None) or currency
    resolver = make_resolver(stages, preset, spec) if kind in STAGED else None
    plan = Plan(kind, preset, spec, matched, unmatched, default, resolver)
    conv = convert(raw, plan)
    events = history._empty()
    if kind is RecordKind.OPPORTUNITY:
        assert resolver is not None
        deals.finish_opportunities(conv, stages, preset)
        columns = history.history_headers(raw.headers) if preset.history_columns else {}
        if columns:
            codes = {s.key: s.code for s in stages.stages}
            events, problems, unknown = history.events_from_columns(
                raw, conv.frame["id"], columns, resolver, codes
            )
            conv.problems += problems
            for label, count in unknown.items():
                conv.unknown_stages[label] = conv.unknown_stages.get(label, 0) + count
    elif kind is RecordKind.STAGE_EVENT:
        deals.finish_stage_events(conv, stages)
    if conv.unknown_stages and resolver is not None:
        conv.problems.append(_unknown_stage_problem(conv.unknown_stages, resolver))
    deals.check_warnings(conv, kind)
    if conv.currency_assumed and "currency" not in matched:
        conv.problems.append(
            Problem(
                "currency_assumed",
                N_("The file names no currency; amounts were read as {currency}."),
                {"currency": default},
                severity="warning",
            )
        )
    if unmatched:
        conv.problems.append(
            Problem(
                "unused_columns",
                N_("Columns not imported: {columns}."),
                {"columns": ", ".join(unmatched)},
                severity="warning",
            )
        )
    return conv, events


def _write(
    connection: object,
    kind: RecordKind,
    frame: pl.DataFrame,
    events: pl.DataFrame,
    batch: records.ImportBatch,
    as_of: dt.date,
    has_deals: bool,
) -> tuple[int, int]:
    from sqlalchemy import Connection

    assert isinstance(connection, Connection)
    if kind is not RecordKind.OPPORTUNITY:
        return records.write_records(connection, kind, frame, batch), 0
    accounts, team = store_imports.read_dimension_sources(connection)
    frame = deals.derive_dimensions(frame, accounts, team)
    stored = store_imports.read_opportunity_state(connection) if has_deals else None
    written = records.write_records(connection, kind, frame, batch)
    count = 0
    if events.height:
        count += records.write_records(connection, RecordKind.STAGE_EVENT, events, batch)
    if stored is not None:
        with_history = events["opportunity_id"].unique().to_list()
        changes = history.diff_events(
            frame.filter(~pl.col("id").is_in(with_history)), stored, as_of
        )
        count += store_imports.append_stage_events(connection, changes, batch)
    return written, count


def _write_errors(
    path: Path,
    source: str,
    problems: list[Problem],
    translate: validate.Translate,
    settings: Settings,
) -> Path:
    target = path.with_name(path.name + ".errors.csv")
    try:
        validate.write_report(target, problems, source, translate)
    except OSError:
        settings.workspace.mkdir(parents=True, exist_ok=True)
        target = settings.workspace / (path.name + ".errors.csv")
        validate.write_report(target, problems, source, translate)
    return target


# --- suggest-mapping -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SuggestResult:
    path: Path
    preset: str
    matched: dict[str, list[str]]
    unmatched: list[str]


def suggest_mapping(
    settings: Settings,
    kind_name: str,
    path: Path,
    out: Path,
    *,
    preset: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
) -> SuggestResult:
    """Write a starting mapping file for `path` to `out` (nothing is imported)."""
    kind = kind_of(kind_name)
    read = _read(kind, path, preset, None, sheet, encoding)
    raw = read.raw
    skip = history.is_stage_timing_header if read.preset.history_columns else (lambda _: False)
    matched, unmatched = plan_columns(raw, kind, read.preset, None, skip)
    stage_values: dict[str, str | None] = {}
    keys: list[str] = []
    if kind in STAGED and "stage" in matched:
        stages = read.preset.stage_list()
        resolver = make_resolver(stages, read.preset, None)
        keys = [s.key for s in stages.stages]
        labels = raw.frame.select(pl.coalesce(matched["stage"])).to_series().drop_nulls().unique()
        stage_values = {label: resolver.key(label) for label in sorted(labels.to_list())[:200]}
    text = mapping.suggest(
        kind_name=kind_name,
        source=raw.source,
        preset=read.preset.name,
        matched=matched,
        unmatched=unmatched,
        stage_values=stage_values,
        stage_keys=keys,
        dayfirst=_suggest_dayfirst(raw, matched),
        decimal=None,
        currency=None if "currency" in matched else settings.currency,
    )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise DataError("Cannot write {file}: {reason}", file=str(out), reason=str(exc)) from None
    return SuggestResult(out, read.preset.name, matched, unmatched)


def _suggest_dayfirst(raw: RawTable, matched: dict[str, list[str]]) -> bool | None:
    from salesplan.ingest.values import infer_day_order

    for headers in matched.values():
        for header in headers:
            order = infer_day_order(raw.frame[header].drop_nulls().head(1000).to_list())
            if order in ("dmy", "mdy"):
                return order == "dmy"
    return None


def check_mapping(mapping_path: Path, kind_name: str) -> MappingFile:
    return load_mapping(mapping_path, kind_of(kind_name))


__all__ = ["ImportReport", "SuggestResult", "import_file", "kind_of", "suggest_mapping"]
