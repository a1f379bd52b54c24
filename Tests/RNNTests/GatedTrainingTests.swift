import Foundation
import Linalg
import MNIST
import RNN
import Testing
import TestSupport

/// The batched GRU/LSTM forward pass and BPTT of `GatedModel`, in Float64, against
/// independent paths: `GatedNetwork` (the analysis code, itself checked against PyTorch's
/// autograd) for the logits, and central finite differences of `GatedNetwork`'s loss for every
/// parameter tensor.
@Suite struct GatedTrainingTests {
    /// A tiny random problem: B sequences of T steps of I values (N(0, 1)), labels in 0..<C.
    static func problem(inputSize i: Int, classes c: Int, steps t: Int, batch b: Int, seed: UInt64)
        -> (sequences: [[Double]], labels: [Int], batch: SequenceBatch<Double>) {
        var rng = SeededRandom(seed: seed)
        let sequences = (0..<b).map { _ in (0..<(t * i)).map { _ in rng.nextNormal() } }
        let labels = (0..<b).map { n in (n * 7 + 1) % c }
        return (sequences, labels, SequenceBatch<Double>(sequences: sequences, labels: labels, steps: t, inputSize: i))
    }

    /// A model with weights U(−0.8, 0.8) (larger than PyTorch's 1/√H = 0.5 at H = 4, so the
    /// gates leave their linear range and every term of the chain rule matters).
    static func model(_ cell: GatedLayer.Cell, inputSize i: Int, hidden h: Int, classes c: Int, seed: UInt64) -> GatedModel<Double> {
        var m = GatedModel<Double>(cell: cell, inputSize: i, hidden: h, classes: c, seed: seed)
        m.setParameterArrays(m.parameterArrays.map { $0.map { 1.6 * $0 } })
        return m
    }

    /// Mean cross-entropy of o_T over the samples, by `GatedNetwork` one step at a time.
    static func referenceLoss(_ m: GatedModel<Double>, _ sequences: [[Double]], _ labels: [Int], steps: Int) -> Double {
        let network = m.network
        return zip(sequences, labels).map { x, y in
            CrossEntropy.loss(network.finalLogits(sequence: x, steps: steps), label: y)
        }.reduce(0, +) / Double(labels.count)
    }

    @Test(arguments: GatedLayer.Cell.allCases)
    func logitsEqualGatedNetworkAndTraceFree(cell: GatedLayer.Cell) {
        let (sequences, labels, batch) = Self.problem(inputSize: 5, classes: 4, steps: 40, batch: 3, seed: 11)
        let m = Self.model(cell, inputSize: 5, hidden: 7, classes: 4, seed: 3)
        let trace = m.forward(batch)
        let network = m.network
        var worst = 0.0
        for n in 0..<labels.count {
            let reference = network.finalLogits(sequence: sequences[n], steps: 40)
            for k in 0..<4 { worst = max(worst, abs(trace.logits[k, n] - reference[k])) }
            // The last state too: h_T of the trace is the network's.
            var s = [Double](repeating: 0, count: network.stateSize)
            for t in 0..<40 { s = network.step(state: s, input: Array(sequences[n][(t * 5)..<((t + 1) * 5)])).state }
            for k in 0..<7 { worst = max(worst, abs(trace.states[k, 40 * 3 + n] - s[k])) }
        }
        #expect(worst < 1e-12, "max |ftle batched − GatedNetwork| = \(worst)")
        // The trace-free evaluation path does the same arithmetic.
        #expect(m.finalLogits(batch) == trace.logits)
    }

    /// Every parameter tensor's gradient against central differences (ε = 1e-6) of
    /// `GatedNetwork`'s mean loss: max |analytic − numeric| ≤ 1e-8 and relative error ≤ 1e-6
    /// per tensor. T = 5 is one chunk of the backward pass; T = 37 spans two (32 + 5).
    @Test(arguments: [(GatedLayer.Cell.gru, 5), (.lstm, 5), (.gru, 37), (.lstm, 37)])
    func gradientsMatchFiniteDifferences(cell: GatedLayer.Cell, steps: Int) {
        let (i, h, c, b) = (3, 4, 3, 2)
        let (sequences, labels, batch) = Self.problem(inputSize: i, classes: c, steps: steps, batch: b, seed: 5)
        let m = Self.model(cell, inputSize: i, hidden: h, classes: c, seed: 17)
        let (loss, _, gradients) = m.lossAndGradients(batch)
        #expect(abs(loss - Self.referenceLoss(m, sequences, labels, steps: steps)) < 1e-12)
        let analytic = gradients.arrays, parameters = m.parameterArrays
        for (k, name) in GatedModel<Double>.parameterNames.enumerated() {
            let numeric = centralDifference({ values in
                var p = parameters
                p[k] = values
                var perturbed = m
                perturbed.setParameterArrays(p)
                return Self.referenceLoss(perturbed, sequences, labels, steps: steps)
            }, at: parameters[k])
            let maxDiff = zip(analytic[k], numeric).map { abs($0 - $1) }.max() ?? 0
            let relative = relativeError(analytic[k], numeric)
            #expect(maxDiff <= 1e-8 && relative <= 1e-6, "\(cell) T=\(steps) \(name): max diff \(maxDiff), relative \(relative)")
            #expect(numeric.contains { abs($0) > 1e-4 }, "\(name): the check needs a gradient that is not ~0")
        }
    }

    /// Shards (data parallelism) sum the same gradient, to rounding.
    @Test(arguments: GatedLayer.Cell.allCases)
    func shardedGradientsEqualOneShard(cell: GatedLayer.Cell) {
        let (_, _, batch) = Self.problem(inputSize: 3, classes: 3, steps: 6, batch: 7, seed: 2)
        let model = Self.model(cell, inputSize: 3, hidden: 5, classes: 3, seed: 8)
        var outcomes: [[[Double]]] = []
        for shards in [1, 3] {
            var m = model
            var step = GatedTrainingStep<Double>(cell: cell, hidden: 5, inputSize: 3, steps: 6, batchSize: 7, classes: 3, shards: shards)
            var optimizer = OptimizerState<Double>(kind: .sgd, learningRate: 1, parameterCounts: m.parameterArrays.map(\.count))
            _ = step.run(batch, model: &m, optimizer: &optimizer, clip: 0)
            // With SGD at lr 1 and no clipping, θ_before − θ_after is the gradient.
            outcomes.append(zip(model.parameterArrays, m.parameterArrays).map { zip($0, $1).map { $0 - $1 } })
        }
        let exact = model.lossAndGradients(batch).gradients.arrays
        for k in 0..<6 {
            #expect(relativeError(outcomes[0][k], exact[k]) < 1e-12)
            #expect(relativeError(outcomes[1][k], exact[k]) < 1e-12)
        }
    }

    /// PyTorch's default init: every weight and bias in [−1/√H, 1/√H), spread over the range,
    /// determined by the seed.
    @Test func pytorchInitialisation() {
        let h = 16, bound = 1 / Double(h).squareRoot()
        for cell in GatedLayer.Cell.allCases {
            let m = GatedModel<Double>(cell: cell, task: .rowwise, hidden: h, seed: 4)
            #expect(m.inputWeights.rows == cell.gateCount * h && m.inputWeights.cols == 28 && m.readoutWeights.rows == 10)
            for values in m.parameterArrays {
                #expect(values.allSatisfy { abs($0) <= bound })
                #expect(values.map(abs).max()! > 0.8 * bound)
            }
            #expect(m == GatedModel<Double>(cell: cell, task: .rowwise, hidden: h, seed: 4))
            #expect(m != GatedModel<Double>(cell: cell, task: .rowwise, hidden: h, seed: 5))
        }
    }

    /// The memory estimate a gated run is checked against (`TrainingConfig.checkLimits`) covers
    /// the buffers a step really allocates (trace and workspace), and not by much more.
    @Test(arguments: GatedLayer.Cell.allCases)
    func memoryEstimateCoversTheTrace(cell: GatedLayer.Cell) {
        let (h, b, t) = (32, 16, 100)
        let trace = GatedTrace<Float>(cell: cell, hidden: h, batchSize: b, steps: t)
        let workspace = GatedBackwardWorkspace<Float>(cell: cell, hidden: h, batchSize: b, steps: t)
        let buffers = [trace.states, trace.cells, trace.gates, trace.auxiliary, trace.inputPreactivations, trace.recurrentPreactivations,
                       trace.logits, workspace.inputGradients, workspace.recurrentGradients, workspace.stateGradient, workspace.cellGradient]
        let allocated = 4 * Double(buffers.map(\.storage.count).reduce(0, +))
        let estimate = TrainingLimits.gatedTrainingBytes(cell: cell, hidden: h, batch: b, steps: t, inputSize: 1, precision: .f32)
        #expect(estimate >= allocated && estimate <= 2 * allocated, "estimate \(estimate), allocated \(allocated)")
    }

    /// An older checkpoint's config (no `cell` key) decodes as the vanilla cell.
    @Test func configWithoutCellDecodesAsRNN() throws {
        var config = TrainingConfig()
        config.cell = .lstm
        var json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(config)) as? [String: Any])
        #expect(json["cell"] as? String == "lstm")
        #expect(try JSONDecoder().decode(TrainingConfig.self, from: JSONEncoder().encode(config)).cell == .lstm)
        json["cell"] = nil
        let old = try JSONDecoder().decode(TrainingConfig.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(old.cell == .rnn)
    }
}
