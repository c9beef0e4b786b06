"""Downloading the four MNIST IDX files from a public mirror, verified by their published md5."""
from __future__ import annotations

import hashlib
import http.client
import os
import socket
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Mapping, Optional, Sequence

from network.atomic import write_atomic

from .dataset import build_from_idx, default_path
from .errors import ChecksumError, DatasetError
from .idx import FILES

# Tried in order; the second is the fallback.
MIRRORS = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
)
# The md5 of the canonical gzip files, as published by those mirrors.
MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
CHUNK = 1 << 16
MAX_BYTES = 32 * 2**20  # per file: the largest, train-images, is 9.9 MB
MAX_SECONDS = 600.0     # per file and mirror, however slowly the bytes come


class DownloadError(DatasetError):
    """One mirror failed to deliver a file: unreachable, not HTTP, cut short, too large or too slow."""


class _Deadline:
    """Ends a download at its deadline, wherever it waits: connecting, the status line and
    headers, or the body. Every socket the download opens is noted; a timer shuts them down at
    the deadline, so that a read blocked on a mirror that trickles bytes returns at once."""

    def __init__(self, seconds: float) -> None:
        self.sockets: list[socket.socket] = []
        self.expired = False
        self.timer = threading.Timer(seconds, self._expire)
        self.timer.daemon = True

    def _expire(self) -> None:
        self.expired = True
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _connect(self, *args, **kwargs) -> socket.socket:
        sock = socket.create_connection(*args, **kwargs)
        self.sockets.append(sock)
        if self.expired:
            self._expire()
        return sock

    def opener(self) -> urllib.request.OpenerDirector:
        """urllib's opener, its connections made by ``_connect``."""
        deadline = self

        def connection(cls):
            def make(*args, **kwargs):
                conn = cls(*args, **kwargs)
                conn._create_connection = deadline._connect
                return conn
            return make

        class HTTP(urllib.request.HTTPHandler):
            def http_open(self, req):
                return self.do_open(connection(http.client.HTTPConnection), req)

        class HTTPS(urllib.request.HTTPSHandler):
            def https_open(self, req):
                return self.do_open(connection(http.client.HTTPSConnection), req, context=self._context)

        return urllib.request.build_opener(HTTP, HTTPS)

    def __enter__(self) -> "_Deadline":
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.cancel()


def _stream(url: str, f, timeout: float, max_seconds: float, max_bytes: int, verbose: bool) -> str:
    """Copy ``url`` into the open file ``f`` while hashing it; return the md5. Any failure of the
    mirror (the network, HTTP, a body cut short, longer than ``max_bytes`` or slower than
    ``max_seconds`` in all, each read waiting at most ``timeout``) is a DownloadError."""
    md5, got, start = hashlib.md5(), 0, time.monotonic()
    deadline = _Deadline(max_seconds)
    try:
        with deadline, deadline.opener().open(url, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0)
            if total > max_bytes:
                raise DownloadError(f"{url}: announces {total} bytes, more than the {max_bytes} allowed")
            while chunk := response.read1(CHUNK):
                got += len(chunk)
                if got > max_bytes:
                    raise DownloadError(f"{url}: sent more than the {max_bytes} bytes allowed")
                if time.monotonic() - start > max_seconds:
                    raise DownloadError(f"{url}: too slow, {got} bytes in {max_seconds:g} s")
                md5.update(chunk)
                f.write(chunk)
                if verbose:
                    pct = f"{100 * got / total:5.1f}% of {total / 1e6:.1f} MB" if total else f"{got / 1e6:.1f} MB"
                    print(f"\r  {url}  {pct}", end="", file=sys.stderr, flush=True)
            if deadline.expired:                               # the timer cut the body short
                raise DownloadError(f"{url}: too slow, {got} bytes in {max_seconds:g} s")
    except DownloadError:
        raise
    except Exception as exc:  # URLError, timeouts, IncompleteRead, BadStatusLine, LineTooLong, ValueError, ...
        if deadline.expired:
            raise DownloadError(f"{url}: too slow, {got} bytes in {max_seconds:g} s (the deadline covers the "
                                f"connection and the headers too)") from None
        raise DownloadError(f"{url}: {type(exc).__name__}: {exc}") from None
    finally:
        if verbose and got:
            print(file=sys.stderr)
    if total and got != total:
        raise DownloadError(f"{url}: connection closed after {got} of {total} bytes")
    return md5.hexdigest()


def download_file(name: str, dest_dir: str | os.PathLike, mirrors: Sequence[str] = MIRRORS,
                  md5: Optional[str] = None, timeout: float = 30.0, verbose: bool = True,
                  max_seconds: float = MAX_SECONDS, max_bytes: int = MAX_BYTES) -> Path:
    """Fetch ``name`` from the first mirror that serves it with the right md5; write it atomically.

    The body streams into a temp file beside the target while it is hashed; it replaces the
    target only when complete and verified. A mirror that fails in any way (see ``_stream``) or
    serves a file with the wrong md5 is reported and the next one tried. Raises ChecksumError if
    every mirror that answered served a wrong file, DownloadError if none delivered.
    """
    md5 = md5 or MD5[name]
    dest = Path(dest_dir) / name
    failures, bad_checksum = [], False
    for base in mirrors:
        url = base.rstrip("/") + "/" + name

        def fetch(f) -> None:
            got = _stream(url, f, timeout, max_seconds, max_bytes, verbose)
            if got != md5:
                raise ChecksumError(f"{url}: md5 mismatch ({got}, expected {md5})")

        try:
            write_atomic(dest, fetch)
            return dest
        except DatasetError as exc:
            bad_checksum |= isinstance(exc, ChecksumError)
            failures.append(str(exc))
            if verbose:
                print(f"  failed: {exc}; trying the next mirror", file=sys.stderr)
    error = ChecksumError if bad_checksum else DownloadError
    raise error(f"could not download {name}: " + "; ".join(failures))


def _md5_of(path: Path) -> str:
    md5 = hashlib.md5()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            md5.update(chunk)
    return md5.hexdigest()


def download_idx(dest_dir: str | os.PathLike, mirrors: Optional[Sequence[str]] = None,
                 md5s: Mapping[str, str] = MD5, timeout: float = 30.0, verbose: bool = True) -> Path:
    """Download the four IDX files into ``dest_dir`` (skipping any already there and verified).

    ``mirrors`` defaults to MIRRORS. If the download fails, a ``dest_dir`` this call created is
    removed again when it is empty, so a failed attempt leaves no empty folder behind.
    """
    dest_dir = Path(dest_dir)
    created = not dest_dir.exists()
    dest_dir.mkdir(parents=True, exist_ok=True)
    try:
        for stem in FILES.values():
            name = stem + ".gz"
            existing = dest_dir / name
            if existing.is_file() and _md5_of(existing) == md5s[name]:
                continue
            download_file(name, dest_dir, MIRRORS if mirrors is None else mirrors, md5s[name], timeout, verbose)
    except BaseException:
        if created and not any(dest_dir.iterdir()):
            dest_dir.rmdir()
        raise
    return dest_dir


def download_and_build(path: str | os.PathLike | None = None, mirrors: Optional[Sequence[str]] = None,
                       md5s: Mapping[str, str] = MD5, verbose: bool = True) -> Path:
    """Download the IDX files next to the pickle (``data/mnist-idx/``) and build the pickle."""
    path = Path(path) if path is not None else default_path()
    idx_dir = download_idx(path.parent / "mnist-idx", mirrors, md5s, verbose=verbose)
    return build_from_idx(idx_dir, path, verbose=verbose)
