"""The mapping file (YAML): how to read an export no preset fits, or fix what a preset gets wrong.

```yaml
kind: opportunities          # optional: checked against the command
preset: hubspot              # optional: start from a preset's header synonyms and stages
columns:                     # canonical field: header in the file (a list = first non-empty)
  id: Deal Number
  amount: [Net Value, Value]
values:                      # cell text → canonical value, per field
  stage: {Discovery: qualification, Signed: closed_won}
  status: {Gewonnen: won}
constants: {currency: EUR, pipeline: Europe}
stages:                      # optional: the workspace's ordered stage list
  - {key: qualification, label: Discovery, status: open, probability: 0.2}
dayfirst: true               # 03/04/2026 is 3 April
decimal: ","                 # 1.234,50
currency: EUR                # currency of amounts when the file names none
ignore: [Notes, Internal ID]
```

Loaded with ruamel.yaml (safe) and validated with pydantic; every error names the file and
the YAML path (`columns.amount`). `suggest` writes a starting mapping from a file's headers.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from salesplan.domain.records import DealStatus, RecordKind
from salesplan.domain.stages import Stage, StageList
from salesplan.errors import DataError
from salesplan.i18n.money import normalise_currency
from salesplan.ingest.fields import KIND_NAMES, FieldType, field_specs
from salesplan.ingest.presets import PRESET_NAMES


class StageEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=64)
    label: str | None = Field(default=None, max_length=255)
    status: Literal["open", "won", "lost"] = "open"
    probability: float | None = Field(default=None, ge=0, le=1)


def _text(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, dt.date)):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return value


class MappingFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str | None = None
    preset: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    columns: dict[str, str | list[str]] = Field(default_factory=dict)
    values: dict[str, dict[str, str | None]] = Field(default_factory=dict)
    constants: dict[str, str] = Field(default_factory=dict)
    stages: list[StageEntry] | None = None
    dayfirst: bool | None = None
    decimal: Literal[".", ","] | None = None
    currency: str | None = None
    ignore: list[str] = Field(default_factory=list)

    @field_validator("constants", mode="before")
    @classmethod
    def _constants(cls, value: object) -> object:
        if isinstance(value, Mapping):
            return {k: _text(v) for k, v in value.items()}
        return value

    @field_validator("values", mode="before")
    @classmethod
    def _values(cls, value: object) -> object:
        if isinstance(value, Mapping):
            return {
                k: (
                    {str(_text(a)): _text(b) for a, b in v.items()} if isinstance(v, Mapping) else v
                )
                for k, v in value.items()
            }
        return value

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        return None if value is None else normalise_currency(value)

    @field_validator("preset")
    @classmethod
    def _preset(cls, value: str | None) -> str | None:
        if value is not None and value not in PRESET_NAMES:
            raise ValueError(f"unknown preset {value!r}; use one of: {', '.join(PRESET_NAMES)}")
        return value

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str | None) -> str | None:
        if value is not None and value not in KIND_NAMES:
            raise ValueError(f"unknown kind {value!r}; use one of: {', '.join(KIND_NAMES)}")
        return value

    def sources(self, name: str) -> list[str]:
        value = self.columns.get(name, [])
        return [value] if isinstance(value, str) else list(value)

    def stage_list(self) -> StageList | None:
        if not self.stages:
            return None
        built, open_code, closed_code = [], 10, 90
        for entry in self.stages:
            status = DealStatus(entry.status)
            if status is DealStatus.OPEN:
                code, open_code = open_code, open_code + 10
            else:
                code, closed_code = closed_code, closed_code + 1
            default = 1.0 if status is DealStatus.WON else 0.0
            probability = entry.probability if entry.probability is not None else default
            built.append(Stage(code, entry.key, entry.label or entry.key, status, probability))
        if any(
            a.status is not DealStatus.OPEN and b.status is DealStatus.OPEN
            for a, b in itertools.pairwise(built)
        ):
            raise ValueError("list the open stages first, then the won and lost ones")
        return StageList(tuple(built))


def _fail(file: str, path: str, reason: str) -> DataError:
    return DataError(
        "Mapping file {file}, at {path}: {reason}", file=file, path=path, reason=reason
    )


def load_mapping(path: Path, kind: RecordKind) -> MappingFile:
    """Read and check a mapping file for `kind`; DataError names the file and the YAML path."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError("Cannot read {file}: {reason}", file=str(path), reason=str(exc)) from None
    try:
        data = YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "?"
        raise _fail(name, where, str(getattr(exc, "problem", None) or exc)) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise _fail(name, "(top)", "expected a mapping of keys like columns:, values:")
    try:
        mapping = MappingFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise _fail(name, where, first["msg"]) from None
    check(mapping, kind, name)
    return mapping


def check(mapping: MappingFile, kind: RecordKind, name: str) -> None:
    specs = field_specs(kind)
    if mapping.kind is not None and KIND_NAMES[mapping.kind] is not kind:
        raise _fail(name, "kind", f"this mapping is for {mapping.kind}")
    for section, keys in (("columns", mapping.columns), ("constants", mapping.constants)):
        for key in keys:
            if key not in specs:
                choices = ", ".join(specs)
                raise _fail(
                    name, f"{section}.{key}", f"not a field of {kind}; use one of: {choices}"
                )
    for key, table in mapping.values.items():
        spec = specs.get(key)
        if spec is None or spec.type not in (FieldType.CHOICE, FieldType.STAGE):
            raise _fail(name, f"values.{key}", "value maps are for stage and choice fields")
        if spec.type is FieldType.CHOICE:
            allowed = set(spec.choices.values())
            for label, target in table.items():
                if target is not None and target not in allowed:
                    raise _fail(
                        name, f"values.{key}.{label}", f"use one of: {', '.join(sorted(allowed))}"
                    )
    try:
        mapping.stage_list()
    except ValueError as exc:
        raise _fail(name, "stages", str(exc)) from None


# --- suggest-mapping -------------------------------------------------------------------


def suggest(
    *,
    kind_name: str,
    source: str,
    preset: str,
    matched: Mapping[str, Sequence[str]],
    unmatched: Sequence[str],
    stage_values: Mapping[str, str | None],
    stage_keys: Sequence[str],
    dayfirst: bool | None,
    decimal: str | None,
    currency: str | None,
) -> str:
    """A commented starting mapping file for an export's headers and values."""
    root = CommentedMap()
    root.yaml_set_start_comment(
        f"salesplan mapping for `salesplan import {kind_name}`, suggested from {source}.\n"
        "Check every line, then: salesplan import "
        f"{kind_name} FILE --mapping THIS_FILE (see docs/importing.md)"
    )
    root["kind"] = kind_name
    root["preset"] = preset
    columns = CommentedMap()
    for name, headers in matched.items():
        columns[name] = headers[0] if len(headers) == 1 else CommentedSeq(headers)
    root["columns"] = columns
    if stage_values:
        stage_map = CommentedMap()
        for label, key in stage_values.items():
            stage_map[label] = key
            if key is None:
                stage_map.yaml_add_eol_comment("TODO: one of " + ", ".join(stage_keys), label)
        root["values"] = CommentedMap(stage=stage_map)
    if dayfirst is not None:
        root["dayfirst"] = dayfirst
    if decimal is not None:
        root["decimal"] = decimal
    if currency is not None:
        root["currency"] = currency
    ignore = CommentedSeq(unmatched)
    root["ignore"] = ignore
    if unmatched:
        root.yaml_set_comment_before_after_key(
            "ignore",
            before="Columns no field was found for: map them under columns: or keep them here.",
        )
    buffer = io.StringIO()
    yaml = YAML()
    yaml.allow_unicode = True
    yaml.width = 100
    yaml.dump(root, buffer)
    return buffer.getvalue()


def describe(mapping: MappingFile | None) -> dict[str, Any]:
    return {} if mapping is None else mapping.model_dump(exclude_defaults=True)
