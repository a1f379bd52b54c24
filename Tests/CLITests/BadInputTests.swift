import Foundation
import MNIST
import RNN
import TestSupport
import Testing

/// The bad inputs of docs/bad-inputs.md: each runs the real `ftle` binary and checks the exact
/// stderr and exit status. Where the table marks a result as a known problem, the test pins
/// today's behaviour (so a fix shows up here) and says so.
@Suite(.enabled(if: CLI.available, "the ftle binary is not built"), .serialized)
struct BadInputTests {
    /// Files the cases read, made once: bad MNIST folders (symlinks to Samples/mnist plus one
    /// bad file), bad models derived from Samples/models/rowwise-h128.safetensors, bad .npy.
    struct Fixtures: Sendable {
        let dir: String
        let model: String
        init() {
            dir = temporaryFolder("bad-inputs")
            model = CLI.root + "/Samples/models/rowwise-h128.safetensors"
            let mnist = CLI.root + "/Samples/mnist"
            let names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte"]
            let labelsGz = try! [UInt8](Data(contentsOf: URL(fileURLWithPath: mnist + "/t10k-labels-idx1-ubyte.gz")))
            let labels = try! gunzipped(mnist + "/t10k-labels-idx1-ubyte.gz")
            let images = try! gunzipped(mnist + "/t10k-images-idx3-ubyte.gz")
            func data(_ name: String, labelsFile: String, _ bytes: [UInt8]) {
                let d = dir + "/" + name
                try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
                for n in names { try! FileManager.default.createSymbolicLink(atPath: d + "/\(n).gz", withDestinationPath: mnist + "/\(n).gz") }
                try! Data(bytes).write(to: URL(fileURLWithPath: d + "/" + labelsFile))
            }
            data("truncated-gz", labelsFile: "t10k-labels-idx1-ubyte.gz", Array(labelsGz.prefix(2000)))
            var corrupt = labelsGz
            for i in 100..<140 { corrupt[i] ^= 0xff }
            data("corrupt-gz", labelsFile: "t10k-labels-idx1-ubyte.gz", corrupt)
            data("mislabelled-gz", labelsFile: "t10k-labels-idx1-ubyte.gz", labels)
            data("wrong-magic", labelsFile: "t10k-labels-idx1-ubyte", Array(images.prefix(1000)))
            data("trailing", labelsFile: "t10k-labels-idx1-ubyte", labels + [0x78, 0x78])
            var badLabel = labels; badLabel[8 + 5] = 12
            data("bad-label", labelsFile: "t10k-labels-idx1-ubyte", badLabel)
            data("count", labelsFile: "t10k-labels-idx1-ubyte", [0, 0, 8, 1, 0, 0, 0x27, 0x0f] + labels[8..<(8 + 9999)])

            let good = try! SafeTensorsFile(contentsOf: model)
            func write(_ name: String, _ bytes: [UInt8]) { try! Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + name)) }
            var huge = good.encoded()
            for i in 0..<8 { huge[i] = UInt8((((1 as UInt64) << 31) >> (8 * UInt64(i))) & 0xff) }
            write("header-2gb.safetensors", huge)
            write("not-json.safetensors", [8, 0, 0, 0, 0, 0, 0, 0] + Array(#"{"a": [}"#.utf8) + [UInt8](repeating: 0, count: 16))
            write("empty.safetensors", [])
            var f = good; f.metadata["task"] = "pixelwise"; write("task-mismatch.safetensors", f.encoded())
            f = good; f.metadata["hidden"] = "64"; write("hidden-mismatch.safetensors", f.encoded())
            f = good; f.tensors["fc.bias"] = nil; write("missing-tensor.safetensors", f.encoded())
            f = good
            var v = f.tensors["rnn.weight_hh_l0"]!.doubles; v[0] = .nan
            f.tensors["rnn.weight_hh_l0"] = Tensor(float32: v.map { Float($0) }, shape: [128, 128])
            write("nan-weights.safetensors", f.encoded())

            let ok = NPYArray(shape: [28, 28], values: [Double](repeating: 0, count: 784)).encoded(float32: true)
            write("int32.npy", replacing(Array("'<f4'".utf8), with: Array("'<i4'".utf8), in: ok))
            write("shape-28x5.npy", NPYArray(shape: [28, 5], values: [Double](repeating: 0, count: 140)).encoded(float32: true))
            var inf = [Double](repeating: 0, count: 784); inf[87] = .infinity
            write("inf.npy", NPYArray(shape: [28, 28], values: inf).encoded(float32: true))
            write("ok.npy", ok)
            var repeated = (0..<784).map(Double.init); repeated[5] = 4
            write("perm-repeat.npy", NPYArray(shape: [784], values: repeated).encoded(float32: false))
            write("perm-short.npy", NPYArray(shape: [783], values: (0..<783).map(Double.init)).encoded(float32: false))
        }
    }

    static let fixtures = Fixtures()

    typealias Case = BadInputCase

    /// The table: name, arguments, exact stderr, exit status.
    static let cases: [Case] = {
        let d = fixtures.dir, m = fixtures.model
        let tiny = ["--task", "rowwise", "--hidden", "8", "--train-limit", "256", "--batch", "32", "--epochs", "2", "--test-limit", "50"]
        return [
            Case(name: "truncated gzip", args: ["eval", "--model", m, "--data", d + "/truncated-gz"],
                 stderr: "ftle: \(d)/truncated-gz/t10k-labels-idx1-ubyte.gz: truncated gzip stream (ends before the end-of-stream marker)\n", status: 1),
            Case(name: "corrupt gzip", args: ["eval", "--model", m, "--data", d + "/corrupt-gz"],
                 stderr: "ftle: \(d)/corrupt-gz/t10k-labels-idx1-ubyte.gz: corrupt gzip data (invalid distance too far back)\n", status: 1),
            Case(name: "raw IDX named .gz", args: ["eval", "--model", m, "--data", d + "/mislabelled-gz"],
                 stderr: "ftle: \(d)/mislabelled-gz/t10k-labels-idx1-ubyte.gz: not a gzip file (name ends in .gz but the gzip magic 1f 8b is missing)\n", status: 1),
            Case(name: "IDX wrong magic", args: ["eval", "--model", m, "--data", d + "/wrong-magic"],
                 stderr: "ftle: \(d)/wrong-magic/t10k-labels-idx1-ubyte: wrong IDX magic number 0x00000803, expected 0x00000801\n", status: 1),
            Case(name: "IDX trailing bytes", args: ["eval", "--model", m, "--data", d + "/trailing"],
                 stderr: "ftle: \(d)/trailing/t10k-labels-idx1-ubyte: 2 unexpected trailing bytes (expected 10008 bytes)\n", status: 1),
            Case(name: "label out of range", args: ["eval", "--model", m, "--data", d + "/bad-label"],
                 stderr: "ftle: \(d)/bad-label/t10k-labels-idx1-ubyte: label 5 is 12, expected 0...9\n", status: 1),
            Case(name: "image/label count mismatch", args: ["eval", "--model", m, "--data", d + "/count"],
                 stderr: "ftle: \(d)/count/t10k-labels-idx1-ubyte: image/label count mismatch: 10000 images but 9999 labels\n", status: 1),
            Case(name: "missing MNIST folder", args: ["eval", "--model", m, "--data", d + "/no-such-folder"],
                 stderr: "ftle: \(d)/no-such-folder: no such file\n", status: 1),
            Case(name: "safetensors 2 GB header length", args: ["eval", "--model", d + "/header-2gb.safetensors"],
                 stderr: "ftle: \(d)/header-2gb.safetensors: safetensors header length 2147483648 exceeds the file size (86752 bytes)\n", status: 1),
            Case(name: "safetensors header not JSON", args: ["eval", "--model", d + "/not-json.safetensors"],
                 stderr: "ftle: \(d)/not-json.safetensors: safetensors header is not valid JSON\n", status: 1),
            Case(name: "empty model file", args: ["eval", "--model", d + "/empty.safetensors"],
                 stderr: "ftle: \(d)/empty.safetensors: file is empty\n", status: 1),
            Case(name: "missing model file", args: ["eval", "--model", d + "/nope.safetensors"],
                 stderr: "ftle: \(d)/nope.safetensors: no such file\n", status: 1),
            Case(name: "model path is a folder", args: ["eval", "--model", d],
                 stderr: "ftle: \(d): is a directory, not a file\n", status: 1),
            Case(name: "model does not fit its task", args: ["eval", "--model", d + "/task-mismatch.safetensors"],
                 stderr: "ftle: \(d)/task-mismatch.safetensors: input size 28 does not fit the pixelwise task (expected 1)\n", status: 1),
            Case(name: "H does not match the metadata", args: ["eval", "--model", d + "/hidden-mismatch.safetensors"],
                 stderr: "ftle: \(d)/hidden-mismatch.safetensors: metadata says hidden size 64 but \"rnn.weight_hh_l0\" is 128×128\n", status: 1),
            Case(name: "missing tensor", args: ["eval", "--model", d + "/missing-tensor.safetensors"],
                 stderr: "ftle: \(d)/missing-tensor.safetensors: missing tensor \"fc.bias\"\n", status: 1),
            Case(name: "NaN in the weights", args: ["eval", "--model", d + "/nan-weights.safetensors"],
                 stderr: "ftle: \(d)/nan-weights.safetensors: tensor \"rnn.weight_hh_l0\" contains NaN or Inf\n", status: 1),
            Case(name: ".npy with the wrong dtype", args: ["predict", "--model", m, "--input", d + "/int32.npy"],
                 stderr: "ftle: \(d)/int32.npy: unsupported .npy dtype '<i4' (ftle reads '<f4', '<f8', '<i8')\n", status: 1),
            Case(name: ".npy with the wrong shape", args: ["predict", "--model", m, "--input", d + "/shape-28x5.npy"],
                 stderr: "ftle: \(d)/shape-28x5.npy: array is 28×5 but the model takes 28 inputs per step (expected T×28)\n", status: 1),
            Case(name: ".npy with Inf", args: ["predict", "--model", m, "--input", d + "/inf.npy"],
                 stderr: "ftle: \(d)/inf.npy: array contains NaN or Inf\n", status: 1),
            // Usage errors (parsing and validate()) are one line with exit code 2.
            Case(name: "--k 0", args: ["spectrum", "--model", m, "--k", "0"],
                 stderr: "ftle: --k must be at least 1 (got 0)\n", status: 2),
            Case(name: "--image 99999", args: ["predict", "--model", m, "--image", "99999"],
                 stderr: "ftle: --image 99999 is out of range: the test split has 10000 images (0...9999)\n", status: 1),
            // --image parses its value unconditionally, so "-1" is the value, not an option.
            Case(name: "--image -1", args: ["predict", "--model", m, "--image", "-1"],
                 stderr: "ftle: --image must be ≥ 0 (got -1)\n", status: 2),
            Case(name: "explore --image -1", args: ["explore", "--model", m, "--image", "-1"],
                 stderr: "ftle: --image must be ≥ 0 (got -1)\n", status: 2),
            Case(name: "explore --color purple", args: ["explore", "--model", m, "--color", "purple"],
                 stderr: "ftle: unknown colour mode \"purple\"; use auto, truecolor, 256, 8 or mono\n", status: 2),
            Case(name: "--image=-1", args: ["predict", "--model", m, "--image=-1"],
                 stderr: "ftle: --image must be ≥ 0 (got -1)\n", status: 2),
            Case(name: "--epochs 0", args: ["train", "--epochs", "0", "--out", d + "/epochs0"],
                 stderr: "ftle: --epochs must be at least 1 (got 0)\n", status: 2),
            Case(name: "--resume without a checkpoint", args: ["train", "--resume", "--out", d + "/no-run"],
                 stderr: "ftle: \(d)/no-run/checkpoint.safetensors: no such file\n", status: 1),
            // Root may write anywhere; /proc is a folder nobody can create files in.
            Case(name: "unwritable output folder", args: ["train"] + tiny + ["--out", "/proc/ftle-out"],
                 stderr: "ftle: /proc/ftle-out: cannot write: cannot create folder /proc/ftle-out: No such file or directory\n", status: 1),
            Case(name: "output folder under a file", args: ["train"] + tiny + ["--out", d + "/empty.safetensors/run"],
                 stderr: "ftle: \(d)/empty.safetensors/run: cannot write: \(d)/empty.safetensors is a file, not a folder\n", status: 1),
            Case(name: "NaN loss (--lr 1e38)", args: ["train"] + tiny + ["--lr", "1e38", "--clip", "0", "--out", d + "/nan-loss"],
                 stderr: "ftle: the weights went beyond ±1e6 (or NaN) at step 1 (epoch 1, batch 1), too large for any command to read back; no checkpoint had been written yet (initial.safetensors holds the initialisation)\n", status: 1),
            Case(name: "--init-from a model of another H", args: ["train"] + tiny + ["--init-from", m, "--out", d + "/init-from"],
                 stderr: "ftle: the starting weights are a rowwise model with H = 128, but the run is rowwise with H = 8\n", status: 1),
            Case(name: "--init-from with --resume", args: ["train", "--resume", "--init-from", m, "--out", d + "/init-resume"],
                 stderr: "ftle: --init-from and --resume exclude each other\n", status: 2),
            Case(name: "--bias sideways", args: ["train", "--bias", "sideways", "--out", d + "/bias"],
                 stderr: "ftle: The value 'sideways' is invalid for '--bias <bias>'. Please provide one of 'pair', 'input' or 'none'.\n", status: 2),
            Case(name: "--recurrent-gain without xavier-normal", args: ["train", "--recurrent-gain", "0.5", "--out", d + "/gain"],
                 stderr: "ftle: --recurrent-gain applies to --init xavier-normal only\n", status: 2),
            Case(name: "--recurrent-gain 0", args: ["train", "--init", "xavier-normal", "--recurrent-gain", "0", "--out", d + "/gain"],
                 stderr: "ftle: --recurrent-gain must be positive and at most 1e6 (got 0.0)\n", status: 2),
            Case(name: "--input-gain nan", args: ["train", "--init", "xavier-normal", "--input-gain", "nan", "--out", d + "/gain"],
                 stderr: "ftle: --input-gain must be positive and at most 1e6 (got nan)\n", status: 2),
            Case(name: "--input-gain 1e300", args: ["train", "--init", "orthogonal", "--input-gain", "1e300", "--out", d + "/gain"],
                 stderr: "ftle: --input-gain must be positive and at most 1e6 (got 1e+300)\n", status: 2),
            Case(name: "--input-gain with pytorch init", args: ["train", "--input-gain", "2", "--out", d + "/gain"],
                 stderr: "ftle: --input-gain applies to --init xavier-normal or orthogonal only\n", status: 2),
            Case(name: "--optimizer adagrad", args: ["train", "--optimizer", "adagrad", "--out", d + "/opt"],
                 stderr: "ftle: The value 'adagrad' is invalid for '--optimizer <optimizer>'. Please provide one of 'adam', 'sgd' or 'rmsprop'.\n", status: 2),
            Case(name: "--loss-reduction max", args: ["train", "--loss-reduction", "max", "--out", d + "/loss"],
                 stderr: "ftle: The value 'max' is invalid for '--loss-reduction <loss-reduction>'. Please provide one of 'mean' and 'sum'.\n", status: 2),
            Case(name: "--permutation on a rowwise run", args: ["train", "--permutation", d + "/perm-repeat.npy", "--out", d + "/perm"],
                 stderr: "ftle: --permutation applies to --task permuted only\n", status: 2),
            Case(name: "--permutation with a repeated index", args: ["train", "--task", "permuted", "--permutation", d + "/perm-repeat.npy", "--out", d + "/perm"],
                 stderr: "ftle: \(d)/perm-repeat.npy: not a permutation of 0..<784 (an index repeats)\n", status: 1),
            Case(name: "--permutation of 783 entries", args: ["train", "--task", "permuted", "--permutation", d + "/perm-short.npy", "--out", d + "/perm"],
                 stderr: "ftle: \(d)/perm-short.npy: a permutation has 784 entries, found 783 (shape [783])\n", status: 1),
            Case(name: "--permutation not a .npy file", args: ["train", "--task", "permuted", "--permutation", d + "/empty.safetensors", "--out", d + "/perm"],
                 stderr: "ftle: \(d)/empty.safetensors: file is empty\n", status: 1),
            Case(name: "--validation-split 1", args: ["train", "--validation-split", "1", "--out", d + "/vs"],
                 stderr: "ftle: --validation-split must be in [0, 1) (got 1.0)\n", status: 2),
            Case(name: "--validation-split=-0.1", args: ["train", "--validation-split=-0.1", "--out", d + "/vs"],
                 stderr: "ftle: --validation-split must be in [0, 1) (got -0.1)\n", status: 2),
            Case(name: "--validation-split nan", args: ["train", "--validation-split", "nan", "--out", d + "/vs"],
                 stderr: "ftle: --validation-split must be in [0, 1) (got nan)\n", status: 2),
            Case(name: "--standardize with --resume", args: ["train", "--resume", "--standardize", "--out", d + "/vs"],
                 stderr: "ftle: --resume continues with the run's stored settings; drop --standardize and --validation-split\n", status: 2),
            Case(name: "--jacobian sideways", args: ["spectrum", "--model", m, "--jacobian", "sideways"],
                 stderr: "ftle: The value 'sideways' is invalid for '--jacobian <jacobian>'. Please provide one of 'forward' and 'transposed'.\n", status: 2),
            Case(name: "--statistic median", args: ["align", "--model", m, "--statistic", "median"],
                 stderr: "ftle: The value 'median' is invalid for '--statistic <statistic>'. Please provide one of 'pooled' and 'mean-per-step'.\n", status: 2),
            Case(name: "--gradient-h0 twice", args: ["align", "--model", m, "--gradient-h0", "twice"],
                 stderr: "ftle: The value 'twice' is invalid for '--gradient-h0 <gradient-h0>'. Please provide one of 'same' and 'independent'.\n", status: 2),
            Case(name: "--samples-from train", args: ["align", "--model", m, "--samples-from", "train"],
                 stderr: "ftle: The value 'train' is invalid for '--samples-from <samples-from>'. Please provide one of 'test' and 'validation'.\n", status: 2),
            Case(name: "--random-range backwards", args: ["align", "--model", m, "--random-range", "50-6"],
                 stderr: "ftle: --random-range must be FROM-TO with 1 ≤ FROM ≤ TO (got \"50-6\")\n", status: 2),
            Case(name: "--random-range of five", args: ["align", "--model", m, "--random-range", "1-5", "--samples", "1"],
                 stderr: "ftle: --random-range 1-5 must hold at least ten indices of 1…H = 128\n", status: 1),
            Case(name: "--random-range past H", args: ["align", "--model", m, "--random-range", "6-900", "--samples", "1"],
                 stderr: "ftle: --random-range 6-900 must hold at least ten indices of 1…H = 128\n", status: 1),
            Case(name: "--preset unknown", args: ["align", "--model", m, "--preset", "paper"],
                 stderr: "ftle: The value 'paper' is invalid for '--preset <preset>'. Please provide one of 'paper-code'.\n", status: 2),
            Case(name: "--null-space unknown", args: ["align", "--model", m, "--null-space", "some"],
                 stderr: "ftle: The value 'some' is invalid for '--null-space <null-space>'. Please provide one of 'excluded' and 'included'.\n", status: 2),
            Case(name: "--null-space empty", args: ["align", "--model", m, "--null-space", ""],
                 stderr: "ftle: The value '' is invalid for '--null-space <null-space>'. Please provide one of 'excluded' and 'included'.\n", status: 2),
            Case(name: "--shared-random with --mode up", args: ["perturb", "--model", m, "--shared-random", "--mode", "up"],
                 stderr: "ftle: --shared-random needs --mode both (every image then has the same candidates)\n", status: 2),
            Case(name: "--r-convention with --score ftle1", args: ["perturb", "--model", m, "--r-convention", "ftle-gradients-code", "--score", "ftle1"],
                 stderr: "ftle: --r-convention ftle-gradients-code scores by r1 only (got --score ftle1)\n", status: 2),
            Case(name: "--jacobian with the reference R values", args: ["perturb", "--model", m, "--preset", "paper-code", "--jacobian", "transposed"],
                 stderr: "ftle: --jacobian applies to --r-convention paper; the reference code's R values fix their own propagation\n", status: 2),
            Case(name: "73 --flush-subnormals given a value", args: ["train", "--flush-subnormals=yes", "--out", d + "/ftz"],
                 stderr: "ftle: The option '--flush-subnormals' does not take any value, but 'yes' was specified.\n", status: 2),
            Case(name: "--steps backwards", args: ["perturb", "--model", m, "--steps", "30-5"],
                 stderr: "ftle: --steps must be FROM-TO with 1 ≤ FROM ≤ TO (got \"30-5\")\n", status: 2),
            Case(name: "--steps past T", args: ["perturb", "--model", m, "--steps", "10-900", "--images", "1"],
                 stderr: "ftle: --steps 10-900 goes past T = 28\n", status: 1),
            Case(name: "--steps window with nothing to flip", args: ["perturb", "--model", m, "--steps", "1-1", "--mode", "down", "--images", "1"],
                 stderr: "ftle: test image 0 has no pixels to flip (mode down) in steps 1-1\n", status: 1),
            Case(name: "unknown theme", args: ["explore", "--model", m, "--theme", "nope"],
                 stderr: "ftle: unknown theme \"nope\"; available themes: colorblind, dark, light, mono\n", status: 2),
            Case(name: "theme path that does not exist", args: ["explore", "--model", m, "--theme", d + "/no.theme"],
                 stderr: "ftle: unknown theme \"\(d)/no.theme\"; available themes: colorblind, dark, light, mono\n", status: 2),
            // Rows 300–: --threads.
            Case(name: "--threads 0", args: ["align", "--model", m, "--threads", "0"],
                 stderr: "ftle: --threads must be in 1...64 (got 0)\n", status: 2),
            Case(name: "--threads negative", args: ["perturb", "--model", m, "--threads", "-2"],
                 stderr: "ftle: --threads must be in 1...64 (got -2)\n", status: 2),
            Case(name: "--threads 65", args: ["eval", "--model", m, "--threads", "65"],
                 stderr: "ftle: --threads must be in 1...64 (got 65)\n", status: 2),
            Case(name: "--threads beyond Int", args: ["report", "--out", d + "/report", "--threads", "99999999999999999999"],
                 stderr: "ftle: The value '99999999999999999999' is invalid for '--threads <n>'\n", status: 2),
            Case(name: "--threads not a number", args: ["align", "--model", m, "--threads", "two"],
                 stderr: "ftle: The value 'two' is invalid for '--threads <n>'\n", status: 2),
            Case(name: "--threads without a value", args: ["eval", "--model", m, "--threads"],
                 stderr: "ftle: Missing value for '--threads <n>'\n", status: 2),
            Case(name: "train --threads 0", args: ["train", "--threads", "0", "--out", d + "/threads"],
                 stderr: "ftle: --threads must be in 1...64 (got 0)\n", status: 2),
            Case(name: "train --threads not a number", args: ["train", "--threads", "all", "--out", d + "/threads"],
                 stderr: "ftle: The value 'all' is invalid for '--threads <n>'\n", status: 2),
            Case(name: "bench --threads 100", args: ["bench", "align", "--threads", "100"],
                 stderr: "ftle: --threads must be in 1...64 (got 100)\n", status: 2),
            Case(name: "bench --samples 0", args: ["bench", "align", "--samples", "0"],
                 stderr: "ftle: --samples must be at least 1 (got 0)\n", status: 2),
            Case(name: "bench --images 0", args: ["bench", "perturb", "--images", "0"],
                 stderr: "ftle: --images must be at least 1 (got 0)\n", status: 2),
            Case(name: "311 bench --keep-subnormals with --flush-subnormals", args: ["bench", "train-rowwise", "--keep-subnormals", "--flush-subnormals"],
                 stderr: "ftle: --keep-subnormals and --flush-subnormals: give one of them\n", status: 2),
            Case(name: "700 train --keep-subnormals with --flush-subnormals",
                 args: ["train", "--keep-subnormals", "--flush-subnormals", "--out", d + "/subnormals"],
                 stderr: "ftle: --keep-subnormals and --flush-subnormals: give one of them\n", status: 2),
            Case(name: "701 train --keep-subnormals with --no-flush-subnormals",
                 args: ["train", "--resume", "--keep-subnormals", "--no-flush-subnormals", "--out", d + "/subnormals"],
                 stderr: "ftle: --keep-subnormals and --no-flush-subnormals: give one of them\n", status: 2),
        ]
    }()

    @Test(arguments: cases)
    func badInput(_ c: Case) throws {
        let r = try CLI.run(c.args, environment: ProcessInfo.processInfo.environment.merging(["FTLE_THEMES": CLI.root + "/Themes"]) { $1 })
        #expect(!r.timedOut)
        #expect(r.stderr == c.stderr)
        #expect(r.status == c.status)
    }

    @Test func terminalDescriptionMissingOrUnknown() throws {
        var env = ProcessInfo.processInfo.environment
        env["TERM"] = nil
        var r = try CLI.run(["explore", "--model", Self.fixtures.model], environment: env, timeout: 30)
        #expect(r.stderr == "ftle: TERM is not set; ftle explore needs a terminal description (try TERM=xterm-256color)\n")
        #expect(r.status == 1)
        env["TERM"] = "no-such-terminal"
        r = try CLI.run(["explore", "--model", Self.fixtures.model], environment: env, timeout: 30)
        #expect(r.stderr == "ftle: TERM=no-such-terminal is not a terminal description this system knows (try TERM=xterm-256color)\n")
        #expect(r.status == 1)
    }

    /// With stdin and stdout not a terminal (cron, a pipe, `< /dev/null`) the explorer refuses
    /// at once with one line.
    @Test func explorerWithoutATerminalRefuses() throws {
        var env = ProcessInfo.processInfo.environment
        env["TERM"] = "xterm-256color"
        let r = try CLI.run(["explore", "--model", Self.fixtures.model], environment: env, timeout: 5)
        #expect(!r.timedOut)
        #expect(r.status == 1)
        #expect(r.stderr == "ftle: explore needs a terminal: standard input and output must be a tty (in scripts use spectrum, align or perturb)\n")
    }

    /// A full disk during a checkpoint write: a 20 KiB tmpfs holds the first checkpoint and
    /// model, not the second. The error names the file, the last checkpoint stays loadable,
    /// and no temporary file is left. Without permission to mount, `ulimit -f 4` (SIGXFSZ
    /// ignored, so write(2) fails with EFBIG) stands in for the full disk.
    @Test func fullDiskDuringCheckpointWrite() throws {
        let mountPoint = temporaryFolder("full-disk")
        let mounted = (try? CLI.shell("mount -t tmpfs -o size=20k ftle-full \(mountPoint) 2>/dev/null"))?.status == 0
        defer {
            if mounted { _ = try? CLI.shell("umount \(mountPoint)") }
            try? FileManager.default.removeItem(atPath: mountPoint)
        }
        let out = mountPoint + "/run"
        let args = ["train", "--task", "rowwise", "--hidden", "8", "--train-limit", "256", "--batch", "32", "--epochs", "2",
                    "--test-limit", "50", "--checkpoint-every", "2", "--out", out]
        let r: CLI.Result
        if mounted {
            r = try CLI.run(args)
            #expect(r.stderr == "ftle: \(out)/checkpoint.safetensors: cannot write: No space left on device\n")
            // The checkpoint of step 2 and its model survive the failed step-4 write.
            _ = try RNNModel<Float>.load(from: out + "/model.safetensors")
            _ = try SafeTensorsFile(contentsOf: out + "/checkpoint.safetensors")
        } else {
            r = try CLI.shell("trap '' XFSZ; ulimit -f 4; exec '\(CLI.binary!)' " + args.joined(separator: " "))
            #expect(r.stderr == "ftle: \(out)/checkpoint.safetensors: cannot write: File too large\n")
        }
        #expect(r.status == 1)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    // MARK: explorer in a real terminal (tmux)

    static let hasTmux = FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")

    /// Starts the explorer in a detached tmux session of `width`×`height`, waits for `waitFor`
    /// on screen, presses q, and returns the screen, the exit status and stderr.
    static func explorer(width: Int, height: Int, env: String, waitFor: String) throws -> (screen: String, status: Int32?, stderr: String) {
        let session = "ftle-bad-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let errFile = temporaryFolder("tmux") + "/stderr"
        let exitFile = errFile + ".status"
        let command = "cd '\(CLI.root)' && env \(env) FTLE_THEMES='\(CLI.root)/Themes' '\(CLI.binary!)' explore --model '\(fixtures.model)' 2>'\(errFile)'; echo $? > '\(exitFile)'; sleep 60"
        try Subprocess.tmux(["new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)", command])
        defer { _ = try? Subprocess.tmux(["kill-session", "-t", session]) }
        var screen = ""
        for _ in 0..<100 {
            screen = try Subprocess.tmux(["capture-pane", "-p", "-t", session]).stdout
            if screen.contains(waitFor) { break }
            usleep(100_000)
        }
        try Subprocess.tmux(["send-keys", "-t", session, "q"])
        var status: Int32?
        for _ in 0..<300 {  // up to 30 s: a loaded 2-core machine can take over 10 s to tear down
            if let s = try? String(contentsOfFile: exitFile, encoding: .utf8), let v = Int32(s.trimmingCharacters(in: .whitespacesAndNewlines)) {
                status = v; break
            }
            usleep(100_000)
        }
        let stderr = (try? String(contentsOfFile: errFile, encoding: .utf8)) ?? ""
        return (screen, status, stderr)
    }

    @Test(.enabled(if: hasTmux, "tmux is not installed"))
    func tinyTerminalShowsTooSmallAndQuits() throws {
        let r = try Self.explorer(width: 10, height: 5, env: "TERM=xterm-256color", waitFor: "have 10×5")
        #expect(r.screen.contains("have 10×5"))
        #expect(r.status == 0)
        #expect(r.stderr == "")
        let wide = try Self.explorer(width: 40, height: 8, env: "TERM=xterm-256color", waitFor: "too small")
        #expect(wide.screen.contains("terminal too small: need 80×24"))
        #expect(wide.screen.contains("have 40×8"))
    }

    /// TERM=dumb (no cursor addressing) is refused with one line.
    @Test(.enabled(if: hasTmux, "tmux is not installed"))
    func dumbTerminal() throws {
        let r = try Self.explorer(width: 100, height: 30, env: "TERM=dumb", waitFor: "TERM=dumb")
        #expect(r.status == 1)
        #expect(r.stderr == "ftle: TERM=dumb cannot draw the explorer (no cursor addressing); set TERM to your terminal, e.g. xterm-256color\n")
        #expect(!r.screen.contains("FTLE spectrum"))
    }

    /// A non-UTF-8 locale: the explorer draws with ASCII glyphs and exits cleanly.
    @Test(.enabled(if: hasTmux, "tmux is not installed"))
    func nonUTF8LocaleUsesASCII() throws {
        let r = try Self.explorer(width: 100, height: 30, env: "LANG=C LC_ALL=C TERM=xterm-256color", waitFor: "FTLE spectrum")
        #expect(r.screen.contains("FTLE spectrum"))
        #expect(!r.screen.contains("│") && !r.screen.contains("λ"))
        #expect(r.status == 0)
        #expect(r.stderr == "")
    }
}

/// The bytes of a gzip file, inflated.
func gunzipped(_ path: String) throws -> [UInt8] { try readFileBytes(path) }

func replacing(_ a: [UInt8], with b: [UInt8], in bytes: [UInt8]) -> [UInt8] {
    precondition(a.count == b.count)
    var out = bytes
    for i in 0...(bytes.count - a.count) where Array(bytes[i..<(i + a.count)]) == a {
        out.replaceSubrange(i..<(i + a.count), with: b); break
    }
    return out
}
