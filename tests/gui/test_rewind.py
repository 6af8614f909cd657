"""Rewind: at most 200 snapshots thinned evenly; continuing from one takes the very steps the original run took."""

from dataclasses import replace

import torch

from torchcircuits_gui.rewind import MAX_SNAPSHOTS, SnapshotTrail


def test_the_trail_keeps_at_most_its_capacity_spread_evenly_over_the_run():
    trail = SnapshotTrail(capacity=8)
    for step in range(1, 101):
        trail.offer(step, lambda s=step: {"step": s})
    steps = [step for step, _ in trail.entries]
    assert len(steps) <= 8 and steps[0] == 1
    assert len(set(b - a for a, b in zip(steps, steps[1:], strict=False))) == 1  # evenly thinned
    assert steps[-1] > 80  # and reaching the end of the run
    assert MAX_SNAPSHOTS == 200


def _spiral_adam(window):
    c = window.controller
    c.choose(dataset="spiral", model="net")
    # adam's moments, a random batch of 20 and dropout: optimizer state and random state both matter
    c.apply_config(replace(c.settings.config, hidden=(8,), optimizer="adam", lr=0.01, batch=20, dropout=0.2))
    return c


def test_continuing_from_a_snapshot_gives_the_original_runs_parameters(window):
    c = _spiral_adam(window)
    c.run_steps(60, record_every=5)
    original = c.trainer.parameters()
    steps = [step for step, _ in c.trail.entries]
    index = steps.index(25)
    c.rewind(index)
    assert c.step_count == 25 and not c.running
    assert c.history.column("step")[-1] == 25  # the curves as they were
    c.run_steps(35, record_every=5)
    assert c.step_count == 60
    for name, value in c.trainer.parameters().items():
        assert torch.equal(value, original[name]), name  # bit for bit: the same steps were taken


def test_continuing_without_the_random_state_would_differ(window):
    """The check above can fail: restoring parameters alone (a fresh random state) takes other batches."""
    c = _spiral_adam(window)
    c.run_steps(60, record_every=5)
    original = c.trainer.parameters()
    c.rewind([step for step, _ in c.trail.entries].index(25))
    c.trainer.generator.manual_seed(12345)
    c.run_steps(35, record_every=5)
    assert any(not torch.equal(v, original[k]) for k, v in c.trainer.parameters().items())


def test_the_slider_scrubs_back_and_forward_until_training_goes_on(window):
    c = _spiral_adam(window)
    c.run_steps(40, record_every=10)
    bar = window.rewind_bar
    assert bar.slider.maximum() == len(c.trail) - 1 and not bar.resume.isEnabled()
    bar.slider.setValue(1)
    assert c.step_count == 10 and bar.resume.isEnabled() and "(rewound)" in bar.label.text()
    window.redraw()
    assert "<b>step</b> 10" in window.readout.text()
    bar.slider.setValue(bar.slider.maximum())  # forward again: nothing was lost while only looking
    assert c.step_count == 40
    bar.slider.setValue(2)
    c.step_once()  # training goes on from step 20: the steps after it are another future now
    assert c.step_count == 21 and c.rewind_base is None
    assert [s for s, _ in c.trail.entries][-1] == 21 and all(s <= 21 for s, _ in c.trail.entries)
    assert not bar.resume.isEnabled()
