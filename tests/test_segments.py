"""`salesplan segments`: ranking on a hand-made dataset, the ICP proposal, and the CLI contract."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from statsmodels.stats.proportion import proportion_confint  # type: ignore[import-untyped]

from salesplan.cli import run
from salesplan.errors import ConfigError
from salesplan.services.segments import (
    dimension_candidates,
    parse_segment_dimensions,
    propose_icp,
    with_company_size,
)

D = dt.date
START, END = D(2025, 1, 1), D(2026, 1, 1)


def _deal(ident: str, region: str, status: str, amount: int, days: int) -> dict[str, object]:
    closed = D(2025, 6, 1)
    return {
        "id": ident,
        "region": region,
        "status": status,
        "amount_plan_minor": amount,
        "created_on": closed - dt.timedelta(days=days),
        "closed_on": closed,
    }


def _deals() -> pl.DataFrame:
    return pl.DataFrame(
        [
            _deal("a1", "A", "won", 100, 10),
            _deal("a2", "A", "won", 200, 30),
            _deal("a3", "A", "lost", 999, 5),
            _deal("b1", "B", "won", 600, 20),
            _deal("b2", "B", "lost", 50, 7),
        ]
    )


def test_region_candidates_by_hand() -> None:
    rows = {r.value: r for r in dimension_candidates(_deals(), "region", START, END)}
    a, b = rows["A"], rows["B"]
    # A: 2 won of 3, avg won deal (100+200)/2 = 150, median cycle (10, 30) = 20 days.
    # B: 1 won of 2, avg 600, cycle 20.
    assert (a.win_rate.successes, a.win_rate.n) == (2, 3)
    assert (b.win_rate.successes, b.win_rate.n) == (1, 2)
    assert a.avg_deal_minor == 150 and b.avg_deal_minor == 600
    assert a.cycle_median_days == 20 and b.cycle_median_days == 20
    # Pooled 3/5 = 0.6; observed spread [3(2/3-.6)² + 2(.5-.6)²]/5 = 0.00667 is below the
    # sampling variance .6·.4·2/5 = 0.096, so the prior strength is capped at m = 1000:
    # shrunk A = (2 + 600)/1003, B = (1 + 600)/1002.
    assert a.win_rate_shrunk == pytest.approx(602 / 1003)
    assert b.win_rate_shrunk == pytest.approx(601 / 1002)
    # score = shrunk × avg deal ÷ cycle: A = 602/1003·150/20, B = 601/1002·600/20 → B first.
    assert b.score == pytest.approx(601 / 1002 * 30)
    assert a.score == pytest.approx(602 / 1003 * 7.5)
    assert (b.rank, a.rank) == (1, 2)
    assert b.fit == 1.0
    assert a.fit == pytest.approx((602 * 1002) / (1003 * 601 * 4))
    # Bookings 300 and 600 of 900.
    assert a.revenue_share == pytest.approx(1 / 3) and b.revenue_share == pytest.approx(2 / 3)
    # Wilson intervals from an independent implementation.
    low, high = proportion_confint(2, 3, alpha=0.05, method="wilson")
    assert a.win_rate.low == pytest.approx(low) and a.win_rate.high == pytest.approx(high)
    # Both samples are below 30 deals: the ICP falls back to the best and says so.
    icp = propose_icp(list(rows.values()), ["region"])
    assert [(i.value, i.n, i.low_confidence) for i in icp] == [("B", 2, True)]


def test_icp_prefers_a_solid_sample_and_skips_unknown_values() -> None:
    deals = [_deal(f"x{i}", "X", "won" if i < 30 else "lost", 100, 10) for i in range(40)]
    deals += [_deal("y1", "Y", "won", 10_000, 10), _deal("y2", None, "won", 10**6, 1)]  # type: ignore[arg-type]
    rows = dimension_candidates(pl.DataFrame(deals), "region", START, END)
    assert [r.value for r in rows] == [None, "Y", "X"]  # ranked by score
    icp = propose_icp(rows, ["region"])
    # Y ranks above X but rests on 1 deal; X has 40 ≥ 30 closed deals.
    assert [(i.value, i.n, i.low_confidence) for i in icp] == [("X", 40, False)]


def test_company_size_comes_from_the_converting_lead() -> None:
    leads = pl.DataFrame(
        {
            "opportunity_id": ["a1", "a1", None],
            "created_on": [D(2025, 2, 1), D(2025, 1, 1), D(2025, 1, 1)],
            "company_size": ["500-1999", "1-99", "10000+"],
        }
    )
    sized = with_company_size(_deals(), leads)
    sizes = dict(zip(sized["id"].to_list(), sized["company_size"].to_list(), strict=True))
    assert sizes == {"a1": "1-99", "a2": None, "a3": None, "b1": None, "b2": None}


def test_unknown_dimension_is_a_config_error() -> None:
    assert parse_segment_dimensions(None) == ["segment"]
    assert parse_segment_dimensions("Region, source,region") == ["region", "source"]
    with pytest.raises(ConfigError):
        parse_segment_dimensions("planet")


@pytest.fixture(scope="module")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("segments") / "ws"
    assert run(["-q", "--workspace", str(ws), "demo-data", "--as-of", "2026-11-28"]) == 0
    return ws


def test_cli_json_table_csv(demo_workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    ws = str(demo_workspace)
    by = "segment,industry,company_size,region,source"
    code = run(["-q", "--workspace", ws, "segments", "--by", by, "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    document = json.loads(out)
    assert set(document) == {"as_of", "currency", "locale", "segments", "warnings"}
    doc = document["segments"]
    assert doc["by"] == by.split(",")
    for dimension in doc["by"]:
        rows = [c for c in doc["candidates"] if c["dimension"] == dimension]
        ranks = sorted(c["rank"] for c in rows if c["rank"] is not None)
        assert ranks == list(range(1, len(ranks) + 1))
        assert all(c["win_rate"]["low"] <= c["win_rate"]["rate"] <= c["win_rate"]["high"]
                   for c in rows)  # fmt: skip
    assert {i["dimension"] for i in doc["icp"]} == set(doc["by"])
    assert all(i["value"] is not None for i in doc["icp"])
    assert run(["-q", "--workspace", ws, "segments", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("dimension,value,rank,fit,n,win_rate")
    assert run(["-q", "--workspace", ws, "--lang", "zh", "segments"]) == 0
    assert "理想客户画像" in capsys.readouterr().out
    assert run(["-q", "--workspace", ws, "segments", "--by", "planet"]) == 1
    assert "planet" in capsys.readouterr().err
