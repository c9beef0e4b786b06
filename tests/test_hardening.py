"""Hostile files, failing mirrors, interrupted saves and diverging runs: each gives a named error
or the right behaviour, with nothing lost and memory bounded."""
from __future__ import annotations

import errno
import os
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import network
from conftest import PROJECT_ROOT
from hostile_files import CASES, run_case
from mnist_loader import ChecksumError, DatasetError, read_dataset
from mnist_loader.download import DownloadError, download_file
from network import MatrixNetwork, Network
from network.atomic import SaveError, write_atomic


# ---------------------------------------------------------------- untrusted files
@pytest.mark.parametrize("case", CASES, ids=[c.name.split(",")[0] for c in CASES])
def test_hostile_file_ends_in_a_named_error_in_bounded_memory(case, tmp_path):
    """Each file loads in a child limited to 1 GiB of address space (ulimit -v)."""
    result = run_case(case, tmp_path, limit_mb=1024)
    assert result["outcome"] == case.expect, result
    assert result["peak_mb"] < 200, result          # the IDX case holds its 47 MB of promised data
    if case.expect != "loaded":
        assert str(tmp_path) in result["message"]   # the error names the file


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


# ---------------------------------------------------------------- downloads
def _server(reply) -> str:
    """A one-shot-per-connection TCP server on 127.0.0.1: ``reply(conn)`` answers each request."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)

    def serve():
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                try:
                    reply(conn)
                except OSError:
                    pass

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{sock.getsockname()[1]}/"


def _good(conn):
    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nright")


BAD_MIRRORS = {
    "chunked body cut short": lambda c: c.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nonly"),
    "not HTTP": lambda c: c.sendall(b"SSH-2.0-OpenSSH\r\n"),
    "bad Content-Length": lambda c: c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: lots\r\n\r\nright"),
    "over-long header line": lambda c: c.sendall(b"HTTP/1.0 200 OK\r\nX: " + b"a" * 70000 + b"\r\n\r\nright"),
    "short Content-Length body": lambda c: c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 99\r\n\r\nright"),
}


@pytest.mark.parametrize("kind", BAD_MIRRORS)
def test_any_failure_of_a_mirror_moves_on_to_the_next(kind, tmp_path):
    import hashlib

    out = download_file("f.gz", tmp_path, [_server(BAD_MIRRORS[kind]), _server(_good)],
                        hashlib.md5(b"right").hexdigest(), timeout=5, verbose=False)
    assert out.read_bytes() == b"right"
    assert [p.name for p in tmp_path.iterdir()] == ["f.gz"]          # no temp file left


def test_an_endless_stream_is_cut_at_the_size_cap_and_never_buffered(tmp_path):
    def endless(conn):
        conn.sendall(b"HTTP/1.0 200 OK\r\n\r\n")
        chunk = bytes(1 << 16)
        for _ in range(10_000):             # 655 MB at most; the cap stops it at 1 MB
            conn.sendall(chunk)

    tracemalloc.start()
    with pytest.raises(DownloadError, match="sent more than the 1048576 bytes allowed"):
        download_file("f.gz", tmp_path, [_server(endless)], "0" * 32, timeout=5, verbose=False, max_bytes=1 << 20)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 4 << 20
    assert list(tmp_path.iterdir()) == []


def test_a_trickling_mirror_meets_the_deadline(tmp_path):
    def trickle(conn):
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 1000\r\n\r\n")
        for _ in range(1000):
            conn.sendall(b"x")
            time.sleep(0.05)

    start = time.monotonic()
    with pytest.raises(DownloadError, match=r"too slow, \d+ bytes in 1 s"):
        download_file("f.gz", tmp_path, [_server(trickle)], "0" * 32, timeout=5, verbose=False, max_seconds=1)
    assert time.monotonic() - start < 3
    assert list(tmp_path.iterdir()) == []


def test_checksum_error_when_every_mirror_serves_a_wrong_file(tmp_path):
    with pytest.raises(ChecksumError, match=r"could not download f.gz: .*md5 mismatch"):
        download_file("f.gz", tmp_path, [_server(_good)], "0" * 32, timeout=5, verbose=False)


def test_the_command_line_prints_one_clean_line_when_every_mirror_fails(tmp_path):
    result = subprocess.run([sys.executable, "-m", "mnist_loader", "download", "--out", str(tmp_path / "m.pkl.gz"),
                             "--mirror", _server(BAD_MIRRORS["not HTTP"])],
                            capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: could not download train-images-idx3-ubyte.gz: ") and "BadStatusLine" in last
    assert not (tmp_path / "mnist-idx").exists()


# ---------------------------------------------------------------- saves
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


def test_build_into_a_directory_prints_one_line_naming_it(tmp_path, mnist_idx_dir):
    result = subprocess.run([sys.executable, "-m", "mnist_loader", "build", "--from", str(mnist_idx_dir),
                             "--out", str(tmp_path)], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"error: cannot write {tmp_path}: it is a directory; refusing to replace it"


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
    assert len(left) == 1 and left[0].startswith(".net.json.") and path.read_text() == "the old file"
    other = tmp_path / ".other.json.1.x.tmp"                     # another target's temp is not touched
    other.write_text("")
    _net().save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.json.1.x.tmp", "net.json"]


# ---------------------------------------------------------------- training
def test_per_sample_network_that_goes_non_finite_stops_naming_the_epoch_and_eta(monkeypatch):
    """The sigmoid saturates long before the book's network overflows, so the nan is injected:
    a gradient that is nan in the second epoch."""
    rng = np.random.default_rng(0)
    data = [(rng.random((2, 1)), np.array([[1.0], [0.0]])) for _ in range(4)]
    net = Network([2, 2], seed=0)
    calls, backprop = [], net.backprop

    def poisoned(x, y):
        calls.append(1)
        nabla_b, nabla_w = backprop(x, y)
        return nabla_b, [nw * np.nan for nw in nabla_w] if len(calls) > 4 else nabla_w

    monkeypatch.setattr(net, "backprop", poisoned)
    with pytest.raises(FloatingPointError, match=r"training diverged in epoch 1: weights\[0\] are no longer finite "
                                                 r"numbers \(nan or inf\); the learning rate eta = 3 is probably too large"):
        net.SGD(data, 3, 2, 3.0, verbose=False)


def test_matrix_network_memory_is_bounded_whatever_the_mini_batch_sizes():
    """No per-size cache: after 300 different mini-batch sizes the network holds what it held."""
    net = MatrixNetwork([20, 10, 5], seed=0)
    X, y = np.random.default_rng(0).random((400, 20)), np.arange(400) % 5
    net.update_mini_batch((X[:7], y[:7]), 0.1)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for m in range(1, 301):
        net.update_mini_batch((X[:m], y[:m]), 0.1)
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert grown < 64 * 1024


def test_a_read_only_folder_is_named_as_the_target_not_the_temp_file(tmp_path, monkeypatch):
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / ".net.json.123.abc.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(SaveError) as info:
        _net().save(tmp_path / "net.json")
    assert str(info.value) == f"cannot write {tmp_path / 'net.json'}: Permission denied" and ".tmp" not in str(info.value)


def test_a_diverged_run_or_failed_save_ends_a_script_with_one_line(capsys):
    from helpers.runlog import run_script

    def diverged():
        raise FloatingPointError("training diverged in epoch 2: weights[0] are no longer finite numbers")

    def unsaved():
        raise SaveError("cannot write runs/x/network.json: No space left on device")

    assert run_script(diverged) == 1
    assert capsys.readouterr().err == "error: training diverged in epoch 2: weights[0] are no longer finite numbers\n"
    assert run_script(unsaved) == 1
    assert capsys.readouterr().err == "error: cannot write runs/x/network.json: No space left on device\n"


@pytest.mark.parametrize("script, args, message", [
    ("chapter1.py", ["--train-size", "0"], "'0' is not an integer from 1 to 50000"),
    ("chapter1.py", ["--train-size", "-5"], "'-5' is not an integer from 1 to 50000"),
    ("chapter3.py", ["--train-size", "50001"], "'50001' is not an integer from 1 to 50000"),
    ("chapter3.py", ["--epochs", "0"], "'0' is not an integer >= 1"),
    ("book_table.py", ["--rows", "0"], "invalid choice: 0"),
    ("book_table.py", ["--rows", "10"], "invalid choice: 10"),
    ("book_table.py", ["--seeds", "0"], "'0' is not an integer >= 1"),
    ("train_two_layer_net.py", ["--lr", "nan"], "'nan' is not a finite number > 0"),
    ("chapter3.py", ["--max-seconds", "abc"], "'abc' is not a finite number > 0"),
    ("chapter6.py", ["--rows", "8"], "invalid choice: 8"),
])
def test_bad_script_arguments_are_refused_before_anything_is_made(script, args, message, tmp_path):
    result = subprocess.run([sys.executable, str(PROJECT_ROOT / "experiments" / script), *args,
                             "--runs-dir", str(tmp_path / "runs")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and message in result.stderr
    assert not (tmp_path / "runs").exists()


def test_a_pipe_is_refused_at_once_not_waited_on(tmp_path):
    from mnist_loader import IdxFormatError
    from mnist_loader.idx import read_idx
    from network.serialization import NetworkFileError

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(NetworkFileError, match="fifo: not a regular file"):
        network.load(fifo)
    with pytest.raises(IdxFormatError, match="fifo: not a regular file"):
        read_idx(fifo, "labels")
    with pytest.raises(DatasetError, match="fifo: not a regular file"):
        read_dataset(fifo)
