import RNN

/// What the Training pane shows: a run started from the explorer (`t`) or one followed
/// with `--follow DIR`.
public struct TrainingStatus: Hashable, Sendable {
    public enum Phase: Hashable, Sendable {
        case idle
        /// Loading data and building the trainer.
        case starting
        case running
        /// Pause requested; the trainer finishes its batch and saves a checkpoint.
        case pausing
        case paused
        case done
        /// Following another process's run folder.
        case following
        case failed(String)

        public var label: String {
            switch self {
            case .idle: "idle"
            case .starting: "starting"
            case .running: "running"
            case .pausing: "pausing"
            case .paused: "paused"
            case .done: "done"
            case .following: "following"
            case .failed: "failed"
            }
        }

        /// Whether a trainer thread is alive (quitting then asks first).
        public var isActive: Bool { self == .starting || self == .running || self == .pausing }
    }

    public var phase: Phase = .idle
    /// Total epochs and batches per epoch of the run.
    public var epochs = 0
    public var batchesPerEpoch = 0
    /// Optimizer steps done: the one source of the position (one step per batch, from 0),
    /// so ``epoch`` and ``batch`` never disagree with it.
    public var step = 0
    public var samplesPerSecond: Double?
    public var etaSeconds: Double?
    public var history = TrainingHistory()
    /// The run folder (explorer run or followed one).
    public var directory: String?
    public var lastCheckpoint: String?
    /// Whether what is shown is a run stored in the training folder, not yet continued here.
    public var isStored = false

    public init() {}

    /// Whether every planned batch is done.
    public var isComplete: Bool { epochs > 0 && batchesPerEpoch > 0 && step >= epochs * batchesPerEpoch }

    /// 0-based epoch in progress (the last one, once complete).
    public var epoch: Int {
        guard batchesPerEpoch > 0 else { return 0 }
        return isComplete ? epochs - 1 : step / batchesPerEpoch
    }

    /// Batches done in ``epoch`` (all of them, once complete).
    public var batch: Int {
        guard batchesPerEpoch > 0 else { return 0 }
        return isComplete ? batchesPerEpoch : step % batchesPerEpoch
    }

    /// Fraction of all epochs done, 0…1 (0 when the totals are unknown).
    public var overallFraction: Double {
        guard epochs > 0, batchesPerEpoch > 0 else { return 0 }
        return min(1, Double(step) / Double(epochs * batchesPerEpoch))
    }

    /// Fraction of the current epoch done, 0…1.
    public var epochFraction: Double {
        guard batchesPerEpoch > 0 else { return 0 }
        return min(1, Double(batch) / Double(batchesPerEpoch))
    }

    /// Applies one trainer progress report (also appends it to the history).
    public mutating func record(_ progress: TrainingProgress) {
        epochs = progress.epochs
        batchesPerEpoch = progress.batchesPerEpoch
        step = progress.step
        samplesPerSecond = progress.samplesPerSecond
        etaSeconds = progress.etaSeconds
        history.rows.append(.init(epoch: progress.epoch, batch: progress.batch, step: progress.step, loss: progress.loss,
                                  accuracy: progress.accuracy, samplesPerSecond: progress.samplesPerSecond, lambdas: progress.lambdas))
    }

    /// Replaces the history with a followed run's file and derives position and speed from
    /// its last rows; `config` (from the run's checkpoint) supplies the totals when known.
    public mutating func follow(history newHistory: TrainingHistory, config: TrainingConfig?, trainCount: Int = 60_000) {
        history = newHistory
        if let config {
            epochs = config.epochs
            let count = min(config.trainLimit ?? trainCount, trainCount)
            batchesPerEpoch = (count + config.batchSize - 1) / config.batchSize
        }
        if let last = newHistory.rows.last { step = last.step }
        samplesPerSecond = newHistory.progressRows.last?.samplesPerSecond
        if let speed = samplesPerSecond, speed > 0, let config, epochs > 0, batchesPerEpoch > 0 {
            let remaining = Double(epochs * batchesPerEpoch - step)
            etaSeconds = max(0, remaining) * Double(config.batchSize) / speed
        } else {
            etaSeconds = nil
        }
        phase = isComplete ? .done : .following
    }
}
