"""Lead funnel against values worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from salesplan.analytics.leads import lead_funnel
from salesplan.domain.records import RecordKind, conform

D = dt.date
YEAR = (D(2025, 1, 1), D(2026, 1, 1))

OPPS = pl.DataFrame(
    {"id": ["O1", "O2", "O3"], "status": ["won", "lost", "open"],
     "amount_plan_minor": [1000, 500, 700]}
)  # fmt: skip

LEADS = conform(
    RecordKind.LEAD,
    pl.DataFrame(
        {
            "id": ["L1", "L2", "L3", "L4", "L5", "L6", "L7"],
            "created_on": [D(2025, 1, 5)] * 6 + [D(2024, 12, 1)],
            "source": ["web", "web", "web", "web", "event", "event", "web"],
            "status": ["converted", "converted", "sql", "disqualified", "converted", "new",
                       "converted"],
            "mql_on": [D(2025, 1, 6), D(2025, 1, 6), None, D(2025, 1, 6), D(2025, 1, 6), None,
                       None],
            # L3 has an SQL date but no MQL date (a CRM gap): it still counts as an MQL.
            "sql_on": [D(2025, 1, 8), D(2025, 1, 8), D(2025, 1, 8), None, D(2025, 1, 8), None,
                       None],
            "converted_on": [D(2025, 1, 9), D(2025, 1, 9), None, None, D(2025, 1, 9), None,
                             D(2024, 12, 5)],
            "opportunity_id": ["O1", "O2", None, None, "O3", None, "O9"],
        }
    ),
)  # fmt: skip


def test_overall_funnel_by_hand() -> None:
    overall = lead_funnel(LEADS, OPPS, *YEAR)[0]
    # L7 was created in 2024: out of the cohort. Cohort L1-L6.
    # MQL: L1, L2, L3 (via sql_on), L4, L5 = 5; SQL: L1, L2, L3, L5 = 4; opportunity: L1, L2, L5.
    assert (overall.leads, overall.mql, overall.sql, overall.opportunities) == (6, 5, 4, 3)
    # O1 won, O2 lost, O3 open: closed 2, won 1; disqualified L4.
    assert (overall.closed, overall.won, overall.disqualified) == (2, 1, 1)
    assert overall.lead_to_mql.rate == pytest.approx(5 / 6)
    assert overall.mql_to_sql.rate == pytest.approx(4 / 5)
    assert overall.sql_to_opportunity.rate == pytest.approx(3 / 4)
    assert overall.opportunity_to_won.rate == pytest.approx(1 / 2)
    assert overall.lead_to_won.rate == pytest.approx(1 / 6)
    assert overall.bookings_minor == 1000
    assert overall.bookings_per_lead_minor == 167  # 1000 / 6 = 166.67 → 167
    assert overall.lead_to_mql.low_confidence  # n = 6 < 30


def test_sources_are_ranked_by_lead_to_won() -> None:
    _, first, second = lead_funnel(LEADS, OPPS, *YEAR)
    # web: 4 leads, 1 won (O1) → 0.25; event: 2 leads, O3 still open → 0 won.
    assert (first.source, first.leads, first.won) == ("web", 4, 1)
    assert first.lead_to_won.rate == pytest.approx(0.25)
    assert (second.source, second.leads, second.won, second.closed) == ("event", 2, 0, 0)
    assert second.opportunity_to_won.rate is None  # nothing closed yet


def test_no_leads() -> None:
    (overall,) = lead_funnel(LEADS.clear(), OPPS, *YEAR)
    assert overall.leads == 0
    assert overall.lead_to_mql.rate is None
    assert overall.bookings_per_lead_minor is None
