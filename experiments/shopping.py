"""The shopping examples of *Deep Learning from Scratch*, chapter 5: backprop by hand on a graph.

Two apples at 100 each, 10% consumption tax: price 220. Going backward from d(price) = 1 gives
how much the price moves per unit of each input. Then the same with three oranges at 150.

    python experiments/shopping.py
"""
from __future__ import annotations

import sys

from helpers.runlog import make_parser, run_script  # (also puts the project on sys.path)

from network.layers import AddLayer, MulLayer


def buy_apples(apple, apple_num, tax):
    """Return (price, gradients) for apple * apple_num * tax."""
    mul_apple, mul_tax = MulLayer(), MulLayer()
    apple_price = mul_apple.forward(apple, apple_num)
    price = mul_tax.forward(apple_price, tax)
    dapple_price, dtax = mul_tax.backward(1)
    dapple, dapple_num = mul_apple.backward(dapple_price)
    return price, {"apple": dapple, "apple_num": dapple_num, "tax": dtax}


def buy_apples_and_oranges(apple, apple_num, orange, orange_num, tax):
    """Return (price, gradients) for (apple * apple_num + orange * orange_num) * tax."""
    mul_apple, mul_orange, add, mul_tax = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    apple_price = mul_apple.forward(apple, apple_num)
    orange_price = mul_orange.forward(orange, orange_num)
    total = add.forward(apple_price, orange_price)
    price = mul_tax.forward(total, tax)
    dtotal, dtax = mul_tax.backward(1)
    dapple_price, dorange_price = add.backward(dtotal)
    dorange, dorange_num = mul_orange.backward(dorange_price)
    dapple, dapple_num = mul_apple.backward(dapple_price)
    return price, {"apple": dapple, "apple_num": dapple_num, "orange": dorange,
                   "orange_num": dorange_num, "tax": dtax}


def _show(x) -> str:
    return f"{float(x):g}"


def main(argv=None) -> int:
    make_parser(__doc__).parse_args(argv)
    price, g = buy_apples(100.0, 2, 1.1)
    print("2 apples at 100, tax 10%")
    print(f"  price: {_show(price)}")
    print(f"  dApple: {_show(g['apple'])}  dApple_num: {_show(g['apple_num'])}  dTax: {_show(g['tax'])}")
    price, g = buy_apples_and_oranges(100.0, 2, 150.0, 3, 1.1)
    print("2 apples at 100 and 3 oranges at 150, tax 10%")
    print(f"  price: {_show(price)}")
    print(f"  dApple: {_show(g['apple'])}  dApple_num: {_show(g['apple_num'])}  "
          f"dOrange: {_show(g['orange'])}  dOrange_num: {_show(g['orange_num'])}  dTax: {_show(g['tax'])}")
    return 0


if __name__ == "__main__":
    sys.exit(run_script(main))
