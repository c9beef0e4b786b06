"""Downloading the IDX files, against HTTP servers on 127.0.0.1 that the tests start."""
from __future__ import annotations

import functools
import hashlib
import http.server
import shutil
import socket
import threading
from pathlib import Path

import numpy as np
import pytest

import mnist_loader
from mnist_loader import ChecksumError, DatasetError
from mnist_loader.download import download_and_build, download_file, download_idx


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
