"""The books' notebooks (notebooks/*.ipynb) run, with CI's small parameters, without an error;
and the committed ones hold a run's outputs and no path of this machine.

Running them needs the ``notebooks`` extra (``pip install -e ".[test,notebooks]"``): without it
those tests are skipped; the checks of the committed files need nothing.
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys

import pytest
from conftest import PROJECT_ROOT

spec = importlib.util.spec_from_file_location("notebook_runner", PROJECT_ROOT / "notebooks" / "run.py")
runner = importlib.util.module_from_spec(spec)
spec.loader.exec_module(runner)

NOTEBOOKS = runner.notebooks()
EXPECTED = ["chapter1.ipynb", "chapter2.ipynb", "chapter3.ipynb", "chapter5.ipynb", "chapter6.ipynb", "dlfs4-5.ipynb"]


def needs_extra():
    for module in ("nbclient", "nbformat", "ipykernel"):
        pytest.importorskip(module, reason="the notebooks extra is not installed: pip install -e \".[notebooks]\"")


def test_every_chapter_has_its_notebook():
    assert [p.name for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_holds_a_run_and_no_machine_path(path):
    """A reader on GitHub sees real numbers: every code cell ran, in order, in one run (with
    the committed run's parameters); and nothing names a folder of the machine it ran on."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert runner.machine_paths(nb) == [], f"{path.name} names paths of this machine"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1)), f"{path.name}: not one full run"
    injected = [c for c in code if "injected-parameters" in c["metadata"].get("tags", [])]
    values = runner.FULL.get(path.name, {})
    assert len(injected) == (1 if values else 0)
    if values:
        assert all(f"{k} = {v!r}" in "".join(injected[0]["source"]) for k, v in values.items())
    assert not any(o["output_type"] == "error" for c in code for o in c["outputs"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_first_and_small_values_for_all(path):
    needs_extra()
    values = runner.small_parameters(path)            # raises if SMALL lacks one of its parameters
    i, defaults = runner.parameters_cell(runner._read(path))
    assert set(values) == set(defaults)
    assert i == min(j for j, c in enumerate(runner._read(path).cells) if c.cell_type == "code")


def test_injection_replaces_the_values_and_refuses_unknown_names():
    needs_extra()
    import nbformat.v4 as v4

    nb = v4.new_notebook(cells=[v4.new_markdown_cell("# t"), v4.new_code_cell("epochs = 30\ntraining_size = 50000",
                                                                              metadata={"tags": ["parameters"]}),
                                v4.new_code_cell("print(epochs)")])
    runner.inject(nb, {"epochs": 1}, "small")
    assert [c.source for c in nb.cells[1:3]] == ["epochs = 30\ntraining_size = 50000", "# small\nepochs = 1"]
    runner.inject(nb, {"epochs": 2}, "again")          # a second run replaces the first's cell
    assert len(nb.cells) == 4 and nb.cells[2].source == "# again\nepochs = 2"
    with pytest.raises(ValueError, match="not parameters of this notebook: eta"):
        runner.inject(nb, {"eta": 0.1}, "bad")
    nb.cells[1].metadata["tags"] = []
    with pytest.raises(ValueError, match="tagged 'parameters'"):
        runner.inject(nb, {}, "none")


def test_scrub_cuts_the_project_folder_and_reports_other_paths():
    needs_extra()
    import nbformat.v4 as v4

    cell = v4.new_code_cell("x", outputs=[
        v4.new_output("stream", name="stderr", text=f"{runner.ROOT}/network2.py:10: RuntimeWarning: overflow\n"),
        v4.new_output("stream", name="stderr", text="/tmp/ipykernel_123/456.py:1: UserWarning: w\n")])
    nb = v4.new_notebook(cells=[cell])
    assert runner.scrub(nb) == []
    assert [o.text for o in cell.outputs] == ["network2.py:10: RuntimeWarning: overflow\n", "<cell>:1: UserWarning: w\n"]
    cell.outputs.append(v4.new_output("execute_result", data={"text/plain": "'/root/data/mnist.pkl.gz'"}))
    assert runner.scrub(nb) == ["cell 0: '/root/data/mnist.pkl.gz'"]


def test_a_cell_that_raises_fails_the_run(tmp_path):
    """The runner (with this Python as its kernel) stops at an error, so a broken notebook fails CI."""
    needs_extra()
    import nbformat
    import nbformat.v4 as v4
    from nbclient.exceptions import CellExecutionError

    path = tmp_path / "broken.ipynb"
    nbformat.write(v4.new_notebook(cells=[v4.new_code_cell("n = 1", metadata={"tags": ["parameters"]}),
                                          v4.new_code_cell("import sys; print(sys.executable)"),
                                          v4.new_code_cell("import os; print(os.environ['OPENBLAS_NUM_THREADS'])"),
                                          v4.new_code_cell("1 / (n - 1)")]), path)
    nb = runner.execute(path, {"n": 2}, "n = 2")
    assert nb.cells[2].outputs[0]["text"].strip() == sys.executable   # this very Python
    assert nb.cells[3].outputs[0]["text"].strip() == os.environ.get("OPENBLAS_NUM_THREADS", "1")   # one BLAS thread
    with pytest.raises(CellExecutionError, match="ZeroDivisionError"):
        runner.execute(path, {"n": 1}, "n = 1")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_with_small_parameters(path, mnist_pkl):
    needs_extra()
    nb = runner.execute(path, runner.small_parameters(path), "CI's small parameters", timeout=300)
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code")
