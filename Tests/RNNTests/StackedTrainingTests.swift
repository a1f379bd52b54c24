import Foundation
import Linalg
import RNN
import Testing
import TestSupport

/// Stacked vanilla training (`--layers L`): BPTT through the stack against central finite
/// differences in Float64, the layer-by-layer step against the single-layer fast path, and
/// bit-identical resume of sequence-set runs (one layer data-parallel, and stacked).
@Suite struct StackedTrainingTests {
    /// I = 3, H = 5, C = 4, PyTorch's init (seeded), both biases.
    static func model(layers: Int, _ phi: Nonlinearity = .tanh, bias: BiasMode = .pair) -> RNNModel<Double> {
        RNNModel<Double>(inputSize: 3, hidden: 5, classes: 4, initialization: .pytorch, seed: 7, biasMode: bias, nonlinearity: phi, layers: layers)
    }

    /// B = 3 sequences of T = 4 standard-normal steps, labels 0, 3, 1.
    static func batch(steps: Int = 4) -> SequenceBatch<Double> {
        var rng = SeededRandom(seed: 11)
        let sequences = (0..<3).map { _ in (0..<(steps * 3)).map { _ in rng.nextNormal() } }
        return SequenceBatch(sequences: sequences, labels: [0, 3, 1], steps: steps, inputSize: 3)
    }

    /// Mean cross-entropy of o_T over the batch: the function the gradients are of.
    static func loss(_ m: RNNModel<Double>, _ b: SequenceBatch<Double>) -> Double {
        CrossEntropy.evaluate(m.forward(b).logits, labels: b.labels).loss
    }

    /// Every gradient array of an L = 2 stack (U¹, V¹, b¹, W, c, U², V², b²) against central
    /// differences (ε = 1e-6) of the mean loss: relative error below 1e-6 for tanh and ReLU.
    @Test(arguments: [Nonlinearity.tanh, .relu])
    func stackedGradientsMatchCentralDifferences(_ phi: Nonlinearity) {
        let m = Self.model(layers: 2, phi), b = Self.batch()
        let trace = m.forward(b)
        var gO = Matrix<Double>(rows: m.classes, cols: b.batchSize)
        _ = CrossEntropy.evaluate(trace.logits, labels: b.labels, scale: 1 / Double(b.batchSize), gradient: &gO)
        let g = m.stackedBackward(b, trace: trace, logitGradient: gO).arrays
        let p = m.trainedParameterArrays
        #expect(g.count == 8 && zip(g, p).allSatisfy { $0.count == $1.count })
        for k in p.indices {
            let fd = centralDifference({ x in
                var q = p; q[k] = x
                var n = m; n.setTrainedParameterArrays(q)
                return Self.loss(n, b)
            }, at: p[k])
            let err = relativeError(g[k], fd)
            print("stacked L=2 \(phi.rawValue): array \(k) relative error \(err)")
            #expect(err < 1e-6, "array \(k): relative error \(err)")
        }
    }

    /// On one layer the stacked backward gives the fast path's gradients (to 1e-12), and five
    /// Adam steps of the stacked step (clipping active) the fast step's weights.
    @Test(arguments: [BiasMode.pair, .none])
    func oneLayerAgreesWithTheFastPath(_ bias: BiasMode) {
        let m = Self.model(layers: 1, bias: bias), b = Self.batch(steps: 6)
        let (_, _, fast) = m.lossAndGradients(b)
        let trace = m.forward(b)
        var gO = Matrix<Double>(rows: m.classes, cols: b.batchSize)
        _ = CrossEntropy.evaluate(trace.logits, labels: b.labels, scale: 1 / Double(b.batchSize), gradient: &gO)
        let clear = m.stackedBackward(b, trace: trace, logitGradient: gO).arrays
        for k in 0..<5 { #expect(relativeError(clear[k], fast.arrays[k]) < 1e-12, "array \(k)") }

        var a = m, s = m
        var optA = a.makeOptimizer(TrainingConfig()), optS = s.makeOptimizer(TrainingConfig())
        var fastStep = TrainingStep<Double>(hidden: 5, inputSize: 3, steps: 6, batchSize: 3, classes: 4)
        var clearStep = StackedTrainingStep<Double>(model: s, steps: 6, batchSize: 3)
        for _ in 0..<5 {
            let ra = fastStep.run(b, model: &a, optimizer: &optA, clip: 0.05, lossReduction: .mean)
            let rs = clearStep.run(b, model: &s, optimizer: &optS, clip: 0.05, lossReduction: .mean)
            #expect(abs(ra.loss - rs.loss) < 1e-12)
        }
        let err = relativeError(a.trainedParameterArrays.flatMap { $0 }, s.trainedParameterArrays.flatMap { $0 })
        #expect(err < 1e-12, "weights after 5 steps differ by \(err)")
        #expect(a.trainedParameterArrays != m.trainedParameterArrays)
        if bias == .none { #expect(s.b.allSatisfy { $0 == 0 }) }
    }

    /// 120 sequences (T = 5, I = 3) labelled by the input with the largest sum.
    static func ruleSet(count: Int = 120, seed: UInt64 = 2) -> SequenceSet {
        let (values, labels) = largestSumSequences(count: count, seed: seed)
        return SequenceSet(count: count, steps: 5, inputSize: 3, values: values, labels: labels)
    }

    /// A sequence-set run of 4 epochs straight, and the same run stopped mid-epoch 2 (at the
    /// 10th stop check: 7 batches and the end-of-epoch check of epoch 1, then 2 batches, with a
    /// checkpoint every 3 batches) and resumed, end with identical weights and optimizer state:
    /// one layer on 2 data-parallel shards, and a stack of 2 layers.
    @Test(arguments: [(1, 2), (2, 1)])
    func sequenceSetRunResumesBitForBit(_ layers: Int, _ threads: Int) throws {
        let all = Self.ruleSet(), train = all.subset(Array(0..<100)), test = all.subset(Array(100..<120))
        var config = TrainingConfig()
        config.hidden = 6; config.epochs = 4; config.batchSize = 16; config.learningRate = 0.01; config.seed = 3
        config.layers = layers; config.threads = threads; config.checkpointEvery = 3; config.logEvery = 2
        config.sequenceData = SequenceDataRecord(inputs: "x.npy", labels: "y.npy", testInputs: nil, testLabels: nil, count: 100, steps: 5,
                                                 inputSize: 3, classes: 3, nonlinearity: .tanh)
        let straight = makeTemporaryDirectory("seq-straight"), split = makeTemporaryDirectory("seq-split")
        let a = try SequenceSetTrainer<Float>(config: config, train: train, test: test, classes: 3, nonlinearity: .tanh, outputDirectory: straight)
        #expect(try a.run() == .finished)
        var batches = 0
        let b = try SequenceSetTrainer<Float>(config: config, train: train, test: test, classes: 3, nonlinearity: .tanh, outputDirectory: split)
        #expect(try b.run(shouldStop: { batches += 1; return batches == 10 }) == .interrupted(step: 9))
        let c = try SequenceSetTrainer<Float>(resumingIn: split, epochs: nil, logEvery: nil, checkpointEvery: nil, train: train, test: test)
        #expect(c.position == TrainingPosition(epoch: 1, batch: 2))
        #expect(try c.run() == .finished)
        #expect(a.model.layerCount == layers && a.model.imageTask == nil)
        #expect(a.model.trainedParameterArrays == c.model.trainedParameterArrays)
        #expect(a.optimizer == c.optimizer && a.optimizer.step == 28)
        #expect(a.model.metadata.testAccuracy == c.model.metadata.testAccuracy)
        let saved = try RNNModel<Float>.load(from: split + "/model.safetensors")
        #expect(saved.trainedParameterArrays == c.model.trainedParameterArrays && saved.layerCount == layers)
        #expect(try String(contentsOfFile: straight + "/history.csv", encoding: .utf8).split(separator: "\n").count
                == (try String(contentsOfFile: split + "/history.csv", encoding: .utf8)).split(separator: "\n").count)
    }

    /// A stack of 2 layers (H = 16) learns the rule: test accuracy far above chance (1/3).
    @Test func stackLearnsASimpleRule() throws {
        let all = Self.ruleSet(count: 300), train = all.subset(Array(0..<270)), test = all.subset(Array(270..<300))
        var config = TrainingConfig()
        config.hidden = 16; config.epochs = 10; config.batchSize = 16; config.learningRate = 0.01; config.seed = 1
        config.layers = 2; config.threads = 1
        config.sequenceData = SequenceDataRecord(inputs: "x.npy", labels: "y.npy", testInputs: nil, testLabels: nil, count: 270, steps: 5,
                                                 inputSize: 3, classes: 3, nonlinearity: .tanh)
        let t = try SequenceSetTrainer<Float>(config: config, train: train, test: test, classes: 3, nonlinearity: .tanh,
                                              outputDirectory: makeTemporaryDirectory("seq-stack"))
        #expect(try t.run() == .finished)
        let accuracy = t.model.metadata.testAccuracy ?? 0
        #expect(accuracy >= 0.7, "test accuracy \(accuracy)")
        #expect(accuracy == evaluate(t.model, on: test).accuracy)
    }
}
