"""mnist_loader: real data shapes and values, safe unpickling, corrupt files, IDX headers."""
from __future__ import annotations

import gzip
import os
import pickle
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import PROJECT_ROOT

import mnist_loader
from mnist_loader import DatasetError, IdxFormatError, UnsafePickleError, read_dataset
from mnist_loader.idx import read_idx

# ---------------------------------------------------------------- real data

def test_load_data_shapes_dtypes_and_values(mnist_arrays):
    sizes = [50000, 10000, 10000]
    for (images, labels), n in zip(mnist_arrays, sizes):
        assert images.shape == (n, 784) and images.dtype == np.float32
        assert labels.shape == (n,) and labels.dtype == np.int64
        assert labels.min() == 0 and labels.max() == 9
        assert images.min() == 0.0 and images.max() == np.float32(255 / 256)
        # every pixel is a multiple of 1/256, as in Nielsen's file
        assert np.array_equal(images[:100] * 256, np.round(images[:100] * 256))


def test_splits_match_the_idx_files(mnist_arrays, mnist_idx_dir):
    train_img = read_idx(mnist_idx_dir / "train-images-idx3-ubyte.gz", "images")
    train_lab = read_idx(mnist_idx_dir / "train-labels-idx1-ubyte.gz", "labels")
    test_lab = read_idx(mnist_idx_dir / "t10k-labels-idx1-ubyte.gz", "labels")
    (tr_x, tr_y), (va_x, va_y), (te_x, te_y) = mnist_arrays
    assert np.array_equal(tr_y, train_lab[:50000]) and np.array_equal(va_y, train_lab[50000:])
    assert np.array_equal(te_y, test_lab)
    assert np.array_equal(tr_x[7], train_img[7].reshape(784) / np.float32(256))
    assert np.array_equal(va_x[0], train_img[50000].reshape(784) / np.float32(256))
    # the well-known first labels of MNIST
    assert list(tr_y[:8]) == [5, 0, 4, 1, 9, 2, 1, 3] and list(te_y[:5]) == [7, 2, 1, 0, 4]


def test_load_data_wrapper_gives_reusable_lists(mnist_wrapped, mnist_arrays):
    training, validation, test = mnist_wrapped
    assert all(isinstance(d, list) for d in mnist_wrapped)
    assert (len(training), len(validation), len(test)) == (50000, 10000, 10000)
    x, y = training[3]
    assert x.shape == (784, 1) and y.shape == (10, 1)
    assert y.sum() == 1.0 and int(np.argmax(y)) == mnist_arrays[0][1][3]
    assert np.array_equal(x[:, 0], mnist_arrays[0][0][3])
    assert isinstance(test[0][1], int) and test[0][1] == 7
    # iterating twice gives the same samples (a zip iterator would be exhausted)
    assert sum(1 for _ in validation) == sum(1 for _ in validation) == 10000


# ---------------------------------------------------------------- pickles

def _write_gz_pickle(path: Path, obj, protocol: int = 4) -> Path:
    with gzip.open(path, "wb") as f:
        pickle.dump(obj, f, protocol=protocol)
    return path


def _small_dataset(n=(20, 5, 5), seed=0):
    rng = np.random.default_rng(seed)
    return tuple(
        ((rng.integers(0, 256, (k, 784)) / 256).astype(np.float32), rng.integers(0, 10, k).astype(np.int64))
        for k in n
    )


class _Evil:
    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_malicious_pickle_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    path = _write_gz_pickle(tmp_path / "evil.pkl.gz", _Evil(str(marker)))
    with pytest.raises(UnsafePickleError, match=r"system.*possibly malicious") as exc:
        mnist_loader.load_data(path)
    assert str(path) in str(exc.value)
    assert not marker.exists()
    # the plain pickle module would have run it: the test's payload is real
    with gzip.open(path) as f:
        pickle.load(f)
    assert marker.exists()


def test_pickle_hiding_eval_inside_a_dataset_is_refused(tmp_path):
    class Sneaky:
        def __reduce__(self):
            return (eval, ("1+1",))

    tr, va, te = _small_dataset()
    path = _write_gz_pickle(tmp_path / "sneaky.pkl.gz", (tr, va, (te[0], Sneaky())))
    with pytest.raises(UnsafePickleError, match="builtins.eval"):
        mnist_loader.load_data(path)


def test_round_trip_of_a_dataset_we_wrote(tmp_path):
    data = _small_dataset()
    path = _write_gz_pickle(tmp_path / "ok.pkl.gz", data)
    loaded = mnist_loader.load_data(path)
    for (x, y), (x2, y2) in zip(data, loaded):
        assert np.array_equal(x, x2) and np.array_equal(y, y2)


class _Py2Pickler(pickle._Pickler):
    """Writes bytes the way Python 2's cPickle wrote str: BINSTRING opcodes."""

    dispatch = dict(pickle._Pickler.dispatch)

    def save_py2_str(self, obj):
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + obj)
        self.memoize(obj)

    dispatch[bytes] = save_py2_str


def test_reads_nielsens_python2_pickle_format(tmp_path):
    import io

    data = _small_dataset()
    buf = io.BytesIO()
    _Py2Pickler(buf, protocol=2).dump(data)
    raw = buf.getvalue().replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
    assert b"numpy.core.multiarray\n_reconstruct" in raw and b"_codecs" not in raw
    path = tmp_path / "py2.pkl.gz"
    path.write_bytes(gzip.compress(raw))
    with pytest.raises(Exception):  # without latin1, Python 3 cannot read the Python 2 strings
        pickle.loads(raw)
    loaded = mnist_loader.load_data(path)
    for (x, y), (x2, y2) in zip(data, loaded):
        assert np.array_equal(x, x2) and np.array_equal(y, y2)


def test_corrupt_gzip_is_named(tmp_path):
    path = tmp_path / "garbage.pkl.gz"
    path.write_bytes(b"this is not gzip at all" * 10)
    with pytest.raises(DatasetError, match=r"garbage\.pkl\.gz.*gzip"):
        mnist_loader.load_data(path)


def test_truncated_file_is_named(tmp_path):
    good = _write_gz_pickle(tmp_path / "good.pkl.gz", _small_dataset())
    cut = tmp_path / "cut.pkl.gz"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(DatasetError, match=r"cut\.pkl\.gz.*(truncated|corrupt)"):
        mnist_loader.load_data(cut)


def test_gzip_of_garbage_pickle(tmp_path):
    path = tmp_path / "notpickle.pkl.gz"
    path.write_bytes(gzip.compress(b"\x80\x04garbage bytes, not a pickle"))
    with pytest.raises(DatasetError, match="not a valid pickle"):
        mnist_loader.load_data(path)


@pytest.mark.parametrize("mutate, message", [
    (lambda d: {"train": d[0]}, "expected a tuple"),
    (lambda d: d[:2], "of length 2"),
    (lambda d: (d[0], d[1], (d[2][0],)), "must be a pair"),
    (lambda d: ((d[0][0][:, :783], d[0][1]), d[1], d[2]), r"shape \(20, 783\)"),
    (lambda d: ((d[0][0], d[0][1][:-1]), d[1], d[2]), "labels have shape"),
    (lambda d: (d[0], (d[1][0], d[1][1] + 10), d[2]), "range over"),
    (lambda d: (d[0], d[1], (d[2][0] * 300, d[2][1])), r"within \[0, 1\]"),
    (lambda d: (d[0], d[1], (d[2][0], d[2][1].astype(np.float64))), "expected integers"),
])
def test_wrong_structure_shapes_and_labels(tmp_path, mutate, message):
    path = _write_gz_pickle(tmp_path / "bad.pkl.gz", mutate(_small_dataset()))
    with pytest.raises(DatasetError, match=message) as exc:
        mnist_loader.load_data(path)
    assert "bad.pkl.gz" in str(exc.value)


def test_missing_explicit_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such dataset"):
        mnist_loader.load_data(tmp_path / "nope.pkl.gz")


# ---------------------------------------------------------------- IDX files

def _idx_bytes(kind: str, n: int, rows=28, cols=28, magic=None, body=None) -> bytes:
    if kind == "images":
        header = struct.pack(">IIII", magic or 0x803, n, rows, cols)
        body = body if body is not None else bytes(n * rows * cols)
    else:
        header = struct.pack(">II", magic or 0x801, n)
        body = body if body is not None else bytes(n)
    return header + body


def test_idx_reads_gzip_and_raw(tmp_path):
    body = bytes(range(256)) * 3 + bytes(784 * 2 - 768)
    (tmp_path / "a").write_bytes(_idx_bytes("images", 2, body=body))
    (tmp_path / "a.gz").write_bytes(gzip.compress(_idx_bytes("images", 2, body=body)))
    raw, gz = read_idx(tmp_path / "a", "images"), read_idx(tmp_path / "a.gz", "images")
    assert raw.shape == (2, 28, 28) and raw.dtype == np.uint8
    assert np.array_equal(raw, gz) and raw[0, 0, 5] == 5


@pytest.mark.parametrize("content, kind, message", [
    (_idx_bytes("images", 2, magic=0x801), "images", "magic number 0x00000801"),
    (_idx_bytes("labels", 2, magic=0x803), "labels", "magic number"),
    (_idx_bytes("images", 2, rows=32, cols=32), "images", "32x32, expected 28x28"),
    (_idx_bytes("images", 3)[:-100], "images", "truncated"),
    (_idx_bytes("labels", 5) + b"extra", "labels", "holds more than that"),
    (b"\x00\x00", "labels", "too short"),
])
def test_idx_header_validation(tmp_path, content, kind, message):
    path = tmp_path / "f"
    path.write_bytes(content)
    with pytest.raises(IdxFormatError, match=message):
        read_idx(path, kind)


def test_idx_corrupt_gzip(tmp_path):
    path = tmp_path / "f.gz"
    path.write_bytes(gzip.compress(_idx_bytes("labels", 100))[:30])
    with pytest.raises(IdxFormatError, match="corrupt or truncated gzip"):
        read_idx(path, "labels")


def test_build_refuses_wrong_counts_and_cli_reports_it(tmp_path):
    for name, kind, n in [("train-images-idx3-ubyte", "images", 100), ("train-labels-idx1-ubyte", "labels", 100),
                          ("t10k-images-idx3-ubyte", "images", 10), ("t10k-labels-idx1-ubyte", "labels", 10)]:
        (tmp_path / name).write_bytes(_idx_bytes(kind, n))
    with pytest.raises(IdxFormatError, match="header promises 100 images, expected 60000"):
        mnist_loader.build_from_idx(tmp_path, tmp_path / "out.pkl.gz", verbose=False)
    assert not (tmp_path / "out.pkl.gz").exists()
    result = subprocess.run([sys.executable, "-m", "mnist_loader", "build", "--from", str(tmp_path),
                             "--out", str(tmp_path / "out.pkl.gz")], capture_output=True, text=True)
    assert result.returncode == 1 and "expected 60000" in result.stderr


def test_build_from_real_idx_is_atomic_and_equal(tmp_path, mnist_idx_dir, mnist_arrays):
    out = tmp_path / "built.pkl.gz"
    out.write_bytes(b"previous file")
    mnist_loader.build_from_idx(mnist_idx_dir, out, verbose=False)
    assert not list(tmp_path.glob(".*.tmp"))
    built = mnist_loader.load_data(out)
    for (x, y), (x2, y2) in zip(built, mnist_arrays):
        assert np.array_equal(x, x2) and np.array_equal(y, y2)


def test_default_dataset_is_built_from_env_when_missing(tmp_path, monkeypatch, mnist_idx_dir, capsys):
    monkeypatch.setenv("NIELSEN_BACKPROP_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("MNIST_IDX_DIR", str(mnist_idx_dir))
    path = mnist_loader.ensure_dataset()
    assert path == tmp_path / "data" / "mnist.pkl.gz" and path.is_file()
    assert "building it from $MNIST_IDX_DIR" in capsys.readouterr().err


def test_data_lives_in_the_checkout_the_user_cache_or_where_the_variable_says(tmp_path, monkeypatch):
    import mnist_loader.dataset as dataset

    monkeypatch.delenv("NIELSEN_BACKPROP_DATA", raising=False)
    assert dataset.data_dir() == dataset.PROJECT_ROOT / "data"          # a source checkout
    installed = tmp_path / "site-packages"                              # a normal (non-editable) install
    (installed / "mnist_loader").mkdir(parents=True)
    monkeypatch.setattr(dataset, "PROJECT_ROOT", installed)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert dataset.default_path() == tmp_path / "cache" / "nielsen-backprop" / "mnist.pkl.gz"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert dataset.data_dir() == tmp_path / "home" / ".cache" / "nielsen-backprop"
    monkeypatch.setenv("NIELSEN_BACKPROP_DATA", str(tmp_path / "mine"))
    assert dataset.default_path() == tmp_path / "mine" / "mnist.pkl.gz"
    assert not str(dataset.default_path()).startswith(str(installed))


def test_python_m_mnist_loader_where_prints_the_path(capsys, monkeypatch, tmp_path):
    from mnist_loader.__main__ import main

    monkeypatch.setenv("NIELSEN_BACKPROP_DATA", str(tmp_path))
    assert main(["where"]) == 0
    assert capsys.readouterr().out.startswith(f"{tmp_path / 'mnist.pkl.gz'} (not there yet;")


def test_expanded_training_set_is_every_image_and_its_four_shifts(tmp_path, monkeypatch):
    from mnist_loader.expand import build_expanded, expanded_order, load_expanded, shifted

    rng = np.random.default_rng(0)
    split = lambda n: (rng.integers(0, 256, (n, 784)).astype(np.float32) / 256, rng.integers(0, 10, n))  # noqa: E731
    source = tmp_path / "mnist.pkl.gz"
    dataset = (split(6), split(3), split(4))
    with gzip.open(source, "wb") as f:
        pickle.dump(dataset, f, protocol=4)
    out = build_expanded(source, tmp_path / "expanded.pkl.gz", verbose=False)
    (x, y), validation, test = load_expanded(out)
    order = expanded_order(30)
    assert sorted(order) == list(range(30)) and list(order) != list(range(30))      # shuffled, every image once
    unshuffled = np.empty_like(x)
    unshuffled[order] = x
    x, y = unshuffled, np.empty_like(y)
    y[order] = load_expanded(out)[0][1]
    assert x.shape == (30, 784) and np.array_equal(y, np.repeat(dataset[0][1], 5))
    assert np.array_equal(validation[0], dataset[1][0]) and np.array_equal(test[1], dataset[2][1])
    images = x.reshape(6, 5, 28, 28)
    original = dataset[0][0].reshape(6, 28, 28)
    assert np.array_equal(images[:, 0], original)
    assert np.array_equal(images[:, 1, 1:], original[:, :-1]) and not images[:, 1, 0].any()         # down
    assert np.array_equal(images[:, 2, :-1], original[:, 1:]) and not images[:, 2, -1].any()        # up
    assert np.array_equal(images[:, 3, :, 1:], original[:, :, :-1]) and not images[:, 3, :, 0].any()  # right
    assert np.array_equal(images[:, 4, :, :-1], original[:, :, 1:]) and not images[:, 4, :, -1].any()  # left
    assert np.array_equal(shifted(dataset[0][0]), x)


def test_a_dataset_pickled_at_every_protocol_reads_back_equal(tmp_path):
    import gzip
    import pickle

    rng = np.random.default_rng(1)
    split = (rng.random((3, 784)).astype(np.float32), np.array([1, 2, 3]))
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        path = tmp_path / f"p{protocol}.pkl.gz"
        with gzip.open(path, "wb") as f:
            pickle.dump((split,) * 3, f, protocol=protocol)
        for images, labels in read_dataset(path):
            assert np.array_equal(images, split[0]) and np.array_equal(labels, split[1])
            assert images.dtype == np.float32 and labels.dtype == np.int64


def test_the_budget_counts_every_byte_and_refuses_before_reading():
    import io

    from mnist_loader.safe_pickle import LimitedReader

    raw = io.BytesIO(b"a\nbcdef")
    r = LimitedReader(raw, 4, "f")
    assert r.readline() == b"a\n" and r.read(2) == b"bc"
    with pytest.raises(DatasetError, match="f: holds more than"):
        r.read(3)
    assert raw.tell() == 4                  # refused before anything more was read
    assert LimitedReader(io.BytesIO(b"xyz"), 3, "g").read() == b"xyz"
    with pytest.raises(DatasetError):
        LimitedReader(io.BytesIO(b"xyzw"), 3, "g").read()


def test_build_into_a_directory_prints_one_line_naming_it(tmp_path, mnist_idx_dir):
    result = subprocess.run([sys.executable, "-m", "mnist_loader", "build", "--from", str(mnist_idx_dir),
                             "--out", str(tmp_path)], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"error: cannot write {tmp_path}: it is a directory; refusing to replace it"


def test_the_loader_imports_without_home_and_ctrl_c_ends_a_build_with_one_line(tmp_path, mnist_idx_dir):
    import os
    import signal
    import time

    env = {k: v for k, v in os.environ.items() if k != "HOME"}
    result = subprocess.run([sys.executable, "-c", "import mnist_loader, network; print(mnist_loader.data_dir())"],
                            capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert result.returncode == 0 and result.stdout.strip()
    for delay in (1.0, 3.0, 9.0):                            # into reading and converting the IDX files
        child = subprocess.Popen([sys.executable, "-m", "mnist_loader", "build", "--from", str(mnist_idx_dir),
                                  "--out", str(tmp_path / "m.pkl.gz")], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, cwd=PROJECT_ROOT)
        time.sleep(delay)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
        if child.returncode != -signal.SIGINT:               # else: still starting Python (a loaded machine)
            break
    if child.returncode == 0:                                # finished before the signal: nothing to see
        pytest.skip("the build finished within a second")
    assert child.returncode == 130 and "Traceback" not in err and err.strip().startswith("interrupted:")
    assert not (tmp_path / "m.pkl.gz").exists() and [p.name for p in tmp_path.iterdir()] == []
