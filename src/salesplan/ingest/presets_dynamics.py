"""Microsoft Dynamics 365 Sales: an Opportunities view exported with *Export to Excel*.

As ../shared/docs/DATA.md lists it: hidden first columns `(Do Not Modify) Opportunity` (the
record's GUID, our id), `(Do Not Modify) Row Checksum` and `(Do Not Modify) Modified On`
(bookkeeping for Excel re-import, ignored); the view's display names `Topic`, `Account`,
`Status` (Open/Won/Lost), `Status Reason` (In Progress, Canceled, Out-Sold…: ignored, it is
not a reason the plan can use), `Probability` (0–100), `Est. Close Date`, `Est. Revenue`,
`Owner`, `Created On`; dates may be Excel serial numbers.

Views that add them also carry `Potential Customer` (the account or contact), `Pipeline
Phase` (the business-process stage, `1-Qualify` … `4-Close`), `Actual Revenue` (used when
`Est. Revenue` is empty) and `Actual Close Date`. Without `Pipeline Phase` the status
decides: open deals go to the first stage, with a warning.
"""

from __future__ import annotations

from typing import Final

from salesplan.domain.records import DealStatus, RecordKind
from salesplan.ingest.presets import Preset, StageDef

K = RecordKind
S = DealStatus

DYNAMICS: Final = Preset(
    name="dynamics",
    label="Microsoft Dynamics 365 opportunities (Export to Excel)",
    columns={
        K.OPPORTUNITY: {
            "id": ("(Do Not Modify) Opportunity",),
            "name": ("Topic",),
            "account_id": ("Account", "Potential Customer"),
            "owner_id": ("Owner",),
            "amount": ("Est. Revenue", "Actual Revenue"),
            "probability": ("Probability",),
            "status": ("Status",),
            "stage": ("Pipeline Phase",),
            "close_date": ("Est. Close Date",),
            "closed_on": ("Actual Close Date",),
            "created_on": ("Created On",),
        },
    },
    stages=(
        StageDef(10, "qualify", "1-Qualify", S.OPEN, 0.10, ("Qualify",)),
        StageDef(20, "develop", "2-Develop", S.OPEN, 0.30, ("Develop",)),
        StageDef(30, "propose", "3-Propose", S.OPEN, 0.60, ("Propose",)),
        StageDef(40, "close", "4-Close", S.OPEN, 0.80, ("Close",)),
        StageDef(90, "won", "Won", S.WON, 1.0),
        StageDef(91, "lost", "Lost", S.LOST, 0.0),
    ),
    markers=(
        "(Do Not Modify) Opportunity",
        "(Do Not Modify) Row Checksum",
        "(Do Not Modify) Modified On",
        "Est. Revenue",
        "Est. Close Date",
    ),
    ignore=("(Do Not Modify) Row Checksum", "(Do Not Modify) Modified On", "Status Reason"),
)
