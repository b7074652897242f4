"""demo_data_1m: how long the 1M-opportunity demo dataset takes to generate, and its memory.

Times `salesplan.demo.generate("1m", seed=1, as_of=2026-11-28)` as phase `generate`; the
harness measures the process's peak RSS. Targets (checked by benchmarks.run at size 1m):
generate < 60 s, peak RSS < 3 GiB.
"""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.common import AS_OF, SEED, Recorder, megabytes, parse_options
from salesplan.demo import generate

NAME = "demo_data_1m"


def main(argv: Sequence[str] | None = None) -> None:
    options = parse_options(__doc__ or NAME, "1m", argv)
    recorder = Recorder(NAME, options.size)
    with recorder.phase("generate"):
        dataset = generate(options.size, SEED, AS_OF)
    total = 0
    for kind in sorted(dataset.frames, key=str):
        frame = dataset.frames[kind]
        recorder.info(f"rows.{kind.value}", frame.height)
        total += int(frame.estimated_size())
    recorder.info("frames_mb", megabytes(total))
    recorder.info("seed", SEED)
    recorder.info("as_of", AS_OF.isoformat())
    recorder.emit()


if __name__ == "__main__":
    main()
