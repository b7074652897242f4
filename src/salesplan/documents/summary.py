"""Page one: the executive summary (target, forecast range, odds, gaps, initiatives)."""

from __future__ import annotations

from salesplan.analytics.assessment import Finding
from salesplan.documents.inputs import ReportInputs
from salesplan.documents.model import (
    Block,
    Bullets,
    Facts,
    Label,
    Missing,
    Money,
    Msg,
    Number,
    Paragraph,
    Percent,
    Section,
    Value,
    _t,
)
from salesplan.documents.plan_sections import (
    GAPS_COMMAND,
    NO_GAPS,
    NO_PLAN,
    PLAN_COMMAND,
    gap_items,
    initiative_items,
)
from salesplan.i18n import N_
from salesplan.services.baseline import FINDING_MESSAGES

NO_TARGETS = N_("No target yet")
TARGETS_COMMAND = "salesplan targets"
NO_FORECAST = N_("No forecast yet")
FORECAST_COMMAND = "salesplan forecast"
NO_DATA = N_("No CRM data yet")
DATA_COMMAND = "salesplan import opportunities FILE"


def finding_msg(f: Finding) -> Msg:
    """A baseline finding as a sentence; codes become labels, rates percentages."""

    def show(value: float | None) -> Value:
        if value is None:
            return None
        return Number(value, 0) if f.code == "cycle_longer" else Percent(value)

    subject: Value = f.subject or ""
    if f.code == "top_loss_reason" and f.subject:
        subject = Label(f.subject, "reason")
    elif f.code in ("best_lead_source", "worst_lead_source") and f.subject:
        subject = Label(f.subject, "source")
    elif f.code == "demand_decline" and f.subject:
        subject = Label(f.subject, "demand")
    return _t(
        FINDING_MESSAGES.get(f.code, f.code),
        segment=Label(f.segment or "", "segment"),
        stage=Label(f.stage or "", "stage"),
        subject=subject,
        value=show(f.value),
        benchmark=show(f.benchmark),
        n=Number(f.n or 0, 0),
    )


def range_msg(low: int, high: int) -> Msg:
    return _t("{low} to {high}", low=Money(low, compact=True), high=Money(high, compact=True))


def _headline(x: ReportInputs) -> list[Block]:
    tg, fc = x.targets, x.forecast
    blocks: list[Block] = []
    if tg is None:
        blocks.append(Missing(NO_TARGETS, TARGETS_COMMAND))
    else:
        base = tg.baseline.bookings_minor
        if base > 0:
            growth = tg.target_minor / base - 1
            sentence = (
                _t(
                    "The {year} bookings target is {target}, {growth} more than the "
                    "{base} booked in the last 12 months.",
                    year=str(x.year),
                    target=Money(tg.target_minor, compact=True),
                    growth=Percent(growth),
                    base=Money(base, compact=True),
                )
                if growth >= 0
                else _t(
                    "The {year} bookings target is {target}, {growth} less than the "
                    "{base} booked in the last 12 months.",
                    year=str(x.year),
                    target=Money(tg.target_minor, compact=True),
                    growth=Percent(-growth),
                    base=Money(base, compact=True),
                )
            )
            blocks.append(Paragraph(sentence))
        else:
            blocks.append(
                Paragraph(
                    _t(
                        "The {year} bookings target is {target}.",
                        year=str(x.year),
                        target=Money(tg.target_minor, compact=True),
                    )
                )
            )
    if fc is None:
        blocks.append(Missing(NO_FORECAST, FORECAST_COMMAND))
    else:
        r = fc.forecast.range
        blocks.append(
            Paragraph(
                _t(
                    "With today's pipeline and run-rate we expect {expected} of bookings in "
                    "{year}; eight times out of ten the result falls between {low} and {high}.",
                    expected=Money(r.expected_minor, compact=True),
                    year=str(x.year),
                    low=Money(r.p10_minor, compact=True),
                    high=Money(r.p90_minor, compact=True),
                )
            )
        )
    if tg is not None and fc is not None:
        r = fc.forecast.range
        gap = tg.target_minor - r.expected_minor
        chance = r.probability_at_least(tg.target_minor)
        if gap > 0:
            text = _t(
                "The chance of reaching the target on the current course is {chance}: "
                "the plan has to close a gap of {gap} between the target and the expected "
                "bookings.",
                chance=Percent(chance, 0),
                gap=Money(gap, compact=True),
            )
        else:
            text = _t(
                "The chance of reaching the target on the current course is {chance}: "
                "the expected bookings exceed the target by {gap}.",
                chance=Percent(chance, 0),
                gap=Money(-gap, compact=True),
            )
        blocks.append(Paragraph(text))
    return blocks


def key_figures(x: ReportInputs) -> Facts:
    rows: list[tuple[str, Value]] = []
    tg, fc, b = x.targets, x.forecast, x.baseline
    if tg is not None:
        rows.append((N_("Target"), Money(tg.target_minor, compact=True)))
    if fc is not None:
        r = fc.forecast.range
        rows.append((N_("Expected bookings"), Money(r.expected_minor, compact=True)))
        rows.append((N_("Forecast range (P10–P90)"), range_msg(r.p10_minor, r.p90_minor)))
        if tg is not None:
            chance = r.probability_at_least(tg.target_minor)
            rows.append((N_("Chance of reaching the target"), Percent(chance, 0)))
    if b is not None:
        rows.append((N_("Bookings, last 12 months"), Money(b.overall.bookings_minor, True)))
        rows.append((N_("Win rate, last 12 months"), Percent(b.overall.win_rate.rate or 0)))
    if tg is not None and tg.capacity is not None:
        rows.append((N_("Team capacity"), Money(tg.capacity.total_minor, compact=True)))
    if tg is not None and tg.hiring is not None and tg.hiring.hires_needed is not None:
        rows.append((N_("Hires needed"), Number(tg.hiring.hires_needed)))
    return Facts("key_figures", N_("Key figures"), rows)


def top_gaps(x: ReportInputs) -> list[Block]:
    blocks: list[Block] = []
    if x.gaps is None:
        blocks.append(Missing(NO_GAPS, GAPS_COMMAND))
    else:
        items = gap_items(x.gaps, 3)
        blocks.append(Bullets(items) if items else Paragraph(_t("The analysis found no gaps.")))
    if x.baseline is not None:
        obstacles = [f for f in x.baseline.findings if f.kind == "obstacle"][:3]
        if obstacles:
            blocks.append(Paragraph(_t("What the data shows most clearly:")))
            blocks.append(Bullets([finding_msg(f) for f in obstacles]))
    return blocks


def summary_section(x: ReportInputs) -> Section:
    if x.plan is None:
        initiatives: list[Block] = [Missing(NO_PLAN, PLAN_COMMAND)]
    else:
        items = initiative_items(x.plan)[:3]
        initiatives = (
            [Bullets(items)] if items else [Missing(N_("No initiatives yet"), PLAN_COMMAND)]
        )
    return Section(
        "summary",
        N_("Executive summary"),
        [*_headline(x), *([facts] if (facts := key_figures(x)).rows else [])],
        [
            Section("summary_gaps", N_("Top three gaps"), top_gaps(x)),
            Section("summary_initiatives", N_("Top initiatives"), initiatives),
        ],
    )
