import Foundation
import Linalg
import MNIST

/// File names inside a run's output folder.
public enum RunFiles {
    public static let model = "model.safetensors"
    public static let checkpoint = "checkpoint.safetensors"
    public static let history = "history.csv"
    /// The model as initialised, before any update (written once by a fresh run).
    public static let initialModel = "initial.safetensors"
    /// The epoch-end model with the highest test accuracy so far.
    public static let bestModel = "best.safetensors"
    /// Every file a run writes (what replacing a run removes).
    public static let all = [model, checkpoint, history, initialModel, bestModel]
    public static let historyHeader = "epoch,batch,step,loss,accuracy,samples_per_second,test_loss,test_accuracy"
    /// The header of a run whose rows carry λ_1…λ_K (a flossing run): `lambda1…lambdaK` appended.
    public static func historyHeader(lambdaColumns k: Int) -> String {
        historyHeader + (0..<k).map { ",lambda\($0 + 1)" }.joined()
    }
}

/// What a checkpoint holds: the weights, the optimizer state, the position and the settings.
public struct TrainingCheckpoint<Model: TrainableModel>: Sendable {
    public var config: TrainingConfig
    public var model: Model
    public var optimizer: OptimizerState<Model.Scalar>
    public var position: TrainingPosition
    /// The progress row being accumulated when the checkpoint was written (empty in checkpoints
    /// written before issue 30).
    public var logWindow = LogWindow()
}

/// A vanilla-cell run's checkpoint.
public typealias Checkpoint<T: LinalgScalar> = TrainingCheckpoint<RNNModel<T>>
/// A GRU/LSTM run's checkpoint.
public typealias GatedCheckpoint<T: LinalgScalar> = TrainingCheckpoint<GatedModel<T>>

/// One training run's output folder, the only reader and writer of its files:
///
/// - `model.safetensors`: the weights (PyTorch names) with the run's settings as metadata;
/// - `checkpoint.safetensors`: weights, optimizer state, position and config, for resuming;
/// - `history.csv`: one row per report (`RunFiles.historyHeader`), appended as training goes;
/// - `initial.safetensors`: the untrained initialisation;
/// - `best.safetensors`: the epoch-end model whose test accuracy beats every earlier epoch's in
///   `history.csv` (written at such an epoch end; absent until one comes).
///
/// Every whole-file write is atomic (temporary file, fsync, rename); the history is appended.
public struct RunFolder: Sendable, Equatable {
    public let path: String
    public init(_ path: String) { self.path = path }

    public var modelPath: String { path + "/" + RunFiles.model }
    public var checkpointPath: String { path + "/" + RunFiles.checkpoint }
    public var historyPath: String { path + "/" + RunFiles.history }
    public var initialModelPath: String { path + "/" + RunFiles.initialModel }
    public var bestModelPath: String { path + "/" + RunFiles.bestModel }

    public var hasCheckpoint: Bool { FileManager.default.fileExists(atPath: checkpointPath) }

    /// Makes the folder (and parents) if needed and checks it can be written.
    public func prepare() throws { try ensureWritableDirectory(path) }

    /// Starts a new run's files: an empty history and the initial model (recording the run's
    /// settings, as every model file of the run does — e.g. its held-out images).
    public func start<Model: TrainableModel>(initialModel: Model, config: TrainingConfig) throws {
        try prepare()
        try checkBestModelDestination()
        try writeFileAtomically(historyPath, text: RunFiles.historyHeader(lambdaColumns: config.floss?.k ?? 0) + "\n")
        // A replaced run's best model, checkpoint and model are not this run's (a kill before
        // this run's first checkpoint must not leave the two runs mixed).
        for path in [bestModelPath, checkpointPath, modelPath] where unlink(path) != 0 && errno != ENOENT {
            throw OutputFileError(path: path, errno: errno)
        }
        var m = initialModel
        config.record(into: &m.metadata)
        try m.save(to: initialModelPath)
    }

    // MARK: Checkpoint

    /// Metadata only a checkpoint carries (never copied into `model.safetensors`).
    public static let checkpointOnlyKeys = ["training_config", "optimizer_step", "position_epoch", "position_batch", "log_window"]

    /// Writes the checkpoint (atomic): the model's tensors and metadata, the optimizer state as
    /// `optimizer.first.k`/`optimizer.second.k` (k in `trainedParameterArrays` order) and the position
    /// and config as metadata (`training_config`, `optimizer_step`, `position_epoch`,
    /// `position_batch`), whatever the model kind.
    public func writeCheckpoint<Model>(_ c: TrainingCheckpoint<Model>) throws {
        var model = c.model
        for key in Self.checkpointOnlyKeys { model.metadata.extra[key] = nil }
        var file = model.safeTensors()
        for k in 0..<c.optimizer.first.count {
            file.tensors["optimizer.first.\(k)"] = Tensor(c.optimizer.first[k], shape: [c.optimizer.first[k].count])
            if c.optimizer.kind == .adam {
                file.tensors["optimizer.second.\(k)"] = Tensor(c.optimizer.second[k], shape: [c.optimizer.second[k].count])
            }
        }
        // Sorted keys: the same run writes the same bytes (a dictionary's order changes per process).
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        file.metadata["training_config"] = String(decoding: try encoder.encode(c.config), as: UTF8.self)
        file.metadata["optimizer_step"] = String(c.optimizer.step)
        file.metadata["position_epoch"] = String(c.position.epoch)
        file.metadata["position_batch"] = String(c.position.batch)
        file.metadata["log_window"] = c.logWindow.metadataText
        try file.write(to: checkpointPath)
    }

    /// Metadata that names a run's model for its whole life (what a checkpoint, the initial
    /// model and the model file of one run all agree on).
    static let identityKeys = ["format", "task", "seed", "init", "hidden", "input_size", "cell", "layers", "nonlinearity", "bias"]

    /// Refuses a checkpoint that is not this folder's run (another run's checkpoint copied in):
    /// its model's tensors (names, dtypes, shapes) and identity metadata (`identityKeys`) must
    /// be those of `initial.safetensors` and `model.safetensors` where the folder has them.
    /// The first difference is named in one line.
    public func checkCheckpointBelongsToRun() throws {
        let checkpoint = try SafeTensorsFile(contentsOf: checkpointPath)
        for path in [initialModelPath, modelPath] where FileManager.default.fileExists(atPath: path) {
            guard let other = try? SafeTensorsFile(contentsOf: path) else { continue }
            func differs(_ what: String) -> FileFormatError {
                FileFormatError(path: checkpointPath, "is not this folder's run: \(what) "
                    + "(resume a run in its own folder, or start afresh with --force)")
            }
            for key in Self.identityKeys {
                if let a = checkpoint.metadata[key], let b = other.metadata[key], a != b {
                    throw differs("its metadata \"\(key)\" is \(quotedForMessage(a)) but \(displayPath(path)) records \(quotedForMessage(b))")
                }
            }
            let weights = checkpoint.tensors.filter { !$0.key.hasPrefix("optimizer.") }
            for name in Set(weights.keys).union(other.tensors.keys).sorted() {
                guard let a = weights[name] else { throw differs("it lacks tensor \"\(name)\" of \(displayPath(path))") }
                guard let b = other.tensors[name] else { throw differs("its tensor \"\(name)\" is not in \(displayPath(path))") }
                if a.dtype != b.dtype || a.shape != b.shape {
                    throw differs("its tensor \"\(name)\" is \(a.dtype) \(a.shape) but \(b.dtype) \(b.shape) in \(displayPath(path))")
                }
            }
        }
    }

    /// The settings stored in the checkpoint (no weights are converted).
    public func readCheckpointConfig() throws -> TrainingConfig {
        try Self.config(of: SafeTensorsFile(contentsOf: checkpointPath), path: checkpointPath)
    }

    /// The whole checkpoint, weights and optimizer state converted to the model's scalar (see
    /// `checkpoint(in:path:)`).
    public func readCheckpoint<Model: TrainableModel>(of: Model.Type = Model.self) throws -> TrainingCheckpoint<Model> {
        try Self.checkpoint(in: SafeTensorsFile(contentsOf: checkpointPath), path: checkpointPath)
    }

    /// A vanilla-cell run's checkpoint in T.
    public func readCheckpoint<T>(as: T.Type = T.self) throws -> Checkpoint<T> { try readCheckpoint(of: RNNModel<T>.self) }

    /// A checkpoint from a parsed file, every field validated before it is used: the training
    /// config (its settings in range; its cell, task, H and biases those of the weights, as
    /// `Model.checkpointModel` checks), the position (`optimizer_step`, `position_epoch`,
    /// `position_batch`: integers in 0…2⁵³, the epoch within the run's epochs) and the optimizer
    /// state (present, of the weights' sizes, finite in the model's scalar). Each failure is one
    /// line naming `path` and the field.
    public static func checkpoint<Model: TrainableModel>(in file: SafeTensorsFile, path: String,
                                                         of: Model.Type = Model.self) throws -> TrainingCheckpoint<Model> {
        typealias T = Model.Scalar
        func fail(_ s: String) -> FileFormatError { FileFormatError(path: path, s) }
        let config = try Self.config(of: file, path: path)
        var model = try Model.checkpointModel(in: file, path: path, config: config)
        for key in Self.checkpointOnlyKeys { model.metadata.extra[key] = nil }
        func position(_ key: String, upTo limit: Int) throws -> Int {
            guard let text = file.metadata[key] else {
                throw fail("checkpoint lacks its position (optimizer_step, position_epoch, position_batch)")
            }
            guard let v = Int(text), v >= 0, v <= limit else {
                throw fail("checkpoint field \(key) is \(quotedForMessage(text)), expected an integer in 0...\(limit)")
            }
            return v
        }
        let step = try position("optimizer_step", upTo: TrainingLimits.maximumStep)
        let e = try position("position_epoch", upTo: config.epochs)
        let b = try position("position_batch", upTo: TrainingLimits.maximumStep)
        var optimizer = model.makeOptimizer(config)
        optimizer.step = step
        func state(_ name: String, count: Int) throws -> [T] {
            guard let t = file.tensors[name], t.count == count, t.dtype != .i64 else {
                throw fail("checkpoint lacks optimizer state \"\(name)\"")
            }
            let values = t.doubles.map { T($0) }
            guard values.allSatisfy(\.isFinite) else { throw fail("optimizer state \"\(name)\" contains NaN or Inf") }
            return values
        }
        for k in 0..<optimizer.first.count {
            optimizer.first[k] = try state("optimizer.first.\(k)", count: optimizer.first[k].count)
            if config.optimizer == .adam { optimizer.second[k] = try state("optimizer.second.\(k)", count: optimizer.second[k].count) }
        }
        var window = LogWindow()
        if let text = file.metadata["log_window"] {
            guard let w = LogWindow(metadataText: text) else {
                throw fail("checkpoint field log_window is \(quotedForMessage(text)), expected \"lossSum correct samples batches seconds\"")
            }
            window = w
        }
        return TrainingCheckpoint(config: config, model: model, optimizer: optimizer, position: TrainingPosition(epoch: e, batch: b),
                                  logWindow: window)
    }

    /// The stored config, its settings validated (`TrainingConfig.validate`, limits included).
    static func config(of file: SafeTensorsFile, path: String) throws -> TrainingConfig {
        guard let json = file.metadata["training_config"],
              let config = try? JSONDecoder().decode(TrainingConfig.self, from: Data(json.utf8)) else {
            throw FileFormatError(path: path, "not an ftle training checkpoint (no training_config)")
        }
        do { try config.validate() } catch let TrainingError.invalid(setting, requirement) {
            throw FileFormatError(path: path, "training_config: \(setting.rawValue) \(requirement)")
        }
        return config
    }

    // MARK: Model

    /// `model.safetensors`: the weights with the run's settings and progress as metadata (atomic).
    public func writeModel<Model: TrainableModel>(_ model: Model, config: TrainingConfig, epochsTrained: Double, step: Int) throws {
        try save(model, config: config, epochsTrained: epochsTrained, step: step, to: modelPath)
    }

    /// `best.safetensors`: as `writeModel`, for the model at the end of an epoch (atomic).
    public func writeBestModel<Model: TrainableModel>(_ model: Model, config: TrainingConfig, epochsTrained: Double, step: Int) throws {
        try save(model, config: config, epochsTrained: epochsTrained, step: step, to: bestModelPath)
    }

    /// Refuses a `best.safetensors` that is not a regular file (or a link to one) or absent —
    /// a folder, FIFO or device there — before a run starts rather than at its first epoch end.
    public func checkBestModelDestination() throws {
        if case .direct = try outputDestination(bestModelPath) {
            throw OutputFileError(path: bestModelPath, reason: "is a device or FIFO, not a regular file")
        }
    }

    private func save<Model: TrainableModel>(_ model: Model, config: TrainingConfig, epochsTrained: Double, step: Int, to path: String) throws {
        var m = model
        m.metadata.epochsTrained = epochsTrained
        config.record(into: &m.metadata)
        m.metadata.extra["step"] = String(step)
        try m.save(to: path)
    }

    /// The highest test accuracy of epochs before `epoch` (0-based) in the history, nil when
    /// none has one.
    public func bestTestAccuracy(before epoch: Int) -> Double? {
        readHistory().rows.filter { $0.epoch < epoch }.compactMap(\.testAccuracy).max()
    }

    // MARK: History

    /// Appends one row to `history.csv` with one `write(2)` of the whole line. When the write
    /// fails (a full disk) the file is cut back to its length before, so no partial row stays;
    /// the error is one plain line ("disk full writing DIR/history.csv").
    public func appendHistory(_ row: TrainingHistory.Row) throws {
        let fd = open(historyPath, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { throw OutputFileError(path: historyPath, reason: "cannot open for appending: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let before = lseek(fd, 0, SEEK_END)
        do { try writeAll(fd, Array((row.csvLine + "\n").utf8), path: historyPath) } catch let error as OutputFileError {
            if before >= 0 { _ = ftruncate(fd, before) }
            if error.errorNumber == ENOSPC || error.errorNumber == EDQUOT { throw HistoryWriteError.diskFull(path: historyPath) }
            throw error
        }
    }

    /// Makes `history.csv` fit to append to for a resume at optimizer step `step` (see
    /// `TrainingHistory.repaired`), rewriting it atomically; returns what was repaired, nil
    /// when nothing worth reporting was. A missing history is started afresh.
    public func repairHistory(throughStep step: Int, lambdaColumns: Int = 0) throws -> HistoryRepair? {
        guard FileManager.default.fileExists(atPath: historyPath) else {
            try writeFileAtomically(historyPath, text: RunFiles.historyHeader(lambdaColumns: lambdaColumns) + "\n")
            return nil
        }
        let (bytes, repair) = TrainingHistory.repaired(try readInputFile(historyPath), throughStep: step, lambdaColumns: lambdaColumns)
        try writeFileAtomically(historyPath, bytes)
        return repair.isEmpty ? nil : repair
    }

    /// The history as it stands (empty when the file is missing or unreadable; invalid UTF-8
    /// and CRLF line ends are read, not fatal).
    public func readHistory() -> TrainingHistory {
        TrainingHistory(bytes: (try? readInputFile(historyPath)) ?? [])
    }
}

/// A history append that failed for lack of space.
public enum HistoryWriteError: Error, CustomStringConvertible, Equatable {
    case diskFull(path: String)
    public var description: String {
        switch self { case let .diskFull(path): return "disk full writing \(displayPath(path))" }
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
