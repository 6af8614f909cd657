"""``torchcircuits``: the command line.

Every subcommand reports bad input as one line on stderr,
``torchcircuits: error: ...``, and exits with status 2; ``check`` exits 1 when
a gradient disagrees and 0 when all agree. Output piped into a reader that
stops early (``| head -1``) ends the command quietly (status 141, as SIGPIPE).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from .errors import InputError, parse_assignments, parse_float
from .pipes import EXIT_INTERRUPTED, quiet_after_broken_pipe

__all__ = ["main", "build_parser", "OneLineErrorParser", "non_negative_int", "check_table"]


class OneLineErrorParser(argparse.ArgumentParser):
    """argparse, but a usage error is an InputError: one line, exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputError(f"{message} (see {self.prog} --help)")


def _int_at_least(minimum: int, what: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number {what}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a whole number {what}, got {value}")
        return value

    return parse


non_negative_int = _int_at_least(0, ">= 0")


def _device(name: str) -> str:
    import torch

    if name not in ("cpu", "cuda"):
        raise InputError(f"unknown device {name!r}: choose one of cpu, cuda")
    if name == "cuda" and not torch.cuda.is_available():
        raise InputError("device cuda is not available on this machine: use --device cpu")
    return name


# --- check -------------------------------------------------------------------------
#: the most random points per circuit `check --trials` takes: a run costs about a millisecond, so this is
#: days of checking; memory stays flat whatever the count, since runs are printed as they come
MAX_TRIALS = 10**9
_STATUS_TEXT = {"ok": "OK", "kink": "OK (kink)", "numeric skipped": "OK (no numeric)", "not finite": "NOT FINITE",
                "fail": "FAIL"}  # fmt: skip
_CHECK_HEADER = ("circuit", "run", "inputs", "output", "max|hand-torch|", "max rel err (num)", "status", "reason")
_INPUTS_WIDTH = 44


def _trials(text: str) -> int:
    value = non_negative_int(text)
    if value > MAX_TRIALS:
        raise argparse.ArgumentTypeError(f"expected at most {MAX_TRIALS} trials per circuit, got {value}")
    return value


def _format_inputs(values: dict[str, float], limit: int = _INPUTS_WIDTH) -> str:
    if any("[" in k for k in values):  # a layer's entries x[i, j]: name each input with its entry count
        from .usercheck import summarize_entries

        return summarize_entries(values)
    text = ", ".join(f"{k}={v:.4g}" for k, v in values.items())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _CheckTable:
    """The check table, one row at a time: column widths are fixed before the first run."""

    def __init__(self, circuits: list, trials: int, given: dict[str, float] | None) -> None:
        first = "given" if given else "seed"
        inputs = [_format_inputs(c.validate(given or {}, partial=True)) for c in circuits]
        # a random trial prints each input as a short number like -2.345
        inputs += [", ".join(f"{n}=-0.0000" for n in c.inputs) for c in circuits if trials]
        self.widths = (
            max(len(_CHECK_HEADER[0]), *(len(c.name) for c in circuits)),
            max(len(_CHECK_HEADER[1]), len(first), len(f"trial {trials}") if trials else 0),
            min(_INPUTS_WIDTH, max(len(_CHECK_HEADER[2]), *map(len, inputs))),
            13,
            len(_CHECK_HEADER[4]),
            len(_CHECK_HEADER[5]),
            max(map(len, _STATUS_TEXT.values())),
        )

    def _line(self, cells: tuple[str, ...]) -> str:
        padded = [cell.ljust(w) for cell, w in zip(cells, self.widths, strict=False)]
        return "  ".join(padded + list(cells[len(self.widths) :])).rstrip()

    def header(self) -> str:
        return self._line(_CHECK_HEADER) + "\n" + "  ".join("-" * w for w in (*self.widths, len(_CHECK_HEADER[-1])))

    def row(self, r) -> str:
        return self._line(_row_cells(r))


def _row_cells(r) -> tuple[str, ...]:
    """One run as the table's cells."""
    compared = r.status in ("ok", "fail", "kink")
    return (
        r.circuit,
        r.run,
        _format_inputs(r.inputs),
        f"{r.output:.6g}",
        "-" if r.max_abs_diff_hand_torch is None else f"{r.max_abs_diff_hand_torch:.1e}",
        f"{r.max_rel_error_numeric:.1e}" if compared else "-",
        _STATUS_TEXT[r.status],
        r.reason,
    )


def check_table(runs: list) -> str:
    """A whole table of finished runs, each column as wide as its widest cell (the reason column unpadded)."""
    rows = [_CHECK_HEADER, *(_row_cells(r) for r in runs)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_CHECK_HEADER) - 1)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join([c.ljust(w) for c, w in zip(cells, widths, strict=False)] + [cells[-1]]).rstrip()

    dashes = "  ".join("-" * w for w in (*widths, len(_CHECK_HEADER[-1])))
    return "\n".join([line(rows[0]), dashes, *(line(row) for row in rows[1:])])


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _run_check(args: argparse.Namespace) -> int:
    if args.file is not None:
        from .usercheck_cli import run_file_check

        if args.inputs:
            raise InputError("--inputs works on the registry's circuits; with --file, set the seed in the file")
        return run_file_check(args)
    from collections import Counter

    from .check import HAND_TORCH_TOL, NUMERIC_REL_TOL, iter_checks
    from .circuits import CIRCUITS, get_circuit
    from .progress import ProgressBar

    circuits = [get_circuit(name) for name in args.names or CIRCUITS]  # refuse an unknown name before any work
    inputs = parse_assignments(args.inputs, "--inputs") if args.inputs else None
    if inputs is not None and len(args.names) != 1:
        raise InputError("--inputs needs exactly one circuit name, e.g. torchcircuits check neuron --inputs x=1,y=2")
    device = _device(args.device)
    runs = iter_checks(args.names or None, args.trials, args.seed, inputs, device)
    table = None if args.json else _CheckTable(circuits, args.trials, inputs)
    # only counts and the first few failures are kept: a billion trials run in constant memory
    counts: Counter[str] = Counter()
    failures: list[str] = []
    with ProgressBar(len(circuits) * (args.trials + 1), "check") as bar:
        bar.update(0, force=True)
        if table is not None:
            bar.write_line(table.header(), sys.stdout)
        else:
            sys.stdout.write("[")
        for done, run in enumerate(runs, start=1):
            counts[run.status] += 1
            if not run.ok and len(failures) < 10:
                failures.append(f"  {run.circuit} {run.run}: {run.reason}")
            if table is not None:
                bar.write_line(table.row(run), sys.stdout)
            else:
                sys.stdout.write(("\n" if done == 1 else ",\n") + json.dumps(run.to_json(), indent=1, allow_nan=False))
                sys.stdout.flush()
            bar.update(done)
        if table is None:
            sys.stdout.write("\n]\n")
    total = sum(counts.values())
    if table is not None:
        verdict = "all agree" if not counts["fail"] else f"{counts['fail']} FAILED"
        notes = [f"{counts[s]} {s}" for s in ("kink", "numeric skipped", "not finite") if counts[s]]
        noted = f" ({', '.join(notes)})" if notes else ""
        print(
            f"\n{_count(total, 'run')} on {_count(len(circuits), 'circuit')}: {verdict}{noted} "
            f"(hand vs torch <= {HAND_TORCH_TOL:g} abs, vs centered numeric < {NUMERIC_REL_TOL:g} rel)"
        )
        if failures:
            more = counts["fail"] - len(failures)
            print("\n".join(["failures:", *failures] + ([f"  ... and {more} more"] if more else [])))
    return 1 if counts["fail"] else 0


def _run_list(args: argparse.Namespace) -> int:
    from .circuits import CIRCUITS

    width = max(map(len, CIRCUITS))
    for circuit in CIRCUITS.values():
        print(f"{circuit.name.ljust(width)}  {circuit.formula}")
    return 0


def _run_draw(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .circuits import get_circuit
    from .diagram import build_diagram, write_diagram

    circuit = get_circuit(args.name)
    values = circuit.validate(parse_assignments(args.inputs, "--inputs") if args.inputs else {}, partial=True)
    fixed = tuple(n.strip() for n in args.fixed.split(",") if n.strip()) if args.fixed else ()
    for name in fixed:
        if name not in circuit.inputs:
            raise InputError(f"--fixed: circuit {circuit.name} has no input {name!r}: its inputs are "
                             f"{', '.join(circuit.inputs)}")  # fmt: skip
    if Path(args.out).suffix.lower() not in (".png", ".svg"):
        raise InputError(f"--out must end in .png or .svg, got {args.out!r}")
    scale = parse_float(args.scale, "--scale")
    diagram = build_diagram(circuit, values, fixed)
    write_diagram(diagram, args.out, scale)  # atomic: a failed write (a full disk) leaves an earlier file as it was
    gates = len(diagram.gate_nodes())
    print(f"{args.out}: {circuit.name}, output {diagram.output:.6g}, {gates} gate{'' if gates == 1 else 's'}")
    return 0


#: `guide --seeds`: the SVM's 400 steps take about 0.3 s a seed on a 2-core machine
MAX_GUIDE_SEEDS = 1000


def _guide_seeds(text: str) -> int:
    value = non_negative_int(text)
    if not 1 <= value <= MAX_GUIDE_SEEDS:
        raise argparse.ArgumentTypeError(f"expected 1 to {MAX_GUIDE_SEEDS} seeds, got {value}")
    return value


def _run_guide(args: argparse.Namespace) -> int:
    from .companion import UNEXPLAINED, format_table, guide_numbers
    from .progress import ProgressBar
    from .strict_json import dumps_strict

    chapters = (args.chapter,) if args.chapter else (1, 2)
    with ProgressBar(args.seeds, "guide-svm seeds") as bar:
        rows = guide_numbers(chapters, args.seeds, on_seed=bar.update if 2 in chapters else None)
    if args.json:
        print(dumps_strict([row.to_json() for row in rows], indent=1))
    else:
        print(format_table(rows))
    return 1 if any(row.status == UNEXPLAINED for row in rows) else 0


def _run_bench(args: argparse.Namespace) -> int:
    from .bench import format_table, run_benchmarks, to_json
    from .strict_json import dumps_strict

    rows = run_benchmarks(quick=args.quick, progress=not args.json)
    if args.json:
        print(dumps_strict(to_json(rows), indent=1))  # a skipped row's median is nan: null, named in non_finite
    else:
        import platform

        import torch

        print(
            f"torch {torch.__version__}, {torch.get_num_threads()} threads, Python {platform.python_version()}, "
            f"{platform.machine()}; medians; ratios measured in this run"
        )
        print(format_table(rows))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(
        prog="torchcircuits", description="The Hacker's guide circuits, backpropagated and checked."
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"torchcircuits {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="compare hand, Unit, torch and numerical gradients of the circuits")
    check.add_argument("names", nargs="*", metavar="NAME", help="circuits to check (default: all)")
    check.add_argument("--file", metavar="FILE.py", help="check the circuits and layers this file declares instead")
    check.add_argument(
        "--trials", type=_trials, default=3, help=f"random points per circuit (default 3, at most {MAX_TRIALS})"
    )
    check.add_argument("--seed", type=int, default=0, help="seed of the random points (default 0)")
    check.add_argument("--inputs", metavar="A=1,B=2", help="override seed inputs of the one named circuit")
    check.add_argument("--device", default="cpu", help="torch device for autograd: cpu or cuda")
    check.add_argument("--json", action="store_true", help="print one JSON array (streamed) instead of the table")
    check.set_defaults(handler=_run_check)

    draw = sub.add_parser("draw", help="draw a circuit with values and gradients on every wire (PNG or SVG)")
    draw.add_argument("name", metavar="NAME", help="a registered circuit (see torchcircuits list)")
    draw.add_argument("--inputs", metavar="A=1,B=2", help="input values (default: the circuit's seed)")
    draw.add_argument("--fixed", metavar="X,Y", help="inputs to mark as fixed data (drawn shaded)")
    draw.add_argument("--out", required=True, metavar="FILE.png|FILE.svg", help="where to write the drawing")
    draw.add_argument("--scale", default="1.5", help="PNG pixels per diagram unit (default 1.5)")
    draw.set_defaults(handler=_run_draw)

    bench = sub.add_parser("bench", help="measure the engine, the trainer, the boundary and the app's frame")
    bench.add_argument("--quick", action="store_true", help="small sizes and few repeats: proves it runs")
    bench.add_argument("--json", action="store_true", help="print one JSON array instead of the table")
    bench.set_defaults(handler=_run_bench)

    guide = sub.add_parser("guide", help="every number the guide prints beside ours: reproduced or erratum")
    guide.add_argument("--chapter", type=int, choices=(1, 2), help="one chapter (default: both)")
    guide.add_argument("--seeds", type=_guide_seeds, default=100,
                       help="seeds of the SVM's training runs, Chapter 2 (default 100, about 0.3 s each)")
    guide.add_argument("--json", action="store_true", help="print one JSON array of the numbers instead of the table")
    guide.set_defaults(handler=_run_guide)

    listing = sub.add_parser("list", help="list the registered circuits")
    listing.set_defaults(handler=_run_list)

    from .train_cli import add_train_parser

    add_train_parser(sub)

    from .practice_cli import add_practice_parsers

    add_practice_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; returns the exit status (0 done, 1 a failed check or divergence, 2 bad input).

    A closed output pipe (``| head``) ends any subcommand quietly with 141, as
    SIGPIPE ends a Unix tool; Ctrl-C ends it with one line and 130.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return args.handler(args)
    except InputError as error:
        print(f"torchcircuits: error: {error.as_flag()}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return quiet_after_broken_pipe()
    except KeyboardInterrupt:
        print("torchcircuits: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
