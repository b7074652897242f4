"""The workspace's ordered stage list.

A stage is stored as a small integer `code` whose order is the order of the funnel, so
"reached stage X or later" is a comparison, and closed stages say whether they mean won or lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from salesplan.domain.records import DealStatus


@dataclass(frozen=True, slots=True)
class Stage:
    code: int
    key: str
    label: str
    status: DealStatus
    default_probability: float
    """The CRM-style fixed win probability (0-1), kept for the `stage` forecast method."""


@dataclass(frozen=True, slots=True)
class StageList:
    stages: tuple[Stage, ...]

    def __post_init__(self) -> None:
        keys = [s.key for s in self.stages]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate stage keys: {keys}")
        codes = [s.code for s in self.stages]
        if codes != sorted(set(codes)):
            raise ValueError(f"stage codes must be strictly increasing: {codes}")
        statuses = {s.status for s in self.stages}
        if DealStatus.WON not in statuses or DealStatus.LOST not in statuses:
            raise ValueError("a stage list needs at least one won and one lost stage")

    def by_key(self, key: str) -> Stage:
        for stage in self.stages:
            if stage.key == key:
                return stage
        raise KeyError(key)

    def code_of(self, key: str) -> int:
        return self.by_key(key).code

    @property
    def open_stages(self) -> tuple[Stage, ...]:
        return tuple(s for s in self.stages if s.status is DealStatus.OPEN)

    @property
    def won_key(self) -> str:
        return next(s.key for s in self.stages if s.status is DealStatus.WON)

    @property
    def lost_key(self) -> str:
        return next(s.key for s in self.stages if s.status is DealStatus.LOST)

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[object]]) -> StageList:
        """Build from (code, key, label, status, default_probability) rows, e.g. from the store."""
        return cls(
            tuple(
                Stage(int(str(c)), str(k), str(lab), DealStatus(str(st)), float(str(p)))
                for c, k, lab, st, p in rows
            )
        )


DEFAULT_STAGES = StageList(
    (
        Stage(10, "prospecting", "Prospecting", DealStatus.OPEN, 0.10),
        Stage(20, "qualification", "Qualification", DealStatus.OPEN, 0.20),
        Stage(30, "needs_analysis", "Needs Analysis", DealStatus.OPEN, 0.30),
        Stage(40, "demo", "Demo", DealStatus.OPEN, 0.40),
        Stage(50, "proposal", "Proposal/Price Quote", DealStatus.OPEN, 0.60),
        Stage(60, "negotiation", "Negotiation/Review", DealStatus.OPEN, 0.80),
        Stage(90, "closed_won", "Closed Won", DealStatus.WON, 1.0),
        Stage(91, "closed_lost", "Closed Lost", DealStatus.LOST, 0.0),
    )
)
"""The stage list a new workspace (and the demo) starts with; importers may replace it."""
