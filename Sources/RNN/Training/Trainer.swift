import Foundation
import Linalg
import MNIST

/// The vanilla-cell run on MNIST (one layer or stacked).
public typealias Trainer<T: LinalgScalar> = ModelTrainer<RNNModel<T>, MNISTDataset>
/// A one-layer GRU or LSTM run on MNIST.
public typealias GatedTrainer<T: LinalgScalar> = ModelTrainer<GatedModel<T>, MNISTDataset>
/// The vanilla-cell run on labelled sequences held in memory (`ftle train --inputs`).
public typealias SequenceSetTrainer<T: LinalgScalar> = ModelTrainer<RNNModel<T>, SequenceSet>

/// A training run writing into one `RunFolder`: `model.safetensors` (weights only, loadable by
/// PyTorch), `checkpoint.safetensors` (weights + optimizer state + position, for resuming),
/// `history.csv`, `initial.safetensors` and `best.safetensors` — one loop for every model kind (`TrainableModel`)
/// and every kind of data (`TrainingData`).
public final class ModelTrainer<Model: TrainableModel, Data: TrainingData> {
    public typealias T = Model.Scalar
    public let config: TrainingConfig
    public internal(set) var model: Model
    public private(set) var optimizer: OptimizerState<T>
    public private(set) var position: TrainingPosition
    /// The batches since the last progress row (saved with every checkpoint).
    public private(set) var logWindow = LogWindow()
    public let folder: RunFolder
    let train: Data
    let test: Data?
    /// The folder's writer lock, held for the trainer's lifetime.
    let lock: RunLock
    /// What resuming repaired in `history.csv` (nil for a fresh run or an intact history).
    public private(set) var historyRepair: HistoryRepair?
    /// The flossing gradient of a run with `config.floss` (`Network.flossingGradient` in the
    /// Lyapunov module, which this module cannot import; `ftle train` and the explorer set it).
    public var flossingObjective: FlossingObjective?
    /// λ_1…λ_K of the last flossing update (empty before the first), written on each progress row.
    public private(set) var lastFlossExponents: [Double] = []

    public var outputDirectory: String { folder.path }

    /// Why `config` cannot train this trainer's model kind, in one line (nil: it can).
    public static func unsupportedSetting(in config: TrainingConfig) -> String? { Model.unsupportedSetting(in: config) }

    /// A new run whose untrained model `initialModel(config)` makes once the folder is locked
    /// (it may throw, e.g. for starting weights that do not fit); a model whose file form
    /// `Model.checkpointModel` would not read back under `config` is refused before anything is
    /// written (the run could never resume). A folder that already holds a run (its model or
    /// checkpoint) is refused unless `replacingExistingRun`; another process writing the folder
    /// is always refused.
    public init(config: TrainingConfig, train: Data, test: Data?, outputDirectory: String, replacingExistingRun: Bool = false,
                initialModel: (TrainingConfig) throws -> Model) throws {
        if let problem = Model.unsupportedSetting(in: config) { throw TrainingError.checkpoint(problem) }
        try config.validate()
        try Self.checkTrainingSequences(config, train)
        self.config = config
        self.train = train
        self.test = test
        folder = RunFolder(outputDirectory)
        try folder.prepare()
        lock = try folder.lock()
        try folder.checkBestModelDestination()
        if !replacingExistingRun && folder.holdsRun { throw RunFolderError.existingRun(folder: folder.path) }
        model = try initialModel(config)
        // A run whose checkpoint could not be read back would train to the end and never resume.
        let readBack = try Model.checkpointModel(in: model.safeTensors(), path: "(the new run's model)", config: config)
        guard readBack.trainedParameterArrays == model.trainedParameterArrays, readBack.cellLabel == model.cellLabel else {
            throw TrainingError.checkpoint("the new run's model does not read back from its own file as itself, so it could not resume")
        }
        if let floss = config.floss { try Self.checkFlossingSize(floss, of: model) }
        optimizer = model.makeOptimizer(config)
        position = TrainingPosition()
        // The untrained initialisation is kept for before/after comparisons.
        try folder.start(initialModel: model, config: config)
    }

    /// Continues the run saved in `outputDirectory/checkpoint.safetensors`; `epochs` (if given)
    /// replaces the stored total, `threads` the stored data-parallel count and `flushSubnormals`
    /// the stored flush-to-zero choice (a resume with the stored count continues bit for bit;
    /// another count rounds the rest differently). History rows beyond the checkpoint are
    /// dropped. `checkData` sees the stored config before any weights are read (e.g. to check
    /// that the data is the run's).
    public init(resumingIn outputDirectory: String, epochs: Int?, logEvery: Int?, checkpointEvery: Int??,
                threads: Int? = nil, flushSubnormals: Bool? = nil, train: Data, test: Data?,
                checkData: (TrainingConfig) throws -> Void = { _ in }) throws {
        folder = RunFolder(outputDirectory)
        guard FileManager.default.fileExists(atPath: folder.checkpointPath) else {
            throw FileFormatError(path: folder.checkpointPath, "no such file")
        }
        try folder.prepare()
        lock = try folder.lock()
        var config = try folder.readCheckpointConfig()
        try folder.checkCheckpointBelongsToRun()
        guard config.precision == T.precision else {
            throw TrainingError.checkpoint("\(folder.checkpointPath): checkpoint precision is \(config.precision.rawValue)")
        }
        if let problem = Model.unsupportedSetting(in: config) { throw FileFormatError(path: folder.checkpointPath, "training_config: \(problem)") }
        try checkData(config)
        if let e = epochs { config.epochs = e }
        if let l = logEvery { config.logEvery = l }
        if let c = checkpointEvery { config.checkpointEvery = c }
        if let n = threads { config.threads = n }
        if let f = flushSubnormals { config.flushSubnormals = f }
        try config.validate()
        try Self.checkTrainingSequences(config, train)
        let saved: TrainingCheckpoint<Model> = try folder.readCheckpoint()
        self.config = config
        self.train = train
        self.test = test
        model = saved.model
        optimizer = saved.optimizer
        position = saved.position
        logWindow = saved.logWindow
        // batch = batchesPerEpoch: stopped after an epoch's last batch, before its evaluation.
        guard position.batch <= batchesPerEpoch else {
            throw FileFormatError(path: folder.checkpointPath,
                                  "checkpoint field position_batch is \(position.batch), past the \(batchesPerEpoch) batches of an epoch")
        }
        // Every optimizer step is one batch: the step must be where the position says. (A
        // disagreeing step would cut the history at the wrong row and restart Adam's bias
        // correction at the wrong place.)
        let expectedStep = position.epoch * batchesPerEpoch + position.batch
        guard optimizer.step == expectedStep else {
            throw FileFormatError(path: folder.checkpointPath,
                                  "checkpoint field optimizer_step is \(optimizer.step), but position epoch \(position.epoch), batch \(position.batch) "
                                  + "(\(batchesPerEpoch) batches an epoch) is step \(expectedStep)")
        }
        try folder.checkBestModelDestination()
        historyRepair = try folder.repairHistory(throughStep: optimizer.step, lambdaColumns: config.floss?.k ?? 0)
        // The model file is derived from the checkpoint, written just after it. A kill between
        // the two writes leaves it one checkpoint behind — at the end of a run, for good, since
        // a finished run writes nothing more. Rewriting it here makes every resume repair that.
        try writeModelFile()
    }

    /// The run's training and held-out sequences.
    public var split: TrainingSplit {
        TrainingSplit(count: min(config.trainLimit ?? train.count, train.count), validationFraction: config.validationSplit, seed: config.seed)
    }
    public var trainCount: Int { split.training.count }
    public var batchesPerEpoch: Int { (trainCount + config.batchSize - 1) / config.batchSize }

    /// A run needs at least one training sequence after the limit and the held-out split.
    static func checkTrainingSequences(_ config: TrainingConfig, _ train: Data) throws {
        let count = min(config.trainLimit ?? train.count, train.count)
        guard TrainingSplit(count: count, validationFraction: config.validationSplit, seed: config.seed).training.count >= 1 else {
            throw TrainingError.invalid(.validationSplit, "\(config.validationSplit) leaves none of the \(count) training images to train on")
        }
    }

    /// Trains until `config.epochs` are done or `shouldStop()` turns true (checked after every
    /// batch; the run then saves a checkpoint and returns `.interrupted`).
    ///
    /// Each batch, top to bottom: forward, loss, backward, clip, update (the model's
    /// `ModelTrainingStep`), report. With `config.threads` > 1 the batch's gradient is computed
    /// in that many shards on worker threads; the caller should then have set OpenBLAS to one
    /// thread (`ftle train` does), or the workers' BLAS threads compete for the cores.
    ///
    /// The calling thread (and so every worker) computes in `config.flushSubnormals`'s mode for
    /// the length of the run; the thread's previous mode is restored on return.
    public func run(shouldStop: () -> Bool = { false }, onEvent: (TrainingEvent) -> Void = { _ in }) throws -> TrainingOutcome {
        let previousMode = SubnormalMode.isFlushing
        try SubnormalMode.set(flushing: config.flushSubnormals)
        defer { try? SubnormalMode.set(flushing: previousMode) }
        let bsz = config.batchSize
        let steps = train.batch([0], for: model).steps
        var stepper = model.makeTrainingStep(steps: steps, batchSize: bsz, shards: config.threads)
        // A window resumed from a checkpoint keeps its batches and their time.
        var windowStart = monotonicSeconds() - logWindow.seconds
        let runStart = monotonicSeconds()
        var batchesThisRun = 0
        let totalBatches = config.epochs * batchesPerEpoch
        let sequences = split.training
        if let floss = config.floss { try checkFlossing(floss) }

        while position.epoch < config.epochs {
            let order = epochOrder(seed: config.seed, epoch: position.epoch, count: sequences.count).map { sequences[$0] }
            while position.batch < batchesPerEpoch {
                let lo = position.batch * bsz, hi = min(lo + bsz, sequences.count)
                let batch = train.batch(Array(order[lo..<hi]), for: model)
                // forward, loss, backward, clip, update
                let (loss, correct) = stepper.run(batch, model: &model, optimizer: &optimizer, clip: config.clip,
                                                  lossReduction: config.lossReduction)
                guard loss.isFinite else {
                    throw TrainingError.nonFiniteLoss(epoch: position.epoch, batch: position.batch, step: optimizer.step + 1,
                                                      checkpointKept: folder.hasCheckpoint)
                }
                // NaN fails the comparison too. Beyond ±1e6 no command would read the model back.
                let limit = T(maximumWeightMagnitude)
                guard model.trainedParameterArrays.allSatisfy({ allWithinMagnitude($0, limit) }) else {
                    throw TrainingError.nonFiniteWeights(epoch: position.epoch, batch: position.batch, step: optimizer.step,
                                                         checkpointKept: folder.hasCheckpoint)
                }
                // floss: every `floss.every` steps, one update down ∇ Σ λ_k² of one sequence of the batch
                if let floss = config.floss, optimizer.step % floss.every == 0 {
                    lastFlossExponents = try flossStep(floss, sequences: Array(order[lo..<hi]))
                }
                position.batch += 1
                batchesThisRun += 1
                // report
                logWindow.lossSum += loss; logWindow.correct += correct; logWindow.samples += batch.batchSize; logWindow.batches += 1
                logWindow.seconds = monotonicSeconds() - windowStart
                if position.batch % config.logEvery == 0 || position.batch == batchesPerEpoch {
                    let now = monotonicSeconds()
                    let doneOverall = position.epoch * batchesPerEpoch + position.batch
                    let perBatch = (now - runStart) / Double(batchesThisRun)
                    var progress = TrainingProgress(
                        epoch: position.epoch, epochs: config.epochs, batch: position.batch, batchesPerEpoch: batchesPerEpoch,
                        step: optimizer.step, loss: logWindow.lossSum / Double(logWindow.batches),
                        accuracy: Double(logWindow.correct) / Double(logWindow.samples),
                        samplesPerSecond: Double(logWindow.samples) / max(now - windowStart, 1e-9),
                        etaSeconds: perBatch * Double(totalBatches - doneOverall))
                    progress.lambdas = config.floss == nil ? [] : paddedFlossExponents
                    try record(.init(epoch: progress.epoch, batch: progress.batch, step: progress.step, loss: progress.loss,
                                     accuracy: progress.accuracy, samplesPerSecond: progress.samplesPerSecond,
                                     lambdas: config.floss == nil ? [] : paddedFlossExponents))
                    onEvent(.progress(progress))
                    logWindow = LogWindow()
                    windowStart = now
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
                guard r.loss.isFinite else {
                    throw TrainingError.nonFiniteTestLoss(epoch: position.epoch - 1, step: optimizer.step, checkpointKept: folder.hasCheckpoint)
                }
                model.metadata.testAccuracy = r.accuracy
                // The best epoch so far, judged as history.csv records accuracies (%.6g). Written
                // before the history row: a kill in between redoes this epoch end on resume.
                let recorded = TrainingHistory.Row(epoch: 0, batch: 0, step: 0, testAccuracy: r.accuracy).recordedTestAccuracy
                let isBest = recorded > (folder.bestTestAccuracy(before: position.epoch - 1) ?? -1)
                if isBest { try folder.writeBestModel(model, config: config, epochsTrained: Double(position.epoch), step: optimizer.step) }
                try record(.init(epoch: position.epoch - 1, batch: batchesPerEpoch, step: optimizer.step,
                                 testLoss: r.loss, testAccuracy: r.accuracy))
                onEvent(.epochEnd(epoch: position.epoch - 1, testLoss: r.loss, testAccuracy: r.accuracy))
                if isBest { onEvent(.bestModel(path: folder.bestModelPath, epoch: position.epoch - 1, testAccuracy: r.accuracy)) }
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
        try folder.writeCheckpoint(TrainingCheckpoint(config: config, model: model, optimizer: optimizer, position: position,
                                                      logWindow: logWindow))
        try writeModelFile()
        onEvent(.checkpoint(path: folder.checkpointPath, step: optimizer.step))
    }

    /// `model.safetensors` at the current position.
    func writeModelFile() throws {
        let epochs = Double(position.epoch) + Double(position.batch) / Double(max(batchesPerEpoch, 1))
        try folder.writeModel(model, config: config, epochsTrained: epochs, step: optimizer.step)
    }
}

/// What a command needs of a training run, whatever its model and data: its settings and
/// folder, where it stands, and `run`.
public protocol TrainingRun: AnyObject {
    var config: TrainingConfig { get }
    var folder: RunFolder { get }
    var position: TrainingPosition { get }
    var historyRepair: HistoryRepair? { get }
    var trainCount: Int { get }
    var batchesPerEpoch: Int { get }
    var outputDirectory: String { get }
    /// The flossing gradient (a run with `config.floss` needs it).
    var flossingObjective: FlossingObjective? { get set }
    /// The model's `TrainableModel.cellLabel`.
    var cellLabel: String { get }
    func run(shouldStop: () -> Bool, onEvent: (TrainingEvent) -> Void) throws -> TrainingOutcome
}

extension ModelTrainer: TrainingRun {
    public var cellLabel: String { model.cellLabel }
}
