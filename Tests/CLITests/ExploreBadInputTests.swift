import Foundation
import RNN
import TestSupport
import Testing

/// Rows 560–579 of docs/bad-inputs.md: `ftle explore` on sequences (`--input`, `--inputs`/
/// `--labels`, `--index`, `--label`) and `--image` on a model without an MNIST task, with the
/// exact stderr and exit status. Every row fails before the terminal is touched (the binary
/// runs without a tty). `T` is the PyTorch fixture (two ReLU layers of 7, I = 3, C = 4, no task).
@Suite(.enabled(if: CLI.available, "the ftle binary is not built"), .serialized)
struct ExploreBadInputTests {
    struct Fixtures: Sendable {
        let dir: String
        init() {
            dir = temporaryFolder("explore-bad")
            func write(_ name: String, _ array: NPYArray) {
                try! Data(array.encoded(float32: false)).write(to: URL(fileURLWithPath: dir + "/" + name))
            }
            let ramp: [Double] = (0..<90).map { (k: Int) -> Double in Double(k % 11) / 10 - 0.5 }
            write("set-x.npy", NPYArray(shape: [5, 6, 3], values: ramp))
            write("set-y.npy", NPYArray(shape: [5], values: [0, 1, 2, 3, 1]))
            write("set-y-big.npy", NPYArray(shape: [5], values: [0, 1, 7, 3, 1]))
            write("set-x-i4.npy", NPYArray(shape: [5, 6, 4], values: [Double](repeating: 0.25, count: 120)))
            write("one-i4.npy", NPYArray(shape: [6, 4], values: [Double](repeating: 0.25, count: 24)))
            var nan = [Double](repeating: 0.5, count: 18)
            nan[7] = .nan
            write("one-nan.npy", NPYArray(shape: [6, 3], values: nan))
        }
    }

    static let fixtures = Fixtures()
    typealias Case = BadInputCase

    static let cases: [Case] = {
        let d = fixtures.dir, t = CLI.root + "/Tests/Fixtures/pytorch-rnn/model.safetensors"
        let x = CLI.root + "/Tests/Fixtures/pytorch-rnn/input.npy"
        let set = ["--inputs", d + "/set-x.npy", "--labels", d + "/set-y.npy"]
        return [
            Case(name: "560 --input of the wrong I", args: ["explore", "--model", t, "--input", d + "/one-i4.npy"],
                 stderr: "ftle: \(d)/one-i4.npy: array is 6×4 but the model takes 3 inputs per step (expected T×3)\n", status: 1),
            Case(name: "561 --inputs of the wrong I", args: ["explore", "--model", t, "--inputs", d + "/set-x-i4.npy", "--labels", d + "/set-y.npy"],
                 stderr: "ftle: \(d)/set-x-i4.npy: sequences have 4 inputs per step but the model takes 3\n", status: 1),
            Case(name: "562 --image on a model without an MNIST task", args: ["explore", "--model", t, "--image", "3"],
                 stderr: "ftle: --image needs a model of an MNIST task (rowwise, pixelwise or permuted); this model has none: give --input X.npy or --inputs X.npy --labels Y.npy\n", status: 1),
            Case(name: "563 no sequence for a model without an MNIST task", args: ["explore", "--model", t],
                 stderr: "ftle: \(t): the model has no MNIST task: give a sequence with --input X.npy or a set with --inputs X.npy --labels Y.npy\n", status: 1),
            Case(name: "564 --inputs without --labels", args: ["explore", "--model", t, "--inputs", d + "/set-x.npy"],
                 stderr: "ftle: --inputs and --labels go together\n", status: 2),
            Case(name: "565 --labels without --inputs", args: ["explore", "--model", t, "--labels", d + "/set-y.npy"],
                 stderr: "ftle: --inputs and --labels go together\n", status: 2),
            Case(name: "566 --index past the set", args: ["explore", "--model", t] + set + ["--index", "5"],
                 stderr: "ftle: --index 5 is out of range: \(d)/set-x.npy holds 5 sequences (0...4)\n", status: 1),
            Case(name: "567 --index -1", args: ["explore", "--model", t] + set + ["--index", "-1"],
                 stderr: "ftle: --index must be ≥ 0 (got -1)\n", status: 2),
            Case(name: "568 --index without --inputs", args: ["explore", "--model", t, "--input", x, "--index", "1"],
                 stderr: "ftle: --index picks a sequence of --inputs X.npy\n", status: 2),
            Case(name: "569 --label past C", args: ["explore", "--model", t, "--input", x, "--label", "4"],
                 stderr: "ftle: --label must be 0...3 (got 4): the model has 4 classes\n", status: 1),
            Case(name: "570 --label without --input", args: ["explore", "--model", t] + set + ["--label", "1"],
                 stderr: "ftle: --label goes with --input X.npy (--inputs takes --labels)\n", status: 2),
            Case(name: "571 --input and --inputs", args: ["explore", "--model", t, "--input", x] + set,
                 stderr: "ftle: give either --input or --inputs, not both\n", status: 2),
            Case(name: "572 --image and --input", args: ["explore", "--model", t, "--input", x, "--image", "0"],
                 stderr: "ftle: give either --image or --input/--inputs, not both\n", status: 2),
            Case(name: "573 --label -1", args: ["explore", "--model", t, "--input", x, "--label", "-1"],
                 stderr: "ftle: --label must be ≥ 0 (got -1)\n", status: 2),
            Case(name: "574 a label past C in --labels", args: ["explore", "--model", t, "--inputs", d + "/set-x.npy", "--labels", d + "/set-y-big.npy"],
                 stderr: "ftle: \(d)/set-y-big.npy: label 2 is 7 but the model has 4 classes (0...3)\n", status: 1),
            Case(name: "575 --k past N of a stacked model", args: ["explore", "--model", t, "--input", x, "--k", "15"],
                 stderr: "ftle: --k 15 must be in 1...14 (N, the 2 layers' stacked state)\n", status: 1),
            Case(name: "576 --input holding NaN", args: ["explore", "--model", t, "--input", d + "/one-nan.npy"],
                 stderr: "ftle: \(d)/one-nan.npy: array contains NaN or Inf\n", status: 1),
        ]
    }()

    @Test(arguments: cases)
    func exploreBadInput(_ c: Case) throws {
        try c.expectExactly()
    }
}
