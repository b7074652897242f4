"""Leads: every new-business deal from a lead source was a lead an SDR/BDR converted, plus the
leads that never converted, in the ratio set by each source's `lead_conversion` (lead quality).

Converted leads walk new → MQL → SQL → converted ending on the opportunity's creation day and
are owned by the SDR (inbound-ish sources) or BDR (outbound) on duty when the lead arrived; the
opportunity itself is owned by an AE, which is the hand-off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from salesplan.demo.accounts import Accounts
from salesplan.demo.deals import NEW, Deals
from salesplan.demo.names import pick, serial_ids
from salesplan.demo.params import DemoParams
from salesplan.demo.team import Team
from salesplan.demo.timeline import (
    IntArray,
    Timeline,
    creation_weights,
    date_series,
    sample_days,
    with_nulls,
)
from salesplan.domain.records import RecordKind, conform

SQL_RATE = 0.30
"""Share of non-converting MQLs that still reach SQL before being disqualified."""
DISQUALIFY_DAYS = 14.0
"""Mean days from a lead's last step to its disqualification (exponential)."""
NULL_DAY = -1


@dataclass(frozen=True, slots=True)
class Leads:
    """Parallel arrays in id order, and the `lead` frame."""

    created: IntArray
    last_day: IntArray
    """Last day the lead was worked: converted / disqualified day, or as_of if still open."""
    owner: IntArray
    region: IntArray
    frame: pl.DataFrame


def _steps(rng: np.random.Generator, mean: float, n: int) -> IntArray:
    return np.round(rng.exponential(mean, n)).astype(np.int64)


def build_leads(
    params: DemoParams,
    timeline: Timeline,
    team: Team,
    accounts: Accounts,
    deals: Deals,
    opportunity_ids: pl.Series,
    person_ids: pl.Series,
    rng: np.random.Generator,
) -> Leads:
    m1, m2, m3 = params.lead_step_days
    lead_sources = [i for i, s in enumerate(params.sources) if s.lead_role is not None]
    converted = [np.flatnonzero((deals.type == NEW) & (deals.source == s)) for s in lead_sources]
    n_conv = [len(c) for c in converted]
    n_other = [
        max(0, round(c / params.sources[s].lead_conversion) - c)
        for s, c in zip(lead_sources, n_conv, strict=True)
    ]
    room = params.lead_cap - sum(n_conv)
    if sum(n_other) > room:
        n_other = [int(x * max(room, 0) / sum(n_other)) for x in n_other]

    # converted leads: dates counted back from the opportunity's creation day
    deal = np.concatenate(converted) if converted else np.zeros(0, dtype=np.int64)
    conv_day = np.floor(deals.t0[deal]).astype(np.int64)
    sql = np.maximum(conv_day - _steps(rng, m3, len(deal)), timeline.start_day)
    mql = np.maximum(sql - _steps(rng, m2, len(deal)), timeline.start_day)
    created_c = np.maximum(mql - _steps(rng, m1, len(deal)), timeline.start_day)
    acc = deals.account[deal]

    # leads that did not convert (yet)
    n_o = sum(n_other)
    source_o = np.repeat(np.asarray(lead_sources, dtype=np.int64), n_other)
    region_o = rng.choice(len(params.regions), n_o, p=_norm([r.share for r in params.regions]))
    segment_o = rng.choice(len(params.segments), n_o, p=_norm([s.share for s in params.segments]))
    industry_o = rng.integers(0, len(params.industries), n_o)
    lunar = np.asarray([r.lunar for r in params.regions])[region_o]
    created_o = np.zeros(n_o, dtype=np.int64)
    for is_lunar, weights in ((False, params.month_weights), (True, params.lunar_month_weights)):
        rows = np.flatnonzero(lunar == is_lunar)
        w = creation_weights(timeline, weights, params.weekday_weights, params.annual_growth)
        created_o[rows] = sample_days(rng, len(rows), w, timeline.start_day)
    mql_rate = np.asarray([s.mql_rate for s in params.sources])[source_o]
    worked = rng.random(n_o) >= params.unworked_lead_share
    reach_mql = worked & (rng.random(n_o) < mql_rate)
    reach_sql = reach_mql & (rng.random(n_o) < SQL_RATE)
    mql_o = np.where(reach_mql, created_o + _steps(rng, m1, n_o), NULL_DAY)
    sql_o = np.where(reach_sql, mql_o + _steps(rng, m2, n_o), NULL_DAY)
    last_step = np.maximum(created_o, np.maximum(mql_o, sql_o))
    disq_o = np.where(worked, last_step + 1 + _steps(rng, DISQUALIFY_DAYS, n_o), NULL_DAY)
    end = timeline.end_day
    disq_o = np.where(disq_o <= end, disq_o, NULL_DAY)
    mql_o = np.where(mql_o <= end, mql_o, NULL_DAY)
    sql_o = np.where(sql_o <= end, sql_o, NULL_DAY)
    # status 0 new, 1 mql, 2 sql, 3 converted, 4 disqualified
    status_o = np.where(disq_o >= 0, 4, np.where(sql_o >= 0, 2, np.where(mql_o >= 0, 1, 0)))

    n_c = len(deal)
    created = np.concatenate([created_c, created_o])
    source = np.concatenate([deals.source[deal], source_o])
    region = np.concatenate([accounts.region[acc], region_o])
    segment = np.concatenate([accounts.segment[acc], segment_o])
    industry = np.concatenate([accounts.industry[acc], industry_o])
    mql_on = np.concatenate([mql, mql_o])
    sql_on = np.concatenate([sql, sql_o])
    conv_on = np.concatenate([conv_day, np.full(n_o, NULL_DAY)])
    disq_on = np.concatenate([np.full(n_c, NULL_DAY), disq_o])
    status = np.concatenate([np.full(n_c, 3), status_o])
    opp = np.concatenate([deal, np.full(n_o, -1)])
    reason = rng.integers(0, len(params.disqualify_reasons), n_c + n_o)

    owner = np.zeros(n_c + n_o, dtype=np.int64)
    for role in sorted({params.sources[s].lead_role or "sdr" for s in lead_sources}):
        srcs = [s for s in lead_sources if params.sources[s].lead_role == role]
        rows = np.flatnonzero(np.isin(source, srcs))
        owner[rows] = team.pick((role,), region[rows], created[rows], rng)

    order = np.argsort(created, kind="stable")
    last_day = np.where(conv_on >= 0, conv_on, np.where(disq_on >= 0, disq_on, end))

    def o(a: IntArray) -> IntArray:
        return np.asarray(a[order], dtype=np.int64)

    n = n_c + n_o
    frame = pl.DataFrame(
        {
            "id": serial_ids("LEAD-", n, 7),
            "created_on": date_series("created_on", o(created)),
            "source": pick(tuple(s.key for s in params.sources), o(source)),
            "status": pick(("new", "mql", "sql", "converted", "disqualified"), o(status)),
            "mql_on": date_series("mql_on", o(mql_on), o(mql_on) >= 0),
            "sql_on": date_series("sql_on", o(sql_on), o(sql_on) >= 0),
            "converted_on": date_series("converted_on", o(conv_on), o(conv_on) >= 0),
            "opportunity_id": with_nulls(
                opportunity_ids.gather(np.maximum(o(opp), 0)), o(opp) >= 0
            ),
            "owner_id": person_ids.gather(o(owner)),
            "segment": pick(tuple(s.key for s in params.segments), o(segment)),
            "region": pick(tuple(r.key for r in params.regions), o(region)),
            "industry": pick(params.industries, o(industry)),
            "company_size": pick(tuple(s.company_size for s in params.segments), o(segment)),
            "disqualify_reason": with_nulls(
                pick(params.disqualify_reasons, o(reason)), o(status) == 4
            ),
        }
    )
    return Leads(o(created), o(last_day), o(owner), o(region), conform(RecordKind.LEAD, frame))


def _norm(w: list[float]) -> list[float]:
    total = sum(w)
    return [x / total for x in w]
