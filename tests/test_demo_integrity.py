"""Referential integrity and date order of the demo data, as an importer would demand them."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator

import polars as pl
import pytest

from salesplan.demo import DemoDataset, generate
from salesplan.domain.records import RecordKind
from salesplan.domain.stages import DEFAULT_STAGES

K = RecordKind
CASES = [("small", 21, dt.date(2026, 3, 15)), ("small", 22, dt.date(2024, 2, 29)),
         ("medium", 23, dt.date(2025, 12, 31))]  # fmt: skip


@pytest.fixture(scope="module", params=CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def data(request: pytest.FixtureRequest) -> Iterator[DemoDataset]:
    size, seed, as_of = request.param
    yield generate(size, seed, as_of)


def _history_start(as_of: dt.date) -> dt.date:
    index = as_of.year * 12 + as_of.month - 1 - 36
    return dt.date(index // 12, index % 12 + 1, 1)


def _employed(frame: pl.DataFrame, day: str, team: pl.DataFrame) -> pl.DataFrame:
    """Rows of `frame` whose owner_id was not employed on column `day`."""
    return frame.join(team, left_on="owner_id", right_on="id", how="left").filter(
        pl.col("start_date").is_null()
        | (pl.col(day) < pl.col("start_date"))
        | (pl.col("end_date").is_not_null() & (pl.col(day) > pl.col("end_date")))
    )


def test_ids_are_unique(data: DemoDataset) -> None:
    for kind in (K.OPPORTUNITY, K.ACCOUNT, K.LEAD, K.ACTIVITY, K.TEAM_MEMBER, K.PRODUCT):
        assert data.frames[kind]["id"].is_unique().all(), kind
    assert data.frames[K.OPPORTUNITY]["id"][0] == "OPP-0000001"


def test_opportunity_references_exist(data: DemoDataset) -> None:
    opp, team = data.frames[K.OPPORTUNITY], data.frames[K.TEAM_MEMBER]
    assert opp["account_id"].is_in(data.frames[K.ACCOUNT]["id"].implode()).all()
    assert opp["product"].is_in(data.frames[K.PRODUCT]["id"].implode()).all()
    owners = opp.join(team, left_on="owner_id", right_on="id", how="left")
    assert owners["role"].is_in(["ae", "am"]).all()
    assert _employed(opp, "created_on", team).height == 0
    assert (
        opp.filter(pl.col("type") == "new")["owner_id"]
        .is_in(team.filter(pl.col("role") == "ae")["id"].implode())
        .all()
    )


def test_opportunity_dates_are_in_order(data: DemoDataset) -> None:
    opp = data.frames[K.OPPORTUNITY]
    assert opp["created_on"].min() >= _history_start(data.as_of)
    assert opp["created_on"].max() <= data.as_of
    closed = opp.filter(pl.col("status") != "open")
    assert closed["closed_on"].null_count() == 0
    assert (closed["closed_on"] >= closed["created_on"]).all()
    assert (closed["closed_on"] <= data.as_of).all()
    assert (closed["close_date"] == closed["closed_on"]).all()
    open_ = opp.filter(pl.col("status") == "open")
    assert open_["closed_on"].null_count() == open_.height
    assert open_["close_date"].null_count() == 0
    assert opp.filter(pl.col("last_activity_on") > data.as_of).height == 0


def test_stage_fields_follow_the_stage_list(data: DemoDataset) -> None:
    opp = data.frames[K.OPPORTUNITY]
    rows = [(s.key, s.code, s.status.value, s.default_probability) for s in DEFAULT_STAGES.stages]
    stages = pl.DataFrame(rows, schema=["stage", "code", "want_status", "prob"], orient="row")
    joined = opp.join(stages, on="stage", how="left")
    assert joined["code"].null_count() == 0
    assert (joined["stage_code"] == joined["code"]).all()
    assert (joined["status"] == joined["want_status"]).all()
    assert (joined["probability"] == joined["prob"]).all()
    closed = opp.filter(pl.col("status") != "open")
    assert (closed["forecast_category"] == "closed").all()
    open_categories = set(opp.filter(pl.col("status") == "open")["forecast_category"].unique())
    assert open_categories <= {"pipeline", "best_case", "commit", "omitted"}
    lost = opp.filter(pl.col("status") == "lost")
    assert lost["loss_reason"].null_count() == 0
    assert (
        opp.filter(pl.col("status") != "lost")["loss_reason"].null_count()
        == opp.filter(pl.col("status") != "lost").height
    )
    assert (
        lost.filter(pl.col("loss_reason") == "lost_to_competitor")["competitor"].null_count() == 0
    )
    discount = opp.filter(pl.col("promotion") == "discount")["discount_pct"]
    assert discount.null_count() == 0 and ((discount > 0) & (discount <= 0.4)).all()
    assert (
        opp.filter(pl.col("promotion") != "discount")["discount_pct"].null_count()
        == opp.filter(pl.col("promotion") != "discount").height
    )


def test_accounts_are_consistent_with_their_segment_and_region(data: DemoDataset) -> None:
    accounts = data.frames[K.ACCOUNT]
    for segment in data.params.segments:
        employees = accounts.filter(pl.col("segment") == segment.key)["employees"]
        low, high = segment.employees
        assert employees.min() >= low and employees.max() < high, segment.key
    for region in data.params.regions:
        rows = accounts.filter(pl.col("region") == region.key)
        pairs = {(c.code, c.currency) for c in region.countries}
        assert set(rows.select("country", "currency").unique().iter_rows()) <= pairs
    assert (accounts["annual_revenue_minor"] > 0).all()
    opp = data.frames[K.OPPORTUNITY].join(accounts, left_on="account_id", right_on="id")
    for column in ("segment", "region", "industry", "currency"):
        assert (opp[column] == opp[f"{column}_right"]).all(), column


def test_renewals_and_expansions_only_for_existing_customers(data: DemoDataset) -> None:
    opp, accounts = data.frames[K.OPPORTUNITY], data.frames[K.ACCOUNT]
    later = opp.filter(pl.col("type") != "new").join(accounts, left_on="account_id", right_on="id")
    assert later["customer_since"].null_count() == 0
    assert (later["created_on"] > later["customer_since"]).all()


def test_customer_since_is_first_won_close_and_churn_is_a_lost_renewal(data: DemoDataset) -> None:
    opp, accounts = data.frames[K.OPPORTUNITY], data.frames[K.ACCOUNT]
    first_won = (
        opp.filter(pl.col("status") == "won")
        .group_by("account_id")
        .agg(pl.col("closed_on").min().alias("first_won"))
    )
    joined = accounts.join(first_won, left_on="id", right_on="account_id", how="left")
    assert joined["customer_since"].equals(joined["first_won"], check_names=False)
    churned = accounts.filter(pl.col("churned_on").is_not_null())
    lost_renewals = opp.filter((pl.col("type") == "renewal") & (pl.col("status") == "lost"))
    matched = churned.join(
        lost_renewals, left_on=["id", "churned_on"], right_on=["account_id", "closed_on"]
    )
    assert matched["id"].n_unique() == churned.height
    assert (churned["churned_on"] > churned["customer_since"]).all()


def test_stage_events_are_ordered_and_match_opportunities(data: DemoDataset) -> None:
    opp, events = data.frames[K.OPPORTUNITY], data.frames[K.STAGE_EVENT]
    assert events["opportunity_id"].is_in(opp["id"].implode()).all()
    assert events["entered_at"].dt.date().max() <= data.as_of
    per_deal = events.group_by("opportunity_id", maintain_order=True).agg(
        pl.col("entered_at").diff().drop_nulls().min().alias("min_step"),
        pl.col("stage_code").diff().drop_nulls().min().alias("min_code_step"),
        pl.col("entered_at").first().dt.date().alias("first_day"),
        pl.col("stage").last().alias("last_stage"),
        pl.col("amount_minor").last().alias("last_amount"),
        pl.len().alias("n"),
    )
    assert per_deal.height == opp.height
    assert per_deal.filter(pl.col("min_step") <= dt.timedelta(0)).height == 0
    assert per_deal.filter(pl.col("min_code_step") <= 0).height == 0
    joined = opp.join(per_deal, left_on="id", right_on="opportunity_id")
    assert (joined["first_day"] == joined["created_on"]).all()
    assert (joined["last_stage"] == joined["stage"]).all()
    assert joined["amount_minor"].equals(joined["last_amount"], check_names=False)
    mean_events = events.height / opp.height
    assert 3.5 < mean_events < 6.5


def test_leads_link_to_opportunities_with_a_hand_off(data: DemoDataset) -> None:
    leads, opp, team = data.frames[K.LEAD], data.frames[K.OPPORTUNITY], data.frames[K.TEAM_MEMBER]
    converted = leads.filter(pl.col("status") == "converted")
    assert converted["opportunity_id"].null_count() == 0
    assert leads.filter(pl.col("status") != "converted")["opportunity_id"].null_count() == (
        leads.height - converted.height
    )
    linked = converted.join(opp, left_on="opportunity_id", right_on="id", suffix="_opp")
    assert linked.height == converted.height
    assert (linked["converted_on"] == linked["created_on_opp"]).all()
    assert (linked["source"] == linked["source_opp"]).all()
    lead_roles = leads.join(team, left_on="owner_id", right_on="id", how="left")["role"]
    assert lead_roles.is_in(["sdr", "bdr"]).all()
    assert _employed(leads, "created_on", team).height == 0
    for earlier, later in (("created_on", "mql_on"), ("mql_on", "sql_on"),
                           ("sql_on", "converted_on")):  # fmt: skip
        assert leads.filter(pl.col(later) < pl.col(earlier)).height == 0
    for column in ("created_on", "mql_on", "sql_on", "converted_on"):
        assert leads.filter(pl.col(column) > data.as_of).height == 0
    disqualified = leads.filter(pl.col("status") == "disqualified")
    assert disqualified["disqualify_reason"].null_count() == 0


def test_activities_reference_existing_records_and_employed_owners(data: DemoDataset) -> None:
    act, team = data.frames[K.ACTIVITY], data.frames[K.TEAM_MEMBER]
    for column, kind in (("opportunity_id", K.OPPORTUNITY), ("lead_id", K.LEAD),
                         ("account_id", K.ACCOUNT)):  # fmt: skip
        assert act[column].drop_nulls().is_in(data.frames[kind]["id"].implode()).all(), column
    linked = act.select(pl.sum_horizontal(
        pl.col(c).is_not_null() for c in ("opportunity_id", "lead_id", "account_id")
    ))  # fmt: skip
    assert (linked.to_series() >= 1).all()
    assert act["occurred_at"].dt.date().max() <= data.as_of
    dated = act.with_columns(pl.col("occurred_at").dt.date().alias("day"))
    assert _employed(dated, "day", team).height == 0
    last = act.group_by("opportunity_id").agg(pl.col("occurred_at").max().dt.date().alias("last"))
    opp = data.frames[K.OPPORTUNITY].join(last, left_on="id", right_on="opportunity_id", how="left")
    assert opp["last_activity_on"].equals(opp["last"], check_names=False)


def test_team_structure(data: DemoDataset) -> None:
    team = data.frames[K.TEAM_MEMBER]
    assert team["manager_id"].drop_nulls().is_in(team["id"].implode()).all()
    heads = team.filter(pl.col("manager_id").is_null())
    assert heads.height >= 1
    assert (heads["role"] == "manager").all() and (heads["team"] == "leadership").all()
    assert heads["end_date"].null_count() == 1
    assert (team.filter(pl.col("end_date").is_not_null())["end_date"] >= team.filter(
        pl.col("end_date").is_not_null()
    )["start_date"]).all()  # fmt: skip
    assert team.filter(pl.col("end_date") > data.as_of).height == 0
    assert team.filter(pl.col("start_date") > data.as_of).height == 0
    # every seat has exactly one current holder
    assert team["end_date"].null_count() == data.params.team_size
    quota = team.filter(pl.col("role").is_in(["ae", "am"]))["annual_quota_minor"]
    assert quota.null_count() == 0 and (quota > 0).all()
    assert team.filter(~pl.col("role").is_in(["ae", "am"]))["annual_quota_minor"].null_count() == (
        team.filter(~pl.col("role").is_in(["ae", "am"])).height
    )
    ae_ramp = team.filter(pl.col("role") == "ae")["ramp_months"]
    assert ae_ramp.min() >= 3 and ae_ramp.max() <= 6
    assert (team["annual_cost_minor"] > 0).all()
    assert team["email"].is_unique().all()


def test_rates_cover_every_currency_and_month(data: DemoDataset) -> None:
    rates = data.frames[K.FX_RATE]
    used = set(data.frames[K.OPPORTUNITY]["currency"].unique()) | set(
        data.frames[K.TEAM_MEMBER]["currency"].unique()
    )
    assert used <= set(rates["currency"].unique())
    assert (rates.filter(pl.col("currency") == "CNY")["rate"] == "1").all()
    # a random walk of 36 monthly log-steps: within 4 standard deviations of its start
    bound = 4 * data.params.fx_monthly_sigma * 6
    for currency, base in data.params.fx_base:
        rate = rates.filter(pl.col("currency") == currency)["rate"].cast(pl.Float64)
        assert (abs(rate.log() - math.log(base)) < bound).all(), currency
    months = rates.filter(pl.col("currency") == "USD")["valid_from"]
    assert months.min() == _history_start(data.as_of)
    assert months.max() == data.as_of.replace(day=1)
    assert months.n_unique() == 37
