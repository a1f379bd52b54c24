import Foundation
import Linalg

/// File names inside a run's output folder.
public enum RunFiles {
    public static let model = "model.safetensors"
    public static let checkpoint = "checkpoint.safetensors"
    public static let history = "history.csv"
    /// The model as initialised, before any update (written once by a fresh run).
    public static let initialModel = "initial.safetensors"
    public static let historyHeader = "epoch,batch,step,loss,accuracy,samples_per_second,test_loss,test_accuracy"
}

/// What a checkpoint holds: the weights, the optimizer state, the position and the settings.
public struct Checkpoint<T: LinalgScalar>: Sendable {
    public var config: TrainingConfig
    public var model: RNNModel<T>
    public var optimizer: OptimizerState<T>
    public var position: TrainingPosition
}

/// One training run's output folder, the only reader and writer of its files:
///
/// - `model.safetensors`: the weights (PyTorch names) with the run's settings as metadata;
/// - `checkpoint.safetensors`: weights, optimizer state, position and config, for resuming;
/// - `history.csv`: one row per report (`RunFiles.historyHeader`), appended as training goes;
/// - `initial.safetensors`: the untrained initialisation.
///
/// Every whole-file write is atomic (temporary file, fsync, rename); the history is appended.
public struct RunFolder: Sendable, Equatable {
    public let path: String
    public init(_ path: String) { self.path = path }

    public var modelPath: String { path + "/" + RunFiles.model }
    public var checkpointPath: String { path + "/" + RunFiles.checkpoint }
    public var historyPath: String { path + "/" + RunFiles.history }
    public var initialModelPath: String { path + "/" + RunFiles.initialModel }

    public var hasCheckpoint: Bool { FileManager.default.fileExists(atPath: checkpointPath) }

    /// Makes the folder (and parents) if needed and checks it can be written.
    public func prepare() throws { try ensureWritableDirectory(path) }

    /// Starts a new run's files: an empty history and the initial model (recording the run's
    /// settings, as every model file of the run does — e.g. its held-out images).
    public func start<T>(initialModel: RNNModel<T>, config: TrainingConfig) throws {
        try prepare()
        try writeFileAtomically(historyPath, text: RunFiles.historyHeader + "\n")
        var m = initialModel
        config.record(into: &m.metadata)
        try m.save(to: initialModelPath)
    }

    // MARK: Checkpoint

    /// Metadata only a checkpoint carries (never copied into `model.safetensors`).
    public static let checkpointOnlyKeys = ["training_config", "optimizer_step", "position_epoch", "position_batch"]

    /// Writes the checkpoint (atomic).
    public func writeCheckpoint<T>(_ c: Checkpoint<T>) throws {
        var model = c.model
        for key in Self.checkpointOnlyKeys { model.metadata.extra[key] = nil }
        var file = model.safeTensors()
        for k in 0..<c.optimizer.first.count {
            file.tensors["optimizer.first.\(k)"] = Tensor(c.optimizer.first[k], shape: [c.optimizer.first[k].count])
            if c.optimizer.kind == .adam {
                file.tensors["optimizer.second.\(k)"] = Tensor(c.optimizer.second[k], shape: [c.optimizer.second[k].count])
            }
        }
        file.metadata["training_config"] = String(decoding: try JSONEncoder().encode(c.config), as: UTF8.self)
        file.metadata["optimizer_step"] = String(c.optimizer.step)
        file.metadata["position_epoch"] = String(c.position.epoch)
        file.metadata["position_batch"] = String(c.position.batch)
        try file.write(to: checkpointPath)
    }

    /// The settings stored in the checkpoint (no weights are converted).
    public func readCheckpointConfig() throws -> TrainingConfig {
        try Self.config(of: SafeTensorsFile(contentsOf: checkpointPath), path: checkpointPath)
    }

    /// The whole checkpoint, weights and optimizer state converted to T.
    public func readCheckpoint<T>(as: T.Type = T.self) throws -> Checkpoint<T> {
        let file = try SafeTensorsFile(contentsOf: checkpointPath)
        let config = try Self.config(of: file, path: checkpointPath)
        var model = try RNNModel<T>(file: file, path: checkpointPath)
        for key in Self.checkpointOnlyKeys { model.metadata.extra[key] = nil }
        guard let step = file.metadata["optimizer_step"].flatMap({ Int($0) }),
              let e = file.metadata["position_epoch"].flatMap({ Int($0) }), let b = file.metadata["position_batch"].flatMap({ Int($0) }) else {
            throw FileFormatError(path: checkpointPath, "checkpoint lacks its position (optimizer_step, position_epoch, position_batch)")
        }
        var optimizer = OptimizerState<T>(kind: config.optimizer, learningRate: config.learningRate, momentum: config.momentum, shapesOf: model)
        optimizer.step = step
        func state(_ name: String, count: Int) throws -> [T] {
            guard let t = file.tensors[name], t.count == count else {
                throw FileFormatError(path: checkpointPath, "checkpoint lacks optimizer state \"\(name)\"")
            }
            return t.doubles.map { T($0) }
        }
        for k in 0..<optimizer.first.count {
            optimizer.first[k] = try state("optimizer.first.\(k)", count: optimizer.first[k].count)
            if config.optimizer == .adam { optimizer.second[k] = try state("optimizer.second.\(k)", count: optimizer.second[k].count) }
        }
        return Checkpoint(config: config, model: model, optimizer: optimizer, position: TrainingPosition(epoch: e, batch: b))
    }

    private static func config(of file: SafeTensorsFile, path: String) throws -> TrainingConfig {
        guard let json = file.metadata["training_config"],
              let config = try? JSONDecoder().decode(TrainingConfig.self, from: Data(json.utf8)) else {
            throw FileFormatError(path: path, "not an ftle training checkpoint (no training_config)")
        }
        return config
    }

    // MARK: Model

    /// `model.safetensors`: the weights with the run's settings and progress as metadata (atomic).
    public func writeModel<T>(_ model: RNNModel<T>, config: TrainingConfig, epochsTrained: Double, step: Int) throws {
        var m = model
        m.metadata.epochsTrained = epochsTrained
        config.record(into: &m.metadata)
        m.metadata.extra["step"] = String(step)
        try m.save(to: modelPath)
    }

    // MARK: History

    /// Appends one row to `history.csv`.
    public func appendHistory(_ row: TrainingHistory.Row) throws {
        guard let fh = FileHandle(forWritingAtPath: historyPath) else {
            throw OutputFileError(path: historyPath, reason: "cannot open for appending")
        }
        defer { try? fh.close() }
        do {
            try fh.seekToEnd()
            try fh.write(contentsOf: Data((row.csvLine + "\n").utf8))
        } catch { throw OutputFileError(path: historyPath, reason: "\(error)") }
    }

    /// Keeps the header and the rows with step ≤ `step` (rewritten atomically): what a resume
    /// from a checkpoint at `step` does, so rows a killed run wrote after it disappear.
    public func truncateHistory(toStep step: Int) throws {
        let kept = readHistory().rows.filter { $0.step <= step }
        try writeFileAtomically(historyPath, text: ([RunFiles.historyHeader] + kept.map(\.csvLine)).joined(separator: "\n") + "\n")
    }

    /// The history as it stands (empty when the file is missing or unreadable).
    public func readHistory() -> TrainingHistory {
        TrainingHistory(csv: (try? String(contentsOfFile: historyPath, encoding: .utf8)) ?? "")
    }
}

extension Tensor {
    /// A 1-D or shaped tensor in T's own dtype (F32 or F64).
    public init<T: LinalgScalar>(_ values: [T], shape: [Int]) {
        switch T.precision {
        case .f64: self.init(float64: values.map { Double($0) }, shape: shape)
        case .f32: self.init(float32: values.map { Float($0) }, shape: shape)
        }
    }
}
