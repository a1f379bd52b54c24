import Foundation
import Linalg
import MNIST

/// One optimisation step on a batch, with buffers reused across calls (no allocation per step
/// once the batch size is stable). Top to bottom: forward, loss, backward, clip, update.
/// The trainer and the benchmark both run this.
///
/// With `shards` > 1 (data parallelism, ``DataParallelGradients``) the batch is split into
/// that many contiguous shards whose gradients are computed on worker threads and summed in
/// shard order; the process's BLAS should then run on one thread (`useSingleThreadedBLAS`).
/// One shard is the plain path.
public struct TrainingStep<T: LinalgScalar> {
    var trace: ForwardTrace<T>
    var backward: BackwardWorkspace<T>
    var gradients: RNNGradients<T>
    var logitGradient: Matrix<T>
    let hidden: Int, steps: Int
    /// The shards' workers and buffers (nil: one shard).
    let parallel: DataParallelGradients<T>?
    /// A stacked model's step (nil: the single-layer path above).
    var stacked: StackedTrainingStep<T>?

    /// The step of a stacked model: every batch goes to `step`.
    init(stacked step: StackedTrainingStep<T>) {
        self.init(hidden: 1, inputSize: 1, steps: 1, batchSize: 1)
        stacked = step
    }

    public init(hidden: Int, inputSize: Int, steps: Int, batchSize: Int, classes: Int = 10, shards: Int = 1) {
        precondition(shards >= 1, "at least one shard")
        self.hidden = hidden
        self.steps = steps
        // Data-parallel: the shards have the buffers; these stay at one sample (unused).
        let own = shards > 1 ? 1 : batchSize
        trace = ForwardTrace(hidden: hidden, batchSize: own, steps: steps, classes: classes)
        backward = BackwardWorkspace(hidden: hidden, batchSize: own, steps: steps)
        gradients = RNNGradients(hidden: hidden, inputSize: inputSize, classes: classes)
        logitGradient = Matrix(rows: classes, cols: own)
        parallel = shards > 1 ? DataParallelGradients(shards: shards, hidden: hidden, inputSize: inputSize, steps: steps,
                                                      batchSize: batchSize, classes: classes) : nil
    }

    /// The number of shards a batch is split into.
    public var shards: Int { parallel?.shardSteps.count ?? 1 }

    /// Mean loss and correct count of the batch before the update. A non-finite loss leaves
    /// the model and optimizer untouched. `lossReduction` chooses whether the mean or the sum
    /// of the per-sample losses is differentiated (the reported loss is the mean either way).
    public mutating func run(_ batch: SequenceBatch<T>, model: inout RNNModel<T>, optimizer: inout OptimizerState<T>,
                             clip: Double, lossReduction: LossReduction = .mean) -> (loss: Double, correct: Int) {
        if stacked != nil { return stacked!.run(batch, model: &model, optimizer: &optimizer, clip: clip, lossReduction: lossReduction) }
        let lossScale = lossReduction == .mean ? 1 / Double(batch.batchSize) : 1
        // forward, loss, backward (per shard, summed, when data-parallel)
        let loss: Double, correct: Int
        if let parallel {
            (loss, correct) = parallel.computeGradients(batch, model: model, lossScale: lossScale, into: &gradients)
        } else {
            (loss, correct) = computeGradients(batch, model: model, lossScale: lossScale)
        }
        guard loss.isFinite else { return (loss, correct) }
        // clip
        clipGradientNorm(&gradients, maxNorm: clip, biasMultiplicity: model.biasMode.multiplicity)
        // update
        optimizer.apply(gradients, to: &model)
        return (loss, correct)
    }

    /// Forward, loss and backward of `batch` into `gradients`: the gradient of `lossScale` ×
    /// the summed per-sample losses. Returns the batch's mean loss and correct count (the
    /// gradients are not computed when the loss is not finite).
    mutating func computeGradients(_ batch: SequenceBatch<T>, model: RNNModel<T>, lossScale: Double) -> (loss: Double, correct: Int) {
        if batch.batchSize != trace.batchSize {  // e.g. the last, partial batch of an epoch
            trace = ForwardTrace(hidden: hidden, batchSize: batch.batchSize, steps: steps, classes: model.classes)
            backward = BackwardWorkspace(hidden: hidden, batchSize: batch.batchSize, steps: steps)
            logitGradient = Matrix(rows: model.classes, cols: batch.batchSize)
        }
        // forward
        model.forward(batch, into: &trace)
        // loss
        let (loss, correct) = CrossEntropy.evaluate(trace.logits, labels: batch.labels,
                                                    scale: lossScale, gradient: &logitGradient)
        guard loss.isFinite else { return (loss, correct) }
        // backward
        model.backward(batch, trace: trace, logitGradients: logitGradient, into: &gradients, workspace: &backward)
        return (loss, correct)
    }
}

/// The shuffled order of training indices for `epoch`: depends only on the seed and the
/// epoch, so a resumed run sees exactly the batches an uninterrupted one would.
public func epochOrder(seed: UInt64, epoch: Int, count: Int) -> [Int] {
    var rng = SeededRandom(seed: seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(epoch + 1)))
    return rng.permutation(count)
}

/// Seconds from a monotonic clock.
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
