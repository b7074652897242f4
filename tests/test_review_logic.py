"""The review's pure parts: actuals against targets, KPI status, movement buckets (with a
reconciliation property), re-spread and initiative progress — figures worked by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from salesplan.domain.plan import Plan
from salesplan.review.actuals import actual_vs_target, group_months, prorate, respread
from salesplan.review.kpi_status import classify
from salesplan.review.movement import BUCKETS, DealState, bucket_of, forecast_movement
from salesplan.review.progress import initiative_progress

D = dt.date
FLAT = [1000] * 12  # 1,000 minor units a month, 12,000 a year


def _won(rows: list[tuple[dt.date, int, str | None, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "closed_on": [r[0] for r in rows],
            "amount_plan_minor": [r[1] for r in rows],
            "region": [r[2] for r in rows],
            "segment": [r[3] for r in rows],
            "owner_id": [r[4] for r in rows],
        }
    )


def test_actual_against_target_for_the_quarter_and_the_year_to_date() -> None:
    won = _won(
        [
            (D(2026, 1, 10), 900, "east", "smb", "E1"),
            (D(2026, 4, 3), 1500, "east", "smb", "E1"),
            (D(2026, 5, 30), 600, "west", "smb", "E2"),
            (D(2026, 6, 2), 999, "west", "smb", "E2"),  # after the cutoff: not counted yet
        ]
    )
    groups = {"region": group_months(FLAT, {"east": 0.75, "west": 0.25})}
    rows = actual_vs_target(won, FLAT, groups, D(2026, 4, 1), D(2026, 7, 1), D(2026, 6, 1))
    total = rows[0]
    # Q2 target = 3 × 1,000 = 3,000; booked before 1 June: 1,500 + 600 = 2,100 → 0.7.
    assert (total.period_target_minor, total.period_actual_minor) == (3000, 2100)
    assert total.period_attainment == 0.7
    # Year to date (January–June targets): 6,000; booked 900 + 2,100 = 3,000 → 0.5.
    assert (total.ytd_target_minor, total.ytd_actual_minor) == (6000, 3000)
    east = next(r for r in rows if r.group == "east")
    # East's share is ¾: 750 a month → Q2 2,250, year to date 4,500; booked 1,500 and 2,400.
    assert (east.period_target_minor, east.period_actual_minor) == (2250, 1500)
    assert (east.ytd_target_minor, east.ytd_actual_minor) == (4500, 2400)
    # No segment or owner targets: their rows still show what was booked, target None.
    owner = next(r for r in rows if r.scope == "owner" and r.group == "E2")
    assert owner.period_target_minor is None and owner.period_actual_minor == 600
    assert owner.period_attainment is None


def test_deals_without_a_region_still_count_in_the_region_rows() -> None:
    won = _won([(D(2026, 2, 1), 700, "east", "smb", "E1"), (D(2026, 2, 2), 300, None, "smb", "E1")])
    groups = {"region": group_months(FLAT, {"east": 1})}
    rows = actual_vs_target(won, FLAT, groups, D(2026, 2, 1), D(2026, 3, 1), D(2026, 3, 1))
    regions = [r for r in rows if r.scope == "region"]
    # East 700 against its whole February target 1,000; the region-less 300 in a row of its
    # own with no target; together the team's 1,000.
    assert [(r.group, r.period_actual_minor, r.period_target_minor) for r in regions] == [
        ("east", 700, 1000),
        (None, 300, None),
    ]


def test_group_months_add_up_both_ways() -> None:
    months = [101, 7, 333, 0, 50, 50, 50, 50, 50, 50, 50, 1]
    grid = group_months(months, {"a": 1, "b": 1, "c": 1})
    assert [sum(col) for col in zip(*grid.values(), strict=True)] == months
    assert sum(sum(row) for row in grid.values()) == sum(months)


def test_prorate_counts_days_of_a_running_month() -> None:
    # April whole (1,000) + 20 of May's 31 days: 1,000 × 20 / 31 = 645 5/31.
    assert prorate(FLAT, D(2026, 4, 1), D(2026, 5, 21)) == 1000 + Fraction(20_000, 31)


def test_respread_spreads_the_remaining_target_exactly() -> None:
    # 12,000 − 5,000 booked = 7,000 over July–December (6 flat months): 1,166.67 each,
    # floors 1,166 × 6 = 6,996, the 4 units left go to the first four months.
    spread = respread(FLAT, [Fraction(1)] * 12, 5000, 6)
    assert spread.remaining_minor == 7000
    assert [m.month for m in spread.months] == [7, 8, 9, 10, 11, 12]
    assert [m.new_minor for m in spread.months] == [1167, 1167, 1167, 1167, 1166, 1166]
    # Weighted: December counts double → 7,000 × 2/7 = 2,000 in December, 1,000 the others.
    weights = [Fraction(1)] * 11 + [Fraction(2)]
    assert [m.new_minor for m in respread(FLAT, weights, 5000, 6).months][-1] == 2000
    assert respread(FLAT, [Fraction(1)] * 12, 20_000, 6).remaining_minor == 0


def _status(target: str | None, actual: str | None, good: str = "up") -> str:
    return classify(
        kpi="k", type_="lagging", unit="rate", good=good,
        target=None if target is None else Decimal(target),
        actual=None if actual is None else Decimal(actual), measurable=True,
        on_track=Decimal("0.95"), at_risk=Decimal("0.80"), thresholds_source="default",
    ).status  # fmt: skip


def test_kpi_status_by_the_thresholds() -> None:
    assert _status("0.40", "0.38") == "on_track"  # 0.95 exactly
    assert _status("0.40", "0.36") == "at_risk"  # 0.90
    assert _status("0.40", "0.30") == "off_track"  # 0.75
    # Lower is better (sales cycle): attainment = target ÷ actual = 48 / 60 = 0.80 → at risk.
    assert _status("48", "60", good="down") == "at_risk"
    assert _status(None, "0.3") == "no_target"  # nothing invented
    assert _status("0.4", None) == "no_data"


def _deal(i: str, status: str, amount: int, close: dt.date, expected: int) -> DealState:
    return DealState(i, status, amount, close, expected)


def test_movement_buckets_by_hand() -> None:
    start, end = D(2026, 4, 1), D(2026, 7, 1)
    before = [
        _deal("won", "open", 100, D(2026, 6, 1), 60),
        _deal("lost", "open", 50, D(2026, 6, 1), 20),
        _deal("slip", "open", 50, D(2026, 6, 1), 20),
        _deal("pull", "open", 40, D(2026, 8, 1), 0),
        _deal("amount", "open", 30, D(2026, 6, 1), 9),
        _deal("gone", "open", 10, D(2026, 6, 1), 1),
    ]
    after = [
        _deal("won", "won", 100, D(2026, 5, 2), 100),
        _deal("lost", "lost", 50, D(2026, 5, 2), 0),
        _deal("slip", "open", 50, D(2026, 7, 15), 0),
        _deal("pull", "open", 40, D(2026, 6, 20), 8),
        _deal("amount", "open", 45, D(2026, 6, 1), 13),
        _deal("new", "open", 10, D(2026, 6, 30), 1),
    ]
    moved = forecast_movement(before, after, 5, 7, start, end)
    deltas = {b.name: b.delta_minor for b in moved.buckets}
    # won +40, lost −20, slipped −20, added +8 (pulled in) +1 (new), amount +4,
    # removed −1, run-rate 7 − 5 = +2.
    assert deltas == {"won": 40, "lost": -20, "slipped": -20, "added": 9,
                      "amount_changed": 4, "probability": 0, "removed": -1,
                      "run_rate": 2}  # fmt: skip
    # previous 110 + 5 = 115; current 122 + 7 = 129; 115 + 14 = 129.
    assert (moved.previous_minor, moved.current_minor) == (115, 129)
    assert moved.previous_minor + sum(deltas.values()) == moved.current_minor
    assert bucket_of(None, after[0], start, end) == "won"


State = tuple[str, int, dt.date | None, int]
_day = st.dates(min_value=D(2026, 1, 1), max_value=D(2026, 12, 31))
_state = st.tuples(
    st.sampled_from(["open", "won", "lost"]),
    st.integers(0, 10**9),
    st.one_of(st.none(), _day),
    st.integers(0, 10**9),
)


@given(
    st.dictionaries(st.sampled_from("abcdefghij"), _state, max_size=10),
    st.dictionaries(st.sampled_from("abcdefghijklm"), _state, max_size=13),
    st.integers(0, 10**9),
    st.integers(0, 10**9),
)
def test_buckets_always_reconcile(
    before: dict[str, State], after: dict[str, State], rr0: int, rr1: int
) -> None:
    old = [DealState(k, *v) for k, v in before.items()]
    new = [DealState(k, *v) for k, v in after.items()]
    moved = forecast_movement(old, new, rr0, rr1, D(2026, 4, 1), D(2026, 7, 1))
    assert [b.name for b in moved.buckets] == list(BUCKETS)
    assert moved.previous_minor + sum(b.delta_minor for b in moved.buckets) == moved.current_minor


def test_initiative_progress_and_overdue_items() -> None:
    plan = Plan.model_validate(
        {
            "type": "annual", "year": 2026, "language": "en", "title": "P",
            "initiatives": [{"id": "I1", "title": "Demos", "owner": "Ann",
                             "deadline": "2026-05-01", "status": "in_progress"}],
            "actions": [
                {"id": "A1", "title": "Script", "owner": "Bob", "deadline": "2026-05-01",
                 "status": "todo", "initiative": "I1"},
                {"id": "A2", "title": "Record", "owner": "Ann", "deadline": "2026-04-01",
                 "status": "done", "initiative": "I1"},
                {"id": "A3", "title": "Old", "deadline": "2026-03-01", "status": "dropped",
                 "initiative": "I1"},
                {"id": "A4", "title": "CRM", "owner": "Cy", "deadline": "2026-05-11"},
            ],
        }
    )  # fmt: skip
    i1, loose = initiative_progress(plan, D(2026, 5, 21))
    # A3 is dropped: 1 of 2 done; A1 is 20 days late (1 → 21 May), its DRI Bob.
    assert (i1.done, i1.total, i1.initiative_overdue_days) == (1, 2, 20)
    assert [(o.id, o.owner, o.days_overdue) for o in i1.overdue] == [("A1", "Bob", 20)]
    assert loose.id is None and [(o.id, o.days_overdue) for o in loose.overdue] == [("A4", 10)]
