"""Accounts (customer companies): firmographics consistent with their segment and region.

Deals take segment, region, industry and currency from their account, so the account table is
the single place those attributes are drawn. Customer and churn dates come from the deals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from salesplan.demo.catalog import FxTable
from salesplan.demo.names import company_names, pick, serial_ids
from salesplan.demo.params import DemoParams
from salesplan.demo.sampling import weighted_choice
from salesplan.demo.timeline import BoolArray, IntArray, Timeline, date_series
from salesplan.domain.records import RecordKind, conform

REVENUE_PER_EMPLOYEE_CNY = 600_000.0
"""Median yearly revenue per employee, CNY (lognormal, sigma 0.5, per account)."""


@dataclass(frozen=True, slots=True)
class Countries:
    """All countries of all regions, flattened: parallel tuples indexed by country number."""

    codes: tuple[str, ...]
    currencies: tuple[str, ...]
    regions: tuple[int, ...]
    weights: tuple[float, ...]

    @classmethod
    def of(cls, params: DemoParams) -> Countries:
        rows = [(c.code, c.currency, i, c.weight) for i, r in enumerate(params.regions)
                for c in r.countries]  # fmt: skip
        codes, currencies, regions, weights = zip(*rows, strict=True)
        return cls(codes, currencies, regions, weights)


@dataclass(frozen=True, slots=True)
class Accounts:
    segment: IntArray
    region: IntArray
    country: IntArray
    currency: IntArray
    """Index into `FxTable.currencies`."""
    industry: IntArray
    employees: IntArray
    revenue_minor: IntArray
    """Yearly revenue in the account's currency, minor units."""
    mainland: BoolArray

    def __len__(self) -> int:
        return len(self.segment)


def build_accounts(
    params: DemoParams, n: int, fx: FxTable, timeline: Timeline, rng: np.random.Generator
) -> Accounts:
    """`n` accounts with segment and region drawn by their configured shares."""
    segment = weighted_choice(rng, [s.share for s in params.segments], n)
    region = weighted_choice(rng, [r.share for r in params.regions], n)
    countries = Countries.of(params)
    country = np.zeros(n, dtype=np.int64)
    for r in range(len(params.regions)):
        rows = np.flatnonzero(region == r)
        options = [i for i, reg in enumerate(countries.regions) if reg == r]
        pick_idx = weighted_choice(rng, [countries.weights[i] for i in options], len(rows))
        country[rows] = np.asarray(options)[pick_idx]
    currency = np.asarray([fx.index(c) for c in countries.currencies])[country]
    industry = rng.integers(0, len(params.industries), n)
    lo = np.asarray([s.employees[0] for s in params.segments], dtype=np.float64)[segment]
    hi = np.asarray([s.employees[1] for s in params.segments], dtype=np.float64)[segment]
    employees = np.floor(np.exp(rng.uniform(np.log(lo), np.log(hi)))).astype(np.int64)
    revenue_cny = employees * REVENUE_PER_EMPLOYEE_CNY * np.exp(rng.normal(0.0, 0.5, n))
    rate = fx.rate(currency, np.full(n, timeline.end_day))
    revenue_minor = (np.round(revenue_cny / rate / 10_000.0) * 1_000_000).astype(np.int64)
    mainland = np.asarray([r.mainland for r in params.regions])[region]
    return Accounts(segment, region, country, currency, industry, employees,
                    np.maximum(revenue_minor, 1_000_000), mainland)  # fmt: skip


def account_ids(n: int) -> pl.Series:
    return serial_ids("ACC-", n, 7)


def accounts_frame(
    params: DemoParams,
    accounts: Accounts,
    fx: FxTable,
    customer_since: IntArray,
    churned_on: IntArray,
    rng: np.random.Generator,
) -> pl.DataFrame:
    """The `account` frame; `customer_since`/`churned_on` are epoch days, negative for null."""
    countries = Countries.of(params)
    frame = pl.DataFrame(
        {
            "id": account_ids(len(accounts)),
            "name": company_names(rng, accounts.mainland, accounts.industry, params.industries),
            "industry": pick(params.industries, accounts.industry),
            "employees": accounts.employees,
            "annual_revenue_minor": accounts.revenue_minor,
            "currency": pick(fx.currencies, accounts.currency),
            "country": pick(countries.codes, accounts.country),
            "region": pick(tuple(r.key for r in params.regions), accounts.region),
            "segment": pick(tuple(s.key for s in params.segments), accounts.segment),
            "customer_since": date_series("customer_since", customer_since, customer_since >= 0),
            "churned_on": date_series("churned_on", churned_on, churned_on >= 0),
        }
    )
    return conform(RecordKind.ACCOUNT, frame)
