"""The benchmark harness: `python -m benchmarks.run` (what `make bench` runs).

Every benchmark in `BENCHMARKS` runs in its own child process, `python -m <module> --size
<size>`, one after the other. The child times its own phases and prints them as one JSON
line (see `benchmarks.common`); the harness measures the child from outside:

* wall time: from start to exit, polled every `POLL_SECONDS`;
* CPU time (user + system) and peak RSS: from the child's own rusage, collected with
  `os.wait4` when the child is reaped, so each figure belongs to that child alone.

One caveat makes peak RSS need care: Linux carries the parent's RSS high-water mark into
the child at `exec`, so `wait4`'s `ru_maxrss` is really max(child peak, parent peak at
spawn). When that figure is above the harness's own peak it is the child's exact peak;
otherwise the harness uses the child's `VmHWM` (the high-water mark of the child's own
address space) polled from /proc while it ran. See `peak_rss`.

Targets are checked only when a benchmark runs at its own size (`--size` overrides are for
quick smoke runs). Results go to `benchmarks/results/latest.md` (the table that is
committed) and `latest.json`; the table is printed as well. The exit status is 1 when a
target is missed or a benchmark fails, 0 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from benchmarks.common import SIZES, Scalar

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = ROOT / "benchmarks" / "results"
POLL_SECONDS = 0.01
DEFAULT_TIMEOUT = 3600.0
MB = 2**20
PACKAGES = ("polars", "pyarrow", "connectorx", "sqlalchemy")


@dataclass(frozen=True, slots=True)
class Benchmark:
    """One benchmark module and its targets (checked at `size` only)."""

    name: str
    module: str
    size: str
    description: str
    max_seconds: Mapping[str, float] = field(default_factory=dict)
    """Phase name → most seconds it may take."""
    max_peak_rss_mb: float | None = None
    """Most peak RSS the whole child process may reach, in MB (2**20 bytes)."""
    max_ratio: Mapping[str, float] = field(default_factory=dict)
    """Phase name → largest allowed seconds ÷ its baseline phase's seconds (same process)."""


BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark(
        name="demo_data_1m",
        module="benchmarks.demo_data_1m",
        size="1m",
        description="generate the 1m demo dataset (seed 1, as of 2026-11-28)",
        max_seconds={"generate": 60.0},
        max_peak_rss_mb=3 * 1024.0,
    ),
    Benchmark(
        name="store_frames_1m",
        module="benchmarks.store_frames_1m",
        size="1m",
        description="store write and store→frames bulk read of 1m, against Parquet",
    ),
    Benchmark(
        name="report_demo",
        module="benchmarks.report_demo",
        size="small",
        description="the written plan of the small demo: HTML and PDF in en and zh",
        max_seconds={"html en": 3.0, "pdf en": 15.0},
    ),
    Benchmark(
        name="import_1m",
        module="benchmarks.import_1m",
        size="1m",
        description="1M-row opportunities CSV import into SQLite, vs pandas and DuckDB",
        max_seconds={"import": 15.0},
        max_peak_rss_mb=1.5 * 1024.0,
    ),
    Benchmark(
        name="forecast_1m",
        module="benchmarks.forecast_1m",
        size="1m",
        description="fit + forecast (10,000 sims) and 12-cutoff backtest on a 1m workspace",
        max_seconds={"fit + forecast": 5.0, "backtest": 60.0},
        max_peak_rss_mb=1024.0,
    ),
    Benchmark(
        name="baseline_1m",
        module="benchmarks.baseline_1m",
        size="1m",
        description="full baseline on 1m loaded frames, vs a Polars floor and pandas",
        max_seconds={"baseline": 3.0},
        max_ratio={"baseline": 1.5},
    ),
)


# --- running one child --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChildRun:
    """What the harness measured of one child process."""

    returncode: int
    stdout: str
    wall_seconds: float
    cpu_seconds: float | None
    peak_rss_mb: float | None
    peak_rss_source: str
    timed_out: bool


def peak_rss(wait4_kb: int | None, parent_kb: int, polled_kb: int) -> tuple[int | None, str]:
    """The child's peak RSS in KiB and where it came from.

    `wait4_kb` is the child's `ru_maxrss`, which Linux never reports below the parent's
    high-water mark at spawn; `parent_kb` is the harness's own peak (an upper bound of
    that); `polled_kb` is the highest `VmHWM` read while the child ran (a lower bound,
    exact unless the child grew within the last poll interval).
    """
    if wait4_kb is not None and wait4_kb > parent_kb:
        return wait4_kb, "wait4"
    if polled_kb > 0:
        return polled_kb, "polled"
    if wait4_kb is not None:
        return wait4_kb, "wait4 (upper bound)"
    return None, "unavailable"


def _status_kb(pid: int, field_name: str = "VmHWM") -> int:
    """A `kB` field of /proc/<pid>/status (0 when unreadable: not Linux, or gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _polled_rss_kb(pid: int) -> int:
    kb = _status_kb(pid)
    if kb or sys.platform.startswith("linux"):
        return kb
    try:  # elsewhere: the current RSS through psutil, sampled
        import psutil

        return int(psutil.Process(pid).memory_info().rss) // 1024
    except Exception:  # psutil missing, or the process is gone
        return 0


def _own_peak_kb() -> int:
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return 0
    return _maxrss_kb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _maxrss_kb(value: int) -> int:
    return value // 1024 if sys.platform == "darwin" else value  # bytes on macOS


def _drain(stream: IO[bytes], sink: list[bytes]) -> None:
    for chunk in iter(lambda: stream.read(65536), b""):
        sink.append(chunk)


def run_child(
    command: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float = DEFAULT_TIMEOUT,
) -> ChildRun:
    """Run `command`, capture its stdout, and measure its wall time, CPU time and peak RSS."""
    start = time.perf_counter()
    process = subprocess.Popen(
        list(command), cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE
    )
    assert process.stdout is not None
    chunks: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(process.stdout, chunks), daemon=True)
    reader.start()
    polled_kb = 0
    timed_out = False
    wait4_kb: int | None = None
    cpu_seconds: float | None = None
    while True:
        if hasattr(os, "wait4"):
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid == process.pid:
                wall = time.perf_counter() - start
                process.returncode = os.waitstatus_to_exitcode(status)
                wait4_kb = _maxrss_kb(usage.ru_maxrss)
                cpu_seconds = usage.ru_utime + usage.ru_stime
                break
        elif process.poll() is not None:  # pragma: no cover - no wait4 (Windows)
            wall = time.perf_counter() - start
            break
        polled_kb = max(polled_kb, _polled_rss_kb(process.pid))
        if not timed_out and time.perf_counter() - start > timeout:
            process.kill()
            timed_out = True
        time.sleep(POLL_SECONDS)
    reader.join()
    process.stdout.close()
    peak_kb, source = peak_rss(wait4_kb, _own_peak_kb(), polled_kb)
    return ChildRun(
        returncode=process.returncode,
        stdout=b"".join(chunks).decode("utf-8", errors="replace"),
        wall_seconds=wall,
        cpu_seconds=cpu_seconds,
        peak_rss_mb=None if peak_kb is None else peak_kb * 1024 / MB,
        peak_rss_source=source,
        timed_out=timed_out,
    )


# --- reading a child's report -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Phase:
    name: str
    seconds: float
    baseline: str | None


@dataclass(frozen=True, slots=True)
class ChildReport:
    phases: list[Phase]
    info: dict[str, Scalar]


def parse_report(stdout: str) -> ChildReport:
    """The last JSON-object line of a child's stdout; ValueError when there is none."""
    for line in reversed(stdout.splitlines()):
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            data: Any = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict):
            return _report(data)
    raise ValueError("printed no JSON result line")


def _report(data: dict[str, Any]) -> ChildReport:
    raw_phases = data.get("phases", [])
    raw_info = data.get("info", {})
    if not isinstance(raw_phases, list) or not isinstance(raw_info, dict):
        raise ValueError("result line needs a `phases` list and an `info` object")
    phases: list[Phase] = []
    for item in raw_phases:
        if not isinstance(item, dict):
            raise ValueError(f"phase is not an object: {item!r}")
        name, seconds, baseline = item.get("name"), item.get("seconds"), item.get("baseline")
        if not isinstance(name, str) or isinstance(seconds, bool):
            raise ValueError(f"bad phase: {item!r}")
        if not isinstance(seconds, int | float) or not isinstance(baseline, str | None):
            raise ValueError(f"bad phase: {item!r}")
        phases.append(Phase(name, float(seconds), baseline))
    info: dict[str, Scalar] = {}
    for key, value in raw_info.items():
        if not isinstance(value, str | int | float | bool | None):
            raise ValueError(f"info {key!r} is not a scalar")
        info[str(key)] = value
    return ChildReport(phases, info)


# --- results ------------------------------------------------------------------------------


@dataclass(slots=True)
class PhaseResult:
    name: str
    seconds: float
    baseline: str | None = None
    ratio: float | None = None
    """seconds ÷ the baseline phase's seconds, both measured in the same process."""
    max_seconds: float | None = None
    max_ratio: float | None = None
    passed: bool | None = None
    """None when there is no target, or targets are not checked at this size."""


@dataclass(slots=True)
class Result:
    benchmark: str
    module: str
    size: str
    nominal_size: str
    targets_checked: bool
    returncode: int | None = None
    wall_seconds: float | None = None
    cpu_seconds: float | None = None
    peak_rss_mb: float | None = None
    peak_rss_source: str = "unavailable"
    max_peak_rss_mb: float | None = None
    rss_passed: bool | None = None
    phases: list[PhaseResult] = field(default_factory=list)
    info: dict[str, Scalar] = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return (
            self.error is None
            and self.rss_passed is not False
            and all(p.passed is not False for p in self.phases)
        )


def evaluate(benchmark: Benchmark, size: str, child: ChildRun) -> Result:
    """Combine what the child reported with what the harness measured, and check targets."""
    checked = size == benchmark.size
    result = Result(
        benchmark=benchmark.name,
        module=benchmark.module,
        size=size,
        nominal_size=benchmark.size,
        targets_checked=checked,
        returncode=child.returncode,
        wall_seconds=child.wall_seconds,
        cpu_seconds=child.cpu_seconds,
        peak_rss_mb=child.peak_rss_mb,
        peak_rss_source=child.peak_rss_source,
        max_peak_rss_mb=benchmark.max_peak_rss_mb,
    )
    if checked and benchmark.max_peak_rss_mb is not None:
        result.rss_passed = (
            child.peak_rss_mb is not None and child.peak_rss_mb < benchmark.max_peak_rss_mb
        )
    errors: list[str] = []
    if child.timed_out:
        errors.append("timed out")
    if child.returncode != 0:
        errors.append(f"exit status {child.returncode}")
    try:
        report = parse_report(child.stdout)
    except ValueError as exc:
        errors.append(str(exc))
        report = ChildReport([], {})
    result.info = dict(sorted(report.info.items()))
    seconds = {phase.name: phase.seconds for phase in report.phases}
    for phase in report.phases:
        row = PhaseResult(phase.name, phase.seconds, phase.baseline)
        if phase.baseline is not None:
            base = seconds.get(phase.baseline)
            if base is None:
                errors.append(f"phase {phase.name!r}: no baseline phase {phase.baseline!r}")
            elif base > 0:
                row.ratio = phase.seconds / base
        row.max_seconds = benchmark.max_seconds.get(phase.name)
        row.max_ratio = benchmark.max_ratio.get(phase.name)
        if checked and (row.max_seconds is not None or row.max_ratio is not None):
            fast = row.max_seconds is None or phase.seconds < row.max_seconds
            close = row.max_ratio is None or (row.ratio is not None and row.ratio <= row.max_ratio)
            row.passed = fast and close
        result.phases.append(row)
    missing = sorted((set(benchmark.max_seconds) | set(benchmark.max_ratio)) - set(seconds))
    if missing and not errors:
        errors.append(f"did not report the phases with targets: {', '.join(missing)}")
    result.error = "; ".join(errors) or None
    return result


# --- output -------------------------------------------------------------------------------

COLUMNS = (
    "benchmark",
    "size",
    "phase",
    "seconds",
    "baseline",
    "ratio",
    "peak RSS MB",
    "target",
    "result",
)
ALIGN = ("---", "---", "---", "---:", "---", "---:", "---:", "---", "---")
PROCESS_PHASE = "(process)"


def _verdict(passed: bool | None, has_target: bool) -> str:
    if not has_target:
        return "-"
    if passed is None:
        return "n/a"
    return "pass" if passed else "FAIL"


def _fmt(value: float | None, digits: int, suffix: str = "") -> str:
    return "-" if value is None else f"{value:.{digits}f}{suffix}"


def table_rows(results: Sequence[Result]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for r in results:
        for p in r.phases:
            targets = [f"< {p.max_seconds:g} s"] if p.max_seconds is not None else []
            if p.max_ratio is not None:
                targets.append(f"≤ {p.max_ratio:g}×")
            target = ", ".join(targets) or "-"
            rows.append(
                (
                    r.benchmark,
                    r.size,
                    p.name,
                    _fmt(p.seconds, 3),
                    p.baseline or "-",
                    _fmt(p.ratio, 2, "×"),
                    "-",
                    target,
                    _verdict(p.passed, bool(targets)),
                )
            )
        rss_target = "-" if r.max_peak_rss_mb is None else f"< {r.max_peak_rss_mb:g} MB"
        verdict = _verdict(r.rss_passed, r.max_peak_rss_mb is not None)
        if r.error is not None:
            verdict = f"FAIL: {r.error}"
        rows.append(
            (
                r.benchmark,
                r.size,
                PROCESS_PHASE,
                _fmt(r.wall_seconds, 3),
                "-",
                "-",
                _fmt(r.peak_rss_mb, 0),
                rss_target,
                verdict,
            )
        )
    return rows


def markdown_table(results: Sequence[Result]) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    lines = [line(COLUMNS), line(ALIGN)]
    lines += [line(row) for row in table_rows(results)]
    return "\n".join(lines) + "\n"


def run_metadata(size_override: str | None) -> dict[str, Scalar]:
    versions: dict[str, Scalar] = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    memory: float | None = None
    with contextlib.suppress(AttributeError, ValueError, OSError):
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load: str | None = None
    with contextlib.suppress(AttributeError, OSError):  # others' work skews the figures
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "date": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "commit": _git_commit(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_gb": None if memory is None else round(memory, 1),
        "load_average_at_end": load,
        "size_override": size_override,
        **{f"version.{name}": version for name, version in versions.items()},
    }


def _git_commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def render_markdown(results: Sequence[Result], meta: Mapping[str, Scalar]) -> str:
    parts = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python -m benchmarks.run`); see benchmarks/README.md.",
        "Seconds are wall time of each phase, timed inside the benchmark process;",
        f"`{PROCESS_PHASE}` is the whole child process (wall time and peak RSS, MB = 2^20 bytes).",
        "Ratio = seconds ÷ baseline seconds, both measured in the same process.",
        "Targets are checked only at each benchmark's own size (`n/a` otherwise).",
        "",
        *(f"- {key}: {'-' if value is None else value}" for key, value in meta.items()),
        "",
        markdown_table(results).rstrip("\n"),
        "",
        "## Details",
    ]
    for r in results:
        parts += ["", f"### {r.benchmark}", ""]
        cpu = _fmt(r.cpu_seconds, 3)
        parts.append(f"- process: cpu {cpu} s, peak RSS source {r.peak_rss_source}")
        parts += [f"- {key}: {'-' if value is None else value}" for key, value in r.info.items()]
    return "\n".join(parts) + "\n"


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def render_json(results: Sequence[Result], meta: Mapping[str, Scalar]) -> str:
    document = {
        "run": dict(meta),
        "results": [{**asdict(r), "ok": r.ok} for r in results],
    }
    return json.dumps(_rounded(document), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _write(path: Path, text: str) -> None:
    scratch = path.with_name(path.name + ".tmp")
    scratch.write_text(text, encoding="utf-8")
    os.replace(scratch, path)


# --- the command --------------------------------------------------------------------------


def child_env(extra_pythonpath: Sequence[Path] = ()) -> dict[str, str]:
    env = dict(os.environ)
    paths = [str(p) for p in (ROOT, *extra_pythonpath)]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def run_benchmarks(
    benchmarks: Sequence[Benchmark],
    *,
    size: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    extra_pythonpath: Sequence[Path] = (),
) -> list[Result]:
    """Run each benchmark in its own child process, one after the other."""
    env = child_env(extra_pythonpath)
    results: list[Result] = []
    for benchmark in benchmarks:
        chosen = size or benchmark.size
        command = [sys.executable, "-m", benchmark.module, "--size", chosen]
        print(f"== {benchmark.name}: {' '.join(command[1:])}", flush=True)
        child = run_child(command, cwd=ROOT, env=env, timeout=timeout)
        result = evaluate(benchmark, chosen, child)
        status = "ok" if result.ok else f"FAILED ({result.error or 'target missed'})"
        print(
            f"== {benchmark.name}: {status}, {child.wall_seconds:.1f} s, "
            f"peak RSS {_fmt(child.peak_rss_mb, 0)} MB",
            flush=True,
        )
        results.append(result)
    return results


def write_results(
    results: Sequence[Result], results_dir: Path, size_override: str | None = None
) -> tuple[Path, Path]:
    meta = run_metadata(size_override)
    results_dir.mkdir(parents=True, exist_ok=True)
    markdown, document = results_dir / "latest.md", results_dir / "latest.json"
    _write(markdown, render_markdown(results, meta))
    _write(document, render_json(results, meta))
    return markdown, document


def main(
    argv: Sequence[str] | None = None,
    *,
    benchmarks: Sequence[Benchmark] = BENCHMARKS,
    extra_pythonpath: Sequence[Path] = (),
) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description="Run salesplan's benchmarks."
    )
    names = [b.name for b in benchmarks]
    parser.add_argument(
        "--only",
        action="append",
        choices=names,
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(names)}",
    )
    parser.add_argument(
        "--size",
        choices=SIZES,
        default=None,
        help="run every benchmark at this demo size instead of its own (targets not checked)",
    )
    parser.add_argument(
        "--results-dir",
        type=Path,
        default=RESULTS_DIR,
        help="where latest.md and latest.json go (default: benchmarks/results)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds before a benchmark is killed (default: {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.list:
        for b in benchmarks:
            print(f"{b.name:<20} {b.size:<6} {b.description}")
        return 0
    selected = [b for b in benchmarks if not args.only or b.name in args.only]
    results = run_benchmarks(
        selected, size=args.size, timeout=args.timeout, extra_pythonpath=extra_pythonpath
    )
    markdown, document = write_results(results, args.results_dir, args.size)
    print()
    print(markdown_table(results), end="")
    print(f"\nwrote {markdown} and {document}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
