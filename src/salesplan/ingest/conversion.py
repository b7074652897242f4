"""A RawTable → a canonical frame of one record kind, with a Problem for every bad value.

Each field's text is the first non-empty of its source columns (then its mapping constant);
values are parsed once per distinct text (a million rows hold far fewer distinct dates or
amounts), so the per-value parsers of `values` stay cheap; plain-number amounts are read
in Polars by `amounts`. Rows keep `readers.ROW`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import polars as pl

from salesplan.domain.records import RecordKind
from salesplan.domain.stages import StageList
from salesplan.errors import DataError
from salesplan.ingest import values as v
from salesplan.ingest.cells import SOURCE, map_unique, problem_rows
from salesplan.ingest.fields import FieldSpec, FieldType, field_specs, max_length, norm
from salesplan.ingest.mapping import MappingFile
from salesplan.ingest.money_columns import money_columns
from salesplan.ingest.presets import Preset, match_headers
from salesplan.ingest.readers import ROW, RawTable
from salesplan.ingest.validate import N_, Problem


@dataclass(frozen=True, slots=True)
class StageResolver:
    """Cell text → a stage key of the active stage list."""

    stages: StageList
    labels: Mapping[str, str]

    def key(self, text: str) -> str | None:
        return self.labels.get(norm(text))


def stage_resolver(stages: StageList, preset: Preset, mapping: MappingFile | None) -> StageResolver:
    keys = {s.key for s in stages.stages}
    labels: dict[str, str] = {}
    for label, key in (mapping.values.get("stage", {}) if mapping else {}).items():
        if not key:
            continue
        if key not in keys:
            raise DataError(
                "Mapping file: values.stage.{label} is {value}, which is not a stage of this "
                "workspace; use one of: {choices}.",
                label=label,
                value=key,
                choices=", ".join(s.key for s in stages.stages),
            )
        labels[norm(label)] = key
    for s in stages.stages:
        labels.setdefault(norm(s.key), s.key)
        labels.setdefault(norm(s.label), s.key)
    for label, key in preset.stage_labels().items():
        if key in keys:
            labels.setdefault(label, key)
    return StageResolver(stages, labels)


@dataclass(slots=True)
class Plan:
    """How to read one file: which headers hold which field, and the reading hints."""

    kind: RecordKind
    preset: Preset
    mapping: MappingFile | None
    matched: dict[str, list[str]]
    unmatched: list[str]
    default_currency: str
    stages: StageResolver | None = None
    day_order: v.DayOrder | None = None


@dataclass(slots=True)
class Converted:
    frame: pl.DataFrame  # parsed fields by canonical column (helper fields by name) + ROW
    problems: list[Problem] = field(default_factory=list)
    unknown_stages: dict[str, int] = field(default_factory=dict)  # label -> rows
    currency_assumed: bool = False


def plan_columns(
    raw: RawTable,
    kind: RecordKind,
    preset: Preset,
    mapping: MappingFile | None,
    skip: Callable[[str], bool] = lambda _: False,
) -> tuple[dict[str, list[str]], list[str]]:
    """(field → headers, headers left unused) for a file under a preset and a mapping."""
    specs = field_specs(kind)
    explicit: dict[str, list[str]] = {}
    if mapping is not None:
        present = {h.casefold(): h for h in raw.headers}
        for name in mapping.columns:
            found = []
            for header in mapping.sources(name):
                actual = present.get(" ".join(header.split()).casefold())
                if actual is None:
                    raise DataError(
                        "Mapping file: columns.{field} names {header}, but {file} has no such "
                        "column; its columns are: {choices}.",
                        field=name,
                        header=header,
                        file=raw.source,
                        choices=", ".join(raw.headers),
                    )
                found.append(actual)
            explicit[name] = found
    ignored = {norm(h) for h in (mapping.ignore if mapping else [])}
    used = {h for headers in explicit.values() for h in headers}
    rest = [h for h in raw.headers if h not in used and norm(h) not in ignored and not skip(h)]
    matched = {k: hs for k, hs in match_headers(preset, kind, rest).items() if k not in explicit}
    result = {name: explicit.get(name) or matched.get(name, []) for name in specs}
    result = {k: hs for k, hs in result.items() if hs}
    taken = {h for hs in result.values() for h in hs}
    unmatched = [
        h for h in rest if h not in taken and norm(h) not in {norm(i) for i in preset.ignore}
    ]
    return result, unmatched


def _source(raw: RawTable, plan: Plan, name: str) -> tuple[pl.Expr, pl.Expr] | None:
    headers = plan.matched.get(name, [])
    constant = plan.mapping.constants.get(name) if plan.mapping else None
    exprs: list[pl.Expr] = [pl.col(h) for h in headers]
    labels: list[pl.Expr] = [pl.when(pl.col(h).is_not_null()).then(pl.lit(h)) for h in headers]
    if constant is not None:
        exprs.append(pl.lit(constant, pl.String))
        labels.append(pl.lit(f"constants.{name}"))
    if not exprs:
        return None
    names = [*headers, *([f"constants.{name}"] if constant is not None else [])]
    # An Enum, not a String: one small integer per row instead of a copy of the header's
    # name (at 1M rows × 28 fields that is ~110 MB instead of ~450 MB).
    return pl.coalesce(exprs), pl.coalesce(labels).cast(pl.Enum(list(dict.fromkeys(names))))


def _too_long(text: pl.DataFrame, name: str, limit: int) -> list[Problem]:
    rows = text.filter(pl.col(name).str.len_chars() > limit).select(ROW, name, SOURCE + name)
    return [
        Problem(
            "too_long",
            N_("{value} is longer than {limit} characters."),
            {"value": cell[:40] + "…", "limit": limit},
            row,
            column,
            cell,
        )
        for row, cell, column in rows.iter_rows()
    ]


def convert(raw: RawTable, plan: Plan) -> Converted:
    """Parse every mapped field of `raw`; bad values become Problems, their cells null."""
    specs = field_specs(plan.kind)
    sources = {name: _source(raw, plan, name) for name in specs}
    present = {k: s for k, s in sources.items() if s is not None}
    _check_required(raw, plan, specs, present)
    text = raw.frame.select(
        pl.col(ROW),
        *(s[0].alias(name) for name, s in present.items()),
        *(s[1].alias(SOURCE + name) for name, s in present.items()),
    )
    result = Converted(pl.DataFrame({ROW: text[ROW]}))
    dated = [n for n in present if specs[n].type in (FieldType.DATE, FieldType.INSTANT)]
    plan.day_order = file_day_order(text, dated)
    columns: dict[str, pl.Series] = {}
    decimal = plan.mapping.decimal if plan.mapping else None
    null_ids = set(plan.preset.null_ids)
    money = [n for n in present if specs[n].type is FieldType.MONEY]
    if plan.kind is RecordKind.FX_RATE:
        columns["currency"], bad = map_unique(text["currency"], v.parse_currency, pl.String())
        result.problems += problem_rows(text, "currency", bad)
    elif money or "currency" in specs:
        found = money_columns(text, money, decimal, plan.default_currency)
        result.problems += found.problems
        result.currency_assumed = found.currency_assumed
        columns.update({specs[n].column or n: found.minors[n] for n in money})
        columns["currency"] = found.currency
    for name in present:
        spec = specs[name]
        if spec.type in (FieldType.CURRENCY, FieldType.MONEY):
            continue
        parsed, bad = _parse_field(spec, text[name], plan, decimal, null_ids, result)
        result.problems += problem_rows(text, name, bad)
        limit = max_length(spec)
        if limit is not None:
            result.problems += _too_long(text, name, limit)
        columns[spec.column or name] = parsed
    for spec in specs.values():
        if spec.required and spec.name in text.columns:
            missing = text.filter(pl.col(spec.name).is_null())[ROW].to_list()
            result.problems += [
                Problem(
                    "missing_value",
                    N_("No value for {field}, which every row needs."),
                    {"field": spec.name},
                    row,
                    " / ".join(plan.matched.get(spec.name, [])) or spec.name,
                )
                for row in missing
            ]
    result.frame = pl.DataFrame({ROW: text[ROW], **columns})
    return result


def _check_required(
    raw: RawTable, plan: Plan, specs: Mapping[str, FieldSpec], present: Mapping[str, object]
) -> None:
    needed = [s.name for s in specs.values() if s.required]
    if plan.kind is RecordKind.OPPORTUNITY and "stage" not in present and "status" not in present:
        needed.append("stage")
    for name in needed:
        if name not in present:
            raise DataError(
                "{file} has no column for {field}, which {kind} records need. Its columns are: "
                "{choices}. Name the column in a mapping file (columns: {field}: <header>) "
                "or choose another --preset.",
                file=raw.source,
                field=name,
                kind=plan.kind.value,
                choices=", ".join(raw.headers),
            )


def _parse_field(
    spec: FieldSpec,
    series: pl.Series,
    plan: Plan,
    decimal: str | None,
    null_ids: set[str],
    result: Converted,
) -> tuple[pl.Series, dict[str, v.ParseError]]:
    t = spec.type
    mapping = plan.mapping
    if t is FieldType.ID:
        cleaned = series.str.strip_chars()
        return cleaned.set(cleaned.is_in(list(null_ids)), None) if null_ids else cleaned, {}
    if t is FieldType.TEXT:
        return series, {}
    if t in (FieldType.DATE, FieldType.INSTANT):
        order = _day_order(series, mapping, plan.day_order)
        if t is FieldType.DATE:
            return map_unique(series, lambda s: v.parse_date(s, order), pl.Date())
        return map_unique(series, lambda s: v.parse_instant(s, order), pl.Datetime("us"))
    if t is FieldType.INTEGER:
        return map_unique(series, lambda s: v.parse_integer(s, decimal), pl.Int64())
    if t is FieldType.FRACTION:
        header = " ".join(plan.matched.get(spec.name, []))
        percent = "%" in header or v.percent_scale(series.drop_nulls().unique().to_list())
        return map_unique(series, lambda s: v.parse_fraction(s, percent, decimal), pl.Float64())
    if t is FieldType.BOOL:
        return map_unique(series, v.parse_bool, pl.Boolean())
    if t is FieldType.RATE:
        return map_unique(series, lambda s: _rate(s, decimal), pl.String())
    if t is FieldType.CHOICE:
        table = dict(spec.choices)
        for label, target in (mapping.values.get(spec.name, {}) if mapping else {}).items():
            if target:
                table[norm(label)] = target
        return map_unique(series, lambda s: _choice(s, table, spec.name), pl.String())
    if t is FieldType.STAGE:
        assert plan.stages is not None
        parsed, bad = map_unique(series, lambda s: _stage(s, plan.stages), pl.String())
        counts = series.filter(series.is_in(list(bad))).value_counts()
        for label, count in counts.iter_rows():
            result.unknown_stages[label] = int(count)
        return parsed, bad
    raise AssertionError(t)  # pragma: no cover


def _day_order(
    series: pl.Series, mapping: MappingFile | None, in_file: v.DayOrder | None
) -> v.DayOrder | None:
    """The column's own evidence (a part above 12), else the mapping's hint, else the
    evidence of the file's other date columns (one export uses one date format)."""
    inferred = v.infer_day_order(series.drop_nulls().unique().to_list())
    if inferred in ("dmy", "mdy"):
        return inferred
    if mapping is not None and mapping.dayfirst is not None:
        return "dmy" if mapping.dayfirst else "mdy"
    return in_file


def file_day_order(frame: pl.DataFrame, names: list[str]) -> v.DayOrder | None:
    """The one day/month order the file's date columns agree on, if any shows one."""
    found = set()
    for name in names:
        order = v.infer_day_order(frame[name].drop_nulls().unique().to_list())
        if order is not None:
            found.add(order)
    return found.pop() if len(found) == 1 and "conflict" not in found else None  # type: ignore[return-value]


def _rate(text: str, decimal: str | None) -> str:
    try:
        value = v.parse_decimal(text, decimal)
    except v.ParseError:
        raise v.ParseError(
            "{value} is not an exchange rate salesplan can read.", value=text
        ) from None
    if value <= 0:
        raise v.ParseError("An exchange rate must be greater than zero, got {value}.", value=text)
    return format(value.normalize(), "f")


def _choice(text: str, table: Mapping[str, str], name: str) -> str:
    found = table.get(norm(text))
    if found is None:
        raise v.ParseError(
            "{value} is not a known {field}; use one of {choices}, or map it under values: "
            "{field}: in a mapping file.",
            value=text,
            field=name,
            choices=", ".join(sorted(set(table.values()))),
        )
    return found


def _stage(text: str, stages: StageResolver | None) -> str:
    assert stages is not None
    key = stages.key(text)
    if key is None:
        raise v.ParseError(
            "Unknown stage {value}; this workspace's stages are: {choices}.",
            value=text,
            choices=", ".join(s.label for s in stages.stages.stages),
        )
    return key
