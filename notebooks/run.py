"""Run the books' notebooks with their parameters, as CI does or as the committed outputs were made.

Every notebook starts with a code cell tagged ``parameters`` (the book's epochs and training-set
sizes). A run puts a cell tagged ``injected-parameters`` right after it that sets other values
(as papermill does), executes every cell in a Jupyter kernel of this very Python (the one running
this script, whatever kernels Jupyter has installed), in the folder ``notebooks/``, and stops at
the first cell that raises.

    python notebooks/run.py --small                   # CI's small parameters; nothing written
    python notebooks/run.py --full                    # the committed outputs: every notebook run
                                                      # (with FULL's parameters) and saved in place
    python notebooks/run.py --full chapter1.ipynb     # one notebook
    python notebooks/run.py --set epochs=2 --set training_size=5000 chapter3.ipynb   # nothing written

Needs the ``notebooks`` extra: ``pip install -e ".[notebooks]"``. Before a notebook is saved its
outputs are made free of this machine's paths (the project's folder is cut from every path) and
checked: a run that prints any other absolute path is not saved.
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# CI's parameters: every parameter of every notebook needs one here (see ``parameters``), so that
# no notebook runs the book's sizes in CI by accident.
SMALL: dict[str, Any] = {
    "epochs": 1,              # Nielsen's 30 (or 60) epochs
    "training_size": 1000,    # of the 50,000 training images (DLfS: of the 60,000)
    "long_epochs": 2,         # chapter 3's 400 epochs on 1,000 images
    "evaluation_size": 500,   # of the 10,000 validation and test images (chapter 6)
    "speed_epochs": 2,        # chapter 5's 500 epochs of speeds of learning
    "iters_num": 20,          # DLfS's 10,000 iterations
    "hidden_size": 10,        # DLfS's 50 hidden units (its numerical gradient takes 2 losses per weight)
}
# ... and where a notebook needs smaller ones still (chapter 6: its expanded set is five times the
# training images, and its convolutional epochs are the slowest of all)
SMALL_FOR: dict[str, dict[str, Any]] = {
    "chapter6.ipynb": {"training_size": 200},
}

# The committed runs: the book's parameters, except in the notebooks whose book-sized run takes
# longer than ten minutes here; those run with these (each notebook shows them in its
# injected-parameters cell).
FULL: dict[str, dict[str, Any]] = {
    "chapter1.ipynb": {"epochs": 10},
    "chapter6.ipynb": {"epochs": 2, "training_size": 1000, "evaluation_size": 1000},
}

KERNEL = "nielsen-backprop"
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
FORBIDDEN = ("/work/", "/root/", "/home/", "/tmp/", "/Users/", "C:\\")   # absolute paths in outputs
MAX_BYTES = 1_500_000                                                  # a committed notebook at most


def notebooks() -> list[Path]:
    """The notebooks, in the order of the books."""
    return sorted(HERE.glob("*.ipynb"))


def _read(path: Path):
    import nbformat

    return nbformat.read(path, as_version=4)


def parameters_cell(nb) -> tuple[int, dict[str, Any]]:
    """The index of the cell tagged ``parameters`` (the first code cell) and its values."""
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    tagged = [i for i in code if "parameters" in nb.cells[i].metadata.get("tags", [])]
    if not code or tagged != code[:1]:
        raise ValueError("the first code cell, and only it, must be tagged 'parameters'")
    i = tagged[0]
    values = {}
    for node in ast.parse(nb.cells[i].source).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            raise ValueError(f"the parameters cell may only assign names, got: {ast.unparse(node)}")
        values[node.targets[0].id] = ast.literal_eval(node.value)
    return i, values


def small_parameters(path: Path) -> dict[str, Any]:
    """CI's values for every parameter of the notebook (an error names any SMALL lacks)."""
    _, defaults = parameters_cell(_read(path))
    missing = sorted(set(defaults) - set(SMALL))
    if missing:
        raise ValueError(f"{path.name}: no small value for parameter(s) {', '.join(missing)}: add them to SMALL in run.py")
    small = SMALL | SMALL_FOR.get(path.name, {})
    return {k: small[k] for k in defaults}


def inject(nb, values: dict[str, Any], why: str) -> None:
    """Put a cell tagged ``injected-parameters`` that sets ``values`` after the parameters cell
    (replacing one a previous run left); a name the parameters cell does not set is an error."""
    import nbformat

    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    i, defaults = parameters_cell(nb)
    unknown = sorted(set(values) - set(defaults))
    if unknown:
        raise ValueError(f"not parameters of this notebook: {', '.join(unknown)} (it has {', '.join(defaults)})")
    if not values:
        return
    source = f"# {why}\n" + "\n".join(f"{k} = {v!r}" for k, v in values.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    cell.id = "injected-parameters"                    # the same in every run: no noise in a diff
    nb.cells.insert(i + 1, cell)


def _kernel_manager(spec_dir: Path):
    """A kernel manager for a kernel of ``sys.executable``: a kernel spec of our own in a
    temporary folder, so that no installed kernel named python3 (of another Python) is used."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    folder = spec_dir / KERNEL
    folder.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3", "language": "python"}
    (folder / "kernel.json").write_text(json.dumps(spec))
    return AsyncKernelManager(kernel_name=KERNEL, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(spec_dir)]))


def execute(path: Path, values: dict[str, Any], why: str = "parameters of this run", timeout: int | None = 600,
            progress: bool = False):
    """Run the notebook at ``path`` with ``values`` injected; return it with its outputs. A cell
    that raises raises ``nbclient.exceptions.CellExecutionError`` (with the cell's traceback).
    ``progress`` prints each code cell's number and time as it ends (for long runs)."""
    from nbclient import NotebookClient

    nb = _read(path)
    inject(nb, values, why)
    hooks = {}
    if progress:
        start, total, count = time.perf_counter(), sum(c.cell_type == "code" for c in nb.cells), [0]

        def done(cell, cell_index, **_):
            count[0] += cell.cell_type == "code"
            first = cell.source.splitlines()[0][:60] if cell.source else ""
            print(f"  {path.name}: code cell {count[0]}/{total} done at {time.perf_counter() - start:.0f} s  ({first})",
                  flush=True)
        hooks["on_cell_executed"] = done
    with tempfile.TemporaryDirectory() as d:
        client = NotebookClient(nb, km=_kernel_manager(Path(d)), timeout=timeout, record_timing=False,
                                resources={"metadata": {"path": str(HERE)}}, **hooks)
        client.execute(env=kernel_environment())
    return nb


def kernel_environment() -> dict[str, str]:
    """This process's environment, with one BLAS thread unless the caller chose a number: on a
    busy 2-core machine OpenBLAS's own threads made chapter 3's 100-neuron runs and chapter 2's
    mini-batches of 100 many times slower (measured: 2.96 s against 0.11 s for one epoch of 10,000
    images in mini-batches of 100), and every notebook's products are small."""
    env = dict(os.environ)
    for name in BLAS_THREADS:
        env.setdefault(name, "1")
    return env


def _texts(nb):
    """(cell index, field, text) for every text of every output."""
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            if "text" in out:
                yield i, out, "text"
            for mime, data in out.get("data", {}).items():
                if mime.startswith("text/") and isinstance(data, str):
                    yield i, out["data"], mime
            if "traceback" in out:
                yield i, out, "traceback"


def scrub(nb) -> list[str]:
    """Cut the project's folder from every path in the outputs (``<root>/network2.py`` becomes
    ``network2.py``) and a cell's temporary file name to ``<cell>``; return what still looks
    like a path of this machine (``machine_paths``), empty when the notebook is fit to commit."""
    root = re.escape(str(ROOT)) + r"[/\\]?"
    cell_file = r"[^\s'\"]*ipykernel_\d+[/\\]\d+\.py"

    def fix(s: str) -> str:
        return re.sub(root, "", re.sub(cell_file, "<cell>", s))

    for _, holder, key in list(_texts(nb)):
        value = holder[key]
        holder[key] = [fix(s) for s in value] if isinstance(value, list) else fix(value)
    return machine_paths(nb)


def machine_paths(nb) -> list[str]:
    """The lines of the cells' sources and text outputs (not images) that name an absolute
    path of a machine, each as 'cell i: line'."""
    found = []
    texts = [(i, c, "source") for i, c in enumerate(nb["cells"])] + list(_texts(nb))
    for i, holder, key in texts:
        value = holder[key]
        text = "".join(value) if isinstance(value, list) else value
        found += [f"cell {i}: {line.strip()[:160]}" for line in text.splitlines() if any(p in line for p in FORBIDDEN)]
    return found


def run_one(path: Path, values: dict[str, Any], why: str, save: bool) -> float:
    import nbformat

    start = time.perf_counter()
    nb = execute(path, values, why, timeout=None if save else 600, progress=True)
    seconds = time.perf_counter() - start
    if save:
        problems = scrub(nb)
        if problems:
            raise SystemExit(f"{path.name}: outputs name paths of this machine; not saved:\n  " + "\n  ".join(problems))
        text = nbformat.writes(nb) + "\n"
        if len(text.encode()) > MAX_BYTES:
            raise SystemExit(f"{path.name}: {len(text.encode()):,} bytes with outputs, more than {MAX_BYTES:,}; not saved")
        path.write_text(text, encoding="utf-8")
    return seconds


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--small", action="store_true", help="CI's small parameters; outputs not written")
    mode.add_argument("--full", action="store_true", help="the committed run; outputs written into the notebooks")
    mode.add_argument("--set", action="append", metavar="NAME=VALUE", help="a parameter (repeat for more); outputs not written")
    p.add_argument("names", nargs="*", help="notebooks (file names in notebooks/); all by default")
    args = p.parse_args(argv)
    paths = [HERE / Path(n).name for n in args.names] or notebooks()
    for path in paths:
        if not path.is_file():
            p.error(f"no notebook {path.name} in notebooks/")
    for path in paths:
        if args.small:
            values, why = small_parameters(path), "CI's small parameters (notebooks/run.py --small)"
        elif args.full:
            values = FULL.get(path.name, {})
            why = ("the parameters of this run (notebooks/run.py --full): smaller than the book's, "
                   "whose run takes more than ten minutes here")
        else:
            values = {k: ast.literal_eval(v) for k, v in (s.split("=", 1) for s in args.set)}
            why = "parameters of this run (notebooks/run.py --set)"
        shown = values or "the book's parameters"
        print(f"{path.name}: {shown} ...", flush=True)
        seconds = run_one(path, values, why, save=args.full)
        print(f"{path.name}: ran in {seconds:.0f} s" + (", saved" if args.full else ""), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
