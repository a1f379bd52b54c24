import Foundation
import Linalg
import MNIST

/// The vanilla cell as the generic trainer sees it: `TrainingStep` steps it.
extension RNNModel: TrainableModel {
    public typealias Scalar = T

    public func evaluationLogits(_ batch: SequenceBatch<T>) -> Matrix<T> { finalLogits(batch) }

    /// One layer: the fast `TrainingStep` (data-parallel over `shards`). Stacked: the clear
    /// layer-by-layer `StackedTrainingStep` (one shard; BLAS's own threads).
    public func makeTrainingStep(steps: Int, batchSize: Int, shards: Int) -> TrainingStep<T> {
        guard upperLayers.isEmpty else { return TrainingStep(stacked: StackedTrainingStep(model: self, steps: steps, batchSize: batchSize)) }
        return TrainingStep<T>(hidden: hidden, inputSize: inputSize, steps: steps, batchSize: batchSize, classes: classes, shards: shards)
    }

    /// U¹, V¹, b¹, W, c (`parameterArrays`), then U_k, V_k, b_k of layers k = 2…L: one layer's
    /// order is the single-layer model's, so its checkpoints are unchanged.
    public var trainedParameterArrays: [[T]] { parameterArrays + upperLayers.flatMap { [$0.u.storage, $0.v.storage, $0.b] } }

    /// Replaces the parameters from arrays in `trainedParameterArrays` order (same sizes).
    public mutating func setTrainedParameterArrays(_ p: [[T]]) {
        precondition(p.count == 5 + 3 * upperLayers.count && zip(p, trainedParameterArrays).allSatisfy { $0.count == $1.count },
                     "parameter sizes")
        setParameterArrays(Array(p[0..<5]))
        for l in upperLayers.indices {
            upperLayers[l].u.storage = p[5 + 3 * l]; upperLayers[l].v.storage = p[6 + 3 * l]; upperLayers[l].b = p[7 + 3 * l]
        }
    }

    public var cellLabel: String { nonlinearity == .tanh ? CellRegistry.elman.name : nonlinearity.rawValue }

    public static func unsupportedSetting(in config: TrainingConfig) -> String? {
        config.cell.notBuiltIn ?? (config.cell == .rnn ? nil : "a \(config.cell.rawValue) run trains a GatedModel, not an RNNModel")
    }

    /// The weights (`RNNModel(file:path:)`), whose H, layers, biases and task (for a
    /// sequence-set run: I, C and φ) must be the config's.
    public static func checkpointModel(in file: SafeTensorsFile, path: String, config: TrainingConfig) throws -> RNNModel {
        func fail(_ s: String) -> FileFormatError { FileFormatError(path: path, s) }
        if file.metadata["format"] == Network.fileFormat { throw fail(Network.foreignCheckpoint) }
        var model = try RNNModel(file: file, path: path)
        guard config.hidden == model.hidden else {
            throw fail("training_config says hidden \(config.hidden) but the weights have H = \(model.hidden)")
        }
        if let data = config.sequenceData {
            // A model of array sequences has no task (one whose shapes look like MNIST's may
            // have been given one on reading).
            model.imageTask = nil
            guard model.inputSize == data.inputSize, model.classes == data.classes, model.nonlinearity == data.nonlinearity else {
                throw fail("training_config says I = \(data.inputSize), C = \(data.classes), \(data.nonlinearity.rawValue) but the weights "
                           + "have I = \(model.inputSize), C = \(model.classes), \(model.nonlinearity.rawValue)")
            }
        } else if config.task != model.imageTask?.kind {
            throw fail("training_config says task \(config.task.rawValue) but the weights are "
                       + (model.imageTask.map { "a \($0.name) model" } ?? "a model of array sequences (no task)"))
        }
        guard config.bias == model.biasMode else {
            throw fail("training_config says bias \(config.bias.rawValue) but the weights have bias \(model.biasMode.rawValue)")
        }
        guard config.layers == model.layerCount else {
            throw fail("training_config says layers \(config.layers) but the weights have \(model.layerCount)")
        }
        return model
    }
}

extension TrainingStep: ModelTrainingStep {
    public typealias Model = RNNModel<T>
}
