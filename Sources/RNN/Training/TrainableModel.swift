import Foundation
import Linalg
import MNIST

/// A model the one training loop (`ModelTrainer`) trains: `RNNModel` (the vanilla cell, one
/// layer or stacked) and `GatedModel` (GRU/LSTM). The loop needs of it its parameters (for the
/// optimizer state), its file form (model and checkpoint files), its logits (evaluation) and
/// its training step (forward, loss, backward, clip, update of one batch).
public protocol TrainableModel: Sendable {
    associatedtype Scalar: LinalgScalar
    associatedtype Step: ModelTrainingStep where Step.Model == Self

    var metadata: ModelMetadata { get set }
    /// How an MNIST image becomes a sequence (nil: a model of array sequences).
    var imageTask: SequenceTask? { get }
    var inputStandardization: InputStandardization? { get }
    /// H of the first layer.
    var hidden: Int { get }
    /// I.
    var inputSize: Int { get }
    /// C.
    var classes: Int { get }
    /// The cell as a run's banner names it: "rnn" (the tanh vanilla cell), "relu" (the ReLU
    /// one), "gru", "lstm", or a network's `cellName`.
    var cellLabel: String { get }
    /// The parameters the optimizer steps, one flat array each (matrices column-major), in the
    /// order of the optimizer's state slots and of a checkpoint's `optimizer.first.k`.
    var trainedParameterArrays: [[Scalar]] { get }
    /// The model as safetensors (PyTorch names, metadata).
    func safeTensors() -> SafeTensorsFile
    /// o_T of every sequence of `batch`, C × B.
    func evaluationLogits(_ batch: SequenceBatch<Scalar>) -> Matrix<Scalar>
    /// A step with buffers for batches of up to `batchSize` sequences of `steps` steps, split
    /// into `shards` data-parallel shards.
    func makeTrainingStep(steps: Int, batchSize: Int, shards: Int) -> Step
    /// Why a run of `config` cannot train this kind of model, in one line (nil: it can).
    static func unsupportedSetting(in config: TrainingConfig) -> String?
    /// The model a checkpoint holds, checked against the checkpoint's `config` (its cell, H,
    /// task and biases those of the weights): each failure one line naming `path` and the field.
    static func checkpointModel(in file: SafeTensorsFile, path: String, config: TrainingConfig) throws -> Self
}

/// One optimisation step of a `TrainableModel` on a batch: forward, loss, backward, clip,
/// update. Returns the batch's mean loss and correct count before the update; a non-finite
/// loss leaves the model and optimizer untouched.
public protocol ModelTrainingStep {
    associatedtype Model: TrainableModel
    mutating func run(_ batch: SequenceBatch<Model.Scalar>, model: inout Model, optimizer: inout OptimizerState<Model.Scalar>,
                      clip: Double, lossReduction: LossReduction) -> (loss: Double, correct: Int)
}

extension TrainableModel {
    /// Fresh optimizer state for `trainedParameterArrays` with `config`'s rule and rates.
    public func makeOptimizer(_ config: TrainingConfig) -> OptimizerState<Scalar> {
        OptimizerState(kind: config.optimizer, learningRate: config.learningRate, momentum: config.momentum,
                       parameterCounts: trainedParameterArrays.map(\.count))
    }

    /// Writes the model atomically.
    public func save(to path: String) throws { try safeTensors().write(to: path) }
}

/// Labelled sequences a run trains and evaluates on: MNIST images (shown as the model's task
/// presents them) or a `SequenceSet` held in memory.
public protocol TrainingData: Sendable {
    /// N, the number of labelled sequences.
    var count: Int { get }
    /// Sequences `indices` as a batch, as `model` reads them.
    func batch<Model: TrainableModel>(_ indices: [Int], for model: Model) -> SequenceBatch<Model.Scalar>
}

extension MNISTDataset: TrainingData {
    /// Images `indices` under the model's task and input standardization (the model must have
    /// a task: the trainer of MNIST runs makes sure).
    public func batch<Model: TrainableModel>(_ indices: [Int], for model: Model) -> SequenceBatch<Model.Scalar> {
        guard let task = model.imageTask else { preconditionFailure("an MNIST run's model has a task") }
        return SequenceBatch(self, indices: indices, task: task, standardization: model.inputStandardization)
    }
}

extension SequenceSet: TrainingData {
    public func batch<Model: TrainableModel>(_ indices: [Int], for model: Model) -> SequenceBatch<Model.Scalar> {
        batch(indices, as: Model.Scalar.self)
    }
}

/// Mean cross-entropy of o_T and accuracy of `model` on the first `limit` sequences of `data`
/// (all when nil), in batches of `batchSize`. The batches run on `threads` workers (a
/// `WorkerPool`) and are summed in batch order, so the result does not depend on `threads`
/// (given the same BLAS thread count). Any model, any data: the one evaluation of training.
public func evaluate<Model: TrainableModel, Data: TrainingData>(_ model: Model, on data: Data, limit: Int? = nil, batchSize: Int = 500,
                                                                 threads: Int = 1) -> (loss: Double, accuracy: Double) {
    let n = min(limit ?? data.count, data.count)
    var totalLoss = 0.0, correct = 0
    let batches = (n + batchSize - 1) / batchSize
    WorkerPool(workers: threads).orderedMap(count: batches, { k in
        let idx = Array((k * batchSize)..<min((k + 1) * batchSize, n))
        let batch = data.batch(idx, for: model)
        let r = CrossEntropy.evaluate(model.evaluationLogits(batch), labels: batch.labels)
        return (loss: r.loss, correct: r.correct, count: idx.count)
    }, consume: { _, r in
        totalLoss += r.loss * Double(r.count)
        correct += r.correct
    })
    return (totalLoss / Double(max(n, 1)), Double(correct) / Double(max(n, 1)))
}
