"""The benchmark harness (benchmarks/run.py) on tiny fake benchmark modules.

The fakes run as real child processes, so these tests check what `make bench` relies on:
one child per benchmark, its wall time, CPU time and peak RSS measured from outside (and not
zero), its JSON line parsed, ratios computed, targets checked, the table written.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]

FAKE_MODULE = textwrap.dedent(
    """
    import json, sys, time

    size = sys.argv[sys.argv.index("--size") + 1]
    start = time.perf_counter()
    block = bytearray(160 * 2**20)
    for i in range(0, len(block), 4096):  # touch every page: resident, not just reserved
        block[i] = 1
    time.sleep(0.3)
    fill = time.perf_counter() - start
    print("anything printed before the result line is ignored")
    print(json.dumps({
        "benchmark": "fake", "size": size,
        "phases": [
            {"name": "fill", "seconds": fill, "baseline": None},
            {"name": "half", "seconds": fill / 2, "baseline": "fill"},
        ],
        "info": {"size": size, "rows": 3},
    }))
    """
)

CRASHING_MODULE = "import sys\nprint('no result')\nsys.exit(3)\n"


@pytest.fixture
def harness(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ModuleType:
    """benchmarks.run, importable from the repository root; fake modules in tmp_path/fakes."""
    monkeypatch.syspath_prepend(str(ROOT))
    fakes = tmp_path / "fakes" / "salesplan_fake_bench"
    fakes.mkdir(parents=True)
    (fakes / "__init__.py").write_text("")
    (fakes / "fill.py").write_text(FAKE_MODULE)
    (fakes / "crash.py").write_text(CRASHING_MODULE)
    import benchmarks.run

    return benchmarks.run


def _specs(harness: ModuleType) -> tuple[Any, ...]:
    bench = harness.Benchmark
    return (
        bench(
            name="fake_ok",
            module="salesplan_fake_bench.fill",
            size="small",
            description="fills 160 MB",
            max_seconds={"fill": 30.0},
            max_peak_rss_mb=4096.0,
        ),
        bench(
            name="fake_slow",
            module="salesplan_fake_bench.fill",
            size="small",
            description="misses its time target",
            max_seconds={"fill": 0.001},
        ),
        bench(
            name="fake_crash",
            module="salesplan_fake_bench.crash",
            size="small",
            description="exits 3 without a result",
        ),
    )


def _run(harness: ModuleType, tmp_path: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    out = tmp_path / "results"
    code = harness.main(
        ["--results-dir", str(out), *args],
        benchmarks=_specs(harness),
        extra_pythonpath=[tmp_path / "fakes"],
    )
    document = json.loads((out / "latest.json").read_text(encoding="utf-8"))
    return code, document, (out / "latest.md").read_text(encoding="utf-8")


def test_one_child_is_measured_and_the_table_written(harness: ModuleType, tmp_path: Path) -> None:
    code, document, markdown = _run(harness, tmp_path, "--only", "fake_ok")
    assert code == 0
    (result,) = document["results"]
    assert result["benchmark"] == "fake_ok"
    assert result["ok"] is True
    assert result["returncode"] == 0
    # Measured by the harness from outside the child: the child slept 0.3 s and touched 160 MB.
    assert result["wall_seconds"] >= 0.3
    assert result["cpu_seconds"] > 0
    assert 160 <= result["peak_rss_mb"] < 4096
    assert result["rss_passed"] is True
    fill, half = result["phases"]
    assert fill["name"] == "fill" and fill["seconds"] >= 0.3 and fill["passed"] is True
    assert half["baseline"] == "fill" and half["ratio"] == pytest.approx(0.5, abs=1e-3)
    assert result["info"] == {"rows": 3, "size": "small"}

    assert "| benchmark | size | phase | seconds | baseline | ratio | peak RSS MB |" in markdown
    assert "| fake_ok | small | fill |" in markdown
    assert "| fill | 0.50× |" in markdown
    process_row = next(
        r for r in markdown.splitlines() if r.startswith("| fake_ok | small | (process)")
    )
    cells = [c.strip() for c in process_row.strip("|").split("|")]
    assert float(cells[3]) >= 0.3  # wall seconds
    assert int(cells[6]) >= 160  # peak RSS MB
    assert cells[7:] == ["< 4096 MB", "pass"]


def test_missed_targets_and_crashes_fail_the_run(harness: ModuleType, tmp_path: Path) -> None:
    code, document, markdown = _run(harness, tmp_path)
    assert code == 1
    by_name = {r["benchmark"]: r for r in document["results"]}
    assert list(by_name) == ["fake_ok", "fake_slow", "fake_crash"]
    assert by_name["fake_ok"]["ok"] is True
    slow = by_name["fake_slow"]
    assert slow["ok"] is False and slow["error"] is None
    assert slow["phases"][0]["passed"] is False
    crash = by_name["fake_crash"]
    assert crash["ok"] is False and crash["returncode"] == 3
    assert "exit status 3" in crash["error"] and "no JSON result line" in crash["error"]
    assert "| fake_slow | small | fill |" in markdown and "| FAIL |" in markdown
    assert "FAIL: exit status 3" in markdown


def test_a_size_override_is_a_smoke_run_without_targets(
    harness: ModuleType, tmp_path: Path
) -> None:
    code, document, markdown = _run(harness, tmp_path, "--only", "fake_slow", "--size", "medium")
    assert code == 0  # the missed target is not checked at another size
    (result,) = document["results"]
    assert result["size"] == "medium" and result["nominal_size"] == "small"
    assert result["targets_checked"] is False
    assert result["info"]["size"] == "medium"  # the child was given the size
    assert result["phases"][0]["passed"] is None
    assert document["run"]["size_override"] == "medium"
    assert "| fake_slow | medium | fill |" in markdown and "| n/a |" in markdown


def test_peak_rss_is_the_childs_own(harness: ModuleType) -> None:
    # wait4 above the harness's own peak: the child's exact figure.
    assert harness.peak_rss(500_000, 100_000, 450_000) == (500_000, "wait4")
    # wait4 not above it: Linux may have reported the parent's peak; use the child's VmHWM.
    assert harness.peak_rss(100_000, 100_000, 40_000) == (40_000, "polled")
    assert harness.peak_rss(None, 100_000, 0) == (None, "unavailable")
    if sys.platform.startswith("linux"):
        assert harness._status_kb(os.getpid()) > 0


def test_result_lines_are_validated(harness: ModuleType) -> None:
    report = harness.parse_report('log\n{"phases": [{"name": "a", "seconds": 1}], "info": {}}\n')
    assert report.phases[0].name == "a" and report.phases[0].baseline is None
    for bad in ("", "not json", '{"phases": [{"name": "a", "seconds": "slow"}]}'):
        with pytest.raises(ValueError):
            harness.parse_report(bad)


def test_the_registry_names_real_modules(harness: ModuleType) -> None:
    names = [b.name for b in harness.BENCHMARKS]
    assert names[:2] == ["demo_data_1m", "store_frames_1m"]
    for bench in harness.BENCHMARKS:
        assert bench.module == f"benchmarks.{bench.name}"
        assert (ROOT / "benchmarks" / f"{bench.name}.py").is_file()
    demo = harness.BENCHMARKS[0]
    assert demo.max_seconds == {"generate": 60.0} and demo.max_peak_rss_mb == 3072.0


def test_a_real_benchmark_runs_at_the_small_size(harness: ModuleType, tmp_path: Path) -> None:
    """Smoke: store_frames_1m at size small (a few seconds), so the modules never rot."""
    out = tmp_path / "results"
    code = harness.main(["--only", "store_frames_1m", "--size", "small", "--results-dir", str(out)])
    assert code == 0
    (result,) = json.loads((out / "latest.json").read_text(encoding="utf-8"))["results"]
    assert result["error"] is None and result["peak_rss_mb"] > 0 and result["wall_seconds"] > 0
    phases = {p["name"]: p for p in result["phases"]}
    assert phases["store read"]["baseline"] == "parquet read"
    assert phases["store read"]["ratio"] > 0
    assert result["info"]["reader.opportunity"] in {"connectorx", "dbapi"}
    assert result["info"]["reader.stage_event"] in {"connectorx", "dbapi"}
    assert all(v is True for k, v in result["info"].items() if k.startswith("roundtrip."))


def test_a_ratio_target_is_checked_against_the_baseline_phase(harness: ModuleType) -> None:
    line = json.dumps(
        {
            "benchmark": "b",
            "size": "small",
            "phases": [
                {"name": "floor", "seconds": 2.0, "baseline": None},
                {"name": "work", "seconds": 3.2, "baseline": "floor"},  # 1.6× the floor
            ],
            "info": {},
        }
    )
    child = harness.ChildRun(0, line + "\n", 6.0, 5.0, 100.0, "wait4", False)

    def verdict(max_ratio: float) -> Any:
        bench = harness.Benchmark(
            "b", "m", "small", "d", max_seconds={"work": 5.0}, max_ratio={"work": max_ratio}
        )
        (_, work) = harness.evaluate(bench, "small", child).phases
        return work.passed

    assert verdict(1.5) is False  # fast enough (3.2 s < 5 s) but 1.6× > 1.5×
    assert verdict(1.6) is True
    bench = harness.Benchmark("b", "m", "small", "d", max_ratio={"work": 1.5})
    rows = harness.table_rows([harness.evaluate(bench, "small", child)])
    assert rows[1][7:] == ("≤ 1.5×", "FAIL")
