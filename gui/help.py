"""The app's words for a learner: tooltips of every control, an 'About this view' text per tab,
and messages rewritten to name fields by their labels rather than command-line flags."""

from __future__ import annotations

import re

__all__ = ["TOOLTIPS", "CIRCUIT_TOOLTIPS", "INSIDE_TOOLTIPS", "ABOUT", "in_app_words", "SHORTCUTS", "as_rich_text",
           "PRESET_TITLES"]

#: control name (attribute of the panel or run bar) → what it does and its range
TOOLTIPS: dict[str, str] = {
    "preset": "The guide's Chapter 2 runs: its 6 points, its start, step size 0.01 and spring 0.5",
    "dataset": "The points to classify. Picking one (or a model) loads settings that train it (a recipe)",
    "n": "How many points a generated set has: a whole number from 1 to 100,000 (empty: the set's default)",
    "noise": "How far points scatter from the set's shape: a number >= 0 (empty: the set's default)",
    "classes": "How many classes blobs and spiral have: 2 to 10 (empty: the set's default)",
    "test_ratio": "Share of points held out to measure test accuracy: 0 to below 1 (empty: 0.2; 0 for guide sets)",
    "n_slider": "Drag to set the points (log scale, 1 to 100,000): applied on release, a new sample drawn; the "
                "value in force beside it",
    "noise_slider": "Drag to set the noise (0 to 2; type up to 10 in the field): applied on release",
    "test_ratio_slider": "Drag to set the held-out share (0 to 0.9; type up to below 1 in the field): applied on "
                         "release",
    "class_picker": "Class of the points a left click adds (right click adds class 0). "
    "Picking one more than the data has adds a new class: the model then starts again",
    "regenerate": "A fresh random sample of the generated set (its data seed moves on by one)",
    "clear": "Remove every point; click on the plot to add your own (two classes needed to train)",
    "model": "svm / softmax / linear: a straight boundary; net: a 2-layer net whose boundary bends",
    "loss": "What training minimizes: hinge (the guide's SVM), softmax, ... (default: the model's own)",
    "hidden": "The widths of the net's hidden layers, separated by commas: 3 is the guide's net, 8,8,4 three "
              "layers; each width from 1 to 4,096, at most 8 layers",
    "activation": "The hidden neurons' nonlinearity: relu (the guide's), leaky_relu, tanh, sigmoid or linear",
    "init": "How the weights start: guide (the guide's values), uniform, small, he (default: the model's own)",
    "lr": "Step size: how far each step moves the weights along the gradient; a number > 0",
    "reg": "Regularization: strength of the spring that pulls weights to 0 (the guide's is 0.5); a number >= 0",
    "reg_kind": "l2: the spring grows with the weight; l1: a constant pull",
    "batch": "Examples per step: a whole number >= 1 (1 is the guide's), or 'all' for the full batch",
    "momentum": "Share of the last step kept in the next one: 0 to below 1",
    "seed": "Seed of the data, the split, the start and the sampling: a whole number >= 0",
    "backend": "hand: the hand-derived backward pass; torch: autograd",
    "compare": "Compute both backends each step and show their largest gradient difference",
    "play": "Start or pause training (space)",
    "step": "Take one step and show it (S)",
    "reset": "Back to step 0 with fresh weights from the seed; data kept (R)",
    "speed": "Steps per second while playing: 'as fast as possible' or a rate to watch each step",
    "stop_at": "Playing stops at this step (empty: never). The guide's runs take 400 steps",
    "reset_view": "Fit the plot to the data again (or double-click the plot)",
    "log_scale": "Show the loss on a log scale",
    "hard": "Two flat colours instead of the score shading",
    "neuron_curves": "Regression on one input: draw each first-layer hidden neuron's own output as a faint curve "
                     "(the pieces the fit is made of)",
}

#: the circuit tab's controls
CIRCUIT_TOOLTIPS: dict[str, str] = {
    "chooser": "The circuit to explore: the guide's Chapter 1 circuits and its SVM and net as circuits",
    "practice_button": "Practice: every gradient hidden; type each wire's gradient in chain-rule order, graded within "
                       "1e-6, with a hint after a miss",
    "follow": "Show the training tab's model (linear SVM or 3-neuron ReLU net) on the example just learned",
    "fit": "Zoom so the whole circuit fits the window (small circuits are enlarged)",
    "zoom_out": "Zoom out (or turn the mouse wheel over the circuit)",
    "zoom_in": "Zoom in (or turn the mouse wheel over the circuit)",
    "zoom_100": "Show the circuit at 100%: its text at full size; scroll to move around",
    "step_size": "How far a tug moves each free input along its gradient: a finite number",
    "tug_button": "Move every input not held fixed one step along its gradient; shows the output before and after",
    "forward_button": "Compute one more gate of the forward pass",
    "backward_button": "Backpropagate through one more gate",
    "all_button": "Show every value and gradient",
    "strategies_button": "Run random search, numerical and analytic gradient on this circuit, as the guide does",
    "field": "The input's value: any finite number",
    "slider": "Drag to change the input (from -5 to 5, wider once a larger value is typed)",
    "fixed": "Hold this input fixed: tugs and strategies leave it alone",
}

#: the network, hidden-space and parameter-space tabs' controls
INSIDE_TOOLTIPS: dict[str, str] = {
    "gradients": "Links show the gradient dL/dw (on the examples just learned, at the current weights) instead of "
                 "the weight: width by its size, colour by its sign",
    "health": "Per layer the share of dead (ReLU) or saturated (tanh, sigmoid) units; per weight matrix the "
              "update:data ratio (healthy near 1e-3, the dashed line) and the gradient norm; a reading below",
    "hidden_layer": "The hidden layer whose space is drawn",
    "hidden_axes": "The plot's axes: the layer's first two principal components (on the training points) or two "
                   "of its neurons",
    "hidden_first": "The neuron on the horizontal axis (0 is the first)",
    "hidden_second": "The neuron on the vertical axis (0 is the first)",
    "parameter_a": "The parameter on the horizontal axis: W1[i,j] is the weight from input i to neuron j",
    "parameter_b": "The parameter on the vertical axis",
    "parameter_default": "Back to the default pair: a linear model's two weights (the guide's a and b), a net's two "
                         "weights with the largest gradient",
}

ABOUT: dict[str, str] = {
    "Training": (
        "<b>Training</b>: the plot shows the model's score at every point of the plane: blue where it says "
        "class 0, red where it says class 1 (for more classes, each class's colour); the black line is the "
        "boundary (score 0), the dotted lines the hinge loss's margins (score ±1). Dots are training points, "
        "squares test points; a yellow ring marks a point the model gets wrong. Left-click adds a point of the "
        "picked class, right-click one of class 0. The curves show loss and accuracy against step; the readout "
        "the latest values. Scroll to zoom, drag to pan, double-click (or 'Reset view') to fit the data."
    ),
    "Circuit": (
        "<b>Circuit</b>: a circuit of the guide's Chapter 1, each wire with its value (forward pass) and its "
        "gradient (backward pass). Type or drag an input; 'Tug' nudges every free input along its gradient and "
        "shows how the output changed. Step through the passes gate by gate, or run the guide's three "
        "strategies. 'Follow training' shows the training tab's model as a circuit on the last example."
    ),
    "Network": (
        "<b>Network</b>: every neuron as a picture of its output over the plane (the same colours as the scores: "
        "blue below 0, red above; the black line is where it crosses 0: a ReLU's half-plane). Links: width by "
        "|weight|, red positive, blue negative, or the gradient dL/dw with the toggle. Hatched neurons are dead "
        "(ReLU: 0 on every training point) or saturated; the green arrow is the pull on the neuron for the examples "
        "just learned (up: the loss wants it larger). Hover a neuron to see it large on the right, a link to read "
        "its weight and gradient. Below: the training's health over time and what it means."
    ),
    "Hidden space": (
        "<b>Hidden space</b>: the input plane's grid lines and the training points as a hidden layer sees them: "
        "two of its neurons, or its first two principal components. Training bends the plane until a straight "
        "line parts the classes."
    ),
    "Parameters": (
        "<b>Parameters</b>: the training loss over two parameters, every other one held at its current value, "
        "around the current point (the ring), with the path the training took (the white line) and, with momentum, "
        "where momentum carries them next (the arrow). The map is remade at most once a second while training."
    ),
    "Classes": (
        "<b>Classes</b>: the confusion matrix on the test set (the training set when there is none): row the true "
        "class, column the class predicted, the diagonal right; beside it each class's precision (of the points "
        "predicted as it, the share that are it) and recall (of its points, the share found). When the classes are "
        "unbalanced the balanced accuracy, the mean recall, stands beside the accuracy."
    ),
    "Search": (
        "<b>Search</b>: <code>torchcircuits search</code> on the current settings: each trial draws values from the "
        "ranges (log ranges evenly in the exponent), trains on K-1 folds of the training points and is scored on "
        "the fold left out. It runs in the background; the scatter puts each trial at its first two settings, "
        "darker for a better mean validation metric, the best ringed. Hover a trial for its numbers, click it to "
        "load its settings."
    ),
    "Doctor": (
        "<b>Doctor</b>: <code>torchcircuits doctor</code> on the current settings: the loss at the start against "
        "what chance gives, gradients against numerical ones, training with the inputs zeroed, overfitting a tiny "
        "subset. Each line is PASS, WARN, FAIL or SKIP with its numbers."
    ),
}

#: the guide's runs as the app names them
PRESET_TITLES = {"guide-svm": "Chapter 2 SVM", "guide-net": "Chapter 2 net"}

SHORTCUTS = {"play": "Space", "step": "S", "reset": "R", "save_session": "Ctrl+S", "open_session": "Ctrl+O"}

#: command-line flags as the fields that hold them are labelled
_FLAG_LABELS = {
    "--lr": "step size", "--reg-kind": "reg kind", "--reg": "regularization", "--momentum": "momentum",
    "--batch": "batch", "--hidden": "hidden layers", "--n": "points", "--noise": "noise",
    "--classes": "classes", "--test-ratio": "test ratio", "--loss": "loss", "--seed": "seed",
    "--activation": "activation", "--init": "init", "--model": "model", "--dataset": "data set",
}  # fmt: skip
_FLAG = re.compile(r"--[a-z][a-z-]*")


def in_app_words(text: str) -> str:
    """A message with each command-line flag replaced by its field's label (``--lr`` → ``step size``).

    A flag without an entry in the table is labelled as its option without the dashes (``--bias-init`` →
    ``bias-init``), as the settings panel labels it.
    """
    return _FLAG.sub(lambda m: _FLAG_LABELS.get(m.group(0), m.group(0)[2:]), text)


def as_rich_text(text: str) -> str:
    """Plain text to put inside a rich-text label: "<" and "&" escaped, so "loss <= 0.18" is not cut at a tag.

    ">" and quotes stay as they are: in element content they are text already.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;")
