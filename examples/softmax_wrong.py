"""The softmax layers of softmax.py with two classic bugs: run it to see the checker catch them.

    torchcircuits check --file examples/softmax_wrong.py      # exits 1

* softmax_xent: a stray factor of 2 in dlogits;
* softmax: the sum over classes in dz_j = p_j (dp_j - sum_k p_k dp_k) is missing.
"""

import torch

import torchcircuits

N, C = 4, 5
TARGETS = torch.tensor([1, 0, 4, 2])


def softmax_forward(logits):
    shifted = logits - logits.max(dim=1, keepdim=True).values
    counts = shifted.exp()
    probs = counts / counts.sum(dim=1, keepdim=True)
    loss = -probs[torch.arange(N), TARGETS].log().mean()
    return loss, probs


def softmax_backward(dloss, probs):
    dlogits = probs.clone()
    dlogits[torch.arange(N), TARGETS] -= 1.0
    return 2.0 * dlogits * dloss / N  # BUG: a stray factor of 2


softmax = torchcircuits.layer(
    softmax_forward,
    softmax_backward,
    shapes={"logits": (N, C)},
    torch=lambda logits: torch.nn.functional.cross_entropy(logits, TARGETS),
    name="softmax_xent",
)


def softmax_only_forward(z):
    e = (z - z.max(dim=1, keepdim=True).values).exp()
    p = e / e.sum(dim=1, keepdim=True)
    return p, p


def softmax_only_backward(dp, p):
    return p * (dp - p * dp)  # BUG: the sum over k of p_k dp_k is missing


softmax_only = torchcircuits.layer(
    softmax_only_forward, softmax_only_backward, shapes={"z": (N, C)}, torch=lambda z: torch.softmax(z, dim=1),
    name="softmax",
)
