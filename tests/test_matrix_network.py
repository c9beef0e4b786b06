"""MatrixNetwork, the whole specification: chapter 2's answer (the same mathematics as the
per-sample Network, on many shapes), chapter 3's options (costs, L2, monitoring, early stopping,
the eta schedule, the time budget), chapter 5's speeds of learning, and its checks."""
from __future__ import annotations

import copy
import tracemalloc
import warnings

import numpy as np
import pytest
from conftest import random_samples
from hypothesis import given, settings
from hypothesis import strategies as st

from network import MatrixNetwork, Network, gradient_check


def data(n, n_in=6, n_out=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, n_in)), rng.integers(0, n_out, n)


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
    with pytest.raises(ValueError, match="biases: expected 2 arrays, got 1"):
        mnet.biases = mnet.biases[:1]                  # assigning a list checks it at once
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
        warnings.filterwarnings("ignore", message=".*inputs range over")   # said, and meant here
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
    with pytest.raises(ValueError, match=r"feedforward input has shape \(3, 3\): expected one sample as a column \(4, 1\)"):
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


def test_one_step_by_hand_on_a_tiny_network():
    """[1, 1, 1], one sample: every number of BP1-BP4 and the update computed by hand."""
    net = MatrixNetwork([1, 1, 1])
    net.weights, net.biases = [np.array([[0.5]]), np.array([[-1.0]])], [np.array([[0.1]]), np.array([[0.2]])]
    x, y = 2.0, 1.0
    s = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    z1 = 0.5 * x + 0.1; a1 = s(z1); z2 = -1.0 * a1 + 0.2; a2 = s(z2)          # noqa: E702
    d2 = (a2 - y) * a2 * (1 - a2)                                               # BP1
    d1 = -1.0 * d2 * a1 * (1 - a1)                                              # BP2
    nabla_b, nabla_w = net.backprop(np.array([[x]]), np.array([[y]]))
    assert np.allclose([nabla_b[1][0, 0], nabla_w[1][0, 0], nabla_b[0][0, 0], nabla_w[0][0, 0]],
                       [d2, d2 * a1, d1, d1 * x], rtol=0, atol=1e-15)           # BP3, BP4
    net.update_mini_batch([(np.array([[x]]), np.array([[y]]))], 3.0)
    assert np.allclose([net.weights[0][0, 0], net.biases[1][0, 0]], [0.5 - 3 * d1 * x, 0.2 - 3 * d2], rtol=0, atol=1e-15)


def test_backprop_takes_one_sample_as_the_books_columns_or_a_label():
    rng = np.random.default_rng(1)
    net = MatrixNetwork([4, 3, 2], seed=0)
    x, label = rng.random((4, 1)), 1
    rows = net.backprop(x.T, np.array([label]))
    for y in (np.eye(2)[:, [label]], label, np.eye(2)[[label]]):
        got = net.backprop(x, y)
        assert all(np.array_equal(a, b) for a, b in zip(got[0] + got[1], rows[0] + rows[1]))
    one = MatrixNetwork([1, 2], seed=0)                      # n_in = 1: a (1, 1) x is one sample either way
    assert one.backprop(np.array([[0.5]]), np.array([[0.0], [1.0]]))[1][0].shape == (2, 1)
    with pytest.raises(ValueError, match="backprop input: X has 1 samples but Y has 3"):
        net.backprop(x, np.zeros((3, 1)))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_l2_decay_uses_the_training_set_size_not_the_mini_batch_size(dtype):
    X, y = data(8)
    eta, lmbda = 0.5, 3.0
    net = MatrixNetwork([6, 4, 3], seed=2, dtype=dtype)
    assert all(a.dtype == dtype for a in net.weights + net.biases)
    manual = copy.deepcopy(net)
    order = copy.deepcopy(net.rng).permutation(8)
    net.SGD((X, y), 1, 4, eta, lmbda=lmbda, verbose=False)       # two mini-batches of 4, n = 8
    for batch in (order[:4], order[4:]):
        manual.update_mini_batch((X[batch], y[batch]), eta, lmbda, n=8)
    for a, b in zip(net.weights + net.biases, manual.weights + manual.biases):
        assert np.array_equal(a, b)
    # and update_mini_batch's rule, by hand: w -> (1 - eta lmbda / n) w - (eta / m) nabla_w
    fresh = MatrixNetwork([6, 4, 3], seed=2)
    w0, b0 = [w.copy() for w in fresh.weights], [b.copy() for b in fresh.biases]
    nabla_b, nabla_w = fresh.backprop(X[:4], y[:4])
    fresh.update_mini_batch((X[:4], y[:4]), eta, lmbda, n=100)
    for w, w_0, nw in zip(fresh.weights, w0, nabla_w):
        assert np.allclose(w, (1 - eta * lmbda / 100) * w_0 - (eta / 4) * nw, rtol=0, atol=1e-15)
    for b, b_0, nb in zip(fresh.biases, b0, nabla_b):
        assert np.allclose(b, b_0 - (eta / 4) * nb, rtol=0, atol=1e-15)


def test_update_mini_batch_defaults_n_to_the_mini_batch_and_names_it():
    X, y = data(4)
    a, b = MatrixNetwork([6, 4, 3], seed=0), MatrixNetwork([6, 4, 3], seed=0)
    a.update_mini_batch((X, y), 0.5, lmbda=2.0)
    b.update_mini_batch((X, y), 0.5, lmbda=2.0, n=4)
    assert all(np.array_equal(u, v) for u, v in zip(a.weights, b.weights))
    with pytest.raises(ValueError, match=r"mini_batch: X has shape \(4, 5\)"):
        a.update_mini_batch((X[:, :5], y), 0.5)
    with pytest.raises(ValueError, match=r"data: X has shape \(4, 5\)"):
        a.total_cost((X[:, :5], y))
    f32 = MatrixNetwork([6, 4, 3], seed=0, dtype="float32")
    f32.update_mini_batch((X, y), 0.5)
    assert all(w.dtype == np.float32 for w in f32.weights + f32.biases)


def test_total_cost_l2_term_is_half_lambda_over_n_times_the_squared_weights_only():
    X, y = data(5)
    net = MatrixNetwork([6, 4, 3], seed=1, cost="cross-entropy")
    net.biases = [b + 5.0 for b in net.biases]         # large biases: any bias in the L2 term shows
    squares = sum(float(np.sum(w ** 2)) for w in net.weights)
    plain = net.total_cost((X, y))
    assert net.total_cost((X, y), lmbda=2.0) - plain == pytest.approx(0.5 * 2.0 / 5 * squares, rel=1e-12)
    Y = np.eye(3)[y]
    mean = sum(net.cost.fn(net.feedforward(X[i:i + 1]), Y[i:i + 1]) for i in range(5)) / 5
    assert plain == pytest.approx(mean, rel=1e-12)


def test_total_cost_without_l2_stays_finite_for_huge_weights():
    X, y = data(3)
    net = MatrixNetwork([6, 4, 3], seed=0)
    net.weights[0][0, 0] = 1e200                          # its square overflows to inf; 0 * inf would be nan
    assert np.isfinite(net.total_cost((X, y)))


def test_evaluation_in_chunks_counts_every_row():
    X, y = data(10)
    net = MatrixNetwork([6, 4, 3], seed=3)
    outputs = net.feedforward(X)
    correct = int(np.sum(np.argmax(outputs, axis=1) == y))
    assert 0 < correct < 10
    from network.data import count_correct

    assert net.evaluate((X, y)) == correct and net.accuracy(X, y) == correct / 10
    for chunk in (1, 3, 4, 10, 11):
        assert count_correct(net.feedforward, X, y, chunk=chunk) == correct
    X, y = data(2500)                                   # more rows than one chunk of the cost
    one_by_one = sum(net.cost.fn(net.feedforward(X[i:i + 1]), np.eye(3)[y[i:i + 1]]) for i in range(2500))
    assert net.total_cost((X, y)) == pytest.approx(one_by_one / 2500, rel=1e-12)


def test_evaluation_takes_one_hot_rows_as_well_as_labels():
    X, y = data(12)
    net = MatrixNetwork([6, 4, 3], seed=5)
    assert net.evaluate((X, y)) == net.evaluate((X, np.eye(3)[y])) == int(np.sum(np.argmax(net.feedforward(X), 1) == y))


def test_matrix_sgd_history_callback_and_monitors():
    X, y = data(30)
    Xe, ye = data(10, seed=1)
    net = MatrixNetwork([6, 5, 3], seed=0, cost="cross-entropy")
    seen = []
    history = net.SGD((X, y), 2, 7, 0.5, test_data=(Xe, ye), lmbda=0.3, evaluation_data=(Xe, ye),
                      monitor_evaluation_cost=True, verbose=False, callback=lambda j, h: seen.append((j, h.epochs)))
    assert seen == [(0, 1), (1, 2)] and history.n_test == 10 and all(0 < s < 60 for s in history.seconds)
    assert history.training_accuracy == []
    assert history.test_accuracy[-1] == net.evaluate((Xe, ye))
    assert history.evaluation_cost[-1] == pytest.approx(net.total_cost((Xe, ye), lmbda=0.3), rel=1e-12)
    assert history.evaluation_accuracy == [] and history.training_cost == []
    for flag in ("monitor_evaluation_cost", "monitor_evaluation_accuracy"):
        with pytest.raises(ValueError, match="need evaluation_data"):
            net.SGD((X, y), 1, 7, 0.5, verbose=False, **{flag: True})


@pytest.mark.parametrize("option", ["early_stopping_n", "lr_schedule_n"])
def test_patience_of_one_epoch(option):
    X, y = data(20)
    net = MatrixNetwork([6, 3], seed=0)
    net.SGD((X, y), 1, 20, 1e-9, verbose=False)          # warm up: nothing
    history = net.SGD((X, y), 20, 20, 1e-9, evaluation_data=(X, y), verbose=False, **{option: 1})
    # eta 1e-9 changes nothing: the accuracy never improves after epoch 0
    if option == "early_stopping_n":
        assert history.epochs == 2
    else:
        assert history.eta[:4] == [1e-9, 1e-9, 5e-10, 2.5e-10] and history.epochs == 8   # 7 halvings: 1/128


def test_sgd_prints_the_book_lines_and_every_decision(capsys):
    X, y = data(20)
    net = MatrixNetwork([6, 3], seed=0)
    history = net.SGD((X, y), 20, 20, 1e-9, test_data=(X[:5], y[:5]), evaluation_data=(X[:8], y[:8]), lr_schedule_n=1)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"Epoch 0: {history.test_accuracy[0]} / 5  (")
    assert out[1] == f"  evaluation accuracy {history.evaluation_accuracy[0]} / 8"
    assert "  no improvement in 1 epochs: eta halved to 5e-10" in out
    assert out[-1] == "eta has fallen by a factor of 128: stopping"
    net.SGD((X, y), 5, 20, 1e-9, evaluation_data=(X, y), early_stopping_n=1)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Epoch 0 complete  (") and out[-1] == "early stopping: no improvement in 1 epochs"
    assert net.SGD((X, y), 1, 20, 1.0).n_test == 0
    assert capsys.readouterr().out.startswith("Epoch 0 complete  (")
    assert Network([6, 3]).SGD([(x[:, None], np.eye(3)[:, [t]]) for x, t in zip(X, y)], 1, 5, 1.0, verbose=False).n_test == 0
    assert capsys.readouterr().out == ""


def test_history_prints_as_one_line_and_still_unpacks():
    X, y = data(20)
    net = MatrixNetwork([6, 3], seed=0)
    history = net.SGD((X, y), 2, 5, 0.5, test_data=(X, y), evaluation_data=(X, y),
                      monitor_evaluation_accuracy=True, verbose=False)
    text = repr(history)
    assert text.startswith(f"History(2 epochs, test accuracy {history.test_accuracy[-1]} / 20, best evaluation accuracy ")
    assert "\n" not in text and text.endswith(" s per epoch)")
    ec, ea, tc, ta = history
    assert ea == history.evaluation_accuracy and ec == tc == ta == []


def test_training_that_diverges_stops_naming_the_epoch_and_eta():
    X, y = data(50)
    net = MatrixNetwork([6, 5, 5, 3], seed=0, activation="relu", cost="log-likelihood")
    with pytest.raises(FloatingPointError, match=r"training diverged in epoch 0: weights\[0\] are no longer finite "
                                                 r"numbers \(nan or inf\); the learning rate eta = 1e\+100 is probably too large"):
        with np.errstate(all="ignore"), pytest.warns(UserWarning, match="inputs range over"):
            net.SGD((10 * X, y), 20, 5, 1e100, verbose=False)
    net.weights[0][0, 0] = np.inf
    with pytest.raises(ValueError, match=r"weights\[0\] contains non-finite values"):
        net.SGD((X, y), 1, 5, 0.1, verbose=False)


def test_labels_and_targets_are_checked_naming_the_sample():
    rng = np.random.default_rng(0)
    x = rng.random((4, 1))
    one_hot = np.eye(3)[:, [1]]
    cases = [
        ([(x, one_hot), (x, 3.0)], "training", r"training_data\[1\]: (y is a label, but training_data\[0\]'s is a one-hot vector|label 3.0 is not an integer)"),
        ([(x, one_hot), (x, np.where(one_hot == 1, np.nan, one_hot))], "training", r"training_data\[1\]: y contains non-finite"),
        ([(x, one_hot), (np.where(x > 0.5, np.inf, x), one_hot)], "training", r"training_data\[1\]: x contains non-finite"),
        ([(x, 2), (x, 2.5)], "test", r"test_data\[1\]: label 2.5 is not an integer"),
        ([(x, 2), (x, -1)], "test", r"test_data\[1\]: label -1 is outside 0..2"),
    ]
    for samples, kind, message in cases:
        for net in (Network([4, 3], seed=0), MatrixNetwork([4, 3], seed=0)):
            train = samples if kind == "training" else [(x, one_hot)]
            test = samples if kind == "test" else None
            with pytest.raises(ValueError, match=message):
                net.SGD(train, 1, 1, 1.0, test_data=test, verbose=False)
    X, Y = rng.random((3, 4)), np.eye(3)
    Y[2, 0] = np.nan
    with pytest.raises(ValueError, match="training_data: Y row 2 contains non-finite"):
        MatrixNetwork([4, 3]).SGD((X, Y), 1, 1, 1.0, verbose=False)
    with pytest.raises(ValueError, match="1-D targets must be integer labels, got dtype float64"):
        MatrixNetwork([4, 3]).SGD((X, np.array([0.0, 1.7, -1.0])), 1, 1, 1.0, verbose=False)


def test_layer_speeds_are_backprops_own_gradients_exactly():
    X, y = data(12, n_out=3)
    Y = np.eye(3)[y]
    net = MatrixNetwork([6, 5, 4, 3], seed=1, cost="cross-entropy", init="scaled")
    before = copy.deepcopy(net)
    nabla_b, _ = before.backprop(X, Y)
    expected = [float(np.linalg.norm(nb / 12)) for nb in nabla_b]
    assert before.layer_speeds((X, y)) == expected
    assert all(np.array_equal(g, nb / 12) for g, nb in zip(before.mean_bias_gradients((X, Y)), nabla_b))
    history = net.SGD((X, y), 3, 12, 0.1, lmbda=5.0, monitor_layer_speeds=True, verbose=False)
    assert len(history.layer_speeds) == 3 and history.layer_speeds[0] == expected   # entry 0: at initialisation
    after_one = copy.deepcopy(before)
    after_one.SGD((X, y), 1, 12, 0.1, lmbda=5.0, verbose=False)
    assert history.layer_speeds[1] == after_one.layer_speeds((X, Y))


def test_layer_speeds_in_float32_and_bad_data_named():
    X, y = data(8)
    net = MatrixNetwork([6, 4, 3], seed=0, dtype="float32")
    nabla_b, _ = net.backprop(X, y)
    assert net.layer_speeds((X, y)) == [float(np.linalg.norm(nb / 8)) for nb in nabla_b]
    with pytest.raises(ValueError, match=r"data: X has shape \(8, 5\)"):
        net.layer_speeds((X[:, :5], y))


def test_one_neuron_per_layer_chain_gives_the_chapters_product():
    """Chapter 5: dC/db1 = sigma'(z1) w2 sigma'(z2) w3 sigma'(z3) w4 sigma'(z4) dC/da4."""
    from network.activations import sigmoid, sigmoid_prime

    net = MatrixNetwork([1, 1, 1, 1, 1])
    w = [0.9, -0.6, 0.8, 0.5]                                   # |w_j| < 1
    b = [0.3, -0.2, 0.1, 0.4]
    net.weights = [np.array([[v]]) for v in w]
    net.biases = [np.array([[v]]) for v in b]
    x, y = 0.7, 1.0
    a, zs = x, []
    for wj, bj in zip(w, b):
        zs.append(wj * a + bj)
        a = float(sigmoid(np.array(zs[-1])))
    sp = [float(sigmoid_prime(np.array(z))) for z in zs]
    chain = sp[0] * w[1] * sp[1] * w[2] * sp[2] * w[3] * sp[3] * (a - y)
    nabla_b, _ = net.backprop(np.array([[x]]), np.array([[y]]))
    assert nabla_b[0][0, 0] == pytest.approx(chain, rel=1e-14, abs=0)
    for j in range(1, 4):    # delta^{j-1} = sigma'(z_{j-1}) w_j delta^j, and |w_j sigma'(z_{j-1})| < 1/4
        assert abs(w[j] * sp[j - 1]) < 0.25
        assert nabla_b[j - 1][0, 0] / nabla_b[j][0, 0] == pytest.approx(sp[j - 1] * w[j], rel=1e-12)
    assert abs(nabla_b[0][0, 0]) < abs(nabla_b[3][0, 0]) / 4 ** 3   # earlier layers learn slower


@pytest.mark.parametrize("cost", ["cross-entropy", "log-likelihood"])
def test_chapter3_cost_gradients_match_numerical(cost):
    X, y = data(5)
    net = MatrixNetwork([6, 7, 3], seed=1, cost=cost, init="scaled")
    errors = gradient_check(net, X, y)
    assert max(errors.values()) < 1e-6, errors


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


@pytest.mark.parametrize("cost", ["quadratic", "cross-entropy", "log-likelihood"])
def test_matrix_network_cost_derivative_is_its_own_costs(cost):
    net = MatrixNetwork([3, 2], cost=cost)
    a, y = np.array([[0.25, 0.75]]), np.array([[0.0, 1.0]])
    expected = {"quadratic": a - y, "cross-entropy": (a - y) / (a * (1 - a)), "log-likelihood": -y / a}[cost]
    assert np.allclose(net.cost_derivative(a, y), expected, rtol=0, atol=1e-15)


def test_matrix_network_memory_is_bounded_whatever_the_mini_batch_sizes():
    """No per-size cache: after 300 different mini-batch sizes the network holds what it held."""
    net = MatrixNetwork([20, 10, 5], seed=0)
    X, y = np.random.default_rng(0).random((400, 20)), np.arange(400) % 5
    net.update_mini_batch((X[:7], y[:7]), 0.1)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for m in range(1, 301):
        net.update_mini_batch((X[:m], y[:m]), 0.1)
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert grown < 64 * 1024


# ---------------------------------------------------------------- the book's problems 3.18, 3.21, 3.26
def test_l1_and_l2_steps_are_gradient_descent_on_the_regularised_cost():
    """With one mini-batch of the whole set, a step moves w by -eta times the gradient of
    total_cost (central differences): L2 (lmbda/2n) sum w^2, L1 (l1/n) sum |w|, or both."""
    from network.numerical import numerical_gradient

    X, y = data(8)
    for lmbda, l1 in ((2.0, 0.0), (0.0, 3.0), (1.0, 2.0)):
        net = MatrixNetwork([6, 4, 3], seed=1, cost="cross-entropy")
        after = copy.deepcopy(net)
        after.update_mini_batch((X, y), 0.1, lmbda, l1_lmbda=l1)
        for w, w_after in zip(net.weights, after.weights):
            expected = numerical_gradient(lambda _: net.total_cost((X, y), lmbda, l1), w, h=1e-6, verbose=False)
            assert np.allclose((w - w_after) / 0.1, expected, rtol=0, atol=1e-7)


def test_monitored_costs_include_the_l1_and_l2_terms():
    X, y = data(8)
    net = MatrixNetwork([6, 4, 3], seed=1, cost="cross-entropy")
    history = net.SGD((X, y), 1, 4, 0.1, lmbda=1.0, l1_lmbda=2.0, evaluation_data=(X[:5], y[:5]),
                      monitor_training_cost=True, monitor_evaluation_cost=True, verbose=False)
    assert history.training_cost[0] == pytest.approx(net.total_cost((X, y), 1.0, 2.0), rel=1e-12)
    assert history.evaluation_cost[0] == pytest.approx(net.total_cost((X[:5], y[:5]), 1.0, 2.0), rel=1e-12)
    assert net.total_cost((X, y), 1.0, 2.0) > net.total_cost((X, y), 1.0) > net.total_cost((X, y))
    with pytest.raises(ValueError, match=r"early_stopping_delta must be a number in \[0, 1\), got 1.0"):
        net.SGD((X, y), 1, 4, 0.1, evaluation_data=(X, y), early_stopping_n=2, early_stopping_delta=1.0, verbose=False)


def test_l1_step_by_hand_on_a_tiny_network():
    net = MatrixNetwork([2, 2], seed=0)
    net.weights = [np.array([[0.5, -0.25], [0.0, 2.0]])]
    X, Y = np.array([[1.0, 2.0], [0.5, -1.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    nabla_b, nabla_w = net.backprop(X, Y)
    w0 = net.weights[0].copy()
    net.update_mini_batch((X, Y), 0.5, l1_lmbda=4.0, n=10)
    # w -> w - (eta l1 / n) sgn(w) - (eta / m) nabla_w; sgn(0) = 0: a weight at zero stays there but for the data
    assert np.array_equal(net.weights[0], w0 - 0.5 * 4.0 / 10 * np.sign(w0) - 0.5 / 2 * nabla_w[0])


def test_momentum_is_velocity_steps_reset_by_every_sgd_call():
    X, y = data(8)
    Y = np.eye(3)[y]
    eta, mu, lmbda = 0.3, 0.5, 2.0
    net = MatrixNetwork([6, 4, 3], seed=2)
    by_hand = copy.deepcopy(net)
    rng = copy.deepcopy(net.rng)
    net.SGD((X, y), 1, 4, eta, lmbda=lmbda, momentum=mu, verbose=False)
    net.SGD((X, y), 1, 4, eta, lmbda=lmbda, momentum=mu, verbose=False)
    for _ in range(2):                                           # each SGD call starts at v = 0
        vw = [np.zeros_like(w) for w in by_hand.weights]
        vb = [np.zeros_like(b) for b in by_hand.biases]
        order = rng.permutation(8)
        for batch in (order[:4], order[4:]):
            nabla_b, nabla_w = by_hand.backprop(X[batch], Y[batch])
            for w, v, nw in zip(by_hand.weights, vw, nabla_w):
                v[...] = mu * v - eta * (nw / 4 + lmbda / 8 * w)  # v -> mu v - eta grad C
                w += v                                         # w -> w + v
            for b, v, nb in zip(by_hand.biases, vb, nabla_b):
                v[...] = mu * v - eta * nb / 4
                b += v
    for a, b in zip(net.weights + net.biases, by_hand.weights + by_hand.biases):
        assert np.allclose(a, b, rtol=0, atol=1e-14)
    l1, by_hand = MatrixNetwork([6, 4, 3], seed=3), MatrixNetwork([6, 4, 3], seed=3)   # L1 and L2 in grad C
    l1.SGD((X, y), 2, 8, eta, lmbda=lmbda, l1_lmbda=3.0, momentum=mu, verbose=False)   # one mini-batch an epoch
    vw, vb = [np.zeros_like(w) for w in by_hand.weights], [np.zeros_like(b) for b in by_hand.biases]
    for _ in range(2):
        nabla_b, nabla_w = by_hand.backprop(X, Y)
        for w, v, nw in zip(by_hand.weights, vw, nabla_w):
            v[...] = mu * v - eta * (nw / 8 + lmbda / 8 * w + 3.0 / 8 * np.sign(w))
            w += v
        for b, v, nb in zip(by_hand.biases, vb, nabla_b):
            v[...] = mu * v - eta * nb / 8
            b += v
    for a, b in zip(l1.weights + l1.biases, by_hand.weights + by_hand.biases):
        assert np.allclose(a, b, rtol=0, atol=1e-14)
    plain, zero = MatrixNetwork([6, 4, 3], seed=2), MatrixNetwork([6, 4, 3], seed=2)
    plain.SGD((X, y), 2, 4, eta, lmbda=lmbda, verbose=False)
    zero.SGD((X, y), 2, 4, eta, lmbda=lmbda, momentum=0.0, verbose=False)
    assert all(np.array_equal(a, b) for a, b in zip(plain.weights + plain.biases, zero.weights + zero.biases))
    with pytest.raises(ValueError, match=r"momentum must be a number in \[0, 1\), got 1.0"):
        plain.SGD((X, y), 1, 4, eta, momentum=1.0, verbose=False)


def test_momentum_steps_follow_the_central_difference_gradient():
    """Two full-batch steps with momentum: v1 = -eta g(w0), v2 = mu v1 - eta g(w1), w2 = w1 + v2,
    with g the gradient of total_cost (L2 and L1 included) by central differences."""
    from network.numerical import numerical_gradient

    X, y = data(8)
    eta, mu, lmbda, l1 = 0.2, 0.7, 1.0, 0.5
    net = MatrixNetwork([6, 4, 3], seed=4, cost="cross-entropy")
    trained = copy.deepcopy(net)
    trained.SGD((X, y), 2, 8, eta, lmbda=lmbda, l1_lmbda=l1, momentum=mu, verbose=False)

    def grad(at):
        return [numerical_gradient(lambda _: at.total_cost((X, y), lmbda, l1), p, h=1e-6, verbose=False)
                for p in at.weights + at.biases]

    g0 = grad(net)
    step1 = copy.deepcopy(net)
    for p, g in zip(step1.weights + step1.biases, g0):
        p -= eta * g                                                # w1 = w0 + v1, v1 = -eta g(w0)
    g1 = grad(step1)
    for p, p_trained, a, b in zip(step1.weights + step1.biases, trained.weights + trained.biases, g0, g1):
        assert np.allclose(p_trained, p + mu * (-eta * a) - eta * b, rtol=0, atol=1e-7)


def test_early_stopping_with_a_minimum_improvement():
    from network.stopping import Plateau

    book, ours = Plateau(), Plateau(delta=2)
    for accuracy in (100, 101, 102, 103, 104):
        book.record(accuracy)
        ours.record(accuracy)
    assert book.epochs == 0 and (ours.best, ours.epochs) == (103, 1)   # 101, 102 and 104 gain 2 or less
    X, y = data(40)
    net = MatrixNetwork([6, 4, 3], seed=0)
    history = net.SGD((X, y), 50, 10, 0.5, evaluation_data=(X, y), early_stopping_n=2, early_stopping_delta=0.5,
                      verbose=False)
    assert history.epochs == 3          # no run gains half of the 40 samples: it stops after epochs 1 and 2


def test_misuse_is_named_before_any_work():
    X, y = data(6)
    net = MatrixNetwork([6, 4, 3], seed=0)
    with pytest.raises(ValueError, match=r"accuracy input: X has shape \(2, 3, 6\): expected samples in rows"):
        net.accuracy(X.reshape(2, 3, 6), y[:2])
    for n, message in ((0, "n \\(the training set's size\\) must be an integer >= 6, got 0"),
                       (-5, "got -5"), (2.5, "got 2.5")):
        with pytest.raises(ValueError, match=message):
            net.update_mini_batch((X, y), 0.5, 1.0, n=n)
    # a negative decay factor trains on, as network2.py does, with a warning that names the factor
    flipped = MatrixNetwork([6, 4, 3], seed=0)
    before = [w.copy() for w in flipped.weights]
    with pytest.warns(RuntimeWarning, match=r"the L2 decay factor 1 - eta\*lmbda/n = 1 - 2\*6/6 = -1 is negative"):
        flipped.update_mini_batch((X, y), 2.0, 6.0, n=6)
    nabla_b, nabla_w = MatrixNetwork([6, 4, 3], seed=0).backprop(X, np.eye(3)[y])
    assert np.allclose(flipped.weights[0], -before[0] - 2.0 / 6 * nabla_w[0], rtol=0, atol=1e-14)
    with pytest.warns(RuntimeWarning, match=r"= -9 is negative: every step flips the weights' signs, \|factor\| > 1: "
                                            r"the weights grow 9-fold"):
        MatrixNetwork([6, 4, 3], seed=0).SGD((X, y), 1, 2, 10.0, lmbda=6.0, verbose=False)
    decayed = MatrixNetwork([6, 4, 3], seed=0)                  # a factor of exactly 0 is allowed: w -> -(eta/m) nabla_w
    nabla_b, nabla_w = decayed.backprop(X, np.eye(3)[y])
    decayed.update_mini_batch((X, y), 1.0, 6.0, n=6)
    assert np.allclose(decayed.weights[0], -nabla_w[0] / 6, rtol=0, atol=1e-15)
    for call, name in ((lambda: net.update_mini_batch((X, y), 0.5, l1_lmbda=-1.0), "l1_lmbda"),
                       (lambda: net.total_cost((X, y), 0.0, -1.0), "l1_lmbda"),
                       (lambda: net.SGD((X, y), 1, 2, 0.5, l1_lmbda=-1.0, verbose=False), "l1_lmbda")):
        with pytest.raises(ValueError, match=rf"^{name} must be a finite number >= 0, got -1.0"):
            call()
    with pytest.raises(ValueError, match=r"^test_data: X has shape \(6, 5\)"):
        net.evaluate((X[:, :5], y))
    with pytest.raises(ValueError, match=r"^data: X has shape \(6, 5\)"):
        net.mean_bias_gradients((X[:, :5], y))
    f32 = MatrixNetwork([6, 4, 3], seed=0, dtype="float32")      # float64 inputs are computed in the network's dtype
    assert f32.feedforward(X).dtype == np.float32 and f32.feedforward(X[0]).dtype == np.float32
    with pytest.warns(UserWarning, match=r"training_data: inputs range over \d+..2\d\d; MNIST's are in \[0, 1\]"):
        net.SGD((np.round(255 * X), y), 1, 2, 0.1, verbose=False)
    with pytest.raises(ValueError, match="mini_batch: X holds complex128 values"):
        net.update_mini_batch((X + 0j, y), 0.5)


def test_a_float32_cross_entropy_cost_stays_finite_and_equal_to_float64s():
    """Saturated float32 sigmoids (a = 1.0 exactly) would make ln(1 - a) infinite: the cost is
    computed from z in float64 instead."""
    X, y = data(50)
    for dtype in ("float64", "float32"):
        net = MatrixNetwork([6, 8, 3], seed=0, cost="cross-entropy", activation="tanh", dtype=dtype)
        net.weights[-1] *= 40                                       # outputs saturate: |z| about 30-100
        costs = net.total_cost((X, y)), net.loss(X, np.eye(3)[y])
        assert all(np.isfinite(c) for c in costs)
        if dtype == "float64":
            expected = costs
        else:
            assert costs[0] == pytest.approx(expected[0], rel=1e-4) and costs[1] == pytest.approx(expected[1], rel=1e-4)
    from network.costs import CrossEntropyCost, LogLikelihoodCost
    z, target = np.array([[40.0, -3.0]]), np.array([[0.0, 1.0]])
    assert CrossEntropyCost.from_z(z, target) == pytest.approx(40 + np.log1p(np.exp(-40)) + np.log1p(np.exp(-3)) + 3, rel=1e-12)
    assert LogLikelihoodCost.from_z(z, target) == pytest.approx(43.0, rel=1e-12)


def test_a_non_finite_cost_is_the_divergence_error():
    X, y = data(20)
    net = MatrixNetwork([6, 4, 3], seed=0)
    net._cost_sum = lambda X, Y: float("nan")                      # a cost that is no number
    with pytest.raises(FloatingPointError, match=r"training diverged in epoch 0: the training cost is nan; the learning rate eta = 0.1"):
        net.SGD((X, y), 2, 5, 0.1, monitor_training_cost=True, verbose=False)
