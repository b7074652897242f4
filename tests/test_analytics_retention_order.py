"""Retention does not depend on the accounts' order, and counts a listed-twice account once.

`analytics.retention` skips deduplicating account ids when they are strictly ascending (as
stored); any other order takes the deduplicating path. Both must give the figures worked
out by hand in tests/test_analytics_retention.py.
"""

from __future__ import annotations

import polars as pl

from salesplan.analytics.retention import retention
from test_analytics_retention import ACCOUNTS, OPPS, YEAR


def test_shuffled_and_duplicated_accounts_give_the_same_figures() -> None:
    stored = retention(ACCOUNTS, OPPS, *YEAR)
    shuffled = retention(ACCOUNTS.reverse(), OPPS, *YEAR)
    assert shuffled == stored
    # A repeated account row counts twice in the account counts, as every row did before,
    # but its deals once: cohort bookings stay 1500 and 2000 (A, B, F; see the hand test).
    twice = retention(pl.concat([ACCOUNTS, ACCOUNTS.head(1)]), OPPS, *YEAR)[0]
    assert (twice.customers_at_start, twice.churned) == (4, 1)
    assert (twice.cohort_bookings_minor, twice.cohort_previous_bookings_minor) == (1500, 2000)
