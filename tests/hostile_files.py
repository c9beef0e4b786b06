"""Hostile and broken files against the loader and network.load, measured.

Each case makes a file in a temporary folder, then loads it in a child process under a memory
limit (as `ulimit -v` does) and reports what happened, the child's peak resident memory and its
time. A case passes when it ends the way it should: a named error (DatasetError, NetworkFileError, ImageError)
for a bad file, a loaded dataset for a good one; never a MemoryError, a TypeError or a kill.

    .venv/bin/python tests/hostile_files.py                 # the cases at test size
    .venv/bin/python tests/hostile_files.py --big           # the sizes of the issue (2 GiB paddings)
    .venv/bin/python tests/hostile_files.py --fuzz 20000    # and 20,000 seeded mutations of valid files
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "experiments"))  # helpers/ (run folders, options)
from helpers.runlog import PROJECT_ROOT, make_parser, new_run_dir, positive_int

import numpy as np

MiB = 2**20


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path, bool], Path]   # (folder, big) -> the file
    load: str                            # 'dataset', 'idx-images', 'network', 'network-run' (load, then
                                         # classify one image of zeros) or 'image'
    expect: str                          # the outcome's class name, or 'loaded'
    max_mb: int = 200                    # the peak memory it may take: most stay far below


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


def _numpy_private(module: str, name: str):
    """numpy's pickling helper ``name``: in numpy._core (numpy 2) or numpy.core (numpy 1)."""
    import importlib
    try:
        return getattr(importlib.import_module(f"numpy._core.{module}"), name)
    except ImportError:
        return getattr(importlib.import_module(f"numpy.core.{module}"), name)


def _reconstruct():
    return _numpy_private("multiarray", "_reconstruct")


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
    forged = _Forged(_numpy_private("numeric", "_frombuffer"), (b"\0" * 8, np.dtype("f8"), (1,), "C"), (1, (200_000_000,), np.dtype("f8"), False, b"\0" * 8))
    return _gzip_pickle(d / "rebuilt.pkl.gz", forged, protocol=5)


def huge_length_field(d: Path, big: bool) -> Path:
    # protocol 4, BINBYTES with a length of 4 GB, then 10 bytes: a 34-byte file
    path = d / "length.pkl.gz"
    path.write_bytes(gzip.compress(b"\x80\x04B" + struct.pack("<I", 0xFFFFFFF0) + b"x" * 10 + b"."))
    return path


def bytearray8(d: Path, big: bool) -> Path:
    """One BYTEARRAY8 of 2 GiB: a 30-byte file (the opcode allocates before it reads)."""
    path = d / "bytearray8.pkl.gz"
    path.write_bytes(gzip.compress(b"\x80\x05\x96" + (2**31).to_bytes(8, "little") + b"."))
    return path


def empty_sets(d: Path, big: bool) -> Path:
    """Ten million EMPTY_SETs on the stack (300 million with --big), in 10 KB (300 KB)."""
    path = d / "sets.pkl.gz"
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    with open(path, "wb") as f:
        f.write(c.compress(b"\x80\x04"))
        for _ in range(300 if big else 10):
            f.write(c.compress(b"\x8f" * 1_000_000))
        f.write(c.compress(b".") + c.flush())
    return path


def nones(d: Path, big: bool) -> Path:
    """167 million NONE, POP pairs: 334 million opcodes in 326 KB."""
    path = d / "nones.pkl.gz"
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    with open(path, "wb") as f:
        for _ in range(167):
            f.write(c.compress(b"N0" * 1_000_000))
        f.write(c.flush())
    return path


def buffer_copies(d: Path, big: bool) -> Path:
    """One memoised 20 MiB buffer made into an array 120 times (900 with --big) by the
    _frombuffer reconstructor, in a 20 KB file: 2.4 GB of arrays (18 GB) from one buffer."""
    def name(module: str, attr: str) -> bytes:
        return b"\x8c" + bytes([len(module)]) + module.encode() + b"\x8c" + bytes([len(attr)]) + attr.encode() + b"\x93"
    n = 20 * MiB
    body = bytearray(b"\x80\x04" + name("numpy._core.numeric", "_frombuffer") + b"\x94")          # memo 0
    body += b"\x8e" + struct.pack("<Q", n) + bytes(n) + b"\x94"                                   # memo 1
    body += name("numpy", "dtype") + b"\x8c\x02u1\x85R\x94]"                                      # memo 2, a list
    for _ in range(900 if big else 120):
        body += b"h\x00(h\x01h\x02J" + struct.pack("<i", n) + b"\x85\x8c\x01CtRa"                   # list.append(copy)
    path = d / "copies.pkl.gz"
    path.write_bytes(gzip.compress(bytes(body + b".")))
    return path


def marked_sets(d: Path, big: bool) -> Path:
    """8,910 EMPTY_SETs hidden from the stack's count behind nine MARKs."""
    path = d / "marks.pkl.gz"
    path.write_bytes(gzip.compress(b"\x80\x04" + (b"(" + b"\x8f" * 990) * 9 + b"."))
    return path


def _eps(d: Path, big: bool) -> Path:
    """An EPS file: Pillow would hand it to Ghostscript."""
    path = d / "digit.eps"
    path.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 28 28\nnewpath 0 0 moveto 28 28 lineto stroke\nshowpage\n")
    return path


def _json_padding(name: str, head: str, item: str, tail: str, mib: int, big_mib: int) -> Callable[[Path, bool], Path]:
    """A JSON file of ``head``, ``item`` repeated to ``mib`` MiB (``big_mib`` with --big), ``tail``."""
    def make(d: Path, big: bool) -> Path:
        path = d / name
        n = (big_mib if big else mib) * MiB // len(item)
        with open(path, "w") as f:
            f.write(head)
            block = item * 100_000
            for _ in range(n // 100_000):
                f.write(block)
            f.write(item * (n % 100_000))
            f.write(tail)
        return path
    return make


def _conv_file(mutate) -> Callable[[Path, bool], Path]:
    def make(d: Path, big: bool) -> Path:
        import network
        net = network.ConvNetwork([network.FullyConnectedLayer(4, 3), network.SoftmaxLayer(3, 2)], seed=0)
        path = d / "conv.json"
        net.save(path)
        data = json.loads(path.read_text())
        mutate(data)
        path.write_text(json.dumps(data))
        return path
    return make


def _png_bomb(d: Path, big: bool) -> Path:
    """A 1 KB PNG whose header says 30,000 x 30,000 pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    path = d / "bomb.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 30000, 30000, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))
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


def _two_layer_std(literal: str) -> Callable[[Path, bool], Path]:
    """A saved TwoLayerNet whose weight_init_std is ``literal`` (as found by --fuzz: 10**400)."""
    def make(d: Path, big: bool) -> Path:
        import network
        path = d / "two_layer.json"
        network.TwoLayerNet(6, 4, 3, seed=0).save(path)
        text = path.read_text()
        assert '"weight_init_std": 0.01' in text
        path.write_text(text.replace('"weight_init_std": 0.01', f'"weight_init_std": {literal}'))
        return path
    return make


def _largest_network(d: Path, big: bool) -> Path:
    """The largest MatrixNetwork file save writes: [784, n, 10] with every number 24 characters
    long (-2.2250738585072014e-308), n = 11,252 (the most parameters a file may declare) with
    --big, a 222 MiB file; n = 1,000 (20 MiB) otherwise. Written row by row, as save would."""
    from network.files import MAX_PARAMETERS
    n = (MAX_PARAMETERS - 10) // 795 if big else 1000
    v = "-2.2250738585072014e-308"
    head = dict(_HEAD, format_version=2, sizes=[784, n, 10], cost="quadratic", activation="sigmoid", init="large",
                dtype="float64")
    path = d / "largest.json"
    with open(path, "w") as f:
        f.write(json.dumps(head)[:-1] + ', "weights": [[')
        row = "[" + ", ".join([v] * 784) + "]"
        f.write(", ".join([row] * n))
        f.write("], [" + ", ".join(["[" + ", ".join([v] * n) + "]"] * 10) + ']], "biases": [[')
        f.write(", ".join([f"[{v}]"] * n) + "], [" + ", ".join([f"[{v}]"] * 10) + "]]}")
    return path


def _conv_net_file(name: str, layers: list[dict], mutate: Callable[[str], str] = lambda t: t
                   ) -> Callable[[Path, bool], Path]:
    """A ConvNetwork file of these layer descriptions, its arrays zeros (the bombs cannot be made
    by ConvNetwork any more: its constructor refuses them), its text then ``mutate``d."""
    def make(d: Path, big: bool) -> Path:
        head = {"format": "nielsen-backprop network", "format_version": 2, "class": "ConvNetwork",
                "mini_batch_size": 10, "init": "network3", "dtype": "float64", "layers": layers}
        shapes = [((l["filter_shape"][1] * l["filter_shape"][2] * l["filter_shape"][3], l["filter_shape"][0]),
             (l["filter_shape"][0],)) if l["type"] == "ConvPoolLayer" else ((l["n_in"], l["n_out"]), (l["n_out"],))
            for l in layers]
        arrays = dict(weights=[np.zeros(w).tolist() for w, _ in shapes], biases=[np.zeros(b).tolist() for _, b in shapes])
        path = d / name
        path.write_text(mutate(json.dumps(dict(head, **arrays))))
        return path
    return make


def _conv(f: int, c: int, k: int, h: int, pool: int, fn: str = "relu") -> dict:
    return dict(type="ConvPoolLayer", filter_shape=[f, c, k, k], image_shape=[c, h, h], poolsize=[pool, pool],
                activation_fn=fn)


def _dense(n_in: int, n_out: int, kind: str = "FullyConnectedLayer") -> dict:
    d = dict(type=kind, n_in=n_in, n_out=n_out, p_dropout=0.0)
    return d if kind == "SoftmaxLayer" else dict(d, activation_fn="relu")


def _nan_network(d: Path, big: bool) -> Path:
    """Issue 27's: every value finite (weights of +-1e308), its outputs NaN on any digit."""
    import network
    path = d / "nan.json"
    network.MatrixNetwork([784, 10], seed=0).save(path)     # save refuses the weights: they are written here
    data = json.loads(path.read_text())
    data["weights"][0] = [[1e308, -1e308] * 392 for _ in range(10)]
    path.write_text(json.dumps(data))
    return path


def _image_array(name: str, make: Callable[[], np.ndarray], fmt: str | None = None) -> Callable[[Path, bool], Path]:
    """An image file of the array ``make()`` (Pillow's mode from its dtype), e.g. a float TIFF."""
    def write(d: Path, big: bool) -> Path:
        from PIL import Image
        path = d / name
        Image.fromarray(make()).save(path, format=fmt)
        return path
    return write


def _dev_zero(d: Path, big: bool) -> Path:
    """A link to /dev/zero, named as a dataset: endless zeros, were it opened."""
    path = d / "mnist.pkl.gz"
    path.symlink_to("/dev/zero")
    return path


def _float_digit_with_nan() -> np.ndarray:
    a = np.zeros((40, 40), np.float32)
    a[8:32, 18:22] = 1.0
    a[0, 0] = np.nan
    return a


def _conv_file_text(mutate: Callable[[str], str]) -> Callable[[Path, bool], Path]:
    """The small ConvNetwork file of ``_conv_file``, its text changed by ``mutate``."""
    def make(d: Path, big: bool) -> Path:
        path = _conv_file(lambda data: None)(d, big)
        path.write_bytes(mutate(path.read_text()).encode("utf-8"))
        return path
    return make


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
    Case("dataset: one BYTEARRAY8 of 2 GiB in a 30-byte file", bytearray8, "dataset", "DatasetError"),
    Case("dataset: 10 million EMPTY_SETs (300 million with --big)", empty_sets, "dataset", "DatasetError"),
    Case("dataset: 167 million NONE, POP pairs in 326 KB", nones, "dataset", "DatasetError"),
    Case("network: an unknown key holding [[], [], ...], 20 MiB (100 MiB with --big)",
         _json_padding("extra.json", json.dumps(dict(_HEAD, sizes=[2, 1]))[:-1] + ', "extra": [', "[], ", "[]]}", 20, 100),
         "network", "NetworkFileError"),
    Case("network: a file of [] lists, 20 MiB (250 MiB with --big)", _json_padding("lists.json", "[", "[], ", "[]]", 20, 250),
         "network", "NetworkFileError"),
    Case("network: a file of {} objects, 20 MiB (250 MiB with --big)", _json_padding("objects.json", "[", "{}, ", "{}]", 20, 250),
         "network", "NetworkFileError"),
    Case("network: valid sizes [1, 20000000, 1], zeros, 20 MiB (250 MiB with --big)",
         _json_padding("huge.json", json.dumps(dict(_HEAD, sizes=[1, 20000000, 1]))[:-1] + ', "weights": [[', "[0], ",
                       "[0]], [[0]]], \"biases\": [[[0]], [[0]]]}", 20, 250), "network", "NetworkFileError"),
    Case("network: an integer literal 10**400 among the weights",
         _network_file("int.json", json.dumps(dict(_HEAD, sizes=[2, 1], weights=[[[0.0, 0.0]]], biases=[[[0.0]]]))
                       .replace("[[[0.0, 0.0]]]", "[[[1" + "0" * 400 + ", 0.0]]]")), "network", "NetworkFileError"),
    Case("network: a ConvNetwork layer whose type is a list", _conv_file(lambda d: d["layers"][0].update(type=[])),
         "network", "NetworkFileError"),
    Case("network: a float32 file with a weight of 1e300", _conv_file(lambda d: d["weights"][0][0].__setitem__(0, 1e300)),
         "network", "NetworkFileError"),
    Case("network: a layer whose activation_fn is null", _conv_file(lambda d: d["layers"][0].update(activation_fn=None)),
         "network", "NetworkFileError"),
    Case("image: a 1 KB PNG that says 30,000 x 30,000 pixels", _png_bomb, "image", "ImageError"),
    Case("dataset: one memoised 20 MiB buffer made into 120 arrays (900 with --big)", buffer_copies, "dataset",
         "DatasetError", max_mb=450),       # what a load may make: the arrays of 320 MiB, then refused
    Case("dataset: 8,910 EMPTY_SETs behind nine MARKs", marked_sets, "dataset", "DatasetError"),
    Case("network: a 64 KiB+ header nesting a value 40,000 deep",
         _network_file("nested.json", json.dumps(dict(_HEAD, format_version=2, **{"class": "Network"}))[:-1]
                       + ', "init": ' + "[" * 40000 + "]" * 40000 + "}"), "network", "NetworkFileError"),
    Case("network: sizes [1000, 8000, 10] (65 MB of arrays), then 1.0, 1.0, ... 20 MiB (250 MiB with --big)",
         _json_padding("ones.json", json.dumps(dict(_HEAD, format_version=2, sizes=[1000, 8000, 10], cost="quadratic",
                                                    activation="sigmoid", init="large", dtype="float64"))[:-1]
                       + ', "weights": [[[', "1.0,", '1.0]]], "biases": []}', 20, 250), "network", "NetworkFileError"),
         # the file fits those sizes, so it is read; its first row is refused once longer than 1,000 numbers can be
    Case("network: a weight given as the string \"1.0\"",
         _conv_file(lambda d: d["weights"][0][0].__setitem__(0, "1.0")), "network", "NetworkFileError"),
    Case("image: an EPS file (never handed to Ghostscript)", _eps, "image", "ImageError"),
    Case("network: a TwoLayerNet whose weight_init_std is 10**400", _two_layer_std("1" + "0" * 400), "network",
         "NetworkFileError"),
    # issue 27
    Case("network: issue 27's ConvNetwork of 100,000 1x1 filters (1.2 M parameters, 78 million activations an image)",
         _conv_net_file("filters.json", [_conv(100_000, 1, 1, 28, 1), _conv(1, 100_000, 1, 28, 28),
                                         _dense(1, 10, "SoftmaxLayer")]), "network-run", "NetworkFileError"),
    Case("network: a ConvNetwork near every run-cost bound (2.5 M numbers, 377 M FLOPs a sample), run on one image",
         _conv_net_file("near.json", [_conv(1000, 1, 1, 28, 1), _conv(240, 1000, 1, 28, 28),
                                      _dense(240, 10, "SoftmaxLayer")]), "network-run", "loaded"),
    Case("network: a ConvNetwork pooling 150x150 (22,501 Python steps a sample)",
         _conv_net_file("pool.json", [_conv(1, 1, 1, 150, 150), _dense(1, 10, "SoftmaxLayer")]), "network",
         "NetworkFileError"),
    Case("network: the largest file save writes: [784, 1000, 10] of 24-character numbers, 20 MiB "
         "([784, 11252, 10], 222 MiB, with --big)", _largest_network, "network", "loaded", max_mb=450),
    Case("network: a layer description with n_out twice (\"n_out\": 99, \"n_out\": 3)",
         _conv_file_text(lambda t: t.replace('"n_out": 3', '"n_out": 99, "n_out": 3', 1)), "network", "NetworkFileError"),
    Case("network: a file that starts with a UTF-8 byte-order mark",
         _conv_file_text(lambda t: "\ufeff" + t), "network", "NetworkFileError"),
    Case("network: weights of +-1e308, finite, whose outputs are NaN on a digit", _nan_network, "network-run",
         "NetworkFileError"),
    Case("image: a float TIFF with one NaN pixel", _image_array("nan.tiff", _float_digit_with_nan), "image", "ImageError"),
    Case("image: a 16-bit PNG of 12-bit data (values 0..4095)",
         _image_array("12bit.png", lambda: np.pad(np.full((24, 4), 4095, np.uint16), 8)), "image",
         "loaded"),
    Case("dataset: /dev/zero given as the dataset (--data, through a link)", _dev_zero, "dataset-path", "DatasetError"),
]


# ---------------------------------------------------------------------- fuzzing
NAMED = {"loaded", "NetworkFileError", "DatasetError", "UnsafePickleError", "IdxFormatError", "ImageError"}


def fuzz_bases(folder: Path) -> dict[str, tuple[str, bytes]]:
    """Small valid files of every kind a user may be given: (how to load it, its bytes)."""
    sys.path.insert(0, str(PROJECT_ROOT))
    import network
    from PIL import Image

    bases = {}
    nets = {"Network": network.Network([6, 4, 3], seed=0),
            "MatrixNetwork": network.MatrixNetwork([6, 4, 3], seed=0, cost="log-likelihood", activation="relu"),
            "TwoLayerNet": network.TwoLayerNet(6, 4, 3, seed=0),
            "ConvNetwork": network.ConvNetwork([network.ConvPoolLayer((2, 1, 3, 3), (1, 1, 6, 6), (2, 2), "relu"),
                                                network.FullyConnectedLayer(8, 4, "tanh", 0.5),
                                                network.SoftmaxLayer(4, 3)], seed=0)}
    for name, net in nets.items():
        net.save(folder / f"{name}.json")
        bases[name] = ("network", (folder / f"{name}.json").read_bytes())
    rng = np.random.default_rng(0)
    split = (rng.integers(0, 256, (4, 784)).astype(np.float32) / 256, rng.integers(0, 10, 4).astype(np.int64))
    for protocol in (2, 4):
        bases[f"pickle{protocol}"] = ("dataset-raw", pickle.dumps((split,) * 3, protocol=protocol))
    images = rng.integers(0, 256, (3, 28, 28), dtype=np.uint8)
    bases["idx-images"] = ("idx-images-raw", struct.pack(">IIII", 0x803, 3, 28, 28) + images.tobytes())
    bases["idx-labels"] = ("idx-labels-raw", struct.pack(">II", 0x801, 3) + bytes([1, 2, 3]))
    import io
    digit = np.full((40, 40), 255, np.uint8)
    digit[8:32, 18:22] = 0
    out = io.BytesIO()
    Image.fromarray(digit).save(out, format="PNG")
    bases["png"] = ("image", out.getvalue())
    for name, array in (("tiff-float", (255 - digit).astype(np.float32) / 255),     # nan pixels by mutation
                        ("png-12bit", ((255 - digit).astype(np.uint16) * 16))):       # 12-bit data in 16 bits
        out = io.BytesIO()
        Image.fromarray(array).save(out, format="TIFF" if "tiff" in name else "PNG")
        bases[name] = ("image", out.getvalue())
    return bases


def mutate(data: bytes, rng: np.random.Generator, json_text: bool) -> bytes:
    """One seeded mutation of ``data``: bytes flipped, a range cut, doubled, filled or
    truncated; for JSON also a number, list or key replaced by a hostile one."""
    b = bytearray(data)
    kind = int(rng.integers(0, 11 if json_text else 6))
    i, j = sorted(int(v) for v in rng.integers(0, len(b) + 1, 2))
    if kind == 0:
        for k in rng.integers(0, len(b), int(rng.integers(1, 8))):
            b[k] = int(rng.integers(0, 256))
    elif kind == 1:
        del b[i:j]
    elif kind == 2:
        b[i:i] = b[i:j] * int(rng.integers(1, 50))
    elif kind == 3:
        b[i:j] = bytes([int(rng.choice([ord("["), ord("{"), ord("9"), 0xFF, ord('"'), ord("-")]))]) * max(1, j - i)
    elif kind == 4:
        b = b[:i]
    elif kind == 5:
        b[i:i] = bytes(rng.integers(0, 256, int(rng.integers(1, 64)), dtype=np.uint8))
    elif kind == 9:                                          # a byte-order mark, or a key said twice
        import re
        pairs = [m.span() for m in re.finditer(rb'"[a-z_]+": (-?[\d.e-]+|"[a-z0-9]+"|\[[\d, ]*\])', bytes(b))]
        if rng.random() < 0.2 or not pairs:
            b[0:0] = b"\xef\xbb\xbf"
        else:
            a, z = pairs[int(rng.integers(0, len(pairs)))]
            b[a:a] = b[a:z] + b", "
    else:
        text = b.decode("utf-8", errors="replace")
        hostile = ["1" + "0" * 400, "1e400", "NaN", "-Infinity", "[]", "{}", "null", '"x"', "[[[[[[[[1]]]]]]]]",
                   "true", "-1", "0", "100001", "3.5", "100000", "99999", "1e308", "-1e308", "28"]
        import re
        spots = [m.span() for m in re.finditer(r"-?\d+(\.\d+)?(e-?\d+)?|\[|\{|\"[a-z_]+\"", text)]
        if spots:
            a, z = spots[int(rng.integers(0, len(spots)))]
            text = text[:a] + str(rng.choice(hostile)) + text[z:]
        b = bytearray(text.encode())
    return bytes(b)


def fuzz_child(cases_file: str) -> None:
    """Load each case of a JSON list [(kind, path), ...]; print one JSON line per case."""
    import signal

    sys.path.insert(0, str(PROJECT_ROOT))
    import mnist_loader
    import network
    from mnist_loader.idx import read_idx

    def alarm(signum, frame):
        raise TimeoutError("took more than 10 s")

    signal.signal(signal.SIGALRM, alarm)
    for kind, path in json.loads(Path(cases_file).read_text()):
        signal.alarm(10)
        start = time.perf_counter()
        try:
            if kind == "network":
                network.load(path)
            elif kind == "dataset":
                mnist_loader.read_dataset(path)
            elif kind.startswith("idx"):
                read_idx(path, "images" if kind == "idx-images" else "labels")
            else:
                mnist_loader.load_image(path)
            outcome, message = "loaded", ""
        except BaseException as exc:
            outcome, message = type(exc).__name__, str(exc)[:200]
        signal.alarm(0)
        print(json.dumps(dict(outcome=outcome, message=message, seconds=round(time.perf_counter() - start, 3),
                              peak_mb=round(_peak_resident_mb(), 1))), flush=True)   # the child's peak so far


def fuzz(n: int, folder: Path, seed: int = 0, limit_mb: int = 1024, batch: int = 200) -> list[dict]:
    """``n`` seeded mutations of the bases, each loaded (in children of ``limit_mb`` MiB, ``batch``
    cases per child); one record per case: its base, outcome and message."""
    bases = fuzz_bases(folder)
    rng = np.random.default_rng(seed)
    names = sorted(bases)
    cases = []
    for k in range(n):
        name = names[k % len(names)]
        load, data = bases[name]
        mutated = mutate(data, rng, load == "network")
        kind = load.replace("-raw", "")
        path = folder / f"case{k}"
        if load == "dataset-raw":                           # inside the gzip, where the parser sees it
            mutated = gzip.compress(mutated) if rng.random() < 0.9 else mutate(gzip.compress(data), rng, False)
        elif load.startswith("idx") and rng.random() < 0.5:
            mutated = gzip.compress(mutated)
            path = path.with_suffix(".gz")
        path.write_bytes(mutated)
        cases.append(dict(base=name, kind=kind, path=str(path)))

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit_mb * MiB, limit_mb * MiB))

    records, start = [], 0
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    while start < len(cases):
        chunk = cases[start:start + batch]
        (folder / "cases.json").write_text(json.dumps([(c["kind"], c["path"]) for c in chunk]))
        run = subprocess.run([sys.executable, __file__, "--fuzz-child", str(folder / "cases.json")], capture_output=True,
                             text=True, preexec_fn=limit, env=env, timeout=60 + 11 * len(chunk))
        got = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
        records += [dict(c, **g) for c, g in zip(chunk, got)]
        if len(got) < len(chunk):                           # the child died on the next case: note it, go on
            records.append(dict(chunk[len(got)], outcome=f"died (exit {run.returncode})",
                                message=(run.stderr.strip().splitlines() or [""])[-1][:200]))
            start += len(got) + 1
        else:
            start += len(chunk)
    return records


def child(kind: str, path: str) -> None:
    """Load one file and print a JSON line: outcome, message, peak memory (MB), seconds."""
    sys.path.insert(0, str(PROJECT_ROOT))
    start, cpu = time.perf_counter(), time.process_time()
    try:
        if kind == "dataset":
            from mnist_loader import read_dataset
            read_dataset(path)
        elif kind == "idx-images":
            from mnist_loader.idx import read_idx
            read_idx(path, "images")
        elif kind == "image":
            from mnist_loader import load_image
            load_image(path)
        elif kind == "dataset-path":
            from mnist_loader import load_data
            load_data(path)
        else:
            import network
            net = network.load(path)
            if kind == "network-run":                        # what predict does with it: one image
                from network.__main__ import predict
                predict(net, np.zeros((1, net.n_in if hasattr(net, "n_in") else net.sizes[0]), np.float32) + 0.5)
        outcome, message = "loaded", ""
    except BaseException as exc:  # the point is to see what escapes
        outcome, message = type(exc).__name__, str(exc)
    peak = _peak_resident_mb()
    print(json.dumps(dict(outcome=outcome, message=message[:300], peak_mb=round(peak, 1),
                          seconds=round(time.perf_counter() - start, 3), cpu=round(time.process_time() - cpu, 3))))


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
        return dict(outcome=f"died (exit {result.returncode})", message=tail, peak_mb=None, seconds=None, cpu=None,
                    size=path.stat().st_size)
    return dict(json.loads(lines[-1]), size=path.stat().st_size)


def worst_cases(results: list[dict], records: list[dict]) -> list[str]:
    """The table of the worst case of each kind (the cases' names before ':', and the fuzz): its
    peak memory and its time, each with the case it was measured on."""
    kinds: dict[str, list[dict]] = {}
    for r in results:
        if r["peak_mb"] is not None:
            kinds.setdefault(r["case"].split(":")[0], []).append(r)
    lines = ["", "## The worst case of each kind", "", "| kind | cases | worst peak memory | worst time (wall, CPU) |",
             "|---|---|---|---|"]
    for kind, rs in kinds.items():
        high, slow = max(rs, key=lambda r: r["peak_mb"]), max(rs, key=lambda r: r["seconds"])
        lines.append(f"| {kind} | {len(rs)} | {high['peak_mb']:.0f} MB ({high['case']}) | "
                     f"{slow['seconds']:.2f} s, {slow['cpu']:.2f} s CPU ({slow['case']}) |")
    timed = [r for r in records if r.get("seconds") is not None]
    if timed:
        slow = max(timed, key=lambda r: r["seconds"])
        lines.append(f"| fuzz | {len(records)} | {max(r['peak_mb'] for r in timed):.0f} MB (the highest peak of a "
                     f"child over the cases it loaded: at most this for each) | "
                     f"{slow['seconds']:.2f} s (a mutation of {slow['base']}: {slow['outcome']}) |")
    return lines


def main() -> int:
    p = make_parser(__doc__)
    p.add_argument("--big", action="store_true", help="the issue's sizes: 1.5 GiB bomb, 2 GiB padding")
    p.add_argument("--limit-mb", type=positive_int, default=1024, help="address-space limit of each child (MiB)")
    p.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    p.add_argument("--fuzz-child", default=None, help=argparse.SUPPRESS)
    p.add_argument("--fuzz", type=positive_int, default=0, metavar="N",
                   help="also load N seeded random mutations of small valid network, dataset, IDX and image files")
    p.add_argument("--runs-dir", default="runs", help="parent folder of run folders")
    p.add_argument("--name", default="hostile_files", help="run folder name")
    args = p.parse_args()
    if args.child:
        child(*args.child)
        return 0
    if args.fuzz_child:
        fuzz_child(args.fuzz_child)
        return 0
    out = new_run_dir(args.runs_dir, args.name)
    lines = ["| case | file | outcome | peak memory | time (wall, CPU) |", "|---|---|---|---|---|"]
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
            secs = f"{r['seconds']:.2f} s ({r['cpu']:.2f} s CPU)" if r["seconds"] is not None else "-"
            message = f": {r['message'].split(': ', 1)[-1][:110]}" if r["message"] else ""
            lines.append(f"| {case.name} | {r['size']:,} B | {'' if ok else 'UNEXPECTED '}{r['outcome']}{message} | "
                         f"{peak} | {secs} |")
            print(lines[-1], flush=True)
            results.append(dict(r, case=case.name, expect=case.expect, ok=ok))
    lines += ["", f"{len(CASES) - failed} of {len(CASES)} cases end as they should (limit {args.limit_mb} MiB each)"]
    print(lines[-1], flush=True)
    if args.fuzz:
        with tempfile.TemporaryDirectory() as tmp:
            records = fuzz(args.fuzz, Path(tmp), limit_mb=args.limit_mb)
        counts: dict[tuple[str, str], int] = {}
        for r in records:
            counts[r["base"], r["outcome"]] = counts.get((r["base"], r["outcome"]), 0) + 1
        bad = [r for r in records if r["outcome"] not in NAMED]
        failed += len(bad)
        lines += ["", f"## {args.fuzz} seeded mutations of small valid files", "",
                  "| base file | outcome | cases |", "|---|---|---|"]
        lines += [f"| {base} | {outcome} | {count} |" for (base, outcome), count in sorted(counts.items())]
        lines += ["", f"{len(records) - len(bad)} of {len(records)} end in a correct load or a named error"
                  + "".join(f"; UNEXPECTED {r['outcome']} on {r['base']}: {r['message']}" for r in bad[:5])]
        print("\n".join(lines[-len(counts) - 6:]))
    lines += worst_cases(results, records if args.fuzz else [])
    print("\n".join(lines[lines.index("## The worst case of each kind"):]))
    (out / "RESULTS.md").write_text("\n".join(lines) + "\n")
    (out / "results.json").write_text(json.dumps(dict(limit_mb=args.limit_mb, big=args.big, cases=results), indent=2))
    print(f"wrote {out}/RESULTS.md")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
