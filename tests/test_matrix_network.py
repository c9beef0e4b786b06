"""MatrixNetwork: the same mathematics as the per-sample Network, proven on many shapes."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import random_samples
from hypothesis import given, settings
from hypothesis import strategies as st

from network import MatrixNetwork, Network


def copy_parameters(src: Network, dst: MatrixNetwork) -> None:
    dst.weights = src.weights
    dst.biases = src.biases


def max_abs_diff(a_list, b_list) -> float:
    return max(float(np.max(np.abs(a - b))) for a, b in zip(a_list, b_list))


@pytest.mark.parametrize("sizes", [[784, 30, 10], [784, 30, 20, 10], [10, 5, 3], [6, 4]])
@pytest.mark.parametrize("m", [1, 10, 100, 37])
def test_update_mini_batch_equals_network(sizes, m):
    rng = np.random.default_rng(m)
    net = Network(sizes, seed=1)
    mnet = MatrixNetwork(sizes, seed=99)  # different init, then overwritten
    copy_parameters(net, mnet)
    batch = random_samples(rng, m, sizes[0], sizes[-1])
    net.update_mini_batch(batch, 3.0)
    mnet.update_mini_batch(batch, 3.0)
    assert max_abs_diff(net.weights, mnet.weights) < 1e-10
    assert max_abs_diff(net.biases, mnet.biases) < 1e-10
    assert max_abs_diff(net.weights, Network(sizes, seed=1).weights) > 1e-6  # the step did something


def test_backprop_returns_summed_gradients_like_network():
    rng = np.random.default_rng(0)
    net, mnet = Network([7, 5, 4, 3], seed=3), MatrixNetwork([7, 5, 4, 3], seed=3)
    batch = random_samples(rng, 6, 7, 3)
    X = np.hstack([x for x, _ in batch]).T
    Y = np.hstack([y for _, y in batch]).T
    nabla_b, nabla_w = mnet.backprop(X, Y)
    per_sample = [net.backprop(x, y) for x, y in batch]
    for l in range(3):
        assert nabla_w[l].shape == net.weights[l].shape and nabla_b[l].shape == net.biases[l].shape
        assert np.allclose(nabla_w[l], sum(g[1][l] for g in per_sample), rtol=0, atol=1e-12)
        assert np.allclose(nabla_b[l], sum(g[0][l] for g in per_sample), rtol=0, atol=1e-12)
    # one sample in Nielsen's column layout, and integer labels, give the same numbers
    one_b, one_w = mnet.backprop(*batch[0])
    assert max_abs_diff(one_w, per_sample[0][1]) < 1e-12
    lab_b, lab_w = mnet.backprop(X, np.argmax(Y, axis=1))
    assert max_abs_diff(lab_w, nabla_w) == 0.0


def test_whole_epoch_same_seed_same_weights_and_accuracy(mnist_wrapped):
    training, _, test = mnist_wrapped
    train = training[:1005]  # 100 full mini-batches and a partial one of 5
    net, mnet = Network([784, 30, 10], seed=4), MatrixNetwork([784, 30, 10], seed=4)
    assert max_abs_diff(net.weights, mnet.weights) == 0.0  # same seed, same initialisation
    h1 = net.SGD(train, 2, 10, 3.0, test_data=test[:2000], verbose=False)
    h2 = mnet.SGD(train, 2, 10, 3.0, test_data=test[:2000], verbose=False)
    assert max_abs_diff(net.weights, mnet.weights) < 1e-8
    assert max_abs_diff(net.biases, mnet.biases) < 1e-8
    assert h1.test_accuracy == h2.test_accuracy


def test_arrays_and_tuples_give_identical_training(mnist_arrays, mnist_wrapped):
    (x, y), _, (tx, ty) = mnist_arrays
    a = MatrixNetwork([784, 20, 10], seed=5)
    b = MatrixNetwork([784, 20, 10], seed=5)
    c = MatrixNetwork([784, 20, 10], seed=5)
    ha = a.SGD((x[:500], y[:500]), 1, 10, 3.0, test_data=(tx[:500], ty[:500]), verbose=False)
    hb = b.SGD(mnist_wrapped[0][:500], 1, 10, 3.0, test_data=mnist_wrapped[2][:500], verbose=False)
    one_hot = np.eye(10)[y[:500]]
    c.SGD((x[:500], one_hot), 1, 10, 3.0, verbose=False)
    assert max_abs_diff(a.weights, b.weights) == 0.0 and max_abs_diff(a.weights, c.weights) == 0.0
    assert ha.test_accuracy == hb.test_accuracy


def test_float32_agrees_with_float64_to_float32_precision():
    rng = np.random.default_rng(1)
    batch = random_samples(rng, 10, 784, 10)
    n64 = MatrixNetwork([784, 30, 10], seed=2)
    n32 = MatrixNetwork([784, 30, 10], seed=2, dtype=np.float32)
    assert all(w.dtype == np.float32 for w in n32.weights)
    for _ in range(3):
        n64.update_mini_batch(batch, 3.0)
        n32.update_mini_batch(batch, 3.0)
    for w64, w32 in zip(n64.weights + n64.biases, n32.weights + n32.biases):
        assert np.max(np.abs(w64 - w32)) / np.max(np.abs(w64)) < 1e-5
    x = batch[0][0]
    assert np.allclose(n32.feedforward(x), n64.feedforward(x), rtol=0, atol=1e-5)


def test_weights_are_plain_lists_in_nielsens_layout():
    net = Network([5, 4, 3], seed=0)
    mnet = MatrixNetwork([5, 4, 3], seed=1)
    copy_parameters(net, mnet)                        # net.weights = other.weights just works
    assert type(mnet.weights) is list and all(type(w) is np.ndarray for w in mnet.weights)
    x = np.linspace(0, 1, 5).reshape(5, 1)
    assert np.array_equal(mnet.feedforward(x), net.feedforward(x))
    mnet.weights[1][...] = 0.0                          # element assignment changes the network
    mnet.biases[1][...] = 0.0
    mnet.biases[1][2, 0] = 1.0
    assert np.allclose(mnet.feedforward(x)[:, 0], [0.5, 0.5, 1 / (1 + np.exp(-1))], rtol=0, atol=1e-15)
    shared = net.biases[1].copy()                       # (the lists share their arrays until training)
    mnet.update_mini_batch([(x, np.eye(3)[:, :1])], 1.0)
    assert not np.array_equal(mnet.biases[1], shared)   # training one network leaves the other alone
    assert np.array_equal(net.biases[1], shared)
    mnet.weights[0] = np.zeros((5, 4))                  # wrong shape: refused before any work
    with pytest.raises(ValueError, match=r"weights\[0\] has shape \(5, 4\), the network's sizes need \(4, 5\)"):
        mnet.update_mini_batch([(x, 1)], 1.0)
    mnet.weights[0] = np.zeros((4, 5))
    mnet.biases = mnet.biases[:1]
    with pytest.raises(ValueError, match="biases: expected 2 arrays, got 1"):
        mnet.backprop(x.T, [1])
    rows = np.tile(x.T, (3, 1))
    assert MatrixNetwork([5, 4, 3]).feedforward(rows).shape == (3, 3)


def test_float32_network_takes_float64_weights_from_network_as_float32():
    net, mnet = Network([5, 4, 3], seed=0), MatrixNetwork([5, 4, 3], dtype="float32")
    copy_parameters(net, mnet)
    mnet.update_mini_batch([(np.ones((5, 1)), 2)], 1.0)
    assert all(w.dtype == np.float32 for w in mnet.weights + mnet.biases)


def test_feedforward_is_overflow_safe():
    mnet = MatrixNetwork([2, 3, 2], seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = mnet.feedforward(np.array([[-1e4], [1e4]]))
        mnet.SGD((np.array([[-1e4, 1e4]] * 4), np.array([0, 1, 0, 1])), 1, 2, 1.0, verbose=False)
    assert np.isfinite(out).all()


def test_learns_real_mnist(mnist_arrays):
    (x, y), _, (tx, ty) = mnist_arrays
    net = MatrixNetwork([784, 30, 10], seed=0)
    history = net.SGD((x[:10000], y[:10000]), 3, 10, 3.0, test_data=(tx[:2000], ty[:2000]), verbose=False)
    assert history.test_accuracy[-1] / 2000 > 0.7


def test_bad_input_is_refused_before_any_work():
    net = MatrixNetwork([4, 3, 2], seed=0)
    w = net.weights[0].copy()
    X, y = np.random.default_rng(0).random((6, 4)), np.array([0, 1, 0, 1, 1, 0])
    cases = [
        (dict(eta=0.0), "eta must be a finite number > 0"),
        (dict(eta=float("inf")), "eta"),
        (dict(mini_batch_size=0), "mini_batch_size"),
        (dict(training_data=(X[:0], y[:0])), "training_data is empty"),
        (dict(training_data=(X, y[:5])), "X has 6 samples but Y has 5"),
        (dict(training_data=(X[:, :3], y)), r"X has shape \(6, 3\)"),
        (dict(training_data=(np.where(X > 0.5, np.nan, X), y)), "non-finite"),
        (dict(training_data=(X, y + 5)), "labels range over"),
        (dict(training_data=(X, np.ones((6, 3)))), r"Y has shape \(6, 3\)"),
        (dict(training_data=[(np.zeros((5, 1)), np.zeros((2, 1)))]), r"x has shape \(5, 1\)"),
        (dict(test_data=(X, y + 2)), "test_data: labels range"),
        (dict(lmbda=-1.0), "lmbda"),
        (dict(early_stopping_n=3), "need evaluation_data"),
    ]
    for overrides, message in cases:
        kwargs = dict(training_data=(X, y), epochs=1, mini_batch_size=2, eta=1.0)
        kwargs.update(overrides)
        with pytest.raises(ValueError, match=message):
            net.SGD(verbose=False, **kwargs)
    assert np.array_equal(net.weights[0], w)
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        MatrixNetwork([4, 2], dtype=np.int32)
    with pytest.raises(ValueError, match="at least 2 layers"):
        MatrixNetwork([4])
    with pytest.raises(ValueError, match="feedforward: input has shape"):
        net.feedforward(np.zeros((3, 3)))


@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(1, 12), min_size=2, max_size=5), m=st.integers(1, 25),
       eta=st.floats(0.01, 5.0), seed=st.integers(0, 2 ** 31))
def test_property_one_step_equals_network_for_any_shape(sizes, m, eta, seed):
    rng = np.random.default_rng(seed)
    net = Network(sizes, seed=seed)
    mnet = MatrixNetwork(sizes, seed=seed)
    batch = random_samples(rng, m, sizes[0], sizes[-1])
    net.update_mini_batch(batch, eta)
    mnet.update_mini_batch(batch, eta)
    assert max_abs_diff(net.weights, mnet.weights) < 1e-10
    assert max_abs_diff(net.biases, mnet.biases) < 1e-10
