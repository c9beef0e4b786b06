"""The contract of README.md's table, entry by entry, for all four networks: where the books
agree or are silent, one name means one thing in every network."""
from __future__ import annotations

import numpy as np
import pytest

import network
from network import ConvNetwork, ConvPoolLayer, FullyConnectedLayer, MatrixNetwork, Network, SoftmaxLayer, TwoLayerNet
from network.history import History

N_IN, N_OUT, M = 16, 3, 6


def make(kind: str):
    if kind == "Network":
        return Network([N_IN, 5, N_OUT], seed=0)
    if kind == "MatrixNetwork":
        return MatrixNetwork([N_IN, 5, N_OUT], seed=0, cost="log-likelihood", activation="tanh")
    if kind == "ConvNetwork":
        net = ConvNetwork([ConvPoolLayer((2, 1, 3, 3), (M, 1, 4, 4), (2, 2), "tanh", dtype=np.float64),
                           FullyConnectedLayer(2, 5, "tanh", dtype=np.float64), SoftmaxLayer(5, N_OUT, dtype=np.float64)],
                          M, seed=0)
        net.layers[-1].w += 0.3 * np.random.default_rng(0).standard_normal(net.layers[-1].w.shape)
        return net
    return TwoLayerNet(N_IN, 5, N_OUT, weight_init_std=0.5, seed=0)


KINDS = ["Network", "MatrixNetwork", "ConvNetwork", "TwoLayerNet"]


def batch(kind: str, seed: int = 1):
    """x and y as the network's loss takes them: Nielsen's lists of columns for Network, rows and
    labels for the others."""
    rng = np.random.default_rng(seed)
    X, labels = rng.random((M, N_IN)), rng.integers(0, N_OUT, M)
    if kind == "Network":
        return [x[:, None] for x in X], [np.eye(N_OUT)[:, [t]] for t in labels], X, labels
    return X, labels, X, labels


def data(kind: str, seed: int = 1):
    """Evaluation data in the form the network's SGD and evaluate take."""
    x, y, X, labels = batch(kind, seed)
    return (list(zip(x, (int(t) for t in labels))) if kind == "Network" else (X, labels)), X, labels


@pytest.mark.parametrize("kind", KINDS)
def test_feedforward_gives_the_output_activations_in_the_form_of_the_input(kind):
    net = make(kind)
    _, _, X, _ = batch(kind)
    rows = net.feedforward(X)
    assert rows.shape == (M, N_OUT)
    assert net.feedforward(X[0][:, None]).shape == (N_OUT, 1) and net.feedforward(X[0]).shape == (N_OUT,)
    assert np.allclose(net.feedforward(X[0]), rows[0], rtol=0, atol=1e-12)
    if kind != "Network":                                       # softmax outputs: probabilities
        assert np.allclose(rows.sum(axis=1), 1.0) and (rows > 0).all()
    if kind == "TwoLayerNet":                                   # the book's predict: the scores before softmax
        scores = net.predict(X)
        assert np.allclose(np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True), rows)
    with pytest.raises(ValueError, match=r"feedforward input has shape \(5,\)"):
        net.feedforward(np.ones(5))
    with pytest.raises(ValueError, match="non-finite"):
        net.feedforward(np.full((2, N_IN), np.nan))


@pytest.mark.parametrize("kind", KINDS)
def test_classify_evaluate_and_accuracy_mean_the_same_everywhere(kind):
    net = make(kind)
    test_data, X, labels = data(kind)
    digits = net.classify(X)
    assert digits.shape == (M,) and np.array_equal(digits, np.argmax(net.feedforward(X), axis=1))
    assert isinstance(net.classify(X[0]), int) and net.classify(X[0]) == digits[0]
    column = net.classify(X[1][:, None])                         # the book's column (n, 1): one digit too
    assert isinstance(column, int) and column == digits[1]
    correct = int(np.sum(digits == labels))
    assert net.evaluate(test_data) == correct                   # a count (network.py's evaluate)
    x, y, _, _ = batch(kind)
    assert net.accuracy(x, y) == correct / M                    # a fraction (DLfS's accuracy)
    assert net.accuracy(X, labels) == correct / M                # rows and labels, in every network
    assert net.evaluate((X, labels)) == correct


@pytest.mark.parametrize("kind", KINDS)
def test_loss_gradient_backprop_and_params_are_one_function_its_gradient_and_its_arrays(kind):
    net = make(kind)
    x, y, _, _ = batch(kind)
    errors = network.gradient_check(net, x, y)
    assert max(errors.values()) < 1e-6, errors
    grads, params = net.gradient(x, y), net.params
    assert set(grads) == set(params) and all(grads[k].shape == params[k].shape for k in params)
    if kind == "Network":                                       # network.py's backprop: one sample at a time
        per_sample = [net.backprop(xi, yi) for xi, yi in zip(x, y)]
        nabla_b, nabla_w = ([sum(g[i][l] for g in per_sample) for l in range(2)] for i in (0, 1))
    else:
        nabla_b, nabla_w = net.backprop(x, y)
    names = ("W", "b") if kind == "TwoLayerNet" else ("w", "b")
    first = 1 if kind == "TwoLayerNet" else 0
    for l, (nb, nw) in enumerate(zip(nabla_b, nabla_w), start=first):
        if kind == "ConvNetwork":                               # new dropout masks: none here, so the same numbers
            assert np.allclose(nw, grads[f"{names[0]}{l}"]) and np.allclose(nb, grads[f"{names[1]}{l}"])
        else:
            assert np.allclose(nw, grads[f"{names[0]}{l}"], rtol=0, atol=1e-15)
            assert np.allclose(nb, grads[f"{names[1]}{l}"], rtol=0, atol=1e-15)
    # params are the network's own arrays: the loop of Deep Learning from Scratch trains the network
    before = net.loss(x, y)
    for _ in range(3):
        g = net.gradient(x, y)
        for k, p in net.params.items():
            p -= 0.1 * g[k]
    assert net.loss(x, y) < before


@pytest.mark.parametrize("kind", KINDS)
def test_update_mini_batch_is_one_step_of_gradient_descent(kind):
    net = make(kind)
    x, y, X, labels = batch(kind)
    mini_batch = list(zip(x, y)) if kind == "Network" else (X, labels)
    g = {k: v.copy() for k, v in net.gradient(x, y).items()}
    before = {k: v.copy() for k, v in net.params.items()}
    eta = 0.2
    net.update_mini_batch(mini_batch, eta)
    scale = eta / M if kind in ("Network", "MatrixNetwork") else eta   # summed cost, or a mean cost
    for k, p in net.params.items():
        assert np.allclose(p, before[k] - scale * g[k], rtol=0, atol=1e-12), k
    with pytest.raises(ValueError, match="eta must be a finite number > 0"):
        net.update_mini_batch(mini_batch, 0.0)


@pytest.mark.parametrize("kind", KINDS)
def test_sgd_each_with_its_books_arguments(kind):
    net = make(kind)
    test_data, X, labels = data(kind)
    x, y, _, _ = batch(kind)
    training = list(zip(x, y)) if kind == "Network" else (X, labels)
    if kind == "TwoLayerNet":                                   # the book trains it in a loop of its own
        assert not hasattr(net, "SGD")
        return
    if kind == "ConvNetwork":                                   # network3: validation, then test data
        history = net.SGD(training, 2, 3, 0.1, test_data, test_data, 0.1, verbose=False)
        assert len(history.evaluation_accuracy) == 2
    elif kind == "MatrixNetwork":                               # network2's keywords
        history = net.SGD(training, 2, 3, 0.1, test_data=test_data, lmbda=0.1, evaluation_data=test_data,
                          monitor_evaluation_accuracy=True, verbose=False)
        assert len(history.evaluation_accuracy) == 2
    else:                                                       # network.py's positional arguments
        history = net.SGD(training, 2, 3, 0.1, test_data, verbose=False)
    assert isinstance(history, History) and history.epochs == 2 and history.n_test == M
    assert history.test_accuracy[-1] == net.evaluate(test_data)


@pytest.mark.parametrize("kind", KINDS)
def test_save_load_and_repr(kind, tmp_path):
    net = make(kind)
    _, _, X, _ = batch(kind)
    net.save(tmp_path / "net.json")
    back = network.load(tmp_path / "net.json")
    assert type(back) is type(net) and np.array_equal(back.feedforward(X), net.feedforward(X))
    assert repr(back) == repr(net) and repr(net).startswith(f"{kind}(") and "\n" not in repr(net)
    assert all(word in repr(net) for word in ("cost", "activation" if kind != "ConvNetwork" else "ConvPool", "float"))


def test_defaults_follow_each_book():
    assert make("Network").dtype == np.float64 and MatrixNetwork([2, 2]).dtype == np.float64   # network.py's numbers
    assert ConvNetwork([FullyConnectedLayer(4, 3), SoftmaxLayer(3, 2)]).dtype == np.float32      # network3's floatX
    assert TwoLayerNet(4, 3, 2).dtype == np.float64


@pytest.mark.parametrize("kind", KINDS)
def test_assigning_into_params_shares_the_array_after_a_check_in_every_network(kind):
    net = make(kind)
    x, y, X, _ = batch(kind)
    params = net.params
    name = next(iter(params))
    own = params[name]
    new = own + np.random.default_rng(2).standard_normal(own.shape)
    params[name] = new                                          # taken over: the network computes with it ...
    assert net.params[name] is new and params[name] is new
    assert net.loss(x, y) != make(kind).loss(x, y)
    given = new.copy()
    net.update_mini_batch(list(zip(x, y)) if kind == "Network" else (X, batch(kind)[3]), 0.5)
    assert net.params[name] is new and not np.array_equal(new, given)     # ... and trains it in place
    for bad, match in ((np.zeros((3, 4)), r"has shape \(3, 4\), the network's sizes need"),
                       (own.astype(np.float32), "has dtype float32, the network computes in float64"),
                       (own.tolist(), "is a list, expected a numpy array"),
                       (np.full(own.shape, np.nan), "contains non-finite values")):
        with pytest.raises(ValueError, match=rf"params\['{name}'\] {match}"):
            params[name] = bad
        assert net.params[name] is new                           # refused: nothing changed
    with pytest.raises(KeyError, match=r"params has no 'w99'; its names are"):
        params["w99"] = own
    with pytest.raises(TypeError, match="names are fixed"):
        del params[name]
    assert list(net.params) == list(make(kind).params) and len(net.params) == 2 * (3 if kind == "ConvNetwork" else 2)


@pytest.mark.parametrize("kind", KINDS)
def test_seeds_and_hyperparameters_are_checked_at_the_door(kind):
    from fractions import Fraction

    for seed in ("abc", 1.5, -1, True):
        with pytest.raises(ValueError, match="seed must be None, an integer >= 0 or a numpy Generator, got"):
            if kind == "ConvNetwork":
                ConvNetwork([FullyConnectedLayer(4, 3), SoftmaxLayer(3, 2)], seed=seed)
            elif kind == "TwoLayerNet":
                TwoLayerNet(4, 3, 2, seed=seed)
            else:
                getattr(network, kind)([4, 3], seed=seed)
    net = make(kind)
    x, y, X, labels = batch(kind)
    mini_batch = list(zip(x, y)) if kind == "Network" else (X, labels)
    twin = make(kind)
    net.update_mini_batch(mini_batch, Fraction(1, 2))          # a Fraction computes as the float it is
    twin.update_mini_batch(mini_batch, 0.5)
    assert all(np.array_equal(p, twin.params[k]) for k, p in net.params.items())
    if kind == "TwoLayerNet":
        return
    net.SGD(mini_batch, 1, 3, Fraction(1, 2), verbose=False)
    with pytest.raises(ValueError, match=r"callback must be a function of \(epoch, history\), or None; got 5"):
        net.SGD(mini_batch, 1, 3, 0.5, verbose=False, callback=5)
