"""PyTorch peer of `ftle bench perturb`: the R-value input-sensitivity workload written the way
the paper's code runs it (batched forward passes of the 1 + 50 flipped inputs per image and k).

Usage: python perturb_peer.py MODEL.safetensors MNIST_DIR IMAGES [reps] [threads]
Per test image 0..IMAGES-1 of the permuted model: ln r_t^1 (D_t = diag(1 - h_t^2) V, one
tangent vector from h_0 = 0, float64) scores each step's pixel; for each k in 1,5,10,20,50,75,
100,200,300 the top-k pixels and 50 random k-subsets (seeded numpy, not ftle's generator) are
flipped (< 0.001 -> 1, else -> 0) and the 51 inputs run as one batch through nn.RNN + Linear
in float32; loss differences against the original image. `threads` sets torch's intra-op
threads (default: torch's own choice). Prints
'torch-perturb IMAGES best_seconds mean_ranked_difference_k1' (the last value checks that the
work was done: it is not compared with ftle's, whose random subsets differ).
"""
import gzip, json, struct, sys, time
import numpy as np

KS = [1, 5, 10, 20, 50, 75, 100, 200, 300]

def load_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n]); header.pop("__metadata__", None)
    types = {"F32": np.float32, "F64": np.float64, "I64": np.int64}
    return {k: np.frombuffer(raw[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]], dtype=types[v["dtype"]]).reshape(v["shape"])
            for k, v in header.items()}

def load_images(folder, count):
    with gzip.open(folder + "/t10k-images-idx3-ubyte.gz") as f:
        data = f.read()
    with gzip.open(folder + "/t10k-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read()[8:], dtype=np.uint8)
    images = np.frombuffer(data[16:16 + 784 * count], dtype=np.uint8).reshape(count, 784) / np.float32(255)
    return images.astype(np.float32), labels[:count].astype(np.int64)

def main():
    import torch
    path, folder, n_images = sys.argv[1], sys.argv[2], int(sys.argv[3])
    reps = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    if len(sys.argv) > 5: torch.set_num_threads(int(sys.argv[5]))
    t = load_safetensors(path)
    perm = t["task.permutation"]
    H = t["rnn.weight_hh_l0"].shape[0]
    rnn = torch.nn.RNN(1, H, batch_first=True)
    fc = torch.nn.Linear(H, 10)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(t["rnn.weight_ih_l0"].copy()))
        rnn.weight_hh_l0.copy_(torch.from_numpy(t["rnn.weight_hh_l0"].copy()))
        rnn.bias_ih_l0.copy_(torch.from_numpy(t["rnn.bias_ih_l0"].copy()))
        rnn.bias_hh_l0.copy_(torch.from_numpy(t["rnn.bias_hh_l0"].copy()))
        fc.weight.copy_(torch.from_numpy(t["fc.weight"].copy())); fc.bias.copy_(torch.from_numpy(t["fc.bias"].copy()))
    V = torch.from_numpy(t["rnn.weight_hh_l0"].astype(np.float64))
    U = torch.from_numpy(t["rnn.weight_ih_l0"].astype(np.float64))
    b = torch.from_numpy((t["rnn.bias_ih_l0"] + t["rnn.bias_hh_l0"]).astype(np.float64))
    images, labels = load_images(folder, n_images)

    def logits(batch):  # batch: B x 784 images in pixel order
        seq = torch.from_numpy(batch[:, perm]).unsqueeze(-1)
        out, _ = rnn(seq)
        return fc(out[:, -1, :])

    def log_r1(image):
        x = torch.from_numpy(image[perm].astype(np.float64))
        h = torch.zeros(H, dtype=torch.float64); q = torch.zeros(H, dtype=torch.float64); q[0] = 1
        out = np.empty(784)
        for s in range(784):
            h = torch.tanh(V @ h + U[:, 0] * x[s] + b)
            z = (1 - h * h) * (V @ q)
            r = torch.linalg.vector_norm(z)
            out[s] = float(torch.log(r)); q = z / r
        return out

    def run():
        ce = torch.nn.functional.cross_entropy
        first = []
        with torch.no_grad():
            for n in range(n_images):
                image, label = images[n], labels[n]
                step_scores = log_r1(image)
                scores = np.empty(784); scores[perm] = step_scores   # pixel perm[s] is presented at step s
                ranking = sorted(range(784), key=lambda p: (-scores[p], p))
                y = torch.tensor([label])
                base = ce(logits(image[None, :]), y).item()
                rng = np.random.default_rng(n)
                for k in KS:
                    subsets = [ranking[:k]] + [rng.choice(784, size=k, replace=False) for _ in range(50)]
                    batch = np.repeat(image[None, :], 51, axis=0)
                    for row, pix in enumerate(subsets):
                        pix = np.asarray(pix)
                        batch[row, pix] = np.where(image[pix] < 0.001, 1.0, 0.0)
                    losses = ce(logits(batch), y.repeat(51), reduction="none").numpy() - base
                    if k == KS[0]: first.append(losses[0])
        return float(np.mean(first))

    best = 1e9
    for _ in range(reps):
        t0 = time.perf_counter(); check = run(); best = min(best, time.perf_counter() - t0)
    print(f"torch-perturb {n_images} {best:.4f} {check:.6f}")

if __name__ == "__main__":
    main()
