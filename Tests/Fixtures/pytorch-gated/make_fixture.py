"""Makes gated-cells.json: tiny nn.GRU and nn.LSTM layers (float64), an input sequence, the
states PyTorch computes, and the one-step Jacobians from PyTorch's autograd.

The Jacobians are taken through the nn modules themselves (one module call per step, the
previous state or the input as the variable), so they are independent of ftle's analytic
formulas. State conventions are ftle's: GRU s = h (H); LSTM s = [h; c] (2H, h first).
The weights are scaled by 2.5 from PyTorch's default init so the gates leave their linear
regime. Each cell comes with and without biases.

Regenerate (needs torch; ../shared/bench/setup-peers.sh makes a venv with it):
    ~/.cache/ftle-peers/bin/python Tests/Fixtures/pytorch-gated/make_fixture.py
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
INPUT, HIDDEN, STEPS = 3, 5, 6


def as_list(t):
    return t.detach().tolist()


def one_step(module, kind):
    """The state map s_{t-1}, x_t -> s_t of one module call, in ftle's state layout."""
    def step(state, xt):
        x = xt.view(1, 1, INPUT)
        if kind == "gru":
            out, _ = module(x, state.view(1, 1, HIDDEN))
            return out.view(HIDDEN)
        h0, c0 = state[:HIDDEN].view(1, 1, HIDDEN), state[HIDDEN:].view(1, 1, HIDDEN)
        _, (h1, c1) = module(x, (h0, c0))
        return torch.cat([h1.view(HIDDEN), c1.view(HIDDEN)])
    return step


def case(kind, bias, seed):
    torch.manual_seed(seed)
    cls = torch.nn.GRU if kind == "gru" else torch.nn.LSTM
    module = cls(INPUT, HIDDEN, num_layers=1, bias=bias, batch_first=True)
    with torch.no_grad():
        for p in module.parameters():
            p.mul_(2.5)
    size = HIDDEN if kind == "gru" else 2 * HIDDEN
    x = torch.randn(STEPS, INPUT)
    s0 = 0.5 * torch.randn(size)
    step = one_step(module, kind)
    s, states, jac, jac_x = s0, [], [], []
    for t in range(STEPS):
        jac.append(as_list(torch.autograd.functional.jacobian(lambda v: step(v, x[t]), s)))
        jac_x.append(as_list(torch.autograd.functional.jacobian(lambda v: step(s, v), x[t])))
        s = step(s, x[t]).detach()
        states.append(as_list(s))
    # The stepped states agree with one call over the whole sequence.
    with torch.no_grad():
        if kind == "gru":
            whole, _ = module(x.view(1, STEPS, INPUT), s0.view(1, 1, HIDDEN))
        else:
            whole, _ = module(x.view(1, STEPS, INPUT), (s0[:HIDDEN].view(1, 1, HIDDEN), s0[HIDDEN:].view(1, 1, HIDDEN)))
        assert torch.allclose(whole.view(STEPS, HIDDEN), torch.tensor(states)[:, :HIDDEN], atol=1e-14)
    named = dict(module.named_parameters())
    return {
        "cell": kind, "bias": bias, "input_size": INPUT, "hidden": HIDDEN,
        "weight_ih_l0": as_list(named["weight_ih_l0"]), "weight_hh_l0": as_list(named["weight_hh_l0"]),
        "bias_ih_l0": as_list(named["bias_ih_l0"]) if bias else None,
        "bias_hh_l0": as_list(named["bias_hh_l0"]) if bias else None,
        "initial_state": as_list(s0), "inputs": as_list(x), "states": states,
        "state_jacobians": jac, "input_jacobians": jac_x,
    }


cases = [case("gru", True, 11), case("gru", False, 12), case("lstm", True, 13), case("lstm", False, 14)]
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gated-cells.json")
with open(path, "w") as f:
    json.dump({"torch_version": torch.__version__, "cases": cases}, f, indent=None)
    f.write("\n")
print("wrote", path)
