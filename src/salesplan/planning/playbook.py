"""The gap playbook (planning/playbook.yaml, data not code) and the drafts it proposes.

`load_playbook()` reads and checks the YAML shipped inside the package; `play_for(gap)` is the
first play whose `match` fits the gap's type (and stage); `propose(gaps, ...)` turns each gap's
play into draft initiatives linked to the gap by its id, with an editable expected lift:

- in the KPI's own unit when the gap measures the same unit: |benchmark − actual| × lift_share
  for rates, ratios and days (signed by the KPI's good direction: negative when down is good);
  for money KPIs the gap's missing amount × lift_share in major units of the plan currency;
  otherwise None (the user sets it);
- `expected_revenue_minor` = revenue at stake × lift_share, always (plan-currency minor units).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from importlib import resources
from typing import Any

from ruamel.yaml import YAML

from salesplan.analytics.kpis import load_library
from salesplan.planning.gaps_model import Gap, GapType, money

FUNCTIONS = (
    "marketing",
    "product",
    "management",
    "enablement",
    "finance",
    "sales",
    "customer_success",
    "partners",
    "operations",
    "other",
)
ROLES = ("approver", "contributor", "consulted", "informed")
EXTRA_KPIS = {"stage_conversion": ("rate", "up")}
"""KPIs the playbook may name besides analytics/kpis.yaml: id → (unit, good direction)."""


@dataclass(frozen=True, slots=True)
class PlayInitiative:
    id: str
    title: tuple[str, str]
    """(en, zh)"""
    change: tuple[str, str]
    kpi: str
    lift_share: Decimal
    lift: tuple[str, str]
    stakeholders: tuple[tuple[str, str], ...]
    """(function, role)"""


@dataclass(frozen=True, slots=True)
class Play:
    key: str
    gap_types: tuple[GapType, ...]
    stages: tuple[str, ...]
    """Stages the play is for; gaps without a stage match any play of their type."""
    initiatives: tuple[PlayInitiative, ...]

    def matches(self, gap: Gap) -> bool:
        if gap.type not in self.gap_types:
            return False
        stage = gap.scope.get("stage")
        return not self.stages or stage is None or stage in self.stages


def _pair(entry: Mapping[str, Any], name: str, where: str) -> tuple[str, str]:
    value = entry.get(name)
    if not isinstance(value, Mapping) or not value.get("en") or not value.get("zh"):
        raise ValueError(f"{where}: {name} needs en and zh text")
    return str(value["en"]), str(value["zh"])


def parse_playbook(document: Mapping[str, Any], kpi_ids: Collection[str]) -> list[Play]:
    """Check and convert a parsed playbook.yaml; raises ValueError naming the faulty entry."""
    plays: list[Play] = []
    seen: set[str] = set()
    for entry in document.get("plays") or []:
        key = str(entry.get("key") or "")
        match = entry.get("match") or {}
        try:
            types = tuple(GapType(t) for t in match.get("gaps") or [])
        except ValueError as exc:
            raise ValueError(f"play {key}: {exc}") from None
        if not key or not types:
            raise ValueError(f"play {key!r} needs a key and gap types to match")
        initiatives = []
        for item in entry.get("initiatives") or []:
            item_id = str(item.get("id") or "")
            where = f"play {key}, initiative {item_id}"
            if not item_id or item_id in seen:
                raise ValueError(f"{where}: id missing or repeated")
            seen.add(item_id)
            kpi = str(item.get("kpi") or "")
            if kpi not in kpi_ids and kpi not in EXTRA_KPIS:
                raise ValueError(f"{where}: unknown KPI {kpi!r}")
            share = Decimal(str(item.get("lift_share")))
            if not Decimal(0) < share <= Decimal(1):
                raise ValueError(f"{where}: lift_share must be in (0, 1]")
            people = tuple(
                (str(s.get("function")), str(s.get("role"))) for s in item.get("stakeholders") or []
            )
            if any(f not in FUNCTIONS or r not in ROLES for f, r in people):
                raise ValueError(f"{where}: stakeholders need a known function and role")
            initiatives.append(
                PlayInitiative(
                    item_id,
                    _pair(item, "title", where),
                    _pair(item, "change", where),
                    kpi,
                    share,
                    _pair(item, "lift", where),
                    people,
                )
            )
        if not initiatives:
            raise ValueError(f"play {key}: no initiatives")
        stages = tuple(str(s) for s in match.get("stages") or [])
        plays.append(Play(key, types, stages, tuple(initiatives)))
    return plays


def load_playbook() -> list[Play]:
    """The playbook shipped with salesplan (planning/playbook.yaml)."""
    text = resources.files("salesplan.planning").joinpath("playbook.yaml").read_text("utf-8")
    return parse_playbook(YAML(typ="safe", pure=True).load(text), kpi_units())


def kpi_units() -> dict[str, tuple[str, str]]:
    """KPI id → (unit, good direction) for the library and EXTRA_KPIS."""
    return {k.id: (k.unit, k.good) for k in load_library()} | EXTRA_KPIS


def play_for(gap: Gap, plays: Sequence[Play]) -> Play | None:
    return next((p for p in plays if p.matches(gap)), None)


@dataclass(frozen=True, slots=True)
class DraftInitiative:
    """An initiative proposed for a gap, in the plan model's terms (status draft, no DRI)."""

    id: str
    gap: str
    play: str
    title: str
    change: str
    kpi: str
    expected_lift: Decimal | None
    """In the KPI's unit (rates as fractions; money in major units of the plan currency)."""
    expected_revenue_minor: int
    lift_guidance: str
    stakeholders: tuple[tuple[str, str], ...]
    segment: str | None


def draft_id(initiative_id: str, gap_id: str) -> str:
    """`<initiative>-<8 hex of the gap id>`: stable, and a valid plan Id (≤ 64 chars)."""
    digest = hashlib.sha1(gap_id.encode("utf-8")).hexdigest()[:8]
    return f"{initiative_id[:55]}-{digest}"


def _lift(
    gap: Gap, item: PlayInitiative, units: Mapping[str, tuple[str, str]], exponent: int
) -> Decimal | None:
    unit, good = units.get(item.kpi, ("", "up"))
    if unit == "money" and gap.unit == "money" and gap.benchmark is not None:
        missing = Decimal(str(gap.benchmark)) - Decimal(str(gap.actual or 0))
        major = missing * item.lift_share / Decimal(10) ** exponent
        return major.quantize(Decimal(1).scaleb(-exponent), rounding=ROUND_HALF_EVEN)
    if unit != gap.unit or gap.actual is None or gap.benchmark is None:
        return None
    size = abs(Decimal(str(gap.benchmark)) - Decimal(str(gap.actual))) * item.lift_share
    step = Decimal("0.1") if unit == "days" else Decimal("0.0001")
    value = size.quantize(step, rounding=ROUND_HALF_EVEN)
    return -value if good == "down" else value


def propose(
    gaps: Sequence[Gap],
    plays: Sequence[Play],
    *,
    language: str,
    currency_exponent: int,
    units: Mapping[str, tuple[str, str]] | None = None,
    limit: int | None = None,
) -> list[DraftInitiative]:
    """Drafts for the first `limit` gaps (all when None), in the gaps' order."""
    zh = language.startswith("zh")
    units = kpi_units() if units is None else units
    drafts = []
    for gap in gaps[:limit] if limit is not None else gaps:
        play = play_for(gap, plays)
        if play is None:
            continue
        for item in play.initiatives:
            drafts.append(
                DraftInitiative(
                    id=draft_id(item.id, gap.id),
                    gap=gap.id,
                    play=play.key,
                    title=item.title[1] if zh else item.title[0],
                    change=item.change[1] if zh else item.change[0],
                    kpi=item.kpi,
                    expected_lift=_lift(gap, item, units, currency_exponent),
                    expected_revenue_minor=money(Decimal(gap.at_stake_minor) * item.lift_share),
                    lift_guidance=item.lift[1] if zh else item.lift[0],
                    stakeholders=item.stakeholders,
                    segment=gap.scope.get("segment"),
                )
            )
    return drafts
