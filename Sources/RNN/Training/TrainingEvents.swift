/// Where a run stands: the next batch to train is `batch` of `epoch` (both 0-based).
public struct TrainingPosition: Sendable, Equatable {
    public var epoch: Int
    public var batch: Int
    public init(epoch: Int = 0, batch: Int = 0) { self.epoch = epoch; self.batch = batch }
}

/// The batches since the last progress row (`logEvery` batches make a row): their summed loss,
/// correct predictions, samples and the seconds they took. A checkpoint carries it (metadata
/// `log_window`, "lossSum correct samples batches seconds") so that a run stopped mid-window and
/// resumed writes the same row as one that was never stopped.
public struct LogWindow: Sendable, Equatable {
    public var lossSum = 0.0
    public var correct = 0
    public var samples = 0
    public var batches = 0
    public var seconds = 0.0

    public init(lossSum: Double = 0, correct: Int = 0, samples: Int = 0, batches: Int = 0, seconds: Double = 0) {
        (self.lossSum, self.correct, self.samples, self.batches, self.seconds) = (lossSum, correct, samples, batches, seconds)
    }

    /// The metadata text: the loss sum to 17 digits (read back exactly).
    public var metadataText: String {
        String(format: "%.17g %d %d %d %.6f", lossSum, correct, samples, batches, seconds)
    }

    /// Parses `metadataText`; nil unless five fields, finite, non-negative, correct ≤ samples.
    public init?(metadataText text: String) {
        let f = text.split(separator: " ").map(String.init)
        guard f.count == 5, let l = Double(f[0]), l.isFinite, l >= 0, let c = Int(f[1]), let s = Int(f[2]), let b = Int(f[3]),
              let t = Double(f[4]), t.isFinite, t >= 0, c >= 0, s >= c, b >= 0, s <= TrainingLimits.maximumStep,
              b <= TrainingLimits.maximumStep else { return nil }
        self.init(lossSum: l, correct: c, samples: s, batches: b, seconds: t)
    }
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
    /// λ_1…λ_K of the last flossing update (a flossing run; empty otherwise).
    public var lambdas: [Double] = []

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
    /// An update left a weight NaN, ±Inf or beyond ±`maximumWeightMagnitude` (the batch's loss
    /// was still finite): a model no command would load.
    case nonFiniteWeights(epoch: Int, batch: Int, step: Int, checkpointKept: Bool)
    /// The test loss at the end of epoch `epoch` (0-based) is NaN or Inf: the weights overflow
    /// the logits. Nothing of that epoch end (best model, checkpoint) is written.
    case nonFiniteTestLoss(epoch: Int, step: Int, checkpointKept: Bool)
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
        case let .nonFiniteWeights(e, b, s, kept):
            return "the weights went beyond ±1e6 (or NaN) at step \(s) (epoch \(e + 1), batch \(b + 1)), too large for any command to read back; " + Self.kept(kept)
        case let .nonFiniteTestLoss(e, s, kept):
            return "the test loss became NaN or Inf at the end of epoch \(e + 1) (step \(s)): the weights overflow the logits; " + Self.kept(kept)
        case let .invalid(setting, requirement): return "\(setting.rawValue) \(requirement)"
        case let .startingWeights(s): return s
        case let .checkpoint(s): return s
        }
    }

    static func kept(_ kept: Bool) -> String {
        kept ? "the last good checkpoint is kept" : "no checkpoint had been written yet (initial.safetensors holds the initialisation)"
    }
}
