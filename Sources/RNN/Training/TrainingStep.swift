import Foundation
import Linalg
import MNIST

/// One optimisation step on a batch, with buffers reused across calls (no allocation per step
/// once the batch size is stable). Top to bottom: forward, loss, backward, clip, update.
/// The trainer and the benchmark both run this.
public struct TrainingStep<T: LinalgScalar> {
    var trace: ForwardTrace<T>
    var backward: BackwardWorkspace<T>
    var gradients: RNNGradients<T>
    var logitGradient: Matrix<T>
    let hidden: Int, steps: Int

    public init(hidden: Int, inputSize: Int, steps: Int, batchSize: Int, classes: Int = 10) {
        self.hidden = hidden
        self.steps = steps
        trace = ForwardTrace(hidden: hidden, batchSize: batchSize, steps: steps, classes: classes)
        backward = BackwardWorkspace(hidden: hidden, batchSize: batchSize, steps: steps)
        gradients = RNNGradients(hidden: hidden, inputSize: inputSize, classes: classes)
        logitGradient = Matrix(rows: classes, cols: batchSize)
    }

    /// Mean loss and correct count of the batch before the update. A non-finite loss leaves
    /// the model and optimizer untouched. `lossReduction` chooses whether the mean or the sum
    /// of the per-sample losses is differentiated (the reported loss is the mean either way).
    public mutating func run(_ batch: SequenceBatch<T>, model: inout RNNModel<T>, optimizer: inout OptimizerState<T>,
                             clip: Double, lossReduction: LossReduction = .mean) -> (loss: Double, correct: Int) {
        if batch.batchSize != trace.batchSize {  // e.g. the last, partial batch of an epoch
            trace = ForwardTrace(hidden: hidden, batchSize: batch.batchSize, steps: steps, classes: model.classes)
            backward = BackwardWorkspace(hidden: hidden, batchSize: batch.batchSize, steps: steps)
            logitGradient = Matrix(rows: model.classes, cols: batch.batchSize)
        }
        // forward
        model.forward(batch, into: &trace)
        // loss
        let lossScale = lossReduction == .mean ? 1 / Double(batch.batchSize) : 1
        let (loss, correct) = CrossEntropy.evaluate(trace.logits, labels: batch.labels,
                                                    scale: lossScale, gradient: &logitGradient)
        guard loss.isFinite else { return (loss, correct) }
        // backward
        model.backward(batch, trace: trace, logitGradients: logitGradient, into: &gradients, workspace: &backward)
        // clip
        clipGradientNorm(&gradients, maxNorm: clip, biasMultiplicity: model.biasMode.multiplicity)
        // update
        optimizer.apply(gradients, to: &model)
        return (loss, correct)
    }
}

/// The shuffled order of training indices for `epoch`: depends only on the seed and the
/// epoch, so a resumed run sees exactly the batches an uninterrupted one would.
public func epochOrder(seed: UInt64, epoch: Int, count: Int) -> [Int] {
    var rng = SeededRandom(seed: seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(epoch + 1)))
    return rng.permutation(count)
}

/// Mean cross-entropy and accuracy of `model` on the first `limit` images of `data` (each
/// shown as the model's task and input standardization present it).
public func evaluate<T>(_ model: RNNModel<T>, on data: MNISTDataset, limit: Int? = nil, batchSize: Int = 500) -> (loss: Double, accuracy: Double) {
    let n = min(limit ?? data.count, data.count)
    var totalLoss = 0.0, correct = 0
    var start = 0
    while start < n {
        let idx = Array(start..<min(start + batchSize, n))
        let batch = SequenceBatch<T>(data, indices: idx, task: model.task, standardization: model.inputStandardization)
        let r = CrossEntropy.evaluate(model.finalLogits(batch), labels: batch.labels)
        totalLoss += r.loss * Double(idx.count)
        correct += r.correct
        start += batchSize
    }
    return (totalLoss / Double(max(n, 1)), Double(correct) / Double(max(n, 1)))
}

/// Seconds from a monotonic clock.
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
