import Foundation
import Lyapunov
import MNIST
import RNN
import Synchronization

/// Runs one training run of any MNIST model (vanilla, GRU or LSTM; see `TrainingPlan`) on its own thread and reports through ``drainUpdates()``.
///
/// Pausing sets the flag the trainer's `shouldStop` polls after every batch; the trainer
/// then saves a checkpoint and returns, and a later ``start(_:)`` resumes it. Weights and
/// checkpoints are requested through flags served at the trainer's next progress report
/// (every `logEvery` batches), on the training thread, so the trainer is never touched
/// from two threads.
public final class TrainingWorker: Sendable {
    private struct Shared {
        var updates: [TrainingUpdate] = []
        var isRunning = false
    }

    private let shared = Mutex(Shared())
    private let stopRequested = Atomic<Bool>(false)
    private let weightsRequested = Atomic<Bool>(false)
    private let checkpointRequested = Atomic<Bool>(false)

    public init() {}

    /// Whether a trainer thread is alive.
    public var isRunning: Bool { shared.withLock { $0.isRunning } }

    /// Starts training on a new thread (no-op while one runs).
    public func start(_ plan: TrainingPlan) {
        let alreadyRunning = shared.withLock { state -> Bool in
            defer { state.isRunning = true }
            return state.isRunning
        }
        guard !alreadyRunning else { return }
        stopRequested.store(false, ordering: .relaxed)
        let thread = Thread { [self] in
            SignalMonitor.blockInCurrentThread()
            self.train(plan)
            shared.withLock { $0.isRunning = false }
        }
        thread.name = "ftle-training"
        thread.start()
    }

    /// Asks the trainer to stop after its current batch (it saves a checkpoint first).
    public func pause() { stopRequested.store(true, ordering: .relaxed) }

    /// Asks for the newest weights at the next progress report.
    public func requestWeights() { weightsRequested.store(true, ordering: .relaxed) }

    /// Asks for a checkpoint at the next progress report.
    public func requestCheckpoint() { checkpointRequested.store(true, ordering: .relaxed) }

    /// Updates since the last call, oldest first.
    public func drainUpdates() -> [TrainingUpdate] {
        shared.withLock { state in
            defer { state.updates.removeAll() }
            return state.updates
        }
    }

    /// Blocks until the trainer thread has ended (after ``pause()``), at most `timeout` seconds.
    public func waitUntilStopped(timeout: Double) {
        let deadline = monotonicSeconds() + timeout
        while isRunning && monotonicSeconds() < deadline { usleep(20_000) }
    }

    private func post(_ update: TrainingUpdate) {
        shared.withLock { $0.updates.append(update) }
    }

    private func train(_ plan: TrainingPlan) {
        do {
            let trainSet = try MNISTDataset.load(directory: plan.dataDirectory, split: .train)
            let testSet = try MNISTDataset.load(directory: plan.dataDirectory, split: .test)
            // Copy a run to continue first: its checkpoint then says which model trains. The
            // folder stays locked from the copy until the trainer holds it (the lock is re-entrant
            // within the process), so no other process takes the copied run in between.
            var copyLock: RunLock?
            if case let .continueRun(checkpoint) = plan.source {
                try Self.checkTrainable(checkpoint: checkpoint)   // before anything is copied
                copyLock = try Self.copyRun(checkpoint: checkpoint, into: plan)
            }
            defer { withExtendedLifetime(copyLock) {} }
            switch try Self.modelKind(of: plan) {
            case (.rnn, .f32): try train(plan, RNNModel<Float>.self, trainSet, testSet)
            case (.rnn, .f64): try train(plan, RNNModel<Double>.self, trainSet, testSet)
            case (_, .f32): try train(plan, GatedModel<Float>.self, trainSet, testSet)
            case (_, .f64): try train(plan, GatedModel<Double>.self, trainSet, testSet)
            }
        } catch {
            post(.failed(String(describing: error)))
        }
    }

    /// The cell and precision of the run `plan` trains: a new run's from its config (Float32
    /// unless it says otherwise, as `ftle train`), a resumed one's from the checkpoint in its folder.
    static func modelKind(of plan: TrainingPlan) throws -> (cell: CellKind, precision: Precision) {
        let config = try plan.source.newRunConfig ?? RunFolder(plan.outputDirectory).readCheckpointConfig()
        try refuseForeignCell(config)
        return (config.cell, config.precision)
    }

    /// Refuses, in one line, a checkpoint the explorer's trainers cannot continue: one whose
    /// config names a cell outside ftle's own, or a network run's (its optimizer slots are in
    /// another order).
    static func checkTrainable(checkpoint: String) throws {
        let file = try SafeTensorsFile(contentsOf: checkpoint)
        if file.metadata["format"] == Network.fileFormat {
            throw TrainingError.checkpoint("\(checkpoint): a network run's checkpoint (written by a program training a Network); "
                                           + "the explorer continues runs of ftle train and its own")
        }
        let config = try RunFolder(URL(fileURLWithPath: checkpoint).deletingLastPathComponent().path).readCheckpointConfig()
        try refuseForeignCell(config)
    }

    static func refuseForeignCell(_ config: TrainingConfig) throws {
        if config.cell.notBuiltIn != nil {
            throw TrainingError.checkpoint("the run's cell \(quotedForMessage(config.cell.rawValue)) is not one of ftle's own (rnn, gru or lstm), "
                                           + "the only cells the explorer trains")
        }
    }

    /// Copies the checkpoint and history of the run of `checkpoint` into `plan`'s folder: under
    /// the folder's lock, after the check for a run already there, so nothing is written into
    /// a folder another process trains in, or over a run not asked for. Returns the lock,
    /// which the caller keeps until its trainer has locked the folder itself.
    static func copyRun(checkpoint: String, into plan: TrainingPlan) throws -> RunLock {
        let folder = RunFolder(plan.outputDirectory)
        try folder.prepare()
        let lock = try folder.lock()
        if folder.holdsRun {
            guard plan.replacingExistingRun else { throw RunFolderError.existingRun(folder: folder.path) }
            for name in RunFiles.all { try? FileManager.default.removeItem(atPath: folder.path + "/" + name) }
        }
        let source = URL(fileURLWithPath: checkpoint).deletingLastPathComponent()
        for name in [RunFiles.checkpoint, RunFiles.history] {
            guard let bytes = FileManager.default.contents(atPath: source.appendingPathComponent(name).path) else { continue }
            try writeFileAtomically(plan.outputDirectory + "/" + name, [UInt8](bytes))
        }
        return lock
    }

    /// The trainer of `plan` for models of type `Model`.
    private func makeTrainer<Model: ExplorerTrainable>(_ plan: TrainingPlan, _: Model.Type, _ trainSet: MNISTDataset,
                                                      _ testSet: MNISTDataset) throws -> ModelTrainer<Model, MNISTDataset> {
        switch plan.source {
        case let .fresh(config):
            return try Model.newTrainer(config: config, startingWeights: nil, train: trainSet, test: testSet,
                                        outputDirectory: plan.outputDirectory, replacingExistingRun: plan.replacingExistingRun)
        case let .fromWeights(config, weights):
            return try Model.newTrainer(config: config, startingWeights: weights, train: trainSet, test: testSet,
                                        outputDirectory: plan.outputDirectory, replacingExistingRun: plan.replacingExistingRun)
        case .continueRun:
            let epochs = try TrainingPlan.resumedEpochs(checkpoint: plan.outputDirectory + "/" + RunFiles.checkpoint)
            return try ModelTrainer(resumingIn: plan.outputDirectory, epochs: epochs, logEvery: 10,
                                    checkpointEvery: .some(100), train: trainSet, test: testSet)
        case let .extend(moreEpochs):
            let done = try TrainingPlan.checkpointEpochs(plan.outputDirectory + "/" + RunFiles.checkpoint).done
            return try ModelTrainer(resumingIn: plan.outputDirectory, epochs: done + moreEpochs,
                                    logEvery: nil, checkpointEvery: nil, train: trainSet, test: testSet)
        case .resume:
            // The explorer's own paused run: its planned epochs, whenever it was paused.
            return try ModelTrainer(resumingIn: plan.outputDirectory, epochs: nil,
                                    logEvery: nil, checkpointEvery: nil, train: trainSet, test: testSet)
        }
    }

    /// Trains `plan` with a `Model` trainer, posting its progress, checkpoints and weights.
    private func train<Model: ExplorerTrainable>(_ plan: TrainingPlan, _ type: Model.Type, _ trainSet: MNISTDataset,
                                                 _ testSet: MNISTDataset) throws {
        let trainer = try makeTrainer(plan, type, trainSet, testSet)
        // A flossing run (ftle train --floss) flosses here as it does in ftle train.
        if trainer.config.floss != nil { trainer.flossingObjective = Network.flossingForTraining }
        post(.started(directory: plan.outputDirectory, epochs: trainer.config.epochs,
                      batchesPerEpoch: trainer.batchesPerEpoch, resumed: plan.source.isResume))
        // The weights as the analyses read them: the model's file form, read as any model file is.
        let weightsPath = plan.outputDirectory + "/" + RunFiles.model
        func postWeights() {
            do { post(.weights(try Network.read(trainer.model.safeTensors(), path: weightsPath))) }
            catch { post(.failed("weights: \(error)")) }
        }
        let outcome = try trainer.run(shouldStop: { [self] in self.stopRequested.load(ordering: .relaxed) }) { event in
            switch event {
            case let .progress(progress):
                post(.progress(progress))
                if weightsRequested.exchange(false, ordering: .relaxed) { postWeights() }
                if checkpointRequested.exchange(false, ordering: .relaxed) {
                    do { try trainer.saveCheckpoint { if case let .checkpoint(path, step) = $0 { post(.checkpoint(path: path, step: step)) } } }
                    catch { post(.failed("checkpoint: \(error)")) }
                }
            case let .epochEnd(epoch, testLoss, testAccuracy):
                post(.epochEnd(epoch: epoch, testLoss: testLoss, testAccuracy: testAccuracy))
            case let .checkpoint(path, step):
                post(.checkpoint(path: path, step: step))
            case .bestModel:
                break  // the Training pane shows every epoch's accuracy already
            }
        }
        if weightsRequested.exchange(false, ordering: .relaxed) { postWeights() }
        switch outcome {
        case .finished: post(.finished)
        case let .interrupted(step): post(.paused(step: step))
        }
    }
}

/// The models the explorer trains in the background, and how a new run of each starts (fresh,
/// or from the loaded weights converted to the model's type).
protocol ExplorerTrainable: TrainableModel {
    static func newTrainer(config: TrainingConfig, startingWeights: Network?, train: MNISTDataset, test: MNISTDataset,
                           outputDirectory: String, replacingExistingRun: Bool) throws -> ModelTrainer<Self, MNISTDataset>
}

extension RNNModel: ExplorerTrainable {
    static func newTrainer(config: TrainingConfig, startingWeights: Network?, train: MNISTDataset, test: MNISTDataset,
                           outputDirectory: String, replacingExistingRun: Bool) throws -> ModelTrainer<Self, MNISTDataset> {
        let vanilla = startingWeights?.vanillaModel
        if let weights = startingWeights, vanilla == nil {
            throw TrainingError.startingWeights("the starting weights are a \(weights.cellName.uppercased()), but the run trains a vanilla RNN")
        }
        return try ModelTrainer(config: config, train: train, test: test, outputDirectory: outputDirectory,
                                startingWeights: vanilla?.converted(to: T.self), replacingExistingRun: replacingExistingRun)
    }
}

extension GatedModel: ExplorerTrainable {
    static func newTrainer(config: TrainingConfig, startingWeights: Network?, train: MNISTDataset, test: MNISTDataset,
                           outputDirectory: String, replacingExistingRun: Bool) throws -> ModelTrainer<Self, MNISTDataset> {
        var start: GatedModel?
        if let weights = startingWeights {
            guard let gated = weights.gatedNetwork else {
                throw TrainingError.startingWeights("the starting weights are a \(weights.cellKind == .rnn ? "vanilla RNN" : weights.cellName), "
                                                    + "but the run trains \(config.cell.gated?.withArticle ?? "a gated RNN")")
            }
            start = try GatedModel(network: gated, path: "the loaded model")
        }
        return try ModelTrainer(config: config, train: train, test: test, outputDirectory: outputDirectory,
                                startingWeights: start, replacingExistingRun: replacingExistingRun)
    }
}
