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

    public init(epoch: Int, epochs: Int, batch: Int, batchesPerEpoch: Int, step: Int, loss: Double, accuracy: Double,
                samplesPerSecond: Double, etaSeconds: Double) {
        self.epoch = epoch; self.epochs = epochs; self.batch = batch; self.batchesPerEpoch = batchesPerEpoch
        self.step = step; self.loss = loss; self.accuracy = accuracy
        self.samplesPerSecond = samplesPerSecond; self.etaSeconds = etaSeconds
    }
}

public enum TrainingEvent: Sendable {
    case progress(TrainingProgress)
    case epochEnd(epoch: Int, testLoss: Double, testAccuracy: Double)
    case checkpoint(path: String, step: Int)
    /// `best.safetensors` was written: epoch `epoch` (0-based) beat every earlier one (comes
    /// after that epoch's `epochEnd`).
    case bestModel(path: String, epoch: Int, testAccuracy: Double)
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
    /// A setting out of range: the setting and what it must be ("must be at least 1 (got 0)").
    case invalid(TrainingConfig.Setting, String)
    /// Starting weights that do not fit the run.
    case startingWeights(String)
    /// A checkpoint that cannot resume this run.
    case checkpoint(String)

    public var description: String {
        switch self {
        case let .nonFiniteLoss(e, b, s, kept):
            return "loss became NaN or Inf at step \(s) (epoch \(e + 1), batch \(b + 1)); "
                + (kept ? "the last good checkpoint is kept" : "no checkpoint had been written yet (initial.safetensors holds the initialisation)")
        case let .invalid(setting, requirement): return "\(setting.rawValue) \(requirement)"
        case let .startingWeights(s): return s
        case let .checkpoint(s): return s
        }
    }
}
