"""Softmax followed by cross-entropy, over a batch, with the backward derived by hand.

    loss = -mean_i log softmax(logits_i)[target_i]
    dlogits = (softmax(logits) - onehot(target)) / N

    torchcircuits check --file examples/softmax.py
"""

import torch

import torchcircuits

N, C = 4, 5
TARGETS = torch.tensor([1, 0, 4, 2])


def softmax_forward(logits):
    shifted = logits - logits.max(dim=1, keepdim=True).values  # exp of a large logit overflows; softmax doesn't care
    counts = shifted.exp()
    probs = counts / counts.sum(dim=1, keepdim=True)
    loss = -probs[torch.arange(N), TARGETS].log().mean()
    return loss, probs


def softmax_backward(dloss, probs):
    dlogits = probs.clone()
    dlogits[torch.arange(N), TARGETS] -= 1.0
    return dlogits * dloss / N


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
    # dz_j = p_j (dp_j - sum_k p_k dp_k): the Jacobian of softmax times the upstream gradient
    return p * (dp - (p * dp).sum(dim=1, keepdim=True))


softmax_only = torchcircuits.layer(
    softmax_only_forward, softmax_only_backward, shapes={"z": (N, C)}, torch=lambda z: torch.softmax(z, dim=1),
    name="softmax",
)
