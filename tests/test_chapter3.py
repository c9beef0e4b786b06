"""Chapter 3 on MatrixNetwork: costs, L2, monitoring, early stopping, eta schedule, save and load."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

import network
from network import MatrixNetwork, Network, NetworkFileError, gradient_check
from network.costs import CrossEntropyCost, LogLikelihoodCost, QuadraticCost


def data(n=40, n_in=6, n_out=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, n_in)), rng.integers(0, n_out, n)


@pytest.mark.parametrize("cost", ["cross-entropy", "log-likelihood"])
def test_chapter3_cost_gradients_match_numerical(cost):
    X, y = data(5)
    net = MatrixNetwork([6, 7, 3], seed=1, cost=cost, init="scaled")
    errors = gradient_check(net, X, y)
    assert max(errors.values()) < 1e-6, errors


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


def test_unknown_cost_or_activation_is_named():
    with pytest.raises(ValueError, match="unknown cost 'hinge'"):
        MatrixNetwork([3, 2], cost="hinge")
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        MatrixNetwork([3, 2], activation="swish")
    with pytest.raises(ValueError, match="init must be one of"):
        MatrixNetwork([3, 2], init="xavier")


def test_scaled_init_has_variance_one_over_n_in():
    net = MatrixNetwork([784, 100, 10], seed=0, init="scaled")
    assert np.std(net.weights[0]) == pytest.approx(1 / np.sqrt(784), rel=0.02)
    assert np.std(net.biases[0]) == pytest.approx(1.0, rel=0.2)


def test_l2_shrinks_weights_by_exactly_one_minus_eta_lambda_over_n():
    X, y = data(8)
    eta, lmbda, n = 0.5, 3.0, 8
    plain = MatrixNetwork([6, 4, 3], seed=2)
    reg = MatrixNetwork([6, 4, 3], seed=2)
    w0 = [w.copy() for w in plain.weights]
    b0 = [b.copy() for b in plain.biases]
    plain.SGD((X, y), 1, n, eta, verbose=False)           # one mini-batch: the whole set
    reg.SGD((X, y), 1, n, eta, lmbda=lmbda, verbose=False)
    for wp, wr, w in zip(plain.weights, reg.weights, w0):
        # decayed step minus plain step = -(eta lmbda / n) w
        assert np.allclose(wr - wp, -(eta * lmbda / n) * w, rtol=0, atol=1e-14)
    for bp, br in zip(plain.biases, reg.biases):
        assert np.array_equal(bp, br)  # biases are not regularised
    assert not np.allclose(b0[0], plain.biases[0])


def test_monitoring_lists_have_one_entry_per_epoch_and_unpack_like_network2():
    X, y = data(60)
    Xe, ye = data(20, seed=1)
    net = MatrixNetwork([6, 5, 3], seed=0, cost="cross-entropy")
    history = net.SGD((X, y), 4, 10, 0.5, lmbda=0.1, evaluation_data=(Xe, ye),
                      monitor_evaluation_cost=True, monitor_evaluation_accuracy=True,
                      monitor_training_cost=True, monitor_training_accuracy=True, verbose=False)
    evaluation_cost, evaluation_accuracy, training_cost, training_accuracy = history
    assert len(evaluation_cost) == len(evaluation_accuracy) == len(training_cost) == len(training_accuracy) == 4
    assert all(0 <= a <= 20 for a in evaluation_accuracy) and all(0 <= a <= 60 for a in training_accuracy)
    assert training_cost[-1] == pytest.approx(net.total_cost((X, y), 0.1))
    assert training_cost[-1] < training_cost[0]


def test_early_stopping_after_n_epochs_without_improvement():
    X, y = data(30)
    net = MatrixNetwork([6, 4, 3], seed=0)
    history = net.SGD((X, y), 50, 10, 1e-12, evaluation_data=(X, y), early_stopping_n=3, verbose=False)
    # accuracy cannot change with eta = 1e-12: best at epoch 0, then 3 epochs without improvement
    assert len(history.seconds) == 4 and len(history.evaluation_accuracy) == 4


def test_eta_schedule_halves_and_stops_at_one_128th():
    X, y = data(30)
    net = MatrixNetwork([6, 4, 3], seed=0)
    history = net.SGD((X, y), 500, 10, 1e-12, evaluation_data=(X, y), lr_schedule_n=2, verbose=False)
    # epoch 0 improves; each 2 epochs without improvement halve eta; the 7th halving, to 1/128, stops
    assert len(history.seconds) == 1 + 7 * 2
    assert history.eta[0] == 1e-12 and history.eta[-1] == pytest.approx(1e-12 / 64)
    assert sorted(set(history.eta), reverse=True) == [1e-12 / 2 ** k for k in range(7)]


def test_time_budget_stops_training():
    X, y = data(2000, n_in=50)
    net = MatrixNetwork([50, 30, 3], seed=0)
    history = net.SGD((X, y), 10000, 1, 0.1, max_seconds=0.5, verbose=False)
    assert 1 <= len(history.seconds) < 10000 and sum(history.seconds) <= 0.5 + history.seconds[0]


@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(dtype=np.float32),
    dict(cost="cross-entropy", activation="tanh", init="scaled"),
    dict(cost="log-likelihood", activation="relu", dtype=np.float32),
])
def test_save_load_round_trip_is_bit_identical(tmp_path, kwargs):
    X, y = data(20)
    net = MatrixNetwork([6, 5, 4, 3], seed=3, **kwargs)
    net.SGD((X, y), 2, 5, 0.3, verbose=False)
    path = tmp_path / "net.json"
    net.save(path)
    loaded = network.load(path)
    assert type(loaded) is MatrixNetwork and loaded.sizes == net.sizes and loaded.dtype == net.dtype
    assert loaded.cost is net.cost and loaded.activation is net.activation
    assert np.array_equal(loaded.feedforward(X), net.feedforward(X))
    assert all(np.array_equal(a, b) for a, b in zip(loaded.weights + loaded.biases, net.weights + net.biases))


def test_per_sample_network_round_trip(tmp_path):
    net = Network([4, 3, 2], seed=0)
    net.save(tmp_path / "n.json")
    loaded = network.load(tmp_path / "n.json")
    x = np.linspace(0, 1, 4).reshape(4, 1)
    assert type(loaded) is Network and np.array_equal(loaded.feedforward(x), net.feedforward(x))


def test_interrupted_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "net.json"
    old = MatrixNetwork([3, 2], seed=0)
    old.save(path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed before the rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        MatrixNetwork([3, 2], seed=1).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]  # no temp file left behind
    assert np.array_equal(network.load(path).weights[0], old.weights[0])


def _good(tmp_path):
    path = tmp_path / "good.json"
    MatrixNetwork([3, 2, 2], seed=0).save(path)
    return json.loads(path.read_text())


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.pop("weights"), "missing key 'weights'"),
    (lambda d: d.update(cost="hinge"), "unknown cost 'hinge'"),
    (lambda d: d.update(activation="swish"), "unknown activation 'swish'"),
    (lambda d: d.update(format_version=99), "format_version 99 is not supported"),
    (lambda d: d.update(sizes=[3, 0, 2]), r"sizes\[1\] must be an integer >= 1"),
    (lambda d: d["weights"].__setitem__(0, [[1.0, 2.0]]), r"weights\[0\] is not 2 rows of 3 numbers"),
    (lambda d: d["biases"].__setitem__(1, [[1.0], ["x"]]), r"biases\[1\] holds something that is not a number"),
    (lambda d: d.update(dtype="float16"), "must be float32 or float64"),
    (lambda d: d.update({"class": "Perceptron"}), "unknown class 'Perceptron'"),
])
def test_bad_files_are_named(tmp_path, mutate, message):
    d = _good(tmp_path)
    mutate(d)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(d))
    with pytest.raises(NetworkFileError, match=message) as exc:
        network.load(path)
    assert "bad.json" in str(exc.value)


def test_not_json_and_not_an_object(tmp_path):
    (tmp_path / "a.json").write_text("{not json")
    with pytest.raises(NetworkFileError, match="not a JSON network file"):
        network.load(tmp_path / "a.json")
    (tmp_path / "b.json").write_text("[1, 2]")
    with pytest.raises(NetworkFileError, match="expected a JSON object"):
        network.load(tmp_path / "b.json")
    (tmp_path / "c.json").write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(NetworkFileError):
        network.load(tmp_path / "c.json")


def test_non_finite_weights_are_not_saved(tmp_path):
    net = MatrixNetwork([3, 2], seed=0)
    net.weights[0][0, 0] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        net.save(tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()


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


@pytest.mark.parametrize("cost", ["quadratic", "cross-entropy", "log-likelihood"])
def test_matrix_network_cost_derivative_is_its_own_costs(cost):
    net = MatrixNetwork([3, 2], cost=cost)
    a, y = np.array([[0.25, 0.75]]), np.array([[0.0, 1.0]])
    expected = {"quadratic": a - y, "cross-entropy": (a - y) / (a * (1 - a)), "log-likelihood": -y / a}[cost]
    assert np.allclose(net.cost_derivative(a, y), expected, rtol=0, atol=1e-15)


def test_softmax_is_exact_and_finite_for_huge_inputs():
    from network.activations import Softmax, log_softmax

    z = np.array([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0]])
    e = np.exp([1.0, 2.0, 3.0])
    assert np.allclose(Softmax.fn(z)[0], e / e.sum(), rtol=0, atol=1e-15)
    assert np.array_equal(Softmax.fn(z)[1], [1.0, 0.0, 0.0])
    assert np.allclose(log_softmax(z)[1], [0.0, -1000.0, -2000.0], rtol=0, atol=1e-12)
