#!/usr/bin/env python3
"""Second adversarial pass for issue 30: runs ftle on crafted arguments and files and flags
(a) a trap or signal (exit >= 128), (b) a timeout, (c) a non-zero exit whose stderr is not
exactly one line `ftle: ...`, (d) exit 0 where an error was expected (cases marked bad=True)."""
import json, os, struct, subprocess, sys, shutil
F = sys.argv[1]; ROOT = sys.argv[2]; D = sys.argv[3]
os.makedirs(D, exist_ok=True)
shutil.copy(ROOT + "/Samples/models/rowwise-h128.safetensors", D + "/m.safetensors")
M = D + "/m.safetensors"  # a copy: no case can touch the repository's samples
def npy(name, descr, shape_text, data=b"", version=1, hdr_override=None):
    hdr = hdr_override if hdr_override is not None else "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_text)
    hdr += " " * ((64 - (10 + len(hdr) + 1) % 64) % 64) + "\n"
    if version == 1: pre = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr))
    else: pre = b"\x93NUMPY" + bytes([version, 0]) + struct.pack("<I", len(hdr))
    open(os.path.join(D, name), "wb").write(pre + hdr.encode() + data)
    return os.path.join(D, name)
def st(name, edit):
    b = open(M, "rb").read(); n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8 + n]); body = b[8 + n:]
    r = edit(h, body)
    if r is not None: h, body = r
    t = json.dumps(h).encode()
    open(os.path.join(D, name), "wb").write(struct.pack("<Q", len(t)) + t + body)
    return os.path.join(D, name)
cases = []
def case(args, bad=True, env=None, shell=None): cases.append((args, bad, env, shell))
VALID_NPY = {"trail.npy", "v2.npy", "i8.npy"}  # valid NumPy files: exit 0 is right
# --- numeric options of the analysis commands
for v in ["-1", "0", "99999", "abc", "1e3", "", "99999999999999999999", "nan"]:
    case(["spectrum", "--model", M, "--k", v])
for v in ["-1", "99999999999999999999", "1000", "abc"]:
    case(["spectrum", "--model", M, "--transient", v])
for v in ["0", "-1", "99999999999", "x"]:
    case(["align", "--model", M, "--samples", v])
for v in ["", "5-", "-5", "a-b", "0-0", "1-99999999999999999999", "3-2-1", " 1-2"]:
    case(["perturb", "--model", M, "--steps", v])
for v in ["99999999999999999999", "", " 1", "1.5", "0x10"]:
    case(["predict", "--model", M, "--image", v])
for v in ["0", "-1", "99999999999999999999", "1e2"]:
    case(["eval", "--model", M, "--limit", v])
for opt, v in [("--seed", "-1"), ("--permutation-seed", "-1"), ("--checkpoint-every", "0"), ("--test-limit", "0"),
               ("--precision", "f16"), ("--task", ""), ("--hidden", "1e3"), ("--epochs", "-0"), ("--batch", "++5"),
               ("--lr", "inf"), ("--lr", "1e-400"), ("--clip", "inf"), ("--momentum", "-0.5"), ("--validation-split", "inf"),
               ("--recurrent-gain", "-1"), ("--train-limit", "99999999999999999999"), ("--layers", "-1"), ("--threads", "1e1")]:
    case(["train", opt, v, "--out", D + "/never"])
for opt, v in [("--k", "0"), ("--reload-every", "0"), ("--index", "99999999999999999999"), ("--split", "val"), ("--color", ""),
               ("--image", "10000"), ("--jacobian", "both")]:
    case(["explore", "--model", M, opt, v])
for args in [["report", "--images", "0", "--out", D + "/rep"], ["report", "--samples", "-1", "--out", D + "/rep"],
             ["bench", "nosuch"], ["bench", "gemm", "--n", "0"], ["gradient", "--model", M, "--image", "-3"],
             ["gradient", "--model", M, "--input", "/dev/null"], ["sweep", "task", D + "/nosweep", "-1"],
             ["sweep", "plan", "--grid", "=1,2", "--out", D + "/s1"], ["sweep", "plan", "--grid", "hidden=1e400", "--out", D + "/s2"],
             ["sweep", "plan", "--grid", "seed=-1,2", "--out", D + "/s3"], ["sweep", "plan", "--grid", "hidden=8", "--analyses", "", "--out", D + "/s4"],
             ["sweep", "status", "/"], ["sweep", "collect", "/dev/null"], ["help", "train", "extra"], ["nosuch"], ["--nosuch"],
             ["eval", "--model"], ["eval", "--model", M, "--split", "validation"], ["predict", "--model", M, "--input", M],
             ["predict", "--model", "/"], ["predict", "--model", "/dev/null"], ["eval", "--model", D + "/" + "x" * 300],
             ["eval", "--model", "/" + "a/" * 3000 + "m"], ["eval", "--model", M, "--data", "/dev/null"], ["eval", "--model", M, "--data", ""],
             ["align", "--model", M, "--random-range", "1-99999999999999999999"], ["perturb", "--model", M, "--mode", "sideways"],
             ["spectrum", "--model", M, "--format", "xml"], ["spectrum", "--model", M, "--out", "/proc/version"],
             ["spectrum", "--model", M, "--k", "2", "--out", "/"], ["spectrum", "--model", M, "--k", "2", "--out", D],
             ["train", "--resume", "--out", "/"], ["train", "--out", "/proc/self/fd/0"], ["train", "--init-from", "/dev/null", "--out", D + "/never"],
             ["train", "--permutation", M, "--task", "permuted", "--out", D + "/never"]]:
    case(args)
# --- crafted .npy inputs for predict --input
for name, descr, shape, data, ver in [("be.npy", ">f8", "(28, 28)", b"\0" * 6272, 1), ("u1.npy", "|u1", "(28, 28)", b"\0" * 784, 1),
                                      ("neg.npy", "<f8", "(-1, 28)", b"", 1), ("trail.npy", "<f8", "(28, 28, )", b"\0" * 6272, 1),
                                      ("v4.npy", "<f8", "(28, 28)", b"\0" * 6272, 4), ("v2.npy", "<f8", "(28, 28)", b"\0" * 6272, 2),
                                      ("ovf.npy", "<f8", "(9223372036854775807, 9223372036854775807)", b"", 1),
                                      ("scalar.npy", "<f8", "()", b"\0" * 8, 1), ("one.npy", "<f8", "(28,)", b"\0" * 224, 1),
                                      ("zero-steps.npy", "<f8", "(0, 28)", b"", 1), ("i8.npy", "<i8", "(28, 28)", b"\1" * 6272, 1),
                                      ("huge-dim.npy", "<f8", "(99999999999999999999999, 28)", b"", 1), ("short.npy", "<f8", "(28, 28)", b"\0" * 100, 1),
                                      ("f4-nan.npy", "<f4", "(28, 28)", struct.pack("<f", float("nan")) * 784, 1)]:
    case(["predict", "--model", M, "--input", npy(name, descr, shape, data, ver)], bad=name not in VALID_NPY)
for name, hdr in [("nodescr.npy", "{'fortran_order': False, 'shape': (28, 28), }"), ("fortran-x.npy", "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (28, 28), }"),
                  ("empty-hdr.npy", ""), ("unicode.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (28, 28), 'é': 1}")]:
    case(["predict", "--model", M, "--input", npy(name, "", "", b"\0" * 6272, 1, hdr_override=hdr)])
open(D + "/not-npy.npy", "wb").write(b"\x93NUMP")
case(["predict", "--model", M, "--input", D + "/not-npy.npy"])
labels = npy("labels3.npy", "<i8", "(3,)", struct.pack("<3q", 1, 2, 3))
for name, descr, shape, data in [("set-be.npy", ">f8", "(3, 28, 28)", b"\0" * 18816), ("set-2d.npy", "<f8", "(3, 784)", b"\0" * 18816),
                                 ("set-4d.npy", "<f8", "(3, 28, 28, 1)", b"\0" * 18816), ("set-0.npy", "<f8", "(0, 28, 28)", b"")]:
    case(["eval", "--model", M, "--inputs", npy(name, descr, shape, data), "--labels", labels])
for name, data in [("labels-neg.npy", struct.pack("<3q", -1, 2, 3)), ("labels-big.npy", struct.pack("<3q", 1, 2, 2**62))]:
    case(["eval", "--model", M, "--inputs", npy("set-ok.npy", "<f8", "(3, 28, 28)", b"\0" * 18816), "--labels", npy(name, "<i8", "(3,)", data)])
case(["eval", "--model", M, "--inputs", D + "/set-ok.npy", "--labels", npy("labels-f.npy", "<f8", "(3,)", struct.pack("<3d", 1, 2, float("inf")))])
# --- crafted safetensors
def setmeta(k, v):
    def e(h, body): h["__metadata__"][k] = v
    return e
def drop(name):
    def e(h, body): h.pop(name)
    return e
def dtype(name, dt):
    def e(h, body): h[name]["dtype"] = dt
    return e
def shape(name, s):
    def e(h, body): h[name]["shape"] = s
    return e
for i, (k, v) in enumerate([("task", "permuted"), ("task", ""), ("hidden", "0"), ("hidden", "1e2"), ("seed", "-1"), ("seed", "abc"),
                            ("init", "\u001b[31m"), ("nonlinearity", "sigmoid"), ("cell", "gru"), ("input_mean", "0.1"), ("input_std", "0"),
                            ("epochs_trained", "nan"), ("test_accuracy", "2"), ("layers", "0"), ("layers", "1"), ("bias", "none"), ("format", "x")]):
    case(["eval", "--model", st("meta%d.safetensors" % i, setmeta(k, v)), "--limit", "5"], bad=(k, v) not in [("layers", "1"), ("format", "x"), ("init", "\u001b[31m"), ("bias", "none")])
for i, e in enumerate([drop("rnn.bias_hh_l0"), drop("rnn.weight_ih_l0"), dtype("fc.bias", "BF16"), dtype("fc.bias", "I64"), dtype("fc.bias", "F16"),
                       shape("fc.bias", [5, 2]), shape("fc.bias", []), shape("fc.weight", [128, 10]), shape("rnn.weight_hh_l0", [64, 256])]):
    case(["predict", "--model", st("edit%d.safetensors" % i, e), "--image", "0"])
def zero_header(h, body): return ({}, b"")
case(["eval", "--model", st("emptyjson.safetensors", zero_header)])
def meta_nonstring(h, body): h["__metadata__"]["hidden"] = 128
case(["eval", "--model", st("meta-int.safetensors", meta_nonstring)])
def neg_off(h, body): h["fc.bias"]["data_offsets"] = [-40, 0]
case(["eval", "--model", st("negoff.safetensors", neg_off)])
def permuted_no_perm(h, body): h["__metadata__"]["task"] = "permuted"; h["rnn.weight_ih_l0"]["shape"] = [128, 28]
case(["eval", "--model", st("perm-noperm.safetensors", permuted_no_perm)])
# --- outputs and run folders
case(["spectrum", "--model", M, "--k", "2", "--out", D + "/no-such-folder/out.json"])
case(["spectrum", "--model", M, "--k", "2", "--out", "/dev/null"], bad=False)
case(["explore", "--model", M, "--out", M, "--force"])
case(["train", "--task", "rowwise", "--hidden", "8", "--train-limit", "64", "--batch", "32", "--epochs", "1", "--test-limit", "20", "--out", M])
case(None, shell="cd %s && %s eval --model %s --limit 5 | head -c 1 >/dev/null; exit ${PIPESTATUS[0]}" % (D, F, M), bad=False)
case(None, shell="%s spectrum --model %s --k 2 --out %s/ro/out.json" % (F, M, D))
os.makedirs(D + "/ro", exist_ok=True); os.chmod(D + "/ro", 0o555)
results = []
for args, bad, env, sh in cases:
    try:
        if sh: p = subprocess.run(["bash", "-c", sh], capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
        else: p = subprocess.run([F] + args, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
        rc, err = p.returncode, p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        rc, err = "timeout", ""
    problems = []
    if rc == "timeout": problems.append("timeout")
    elif rc < 0 or rc >= 128: problems.append("trap/signal %s" % rc)
    elif rc != 0 and not (err.startswith("ftle: ") and err.count("\n") == 1 and err.endswith("\n")): problems.append("not one ftle: line")
    elif rc == 0 and bad and not sh: problems.append("exit 0 on a bad input")
    # A value that was given, read as missing (a negative number taken for an option).
    if "Missing value" in err and args and any(a.startswith("-") and a[1:2].isdigit() for a in args): problems.append("given value called missing")
    if "Missing expected argument" in err and args and any(a.startswith("-") and a[1:2].isdigit() for a in args): problems.append("given value called missing")
    if rc == 0 and err and not sh: problems.append("stderr on success")
    results.append({"args": sh or " ".join(a if a else '""' for a in args), "rc": rc, "stderr": err.strip()[:300], "problems": problems})
json.dump(results, open(D + "/results.json", "w"), indent=1)
failed = [r for r in results if r["problems"]]
print("cases tried: %d, failures: %d" % (len(results), len(failed)))
for r in failed: print(" FAIL", r["problems"], r["rc"], r["args"][:160], "|", r["stderr"][:200])
