"""Display names (message ids) of a review's coded values, shared by the CLI and documents."""

from __future__ import annotations

from salesplan.domain.plan_types import N_

KPI_STATUS: dict[str, str] = {
    "on_track": N_("On track"),
    "at_risk": N_("At risk"),
    "off_track": N_("Off track"),
    "no_target": N_("No target in the plan"),
    "no_data": N_("No data yet"),
    "needs_input": N_("Needs input the data lacks"),
}
KPI_TYPES: dict[str, str] = {"leading": N_("Leading"), "lagging": N_("Lagging")}
SCOPES: dict[str, str] = {
    "total": N_("Whole team"),
    "region": N_("Region"),
    "segment": N_("Segment"),
    "owner": N_("Owner"),
}
BUCKETS: dict[str, str] = {
    "won": N_("Won"),
    "lost": N_("Lost"),
    "slipped": N_("Slipped out of the period"),
    "added": N_("Added or pulled in"),
    "amount_changed": N_("Amount changed"),
    "probability": N_("Stage or probability changed"),
    "removed": N_("No longer in the data"),
    "run_rate": N_("Run-rate (deals not yet created)"),
}
HORIZONS: dict[str, str] = {"period": N_("the review period"), "year": N_("the year")}
