import Foundation
import Linalg
import MNIST
import RNN
import Testing
import TestSupport

/// Data-parallel training (`ftle train --threads N`): shards' gradients summed in shard order.
@Suite(.serialized) struct DataParallelTests {
    func batch<T: LinalgScalar>(_ indices: [Int], as: T.Type = T.self) -> SequenceBatch<T> {
        SequenceBatch<T>(bundledTrain, indices: indices, task: .rowwise)
    }

    /// `samples(range)` is the batch made from those images alone.
    @Test func sampleRangeIsTheBatchOfThoseImages() {
        let whole: SequenceBatch<Float> = batch(Array(10..<17))
        let part = whole.samples(2..<5)
        let direct: SequenceBatch<Float> = batch([12, 13, 14])
        #expect(part.inputs == direct.inputs && part.labels == direct.labels && part.steps == 28)
    }

    /// One shard is today's step: forward, mean loss, BPTT, clip, Adam — done here by hand from
    /// `lossAndGradients`, `clipGradientNorm` and `OptimizerState.apply` — bit for bit.
    @Test func oneShardIsThePlainStep() {
        let data: SequenceBatch<Float> = batch(Array(0..<20))
        var a = RNNModel<Float>(task: .rowwise, hidden: 16, initialization: .pytorch, seed: 1), b = a
        var optA = OptimizerState<Float>(kind: .adam, learningRate: 1e-3, shapesOf: a), optB = optA
        var step = TrainingStep<Float>(hidden: 16, inputSize: 28, steps: 28, batchSize: 20, shards: 1)
        #expect(step.shards == 1)
        for _ in 0..<3 {
            let r = step.run(data, model: &a, optimizer: &optA, clip: 0.5)
            var (loss, correct, g) = b.lossAndGradients(data)
            clipGradientNorm(&g, maxNorm: 0.5, biasMultiplicity: b.biasMode.multiplicity)
            optB.apply(g, to: &b)
            #expect(r.loss == loss && r.correct == correct)
        }
        #expect(a.u == b.u && a.v == b.v && a.b == b.b && a.w == b.w && a.c == b.c)
    }

    /// In Float64 the summed shard gradients equal the whole batch's gradient to 1e-13
    /// (relative; only the order of the sums over samples differs), for 2, 3 and 5 shards of a
    /// batch of 13 (uneven shards); loss and correct count agree likewise.
    @Test(arguments: [2, 3, 5])
    func shardSumIsTheBatchGradient(shards: Int) {
        let data: SequenceBatch<Double> = batch(Array(30..<43))
        let model = RNNModel<Double>(task: .rowwise, hidden: 10, initialization: .pytorch, seed: 4)
        let (loss, correct, g) = model.lossAndGradients(data)
        // lr 0 leaves the model; clip 0 leaves the gradient: read it back through a one-step run
        // of SGD with lr 1 on a copy (θ − g), which is exact enough at 1e-13 relative.
        var sharded = model
        var sgd = OptimizerState<Double>(kind: .sgd, learningRate: 1, shapesOf: model)
        var step = TrainingStep<Double>(hidden: 10, inputSize: 28, steps: 28, batchSize: 13, shards: shards)
        let r = step.run(data, model: &sharded, optimizer: &sgd, clip: 0)
        #expect(abs(r.loss - loss) <= 1e-14 * abs(loss) && r.correct == correct)
        func recovered(_ before: Matrix<Double>, _ after: Matrix<Double>) -> Matrix<Double> {
            Matrix(rows: before.rows, cols: before.cols, columnMajor: zip(before.storage, after.storage).map { $0 - $1 })
        }
        #expect(relativeError(recovered(model.v, sharded.v), g.v) < 1e-13)
        #expect(relativeError(recovered(model.u, sharded.u), g.u) < 1e-13)
        #expect(relativeError(recovered(model.w, sharded.w), g.w) < 1e-13)
        #expect(relativeError(zip(model.b, sharded.b).map { $0 - $1 }, g.b.map { 2 * $0 }) < 1e-13)  // b takes db twice (the pair)
    }

    func config(threads: Int) -> TrainingConfig {
        var c = TrainingConfig()
        c.task = .rowwise; c.hidden = 12; c.epochs = 2; c.batchSize = 32
        c.trainLimit = 200; c.testLimit = 100; c.seed = 3; c.logEvery = 3; c.threads = threads
        return c
    }

    func weights(_ dir: String) throws -> RNNModel<Float> { try RNNModel<Float>.load(from: dir + "/" + RunFiles.model) }

    /// The same N twice gives identical weights; a run interrupted mid-epoch and resumed (the
    /// checkpoint records N) continues bit for bit; N = 2 and N = 1 differ only by rounding.
    @Test func sameShardCountTwiceAndResumedGiveIdenticalWeights() throws {
        let a = makeTemporaryDirectory("ftle-dp-a"), b = makeTemporaryDirectory("ftle-dp-b")
        let c = makeTemporaryDirectory("ftle-dp-c"), one = makeTemporaryDirectory("ftle-dp-one")
        #expect(try Trainer<Float>(config: config(threads: 2), train: bundledTrain, test: nil, outputDirectory: a).run() == .finished)
        #expect(try Trainer<Float>(config: config(threads: 2), train: bundledTrain, test: nil, outputDirectory: b).run() == .finished)
        let ma = try weights(a), mb = try weights(b)
        #expect(ma.u == mb.u && ma.v == mb.v && ma.b == mb.b && ma.w == mb.w && ma.c == mb.c)

        var calls = 0
        let interrupted = try Trainer<Float>(config: config(threads: 2), train: bundledTrain, test: nil, outputDirectory: c)
        #expect(try interrupted.run(shouldStop: { calls += 1; return calls == 4 }) == .interrupted(step: 4))
        #expect(try RunFolder(c).readCheckpointConfig().threads == 2)
        let resumed = try Trainer<Float>(resumingIn: c, epochs: nil, logEvery: nil, checkpointEvery: nil, train: bundledTrain, test: nil)
        #expect(resumed.config.threads == 2)
        #expect(try resumed.run() == .finished)
        let mc = try weights(c)
        #expect(ma.u == mc.u && ma.v == mc.v && ma.b == mc.b && ma.w == mc.w && ma.c == mc.c)

        #expect(try Trainer<Float>(config: config(threads: 1), train: bundledTrain, test: nil, outputDirectory: one).run() == .finished)
        let m1 = try weights(one)
        #expect(m1.v != ma.v)
        let drift = zip(m1.v.storage, ma.v.storage).map { abs(Double($0) - Double($1)) }.max()!
        #expect(drift < 1e-3, "N = 1 and N = 2 differ by rounding only (max |ΔV| = \(drift))")
    }

    /// A checkpoint written before `threads` existed (its stored config has no such key) means
    /// one shard; an explicit count on resume replaces the stored one.
    @Test func olderCheckpointsMeanOneShard() throws {
        var json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(config(threads: 3))) as? [String: Any])
        #expect(json["threads"] as? Int == 3)
        json["threads"] = nil
        let decoded = try JSONDecoder().decode(TrainingConfig.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(decoded.threads == 1)
        var c = config(threads: 1); c.threads = 0
        #expect(throws: TrainingError.self) { try c.validate() }
    }
}
