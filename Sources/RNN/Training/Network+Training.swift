import Foundation
import Linalg
import MNIST

/// A `Network` of any cells as the one training loop (`ModelTrainer`) sees it, in Float64:
/// the slow, clear path that trains every cell, including one defined outside ftle's sources,
/// through nothing but the cell's `step` and `adjoint` (`Network.crossEntropyGradient`, one
/// sequence at a time). The built-in cells' batched steps (`TrainingStep`, `GatedTrainingStep`)
/// are the fast paths; the tests hold each to this one on the same batch.
///
/// The optimizer's parameter arrays are `namedParameters` in order, each in PyTorch's layout
/// (row-major), so a checkpoint's `optimizer.first.k` is block k of that list — another order
/// than `RNNModel`'s, which is why each reads only checkpoints of its own `format`.
extension Network: TrainableModel {
    public typealias Scalar = Double

    /// H of the first layer.
    public var hidden: Int { layers[0].hidden }

    /// `cellName`, or the nonlinearity of a ReLU vanilla network (as `RNNModel`'s).
    public var cellLabel: String {
        if let elman = layers[0] as? Elman, elman.nonlinearity != .tanh { return elman.nonlinearity.rawValue }
        return cellName
    }

    /// What the built-in trainers say of a network run's checkpoint (its optimizer slots are
    /// in `namedParameters` order, not theirs).
    static let foreignCheckpoint = "a network run's checkpoint (\(fileFormat), written by a program training a Network): "
        + "its optimizer state is in another order than ftle train's"

    public var trainedParameterArrays: [[Double]] { namedParameters.map(\.values) }

    /// o_T of every sequence of the batch (C × B), one sequence at a time from the zero state.
    public func evaluationLogits(_ batch: SequenceBatch<Double>) -> Matrix<Double> {
        var out = Matrix<Double>(rows: classes, cols: batch.batchSize)
        for n in 0..<batch.batchSize {
            let o = finalLogits(sequence: batch.sequence(n), steps: batch.steps)
            for i in 0..<classes { out[i, n] = o[i] }
        }
        return out
    }

    public func makeTrainingStep(steps: Int, batchSize: Int, shards: Int) -> NetworkTrainingStep {
        NetworkTrainingStep(shards: shards)
    }

    /// A network trains in Float64 (its cells' precision), and a cell outside ftle's own only
    /// when registered (`RegisteredCells`): its checkpoints must read back.
    public static func unsupportedSetting(in config: TrainingConfig) -> String? {
        if config.precision != .f64 { return "a network of any cell trains in f64, not \(config.precision.rawValue)" }
        if config.cell.notBuiltIn != nil && RegisteredCells.loader(config.cell.rawValue) == nil {
            return "cell \(quotedForMessage(config.cell.rawValue)) is not registered (RegisteredCells.register), so its checkpoints could not be read"
        }
        return nil
    }

    /// The network of the checkpoint's weights (`Network.read` of its tensors but the
    /// optimizer's `optimizer.*`), whose cell, H, layers and
    /// task (for a sequence-set run: I and C) must be the config's.
    public static func checkpointModel(in file: SafeTensorsFile, path: String, config: TrainingConfig) throws -> Network {
        func fail(_ s: String) -> FileFormatError { FileFormatError(path: path, s) }
        // Another model kind's checkpoint holds its optimizer slots in its own order and layout.
        guard file.metadata["format"] == Network.fileFormat else {
            throw fail("the weights are \(file.metadata["format"].map { "format \(quotedForMessage($0))" } ?? "of no stated format"), "
                       + "not a network run's (\(Network.fileFormat)): resume it with the trainer that wrote it")
        }
        var weights = file   // a checkpoint: its optimizer state is the trainer's to read
        weights.tensors = weights.tensors.filter { !$0.key.hasPrefix("optimizer.") }
        var network = try Network.read(weights, path: path)
        guard config.cell.rawValue == network.cellName else {
            throw fail("training_config says cell \(config.cell.rawValue) but the weights are a \(network.cellName) network")
        }
        guard config.hidden == network.hidden, config.layers == network.layers.count else {
            throw fail("training_config says hidden \(config.hidden), layers \(config.layers) but the weights have "
                       + "H = \(network.hidden), \(network.layers.count) layers")
        }
        if let data = config.sequenceData {
            network.imageTask = nil   // a model of array sequences, whatever its shapes suggest
            guard network.inputSize == data.inputSize, network.classes == data.classes else {
                throw fail("training_config says I = \(data.inputSize), C = \(data.classes) but the weights have "
                           + "I = \(network.inputSize), C = \(network.classes)")
            }
        } else if config.task != network.imageTask?.kind {
            throw fail("training_config says task \(config.task.rawValue) but the weights are "
                       + (network.imageTask.map { "a \($0.name) model" } ?? "a model of array sequences (no task)"))
        }
        return network
    }
}

/// One optimisation step of a `Network` on a batch: forward and backward of each sequence by
/// the adjoint through the cells (`Network.crossEntropyGradient`), the gradients summed over
/// the batch in `DataParallelGradients.sum`'s shards and order, the loss's mean or sum, clip
/// (`clipGradientNorm`, over every block), update, and the parameters written back into the
/// cells (`replacingParameters`).
public struct NetworkTrainingStep: ModelTrainingStep {
    public typealias Model = Network

    /// A shard's summed gradients (a class, so each worker writes its own).
    final class Shard: @unchecked Sendable { var gradients: [[Double]] = [] }
    let shards: [Shard]
    let pool: WorkerPool

    public init(shards: Int = 1) {
        precondition(shards >= 1, "at least one shard")
        self.shards = (0..<shards).map { _ in Shard() }
        pool = WorkerPool(workers: shards)
    }

    public mutating func run(_ batch: SequenceBatch<Double>, model: inout Network, optimizer: inout OptimizerState<Double>,
                             clip: Double, lossReduction: LossReduction) -> (loss: Double, correct: Int) {
        let lossScale = lossReduction == .mean ? 1 / Double(batch.batchSize) : 1
        let shards = self.shards, network = model
        let r = DataParallelGradients<Double>.sum(batch, shards: shards.count, pool: pool) { k, shard in
            let (gradients, loss, correct) = network.batchGradient(shard, lossScale: lossScale)
            shards[k].gradients = gradients
            return (loss, correct)
        } gradients: { k in shards[k].gradients }
        guard var g = r.gradients else { return (r.loss, r.correct) }
        clipGradientNorm(arrays: &g, maxNorm: clip)
        var parameters = model.trainedParameterArrays
        optimizer.apply(gradientArrays: g, to: &parameters)
        model.setTrainedParameterArrays(parameters)
        return (r.loss, r.correct)
    }
}

extension Network {
    /// `lossScale` × Σ over the batch of ∂ℓ_n/∂θ, one array per block of `namedParameters`,
    /// with the batch's mean loss and correct count (`CrossEntropy.predictedClass` of o_T). A
    /// non-finite loss returns at once (the gradients are then incomplete and unused).
    public func batchGradient(_ batch: SequenceBatch<Double>, lossScale: Double) -> (gradients: [[Double]], loss: Double, correct: Int) {
        let names = namedParameters.map(\.name)
        var total = namedParameters.map { [Double](repeating: 0, count: $0.values.count) }
        var lossSum = 0.0, correct = 0
        for n in 0..<batch.batchSize {
            let label = batch.labels[n]
            let g = crossEntropyGradient(sequence: batch.sequence(n), steps: batch.steps, label: label)
            lossSum += g.loss
            guard lossSum.isFinite else { return (total, lossSum, correct) }
            if CrossEntropy.predictedClass(g.finalLogits) == label { correct += 1 }
            for (b, name) in names.enumerated() { axpy(lossScale, g.parameters[name]!, &total[b]) }
        }
        return (total, lossSum / Double(batch.batchSize), correct)
    }

    /// Replaces the parameters from arrays in `trainedParameterArrays` order (same sizes).
    mutating func setTrainedParameterArrays(_ arrays: [[Double]]) {
        let blocks = zip(namedParameters, arrays).map { ParameterBlock(name: $0.name, shape: $0.shape, values: $1) }
        do { self = try replacingParameters(blocks) } catch {
            preconditionFailure("a network's own parameter names and shapes: \(error)")
        }
    }
}

extension SequenceBatch {
    /// Sample n's sequence, T×I values step-major (x_1 first).
    func sequence(_ n: Int) -> [T] {
        var x = [T]()
        x.reserveCapacity(steps * inputSize)
        for t in 0..<steps { x += input(step: t, sample: n) }
        return x
    }
}
