"""Batch normalization (training mode) as a layer: forward with a cache, backward by hand.

    xhat = (x - mean) / sqrt(var + eps),  out = gamma * xhat + beta   (over the batch, per feature)

The backward is the compact form from makemore part 4 (biased variance here,
as torch.nn.functional.batch_norm uses in training):

    dx = gamma / (N * std) * (N * dxhat_scaled - sum(dxhat_scaled) - xhat * sum(dxhat_scaled * xhat))

    torchcircuits check --file examples/batchnorm.py
"""

import torch

import torchcircuits

N, D = 8, 3
EPS = 1e-5


def batchnorm_forward(x, gamma, beta):
    mean = x.mean(dim=0)
    var = x.var(dim=0, unbiased=False)
    std = (var + EPS).sqrt()
    xhat = (x - mean) / std
    return gamma * xhat + beta, (xhat, gamma, std)


def batchnorm_backward(dout, cache):
    xhat, gamma, std = cache
    dbeta = dout.sum(dim=0)  # beta is broadcast over the batch: its gradient sums over it
    dgamma = (dout * xhat).sum(dim=0)
    dxhat = dout * gamma
    dx = (N * dxhat - dxhat.sum(dim=0) - xhat * (dxhat * xhat).sum(dim=0)) / (N * std)
    return dx, dgamma, dbeta


def batchnorm_torch(x, gamma, beta):
    return torch.nn.functional.batch_norm(x, None, None, gamma, beta, training=True, eps=EPS)


batchnorm = torchcircuits.layer(
    batchnorm_forward,
    batchnorm_backward,
    shapes={"x": (N, D), "gamma": (D,), "beta": (D,)},
    torch=batchnorm_torch,
)
