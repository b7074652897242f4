"""`salesplan segments --apply`: the proposed ICP written into the plan's target market as a
draft, merged with what the plan already says, stored as a new plan version with a reason.

Where it goes: the `target_market.segments` entry whose `id` is the ICP's `segment` value
(created when missing), or the entry `icp` when the ICP has no segment dimension.
What is written: region → `geography`, industry → `industries`, company_size →
`company_size`, and `priority` 1; a new entry also gets `name` and `from_data: true`.
A field the plan already fills (a non-empty list or value) is kept and reported, never
overwritten. `source` has no field in a target-market segment: it is named in the comment.
The entry gets `status: draft` (after `name`) until a person reviews it and sets `status:
adopted`; `plan status` and `plan validate` warn about drafts. The evidence is in YAML
comments: on `id` (date, reason, kept fields, source) and on each written field (value,
fit, rank, win rate with n and interval). Nothing written (everything already filled) → no
new version and the status is left as it is.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from salesplan.config import Settings
from salesplan.errors import ConfigError
from salesplan.services.plan import PlanVersion, write_plan_file
from salesplan.services.plan_store import (
    dump_document,
    latest,
    parse_document,
    plan_drift,
    plan_path,
    resolve_author,
    store_version,
    validated,
)
from salesplan.services.segments import Candidate, IcpChoice, SegmentsReport

FIELDS = {"region": "geography", "industry": "industries", "company_size": "company_size"}
"""ICP dimension → target-market segment field."""
LISTS = ("geography", "industries")
DEFAULT_REASON = "salesplan segments --apply"
ICP_ID = "icp"


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    dimension: str | None
    value: Any
    """What the plan holds afterwards."""
    proposed: Any
    """What the data proposed (equal to value when written)."""


@dataclass(frozen=True, slots=True)
class IcpApplied:
    segment_id: str
    created: bool
    written: list[FieldChange]
    kept: list[FieldChange]
    not_stored: list[IcpChoice]
    """ICP parts without a plan field (source): named in the comment only."""
    version: PlanVersion | None
    """The new plan version; None when nothing was written."""


def _id(value: str) -> str:
    cleaned = re.sub(r"[^\w.\-]", "_", value.strip())[:64]
    return cleaned if cleaned and re.match(r"\w", cleaned) else ICP_ID


def _filled(value: Any) -> bool:
    if isinstance(value, list):
        return len(value) > 0
    return value is not None and str(value).strip() != ""


def _evidence(choice: IcpChoice, candidate: Candidate | None) -> str:
    parts = [f"{choice.dimension} {choice.value}"]
    if choice.fit is not None:
        parts.append(f"fit {choice.fit:.2f}")
    if candidate is not None and candidate.rank is not None:
        parts.append(f"rank {candidate.rank}")
    r = candidate.win_rate if candidate is not None else None
    if r is not None and r.rate is not None and r.low is not None and r.high is not None:
        parts.append(f"win rate {r.rate:.1%} (n = {r.n}, 95% {r.low:.1%}–{r.high:.1%})")
    else:
        parts.append(f"n = {choice.n}")
    if choice.low_confidence:
        parts.append("low confidence")
    return ", ".join(parts)


def _entry(segments: CommentedSeq, ident: str, name: str) -> tuple[CommentedMap, bool]:
    for entry in segments:
        if isinstance(entry, CommentedMap) and str(entry.get("id")) == ident:
            return entry, False
    entry = CommentedMap()
    entry["id"] = ident
    entry["name"] = name
    segments.append(entry)
    return entry, True


def _mark_draft(entry: CommentedMap) -> None:
    """`status: draft`, placed after `name` when the entry has no status yet."""
    if "status" in entry:
        entry["status"] = "draft"
        return
    keys = list(entry.keys())
    position = keys.index("name") + 1 if "name" in keys else len(keys)
    entry.insert(position, "status", "draft")


def merge_icp(
    document: CommentedMap, report: SegmentsReport, *, day: dt.date, reason: str
) -> IcpApplied:
    """Merge the report's ICP into `document` in place (see module doc); nothing is stored."""
    market = document.get("target_market")
    if not isinstance(market, CommentedMap):
        market = CommentedMap()
        document["target_market"] = market
    segments = market.get("segments")
    if not isinstance(segments, CommentedSeq):
        segments = CommentedSeq()
        market["segments"] = segments
    icp = {c.dimension: c for c in report.icp if c.value is not None}
    found = {(c.dimension, c.value): c for c in report.candidates}
    segment = icp.get("segment")
    if segment is not None and segment.value is not None:
        ident, name = _id(segment.value), segment.value.replace("_", " ").capitalize()
    else:
        values = [str(c.value) for c in icp.values()]
        ident, name = ICP_ID, "ICP: " + " · ".join(values)
    entry, created = _entry(segments, ident, name)
    if created:
        entry["from_data"] = True
    written: list[FieldChange] = []
    kept: list[FieldChange] = []
    for dimension, field in FIELDS.items():
        choice = icp.get(dimension)
        if choice is None:
            continue
        proposed: Any = [choice.value] if field in LISTS else choice.value
        current = entry.get(field)
        if _filled(current):
            plain = list(current) if isinstance(current, list) else current
            kept.append(FieldChange(field, dimension, plain, proposed))
            continue
        entry[field] = CommentedSeq(proposed) if field in LISTS else proposed
        if field in LISTS:
            entry[field].fa.set_flow_style()
        entry.yaml_add_eol_comment(
            "draft: " + _evidence(choice, found.get((dimension, choice.value))), field
        )
        written.append(FieldChange(field, dimension, proposed, proposed))
    if _filled(entry.get("priority")):
        kept.append(FieldChange("priority", None, entry.get("priority"), 1))
    else:
        entry["priority"] = 1
        written.append(FieldChange("priority", None, 1, 1))
    not_stored = [c for d, c in icp.items() if d not in FIELDS and d != "segment"]
    note = [f"draft ICP from `salesplan segments --apply`, {day.isoformat()}: {reason}"]
    if segment is not None:
        note.append(_evidence(segment, found.get(("segment", segment.value))))
    note += [_evidence(c, found.get((c.dimension, c.value))) for c in not_stored]
    if kept:
        note.append("kept the plan's " + ", ".join(k.field for k in kept))
    if written or created:
        _mark_draft(entry)
        before = entry.ca.items.get("id")
        token = before[2] if before and len(before) > 2 else None
        if token is not None and token.value.strip().lstrip("#").strip():
            note.insert(0, token.value.strip().lstrip("#").strip())
        entry.yaml_add_eol_comment("; ".join(note), "id")
    return IcpApplied(ident, created, written, kept, not_stored, None)


def apply_icp(
    settings: Settings,
    report: SegmentsReport,
    reason: str | None = None,
    *,
    author: str | None = None,
    day: dt.date | None = None,
) -> IcpApplied:
    """Write the ICP into the latest plan as a draft and store it as a new version."""
    why = reason.strip() if reason and reason.strip() else DEFAULT_REASON
    current = latest(settings)
    if current is None:
        raise ConfigError(
            "No plan to write the ICP into: run `salesplan plan new`, then "
            "`salesplan segments --apply` again."
        )
    if not report.icp:
        raise ConfigError(
            "No ICP to apply: no segment has a won deal in {period}.", period=report.period.label
        )
    drift = plan_drift(settings, current)
    if drift.state in ("modified", "untracked"):
        raise ConfigError(
            "{file} has edits that are not stored as a plan version: import them with "
            "`salesplan plan import --reason TEXT`, or use {option} to overwrite them.",
            file=str(drift.file),
            option="`salesplan plan export --force`",
        )
    document = parse_document(current.content, f"plan version {current.number}")
    applied = merge_icp(document, report, day=day or dt.date.today(), reason=why)
    if not applied.written and not applied.created:
        return applied
    text = dump_document(document)
    validated(text, "plan with the proposed ICP")
    stored = store_version(settings, text, author=resolve_author(settings, author), reason=why)
    write_plan_file(plan_path(settings), text)
    return IcpApplied(
        applied.segment_id,
        applied.created,
        applied.written,
        applied.kept,
        applied.not_stored,
        PlanVersion.of(stored),
    )
