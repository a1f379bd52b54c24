import Foundation
import MNIST
import RNN
import Synchronization

/// Runs one `Trainer<Float>` on its own thread and reports through ``drainUpdates()``.
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
            let trainer: Trainer<Float>
            var resumed = false
            switch plan.source {
            case let .fresh(config):
                trainer = try Trainer<Float>(config: config, train: trainSet, test: testSet,
                                             outputDirectory: plan.outputDirectory, replacingExistingRun: plan.replacingExistingRun)
            case let .fromWeights(config, weights):
                trainer = try Trainer<Float>(config: config, train: trainSet, test: testSet,
                                             outputDirectory: plan.outputDirectory,
                                             startingWeights: weights.converted(to: Float.self),
                                             replacingExistingRun: plan.replacingExistingRun)
            case let .continueRun(checkpoint):
                // The lock first, then the check for a run already there, then the copy: nothing
                // is written into a folder another process trains in, or over a run not asked for.
                let folder = RunFolder(plan.outputDirectory)
                try folder.prepare()
                let lock = try folder.lock()
                defer { withExtendedLifetime(lock) {} }
                if folder.holdsRun {
                    guard plan.replacingExistingRun else { throw RunFolderError.existingRun(folder: folder.path) }
                    for name in RunFiles.all { try? FileManager.default.removeItem(atPath: folder.path + "/" + name) }
                }
                let fileManager = FileManager.default
                let source = URL(fileURLWithPath: checkpoint).deletingLastPathComponent()
                for name in [RunFiles.checkpoint, RunFiles.history] {
                    let target = plan.outputDirectory + "/" + name
                    guard let bytes = fileManager.contents(atPath: source.appendingPathComponent(name).path) else { continue }
                    try writeFileAtomically(target, [UInt8](bytes))
                }
                let epochs = try TrainingPlan.resumedEpochs(checkpoint: plan.outputDirectory + "/" + RunFiles.checkpoint)
                trainer = try Trainer<Float>(resumingIn: plan.outputDirectory, epochs: epochs, logEvery: 10,
                                             checkpointEvery: .some(100), train: trainSet, test: testSet)
                resumed = true
            case let .extend(moreEpochs):
                let done = try TrainingPlan.checkpointEpochs(plan.outputDirectory + "/" + RunFiles.checkpoint).done
                trainer = try Trainer<Float>(resumingIn: plan.outputDirectory, epochs: done + moreEpochs,
                                             logEvery: nil, checkpointEvery: nil, train: trainSet, test: testSet)
                resumed = true
            case .resume:
                // The explorer's own paused run: its planned epochs, whenever it was paused.
                trainer = try Trainer<Float>(resumingIn: plan.outputDirectory, epochs: nil,
                                             logEvery: nil, checkpointEvery: nil, train: trainSet, test: testSet)
                resumed = true
            }
            post(.started(directory: plan.outputDirectory, epochs: trainer.config.epochs,
                          batchesPerEpoch: trainer.batchesPerEpoch, resumed: resumed))
            let outcome = try trainer.run(shouldStop: { [self] in self.stopRequested.load(ordering: .relaxed) }) { event in
                switch event {
                case let .progress(progress):
                    post(.progress(progress))
                    if weightsRequested.exchange(false, ordering: .relaxed) {
                        post(.weights(trainer.model.converted(to: Double.self)))
                    }
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
            if weightsRequested.exchange(false, ordering: .relaxed) {
                post(.weights(trainer.model.converted(to: Double.self)))
            }
            switch outcome {
            case .finished: post(.finished)
            case let .interrupted(step): post(.paused(step: step))
            }
        } catch {
            post(.failed(String(describing: error)))
        }
    }
}
