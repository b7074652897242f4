"""A hand-made workspace for the review tests: few deals, round numbers, a stored plan.

Everything is CNY (2 decimals, minor unit = fen). The plan's 2026 bookings goal is
¥1,200,000.00; no calendar year of history, so seasonality is flat and every month's target
is ¥100,000.00 (10,000,000 fen).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from salesplan.config import Settings
from salesplan.domain.records import RecordKind
from salesplan.domain.stages import DEFAULT_STAGES
from salesplan.services.plan_store import store_version
from salesplan.services.store import open_store
from salesplan.storage import records

D = dt.date
CODES = {s.key: s.code for s in DEFAULT_STAGES.stages}

# id, region, segment, owner, amount (yuan), stage, created, close date (= closed on when
# the stage is closed)
WON_AND_LOST: list[tuple[Any, ...]] = [
    ("W1", "east", "smb", "E1", 100_000, "closed_won", D(2026, 1, 2), D(2026, 1, 15)),
    ("W2", "north", "smb", "E2", 50_000, "closed_won", D(2026, 1, 5), D(2026, 2, 10)),
    ("W3", "east", "enterprise", "E1", 200_000, "closed_won", D(2026, 2, 1), D(2026, 4, 10)),
    ("W4", "north", "enterprise", "E2", 50_000, "closed_won", D(2026, 3, 1), D(2026, 5, 20)),
    ("L1", "east", "smb", "E1", 50_000, "closed_lost", D(2026, 2, 1), D(2026, 4, 20)),
]  # fmt: skip
OPEN_1: list[tuple[Any, ...]] = [
    ("O1", "east", "smb", "E1", 100_000, "proposal", D(2026, 3, 1), D(2026, 6, 15)),
    ("O2", "north", "smb", "E2", 40_000, "qualification", D(2026, 3, 2), D(2026, 8, 10)),
    ("O4", "east", "enterprise", "E1", 50_000, "demo", D(2026, 3, 3), D(2026, 6, 5)),
    ("O5", "north", "enterprise", "E2", 30_000, "needs_analysis", D(2026, 3, 4), D(2026, 6, 10)),
]  # fmt: skip
# The next export, a week later: O1 won, O2 pulled into June, O3 new, O4 slipped to July,
# O5's amount up from ¥30,000 to ¥45,000.
SNAPSHOT_2: list[tuple[Any, ...]] = [
    ("O1", "east", "smb", "E1", 100_000, "closed_won", D(2026, 3, 1), D(2026, 5, 25)),
    ("O2", "north", "smb", "E2", 40_000, "qualification", D(2026, 3, 2), D(2026, 6, 20)),
    ("O3", "east", "smb", "E1", 10_000, "prospecting", D(2026, 5, 26), D(2026, 6, 30)),
    ("O4", "east", "enterprise", "E1", 50_000, "demo", D(2026, 3, 3), D(2026, 7, 15)),
    ("O5", "north", "enterprise", "E2", 45_000, "needs_analysis", D(2026, 3, 4), D(2026, 6, 10)),
]  # fmt: skip

PLAN = """\
schema_version: 1
type: annual
year: 2026
language: en
title: Plan 2026
currency: CNY
starts: 2026-01-01
ends: 2026-12-31
goals:
  - {id: G1, level: top, title: Book more, metric: bookings, target: "1200000.00", unit: money,
     due: 2026-12-31}
kpis:
  - {id: bookings, target: "1200000.00", thresholds: {on_track: 0.9, at_risk: 0.7}}
  - {id: win_rate, target: 0.8}
  - {id: pipeline_created}
initiatives:
  - {id: I1, title: Faster demos, owner: Ann, deadline: 2026-06-30, status: in_progress}
actions:
  - {id: A1, title: Write the demo script, owner: Bob, deadline: 2026-05-01, status: todo,
     initiative: I1}
  - {id: A2, title: Record a demo, owner: Ann, deadline: 2026-04-01, status: done, initiative: I1}
  - {id: A3, title: Old idea, owner: Ann, deadline: 2026-03-01, status: dropped, initiative: I1}
  - {id: A4, title: Clean the CRM, owner: Cy, deadline: 2026-05-11, status: in_progress}
"""


def _frame(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    status = {"closed_won": "won", "closed_lost": "lost"}
    return pl.DataFrame(
        {
            "id": [r[0] for r in rows],
            "name": [f"Deal {r[0]}" for r in rows],
            "owner_id": [r[3] for r in rows],
            "amount_minor": [r[4] * 100 for r in rows],
            "currency": ["CNY"] * len(rows),
            "created_on": [r[6] for r in rows],
            "close_date": [r[7] for r in rows],
            "closed_on": [r[7] if r[5].startswith("closed") else None for r in rows],
            "stage": [r[5] for r in rows],
            "stage_code": [CODES[r[5]] for r in rows],
            "status": [status.get(r[5], "open") for r in rows],
            "segment": [r[2] for r in rows],
            "region": [r[1] for r in rows],
            "type": ["new"] * len(rows),
        }
    )


def write_snapshot(settings: Settings, rows: list[tuple[Any, ...]], as_of: dt.date) -> None:
    """One import batch of opportunities (upserted by id, with a snapshot row each), the
    same write an import of a CRM export makes."""
    engine = open_store(settings)
    try:
        with engine.begin() as conn:
            records.replace_stages(conn, DEFAULT_STAGES)
            batch = records.create_batch(
                conn, kind="opportunity", source=f"export-{as_of}.csv", as_of=as_of,
                row_count=len(rows),
            )  # fmt: skip
            records.write_records(conn, RecordKind.OPPORTUNITY, _frame(rows), batch)
    finally:
        engine.dispose()


def hand_workspace(settings: Settings) -> None:
    """The first export (data as of 2026-05-20) and the plan as version 1."""
    write_snapshot(settings, WON_AND_LOST + OPEN_1, D(2026, 5, 20))
    store_version(settings, PLAN, author="lead", reason="first plan")
