"""Saving and loading every network: round trips bit for bit, every bad file named, and saves
that are atomic, keep modes and links, and survive signals."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import PROJECT_ROOT

import network
from network import MatrixNetwork, Network, NetworkFileError
from network.atomic import SaveError, write_atomic


def data(n=40, n_in=6, n_out=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, n_in)), rng.integers(0, n_out, n)


@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(dtype=np.float32),
    dict(cost="cross-entropy", activation="tanh", init="scaled"),
    dict(cost="log-likelihood", activation="relu", dtype=np.float32),
])
def test_save_load_round_trip_is_bit_identical(tmp_path, kwargs):
    X, y = data(20)
    net = MatrixNetwork([6, 5, 4, 3], seed=3, **kwargs)
    net.SGD((X, y), 2, 5, 0.3, verbose=False)
    path = tmp_path / "net.json"
    net.save(path)
    loaded = network.load(path)
    assert type(loaded) is MatrixNetwork and loaded.sizes == net.sizes and loaded.dtype == net.dtype
    assert loaded.cost is net.cost and loaded.activation is net.activation
    assert np.array_equal(loaded.feedforward(X), net.feedforward(X))
    assert all(np.array_equal(a, b) for a, b in zip(loaded.weights + loaded.biases, net.weights + net.biases))


def test_per_sample_network_round_trip(tmp_path):
    net = Network([4, 3, 2], seed=0)
    net.save(tmp_path / "n.json")
    loaded = network.load(tmp_path / "n.json")
    x = np.linspace(0, 1, 4).reshape(4, 1)
    assert type(loaded) is Network and np.array_equal(loaded.feedforward(x), net.feedforward(x))


def test_interrupted_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "net.json"
    old = MatrixNetwork([3, 2], seed=0)
    old.save(path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed before the rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        MatrixNetwork([3, 2], seed=1).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]  # no temp file left behind
    assert np.array_equal(network.load(path).weights[0], old.weights[0])


def _good(tmp_path):
    path = tmp_path / "good.json"
    MatrixNetwork([3, 2, 2], seed=0).save(path)
    return json.loads(path.read_text())


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.pop("weights"), "missing key 'weights'"),
    (lambda d: d.update(cost="hinge"), "unknown cost 'hinge'"),
    (lambda d: d.update(activation="swish"), "unknown activation 'swish'"),
    (lambda d: d.update(format_version=99), "format_version 99 is not supported"),
    (lambda d: d.update(sizes=[3, 0, 2]), r"sizes must be a list of at least 2 layer sizes from 1 to 100000, got \[3, 0, 2\]"),
    (lambda d: d["weights"].__setitem__(0, [[1.0, 2.0]]), r"weights\[0\] is not 2 rows of 3 numbers"),
    (lambda d: d["biases"].__setitem__(1, [[1.0], ["x"]]), r"biases hold something that is not a number"),
    (lambda d: d["weights"][0].__setitem__(0, [True, 1.0, 2.0]), r"weights hold something that is not a number"),
    (lambda d: d["weights"][0].__setitem__(0, ["1.0", 1.0, 2.0]), r"weights hold something that is not a number"),
    (lambda d: d["weights"][0].__setitem__(0, [None, 1.0, 2.0]), r"weights hold something that is not a number"),
    (lambda d: d.update(dtype="float16"), "must be float32 or float64"),
    (lambda d: d.update({"class": "Perceptron"}), "unknown class 'Perceptron'"),
])
def test_bad_files_are_named(tmp_path, mutate, message):
    d = _good(tmp_path)
    mutate(d)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(d))
    with pytest.raises(NetworkFileError, match=message) as exc:
        network.load(path)
    assert "bad.json" in str(exc.value)


def test_not_json_and_not_an_object(tmp_path):
    (tmp_path / "a.json").write_text("{not json")
    with pytest.raises(NetworkFileError, match="not a JSON network file"):
        network.load(tmp_path / "a.json")
    (tmp_path / "b.json").write_text("[1, 2]")
    with pytest.raises(NetworkFileError, match="expected a JSON object"):
        network.load(tmp_path / "b.json")
    (tmp_path / "c.json").write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(NetworkFileError):
        network.load(tmp_path / "c.json")


def test_non_finite_weights_are_not_saved(tmp_path):
    net = MatrixNetwork([3, 2], seed=0)
    net.weights[0][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"cannot save this MatrixNetwork: weights\[0\] holds values that are not finite"):
        net.save(tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()


def test_saved_file_keeps_every_option(tmp_path):
    net = MatrixNetwork([6, 4, 3], seed=0, init="scaled", cost="log-likelihood", activation="tanh", dtype="float32")
    net.save(tmp_path / "n.json")
    saved = json.loads((tmp_path / "n.json").read_text())
    assert {k: saved[k] for k in ("init", "cost", "activation", "dtype", "class")} == {
        "init": "scaled", "cost": "log-likelihood", "activation": "tanh", "dtype": "float32", "class": "MatrixNetwork"}
    loaded = network.load(tmp_path / "n.json")
    assert (loaded.init, loaded.cost.name, loaded.activation.name, loaded.dtype) == ("scaled", "log-likelihood", "tanh", np.float32)
    assert all(w.dtype == np.float32 and np.array_equal(w, v) for w, v in zip(loaded.weights, net.weights))


def _net():
    return MatrixNetwork([3, 2], seed=0)


def test_save_keeps_the_mode_of_the_file_it_replaces_and_new_files_follow_the_umask(tmp_path):
    path = tmp_path / "net.json"
    _net().save(path)
    os.chmod(path, 0o600)
    _net().save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for umask, mode in ((0o077, 0o600), (0o022, 0o644), (0o027, 0o640)):
        old = os.umask(umask)
        try:
            _net().save(tmp_path / f"new{umask:o}.json")
        finally:
            os.umask(old)
        assert stat.S_IMODE((tmp_path / f"new{umask:o}.json").stat().st_mode) == mode


def test_save_through_a_symlink_replaces_the_file_it_points_to_and_keeps_the_link(tmp_path):
    target, link = tmp_path / "real.json", tmp_path / "link.json"
    target.write_text("old")
    link.symlink_to(target)
    _net().save(link)
    assert link.is_symlink() and network.load(target).sizes == [3, 2]


@pytest.mark.parametrize("where", ["/dev/null", "a directory"])
def test_save_refuses_what_is_not_a_regular_file(where, tmp_path):
    path = Path(where) if where.startswith("/") else tmp_path
    before = os.stat(path)
    with pytest.raises(SaveError, match=f"cannot write {path}: it is (a directory|not a regular file)"):
        _net().save(path)
    after = os.stat(path)
    assert (after.st_ino, after.st_mode, after.st_rdev) == (before.st_ino, before.st_mode, before.st_rdev)


def test_a_failed_write_names_the_target_and_leaves_no_temp(tmp_path):
    path = tmp_path / "out.bin"

    def full(f):
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(SaveError, match=f"cannot write {path}: No space left on device"):
        write_atomic(path, full)
    assert list(tmp_path.iterdir()) == []


_SLOW_SAVE = textwrap.dedent("""
    import sys, time
    from network.atomic import write_atomic
    def slow(f):
        f.write(b"partial")
        f.flush()
        print("writing", flush=True)
        time.sleep(60)
    write_atomic(sys.argv[1], slow)
""")


def _interrupted_save(path: Path, sig: int) -> int:
    child = subprocess.Popen([sys.executable, "-c", _SLOW_SAVE, str(path)], stdout=subprocess.PIPE, text=True,
                             cwd=PROJECT_ROOT)
    assert child.stdout.readline().strip() == "writing"
    child.send_signal(sig)
    return child.wait(timeout=30)


def test_sigterm_during_a_save_removes_the_temp_file_and_keeps_the_old_one(tmp_path):
    path = tmp_path / "net.json"
    path.write_text("the old file")
    assert _interrupted_save(path, signal.SIGTERM) == 128 + signal.SIGTERM
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"] and path.read_text() == "the old file"


def test_the_next_save_removes_what_a_killed_save_left(tmp_path):
    path = tmp_path / "net.json"
    path.write_text("the old file")
    assert _interrupted_save(path, signal.SIGKILL) == -signal.SIGKILL
    left = [p.name for p in tmp_path.iterdir() if p.name != "net.json"]
    assert len(left) == 1 and left[0].startswith(".tmp.") and left[0].endswith(".net.json")
    assert path.read_text() == "the old file"
    gone = subprocess.Popen(["true"])
    gone.wait()                                                   # a process id that no longer runs
    other = tmp_path / f".tmp.{gone.pid}.x.other.json"            # another target's temp is not touched,
    dated = tmp_path / f".tmp.{gone.pid}.x.net.json.20240101"     # nor one of a target whose name goes on
    for p in (other, dated):
        p.write_text("")
    _net().save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [dated.name, other.name, "net.json"]


def test_a_live_save_of_a_longer_name_is_never_taken_for_a_stale_one(tmp_path):
    """Saving net.json while net.json.20240101 is being saved: the other save's temp stays."""
    from network.atomic import _temp_of

    assert _temp_of(".tmp.123.abc_9.net.json.20240101") == (123, "net.json.20240101")
    assert _temp_of(".tmp.123.abc.net.json") == (123, "net.json") and _temp_of(".net.json.123.abc.tmp") is None
    import os
    live = tmp_path / f".tmp.{os.getppid()}.abcdefgh.net.json.20240101"   # a process that is alive
    live.write_text("half a save")
    _net().save(tmp_path / "net.json")
    assert live.exists()


def test_a_long_file_name_saves_and_its_stale_temp_is_removed(tmp_path):
    """A 245-character name: its temp's name would pass 255 bytes; it is shortened, with a hash."""
    name = "a" * 240 + ".json"
    stale = tmp_path / f".tmp.999999999.abcdefgh.{'a' * 80}~{hashlib.sha256(name.encode()).hexdigest()[:16]}"
    stale.write_text("left by a kill -9")
    other = tmp_path / f".tmp.999999999.abcdefgh.{'a' * 80}~0123456789abcdef"        # another long name's
    other.write_text("not ours")
    _net().save(tmp_path / name)
    assert network.load(tmp_path / name).sizes == _net().sizes
    assert not stale.exists() and other.exists()


def test_a_read_only_folder_is_named_as_the_target_not_the_temp_file(tmp_path, monkeypatch):
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / ".net.json.123.abc.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(SaveError) as info:
        _net().save(tmp_path / "net.json")
    assert str(info.value) == f"cannot write {tmp_path / 'net.json'}: Permission denied" and ".tmp" not in str(info.value)


def test_a_pipe_is_refused_at_once_not_waited_on(tmp_path):
    from mnist_loader import DatasetError, IdxFormatError, read_dataset
    from mnist_loader.idx import read_idx
    from network.files import NetworkFileError

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(NetworkFileError, match="fifo: not a regular file"):
        network.load(fifo)
    with pytest.raises(IdxFormatError, match="fifo: not a regular file"):
        read_idx(fifo, "labels")
    with pytest.raises(DatasetError, match="fifo: not a regular file"):
        read_dataset(fifo)


@pytest.mark.parametrize("literal, loads", [("0.5", True), ("3", True), ("0", False), ("-0.01", False),
                                             ("NaN", False), ("Infinity", False), ("1e300", True),
                                             ("1" + "0" * 400, False), ("true", False), ('"0.01"', False)])
def test_a_two_layer_net_file_has_its_weight_init_std_checked(tmp_path, literal, loads):
    """An integer of 400 digits once escaped as a TypeError from np.isfinite (found by --fuzz); what
    the constructor accepts (1e300), a file may hold."""
    path = tmp_path / "t.json"
    network.TwoLayerNet(6, 4, 3, seed=0).save(path)
    path.write_text(path.read_text().replace('"weight_init_std": 0.01', f'"weight_init_std": {literal}'))
    if loads:
        assert network.load(path).params["W1"].shape == (6, 4)
    else:
        with pytest.raises(NetworkFileError, match="weight_init_std must be a finite number > 0, got"):
            network.load(path)


# ---------------------------------------------------------------------- issue 27
def _issue_27_layers():
    from network import ConvPoolLayer, SoftmaxLayer
    f = 100_000
    return [ConvPoolLayer((f, 1, 1, 1), (1, 1, 28, 28), (1, 1), "relu", dtype="float64"),
            ConvPoolLayer((1, f, 1, 1), (1, f, 28, 28), (28, 28), "relu", dtype="float64"),
            SoftmaxLayer(1, 10, dtype="float64")]


def test_what_a_network_costs_to_run_is_bounded_at_construction_and_at_load(tmp_path):
    """Issue 27: 100,000 1x1 filters (1.2 M parameters, a 6.5 MB file) made 78 million activations
    an image: 4.3 GB and 17 s for predict on one PNG. Refused before any of it is made."""
    from network.limits import MAX_FLOPS, MAX_NUMBERS, run_cost

    with pytest.raises(ValueError, match=r"would need 235,201,579 numbers made per sample to run, more than the "
                                         r"4,000,000 a network may \(layers\[0\] needs 156,800,784\)"):
        network.ConvNetwork(_issue_27_layers(), 10, seed=0)
    small = network.ConvNetwork([network.FullyConnectedLayer(4, 3), network.SoftmaxLayer(3, 2)], seed=0)
    small.save(tmp_path / "bomb.json")
    data = json.loads((tmp_path / "bomb.json").read_text())
    data["layers"] = [{"type": "ConvPoolLayer", "filter_shape": [100_000, 1, 1, 1], "image_shape": [1, 28, 28],
                       "poolsize": [1, 1], "activation_fn": "relu"}, data["layers"][1]]
    (tmp_path / "bomb.json").write_text(json.dumps(data))
    with pytest.raises(NetworkFileError, match=r"bomb.json: this network would need 156,800,786 numbers made per "
                                               r"sample"):
        network.load(tmp_path / "bomb.json")                    # from the header, before the arrays are read
    assert run_cost(small.layers).numbers < MAX_NUMBERS and run_cost(small.layers).flops < MAX_FLOPS


def test_chapter_6s_largest_network_runs_far_inside_the_bounds():
    """The bounds leave room: the book's largest network (two conv-pool layers, 1,000 and 1,000
    fully connected) needs a sixtieth of each."""
    from chapter6 import make_network
    from network.limits import MAX_FLOPS, MAX_NUMBERS, MAX_STEPS, run_cost

    net = make_network(dict(conv=2, fc=[1000, 1000], activation="relu", p_dropout=0.5), seed=0)
    cost = run_cost(net.layers)
    assert cost == (66_010, 6_450_080, 58)
    assert min(MAX_NUMBERS / cost.numbers, MAX_FLOPS / cost.flops, MAX_STEPS / cost.steps) > 50


def test_save_writes_only_what_load_reads_one_limit_derived_once(tmp_path):
    """Issue 27: [784, 17000, 10] (13.5 M parameters, under the old 20 M) saved a 266 MiB file
    that load refused (over 256 MiB). MAX_PARAMETERS is now derived from MAX_FILE_BYTES: even
    with every number at its longest repr, a file of MAX_PARAMETERS numbers fits."""
    from network import files

    longest = -2.2250738585072014e-308
    assert len(repr(longest)) == files.WRITTEN_PER_NUMBER - 2
    net = MatrixNetwork([30, 20, 10], seed=0)
    for a in net.weights + net.biases:
        a[:] = longest
    net.save(tmp_path / "long.json")
    numbers = 30 * 20 + 20 + 20 * 10 + 10
    header = len(json.dumps({k: v for k, v in json.loads((tmp_path / "long.json").read_text()).items()
                             if k not in ("weights", "biases")}))
    written = (tmp_path / "long.json").stat().st_size - header
    assert written <= numbers * (files.WRITTEN_PER_NUMBER + files.WRITTEN_PER_ROW)
    assert files.MAX_PARAMETERS * (files.WRITTEN_PER_NUMBER + files.WRITTEN_PER_ROW) + files.HEADER_BYTES \
        <= files.MAX_FILE_BYTES
    assert np.array_equal(network.load(tmp_path / "long.json").weights[0], net.weights[0])
    n = (files.MAX_PARAMETERS - 10) // 795 + 1                  # one hidden neuron more than a file may hold
    with pytest.raises(NetworkFileError, match=rf"declares {795 * n + 10:,} parameters, more than the "
                                               rf"{files.MAX_PARAMETERS:,} a network file may have"):
        files.declared_shapes(dict(format=files.FORMAT, format_version=2, sizes=[784, n, 10], dtype="float64",
                                   cost="quadratic", activation="sigmoid", init="large",
                                   **{"class": "MatrixNetwork"}), "big.json")


def test_a_file_written_by_hand_in_any_layout_loads_row_by_row(tmp_path):
    """The arrays are parsed row by row from the bytes: indentation, newlines, integers and
    exponents are JSON, so they load; so does a format-1 file's layout."""
    net = MatrixNetwork([3, 2, 2], seed=0)
    net.save(tmp_path / "net.json")
    data = json.loads((tmp_path / "net.json").read_text())
    data["weights"][1] = [[1, -2e-3], [0, 3E2]]
    (tmp_path / "pretty.json").write_text(json.dumps(data, indent=3).replace("[", "[\n\t \r"))
    back = network.load(tmp_path / "pretty.json")
    assert np.array_equal(back.weights[0], net.weights[0]) and back.weights[1].tolist() == [[1, -2e-3], [0, 300]]
    for text, message in (("[1, 2,]", "not a JSON network file"), ("[1, [2]]", r"weights\[1\] is not 2 rows"),
                          ("[1, NaN]", r"weights\[1\] holds values that are not finite"),
                          ("[1, 1" + "0" * 400 + "]", r"weights\[1\]'s row 0 is longer than 2 numbers can be"),
                          ("[1, 1e400]", r"weights\[1\] holds values that are not finite"),
                          ('[1, "2"]', r"weights hold something that is not a number")):
        bad = json.dumps(data).replace("[[1, -0.002], [0, 300.0]]", f"[{text}, [0, 1]]")
        assert text in bad
        (tmp_path / "bad.json").write_text(bad)
        with pytest.raises(NetworkFileError, match=message):
            network.load(tmp_path / "bad.json")


def test_a_key_twice_inside_a_layer_is_refused_as_at_the_top(tmp_path):
    """Issue 27: "n_out": 99, "n_out": 3 inside a layer loaded (the last won)."""
    network.ConvNetwork([network.FullyConnectedLayer(4, 3), network.SoftmaxLayer(3, 2)], seed=0).save(tmp_path / "c.json")
    text = (tmp_path / "c.json").read_text()
    for twice, message in (('"n_out": 99, "n_out": 3', "key 'n_out' appears twice in one object of 'layers'"),
                           ('"dtype": "float32", "dtype": "float32"', "key 'dtype' appears twice")):
        (tmp_path / "d.json").write_text(text.replace(twice.split(", ")[-1], twice, 1))
        with pytest.raises(NetworkFileError, match=message):
            network.load(tmp_path / "d.json")


def test_a_bom_or_any_byte_that_is_not_ascii_is_named(tmp_path):
    """Issue 27: a file starting with a BOM said 'no JSON object'."""
    MatrixNetwork([3, 2, 2], seed=0).save(tmp_path / "net.json")
    text = (tmp_path / "net.json").read_bytes()
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + text)
    with pytest.raises(NetworkFileError, match=r"bom.json: starts with a byte-order mark \(BOM\)"):
        network.load(tmp_path / "bom.json")
    (tmp_path / "e.json").write_bytes(text.replace(b'"sigmoid"', '"sigmo\u00efd"'.encode()))
    with pytest.raises(NetworkFileError, match=r"e.json: not a JSON network file \(byte \d+ is 0xc3, not ASCII"):
        network.load(tmp_path / "e.json")


def test_a_network_whose_outputs_could_overflow_is_neither_saved_nor_loaded(tmp_path):
    """Outputs must be numbers for every input in [0, 1]: the bound on each layer's weighted
    inputs, through relu's unbounded outputs, must be finite in the dtype."""
    net = network.TwoLayerNet(4, 3, 2, seed=0, dtype="float32")
    net.params["W1"][:] = 1e19
    net.params["W2"][:] = 1e19                                  # 3e19 * 4e19: more than float32's 3.4e38
    with pytest.raises(ValueError, match=r"layer 1's weighted inputs could reach 1.2e\+39 on inputs in \[0, 1\], "
                                         r"more than float32 holds"):
        net.save(tmp_path / "t.json")
    net.params["W2"][:] = 1e10                                  # 1.2e30: it saves and loads
    net.save(tmp_path / "t.json")
    assert network.load(tmp_path / "t.json").params["W2"][0, 0] == np.float32(1e10)


def test_a_device_or_a_pipe_given_as_the_dataset_is_named_so(tmp_path):
    """Issue 27: --data /dev/zero or a FIFO said 'no such dataset file'."""
    from mnist_loader import DatasetError, load_data

    os.mkfifo(tmp_path / "fifo")
    for path in ("/dev/zero", tmp_path / "fifo", tmp_path):
        with pytest.raises(DatasetError, match=r": not a regular file \(a dataset is a file: mnist.pkl.gz\)"):
            load_data(path)


def test_sizes_that_would_not_fit_are_refused_before_anything_is_made(capsys):
    """Issue 27: --sizes 784 100000 10 ended in a MemoryError."""
    import chapter1

    with pytest.raises(SystemExit):
        chapter1.main(["--sizes", "784", "100000", "10"])
    assert "--sizes 784 100000 10: 79,500,010 parameters, more than the 8,945,664 a network (and its file) may have" \
        in capsys.readouterr().err
