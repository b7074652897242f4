"""The sales organisation: seats in regional teams, the people who fill them over time, and
who owns a record created on a given day.

A seat (role, team, region) opens at history start or, for growth, during history; it is filled
by a chain of people: each leaves after an exponential tenure (`attrition_per_year`) and the
successor starts during the leaver's notice period, so an open seat always has exactly one
current holder and ownership can be looked up per day without a loop over records.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from statistics import NormalDist

import numpy as np
import polars as pl

from salesplan.demo.names import person_names, serial_ids
from salesplan.demo.params import DemoParams
from salesplan.demo.timeline import BoolArray, FloatArray, IntArray, Timeline, date_series
from salesplan.domain.records import RecordKind, conform

MANAGER = "manager"
OPS = "ops"
STILL_EMPLOYED = 10**7
"""`end_day` of people still employed at as_of (far future, epoch days)."""


@dataclass(frozen=True, slots=True)
class Team:
    """Seats and people as parallel numpy arrays; people are in id (hire) order."""

    role_keys: tuple[str, ...]
    team_names: tuple[str, ...]
    team_mainland: BoolArray
    covers: BoolArray
    """covers[team, region]: the team sells into the region."""
    seat_role: IntArray
    seat_team: IntArray
    seat_region: IntArray
    seat_open: IntArray
    person_seat: IntArray
    person_start: IntArray
    person_end: IntArray
    """Last employed epoch day, or STILL_EMPLOYED."""
    person_skill: FloatArray
    """Log-odds added to each stage's advance odds of deals the person owns (0: non-sellers)."""
    person_ramp: IntArray
    """Ramp months."""
    person_manager: IntArray
    """Index of the person's manager, -1 for the head of sales."""

    def role_of(self, key: str) -> int:
        return self.role_keys.index(key)

    @property
    def person_role(self) -> IntArray:
        return self.seat_role[self.person_seat]

    @property
    def person_team(self) -> IntArray:
        return self.seat_team[self.person_seat]

    def occupant(self, seat: IntArray, days: IntArray) -> IntArray:
        """The person holding `seat` on each epoch day (the latest hire started on or before)."""
        base = int(self.person_start.min())
        order = np.lexsort((self.person_start, self.person_seat))
        keys = self.person_seat[order] * 2**32 + (self.person_start[order] - base)
        pos = np.searchsorted(keys, seat * 2**32 + (days - base), side="right") - 1
        return np.asarray(order[pos], dtype=np.int64)

    def pick(
        self,
        roles: tuple[str, ...],
        region: IntArray,
        days: IntArray,
        rng: np.random.Generator,
    ) -> IntArray:
        """An owner per record: a uniformly chosen open seat of one of `roles` in a team covering
        the record's region, falling back to any region and then to AEs; returns person indices,
        each employed on the record's day."""
        u = rng.random(len(days))
        seat = np.full(len(days), -1, dtype=np.int64)
        role_ids = [self.role_of(r) for r in roles]
        ae = [self.role_of("ae")]
        for r in np.unique(region):
            rows = np.flatnonzero(region == r)
            covering = self.covers[self.seat_team, r]
            for role_set, local in ((role_ids, True), (role_ids, False), (ae, True), (ae, False)):
                mask = np.isin(self.seat_role, role_set) & (covering if local else True)
                candidates = np.flatnonzero(mask)
                if len(candidates) == 0 or len(rows) == 0:
                    continue
                candidates = candidates[np.argsort(self.seat_open[candidates], kind="stable")]
                count = np.searchsorted(self.seat_open[candidates], days[rows], side="right")
                ok = count > 0
                chosen = np.minimum((u[rows] * count).astype(np.int64), count - 1)
                seat[rows[ok]] = candidates[chosen[ok]]
                rows = rows[~ok]
        if (seat < 0).any():
            raise ValueError("a record was created before any seat of its role existed")
        return self.occupant(seat, days)

    def frame(
        self,
        params: DemoParams,
        rng: np.random.Generator,
        quota_minor: IntArray,
        cost_minor: IntArray,
        currency: list[str],
    ) -> pl.DataFrame:
        """The `team_member` frame; quota and cost are in each person's `currency`, minor units."""
        n = len(self.person_seat)
        region_keys = [r.key for r in params.regions]
        names, mail = person_names(rng, self.team_mainland[self.person_team])
        ids = person_ids(n)
        num = pl.Series(np.arange(1, n + 1)).cast(pl.String).str.zfill(5)
        manager = ids.gather(np.maximum(self.person_manager, 0))
        role = self.person_role
        quota_valid = np.isin(role, [self.role_of(r.key) for r in params.roles if r.quota])
        frame = pl.DataFrame(
            {
                "id": ids,
                "name": names,
                "email": mail + "." + num + "@salesplan-demo.example",
                "role": pl.Series(list(self.role_keys)).gather(role),
                "manager_id": manager,
                "team": pl.Series(list(self.team_names)).gather(self.person_team),
                "region": pl.Series(region_keys).gather(self.seat_region[self.person_seat]),
                "start_date": date_series("start_date", self.person_start),
                "end_date": date_series(
                    "end_date", self.person_end, self.person_end < STILL_EMPLOYED
                ),
                "annual_quota_minor": quota_minor,
                "ramp_months": self.person_ramp,
                "annual_cost_minor": cost_minor,
                "currency": currency,
            }
        ).with_columns(
            pl.when(pl.Series(self.person_manager >= 0)).then(pl.col("manager_id")),
            pl.when(pl.Series(quota_valid)).then(pl.col("annual_quota_minor")),
        )
        return conform(RecordKind.TEAM_MEMBER, frame)


def person_ids(n: int) -> pl.Series:
    return serial_ids("EMP-", n, 5)


def _largest_remainder(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integers proportional to `weights`, summing exactly to `total`."""
    w = np.asarray(weights, dtype=np.float64)
    raw = total * w / w.sum()
    out = np.floor(raw).astype(np.int64)
    for i in np.argsort(-(raw - out), kind="stable")[: total - int(out.sum())]:
        out[i] += 1
    return [int(x) for x in out]


def _teams(params: DemoParams, n_sellers: int) -> list[tuple[str, list[int], float]]:
    """(name, covered region indices, share of seats) per sales team."""
    regions = params.regions
    n_teams = max(1, round(n_sellers / params.people_per_team))
    if n_teams < len(regions):
        mainland = [i for i, r in enumerate(regions) if r.mainland]
        abroad = [i for i, r in enumerate(regions) if not r.mainland]
        return [
            (name, idx, sum(regions[i].share for i in idx))
            for name, idx in (("greater_china", mainland), ("international", abroad))
            if idx
        ]
    per_region = [max(1, k) for k in _largest_remainder(n_teams, [r.share for r in regions])]
    teams = []
    for i, (region, k) in enumerate(zip(regions, per_region, strict=True)):
        for j in range(k):
            name = region.key if k == 1 else f"{region.key}_{j + 1}"
            teams.append((name, [i], region.share / k))
    return teams


def build_team(params: DemoParams, timeline: Timeline, rng: np.random.Generator) -> Team:
    """Lay out seats, then fill each seat with a chain of hires (one loop step per person)."""
    role_keys = (*(r.key for r in params.roles), MANAGER, OPS)
    n_ops = max(1, round(params.team_size * params.ops_share))
    n_sellers = max(2, params.team_size - 1 - n_ops)
    teams = _teams(params, n_sellers)
    team_names = ("leadership", *(t[0] for t in teams))
    covers = np.zeros((len(team_names), len(params.regions)), dtype=bool)
    mainland = np.zeros(len(team_names), dtype=bool)
    mainland[0] = True
    seats: list[tuple[int, int, int, int]] = []  # role, team, region, open day
    hq = next(i for i, r in enumerate(params.regions) if r.mainland)
    seats.append((role_keys.index(MANAGER), 0, hq, timeline.start_day))
    seats += [(role_keys.index(OPS), 0, hq, timeline.start_day)] * n_ops
    span = timeline.end_day - timeline.start_day
    sizes = _largest_remainder(n_sellers, [t[2] for t in teams])
    for t, ((_, covered, _), size) in enumerate(zip(teams, sizes, strict=True), start=1):
        covers[t, covered] = True
        mainland[t] = all(params.regions[i].mainland for i in covered)
        covered = sorted(covered, key=lambda i: -params.regions[i].share)
        seats.append((role_keys.index(MANAGER), t, covered[0], timeline.start_day))
        counts = _largest_remainder(max(1, size - 1), [r.share for r in params.roles])
        ae = role_keys.index("ae")
        if counts[ae] == 0:  # every team needs a closer: owners fall back to AEs
            counts[ae] = 1
        k = 0
        for role, count in enumerate(counts):
            initial = math.ceil(count * params.initial_seat_share)
            for j in range(count):
                if j < initial:
                    opened = timeline.start_day
                else:
                    step = (j - initial + 1) / (count - initial + 1)
                    opened = timeline.start_day + int(step * span) + int(rng.integers(-20, 21))
                    opened = min(max(opened, timeline.start_day + 1), timeline.end_day)
                seats.append((role, t, covered[k % len(covered)], opened))
                k += 1
    seat_arr = np.asarray(seats, dtype=np.int64)
    person_seat, person_start, person_end = _fill(params, timeline, seat_arr, rng)
    order = np.lexsort((person_seat, person_start))
    person_seat, person_start, person_end = (
        person_seat[order],
        person_start[order],
        person_end[order],
    )
    role = seat_arr[person_seat, 0]
    n = len(person_seat)
    team = Team(
        role_keys, team_names, mainland, covers,
        seat_arr[:, 0], seat_arr[:, 1], seat_arr[:, 2], seat_arr[:, 3],
        person_seat, person_start, person_end,
        _skills(params, role, role_keys, rng), _ramps(params, role, role_keys, rng),
        np.full(n, -1, dtype=np.int64),
    )  # fmt: skip
    return replace(team, person_manager=_managers(team, timeline, role_keys.index(MANAGER)))


def _fill(
    params: DemoParams, timeline: Timeline, seats: IntArray, rng: np.random.Generator
) -> tuple[IntArray, IntArray, IntArray]:
    mean_tenure = 365.25 / -math.log(1.0 - params.attrition_per_year)
    lo, hi = params.handover_days
    out_seat: list[int] = []
    out_start: list[int] = []
    out_end: list[int] = []
    for s, (_, _, _, opened) in enumerate(seats.tolist()):
        start = opened - int(rng.integers(30, 1500)) if opened <= timeline.start_day else opened
        while True:
            end = start + max(hi + 15, int(rng.exponential(mean_tenure)))
            if end >= timeline.start_day:  # people gone before history are not in the CRM
                out_seat.append(s)
                out_start.append(start)
                out_end.append(STILL_EMPLOYED if end > timeline.end_day else end)
            if end > timeline.end_day:
                break
            start = end - int(rng.integers(lo, hi + 1))
    return (np.asarray(out_seat), np.asarray(out_start), np.asarray(out_end))


def _skills(
    params: DemoParams, role: IntArray, role_keys: tuple[str, ...], rng: np.random.Generator
) -> FloatArray:
    """Evenly spaced normal quantiles per selling role, shuffled: every cohort's mean skill is
    exactly zero, so segment win rates follow the parameters whatever the team size."""
    skill = np.zeros(len(role))
    normal = NormalDist()
    for r in params.roles:
        if not r.quota:
            continue
        idx = np.flatnonzero(role == role_keys.index(r.key))
        q = [normal.inv_cdf((k + 0.5) / len(idx)) for k in range(len(idx))]
        skill[idx] = params.skill_sigma * rng.permutation(np.asarray(q))
    return skill


def _ramps(
    params: DemoParams, role: IntArray, role_keys: tuple[str, ...], rng: np.random.Generator
) -> IntArray:
    ranges = {r.key: r.ramp_months for r in params.roles}
    ranges[MANAGER] = params.manager_ramp_months
    ranges[OPS] = params.ops_ramp_months
    ramp = np.zeros(len(role), dtype=np.int64)
    for i, key in enumerate(role_keys):
        idx = np.flatnonzero(role == i)
        lo, hi = ranges[key]
        ramp[idx] = rng.integers(lo, hi + 1, len(idx))
    return ramp


def _managers(team: Team, timeline: Timeline, manager_role: int) -> IntArray:
    """Each person's manager at their start (or history start): the team manager, the head of
    sales for managers and ops; -1 for the head of sales (seat 0)."""
    day = np.maximum(team.person_start, timeline.start_day)
    manager_seat = np.zeros(len(team.team_names), dtype=np.int64)
    for s in np.flatnonzero(team.seat_role == manager_role)[::-1]:
        manager_seat[team.seat_team[s]] = s
    seat = manager_seat[team.person_team]
    is_manager = team.person_role == manager_role
    seat[is_manager | (team.person_team == 0)] = 0
    manager = team.occupant(seat, day)
    manager[team.person_seat == 0] = -1
    return manager
