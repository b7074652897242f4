"""Pipeline hygiene (pipeline 卫生): open deals a forecast should not trust blindly.

Flags per open deal at the as-of date:
- `no_next_step`: no next step text or no next-step date;
- `past_close_date`: the stated close date is before the as-of date;
- `stale_in_stage`: days in the current stage beyond the stage's historical p90 (completed stays);
- `no_recent_activity`: no activity for more than `inactive_days` days (or none recorded);
- `close_date_pushed`: the stated close date moved later at least twice (stage events, then
  the current value);
- `missing_amount`: no amount, or zero.
Counts per owner and the share of open pipeline value on flagged deals (which lowers the
forecast's confidence).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from salesplan.forecast.calibrated import stay_bands
from salesplan.forecast.history import History, current_pipeline

FLAGS = (
    "no_next_step",
    "past_close_date",
    "stale_in_stage",
    "no_recent_activity",
    "close_date_pushed",
    "missing_amount",
)
DEFAULT_INACTIVE_DAYS = 30
PUSHES_FLAGGED = 2


@dataclass(frozen=True)
class Hygiene:
    deals: pl.DataFrame
    """One row per open deal: opportunity_id, owner_id, stage_code, amount_plan_minor,
    close_date, days_in_stage, pushes, one boolean column per flag and `issues` (count)."""
    owners: pl.DataFrame
    """owner_id, open, flagged and one count column per flag."""
    flagged_share: float | None
    """Share of open pipeline value (amounts as stated) on deals with any flag."""
    inactive_days: int


def close_date_pushes(history: History) -> pl.DataFrame:
    """opportunity_id, pushes: times the stated close date moved later (events, then now)."""
    now = history.opportunities.select(
        pl.col("id").alias("opportunity_id"),
        pl.lit(dt.datetime(9999, 1, 1)).alias("entered_at"),
        "close_date",
    )
    ev = history.events.filter(pl.col("status") == "open").select(
        "opportunity_id", "entered_at", "close_date"
    )
    both = pl.concat([ev, now], how="vertical_relaxed").sort("opportunity_id", "entered_at")
    later = pl.col("close_date") > pl.col("close_date").shift(1).over("opportunity_id")
    return (
        both.with_columns(later.fill_null(False).alias("_pushed"))
        .group_by("opportunity_id")
        .agg(pl.col("_pushed").sum().cast(pl.Int64).alias("pushes"))
    )


def pipeline_hygiene(history: History, inactive_days: int = DEFAULT_INACTIVE_DAYS) -> Hygiene:
    as_of = history.as_of
    deals = current_pipeline(history)
    bands = stay_bands(history, as_of + dt.timedelta(days=1)).select("stage_code", "p90")
    deals = deals.join(bands, on="stage_code", how="left").join(
        close_date_pushes(history), on="opportunity_id", how="left"
    )
    next_step = pl.col("next_step").fill_null("").str.strip_chars()
    flags = {
        "no_next_step": (next_step == "") | pl.col("next_step_date").is_null(),
        "past_close_date": pl.col("close_date").is_not_null() & (pl.col("close_date") < as_of),
        "stale_in_stage": pl.col("p90").is_not_null() & (pl.col("days_in_stage") > pl.col("p90")),
        "no_recent_activity": pl.col("last_activity_on").is_null()
        | ((pl.lit(as_of) - pl.col("last_activity_on")).dt.total_days() > inactive_days),
        "close_date_pushed": pl.col("pushes").fill_null(0) >= PUSHES_FLAGGED,
        "missing_amount": pl.col("amount_plan_minor").is_null()
        | (pl.col("amount_plan_minor") <= 0),
    }
    deals = deals.with_columns(
        *(expr.fill_null(False).alias(name) for name, expr in flags.items()),
        pl.col("pushes").fill_null(0),
    ).with_columns(pl.sum_horizontal(*(pl.col(f).cast(pl.Int32) for f in FLAGS)).alias("issues"))
    deals = deals.select(
        "opportunity_id", "owner_id", "stage_code", "amount_plan_minor", "close_date",
        "days_in_stage", "pushes", *FLAGS, "issues",
    ).sort("issues", "opportunity_id", descending=[True, False])  # fmt: skip
    owners = (
        deals.group_by("owner_id")
        .agg(
            pl.len().alias("open"),
            (pl.col("issues") > 0).sum().alias("flagged"),
            *(pl.col(f).sum().alias(f) for f in FLAGS),
        )
        .sort("flagged", "owner_id", descending=[True, False], nulls_last=True)
    )
    value = deals["amount_plan_minor"].fill_null(0)
    total = int(value.sum())
    flagged = int(value.filter(deals["issues"] > 0).sum())
    share = flagged / total if total > 0 else None
    return Hygiene(deals, owners, share, inactive_days)
