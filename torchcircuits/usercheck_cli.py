"""``torchcircuits check --file FILE``: the check table for a user's declarations, then a verdict per gradient.

Exit status: 0 when every gradient agrees, 1 when one is wrong (each wrong one
diagnosed on its own line), 2 for a file that cannot be checked (one line).
"""

from __future__ import annotations

import argparse

from .check import HAND_TORCH_TOL, NUMERIC_REL_TOL
from .diagnosis import GradientVerdict, summarize
from .strict_json import dumps_strict
from .userfile import check_declarations, load_declarations, run_count

__all__ = ["run_file_check", "verdict_table"]


def verdict_table(found: list[GradientVerdict]) -> str:
    """makemore's ``cmp`` lines as a table: circuit, gradient, verdict, largest difference and its reference."""
    header = ("circuit", "gradient", "verdict", "max|diff|", "vs")
    rows = [header] + [(v.circuit, f"d{v.input}", v.verdict, f"{v.max_diff:.1e}", v.reference) for v in found]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def run_file_check(args: argparse.Namespace) -> int:
    """Load ``args.file``, check what it declares, print the tables (or JSON); 1 if a gradient is wrong."""
    from .cli import _device, check_table
    from .progress import ProgressBar

    declared = load_declarations(args.file)
    device = _device(args.device)
    total = run_count(declared, args.names, args.trials) if all(n in declared for n in args.names) else 0
    with ProgressBar(total, "check") as bar:
        runs = check_declarations(
            declared, args.names, args.trials, args.seed, device, on_run=lambda done, _: bar.update(done)
        )
    found = summarize(runs)
    wrong = [v for v in found if v.verdict == "wrong"]
    if args.json:
        print(dumps_strict({"runs": [r.to_json() for r in runs], "gradients": [v.to_json() for v in found]}, indent=1))
    else:
        print(check_table(runs))
        print()
        print(verdict_table(found))
        if wrong:
            print()
        for verdict in wrong:
            print(f"WRONG {verdict.describe()}")
        print(
            f"\n{len(found)} gradients, {len({r.circuit for r in runs})} declared, {len(runs)} runs: "
            + ("all agree" if not wrong else f"{len(wrong)} WRONG")
            + f" (hand vs torch <= {HAND_TORCH_TOL:g} abs, vs centered numeric < {NUMERIC_REL_TOL:g} rel)"
        )
    return 1 if wrong else 0
