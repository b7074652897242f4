"""The Pipedrive deals export, in English and in the localised exports seen in the wild.

Pipedrive names each column `<Entity> - <Field>` in the account's language, prefix included
("Deal - Value", German "Deal - Wert", French "Affaire - Valeur", Spanish "Negocio - Título").
../shared/docs/DATA.md lists the English labels and says other languages localise the prefix
and labels; the localised labels below are the ones found in real export files (scripts
and tests that read German, French and Spanish exports, and Pipedrive's German help centre
for "Voraussichtliches Abschlussdatum"). A label not listed here is a `columns:` line of a
mapping file away. Status values (Offen/Gewonnen/Verloren, Gagnée/Perdue…) are read by
`fields.STATUS_CHOICES`; stage names are the account's own and pass through `values: stage:`.
"""

from __future__ import annotations

from typing import Final

from salesplan.domain.records import DealStatus, RecordKind
from salesplan.ingest.presets import Preset, StageDef

K = RecordKind
S = DealStatus

ENGLISH: Final[dict[str, tuple[str, ...]]] = {
    "id": ("Deal - ID",),
    "name": ("Deal - Title",),
    "account_id": ("Deal - Organization", "Deal - Organisation", "Deal - Organization ID"),
    "owner_id": ("Deal - Owner", "Deal - Owner ID"),
    "amount": ("Deal - Value",),
    "currency": ("Deal - Currency of Value", "Deal - Currency"),
    "probability": ("Deal - Probability",),
    "pipeline": ("Deal - Pipeline",),
    "stage": ("Deal - Stage",),
    "status": ("Deal - Status",),
    "created_on": ("Deal - Deal created", "Deal - Creation date", "Deal - Add time"),
    "close_date": ("Deal - Expected close date",),
    "closed_on": (
        "Deal - Deal closed on",
        "Deal - Closed on",
        "Deal - Won time",
        "Deal - Lost time",
        "Deal - Close time",
    ),
    "loss_reason": ("Deal - Lost reason",),
    "next_step_date": ("Deal - Next activity date",),
    "last_activity_on": ("Deal - Last activity date",),
    "source": ("Deal - Source channel", "Deal - Source origin"),
    "product": ("Deal - Product name",),
}

GERMAN: Final[dict[str, tuple[str, ...]]] = {
    "id": ("Deal - ID",),
    "name": ("Deal - Titel",),
    "account_id": ("Deal - Organisation",),
    "owner_id": ("Deal - Besitzer",),
    "amount": ("Deal - Wert",),
    "probability": ("Deal - Wahrscheinlichkeit",),
    "pipeline": ("Deal - Pipeline",),
    "stage": ("Deal - Phase",),
    "status": ("Deal - Status",),
    "created_on": ("Deal - Deal erstellt",),
    "close_date": ("Deal - Voraussichtliches Abschlussdatum",),
    "closed_on": (
        "Deal - Deal abgeschlossen am",
        "Deal - Datum des gewonnenen Deals",
        "Deal - Datum des verlorenen Deals",
    ),
    "loss_reason": ("Deal - Verlustgrund",),
    "next_step_date": ("Deal - Datum nächste Aktivität",),
    "last_activity_on": ("Deal - Datum der letzten Aktivität",),
}

FRENCH: Final[dict[str, tuple[str, ...]]] = {
    "id": ("Affaire - ID",),  # inferred from "Deal - ID" / "Negocio - ID": not seen in a file
    "name": ("Affaire - Titre",),
    "account_id": ("Affaire - Organisation",),
    "amount": ("Affaire - Valeur",),
    "stage": ("Affaire - Étape",),
    "status": ("Affaire - Statut",),
    "close_date": ("Affaire - Date de clôture prévue",),
    "loss_reason": ("Affaire - Raison de la perte", "Affaire - Raison de perte"),
}

SPANISH: Final[dict[str, tuple[str, ...]]] = {
    "id": ("Negocio - ID",),
    "name": ("Negocio - Título",),
    "owner_id": ("Negocio - Propietario",),
    "closed_on": ("Negocio - Fecha de ganado",),
}


def _merged(*tables: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """field → every language's labels, English first (a file holds one language)."""
    out: dict[str, tuple[str, ...]] = {}
    for table in tables:
        for name, labels in table.items():
            out[name] = tuple(dict.fromkeys((*out.get(name, ()), *labels)))
    return out


PIPEDRIVE: Final = Preset(
    name="pipedrive",
    label="Pipedrive deals export",
    columns={K.OPPORTUNITY: _merged(ENGLISH, GERMAN, FRENCH, SPANISH)},
    stages=(
        StageDef(10, "lead_in", "Lead In", S.OPEN, 0.10, ("Qualified",)),
        StageDef(20, "contact_made", "Contact Made", S.OPEN, 0.20),
        StageDef(30, "needs_defined", "Needs Defined", S.OPEN, 0.30),
        StageDef(40, "demo_scheduled", "Demo Scheduled", S.OPEN, 0.40),
        StageDef(50, "proposal_made", "Proposal Made", S.OPEN, 0.60),
        StageDef(60, "negotiations_started", "Negotiations Started", S.OPEN, 0.80),
        StageDef(90, "closed_won", "Won", S.WON, 1.0),
        StageDef(91, "closed_lost", "Lost", S.LOST, 0.0),
    ),
    markers=(
        "Deal - ID",
        "Deal - Title",
        "Deal - Value",
        "Deal - Status",
        "Deal - Stage",
        "Deal - Titel",
        "Deal - Wert",
        "Deal - Phase",
        "Affaire - Titre",
        "Affaire - Valeur",
        "Affaire - Statut",
        "Negocio - ID",
        "Negocio - Título",
    ),
    ignore=(
        "Deal - Weighted value",
        "Deal - Currency of Weighted value",
        "Deal - Gewichteter Wert",
    ),
)
