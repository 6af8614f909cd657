"""The optimizers: step-for-step parity with torch.optim, propose/commit, JSON state, refusals.

The model is the 2-layer tanh net on 40 moons points. Our side steps on the
hand-derived gradient with our L2 term reg·Σw² inside it (gradient 2·reg·w);
torch's side steps on autograd's data-loss gradient with weight_decay = 2·reg
on the weights, which adds the same 2·reg·w inside the optimizer.
"""

import copy
import json

import pytest
import torch

from torchcircuits.data import make_dataset
from torchcircuits.errors import InputError, SettingError
from torchcircuits.losses import get_loss
from torchcircuits.models import (
    ModelSpec,
    build_module,
    hand_loss_and_grads,
    init_params,
    torch_loss_and_grads,
    weight_names,
)
from torchcircuits.optim import (
    LBFGS,
    OPTIMIZERS,
    SGD,
    Adam,
    Optimizer,
    Proposal,
    RMSprop,
    make_optimizer,
    sgd_state_from_velocity,
)

MOONS = make_dataset("moons", n=40, seed=1)
SPEC = ModelSpec(2, (5,), 1, "tanh")
LOSS = get_loss("logistic")
SIGNS = LOSS.targets(MOONS.labels)


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """One intra-op thread for these tiny tensors: measured 4x faster on the shared 2-core box (85 s -> 20 s),
    where a second thread mostly waits for a core. Both sides of every comparison run alike."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


#: name: (our optimizer's make_optimizer arguments, torch.optim's class and arguments)
CASES = {
    "sgd": ({"kind": "sgd", "lr": 0.1}, (torch.optim.SGD, {"lr": 0.1})),
    "sgd momentum": ({"kind": "sgd", "lr": 0.1, "momentum": 0.9}, (torch.optim.SGD, {"lr": 0.1, "momentum": 0.9})),
    "sgd nesterov": (
        {"kind": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True},
        (torch.optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ),
    "rmsprop": ({"kind": "rmsprop", "lr": 0.01}, (torch.optim.RMSprop, {"lr": 0.01})),
    "rmsprop alpha eps": (
        {"kind": "rmsprop", "lr": 0.01, "alpha": 0.9, "eps": 1e-6},
        (torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.9, "eps": 1e-6}),
    ),
    "adam": ({"kind": "adam", "lr": 0.01}, (torch.optim.Adam, {"lr": 0.01})),
    "adam betas eps": (
        {"kind": "adam", "lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6},
        (torch.optim.Adam, {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6}),
    ),
}


def start() -> dict[str, torch.Tensor]:
    return init_params(SPEC, "he", torch.Generator().manual_seed(2))


def hand_grads(params, reg: float = 0.0) -> dict[str, torch.Tensor]:
    return hand_loss_and_grads(params, SPEC, LOSS, MOONS.X, SIGNS, reg, "l2")[2]


def make(case: str) -> Optimizer:
    arguments = dict(CASES[case][0])
    return make_optimizer(arguments.pop("kind"), arguments.pop("lr"), **arguments)


def run(optimizer: Optimizer, params: dict, steps: int, reg: float = 0.0) -> None:
    for _ in range(steps):
        optimizer.step(params, hand_grads(params, reg))


@pytest.mark.parametrize("reg", [0.0, 0.05], ids=["no weight decay", "weight decay"])
@pytest.mark.parametrize("case", CASES)
def test_each_optimizer_matches_torch_optim_step_for_step(case, reg):
    ours = start()
    optimizer = make(case)
    module = build_module(SPEC, ours)
    weights = weight_names(SPEC)
    groups = [
        {"params": [p for n, p in module.named_parameters() if n in weights], "weight_decay": 2 * reg},
        {"params": [p for n, p in module.named_parameters() if n not in weights], "weight_decay": 0.0},
    ]
    torch_class, arguments = CASES[case][1]
    reference = torch_class(groups, foreach=False, **arguments)
    for step in range(1, 51):
        optimizer.step(ours, hand_grads(ours, reg))
        torch_loss_and_grads(module, SPEC, LOSS, MOONS.X, SIGNS, 0.0, "l2")
        reference.step()
        for name, p in module.named_parameters():
            # float64 round-off of one step is ~1e-17; 50 steps stay far below 1e-12
            assert torch.allclose(ours[name], p.detach(), rtol=0, atol=1e-12), (step, name)
    # the run moved: the comparison is not between two resting parameter sets
    assert max((ours[n] - s).abs().max().item() for n, s in start().items()) > 0.05


@pytest.mark.parametrize("case", CASES)
def test_the_foreach_variant_equals_the_plain_lines_bit_for_bit(case):
    fused, plain = start(), start()
    fused_optimizer, plain_optimizer = make(case), make(case)
    plain_optimizer.foreach = False
    assert fused_optimizer.foreach
    for _ in range(20):
        fused_optimizer.step(fused, hand_grads(fused, 0.01))
        plain_optimizer.step(plain, hand_grads(plain, 0.01))
        assert all(torch.equal(fused[n], plain[n]) for n in fused)
    assert fused_optimizer.state_dict() == plain_optimizer.state_dict()


def test_nesterov_and_momentum_take_different_steps():
    plain, nesterov = start(), start()
    run(make("sgd momentum"), plain, 5)
    run(make("sgd nesterov"), nesterov, 5)
    assert (plain["W1"] - nesterov["W1"]).abs().max() > 1e-3


@pytest.mark.parametrize("case", CASES)
def test_propose_mutates_nothing_and_commit_applies_it(case):
    params = start()
    optimizer = make(case)
    run(optimizer, params, 3)  # a state with buffers to watch
    before_params = {n: p.clone() for n, p in params.items()}
    before_state = optimizer.state_dict()  # the values of every buffer
    grads = hand_grads(params)
    proposal = optimizer.propose(params, grads)
    assert isinstance(proposal, Proposal) and set(proposal.params) == set(params)
    assert all(torch.equal(params[n], before_params[n]) for n in params)
    assert optimizer.state_dict() == before_state
    assert all(not torch.equal(proposal.params[n], params[n]) for n in params)
    storage = {n: p.data_ptr() for n, p in params.items()}
    optimizer.commit(params, proposal)
    assert all(torch.equal(params[n], proposal.params[n]) for n in params)
    assert {n: p.data_ptr() for n, p in params.items()} == storage  # in place
    assert optimizer.state is proposal.state and optimizer.state["step"] == 4


def test_commit_writes_into_nn_parameters_in_place():
    module = build_module(SPEC, start())
    params = dict(module.named_parameters())
    optimizer = make("adam")
    values = {n: p.detach().clone() for n, p in params.items()}
    proposal = optimizer.propose(params, hand_grads(values))
    optimizer.commit(params, proposal)
    assert dict(module.named_parameters()) == params and all(p.requires_grad for p in params.values())
    assert all(torch.equal(params[n].detach(), proposal.params[n]) for n in params)


@pytest.mark.parametrize("case", CASES)
def test_state_dict_round_trip_through_json_continues_exactly(case):
    uninterrupted = start()
    run(make(case), uninterrupted, 30, reg=0.01)
    first = start()
    optimizer = make(case)
    run(optimizer, first, 15, reg=0.01)
    saved = json.loads(json.dumps(optimizer.state_dict(), allow_nan=False))
    resumed, params = make(case), {n: p.clone() for n, p in first.items()}
    resumed.load_state_dict(saved, params)
    run(resumed, params, 15, reg=0.01)
    assert all(torch.equal(params[n], uninterrupted[n]) for n in params)
    # and the state mattered: a fresh optimizer from the same parameters goes elsewhere (except plain SGD)
    fresh = {n: p.clone() for n, p in first.items()}
    run(make(case), fresh, 15, reg=0.01)
    assert case == "sgd" or any(not torch.equal(fresh[n], uninterrupted[n]) for n in params)


def _adam_state() -> tuple[dict, dict]:
    params = start()
    optimizer = make("adam")
    run(optimizer, params, 2)
    return json.loads(json.dumps(optimizer.state_dict())), params


def _broken(change) -> dict:
    state, _ = _adam_state()
    change(state)
    return state


MALFORMED = {
    "not a dict": lambda s: s.clear(),
    "another kind": lambda s: s.update(kind="sgd"),
    "unknown key": lambda s: s.update(velocity={}),
    "negative step": lambda s: s.update(step=-1),
    "step as text": lambda s: s.update(step="2"),
    "missing buffer": lambda s: s.pop("exp_avg_sq"),
    "missing name": lambda s: s["exp_avg"].pop("W1"),
    "unknown name": lambda s: s["exp_avg"].update(W3=[1.0]),
    "wrong shape": lambda s: s["exp_avg"].update(b1=[0.0, 0.0]),
    "text in a tensor": lambda s: s["exp_avg_sq"].update(b2=["x"]),
    "ragged": lambda s: s["exp_avg"].update(W1=[[0.0] * 5, [0.0]]),
    "not finite": lambda s: s["exp_avg"].update(b2=[float("inf")]),
}


@pytest.mark.parametrize("problem", MALFORMED)
def test_malformed_state_is_refused_with_one_line_and_changes_nothing(problem):
    state = _broken(MALFORMED[problem])
    if problem == "not a dict":
        state = ["adam"]
    _, params = _adam_state()
    optimizer = make("adam")
    run(optimizer, params, 1)
    before = optimizer.state_dict()
    with pytest.raises(InputError) as error:
        optimizer.load_state_dict(state, params)
    assert "\n" not in str(error.value) and str(error.value)
    assert optimizer.state_dict() == before


def test_malformed_state_messages_name_the_problem():
    _, params = _adam_state()
    cases = {
        "wrong shape": r"exp_avg\[b1\] has shape \(2,\), expected \(5,\)",
        "unknown key": "unknown keys: velocity",
        "missing name": r"exp_avg does not fit the parameters \(missing: \['W1'\]",
        "another kind": "is for 'sgd', not adam",
        "missing buffer": "lacks exp_avg_sq",
    }
    for problem, message in cases.items():
        with pytest.raises(InputError, match=message):
            make("adam").load_state_dict(_broken(MALFORMED[problem]), params)


def test_a_momentum_state_loads_only_where_it_fits():
    params = start()
    sgd = make("sgd momentum")
    run(sgd, params, 2)
    saved = sgd.state_dict()
    assert set(saved["momentum_buffer"]) == set(params)
    linear = init_params(ModelSpec(2, (), 1), "small", torch.Generator().manual_seed(0))
    with pytest.raises(InputError, match="does not fit the parameters"):
        make("sgd momentum").load_state_dict(saved, linear)


def test_momentum_switched_on_mid_run_starts_fresh_as_in_torch():
    params = start()
    plain = make("sgd")
    run(plain, params, 2)
    assert "momentum_buffer" not in plain.state_dict()
    with_momentum = make("sgd momentum")
    with_momentum.load_state_dict(plain.state_dict(), params)  # a retune from momentum 0 to 0.9
    before = {n: p.clone() for n, p in params.items()}
    grads = hand_grads(params)
    with_momentum.step(params, grads)  # v = g: the step of plain SGD
    assert all(torch.equal(params[n], before[n] - 0.1 * grads[n]) for n in params)
    assert with_momentum.state_dict()["step"] == 3


def test_a_velocity_from_an_old_session_becomes_the_sgd_state():
    params = start()
    sgd = make("sgd momentum")
    run(sgd, params, 2)
    velocity = {n: v.tolist() for n, v in sgd.state["momentum_buffer"].items()}
    resumed = make("sgd momentum")
    resumed.load_state_dict(sgd_state_from_velocity(velocity), params)
    a, b = {n: p.clone() for n, p in params.items()}, {n: p.clone() for n, p in params.items()}
    run(sgd, a, 3)
    run(resumed, b, 3)
    assert all(torch.equal(a[n], b[n]) for n in params)
    make("sgd").load_state_dict(sgd_state_from_velocity({}), params)


# --- settings --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "options", "setting", "message"),
    [
        ("sgd", {"lr": 0}, "lr", "lr must be a positive step size, got 0"),
        ("adam", {"lr": -0.5}, "lr", "lr must be a positive step size, got -0.5"),
        ("sgd", {"lr": float("nan")}, "lr", "lr must be a positive step size, got nan"),
        ("sgd", {"lr": 0.1, "momentum": 1.0}, "momentum", "momentum must be at least 0 and below 1, got 1"),
        ("sgd", {"lr": 0.1, "momentum": -0.1}, "momentum", "momentum must be at least 0 and below 1, got -0.1"),
        ("sgd", {"lr": 0.1, "nesterov": True}, "nesterov", "nesterov needs momentum > 0"),
        ("adam", {"lr": 0.1, "betas": (0.9, 1.0)}, "betas", "betas must be two numbers in [0, 1), got (0.9, 1.0)"),
        ("adam", {"lr": 0.1, "betas": (0.9,)}, "betas", "betas must be two numbers in [0, 1)"),
        ("adam", {"lr": 0.1, "eps": 0.0}, "eps", "eps must be > 0, got 0"),
        ("rmsprop", {"lr": 0.1, "alpha": 1.0}, "alpha", "alpha must be in [0, 1), got 1"),
        ("adam", {"lr": 0.1, "momentum": 0.9}, "momentum", "momentum applies to sgd only, not adam"),
        ("rmsprop", {"lr": 0.1, "nesterov": True}, "nesterov", "nesterov applies to sgd only, not rmsprop"),
        ("sgd", {"lr": 0.1, "betas": (0.5, 0.5)}, "betas", "betas applies to adam only, not sgd"),
        ("sgd", {"lr": 0.1, "eps": 1e-6}, "eps", "eps applies to rmsprop and adam only, not sgd"),
        ("adam", {"lr": 0.1, "alpha": 0.9}, "alpha", "alpha applies to rmsprop only, not adam"),
        ("adam", {"lr": 0.1, "line_search": "strong_wolfe"}, "line_search", "line_search applies to lbfgs only"),
        ("lbfgs", {"lr": 1, "line_search": "armijo"}, "line_search", "line_search must be none or strong_wolfe"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(kind, options, setting, message):
    options = dict(options)
    with pytest.raises(SettingError) as error:
        make_optimizer(kind, options.pop("lr"), **options)
    assert error.value.setting == setting and str(error.value).startswith(message)


def test_the_registry_names_each_kind_and_refuses_others():
    assert {name: cls.name for name, cls in OPTIMIZERS.items()} == {n: n for n in ("sgd", "rmsprop", "adam", "lbfgs")}
    assert [cls.needs_closure for cls in OPTIMIZERS.values()] == [False, False, False, True]
    with pytest.raises(InputError, match="unknown optimizer 'adagrad': choose one of sgd, rmsprop, adam, lbfgs"):
        make_optimizer("adagrad", 0.1)
    # options at their defaults pass through to any kind, so a caller may hand over all it holds
    assert isinstance(make_optimizer("adam", 0.1, momentum=0.0, alpha=0.99, line_search=None), Adam)
    assert isinstance(make_optimizer("rmsprop", 0.1, betas=(0.9, 0.999)), RMSprop)


def test_lr_is_read_at_each_step():
    a, b = start(), start()
    grads = hand_grads(a)
    optimizer = SGD(0.1)
    optimizer.lr = 0.5  # as a schedule does
    optimizer.step(a, grads)
    assert all(torch.allclose(a[n], b[n] - 0.5 * grads[n], rtol=0, atol=1e-15) for n in a)


# --- L-BFGS ----------------------------------------------------------------------------------
LBFGS_SPEC = ModelSpec(2, (8,), 1, "tanh")
LBFGS_REG = 0.003  # a bounded minimum that 20 steps of up to 20 iterations approach gradually at lr 0.2


def lbfgs_start() -> torch.nn.Module:
    return build_module(LBFGS_SPEC, init_params(LBFGS_SPEC, "he", torch.Generator().manual_seed(2)))


def hand_closure(params: dict):
    values = {n: p.detach() for n, p in params.items()}  # share storage with the parameters torch moves

    def closure():
        data, reg, grads = hand_loss_and_grads(values, LBFGS_SPEC, LOSS, MOONS.X, SIGNS, LBFGS_REG, "l2")
        return data.item() + reg, grads

    return closure


@pytest.mark.parametrize("line_search", [None, "strong_wolfe"])
def test_lbfgs_matches_torch_lbfgs_step_for_step(line_search):
    module, reference_module = lbfgs_start(), lbfgs_start()
    params = dict(module.named_parameters())
    ours = make_optimizer("lbfgs", 0.2, line_search=line_search)
    reference = torch.optim.LBFGS(reference_module.parameters(), lr=0.2, line_search_fn=line_search)

    def autograd_closure():
        data, reg, _ = torch_loss_and_grads(
            reference_module, LBFGS_SPEC, LOSS, MOONS.X, SIGNS, LBFGS_REG, "l2"
        )
        return data.item() + reg

    closure = hand_closure(params)
    first = closure()[0]
    for step in range(1, 21):
        if step == 8:  # a schedule's change of lr reaches torch's optimizer
            ours.lr = reference.param_groups[0]["lr"] = 0.5
        loss, reference_loss = ours.step_closure(params, closure), reference.step(autograd_closure)
        assert abs(loss - reference_loss) < 1e-10
        for name, p in reference_module.named_parameters():
            # hand and autograd gradients differ by round-off (~1e-17); L-BFGS divides by gradient
            # differences (y·s) and so amplifies it: measured ≤ 4.2e-12 here, 1e-10 leaves a margin
            assert torch.allclose(params[name], p, rtol=0, atol=1e-10), (step, name)
    assert closure()[0] < 0.6 * first  # it trained


@pytest.mark.parametrize("line_search", [None, "strong_wolfe"])
def test_lbfgs_state_round_trip_through_json_continues_exactly(line_search):
    uninterrupted = lbfgs_start()
    params = dict(uninterrupted.named_parameters())
    optimizer, closure = LBFGS(0.2, line_search=line_search), hand_closure(params)
    losses = [optimizer.step_closure(params, closure) for _ in range(4)]
    interrupted = lbfgs_start()
    first_params = dict(interrupted.named_parameters())
    first = LBFGS(0.2, line_search=line_search)
    first_closure = hand_closure(first_params)
    for _ in range(2):
        first.step_closure(first_params, first_closure)
    saved = json.loads(json.dumps(first.state_dict(), allow_nan=False))
    assert saved["state"]["n_iter"] == 40 and saved["state"]["old_dirs"]  # mid-run, with a history
    resumed_module = build_module(LBFGS_SPEC, {n: p.detach() for n, p in first_params.items()})
    resumed_params = dict(resumed_module.named_parameters())
    resumed = LBFGS(0.2, line_search=line_search)
    resumed.load_state_dict(saved, resumed_params)
    resumed_closure = hand_closure(resumed_params)
    resumed_losses = [resumed.step_closure(resumed_params, resumed_closure) for _ in range(2)]
    assert resumed_losses == losses[2:]
    assert all(torch.equal(resumed_params[n], params[n]) for n in params)
    # without the history the continuation differs: the state carried something
    fresh_module = build_module(LBFGS_SPEC, {n: p.detach() for n, p in first_params.items()})
    fresh_params = dict(fresh_module.named_parameters())
    fresh = LBFGS(0.2, line_search=line_search)
    fresh.step_closure(fresh_params, hand_closure(fresh_params))
    assert not torch.equal(fresh_params["W1"], params["W1"])


def test_lbfgs_needs_a_closure_and_the_same_parameters():
    module = lbfgs_start()
    params = dict(module.named_parameters())
    optimizer = LBFGS()
    grads = hand_closure(params)()[1]
    with pytest.raises(TypeError, match="use step_closure"):
        optimizer.propose(params, grads)
    with pytest.raises(TypeError, match="use step_closure"):
        optimizer.step(params, grads)
    optimizer.step_closure(params, hand_closure(params))
    other = dict(lbfgs_start().named_parameters())
    with pytest.raises(ValueError, match="same parameter tensors"):
        optimizer.step_closure(other, hand_closure(other))


def test_lbfgs_malformed_state_is_refused():
    params = dict(lbfgs_start().named_parameters())
    optimizer = LBFGS(0.2)
    optimizer.step_closure(params, hand_closure(params))
    saved = json.loads(json.dumps(optimizer.state_dict()))
    short = copy.deepcopy(saved)
    short["state"]["d"]["tensor"] = short["state"]["d"]["tensor"][:-1]
    cases = [
        (short, "d must be a tensor of 33 numbers"),
        ({**saved, "state": {**saved["state"], "curvature": 1}}, "unknown keys: curvature"),
        ({**saved, "names": ["W1", "b1"]}, "is for parameters"),
        ({**saved, "state": {**saved["state"], "ro": [{"tensor": [1.0, 2.0]}]}}, "ro must be"),
        ({**saved, "state": {**saved["state"], "t": "big"}}, "t has 'big'"),
        ({**saved, "kind": "adam"}, "is for 'adam', not lbfgs"),
    ]
    for state, message in cases:
        with pytest.raises(InputError, match=message):
            LBFGS(0.2).load_state_dict(state, params)
