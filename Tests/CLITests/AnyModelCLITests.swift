import Foundation
import Linalg
import Lyapunov
import RNN
import TestSupport
import Testing

/// `ftle` on models that are not MNIST models (stacked, ReLU, any I and C) and on sequences
/// given as .npy: the Float64 path end to end, and the bad inputs of rows 100–149 of
/// docs/bad-inputs.md (exact stderr and exit status).
@Suite(.enabled(if: CLI.available, "the ftle binary is not built"), .serialized)
struct AnyModelCLITests {
    struct Fixtures: Sendable {
        let dir: String
        let model: String      // two tanh layers (5, 4), I = 2, C = 3, no task
        let torch: String      // Tests/Fixtures/pytorch-rnn/model.safetensors (ReLU, 7+7, I = 3, C = 4)
        let precise: String    // 12×2 '<f8' values that float32 cannot hold
        let sequence: [Double]
        let firstLabel: Int    // of set-y.npy

        init() {
            let folder = temporaryFolder("any-model")
            dir = folder
            torch = CLI.root + "/Tests/Fixtures/pytorch-rnn/model.safetensors"
            var rng = SeededRandom(seed: 21)
            func layer(_ h: Int, _ i: Int) -> RecurrentLayer<Double> {
                RecurrentLayer(u: .gaussian(rows: h, cols: i, using: &rng), v: .gaussian(rows: h, cols: h, std: 0.7, using: &rng),
                               b: (0..<h).map { _ in 0.1 * rng.nextNormal() })
            }
            let l1 = layer(5, 2), l2 = layer(4, 5)
            let m = RNNModel<Double>(u: l1.u, v: l1.v, b: l1.b, w: .gaussian(rows: 3, cols: 4, using: &rng), c: [0.1, -0.2, 0.3],
                                     task: nil, upperLayers: [l2])
            model = dir + "/stacked.safetensors"
            try! m.save(to: model)
            sequence = (0..<24).map { _ in rng.nextNormal() + 1e-9 }
            precise = dir + "/precise.npy"
            try! Data(NPYArray(shape: [12, 2], values: sequence).encoded(float32: false)).write(to: URL(fileURLWithPath: precise))

            func write(_ name: String, _ bytes: [UInt8]) { try! Data(bytes).write(to: URL(fileURLWithPath: folder + "/" + name)) }
            let good = try! SafeTensorsFile(contentsOf: torch)
            var f = good
            f.tensors["rnn.weight_ih_l1"] = Tensor(float32: [Float](repeating: 0, count: 35), shape: [7, 5])
            write("unchained.safetensors", f.encoded())
            f = good
            f.tensors["fc.weight"] = Tensor(float32: [], shape: [0, 7]); f.tensors["fc.bias"] = Tensor(float32: [], shape: [0])
            write("no-classes.safetensors", f.encoded())
            f = good
            f.tensors["rnn.weight_hh_l3"] = f.tensors["rnn.weight_hh_l0"]
            f.tensors["rnn.weight_ih_l3"] = f.tensors["rnn.weight_ih_l1"]
            write("layer-gap.safetensors", f.encoded())
            write("shape-9x5.npy", NPYArray(shape: [9, 5], values: [Double](repeating: 0, count: 45)).encoded(float32: true))

            // A set of 60 sequences (T = 6, I = 3) whose label is the input with the largest sum.
            var xs: [Double] = [], ys: [Double] = []
            for _ in 0..<60 {
                let x = (0..<18).map { _ in rng.nextNormal() }
                let sums = (0..<3).map { i in stride(from: i, to: 18, by: 3).map { x[$0] }.reduce(0, +) }
                xs += x; ys.append(Double(sums.indices.max { sums[$0] < sums[$1] }!))
            }
            firstLabel = Int(ys[0])
            write("set-x.npy", NPYArray(shape: [60, 6, 3], values: xs).encoded(float32: false))
            write("set-y.npy", NPYArray(shape: [60], values: ys, descriptor: "<i8").encoded(float32: false))
            write("set-y-big.npy", NPYArray(shape: [60], values: ys.map { $0 + 4 }).encoded(float32: false))
            write("set-y-short.npy", NPYArray(shape: [59], values: Array(ys.prefix(59))).encoded(float32: false))
            write("set-y-half.npy", NPYArray(shape: [60], values: ys.map { $0 + 0.5 }).encoded(float32: false))
            write("set-x-i5.npy", NPYArray(shape: [60, 6, 5], values: [Double](repeating: 0, count: 1800)).encoded(float32: false))
            // A ReLU model of the largest weights a file may hold and inputs of 1e6: h grows by
            // about 1e6 a step and passes Float32's 3.4e38 at step 6, so the loss is not finite.
            var big = RNNModel<Double>(u: Matrix(rows: 2, cols: 3, columnMajor: [Double](repeating: 1e6, count: 6)),
                                       v: Matrix(rows: 2, cols: 2, columnMajor: [1e6, 0, 0, 1e6]), b: [0, 0],
                                       w: Matrix(rows: 3, cols: 2, columnMajor: [Double](repeating: 1e6, count: 6)), c: [0, 0, 0], task: nil)
            big.nonlinearity = .relu
            try! big.save(to: folder + "/relu-big.safetensors")
            write("set-x-big.npy", NPYArray(shape: [60, 6, 3], values: [Double](repeating: 1e6, count: 1080)).encoded(float32: false))
        }
    }

    static let fixtures = Fixtures()

    /// spectrum and predict read '<f8' values at full precision: ln r_t^k from the CLI equals
    /// the Float64 trace of the exact values to 1e-10, while the float32-rounded values give a
    /// different answer (by more than 1e-9), so a rounding on the way would fail this test.
    @Test func float64InputKeepsItsPrecision() throws {
        let f = Self.fixtures
        let r = try CLI.run(["spectrum", "--model", f.model, "--input", f.precise, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let logR = (json["log_r"] as! [[Any]]).map { $0.map { ($0 as! NSNumber).doubleValue } }
        #expect(json["state_size"] as? Int == 9 && json["k"] as? Int == 9)
        let m = try RNNModel<Double>.load(from: f.model)
        let exact = try LyapunovTrace(model: m, sequence: f.sequence, steps: 12)
        let rounded = try LyapunovTrace(model: m, sequence: f.sequence.map { Double(Float($0)) }, steps: 12)
        var worst = 0.0, roundingEffect = 0.0
        for t in 0..<12 { for k in 0..<9 {
            worst = max(worst, abs(logR[t][k] - exact.logR[t][k]))
            roundingEffect = max(roundingEffect, abs(rounded.logR[t][k] - exact.logR[t][k]))
        } }
        #expect(worst < 1e-10, "max |Δ ln r| = \(worst)")
        #expect(roundingEffect > 1e-9, "float32 rounding changes ln r by \(roundingEffect)")

        let p = try CLI.run(["predict", "--model", f.model, "--input", f.precise, "--format", "json"])
        let pj = try JSONSerialization.jsonObject(with: Data(p.stdout.utf8)) as! [String: Any]
        let logits = (pj["logits"] as! [Any]).map { ($0 as! NSNumber).doubleValue }
        let batch = SequenceBatch<Double>(sequences: [f.sequence], labels: [0], steps: 12, inputSize: 2)
        #expect(relativeError(logits, m.finalLogits(batch).column(0)) < 1e-12)
    }

    /// predict on PyTorch's own file prints its four named classes.
    @Test func predictNamesTheClasses() throws {
        let f = Self.fixtures
        let r = try CLI.run(["predict", "--model", f.torch, "--input", CLI.root + "/Tests/Fixtures/pytorch-rnn/input.npy"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("  3 west  logit"))
        #expect(r.stdout.split(separator: "\n").filter { $0.contains("logit") }.count == 4)
    }

    /// train --inputs writes a model of the set's I and C that eval, perturb and align read.
    @Test func trainEvalPerturbAlignOnASet() throws {
        let d = Self.fixtures.dir, x = d + "/set-x.npy", y = d + "/set-y.npy", out = d + "/trained"
        let t = try CLI.run(["train", "--inputs", x, "--labels", y, "--hidden", "30", "--epochs", "2", "--batch", "16", "--lr", "0.01",
                             "--nonlinearity", "relu", "--out", out])
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stdout.contains("54 sequences (test 6), T=6 I=3 C=3 H=30 relu"))
        let m = try RNNModel<Float>.load(from: out + "/model.safetensors")
        #expect(m.inputSize == 3 && m.classes == 3 && m.hidden == 30 && m.nonlinearity == .relu && m.imageTask == nil)
        let e = try CLI.run(["eval", "--model", out + "/model.safetensors", "--inputs", x, "--labels", y, "--format", "json"])
        let ej = try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as! [String: Any]
        #expect(ej["sequences"] as? Int == 60)
        let set = try SequenceSet.load(inputs: x, labels: y)
        #expect(abs((ej["accuracy"] as! Double) - evaluate(m, on: set).accuracy) < 1e-12)
        let p = try CLI.run(["perturb", "--model", out + "/model.safetensors", "--inputs", x, "--labels", y, "--images", "3", "--k", "1,6",
                             "--random", "3", "--baseline", "mean"])
        #expect(p.status == 0, "\(p.stderr)")
        let a = try CLI.run(["align", "--model", out + "/model.safetensors", "--inputs", x, "--labels", y, "--samples", "2"])
        #expect(a.status == 0, "\(a.stderr)")
    }

    typealias Case = BadInputCase

    static let cases: [Case] = {
        let d = fixtures.dir, m = fixtures.model, t = fixtures.torch
        let x = CLI.root + "/Tests/Fixtures/pytorch-rnn/input.npy"
        return [
            Case(name: "100 layers that do not chain", args: ["spectrum", "--model", d + "/unchained.safetensors", "--input", x],
                 stderr: "ftle: \(d)/unchained.safetensors: tensor \"rnn.weight_ih_l1\" has shape [7, 5], expected [7, 7] (layer 1 reads layer 0's 7 states)\n", status: 1),
            Case(name: "101 no classes", args: ["predict", "--model", d + "/no-classes.safetensors", "--input", x],
                 stderr: "ftle: \(d)/no-classes.safetensors: tensor \"fc.weight\" has shape [0, 7]: no classes (C = 0)\n", status: 1),
            Case(name: "102 --input of the wrong I", args: ["spectrum", "--model", t, "--input", d + "/shape-9x5.npy"],
                 stderr: "ftle: \(d)/shape-9x5.npy: array is 9×5 but the model takes 3 inputs per step (expected T×3)\n", status: 1),
            Case(name: "103 --image on a model without a task", args: ["predict", "--model", t, "--image", "0"],
                 stderr: "ftle: --image needs a model of an MNIST task (rowwise, pixelwise or permuted); this model has none: give --input X.npy\n", status: 1),
            Case(name: "104 no sequence for a model without a task", args: ["spectrum", "--model", m],
                 stderr: "ftle: the model has no MNIST task: give a sequence with --input X.npy\n", status: 1),
            Case(name: "105 --nonlinearity against the file", args: ["predict", "--model", t, "--input", x, "--nonlinearity", "tanh"],
                 stderr: "ftle: \(t): the file says nonlinearity relu, --nonlinearity says tanh\n", status: 1),
            Case(name: "106 unknown --nonlinearity", args: ["predict", "--model", m, "--input", x, "--nonlinearity", "gelu"],
                 stderr: "ftle: The value 'gelu' is invalid for '--nonlinearity <nonlinearity>'. Please provide one of 'tanh' and 'relu'.\n", status: 2),
            Case(name: "107 --label past C", args: ["predict", "--model", t, "--input", x, "--label", "4"],
                 stderr: "ftle: --label must be 0...3 (got 4): the model has 4 classes\n", status: 1),
            Case(name: "706 gradient --gate on a vanilla layer (108, gradient of a stacked model, is accepted from issue 27 on)",
                 args: ["gradient", "--model", t, "--input", x, "--label", "1", "--gate", "z"],
                 stderr: "ftle: --gate \"z\" names a GRU or LSTM gate block; layer 1 is a vanilla RNN layer\n", status: 1),
            Case(name: "109 --k past N", args: ["spectrum", "--model", t, "--input", x, "--k", "15"],
                 stderr: "ftle: --k 15 exceeds the state size N = 14\n", status: 1),
            Case(name: "110 --inputs of the wrong I", args: ["eval", "--model", t, "--inputs", d + "/set-x-i5.npy", "--labels", d + "/set-y.npy"],
                 stderr: "ftle: \(d)/set-x-i5.npy: sequences have 5 inputs per step but the model takes 3\n", status: 1),
            Case(name: "111 labels out of range", args: ["eval", "--model", t, "--inputs", d + "/set-x.npy", "--labels", d + "/set-y-big.npy"],
                 stderr: "ftle: \(d)/set-y-big.npy: label 0 is \(fixtures.firstLabel + 4) but the model has 4 classes (0...3)\n", status: 1),
            Case(name: "112 N of labels and inputs differ", args: ["perturb", "--model", t, "--inputs", d + "/set-x.npy", "--labels", d + "/set-y-short.npy"],
                 stderr: "ftle: \(d)/set-y-short.npy: 59 labels for 60 sequences in \(d)/set-x.npy\n", status: 1),
            Case(name: "113 labels that are not integers", args: ["train", "--inputs", d + "/set-x.npy", "--labels", d + "/set-y-half.npy", "--out", d + "/never"],
                 stderr: "ftle: \(d)/set-y-half.npy: label 0 is \(Double(fixtures.firstLabel) + 0.5), expected an integer ≥ 0\n", status: 1),
            Case(name: "114 --inputs without --labels", args: ["train", "--inputs", d + "/set-x.npy", "--out", d + "/never"],
                 stderr: "ftle: --inputs and --labels go together\n", status: 2),
            Case(name: "115 --baseline without --inputs", args: ["perturb", "--model", t, "--baseline", "mean"],
                 stderr: "ftle: --baseline applies to --inputs only\n", status: 2),
            Case(name: "116 --mode with --inputs", args: ["perturb", "--model", t, "--inputs", d + "/set-x.npy", "--labels", d + "/set-y.npy", "--mode", "up"],
                 stderr: "ftle: --inputs perturbs steps: --mode, --shared-random and --r-convention apply to MNIST images only\n", status: 2),
            Case(name: "784 eval --inputs whose loss overflows Float32",
                 args: ["eval", "--model", d + "/relu-big.safetensors", "--inputs", d + "/set-x-big.npy", "--labels", d + "/set-y.npy"],
                 stderr: "ftle: \(d)/relu-big.safetensors: the loss is NaN or Inf on these sequences of \(d)/set-x-big.npy (Float32 arithmetic overflows)\n", status: 1),
            Case(name: "118 eval of a model without a task, no --inputs", args: ["eval", "--model", t],
                 stderr: "ftle: the model has no MNIST task: evaluate it on a set of sequences (--inputs X.npy --labels Y.npy)\n", status: 1),
            Case(name: "119 --nonlinearity with --resume", args: ["train", "--nonlinearity", "relu", "--resume", "--out", d + "/never"],
                 stderr: "ftle: --resume continues the run's own model; drop --nonlinearity\n", status: 2),
            Case(name: "783 --nonlinearity with --init-from", args: ["train", "--nonlinearity", "relu", "--init-from", t, "--out", d + "/never"],
                 stderr: "ftle: --init-from takes φ from its model; drop --nonlinearity\n", status: 2),
            Case(name: "120 a layer after a gap", args: ["predict", "--model", d + "/layer-gap.safetensors", "--input", x],
                 stderr: "ftle: \(d)/layer-gap.safetensors: tensor \"rnn.weight_hh_l3\" does not belong to the 2-layer network \"rnn.weight_hh_l0\"…\"rnn.weight_hh_l1\"\n", status: 1),
        ]
    }()

    @Test(arguments: cases)
    func badInput(_ c: Case) throws {
        try c.expectExactly()
    }
}
