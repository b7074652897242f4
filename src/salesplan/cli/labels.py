"""Display names of coded values shared by several commands (message ids for tables)."""

from __future__ import annotations

from salesplan.i18n import N_

RECORD_LABELS: dict[str, str] = {
    "opportunity": N_("Opportunities"),
    "stage_event": N_("Stage events"),
    "account": N_("Accounts"),
    "lead": N_("Leads"),
    "activity": N_("Activities"),
    "team_member": N_("Team members"),
    "product": N_("Products"),
    "fx_rate": N_("Exchange rates"),
}

DIMENSION_HEADERS: dict[str, str] = {
    "segment": N_("Segment"),
    "region": N_("Region"),
    "owner_id": N_("Owner"),
    "industry": N_("Industry"),
    "source": N_("Source"),
    "product": N_("Product"),
    "type": N_("Type"),
}
"""Column headers of the `--by` dimensions."""


def record_label(kind: str) -> str:
    """The message id naming a record kind (`opportunity`) or an import kind (`opportunities`)."""
    from salesplan.ingest.fields import KIND_NAMES

    if kind in KIND_NAMES:
        kind = KIND_NAMES[kind].value
    return RECORD_LABELS.get(kind, kind)
