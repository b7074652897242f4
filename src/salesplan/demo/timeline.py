"""The calendar of the demo: history window, seasonal sampling of dates, date/time conversion.

Internally every instant is a float "epoch day" (days since 1970-01-01, local time of the deal's
region); the fractional part is mapped onto working hours 09:00-18:00 when written out, so a
strictly increasing sequence of instants stays strictly increasing as timestamps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_EPOCH = dt.date(1970, 1, 1)
_US_PER_DAY = 86_400_000_000
_WORK_START_US = 9 * 3_600_000_000
_WORK_SPAN_US = 9 * 3_600_000_000


def epoch_day(day: dt.date) -> int:
    """Days since 1970-01-01."""
    return (day - _EPOCH).days


def from_epoch_day(day: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(day))


@dataclass(frozen=True, slots=True)
class Timeline:
    """History window: [first day of the month `months` before as_of, as_of] inclusive."""

    start: dt.date
    as_of: dt.date

    @classmethod
    def ending(cls, as_of: dt.date, months: int) -> Timeline:
        index = as_of.year * 12 + (as_of.month - 1) - months
        return cls(dt.date(index // 12, index % 12 + 1, 1), as_of)

    @property
    def start_day(self) -> int:
        return epoch_day(self.start)

    @property
    def end_day(self) -> int:
        """Epoch day of as_of (inclusive)."""
        return epoch_day(self.as_of)

    @property
    def cutoff(self) -> float:
        """First instant after as_of: anything at or after it has not happened yet."""
        return float(self.end_day + 1)

    def days(self) -> IntArray:
        """Every epoch day of the history, in order."""
        return np.arange(self.start_day, self.end_day + 1, dtype=np.int64)

    def month_starts(self) -> IntArray:
        """Epoch day of the first of each month from history start to as_of's month."""
        months = np.arange(month_index(np.array([self.start_day]))[0],
                           month_index(np.array([self.end_day]))[0] + 1)  # fmt: skip
        return month_start(months)


def month_index(days: npt.NDArray[np.int64] | FloatArray) -> IntArray:
    """Months since 1970-01 of each epoch day (January 1970 = 0, so quarters align on 3)."""
    d = np.floor(days).astype("datetime64[D]")
    return d.astype("datetime64[M]").astype(np.int64)


def month_start(months: IntArray) -> IntArray:
    """Epoch day of the first day of each month index."""
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def weekday(days: IntArray) -> IntArray:
    """0 = Monday .. 6 = Sunday (1970-01-01 was a Thursday)."""
    return (days + 3) % 7


def creation_weights(
    timeline: Timeline,
    month_weights: tuple[float, ...],
    weekday_weights: tuple[float, ...],
    annual_growth: float,
) -> FloatArray:
    """Relative creation intensity of each history day: season × weekday × yearly growth."""
    days = timeline.days()
    month_of_year = month_index(days) % 12
    years = (days - timeline.start_day) / 365.25
    w = (
        np.asarray(month_weights)[month_of_year]
        * np.asarray(weekday_weights)[weekday(days)]
        * (1.0 + annual_growth) ** years
    )
    return np.asarray(w / w.sum(), dtype=np.float64)


def sample_days(rng: np.random.Generator, n: int, weights: FloatArray, first_day: int) -> IntArray:
    """Draw `n` epoch days with the given per-day probabilities (weights start at first_day)."""
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    idx = np.searchsorted(cdf, rng.random(n), side="right")
    return np.minimum(idx, len(weights) - 1).astype(np.int64) + first_day


def date_series(
    name: str, days: npt.NDArray[np.int64] | FloatArray, valid: BoolArray | None = None
) -> pl.Series:
    """Epoch days (floored) as a `pl.Date` series; rows where `valid` is False are null."""
    values = np.floor(days).astype(np.int32) if days.dtype.kind == "f" else days.astype(np.int32)
    series = pl.Series(name, values).cast(pl.Date)
    return with_nulls(series, valid)


def timestamp_series(name: str, t: FloatArray, utc_offset_hours: IntArray) -> pl.Series:
    """Instants (epoch days, local) → naive-UTC `Datetime("us")` within local working hours."""
    day = np.floor(t)
    local_us = (
        day.astype(np.int64) * _US_PER_DAY
        + _WORK_START_US
        + ((t - day) * _WORK_SPAN_US).astype(np.int64)
    )
    utc_us = local_us - utc_offset_hours.astype(np.int64) * 3_600_000_000
    return pl.Series(name, utc_us).cast(pl.Datetime("us"))


def with_nulls(series: pl.Series, valid: BoolArray | None) -> pl.Series:
    """`series` with nulls where `valid` is False (no-op for None)."""
    if valid is None or bool(valid.all()):
        return series
    return series.to_frame().select(
        pl.when(pl.Series(valid)).then(pl.col(series.name)).otherwise(None).alias(series.name)
    )[series.name]
