import Foundation
import Linalg
import MNIST

/// A training run writing into one `RunFolder`: `model.safetensors` (weights only, loadable by
/// PyTorch), `checkpoint.safetensors` (weights + optimizer state + position, for resuming),
/// `history.csv` and `initial.safetensors`.
public final class Trainer<T: LinalgScalar> {
    public let config: TrainingConfig
    public private(set) var model: RNNModel<T>
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

    /// A new run from a fresh initialisation (`config.initialization`, `config.seed`), or from
    /// `startingWeights` (fine-tuning: the given weights, a fresh optimizer, epoch 0) when given.
    /// The starting weights must be a `config.task` model with H = `config.hidden`; a permuted
    /// model keeps its own pixel order, its biases and its input standardization (the config
    /// follows the weights).
    /// A folder that already holds a run (its model or checkpoint) is refused unless
    /// `replacingExistingRun`; another process writing the folder is always refused.
    public init(config: TrainingConfig, train: MNISTDataset, test: MNISTDataset?, outputDirectory: String,
                startingWeights: RNNModel<T>? = nil, replacingExistingRun: Bool = false) throws {
        var config = config
        if let start = startingWeights {
            config.bias = start.biasMode
            config.standardize = start.inputStandardization != nil
        }
        guard config.cell == .rnn else { throw TrainingError.checkpoint("a \(config.cell.rawValue) run trains with GatedTrainer") }
        try config.validate()
        self.config = config
        self.train = train
        self.test = test
        try Self.checkTrainingImages(config, train)
        folder = RunFolder(outputDirectory)
        let task = try config.sequenceTask()
        try folder.prepare()
        lock = try folder.lock()
        if !replacingExistingRun && folder.holdsRun { throw RunFolderError.existingRun(folder: folder.path) }
        if let start = startingWeights {
            // The run presents pixels in the model's own order (a permuted model carries its
            // permutation), so only the task's kind and H must agree with the config.
            guard start.task.kind == task.kind, start.hidden == config.hidden else {
                throw TrainingError.startingWeights("the starting weights are a \(start.task.name) model with H = \(start.hidden), "
                    + "but the run is \(config.task.rawValue) with H = \(config.hidden)")
            }
            model = start
            // A new run: nothing of the starting file's own training record carries over.
            for key in RunFolder.checkpointOnlyKeys + TrainingConfig.recordedKeys + ["step"] {
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
        // The untrained initialisation is kept for before/after comparisons.
        try folder.start(initialModel: model, config: config)
    }

    /// Continues the run saved in `outputDirectory/checkpoint.safetensors`; `epochs` (if given)
    /// replaces the stored total, `threads` the stored data-parallel count and `flushSubnormals`
    /// the stored flush-to-zero choice (a resume with the
    /// stored count continues bit for bit; another count rounds the rest differently). History
    /// rows beyond the checkpoint are dropped.
    public init(resumingIn outputDirectory: String, epochs: Int?, logEvery: Int?, checkpointEvery: Int??,
                threads: Int? = nil, flushSubnormals: Bool? = nil, train: MNISTDataset, test: MNISTDataset?) throws {
        folder = RunFolder(outputDirectory)
        guard FileManager.default.fileExists(atPath: folder.checkpointPath) else {
            throw FileFormatError(path: folder.checkpointPath, "no such file")
        }
        try folder.prepare()
        lock = try folder.lock()
        var config = try folder.readCheckpointConfig()
        guard config.precision == T.precision else {
            throw TrainingError.checkpoint("\(folder.checkpointPath): checkpoint precision is \(config.precision.rawValue)")
        }
        guard config.cell == .rnn else {
            throw TrainingError.checkpoint("\(folder.checkpointPath): a \(config.cell.rawValue) run resumes with GatedTrainer")
        }
        if let e = epochs { config.epochs = e }
        if let l = logEvery { config.logEvery = l }
        if let c = checkpointEvery { config.checkpointEvery = c }
        if let n = threads { config.threads = n }
        if let f = flushSubnormals { config.flushSubnormals = f }
        try config.validate()
        try Self.checkTrainingImages(config, train)
        let saved: Checkpoint<T> = try folder.readCheckpoint()
        self.config = config
        self.train = train
        self.test = test
        model = saved.model
        optimizer = saved.optimizer
        position = saved.position
        try checkPosition(of: folder.checkpointPath)
        historyRepair = try folder.repairHistory(throughStep: optimizer.step)
        // The model file is derived from the checkpoint, written just after it. A kill between
        // the two writes leaves it one checkpoint behind — at the end of a run, for good, since
        // a finished run writes nothing more. Rewriting it here makes every resume repair that.
        try writeModelFile()
    }

    /// The run's training and held-out images.
    public var split: TrainingSplit {
        TrainingSplit(count: min(config.trainLimit ?? train.count, train.count), validationFraction: config.validationSplit, seed: config.seed)
    }
    public var trainCount: Int { split.training.count }

    /// A run needs at least one training image after the limit and the held-out split.
    static func checkTrainingImages(_ config: TrainingConfig, _ train: MNISTDataset) throws {
        let count = min(config.trainLimit ?? train.count, train.count)
        guard TrainingSplit(count: count, validationFraction: config.validationSplit, seed: config.seed).training.count >= 1 else {
            throw TrainingError.invalid(.validationSplit, "\(config.validationSplit) leaves none of the \(count) training images to train on")
        }
    }

    /// A checkpoint's position must lie inside the run: its batch within the epoch.
    func checkPosition(of path: String) throws {
        // batch = batchesPerEpoch: stopped after an epoch's last batch, before its evaluation.
        guard position.batch <= batchesPerEpoch else {
            throw FileFormatError(path: path, "checkpoint field position_batch is \(position.batch), past the \(batchesPerEpoch) batches of an epoch")
        }
    }
    public var batchesPerEpoch: Int { (trainCount + config.batchSize - 1) / config.batchSize }

    /// Trains until `config.epochs` are done or `shouldStop()` turns true (checked after every
    /// batch; the run then saves a checkpoint and returns `.interrupted`).
    ///
    /// Each batch, top to bottom: forward, loss, backward, clip, update, report. With
    /// `config.threads` > 1 the batch's gradient is computed in that many shards on worker
    /// threads; the caller should then have set OpenBLAS to one thread (`ftle train` does),
    /// or the workers' BLAS threads compete for the cores.
    ///
    /// The calling thread (and so every worker) computes in `config.flushSubnormals`'s mode for
    /// the length of the run; the thread's previous mode is restored on return.
    public func run(shouldStop: () -> Bool = { false }, onEvent: (TrainingEvent) -> Void = { _ in }) throws -> TrainingOutcome {
        let previousMode = SubnormalMode.isFlushing
        try SubnormalMode.set(flushing: config.flushSubnormals)
        defer { try? SubnormalMode.set(flushing: previousMode) }
        let task = model.task, bsz = config.batchSize
        var stepper = TrainingStep<T>(hidden: config.hidden, inputSize: task.inputSize, steps: task.steps, batchSize: bsz,
                                      shards: config.threads)
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
                // forward, loss, backward, clip, update
                let (loss, correct) = stepper.run(batch, model: &model, optimizer: &optimizer, clip: config.clip,
                                                  lossReduction: config.lossReduction)
                guard loss.isFinite else {
                    throw TrainingError.nonFiniteLoss(epoch: position.epoch, batch: position.batch, step: optimizer.step + 1,
                                                      checkpointKept: folder.hasCheckpoint)
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
                    try record(.init(epoch: progress.epoch, batch: progress.batch, step: progress.step, loss: progress.loss,
                                                   accuracy: progress.accuracy, samplesPerSecond: progress.samplesPerSecond))
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
            // End of epoch: evaluate (on config.threads workers), record, checkpoint.
            position.epoch += 1
            position.batch = 0
            model.metadata.epochsTrained = Double(position.epoch)
            if let test {
                let r = evaluate(model, on: test, limit: config.testLimit, threads: config.threads)
                model.metadata.testAccuracy = r.accuracy
                try record(.init(epoch: position.epoch - 1, batch: batchesPerEpoch, step: optimizer.step,
                                               testLoss: r.loss, testAccuracy: r.accuracy))
                onEvent(.epochEnd(epoch: position.epoch - 1, testLoss: r.loss, testAccuracy: r.accuracy))
            }
            try saveCheckpoint(onEvent)
            if shouldStop() && position.epoch < config.epochs { return .interrupted(step: optimizer.step) }
        }
        return .finished
    }

    /// Appends a history row; when the disk is full, saves a checkpoint if it still fits (what
    /// can be saved) and rethrows the one-line `HistoryWriteError`.
    func record(_ row: TrainingHistory.Row) throws {
        do { try folder.appendHistory(row) } catch let error as HistoryWriteError {
            try? saveCheckpoint()
            throw error
        }
    }

    /// Writes the checkpoint and then the model. Each is atomic; the checkpoint comes first, so
    /// a model file is never newer than the state that resumes it.
    public func saveCheckpoint(_ onEvent: (TrainingEvent) -> Void = { _ in }) throws {
        try folder.writeCheckpoint(Checkpoint(config: config, model: model, optimizer: optimizer, position: position))
        try writeModelFile()
        onEvent(.checkpoint(path: folder.checkpointPath, step: optimizer.step))
    }

    /// `model.safetensors` at the current position.
    func writeModelFile() throws {
        let epochs = Double(position.epoch) + Double(position.batch) / Double(max(batchesPerEpoch, 1))
        try folder.writeModel(model, config: config, epochsTrained: epochs, step: optimizer.step)
    }
}
