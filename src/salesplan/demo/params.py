"""The knobs of the synthetic company: every number the generator draws from lives here.

Tests derive their expectations from these values (never from generated output), so each field
says what it means and in which unit. Money is in CNY major units (yuan) unless stated; rates and
shares are fractions 0-1; durations are days unless the name says months; "odds" multipliers act
on the per-stage advance odds p / (1 - p) of a deal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SizeName = Literal["small", "medium", "1m"]


@dataclass(frozen=True, slots=True)
class SegmentParams:
    """A size band of customer; bigger bands win less often, pay more and take longer."""

    key: str
    share: float
    """Share of new-business opportunities (and of accounts) in this segment."""
    employees: tuple[int, int]
    """Head-count band [low, high) of accounts; drawn log-uniformly."""
    company_size: str
    """Label of the band as a lead form records it (`lead.company_size`)."""
    amount_median_cny: float
    """Median new-business deal amount, CNY (lognormal)."""
    amount_sigma: float
    """Sigma of log(amount)."""
    advance: tuple[float, ...]
    """Base P(advance) at each open stage, in stage order; the last one is P(win | negotiation)."""
    dwell_days: tuple[float, ...]
    """Mean days spent in each open stage (gamma distributed, shape `DemoParams.dwell_shape`)."""
    product_weights: tuple[float, ...]
    """Relative weights over `DemoParams.products` for this segment's deals."""


@dataclass(frozen=True, slots=True)
class CountryParams:
    code: str
    """ISO 3166 alpha-2."""
    currency: str
    """ISO 4217 currency of accounts, deals and amounts in this country."""
    weight: float
    """Relative weight within its region."""


@dataclass(frozen=True, slots=True)
class RegionParams:
    """A sales region; sales teams are organised by region."""

    key: str
    share: float
    """Share of opportunities, accounts and head count."""
    mainland: bool
    """Mainland China: CNY, Chinese names, Chinese competitors, plan-currency teams."""
    lunar: bool
    """Follows the lunar-new-year calendar (`DemoParams.lunar_month_weights`)."""
    utc_offset_hours: int
    """Local working hours are converted to naive UTC with this offset."""
    countries: tuple[CountryParams, ...]


@dataclass(frozen=True, slots=True)
class SourceParams:
    """A lead source / channel of new-business deals."""

    key: str
    share: float
    """Share of new-business opportunities from this source."""
    win_odds: float
    """Multiplier on every per-stage advance odds (referrals convert better than cold outbound)."""
    lead_role: str | None
    """`sdr` or `bdr` when deals arrive as leads worked by that role; None: no lead record."""
    lead_conversion: float = 0.0
    """Share of this source's leads that become an opportunity (lead quality)."""
    mql_rate: float = 0.0
    """Share of this source's non-converting leads that reach MQL."""


@dataclass(frozen=True, slots=True)
class PromotionParams:
    key: str
    share: float
    """Share of new-business deals carrying the promotion."""
    win_odds: float
    """Multiplier on every per-stage advance odds."""
    discount: tuple[float, float] | None = None
    """Uniform range of `discount_pct` (fraction of list) when the promotion is a discount."""


@dataclass(frozen=True, slots=True)
class DealTypeParams:
    key: str
    start_stage: int
    """Index into the open stages where deals of this type enter the funnel."""
    win_odds: float
    """Multiplier on every per-stage advance odds (renewals are usually kept)."""
    amount_factor: float
    """Amount relative to the segment's new-business amount (renewals: the contract's amount)."""
    pipeline: str
    """Value of `opportunity.pipeline`."""


@dataclass(frozen=True, slots=True)
class RoleParams:
    key: str
    share: float
    """Share of a sales team's non-manager seats (managers: one per team; ops: see DemoParams)."""
    ramp_months: tuple[int, int]
    """Inclusive range of `ramp_months`."""
    annual_cost_cny: float
    """Fully loaded yearly cost of a mainland hire, CNY; abroad it is `abroad_cost_factor` ×."""
    quota: bool
    """Carries an annual bookings quota (and owns opportunities)."""


@dataclass(frozen=True, slots=True)
class ProductParams:
    id: str
    name: str
    family: str
    list_price_cny: int
    """Annual list price, CNY."""
    gross_margin: float = 0.75
    """Mean margin (1 − cost ÷ price) of a won deal sold at list price (demo/costs.py)."""


def _segments() -> tuple[SegmentParams, ...]:
    w = (0.55, 0.02, 0.15, 0.05, 0.08, 0.15)
    return (
        SegmentParams("smb", 0.34, (10, 100), "1-99", 36_000, 0.55,
                      (0.80, 0.80, 0.85, 0.85, 0.80, 0.85), (4, 5, 6, 6, 7, 6), w),
        SegmentParams("lower_mid", 0.26, (100, 500), "100-499", 96_000, 0.60,
                      (0.75, 0.78, 0.82, 0.84, 0.78, 0.83), (7, 9, 10, 10, 12, 10),
                      (0.40, 0.10, 0.20, 0.10, 0.10, 0.10)),
        SegmentParams("mid_market", 0.20, (500, 2000), "500-1999", 240_000, 0.65,
                      (0.70, 0.75, 0.80, 0.82, 0.76, 0.80), (10, 14, 16, 16, 18, 16),
                      (0.20, 0.30, 0.20, 0.15, 0.10, 0.05)),
        SegmentParams("enterprise", 0.13, (2000, 10000), "2000-9999", 720_000, 0.70,
                      (0.65, 0.72, 0.78, 0.80, 0.74, 0.78), (14, 20, 24, 24, 28, 24),
                      (0.05, 0.45, 0.15, 0.20, 0.10, 0.05)),
        SegmentParams("strategic", 0.07, (10000, 200000), "10000+", 2_400_000, 0.75,
                      (0.60, 0.70, 0.76, 0.78, 0.72, 0.76), (20, 28, 34, 34, 40, 34),
                      (0.00, 0.50, 0.10, 0.25, 0.10, 0.05)),
    )  # fmt: skip


def _regions() -> tuple[RegionParams, ...]:
    c = CountryParams
    cn = (c("CN", "CNY", 1.0),)
    return (
        RegionParams("east_china", 0.20, True, True, 8, cn),
        RegionParams("north_china", 0.15, True, True, 8, cn),
        RegionParams("south_china", 0.15, True, True, 8, cn),
        RegionParams("west_china", 0.08, True, True, 8, cn),
        RegionParams("hong_kong_taiwan", 0.06, False, True, 8,
                     (c("HK", "HKD", 0.6), c("TW", "USD", 0.4))),
        RegionParams("apac", 0.13, False, False, 8,
                     (c("SG", "USD", 0.25), c("JP", "USD", 0.2), c("AU", "USD", 0.15),
                      c("KR", "USD", 0.1), c("MY", "USD", 0.1), c("TH", "USD", 0.1),
                      c("ID", "USD", 0.1))),
        RegionParams("emea", 0.12, False, False, 1,
                     (c("DE", "EUR", 0.25), c("GB", "USD", 0.2), c("FR", "EUR", 0.15),
                      c("NL", "EUR", 0.1), c("AE", "USD", 0.15), c("SA", "USD", 0.15))),
        RegionParams("americas", 0.11, False, False, -5,
                     (c("US", "USD", 0.7), c("CA", "USD", 0.15), c("BR", "USD", 0.1),
                      c("MX", "USD", 0.05))),
    )  # fmt: skip


def _sources() -> tuple[SourceParams, ...]:
    s = SourceParams
    return (
        s("inbound", 0.22, 1.00, "sdr", 0.35, 0.70),
        s("outbound", 0.22, 0.75, "bdr", 0.30, 0.50),
        s("referral", 0.10, 1.60, None),
        s("partner", 0.12, 1.30, None),
        s("event", 0.10, 0.95, "sdr", 0.22, 0.60),
        s("website", 0.14, 0.90, "sdr", 0.28, 0.60),
        s("social", 0.10, 0.80, "sdr", 0.20, 0.50),
    )


def _roles() -> tuple[RoleParams, ...]:
    r = RoleParams
    return (
        r("ae", 0.45, (3, 6), 480_000, True),
        r("am", 0.14, (2, 4), 420_000, True),
        r("sdr", 0.15, (1, 3), 200_000, False),
        r("bdr", 0.10, (1, 3), 220_000, False),
        r("csm", 0.16, (1, 3), 300_000, False),
    )


def _products() -> tuple[ProductParams, ...]:
    p = ProductParams
    return (
        p("PRD-01", "Sales Cloud Standard", "platform", 60_000, 0.85),
        p("PRD-02", "Sales Cloud Enterprise", "platform", 300_000, 0.80),
        p("PRD-03", "Revenue Analytics", "analytics", 120_000, 0.82),
        p("PRD-04", "Forecast AI", "analytics", 200_000, 0.70),
        p("PRD-05", "Implementation Services", "services", 150_000, 0.30),
        p("PRD-06", "Premium Support", "services", 50_000, 0.60),
    )


@dataclass(frozen=True, slots=True)
class DemoParams:
    """Everything configurable about the demo company; `default_params(size)` builds one."""

    size: SizeName
    n_opportunities: int
    """Exact number of opportunities generated (all types)."""
    team_size: int
    """Seats in the sales organisation at as_of (people employed is close to this)."""
    history_months: int = 36
    """History starts on the first day of the month this many months before as_of."""
    annual_growth: float = 0.20
    """Yearly growth of new-business deal creation (0.2 = +20 %/year)."""
    month_weights: tuple[float, ...] = (
        0.90, 0.92, 1.00, 0.98, 0.97, 1.02, 0.92, 0.88, 1.02, 1.10, 1.14, 1.15,
    )  # fmt: skip
    """Relative deal creation per calendar month (Jan..Dec) outside lunar regions."""
    lunar_month_weights: tuple[float, ...] = (
        0.80, 0.62, 1.02, 1.00, 0.99, 1.04, 0.95, 0.92, 1.05, 1.06, 1.15, 1.16,
    )  # fmt: skip
    """The same for lunar-calendar regions: a Chinese New Year dip in January/February."""
    weekday_weights: tuple[float, ...] = (1.0, 1.05, 1.05, 1.0, 0.9, 0.15, 0.1)
    """Relative deal and lead creation per weekday (Mon..Sun)."""
    segments: tuple[SegmentParams, ...] = field(default_factory=_segments)
    regions: tuple[RegionParams, ...] = field(default_factory=_regions)
    industries: tuple[str, ...] = (
        "software", "manufacturing", "retail", "financial_services", "healthcare",
        "education", "logistics", "energy", "real_estate", "media",
        "professional_services", "government",
    )  # fmt: skip
    sources: tuple[SourceParams, ...] = field(default_factory=_sources)
    promotions: tuple[PromotionParams, ...] = (
        PromotionParams("trial", 0.07, 1.30),
        PromotionParams("discount", 0.09, 1.40, (0.05, 0.40)),
        PromotionParams("subscription", 0.04, 1.20),
    )
    deal_types: tuple[DealTypeParams, ...] = (
        DealTypeParams("new", 0, 1.0, 1.0, "new_business"),
        DealTypeParams("expansion", 1, 1.5, 0.35, "new_business"),
        DealTypeParams("renewal", 3, 5.0, 1.0, "renewal"),
    )
    roles: tuple[RoleParams, ...] = field(default_factory=_roles)
    products: tuple[ProductParams, ...] = field(default_factory=_products)
    margin_sigma: float = 0.05
    """Std-dev of a won deal's list-price margin around its product's `gross_margin`."""
    loss_reasons: tuple[str, ...] = (
        "no_budget", "no_decision", "timing", "went_dark",
        "missing_feature", "price", "lost_to_competitor", "champion_left",
    )  # fmt: skip
    loss_reason_weights: tuple[tuple[float, ...], ...] = (
        (0.25, 0.15, 0.20, 0.30, 0.05, 0.02, 0.02, 0.01),
        (0.22, 0.15, 0.18, 0.25, 0.08, 0.05, 0.05, 0.02),
        (0.15, 0.15, 0.15, 0.20, 0.15, 0.08, 0.08, 0.04),
        (0.10, 0.15, 0.10, 0.15, 0.20, 0.10, 0.15, 0.05),
        (0.05, 0.15, 0.08, 0.07, 0.10, 0.30, 0.20, 0.05),
        (0.03, 0.15, 0.07, 0.05, 0.05, 0.35, 0.25, 0.05),
    )
    """Per open stage (rows), relative weights over `loss_reasons` for deals lost there."""
    competitors: tuple[str, ...] = (
        "Huayun CRM", "Zhiqi Cloud", "Tianyu Soft", "Apex Cloud", "BrightDesk", "Northstar Suite",
    )  # fmt: skip
    """Fictional competitors; the first three are strong in mainland China."""
    competitor_weights_mainland: tuple[float, ...] = (0.30, 0.25, 0.20, 0.10, 0.10, 0.05)
    competitor_weights_abroad: tuple[float, ...] = (0.05, 0.05, 0.05, 0.30, 0.30, 0.25)
    competitor_named_share: float = 0.25
    """Share of price / missing-feature losses that still name a competitor."""
    competitor_win_odds: tuple[float, ...] = (0.55, 0.80, 1.00, 0.45, 0.60, 0.90)
    """Per competitor: won deals naming them ÷ lost deals naming them (planted; win rate
    against them = odds ÷ (1 + odds): 35 %, 44 %, 50 %, 31 %, 38 %, 47 %)."""
    disqualify_reasons: tuple[str, ...] = (
        "no_budget", "no_authority", "no_need", "bad_timing",
        "competitor", "student_or_job_seeker", "duplicate", "unreachable",
    )  # fmt: skip

    # --- the sales organisation -------------------------------------------------------------
    people_per_team: int = 10
    """Target seats per regional team (one manager each); small companies get two teams."""
    ops_share: float = 0.04
    """Share of seats in revenue operations (at least one), reporting to the head of sales."""
    initial_seat_share: float = 0.68
    """Share of team seats that exist at history start; the rest open evenly during history."""
    attrition_per_year: float = 0.15
    """Probability that a person leaves within a year (exponential tenure)."""
    handover_days: tuple[int, int] = (0, 30)
    """A leaver's successor starts this many days before the leaver's last day."""
    abroad_cost_factor: float = 1.8
    """Cost of a hire outside mainland China relative to `RoleParams.annual_cost_cny`."""
    manager_cost_cny: float = 900_000
    ops_cost_cny: float = 360_000
    manager_ramp_months: tuple[int, int] = (2, 4)
    ops_ramp_months: tuple[int, int] = (1, 2)
    skill_sigma: float = 0.35
    """Std-dev of a quota carrier's skill, in log-odds added to every stage's advance odds."""
    ramp_start_odds: float = 0.75
    """Odds multiplier for deals created on a rep's first day; rises linearly to 1 at ramp end."""
    quota_stretch: float = 1.15
    """Quota = last-12-month bookings per quota carrier of the role × this (× ±10 % per person)."""

    # --- deals -----------------------------------------------------------------------------------
    new_share: float = 0.72
    """Share of opportunities that are new business; renewals follow from customers and
    expansions fill the rest up to `n_opportunities`."""
    deals_per_account: float = 1.25
    """New-business deals per engaged account (some accounts are pitched more than once)."""
    prospect_account_share: float = 0.10
    """Extra accounts without any opportunity, relative to engaged accounts."""
    dwell_shape: int = 2
    """Erlang (integer gamma) shape of a stage's dwell time, coefficient of variation
    1/sqrt(shape); integer so the truth can use the closed-form survival function. Advancing
    and losing take the same time, so only quarter-end timing makes a wait informative."""
    stall_share: float = 0.07
    """Share of deals that stall in one (uniformly chosen) stage of their path."""
    stall_dwell: tuple[float, float] = (4.0, 10.0)
    """A stalled stage lasts this many times its normal dwell (uniform)."""
    stall_odds: float = 0.35
    """Odds multiplier of advancing out of the stalled stage."""
    zombie_share: float = 0.30
    """Share of stalled deals that are forgotten: their stalled stage lasts `zombie_days` more."""
    zombie_days: tuple[float, float] = (180.0, 900.0)
    """Extra days (uniform) a forgotten deal sits in its stalled stage; many are open at as_of."""
    hockey_stick_share: float = 0.35
    """Share of wins falling in the first two months of a quarter pushed to its last two weeks."""
    late_loss_share: float = 0.30
    """Share of losses in a quarter's last month declared in the next quarter's first 10 days."""
    close_date_optimism: tuple[float, float] = (0.45, 0.85)
    """Stated close date = stage entry + this fraction (uniform per deal) of the expected
    remaining days: reps are optimistic, so true closes slip past stated ones."""
    close_date_update_share: float = 0.55
    """Share of open deals whose stated close date has passed that the rep pushed out."""
    close_date_push_days: tuple[int, int] = (7, 45)
    """A pushed close date lands this many days after as_of (uniform)."""
    missing_amount_share: float = 0.12
    """Share of open deals in the first two stages without an amount."""
    zero_amount_lost_share: float = 0.08
    """Share of lost deals whose amount the CRM zeroed on loss."""
    omitted_share: float = 0.03
    """Share of open deals in forecast category `omitted`."""
    stale_omitted_share: float = 0.40
    """The same for stale open deals: in their stage over 3× its mean dwell and 60 days."""
    next_step_share: float = 0.85
    """Share of open deals with a next step and a next-step date (the rest: hygiene gap)."""
    next_step_overdue_share: float = 0.20
    """Share of those next-step dates already in the past at as_of."""
    renewal_lead_days: tuple[int, int] = (30, 90)
    """A renewal is opened this many days before the contract anniversary (uniform)."""
    renewal_uplift_sigma: float = 0.10
    """Sigma of log(renewal amount / contract amount); mean uplift exp(0.03)."""
    expansion_delay_days: int = 60
    """Expansions start this many days after an account becomes a customer."""

    # --- leads and activities ------------------------------------------------------------------
    lead_cap: int = 2_000_000
    """Upper bound on leads; non-converted leads are thinned to respect it."""
    unworked_lead_share: float = 0.10
    """Share of non-converted leads nobody ever qualifies or disqualifies (status stays new)."""
    lead_step_days: tuple[float, float, float] = (3.0, 7.0, 5.0)
    """Mean days created→MQL, MQL→SQL, SQL→converted (exponential)."""
    activities_per_stage: tuple[float, ...] = (1.2, 1.0, 1.0, 1.2, 1.0, 1.0)
    """Mean activities logged per open stage entered (Poisson)."""
    activities_per_lead: float = 0.8
    csm_touches_per_quarter: float = 1.0
    """Mean customer-success activities per customer account per 91 days."""
    activity_cap: int = 5_000_000
    """Upper bound on activities; per-deal and per-lead means are scaled down to respect it."""

    # --- money ---------------------------------------------------------------------------------
    plan_currency: str = "CNY"
    fx_base: tuple[tuple[str, float], ...] = (("USD", 7.10), ("EUR", 7.75), ("HKD", 0.91))
    """CNY per unit of currency at history start."""
    fx_monthly_sigma: float = 0.004
    """Std-dev of the monthly log change of each rate (random walk)."""

    @property
    def open_stage_count(self) -> int:
        return len(self.segments[0].advance)


_SIZES: dict[str, tuple[int, int, int, int]] = {
    # opportunities, team seats, lead cap, activity cap (the caps keep 1m within memory)
    "small": (3_000, 25, 2_000_000, 5_000_000),
    "medium": (50_000, 80, 2_000_000, 5_000_000),
    "1m": (1_000_000, 1_500, 1_500_000, 3_000_000),
}


def default_params(size: SizeName) -> DemoParams:
    """The documented default company for a dataset size (see docs/demo-data.md)."""
    if size not in _SIZES:
        raise ValueError(f"unknown demo size {size!r}; expected one of {sorted(_SIZES)}")
    n_opportunities, team_size, lead_cap, activity_cap = _SIZES[size]
    return DemoParams(
        size=size,
        n_opportunities=n_opportunities,
        team_size=team_size,
        lead_cap=lead_cap,
        activity_cap=activity_cap,
    )
