"""Makes stacked gated models as PyTorch saves them, with what PyTorch computes for them.

For each cell (GRU, LSTM): a 2-layer `nn.GRU`/`nn.LSTM(3, 6, num_layers=2, batch_first=True)`
held as `rnn` plus `nn.Linear(6, 4)` as `fc`, in float64, saved as safetensors (written by the
small writer below, byte for byte the format `safetensors.torch.save_file` writes, so the
`safetensors` package is not needed) with `__metadata__` {"cell": ...}; one input sequence
(T = 9, I = 3) as '<f8' .npy; and `<cell>-expected.json` holding PyTorch's logits of the last
step and the ln r_t^k of the QR iteration Q_t R_t = D_t Q_{t-1} (Q_0 = identity, K = the whole
state, diag R >= 0), where D_t is the autograd Jacobian of one whole-stack step with respect to
the stacked state [s^1; s^2] (s^k = h^k for GRU, [h^k; c^k] for LSTM), from zero state.

Regenerate (needs torch and numpy; ../shared/bench/setup-peers.sh makes a venv with them):
    ~/.cache/ftle-peers/bin/python Tests/Fixtures/pytorch-gated/make_models.py
"""
import json
import os
import struct

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
INPUT, HIDDEN, LAYERS, CLASSES, STEPS = 3, 6, 2, 4, 9
HERE = os.path.dirname(os.path.abspath(__file__))


def save_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    offset, blobs = 0, []
    for name in sorted(tensors):
        data = tensors[name].detach().contiguous().numpy().astype("<f8").tobytes()
        header[name] = {"dtype": "F64", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


class Net(torch.nn.Module):
    def __init__(self, cell):
        super().__init__()
        cls = torch.nn.GRU if cell == "gru" else torch.nn.LSTM
        self.rnn = cls(INPUT, HIDDEN, num_layers=LAYERS, batch_first=True)
        self.fc = torch.nn.Linear(HIDDEN, CLASSES)


def stack_step(net, cell, state, x):
    """One step of the whole stack on the stacked state (ftle's layout), via the nn module."""
    size = HIDDEN if cell == "gru" else 2 * HIDDEN
    parts = [state[k * size:(k + 1) * size] for k in range(LAYERS)]
    xin = x.view(1, 1, INPUT)
    if cell == "gru":
        h0 = torch.stack([p for p in parts]).view(LAYERS, 1, HIDDEN)
        _, hn = net.rnn(xin, h0)
        return hn.view(LAYERS * HIDDEN)
    h0 = torch.stack([p[:HIDDEN] for p in parts]).view(LAYERS, 1, HIDDEN)
    c0 = torch.stack([p[HIDDEN:] for p in parts]).view(LAYERS, 1, HIDDEN)
    _, (hn, cn) = net.rnn(xin, (h0, c0))
    return torch.cat([torch.cat([hn[k, 0], cn[k, 0]]) for k in range(LAYERS)])


def make(cell, seed):
    torch.manual_seed(seed)
    net = Net(cell)
    with torch.no_grad():
        for p in net.rnn.parameters():
            p.mul_(2.0)
    x = torch.randn(STEPS, INPUT)
    with torch.no_grad():
        out, _ = net.rnn(x.view(1, STEPS, INPUT))
        logits = net.fc(out[0, -1])
    size = LAYERS * (HIDDEN if cell == "gru" else 2 * HIDDEN)
    s = torch.zeros(size)
    q = torch.eye(size)
    log_r = []
    for t in range(STEPS):
        d = torch.autograd.functional.jacobian(lambda v: stack_step(net, cell, v, x[t]), s)
        q, r = torch.linalg.qr(d @ q)
        signs = torch.sign(torch.diagonal(r))
        signs[signs == 0] = 1
        q, r = q * signs, r * signs.view(-1, 1)
        log_r.append(torch.log(torch.diagonal(r)).tolist())
        s = stack_step(net, cell, s, x[t]).detach()
    # The stepped final h of the last layer gives the same logits as one call.
    top = s[(LAYERS - 1) * (size // LAYERS):][:HIDDEN]
    assert torch.allclose(net.fc(top), logits, atol=1e-13)
    save_safetensors(os.path.join(HERE, f"{cell}-2layer.safetensors"), dict(net.state_dict()), {"cell": cell})
    np.save(os.path.join(HERE, f"{cell}-input.npy"), x.numpy().astype("<f8"))
    with open(os.path.join(HERE, f"{cell}-expected.json"), "w") as f:
        json.dump({"torch_version": torch.__version__, "logits": logits.tolist(), "log_r": log_r,
                   "state_size": size}, f)
        f.write("\n")


if __name__ == "__main__":
    make("gru", 21)
    make("lstm", 22)
    print("wrote models, inputs and expected values in", HERE)
