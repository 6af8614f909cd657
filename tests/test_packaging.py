"""Packaging: one version everywhere, a wheel with both packages and no tests, the public API typed and documented."""

import inspect
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import torchcircuits

ROOT = Path(__file__).resolve().parents[1]


def test_version_is_written_once_and_printed_by_the_cli(capsys):
    from torchcircuits.cli import main

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == f"torchcircuits {torchcircuits.__version__}"
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject and 'attr = "torchcircuits.__version__"' in pyproject
    assert f"## {torchcircuits.__version__}" in (ROOT / "CHANGELOG.md").read_text()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    """The wheel, built from this tree without build isolation (which would fetch torch) or dependencies."""
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q", "-w", str(out)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr[-2000:]
    (path,) = out.glob("torchcircuits-*.whl")
    return zipfile.ZipFile(path)


def test_the_wheel_holds_both_packages_typed_and_no_tests(wheel):
    names = wheel.namelist()
    assert "torchcircuits/py.typed" in names
    modules = ("torchcircuits/units.py", "torchcircuits/notebook.py", "torchcircuits/companion.py",
               "torchcircuits/circuits/chapter1.py", "torchcircuits_gui/circuit_painter.py", "torchcircuits_gui/app.py")
    assert all(module in names for module in modules)
    assert not [n for n in names if n.startswith(("tests/", "examples/", "scripts/", "docs/")) or "/test_" in n]
    dist = f"torchcircuits-{torchcircuits.__version__}.dist-info"
    metadata = wheel.read(f"{dist}/METADATA").decode()
    assert f"Version: {torchcircuits.__version__}" in metadata
    # an honest range, not our machines' pin: pip install . works wherever the index serves torch
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist: torch")]
    assert requires == ["Requires-Dist: torch>=2.2"]
    assert "Classifier: Typing :: Typed" in metadata and "Project-URL: " in metadata
    entry_points = wheel.read(f"{dist}/entry_points.txt").decode()
    assert "torchcircuits = torchcircuits.cli:main" in entry_points
    assert "png = torchcircuits_gui.circuit_painter:render_png" in entry_points


def test_the_public_api_is_exactly_all_and_each_callable_has_a_docstring():
    namespace: dict = {}
    exec("from torchcircuits import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(torchcircuits.__all__)
    undocumented = []
    for name in torchcircuits.__all__:
        thing = getattr(torchcircuits, name)
        if inspect.isclass(thing) or inspect.isfunction(thing):
            doc = thing.__dict__.get("__doc__") if inspect.isclass(thing) else thing.__doc__
            if not (doc or "").strip():
                undocumented.append(name)
    assert undocumented == []


def test_mypy_is_clean_on_the_library():
    """The config is in pyproject.toml ([tool.mypy]); about 60 s from cold, 1-2 s with its cache (.mypy_cache)."""
    pytest.importorskip("mypy")
    run = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]
