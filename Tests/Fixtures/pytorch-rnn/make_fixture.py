"""Writes the PyTorch fixture of ftle's stacked-RNN tests (Tests/RNNTests/PyTorchFixtureTests.swift).

A two-layer ReLU nn.RNN(3, 7, num_layers=2, bias=False, batch_first=True) followed by
nn.Linear(7, 4), seeded, saved with safetensors.torch.save_file under PyTorch's own names;
one input sequence (T = 9 steps of 3 values) and the logits PyTorch computes for it, in
float32 (the model's precision) and in float64 (the same weights, net.double()).

    python make_fixture.py            # needs torch, numpy, safetensors

writes model.safetensors, input.npy, logits-f32.npy, logits-f64.npy in this folder.
"""
import os

import numpy as np
import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.RNN(3, 7, num_layers=2, nonlinearity="relu", bias=False, batch_first=True)
        self.fc = torch.nn.Linear(7, 4)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])


def main():
    torch.manual_seed(13)
    net = Net()
    x = torch.randn(1, 9, 3)
    with torch.no_grad():
        logits32 = net(x)[0]
        logits64 = net.double()(x.double())[0]
    net.float()
    save_file(net.state_dict(), os.path.join(HERE, "model.safetensors"),
              metadata={"nonlinearity": "relu", "classes": "north,east,south,west"})
    np.save(os.path.join(HERE, "input.npy"), x[0].numpy().astype("<f4"))
    np.save(os.path.join(HERE, "logits-f32.npy"), logits32.numpy().astype("<f4"))
    np.save(os.path.join(HERE, "logits-f64.npy"), logits64.numpy().astype("<f8"))
    print("logits", logits32.numpy(), "torch", torch.__version__)


if __name__ == "__main__":
    main()
