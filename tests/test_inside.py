"""Inside the net: every layer's outputs in one pass, the pulls on the neurons, the hidden space."""

import pytest
import torch

from torchcircuits.inside import (
    grid_lines,
    grid_outputs,
    hidden_map,
    layer_outputs,
    network_state,
    neuron_pulls,
    pca_projection,
    subsample_grid,
)
from torchcircuits.losses import get_loss
from torchcircuits.models import ModelSpec, evaluate_scores, hand_loss_and_grads, hidden_activations, init_params
from torchcircuits.run import DataSpec


def _net(hidden, activation="relu", inputs=2, outputs=1, seed=0):
    spec = ModelSpec(inputs, hidden, outputs, activation)
    return spec, init_params(spec, "uniform", torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("hidden", [(), (3,), (8, 8), (4, 5, 3)])
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_layer_outputs_are_the_hidden_activations_and_the_scores(hidden, activation):
    spec, params = _net(hidden, activation, outputs=3)
    X = torch.randn(50, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    outputs = layer_outputs(params, spec, X)
    assert len(outputs) == len(hidden) + 1
    # float64 throughout: the same operations in the same order, so equal to round-off (1e-12 of values ~1)
    for mine, theirs in zip(outputs[:-1], hidden_activations(params, spec, X), strict=True):
        assert torch.allclose(mine, theirs, rtol=0, atol=1e-12)
    assert torch.equal(outputs[-1], evaluate_scores(params, spec, X))


def test_grid_outputs_start_with_the_features_in_the_grids_dtype():
    spec, params = _net((4,), inputs=3)
    grid = torch.tensor([[0.5, -1.0], [2.0, 0.25]], dtype=torch.float32)
    features, hidden, scores = grid_outputs(params, spec, ("x1", "x2", "x1x2"), grid)
    assert features.dtype == torch.float32 and features.tolist() == [[0.5, -1.0, -0.5], [2.0, 0.25, 0.5]]
    expected = torch.relu(features.double() @ params["W1"] + params["b1"])
    assert torch.allclose(hidden.double(), expected, atol=1e-6)  # float32: 1e-6 of values below 2
    assert scores.shape == (2, 1)


def test_subsample_takes_pixels_of_the_large_grid():
    g = 10
    values = torch.arange(g * g, dtype=torch.float64).reshape(-1, 1) * torch.tensor([[1.0, -1.0]])
    thumbs = subsample_grid(values, 5)
    assert thumbs.shape == (2, 5, 5)
    # rows and columns 1, 3, 5, 7, 9: the pixel nearest each thumbnail pixel's centre
    assert thumbs[0, 0].tolist() == [1.0 * (10 + c) for c in (1, 3, 5, 7, 9)]
    assert thumbs[0, 2, 0].item() == 5 * 10 + 1
    assert torch.equal(thumbs[1], -thumbs[0])
    with pytest.raises(ValueError, match="square grid"):
        subsample_grid(torch.zeros(10, 1), 3)


def _autograd_pulls(params, spec, loss, X, targets):
    """-dL/dh of every layer by torch autograd, h kept with retain_grad."""
    act = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[spec.activation]
    params = {name: p.clone().requires_grad_() for name, p in params.items()}
    h, kept = X, []
    layers = spec.layer_names()
    for i, (w, b) in enumerate(layers):
        h = h @ params[w] + params[b]
        if i < len(layers) - 1:
            h = act(h)
        h.retain_grad()
        kept.append(h)
    loss.torch(h, targets).backward()
    return [-t.grad.sum(dim=0) for t in kept]


@pytest.mark.parametrize("hidden,activation,loss_name,n", [
    ((3,), "relu", "hinge", 1), ((8, 8), "tanh", "logistic", 7), ((4, 3, 2), "sigmoid", "softmax", 5),
    ((), "relu", "hinge", 4)])  # fmt: skip
def test_pulls_equal_autograds_minus_dl_dh(hidden, activation, loss_name, n):
    loss = get_loss(loss_name)
    spec, params = _net(hidden, activation, outputs=3 if loss_name == "softmax" else 1)
    X = torch.randn(n, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    labels = torch.arange(n) % (3 if loss_name == "softmax" else 2)
    targets = loss.targets(labels)
    mine = neuron_pulls(params, spec, loss, X, targets)
    theirs = _autograd_pulls(params, spec, loss, X, targets)
    assert [p.shape for p in mine] == [p.shape for p in theirs]
    for a, b in zip(mine, theirs, strict=True):
        assert torch.allclose(a, b, rtol=0, atol=1e-12)  # float64, one backward each: round-off only


def test_the_pull_on_the_score_is_the_guides_force():
    # the guide's SVM rule: a positive example scored below 1 is pulled up by +1, a negative one above -1 down
    loss = get_loss("hinge")
    spec = ModelSpec(2, (), 1)
    params = {"W": torch.tensor([[1.0], [-2.0]], dtype=torch.float64), "b": torch.tensor([-1.0], dtype=torch.float64)}
    X = torch.tensor([[1.2, 0.7]], dtype=torch.float64)  # score 1.2 - 1.4 - 1 = -1.2
    (pull,) = neuron_pulls(params, spec, loss, X, torch.tensor([1.0], dtype=torch.float64))
    assert pull.tolist() == [1.0]
    (pull,) = neuron_pulls(params, spec, loss, X, torch.tensor([-1.0], dtype=torch.float64))
    assert pull.tolist() == [0.0]  # already beyond the margin on its side: no pull


def test_network_state_has_the_batch_gradient_and_marks_a_dead_unit():
    loss = get_loss("hinge")
    spec, params = _net((4,))
    params["b1"][2] = -100.0  # unit 2 negative on every point: a dead ReLU
    train, _ = DataSpec("moons", n=40).load()
    targets = loss.targets(train.labels)
    state = network_state(params, spec, ("x1", "x2"), loss, train.X, train.X[:3], targets[:3], 0.1, "l2")
    _, _, grads = hand_loss_and_grads(params, spec, loss, train.X[:3], targets[:3], 0.1, "l2")
    for name in params:
        assert torch.equal(state.grads[name], grads[name])
    assert state.inactive[0].tolist() == [False, False, True, False]
    # no data gradient reaches a dead unit's weights: only the spring (reg 0.1) pulls them
    bare = network_state(params, spec, ("x1", "x2"), loss, train.X, train.X[:3], targets[:3], 0.0, "l2")
    assert bare.grads["W1"][:, 2].tolist() == [0.0, 0.0] and bare.grads["b1"][2].item() == 0.0
    assert state.grads["W1"][:, 2].abs().min().item() > 0
    params["b1"][2] = 0.0
    assert state.weights["b1"][2].item() == -100.0  # a copy: later changes do not reach it


def test_pca_projection_finds_the_direction_the_points_vary_along():
    generator = torch.Generator().manual_seed(3)
    t = torch.randn(200, 1, dtype=torch.float64, generator=generator)
    direction = torch.tensor([[2.0, -1.0, 2.0]], dtype=torch.float64) / 3.0
    hidden = 5.0 + t * direction * 4.0 + 0.01 * torch.randn(200, 3, dtype=torch.float64, generator=generator)
    projection = pca_projection(hidden, 2)
    first = projection.axes[:, 0]
    assert abs(torch.dot(first, direction[0]).item()) == pytest.approx(1.0, abs=1e-4)
    assert first[first.abs().argmax()].item() > 0  # the sign rule
    assert projection.labels[0].startswith("layer 2, PC1 (100% of the variance")
    # the coordinates' variances are the covariance matrix's two largest eigenvalues (an independent computation)
    coords = projection.apply(hidden)
    eigen = torch.linalg.eigvalsh(torch.cov(hidden.T)).flip(0)[:2]
    assert torch.allclose(coords.var(dim=0), eigen, rtol=1e-9)
    assert torch.allclose(coords.mean(dim=0), torch.zeros(2, dtype=torch.float64), atol=1e-12)


def test_pca_of_one_unit_has_a_zero_second_axis():
    projection = pca_projection(torch.tensor([[1.0], [3.0]], dtype=torch.float64), 1)
    assert projection.axes.tolist() == [[1.0, 0.0]]
    assert projection.apply(torch.tensor([[3.0]], dtype=torch.float64)).tolist() == [[1.0, 0.0]]


def test_grid_lines_run_along_the_plane():
    lines = grid_lines((-1.0, 3.0, 0.0, 2.0), lines=3, samples=5)
    assert lines.shape == (6, 5, 2)
    assert lines[0, :, 0].tolist() == [-1.0] * 5 and lines[0, :, 1].tolist() == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert lines[5, :, 1].tolist() == [2.0] * 5 and lines[5, :, 0].tolist() == [-1.0, 0.0, 1.0, 2.0, 3.0]


def test_hidden_map_puts_a_known_point_where_the_library_says():
    spec, params = _net((5, 4), "tanh")
    point = torch.tensor([[0.3, -0.8]], dtype=torch.float64)
    lines = grid_lines((-1.0, 1.0, -1.0, 1.0), 3, 4)
    mapped = hidden_map(params, spec, ("x1", "x2"), 2, point, lines, neurons=(3, 1))
    h2 = hidden_activations(params, spec, point)[1][0]
    assert mapped.points[0].tolist() == pytest.approx([h2[3].item(), h2[1].item()], abs=1e-12)
    corner = hidden_activations(params, spec, lines[0, :1])[1][0]  # the first line starts at (-1, -1)
    assert mapped.lines[0, 0].tolist() == pytest.approx([corner[3].item(), corner[1].item()], abs=1e-12)
    assert mapped.labels == ("layer 2, neuron 3", "layer 2, neuron 1")
    with pytest.raises(ValueError, match="hidden layers 1 to 2"):
        hidden_map(params, spec, ("x1", "x2"), 3, point, lines)
    with pytest.raises(ValueError, match="neurons 0 to 3"):
        hidden_map(params, spec, ("x1", "x2"), 2, point, lines, neurons=(0, 4))
