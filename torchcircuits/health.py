"""What went wrong with a run, in a learner's words: a dead net, flat scores, divergence.

:func:`diagnose` looks at a trainer's current state on its training set and
returns one line that says what happened and what to try, or None when
nothing is wrong. It reads the model only through ``Trainer.hidden_activations``,
``Trainer.scores`` and ``Trainer.diverged``.
"""

from __future__ import annotations

from .trainer import Trainer

__all__ = ["diagnose", "divergence_message", "FLAT_SPREAD"]

#: scores whose spread over the training set is below this (score units; the hinge margin is 1) are flat
FLAT_SPREAD = 0.05
#: a regularization strength from which flat scores are put down to the spring (the guide's is 0.5; the
#: recipes' 0.001 cannot flatten a net that learns)
STRONG_SPRING = 0.05


def divergence_message(trainer: Trainer, shown_step: int) -> str:
    """A diverged run: which step failed, that the model shows its last finite state, what to try."""
    return (
        f"diverged: step {shown_step + 1} gave a loss or weights that are not finite numbers, so the model "
        f"stays at step {shown_step}, its last finite state. Lower the step size (now {trainer.config.lr:g}), "
        "then press Reset"
    )


def diagnose(trainer: Trainer) -> str | None:
    """One line naming what is wrong with the model now and what to try, or None.

    * dead: every hidden ReLU outputs 0 on every training point, so no gradient reaches the first layer;
    * flat: the scores differ by less than :data:`FLAT_SPREAD` over the training set and every point
      gets the same class (the spring shrank the weights to about 0, or the net never started);
    * diverged: a step made the loss or the weights non-finite.
    """
    if trainer.diverged:
        return divergence_message(trainer, trainer.step_count)
    X = trainer.train_set.X
    hidden = trainer.hidden_activations(X)
    if hidden and trainer.config.activation == "relu" and all(bool((h == 0).all()) for h in hidden):
        if trainer.config.init == "zero":
            return ("the net is dead: every weight started at 0, so every hidden ReLU is 0 on every training point "
                    "and no gradient reaches the first layer. Pick another init, then Reset")  # fmt: skip
        return (
            f"the net is dead: every hidden ReLU is 0 on every training point, so no gradient reaches the "
            f"first layer. Try a smaller step size (now {trainer.config.lr:g}), another init, then Reset"
        )
    scores = trainer.scores(X)
    spread = float((scores.max(dim=0).values - scores.min(dim=0).values).max())
    one_class = bool((trainer.predict(X) == trainer.predict(X[:1])).all())
    if spread < FLAT_SPREAD and one_class and trainer.step_count > 0:
        return (f"the scores are flat (they differ by {spread:.2g} over the training points) and every point "
                f"gets one class: {_flat_cause(trainer)}, then Reset")  # fmt: skip
    return None


def _flat_cause(trainer: Trainer) -> str:
    """Why the scores are flat, as far as the settings tell, and what to try."""
    c = trainer.config
    if c.init == "zero" and trainer.spec.hidden:
        return ("every weight started at 0, so every hidden unit computes the same thing and only the biases "
                "learn. Pick another init")  # fmt: skip
    if c.reg >= STRONG_SPRING:
        return (f"the spring (regularization {c.reg:g}) pulled the weights to about 0. Weaken the spring (e.g. "
                f"{min(0.01, c.reg / 50):g}), or try another init")  # fmt: skip
    narrowest = min(trainer.spec.hidden, default=None)
    if narrowest is not None and narrowest < 2:
        return (f"a hidden layer of {narrowest} unit lets too little through. Widen the layers, or try another "
                "init or activation")  # fmt: skip
    return (f"the net has not started to separate the classes (regularization {c.reg:g} is weak, so not the "
            f"spring). Try another init or activation, or another step size (now {c.lr:g}: smaller if the loss "
            "jumped up, larger if it barely moved)")  # fmt: skip
