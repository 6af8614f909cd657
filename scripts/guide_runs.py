"""The guide's Chapter 2 runs over many seeds: when is 100% first reached, and does it hold?

For each preset (guide-svm, guide-net: the guide's data, start, step size 0.01,
single random examples and spring) and each seed, train 400 steps with the
library's Trainer and record the first step at 100% training accuracy and the
accuracy after step 400. Prints both distributions; ``--reg`` swaps the
spring for another strength (e.g. 0.001, a weak one) and ``--steps`` the length.

    python scripts/guide_runs.py --seeds 100
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter
from dataclasses import replace

from torchcircuits.data import make_dataset
from torchcircuits.errors import InputError
from torchcircuits.progress import ProgressBar
from torchcircuits.run import PRESETS
from torchcircuits.trainer import Trainer


def run_seed(preset: str, seed: int, steps: int, reg: float | None) -> tuple[int | None, float]:
    config = replace(PRESETS[preset].config, seed=seed)
    if reg is not None:
        config = replace(config, reg=reg)
    trainer = Trainer(config, make_dataset("guide"))
    first = None
    for _ in range(steps):
        trainer.step()
        if first is None and trainer.accuracy(trainer.train_set) == 1.0:
            first = trainer.step_count
    return first, trainer.accuracy(trainer.train_set)


def summarize(preset: str, results: list[tuple[int | None, float]], steps: int) -> str:
    firsts = [f for f, _ in results if f is not None]
    finals = Counter(round(a * 6) for _, a in results)
    lines = [f"{preset}: {len(results)} seeds, {steps} steps"]
    if firsts:
        q = statistics.quantiles(firsts, n=4) if len(firsts) > 1 else [firsts[0]] * 3
        lines.append(
            f"  reached 100% in {len(firsts)}/{len(results)} seeds; first step at 100%: "
            f"min {min(firsts)}, quartiles {q[0]:.0f} / {q[1]:.0f} / {q[2]:.0f}, max {max(firsts)}"
        )
    else:
        lines.append(f"  never reached 100% in {len(results)} seeds")
    dist = ", ".join(f"{k}/6: {finals[k]}" for k in sorted(finals, reverse=True))
    lines.append(f"  accuracy after step {steps}: {dist}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--reg", type=float, default=None, help="override the spring (0.5)")
    parser.add_argument("--preset", choices=sorted(PRESETS), action="append")
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.steps < 1:
        print("guide_runs: error: --seeds and --steps must be positive", file=sys.stderr)
        return 2
    try:
        for preset in args.preset or sorted(PRESETS, reverse=True):
            with ProgressBar(args.seeds, preset) as bar:
                results = []
                for seed in range(args.seeds):
                    results.append(run_seed(preset, seed, args.steps, args.reg))
                    bar.update(seed + 1)
            print(summarize(preset, results, args.steps))
    except InputError as error:
        print(f"guide_runs: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
