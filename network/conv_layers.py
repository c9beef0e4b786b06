"""Chapter 6's layers (``network3.py``) in numpy: convolution with max-pooling, fully connected,
softmax. Each has a ``forward`` that keeps what ``backward`` needs and a ``backward`` that takes
the gradient of the cost with respect to the layer's output, stores ``dw`` and ``db`` and returns
the gradient with respect to its input, as the graph layers of *Deep Learning from Scratch*; the
fully connected and softmax layers are made of those graph layers (layers.py).

Inside a conv net, images travel as (channels, height, width, m) arrays: the samples are the last
axis, as the columns of Nielsen's vectors. A convolution is then one matrix product over all the
windows of the mini-batch (im2col):

    cols[(p, q, c), (i, j, n)] = x[c, i + p, j + q, n]     (kh*kw*C, oh*ow*m), a strided view copied once
    z = w^T cols                                         (F, oh*ow*m): every filter at every position

and its backward pass is the same product transposed: dw = cols dz^T, dcols = w dz, and dx the
exact adjoint of im2col (``col2im``: every window's gradient added back where it was read). With
the samples last, every copy and every add runs over long contiguous stretches (a whole row of
windows for the whole mini-batch). Like ``network3.py``, the activation comes after the pooling:
out = sigma(maxpool(conv(x)) + b). The filters are applied as written (cross-correlation, as
PyTorch's conv2d); Theano flipped them, which only relabels the random initial weights.

``conv_reference.py`` is the same layer the short way, in DLfS's (m, C, H, W) layout with numpy's
``sliding_window_view``: read it first; the tests check these kernels against it. A layer's
``forward`` checks its input at its door; its ``w`` and ``b`` are plain arrays (assigning one
shares it), which ``ConvNetwork`` checks at its own doors.
"""
from __future__ import annotations

import copy
from typing import Any, Optional, Sequence

import numpy as np
from numpy.typing import DTypeLike

from .activations import get_activation, softmax
from .layers import Affine, SoftmaxWithLoss, activation_layer
from .validation import check_int, check_probability, float_dtype


def _view(x: np.ndarray, shape: tuple, strides: tuple) -> np.ndarray:
    """A strided view of the contiguous array ``x`` (numpy's ``as_strided``, without its overhead)."""
    return np.ndarray(shape, x.dtype, x, 0, strides)


def im2col(x: np.ndarray, kh: int, kw: int) -> np.ndarray:
    """Every (kh, kw) window of x (C, H, W, m) as a column: (kh*kw*C, oh*ow*m), oh = H - kh + 1,
    rows in (p, q, c) order, columns in (i, j, n) order: one copy of a strided view of x."""
    x = np.ascontiguousarray(x)
    c, h, w, m = x.shape
    sc, sh, sw, sn = x.strides
    windows = _view(x, (kh, kw, c, h - kh + 1, w - kw + 1, m), (sh, sw, sc, sh, sw, sn))
    return windows.reshape(kh * kw * c, -1)                    # the one copy


def convolve(cols: np.ndarray, w: np.ndarray, x_shape: tuple, kh: int, kw: int) -> np.ndarray:
    """The convolution from im2col's columns: z = cols^T w, every filter (a column of w) at every
    window, as (oh, ow, m, F), positions by filters, so that the pooling reads long runs."""
    _, h, wd, m = x_shape
    return (cols.T @ w).reshape(h - kh + 1, wd - kw + 1, m, -1)


def col2im(cols: np.ndarray, x_shape: tuple, kh: int, kw: int) -> np.ndarray:
    """The adjoint of ``im2col``: each column's entries added back to the pixels its window read."""
    c, h, w, m = x_shape
    oh, ow = h - kh + 1, w - kw + 1
    windows = cols.reshape(kh, kw, c, oh, ow, m)
    dx = np.zeros(x_shape, dtype=cols.dtype)
    for p in range(kh):                                        # kh*kw strided adds, not pixel loops
        for q in range(kw):
            dx[:, p:p + oh, q:q + ow] += windows[p, q]
    return dx


def _pool_blocks(z: np.ndarray, ph: int, pw: int) -> np.ndarray:
    """z (H, W, ...) as a view of its (ph, pw) blocks, (H//ph, ph, W//pw, pw, R) with R the
    trailing axes flattened; the border that does not fill a block is left out (Theano's
    ignore_border)."""
    h, w = z.shape[:2]
    sh, sw = z.strides[:2]
    return _view(z, (h // ph, ph, w // pw, pw, z[0, 0].size), (ph * sh, sh, pw * sw, sw, z.itemsize))


def _first_max(views: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The elementwise maximum of ``views``, and the index of the first view that attains it."""
    if len(views) == 1:
        return views[0].copy(), np.zeros(views[0].shape, np.uint8)
    best = np.maximum(views[0], views[1])
    index = (views[1] > views[0]).view(np.uint8)
    for k, v in enumerate(views[2:], start=2):
        np.copyto(index, k, where=v > best)
        np.maximum(best, v, out=best)
    return best, index


def maxpool(z: np.ndarray, ph: int, pw: int) -> tuple[np.ndarray, tuple]:
    """Max over non-overlapping (ph, pw) blocks of the first two axes of z (H, W, ...) ->
    (H//ph, W//pw, ...), and the switches ``maxpool_backward`` needs: which entry of each block is
    its first maximum in (p, q) order (the maximum over q first, then over the rows p of those)."""
    z = np.ascontiguousarray(z)
    blocks = _pool_blocks(z, ph, pw)
    rows, q_index = _first_max([blocks[:, :, :, q] for q in range(pw)])      # (H', ph, W', R)
    pooled, p_index = _first_max([rows[:, p] for p in range(ph)])            # (H', W', R)
    return pooled.reshape(blocks.shape[0], blocks.shape[2], *z.shape[2:]), (z.shape, (ph, pw), q_index, p_index)


def maxpool_backward(dout: np.ndarray, switches: tuple) -> np.ndarray:
    """The gradient of ``maxpool``: each block's dout goes to its first maximum, zero elsewhere;
    on ties, one entry gets it all, as a subgradient must."""
    z_shape, (ph, pw), q_index, p_index = switches
    dout = dout.reshape(p_index.shape)
    drows = np.empty(q_index.shape, dout.dtype)
    for p in range(ph):
        np.multiply(dout, p_index == p, out=drows[:, p])
    whole = z_shape[0] % ph == 0 and z_shape[1] % pw == 0
    dz = np.empty(z_shape, dout.dtype) if whole else np.zeros(z_shape, dout.dtype)
    blocks = _pool_blocks(dz, ph, pw)
    for q in range(pw):
        np.multiply(drows, q_index == q, out=blocks[:, :, :, q])
    return dz


def as_images(x: np.ndarray, shape: tuple) -> np.ndarray:
    """Rows (m, C*H*W) of pixels in (c, h, w) order, as MNIST's 784 pixels are, or images
    (C, H, W, m) -> images (C, H, W, m)."""
    return x.T.reshape(*shape, len(x)) if x.ndim == 2 else x


def as_rows(x: np.ndarray) -> np.ndarray:
    """Images (C, H, W, m) -> rows (m, C*H*W) in (c, h, w) order (a view); rows stay rows."""
    return x.reshape(-1, x.shape[-1]).T if x.ndim > 2 else x


class ConvPoolLayer:
    """Convolution, max-pooling, then bias and activation, as ``network3.ConvPoolLayer``.

    ``filter_shape`` (filters F, input channels C, kh, kw) and ``image_shape`` (mini-batch
    size, C, height, width) are network3's; the mini-batch size is not binding here. Images
    are (C, H, W, m) both ways (``out_shape`` is (F, H', W')); the first layer also takes rows of
    pixels (m, C*H*W). Weights N(0, 1/n_out) with n_out = F kh kw / (pool area), biases N(0, 1),
    as network3; ``w`` is (kh*kw*C, F), its rows in im2col's (p, q, c) order.
    """

    def __init__(self, filter_shape: Sequence[int], image_shape: Sequence[int], poolsize: Sequence[int] = (2, 2),
                 activation_fn: str = "sigmoid", rng: Optional[np.random.Generator] = None, dtype: DTypeLike=np.float32) -> None:
        f, c, kh, kw = _shape(filter_shape, 4, "filter_shape")
        _, c_in, h, w = _shape(image_shape, 4, "image_shape")
        if c != c_in:
            raise ValueError(f"ConvPoolLayer: filters read {c} channels but images have {c_in}")
        if kh > h or kw > w:
            raise ValueError(f"ConvPoolLayer: {kh}x{kw} filters do not fit {h}x{w} images")
        ph, pw = _shape(poolsize, 2, "poolsize")
        self.filter_shape, self.image_shape, self.poolsize = (f, c, kh, kw), (c, h, w), (ph, pw)
        self.activation = get_activation(activation_fn)
        self.out_shape = (f, (h - kh + 1) // ph, (w - kw + 1) // pw)    # (channels, height, width)
        if min(self.out_shape) < 1:
            raise ValueError(f"ConvPoolLayer: {ph}x{pw} pooling does not fit the {h - kh + 1}x{w - kw + 1} convolution")
        self.n_in, self.n_out = c * h * w, int(np.prod(self.out_shape))
        self.dtype = float_dtype(dtype)
        self.w_shape, self.b_shape = (c * kh * kw, f), (f,)
        self.w = self.b = None       # the filters as one matrix (C kh kw, F), a column per filter; the biases (F,)
        self.initialize(np.random.default_rng() if rng is None else rng)
        self.dw = self.db = None
        self._cache: tuple = ()

    def initialize(self, rng: np.random.Generator, init: str = "network3") -> None:
        """network3's initial weights: N(0, 1/n_out), n_out = F kh kw / pool area; or He's,
        N(0, 2/n_in) with n_in = C kh kw, the fan-in of a filter (problem 6.11); biases N(0, 1)."""
        f, c, kh, kw = self.filter_shape
        n_out = f * kh * kw / (self.poolsize[0] * self.poolsize[1])
        variance = initial_variance(init, c * kh * kw, n_out)
        self.w = rng.normal(0.0, np.sqrt(variance), (c * kh * kw, f)).astype(self.dtype)
        self.b = rng.normal(0.0, 1.0, f).astype(self.dtype)

    def replica(self) -> "ConvPoolLayer":
        """A copy that shares this layer's weights and keeps its own forward and backward state
        (ConvNetwork's parallel lanes)."""
        twin = copy.copy(self)
        twin._cache = ()
        return twin

    def forward(self, x: np.ndarray, training: bool = False, rng: Optional[np.random.Generator] = None) -> np.ndarray:
        """x: images (C, H, W, m) or rows (m, C*H*W), checked -> sigma(maxpool(w * x) + b), (F, H', W', m).
        Keeps what backward needs (``conv_reference.py`` computes the same in DLfS's layout)."""
        x = self._images(x)
        _, _, kh, kw = self.filter_shape
        cols = im2col(x, kh, kw)                                # every window of every image, a column each
        z = convolve(cols, self.w, x.shape, kh, kw)             # every filter at every position: (oh, ow, m, F)
        pooled, switches = maxpool(z, *self.poolsize)           # the max of each pool block: (H', W', m, F)
        pre = pooled + self.b
        a = self.activation.fn(pre)                             # bias and activation after the pooling, as network3
        self._cache = (x.shape, cols, switches, pre, a)
        return np.ascontiguousarray(a.transpose(3, 0, 1, 2))    # back to images (F, H', W', m)

    def backward(self, dout: np.ndarray, need_dx: bool = True) -> Optional[np.ndarray]:
        """dout = dC/d(output), images or rows. delta = dout * sigma'(pre) (BP2's Hadamard product);
        db = its sum (BP3); the pooling sends it to each block's maximum; dw = cols dz (BP4);
        returns dC/dx = col2im(w dz^T), or None for the first layer (``need_dx=False``)."""
        if not self._cache:
            raise RuntimeError("ConvPoolLayer.backward before forward: a forward pass keeps what backward needs")
        x_shape, cols, switches, pre, a = self._cache
        out_shape = (*self.out_shape, x_shape[3])
        if np.shape(dout) not in (out_shape, (x_shape[3], self.n_out)):
            raise ValueError(f"ConvPoolLayer.backward: dout has shape {np.shape(dout)}, the last forward gave "
                             f"{out_shape} (or rows ({x_shape[3]}, {self.n_out}))")
        delta = as_images(dout, self.out_shape).transpose(1, 2, 3, 0) * self.activation.prime(pre, a)
        self.db = delta.sum(axis=(0, 1, 2))
        dz = maxpool_backward(delta, switches).reshape(-1, len(self.b))          # (oh*ow*m, F)
        self.dw = cols @ dz
        if not need_dx:                                      # the first layer: no gradient for the pixels
            return None
        _, _, kh, kw = self.filter_shape
        return col2im(self.w @ dz.T, x_shape, kh, kw)

    def _images(self, x: Any) -> np.ndarray:
        """The layer's door: x as images (C, H, W, m) of the layer's shape and dtype, real and finite,
        m >= 1; rows (m, C*H*W) are taken too. Raises ValueError naming what does not fit."""
        c, h, w = self.image_shape
        x = np.asarray(x)
        if x.dtype.kind not in "fiu":
            raise ValueError(f"ConvPoolLayer input holds {x.dtype} values, expected real numbers")
        if x.ndim == 2:
            if x.shape[1] != c * h * w:
                raise ValueError(f"ConvPoolLayer input rows have {x.shape[1]} values, the layer reads "
                                 f"{c}x{h}x{w} = {c * h * w} per image")
            x = as_images(x, self.image_shape)
        elif x.ndim != 4:
            raise ValueError(f"ConvPoolLayer input has shape {x.shape}: expected images (C, H, W, m) = "
                             f"({c}, {h}, {w}, m) or rows (m, {c * h * w})")
        elif x.shape[:3] != self.image_shape:
            if x.shape[1:] == self.image_shape:
                raise ValueError(f"ConvPoolLayer input has shape {x.shape}, images in (m, C, H, W) order; this layer "
                                 f"takes (C, H, W, m) = ({c}, {h}, {w}, m): pass x.transpose(1, 2, 3, 0)")
            if x.shape[0] != c:
                raise ValueError(f"ConvPoolLayer input has {x.shape[0]} channels (shape {x.shape}), the layer's "
                                 f"filters read {c}")
            raise ValueError(f"ConvPoolLayer input images are {x.shape[1]}x{x.shape[2]}, the layer was made for "
                             f"{h}x{w} (shape {x.shape}; expected ({c}, {h}, {w}, m))")
        if x.shape[3] == 0:
            raise ValueError("ConvPoolLayer input has no images (m = 0)")
        if not np.isfinite(x).all():
            raise ValueError("ConvPoolLayer input contains non-finite values (nan or inf)")
        return x.astype(self.dtype, copy=False)


def _affine_alias(name: str) -> property:
    """The attribute ``name`` of a layer's ``affine`` (an ``Affine`` of layers.py) under network3's name."""
    return property(lambda self: getattr(self.affine, name), lambda self, value: setattr(self.affine, name, value))


class FullyConnectedLayer:
    """a = sigma(x w + b), as ``network3.FullyConnectedLayer``, made of the graph layers ``Affine``
    and an activation layer: w (n_in, n_out) N(0, 1/n_out), b N(0, 1). Takes rows (m, n_in) or
    images (C, H, W, m), flattened in (c, h, w) order. With ``p_dropout``, training drops each
    input with that probability; evaluation keeps all and scales them by (1 - p_dropout), as
    network3 does."""

    def __init__(self, n_in: int, n_out: int, activation_fn: str = "sigmoid", p_dropout: float = 0.0,
                 rng: Optional[np.random.Generator] = None, dtype: DTypeLike=np.float32) -> None:
        self.n_in, self.n_out = check_int(n_in, "n_in"), check_int(n_out, "n_out")
        self.p_dropout = check_probability(p_dropout, "p_dropout")
        self.activation = self._activation(activation_fn)
        self.dtype = float_dtype(dtype)
        self.w_shape, self.b_shape = (self.n_in, self.n_out), (self.n_out,)
        self.affine = Affine(np.zeros(self.w_shape, self.dtype), np.zeros(self.b_shape, self.dtype))
        self.initialize(np.random.default_rng() if rng is None else rng)
        self._act = activation_layer(self.activation.name) if self.activation is not None else None
        self.mask: Optional[np.ndarray] = None      # the last training mask (tests may set it)
        self._x_shape: tuple = ()

    def _activation(self, name: str):
        return get_activation(name)

    # network3's names for the affine step's arrays (the very arrays: assigning one shares it) and gradients
    w, b, dw, db = (_affine_alias(name) for name in ("W", "b", "dW", "db"))

    def initialize(self, rng: np.random.Generator, init: str = "network3") -> None:
        """network3's initial weights: N(0, 1/n_out); or He's, N(0, 2/n_in) (problem 6.11); biases N(0, 1)."""
        variance = initial_variance(init, self.n_in, self.n_out)
        self.w = rng.normal(0.0, np.sqrt(variance), (self.n_in, self.n_out)).astype(self.dtype)
        self.b = rng.normal(0.0, 1.0, self.n_out).astype(self.dtype)

    def replica(self) -> "FullyConnectedLayer":
        """A copy that shares this layer's weights and keeps its own forward and backward state."""
        twin = copy.copy(self)
        twin.affine = Affine(self.affine.W, self.affine.b)
        twin._act = activation_layer(self.activation.name) if self.activation is not None else None
        twin.mask = None
        if isinstance(self, SoftmaxLayer):
            twin.loss = SoftmaxWithLoss()
        return twin

    def _affine(self, x: np.ndarray, training: bool, rng: Optional[np.random.Generator]) -> np.ndarray:
        """z = x w + b on the (dropped-out or scaled) inputs, x as rows."""
        self._x_shape = x.shape
        x = as_rows(x)
        if x.shape[1] != self.n_in:
            raise ValueError(f"{type(self).__name__}: input has {x.shape[1]} values per sample, n_in is {self.n_in}")
        if self.p_dropout and training:
            if rng is not None:                 # a new mask; without rng the last one again (gradient checks)
                self.mask = (rng.random(x.shape, dtype=np.float32) >= self.p_dropout).astype(x.dtype)
            elif self.mask is None or self.mask.shape != x.shape:
                raise ValueError(f"{type(self).__name__}: training with dropout needs rng, or a mask of shape {x.shape}")
            x = x * self.mask
        elif self.p_dropout:                    # evaluation: every input, scaled by 1 - p (the mask is kept)
                x = (1.0 - self.p_dropout) * x
        return self.affine.forward(x)

    def _backward_affine(self, dz: np.ndarray) -> np.ndarray:
        """dw = x^T dz (BP4), db = its column sums (BP3); returns dC/dx = dz w^T in the input's
        shape, zero where dropout removed the input."""
        dx = self.affine.backward(dz)
        if self.mask is not None:
            dx *= self.mask
        return dx.T.reshape(self._x_shape) if len(self._x_shape) > 2 else dx

    def forward(self, x: np.ndarray, training: bool = False, rng: Optional[np.random.Generator] = None) -> np.ndarray:
        return self._act.forward(self._affine(x, training, rng))

    def backward(self, dout: np.ndarray, need_dx: bool = True) -> np.ndarray:
        """delta = dout * sigma'(z) (BP2), then the affine step's backward (BP3, BP4)."""
        return self._backward_affine(self._act.backward(dout))


class SoftmaxLayer(FullyConnectedLayer):
    """The output layer: softmax(x w + b), weights and biases zero at the start (network3), with
    the log-likelihood cost C = -mean ln a_y of the graph layer ``SoftmaxWithLoss``.
    ``backward(labels)`` takes the labels, not a gradient: dC/dz = (a - onehot(y)) / m, the
    softmax's Jacobian folded in (BP1)."""

    def __init__(self, n_in: int, n_out: int, p_dropout: float = 0.0, rng: Optional[np.random.Generator] = None,
                 dtype: DTypeLike=np.float32) -> None:
        super().__init__(n_in, n_out, None, p_dropout, rng, dtype)
        self.loss = SoftmaxWithLoss()
        self._scores: Optional[np.ndarray] = None

    def _activation(self, name: None) -> None:
        return None                             # softmax, in forward

    def initialize(self, rng: np.random.Generator, init: str = "network3") -> None:
        """Zero weights and biases, as network3's SoftmaxLayer (whatever ``init``)."""
        self.w = np.zeros((self.n_in, self.n_out), dtype=self.dtype)
        self.b = np.zeros(self.n_out, dtype=self.dtype)

    def forward(self, x: np.ndarray, training: bool = False, rng: Optional[np.random.Generator] = None) -> np.ndarray:
        """The probabilities softmax(z) (m, n_out): network3's output; their argmax is the prediction."""
        self._scores = self._affine(x, training, rng)
        return softmax(self._scores)

    def cost(self, labels: np.ndarray) -> float:
        """-mean ln a_y over the last forward pass's samples (network3's log-likelihood)."""
        return self.loss.forward(self._scores, labels)

    def backward(self, labels: np.ndarray, need_dx: bool = True) -> np.ndarray:
        """BP1 for softmax with the log-likelihood: delta = (a - onehot(y)) / m (SoftmaxWithLoss);
        then the affine step's backward: dw, db and the returned dC/dx."""
        self.loss.forward(self._scores, labels)
        return self._backward_affine(self.loss.backward(1.0))


CONV_INITS = ("network3", "he")


def initial_variance(init: str, n_in: int, n_out: float) -> float:
    """The variance of a layer's initial weights: network3's 1/n_out, or He's 2/n_in for ReLU
    layers (problem 6.11: it keeps the variance of the activations from layer to layer)."""
    if init == "network3":
        return 1.0 / n_out
    if init == "he":
        return 2.0 / n_in
    raise ValueError(f"init must be one of {CONV_INITS}, got {init!r}")


def _shape(values: Sequence[int], n: int, name: str) -> tuple[int, ...]:
    """``n`` positive integers, e.g. a filter shape or a pool size."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__") or len(values) != n:
        raise ValueError(f"{name} must be {n} positive integers, got {values!r}")
    return tuple(check_int(v, f"{name}[{i}]") for i, v in enumerate(values))
