import Foundation
import Linalg
import MNIST
import RNN
import Testing
import TestSupport

/// Stacked GRU/LSTM training (`--cell gru|lstm --layers L`): BPTT through the stack against
/// central differences of the loss of the independent Float64 analysis path (`GatedNetwork`),
/// the stacked step on one layer against the one-layer step, and bit-identical resume.
@Suite(.serialized) struct GatedStackedTrainingTests {
    /// I = 3, H = 4, C = 3, PyTorch's init (seeded), L layers, Float64.
    static func model(_ cell: GatedLayer.Cell, layers: Int) -> GatedModel<Double> {
        GatedModel<Double>(cell: cell, inputSize: 3, hidden: 4, classes: 3, seed: 5, layers: layers)
    }

    /// B = 3 sequences of T = 4 standard-normal steps (step-major), labels 2, 0, 1.
    static let sequences: [[Double]] = {
        var rng = SeededRandom(seed: 13)
        return (0..<3).map { _ in (0..<12).map { _ in rng.nextNormal() } }
    }()
    static let labels = [2, 0, 1]
    static var batch: SequenceBatch<Double> { SequenceBatch(sequences: sequences, labels: labels, steps: 4, inputSize: 3) }

    /// Mean cross-entropy of o_T computed sequence by sequence by `GatedNetwork` (Float64).
    static func referenceLoss(_ m: GatedModel<Double>) -> Double {
        let net = m.network
        return zip(sequences, labels).map { x, y in CrossEntropy.loss(net.finalLogits(sequence: x, steps: 4), label: y) }
            .reduce(0, +) / Double(labels.count)
    }

    /// Every gradient array of a 2-layer GRU and LSTM (layer 1's four, fc.weight, fc.bias, layer
    /// 2's four) against central differences (ε = 1e-6) of `GatedNetwork`'s loss: relative error
    /// below 1e-6; the stacked forward's logits are `GatedNetwork`'s to 1e-12.
    @Test(arguments: [GatedLayer.Cell.gru, .lstm])
    func stackedGradientsMatchCentralDifferences(_ cell: GatedLayer.Cell) {
        let m = Self.model(cell, layers: 2), b = Self.batch
        let forward = m.stackedForward(b)
        let logits = forward.traces.last!.logits, net = m.network
        for n in 0..<3 {
            #expect(relativeError(logits.column(n), net.finalLogits(sequence: Self.sequences[n], steps: 4)) < 1e-12)
        }
        var gO = Matrix<Double>(rows: 3, cols: 3)
        let (loss, _) = CrossEntropy.evaluate(logits, labels: b.labels, scale: 1.0 / 3, gradient: &gO)
        #expect(abs(loss - Self.referenceLoss(m)) < 1e-12)
        let g = m.stackedGradients(forward, logitGradient: gO), p = m.trainedParameterArrays
        #expect(g.count == 10 && zip(g, p).allSatisfy { $0.count == $1.count })
        for k in p.indices {
            let fd = centralDifference({ x in
                var q = p; q[k] = x
                var n = m; n.setTrainedParameterArrays(q)
                return Self.referenceLoss(n)
            }, at: p[k])
            let err = relativeError(g[k], fd)
            print("stacked \(cell.rawValue) L=2: array \(k) relative error \(err)")
            #expect(err < 1e-6, "array \(k): relative error \(err)")
        }
    }

    /// On one layer the stacked step gives the one-layer step's weights after 4 Adam steps
    /// with clipping active (to 1e-12).
    @Test(arguments: [GatedLayer.Cell.gru, .lstm])
    func oneLayerAgreesWithTheOneLayerStep(_ cell: GatedLayer.Cell) {
        let m = Self.model(cell, layers: 1), b = Self.batch
        var a = m, s = m
        var optA = a.makeOptimizer(TrainingConfig()), optS = s.makeOptimizer(TrainingConfig())
        var one = GatedTrainingStep<Double>(cell: cell, hidden: 4, inputSize: 3, steps: 4, batchSize: 3, classes: 3)
        var stacked = GatedStackedTrainingStep<Double>()
        for _ in 0..<4 {
            let ra = one.run(b, model: &a, optimizer: &optA, clip: 0.05, lossReduction: .mean)
            let rs = stacked.run(b, model: &s, optimizer: &optS, clip: 0.05, lossReduction: .mean)
            #expect(abs(ra.loss - rs.loss) < 1e-12)
        }
        let err = relativeError(a.trainedParameterArrays.flatMap { $0 }, s.trainedParameterArrays.flatMap { $0 })
        #expect(err < 1e-12, "weights differ by \(err)")
        #expect(a.trainedParameterArrays != m.trainedParameterArrays)
    }

    /// A 2-layer GRU and LSTM MNIST run stopped after 3 batches and resumed ends with the
    /// weights and optimizer state of a straight run; the model file holds layer 2 and loads back.
    @Test(arguments: [CellKind.gru, .lstm])
    func stackedRunResumesBitForBit(_ cell: CellKind) throws {
        var c = TrainingConfig()
        c.cell = cell; c.layers = 2; c.threads = 1
        c.task = .rowwise; c.hidden = 6; c.epochs = 2; c.batchSize = 32; c.trainLimit = 128; c.testLimit = 50; c.seed = 4
        let straight = makeTemporaryDirectory("gated-stack-straight"), split = makeTemporaryDirectory("gated-stack-split")
        let a = try GatedTrainer<Float>(config: c, train: bundledTrain, test: bundledTest, outputDirectory: straight)
        #expect(try a.run() == .finished)
        var batches = 0
        let b = try GatedTrainer<Float>(config: c, train: bundledTrain, test: bundledTest, outputDirectory: split)
        #expect(try b.run(shouldStop: { batches += 1; return batches == 3 }) == .interrupted(step: 3))
        let r = try GatedTrainer<Float>(resumingIn: split, epochs: nil, logEvery: nil, checkpointEvery: nil, train: bundledTrain, test: bundledTest)
        #expect(try r.run() == .finished)
        #expect(a.model.layerCount == 2 && a.model.trainedParameterArrays == r.model.trainedParameterArrays && a.optimizer == r.optimizer)
        let saved = try GatedModel<Float>.load(from: split + "/model.safetensors")
        #expect(saved.layerCount == 2 && saved.trainedParameterArrays == r.model.trainedParameterArrays)
        #expect(try SafeTensorsFile(contentsOf: split + "/model.safetensors").tensors["rnn.weight_hh_l1"]?.shape == [cell == .gru ? 18 : 24, 6])
    }
}
