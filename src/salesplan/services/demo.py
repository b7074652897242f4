"""Demo data into a workspace, and the demo: sample data → everything built so far.

Today that is: sample data → overview → baseline → next year's targets (blend) → forecast
of the next quarter → an annual plan drafted from the data → gaps ranked by revenue at stake,
with draft initiatives written into the plan → the written plan as HTML and PDF in English
and Chinese.

`load_demo_data` writes one generated dataset into the store as one import batch per record
kind, all in one transaction; the generator's ground truth goes beside the database as
Parquet (it is not CRM data, so it never enters the store).
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from salesplan.config import Settings
from salesplan.demo import DemoDataset, generate
from salesplan.domain.records import RecordKind
from salesplan.errors import ConfigError
from salesplan.i18n import translator
from salesplan.services.baseline import BaselineReport, compute_baseline
from salesplan.services.forecast import ForecastReport, compute_forecast
from salesplan.services.gaps import GapsReport, compute_gaps
from salesplan.services.overview import Overview, workspace_overview
from salesplan.services.plan import create_plan
from salesplan.services.progress import Progress, SilentProgress
from salesplan.services.report import gather_inputs, render_report
from salesplan.services.store import open_store
from salesplan.services.targets import TargetsReport, compute_targets
from salesplan.storage import records

DemoSize = Literal["small", "medium", "1m"]
DEMO_SIZES: tuple[str, ...] = get_args(DemoSize)
DEMO_MARKER = ".salesplan-demo"
DEMO_AUTHOR = "salesplan demo"
TRUTH_DIR = "demo-truth"

# Parents before children, so a reader of a half-loaded store never sees dangling ids.
LOAD_ORDER = (
    RecordKind.FX_RATE,
    RecordKind.PRODUCT,
    RecordKind.TEAM_MEMBER,
    RecordKind.ACCOUNT,
    RecordKind.OPPORTUNITY,
    RecordKind.STAGE_EVENT,
    RecordKind.LEAD,
    RecordKind.ACTIVITY,
)


@dataclass(frozen=True, slots=True)
class DemoLoadResult:
    workspace: Path
    size: str
    seed: int
    as_of: dt.date
    rows: dict[str, int]
    truth_files: list[Path] = field(default_factory=list)


def check_size(size: str) -> DemoSize:
    if size not in DEMO_SIZES:
        raise ConfigError(
            "Unknown demo size {value}; use one of: {choices}.",
            value=size,
            choices=", ".join(DEMO_SIZES),
        )
    return size  # type: ignore[return-value]


def load_demo_data(
    settings: Settings,
    *,
    size: str = "small",
    seed: int = 7,
    as_of: dt.date | None = None,
    progress: Progress | None = None,
) -> DemoLoadResult:
    """Generate the demo dataset and load it into the workspace's store in one transaction."""
    progress = progress or SilentProgress()
    checked = check_size(size)
    when = as_of or dt.date.today()
    progress.step("Generating the demo dataset ({size}, seed {seed})…", size=checked, seed=seed)
    dataset = generate(checked, seed, when)
    engine = open_store(settings)
    rows: dict[str, int] = {}
    try:
        with engine.begin() as connection:
            records.replace_stages(connection, dataset.stages)
            for kind in LOAD_ORDER:
                frame = dataset.frames[kind]
                progress.step("Loading {kind} into the store…", kind=kind.value)
                batch = records.create_batch(
                    connection,
                    kind=kind.value,
                    source=f"demo:{checked}:seed={seed}",
                    preset="demo",
                    as_of=when,
                    row_count=frame.height,
                )
                rows[kind.value] = records.write_records(connection, kind, frame, batch)
    finally:
        engine.dispose()
    truth_files = _write_truth(settings.workspace, dataset)
    return DemoLoadResult(settings.workspace, checked, seed, when, rows, truth_files)


def _write_truth(workspace: Path, dataset: DemoDataset) -> list[Path]:
    folder = workspace / TRUTH_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written = {
        "stage_truth": dataset.truth,
        "opportunity_truth": dataset.opportunity_truth,
        "stage_truth_by_type": dataset.truth_by_type,
        "rep_truth": dataset.rep_truth,
    }
    paths = []
    for name, frame in written.items():
        path = folder / f"{name}.parquet"
        frame.write_parquet(path)
        paths.append(path)
    return paths


@dataclass(frozen=True, slots=True)
class DemoReport:
    loaded: DemoLoadResult
    overview: Overview
    baseline: BaselineReport
    targets: TargetsReport
    forecast: ForecastReport
    plan_version: int
    gaps: GapsReport
    documents: list[Path]
    """The rendered plan: HTML and PDF, in English and Chinese."""


def prepare_demo_workspace(workspace: Path) -> None:
    """Empty `workspace` for a new demo; refuse to touch a folder the demo did not create."""
    if workspace.exists():
        if not workspace.is_dir():
            raise ConfigError(
                "The option {option} must be a directory, got {value}.",
                option="--workspace",
                value=str(workspace),
            )
        if any(workspace.iterdir()) and not (workspace / DEMO_MARKER).exists():
            raise ConfigError(
                "The folder {path} is not empty and was not made by `salesplan demo`; "
                "choose another --workspace.",
                path=str(workspace),
            )
        shutil.rmtree(workspace)
    workspace.mkdir(parents=True)
    (workspace / DEMO_MARKER).write_text("made by `salesplan demo`; safe to delete\n")


def run_demo(
    settings: Settings,
    *,
    seed: int = 7,
    as_of: dt.date | None = None,
    progress: Progress | None = None,
) -> DemoReport:
    """A fresh demo workspace with the small dataset, and everything built so far run on it."""
    if settings.database_url is None:
        prepare_demo_workspace(settings.workspace)
    progress = progress or SilentProgress()
    loaded = load_demo_data(settings, size="small", seed=seed, as_of=as_of, progress=progress)
    progress.step("Computing the baseline…")
    overview = workspace_overview(settings)
    baseline = compute_baseline(settings, period="last-12m")
    progress.step("Setting next year's targets…")
    targets = compute_targets(settings, method="blend")
    progress.step("Writing the plan…")
    t = translator(settings.locale)
    version = create_plan(
        settings,
        "annual",
        settings.locale,
        author=DEMO_AUTHOR,
        reason=t.gettext("Annual plan drafted from the demo data."),
        force=True,
    )
    progress.step("Forecasting the next quarter…")
    forecast = compute_forecast(settings, seed=seed)
    progress.step("Finding the gaps and proposing initiatives…")
    gaps = compute_gaps(settings, propose_drafts=True, seed=seed)
    progress.step("Rendering the plan in English and Chinese…")
    inputs = gather_inputs(settings, seed=seed)
    documents = [
        render_report(settings, fmt, lang, inputs=inputs)
        for lang in ("en", "zh_CN")
        for fmt in ("html", "pdf")
    ]
    return DemoReport(
        loaded, overview, baseline, targets, forecast, version.number, gaps, documents
    )
