import Foundation
import Linalg
import MNIST

/// A training run of a one-layer GRU or LSTM (`config.cell`), in the same folder layout,
/// formats and behaviour as `Trainer` (checkpoints every epoch and every
/// `config.checkpointEvery` batches, resume, history, lock, stop requests, data-parallel
/// shards, flush-to-zero), with a `GatedModel` and `GatedTrainingStep`.
///
/// Gated runs use PyTorch's default initialisation, both biases (bias_ih and bias_hh, trained
/// as separate parameters), MNIST images (no `--inputs`) and a fresh start (no starting
/// weights): other settings are refused by `init`.
public final class GatedTrainer<T: LinalgScalar> {
    public let config: TrainingConfig
    public private(set) var model: GatedModel<T>
    public private(set) var optimizer: OptimizerState<T>
    public private(set) var position: TrainingPosition
    public let folder: RunFolder
    let train: MNISTDataset
    let test: MNISTDataset?
    /// The folder's writer lock, held for the trainer's lifetime.
    let lock: RunLock
    /// What resuming repaired in `history.csv` (nil for a fresh run or an intact history).
    public private(set) var historyRepair: HistoryRepair?

    public var outputDirectory: String { folder.path }

    /// The settings a gated run cannot take, as one line (nil when the config is fine).
    public static func unsupportedSetting(in config: TrainingConfig) -> String? {
        guard let cell = config.cell.gated else { return "a gated trainer needs --cell gru or lstm, not \(config.cell.rawValue)" }
        let name = "--cell \(cell.rawValue)"
        if config.bias != .pair { return "\(name) trains both biases (bias_ih and bias_hh, as PyTorch); --bias \(config.bias.rawValue) applies to --cell rnn only" }
        if config.initialization != .pytorch { return "\(name) uses PyTorch's default initialisation; --init \(config.initialization.rawValue) applies to --cell rnn only" }
        return nil
    }

    /// A new run from PyTorch's default initialisation (`config.seed`). A folder that already
    /// holds a run is refused unless `replacingExistingRun`; another writer always is.
    public init(config: TrainingConfig, train: MNISTDataset, test: MNISTDataset?, outputDirectory: String,
                replacingExistingRun: Bool = false) throws {
        if let problem = Self.unsupportedSetting(in: config) { throw GatedLayerError(problem) }
        try config.validate()
        try Trainer<T>.checkTrainingImages(config, train)
        self.config = config
        self.train = train
        self.test = test
        folder = RunFolder(outputDirectory)
        let task = try config.sequenceTask()
        try folder.prepare()
        lock = try folder.lock()
        if !replacingExistingRun && folder.holdsRun { throw RunFolderError.existingRun(folder: folder.path) }
        model = GatedModel<T>(cell: config.cell.gated!, task: task, hidden: config.hidden, seed: config.seed)
        model.inputStandardization = config.standardize ? .mnist : nil
        optimizer = OptimizerState(kind: config.optimizer, learningRate: config.learningRate, momentum: config.momentum,
                                   parameterCounts: model.parameterArrays.map(\.count))
        position = TrainingPosition()
        try folder.start(initialModel: model, config: config)
    }

    /// Continues the gated run saved in `outputDirectory/checkpoint.safetensors` (its cell,
    /// precision and settings); `epochs`, `logEvery`, `checkpointEvery`, `threads` and
    /// `flushSubnormals` replace the stored ones when given, as `Trainer`'s resume does.
    public init(resumingIn outputDirectory: String, epochs: Int?, logEvery: Int?, checkpointEvery: Int??,
                threads: Int? = nil, flushSubnormals: Bool? = nil, train: MNISTDataset, test: MNISTDataset?) throws {
        folder = RunFolder(outputDirectory)
        guard FileManager.default.fileExists(atPath: folder.checkpointPath) else { throw FileFormatError(path: folder.checkpointPath, "no such file") }
        try folder.prepare()
        lock = try folder.lock()
        var config = try folder.readCheckpointConfig()
        guard config.precision == T.precision else {
            throw TrainingError.checkpoint("\(folder.checkpointPath): checkpoint precision is \(config.precision.rawValue)")
        }
        if let problem = Self.unsupportedSetting(in: config) { throw FileFormatError(path: folder.checkpointPath, "training_config: \(problem)") }
        if let e = epochs { config.epochs = e }
        if let l = logEvery { config.logEvery = l }
        if let c = checkpointEvery { config.checkpointEvery = c }
        if let n = threads { config.threads = n }
        if let f = flushSubnormals { config.flushSubnormals = f }
        try config.validate()
        try Trainer<T>.checkTrainingImages(config, train)
        let saved: GatedCheckpoint<T> = try folder.readGatedCheckpoint()
        self.config = config
        self.train = train
        self.test = test
        model = saved.model
        optimizer = saved.optimizer
        position = saved.position
        guard position.batch <= batchesPerEpoch else {
            throw FileFormatError(path: folder.checkpointPath, "checkpoint field position_batch is \(position.batch), past the \(batchesPerEpoch) batches of an epoch")
        }
        historyRepair = try folder.repairHistory(throughStep: optimizer.step)
        try writeModelFile()   // repairs a model file left one checkpoint behind by a kill
    }

    public var split: TrainingSplit {
        TrainingSplit(count: min(config.trainLimit ?? train.count, train.count), validationFraction: config.validationSplit, seed: config.seed)
    }
    public var trainCount: Int { split.training.count }
    public var batchesPerEpoch: Int { (trainCount + config.batchSize - 1) / config.batchSize }

    /// Trains until `config.epochs` are done or `shouldStop()` turns true (checked after every
    /// batch; the run then saves a checkpoint and returns `.interrupted`); the loop and its
    /// events are `Trainer.run`'s. The calling thread computes in `config.flushSubnormals`'s
    /// mode for the length of the run.
    public func run(shouldStop: () -> Bool = { false }, onEvent: (TrainingEvent) -> Void = { _ in }) throws -> TrainingOutcome {
        let previousMode = SubnormalMode.isFlushing
        try SubnormalMode.set(flushing: config.flushSubnormals)
        defer { try? SubnormalMode.set(flushing: previousMode) }
        let task = model.task, bsz = config.batchSize
        var stepper = GatedTrainingStep<T>(cell: model.cell, hidden: config.hidden, inputSize: task.inputSize, steps: task.steps,
                                           batchSize: bsz, shards: config.threads)
        var window = (loss: 0.0, correct: 0, samples: 0, batches: 0, start: monotonicSeconds())
        let runStart = monotonicSeconds()
        var batchesThisRun = 0
        let totalBatches = config.epochs * batchesPerEpoch
        let images = split.training
        while position.epoch < config.epochs {
            let order = epochOrder(seed: config.seed, epoch: position.epoch, count: images.count).map { images[$0] }
            while position.batch < batchesPerEpoch {
                let lo = position.batch * bsz, hi = min(lo + bsz, images.count)
                let batch = SequenceBatch<T>(train, indices: Array(order[lo..<hi]), task: task, standardization: model.inputStandardization)
                let (loss, correct) = stepper.run(batch, model: &model, optimizer: &optimizer, clip: config.clip, lossReduction: config.lossReduction)
                guard loss.isFinite else {
                    throw TrainingError.nonFiniteLoss(epoch: position.epoch, batch: position.batch, step: optimizer.step + 1,
                                                      checkpointKept: folder.hasCheckpoint)
                }
                position.batch += 1
                batchesThisRun += 1
                window.loss += loss; window.correct += correct; window.samples += batch.batchSize; window.batches += 1
                if position.batch % config.logEvery == 0 || position.batch == batchesPerEpoch {
                    let now = monotonicSeconds()
                    let doneOverall = position.epoch * batchesPerEpoch + position.batch
                    let progress = TrainingProgress(
                        epoch: position.epoch, epochs: config.epochs, batch: position.batch, batchesPerEpoch: batchesPerEpoch,
                        step: optimizer.step, loss: window.loss / Double(window.batches), accuracy: Double(window.correct) / Double(window.samples),
                        samplesPerSecond: Double(window.samples) / max(now - window.start, 1e-9),
                        etaSeconds: (now - runStart) / Double(batchesThisRun) * Double(totalBatches - doneOverall))
                    try record(.init(epoch: progress.epoch, batch: progress.batch, step: progress.step, loss: progress.loss,
                                     accuracy: progress.accuracy, samplesPerSecond: progress.samplesPerSecond))
                    onEvent(.progress(progress))
                    window = (0, 0, 0, 0, now)
                }
                if shouldStop() {
                    try saveCheckpoint(onEvent)
                    return .interrupted(step: optimizer.step)
                }
                if let n = config.checkpointEvery, optimizer.step % n == 0, position.batch < batchesPerEpoch { try saveCheckpoint(onEvent) }
            }
            position.epoch += 1
            position.batch = 0
            model.metadata.epochsTrained = Double(position.epoch)
            if let test {
                let r = evaluate(model, on: test, limit: config.testLimit, threads: config.threads)
                model.metadata.testAccuracy = r.accuracy
                try record(.init(epoch: position.epoch - 1, batch: batchesPerEpoch, step: optimizer.step, testLoss: r.loss, testAccuracy: r.accuracy))
                onEvent(.epochEnd(epoch: position.epoch - 1, testLoss: r.loss, testAccuracy: r.accuracy))
            }
            try saveCheckpoint(onEvent)
            if shouldStop() && position.epoch < config.epochs { return .interrupted(step: optimizer.step) }
        }
        return .finished
    }

    /// Appends a history row; on a full disk saves a checkpoint if it fits and rethrows.
    func record(_ row: TrainingHistory.Row) throws {
        do { try folder.appendHistory(row) } catch let error as HistoryWriteError {
            try? saveCheckpoint()
            throw error
        }
    }

    /// Writes the checkpoint, then the model (each atomic).
    public func saveCheckpoint(_ onEvent: (TrainingEvent) -> Void = { _ in }) throws {
        try folder.writeCheckpoint(GatedCheckpoint(config: config, model: model, optimizer: optimizer, position: position))
        try writeModelFile()
        onEvent(.checkpoint(path: folder.checkpointPath, step: optimizer.step))
    }

    func writeModelFile() throws {
        let epochs = Double(position.epoch) + Double(position.batch) / Double(max(batchesPerEpoch, 1))
        try folder.writeModel(model, config: config, epochsTrained: epochs, step: optimizer.step)
    }
}

/// What a command needs of a training run, whatever its cell: its settings and folder, where it
/// stands, and `run`. `Trainer` and `GatedTrainer` are the two.
public protocol TrainingRun: AnyObject {
    var config: TrainingConfig { get }
    var folder: RunFolder { get }
    var position: TrainingPosition { get }
    var historyRepair: HistoryRepair? { get }
    var trainCount: Int { get }
    var batchesPerEpoch: Int { get }
    var outputDirectory: String { get }
    func run(shouldStop: () -> Bool, onEvent: (TrainingEvent) -> Void) throws -> TrainingOutcome
}

extension Trainer: TrainingRun {}
extension GatedTrainer: TrainingRun {}
