import Foundation
import Linalg
import MNIST

/// One optimisation step of a `GatedModel` on a batch, with buffers reused across calls:
/// forward, loss, backward, clip, update (as `TrainingStep` for the vanilla cell).
///
/// With `shards` > 1 the batch is split into that many contiguous shards (sizes differ by at
/// most one, the larger first, as `DataParallelGradients`), whose gradients are computed on
/// the workers of a `WorkerPool` and summed in shard order, g = ((g₀ + g₁) + g₂) + …: a run is
/// deterministic for a given shard count. Each shard's loss is scaled by the whole batch's
/// `lossScale`, so the sum is the batch's gradient. BLAS should then run on one thread.
public struct GatedTrainingStep<T: LinalgScalar> {
    /// A shard's buffers (a class, so each worker mutates its own in place).
    final class Shard: @unchecked Sendable {
        let cell: GatedLayer.Cell, hidden: Int, steps: Int, classes: Int
        var trace: GatedTrace<T>
        var workspace: GatedBackwardWorkspace<T>
        var gradients: GatedGradients<T>
        var logitGradient: Matrix<T>

        init(cell: GatedLayer.Cell, hidden: Int, inputSize: Int, steps: Int, batchSize: Int, classes: Int) {
            self.cell = cell; self.hidden = hidden; self.steps = steps; self.classes = classes
            trace = GatedTrace(cell: cell, hidden: hidden, batchSize: batchSize, steps: steps, classes: classes)
            workspace = GatedBackwardWorkspace(cell: cell, hidden: hidden, batchSize: batchSize, steps: steps)
            gradients = GatedGradients(cell: cell, hidden: hidden, inputSize: inputSize, classes: classes)
            logitGradient = Matrix(rows: classes, cols: batchSize)
        }

        /// Forward, loss and backward of `batch` into `gradients` (not computed when the loss is
        /// not finite); the batch's mean loss and correct count.
        func compute(_ batch: SequenceBatch<T>, model: GatedModel<T>, lossScale: Double) -> (loss: Double, correct: Int) {
            let b = batch.batchSize
            if b != trace.batchSize {  // e.g. the last, partial batch of an epoch
                trace = GatedTrace(cell: cell, hidden: hidden, batchSize: b, steps: steps, classes: classes)
                workspace = GatedBackwardWorkspace(cell: cell, hidden: hidden, batchSize: b, steps: steps)
                logitGradient = Matrix(rows: classes, cols: b)
            }
            model.forward(batch, into: &trace)
            let (loss, correct) = CrossEntropy.evaluate(trace.logits, labels: batch.labels, scale: lossScale, gradient: &logitGradient)
            guard loss.isFinite else { return (loss, correct) }
            model.backward(batch, trace: trace, logitGradient: logitGradient, into: &gradients, workspace: &workspace)
            return (loss, correct)
        }
    }

    let shards: [Shard]
    let pool: WorkerPool
    var gradients: GatedGradients<T>
    /// A stacked model's step (nil: the one-layer path above).
    var stacked: GatedStackedTrainingStep<T>?

    /// The step of a stacked model: every batch goes to `step`.
    init(stacked step: GatedStackedTrainingStep<T>, cell: GatedLayer.Cell) {
        self.init(cell: cell, hidden: 1, inputSize: 1, steps: 1, batchSize: 1)
        stacked = step
    }

    public init(cell: GatedLayer.Cell, hidden: Int, inputSize: Int, steps: Int, batchSize: Int, classes: Int = 10, shards: Int = 1) {
        precondition(shards >= 1, "at least one shard")
        let sizes = DataParallelGradients<T>.shardSizes(batchSize: batchSize, shards: shards)
        self.shards = sizes.map { Shard(cell: cell, hidden: hidden, inputSize: inputSize, steps: steps, batchSize: max($0, 1), classes: classes) }
        pool = WorkerPool(workers: shards)
        gradients = GatedGradients(cell: cell, hidden: hidden, inputSize: inputSize, classes: classes)
    }

    /// Mean loss and correct count of the batch before the update. A non-finite loss leaves
    /// the model and optimizer untouched. `lossReduction` picks the mean or the sum of the
    /// per-sample losses to differentiate (the reported loss is the mean either way).
    public mutating func run(_ batch: SequenceBatch<T>, model: inout GatedModel<T>, optimizer: inout OptimizerState<T>,
                             clip: Double, lossReduction: LossReduction = .mean) -> (loss: Double, correct: Int) {
        if stacked != nil { return stacked!.run(batch, model: &model, optimizer: &optimizer, clip: clip, lossReduction: lossReduction) }
        let lossScale = lossReduction == .mean ? 1 / Double(batch.batchSize) : 1
        let (loss, correct) = computeGradients(batch, model: model, lossScale: lossScale)
        guard loss.isFinite else { return (loss, correct) }
        var g = gradients.arrays
        clipGradientNorm(arrays: &g, maxNorm: clip)
        var parameters = model.parameterArrays
        optimizer.apply(gradientArrays: g, to: &parameters)
        model.setParameterArrays(parameters)
        return (loss, correct)
    }

    /// The whole batch's gradient of `lossScale` × the summed losses into `gradients`.
    mutating func computeGradients(_ batch: SequenceBatch<T>, model: GatedModel<T>, lossScale: Double) -> (loss: Double, correct: Int) {
        let shards = self.shards
        let r = DataParallelGradients<T>.sum(batch, shards: shards.count, pool: pool) { k, shard in
            shards[k].compute(shard, model: model, lossScale: lossScale)
        } gradients: { k in shards[k].gradients.arrays }
        if let g = r.gradients { gradients.arrays = g }
        return (r.loss, r.correct)
    }
}

extension GatedTrainingStep: ModelTrainingStep {
    public typealias Model = GatedModel<T>
}

/// The GRU/LSTM as the generic trainer sees it: `GatedTrainingStep` steps it.
extension GatedModel: TrainableModel {
    public typealias Scalar = T

    public func evaluationLogits(_ batch: SequenceBatch<T>) -> Matrix<T> { finalLogits(batch) }
    public var cellLabel: String { cell.entry.name }

    /// One layer: `GatedTrainingStep`'s data-parallel path; stacked: `GatedStackedTrainingStep`.
    public func makeTrainingStep(steps: Int, batchSize: Int, shards: Int) -> GatedTrainingStep<T> {
        guard upperLayers.isEmpty else { return GatedTrainingStep(stacked: GatedStackedTrainingStep(), cell: cell) }
        return GatedTrainingStep<T>(cell: cell, hidden: hidden, inputSize: inputSize, steps: steps, batchSize: batchSize, classes: classes,
                             shards: shards)
    }

    /// Gated runs use PyTorch's default initialisation and both biases (bias_ih and bias_hh,
    /// trained as separate parameters); other settings are refused, in one line.
    public static func unsupportedSetting(in config: TrainingConfig) -> String? {
        if let problem = config.cell.notBuiltIn { return problem }
        guard let cell = config.cell.gated else { return "a gated trainer needs --cell gru or lstm, not \(config.cell.rawValue)" }
        let name = "--cell \(cell.rawValue)"
        if config.bias != .pair { return "\(name) trains both biases (bias_ih and bias_hh, as PyTorch); --bias \(config.bias.rawValue) applies to --cell rnn only" }
        if config.initialization != .pytorch { return "\(name) uses PyTorch's default initialisation; --init \(config.initialization.rawValue) applies to --cell rnn only" }
        return nil
    }

    /// The weights (`GatedModel(file:path:)`), whose cell, H and task must be the config's.
    public static func checkpointModel(in file: SafeTensorsFile, path: String, config: TrainingConfig) throws -> GatedModel {
        func fail(_ s: String) -> FileFormatError { FileFormatError(path: path, s) }
        if file.metadata["format"] == Network.fileFormat { throw fail(Network.foreignCheckpoint) }
        let model = try GatedModel(file: file, path: path)
        guard config.cell.gated == model.cell else {
            throw fail("training_config says cell \(config.cell.rawValue) but the weights are a \(model.cell.rawValue.uppercased())'s")
        }
        guard config.hidden == model.hidden else { throw fail("training_config says hidden \(config.hidden) but the weights have H = \(model.hidden)") }
        guard config.layers == model.layerCount else {
            throw fail("training_config says layers \(config.layers) but the weights have \(model.layerCount)")
        }
        if let record = config.sequenceData {
            guard model.imageTask == nil, model.inputSize == record.inputSize, model.classes == record.classes else {
                throw fail("training_config records sequences of I = \(record.inputSize) and C = \(record.classes) but the weights take I = \(model.inputSize) with C = \(model.classes)")
            }
        } else {
            guard let task = model.imageTask, config.task == task.kind else {
                throw fail("training_config says task \(config.task.rawValue) but the weights are \(model.imageTask.map { "a \($0.name)" } ?? "not an MNIST") model")
            }
        }
        return model
    }
}
