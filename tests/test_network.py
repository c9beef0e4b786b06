"""Network (per-sample, Nielsen's chapter 1): gradients, the update rule, learning, bad input."""
from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest
from conftest import random_samples

from network import Network, gradient_check
from network.activations import sigmoid, sigmoid_prime
from network.numerical import numerical_gradient


def quadratic_cost(net: Network, x, y) -> float:
    a = net.feedforward(x)
    return 0.5 * float(np.sum((a - y) ** 2))


def max_rel_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)))


@pytest.mark.parametrize("sizes", [[4, 3, 2], [5, 4, 3, 2], [3, 2]])
def test_backprop_matches_numerical_gradient(sizes):
    rng = np.random.default_rng(3)
    net = Network(sizes, seed=7)
    (x, y), = random_samples(rng, 1, sizes[0], sizes[-1])
    nabla_b, nabla_w = net.backprop(x, y)
    for params, grads in ((net.weights, nabla_w), (net.biases, nabla_b)):
        for p, g in zip(params, grads):
            num = numerical_gradient(lambda _: quadratic_cost(net, x, y), p, h=1e-5)
            assert g.shape == p.shape
            assert max_rel_error(g, num) < 1e-6


def test_update_mini_batch_is_the_average_gradient_step():
    rng = np.random.default_rng(0)
    net = Network([6, 5, 3], seed=1)
    batch = random_samples(rng, 7, 6, 3)
    w0 = [w.copy() for w in net.weights]
    b0 = [b.copy() for b in net.biases]
    grads = [net.backprop(x, y) for x, y in batch]
    eta = 0.7
    net.update_mini_batch(batch, eta)
    for l in range(2):
        mean_w = sum(g[1][l] for g in grads) / len(batch)
        mean_b = sum(g[0][l] for g in grads) / len(batch)
        assert np.allclose(net.weights[l], w0[l] - eta * mean_w, rtol=0, atol=1e-13)
        assert np.allclose(net.biases[l], b0[l] - eta * mean_b, rtol=0, atol=1e-13)
        assert not np.allclose(net.weights[l], w0[l])


def test_sigmoid_is_safe_and_unchanged():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sigmoid(np.array([-1e4]))[0] == 0.0
        assert sigmoid(np.array([1e4]))[0] == 1.0
        assert np.isfinite(sigmoid_prime(np.array([-1e4, 1e4]))).all()
        Network([2, 2]).feedforward(np.array([[-1e4], [1e4]]))
    z = np.linspace(-30, 30, 1001)
    assert np.array_equal(sigmoid(z), 1.0 / (1.0 + np.exp(-z)))  # bit-for-bit the book's formula
    assert sigmoid(np.array([0.0]))[0] == 0.5 and sigmoid_prime(np.array([0.0]))[0] == 0.25


def test_initialisation_follows_the_book_and_the_seed():
    net = Network([784, 30, 10], seed=5)
    assert [w.shape for w in net.weights] == [(30, 784), (10, 30)]
    assert [b.shape for b in net.biases] == [(30, 1), (10, 1)]
    assert net.num_layers == 3 and net.sizes == [784, 30, 10]
    assert abs(np.std(net.weights[0]) - 1) < 0.02  # N(0, 1), the book's chapter-1 choice
    again = Network([784, 30, 10], seed=5)
    assert all(np.array_equal(a, b) for a, b in zip(net.weights, again.weights))
    assert not np.array_equal(Network([784, 30, 10], seed=6).weights[0], net.weights[0])


def test_sgd_is_reproducible_prints_the_book_line_and_keeps_data(capsys):
    rng = np.random.default_rng(0)
    train = random_samples(rng, 30, 4, 3)
    test = random_samples(rng, 10, 4, 3, one_hot=False)
    order = [id(s) for s in train]
    h1 = Network([4, 5, 3], seed=2).SGD(train, 2, 4, 1.0, test_data=test)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Epoch 0: ") and " / 10  (" in out[0] and out[0].endswith(" s left)")
    assert out[1].startswith("Epoch 1: ") and out[1].endswith(" s)")   # the last epoch: nothing left
    net_a, net_b = Network([4, 5, 3], seed=2), Network([4, 5, 3], seed=2)
    net_a.SGD(train, 2, 4, 1.0, verbose=False)
    net_b.SGD(train, 2, 4, 1.0, verbose=False)
    assert all(np.array_equal(a, b) for a, b in zip(net_a.weights, net_b.weights))
    assert [id(s) for s in train] == order  # the caller's list is not shuffled in place
    assert len(h1.test_accuracy) == len(h1.seconds) == 2 and h1.n_test == 10


def test_learns_real_mnist_well_beyond_chance(mnist_wrapped):
    training, _, test = mnist_wrapped
    net = Network([784, 30, 10], seed=0)
    history = net.SGD(training[:10000], 3, 10, 3.0, test_data=test[:2000], verbose=False)
    assert history.test_accuracy[-1] / 2000 > 0.7  # chance is 0.10


@pytest.mark.parametrize("sizes, message", [
    ([784], "at least 2 layers"),
    ([784, 0, 10], r"sizes\[1\] must be an integer >= 1"),
    ([784, -3], r"sizes\[1\]"),
    ([784, 2.5, 10], r"sizes\[1\]"),
    (784, "must be a list"),
])
def test_bad_sizes(sizes, message):
    with pytest.raises(ValueError, match=message):
        Network(sizes)


def test_bad_training_arguments():
    rng = np.random.default_rng(0)
    net = Network([4, 3, 2], seed=0)
    data = random_samples(rng, 5, 4, 2)
    w = net.weights[0].copy()
    cases = [
        (dict(eta=0.0), "eta must be a finite number > 0"),
        (dict(eta=-1.0), "eta"),
        (dict(eta=float("nan")), "eta"),
        (dict(mini_batch_size=0), "mini_batch_size must be an integer >= 1"),
        (dict(training_data=[]), "training_data is empty"),
        (dict(training_data=zip([1], [2])), "zip iterator"),
        (dict(training_data=[(np.zeros((5, 1)), np.zeros((2, 1)))]), r"x has shape \(5, 1\).*\(4, 1\)"),
        (dict(training_data=[(np.zeros(4), np.zeros((2, 1)))]), r"x has shape \(4,\)"),
        (dict(training_data=[(np.zeros((4, 1)), np.zeros((3, 1)))]), r"y has shape \(3, 1\).*\(2, 1\)"),
        (dict(training_data=[(np.zeros((4, 1)), 1)]), "one-hot"),
        (dict(test_data=[(np.zeros((4, 1)), 7)]), r"label 7 is outside 0..1"),
    ]
    for overrides, message in cases:
        kwargs = dict(training_data=data, epochs=1, mini_batch_size=2, eta=1.0, test_data=None)
        kwargs.update(overrides)
        with pytest.raises(ValueError, match=message):
            net.SGD(verbose=False, **kwargs)
    assert np.array_equal(net.weights[0], w)  # errors come before any work


def test_network_evaluate_takes_one_hot_and_integer_targets():
    rng = np.random.default_rng(0)
    net = Network([4, 5, 3], seed=1)
    xs = [rng.random((4, 1)) for _ in range(30)]
    labels = [int(rng.integers(0, 3)) for _ in range(30)]
    expected = sum(int(np.argmax(net.feedforward(x)) == t) for x, t in zip(xs, labels))
    assert 0 < expected < 30
    assert net.evaluate(list(zip(xs, labels))) == expected
    assert net.evaluate([(x, np.eye(3)[:, [t]]) for x, t in zip(xs, labels)]) == expected


def test_gradient_check_of_one_sample_in_nielsens_columns():
    rng = np.random.default_rng(2)
    net = Network([5, 4, 3], seed=0)
    x, y = rng.random((5, 1)), np.eye(3)[:, [2]]
    errors = gradient_check(net, x, y)
    assert set(errors) == {"w0", "b0", "w1", "b1"} and max(errors.values()) < 1e-7
    nabla_b, nabla_w = net.backprop(x, y)
    assert np.array_equal(net.gradient(x, y)["w0"], nabla_w[0])
    assert net.loss(x, y) == pytest.approx(0.5 * float(np.sum((net.feedforward(x) - y) ** 2)), rel=1e-15)


def test_network_sgd_is_update_mini_batch_over_the_shuffled_mini_batches():
    rng = np.random.default_rng(4)
    samples = [(rng.random((5, 1)), np.eye(3)[:, [int(rng.integers(0, 3))]]) for _ in range(7)]
    net = Network([5, 4, 3], seed=0)
    manual = copy.deepcopy(net)
    order = copy.deepcopy(net.rng).permutation(7)
    seen = []
    history = net.SGD(samples, 1, 3, 2.0, test_data=[(x, int(np.argmax(y))) for x, y in samples], verbose=False,
                      callback=lambda j, h: seen.append((j, h.test_accuracy[-1])))
    for k in range(0, 7, 3):                              # mini-batches of 3, 3 and 1
        manual.update_mini_batch([samples[i] for i in order[k:k + 3]], 2.0)
    assert all(np.array_equal(a, b) for a, b in zip(net.weights + net.biases, manual.weights + manual.biases))
    assert history.n_test == 7 and seen == [(0, manual.evaluate([(x, int(np.argmax(y))) for x, y in samples]))]
    assert 0 < history.seconds[0] < 60


def test_per_sample_network_that_goes_non_finite_stops_naming_the_epoch_and_eta(monkeypatch):
    """The sigmoid saturates long before the book's network overflows, so the nan is injected:
    a gradient that is nan in the second epoch."""
    rng = np.random.default_rng(0)
    data = [(rng.random((2, 1)), np.array([[1.0], [0.0]])) for _ in range(4)]
    net = Network([2, 2], seed=0)
    calls, backprop = [], net._backprop

    def poisoned(x, y):
        calls.append(1)
        nabla_b, nabla_w = backprop(x, y)
        return nabla_b, [nw * np.nan for nw in nabla_w] if len(calls) > 4 else nabla_w

    monkeypatch.setattr(net, "_backprop", poisoned)
    with pytest.raises(FloatingPointError, match=r"training diverged in epoch 1: weights\[0\] are no longer finite "
                                                 r"numbers \(nan or inf\); the learning rate eta = 3 is probably too large"):
        net.SGD(data, 3, 2, 3.0, verbose=False)


def test_every_public_entry_point_checks_its_input():
    net = Network([4, 3, 2], seed=0)
    x, y = np.ones((4, 1)), np.array([[1.0], [0.0]])
    assert net.feedforward(np.ones(4)).shape == (2,)             # a vector is one sample; the answer a vector
    with pytest.raises(ValueError, match=r"feedforward input has shape \(5,\)"):
        net.feedforward(np.ones(5))
    with pytest.raises(ValueError, match=r"test_data\[0\]: x has shape \(4,\), the network expects \(4, 1\)"):
        net.evaluate([(np.ones(4), 1)])
    with pytest.raises(ValueError, match=r"test_data\[0\]: label 99 is outside 0..1"):
        net.evaluate([(x, 99)])
    with pytest.raises(ValueError, match=r"mini_batch\[0\]: y is the label 1, training needs a one-hot \(2, 1\)"):
        net.update_mini_batch([(x, 1)], 1.0)
    with pytest.raises(ValueError, match=r"mini_batch\[0\]: x holds complex128 values, expected real numbers"):
        net.update_mini_batch([(x + 1j, y)], 1.0)
    with pytest.raises(ValueError, match=r"backprop input\[0\]: y has shape \(3, 1\)"):
        net.backprop(x, np.ones((3, 1)))
    with pytest.raises(ValueError, match=r"test_data\[1\]: y is a one-hot vector, but test_data\[0\]'s is a label"):
        net.evaluate([(x, 1), (x, y)])
    with pytest.raises(ValueError, match=r"mini_batch\[0\]: x is a list, expected a numpy array \(np.array\(x\)\)"):
        net.update_mini_batch([([[0.1]] * 4, y)], 1.0)


def test_weights_assigned_are_shared_and_checked_at_the_next_door(tmp_path):
    from network import MatrixNetwork

    net, other = Network([4, 5, 3]), MatrixNetwork([4, 6, 3])
    net.weights = other.weights                                   # a plain list: taken as it is
    for call in (lambda: net.feedforward(np.ones((4, 1))), lambda: net.evaluate([(np.ones((4, 1)), 1)]),
                 lambda: net.backprop(np.ones((4, 1)), np.eye(3)[:, [0]]),
                 lambda: net.SGD([(np.ones((4, 1)), np.eye(3)[:, [0]])], 1, 1, 1.0, verbose=False)):
        with pytest.raises(ValueError, match=r"weights\[0\] has shape \(6, 4\), the network's sizes need \(5, 4\)"):
            call()
    with pytest.raises(ValueError, match=r"cannot save this Network: weights\[0\] has shape \(6, 4\)"):
        net.save(tmp_path / "n.json")                             # save's door: the file format's own check
    assert not (tmp_path / "n.json").exists()
    net.weights = Network([4, 5, 3]).weights[:1]
    with pytest.raises(ValueError, match="weights: expected 2 arrays, got 1"):
        net.feedforward(np.ones(4))
    net.weights = [np.zeros((5, 4), np.float32), np.zeros((3, 5))]
    with pytest.raises(ValueError, match=r"weights\[0\] has dtype float32, the network computes in float64"):
        net.feedforward(np.ones(4))
    net.weights = [[[0.0] * 4] * 5, np.zeros((3, 5))]
    with pytest.raises(ValueError, match=r"weights\[0\] is a list, expected a numpy array of shape \(5, 4\)"):
        net.feedforward(np.ones(4))
    net.weights = [np.full((5, 4), np.nan), np.zeros((3, 5))]
    with pytest.raises(ValueError, match=r"weights\[0\] contains non-finite values"):
        net.update_mini_batch([(np.ones((4, 1)), np.eye(3)[:, [0]])], 1.0)
    same = Network([4, 5, 3], seed=1)
    net.weights = same.weights                                    # shared: training one trains the other's arrays
    before = same.weights[0].copy()
    net.SGD([(np.ones((4, 1)), np.eye(3)[:, [0]])], 1, 1, 1.0, verbose=False)
    assert net.weights[0] is same.weights[0] and not np.array_equal(same.weights[0], before)
