"""Loads GRU/LSTM models trained by `ftle train --cell gru|lstm` into PyTorch with
`load_state_dict` (strict) and writes PyTorch's logits of the first test images.

For each `<cell>-trained.safetensors` here: `nn.GRU`/`nn.LSTM(28, H, batch_first=True)` as
`rnn` plus `nn.Linear(H, 10)` as `fc`, loaded with `safetensors.torch.load_file` +
`load_state_dict(strict=True)`, converted to float64, run on MNIST test images 0..7 (row-wise:
28 steps of 28 pixels, each the float32 quotient p / 255 as ftle presents it) from Samples/mnist; the logits of the last step go to
`<cell>-pytorch-logits.json`. `Tests/RNNTests/GatedTrainerTests.swift` compares ftle's.

    ~/.cache/ftle-peers/bin/python Tests/Fixtures/pytorch-gated-trained/check_in_pytorch.py
"""
import gzip
import json
import os

import numpy as np
import torch
from safetensors.torch import load_file

HERE = os.path.dirname(os.path.abspath(__file__))
MNIST = os.path.join(HERE, "..", "..", "..", "Samples", "mnist", "t10k-images-idx3-ubyte.gz")
IMAGES = 8


class Model(torch.nn.Module):
    def __init__(self, cell, hidden):
        super().__init__()
        kind = torch.nn.GRU if cell == "gru" else torch.nn.LSTM
        self.rnn = kind(28, hidden, batch_first=True)
        self.fc = torch.nn.Linear(hidden, 10)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1, :])


def test_images(n):
    with gzip.open(MNIST, "rb") as f:
        data = f.read()
    pixels = np.frombuffer(data, dtype=np.uint8, offset=16)[: n * 784]
    # ftle presents a pixel as the Float32 quotient p / 255 (then widened to float64).
    return torch.tensor((pixels.reshape(n, 28, 28).astype(np.float32) / np.float32(255)).astype(np.float64))


def main():
    x = test_images(IMAGES)
    for cell in ("gru", "lstm"):
        state = load_file(os.path.join(HERE, f"{cell}-trained.safetensors"))
        hidden = state["rnn.weight_hh_l0"].shape[1]
        model = Model(cell, hidden)
        model.load_state_dict(state, strict=True)
        model = model.double().eval()
        with torch.no_grad():
            logits = model(x)
        with open(os.path.join(HERE, f"{cell}-pytorch-logits.json"), "w") as f:
            json.dump({"images": IMAGES, "logits": logits.tolist(), "torch": torch.__version__}, f, indent=1)
        print(cell, "H =", hidden, "predicted", logits.argmax(1).tolist())


if __name__ == "__main__":
    main()
