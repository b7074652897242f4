"""A review as its JSON document (docs/reviews.md): what is stored, printed and rendered.

Money is a decimal string of the plan currency, rates and attainments are fractions 0–1,
dates ISO. The same document is stored in the `review` table, so `review show` and `report
--review` re-render a review exactly as it was, and the next review reads each deal's
expected value back from it to explain the movement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from salesplan.domain.periods import Period
from salesplan.i18n.money import decimal_to_minor, minor_to_decimal
from salesplan.planning.gaps_model import Gap
from salesplan.planning.playbook import Play
from salesplan.review.actuals import Respread, TargetRow
from salesplan.review.kpi_status import KpiStatus
from salesplan.review.movement import DealMove, DealState, Movement
from salesplan.review.progress import InitiativeProgress
from salesplan.services.review_forecast import ReviewForecast
from salesplan.storage.reviews import StoredReview

SCHEMA = 1


@dataclass(frozen=True, slots=True)
class Notice:
    """A warning: stable `code`, i18n message id, parameters (as text)."""

    code: str
    message: str
    params: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "params": self.params}


def money(minor: int | None, currency: str) -> str | None:
    return None if minor is None else str(minor_to_decimal(int(minor), currency))


def money_minor(value: str | Decimal | None, currency: str) -> int:
    """A decimal string (or Decimal) of the plan currency back to minor units (0 for None)."""
    return 0 if value is None else decimal_to_minor(Decimal(str(value)), currency)


def _day(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _period(p: Period) -> dict[str, str]:
    return {
        "label": p.label,
        "start": p.start.isoformat(),
        "end_exclusive": p.end.isoformat(),
        "grain": p.grain,
    }


def _row(row: TargetRow, owners: Mapping[str, str], c: str) -> dict[str, Any]:
    name = owners.get(row.group) if row.scope == "owner" and row.group else None
    return {
        "scope": row.scope,
        "group": row.group,
        "name": name or row.group,
        "period_target": money(row.period_target_minor, c),
        "period_actual": money(row.period_actual_minor, c),
        "period_attainment": row.period_attainment,
        "ytd_target": money(row.ytd_target_minor, c),
        "ytd_actual": money(row.ytd_actual_minor, c),
        "ytd_attainment": row.ytd_attainment,
    }


def _kpi(k: KpiStatus) -> dict[str, Any]:
    return {
        "kpi": k.kpi,
        "type": k.type,
        "unit": k.unit,
        "good": k.good,
        "target": None if k.target is None else str(k.target),
        "actual": None if k.actual is None else str(k.actual),
        "attainment": k.attainment,
        "status": k.status,
        "thresholds": {
            "on_track": str(k.on_track),
            "at_risk": str(k.at_risk),
            "source": k.thresholds_source,
        },
    }


def _forecast(f: ReviewForecast, c: str) -> dict[str, Any]:
    spans = {
        name: {
            "label": h.label,
            "start": h.start.isoformat(),
            "end_exclusive": h.end.isoformat(),
            "expected": money(h.expected_minor, c),
            "closed": money(h.closed_minor, c),
            "pipeline": money(h.pipeline_minor, c),
            "run_rate": money(h.run_rate_minor, c),
            "run_rate_method": h.run_rate_method,
        }
        for name, h in f.horizons.items()
    }
    deals = [
        {
            "opportunity_id": d.opportunity_id,
            "status": d.status,
            "amount": money(d.amount_minor, c),
            "close_date": _day(d.close_date),
            "stage": d.stage,
            "owner_id": d.owner_id,
            "expected_period": money(d.expected.get("period", 0), c),
            "expected_year": money(d.expected.get("year", 0), c),
        }
        for d in f.deals
    ]
    return {"method": f.method, **spans, "deals": deals}


def deal_states(payload: Mapping[str, Any], horizon: str, c: str) -> list[DealState]:
    """The deals a stored review held, with their expected value for `horizon`."""
    return [
        DealState(
            d["opportunity_id"],
            d["status"],
            None if d["amount"] is None else money_minor(d["amount"], c),
            None if d["close_date"] is None else dt.date.fromisoformat(d["close_date"]),
            money_minor(d[f"expected_{horizon}"], c),
            d.get("owner_id"),
            d.get("stage"),
        )
        for d in payload["forecast"]["deals"]
    ]


def _state(s: DealState | None, c: str) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "status": s.status,
        "amount": money(s.amount_minor, c),
        "close_date": _day(s.close_date),
        "stage": s.stage,
        "expected": money(s.expected_minor, c),
    }


def _move(m: DealMove, owners: Mapping[str, str], c: str) -> dict[str, Any]:
    return {
        "opportunity_id": m.opportunity_id,
        "owner_id": m.owner_id,
        "owner": owners.get(m.owner_id or ""),
        "delta": money(m.delta_minor, c),
        "previous": _state(m.previous, c),
        "current": _state(m.current, c),
    }


def _movement(
    previous: StoredReview | None,
    moved: Movement | None,
    horizon: str | None,
    owners: Mapping[str, str],
    c: str,
) -> dict[str, Any] | None:
    if previous is None or moved is None:
        return None
    return {
        "previous_review": previous.id,
        "previous_period": previous.period,
        "previous_as_of": previous.as_of.isoformat(),
        "horizon": horizon,
        "previous_expected": money(moved.previous_minor, c),
        "current_expected": money(moved.current_minor, c),
        "change": money(moved.current_minor - moved.previous_minor, c),
        "buckets": [
            {
                "bucket": b.name,
                "deals": len(b.deals),
                "delta": money(b.delta_minor, c),
                "items": [_move(m, owners, c) for m in b.deals],
            }
            for b in moved.buckets
        ],
    }


def _progress(p: InitiativeProgress) -> dict[str, Any]:
    return {
        "id": p.id,
        "title": p.title,
        "owner": p.owner,
        "status": p.status,
        "deadline": _day(p.deadline),
        "days_overdue": p.initiative_overdue_days,
        "actions_done": p.done,
        "actions_total": p.total,
        "overdue_actions": [
            {
                "id": o.id,
                "title": o.title,
                "owner": o.owner,
                "deadline": o.deadline.isoformat(),
                "days_overdue": o.days_overdue,
            }
            for o in p.overdue
        ],
    }


def _gap(g: Gap, play: Play | None, c: str) -> dict[str, Any]:
    return {
        "id": g.id,
        "type": g.type.value,
        "period": g.period,
        "scope": dict(g.scope),
        "at_stake": money(g.at_stake_minor, c),
        "confidence": g.confidence,
        "play": None if play is None else play.key,
    }


def _tactics(gaps: Sequence[Gap], plays: Mapping[str, Play]) -> list[dict[str, Any]]:
    result = []
    for g in gaps:
        play = plays.get(g.id)
        if play is None:
            continue
        result.append(
            {
                "gap": g.id,
                "play": play.key,
                "initiatives": [
                    {
                        "id": i.id,
                        "kpi": i.kpi,
                        "title": {"en": i.title[0], "zh": i.title[1]},
                        "change": {"en": i.change[0], "zh": i.change[1]},
                    }
                    for i in play.initiatives
                ],
            }
        )
    return result


def _respread(r: Respread, year: int, c: str) -> dict[str, Any]:
    return {
        "year_target": money(r.year_target_minor, c),
        "won": money(r.won_minor, c),
        "remaining": money(r.remaining_minor, c),
        "months": [
            {
                "month": f"{year}-{m.month:02d}",
                "original": money(m.original_minor, c),
                "new": money(m.new_minor, c),
                "change": money(m.new_minor - m.original_minor, c),
            }
            for m in r.months
        ],
    }


def build_payload(
    *,
    review_id: int | None,
    period: Period,
    created_at: dt.datetime,
    author: str,
    reviewed_on: dt.date,
    as_of: dt.date,
    batch: int | None,
    plan_version: int,
    target_source: str,
    year_target: int,
    months: Sequence[int],
    rows: Sequence[TargetRow],
    owners: Mapping[str, str],
    kpis: Sequence[KpiStatus],
    forecast: ReviewForecast,
    previous: StoredReview | None,
    movement: Movement | None,
    horizon: str | None,
    progress: Sequence[InitiativeProgress],
    gaps: Sequence[Gap],
    plays: Mapping[str, Play],
    respread: Respread,
    notices: Sequence[Notice],
    currency: str,
) -> dict[str, Any]:
    """The review document (see the module docstring and docs/reviews.md)."""
    c = currency
    cutoff = as_of + dt.timedelta(days=1)
    elapsed = max(0, min((cutoff - period.start).days, period.days))
    return {
        "schema": SCHEMA,
        "id": review_id,
        "period": _period(period),
        "created_at": created_at.isoformat(),
        "author": author,
        "reviewed_on": reviewed_on.isoformat(),
        "as_of": as_of.isoformat(),
        "currency": c,
        "import_batch": batch,
        "plan_version": plan_version,
        "elapsed": elapsed / period.days,
        "targets": {
            "source": target_source,
            "year": money(year_target, c),
            "months": [money(m, c) for m in months],
        },
        "actuals": [_row(r, owners, c) for r in rows],
        "kpis": [_kpi(k) for k in kpis],
        "forecast": _forecast(forecast, c),
        "previous_review": None if previous is None else previous.id,
        "movement": _movement(previous, movement, horizon, owners, c),
        "initiatives": [_progress(p) for p in progress],
        "gaps": [_gap(g, plays.get(g.id), c) for g in gaps],
        "adjustments": {
            "respread": _respread(respread, period.start.year, c),
            "tactics": _tactics(gaps, plays),
        },
        "notices": [n.as_dict() for n in notices],
    }
