"""Exact checks that kill the single-line mutations that survived the suite before (issue 8):
L2 decay with the training-set size, the L2 term of the cost, relative_error, chunked
evaluation, the init in the save file, Network.evaluate on one-hot targets; and the chapter-2
step against hand-computed numbers."""
from __future__ import annotations

import copy
import json

import numpy as np
import pytest

import network
from network import MatrixNetwork, Network, gradient_check
from network.gradient_check import relative_error


def data(n, n_in=6, n_out=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, n_in)), rng.integers(0, n_out, n)


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


def test_evaluation_in_chunks_counts_every_row():
    X, y = data(10)
    net = MatrixNetwork([6, 4, 3], seed=3)
    outputs = net.feedforward(X)
    correct = int(np.sum(np.argmax(outputs, axis=1) == y))
    assert 0 < correct < 10
    for chunk in (1, 3, 4, 10, 11):
        assert net.accuracy(X, y, chunk=chunk) == correct
        assert net._total_cost(X, np.eye(3)[y], 0.0, chunk=chunk) == pytest.approx(net.total_cost((X, y)), rel=1e-12)


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


def test_saved_file_keeps_every_option(tmp_path):
    net = MatrixNetwork([6, 4, 3], seed=0, init="scaled", cost="log-likelihood", activation="tanh", dtype="float32")
    net.save(tmp_path / "n.json")
    saved = json.loads((tmp_path / "n.json").read_text())
    assert {k: saved[k] for k in ("init", "cost", "activation", "dtype", "class")} == {
        "init": "scaled", "cost": "log-likelihood", "activation": "tanh", "dtype": "float32", "class": "MatrixNetwork"}
    loaded = network.load(tmp_path / "n.json")
    assert (loaded.init, loaded.cost.name, loaded.activation.name, loaded.dtype) == ("scaled", "log-likelihood", "tanh", np.float32)
    assert all(w.dtype == np.float32 and np.array_equal(w, v) for w, v in zip(loaded.weights, net.weights))


def test_network_evaluate_takes_one_hot_and_integer_targets():
    rng = np.random.default_rng(0)
    net = Network([4, 5, 3], seed=1)
    xs = [rng.random((4, 1)) for _ in range(30)]
    labels = [int(rng.integers(0, 3)) for _ in range(30)]
    expected = sum(int(np.argmax(net.feedforward(x)) == t) for x, t in zip(xs, labels))
    assert 0 < expected < 30
    assert net.evaluate(list(zip(xs, labels))) == expected
    assert net.evaluate([(x, np.eye(3)[:, [t]]) for x, t in zip(xs, labels)]) == expected


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


def test_total_cost_without_l2_stays_finite_for_huge_weights():
    X, y = data(3)
    net = MatrixNetwork([6, 4, 3], seed=0)
    net.weights[0][0, 0] = 1e200                          # its square overflows to inf; 0 * inf would be nan
    assert np.isfinite(net.total_cost((X, y)))


def test_tanh_and_softmax_derivatives_and_axes():
    from network.activations import Softmax, Tanh, softmax

    z = np.linspace(-2, 2, 12).reshape(3, 4)
    assert np.allclose(Tanh.prime(z), 1 - np.tanh(z) ** 2, rtol=0, atol=1e-15)
    assert np.array_equal(Tanh.prime(z, np.tanh(z)), Tanh.prime(z))
    e = np.exp(z)
    assert np.allclose(softmax(z, axis=0), e / e.sum(axis=0), rtol=0, atol=1e-15)
    assert np.allclose(Softmax.fn(z), e / e.sum(axis=1, keepdims=True), rtol=0, atol=1e-15)
    v = np.array([1.0, 2.0, 3.0])
    assert np.allclose(Softmax.fn(v), np.exp(v) / np.exp(v).sum(), rtol=0, atol=1e-15)


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


def test_matrix_sgd_history_callback_and_monitors():
    X, y = data(30)
    Xe, ye = data(10, seed=1)
    net = MatrixNetwork([6, 5, 3], seed=0, cost="cross-entropy")
    seen = []
    history = net.SGD((X, y), 2, 7, 0.5, test_data=(Xe, ye), lmbda=0.3, evaluation_data=(Xe, ye),
                      monitor_evaluation_cost=True, verbose=False, callback=lambda j, h: seen.append((j, h.epochs)))
    assert seen == [(0, 1), (1, 2)] and history.n_test == 10 and all(0 < s < 60 for s in history.seconds)
    assert history.training_accuracy == []
    assert history.test_accuracy[-1] == net.accuracy(Xe, ye)
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


def test_relu_prime_is_zero_at_the_kink_and_labels_must_be_in_range():
    from network.activations import relu_prime
    from network.data import to_labels

    assert np.array_equal(relu_prime(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 1.0])
    with pytest.raises(ValueError, match=r"labels range over 0\.\.3, expected 0\.\.2"):
        to_labels(np.array([0, 3]), 3)
    assert np.array_equal(to_labels(np.array([0, 2]), 3), [0, 2])


def test_evaluation_takes_one_hot_rows_as_well_as_labels():
    X, y = data(12)
    net = MatrixNetwork([6, 4, 3], seed=5)
    assert net.evaluate((X, y)) == net.evaluate((X, np.eye(3)[y])) == int(np.sum(np.argmax(net.feedforward(X), 1) == y))


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
        with np.errstate(all="ignore"):
            net.SGD((10 * X, y), 20, 5, 1e100, verbose=False)
    net.weights[0][0, 0] = np.inf
    with pytest.raises(ValueError, match=r"weights\[0\] contains non-finite values"):
        net.SGD((X, y), 1, 5, 0.1, verbose=False)


def test_labels_and_targets_are_checked_naming_the_sample():
    rng = np.random.default_rng(0)
    x = rng.random((4, 1))
    one_hot = np.eye(3)[:, [1]]
    cases = [
        ([(x, one_hot), (x, 3.0)], "training", r"training_data\[1\]: (y is the label 3.0, training needs a one-hot|label 3.0 is not an integer)"),
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


def test_epoch_line_estimates_the_time_left_from_the_mean_epoch(capsys):
    from network.history import History, print_epoch

    h = History(test_accuracy=[5, 6], seconds=[2.0, 4.0], n_test=10, evaluation_accuracy=[7, 8])
    print_epoch(1, h, evaluation_size=9, epochs=5)              # 3 epochs left at 3.0 s each
    print_epoch(4, h, epochs=5)                                 # the last one: nothing left
    assert capsys.readouterr().out.splitlines() == [
        "Epoch 1: 6 / 10  (4.00 s, about 9 s left)", "  evaluation accuracy 8 / 9", "Epoch 4: 6 / 10  (4.00 s)"]
    assert repr(h) == "History(2 epochs, test accuracy 6 / 10, best evaluation accuracy 8, 3.00 s per epoch)"


def test_layer_speeds_in_float32_and_bad_data_named():
    X, y = data(8)
    net = MatrixNetwork([6, 4, 3], seed=0, dtype="float32")
    nabla_b, _ = net.backprop(X, y)
    assert net.layer_speeds((X, y)) == [float(np.linalg.norm(nb / 8)) for nb in nabla_b]
    with pytest.raises(ValueError, match=r"data: X has shape \(8, 5\)"):
        net.layer_speeds((X[:, :5], y))
