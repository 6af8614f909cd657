"""Fuzzing the two files users hand us: session documents and CSV text.

Whatever a document or a CSV holds (random types in every field, random nesting,
random rows), loading it either works or raises the project's one-line InputError;
no other exception escapes, and a session that loads also restores a trainer or
refuses with InputError.
"""

import json
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from torchcircuits.data import load_csv
from torchcircuits.errors import InputError
from torchcircuits.run import DataSpec, RunSettings
from torchcircuits.session import load_session, restore_trainer, save_session
from torchcircuits.trainer import TrainConfig, Trainer

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


def _valid_document(tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("valid") / "s.json"
    settings_ = RunSettings(TrainConfig(model="net", hidden=(3,), momentum=0.5), DataSpec("moons", n=12))
    train, test = settings_.data.load()
    trainer = Trainer(settings_.config, train, test)
    history = trainer.run(3)
    save_session(path, settings_, train, test, trainer, {"log_scale": True}, history)
    return json.loads(path.read_text())


def _paths(document, prefix=()):
    """Every path into the document: a key or an index at each level."""
    yield prefix
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for i, value in enumerate(document[:3]):
            yield from _paths(value, (*prefix, i))


def _replace(document, path, value):
    if not path:
        return value
    copy = json.loads(json.dumps(document))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


def _load(path):
    try:
        session = load_session(path)
    except InputError:
        return
    try:
        restore_trainer(session)
    except InputError:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_field_of_a_session_replaced_by_anything_is_loaded_or_refused_in_one_line(tmp_path_factory, data):
    document = _valid_document_cached(tmp_path_factory)
    paths = list(_paths(document))
    path = data.draw(st.sampled_from(paths))
    value = data.draw(JSON)
    file = tmp_path_factory.mktemp("fuzz") / "s.json"
    file.write_text(json.dumps(_replace(document, path, value)))
    _load(file)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=JSON)
def test_any_json_document_is_refused_in_one_line(tmp_path_factory, document):
    file = tmp_path_factory.mktemp("fuzz") / "s.json"
    file.write_text(json.dumps({"format": "torchcircuits-session", "version": 2, **(
        document if isinstance(document, dict) else {"settings": document})}))
    _load(file)


_CACHE: dict = {}


def _valid_document_cached(tmp_path_factory) -> dict:
    if "document" not in _CACHE:
        _CACHE["document"] = _valid_document(tmp_path_factory)
    return _CACHE["document"]


CELL = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-12, max_value=12).map(str),
    st.text(alphabet=string.printable, max_size=6),
    st.sampled_from(["x1", "x2", "label", "target", "x", "", " ", "1e308", "-1", "\ufeffx1"]),
)
ROW = st.lists(CELL, min_size=0, max_size=4).map(lambda cells: ",".join(cells))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, max_size=8))
def test_any_csv_text_is_loaded_or_refused_in_one_line(tmp_path_factory, rows):
    file = tmp_path_factory.mktemp("fuzz") / "data.csv"
    file.write_text("\n".join(rows))
    try:
        data = load_csv(file)
    except InputError as error:
        assert "\n" not in str(error)
        return
    assert len(data) >= 1 and data.X.shape[1] in (1, 2)
