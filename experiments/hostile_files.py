"""Hostile and broken files against the loader and network.load, measured.

Each case makes a file in a temporary folder, then loads it in a child process under a memory
limit (as `ulimit -v` does) and reports what happened, the child's peak resident memory and its
time. A case passes when it ends the way it should: a named error (DatasetError, NetworkFileError)
for a bad file, a loaded dataset for a good one; never a MemoryError, a TypeError or a kill.

    .venv/bin/python experiments/hostile_files.py                 # the cases at test size
    .venv/bin/python experiments/hostile_files.py --big           # the sizes of the issue (2 GiB paddings)
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import pickle
import resource
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from helpers.runlog import PROJECT_ROOT, make_parser, new_run_dir, positive_int

import numpy as np

MiB = 2**20


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path, bool], Path]   # (folder, big) -> the file
    load: str                            # 'dataset', 'idx-images' or 'network'
    expect: str                          # the outcome's class name, or 'loaded'


def _gzip_zeros(path: Path, header: bytes, n_bytes: int) -> Path:
    """``header`` then ``n_bytes`` zeros, gzip-compressed, written chunk by chunk."""
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    chunk = bytes(16 * MiB)
    with open(path, "wb") as f:
        f.write(c.compress(header))
        for k in range(0, n_bytes, len(chunk)):
            f.write(c.compress(chunk[:min(len(chunk), n_bytes - k)]))
        f.write(c.flush())
    return path


def _gzip_pickle(path: Path, obj, protocol: int = 4) -> Path:
    with gzip.open(path, "wb") as f:
        pickle.dump(obj, f, protocol=protocol)
    return path


class _Forged:
    """Pickles as a call of ``cls(*args)`` (and, with ``state``, a __setstate__)."""

    def __init__(self, cls, args, state=None):
        self.reduce = (cls, args) if state is None else (cls, args, state)

    def __reduce__(self):
        return self.reduce


def _reconstruct():
    from numpy._core.multiarray import _reconstruct
    return _reconstruct


def zeros_bomb(d: Path, big: bool) -> Path:
    return _gzip_zeros(d / "bomb.pkl.gz", b"", (1536 if big else 512) * MiB)


def bytes_bomb(d: Path, big: bool) -> Path:
    """A valid pickle of one bytes object: 512 MiB (1.5 GiB) of zeros, in about 0.5 (1.5) MB."""
    n = (1536 if big else 512) * MiB
    return _gzip_zeros(d / "bytes-bomb.pkl.gz", b"\x80\x04B" + struct.pack("<I", n), n)


def strided_array(d: Path, big: bool) -> Path:
    forged = _Forged(np.ndarray, ((2_000_000, 784), "f4", b"\0" * 4, 0, (0, 0)))
    return _gzip_pickle(d / "strided.pkl.gz", ((forged, np.zeros(2_000_000, np.int64)),) * 3)


def object_array(d: Path, big: bool) -> Path:
    forged = _Forged(_reconstruct(), (np.ndarray, (0,), b"b"), (1, (200_000_000,), np.dtype(object), False, []))
    return _gzip_pickle(d / "object.pkl.gz", forged)


def rebuilt_array(d: Path, big: bool) -> Path:
    """A genuine 8-byte array, then a state that makes it 2e8 elements over the same 8 bytes."""
    from numpy._core.numeric import _frombuffer
    forged = _Forged(_frombuffer, (b"\0" * 8, np.dtype("f8"), (1,), "C"), (1, (200_000_000,), np.dtype("f8"), False, b"\0" * 8))
    return _gzip_pickle(d / "rebuilt.pkl.gz", forged, protocol=5)


def huge_length_field(d: Path, big: bool) -> Path:
    # protocol 4, BINBYTES with a length of 4 GB, then 10 bytes: a 34-byte file
    path = d / "length.pkl.gz"
    path.write_bytes(gzip.compress(b"\x80\x04B" + struct.pack("<I", 0xFFFFFFF0) + b"x" * 10 + b"."))
    return path


def genuine(protocol: int) -> Callable[[Path, bool], Path]:
    def make(d: Path, big: bool) -> Path:
        rng = np.random.default_rng(0)
        split = (rng.integers(0, 256, (100, 784)).astype(np.float32) / 256, rng.integers(0, 10, 100).astype(np.int64))
        return _gzip_pickle(d / f"protocol{protocol}.pkl.gz", (split,) * 3, protocol)
    return make


def idx_padded(d: Path, big: bool) -> Path:
    header = struct.pack(">IIII", 0x803, 60000, 28, 28)
    return _gzip_zeros(d / "train-images-idx3-ubyte.gz", header, (2048 if big else 256) * MiB)


def _network_file(name: str, text: str) -> Callable[[Path, bool], Path]:
    def make(d: Path, big: bool) -> Path:
        path = d / name
        path.write_text(text)
        return path
    return make


_HEAD = {"format": "nielsen-backprop network", "format_version": 1, "class": "MatrixNetwork"}
CASES = [
    Case("dataset: gzip bomb, 512 MiB of zeros (1.5 GiB with --big)", zeros_bomb, "dataset", "DatasetError"),
    Case("dataset: gzip bomb, a pickled bytes object of 512 MiB of zeros (1.5 GiB with --big)", bytes_bomb,
         "dataset", "DatasetError"),
    Case("dataset: ndarray((2e6, 784)) over 4 bytes, zero strides", strided_array, "dataset", "UnsafePickleError"),
    Case("dataset: object-dtype array of 2e8 elements", object_array, "dataset", "UnsafePickleError"),
    Case("dataset: an array's state reset to 2e8 elements over 8 bytes", rebuilt_array, "dataset", "UnsafePickleError"),
    Case("dataset: a 4 GB length field in a 34-byte file", huge_length_field, "dataset", "DatasetError"),
    *[Case(f"dataset: genuine, pickled at protocol {p}", genuine(p), "dataset", "loaded") for p in (0, 1, 2, 5)],
    Case("IDX: valid header, 256 MiB of zeros behind it (2 GiB with --big)", idx_padded, "idx-images", "IdxFormatError"),
    Case("network: sizes [784, 300000, 10], empty weights",
         _network_file("wide.json", json.dumps(dict(_HEAD, sizes=[784, 300000, 10], weights=[[], []], biases=[[], []]))),
         "network", "NetworkFileError"),
    Case("network: sizes [784, 3000000, 10], empty weights",
         _network_file("wider.json", json.dumps(dict(_HEAD, sizes=[784, 3000000, 10], weights=[[], []], biases=[[], []]))),
         "network", "NetworkFileError"),
    Case("network: cost given as a list",
         _network_file("cost.json", json.dumps(dict(_HEAD, sizes=[2, 1], cost=["x"], weights=[[[0, 0]]], biases=[[[0]]]))),
         "network", "NetworkFileError"),
    Case("network: JSON nested 100,000 deep", _network_file("deep.json", "[" * 100000 + "]" * 100000),
         "network", "NetworkFileError"),
    Case("network: an integer of 5,000 digits", _network_file("digits.json", '{"sizes": 1' + "0" * 4999 + "}"),
         "network", "NetworkFileError"),
]


def child(kind: str, path: str) -> None:
    """Load one file and print a JSON line: outcome, message, peak memory (MB), seconds."""
    sys.path.insert(0, str(PROJECT_ROOT))
    start = time.perf_counter()
    try:
        if kind == "dataset":
            from mnist_loader import read_dataset
            read_dataset(path)
        elif kind == "idx-images":
            from mnist_loader.idx import read_idx
            read_idx(path, "images")
        else:
            import network
            network.load(path)
        outcome, message = "loaded", ""
    except BaseException as exc:  # the point is to see what escapes
        outcome, message = type(exc).__name__, str(exc)
    peak = _peak_resident_mb()
    print(json.dumps(dict(outcome=outcome, message=message[:300], peak_mb=round(peak, 1),
                          seconds=round(time.perf_counter() - start, 3))))


def _peak_resident_mb() -> float:
    """This process's peak resident memory since it started (VmHWM; ru_maxrss would count the
    parent's, as it survives exec)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(case: Case, folder: Path, limit_mb: int, big: bool = False) -> dict:
    """Make the case's file and load it in a child process limited to ``limit_mb`` of address space."""
    path = case.make(folder, big)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit_mb * MiB, limit_mb * MiB))

    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    result = subprocess.run([sys.executable, __file__, "--child", case.load, str(path)], capture_output=True,
                            text=True, preexec_fn=limit, env=env, timeout=300)
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        tail = (result.stderr.strip().splitlines() or ["(nothing)"])[-1]
        return dict(outcome=f"died (exit {result.returncode})", message=tail, peak_mb=None, seconds=None,
                    size=path.stat().st_size)
    return dict(json.loads(lines[-1]), size=path.stat().st_size)


def main() -> int:
    p = make_parser(__doc__)
    p.add_argument("--big", action="store_true", help="the issue's sizes: 1.5 GiB bomb, 2 GiB padding")
    p.add_argument("--limit-mb", type=positive_int, default=1024, help="address-space limit of each child (MiB)")
    p.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    p.add_argument("--runs-dir", default="runs", help="parent folder of run folders")
    p.add_argument("--name", default="hostile_files", help="run folder name")
    args = p.parse_args()
    if args.child:
        child(*args.child)
        return 0
    out = new_run_dir(args.runs_dir, args.name)
    lines = ["| case | file | outcome | peak memory | time |", "|---|---|---|---|---|"]
    print("\n".join(lines), flush=True)
    failed, results = 0, []
    with tempfile.TemporaryDirectory() as tmp:
        for case in CASES:
            folder = Path(tmp) / str(CASES.index(case))
            folder.mkdir()
            r = run_case(case, folder, args.limit_mb, args.big)
            ok = r["outcome"] == case.expect
            failed += not ok
            peak = f"{r['peak_mb']:.0f} MB" if r["peak_mb"] is not None else "-"
            secs = f"{r['seconds']:.2f} s" if r["seconds"] is not None else "-"
            message = f": {r['message'].split(': ', 1)[-1][:110]}" if r["message"] else ""
            lines.append(f"| {case.name} | {r['size']:,} B | {'' if ok else 'UNEXPECTED '}{r['outcome']}{message} | "
                         f"{peak} | {secs} |")
            print(lines[-1], flush=True)
            results.append(dict(r, case=case.name, expect=case.expect, ok=ok))
    lines += ["", f"{len(CASES) - failed} of {len(CASES)} cases end as they should (limit {args.limit_mb} MiB each)"]
    print(lines[-1])
    (out / "RESULTS.md").write_text("\n".join(lines) + "\n")
    (out / "results.json").write_text(json.dumps(dict(limit_mb=args.limit_mb, big=args.big, cases=results), indent=2))
    print(f"wrote {out}/RESULTS.md")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
