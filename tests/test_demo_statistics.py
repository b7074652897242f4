"""The medium demo company behaves as configured.

Every expectation here is derived from `DemoParams` (or by hand from the model described in
docs/demo-data.md), never copied from generated output; tolerances are a few standard errors
of the sample plus a stated allowance.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest

from salesplan.demo import DemoDataset, generate
from salesplan.demo.params import DemoParams
from salesplan.domain.records import RecordKind

AS_OF = dt.date(2026, 3, 15)
HISTORY_START = dt.date(2023, 3, 1)
MAINLAND = ["east_china", "north_china", "south_china", "west_china"]
DAYS_PER_MONTH = 365.25 / 12


@pytest.fixture(scope="module")
def data() -> DemoDataset:
    return generate("medium", 2024, AS_OF)


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p) - np.log1p(-p)


def implied_win_probability(data: DemoDataset, opp: pl.DataFrame) -> np.ndarray:
    """P(win) of each deal from the configured model: per-stage advance odds of its segment,
    times the odds multipliers of its source, promotion and type, its owner's true skill and
    ramp; the latent stall is integrated out (share `stall_share`, stage uniform on the path)."""
    params: DemoParams = data.params
    team = data.frames[RecordKind.TEAM_MEMBER].join(
        data.rep_truth, left_on="id", right_on="team_member_id"
    )
    x = opp.join(
        team.select(
            pl.col("id").alias("owner_id"),
            pl.col("start_date").alias("owner_start"),
            "ramp_months",
            "skill_log_odds",
        ),
        on="owner_id",
        how="left",
    )
    segment = {s.key: i for i, s in enumerate(params.segments)}
    source = {s.key: math.log(s.win_odds) for s in params.sources}
    promo = {p.key: math.log(p.win_odds) for p in params.promotions}
    kind = {t.key: (t.start_stage, math.log(t.win_odds)) for t in params.deal_types}
    tenure = (x["created_on"] - x["owner_start"]).dt.total_days().to_numpy() + 0.5
    ramp_days = np.maximum(x["ramp_months"].to_numpy(), 1) * DAYS_PER_MONTH
    r0 = params.ramp_start_odds
    ramp = np.log(r0 + (1 - r0) * np.clip(tenure / ramp_days, 0.0, 1.0))
    shift = (
        x["skill_log_odds"].to_numpy()
        + ramp
        + np.array([source.get(v, 0.0) for v in x["source"].fill_null("").to_list()])
        + np.array([promo.get(v, 0.0) for v in x["promotion"].fill_null("").to_list()])
        + np.array([kind[v][1] for v in x["type"].to_list()])
    )
    start = np.array([kind[v][0] for v in x["type"].to_list()])
    seg = np.array([segment[v] for v in x["segment"].to_list()])
    base = _logit(np.array([s.advance for s in params.segments]))[seg]
    k = base.shape[1]
    on_path = np.arange(k)[None, :] >= start[:, None]

    def p_win(extra: np.ndarray) -> np.ndarray:
        q = 1.0 / (1.0 + np.exp(-(base + shift[:, None] + extra)))
        return np.where(on_path, q, 1.0).prod(axis=1)

    plain = p_win(np.zeros_like(base))
    stalled = np.zeros(len(seg))
    for j in range(k):
        extra = np.zeros_like(base)
        extra[:, j] = math.log(params.stall_odds)
        stalled += np.where(j >= start, p_win(extra), 0.0) / (k - start)
    return (1 - params.stall_share) * plain + params.stall_share * stalled


def test_closed_win_rates_match_the_configured_model(data: DemoDataset) -> None:
    """Deals created at least a year before as_of have (nearly all) closed, so their win
    rate is not censored; compare it per segment with the model's expectation."""
    opp = data.frames[RecordKind.OPPORTUNITY].filter(
        (pl.col("created_on") < AS_OF - dt.timedelta(days=365)) & (pl.col("status") != "open")
    )
    frame = opp.with_columns(expected=pl.Series(implied_win_probability(data, opp)))
    by_segment = frame.group_by("segment").agg(
        won=(pl.col("status") == "won").mean(), expected=pl.col("expected").mean(), n=pl.len()
    )
    overall = frame.select(
        won=(pl.col("status") == "won").mean(), expected=pl.col("expected").mean(), n=pl.len()
    )
    for row in pl.concat([by_segment.drop("segment"), overall]).iter_rows(named=True):
        se = math.sqrt(row["expected"] * (1 - row["expected"]) / row["n"])
        assert abs(row["won"] - row["expected"]) < 4 * se + 0.01, row


def test_bigger_segments_win_less_pay_more_and_take_longer(data: DemoDataset) -> None:
    order = [s.key for s in data.params.segments]
    new = data.frames[RecordKind.OPPORTUNITY].filter(
        (pl.col("type") == "new") & (pl.col("status") != "open")
    )
    stats = (
        new.group_by("segment")
        .agg(
            win=(pl.col("status") == "won").mean(),
            median_cny=pl.col("amount_minor")
            .filter((pl.col("status") == "won") & (pl.col("currency") == "CNY"))
            .median()
            / 100,
            cycle=(pl.col("closed_on") - pl.col("created_on"))
            .filter(pl.col("status") == "won")
            .dt.total_days()
            .median(),
        )
        .with_columns(pl.col("segment").cast(pl.Enum(order)))
        .sort("segment")
    )
    assert stats["win"].is_sorted(descending=True) and stats["win"].n_unique() == len(order)
    assert stats["median_cny"].is_sorted() and stats["median_cny"].n_unique() == len(order)
    assert stats["cycle"].is_sorted() and stats["cycle"].n_unique() == len(order)
    # Amounts do not depend on the outcome, so won medians follow the configured lognormal
    # medians: standard error of a log-median is about 1.2533·sigma/sqrt(n); discounts (9 % of
    # deals, 5-40 % off) and whole-unit rounding move it by a few per cent at most.
    counts = new.filter((pl.col("status") == "won") & (pl.col("currency") == "CNY"))
    n = (
        counts.group_by("segment")
        .len()
        .with_columns(pl.col("segment").cast(pl.Enum(order)))
        .sort("segment")["len"]
        .to_numpy()
    )
    configured = np.array([s.amount_median_cny for s in data.params.segments])
    sigma = np.array([s.amount_sigma for s in data.params.segments])
    log_ratio = np.log(stats["median_cny"].to_numpy() / configured)
    assert (np.abs(log_ratio) < 4 * 1.2533 * sigma / np.sqrt(n) + 0.05).all(), log_ratio


def _monthly_shape(data: DemoDataset, regions: list[str]) -> pl.DataFrame:
    """New-deal creation per calendar month over the 36 complete months, divided by the
    configured yearly growth, relative to the average month."""
    growth = 1 + data.params.annual_growth
    counts = (
        data.frames[RecordKind.OPPORTUNITY]
        .filter((pl.col("type") == "new") & pl.col("region").is_in(regions))
        .with_columns(month=pl.col("created_on").dt.truncate("1mo"))
        .filter(pl.col("month") < AS_OF.replace(day=1))
        .group_by("month")
        .len()
        .with_columns(
            years=((pl.col("month") - pl.lit(HISTORY_START)).dt.total_days() + 15) / 365.25,
            of_year=pl.col("month").dt.month(),
        )
        .with_columns(adjusted=pl.col("len") / pl.lit(growth).pow(pl.col("years")))
    )
    shape = counts.group_by("of_year").agg(pl.col("adjusted").mean()).sort("of_year")
    return shape.with_columns(rel=pl.col("adjusted") / pl.col("adjusted").mean())


def test_seasonality_q4_peak_and_lunar_new_year_dip(data: DemoDataset) -> None:
    mainland = _monthly_shape(data, MAINLAND)
    rel = dict(zip(mainland["of_year"], mainland["rel"], strict=True))
    assert np.mean([rel[10], rel[11], rel[12]]) > 1.05
    assert rel[1] < 0.95 and rel[2] < 0.95
    abroad = _monthly_shape(data, ["apac", "emea", "americas"])
    rel_abroad = dict(zip(abroad["of_year"], abroad["rel"], strict=True))
    assert np.mean([rel_abroad[10], rel_abroad[11], rel_abroad[12]]) > 1.05
    # the dip follows the configured weights: February is the lowest mainland month
    assert min(rel, key=lambda m: rel[m]) == 2
    assert rel_abroad[2] > rel[2] + 0.15


def test_quarter_end_hockey_stick(data: DemoDataset) -> None:
    """A share h of wins landing in a quarter's first two months waits for its last two weeks,
    so about 1/3 + 2/3·h of wins fall in third months; losses shift the other way."""
    closed = (
        data.frames[RecordKind.OPPORTUNITY]
        .filter(
            (pl.col("status") != "open")
            & (pl.col("closed_on") >= dt.date(2023, 7, 1))
            & (pl.col("closed_on") < dt.date(2026, 1, 1))
        )
        .with_columns(month_in_quarter=(pl.col("closed_on").dt.month() - 1) % 3)
    )
    h, late = data.params.hockey_stick_share, data.params.late_loss_share
    won = closed.filter(pl.col("status") == "won")
    lost = closed.filter(pl.col("status") == "lost")
    third = (won["month_in_quarter"] == 2).mean()
    first_lost = (lost["month_in_quarter"] == 0).mean()
    assert abs(third - (1 / 3 + 2 / 3 * h)) < 0.04, third
    assert abs(first_lost - (1 / 3 + 1 / 3 * late)) < 0.04, first_lost


def test_stated_close_dates_are_optimistic(data: DemoDataset) -> None:
    opp = data.frames[RecordKind.OPPORTUNITY]
    events = data.frames[RecordKind.STAGE_EVENT]
    stated = events.group_by("opportunity_id").agg(
        first=pl.col("close_date").first(), last=pl.col("close_date").last()
    )
    # won deals close later than the date first stated (optimism 0.45-0.85 of expected time)
    won = opp.filter(pl.col("status") == "won").join(
        stated, left_on="id", right_on="opportunity_id"
    )
    assert (won["closed_on"] > won["first"]).mean() > 0.7
    # open deals: of those whose stated date has passed, a share was pushed past as_of
    open_ = opp.filter(pl.col("status") == "open").join(
        stated, left_on="id", right_on="opportunity_id"
    )
    passed = open_.filter(pl.col("last") < AS_OF)
    still_past = (passed["close_date"] < AS_OF).mean()
    expected = 1 - data.params.close_date_update_share
    se = math.sqrt(expected * (1 - expected) / passed.height)
    assert abs(still_past - expected) < 4 * se
    assert open_.filter(pl.col("last") >= AS_OF)["close_date"].equals(
        open_.filter(pl.col("last") >= AS_OF)["last"], check_names=False
    )
    share_past = (open_["close_date"] < AS_OF).mean()
    assert 0.05 < share_past < 0.5


def test_crm_data_quality_gaps_have_configured_rates(data: DemoDataset) -> None:
    opp = data.frames[RecordKind.OPPORTUNITY]
    early = opp.filter((pl.col("status") == "open") & (pl.col("stage_code") <= 20))
    lost = opp.filter(pl.col("status") == "lost")
    params = data.params
    for frame, observed, rate in (
        (early, early["amount_minor"].is_null().mean(), params.missing_amount_share),
        (lost, (lost["amount_minor"] == 0).mean(), params.zero_amount_lost_share),
    ):
        se = math.sqrt(rate * (1 - rate) / frame.height)
        assert abs(observed - rate) < 4 * se
    others = opp.filter(~((pl.col("status") == "open") & (pl.col("stage_code") <= 20)))
    assert others["amount_minor"].null_count() == 0
    assert (opp.filter(pl.col("status") == "won")["amount_minor"] > 0).all()


def test_lead_quality_per_source(data: DemoDataset) -> None:
    leads = data.frames[RecordKind.LEAD]
    conversion = leads.group_by("source").agg(
        (pl.col("status") == "converted").mean().alias("rate")
    )
    configured = {s.key: s.lead_conversion for s in data.params.sources if s.lead_role}
    assert set(conversion["source"]) == set(configured)
    for source, rate in conversion.iter_rows():
        assert abs(rate - configured[source]) < 0.002, source
    opp = data.frames[RecordKind.OPPORTUNITY].filter(pl.col("type") == "new")
    from_leads = opp.filter(pl.col("source").is_in(list(configured)))
    ratio = leads.height / from_leads.height
    assert 3.0 < ratio < 4.0


def test_team_attrition_and_churn(data: DemoDataset) -> None:
    team = data.frames[RecordKind.TEAM_MEMBER]
    start = pl.max_horizontal(pl.col("start_date"), pl.lit(HISTORY_START))
    end = pl.col("end_date").fill_null(AS_OF)
    years = team.select(((end - start).dt.total_days() / 365.25).sum()).item()
    leavers = team["end_date"].drop_nulls().len()
    hazard = -math.log(1 - data.params.attrition_per_year)
    expected = hazard * years
    assert abs(leavers - expected) < 4 * math.sqrt(expected), (leavers, expected)
    renewals = data.frames[RecordKind.OPPORTUNITY].filter(
        (pl.col("type") == "renewal") & (pl.col("status") != "open")
    )
    churn = (renewals["status"] == "lost").mean()
    assert 0.08 < churn < 0.2
    accounts = data.frames[RecordKind.ACCOUNT]
    assert accounts["churned_on"].null_count() < accounts.height
