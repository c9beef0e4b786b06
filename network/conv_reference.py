"""The convolution layer the short way, to read and to test the fast one against.

*Deep Learning from Scratch*'s layout: images x (m, C, H, W), filters W (F, C, kh, kw), biases
b (F,). im2col is numpy's ``sliding_window_view``: every (kh, kw) window of every image, a row
each. ``ConvPoolLayer`` (conv_layers.py) computes the same numbers with samples on the last axis
and hand-made strided kernels, for speed; tests/test_conv.py checks the two agree (outputs and
gradients). As there, out = sigma(maxpool(conv(x)) + b), and the pooling's gradient goes to the
first maximum of each block in (p, q) order.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .activations import Activation


def im2col(x: np.ndarray, kh: int, kw: int) -> np.ndarray:
    """x (m, C, H, W) -> (m*oh*ow, C*kh*kw): row (n, i, j) is the window x[n, :, i:i+kh, j:j+kw]."""
    m, c, h, w = x.shape
    windows = sliding_window_view(x, (kh, kw), axis=(2, 3))          # (m, C, oh, ow, kh, kw), a view
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(m * (h - kh + 1) * (w - kw + 1), c * kh * kw)


def col2im(cols: np.ndarray, x_shape: tuple, kh: int, kw: int) -> np.ndarray:
    """The adjoint of ``im2col``: each row's entries added back to the pixels its window read."""
    m, c, h, w = x_shape
    oh, ow = h - kh + 1, w - kw + 1
    windows = cols.reshape(m, oh, ow, c, kh, kw)
    dx = np.zeros(x_shape, dtype=cols.dtype)
    for p in range(kh):
        for q in range(kw):
            dx[:, :, p:p + oh, q:q + ow] += windows[:, :, :, :, p, q].transpose(0, 3, 1, 2)
    return dx


def forward(x: np.ndarray, W: np.ndarray, b: np.ndarray, pool: tuple[int, int], activation: Activation
            ) -> tuple[np.ndarray, tuple]:
    """sigma(maxpool(W * x) + b): (m, F, H', W'), and what ``backward`` needs."""
    f, _, kh, kw = W.shape
    m, _, h, w = x.shape
    oh, ow, (ph, pw) = h - kh + 1, w - kw + 1, pool
    cols = im2col(x, kh, kw)
    z = (cols @ W.reshape(f, -1).T).reshape(m, oh, ow, f).transpose(0, 3, 1, 2)        # the convolution
    blocks = z[:, :, :oh // ph * ph, :ow // pw * pw].reshape(m, f, oh // ph, ph, ow // pw, pw)
    blocks = blocks.transpose(0, 1, 2, 4, 3, 5).reshape(m, f, oh // ph, ow // pw, ph * pw)
    pooled = blocks.max(axis=-1)                                                       # the pooling
    pre = pooled + b[None, :, None, None]
    a = activation.fn(pre)                                                             # bias, activation
    return a, (x.shape, cols, z.shape, blocks.argmax(axis=-1), pre, a)


def backward(dout: np.ndarray, W: np.ndarray, cache: tuple, pool: tuple[int, int], activation: Activation
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dx, dW, db) from dout = dC/d(output) (m, F, H', W')."""
    x_shape, cols, z_shape, first_max, pre, a = cache
    f, _, kh, kw = W.shape
    m, _, oh, ow = z_shape
    ph, pw = pool
    delta = dout * activation.prime(pre, a)
    db = delta.sum(axis=(0, 2, 3))
    to_max = (np.arange(ph * pw) == first_max[..., None]) * delta[..., None]           # (m, F, H', W', ph*pw)
    blocks = to_max.reshape(*to_max.shape[:4], ph, pw).transpose(0, 1, 2, 4, 3, 5)     # (m, F, H', ph, W', pw)
    dz = np.zeros(z_shape, dtype=dout.dtype)
    dz[:, :, :oh // ph * ph, :ow // pw * pw] = blocks.reshape(m, f, oh // ph * ph, ow // pw * pw)
    dz_rows = dz.transpose(0, 2, 3, 1).reshape(-1, f)                                  # (m*oh*ow, F)
    dW = (dz_rows.T @ cols).reshape(W.shape)
    dx = col2im(dz_rows @ W.reshape(f, -1), x_shape, kh, kw)
    return dx, dW, db


def filters(w: np.ndarray, filter_shape: tuple) -> np.ndarray:
    """``ConvPoolLayer.w`` (kh*kw*C, F), rows in (p, q, c) order, as DLfS's filters W (F, C, kh, kw)."""
    f, c, kh, kw = filter_shape
    return w.reshape(kh, kw, c, f).transpose(3, 2, 0, 1)
