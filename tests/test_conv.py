"""Chapter 6's layers and ConvNetwork: against direct definitions (loops over pixels), against
the numerical gradient (float64), and end to end on MNIST."""
from __future__ import annotations

import json

import numpy as np
import pytest

import network
from network import (
    ConvNetwork,
    ConvPoolLayer,
    FullyConnectedLayer,
    SoftmaxLayer,
    gradient_check,
)
from network.conv_layers import col2im, im2col, maxpool, maxpool_backward
from network.data import count_correct
from network.files import NetworkFileError

F64 = np.float64


def _direct_conv(x, w4):
    """Cross-correlation by loops: x (m, H, W, C), w4 (F, C, kh, kw) -> (m, oh, ow, F)."""
    m, h, wd, c = x.shape
    f, _, kh, kw = w4.shape
    out = np.zeros((m, h - kh + 1, wd - kw + 1, f))
    for n in range(m):
        for i in range(h - kh + 1):
            for j in range(wd - kw + 1):
                for k in range(f):
                    out[n, i, j, k] = sum(x[n, i + p, j + q, ch] * w4[k, ch, p, q]
                                          for ch in range(c) for p in range(kh) for q in range(kw))
    return out


def test_im2col_is_the_windows_and_col2im_its_exact_adjoint():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 5, 6, 2))                       # (channels, height, width, samples)
    cols = im2col(x, 2, 3)
    assert cols.shape == (2 * 3 * 3, 4 * 4 * 2)
    col = (2 * 4 + 3) * 2 + 1                                   # position (2, 3), sample 1
    assert np.array_equal(cols[:, col].reshape(2, 3, 3), x[:, 2:4, 3:6, 1].transpose(1, 2, 0))   # (p, q, c)
    y = rng.standard_normal(cols.shape)
    assert np.isclose(np.sum(cols * y), np.sum(x * col2im(y, x.shape, 2, 3)), rtol=1e-13, atol=0)


def test_conv_layer_computes_the_convolution_then_pool_bias_and_activation():
    rng = np.random.default_rng(1)
    layer = ConvPoolLayer((3, 2, 3, 3), (4, 2, 7, 7), (2, 2), "tanh", rng, F64)
    x = rng.standard_normal((4, 7, 7, 2))
    w4 = layer.w.T.reshape(3, 3, 3, 2).transpose(0, 3, 1, 2)    # rows (p, q, c) -> (F, C, kh, kw)
    z = _direct_conv(x, w4)                                    # (4, 5, 5, 3); pooling drops the last row and column
    pooled = z[:, :4, :4].reshape(4, 2, 2, 2, 2, 3).max(axis=(2, 4))
    out = layer.forward(x.transpose(3, 1, 2, 0))                # images travel as (C, H, W, m)
    assert np.allclose(out.transpose(3, 1, 2, 0), np.tanh(pooled + layer.b), rtol=0, atol=1e-12)
    assert layer.out_shape == (3, 2, 2) and layer.n_out == 12
    rows = x.transpose(0, 3, 1, 2).reshape(4, -1)               # or rows of pixels in (c, h, w) order
    assert np.array_equal(layer.forward(rows), out)


def test_max_pooling_sends_the_gradient_to_one_maximum_even_on_ties():
    z = np.zeros((2, 2, 1))                                     # one block, all four tied
    z2 = np.array([1.0, 5.0, 5.0, 2.0]).reshape(2, 2, 1)        # a tie between two
    for block in (z, z2):
        pooled, switches = maxpool(block, 2, 2)
        dz = maxpool_backward(np.full(pooled.shape, 3.0), switches)
        assert pooled.item() == block.max() and dz.sum() == 3.0 and np.count_nonzero(dz) == 1
        chosen = np.unravel_index(np.argmax(dz), dz.shape)
        assert block[chosen] == block.max()
        # the directional derivative along all tied entries together is the one gradient entry: 3
        tied = (block == block.max()).astype(F64)
        h = 1e-6
        up = maxpool(block + h * tied, 2, 2)[0].item()
        assert np.isclose(3.0 * (up - pooled.item()) / h, np.sum(dz * tied))
        # raising only the chosen entry raises the maximum one for one (the right derivative)
        bump = np.zeros_like(block)
        bump[chosen] = h
        assert np.isclose((maxpool(block + bump, 2, 2)[0].item() - pooled.item()) / h, 1.0)


@pytest.mark.parametrize("shape", [(5, 4, 3), (4, 5, 3), (5, 5, 3)])
def test_max_pooling_leaves_the_rows_and_columns_it_drops_with_zero_gradient(shape):
    z = np.random.default_rng(0).standard_normal(shape)       # network3's ignore_border: 5 -> 2
    pooled, switches = maxpool(z, 2, 2)
    assert pooled.shape == (shape[0] // 2, shape[1] // 2, 3)
    dout = np.random.default_rng(1).standard_normal(pooled.shape)
    dz = maxpool_backward(dout, switches)
    h, w = 2 * (shape[0] // 2), 2 * (shape[1] // 2)
    assert np.all(dz[h:] == 0) and np.all(dz[:, w:] == 0)
    inner = z[:h, :w].reshape(h // 2, 2, w // 2, 2, 3)
    is_max = inner == inner.max(axis=(1, 3), keepdims=True)
    assert np.array_equal(dz[:h, :w], (is_max * dout[:, None, :, None, :]).reshape(h, w, 3))


def test_he_initial_weights_are_normal_with_variance_2_over_n_in():
    fc = FullyConnectedLayer(100, 50, dtype=F64)
    fc.initialize(np.random.default_rng(0), "he")
    assert np.array_equal(fc.w, np.random.default_rng(0).normal(0, np.sqrt(2 / 100), (100, 50)))
    conv = ConvPoolLayer((6, 2, 3, 3), (1, 2, 8, 8), dtype=F64)
    conv.initialize(np.random.default_rng(0), "he")
    assert np.array_equal(conv.w, np.random.default_rng(0).normal(0, np.sqrt(2 / (2 * 9)), (18, 6)))
    with pytest.raises(ValueError, match=r"ConvPoolLayer: 3x9 filters do not fit 8x8 images"):
        ConvPoolLayer((6, 2, 3, 9), (1, 2, 8, 8))
    with pytest.raises(ValueError, match=r"ConvPoolLayer: 9x3 filters do not fit 8x8 images"):
        ConvPoolLayer((6, 2, 9, 3), (1, 2, 8, 8))


def _small_net(act, p_dropout=0.0, seed=1):
    rng = np.random.default_rng(seed)
    net = ConvNetwork([ConvPoolLayer((3, 1, 3, 3), (4, 1, 8, 8), (2, 2), act, dtype=F64),
                       ConvPoolLayer((4, 3, 2, 2), (4, 3, 3, 3), (1, 1), act, dtype=F64),
                       FullyConnectedLayer(16, 5, act, p_dropout, dtype=F64),
                       SoftmaxLayer(5, 3, p_dropout, dtype=F64)], 4, seed=seed)
    for layer in net.layers:                                    # the softmax starts at zero: move it off
        layer.w += 0.1 * rng.standard_normal(layer.w.shape)
        layer.b += 0.1 * rng.standard_normal(layer.b.shape)
    return net, rng.random((4, 64)), np.array([0, 1, 2, 1])


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
def test_every_layer_passes_its_gradient_check(act):
    net, X, y = _small_net(act)
    errors = gradient_check(net, X, y, h=1e-6)
    assert sorted(errors) == ["b0", "b1", "b2", "b3", "w0", "w1", "w2", "w3"]
    assert max(errors.values()) < 1e-6, errors


def test_gradient_check_with_dropout_and_a_fixed_mask():
    net, X, y = _small_net("sigmoid", p_dropout=0.5)
    rng = np.random.default_rng(3)
    for layer in net.layers[2:]:
        layer.mask = (rng.random((4, layer.n_in)) >= 0.5).astype(F64)
    fixed = [l.mask.copy() for l in net.layers[2:]]
    errors = gradient_check(net, X, y, h=1e-6)
    assert max(errors.values()) < 1e-6, errors
    assert all(np.array_equal(l.mask, m) for l, m in zip(net.layers[2:], fixed))
    # the dropped inputs get no gradient: their weight rows are untouched by backprop
    dropped = np.flatnonzero(fixed[0].sum(axis=0) == 0)
    assert np.all(net.gradient(X, y)["w2"][dropped] == 0)


def test_a_new_dropout_network_draws_its_masks_once_for_loss_gradient_and_their_check():
    net, X, y = _small_net("sigmoid", p_dropout=0.5)
    before = net.loss(X, y)                                   # no masks yet: drawn from the network's rng
    masks = [l.mask.copy() for l in net.layers[2:]]
    assert net.loss(X, y) == before and net.evaluate((X, y)) >= 0      # kept, by loss and by evaluation
    assert all(np.array_equal(l.mask, m) for l, m in zip(net.layers[2:], masks))
    errors = gradient_check(net, X, y, h=1e-6)
    assert max(errors.values()) < 1e-6, errors
    net.loss(X[:2], y[:2])                                    # another batch size: new masks that fit it
    assert net.layers[2].mask.shape == (2, net.layers[2].n_in)


def test_dropout_trains_on_a_random_mask_and_evaluates_with_scaled_weights():
    layer = FullyConnectedLayer(1000, 3, "sigmoid", p_dropout=0.25, rng=np.random.default_rng(0), dtype=F64)
    x = np.ones((2, 1000))
    assert np.allclose(layer.forward(x), 1 / (1 + np.exp(-(0.75 * x @ layer.w + layer.b))), rtol=0, atol=1e-15)
    layer.forward(x, training=True, rng=np.random.default_rng(1))
    assert abs(layer.mask.mean() - 0.75) < 0.03 and set(np.unique(layer.mask)) == {0.0, 1.0}
    with pytest.raises(ValueError, match="needs rng, or a mask of shape"):
        FullyConnectedLayer(4, 3, p_dropout=0.5).forward(np.ones((2, 4)), training=True)


def test_one_step_is_network3s_update_with_l2_over_the_number_of_mini_batches():
    net, X, y = _small_net("relu")
    before = [(l.w.copy(), l.b.copy()) for l in net.layers]
    grads = net.gradient(X, y)
    eta, lmbda, n_batches = 0.5, 2.0, 8
    net.update_mini_batch((X, y), eta, lmbda, n=n_batches * len(X))   # network3: lmbda / (mini-batches per epoch)
    for l, (layer, (w, b)) in enumerate(zip(net.layers, before)):
        decayed = w - eta * lmbda / n_batches * w
        assert np.allclose(layer.w, decayed - eta * grads[f"w{l}"], rtol=0, atol=1e-14)
        assert np.allclose(layer.b, b - eta * grads[f"b{l}"], rtol=0, atol=1e-14)


def test_initial_weights_follow_network3():
    layer = ConvPoolLayer((20, 1, 5, 5), (10, 1, 28, 28), (2, 2), rng=np.random.default_rng(7), dtype=F64)
    rng = np.random.default_rng(7)
    assert np.array_equal(layer.w, rng.normal(0, np.sqrt(1 / (20 * 25 / 4)), (25, 20)))
    assert np.array_equal(layer.b, rng.normal(0, 1, 20))
    fc = FullyConnectedLayer(10, 4, rng=np.random.default_rng(7), dtype=F64)
    rng = np.random.default_rng(7)
    assert np.array_equal(fc.w, rng.normal(0, 0.5, (10, 4))) and np.array_equal(fc.b, rng.normal(0, 1, 4))
    soft = SoftmaxLayer(10, 4)
    assert not soft.w.any() and not soft.b.any() and soft.w.dtype == np.float32
    a, b = (ConvNetwork([FullyConnectedLayer(4, 3), SoftmaxLayer(3, 2)], seed=5) for _ in range(2))
    assert np.array_equal(a.layers[0].w, b.layers[0].w)       # the network's seed draws every layer


@pytest.mark.parametrize("layers, message", [
    (lambda: [FullyConnectedLayer(784, 30)], "the last layer must be a SoftmaxLayer"),
    (lambda: [FullyConnectedLayer(784, 30), SoftmaxLayer(20, 10)], r"layers\[1\] has n_in 20, but layers\[0\] gives 30"),
    (lambda: [ConvPoolLayer((20, 1, 5, 5), (10, 1, 28, 28)), ConvPoolLayer((40, 20, 5, 5), (10, 20, 8, 8)),
              SoftmaxLayer(640, 10)], r"layers\[1\] reads images of .* \(20, 8, 8\), but layers\[0\] gives \(20, 12, 12\)"),
    (lambda: [FullyConnectedLayer(784, 30, dtype=F64), SoftmaxLayer(30, 10)], "mix dtypes"),
    (lambda: [SoftmaxLayer(784, 10), SoftmaxLayer(10, 10)], "only the last layer"),
])
def test_layers_that_do_not_fit_are_named(layers, message):
    with pytest.raises(ValueError, match=message):
        ConvNetwork(layers())


def test_bad_layer_arguments_are_named():
    with pytest.raises(ValueError, match="filters read 2 channels but images have 1"):
        ConvPoolLayer((20, 2, 5, 5), (10, 1, 28, 28))
    with pytest.raises(ValueError, match=r"p_dropout must be a number in \[0, 1\), got 1.0"):
        FullyConnectedLayer(4, 3, p_dropout=1.0)
    with pytest.raises(ValueError, match="unknown activation"):
        FullyConnectedLayer(4, 3, "swish")
    net = ConvNetwork([FullyConnectedLayer(4, 3), SoftmaxLayer(3, 2)])
    with pytest.raises(ValueError, match=r"training_data: X has shape \(5, 3\)"):
        net.SGD((np.ones((5, 3)), np.zeros(5, int)), 1, 1, 0.1, verbose=False)
    with pytest.raises(ValueError, match="fewer than one mini-batch of 10"):
        net.SGD((np.ones((5, 4)), np.zeros(5, int)), 1, 10, 0.1, verbose=False)


def test_save_and_load_give_the_same_outputs_and_bad_files_are_named(tmp_path):
    net, X, y = _small_net("relu", p_dropout=0.25)
    path = tmp_path / "conv.json"
    net.save(path)
    back = network.load(path)
    assert isinstance(back, ConvNetwork) and [type(l) for l in back.layers] == [type(l) for l in net.layers]
    assert np.array_equal(back.feedforward(X), net.feedforward(X))
    assert back.layers[2].p_dropout == 0.25 and back.layers[1].poolsize == (1, 1)
    data = json.loads(path.read_text())
    data["layers"][0]["filter_shape"] = [3000, 1, 300, 300]       # a huge layer with the small weights
    (tmp_path / "bad.json").write_text(json.dumps(data))
    with pytest.raises(NetworkFileError, match=r"bad.json: declares 270,0\d\d,\d\d\d parameters, more than the 20,000,000"):
        network.load(tmp_path / "bad.json")
    data["layers"][0]["filter_shape"] = [30, 1, 30, 30]           # within bounds, but not its weights
    (tmp_path / "bad.json").write_text(json.dumps(data))
    with pytest.raises(NetworkFileError, match=r"bad.json: weights\[0\] is not 900 rows of 30 numbers"):
        network.load(tmp_path / "bad.json")
    data = json.loads(path.read_text())
    data["layers"][2]["activation_fn"] = ["relu"]
    (tmp_path / "bad2.json").write_text(json.dumps(data))
    with pytest.raises(NetworkFileError, match=r"bad2.json: layers\[2\].activation_fn is not valid: \['relu'\]"):
        network.load(tmp_path / "bad2.json")


def test_sgd_reports_as_network3_and_learns_mnist(mnist_arrays, capsys):
    (x, y), (vx, vy), (tx, ty) = mnist_arrays
    net = ConvNetwork([ConvPoolLayer((8, 1, 5, 5), (10, 1, 28, 28), (2, 2), "relu"),
                       FullyConnectedLayer(8 * 12 * 12, 30, "relu"), SoftmaxLayer(30, 10)], 10, seed=0)
    h = net.SGD((x[:3000], y[:3000]), 2, 10, 0.1, (vx[:1000], vy[:1000]), (tx[:1000], ty[:1000]), lmbda=0.1)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Epoch 0: validation accuracy ") and out[1] == "This is the best validation accuracy to date."
    assert out[2].startswith("The corresponding test accuracy is ")
    assert out[-3] == "Finished training network." and out[-2].startswith("Best validation accuracy of ")
    assert len(h.evaluation_accuracy) == len(h.test_accuracy) == 2 and h.n_test == 1000
    assert h.evaluation_accuracy[-1] > 850 and h.test_accuracy[-1] > 850


def test_max_pooling_is_the_block_maximum_and_drops_the_border():
    rng = np.random.default_rng(4)
    z = rng.standard_normal((5, 7, 2, 3))                        # pooled over the first two axes
    expected = z[:4, :6].reshape(2, 2, 3, 2, 2, 3).max(axis=(1, 3))
    pooled, switches = maxpool(z, 2, 2)
    assert np.array_equal(pooled, expected)
    d = rng.standard_normal(expected.shape)
    dz = maxpool_backward(d, switches)
    assert not dz[4:].any() and not dz[:, 6:].any()              # the dropped border gets nothing
    assert np.array_equal(dz[:4, :6].reshape(2, 2, 3, 2, 2, 3).sum(axis=(1, 3)), d)
    pooled3, switches3 = maxpool(z, 3, 2)                        # a block of 3 rows: the first maximum of six
    assert np.array_equal(pooled3, z[:3, :6].reshape(1, 3, 3, 2, 2, 3).max(axis=(1, 3)))
    dz3 = maxpool_backward(np.ones(pooled3.shape), switches3)
    blocks = z[:3, :6].reshape(3, 3, 2, 2, 3).transpose(1, 3, 4, 0, 2).reshape(3, 2, 3, 6)   # (j', n, f, (p, q))
    first = np.argmax(blocks == blocks.max(axis=-1, keepdims=True), axis=-1)
    chosen = dz3[:3, :6].reshape(3, 3, 2, 2, 3).transpose(1, 3, 4, 0, 2).reshape(3, 2, 3, 6)
    assert np.array_equal(np.argmax(chosen, axis=-1), first) and chosen.sum() == pooled3.size


def test_sgd_is_update_mini_batch_over_the_shuffled_full_mini_batches(capsys):
    import copy
    import re

    rng = np.random.default_rng(2)
    X, y = rng.random((23, 4)), rng.integers(0, 3, 23)
    VX, vy, TX, ty = rng.random((7, 4)), rng.integers(0, 3, 7), rng.random((6, 4)), rng.integers(0, 3, 6)
    net = ConvNetwork([FullyConnectedLayer(4, 5, "tanh", dtype=F64), SoftmaxLayer(5, 3, dtype=F64)], 5, seed=3)
    by_hand = copy.deepcopy(net)
    seen = []
    h = net.SGD((X, y), 3, 5, 0.7, (VX, vy), (TX, ty), lmbda=0.4, callback=lambda j, hist: seen.append(j))
    expected_validation, expected_test = [], []
    for _ in range(3):                      # 23 // 5 = 4 mini-batches; the 3 left over wait for the next shuffle
        for batch in by_hand.rng.permutation(23)[:20].reshape(4, 5):
            by_hand.update_mini_batch((X[batch], y[batch]), 0.7, 0.4, n=23)
        expected_validation.append(by_hand.evaluate((VX, vy)))
        expected_test.append(by_hand.evaluate((TX, ty)))
    for a, b in zip(net.layers, by_hand.layers):
        assert np.array_equal(a.w, b.w) and np.array_equal(a.b, b.b)
    assert h.evaluation_accuracy == expected_validation and h.test_accuracy == expected_test
    assert h.n_test == 6 and len(h.seconds) == 3 and seen == [0, 1, 2]
    lines = capsys.readouterr().out.splitlines()
    best, expected = -1, []
    for j, (v, t) in enumerate(zip(expected_validation, expected_test)):
        expected.append(rf"Epoch {j}: validation accuracy {100 * v / 7:.2f}%  \(\d+\.\d+ s" + (r", about \d+ s left\)" if j < 2 else r"\)"))
        if v >= best:
            best = v
            expected += ["This is the best validation accuracy to date.", f"The corresponding test accuracy is {100 * t / 6:.2f}%"]
    j = int(np.argmax(expected_validation))
    expected += ["Finished training network.", f"Best validation accuracy of {100 * expected_validation[j] / 7:.2f}% obtained at epoch {j}",
                 f"Corresponding test accuracy of {100 * expected_test[j] / 6:.2f}%"]
    assert len(lines) == len(expected) and all(re.fullmatch(e, line) for e, line in zip(expected, lines)), lines
    quiet = copy.deepcopy(by_hand).SGD((X, y), 1, 5, 0.7, verbose=False)
    assert capsys.readouterr().out == "" and quiet.evaluation_accuracy == [] and quiet.n_test == 0
    correct = int(np.sum(np.argmax(net.feedforward(TX), 1) == ty))
    assert count_correct(net.feedforward, TX, ty, chunk=2) == net.evaluate((TX, ty)) == correct
    assert net.accuracy(TX, ty) == correct / 6


def test_defaults_dtypes_dropout_draws_and_data_checks():
    import copy

    rng = np.random.default_rng(5)
    X, y = rng.random((12, 4)), rng.integers(0, 3, 12)
    # SGD's defaults: the network's mini-batch size and no L2 term
    net = ConvNetwork([FullyConnectedLayer(4, 5, "relu", dtype=F64), SoftmaxLayer(5, 3, dtype=F64)], 4, seed=1)
    twin = copy.deepcopy(net)
    seen = []
    h = net.SGD((X, y), 1, eta=0.5, verbose=False, callback=lambda j, hist: seen.append((j, hist.epochs)))
    twin.SGD((X, y), 1, 4, 0.5, lmbda=0.0, verbose=False)
    assert all(np.array_equal(a.w, b.w) for a, b in zip(net.layers, twin.layers))
    assert seen == [(0, 1)] and 0 < h.seconds[0] < 5
    # float32 end to end: data, parameters and gradients stay float32, the cost is a float64 mean
    net32 = ConvNetwork([ConvPoolLayer((2, 1, 3, 3), (4, 1, 6, 6), (2, 1), "tanh"),
                         FullyConnectedLayer(16, 5, "sigmoid"), SoftmaxLayer(5, 3)], 4, seed=2)
    X36, y36 = rng.random((1000, 36)), rng.integers(0, 3, 1000)
    Xd, yd = net32._data((X36, y36), "data")
    assert Xd.dtype == np.float32 and yd.dtype.kind == "i"
    nabla_b, nabla_w = net32.backprop(Xd, yd)
    cost = net32.loss(Xd, yd)
    p = net32.feedforward(Xd).astype(np.float64)
    assert isinstance(cost, float) and cost == pytest.approx(float(-np.mean(np.log(p[np.arange(1000), yd]))), rel=1e-5)
    assert all(a.dtype == np.float32 for l in net32.layers for a in (l.w, l.b, l.dw, l.db))
    assert all(a.dtype == np.float32 for a in nabla_b + nabla_w)
    net32.update_mini_batch((Xd[:4], yd[:4]), 0.1)
    assert all(a.dtype == np.float32 for l in net32.layers for a in (l.w, l.b))
    # a non-square pool: n_out = F kh kw / (ph pw)
    layer = ConvPoolLayer((4, 1, 3, 3), (1, 1, 8, 8), (2, 1), rng=np.random.default_rng(0), dtype=F64)
    assert np.array_equal(layer.w, np.random.default_rng(0).normal(0, np.sqrt(1 / (4 * 9 / 2)), (9, 4)))
    assert layer.out_shape == (4, 3, 6)
    # backprop draws new dropout masks from the network's generator, every layer in training mode
    drop = ConvNetwork([FullyConnectedLayer(4, 6, "relu", 0.5, dtype=F64), SoftmaxLayer(6, 3, 0.5, dtype=F64)], 4, seed=3)
    drop_twin = copy.deepcopy(drop)
    drop.backprop(X[:4], y[:4])
    masks = [l.mask.copy() for l in drop.layers]
    assert all(m is not None and set(np.unique(m)) <= {0.0, 1.0} for m in masks)
    drop.backprop(X[:4], y[:4])
    assert any(not np.array_equal(m, l.mask) for m, l in zip(masks, drop.layers))      # new draws
    expected = copy.deepcopy(drop_twin.rng)
    drop_twin.backprop(X[:4], y[:4])
    assert np.array_equal(drop_twin.layers[0].mask, (expected.random((4, 4), dtype=np.float32) >= 0.5).astype(F64))
    # every sample counted, whatever the chunk
    sure = net.feedforward(X).argmax(axis=1)
    assert count_correct(net.feedforward, X, sure, chunk=5) == 12 and net.evaluate((X, (sure + 1) % 3)) == 0
    # the data are checked against the last layer and named
    with pytest.raises(ValueError, match=r"validation_data: labels range over 0..3, expected 0..2"):
        net.SGD((X, y), 1, 4, 0.1, (X, np.array([3] + [0] * 11)), verbose=False)
    with pytest.raises(ValueError, match=r"test_data: X has 12 samples but Y has 2"):
        net.SGD((X, y), 1, 4, 0.1, test_data=(X, y[:2]), verbose=False)


def test_the_adjoints_keep_float32():
    x = np.ones((3, 5, 5, 2), dtype=np.float32)
    cols = im2col(x, 2, 2)
    z = np.ones((4, 4, 2, 3), dtype=np.float32)
    pooled, switches = maxpool(z, 2, 2)
    assert cols.dtype == col2im(cols, x.shape, 2, 2).dtype == pooled.dtype == np.float32
    assert maxpool_backward(pooled, switches).dtype == np.float32


def test_misused_layers_and_steps_are_named():
    with pytest.raises(ValueError, match=r"poolsize must be 2 positive integers, got 2"):
        ConvPoolLayer((2, 1, 3, 3), (1, 1, 8, 8), poolsize=2)
    with pytest.raises(ValueError, match=r"p_dropout must be a number in \[0, 1\), got '0.5'"):
        FullyConnectedLayer(4, 3, p_dropout="0.5")
    with pytest.raises(ValueError, match=r"unknown activation None; choose one of \['linear', 'relu', 'sigmoid', 'tanh'\]"):
        FullyConnectedLayer(4, 3, activation_fn=None)
    with pytest.raises(ValueError, match="dtype must be float32 or float64, got float16"):
        FullyConnectedLayer(4, 3, dtype=np.float16)
    net = ConvNetwork([FullyConnectedLayer(4, 3, dtype=F64), SoftmaxLayer(3, 2, dtype=F64)], 2, seed=0)
    X, y = np.random.default_rng(0).random((4, 4)), np.array([0, 1, 1, 0])
    for n in (0, -5, 3):
        with pytest.raises(ValueError, match=f"n must be an integer >= 4, got {n}"):
            net.update_mini_batch((X, y), 0.1, 1.0, n=n)
    with pytest.raises(ValueError, match=r"feedforward input has shape \(2, 2, 4\)"):
        net.feedforward(X.reshape(2, 2, 4))
    with pytest.raises(ValueError, match=r"accuracy input: X has shape \(2, 2, 4\)"):
        net.accuracy(X.reshape(2, 2, 4), y[:2])
    with pytest.raises(ValueError, match=r"the L2 decay factor would be negative"):
        net.SGD((X, y), 1, 2, 1.0, lmbda=5.0, verbose=False)


def test_gradient_check_counts_a_gradient_of_rounding_size_as_zero():
    """A bias whose gradient vanishes by symmetry (a balanced batch) is no error of 1.0."""
    net, X, y = _small_net("relu")
    from network.gradient_check import relative_error
    tiny = np.full(3, 1e-17)
    assert relative_error(tiny, tiny + 3e-17) == pytest.approx(0.75)            # without a floor: large
    assert relative_error(tiny, tiny + 3e-17, floor=1e-8) < 1e-8                # with one: nothing
    with pytest.raises(ValueError, match=r"gradient_check needs float64 parameters \(b0, b1, b2, w0, w1, w2 are float32\)"):
        gradient_check(ConvNetwork([ConvPoolLayer((3, 1, 3, 3), (4, 1, 8, 8), (2, 2)), FullyConnectedLayer(27, 5),
                                    SoftmaxLayer(5, 3)]), X, y)


def test_parallel_lanes_give_the_batch_gradient_and_follow_replaced_weights():
    def make(threads):
        return ConvNetwork([ConvPoolLayer((3, 1, 3, 3), (4, 1, 8, 8), (2, 2), "relu", dtype=F64),
                            FullyConnectedLayer(27, 5, "tanh", dtype=F64), SoftmaxLayer(5, 3, dtype=F64)], 4, seed=1,
                           threads=threads)
    rng = np.random.default_rng(0)
    X, y = rng.random((50, 64)), rng.integers(0, 3, 50)
    one, two = make(1), make(2)
    two.layers[-1].w[...] = one.layers[-1].w[...] = 0.1 * rng.standard_normal(one.layers[-1].w.shape)
    for (b1, w1), (b2, w2) in [(one.backprop(X, y), two.backprop(X, y))]:
        for a, b in zip(b1 + w1, b2 + w2):
            assert np.allclose(a, b, rtol=0, atol=1e-14)
    assert two._lanes is not None and len(two._lanes.replicas) == 2
    assert two._lanes.replicas[0][0].w is two.layers[0].w               # the lanes share the weights
    two.layers[0].w = two.layers[0].w.copy()                            # replaced: the lanes follow
    two.backprop(X, y)
    assert two._lanes.replicas[0][0].w is two.layers[0].w
    small = make(2)
    small.backprop(X[:20], y[:20])                                      # 2 x 16 > 20: one lane, no pool
    assert small._lanes is None
    a, b = make(2), make(2)                                             # reproducible with dropout too
    for net in (a, b):
        net.layers[1].p_dropout = 0.5
        net.SGD((X, y), 2, 40, 0.1, verbose=False)
    assert all(np.array_equal(la.w, lb.w) for la, lb in zip(a.layers, b.layers))


def test_arrays_assigned_to_a_layer_are_checked_and_taken_over():
    conv = ConvPoolLayer((2, 1, 3, 3), (1, 1, 6, 6), rng=np.random.default_rng(0))
    fc = FullyConnectedLayer(4, 3, rng=np.random.default_rng(0))
    for layer, w_shape, b_shape in ((conv, (9, 2), (2,)), (fc, (4, 3), (3,))):
        w = np.arange(np.prod(w_shape)).reshape(w_shape)           # int64: taken, as the layer's float32
        layer.w = w
        assert layer.w.dtype == np.float32 and layer.w is not w and np.array_equal(layer.w, w)
        own = layer.w
        layer.w -= 1                                               # in place: still the layer's own array
        assert layer.w is own
        name = type(layer).__name__
        with pytest.raises(ValueError, match=rf"{name}\.w\[0\] has shape \(2, 2\), the network's sizes need"):
            layer.w = np.zeros((2, 2))
        with pytest.raises(ValueError, match=rf"{name}\.b\[0\] contains values that are not finite in float32"):
            layer.b = np.full(b_shape, np.nan)
        with pytest.raises(ValueError, match=rf"{name}\.b\[0\] contains values that are not finite in float32"):
            layer.b = np.full(b_shape, 1e300)
        with pytest.raises(ValueError, match=rf"{name}\.w\[0\] has dtype <U1: parameters must be real numbers"):
            layer.w = np.full(w_shape, "x")
        assert layer.w is own
