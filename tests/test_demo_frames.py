"""The demo generator's contract: canonical schemas, sizes, determinism, no I/O surprises."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest

from salesplan.demo import DemoDataset, default_params, generate
from salesplan.domain.records import SCHEMAS, RecordKind
from salesplan.domain.stages import DEFAULT_STAGES

AS_OF = dt.date(2026, 3, 15)


@pytest.fixture(scope="module")
def small() -> DemoDataset:
    return generate("small", 11, AS_OF)


def test_every_record_kind_has_a_frame_with_the_canonical_schema(small: DemoDataset) -> None:
    assert set(small.frames) == set(RecordKind)
    for kind, frame in small.frames.items():
        assert frame.schema == SCHEMAS[kind], kind
        assert frame.height > 0, kind


def test_dataset_metadata(small: DemoDataset) -> None:
    assert small.stages == DEFAULT_STAGES
    assert small.as_of == AS_OF
    assert small.seed == 11
    assert small.size == "small"
    assert small.plan_currency == "CNY"
    assert small.params == default_params("small")
    assert small[RecordKind.OPPORTUNITY] is small.frames[RecordKind.OPPORTUNITY]


def test_truth_frames_have_documented_columns(small: DemoDataset) -> None:
    assert small.truth.schema == pl.Schema(
        {
            "segment": pl.String,
            "stage": pl.String,
            "stage_code": pl.Int32,
            "true_win_probability": pl.Float64,
        }
    )
    segments = [s.key for s in small.params.segments]
    opens = DEFAULT_STAGES.open_stages
    assert small.truth.height == len(segments) * len(opens)
    assert small.truth["segment"].to_list() == [s for s in segments for _ in opens]
    assert small.truth["stage"].to_list() == [st.key for st in opens] * len(segments)
    assert small.truth["stage_code"].to_list() == [st.code for st in opens] * len(segments)
    p = small.truth["true_win_probability"]
    assert p.null_count() == 0
    assert ((p > 0) & (p < 1)).all()
    assert small.opportunity_truth.columns == [
        "opportunity_id",
        "true_win_probability",
        "future_status",
        "future_close_on",
    ]
    assert set(small.truth_by_type["type"].unique()) == {"new", "expansion", "renewal"}
    assert small.rep_truth.height == small.frames[RecordKind.TEAM_MEMBER].height


def test_opportunity_count_is_exact_per_size() -> None:
    data = generate("small", 3, AS_OF)
    assert data.frames[RecordKind.OPPORTUNITY].height == 3_000
    assert default_params("medium").n_opportunities == 50_000
    assert default_params("1m").n_opportunities == 1_000_000


def test_same_seed_gives_identical_frames(small: DemoDataset) -> None:
    again = generate("small", 11, AS_OF)
    for kind, frame in small.frames.items():
        assert frame.equals(again.frames[kind]), kind
    assert small.truth.equals(again.truth)
    assert small.truth_by_type.equals(again.truth_by_type)
    assert small.opportunity_truth.equals(again.opportunity_truth)
    assert small.rep_truth.equals(again.rep_truth)


def test_different_seed_gives_different_data(small: DemoDataset) -> None:
    other = generate("small", 12, AS_OF)
    for kind in (RecordKind.OPPORTUNITY, RecordKind.ACCOUNT, RecordKind.STAGE_EVENT):
        assert not small.frames[kind].equals(other.frames[kind]), kind


def test_parts_draw_from_independent_streams() -> None:
    """Changing lead parameters must not change the deals (each part has its own stream)."""
    params = default_params("small")
    base = generate("small", 5, AS_OF, params=params)
    fewer_leads = dataclasses.replace(params, unworked_lead_share=0.5)
    changed = generate("small", 5, AS_OF, params=fewer_leads)
    assert base.frames[RecordKind.OPPORTUNITY].equals(changed.frames[RecordKind.OPPORTUNITY])
    assert not base.frames[RecordKind.LEAD].equals(changed.frames[RecordKind.LEAD])


def test_unknown_size_and_ancient_dates_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown demo size"):
        default_params("huge")
    with pytest.raises(ValueError, match="as_of"):
        generate("small", 1, dt.date(1975, 1, 1))


def test_too_many_new_deals_for_the_total_is_rejected() -> None:
    params = dataclasses.replace(default_params("small"), new_share=0.99)
    with pytest.raises(ValueError, match="lower new_share"):
        generate("small", 1, AS_OF, params=params)
