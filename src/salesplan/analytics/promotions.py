"""Promotions against comparable deals without one, with the segment mix held fixed.

Among deals closed in [start, end) (`promotion` null or empty = no promotion):

- per promotion P: win rate = won ÷ closed (Rate, Wilson 95%), mean `discount_pct` of its
  deals that carry one, average won deal (minor units) and median cycle days of won deals;
- comparable deals: closed deals without a promotion in the strata where P sold, a stratum
  being segment × deal type (so renewals never stand in for new deals). P's mix
  wᵢ = P's closed deals in stratum i ÷ P's closed deals in strata that have comparable
  deals (`coverage` = that share of P's deals).
  Adjusted comparable win rate = Σ wᵢ·(won₀ᵢ ÷ n₀ᵢ); adjusted average deal =
  Σ wᵢ·avg won₀ᵢ (exact fraction rounded half-even to minor units; weights renormalised
  over strata with a comparable win); adjusted cycle = Σ wᵢ·median cycle₀ᵢ likewise.
  `comparable` is the plain Rate of those comparable deals (its n and interval);
  lift = P's win rate on its deals that have comparables − the adjusted comparable rate (points).
- guardrail breaches: deals (closed in the period or still open) whose `discount_pct` is
  above the maximum discount of their promotion, per owner and promotion, worst first.
- margin, only where cost is known: `cost_plan_minor` is each deal's cost (canonical
  `cost_minor`) in plan-currency minor units, as services.overview converts it. Without that
  column, or when no deal at all has a cost, `promotion_margins` returns None (needs input).
  Otherwise, over won deals with a known cost and a positive amount:
  margin = Σ (amount − cost) ÷ Σ amount (revenue-weighted, exact), for each promotion and for
  the won deals without a promotion; `unknown_cost` counts won deals without a cost.
  Margins differ far more by product than by anything else, so each promotion also gets the
  margin of deals without a promotion at its own product mix: with Aₖ its costed revenue in
  product k and M₀ₖ the margin without a promotion in k, comparable_margin =
  Σₖ Aₖ·M₀ₖ ÷ Σₖ Aₖ over the products that have such deals (`mix_coverage` = that share of
  its revenue; a null product is one more product).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from fractions import Fraction

import polars as pl

from salesplan.analytics.baseline import closed_in, mean_minor
from salesplan.analytics.rates import Rate, rate

NULL_SEGMENT = "\x00none"
COST_COLUMN = "cost_plan_minor"
NO_PROMOTION = ""
"""Key of the won deals without a promotion in `promotion_margins`."""


@dataclass(frozen=True, slots=True)
class PromotionRow:
    promotion: str
    win_rate: Rate
    comparable: Rate
    comparable_win_rate_adjusted: float | None
    lift: float | None
    coverage: float
    discount_mean: float | None
    discount_n: int
    avg_deal_minor: int | None
    comparable_avg_deal_minor: int | None
    cycle_median_days: float | None
    comparable_cycle_days: float | None
    max_discount: float | None


@dataclass(frozen=True, slots=True)
class Breach:
    owner_id: str | None
    promotion: str
    max_discount: float
    deals: int
    amount_minor: int
    worst_discount: float
    deal_ids: list[str]


@dataclass(frozen=True, slots=True)
class Promotions:
    rows: list[PromotionRow]
    breaches: list[Breach]


@dataclass(frozen=True, slots=True)
class _Stratum:
    closed: int
    won: int
    won_minor: int
    cycle_median: float | None


def _strata(deals: pl.DataFrame) -> dict[str, _Stratum]:
    won = pl.col("status") == "won"
    cycle = (pl.col("closed_on") - pl.col("created_on")).dt.total_days().filter(won)
    table = (
        deals.with_columns(
            pl.concat_str(
                pl.col("segment").fill_null(NULL_SEGMENT),
                pl.col("type").fill_null(NULL_SEGMENT),
                separator="|",
            ).alias("stratum")
        )
        .group_by("stratum")
        .agg(
            pl.len().cast(pl.Int64).alias("closed"),
            won.sum().cast(pl.Int64).alias("won"),
            pl.col("amount_plan_minor").filter(won).sum().cast(pl.Int64).alias("won_minor"),
            cycle.median().alias("cycle"),
        )
    )
    return {
        r["stratum"]: _Stratum(r["closed"], r["won"], r["won_minor"] or 0, r["cycle"])
        for r in table.iter_rows(named=True)
    }


def _weighted(pairs: list[tuple[int, Fraction]]) -> Fraction | None:
    """Σ weight·value with the weights renormalised to sum to one; None without pairs."""
    total = sum(weight for weight, _ in pairs)
    if total == 0:
        return None
    return sum((Fraction(weight, total) * value for weight, value in pairs), Fraction(0))


def _lift(
    mine: dict[str, _Stratum], covered: dict[str, int], adjusted: Fraction | None
) -> float | None:
    """The promotion's win rate over the strata that have comparables, minus theirs: both
    sides on the same deals (strata without comparables would bias the difference)."""
    closed = sum(covered.values())
    if adjusted is None or closed == 0:
        return None
    won = sum(mine[k].won for k in covered)
    return won / closed - float(adjusted)


def _row(
    name: str, promo: pl.DataFrame, base: dict[str, _Stratum], max_discount: float | None
) -> PromotionRow:
    mine = _strata(promo)
    closed = sum(s.closed for s in mine.values())
    won = sum(s.won for s in mine.values())
    covered = {k: s.closed for k, s in mine.items() if k in base and base[k].closed}
    rate_pairs = [(n, Fraction(base[k].won, base[k].closed)) for k, n in covered.items()]
    deal_pairs = [
        (n, Fraction(base[k].won_minor, base[k].won)) for k, n in covered.items() if base[k].won
    ]
    cycle_pairs = [
        (n, Fraction(base[k].cycle_median or 0.0))
        for k, n in covered.items()
        if base[k].cycle_median is not None
    ]
    adjusted = _weighted(rate_pairs)
    avg_deal = _weighted(deal_pairs)
    cycle = _weighted(cycle_pairs)
    comparable_n = sum(base[k].closed for k in covered)
    comparable_won = sum(base[k].won for k in covered)
    own = rate(won, closed)
    discounts = promo["discount_pct"].drop_nulls()
    won_deals = promo.filter(pl.col("status") == "won")
    own_cycle = (won_deals["closed_on"] - won_deals["created_on"]).dt.total_days().median()
    return PromotionRow(
        promotion=name,
        win_rate=own,
        comparable=rate(comparable_won, comparable_n),
        comparable_win_rate_adjusted=float(adjusted) if adjusted is not None else None,
        lift=_lift(mine, covered, adjusted),
        coverage=sum(covered.values()) / closed if closed else 0.0,
        discount_mean=float(discounts.mean()) if discounts.len() else None,  # type: ignore[arg-type]
        discount_n=discounts.len(),
        avg_deal_minor=mean_minor(int(won_deals["amount_plan_minor"].sum()), won_deals.height),
        comparable_avg_deal_minor=round(avg_deal) if avg_deal is not None else None,
        cycle_median_days=float(own_cycle) if own_cycle is not None else None,  # type: ignore[arg-type]
        comparable_cycle_days=float(cycle) if cycle is not None else None,
        max_discount=max_discount,
    )


def promotion_comparison(
    opportunities: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    max_discount: Mapping[str, float] | None = None,
) -> Promotions:
    """Each promotion against comparable deals, and guardrail breaches (see module doc)."""
    limits = dict(max_discount or {})
    # Codes are compared trimmed everywhere (" trial" is the trial), as promotion_margins does.
    opportunities = opportunities.with_columns(pl.col("promotion").str.strip_chars())
    promoted = pl.col("promotion").is_not_null() & (pl.col("promotion") != "")
    closed = closed_in(opportunities, start, end)
    base = _strata(closed.filter(~promoted.fill_null(False)))
    names = sorted(closed.filter(promoted)["promotion"].unique().to_list())
    rows = [
        _row(name, closed.filter(pl.col("promotion") == name), base, limits.get(name))
        for name in names
    ]
    return Promotions(rows, _breaches(opportunities, closed, limits))


def _breaches(
    opportunities: pl.DataFrame, closed: pl.DataFrame, limits: Mapping[str, float]
) -> list[Breach]:
    if not limits:
        return []
    open_deals = opportunities.filter(pl.col("status") == "open")
    deals = pl.concat([closed, open_deals], how="vertical_relaxed")
    limit = pl.col("promotion").replace_strict(limits, default=None, return_dtype=pl.Float64)
    over = deals.with_columns(limit.alias("max_discount")).filter(
        pl.col("max_discount").is_not_null() & (pl.col("discount_pct") > pl.col("max_discount"))
    )
    grouped = (
        over.group_by("owner_id", "promotion", "max_discount")
        .agg(
            pl.len().cast(pl.Int64).alias("deals"),
            pl.col("amount_plan_minor").fill_null(0).sum().cast(pl.Int64).alias("amount"),
            pl.col("discount_pct").max().alias("worst"),
            pl.col("id").sort().alias("ids"),
        )
        .sort(["worst", "owner_id", "promotion"], descending=[True, False, False])
    )
    return [
        Breach(
            owner_id=r["owner_id"],
            promotion=r["promotion"],
            max_discount=r["max_discount"],
            deals=r["deals"],
            amount_minor=r["amount"],
            worst_discount=r["worst"],
            deal_ids=list(r["ids"]),
        )
        for r in grouped.iter_rows(named=True)
    ]


@dataclass(frozen=True, slots=True)
class Margin:
    deals: int
    """Won deals with a known cost and a positive amount."""
    unknown_cost: int
    amount_minor: int
    margin_minor: int
    """Σ (amount − cost)."""
    margin: float | None
    """margin_minor ÷ amount_minor."""
    comparable_margin: float | None = None
    """Margin of won deals without a promotion at this promotion's product mix (module doc)."""
    mix_coverage: float | None = None
    """Share of amount_minor in products that have won deals without a promotion."""


def _known(won: pl.DataFrame) -> pl.DataFrame:
    return won.filter(pl.col(COST_COLUMN).is_not_null() & (pl.col("amount_plan_minor") > 0))


def _margin(won: pl.DataFrame) -> Margin:
    known = _known(won)
    amount = int(known["amount_plan_minor"].sum() or 0)
    cost = int(known[COST_COLUMN].sum() or 0)
    margin = float(Fraction(amount - cost, amount)) if amount else None
    unknown = won.filter(pl.col(COST_COLUMN).is_null()).height
    return Margin(known.height, unknown, amount, amount - cost, margin)


def _by_product(won: pl.DataFrame) -> dict[str, tuple[int, int]]:
    """product → (Σ amount, Σ cost) of the won deals with a known cost and a positive amount."""
    table = (
        _known(won)
        .group_by("_product")
        .agg(pl.col("amount_plan_minor").sum(), pl.col(COST_COLUMN).sum())
    )
    return {k: (int(a), int(c)) for k, a, c in table.iter_rows()}


def _mix_adjusted(margin: Margin, own: pl.DataFrame, base: dict[str, tuple[int, int]]) -> Margin:
    mine = _by_product(own)
    shared = [k for k in mine if k in base]
    pairs = [(mine[k][0], Fraction(base[k][0] - base[k][1], base[k][0])) for k in shared]
    adjusted = _weighted(pairs)
    covered = sum(mine[k][0] for k in shared)
    return replace(
        margin,
        comparable_margin=None if adjusted is None else float(adjusted),
        mix_coverage=covered / margin.amount_minor if margin.amount_minor else None,
    )


def promotion_margins(
    opportunities: pl.DataFrame, start: dt.date, end: dt.date
) -> dict[str, Margin] | None:
    """Margin per promotion and for won deals without one (key NO_PROMOTION), of deals won
    in [start, end); None when no deal in the data has a cost (see module doc)."""
    if COST_COLUMN not in opportunities.columns or opportunities[COST_COLUMN].is_null().all():
        return None
    won = closed_in(opportunities, start, end).filter(pl.col("status") == "won")
    code = pl.col("promotion").fill_null("").str.strip_chars()
    product = pl.col("product") if "product" in won.columns else pl.lit(None, pl.String)
    keyed = won.with_columns(
        code.alias("_promotion"), product.cast(pl.String).fill_null(NULL_SEGMENT).alias("_product")
    )
    base = _by_product(keyed.filter(pl.col("_promotion") == NO_PROMOTION))
    margins: dict[str, Margin] = {}
    for key in sorted(keyed["_promotion"].unique().to_list()):
        own = keyed.filter(pl.col("_promotion") == key)
        margin = _margin(own)
        margins[key] = margin if key == NO_PROMOTION else _mix_adjusted(margin, own, base)
    return margins
