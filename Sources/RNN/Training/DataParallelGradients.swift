import Linalg

/// Data-parallel gradients of one batch: the batch is split into `shards` contiguous shards
/// (sizes differ by at most one, the larger ones first), each shard's forward, loss and
/// backward run on a worker of a `WorkerPool` in buffers of its own, and the shard gradients
/// are summed in shard order, g = ((g₀ + g₁) + g₂) + …, whichever shard finishes first. So a
/// run is deterministic for a given shard count; different counts round differently (the
/// batch's sums are split), which is why a run records its count and a resume keeps it.
///
/// Each shard's loss is scaled by the whole batch's `lossScale` (1/B for the mean), so the
/// sum is the whole batch's gradient. The process's BLAS should run on one thread
/// (`useSingleThreadedBLAS`): the workers are the parallelism.
final class DataParallelGradients<T: LinalgScalar>: @unchecked Sendable {
    let pool: WorkerPool
    /// One workspace per shard; worker k touches only `shardSteps[k]` while a batch runs.
    let shardSteps: [ShardStep]

    /// A shard's buffers (a class, so that each worker mutates its own in place).
    final class ShardStep: @unchecked Sendable {
        var step: TrainingStep<T>
        init(_ step: TrainingStep<T>) { self.step = step }
    }

    init(shards: Int, hidden: Int, inputSize: Int, steps: Int, batchSize: Int, classes: Int) {
        pool = WorkerPool(workers: shards)
        let sizes = Self.shardSizes(batchSize: batchSize, shards: shards)
        shardSteps = (0..<shards).map { k in
            ShardStep(TrainingStep(hidden: hidden, inputSize: inputSize, steps: steps, batchSize: max(sizes[k], 1), classes: classes))
        }
    }

    /// Sizes of the shards of a batch of B: B/N each, the first B mod N one more.
    static func shardSizes(batchSize b: Int, shards n: Int) -> [Int] {
        (0..<n).map { b / n + ($0 < b % n ? 1 : 0) }
    }

    /// The whole batch's gradient into `total`, and its mean loss and correct count (the loss
    /// is not finite when any shard's is; `total` is then left as it was).
    func computeGradients(_ batch: SequenceBatch<T>, model: RNNModel<T>, lossScale: Double,
                   into total: inout RNNGradients<T>) -> (loss: Double, correct: Int) {
        let r = Self.sum(batch, shards: shardSteps.count, pool: pool) { k, shard in
            self.shardSteps[k].step.computeGradients(shard, model: model, lossScale: lossScale)
        } gradients: { k in self.shardSteps[k].step.gradients.arrays }
        if let g = r.gradients {
            total.u.storage = g[0]; total.v.storage = g[1]; total.b = g[2]; total.w.storage = g[3]; total.c = g[4]
        }
        return (r.loss, r.correct)
    }

    /// The one data-parallel split, for every model's batch step: `batch` in contiguous shards
    /// (`shardSizes`, empty ones dropped; one shard is the batch itself), `compute(k, shard)`
    /// of each on `pool`'s workers, and the shards' gradients (`gradients(k)`, one flat array
    /// per parameter) summed in shard order. Returns the batch's mean loss, its correct count
    /// and the summed gradients (nil when a shard's loss is not finite).
    static func sum(_ batch: SequenceBatch<T>, shards: Int, pool: WorkerPool,
                    compute: @escaping @Sendable (Int, SequenceBatch<T>) -> (loss: Double, correct: Int),
                    gradients: (Int) -> [[T]]) -> (loss: Double, correct: Int, gradients: [[T]]?) {
        let sizes = shardSizes(batchSize: batch.batchSize, shards: shards).filter { $0 > 0 }
        if sizes.count == 1 {
            let r = compute(0, batch)
            return (r.loss, r.correct, r.loss.isFinite ? gradients(0) : nil)
        }
        var lossSum = 0.0, correct = 0, total: [[T]] = []
        pool.orderedMap(count: sizes.count, { k in
            let lo = sizes[..<k].reduce(0, +)
            return compute(k, batch.samples(lo..<(lo + sizes[k])))
        }, consume: { k, r in
            lossSum += r.loss * Double(sizes[k])
            correct += r.correct
            guard lossSum.isFinite else { return }
            let g = gradients(k)
            if k == 0 { total = g } else { for p in total.indices { axpy(1, g[p], &total[p]) } }
        })
        return (lossSum / Double(batch.batchSize), correct, lossSum.isFinite ? total : nil)
    }
}

extension SequenceBatch {
    /// Samples `range` of the batch as a batch of their own (same steps and layout: block t
    /// holds x_{t+1} of each of the range's samples). Specialised: unspecialised, its copies went
    /// element by element through witness tables (3–7 % of a data-parallel step at H = 64).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func samples(_ range: Range<Int>) -> SequenceBatch {
        precondition(range.lowerBound >= 0 && range.upperBound <= batchSize, "sample range out of bounds")
        let b = batchSize, n = range.count, i = inputSize
        var x = Matrix<T>(rows: i, cols: n * steps)
        inputs.storage.withUnsafeBufferPointer { src in
            x.storage.withUnsafeMutableBufferPointer { dst in
                for t in 0..<steps {
                    (dst.baseAddress! + t * n * i).update(from: src.baseAddress! + (t * b + range.lowerBound) * i, count: n * i)
                }
            }
        }
        return SequenceBatch(inputs: x, labels: Array(labels[range]), steps: steps)
    }
}
