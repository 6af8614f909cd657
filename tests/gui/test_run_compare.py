"""Compare runs: ended runs' curves kept faintly (8 at most, oldest unpinned dropped), labelled by what changed."""

from dataclasses import replace

import numpy as np
from PyQt6.QtWidgets import QApplication

from torchcircuits_gui.history import DecimatingHistory
from torchcircuits_gui.run_compare import MAX_RUNS, RunArchive


def _history(n: int, loss: float) -> DecimatingHistory:
    history = DecimatingHistory(("step", "train_loss", "train_accuracy", "train_r2"))
    for step in range(n):
        history.append(step=step, train_loss=loss / (step + 1), train_accuracy=0.5)
    return history


def test_eight_are_kept_and_the_oldest_unpinned_is_dropped():
    archive = RunArchive()
    for i in range(MAX_RUNS):
        archive.add(f"run {i}", _history(5, i + 1.0))
    archive.runs[0].pinned = True
    archive.add("run 8", _history(5, 9.0))
    assert MAX_RUNS == 8 and len(archive) == 8
    assert [r.label for r in archive.runs] == ["run 0", *(f"run {i}" for i in range(2, 9))]
    assert archive.runs[-1].loss[0] == 9.0
    archive.clear()
    assert [r.label for r in archive.runs] == ["run 0"]


def test_a_changed_setting_keeps_the_ended_run_labelled_by_the_change(window):
    c = window.controller
    c.choose(dataset="moons", model="net")
    c.run_steps(20, record_every=5)
    ended = c.history.column("train_loss").copy()
    c.apply_config(replace(c.settings.config, hidden=(7,)))  # a new model: the run ends
    runs = c.runs.runs
    assert runs[-1].label == "hidden 100 → 7"
    np.testing.assert_array_equal(runs[-1].loss, ended)
    window.redraw(curves=True)
    loss_item, _, label = window.compare_bar.items[len(runs) - 1]
    np.testing.assert_array_equal(loss_item.getData()[1], ended)  # drawn under the current run
    bar = window.compare_bar
    assert label.toPlainText() == "hidden 100 → 7" and "hidden 100 → 7" in bar.summary.toolTip()
    assert bar.summary.text() == f"{len(runs)} earlier run{'s' if len(runs) != 1 else ''}"  # the list: tooltip
    if len(runs) > 1:
        assert bar.items[len(runs) - 2][2].toPlainText() == ""  # only the newest is named on the plot
    c.run_steps(10)
    c.reset()
    assert c.runs.runs[-1].label == "reset"


def test_pin_and_clear_buttons(window):
    c, bar = window.controller, window.compare_bar
    c.choose(dataset="moons", model="net")
    for lr in (0.5, 0.2):
        c.run_steps(10, record_every=5)
        c.apply_config(replace(c.settings.config, hidden=(int(lr * 10),)))
    window.redraw(curves=True)
    kept = len(c.runs)
    bar.pin.click()
    assert c.runs.runs[-1].pinned
    bar.clear.click()
    window.redraw(curves=True)
    assert len(c.runs) == 1 and c.runs.runs[0].pinned and kept >= 2
    assert bar.items[1][0].getData()[0] is None or len(bar.items[1][0].getData()[0]) == 0


def test_an_earlier_run_far_off_does_not_squeeze_the_current_runs_axes(window):
    c = window.controller
    c.choose(dataset="sine", model="net")
    c.apply_config(replace(c.settings.config, lr=3.0))  # a wild run: its R² far below 0
    c.run_steps(20, record_every=2)
    worst = np.nanmin(c.history.column("train_r2"))
    c.apply_config(replace(c.settings.config, lr=0.05, hidden=(30,)))
    c.run_steps(60, record_every=5)
    window.redraw(curves=True)
    QApplication.processEvents()  # the auto range is applied on the next paint
    low = window.curves.accuracy_plot.viewRange()[1][0]
    current = np.nanmin(c.history.column("train_r2"))
    assert worst < current - 1.0, (worst, current)  # the earlier run did reach far below the current one
    assert low > worst  # the axis follows the current run, not the earlier one


def test_a_run_label_names_unset_settings_as_the_controls_show_them():
    from torchcircuits.run import PRESETS
    from torchcircuits_gui.run_compare import change_label

    old = PRESETS["guide-svm"]
    new = replace(old, config=replace(old.config, batch=None, init=None))
    assert change_label(old, new) == "batch 1 → all, init guide → (default)"
