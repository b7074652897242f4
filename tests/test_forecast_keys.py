"""Deals as row numbers (forecast.deal_keys, forecast.outcomes): each event finds its deal's
row in the opportunities, the training rows carry that row, and every output that names a
deal still shows the deal's original id."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from salesplan.domain.records import RecordKind, conform, empty_frame
from salesplan.domain.stages import DEFAULT_STAGES
from salesplan.forecast.bookings import fit_models, forecast_period, prepare_pipeline
from salesplan.forecast.calibrated import _quantile_days, cell_numbers, dense_codes
from salesplan.forecast.deal_keys import deal_rows
from salesplan.forecast.history import (
    History,
    build_history,
    current_pipeline,
    outcomes_at,
    snapshot_rows,
)
from salesplan.forecast.outcomes import LOST, OPEN, UNKNOWN, WON, deal_outcomes

D = dt.date
AS_OF = D(2026, 3, 15)


def _rows(opportunity_ids: list[str], event_ids: list[str | None]) -> list[int | None]:
    return deal_rows(pl.Series(opportunity_ids), pl.Series(event_ids, dtype=pl.String)).to_list()


def test_events_in_deal_order_take_the_row_of_their_run() -> None:
    # Runs A, B, C; the opportunities in the same order: run k is row k.
    assert _rows(["A", "B", "C"], ["A", "A", "B", "C", "C", "C"]) == [0, 0, 1, 2, 2, 2]
    # The opportunities in another order: A is row 1, B row 2, C row 0.
    assert _rows(["C", "A", "B"], ["A", "B", "B", "C"]) == [1, 2, 2, 0]


def test_unknown_null_and_unordered_ids() -> None:
    assert _rows(["A", "B"], ["A", "Z", "Z"]) == [0, None, None]  # Z is no deal
    assert _rows(["A", "B"], ["B", None, "A"]) == [1, None, 0]
    assert _rows(["A", "B"], ["B", "A", "B"]) == [1, 0, 1]  # not in deal order: joined
    assert _rows(["A", "B", "C"], ["A", "C"]) == [0, 2]  # B has no events
    assert _rows(["A", "B", "A"], ["A", "B"]) == [0, 1]  # a duplicated id: its first row
    assert _rows(["A"], []) == []


def test_an_event_of_a_missing_deal_never_takes_a_null_id_row() -> None:
    # Opportunity ids A and null (not valid store data, but a History can be built by hand):
    # B's events have no deal, and must not be matched to the null-id row 1.
    assert _rows(["A", None], ["A", "B"]) == [0, None]  # type: ignore[list-item]
    assert _rows([None, "A"], ["A", "B", "B"]) == [1, None, None]  # type: ignore[list-item]


@given(
    st.lists(st.text("abcdef", min_size=1, max_size=4), unique=True, max_size=12),
    st.lists(st.text("abcdefgh", min_size=1, max_size=4), max_size=40),
    st.booleans(),
)
def test_deal_rows_round_trip_to_the_original_ids(
    opportunity_ids: list[str], event_ids: list[str], ordered: bool
) -> None:
    events = sorted(event_ids) if ordered else event_ids
    rows = deal_rows(
        pl.Series(opportunity_ids, dtype=pl.String), pl.Series(events, dtype=pl.String)
    )
    known = set(opportunity_ids)
    assert rows.to_list() == [opportunity_ids.index(e) if e in known else None for e in events]
    back = pl.Series(opportunity_ids, dtype=pl.String).gather(rows)
    assert back.to_list() == [e if e in known else None for e in events]


def _opp(id_: str, **fields: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": id_, "owner_id": "EMP-1", "currency": "CNY", "segment": "smb", "type": "new",
        "source": "inbound", "product": None, "amount_minor": 100_000, "status": "open",
        "stage_code": 20, "created_on": D(2025, 10, 6), "close_date": D(2026, 4, 30),
        "forecast_category": "pipeline",
    }  # fmt: skip
    row.update(fields)
    return row


def _event(id_: str, code: int, when: dt.datetime) -> dict[str, object]:
    key = next(s.key for s in DEFAULT_STAGES.stages if s.code == code)
    return {"opportunity_id": id_, "stage": key, "stage_code": code, "entered_at": when,
            "amount_minor": 100_000, "close_date": D(2026, 4, 30)}  # fmt: skip


def _history() -> History:
    """Four deals, the opportunities not in id order: OPP-W won on 20 Feb, OPP-L lost on
    10 Feb, OPP-O open, OPP-N created on 12 Mar (after the first cutoff below)."""
    t = dt.datetime
    opps = [
        _opp("OPP-W", status="won", stage_code=90, closed_on=D(2026, 2, 20)),
        _opp("OPP-O"),
        _opp("OPP-L", status="lost", stage_code=91, closed_on=D(2026, 2, 10)),
        _opp("OPP-N", created_on=D(2026, 3, 12)),
    ]
    events = [
        _event("OPP-L", 10, t(2025, 10, 6, 9)),
        _event("OPP-L", 91, t(2026, 2, 10, 9)),
        _event("OPP-N", 10, t(2026, 3, 12, 9)),
        _event("OPP-O", 10, t(2025, 10, 6, 9)),
        _event("OPP-O", 20, t(2025, 12, 1, 9)),
        _event("OPP-W", 10, t(2025, 10, 6, 9)),
        _event("OPP-W", 90, t(2026, 2, 20, 9)),
    ]
    frame = conform(RecordKind.OPPORTUNITY, pl.DataFrame(opps))
    frame = frame.with_columns(pl.col("amount_minor").alias("amount_plan_minor"))
    products = conform(
        RecordKind.PRODUCT,
        pl.DataFrame({"id": ["PRD-1"], "list_price_minor": [5_000_000], "currency": ["CNY"]}),
    )
    return build_history(
        frame, conform(RecordKind.STAGE_EVENT, pl.DataFrame(events)), DEFAULT_STAGES,
        rates=empty_frame(RecordKind.FX_RATE), products=products, plan_currency="CNY",
        exponents={"CNY": 2}, as_of=AS_OF,
    )  # fmt: skip


def test_every_event_names_its_deal_by_row() -> None:
    h = _history()
    ids = h.opportunities["id"].gather(h.deal_rows)
    assert ids.to_list() == h.events["opportunity_id"].to_list()


def test_deal_outcomes_by_row_are_outcomes_at() -> None:
    h = _history()
    row = {id_: i for i, id_ in enumerate(h.opportunities["id"].to_list())}
    # 1 Mar: W won (20 Feb), L lost (10 Feb), O open, N not created yet (no event).
    state = deal_outcomes(h, D(2026, 3, 1))
    expected = {"OPP-W": WON, "OPP-L": LOST, "OPP-O": OPEN, "OPP-N": UNKNOWN}
    assert {id_: int(state.outcome[row[id_]]) for id_ in row} == expected
    assert state.outcome[-1] == UNKNOWN  # the row for events of no known deal
    assert state.won_on[row["OPP-W"]] == D(2026, 2, 20)
    assert state.won_on.null_count() == len(row)  # only W's win has a day
    by_id = {r["opportunity_id"]: r["outcome"] for r in outcomes_at(h, D(2026, 3, 1)).to_dicts()}
    assert by_id == {"OPP-W": "won", "OPP-L": "lost", "OPP-O": "open"}
    # 15 Feb: W not yet won.
    assert int(deal_outcomes(h, D(2026, 2, 15)).outcome[row["OPP-W"]]) == OPEN


def test_training_rows_carry_the_deal_row_of_the_original_id() -> None:
    h = _history()
    days = [D(2025, 11, 15), D(2026, 1, 15), D(2026, 3, 14)]
    rows = snapshot_rows(h, days, columns=["opportunity_id", "opp_row", "snapshot"])
    assert (
        h.opportunities["id"]
        .gather(rows["opp_row"])
        .equals(rows["opportunity_id"], check_names=False)
    )
    # Open on 15 Nov: L, O, W (N not yet created); on 15 Jan the same; on 14 Mar: O and N.
    assert rows.height == 3 + 3 + 2


def test_outputs_name_deals_by_their_original_ids() -> None:
    h = _history()
    cutoff = AS_OF + dt.timedelta(days=1)
    deals = prepare_pipeline(h, current_pipeline(h), cutoff)
    assert sorted(deals["opportunity_id"].to_list()) == ["OPP-N", "OPP-O"]
    result = forecast_period(
        h, fit_models(h, cutoff), deals, D(2026, 3, 1), D(2026, 4, 1), "calibrated", sims=200
    )
    assert sorted(result.deals["opportunity_id"].to_list()) == ["OPP-N", "OPP-O"]


def test_stay_quantiles_are_polars_nearest() -> None:
    hours = pl.Series([96, 24, 72, 48])
    # n = 4: p50 at index round(3 × 0.5 = 1.5) = 2 (halves away from zero) of 24, 48, 72,
    # 96 → 72 h = 3 days; p90 at round(3 × 0.9 = 2.7) = 3 → 96 h = 4 days.
    assert _quantile_days(hours, 0.5) == 3.0
    assert _quantile_days(hours, 0.9) == 4.0
    assert (hours / 24.0).quantile(0.5) == 3.0  # what stay_bands computed before
    assert _quantile_days(pl.Series([], dtype=pl.Int64), 0.5) is None


def test_cells_of_many_keys_are_compacted_to_the_cells_rows_are_in() -> None:
    # Two keys: stage (3 values) and a free-text segment with 5,000 values, over 6 rows: the
    # mixed-radix numbers would index 3 × 5,001 cells; compacted, only the 4 distinct pairs
    # (s1,x) (s1,y) (s2,y) (s3,x) number 0…3, in the order of the keys' codes.
    segments = pl.Series([f"seg{i:04d}" for i in range(5_000)])
    rows = pl.DataFrame(
        {
            "stage": ["s1", "s2", "s1", "s3", "s1", "s2"],
            "segment": ["seg0007", "seg4000", "seg4000", "seg0007", "seg0007", "seg4000"],
        }
    )
    # Dense codes over every segment value, as a column holding all 5,000 would give.
    all_segments = pl.concat([rows["segment"], segments])
    dense = {"stage": dense_codes(rows["stage"]), "segment": dense_codes(all_segments)}
    dense["segment"] = (dense["segment"][0][: rows.height], dense["segment"][1])
    cell, size = cell_numbers(dense, ["stage", "segment"], rows.height)
    # Sorted pairs: (s1,seg0007)=0, (s1,seg4000)=1, (s2,seg4000)=2, (s3,seg0007)=3.
    assert size == 4
    assert cell.tolist() == [0, 2, 1, 3, 0, 2]
    # Few values and more rows than cells: plain mixed radix, stage code × 3 + segment code
    # ((3 stages + null) × (2 segments + null) = 12 cells for 18 rows), nothing compacted.
    more = pl.concat([rows] * 3)
    small = {k: dense_codes(more[k]) for k in ("stage", "segment")}
    cell, size = cell_numbers(small, ["stage", "segment"], more.height)
    assert size == 12
    assert np.array_equal(cell, [0, 4, 1, 6, 0, 4] * 3)
