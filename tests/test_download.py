"""Downloading the IDX files, against HTTP servers on 127.0.0.1 that the tests start."""
from __future__ import annotations

import functools
import hashlib
import http.server
import shutil
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from conftest import PROJECT_ROOT

import mnist_loader
from mnist_loader import ChecksumError, DatasetError
from mnist_loader.download import (
    DownloadError,
    download_and_build,
    download_file,
    download_idx,
)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def serve():
    servers = []

    def start(directory: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for s in servers:
        s.shutdown()
        s.server_close()


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def test_download_verifies_md5(tmp_path, serve):
    site = tmp_path / "site"
    site.mkdir()
    (site / "f.gz").write_bytes(b"payload" * 1000)
    md5 = hashlib.md5(b"payload" * 1000).hexdigest()
    out = download_file("f.gz", tmp_path / "out", [serve(site)], md5, verbose=False)
    assert out.read_bytes() == b"payload" * 1000


def test_checksum_mismatch_on_every_mirror_is_an_error(tmp_path, serve):
    site = tmp_path / "site"
    site.mkdir()
    (site / "f.gz").write_bytes(b"tampered")
    with pytest.raises(ChecksumError, match=r"md5 .*expected 0123456789abcdef") as exc:
        download_file("f.gz", tmp_path / "out", [serve(site), serve(site)], "0123456789abcdef", verbose=False)
    assert str(exc.value).count("md5") == 2
    assert not (tmp_path / "out" / "f.gz").exists()


def test_falls_back_to_the_second_mirror(tmp_path, serve, capsys):
    bad, good = tmp_path / "bad", tmp_path / "good"
    bad.mkdir(), good.mkdir()
    (bad / "f.gz").write_bytes(b"wrong")
    (good / "f.gz").write_bytes(b"right")
    md5 = hashlib.md5(b"right").hexdigest()
    out = download_file("f.gz", tmp_path / "out", [_closed_port_url(), serve(bad), serve(good)], md5)
    assert out.read_bytes() == b"right"
    err = capsys.readouterr().err
    assert "failed" in err and "md5 mismatch" in err and "100.0%" in err


def test_unreachable_mirrors_is_an_error(tmp_path):
    with pytest.raises(DatasetError, match="could not download f.gz") as exc:
        download_file("f.gz", tmp_path, [_closed_port_url()], "0" * 32, timeout=5, verbose=False)
    assert not isinstance(exc.value, ChecksumError)


def test_download_and_build_from_a_local_mirror(tmp_path, serve, mnist_idx_dir, mnist_arrays):
    """The full path on the real files: the four downloads verified, then the pickle built."""
    site = tmp_path / "mirror"
    shutil.copytree(mnist_idx_dir, site, ignore=shutil.ignore_patterns("README*"))
    md5s = {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in site.glob("*.gz")}
    out = download_and_build(tmp_path / "data" / "mnist.pkl.gz", [serve(site)], md5s, verbose=False)
    assert sorted(p.name for p in (tmp_path / "data" / "mnist-idx").iterdir()) == sorted(md5s)
    (tr_x, tr_y), _, (te_x, te_y) = mnist_loader.load_data(out)
    assert np.array_equal(tr_y, mnist_arrays[0][1]) and np.array_equal(te_x, mnist_arrays[2][0])
    # a second call finds the verified files and downloads nothing (the server is not needed)
    download_idx(tmp_path / "data" / "mnist-idx", [_closed_port_url()], md5s, verbose=False)


def test_offline_the_loader_names_both_ways_out_and_leaves_no_empty_folder(tmp_path, monkeypatch):
    import mnist_loader.download as download

    with socket.socket() as s:                    # a local port nobody listens on: connection refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(download, "MIRRORS", (f"http://127.0.0.1:{port}/",))
    monkeypatch.delenv("MNIST_IDX_DIR", raising=False)
    target = tmp_path / "data" / "mnist.pkl.gz"
    with pytest.raises(DatasetError) as info:
        mnist_loader.ensure_dataset(target, verbose=False)
    message = str(info.value)
    assert "could not be downloaded" in message and "python -m mnist_loader build --from DIR" in message
    assert "MNIST_IDX_DIR=DIR" in message
    assert not (tmp_path / "data" / "mnist-idx").exists()


def test_scripts_end_with_one_line_when_the_data_is_missing_or_interrupted(capsys):
    from helpers.runlog import run_script

    def missing():
        raise DatasetError("no MNIST here")

    def interrupted():
        raise KeyboardInterrupt

    assert run_script(missing) == 1 and capsys.readouterr().err == "error: no MNIST here\n"
    assert run_script(interrupted) == 130
    assert capsys.readouterr().err.strip() == "interrupted: every epoch finished so far is logged in the run folder named above"


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


def test_the_deadline_covers_the_status_line_and_the_headers(tmp_path):
    def trickle_headers(conn):
        for byte in b"HTTP/1.0 200 OK\r\nContent-Length: 1000\r\nX-Padding: " + b"x" * 100:
            conn.sendall(bytes([byte]))
            time.sleep(0.2)

    start = time.monotonic()
    with pytest.raises(DownloadError, match=r"too slow, 0 bytes in 1 s \(the deadline covers the connection and the headers"):
        download_file("f.gz", tmp_path, [_server(trickle_headers)], "0" * 32, timeout=2, verbose=False, max_seconds=1)
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
