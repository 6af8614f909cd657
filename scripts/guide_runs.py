"""The guide's Chapter 2 runs over many seeds: when is 100% first reached, and does it hold?

For each preset (guide-svm, guide-net: the guide's data, start, step size 0.01,
single random examples and spring) and each seed, train 400 steps with the
library's Trainer and record the first step at 100% training accuracy and the
accuracy after step 400. Prints both distributions; ``--reg`` swaps the
spring for another strength (e.g. 0.001, a weak one) and ``--steps`` the length.

    python scripts/guide_runs.py --seeds 100
"""

from __future__ import annotations

import statistics
import sys
from collections import Counter
from dataclasses import replace

from torchcircuits.cli import OneLineErrorParser
from torchcircuits.data import make_dataset
from torchcircuits.errors import InputError
from torchcircuits.pipes import EXIT_INTERRUPTED, quiet_after_broken_pipe
from torchcircuits.progress import ProgressBar
from torchcircuits.run import PRESETS
from torchcircuits.trainer import Diverged, Trainer


def run_seed(preset: str, seed: int, steps: int, reg: float | None) -> tuple[int | None, float, tuple | None]:
    """(first step at 100% or None, final training accuracy, (step, why) it diverged or None)."""
    config = replace(PRESETS[preset].config, seed=seed)
    if reg is not None:
        config = replace(config, reg=reg)
    trainer = Trainer(config, make_dataset("guide"))
    first = None
    try:
        for _ in range(steps):
            trainer.step()
            if first is None and trainer.accuracy(trainer.train_set) == 1.0:
                first = trainer.step_count
    except Diverged as error:  # the parameters stay at the last finite step: its accuracy still counts
        return first, trainer.accuracy(trainer.train_set), (trainer.step_count + 1, str(error))
    return first, trainer.accuracy(trainer.train_set), None


def summarize(preset: str, results: list[tuple[int | None, float, tuple | None]], steps: int) -> str:
    firsts = [f for f, _, _ in results if f is not None]
    finals = Counter(round(a * 6) for _, a, _ in results)
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
    diverged = [(seed, why) for seed, (_, _, why) in enumerate(results) if why is not None]
    at_divergence = " (a diverged seed: at its last finite step)" if diverged else ""
    lines.append(f"  accuracy after step {steps}{at_divergence}: {dist}")
    if diverged:
        shown = "; ".join(f"seed {seed} diverged at step {step}" for seed, (step, _) in diverged[:10])
        more = f"; and {len(diverged) - 10} more" if len(diverged) > 10 else ""
        lines.append(f"  DIVERGED in {len(diverged)}/{len(results)} seeds: {shown}{more} ({diverged[0][1][1]})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Exit status: 0, 1 when a seed diverged, 2 for bad options (one line), 141 when the output pipe closes."""
    parser = OneLineErrorParser(prog="guide_runs", description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--reg", type=float, default=None, help="override the spring (0.5)")
    parser.add_argument("--preset", choices=sorted(PRESETS), action="append")
    diverged = False
    try:
        args = parser.parse_args(argv)
        if args.seeds < 1 or args.steps < 1:
            raise InputError("--seeds and --steps must be positive")
        for preset in args.preset or sorted(PRESETS, reverse=True):
            with ProgressBar(args.seeds, preset) as bar:
                results = []
                for seed in range(args.seeds):
                    results.append(run_seed(preset, seed, args.steps, args.reg))
                    bar.update(seed + 1)
            diverged = diverged or any(why is not None for _, _, why in results)
            print(summarize(preset, results, args.steps))
    except InputError as error:
        print(f"guide_runs: error: {error.as_flag()}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return quiet_after_broken_pipe()
    except KeyboardInterrupt:
        print("guide_runs: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return 1 if diverged else 0


if __name__ == "__main__":
    sys.exit(main())
