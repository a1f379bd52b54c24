"""PyTorch peer of `ftle bench ftle-full --cell gru|lstm`: Algorithm 1 (FTLE by per-step QR)
on one GRU or LSTM layer, the Jacobian applied analytically to the frame (as ftle does).

Usage: python gated_ftle_peer.py {gru,lstm} H T K [reps]
One layer, I = 1, PyTorch's default init (U(-1/sqrt(H), 1/sqrt(H))) scaled by 3 so the gates
are not linear, x_t ~ N(0, 1), float64, one thread. The state is h (GRU) or [h; c] (LSTM).
Prints: '<cell> H T K seconds_per_sequence lambda_1 lambda_K'.
"""
import sys
import time

import torch

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)


def make(cell, H, T, seed=0):
    torch.manual_seed(seed)
    module = (torch.nn.GRUCell if cell == "gru" else torch.nn.LSTMCell)(1, H)
    with torch.no_grad():
        for p in module.parameters():
            p.mul_(3.0)
    return module, torch.randn(T, 1)


def ftle(cell, module, x, K):
    W_ih, W_hh = module.weight_ih.detach(), module.weight_hh.detach()
    b_ih, b_hh = module.bias_ih.detach(), module.bias_hh.detach()
    H = W_hh.shape[1]
    N = H if cell == "gru" else 2 * H
    s = torch.zeros(N)
    Q = torch.eye(N)[:, :K]
    total = torch.zeros(K)
    with torch.no_grad():
        for t in range(x.shape[0]):
            h = s[:H]
            gi = W_ih @ x[t] + b_ih
            gh = W_hh @ h + b_hh
            WQ = W_hh @ Q[:H]  # (G·H)×K: the recurrent blocks applied to the frame's h-part
            if cell == "gru":
                r = torch.sigmoid(gi[:H] + gh[:H])
                z = torch.sigmoid(gi[H:2 * H] + gh[H:2 * H])
                n = torch.tanh(gi[2 * H:] + r * gh[2 * H:])
                dn = (1 - z) * (1 - n * n)
                DQ = ((dn * gh[2 * H:] * r * (1 - r))[:, None] * WQ[:H]
                      + ((h - n) * z * (1 - z))[:, None] * WQ[H:2 * H]
                      + (dn * r)[:, None] * WQ[2 * H:]
                      + z[:, None] * Q)
                s = (1 - z) * n + z * h
            else:
                c = s[H:]
                a = gi + gh
                i, f = torch.sigmoid(a[:H]), torch.sigmoid(a[H:2 * H])
                g, o = torch.tanh(a[2 * H:3 * H]), torch.sigmoid(a[3 * H:])
                c2 = f * c + i * g
                tc = torch.tanh(c2)
                dc = ((c * f * (1 - f))[:, None] * WQ[H:2 * H] + (g * i * (1 - i))[:, None] * WQ[:H]
                      + (i * (1 - g * g))[:, None] * WQ[2 * H:3 * H] + f[:, None] * Q[H:])
                dh = (tc * o * (1 - o))[:, None] * WQ[3 * H:] + (o * (1 - tc * tc))[:, None] * dc
                DQ = torch.cat([dh, dc])
                s = torch.cat([o * tc, c2])
            Q, R = torch.linalg.qr(DQ)
            d = torch.diagonal(R)
            Q = Q * torch.sign(d)
            total += torch.log(d.abs())
    return total / x.shape[0]


def main():
    cell, H, T, K = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    reps = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    module, x = make(cell, H, T)
    best, lam = float("inf"), None
    for _ in range(reps):
        start = time.perf_counter()
        lam = ftle(cell, module, x, K)
        best = min(best, time.perf_counter() - start)
    print(cell, H, T, K, "%.4f" % best, "%.6f" % lam[0].item(), "%.6f" % lam[-1].item())


if __name__ == "__main__":
    main()
