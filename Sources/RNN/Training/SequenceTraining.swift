import Foundation
import Linalg

/// In-memory training of a single-layer classifier of any I and C on a `SequenceSet`, with no
/// run folder (`ftle train --inputs X.npy --labels Y.npy` runs `SequenceSetTrainer`, the
/// generic trainer with checkpoints and resume, instead): the same `TrainingStep` (forward, cross-entropy of o_T,
/// BPTT, clip, Adam/SGD/RMSprop update) and data order (`epochOrder`) as the MNIST trainer,
/// over sequences held in memory. Hyperparameters come from a `TrainingConfig` (hidden, epochs,
/// batch size, learning rate, optimizer, momentum, initialisation, gains, clip, seed, bias,
/// loss reduction); its MNIST-only fields are not read. No checkpoints: the caller saves the
/// returned model.
public struct SequenceTraining<T: LinalgScalar> {
    public let config: TrainingConfig
    public let train: SequenceSet
    public let test: SequenceSet?
    public private(set) var model: RNNModel<T>
    var optimizer: OptimizerState<T>

    /// One line per epoch: mean training loss and accuracy over the epoch's batches, and the
    /// test loss and accuracy after it (nil without a test set).
    public struct EpochResult: Sendable {
        public var epoch: Int
        public var trainLoss: Double, trainAccuracy: Double
        public var testLoss: Double?, testAccuracy: Double?
    }

    /// A fresh model of `train.inputSize` inputs and `classes` classes (≥ every label).
    public init(config: TrainingConfig, train: SequenceSet, test: SequenceSet?, classes: Int, nonlinearity: Nonlinearity) {
        precondition(classes >= 1 && train.count >= 1)
        self.config = config
        self.train = train
        self.test = test
        model = RNNModel<T>(inputSize: train.inputSize, hidden: config.hidden, classes: classes, initialization: config.initialization,
                            seed: config.seed, gains: config.gains, biasMode: config.bias, nonlinearity: nonlinearity)
        optimizer = OptimizerState(kind: config.optimizer, learningRate: config.learningRate, momentum: config.momentum, shapesOf: model)
    }

    /// Runs every epoch; stops early (returning what is done) when `shouldStop()` turns true
    /// after a batch. Throws `TrainingError.nonFiniteLoss` on a NaN/Inf loss.
    public mutating func run(shouldStop: () -> Bool = { false }, onEpoch: (EpochResult) -> Void = { _ in }) throws {
        let previousMode = SubnormalMode.isFlushing
        try SubnormalMode.set(flushing: config.flushSubnormals)
        defer { try? SubnormalMode.set(flushing: previousMode) }
        let bsz = config.batchSize
        var stepper = TrainingStep<T>(hidden: config.hidden, inputSize: train.inputSize, steps: train.steps, batchSize: bsz,
                                      classes: model.classes)
        let batches = (train.count + bsz - 1) / bsz
        for epoch in 0..<config.epochs {
            let order = epochOrder(seed: config.seed, epoch: epoch, count: train.count)
            var loss = 0.0, correct = 0
            for b in 0..<batches {
                let batch: SequenceBatch<T> = train.batch(Array(order[(b * bsz)..<min((b + 1) * bsz, train.count)]))
                let r = stepper.run(batch, model: &model, optimizer: &optimizer, clip: config.clip, lossReduction: config.lossReduction)
                guard r.loss.isFinite else {
                    throw TrainingError.nonFiniteLoss(epoch: epoch, batch: b, step: optimizer.step + 1, checkpointKept: false)
                }
                loss += r.loss * Double(batch.batchSize); correct += r.correct
                if shouldStop() { return }
            }
            model.metadata.epochsTrained = Double(epoch + 1)
            var result = EpochResult(epoch: epoch, trainLoss: loss / Double(train.count), trainAccuracy: Double(correct) / Double(train.count))
            if let test {
                let r = evaluate(model, on: test)
                result.testLoss = r.loss; result.testAccuracy = r.accuracy
                model.metadata.testAccuracy = r.accuracy
            }
            onEpoch(result)
        }
    }
}
