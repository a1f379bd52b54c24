"""The flossing gradient as PyTorch's autograd computes it, for ftle's `gradient --objective floss`.

For each cell (tanh `nn.RNN`, `nn.GRU`; I = 3, H = 8, with biases, one layer, held as `rnn`, and
`nn.Linear(8, 4)` as `fc`, float64): the model as safetensors (the small writer of
../pytorch-gated/make_models.py, imported; metadata {"cell": ...}), one input sequence (T = 20, I = 3) as
'<f8' .npy, and `<cell>-expected.json` with, for K = 3 and each convention (forward: Q_t R_t =
D_t Q_{t-1}; transposed: Q_t R_t = D_t^T Q_{t-1}), the exponents lambda_k = (1/T) sum_t ln |R_t[k,k]|,
the objective sum_k lambda_k^2 and its gradient with respect to every parameter by autograd
through `torch.linalg.qr`, D_t being the autograd Jacobian of one step (`create_graph=True`, so
D_t's own dependence on the weights and the state is differentiated). h_0 = 0, Q_0 = the first
K columns of the identity. ln |R_kk| does not depend on the signs LAPACK picks, so no sign fix
is needed.

Regenerate (needs torch and numpy; ../shared/bench/setup-peers.sh makes a venv with them):
    ~/.cache/ftle-peers/bin/python Tests/Fixtures/pytorch-floss/make_fixture.py
"""
import json
import os
import sys

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
INPUT, HIDDEN, CLASSES, STEPS, K = 3, 8, 4, 20, 3
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pytorch-gated"))
from make_models import save_safetensors  # noqa: E402 (the writer the gated fixtures use)


class Net(torch.nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.rnn = torch.nn.RNN(INPUT, HIDDEN, batch_first=True) if cell == "rnn" else torch.nn.GRU(INPUT, HIDDEN, batch_first=True)
        self.fc = torch.nn.Linear(HIDDEN, CLASSES)


def step(net, h, x):
    _, hn = net.rnn(x.view(1, 1, INPUT), h.view(1, 1, HIDDEN))
    return hn.view(HIDDEN)


def objective(net, x, convention):
    h = torch.zeros(HIDDEN)
    q = torch.eye(HIDDEN)[:, :K]
    sums = torch.zeros(K)
    for t in range(STEPS):
        d = torch.autograd.functional.jacobian(lambda v: step(net, v, x[t]), h, create_graph=True)
        q, r = torch.linalg.qr((d if convention == "forward" else d.T) @ q)
        sums = sums + torch.log(torch.abs(torch.diagonal(r)))
        h = step(net, h, x[t])
    exponents = sums / STEPS
    return exponents, (exponents ** 2).sum()


def make(cell, seed):
    torch.manual_seed(seed)
    net = Net(cell)
    with torch.no_grad():
        for p in net.rnn.parameters():
            p.mul_(2.5)
    x = torch.randn(STEPS, INPUT)
    expected = {"torch_version": torch.__version__, "k": K, "steps": STEPS}
    for convention in ["forward", "transposed"]:
        net.zero_grad()
        exponents, value = objective(net, x, convention)
        value.backward()
        expected[convention] = {
            "exponents": exponents.tolist(), "value": value.item(),
            "gradient": {name: (p.grad if p.grad is not None else torch.zeros_like(p)).tolist()
                         for name, p in net.named_parameters()},
        }
    save_safetensors(os.path.join(HERE, f"{cell}.safetensors"), dict(net.state_dict()), {"cell": cell})
    np.save(os.path.join(HERE, f"{cell}-input.npy"), x.numpy().astype("<f8"))
    with open(os.path.join(HERE, f"{cell}-expected.json"), "w") as f:
        json.dump(expected, f)
        f.write("\n")


make("rnn", 31)
make("gru", 32)
print("wrote models, inputs and expected gradients in", HERE)
