import Foundation
import Linalg
import MNIST

/// Everything that defines a training run. Stored in the checkpoint so `--resume` continues
/// with the same settings (only `epochs`, `logEvery` and `checkpointEvery` may change).
public struct TrainingConfig: Codable, Sendable, Equatable {
    public var task: String = "rowwise"
    /// Seed of the permuted task's pixel order (the permutation is stored in the model).
    public var permutationSeed: UInt64 = 0
    public var hidden: Int = 128
    public var epochs: Int = 5
    public var batchSize: Int = 64
    public var learningRate: Double = 1e-3
    public var optimizer: OptimizerKind = .adam
    public var momentum: Double = 0
    public var initialization: Initialization = .pytorch
    /// Maximum global gradient norm; 0 disables clipping.
    public var clip: Double = 1
    public var seed: UInt64 = 0
    /// Train on the first N training images only.
    public var trainLimit: Int? = nil
    /// Evaluate on the first N test images only.
    public var testLimit: Int? = nil
    /// Checkpoint every N batches (besides every epoch end).
    public var checkpointEvery: Int? = nil
    /// One progress event (and history row) every N batches.
    public var logEvery: Int = 20
    /// "f32" (default, as PyTorch) or "f64".
    public var precision: String = "f32"
    /// Which PyTorch biases the model has (`pair` = nn.RNN's two).
    public var bias: BiasMode = .pair
    /// Xavier-normal gains of V and U.
    public var gains = InitializationGains()
    /// Whether the batch loss is the mean (PyTorch's default) or the sum over the batch.
    public var lossReduction: LossReduction = .mean
    /// An explicit pixel order for the permuted task (replaces `permutationSeed`).
    public var permutation: [Int]? = nil
    /// Standardize pixel values with MNIST's mean and std (`InputStandardization.mnist`).
    public var standardize = false
    /// Fraction of the training images held out (seeded by `seed`; see `TrainingSplit`).
    public var validationSplit = 0.0

    public init() {}

    /// The sequence task this configuration names.
    public func sequenceTask() throws -> SequenceTask {
        switch task {
        case "rowwise": return .rowwise
        case "pixelwise": return .pixelwise
        case "permuted":
            if let p = permutation {
                guard SequenceTask.isValidPermutation(p) else {
                    throw TrainingError.invalidConfig("the permutation is not a bijection of 0..<784")
                }
                return .permuted(permutation: p)
            }
            return .permuted(seed: permutationSeed)
        default: throw TrainingError.invalidConfig("unknown task \"\(task)\" (expected rowwise, pixelwise or permuted)")
        }
    }
}

/// How a batch's per-sample losses are combined before differentiation.
public enum LossReduction: String, Sendable, Codable, CaseIterable {
    /// (1/B) Σ ℓ_n — PyTorch's default.
    case mean
    /// Σ ℓ_n — the gradient is B times the mean's (the paper's row-wise recipe).
    case sum
}

extension TrainingConfig {
    /// Decodes a stored config; keys added after a checkpoint was written take their defaults,
    /// so every older checkpoint still resumes.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var d = TrainingConfig()
        func take<V: Decodable>(_ key: CodingKeys, _ field: inout V) throws {
            if let v = try c.decodeIfPresent(V.self, forKey: key) { field = v }
        }
        try take(.task, &d.task); try take(.permutationSeed, &d.permutationSeed); try take(.hidden, &d.hidden)
        try take(.epochs, &d.epochs); try take(.batchSize, &d.batchSize); try take(.learningRate, &d.learningRate)
        try take(.optimizer, &d.optimizer); try take(.momentum, &d.momentum); try take(.initialization, &d.initialization)
        try take(.clip, &d.clip); try take(.seed, &d.seed); try take(.logEvery, &d.logEvery); try take(.precision, &d.precision)
        try take(.bias, &d.bias); try take(.gains, &d.gains); try take(.lossReduction, &d.lossReduction)
        try take(.standardize, &d.standardize); try take(.validationSplit, &d.validationSplit)
        d.trainLimit = try c.decodeIfPresent(Int.self, forKey: .trainLimit)
        d.testLimit = try c.decodeIfPresent(Int.self, forKey: .testLimit)
        d.checkpointEvery = try c.decodeIfPresent(Int.self, forKey: .checkpointEvery)
        d.permutation = try c.decodeIfPresent([Int].self, forKey: .permutation)
        self = d
    }
}

/// The images a run trains on and the ones it holds out: a seeded split of the first `count`
/// training images. With fraction 0 every image trains, in index order; otherwise the
/// validation set is the first round(fraction·count) entries of a seeded permutation, and
/// both sets are sorted. The same (count, fraction, seed) always gives the same split, so an
/// analysis can pick held-out images of a model that records them.
public struct TrainingSplit: Sendable, Equatable {
    public let training: [Int]
    public let validation: [Int]

    public init(count: Int, validationFraction fraction: Double, seed: UInt64) {
        precondition(count >= 0 && fraction >= 0 && fraction < 1)
        guard fraction > 0 else { training = Array(0..<count); validation = []; return }
        var rng = SeededRandom(seed: seed ^ 0x5EED_0F5A_11D4_7100)
        let order = rng.permutation(count)
        let held = Int((fraction * Double(count)).rounded())
        validation = order[0..<held].sorted()
        training = order[held...].sorted()
    }
}

/// Where a run stands: the next batch to train is `batch` of `epoch` (both 0-based).
public struct TrainingPosition: Sendable, Equatable {
    public var epoch: Int
    public var batch: Int
    public init(epoch: Int = 0, batch: Int = 0) { self.epoch = epoch; self.batch = batch }
}

/// One progress report.
public struct TrainingProgress: Sendable, Equatable {
    public var epoch: Int          // 0-based
    public var epochs: Int
    public var batch: Int          // batches done in this epoch
    public var batchesPerEpoch: Int
    public var step: Int           // optimizer steps so far
    public var loss: Double        // mean over the batches since the last report
    public var accuracy: Double    // likewise, in [0, 1]
    public var samplesPerSecond: Double
    public var etaSeconds: Double
}

public enum TrainingEvent: Sendable {
    case progress(TrainingProgress)
    case epochEnd(epoch: Int, testLoss: Double, testAccuracy: Double)
    case checkpoint(path: String, step: Int)
}

public enum TrainingOutcome: Sendable, Equatable {
    case finished
    /// Stopped on request (a signal) after saving a checkpoint.
    case interrupted(step: Int)
}

public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// `step` is the 1-based optimizer step that failed; `checkpointKept` whether an earlier
    /// checkpoint exists (it is left untouched either way).
    case nonFiniteLoss(epoch: Int, batch: Int, step: Int, checkpointKept: Bool)
    case invalidConfig(String)
    case checkpoint(String)

    public var description: String {
        switch self {
        case let .nonFiniteLoss(e, b, s, kept):
            return "loss became NaN or Inf at step \(s) (epoch \(e + 1), batch \(b + 1)); "
                + (kept ? "the last good checkpoint is kept" : "no checkpoint had been written yet (initial.safetensors holds the initialisation)")
        case let .invalidConfig(s): return s
        case let .checkpoint(s): return s
        }
    }
}

/// File names inside a run's output folder.
public enum RunFiles {
    public static let model = "model.safetensors"
    public static let checkpoint = "checkpoint.safetensors"
    public static let history = "history.csv"
    /// The model as initialised, before any update (written once by a fresh run).
    public static let initialModel = "initial.safetensors"
    public static let historyHeader = "epoch,batch,step,loss,accuracy,samples_per_second,test_loss,test_accuracy"
}

/// The hyper-parameters a run records in its `model.safetensors` metadata, so that a later run
/// from those weights (the explorer's `t` on a bare model file) can train them the same way.
extension TrainingConfig {
    /// Metadata keys of the recorded settings (`momentum` only for SGD).
    public static let recordedKeys = ["lr", "optimizer", "batch_size", "clip", "momentum", "loss_reduction"]

    /// Writes the recorded settings into `metadata.extra`.
    func record(into metadata: inout ModelMetadata) {
        metadata.extra["lr"] = String(learningRate)
        metadata.extra["optimizer"] = optimizer.rawValue
        metadata.extra["batch_size"] = String(batchSize)
        metadata.extra["clip"] = String(clip)
        if optimizer == .sgd { metadata.extra["momentum"] = String(momentum) }
        metadata.extra["loss_reduction"] = lossReduction == .mean ? nil : lossReduction.rawValue
        metadata.extra["validation_split"] = validationSplit == 0 ? nil : String(validationSplit)
        metadata.extra["validation_seed"] = validationSplit == 0 ? nil : String(seed)
    }

    /// Takes over whatever valid settings `metadata` records; the rest stay as they are.
    public mutating func adoptRecordedSettings(from metadata: ModelMetadata) {
        let recorded = metadata.extra
        if let lr = recorded["lr"].flatMap(Double.init), lr > 0, lr.isFinite { learningRate = lr }
        if let kind = recorded["optimizer"].flatMap(OptimizerKind.init(rawValue:)) { optimizer = kind }
        if let batch = recorded["batch_size"].flatMap(Int.init), batch >= 1 { batchSize = batch }
        if let c = recorded["clip"].flatMap(Double.init), c >= 0, c.isFinite { clip = c }
        if let m = recorded["momentum"].flatMap(Double.init), m >= 0, m < 1 { momentum = m }
        if let r = recorded["loss_reduction"].flatMap(LossReduction.init(rawValue:)) { lossReduction = r }
    }
}

/// The shuffled order of training indices for `epoch`: depends only on the seed and the
/// epoch, so a resumed run sees exactly the batches an uninterrupted one would.
public func epochOrder(seed: UInt64, epoch: Int, count: Int) -> [Int] {
    var rng = SeededRandom(seed: seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(epoch + 1)))
    return rng.permutation(count)
}

/// Mean cross-entropy and accuracy of `model` on the first `limit` images of `data`.
public func evaluate<T>(_ model: RNNModel<T>, on data: MNISTDataset, limit: Int? = nil, batchSize: Int = 500) -> (loss: Double, accuracy: Double) {
    let n = min(limit ?? data.count, data.count)
    var totalLoss = 0.0, correct = 0
    var start = 0
    while start < n {
        let idx = Array(start..<min(start + batchSize, n))
        let batch = SequenceBatch<T>(data, indices: idx, task: model.task, standardization: model.inputStandardization)
        let r = CrossEntropy.evaluate(model.finalLogits(batch), labels: batch.labels)
        totalLoss += r.loss * Double(idx.count)
        correct += r.correct
        start += batchSize
    }
    return (totalLoss / Double(max(n, 1)), Double(correct) / Double(max(n, 1)))
}

/// A training run writing into one output folder: `model.safetensors` (weights only, loadable
/// by PyTorch), `checkpoint.safetensors` (weights + optimizer state + position, for `--resume`)
/// and `history.csv`. Every file write is atomic.
public final class Trainer<T: LinalgScalar> {
    public let config: TrainingConfig
    public private(set) var model: RNNModel<T>
    public private(set) var optimizer: OptimizerState<T>
    public private(set) var position: TrainingPosition
    public let outputDirectory: String
    let train: MNISTDataset
    let test: MNISTDataset?

    var modelPath: String { outputDirectory + "/" + RunFiles.model }
    var checkpointPath: String { outputDirectory + "/" + RunFiles.checkpoint }
    var historyPath: String { outputDirectory + "/" + RunFiles.history }

    /// A new run from a fresh initialisation (`config.initialization`, `config.seed`), or from
    /// `startingWeights` (fine-tuning: the given weights, a fresh optimizer, epoch 0) when given.
    /// The starting weights must be a `config.task` model with H = `config.hidden`; a permuted
    /// model keeps its own pixel order and its own biases (`config.bias` follows the weights).
    public init(config: TrainingConfig, train: MNISTDataset, test: MNISTDataset?, outputDirectory: String,
                startingWeights: RNNModel<T>? = nil) throws {
        var config = config
        if let start = startingWeights {
            config.bias = start.biasMode
            config.standardize = start.inputStandardization != nil
        }
        try Trainer.validate(config)
        self.config = config
        self.train = train
        self.test = test
        self.outputDirectory = outputDirectory
        let task = try config.sequenceTask()
        if let start = startingWeights {
            // The run presents pixels in the model's own order (a permuted model carries its
            // permutation), so only the task's kind and H must agree with the config.
            guard start.task.name == task.name, start.hidden == config.hidden else {
                throw TrainingError.invalidConfig("the starting weights are a \(start.task.name) model with H = \(start.hidden), "
                    + "but the run is \(config.task) with H = \(config.hidden)")
            }
            model = start
            // A new run: nothing of the starting file's own training record carries over.
            for key in Trainer.checkpointOnlyKeys + TrainingConfig.recordedKeys + ["step"] {
                model.metadata.extra[key] = nil
            }
            model.metadata.testAccuracy = nil
            model.metadata.epochsTrained = 0
        } else {
            model = RNNModel<T>(task: task, hidden: config.hidden, initialization: config.initialization, seed: config.seed,
                                gains: config.gains, biasMode: config.bias)
            model.inputStandardization = config.standardize ? .mnist : nil
        }
        optimizer = OptimizerState(kind: config.optimizer, learningRate: config.learningRate, momentum: config.momentum, shapesOf: model)
        position = TrainingPosition()
        try ensureWritableDirectory(outputDirectory)
        try writeFileAtomically(historyPath, text: RunFiles.historyHeader + "\n")
        // The untrained initialisation, kept for before/after comparisons.
        try model.save(to: outputDirectory + "/" + RunFiles.initialModel)
    }

    /// Continues the run saved in `outputDirectory/checkpoint.safetensors`; `epochs` (if given)
    /// replaces the stored total. History rows beyond the checkpoint are dropped.
    public init(resumingIn outputDirectory: String, epochs: Int?, logEvery: Int?, checkpointEvery: Int??,
                train: MNISTDataset, test: MNISTDataset?) throws {
        let path = outputDirectory + "/" + RunFiles.checkpoint
        let file = try SafeTensorsFile(contentsOf: path)
        guard let configJSON = file.metadata["training_config"],
              var config = try? JSONDecoder().decode(TrainingConfig.self, from: Data(configJSON.utf8)) else {
            throw FileFormatError(path: path, "not an ftle training checkpoint (no training_config)")
        }
        if let e = epochs { config.epochs = e }
        if let l = logEvery { config.logEvery = l }
        if let c = checkpointEvery { config.checkpointEvery = c }
        try Trainer.validate(config)
        guard config.precision == (T.self == Double.self ? "f64" : "f32") else {
            throw TrainingError.checkpoint("\(path): checkpoint precision is \(config.precision)")
        }
        self.config = config
        self.train = train
        self.test = test
        self.outputDirectory = outputDirectory
        model = try RNNModel<T>(file: file, path: path)
        var opt = OptimizerState<T>(kind: config.optimizer, learningRate: config.learningRate, momentum: config.momentum, shapesOf: model)
        guard let stepText = file.metadata["optimizer_step"], let step = Int(stepText),
              let e = file.metadata["position_epoch"].flatMap({ Int($0) }), let b = file.metadata["position_batch"].flatMap({ Int($0) }) else {
            throw FileFormatError(path: path, "checkpoint lacks its position (optimizer_step, position_epoch, position_batch)")
        }
        opt.step = step
        for k in 0..<opt.first.count {
            guard let m = file.tensors["optimizer.first.\(k)"], m.count == opt.first[k].count else {
                throw FileFormatError(path: path, "checkpoint lacks optimizer state \"optimizer.first.\(k)\"")
            }
            opt.first[k] = m.doubles.map { T($0) }
            if config.optimizer == .adam {
                guard let v = file.tensors["optimizer.second.\(k)"], v.count == opt.second[k].count else {
                    throw FileFormatError(path: path, "checkpoint lacks optimizer state \"optimizer.second.\(k)\"")
                }
                opt.second[k] = v.doubles.map { T($0) }
            }
        }
        optimizer = opt
        position = TrainingPosition(epoch: e, batch: b)
        for key in Trainer.checkpointOnlyKeys { model.metadata.extra[key] = nil }
        try ensureWritableDirectory(outputDirectory)
        try truncateHistory(toStep: step)
        // The model file is derived from the checkpoint, written just after it. A kill between
        // the two writes leaves it one checkpoint behind — at the end of a run, for good, since
        // a finished run writes nothing more. Rewriting it here makes every resume repair that.
        try writeModelFile()
    }

    /// Metadata only a checkpoint carries (not copied into `model.safetensors`).
    static var checkpointOnlyKeys: [String] { ["training_config", "optimizer_step", "position_epoch", "position_batch"] }

    static func validate(_ c: TrainingConfig) throws {
        func bad(_ s: String) -> TrainingError { .invalidConfig(s) }
        guard c.hidden >= 1 else { throw bad("--hidden must be at least 1 (got \(c.hidden))") }
        guard c.epochs >= 1 else { throw bad("--epochs must be at least 1 (got \(c.epochs))") }
        guard c.batchSize >= 1 else { throw bad("--batch must be at least 1 (got \(c.batchSize))") }
        guard c.learningRate > 0, c.learningRate.isFinite else { throw bad("--lr must be positive (got \(c.learningRate))") }
        guard c.clip >= 0, c.clip.isFinite else { throw bad("--clip must be ≥ 0 (got \(c.clip); 0 disables clipping)") }
        guard c.momentum >= 0, c.momentum < 1 else { throw bad("--momentum must be in [0, 1) (got \(c.momentum))") }
        if let l = c.trainLimit { guard l >= 1 else { throw bad("--train-limit must be at least 1 (got \(l))") } }
        if let l = c.testLimit { guard l >= 1 else { throw bad("--test-limit must be at least 1 (got \(l))") } }
        if let n = c.checkpointEvery { guard n >= 1 else { throw bad("--checkpoint-every must be at least 1 (got \(n))") } }
        guard c.validationSplit >= 0, c.validationSplit < 1 else {
            throw bad("the validation split must be in [0, 1) (got \(c.validationSplit))")
        }
        guard c.logEvery >= 1 else { throw bad("--log-every must be at least 1 (got \(c.logEvery))") }
        guard c.precision == "f32" || c.precision == "f64" else { throw bad("--precision must be f32 or f64") }
        for (name, g) in [("the recurrent gain", c.gains.recurrent), ("the input gain", c.gains.input)] {
            guard g > 0, g.isFinite, g <= 1e6 else { throw bad("\(name) must be positive and at most 1e6 (got \(g))") }
        }
        _ = try c.sequenceTask()
    }

    /// The run's training and held-out images.
    public var split: TrainingSplit {
        TrainingSplit(count: min(config.trainLimit ?? train.count, train.count), validationFraction: config.validationSplit, seed: config.seed)
    }
    public var trainCount: Int { split.training.count }
    public var batchesPerEpoch: Int { (trainCount + config.batchSize - 1) / config.batchSize }

    /// Trains until `config.epochs` are done or `shouldStop()` turns true (checked after every
    /// batch; the run then saves a checkpoint and returns `.interrupted`).
    ///
    /// Each batch, top to bottom: forward, loss, backward, clip, update, report.
    public func run(shouldStop: () -> Bool = { false }, onEvent: (TrainingEvent) -> Void = { _ in }) throws -> TrainingOutcome {
        let task = model.task, bsz = config.batchSize
        var stepper = TrainingStep<T>(hidden: config.hidden, inputSize: task.inputSize, steps: task.steps, batchSize: bsz)
        var window = (loss: 0.0, correct: 0, samples: 0, batches: 0, start: monotonicSeconds())
        let runStart = monotonicSeconds()
        var batchesThisRun = 0
        let totalBatches = config.epochs * batchesPerEpoch

        while position.epoch < config.epochs {
            let images = split.training
            let order = epochOrder(seed: config.seed, epoch: position.epoch, count: images.count).map { images[$0] }
            while position.batch < batchesPerEpoch {
                let lo = position.batch * bsz, hi = min(lo + bsz, trainCount)
                let batch = SequenceBatch<T>(train, indices: Array(order[lo..<hi]), task: task, standardization: model.inputStandardization)
                // forward, loss, backward, clip, update
                let (loss, correct) = stepper.run(batch, model: &model, optimizer: &optimizer, clip: config.clip,
                                                  lossReduction: config.lossReduction)
                guard loss.isFinite else {
                    throw TrainingError.nonFiniteLoss(epoch: position.epoch, batch: position.batch, step: optimizer.step + 1,
                                                      checkpointKept: FileManager.default.fileExists(atPath: checkpointPath))
                }
                position.batch += 1
                batchesThisRun += 1
                // report
                window.loss += loss; window.correct += correct; window.samples += batch.batchSize; window.batches += 1
                if position.batch % config.logEvery == 0 || position.batch == batchesPerEpoch {
                    let now = monotonicSeconds()
                    let doneOverall = position.epoch * batchesPerEpoch + position.batch
                    let perBatch = (now - runStart) / Double(batchesThisRun)
                    let progress = TrainingProgress(
                        epoch: position.epoch, epochs: config.epochs, batch: position.batch, batchesPerEpoch: batchesPerEpoch,
                        step: optimizer.step, loss: window.loss / Double(window.batches),
                        accuracy: Double(window.correct) / Double(window.samples),
                        samplesPerSecond: Double(window.samples) / max(now - window.start, 1e-9),
                        etaSeconds: perBatch * Double(totalBatches - doneOverall))
                    try appendHistory(progress, test: nil)
                    onEvent(.progress(progress))
                    window = (0, 0, 0, 0, now)
                }
                if shouldStop() {
                    try saveCheckpoint(onEvent)
                    return .interrupted(step: optimizer.step)
                }
                if let n = config.checkpointEvery, optimizer.step % n == 0, position.batch < batchesPerEpoch {
                    try saveCheckpoint(onEvent)
                }
            }
            // End of epoch: evaluate, record, checkpoint.
            position.epoch += 1
            position.batch = 0
            model.metadata.epochsTrained = Double(position.epoch)
            if let test {
                let r = evaluate(model, on: test, limit: config.testLimit)
                model.metadata.testAccuracy = r.accuracy
                try appendEpochHistory(epoch: position.epoch - 1, loss: r.loss, accuracy: r.accuracy)
                onEvent(.epochEnd(epoch: position.epoch - 1, testLoss: r.loss, testAccuracy: r.accuracy))
            }
            try saveCheckpoint(onEvent)
            if shouldStop() && position.epoch < config.epochs { return .interrupted(step: optimizer.step) }
        }
        return .finished
    }

    /// Writes the checkpoint (weights, optimizer state, position, config) and then the model.
    /// Each is atomic; the checkpoint comes first, so a model file is never newer than the
    /// state that resumes it.
    public func saveCheckpoint(_ onEvent: (TrainingEvent) -> Void = { _ in }) throws {
        model.metadata.extra["training_config"] = nil
        var file = model.safeTensors()
        for k in 0..<optimizer.first.count {
            file.tensors["optimizer.first.\(k)"] = tensor(optimizer.first[k])
            if optimizer.kind == .adam { file.tensors["optimizer.second.\(k)"] = tensor(optimizer.second[k]) }
        }
        let configJSON = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        file.metadata["training_config"] = configJSON
        file.metadata["optimizer_step"] = String(optimizer.step)
        file.metadata["position_epoch"] = String(position.epoch)
        file.metadata["position_batch"] = String(position.batch)
        try file.write(to: checkpointPath)
        try writeModelFile()
        onEvent(.checkpoint(path: checkpointPath, step: optimizer.step))
    }

    /// `model.safetensors`: the weights with the run's settings as metadata (atomic).
    func writeModelFile() throws {
        var m = model
        m.metadata.epochsTrained = Double(position.epoch) + Double(position.batch) / Double(max(batchesPerEpoch, 1))
        config.record(into: &m.metadata)
        m.metadata.extra["step"] = String(optimizer.step)
        try m.save(to: modelPath)
    }

    private func tensor(_ v: [T]) -> Tensor {
        T.self == Double.self ? Tensor(float64: v.map { Double($0) }, shape: [v.count]) : Tensor(float32: v.map { Float($0) }, shape: [v.count])
    }

    private func appendLine(_ line: String) throws {
        guard let fh = FileHandle(forWritingAtPath: historyPath) else {
            throw OutputFileError(path: historyPath, reason: "cannot open for appending")
        }
        defer { try? fh.close() }
        do {
            try fh.seekToEnd()
            try fh.write(contentsOf: Data((line + "\n").utf8))
        } catch { throw OutputFileError(path: historyPath, reason: "\(error)") }
    }

    private func appendHistory(_ p: TrainingProgress, test: (Double, Double)?) throws {
        try appendLine("\(p.epoch),\(p.batch),\(p.step),\(fmt(p.loss)),\(fmt(p.accuracy)),\(fmt(p.samplesPerSecond)),,")
    }

    private func appendEpochHistory(epoch: Int, loss: Double, accuracy: Double) throws {
        try appendLine("\(epoch),\(batchesPerEpoch),\(optimizer.step),,,,\(fmt(loss)),\(fmt(accuracy))")
    }

    private func fmt(_ x: Double) -> String { String(format: "%.6g", x) }

    /// Keeps the header and the rows with step ≤ `step` (rewritten atomically).
    private func truncateHistory(toStep step: Int) throws {
        let existing = (try? String(contentsOfFile: historyPath, encoding: .utf8)) ?? ""
        var lines = [RunFiles.historyHeader]
        for line in existing.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            if f.count >= 3, let s = Int(f[2]), s <= step { lines.append(String(line)) }
        }
        try writeFileAtomically(historyPath, text: lines.joined(separator: "\n") + "\n")
    }
}

/// One optimisation step on a batch, with buffers reused across calls (no allocation per step
/// once the batch size is stable). Top to bottom: forward, loss, backward, clip, update.
/// The trainer and the benchmark both run this.
public struct TrainingStep<T: LinalgScalar> {
    var trace: ForwardTrace<T>
    var backward: BackwardWorkspace<T>
    var gradients: RNNGradients<T>
    var logitGradient: Matrix<T>
    let hidden: Int, steps: Int

    public init(hidden: Int, inputSize: Int, steps: Int, batchSize: Int) {
        self.hidden = hidden
        self.steps = steps
        trace = ForwardTrace(hidden: hidden, batchSize: batchSize, steps: steps)
        backward = BackwardWorkspace(hidden: hidden, batchSize: batchSize, steps: steps)
        gradients = RNNGradients(hidden: hidden, inputSize: inputSize)
        logitGradient = Matrix(rows: RNNModel<T>.classes, cols: batchSize)
    }

    /// Mean loss and correct count of the batch before the update. A non-finite loss leaves
    /// the model and optimizer untouched.
    public mutating func run(_ batch: SequenceBatch<T>, model: inout RNNModel<T>, optimizer: inout OptimizerState<T>,
                             clip: Double, lossReduction: LossReduction = .mean) -> (loss: Double, correct: Int) {
        if batch.batchSize != trace.batchSize {  // e.g. the last, partial batch of an epoch
            trace = ForwardTrace(hidden: hidden, batchSize: batch.batchSize, steps: steps)
            backward = BackwardWorkspace(hidden: hidden, batchSize: batch.batchSize, steps: steps)
            logitGradient = Matrix(rows: RNNModel<T>.classes, cols: batch.batchSize)
        }
        // forward
        model.forward(batch, into: &trace)
        // loss
        let lossScale = lossReduction == .mean ? 1 / Double(batch.batchSize) : 1
        let (loss, correct) = CrossEntropy.evaluate(trace.logits, labels: batch.labels,
                                                    scale: lossScale, gradient: &logitGradient)
        guard loss.isFinite else { return (loss, correct) }
        // backward
        model.backward(batch, trace: trace, logitGradients: logitGradient, into: &gradients, workspace: &backward)
        // clip
        clipGradientNorm(&gradients, maxNorm: clip, biasMultiplicity: model.biasMode.multiplicity)
        // update
        optimizer.apply(gradients, to: &model)
        return (loss, correct)
    }
}

/// Seconds from a monotonic clock.
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
