"""``torchcircuits bench`` / ``scripts/bench.py``: how fast each layer runs, against its anchor.

Every figure is the median of repeated timings, and every ratio is computed
against an anchor measured in the same run (micrograd's ``Value``, a bare
torch loop of the same math), because the machine is shared and noisy.
Sections:

1. scalar engine: forward + backward of the guide's neuron and of a 30-gate
   expression: ``Unit``, micrograd's ``Value`` (optional, ``pip install micrograd``)
   and torch scalar tensors;
2. training step: nets of one to three hidden layers through the Trainer
   (hand and autograd, float64 and float32) against bare torch loops of the
   same math and dtype, on one torch thread;
3. decision boundary: the trained net on a G×G grid (after it, the training-health
   monitors' cost per step and per record, against the step itself);
4. the app's frame (a plugin of the app, when it is installed);
5. ``torchcircuits check`` wall time and ``import torchcircuits`` time.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import torch

from .config import DTYPES
from .data import make_dataset
from .progress import ProgressBar
from .trainer import TrainConfig, Trainer
from .units import Unit

__all__ = ["Measurement", "run_benchmarks", "format_table", "median_time"]


@dataclass(frozen=True)
class Measurement:
    section: str
    name: str
    median: float
    unit: str
    anchor: str = ""
    ratio: float | None = None
    note: str = ""
    #: the target for ``ratio`` ("≥ 2.5" or "≤ 1.2"), where the project set one; ``met`` says whether this run met it
    goal: str = ""

    @property
    def met(self) -> bool | None:
        if not self.goal or self.ratio is None:
            return None
        bound = float(self.goal.split()[-1])
        return self.ratio >= bound if self.goal.startswith("≥") else self.ratio <= bound


def median_time(fn: Callable[[], object], number: int, repeats: int) -> float:
    """Median over ``repeats`` of the mean seconds per call of ``number`` calls."""
    fn()  # warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


def interleaved_medians(fns: dict[str, Callable[[], object]], number: int, repeats: int) -> dict[str, float]:
    """Median seconds per call of each function, timed in turns so that drifting load hits all alike."""
    for fn in fns.values():
        fn()  # warm up
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            for _ in range(number):
                fn()
            times[name].append((time.perf_counter() - start) / number)
    return {name: statistics.median(values) for name, values in times.items()}


# --- 1. scalar engine -----------------------------------------------------------------------
def _expression(make: Callable[[float], object]):
    """micrograd's own 'more ops' test expression: 29 gates in Unit."""
    a, b = make(-4.0), make(2.0)
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    return g + 10.0 / f


def _neuron(make: Callable[[float], object], activation: str):
    a, b, c, x, y = (make(v) for v in (1.0, 2.0, -3.0, -1.0, 3.0))
    return getattr(a * x + b * y + c, activation)()


def _torch_scalar(v: float) -> torch.Tensor:
    return torch.tensor(v, dtype=torch.float64, requires_grad=True)


def scalar_engine(number: int, repeats: int) -> list[Measurement]:
    rows = []
    try:
        from micrograd.engine import Value
    except ImportError:
        Value = None
    # micrograd's Value has no sigmoid, so the neuron is compared with a relu on top (one gate either way)
    for label, build in (
        ("neuron (relu)", lambda make: _neuron(make, "relu")),
        ("30-gate expression", _expression),
    ):
        fns = {"unit": lambda b=build: b(Unit).backward()}
        if Value is not None:
            fns["micro"] = lambda b=build: b(Value).backward()
        medians = interleaved_medians(fns, number, repeats)
        unit = medians["unit"] * 1e6
        micro = medians["micro"] * 1e6 if "micro" in medians else None
        torch_time = median_time(lambda b=build: b(_torch_scalar).backward(), max(1, number // 10), repeats)
        rows.append(Measurement("scalar engine", f"{label}: Unit", unit, "µs/call", "micrograd",
                                None if micro is None else micro / unit, "micrograd / Unit", "≥ 2.5"))  # fmt: skip
        if micro is not None:
            rows.append(Measurement("scalar engine", f"{label}: micrograd Value", micro, "µs/call"))
        else:
            rows.append(Measurement("scalar engine", f"{label}: micrograd Value", float("nan"), "µs/call",
                                    note="not installed: pip install micrograd"))  # fmt: skip
        rows.append(Measurement("scalar engine", f"{label}: torch scalars", torch_time * 1e6, "µs/call",
                                "Unit", torch_time * 1e6 / unit, "ratio = torch / Unit"))  # fmt: skip
    return rows


# --- 2. training step -------------------------------------------------------------------------
def _bare_loops(X: torch.Tensor, labels: torch.Tensor, hidden: tuple[int, ...], classes: int, lr: float, reg: float,
                dtype: torch.dtype = torch.float64):  # fmt: skip
    """The same net, loss and update as the Trainer's, written plainly in ``dtype``: the speed limit for torch here."""
    g = torch.Generator().manual_seed(0)
    X = X.to(dtype)
    n = X.shape[0]
    rows = torch.arange(n)
    widths = [X.shape[1], *hidden, classes]

    def params() -> list[torch.Tensor]:
        layers = []
        for fan_in, fan_out in zip(widths[:-1], widths[1:], strict=True):
            layers += [torch.randn(fan_in, fan_out, generator=g, dtype=dtype) * (2 / fan_in) ** 0.5,
                       torch.zeros(fan_out, dtype=dtype)]  # fmt: skip
        return layers

    P = params()

    def hand_step() -> float:
        inputs, pres = [X], []
        h = X
        for i in range(0, len(P) - 2, 2):
            pre = h @ P[i] + P[i + 1]
            h = torch.relu(pre)
            pres.append(pre)
            inputs.append(h)
        S = h @ P[-2] + P[-1]
        shifted = S - S.max(dim=1, keepdim=True).values
        log_probs = shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))
        loss = -log_probs[rows, labels].mean() + reg * sum((W * W).sum() for W in P[::2])
        dout = torch.exp(log_probs)
        dout[rows, labels] -= 1.0
        dout /= n
        for i in range(len(P) - 2, -1, -2):
            W, b, layer_input = P[i], P[i + 1], inputs[i // 2]
            dW = layer_input.T @ dout + 2 * reg * W
            db = dout.sum(0)
            if i > 0:
                dout = torch.ops.aten.threshold_backward(dout @ W.T, pres[i // 2 - 1], 0.0)
            W.sub_(lr * dW)
            b.sub_(lr * db)
        return loss.item()

    V = [p.requires_grad_() for p in params()]

    def autograd_step() -> float:
        h = X
        for i in range(0, len(V) - 2, 2):
            h = torch.relu(h @ V[i] + V[i + 1])
        S = h @ V[-2] + V[-1]
        loss = torch.nn.functional.cross_entropy(S, labels) + reg * sum((W * W).sum() for W in V[::2])
        for p in V:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in V:
                p.sub_(lr * p.grad)
        return loss.item()

    return hand_step, autograd_step


#: the Trainer's step against a bare loop of the same dtype and backend: the goal (issue 16)
TRAINING_GOAL = 1.2


def training_step(sizes: list[tuple[tuple[int, ...], int]], number: int, repeats: int,
                  dtypes: tuple[str, ...] = ("float64", "float32")) -> list[Measurement]:  # fmt: skip
    """Per size and dtype, the Trainer's hand and autograd steps against bare loops of that dtype.

    All eight loops of a size (two backends × two dtypes, Trainer and bare) are timed
    in turns on one torch thread, so drifting load and thread contention hit all alike.
    """
    rows = []
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for hidden, n in sizes:
            data = make_dataset("spiral", n=n, seed=0)
            fns: dict[str, Callable[[], object]] = {}
            for dtype in dtypes:
                bare_hand, bare_autograd = _bare_loops(data.X, data.labels, hidden, 3, 0.1, 1e-3, DTYPES[dtype])
                fns[f"{dtype} bare hand"], fns[f"{dtype} bare torch"] = bare_hand, bare_autograd
                for backend in ("hand", "torch"):
                    config = TrainConfig(model="net", hidden=hidden, lr=0.1, batch=None, backend=backend,
                                         loss="softmax", dtype=dtype)  # fmt: skip
                    fns[f"{dtype} {backend}"] = Trainer(config, data).step
            ms = {name: seconds * 1e3 for name, seconds in interleaved_medians(fns, number, repeats).items()}
            size = f"H={','.join(map(str, hidden))}, N={n}"
            for dtype in dtypes:
                for backend, label in (("hand", "hand backward"), ("torch", "autograd")):
                    trainer, bare = ms[f"{dtype} {backend}"], ms[f"{dtype} bare {backend}"]
                    rows += [
                        Measurement("training step", f"{size}, {dtype}: Trainer, {label}", trainer, "ms/step",
                                    f"bare {dtype} loop", trainer / bare, goal=f"≤ {TRAINING_GOAL}"),
                        Measurement("training step", f"{size}, {dtype}: bare {label} loop", bare, "ms/step"),
                    ]  # fmt: skip
            for backend, label in (("hand", "hand backward"), ("torch", "autograd")):
                if {"float64", "float32"} <= set(dtypes):
                    f64, f32 = ms[f"float64 {backend}"], ms[f"float32 {backend}"]
                    rows.append(Measurement("training step", f"{size}: Trainer float32, {label}", f32, "ms/step",
                                            "Trainer float64", f32 / f64, "speed-up = 1 / ratio"))  # fmt: skip
    finally:
        torch.set_num_threads(threads)
    return rows


# --- 3. decision boundary ----------------------------------------------------------------------
def boundary_grid(sizes: list[int], number: int, repeats: int) -> list[Measurement]:
    data = make_dataset("spiral")
    trainer = Trainer(TrainConfig(model="net", hidden=(100,), lr=1.0, batch=None), data)
    trainer.run(50, record_every=50)
    rows = []
    for g in sizes:
        axis = torch.linspace(-1.2, 1.2, g, dtype=torch.float32)  # as the app: a picture needs no float64
        grid = torch.cartesian_prod(axis, axis)
        ms = median_time(lambda grid=grid: trainer.scores(grid), number, repeats) * 1e3
        rows.append(Measurement("decision boundary", f"H=100 net on a {g}×{g} grid", ms, "ms"))
    return rows


# --- 2b. training-health monitors ------------------------------------------------------------------
def monitors_cost(hidden: tuple[int, ...], n: int, number: int, repeats: int) -> list[Measurement]:
    """What the health monitors add to training, against one Trainer step (hand, full batch).

    Per step: the update ratios and gradient norms of every parameter. Per
    record: the dead fraction, read off the hidden outputs of the forward pass
    the evaluation already makes (so only its reductions count); a standalone
    ``Trainer.health()`` with a forward pass of its own is shown beside it.
    """
    from .models import hidden_activations
    from .monitors import dead_fraction, grad_norms, update_ratios

    data = make_dataset("spiral", n=n, seed=0)
    trainer = Trainer(TrainConfig(model="net", hidden=hidden, lr=0.1, batch=None, loss="softmax"), data)
    trainer.run(5, record_every=5)
    before, after = trainer.parameters(), trainer.parameters()
    grads = {name: torch.randn_like(p) for name, p in before.items()}
    outputs = hidden_activations(trainer.params, trainer.spec, trainer._inputs)

    def per_step() -> None:
        update_ratios(before, after)
        grad_norms(grads)

    def standalone() -> None:
        trainer._dead_cache = None
        trainer.health()

    fns = {"step": trainer.step, "per step": per_step, "per record": lambda: dead_fraction(outputs, "relu"),
           "standalone": standalone}  # fmt: skip
    ms = {name: seconds * 1e3 for name, seconds in interleaved_medians(fns, number, repeats).items()}
    size = f"H={','.join(map(str, hidden))}, N={n}"
    section = "training-health monitors"
    return [
        Measurement(section, f"{size}: Trainer step (hand, full batch)", ms["step"], "ms/step"),
        Measurement(section, f"{size}: update ratios + gradient norms", ms["per step"], "ms/step",
                    "Trainer step", ms["per step"] / ms["step"], "every step"),
        Measurement(section, f"{size}: dead fraction from the evaluation's pass", ms["per record"], "ms/record",
                    "Trainer step", ms["per record"] / ms["step"], "every record; goal < 10% of a step"),
        Measurement(section, f"{size}: Trainer.health() with its own pass", ms["standalone"], "ms/call",
                    "Trainer step", ms["standalone"] / ms["step"], "the app's health panel between records"),
    ]  # fmt: skip


# --- 5. check and import -------------------------------------------------------------------------
def check_and_import(repeats: int) -> list[Measurement]:
    from .check import run_checks

    check = median_time(lambda: run_checks(), 1, repeats)
    code = "import time; t = time.perf_counter(); import torchcircuits; print(time.perf_counter() - t)"
    imports = []
    for _ in range(repeats):
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        imports.append(float(result.stdout))
    return [
        Measurement("check and import", "torchcircuits check (all circuits, 3 trials)", check, "s",
                    note="torch already imported"),
        Measurement("check and import", "import torchcircuits (fresh interpreter)", statistics.median(imports), "s",
                    note="mostly torch's own import"),
    ]  # fmt: skip


def _plugins() -> list[Callable[[bool], list[Measurement]]]:
    """Benchmarks that other packages (the app) register under 'torchcircuits.benchmarks'.

    A plugin whose dependencies are missing reports one row saying so instead of its figures.
    """
    from importlib.metadata import entry_points

    found: list[Callable[[bool], list[Measurement]]] = []
    for entry in entry_points(group="torchcircuits.benchmarks"):
        try:
            found.append(entry.load())
        except ImportError as error:
            skipped = Measurement(entry.name, "skipped", float("nan"), "", note=f"needs {error.name or error}")
            found.append(lambda quick, row=skipped: [row])
    return found


def run_benchmarks(quick: bool = False, progress: bool = True) -> list[Measurement]:
    """Every section; ``quick`` runs small sizes and few repeats (to prove the benchmark works)."""
    repeats = 3 if quick else 9
    number = 20 if quick else 200
    sections: list[Callable[[], list[Measurement]]] = [
        lambda: scalar_engine(number, repeats),
        lambda: training_step([((3,), 6), ((16, 16), 200)] if quick
                              else [((3,), 6), ((16,), 200), ((100,), 1000), ((64, 64, 64), 1000)],
                              5 if quick else 50, repeats),
        lambda: monitors_cost((16,) if quick else (100,), 200 if quick else 1000, 5 if quick else 50, repeats),
        lambda: boundary_grid([100] if quick else [100, 200, 400], 2 if quick else 10, repeats),
        *[(lambda plugin=plugin: plugin(quick)) for plugin in _plugins()],
        lambda: check_and_import(1 if quick else 3),
    ]  # fmt: skip
    rows: list[Measurement] = []
    torch.set_num_threads(torch.get_num_threads())
    bar = ProgressBar(len(sections), "bench") if progress else None
    for i, section in enumerate(sections):
        rows += section()
        if bar is not None:
            bar.update(i + 1, force=True)
    if bar is not None:
        bar.__exit__()
    return rows


def format_table(rows: list[Measurement]) -> str:
    lines = []
    section = None
    width = max((len(row.name) for row in rows), default=10)
    for row in rows:
        if row.section != section:
            section = row.section
            lines.append(f"\n## {section}")
        value = "n/a" if row.median != row.median else f"{row.median:,.4g} {row.unit}"
        ratio = f"  ×{row.ratio:.2f} vs {row.anchor}" if row.ratio is not None else ""
        if row.met is not None:
            ratio += f" (goal {row.goal}: {'met' if row.met else 'missed'})"
        note = f"  ({row.note})" if row.note else ""
        lines.append(f"  {row.name:<{width}} {value:>14}{ratio}{note}")
    return "\n".join(lines).lstrip("\n")


def to_json(rows: list[Measurement]) -> list[dict]:
    """One object per row: every field, and ``met`` (true, false, or null where the row has no goal)."""
    return [{**asdict(r), "met": r.met} for r in rows]
