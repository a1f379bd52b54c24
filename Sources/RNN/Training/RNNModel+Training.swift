import Foundation
import Linalg
import MNIST

/// The vanilla cell as the generic trainer sees it: `TrainingStep` steps it.
extension RNNModel: TrainableModel {
    public typealias Scalar = T

    public func evaluationLogits(_ batch: SequenceBatch<T>) -> Matrix<T> { finalLogits(batch) }

    public func makeTrainingStep(steps: Int, batchSize: Int, shards: Int) -> TrainingStep<T> {
        TrainingStep<T>(hidden: hidden, inputSize: inputSize, steps: steps, batchSize: batchSize, classes: classes, shards: shards)
    }

    public static func unsupportedSetting(in config: TrainingConfig) -> String? {
        config.cell == .rnn ? nil : "a \(config.cell.rawValue) run trains a GatedModel, not an RNNModel"
    }

    /// The weights (`RNNModel(file:path:)`), whose H, task and biases must be the config's.
    public static func checkpointModel(in file: SafeTensorsFile, path: String, config: TrainingConfig) throws -> RNNModel {
        func fail(_ s: String) -> FileFormatError { FileFormatError(path: path, s) }
        let model = try RNNModel(file: file, path: path)
        guard config.hidden == model.hidden else {
            throw fail("training_config says hidden \(config.hidden) but the weights have H = \(model.hidden)")
        }
        guard config.task == model.task.kind else {
            throw fail("training_config says task \(config.task.rawValue) but the weights are a \(model.task.name) model")
        }
        guard config.bias == model.biasMode else {
            throw fail("training_config says bias \(config.bias.rawValue) but the weights have bias \(model.biasMode.rawValue)")
        }
        return model
    }
}

extension TrainingStep: ModelTrainingStep {
    public typealias Model = RNNModel<T>
}
