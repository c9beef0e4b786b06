"""The pieces every network is made of, each against its definition: activations, costs and
their output errors, the forms data come in, the numerical gradient and gradient_check, and the
lines training prints."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import random_samples

import network
from network import MatrixNetwork, Network, gradient_check
from network.costs import CrossEntropyCost, LogLikelihoodCost, QuadraticCost
from network.gradient_check import relative_error
from network.numerical import numerical_gradient


def data(n, n_in=6, n_out=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, n_in)), rng.integers(0, n_out, n)


def test_cost_values_and_deltas_are_the_books():
    a = np.array([[0.8], [0.1]])
    y = np.array([[1.0], [0.0]])
    assert QuadraticCost.fn(a, y) == pytest.approx(0.5 * (0.2 ** 2 + 0.1 ** 2))
    assert CrossEntropyCost.fn(a, y) == pytest.approx(-np.log(0.8) - np.log(0.9))
    z = np.log(a / (1 - a))  # the weighted input with sigmoid(z) = a
    assert np.allclose(CrossEntropyCost.delta(z, a, y), a - y)
    assert np.allclose(QuadraticCost.delta(z, a, y), (a - y) * a * (1 - a))
    # dC/da of the cross-entropy: -y/a + (1 - y)/(1 - a) = (a - y) / (a (1 - a))
    assert np.allclose(CrossEntropyCost.derivative(a, y), [[-1 / 0.8], [1 / 0.9]])
    assert LogLikelihoodCost.fn(np.array([[0.7], [0.3]]), y) == pytest.approx(-np.log(0.7))
    assert CrossEntropyCost.fn(np.array([[1.0]]), np.array([[1.0]])) == 0.0  # 0 log 0 taken as 0
    from network.costs import get_cost
    assert get_cost("Cross_Entropy") is CrossEntropyCost and get_cost("softmax") is LogLikelihoodCost
    with pytest.raises(ValueError, match=r"unknown cost 'mse'; choose one of"):     # half the sum is no mean
        get_cost("mse")


@pytest.mark.parametrize("cost", [QuadraticCost, CrossEntropyCost, LogLikelihoodCost])
def test_each_cost_delta_is_its_derivative_through_the_output_activation(cost):
    """BP1: delta^L = dC/dz^L, checked by central differences of C(sigma(z)) in z."""
    from network.activations import OUTPUT_ACTIVATIONS

    sigma = OUTPUT_ACTIVATIONS[cost.output_activation].fn
    rng = np.random.default_rng(0)
    z = rng.standard_normal((4, 3))
    y = np.eye(3)[rng.integers(0, 3, 4)]
    numerical = network.numerical_gradient(lambda _: cost.fn(sigma(z), y), z, h=1e-6)
    assert np.allclose(cost.delta(z, sigma(z), y), numerical, rtol=0, atol=1e-8)
    if cost.output_activation == "sigmoid":  # element-wise: delta = dC/da * sigma'(z)
        a = sigma(z)
        assert np.allclose(cost.derivative(a, y) * a * (1 - a), numerical, rtol=0, atol=1e-8)


def test_softmax_is_exact_and_finite_for_huge_inputs():
    from network.activations import SOFTMAX, log_softmax

    z = np.array([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0]])
    e = np.exp([1.0, 2.0, 3.0])
    assert np.allclose(SOFTMAX.fn(z)[0], e / e.sum(), rtol=0, atol=1e-15)
    assert np.array_equal(SOFTMAX.fn(z)[1], [1.0, 0.0, 0.0])
    assert np.allclose(log_softmax(z)[1], [0.0, -1000.0, -2000.0], rtol=0, atol=1e-12)


def test_tanh_and_softmax_derivatives_and_axes():
    from network.activations import SOFTMAX, TANH, softmax

    z = np.linspace(-2, 2, 12).reshape(3, 4)
    assert np.allclose(TANH.prime(z), 1 - np.tanh(z) ** 2, rtol=0, atol=1e-15)
    assert np.array_equal(TANH.prime(z, np.tanh(z)), TANH.prime(z))
    e = np.exp(z)
    assert np.allclose(softmax(z, axis=0), e / e.sum(axis=0), rtol=0, atol=1e-15)
    assert np.allclose(SOFTMAX.fn(z), e / e.sum(axis=1, keepdims=True), rtol=0, atol=1e-15)
    v = np.array([1.0, 2.0, 3.0])
    assert np.allclose(SOFTMAX.fn(v), np.exp(v) / np.exp(v).sum(), rtol=0, atol=1e-15)


def test_relu_prime_is_zero_at_the_kink_and_labels_must_be_in_range():
    from network.activations import relu_prime
    from network.data import to_labels

    assert np.array_equal(relu_prime(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 1.0])
    with pytest.raises(ValueError, match=r"labels range over 0\.\.3, expected 0\.\.2"):
        to_labels(np.array([0, 3]), 3)
    assert np.array_equal(to_labels(np.array([0, 2]), 3), [0, 2])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_data_arrive_in_the_networks_dtype_whatever_their_form(dtype):
    from network.data import as_matrices

    X, y = data(4)
    forms = [(X, y), (X, np.eye(3)[y]), [(x[:, None], int(t)) for x, t in zip(X, y)],
             [(x[:, None], np.eye(3)[:, [t]]) for x, t in zip(X, y)]]
    for form in forms:
        Xm, Ym = as_matrices(form, 6, 3, "data", dtype)
        assert Xm.dtype == dtype and Ym.dtype == dtype and np.array_equal(Ym, np.eye(3)[y])
        Xl, labels = as_matrices(form, 6, 3, "data", dtype, one_hot_targets=False)
        assert Xl.dtype == dtype and labels.dtype == np.int64 and np.array_equal(labels, y)
    with pytest.raises(ValueError, match="data: 1-D targets must be integer labels, got dtype float64"):
        as_matrices((X, y.astype(float)), 6, 3, "data")


def test_relative_error_values_and_a_wrong_gradient_is_caught():
    assert relative_error(np.array([1.0, 2.0]), np.array([1.0, 3.0])) == pytest.approx(1 / 3)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([-4.0]), np.array([4.0])) == 2.0
    X, y = data(4)
    net = MatrixNetwork([6, 4, 3], seed=0, cost="cross-entropy")
    assert max(gradient_check(net, X, y).values()) < 1e-7
    good = net.gradient

    def doubled_first_layer(x, t):
        g = good(x, t)
        g["w0"] = 2 * g["w0"]
        return g

    net.gradient = doubled_first_layer
    errors = gradient_check(net, X, y)
    assert errors["w0"] == pytest.approx(0.5, abs=1e-6) and errors["w1"] < 1e-7


def test_gradient_check_uses_its_step_h_and_numerical_gradient_names_bad_input():
    X, y = data(3)
    net = MatrixNetwork([6, 4, 3], seed=0)
    assert max(gradient_check(net, X, y).values()) < 1e-7
    assert max(gradient_check(net, X, y, h=0.5).values()) > 1e-4   # a coarse step shows
    with pytest.raises(ValueError, match="needs a float numpy array, got list$"):
        network.numerical_gradient(lambda v: 0.0, [1.0])
    with pytest.raises(ValueError, match="got ndarray of dtype int64"):
        network.numerical_gradient(lambda v: 0.0, np.arange(3))
    g = network.numerical_gradient(lambda v: float(np.sum(v ** 2)), np.ones(2, dtype=np.float32), h=1e-2)
    assert g.dtype == np.float32 and np.allclose(g, 2.0, atol=1e-3)


def test_epoch_line_estimates_the_time_left_from_the_mean_epoch(capsys):
    from network.history import History
    from network.reports import print_epoch

    h = History(test_accuracy=[5, 6], seconds=[2.0, 4.0], n_test=10, evaluation_accuracy=[7, 8])
    print_epoch(1, h, evaluation_size=9, epochs=5)              # 3 epochs left at 3.0 s each
    print_epoch(4, h, epochs=5)                                 # the last one: nothing left
    assert capsys.readouterr().out.splitlines() == [
        "Epoch 1: 6 / 10  (4.00 s, about 9 s left)", "  evaluation accuracy 8 / 9", "Epoch 4: 6 / 10  (4.00 s)"]
    assert repr(h) == "History(2 epochs, test accuracy 6 / 10, best evaluation accuracy 8, 3.00 s per epoch)"


def test_numerical_gradient_restores_input_even_when_f_raises():
    x = np.arange(6.0).reshape(2, 3)
    before = x.copy()
    g = numerical_gradient(lambda v: float(np.sum(v ** 2)), x)
    assert np.allclose(g, 2 * before, atol=1e-6) and np.array_equal(x, before)
    calls = []

    def flaky(v):
        calls.append(v.copy())
        if len(calls) == 3:
            raise RuntimeError("boom")
        return float(v.sum())

    with pytest.raises(RuntimeError):
        numerical_gradient(flaky, x)
    assert np.array_equal(x, before)
    assert not np.array_equal(calls[-1], before)  # it really was perturbed when f raised


def test_numerical_gradient_on_non_contiguous_views_and_errors():
    base = np.arange(12.0).reshape(3, 4)
    view = base.T  # not C-contiguous
    g = numerical_gradient(lambda v: float(np.sum(v ** 3)), view)
    assert np.allclose(g, 3 * view ** 2, rtol=1e-6)
    with pytest.raises(ValueError, match="float numpy array"):
        numerical_gradient(lambda v: 0.0, np.arange(3))
    with pytest.raises(ValueError, match="h must be > 0"):
        numerical_gradient(lambda v: 0.0, np.zeros(3), h=0)


def test_slow_numerical_gradient_reports_progress_unless_told_not_to(monkeypatch, capsys):
    import itertools

    import network.reports as reports

    clock = itertools.count(0.0, 4.0)                    # every call to the clock: 4 s later
    monkeypatch.setattr(reports.time, "perf_counter", lambda: next(clock))
    x = np.zeros(6)
    numerical_gradient(lambda v: float(np.sum(v ** 2)), x)
    lines = capsys.readouterr().err.splitlines()
    # clock 0 at the start; entry 1 at 4 s (quiet for 5 s), entry 2 at 8 s: 8 / 2 * 4 entries left = 16 s
    assert lines[0] == "numerical gradient, entries: 2 / 6, 8 s elapsed, about 16 s left"
    assert lines[-1].startswith("numerical gradient, entries: 6 / 6,") and lines[-1].endswith("about 0 s left")
    numerical_gradient(lambda v: float(np.sum(v ** 2)), x, verbose=False)
    assert capsys.readouterr().err == ""


def test_gradient_check_on_nielsen_networks():
    rng = np.random.default_rng(6)
    samples = random_samples(rng, 3, 6, 4)
    errors = gradient_check(Network([6, 5, 4], seed=2), [x for x, _ in samples], [y for _, y in samples])
    assert set(errors) == {"w0", "b0", "w1", "b1"} and max(errors.values()) < 1e-6
    X = np.hstack([x for x, _ in samples]).T
    for cost in ("quadratic", "cross-entropy", "log-likelihood"):
        for activation in ("sigmoid", "tanh", "relu"):
            net = MatrixNetwork([6, 5, 4, 4], seed=3, cost=cost, activation=activation)
            errors = gradient_check(net, X, rng.integers(0, 4, 3))
            assert max(errors.values()) < 1e-6, (cost, activation, errors)
    with pytest.raises(TypeError, match="a object has no params, loss, gradient"):
        gradient_check(object(), X, X)
