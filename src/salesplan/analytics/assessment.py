"""The current-state assessment: strengths and obstacles read off the baseline's numbers.

Each finding is a structured record other parts (the plan, the web) can use, e.g.
`{"code": "lowest_stage_conversion", "kind": "obstacle", "segment": "enterprise",
"stage": "demo", "value": 0.18, "n": 120, "benchmark": 0.31}`; faces turn `code` into a
translated sentence. Only groups with n ≥ LOW_CONFIDENCE_N take part, so a finding never
rests on a handful of deals. Rules (value / benchmark):

- lowest_stage_conversion: per stage the segment with the lowest conversion; the stage where
  that segment falls furthest below the all-segment conversion (benchmark) is reported;
- best_segment_win_rate / worst_segment_win_rate: highest / lowest shrunk win rate against
  the pooled win rate (at least two segments);
- win_rate_up / win_rate_down: win rate against the same period last year when a
  two-proportion z-test gives |z| > 1.96;
- cycle_longer: median cycle at least 10 % longer than last year;
- top_loss_reason: share of lost deals of the most frequent reason (value) and n lost;
- top_competitor: our win rate against the competitor we lose to most (benchmark: overall);
- best_lead_source / worst_lead_source: lead → won conversion against all leads;
- nrr_below_one / nrr_above_one: net revenue retention against 1;
- most_reps_below_quota: share of reps at or above quota when below one half.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from salesplan.analytics.baseline import GroupBaseline
from salesplan.analytics.funnel import StageConversion
from salesplan.analytics.leads import LeadFunnel
from salesplan.analytics.losses import Losses
from salesplan.analytics.rates import LOW_CONFIDENCE_N
from salesplan.analytics.reps import RepDistribution
from salesplan.analytics.retention import Retention
from salesplan.analytics.segments import SegmentRow

Z_SIGNIFICANT = 1.959963984540054


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    kind: str
    """`strength` or `obstacle`."""
    value: float
    benchmark: float | None
    n: int | None
    segment: str | None = None
    stage: str | None = None
    subject: str | None = None
    """What the finding is about when not a segment or stage: a reason, competitor, source."""


def two_proportion_z(s1: int, n1: int, s2: int, n2: int) -> float | None:
    """z of the pooled two-proportion test of s1/n1 against s2/n2 (None when undefined)."""
    if n1 == 0 or n2 == 0:
        return None
    pooled = (s1 + s2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return None if se == 0 else (s1 / n1 - s2 / n2) / se


def _stage_finding(
    overall: Sequence[StageConversion], by_segment: Mapping[str | None, Sequence[StageConversion]]
) -> list[Finding]:
    benchmark = {s.stage: s.conversion.rate for s in overall}
    best: Finding | None = None
    gap = 0.0
    for stage, pooled in benchmark.items():
        if pooled is None:
            continue
        candidates = [
            (segment, c)
            for segment, rows in by_segment.items()
            for c in rows
            if c.stage == stage and c.conversion.n >= LOW_CONFIDENCE_N and segment is not None
        ]
        if len(candidates) < 2:
            continue
        segment, low = min(candidates, key=lambda sc: sc[1].conversion.rate or 0.0)
        value = low.conversion.rate or 0.0
        if pooled - value > gap:
            gap = pooled - value
            best = Finding(
                "lowest_stage_conversion", "obstacle", value, pooled, low.conversion.n,
                segment=segment, stage=stage,
            )  # fmt: skip
    return [best] if best else []


def _segment_findings(segments: Sequence[SegmentRow], pooled: float | None) -> list[Finding]:
    solid = [s for s in segments if s.win_rate.n >= LOW_CONFIDENCE_N and s.win_rate_shrunk]
    if len(solid) < 2 or pooled is None:
        return []
    top = max(solid, key=lambda s: s.win_rate_shrunk or 0.0)
    low = min(solid, key=lambda s: s.win_rate_shrunk or 0.0)
    return [
        Finding("best_segment_win_rate", "strength", top.win_rate_shrunk or 0.0, pooled,
                top.win_rate.n, segment=top.segment),
        Finding("worst_segment_win_rate", "obstacle", low.win_rate_shrunk or 0.0, pooled,
                low.win_rate.n, segment=low.segment),
    ]  # fmt: skip


def _trend_findings(now: GroupBaseline, before: GroupBaseline) -> list[Finding]:
    found = []
    z = two_proportion_z(now.won, now.won + now.lost, before.won, before.won + before.lost)
    if z is not None and abs(z) > Z_SIGNIFICANT and now.win_rate.rate is not None:
        code, kind = ("win_rate_up", "strength") if z > 0 else ("win_rate_down", "obstacle")
        found.append(Finding(code, kind, now.win_rate.rate, before.win_rate.rate, now.win_rate.n))
    cycle, last = now.cycle_median_days, before.cycle_median_days
    if cycle and last and now.won >= LOW_CONFIDENCE_N and cycle >= 1.1 * last:
        found.append(Finding("cycle_longer", "obstacle", cycle, last, now.won))
    return found


def _loss_findings(losses: Losses, win_rate: float | None) -> list[Finding]:
    found = []
    named = [r for r in losses.reasons if r.reason is not None]
    if named and losses.lost >= LOW_CONFIDENCE_N:
        top = named[0]
        found.append(
            Finding("top_loss_reason", "obstacle", top.share, None, losses.lost, subject=top.reason)
        )
    if losses.competitors and losses.competitors[0].win_rate.n >= LOW_CONFIDENCE_N:
        c = losses.competitors[0]
        found.append(
            Finding("top_competitor", "obstacle", c.win_rate.rate or 0.0, win_rate,
                    c.win_rate.n, subject=c.competitor)
        )  # fmt: skip
    return found


def _lead_findings(funnels: Sequence[LeadFunnel]) -> list[Finding]:
    if not funnels or funnels[0].lead_to_won.rate is None:
        return []
    pooled = funnels[0].lead_to_won.rate
    solid = [f for f in funnels[1:] if f.leads >= LOW_CONFIDENCE_N and f.source is not None]
    if len(solid) < 2:
        return []
    top = max(solid, key=lambda f: f.lead_to_won.rate or 0.0)
    low = min(solid, key=lambda f: f.lead_to_won.rate or 0.0)
    return [
        Finding("best_lead_source", "strength", top.lead_to_won.rate or 0.0, pooled, top.leads,
                subject=top.source),
        Finding("worst_lead_source", "obstacle", low.lead_to_won.rate or 0.0, pooled, low.leads,
                subject=low.source),
    ]  # fmt: skip


def assess(
    *,
    overall: GroupBaseline,
    previous_year: GroupBaseline,
    stages: Sequence[StageConversion],
    stages_by_segment: Mapping[str | None, Sequence[StageConversion]],
    segments: Sequence[SegmentRow],
    losses: Losses,
    leads: Sequence[LeadFunnel],
    retention: Sequence[Retention],
    reps: RepDistribution,
) -> list[Finding]:
    """Every finding the numbers support, obstacles and strengths as the rules above say."""
    found = _stage_finding(stages, stages_by_segment)
    found += _segment_findings(segments, overall.win_rate.rate)
    found += _trend_findings(overall, previous_year)
    found += _loss_findings(losses, overall.win_rate.rate)
    found += _lead_findings(leads)
    if retention and retention[0].nrr is not None:
        nrr = retention[0].nrr
        code, kind = ("nrr_above_one", "strength") if nrr >= 1 else ("nrr_below_one", "obstacle")
        found.append(Finding(code, kind, nrr, 1.0, retention[0].customers_at_start))
    share = reps.at_or_above_quota
    if share.rate is not None and share.n >= 3 and share.rate < 0.5:
        found.append(Finding("most_reps_below_quota", "obstacle", share.rate, 0.5, share.n))
    return found
