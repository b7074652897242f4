"""Dynamics 365 and localised Pipedrive exports: hand-made files → canonical records.

Every expected value is read off the file by hand: amounts in minor units (the workspace's
currency is CNY, 2 decimals, so 12500.5 → 1 250 050), probabilities in % → fractions, Excel
serial 46300 = 46354 (2026-11-28, see test_ingest_presets) − 54 days = 2026-10-05.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from salesplan.config import Settings
from salesplan.domain.records import RecordKind
from salesplan.ingest.presets import detect
from salesplan.services.imports import import_file
from salesplan.services.store import open_store
from salesplan.storage import frames

AS_OF = dt.date(2026, 11, 28)
D = dt.date


def _stored(settings: Settings) -> list[dict[str, Any]]:
    engine = open_store(settings)
    try:
        frame = frames.read_frame(engine, RecordKind.OPPORTUNITY)
    finally:
        engine.dispose()
    return frame.sort("id").to_dicts()


def _pick(rows: list[dict[str, Any]], *names: str) -> list[tuple[Any, ...]]:
    return [tuple(r[n] for n in names) for r in rows]


GUIDS = (
    "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "a8098c1a-f86e-11da-bd1a-00112444be1e",
)


def test_dynamics_365_export_to_excel(settings: Settings, tmp_path: Path) -> None:
    """The columns DATA.md lists, hidden bookkeeping columns first, a serial date, no stage."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Active Opportunities"
    sheet.append(
        [
            "(Do Not Modify) Opportunity",
            "(Do Not Modify) Row Checksum",
            "(Do Not Modify) Modified On",
            "Topic",
            "Account",
            "Status",
            "Status Reason",
            "Probability",
            "Est. Close Date",
            "Est. Revenue",
            "Owner",
            "Created On",
        ]
    )
    modified = dt.datetime(2026, 11, 20, 8, 0)
    sheet.append(
        [
            GUIDS[0],
            "q1w2e3==",
            modified,
            "Acme expansion",
            "Acme",
            "Open",
            "In Progress",
            40,
            dt.datetime(2026, 12, 15),
            12500.5,
            "Ann Lee",
            dt.datetime(2026, 9, 1, 10, 30),
        ]
    )
    sheet.append(
        [
            GUIDS[1],
            "r4t5y6==",
            modified,
            "Globex renewal",
            "Globex",
            "Won",
            "Won",
            100,
            46300,
            8000,
            "Bo Chan",
            dt.datetime(2026, 6, 1, 9, 0),
        ]
    )
    sheet.append(
        [
            GUIDS[2],
            "u7i8o9==",
            modified,
            "Initech pilot",
            "Initech",
            "Lost",
            "Out-Sold",
            0,
            dt.datetime(2026, 10, 1),
            3000,
            "Ann Lee",
            dt.datetime(2026, 5, 2, 14, 0),
        ]
    )
    path = tmp_path / "Active Opportunities.xlsx"
    book.save(path)

    report = import_file(settings, "opportunities", path, as_of=AS_OF)
    assert report.errors == [], [p.message_id for p in report.errors]
    assert (report.preset, report.preset_detected, report.rows_written) == ("dynamics", True, 3)
    codes = {p.code for p in report.warnings}
    assert "open_without_stage" in codes  # no Pipeline Phase column: the status decides
    assert "unused_columns" not in codes  # checksum, modified on, status reason: ignored
    rows = _stored(settings)
    assert _pick(
        rows,
        "id",
        "name",
        "account_id",
        "owner_id",
        "amount_minor",
        "currency",
        "probability",
        "created_on",
        "close_date",
        "closed_on",
        "stage",
        "status",
    ) == [
        (
            GUIDS[0],
            "Acme expansion",
            "Acme",
            "Ann Lee",
            1250050,
            "CNY",
            0.4,
            D(2026, 9, 1),
            D(2026, 12, 15),
            None,
            "qualify",
            "open",
        ),
        (
            GUIDS[1],
            "Globex renewal",
            "Globex",
            "Bo Chan",
            800000,
            "CNY",
            1.0,
            D(2026, 6, 1),
            D(2026, 10, 5),
            D(2026, 10, 5),
            "won",
            "won",
        ),
        (
            GUIDS[2],
            "Initech pilot",
            "Initech",
            "Ann Lee",
            300000,
            "CNY",
            0.0,
            D(2026, 5, 2),
            D(2026, 10, 1),
            D(2026, 10, 1),
            "lost",
            "lost",
        ),
    ]


def test_dynamics_365_with_pipeline_phase_and_actuals(settings: Settings, tmp_path: Path) -> None:
    """`Pipeline Phase` sets the stage; `Actual Close Date` is the closed date; `Actual
    Revenue` fills an empty `Est. Revenue`."""
    path = tmp_path / "opportunities.csv"
    path.write_text(
        "(Do Not Modify) Opportunity,Topic,Potential Customer,Status,Pipeline Phase,"
        "Est. Revenue,Actual Revenue,Est. Close Date,Actual Close Date,Owner,Created On\n"
        f'{GUIDS[0]},Acme,Acme Corp,Open,2-Develop,"$1,500.00",,2026-12-31,,Ann,2026-09-01\n'
        f'{GUIDS[1]},Globex,Globex Ltd,Won,4-Close,,"$2,400.00",2026-11-30,2026-11-02,Bo,'
        "2026-08-01\n",
        encoding="utf-8",
    )
    report = import_file(settings, "opportunities", path, as_of=AS_OF)
    assert report.errors == [], [p.message_id for p in report.errors]
    assert report.preset == "dynamics"
    rows = _stored(settings)
    assert _pick(
        rows, "id", "account_id", "stage", "status", "amount_minor", "currency", "close_date"
    ) == [
        (GUIDS[0], "Acme Corp", "develop", "open", 150000, "USD", D(2026, 12, 31)),
        (GUIDS[1], "Globex Ltd", "won", "won", 240000, "USD", D(2026, 11, 2)),
    ]


def test_pipedrive_german_export(settings: Settings, tmp_path: Path) -> None:
    """German labels, `;` and decimal commas (1.234,50 → 123 450 minor units)."""
    path = tmp_path / "deals.csv"
    path.write_text(
        "Deal - ID;Deal - Titel;Deal - Besitzer;Deal - Wert;Deal - Organisation;Deal - Pipeline;"
        "Deal - Phase;Deal - Status;Deal - Deal erstellt;"
        "Deal - Voraussichtliches Abschlussdatum;Deal - Deal abgeschlossen am;"
        "Deal - Verlustgrund;Deal - Wahrscheinlichkeit;Deal - Gewichteter Wert\n"
        "1;Alpha;Anna;1.234,50;Org A;Vertrieb;Proposal Made;Gewonnen;2026-01-05 10:00:00;"
        "2026-02-01;2026-02-03 09:00:00;;100;617,25\n"
        "2;Beta;Anna;2.000,00;Org B;Vertrieb;Contact Made;Verloren;2026-01-06 10:00:00;"
        "2026-03-01;2026-02-10 17:00:00;Preis;0;0\n"
        "3;Gamma;Bernd;3.000,00;Org C;Vertrieb;Demo Scheduled;Offen;2026-01-07 10:00:00;"
        "2026-04-01;;;40;1.200,00\n",
        encoding="utf-8",
    )
    report = import_file(settings, "opportunities", path, as_of=AS_OF)
    assert report.errors == [], [p.message_id for p in report.errors]
    assert (report.preset, report.preset_detected) == ("pipedrive", True)
    assert "unused_columns" not in {p.code for p in report.warnings}
    rows = _stored(settings)
    assert _pick(
        rows,
        "id",
        "name",
        "owner_id",
        "account_id",
        "stage",
        "status",
        "amount_minor",
        "probability",
        "created_on",
        "close_date",
        "closed_on",
        "loss_reason",
    ) == [
        (
            "1",
            "Alpha",
            "Anna",
            "Org A",
            "closed_won",
            "won",
            123450,
            1.0,
            D(2026, 1, 5),
            D(2026, 2, 3),
            D(2026, 2, 3),
            None,
        ),
        (
            "2",
            "Beta",
            "Anna",
            "Org B",
            "closed_lost",
            "lost",
            200000,
            0.0,
            D(2026, 1, 6),
            D(2026, 2, 10),
            D(2026, 2, 10),
            "Preis",
        ),
        (
            "3",
            "Gamma",
            "Bernd",
            "Org C",
            "demo_scheduled",
            "open",
            300000,
            0.4,
            D(2026, 1, 7),
            D(2026, 4, 1),
            None,
            None,
        ),
    ]


def test_pipedrive_french_export(settings: Settings, tmp_path: Path) -> None:
    """French labels and statuses (Gagnée/Perdue/Ouverte); 12 500,50 → 1 250 050."""
    path = tmp_path / "affaires.csv"
    path.write_text(
        "Affaire - ID;Affaire - Titre;Affaire - Valeur;Affaire - Organisation;Affaire - Étape;"
        "Affaire - Statut;Affaire - Date de clôture prévue;Affaire - Raison de la perte\n"
        "10;Pains pour la cantine;12 500,50;Boulangeries Durand;Proposal Made;Ouverte;"
        "15/11/2026;\n"
        "11;Fours;8000;Nouvelle Boulangerie;Contact Made;Perdue;01/10/2026;Prix\n"
        "12;Vitrines;950,00;Pâtisserie Roux;Negotiations Started;Gagnée;20/09/2026;\n",
        encoding="utf-8",
    )
    report = import_file(settings, "opportunities", path, as_of=AS_OF)
    assert report.errors == [], [p.message_id for p in report.errors]
    assert report.preset == "pipedrive"
    rows = _stored(settings)
    assert _pick(rows, "id", "stage", "status", "amount_minor", "close_date", "loss_reason") == [
        ("10", "proposal_made", "open", 1250050, D(2026, 11, 15), None),
        ("11", "closed_lost", "lost", 800000, D(2026, 10, 1), "Prix"),
        ("12", "closed_won", "won", 95000, D(2026, 9, 20), None),
    ]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["(Do Not Modify) Opportunity", "Topic", "Est. Revenue", "Status"], "dynamics"),
        (["Topic", "Account", "Est. Close Date", "Est. Revenue", "Status"], "dynamics"),
        (["Deal - ID", "Deal - Titel", "Deal - Wert", "Deal - Phase"], "pipedrive"),
        (["Affaire - Titre", "Affaire - Valeur", "Affaire - Statut"], "pipedrive"),
        (["Negocio - ID", "Negocio - Título", "Negocio - Propietario"], "pipedrive"),
    ],
)
def test_detection(headers: list[str], expected: str) -> None:
    preset, _ = detect(RecordKind.OPPORTUNITY, headers)
    assert preset.name == expected
