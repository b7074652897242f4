"""The appendix: where every number comes from, as of when, and how it was computed."""

from __future__ import annotations

from salesplan.documents.inputs import ReportInputs
from salesplan.documents.model import (
    Block,
    Bullets,
    Column,
    Day,
    Label,
    Msg,
    Number,
    Section,
    Table,
    _t,
)
from salesplan.i18n import N_

RECORD_LABELS = {
    "opportunity": N_("Opportunities"),
    "stage_event": N_("Stage events"),
    "account": N_("Accounts"),
    "lead": N_("Leads"),
    "activity": N_("Activities"),
    "team_member": N_("Team members"),
    "product": N_("Products"),
    "fx_rate": N_("Exchange rates"),
}


def appendix_section(x: ReportInputs) -> Section:
    blocks: list[Block] = []
    if x.records:
        blocks.append(
            Table(
                "data_sources",
                N_("Data sources"),
                [Column(N_("Records")), Column(N_("Rows"), True)],
                [[_t(RECORD_LABELS.get(k, k)), Number(n)] for k, n in x.records.items()],
                _t(
                    "All figures read from the workspace database, in {currency}.",
                    currency=x.currency,
                ),
            )
        )
    dates: list[Msg | str] = [_t("Data as of {date}.", date=Day(x.as_of))]
    if x.baseline is not None:
        p = x.baseline.period
        dates.append(
            _t(
                "Baseline: deals closed from {start} to {end} (the last 12 months), compared "
                "with the 12 months before.",
                start=Day(p.start),
                end=Day(p.end.fromordinal(p.end.toordinal() - 1)),
            )
        )
    if x.forecast is not None:
        dates.append(
            _t(
                "Forecast: bookings from {start} to the end of {year}, from the pipeline open "
                "on {date}.",
                start=Day(x.forecast.forecast.cutoff),
                year=str(x.year),
                date=Day(x.as_of),
            )
        )
    blocks.append(Bullets(dates))
    methods: list[Msg | str] = [
        _t(
            "Win rate = won ÷ (won + lost) among deals closed in the period; average deal and "
            "cycle use won deals; money is converted to {currency} at the exchange rate of "
            "each deal's date.",
            currency=x.currency,
        )
    ]
    if x.targets is not None:
        methods.append(
            _t(
                "Target: year over year (last year × growth), team capacity (quotas × expected "
                "attainment, with ramp-up), trend (fitted on monthly bookings) and their "
                "weighted blend; split into quarters and months by the seasonality index, "
                "exactly to the cent."
            )
        )
        methods.append(
            _t(
                "Reverse funnel: deals to win = target ÷ average deal; each earlier stage is "
                "divided by its conversion rate; pipeline to create = target ÷ win rate by value."
            )
        )
    if x.forecast is not None:
        fc = x.forecast
        methods.append(
            _t(
                "Forecast method: {method}. Each open deal counts with its probability of "
                "closing in the period; deals not created yet come from the run-rate; the "
                "range comes from {sims} simulations.",
                method=Label(fc.method, "method"),
                sims=Number(fc.forecast.range.sims or 0),
            )
        )
    blocks.append(Bullets(methods))
    return Section("appendix", N_("Appendix: data sources, dates and methods"), blocks)
