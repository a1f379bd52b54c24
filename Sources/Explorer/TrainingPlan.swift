import Linalg
import Foundation
import MNIST
import RNN

/// How background training of the loaded model starts.
///
/// Any MNIST model trains: vanilla (tanh or ReLU, any bias, stacked), GRU and LSTM (stacked or
/// not, with both biases, as `ftle train --cell` trains them); the checkpoint says which.
///
/// If the loaded model sits next to a `checkpoint.safetensors` (it is a run's
/// `model.safetensors`), that checkpoint and its history are copied into the new folder and
/// resumed there — to the epochs it planned if it stopped short of them, else for one more
/// epoch — so training continues the loaded weights and optimizer state exactly. Otherwise (a bare model file, e.g. one exported from PyTorch) a new run
/// starts *from the loaded weights* with a fresh optimizer state, the loaded model's task, H
/// and seed, and the hyper-parameters the file records (`lr`, `optimizer`, `batch_size`,
/// `clip`, `momentum`, as ftle writes them), else the defaults (Adam, lr 1e-3, batch 64, clip 1); 5 epochs.
/// (A trained model fine-tuned at a larger rate than it was trained with can lose in a few
/// batches what it learned: the bundled permuted model, trained at 1e-4, fell to chance at 1e-3.)
/// A folder that already holds the explorer's own checkpoint (after a pause) is resumed to the
/// epochs it planned, however often it was paused.
///
/// A folder that holds some other run (its model, checkpoint or best model — with or without a
/// checkpoint) is refused, as `ftle train` refuses it, unless `explore --resume` (continue the
/// checkpoint there) or `explore --force` (replace the run) asked otherwise. The refusal is made
/// by ``TrainingWorker`` under the folder's lock, before anything is written.
public struct TrainingPlan: Sendable, Equatable {
    /// What to do with a run already in the output folder that this explorer did not start.
    public enum ExistingRun: Sendable, Equatable {
        /// Refuse it (the default, as `ftle train` without `--resume`/`--force`).
        case refuse
        /// Continue its checkpoint (`explore --resume`; also the explorer's own paused run).
        case resume
        /// Replace it (`explore --force`).
        case replace
    }

    public enum Source: Sendable, Equatable {
        case fresh(TrainingConfig)
        /// A new run from these weights (the model the explorer has loaded, of any cell).
        case fromWeights(TrainingConfig, weights: Network)
        /// Copy this run's checkpoint and history, then resume.
        case continueRun(checkpoint: String)
        /// Resume the checkpoint already in the output folder.
        case resume
        /// Resume the checkpoint in the output folder for this many epochs beyond those it
        /// has done (after it finished): the same data order and optimizer state as one
        /// longer run.
        case extend(moreEpochs: Int)

        /// The config of a new run (nil: the run continues a checkpoint, whose config, cell,
        /// precision and position it takes).
        public var newRunConfig: TrainingConfig? {
            switch self {
            case let .fresh(config), let .fromWeights(config, _): return config
            case .continueRun, .resume, .extend: return nil
            }
        }

        /// Whether the run continues a checkpoint rather than starting a new one.
        public var isResume: Bool { newRunConfig == nil }
    }

    public var source: Source
    public var outputDirectory: String
    public var dataDirectory: String
    /// Whether a fresh or copied run may replace a run already in `outputDirectory`.
    public var replacingExistingRun: Bool

    public init(source: Source, outputDirectory: String, dataDirectory: String, replacingExistingRun: Bool = false) {
        self.source = source
        self.outputDirectory = outputDirectory
        self.dataDirectory = dataDirectory
        self.replacingExistingRun = replacingExistingRun
    }

    /// The plan for training `model` loaded from `modelPath` into `outputDirectory`; `existingRun`
    /// says what becomes of a run already there (`.resume` for the explorer's own paused run).
    public static func forModel(_ model: Network, modelPath: String, outputDirectory: String,
                                dataDirectory: String, existingRun: ExistingRun = .refuse) -> TrainingPlan {
        let fileManager = FileManager.default
        if existingRun == .resume, fileManager.fileExists(atPath: outputDirectory + "/" + RunFiles.checkpoint) {
            return TrainingPlan(source: .resume, outputDirectory: outputDirectory, dataDirectory: dataDirectory)
        }
        let replacing = existingRun == .replace
        let sibling = URL(fileURLWithPath: modelPath).deletingLastPathComponent()
            .appendingPathComponent(RunFiles.checkpoint).path
        if URL(fileURLWithPath: modelPath).lastPathComponent == RunFiles.model, fileManager.fileExists(atPath: sibling) {
            return TrainingPlan(source: .continueRun(checkpoint: sibling), outputDirectory: outputDirectory,
                                dataDirectory: dataDirectory, replacingExistingRun: replacing)
        }
        var config = TrainingConfig()
        // The trainer takes the layers, biases and standardization from the weights themselves.
        config.task = model.imageTask?.kind ?? config.task
        config.hidden = model.layerSizes[0]
        config.cell = model.cellKind
        config.layers = model.layerSizes.count
        // A gated run starts from PyTorch's initialisation (its only one); the weights replace it anyway.
        config.initialization = model.cellKind == .rnn ? Initialization(rawValue: model.metadata.initialization) ?? .pytorch : .pytorch
        config.seed = model.metadata.seed
        config.flushSubnormals = true   // as `ftle train`: a model that records false keeps it
        config.adoptRecordedSettings(from: model.metadata)
        config.logEvery = 10
        config.checkpointEvery = 100
        return TrainingPlan(source: .fromWeights(config, weights: model), outputDirectory: outputDirectory,
                            dataDirectory: dataDirectory, replacingExistingRun: replacing)
    }

    /// The epochs to continue the run of `checkpoint` to: nil (its planned epochs) while it
    /// has not done them, else one more than it has done. Throws for a file that is not an
    /// ftle checkpoint.
    public static func resumedEpochs(checkpoint: String) throws -> Int? {
        let position = try checkpointEpochs(checkpoint)
        return position.done < position.planned ? nil : position.done + 1
    }

    /// The planned epochs recorded in `checkpoint` and the epochs it has done.
    public static func checkpointEpochs(_ checkpoint: String) throws -> (planned: Int, done: Int) {
        let file = try SafeTensorsFile(contentsOf: checkpoint)
        guard let json = file.metadata["training_config"],
              let config = try? JSONDecoder().decode(TrainingConfig.self, from: Data(json.utf8)),
              let epoch = file.metadata["position_epoch"].flatMap({ Int($0) }) else {
            throw FileFormatError(path: checkpoint, "not an ftle training checkpoint (no training_config or position)")
        }
        return (config.epochs, epoch)
    }
}
