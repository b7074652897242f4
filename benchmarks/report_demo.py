"""report_demo: the written plan of the small demo workspace, HTML and PDF, en and zh.

Loads the small demo dataset (seed 7, as of 2026-11-28) into a scratch workspace (phase
`load`), computes every input once (`gather`: baseline, targets, forecast by month, gaps),
then renders from those inputs: `html en`, `html zh`, `pdf en`, `pdf zh`, with totals `html`
and `pdf` (both languages). Targets apply to one language's document: the harness checks
`html en` < 3 s and `pdf en` < 15 s. The first chart conversion starts vl-convert's engine;
one untimed conversion pays that before the timings.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import AS_OF, DemoSize, Recorder, run_benchmark
from salesplan.config import Settings
from salesplan.documents.charts import svg
from salesplan.documents.model import Figure
from salesplan.documents.present import Presenter
from salesplan.i18n import translator
from salesplan.services.demo import load_demo_data
from salesplan.services.report import gather_inputs, render_report

NAME = "report_demo"
SEED = 7


def run(recorder: Recorder, size: DemoSize, workdir: Path) -> None:
    settings = Settings(workspace=workdir / "ws", database_url=None, locale="en", currency="CNY")
    settings.workspace.mkdir(parents=True, exist_ok=True)
    with recorder.phase("load"):
        load_demo_data(settings, size=size, seed=SEED, as_of=AS_OF)
    with recorder.phase("gather"):
        inputs = gather_inputs(settings, seed=SEED)
    svg(
        Figure("losses", "", [{"reason": "price", "share": 1.0}]),
        Presenter(translator("en"), "CNY"),
    )
    for fmt in ("html", "pdf"):
        for lang, tag in (("en", "en"), ("zh_CN", "zh")):
            with recorder.phase(f"{fmt} {tag}"):
                path = render_report(
                    settings, fmt, lang, workdir / f"plan.{tag}.{fmt}", inputs=inputs
                )
            recorder.info(f"bytes.{fmt}.{tag}", path.stat().st_size)
        recorder.total(fmt, [f"{fmt} en", f"{fmt} zh"])


def main(argv: Sequence[str] | None = None) -> None:
    run_benchmark(NAME, __doc__ or NAME, "small", run, argv)


if __name__ == "__main__":
    main()
