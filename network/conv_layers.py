"""Chapter 6's layers (``network3.py``) in numpy: convolution with max-pooling, fully connected,
softmax. Each has a ``forward`` that keeps what ``backward`` needs and a ``backward`` that takes
the gradient of the cost with respect to the layer's output, stores ``dw`` and ``db`` and returns
the gradient with respect to its input, as the graph layers of *Deep Learning from Scratch*.

Images travel as (m, height, width, channels) arrays, samples first: a convolution is then one
matrix product over all the windows of the mini-batch (im2col):

    cols[(n, i, j), (p, q, c)] = x[n, i + p, j + q, c]          (m*oh*ow, kh*kw*C), a strided view copied once
    z = cols @ W^T                                              (m*oh*ow, F): every filter at every position

and its backward pass is the same product transposed: dW = dz^T cols, dcols = dz W, and dx the
exact adjoint of im2col (``col2im``: every window's gradient added back where it was read). Like
``network3.py``, the activation comes after the pooling: out = sigma(maxpool(conv(x)) + b). The
filters are applied as written (cross-correlation, as PyTorch's conv2d); Theano flipped them,
which only relabels the random initial weights.
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .activations import get_activation, log_softmax
from .validation import check_int


def im2col(x: np.ndarray, kh: int, kw: int) -> np.ndarray:
    """Every (kh, kw) window of x (m, H, W, C) as a row: (m*oh*ow, kh*kw*C), oh = H - kh + 1,
    each row in (p, q, c) order, so that the copy reads runs of C contiguous channels."""
    c = x.shape[3]
    windows = sliding_window_view(x, (kh, kw), axis=(1, 2))   # (m, oh, ow, C, kh, kw), a view
    return windows.transpose(0, 1, 2, 4, 5, 3).reshape(-1, kh * kw * c)   # the one copy


def col2im(cols: np.ndarray, x_shape: tuple, kh: int, kw: int) -> np.ndarray:
    """The adjoint of ``im2col``: each row's entries added back to the pixels its window read."""
    m, h, w, c = x_shape
    oh, ow = h - kh + 1, w - kw + 1
    windows = cols.reshape(m, oh, ow, kh, kw, c)
    dx = np.zeros(x_shape, dtype=cols.dtype)
    for p in range(kh):                                       # kh*kw strided adds, not pixel loops
        for q in range(kw):
            dx[:, p:p + oh, q:q + ow, :] += windows[:, :, :, p, q, :]
    return dx


def _blocks(z: np.ndarray, ph: int, pw: int) -> list[np.ndarray]:
    """The ph*pw strided views of z (m, H, W, F), one per offset (p, q) inside the pooling
    blocks, each (m, H//ph, W//pw, F): element [n, i, j, f] of view (p, q) is z[n, i*ph + p, j*pw + q, f]."""
    oh, ow = z.shape[1] // ph, z.shape[2] // pw
    return [z[:, p:oh * ph:ph, q:ow * pw:pw] for p in range(ph) for q in range(pw)]


def maxpool(z: np.ndarray, ph: int, pw: int) -> np.ndarray:
    """Max over non-overlapping (ph, pw) blocks of z (m, H, W, F) -> (m, H//ph, W//pw, F);
    borders that do not fill a block are dropped (Theano's ignore_border)."""
    views = _blocks(z, ph, pw)
    pooled = views[0].copy()
    for v in views[1:]:
        np.maximum(pooled, v, out=pooled)
    return pooled


def maxpool_backward(dout: np.ndarray, z: np.ndarray, pooled: np.ndarray, ph: int, pw: int) -> np.ndarray:
    """The gradient of ``maxpool``: each block's dout goes to its first maximum (in (p, q)
    order), zero elsewhere; on ties, one entry gets it all, as a subgradient must."""
    dz = np.zeros(z.shape, dtype=dout.dtype)
    free = np.ones(pooled.shape, dtype=bool)                  # blocks whose maximum is not found yet
    for view, target in zip(_blocks(z, ph, pw), _blocks(dz, ph, pw)):
        hit = (view == pooled) & free
        np.copyto(target, dout, where=hit)
        free &= ~hit
    return dz


class ConvPoolLayer:
    """Convolution, max-pooling, then bias and activation, as ``network3.ConvPoolLayer``.

    ``filter_shape`` (filters F, input channels C, kh, kw) and ``image_shape`` (mini-batch
    size, C, height, width) are network3's; the mini-batch size is not binding here. Weights
    N(0, 1/n_out) with n_out = F kh kw / (pool area), biases N(0, 1), as network3.
    """

    def __init__(self, filter_shape: Sequence[int], image_shape: Sequence[int], poolsize: Sequence[int] = (2, 2),
                 activation_fn: str = "sigmoid", rng: Optional[np.random.Generator] = None, dtype=np.float32) -> None:
        f, c, kh, kw = (check_int(n, f"filter_shape[{i}]") for i, n in enumerate(filter_shape))
        _, c_in, h, w = (check_int(n, f"image_shape[{i}]") for i, n in enumerate(image_shape))
        if c != c_in:
            raise ValueError(f"ConvPoolLayer: filters read {c} channels but images have {c_in}")
        if kh > h or kw > w:
            raise ValueError(f"ConvPoolLayer: {kh}x{kw} filters do not fit {h}x{w} images")
        ph, pw = (check_int(n, f"poolsize[{i}]") for i, n in enumerate(poolsize))
        self.filter_shape, self.image_shape, self.poolsize = (f, c, kh, kw), (c, h, w), (ph, pw)
        self.activation = get_activation(activation_fn)
        self.out_shape = ((h - kh + 1) // ph, (w - kw + 1) // pw, f)    # (height, width, channels)
        if min(self.out_shape) < 1:
            raise ValueError(f"ConvPoolLayer: {ph}x{pw} pooling does not fit the {h - kh + 1}x{w - kw + 1} convolution")
        self.n_out = int(np.prod(self.out_shape))
        self.dtype = np.dtype(dtype)
        self.initialize(np.random.default_rng() if rng is None else rng)
        self.dw = self.db = None
        self._cache: tuple = ()

    def initialize(self, rng: np.random.Generator) -> None:
        """network3's initial weights: N(0, 1/n_out), n_out = F kh kw / pool area; biases N(0, 1).
        ``w`` is (kh*kw*C, F), its rows in im2col's (p, q, c) order, so that z = cols @ w."""
        f, c, kh, kw = self.filter_shape
        n_out = f * kh * kw / (self.poolsize[0] * self.poolsize[1])
        self.w = rng.normal(0.0, np.sqrt(1.0 / n_out), (c * kh * kw, f)).astype(self.dtype)
        self.b = rng.normal(0.0, 1.0, f).astype(self.dtype)

    def forward(self, x: np.ndarray, training: bool = False, rng: Optional[np.random.Generator] = None) -> np.ndarray:
        """x: (m, H, W, C), or rows (m, H*W*C) for the first layer (MNIST's 784 pixels) ->
        sigma(maxpool(x * w) + b), (m, H', W', F). Keeps what backward needs."""
        c, h, w = self.image_shape
        x = x.reshape(len(x), h, w, c) if x.ndim == 2 else x
        _, _, kh, kw = self.filter_shape
        cols = im2col(x, kh, kw)
        z = (cols @ self.w).reshape(len(x), h - kh + 1, w - kw + 1, -1)     # the convolution
        pooled = maxpool(z, *self.poolsize)
        pre = pooled + self.b
        a = self.activation.fn(pre)
        self._cache = (x.shape, cols, z, pooled, pre, a)
        return a

    def backward(self, dout: np.ndarray, need_dx: bool = True) -> Optional[np.ndarray]:
        """dout = dC/d(output). delta = dout * sigma'(pre) (BP2's Hadamard product); db = its sum
        (BP3); the pooling sends it to each block's maximum; dw = cols^T dz (BP4); returns
        dC/dx = col2im(dz w^T), or None for the first layer (``need_dx=False``)."""
        x_shape, cols, z, pooled, pre, a = self._cache
        dpre = dout.reshape(a.shape) * self.activation.prime(pre, a)
        self.db = dpre.sum(axis=(0, 1, 2))
        dz = maxpool_backward(dpre, z, pooled, *self.poolsize).reshape(-1, self.w.shape[1])
        self.dw = cols.T @ dz
        if not need_dx:                                      # the first layer: no gradient for the pixels
            return None
        _, _, kh, kw = self.filter_shape
        return col2im(dz @ self.w.T, x_shape, kh, kw)


class FullyConnectedLayer:
    """a = sigma(x w + b), as ``network3.FullyConnectedLayer``: w (n_in, n_out) N(0, 1/n_out),
    b N(0, 1). With ``p_dropout``, training drops each input with that probability; evaluation
    keeps all and scales ``x w`` by (1 - p_dropout), as network3 does."""

    def __init__(self, n_in: int, n_out: int, activation_fn: str = "sigmoid", p_dropout: float = 0.0,
                 rng: Optional[np.random.Generator] = None, dtype=np.float32) -> None:
        self.n_in, self.n_out = check_int(n_in, "n_in"), check_int(n_out, "n_out")
        if not 0.0 <= p_dropout < 1.0:
            raise ValueError(f"p_dropout must be in [0, 1), got {p_dropout!r}")
        self.p_dropout = float(p_dropout)
        self.activation = get_activation(activation_fn) if activation_fn is not None else None
        self.dtype = np.dtype(dtype)
        self.initialize(np.random.default_rng() if rng is None else rng)
        self.dw = self.db = None
        self._cache: tuple = ()
        self.mask: Optional[np.ndarray] = None      # the last training mask (tests may set it)
        self._x: Optional[np.ndarray] = None

    def initialize(self, rng: np.random.Generator) -> None:
        """network3's initial weights: N(0, 1/n_out); biases N(0, 1)."""
        self.w = rng.normal(0.0, np.sqrt(1.0 / self.n_out), (self.n_in, self.n_out)).astype(self.dtype)
        self.b = rng.normal(0.0, 1.0, self.n_out).astype(self.dtype)

    def _affine(self, x: np.ndarray, training: bool, rng: Optional[np.random.Generator]) -> np.ndarray:
        x = x.reshape(len(x), -1)
        if x.shape[1] != self.n_in:
            raise ValueError(f"{type(self).__name__}: input has {x.shape[1]} values per sample, n_in is {self.n_in}")
        if self.p_dropout and training:
            if rng is not None:                 # a new mask; without rng the last one again (gradient checks)
                self.mask = (rng.random(x.shape, dtype=np.float32) >= self.p_dropout).astype(x.dtype)
            elif self.mask is None or self.mask.shape != x.shape:
                raise ValueError(f"{type(self).__name__}: training with dropout needs rng, or a mask of shape {x.shape}")
            x = x * self.mask
            z = x @ self.w + self.b
        else:
            self.mask = None
            z = (1.0 - self.p_dropout) * (x @ self.w) + self.b if self.p_dropout else x @ self.w + self.b
        self._x = x
        return z

    def forward(self, x: np.ndarray, training: bool = False, rng: Optional[np.random.Generator] = None) -> np.ndarray:
        z = self._affine(x, training, rng)
        a = self.activation.fn(z)
        self._cache = (z, a)
        return a

    def _backward_affine(self, dz: np.ndarray) -> np.ndarray:
        self.dw = self._x.T @ dz
        self.db = dz.sum(axis=0)
        dx = dz @ self.w.T
        return dx * self.mask if self.mask is not None else dx

    def backward(self, dout: np.ndarray, need_dx: bool = True) -> np.ndarray:
        """delta = dout * sigma'(z) (BP2); dw = x^T delta (BP4), db = its column sums (BP3);
        returns dC/dx = delta w^T, zero where dropout removed the input."""
        z, a = self._cache
        return self._backward_affine(dout * self.activation.prime(z, a))


class SoftmaxLayer(FullyConnectedLayer):
    """The output layer: softmax(x w + b), weights and biases zero at the start (network3), with
    the log-likelihood cost C = -mean ln a_y. ``backward(labels)`` takes the labels, not a
    gradient: dC/dz = (a - onehot(y)) / m, the softmax's Jacobian folded in (BP1)."""

    def __init__(self, n_in: int, n_out: int, p_dropout: float = 0.0, rng: Optional[np.random.Generator] = None,
                 dtype=np.float32) -> None:
        super().__init__(n_in, n_out, None, p_dropout, rng, dtype)

    def initialize(self, rng: np.random.Generator) -> None:
        """Zero weights and biases, as network3's SoftmaxLayer."""
        self.w = np.zeros((self.n_in, self.n_out), dtype=self.dtype)
        self.b = np.zeros(self.n_out, dtype=self.dtype)

    def forward(self, x: np.ndarray, training: bool = False, rng: Optional[np.random.Generator] = None) -> np.ndarray:
        """The log-probabilities ln softmax(z) (m, n_out); their argmax is the prediction."""
        z = self._affine(x, training, rng)
        logp = log_softmax(z)
        self._cache = (logp,)
        return logp

    def cost(self, labels: np.ndarray) -> float:
        """-mean ln a_y over the last forward pass's samples (network3's log-likelihood)."""
        (logp,) = self._cache
        return float(-logp[np.arange(len(labels)), labels].mean(dtype=np.float64))

    def backward(self, labels: np.ndarray, need_dx: bool = True) -> np.ndarray:
        """BP1 for softmax with the log-likelihood: delta = (a - onehot(y)) / m; then as a fully
        connected layer: dw, db and the returned dC/dx."""
        (logp,) = self._cache
        dz = np.exp(logp)
        dz[np.arange(len(labels)), labels] -= 1
        dz /= len(labels)
        return self._backward_affine(dz)
