import Foundation
import Linalg
import RNN
import Testing
import TestSupport

/// A random L-layer model (sizes), I inputs, C classes.
private func randomStacked(sizes: [Int], inputSize: Int, classes: Int, nonlinearity: Nonlinearity, bias: BiasMode,
                           seed: UInt64 = 3) -> RNNModel<Double> {
    var rng = SeededRandom(seed: seed)
    var layers: [RecurrentLayer<Double>] = []
    var below = inputSize
    for h in sizes {
        layers.append(RecurrentLayer(u: .gaussian(rows: h, cols: below, std: 0.8, using: &rng), v: .gaussian(rows: h, cols: h, std: 0.5, using: &rng),
                                     b: (0..<h).map { _ in bias == .none ? 0 : 0.2 * rng.nextNormal() }))
        below = h
    }
    return RNNModel(u: layers[0].u, v: layers[0].v, b: layers[0].b, w: .gaussian(rows: classes, cols: below, using: &rng),
                    c: (0..<classes).map { _ in rng.nextNormal() }, task: nil, biasMode: bias,
                    upperLayers: Array(layers.dropFirst()), nonlinearity: nonlinearity)
}

/// o_T by plain loops, one sequence (T×I step-major).
private func plainLogits(_ m: RNNModel<Double>, _ x: [Double], steps: Int) -> [Double] {
    var states = m.layers.map { [Double](repeating: 0, count: $0.hidden) }
    for t in 0..<steps {
        var input = Array(x[(t * m.inputSize)..<((t + 1) * m.inputSize)])
        for (k, l) in m.layers.enumerated() {
            var next = [Double](repeating: 0, count: l.hidden)
            for i in 0..<l.hidden {
                var a = l.b[i]
                for j in 0..<l.hidden { a += l.v[i, j] * states[k][j] }
                for j in 0..<l.inputSize { a += l.u[i, j] * input[j] }
                next[i] = m.nonlinearity == .tanh ? Foundation.tanh(a) : max(0, a)
            }
            states[k] = next; input = next
        }
    }
    return (0..<m.classes).map { c in m.c[c] + (0..<m.outputHidden).map { m.w[c, $0] * states.last![$0] }.reduce(0, +) }
}

@Suite struct StackedModelTests {
    /// The batched forward pass (and `finalLogits`) of a 3-layer model equals plain loops.
    @Test(arguments: [Nonlinearity.tanh, .relu])
    func batchedForwardMatchesPlainLoops(_ phi: Nonlinearity) {
        let m = randomStacked(sizes: [6, 4, 5], inputSize: 3, classes: 4, nonlinearity: phi, bias: .pair)
        var rng = SeededRandom(seed: 9)
        let steps = 7
        let seqs = (0..<3).map { _ in (0..<(steps * 3)).map { _ in rng.nextNormal() } }
        let batch = SequenceBatch<Double>(sequences: seqs, labels: [0, 1, 2], steps: steps, inputSize: 3)
        let logits = m.finalLogits(batch)
        let trace = m.forward(batch, logitsAtEveryStep: true)
        for n in 0..<3 {
            let reference = plainLogits(m, seqs[n], steps: steps)
            #expect(relativeError(logits.column(n), reference) < 1e-13)
            #expect(relativeError(trace.logit(steps, sample: n), reference) < 1e-13)
            #expect(trace.stackedState(steps, sample: n).count == 15)
        }
    }

    /// Single-layer ReLU BPTT against central finite differences of the loss.
    @Test func reluGradientMatchesFiniteDifferences() {
        let m = randomStacked(sizes: [5], inputSize: 2, classes: 3, nonlinearity: .relu, bias: .pair)
        var rng = SeededRandom(seed: 4)
        let seq = (0..<12).map { _ in rng.nextNormal() }
        let batch = SequenceBatch<Double>(sequences: [seq], labels: [2], steps: 6, inputSize: 2)
        let g = m.lossAndGradients(batch).gradients
        let fd = centralDifference({ v in
            var p = m; p.v = Matrix(rows: 5, cols: 5, columnMajor: v)
            return CrossEntropy.evaluate(p.finalLogits(batch), labels: [2]).loss
        }, at: m.v.storage)
        #expect(relativeError(g.v.storage, fd) < 1e-7)
    }

    /// Save and load keep every layer, the nonlinearity, C and the bias mode (bias=False
    /// writes no bias tensor); the names are PyTorch's.
    @Test(arguments: [BiasMode.pair, .none])
    func stackedRoundTrip(_ bias: BiasMode) throws {
        let m = randomStacked(sizes: [6, 4], inputSize: 3, classes: 4, nonlinearity: .relu, bias: bias)
        let file = m.safeTensors()
        #expect(file.tensors["rnn.weight_ih_l1"]?.shape == [4, 6])
        #expect(file.tensors["fc.weight"]?.shape == [4, 4])
        #expect((file.tensors["rnn.bias_ih_l1"] != nil) == (bias != .none))
        let back = try RNNModel<Double>(file: SafeTensorsFile(parsing: file.encoded(), path: "m"), path: "m")
        #expect(back.layers == m.layers && back.w == m.w && back.c == m.c)
        #expect(back.nonlinearity == .relu && back.biasMode == bias && back.imageTask == nil)
    }

    func loadError(_ f: SafeTensorsFile, nonlinearity: Nonlinearity? = nil) -> String? {
        do { _ = try RNNModel<Double>(file: f, path: "m", nonlinearity: nonlinearity); return nil } catch { return String(describing: error) }
    }

    @Test func badShapesAreOneLineErrors() {
        let good = randomStacked(sizes: [6, 4], inputSize: 3, classes: 4, nonlinearity: .tanh, bias: .none).safeTensors()
        var f = good
        f.tensors["rnn.weight_ih_l1"] = Tensor(float64: [Double](repeating: 0, count: 20), shape: [4, 5])
        #expect(loadError(f) == "m: tensor \"rnn.weight_ih_l1\" has shape [4, 5], expected [4, 6] (layer 1 reads layer 0's 6 states)")
        f = good
        f.tensors["fc.weight"] = Tensor(float64: [], shape: [0, 4]); f.tensors["fc.bias"] = Tensor(float64: [], shape: [0])
        #expect(loadError(f) == "m: tensor \"fc.weight\" has shape [0, 4]: no classes (C = 0)")
        f = good
        f.tensors["fc.weight"] = Tensor(float64: [Double](repeating: 0, count: 24), shape: [4, 6])
        #expect(loadError(f) == "m: tensor \"fc.weight\" has shape [4, 6], expected [C, 4]")
        f = good; f.metadata["nonlinearity"] = "relu"
        #expect(loadError(f, nonlinearity: .tanh) == "m: the file says nonlinearity relu, --nonlinearity says tanh")
        f = good; f.metadata["nonlinearity"] = "gelu"
        #expect(loadError(f) == "m: unknown nonlinearity \"gelu\" in metadata (expected tanh or relu)")
        f = good
        f.tensors["rnn.weight_hh_l3"] = f.tensors["rnn.weight_hh_l1"]
        #expect(loadError(f) == "m: tensor \"rnn.weight_hh_l3\" does not belong to the 2-layer network \"rnn.weight_hh_l0\"…\"rnn.weight_hh_l1\"")
        f = good; f.metadata = ["anything": "goes"]
        #expect(loadError(f) == nil)
        #expect(loadError(f, nonlinearity: .relu) == nil)
    }
}
