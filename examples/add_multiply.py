"""The guide's first chain rule, f(x, y, z) = (x + y) z, with its backward written by hand.

    torchcircuits check --file examples/add_multiply.py
"""

import torchcircuits


@torchcircuits.circuit(torch=lambda x, y, z: (x + y) * z, formula="(x + y) * z")
def add_multiply(x=-2.0, y=5.0, z=-4.0):
    # forward
    q = x + y
    f = q * z
    # backward, from df = 1: the multiply gate swaps its inputs, the add gate passes its gradient on
    dz = q
    dq = z
    dx = 1.0 * dq
    dy = 1.0 * dq
    return f, (dx, dy, dz)
