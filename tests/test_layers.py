"""The computational-graph layers, TwoLayerNet and gradient checking, against numerical gradients."""
from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pytest
from shopping import buy_apples, buy_apples_and_oranges

from network import TwoLayerNet, gradient_check, numerical_gradient
from network.gradient_check import relative_error
from network.layers import AddLayer, Affine, MulLayer, Relu, Sigmoid, SoftmaxWithLoss

# ---------------------------------------------------------------- the shopping examples

def test_apple_example_exactly():
    price, grads = buy_apples(Fraction(100), 2, Fraction(11, 10))
    assert price == 220
    assert grads == {"apple": Fraction(11, 5), "apple_num": 110, "tax": 200}


def test_apple_and_orange_example_exactly():
    price, grads = buy_apples_and_oranges(Fraction(100), 2, Fraction(150), 3, Fraction(11, 10))
    assert price == 715
    assert grads == {"apple": Fraction(11, 5), "apple_num": 110, "orange": Fraction(33, 10),
                     "orange_num": 165, "tax": 650}


def test_shopping_in_floats_matches_the_book():
    price, grads = buy_apples_and_oranges(100.0, 2, 150.0, 3, 1.1)
    assert price == pytest.approx(715) and grads["orange"] == pytest.approx(3.3)
    assert grads["tax"] == pytest.approx(650) and grads["apple_num"] == pytest.approx(110)


# ---------------------------------------------------------------- layers vs numerical gradients

def check_layer_input_gradient(forward, backward, x, rng) -> float:
    """Relative error of backward(w) against the numerical gradient of sum(forward(x) * w)."""
    out = forward(x)
    w = rng.standard_normal(np.shape(out))
    analytic = backward(w)
    numeric = numerical_gradient(lambda v: float(np.sum(forward(v) * w)), x, h=1e-5)
    return relative_error(analytic, numeric)


def test_mul_and_add_layers_on_arrays_and_broadcasting():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((3, 4)), rng.standard_normal((1, 4))
    for layer in (MulLayer(), AddLayer()):
        out = layer.forward(x, y)
        w = rng.standard_normal(out.shape)
        dx, dy = layer.backward(w)
        assert dx.shape == x.shape and dy.shape == y.shape
        f = lambda: float(np.sum(type(layer)().forward(x, y) * w))  # noqa: E731
        assert relative_error(dx, numerical_gradient(lambda _: f(), x, 1e-5)) < 1e-6
        assert relative_error(dy, numerical_gradient(lambda _: f(), y, 1e-5)) < 1e-6


@pytest.mark.parametrize("layer_cls", [Relu, Sigmoid])
def test_activation_layers(layer_cls):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 6))
    x[np.abs(x) < 1e-3] = 0.5  # keep away from the ReLU kink, where no derivative exists
    layer = layer_cls()
    assert check_layer_input_gradient(lambda v: layer_cls().forward(v), lambda w: (layer.forward(x), layer.backward(w))[1], x, rng) < 1e-6


def test_relu_keeps_its_mask_and_leaves_dout_alone():
    layer = Relu()
    out = layer.forward(np.array([[-1.0, 2.0], [3.0, -4.0]]))
    assert np.array_equal(out, [[0, 2], [3, 0]])
    dout = np.ones((2, 2))
    assert np.array_equal(layer.backward(dout), [[0, 1], [1, 0]])
    assert np.array_equal(dout, np.ones((2, 2)))  # not overwritten in place
    assert np.array_equal(layer.backward(2 * dout), [[0, 2], [2, 0]])  # the mask is still there


def test_affine_is_a_matrix_product_with_dW_db_and_any_trailing_shape():
    rng = np.random.default_rng(2)
    W, b = rng.standard_normal((12, 5)), rng.standard_normal(5)
    x = rng.standard_normal((4, 3, 2, 2))  # flattened to (4, 12)
    layer = Affine(W, b)
    out = layer.forward(x)
    assert np.allclose(out, x.reshape(4, 12) @ W + b)
    w = rng.standard_normal(out.shape)
    dx = layer.backward(w)
    assert dx.shape == x.shape
    f = lambda: float(np.sum(Affine(W, b).forward(x) * w))  # noqa: E731
    assert relative_error(dx, numerical_gradient(lambda _: f(), x, 1e-5)) < 1e-6
    assert relative_error(layer.dW, numerical_gradient(lambda _: f(), W, 1e-5)) < 1e-6
    assert relative_error(layer.db, numerical_gradient(lambda _: f(), b, 1e-5)) < 1e-6
    with pytest.raises(ValueError, match=r"input of shape \(4, 11\) does not flatten to \(N, 12\)"):
        layer.forward(np.zeros((4, 11)))
    with pytest.raises(ValueError, match="b of shape"):
        Affine(W, np.zeros(4))


def test_softmax_with_loss_gradient_and_label_forms():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 4))
    labels = rng.integers(0, 4, 6)
    one_hot = np.eye(4)[labels]
    a, b = SoftmaxWithLoss(), SoftmaxWithLoss()
    assert a.forward(x, labels) == pytest.approx(b.forward(x, one_hot), abs=1e-15)
    assert np.allclose(a.backward(), b.backward(), atol=1e-15)
    numeric = numerical_gradient(lambda v: SoftmaxWithLoss().forward(v, labels), x.copy(), 1e-5)
    assert relative_error(a.backward(), numeric) < 1e-6
    # the book's formula: mean of -log softmax at the label
    p = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    assert a.loss == pytest.approx(-np.mean(np.log(p[np.arange(6), labels])), rel=1e-12)
    with pytest.raises(ValueError, match="do not fit scores"):
        SoftmaxWithLoss().forward(x, np.eye(3)[:6])
    with pytest.raises(ValueError, match=r"labels range over 4\.\.7, expected 0\.\.3"):
        SoftmaxWithLoss().forward(x, labels + 4)
    with pytest.raises(ValueError, match=r"^targets contain non-finite values \(nan or inf\)"):
        SoftmaxWithLoss().forward(x, np.full((6, 4), np.nan))


def test_softmax_stays_finite_for_huge_inputs():
    layer = SoftmaxWithLoss()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = layer.forward(np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -999.0]]), np.array([0, 2]))
        dx = layer.backward()
    assert np.isfinite(loss) and np.isfinite(dx).all()
    assert loss == pytest.approx((0 + (np.log(1 + 2 * np.exp(-1)))) / 2, rel=1e-12)


# ---------------------------------------------------------------- numerical_gradient itself


# ---------------------------------------------------------------- networks

def test_two_layer_net_gradient_check():
    rng = np.random.default_rng(4)
    net = TwoLayerNet(20, 10, 5, weight_init_std=0.5, seed=0)
    x, t = rng.standard_normal((4, 20)), rng.integers(0, 5, 4)
    errors = gradient_check(net, x, t)
    assert set(errors) == {"W1", "b1", "W2", "b2"}
    assert max(errors.values()) < 1e-6, errors
    before = {k: v.copy() for k, v in net.params.items()}
    net.numerical_gradient(x, t)
    assert all(np.array_equal(before[k], net.params[k]) for k in before)  # restored
    # one-hot targets give the same gradient
    onehot = net.gradient(x, np.eye(5)[t])
    labels = net.gradient(x, t)
    assert all(np.allclose(onehot[k], labels[k], atol=1e-15) for k in labels)


def test_two_layer_net_update_in_place_and_accuracy():
    rng = np.random.default_rng(5)
    net = TwoLayerNet(8, 6, 3, weight_init_std=0.5, seed=1)
    x, t = rng.standard_normal((30, 8)), rng.integers(0, 3, 30)
    losses = []
    for _ in range(200):
        grad = net.gradient(x, t)
        for key in ("W1", "b1", "W2", "b2"):
            net.params[key] -= 0.5 * grad[key]
        losses.append(net.loss(x, t))
    assert losses[-1] < 0.5 * losses[0]
    assert net.layers["Affine1"].W is net.params["W1"]
    assert net.accuracy(x, t) == net.accuracy(x, np.eye(3)[t]) > 0.8
    with pytest.raises(ValueError, match="hidden_size must be an integer >= 1"):
        TwoLayerNet(8, 0, 3)


def test_fast_numerical_gradient_equals_the_books():
    rng = np.random.default_rng(7)
    net = TwoLayerNet(30, 8, 4, weight_init_std=0.5, seed=2)
    x, t = rng.random((7, 30)), rng.integers(0, 4, 7)
    slow = net.numerical_gradient(x, t)
    fast = net.numerical_gradient(x, np.eye(4)[t], fast=True)
    for key in slow:
        assert fast[key].shape == slow[key].shape
        assert np.max(np.abs(fast[key] - slow[key])) < 1e-9
    assert relative_error(fast["W1"], net.gradient(x, t)["W1"]) < 1e-6


@pytest.mark.parametrize("y_shape", [(3,), (1, 3), (2, 1), (), (2, 3)])
def test_mul_and_add_gradients_sum_over_broadcast_axes(y_shape):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((2, 3)), rng.standard_normal(y_shape)
    dout = rng.standard_normal((2, 3))
    mul, add = MulLayer(), AddLayer()
    mul.forward(x, y), add.forward(x, y)
    dx, dy = mul.backward(dout)
    ax, ay = add.backward(dout)
    # the gradients of sum(dout * f(x, y)), by central differences
    num_dy = numerical_gradient(lambda v: float(np.sum(dout * (x * v))), y.copy(), 1e-6)
    assert np.shape(dy) == y_shape and np.allclose(dy, num_dy, rtol=0, atol=1e-8)
    assert np.allclose(dx, dout * y, rtol=0, atol=1e-15) and np.shape(ax) == (2, 3)
    assert np.shape(ay) == y_shape and np.allclose(ay, np.sum(dout) if y_shape == () else
                                                   numerical_gradient(lambda v: float(np.sum(dout * (x + v))), y.copy(), 1e-6),
                                                   rtol=0, atol=1e-8)


def test_two_layer_net_initialisation_and_dtype():
    a = TwoLayerNet(784, 50, 10, seed=3)
    assert np.std(a.params["W1"]) == pytest.approx(0.01, rel=0.02)       # the book's weight_init_std
    assert not a.params["b1"].any() and not a.params["b2"].any()
    b = TwoLayerNet(784, 50, 10, seed=3)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    c = TwoLayerNet(4, 3, 2, dtype=np.float32, seed=0)
    assert all(v.dtype == np.float32 for v in c.params.values())
    x, t = np.random.default_rng(1).random((5, 4)).astype(np.float32), np.array([0, 1, 1, 0, 1])
    assert all(g.dtype == np.float32 for g in c.numerical_gradient(x, t, fast=True).values())
    for name in ("input_size", "output_size"):
        with pytest.raises(ValueError, match=f"{name} must be an integer >= 1"):
            TwoLayerNet(**{"input_size": 4, "hidden_size": 3, "output_size": 2, name: 0})


def test_fast_central_differences_with_nonzero_biases_and_any_h():
    rng = np.random.default_rng(8)
    net = TwoLayerNet(6, 5, 3, weight_init_std=0.7, seed=1)
    net.params["b1"][:] = 1.0 + np.abs(rng.standard_normal(5))   # non-zero, and every unit alive
    net.params["b2"][:] = rng.standard_normal(3)
    x, t = rng.random((4, 6)), rng.integers(0, 3, 4)
    for h in (1e-4, 0.3):
        slow, fast = net.numerical_gradient(x, t, h=h), net.numerical_gradient(x, t, h=h, fast=True)
        assert all(np.max(np.abs(fast[k] - slow[k])) < 1e-9 for k in slow)
    # with h = 0.3 the central difference is visibly not the derivative: h is really used
    assert relative_error(net.numerical_gradient(x, t, h=0.3)["W1"], net.gradient(x, t)["W1"]) > 1e-4


def test_softmax_with_loss_takes_one_sample_and_a_scalar_label():
    x = np.array([1.0, 2.0, 0.5])
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, np.int64(1))
    assert loss == pytest.approx(-np.log(np.exp(2.0) / np.exp(x).sum()), rel=1e-12)
    assert layer.backward().shape == (1, 3)




def test_two_layer_net_refuses_what_cannot_work():
    for kwargs, message in ((dict(weight_init_std=float("nan")), "weight_init_std must be a finite number > 0"),
                            (dict(dtype=int), "dtype must be float32 or float64"),
                            (dict(dtype=str), "dtype must be float32 or float64"),
                            (dict(weight_init_std=1e200, dtype="float32"),
                             r"weight_init_std = 1e\+200 gives initial weights that are not finite in float32")):
        with warnings.catch_warnings():
            warnings.simplefilter("error")                   # a named error, not numpy's cast warning
            with pytest.raises(ValueError, match=message):
                TwoLayerNet(4, 3, 2, **kwargs)
    assert np.isfinite(TwoLayerNet(4, 3, 2, weight_init_std=1e200, dtype="float64").params["W1"]).all()
    net = TwoLayerNet(4, 3, 2, seed=0)
    with pytest.raises(ValueError, match="loss input contains non-finite values"):
        net.loss(np.full((2, 4), np.nan), np.array([0, 1]))
    with pytest.raises(ValueError, match="step h must be a finite number > 0, got 0"):
        net.numerical_gradient(np.ones((2, 4)), np.array([0, 1]), h=0, fast=True)
    X = np.random.default_rng(0).random((3, 4))
    for call in (lambda: net.loss(X, np.full((3, 2), np.nan)), lambda: net.gradient(X, np.full((3, 2), np.inf)),
                 lambda: net.update_mini_batch((X, np.full((3, 2), np.nan)), 0.1)):
        with pytest.raises(ValueError, match=r"^targets contain non-finite values"):
            call()
    with pytest.raises(ValueError, match=r"mini_batch must be a pair \(x, t\) of inputs in rows and their targets, got list of 1"):
        net.update_mini_batch([(X[0], 1)], 0.1)
