"""Any image of a digit, made the way MNIST's digits were made: ``load_image``.

MNIST's digits are light ink on a black background, size-normalised to fit a 20x20 box with
their aspect ratio kept (anti-aliased), and placed in a 28x28 field so that their centre of mass
is at its centre (every test digit's centre of mass lies within half a pixel of (14, 14)). A
photo or a drawing of a digit is none of that, so ``load_image`` does it, step by step:

1. grey levels in [0, 1] (RGB as luma; 16-bit and palette images included); transparent pixels
   become background (an image that is mostly transparent is laid on the colour its opaque
   pixels stand out from);
2. the background is the median of the image's border: if it is light, the image is inverted,
   so that ink is light; the background level is subtracted and the ink scaled so that its
   99th percentile is full intensity;
3. the ink is cropped to its bounding box, scaled to fit 20x20 keeping the aspect ratio
   (Lanczos, anti-aliased), and placed in 28x28 with its centre of mass at (14, 14);
4. the values quantised as ``load_data`` gives them: float32, v / 256 for v in 0..255.

Files are untrusted: a regular file of at most ``MAX_FILE_BYTES`` in one of ``FORMATS`` (never
a format Pillow hands to an outside program, as EPS to Ghostscript), and at most ``MAX_PIXELS``
pixels by its header, checked before anything is decoded; large images are reduced while they
are decoded. A photo's EXIF orientation is applied. Every failure is an ``ImageError`` that names the file (not an image, truncated,
too large, a blank page), never Pillow's own error or a DecompressionBombWarning.
"""
from __future__ import annotations

import os
import stat
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence, Union

import numpy as np

from .errors import ImageError

MAX_FILE_BYTES = 64 * 2**20
FORMATS = ("PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP", "PPM")   # decoded by Pillow itself
ORIENTATION = 0x0112               # the EXIF tag
MAX_PIXELS = 25_000_000           # width x height by the header, before decoding (a JPEG: 16 times more,
                                   # since it is decoded at a reduced size)
WORK_SIDE = 1024                   # images are reduced to at most this many pixels a side first
BOX, FIELD = 20, 28                # MNIST's box for the digit and its field
INK = 0.2                          # ink above this level (of full intensity) makes the bounding box

Source = Union[str, os.PathLike, np.ndarray]


def load_image(source: Source | Sequence[Source]) -> np.ndarray:
    """One image, from a path (PNG, JPEG, BMP, GIF's first frame, ...) or an array (any size;
    grey (h, w), RGB or RGBA (h, w, 3 | 4); uint8, uint16 (8 to 16 bits of data) or float in
    [0, 1]; light ink on dark or dark ink on light; a masked array's masked pixels are
    background), as ``mnist_loader.load_data`` gives images: float32 (784,). MNIST's own layouts
    are images, never a picture: (784,) and the book's (784, 1) column are one, rows (n, 784) (as
    ``load_data`` gives them) are n, each made into MNIST's format as a (784,) image is, giving
    (n, 784); so does a list of sources."""
    if isinstance(source, (list, tuple)):
        return np.stack([load_image(s) for s in source]) if source else np.zeros((0, FIELD * FIELD), np.float32)
    if isinstance(source, np.ndarray) and source.ndim == 2 and source.shape[1] == FIELD * FIELD:
        rows = list(source)                                  # n MNIST images (a masked array's rows stay masked)
        return load_image(rows) if rows else np.zeros((0, FIELD * FIELD), np.float32)
    grey, alpha, name = _read(source)
    return mnist_format(grey, alpha, name)


def preview(path: str | os.PathLike, side: int = 512) -> np.ndarray:
    """An image file as it is, for display: grey levels in [0, 1], at most ``side`` pixels a side
    (read within the same bounds as ``load_image``)."""
    with _opened(Path(path)) as im:
        im.thumbnail((side, side))
        grey, alpha = _from_pil(im, str(path))
    return grey if alpha is None else alpha * grey + (1 - alpha)


# ---------------------------------------------------------------------- reading
def _read(source: Source) -> tuple[np.ndarray, np.ndarray | None, str]:
    """(grey in [0, 1], alpha in [0, 1] or None, a name for messages)."""
    if isinstance(source, np.ndarray):
        return (*_from_array(source), "the array")
    if not isinstance(source, (str, os.PathLike)):
        raise ImageError(f"an image must be a path or a numpy array, got {type(source).__name__}")
    return (*_from_file(Path(source)), str(source))


def _from_array(a: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    mask = np.ma.getmaskarray(a) if np.ma.isMaskedArray(a) else None
    a = np.asarray(np.ma.getdata(a))                           # a plain array: np.matrix's and a masked array's data
    if a.shape in ((FIELD * FIELD,), (FIELD * FIELD, 1)):       # MNIST's own layout: a vector, or the book's column
        a = a.reshape(FIELD, FIELD)
        mask = None if mask is None else mask.reshape(FIELD, FIELD)
    if a.ndim == 3 and a.shape[2] == 1:
        a, mask = a[:, :, 0], None if mask is None else mask[:, :, 0]
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[2] in (3, 4))) or min(a.shape[:2]) < 1:
        raise ImageError(f"the array has shape {a.shape}: expected (h, w) grey, (h, w, 3) RGB or (h, w, 4) RGBA")
    if a.shape[0] * a.shape[1] > MAX_PIXELS:
        raise ImageError(f"the array has {a.shape[0] * a.shape[1]:,} pixels, more than {MAX_PIXELS:,}")
    if mask is not None and mask.any():                       # masked pixels: background, whatever they hold
        keep = ~(mask if mask.ndim == 2 else mask.any(axis=2))
        if not keep.any():
            raise ImageError(f"the array of shape {a.shape} is masked everywhere: no pixel to read")
        fill = np.median(a[keep], axis=0).astype(a.dtype)      # the background: most of the unmasked pixels
        a = np.where(keep if a.ndim == 2 else keep[:, :, None], a, fill)
    if a.dtype.kind == "b":
        v = a.astype(np.float32)
    elif a.dtype.kind in "ui":
        top = _full_scale(float(a.max()), floats=False)
        v = a.astype(np.float32) / top
    elif a.dtype.kind == "f":
        v = a.astype(np.float32)
        if not np.isfinite(v).all():
            raise ImageError(f"the array holds {_not_finite(v)}: expected grey levels")
        if v.max() > 1.0:                                         # 0..255 given as floats
            v = v / 255.0
    else:
        raise ImageError(f"the array has dtype {a.dtype}: expected numbers")
    if v.min() < 0 or v.max() > 1:
        raise ImageError(f"the array's values span {v.min():g}..{v.max():g}: expected 0..1 (or 0..255, or 8 to 16 bits)")
    if v.ndim == 2:
        return v, None
    grey = 0.299 * v[:, :, 0] + 0.587 * v[:, :, 1] + 0.114 * v[:, :, 2]
    return grey, (v[:, :, 3] if v.shape[2] == 4 else None)


BIT_DEPTHS = (255.0, 1023.0, 4095.0, 65535.0)    # 8, 10, 12 and 16 bits: what a uint16 image's data may be


def _full_scale(top: float, floats: bool) -> float:
    """The full scale of grey levels whose maximum is ``top``: 1 (floats only), or the smallest of
    8, 10, 12 and 16 bits that holds it (a 12-bit camera's data in uint16 is not 16-bit data)."""
    return next((t for t in ((1.0,) if floats else ()) + BIT_DEPTHS if top <= t), top)


def _not_finite(v: np.ndarray) -> str:
    bad = ~np.isfinite(v)
    return f"{int(bad.sum()):,} pixels that are not numbers (nan or inf)" if bad.any() else "no such pixels"


def _from_file(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    with _opened(path) as im:
        return _from_pil(im, str(path))


@contextmanager
def _opened(path: Path) -> Iterator:
    """The image file, checked and decoded (the first frame, EXIF orientation applied), within bounds."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        info = os.stat(path)
    except OSError as exc:
        raise ImageError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ImageError(f"{path}: not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise ImageError(f"{path}: {info.st_size:,} bytes, more than the {MAX_FILE_BYTES // 2**20} MiB an image may have")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path, formats=FORMATS) as im:
                w, h = im.size                                     # from the header: nothing decoded yet
                limit = MAX_PIXELS * (16 if im.format == "JPEG" else 1)
                if w * h > limit:
                    raise ImageError(f"{path}: {w} x {h} pixels, more than the {limit:,} an image may have")
                im.seek(0)                                          # a GIF's (or TIFF's) first frame
                # read before decoding: Pillow 9 reads a TIFF's EXIF from the file, which load() closes
                orientation = im.getexif().get(ORIENTATION, 1)
                im.draft("RGB", (WORK_SIDE, WORK_SIDE))              # JPEG: decode at a reduced size
                im.load()
                if orientation != 1:                                # a phone's photo, the right way up
                    im = ImageOps.exif_transpose(im)
                yield im
        except ImageError:
            raise
        except UnidentifiedImageError:
            raise ImageError(f"{path}: not an image in a format read here ({', '.join(FORMATS)})") from None
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:   # Pillow's own check at open
            raise ImageError(f"{path}: more pixels than an image may have ({exc})") from None
        except (OSError, ValueError, SyntaxError, EOFError, MemoryError) as exc:
            raise ImageError(f"{path}: cannot decode the image ({exc})") from None


def _from_pil(im, name: str = "the image") -> tuple[np.ndarray, np.ndarray | None]:
    if max(im.size) > WORK_SIDE:                                   # reduce first: bounded work and memory
        scale = WORK_SIDE / max(im.size)
        size = (max(1, round(im.size[0] * scale)), max(1, round(im.size[1] * scale)))
        im = (im.convert("F") if im.mode.startswith("I") else im).resize(size, _resampling().BOX)
    mode = im.mode
    if mode.startswith("I") or mode == "F":                        # 16- and 32-bit grey, float
        v = np.asarray(im, dtype=np.float64)
        if not np.isfinite(v).all():                                # a float TIFF or PFM with nan pixels
            raise ImageError(f"{name}: holds {_not_finite(v)}: expected grey levels")
        top = _full_scale(float(v.max()), floats=True)               # its bit depth
        return np.clip(v / top, 0, 1).astype(np.float32), None
    if "A" in mode or mode == "P" and "transparency" in im.info or mode == "PA":
        rgba = np.asarray(im.convert("RGBA"), dtype=np.float32) / 255.0
        return _from_array_rgba(rgba)
    if mode in ("1", "L"):
        return np.asarray(im.convert("L"), dtype=np.float32) / 255.0, None
    rgb = np.asarray(im.convert("RGB"), dtype=np.float32) / 255.0
    return 0.299 * rgb[:, :, 0] + 0.587 * rgb[:, :, 1] + 0.114 * rgb[:, :, 2], None


def _from_array_rgba(rgba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    grey = 0.299 * rgba[:, :, 0] + 0.587 * rgba[:, :, 1] + 0.114 * rgba[:, :, 2]
    return grey, rgba[:, :, 3]


# ---------------------------------------------------------------------- MNIST's preprocessing
def mnist_format(grey: np.ndarray, alpha: np.ndarray | None, name: str = "the image") -> np.ndarray:
    """Grey levels (h, w) in [0, 1] (and alpha, or None) -> one MNIST image, float32 (784,)."""
    grey = grey.astype(np.float32)
    if alpha is not None and np.mean(alpha < 0.5) > 0.1:           # mostly transparent: lay it on the colour
        opaque = grey[alpha >= 0.5]                                 # its opaque pixels stand out from
        paper = 1.0 if opaque.size == 0 or np.median(opaque) < 0.5 else 0.0
        grey = alpha * grey + (1 - alpha) * paper
    elif alpha is not None:                                         # nearly opaque: transparency is background
        border = _border(grey)
        grey = alpha * grey + (1 - alpha) * float(np.median(border))
    border = _border(grey)
    background = float(np.median(border))
    ink = 1.0 - grey if background > 0.5 else grey                  # MNIST: light ink on dark
    level = 1.0 - background if background > 0.5 else background
    ink = np.clip(ink - level, 0, None)
    strong = ink[ink > 0.1]
    if strong.size == 0 or ink.max() < 0.15:
        raise ImageError(f"{name}: no ink found (a blank page, or no contrast between the digit and the paper)")
    ink = np.clip(ink / np.percentile(strong, 99), 0, 1)
    rows, cols = np.flatnonzero((ink > INK).any(axis=1)), np.flatnonzero((ink > INK).any(axis=0))
    crop = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    digit = _fit(crop, BOX)
    field = _centre(digit, FIELD)
    return (np.round(field * 255) / 256).astype(np.float32).reshape(-1)


def _resampling():
    """Pillow's resampling filters: ``Image.Resampling`` from Pillow 9.1 on, ``Image`` before."""
    from PIL import Image

    return getattr(Image, "Resampling", Image)


def _border(a: np.ndarray) -> np.ndarray:
    """The outer frame of the image, 5% of each side (at least one pixel)."""
    k = max(1, round(0.05 * min(a.shape)))
    return np.concatenate([a[:k].ravel(), a[-k:].ravel(), a[:, :k].ravel(), a[:, -k:].ravel()])


def _fit(crop: np.ndarray, box: int) -> np.ndarray:
    """Scale so that the longer side is ``box`` pixels, the aspect ratio kept (Lanczos, clipped to [0, 1])."""
    from PIL import Image

    h, w = crop.shape
    scale = box / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if size == (w, h):
        return crop
    return np.clip(np.asarray(Image.fromarray(crop.astype(np.float32), mode="F").resize(size, _resampling().LANCZOS)), 0, 1)


def _centre(digit: np.ndarray, field: int) -> np.ndarray:
    """``digit`` in a field x field black image, moved by whole pixels so that its centre of mass
    is as near (field / 2, field / 2) as it can be while the digit stays inside."""
    h, w = digit.shape
    mass = digit.sum()
    rows, cols = np.arange(h), np.arange(w)
    ci, cj = (digit.sum(axis=1) @ rows) / mass, (digit.sum(axis=0) @ cols) / mass
    top = int(np.clip(round(field / 2 - ci), 0, field - h))
    left = int(np.clip(round(field / 2 - cj), 0, field - w))
    out = np.zeros((field, field), np.float32)
    out[top:top + h, left:left + w] = digit
    return out
