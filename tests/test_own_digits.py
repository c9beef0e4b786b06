"""Your own digits: load_image (MNIST's preprocessing for any image), `python -m network predict`,
the drawing pad, inspect_network.py, photographed_digits.py, and every bad image named."""
from __future__ import annotations

import json
import subprocess
import sys
import zlib
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import mnist_loader
import network
from conftest import PROJECT_ROOT, script_path
from mnist_loader import ImageError, load_image

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "drawn"


def distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).sum())


@pytest.fixture(scope="module")
def digits(mnist_arrays):
    _, _, (tx, ty) = mnist_arrays
    return tx[:20], ty[:20]


def test_an_mnist_digit_pasted_anywhere_on_a_light_canvas_comes_back(digits, tmp_path):
    tx, _ = digits
    rng = np.random.default_rng(0)
    for k, digit in enumerate(tx):
        canvas = np.full((int(rng.integers(60, 400)), int(rng.integers(60, 400))), 0.93, np.float32)
        top, left = int(rng.integers(0, canvas.shape[0] - 28)), int(rng.integers(0, canvas.shape[1] - 28))
        canvas[top:top + 28, left:left + 28] = 0.93 * (1 - digit.reshape(28, 28))     # dark ink on light paper
        back = load_image(canvas)
        assert back.shape == (784,) and back.dtype == np.float32
        assert np.array_equal(back * 256, np.round(back * 256)) and back.max() <= 255 / 256    # v / 256, as load_data
        assert distance(back, digit) < 4.0, k               # of about 100: each pixel within a few grey levels
        if k < 3:                                           # the same through a PNG file, light ink on dark too
            Image.fromarray(np.round(255 * canvas).astype(np.uint8)).save(tmp_path / "d.png")
            assert distance(load_image(tmp_path / "d.png"), digit) < 4.0
            assert distance(load_image(1 - canvas), digit) < 4.0


def test_centre_of_mass_and_box_are_mnists(digits):
    tx, _ = digits
    big = np.zeros((500, 300), np.float32)
    big[100:400, 50:200] = 1.0                              # a tall bar: 300 x 150 becomes 20 x 10
    out = load_image(big).reshape(28, 28)
    rows, cols = np.flatnonzero(out.any(axis=1)), np.flatnonzero(out.any(axis=0))
    assert rows[-1] - rows[0] + 1 == 20 and cols[-1] - cols[0] + 1 == 10
    ii, jj = np.mgrid[:28, :28]
    assert abs((out * ii).sum() / out.sum() - 14) <= 0.5 and abs((out * jj).sum() / out.sum() - 14) <= 0.5
    assert np.array_equal(load_image(list(tx[:3])), np.stack([load_image(d) for d in tx[:3]]))   # a list: (n, 784)


def test_every_kind_of_image_file_reads_the_same_digit(digits, tmp_path):
    tx, _ = digits
    digit = tx[0].reshape(28, 28)
    paper = 1 - digit                                        # dark on light, in [0, 1]
    grey8 = np.round(255 * np.kron(paper, np.ones((4, 4)))).astype(np.uint8)   # 112 x 112
    reference = load_image(grey8)
    files = {
        "grey.png": Image.fromarray(grey8),
        "rgb.jpg": Image.fromarray(np.stack([grey8] * 3, axis=2)),
        "sixteen.png": Image.fromarray((grey8.astype(np.uint16) * 257)),
        "palette.gif": Image.fromarray(grey8).convert("P"),
        "grey.bmp": Image.fromarray(grey8),
    }
    for name, im in files.items():
        im.save(tmp_path / name)
        assert distance(load_image(tmp_path / name), reference) < (8 if name.endswith(".jpg") else 1.5), name
    # RGBA with transparency: black strokes on a transparent background (as drawing programs export)
    rgba = np.zeros((112, 112, 4), np.uint8)
    rgba[..., 3] = 255 - grey8                               # alpha is the ink
    Image.fromarray(rgba, mode="RGBA").save(tmp_path / "transparent.png")
    assert distance(load_image(tmp_path / "transparent.png"), reference) < 1.5
    # an RGB array with a colour tint, uint8 and float, and a 16-bit grey array
    tinted = np.stack([grey8, (grey8 * 0.95).astype(np.uint8), (grey8 * 0.9).astype(np.uint8)], axis=2)
    assert distance(load_image(tinted), reference) < 4
    assert distance(load_image(tinted.astype(np.float64) / 255), load_image(tinted)) < 1e-6
    assert distance(load_image(grey8.astype(np.uint16) * 257), reference) < 1.5
    Image.fromarray(grey8.astype(np.uint16) * 16).save(tmp_path / "twelve.png")    # 12 bits in a 16-bit file
    assert distance(load_image(tmp_path / "twelve.png"), reference) < 1.5
    im = Image.fromarray(np.ascontiguousarray(np.rot90(grey8, 1)))                # a phone's photo, turned, with
    exif = im.getexif()                                                           # EXIF's "rotate 90 CW"
    exif[0x0112] = 6
    im.save(tmp_path / "turned.jpg", exif=exif)
    assert distance(load_image(tmp_path / "turned.jpg"), reference) < 8
    assert distance(load_image(tx[0][:, None]), tx[0]) < 1.5                      # the book's column (784, 1)


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes(b"not an image at all, just words"), "not an image"),
    (lambda p: Image.new("L", (64, 64), 255).save(p), "no ink found"),
    (lambda p: p.write_bytes(open_png(64, 64)[:60]), "cannot decode the image"),
    (lambda p: p.write_bytes(huge_png(30_000, 30_000)), r"more pixels than an image may have \(Image size \(900000000 pixels\)"),
    (lambda p: p.write_bytes(huge_png(6_000, 5_000)), "6000 x 5000 pixels, more than the 25,000,000 an image may have"),
    (lambda p: p.mkdir(), "not a regular file"),
    (lambda p: p.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 28 28\nshowpage\n"),   # never to Ghostscript
     r"not an image in a format read here \(PNG, JPEG, BMP, GIF, TIFF, WEBP, PPM\)"),
])
def test_bad_image_files_are_named(tmp_path, make, message):
    path = tmp_path / "bad.png"
    make(path)
    with pytest.raises(ImageError, match=message) as exc:
        load_image(path)
    assert str(path) in str(exc.value)


def test_bad_arrays_are_named():
    with pytest.raises(ImageError, match=r"the array has shape \(2, 3, 5\)"):
        load_image(np.zeros((2, 3, 5)))
    with pytest.raises(ImageError, match=r"the array holds 25 pixels that are not numbers \(nan or inf\)"):
        load_image(np.full((5, 5), np.nan))
    with pytest.raises(ImageError, match="the array: no ink found"):
        load_image(np.ones((30, 30)))
    with pytest.raises(ImageError, match="a path or a numpy array, got int"):
        load_image(7)
    with pytest.raises(ImageError, match=r"values span -1..1"):
        load_image(np.linspace(-1, 1, 100).reshape(10, 10))


def test_rows_of_784_are_mnist_images_never_a_picture(digits):
    """Issue 27: load_image(x[:5]) gave one (784,) picture of five digits side by side."""
    tx, _ = digits
    rows = load_image(tx[:5])
    assert rows.shape == (5, 784) and rows.dtype == np.float32
    assert all(np.array_equal(rows[i], load_image(tx[i])) for i in range(5))    # each row as one image is read
    assert np.array_equal(load_image(tx[:1])[0], load_image(tx[0]))
    assert load_image(tx[:0]).shape == (0, 784)


@pytest.mark.filterwarnings("ignore:the matrix subclass")
def test_matrix_and_masked_arrays_are_read_as_arrays(digits):
    tx, _ = digits
    image = tx[3].reshape(28, 28)
    assert np.array_equal(load_image(np.matrix(image)), load_image(image))     # was a TypeError from inside
    paper = np.zeros((40, 40), np.float32)
    paper[6:34, 6:34] = image
    smudged = paper.copy()
    smudged[:4, :] = 1.0                                                       # a bar of ink, masked out
    masked = np.ma.masked_array(smudged, mask=np.zeros(smudged.shape, bool))
    masked.mask[:4, :] = True
    assert np.array_equal(load_image(masked), load_image(paper))               # the mask was ignored
    assert not np.array_equal(load_image(smudged), load_image(paper))
    with pytest.raises(ImageError, match=r"masked everywhere"):
        load_image(np.ma.masked_all((5, 5)))


@pytest.mark.parametrize("bits", [8, 10, 12, 16])
def test_uint16_data_of_any_bit_depth_reads_the_same_digit(digits, bits):
    """A 12-bit camera's data in uint16 said 'no ink found' (it was scaled by 65535)."""
    tx, _ = digits
    levels = np.round(tx[5].reshape(28, 28) * 256 / 255 * (2**bits - 1)).astype(np.uint16)
    assert distance(load_image(levels), load_image(tx[5])) < 5


def test_a_float_tiff_with_one_nan_pixel_is_named_for_it(tmp_path):
    """It said 'no ink found'; PFM goes through the same check (Pillow reads it as mode F)."""
    a = np.zeros((40, 40), np.float32)
    a[8:32, 18:22] = 1.0
    a[0, 0] = np.nan
    Image.fromarray(a).save(tmp_path / "nan.tiff")
    with pytest.raises(ImageError, match=r"nan.tiff: holds 1 pixels that are not numbers \(nan or inf\)"):
        load_image(tmp_path / "nan.tiff")
    a[0, 0] = 0.0
    assert load_image_ok(tmp_path / "ok.tiff", a)


def load_image_ok(path: Path, a: np.ndarray) -> bool:
    Image.fromarray(a).save(path)
    return load_image(path).shape == (784,)


def open_png(w: int, h: int) -> bytes:
    buf = Path(__file__)  # noqa: F841 -- a real small PNG, from Pillow
    import io
    out = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (h, w), dtype=np.uint8)).save(out, format="PNG")
    return out.getvalue()


def huge_png(w: int, h: int) -> bytes:
    """A tiny PNG whose header says w x h grey pixels (its data is a few zero rows)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused_in_bounded_memory(tmp_path):
    """A 1 KB PNG that says 30,000 x 30,000 pixels, read in a child under 900 MB of address space."""
    (tmp_path / "bomb.png").write_bytes(huge_png(30_000, 30_000))
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (900 * 2**20, 900 * 2**20)); "
            "import mnist_loader, PIL.Image, PIL.PngImagePlugin\n"
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "try:\n    mnist_loader.load_image(sys.argv[1])\nexcept mnist_loader.ImageError as e:\n    print('named:', e)\n"
            "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)")
    out = subprocess.run([sys.executable, "-W", "error", "-c", code, str(tmp_path / "bomb.png")], capture_output=True,
                         text=True, cwd=PROJECT_ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("named: ") and "900000000 pixels" in lines[0]
    assert int(lines[1]) < 20                             # MB more at the peak: the header was enough


def test_drawn_fixtures_are_read_right_by_a_small_trained_network(mnist_arrays):
    (x, y), _, _ = mnist_arrays
    net = network.MatrixNetwork([784, 100, 10], seed=0, cost="cross-entropy", init="scaled", dtype="float32")
    net.SGD((x[:20000], y[:20000]), 3, 10, 0.1, lmbda=5.0, verbose=False)
    files = sorted(FIXTURES.glob("drawn-*.png"))
    assert len(files) == 10
    guesses = [net.classify(load_image(f)) for f in files]
    assert sum(g == int(f.stem[-1]) for g, f in zip(guesses, files)) >= 8, guesses
    _, _, (tx, _) = mnist_arrays                  # a test digit pasted on a light canvas: read as the digit itself
    rng = np.random.default_rng(1)
    for digit in tx[:30]:
        canvas = np.full((int(rng.integers(60, 300)), int(rng.integers(60, 300))), 0.9, np.float32)
        top, left = int(rng.integers(0, canvas.shape[0] - 28)), int(rng.integers(0, canvas.shape[1] - 28))
        canvas[top:top + 28, left:left + 28] = 0.9 * (1 - digit.reshape(28, 28))
        assert net.classify(load_image(canvas)) == net.classify(digit)


def test_predict_agrees_with_classify_for_every_network_kind_and_on_ties():
    from network.__main__ import predict

    images = np.stack([load_image(f) for f in sorted(FIXTURES.glob("drawn-*.png"))])
    nets = [network.Network([784, 12, 10], seed=0), network.MatrixNetwork([784, 12, 10], seed=0),
            network.TwoLayerNet(784, 12, 10, seed=0),
            network.ConvNetwork([network.FullyConnectedLayer(784, 12), network.SoftmaxLayer(12, 10)], seed=0)]
    for net in nets:
        found = predict(net, images)
        assert [f["digit"] for f in found] == list(net.classify(images)), type(net).__name__
        assert all(f["top3"][0][1] >= f["top3"][1][1] >= f["top3"][2][1] for f in found)
    tied = nets[3]                                  # softmax weights all zero (network3's start): every score 0.1
    found = predict(tied, images[:2])
    assert [f["digit"] for f in found] == [0, 0] == list(tied.classify(images[:2]))
    assert [d for d, _ in found[0]["top3"]] == [0, 1, 2]


def run(*args, cwd=PROJECT_ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_predict_command_end_to_end(tmp_path):
    net = network.ConvNetwork([network.FullyConnectedLayer(784, 20), network.SoftmaxLayer(20, 10)], seed=0)
    net.save(tmp_path / "net.json")
    good = [str(FIXTURES / "drawn-7.png"), str(FIXTURES / "drawn-1.png")]
    (tmp_path / "blank.png").write_bytes(b"")
    out = run("-m", "network", "predict", str(tmp_path / "net.json"), good[0], str(tmp_path / "blank.png"), good[1],
              "--show", str(tmp_path / "show.png"))
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert lines[0].startswith(f"{good[0]}: ") and "probabilities)" in lines[0] and "top three: " in lines[0]
    assert lines[1].startswith(f"{good[1]}: ") and lines[2] == f"wrote {tmp_path / 'show.png'}"
    assert out.stderr.strip().splitlines() == [f"error: {tmp_path / 'blank.png'}: not an image in a format read here (PNG, JPEG, BMP, GIF, TIFF, WEBP, PPM)"]
    assert (tmp_path / "show.png").stat().st_size > 1000
    js = run("-m", "network", "predict", str(tmp_path / "net.json"), good[0], "--json")
    record = json.loads(js.stdout)
    assert js.returncode == 0 and set(record) == {"file", "digit", "top3", "scores"} and record["scores"] == "probabilities"
    assert record["digit"] == record["top3"][0][0] and len(record["top3"]) == 3
    assert abs(sum(s for _, s in record["top3"])) <= 1.0 + 1e-6
    plain = network.MatrixNetwork([784, 5, 10], seed=0)          # sigmoid outputs: labelled as activations
    plain.save(tmp_path / "plain.json")
    assert "output activations)" in run("-m", "network", "predict", str(tmp_path / "plain.json"), good[0]).stdout
    (tmp_path / "broken.json").write_text("{")
    bad = run("-m", "network", "predict", str(tmp_path / "broken.json"), good[0])
    assert bad.returncode == 1 and bad.stdout == "" and bad.stderr.startswith(f"error: {tmp_path / 'broken.json'}: ")


def test_predict_names_a_network_whose_outputs_are_not_numbers(tmp_path):
    """Issue 27: weights of +-1e308 (all finite) gave nan outputs, printed as digit 0 (and --json
    wrote the token NaN). Such a file is refused at load; a network in memory, by predict."""
    from network.__main__ import predict

    net = network.MatrixNetwork([784, 10], seed=0)
    net.weights[0][:] = 0
    net.weights[0][:, ::2], net.weights[0][:, 1::2] = 1e308, -1e308
    with pytest.raises(FloatingPointError, match=r"its outputs are not numbers \(nan or inf\)"):
        predict(net, np.full((1, 784), 0.5, np.float32))
    with pytest.raises(ValueError, match=r"cannot save this MatrixNetwork: layer 0's weighted inputs could reach inf"):
        net.save(tmp_path / "nan.json")
    network.MatrixNetwork([784, 10], seed=0).save(tmp_path / "nan.json")
    data = json.loads((tmp_path / "nan.json").read_text())
    data["weights"][0] = [[1e308, -1e308] * 392] * 10
    (tmp_path / "nan.json").write_text(json.dumps(data))
    for extra in ([], ["--json"]):
        out = run("-m", "network", "predict", str(tmp_path / "nan.json"), str(FIXTURES / "drawn-7.png"), *extra)
        assert out.returncode == 1 and out.stdout == ""
        assert out.stderr == f"error: {tmp_path / 'nan.json'}: layer 0's weighted inputs could reach inf on inputs in " \
                             f"[0, 1], more than float64 holds: its outputs would be inf or nan (weights or biases too large)\n"


def test_predict_escapes_file_names_bounds_the_sheet_and_writes_only_json(tmp_path, monkeypatch, capsys):
    """Issue 27: a file name with a newline forged a line; --show drew one row per image (300
    images: 43 s, 812 MB); --json must parse as strict JSON."""
    import network.__main__ as cli

    network.MatrixNetwork([784, 5, 10], seed=0).save(tmp_path / "net.json")
    forged = tmp_path / "x.png\nforged.png: 7  (top three: 7 1.000; probabilities)"
    forged.write_bytes((FIXTURES / "drawn-7.png").read_bytes())
    images = [str(FIXTURES / "drawn-7.png"), str(forged), str(FIXTURES / "drawn-1.png")]
    monkeypatch.setattr(cli, "MAX_SHOWN", 2)
    assert cli.main(["predict", str(tmp_path / "net.json"), *images, "--show", str(tmp_path / "sheet.png")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and lines[1].startswith(str(forged).replace("\n", "\\n") + ": ")
    assert lines[3] == f"wrote {tmp_path / 'sheet.png'} (the first 2 images; 1 more left out)"
    assert Image.open(tmp_path / "sheet.png").size[1] < 2.6 * 3 * 100               # two rows and the line, not three
    assert cli.main(["predict", str(tmp_path / "net.json"), *images, "--json"]) == 0

    def no_constants(token):
        raise AssertionError(f"not JSON: {token}")

    records = [json.loads(line, parse_constant=no_constants) for line in capsys.readouterr().out.splitlines()]
    assert [r["file"] for r in records] == images


@pytest.mark.parametrize("args", [["experiments/draw.py", "--help"], ["experiments/inspect_network.py", "--help"],
                                  ["experiments/chapter1.py", "--help"]])
def test_a_bogus_mplbackend_is_one_line_in_every_script(args):
    import os

    out = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120,
                         env=dict(os.environ, MPLBACKEND="bogus"))
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr == "error: MPLBACKEND='bogus' is not a matplotlib backend (unset it, or set it to one, " \
                         "e.g. MPLBACKEND=Agg)\n"


def test_network_load_says_what_it_is(tmp_path):
    net = network.TwoLayerNet(784, 30, 10, seed=0)
    net.save(tmp_path / "two.json")
    assert repr(network.load(tmp_path / "two.json")) == \
        "TwoLayerNet([784, 30, 10], cost softmax cross-entropy, activation relu, init N(0, 0.01^2), float64)"


def test_drawing_pad_draws_reads_clears_and_saves(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backend_bases import KeyEvent, MouseEvent

    import draw

    net = network.MatrixNetwork([784, 10, 10], seed=0, cost="log-likelihood")
    fig = plt.figure()
    pad = draw.Pad(net, fig, tmp_path / "draw")

    def send(name, x, y):
        xd, yd = pad.pad_ax.transData.transform((x, y))
        fig.canvas.callbacks.process(name, MouseEvent(name, fig.canvas, xd, yd, button=1))

    def key(k):
        fig.canvas.callbacks.process("key_press_event", KeyEvent("key_press_event", fig.canvas, k))

    assert pad.save() is None                                # nothing drawn: nothing saved
    send("button_press_event", 150, 50)
    for y in range(60, 240, 20):
        send("motion_notify_event", 150, y)
    send("button_release_event", 150, 235)
    assert pad.ink[50:221, 145:156].min() > 0.9 and pad.ink[:, :100].max() == 0
    assert pad.guess is not None and 0 <= pad.guess["digit"] <= 9
    seen = pad.seen_im.get_array()
    assert np.allclose(seen, load_image(1 - pad.ink).reshape(28, 28))
    assert pad.pad_ax.get_title().startswith(f"the network reads {pad.guess['digit']} (top three: ")
    key("s")
    key("s")
    assert [p.name for p in pad.saved] == ["digit-1.png", "digit-2.png"]
    assert distance(load_image(pad.saved[0]), load_image(1 - pad.ink)) < 8     # the PNG rounds to 8 bits
    key("c")
    assert pad.ink.max() == 0 and pad.guess is None and pad.pad_ax.get_title().startswith("draw a digit")
    plt.close(fig)
    headless = run(str(script_path("draw.py")))
    assert headless.returncode == 1 and headless.stderr.startswith("error: the drawing pad needs a display")


@pytest.mark.parametrize("script", ["inspect_network.py", "photographed_digits.py"])
def test_a_network_that_is_not_for_mnist_is_refused_before_any_work(tmp_path, script):
    network.MatrixNetwork([4, 3, 2]).save(tmp_path / "small.json")
    out = run(str(script_path(script)), str(tmp_path / "small.json"), "--runs-dir", str(tmp_path / "runs"))
    assert out.returncode == 2 and "small.json: this network does not take MNIST's 784 pixels" in out.stderr
    assert not (tmp_path / "runs").exists()
    network.MatrixNetwork([784, 3, 2]).save(tmp_path / "two.json")
    out = run(str(script_path(script)), str(tmp_path / "two.json"), "--runs-dir", str(tmp_path / "runs"))
    assert out.returncode == 2 and "two.json: this network has 2 outputs, not MNIST's 10 digits" in out.stderr


def test_inspect_network_writes_every_picture(tmp_path, mnist_pkl):
    (x, y), _, _ = mnist_loader.load_data(mnist_pkl)
    conv = network.ConvNetwork([network.ConvPoolLayer((4, 1, 5, 5), (10, 1, 28, 28)), network.FullyConnectedLayer(4 * 12 * 12, 10),
                                network.SoftmaxLayer(10, 10)], seed=0)
    conv.SGD((x[:500], y[:500]), 1, 10, 0.1, verbose=False)
    conv.save(tmp_path / "conv.json")
    out = run(str(script_path("inspect_network.py")), str(tmp_path / "conv.json"), "--runs-dir",
              str(tmp_path), "--data", str(mnist_pkl), "--most", "30")
    assert out.returncode == 0, out.stderr
    folder = tmp_path / "inspect"
    for name in ("errors.png", "confusion.png", "per_digit.png", "filters.png", "confusion.csv"):
        assert (folder / name).stat().st_size > 100, name
    rows = [line.split(",") for line in (folder / "confusion.csv").read_text().splitlines()[1:]]
    confusion = np.array([[int(v) for v in row[1:]] for row in rows])
    assert confusion.shape == (10, 10) and confusion.sum() == 10000
    assert f"{100 * np.trace(confusion) / 10000:.2f}% of the test digits right" in out.stdout
    network.MatrixNetwork([784, 16, 10], seed=0).save(tmp_path / "fc.json")
    run(str(script_path("inspect_network.py")), str(tmp_path / "fc.json"), "--runs-dir", str(tmp_path),
        "--data", str(mnist_pkl))
    assert (tmp_path / "inspect-2" / "hidden_weights.png").is_file()


def test_photographed_digits_measures_both_accuracies(tmp_path, mnist_pkl):
    network.MatrixNetwork([784, 16, 10], seed=0).save(tmp_path / "fc.json")
    out = run(str(script_path("photographed_digits.py")), str(tmp_path / "fc.json"), "--samples", "40",
              "--jobs", "1", "--runs-dir", str(tmp_path), "--data", str(mnist_pkl))
    assert out.returncode == 0, out.stderr
    results = (tmp_path / "photographed" / "RESULTS.md").read_text()
    assert "| MatrixNetwork([784, 16, 10]" in results and results.count("%") >= 2
    assert (tmp_path / "photographed" / "examples.png").stat().st_size > 1000
