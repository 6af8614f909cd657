"""``torchcircuits``: the command line.

Every subcommand reports bad input as one line on stderr,
``torchcircuits: error: ...``, and exits with status 2; ``check`` exits 1 when
a gradient disagrees and 0 when all agree.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from .errors import InputError, SettingError, parse_assignments, parse_float

__all__ = ["main", "build_parser", "OneLineErrorParser", "non_negative_int"]


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
def _format_inputs(values: dict[str, float], limit: int = 44) -> str:
    if any("[" in k for k in values):  # a layer's entries x[i, j]: name each input with its entry count
        from .usercheck import summarize_entries

        return summarize_entries(values)
    text = ", ".join(f"{k}={v:.4g}" for k, v in values.items())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_table(runs: list) -> str:
    header = ("circuit", "run", "inputs", "output", "max|hand-torch|", "max rel err (num)", "status")
    rows = [header]
    for r in runs:
        status = "OK" if r.ok else "FAIL"
        if r.at_kink:
            status += " (kink)"
        rows.append(
            (
                r.circuit,
                r.run,
                _format_inputs(r.inputs),
                f"{r.output:.6g}",
                "-" if r.max_abs_diff_hand_torch is None else f"{r.max_abs_diff_hand_torch:.1e}",
                "-" if r.at_kink else f"{r.max_rel_error_numeric:.1e}",
                status,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _run_check(args: argparse.Namespace) -> int:
    if args.file is not None:
        from .usercheck_cli import run_file_check

        if args.inputs:
            raise InputError("--inputs works on the registry's circuits; with --file, set the seed in the file")
        return run_file_check(args)
    from .check import HAND_TORCH_TOL, NUMERIC_REL_TOL, run_checks
    from .circuits import get_circuit

    for name in args.names:
        get_circuit(name)  # refuse an unknown name before any work
    inputs = parse_assignments(args.inputs, "--inputs") if args.inputs else None
    if inputs is not None and len(args.names) != 1:
        raise InputError("--inputs needs exactly one circuit name, e.g. torchcircuits check neuron --inputs x=1,y=2")
    from .circuits import CIRCUITS
    from .progress import ProgressBar

    device = _device(args.device)
    total = len(args.names or CIRCUITS) * (args.trials + 1)
    with ProgressBar(total, "check") as bar:
        runs = run_checks(
            args.names or None, args.trials, args.seed, inputs, device, on_run=lambda done, _: bar.update(done)
        )
    failed = [r for r in runs if not r.ok]
    if args.json:
        print(json.dumps([r.to_json() for r in runs], indent=1))
    else:
        print(_check_table(runs))
        circuits = len({r.circuit for r in runs})
        verdict = "all agree" if not failed else f"{len(failed)} FAILED"
        print(
            f"\n{len(runs)} runs on {circuits} circuits: {verdict} "
            f"(hand vs torch <= {HAND_TORCH_TOL:g} abs, vs centered numeric < {NUMERIC_REL_TOL:g} rel)"
        )
    return 1 if failed else 0


def _run_list(args: argparse.Namespace) -> int:
    from .circuits import CIRCUITS

    width = max(map(len, CIRCUITS))
    for circuit in CIRCUITS.values():
        print(f"{circuit.name.ljust(width)}  {circuit.formula}")
    return 0


def _run_draw(args: argparse.Namespace) -> int:
    from importlib.metadata import entry_points
    from pathlib import Path

    from .circuits import get_circuit
    from .diagram import build_diagram, to_svg

    circuit = get_circuit(args.name)
    values = circuit.validate(parse_assignments(args.inputs, "--inputs") if args.inputs else {}, partial=True)
    fixed = tuple(n.strip() for n in args.fixed.split(",") if n.strip()) if args.fixed else ()
    for name in fixed:
        if name not in circuit.inputs:
            raise InputError(f"--fixed: circuit {circuit.name} has no input {name!r}: its inputs are "
                             f"{', '.join(circuit.inputs)}")  # fmt: skip
    suffix = Path(args.out).suffix.lower()
    if suffix not in (".png", ".svg"):
        raise InputError(f"--out must end in .png or .svg, got {args.out!r}")
    scale = parse_float(args.scale, "--scale")
    if not 0.1 <= scale <= 8:
        raise InputError(f"--scale must be between 0.1 and 8, got {scale:g}")
    diagram = build_diagram(circuit, values, fixed)
    if suffix == ".svg":
        try:
            Path(args.out).write_text(to_svg(diagram))
        except OSError as error:
            raise InputError(f"cannot write {args.out}: {error.strerror or error}") from None
    else:
        # PNG painting is a plugin (the app's Qt painter): the library itself never imports Qt
        found = [e for e in entry_points(group="torchcircuits.renderers") if e.name == "png"]
        try:
            render = found[0].load() if found else None
        except ImportError:
            render = None
        if render is None:
            raise InputError("writing PNG needs the app's extra (pip install 'torchcircuits[gui]'); .svg needs nothing")
        if not render(diagram, args.out, scale):
            raise InputError(f"cannot write {args.out}: choose a writable .png path")
    gates = len(diagram.gate_nodes())
    print(f"{args.out}: {circuit.name}, output {diagram.output:.6g}, {gates} gate{'' if gates == 1 else 's'}")
    return 0


def _run_bench(args: argparse.Namespace) -> int:
    from .bench import format_table, run_benchmarks, to_json

    rows = run_benchmarks(quick=args.quick, progress=not args.json)
    if args.json:
        print(json.dumps(to_json(rows), indent=1))
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
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="compare hand, Unit, torch and numerical gradients of the circuits")
    check.add_argument("names", nargs="*", metavar="NAME", help="circuits to check (default: all)")
    check.add_argument("--file", metavar="FILE.py", help="check the circuits and layers this file declares instead")
    check.add_argument("--trials", type=non_negative_int, default=3, help="random points per circuit (default 3)")
    check.add_argument("--seed", type=int, default=0, help="seed of the random points (default 0)")
    check.add_argument("--inputs", metavar="A=1,B=2", help="override seed inputs of the one named circuit")
    check.add_argument("--device", default="cpu", help="torch device for autograd: cpu or cuda")
    check.add_argument("--json", action="store_true", help="print one JSON array instead of the table")
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

    listing = sub.add_parser("list", help="list the registered circuits")
    listing.set_defaults(handler=_run_list)

    from .train_cli import add_train_parser

    add_train_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return args.handler(args)
    except InputError as error:
        message = error.as_flag() if isinstance(error, SettingError) else str(error)
        print(f"torchcircuits: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("torchcircuits: interrupted", file=sys.stderr)
        return 130
