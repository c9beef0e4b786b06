"""Downloading the four MNIST IDX files from a public mirror, verified by their published md5."""
from __future__ import annotations

import hashlib
import os
import sys
import urllib.error
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


def _fetch(url: str, timeout: float, verbose: bool) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        total = int(response.headers.get("Content-Length") or 0)
        chunks, got = [], 0
        while True:
            chunk = response.read(CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
            if verbose:
                pct = f"{100 * got / total:5.1f}% of {total / 1e6:.1f} MB" if total else f"{got / 1e6:.1f} MB"
                print(f"\r  {url}  {pct}", end="", file=sys.stderr, flush=True)
        if verbose:
            print(file=sys.stderr)
    if total and got != total:
        raise DatasetError(f"{url}: connection closed after {got} of {total} bytes")
    return b"".join(chunks)


def download_file(name: str, dest_dir: str | os.PathLike, mirrors: Sequence[str] = MIRRORS,
                  md5: Optional[str] = None, timeout: float = 60.0, verbose: bool = True) -> Path:
    """Fetch ``name`` from the first mirror that serves it with the right md5; write it atomically.

    A mirror that fails or serves a file with the wrong md5 is reported and the next one tried.
    Raises ChecksumError if every mirror that answered served a wrong file, DatasetError if none
    could be reached.
    """
    md5 = md5 or MD5[name]
    dest = Path(dest_dir) / name
    failures, bad_checksum = [], False
    for base in mirrors:
        url = base.rstrip("/") + "/" + name
        try:
            data = _fetch(url, timeout, verbose)
        except (urllib.error.URLError, OSError, DatasetError) as exc:
            failures.append(f"{url}: {exc}")
            if verbose:
                print(f"  {url} failed ({exc}); trying the next mirror", file=sys.stderr)
            continue
        got = hashlib.md5(data).hexdigest()
        if got != md5:
            bad_checksum = True
            failures.append(f"{url}: md5 {got}, expected {md5}")
            if verbose:
                print(f"  {url}: md5 mismatch ({got}, expected {md5}); trying the next mirror",
                      file=sys.stderr)
            continue
        write_atomic(dest, lambda f: f.write(data))
        return dest
    error = ChecksumError if bad_checksum else DatasetError
    raise error(f"could not download {name}:\n  " + "\n  ".join(failures))


def download_idx(dest_dir: str | os.PathLike, mirrors: Optional[Sequence[str]] = None,
                 md5s: Mapping[str, str] = MD5, timeout: float = 60.0, verbose: bool = True) -> Path:
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
            if existing.is_file() and hashlib.md5(existing.read_bytes()).hexdigest() == md5s[name]:
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
