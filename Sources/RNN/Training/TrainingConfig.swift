import Foundation
import Linalg
import MNIST

/// The arithmetic a run trains in.
public enum Precision: String, Sendable, Codable, CaseIterable {
    /// Float32, as PyTorch trains (the default).
    case f32
    /// Float64.
    case f64
}

extension LinalgScalar {
    /// The `Precision` this scalar type trains in.
    public static var precision: Precision { byteWidth == 8 ? .f64 : .f32 }
}

/// How a batch's per-sample losses are combined before differentiation.
public enum LossReduction: String, Sendable, Codable, CaseIterable {
    /// (1/B) Σ ℓ_n — PyTorch's default.
    case mean
    /// Σ ℓ_n — the gradient is B times the mean's (the paper's row-wise recipe).
    case sum
}

/// Everything that defines a training run. Stored in the checkpoint so a resumed run continues
/// with the same settings (only `epochs`, `logEvery` and `checkpointEvery` may change).
public struct TrainingConfig: Codable, Sendable, Equatable {
    public var task: SequenceTask.Kind = .rowwise
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
    public var precision: Precision = .f32
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
    /// Data-parallel workers: each batch is split into this many shards whose gradients are
    /// summed in shard order (see `TrainingStep`); 1 is one shard. Part of the arithmetic (the
    /// count changes the rounding), so a checkpoint records it; older ones mean 1.
    public var threads = 1
    /// Flush subnormal numbers to zero on every thread of the run's arithmetic (`SubnormalMode`;
    /// PyTorch's `torch.set_flush_denormal(True)`). Part of the arithmetic, so a checkpoint
    /// records it; older ones mean false. New runs of `ftle train` and the explorer set it true
    /// unless asked to keep subnormals (`--keep-subnormals`).
    public var flushSubnormals = false
    /// The recurrent cell: rnn (`Trainer`, `RNNModel`) or gru/lstm (`GatedTrainer`,
    /// `GatedModel`). Older checkpoints mean rnn.
    public var cell: CellKind = .rnn
    /// L, stacked layers of `hidden` units each (PyTorch's `num_layers`; the vanilla cell).
    /// Older checkpoints mean 1.
    public var layers = 1
    /// What a sequence-set run (`ftle train --inputs`) trains on; nil for an MNIST run.
    public var sequenceData: SequenceDataRecord? = nil
    /// Gradient flossing (`ftle train --floss K`); nil: none. Older checkpoints mean none.
    public var floss: FlossSettings? = nil

    public init() {}

    /// The sequence task this configuration names.
    public func sequenceTask() throws -> SequenceTask {
        switch task {
        case .rowwise: return .rowwise
        case .pixelwise: return .pixelwise
        case .permuted:
            if let p = permutation {
                guard SequenceTask.isValidPermutation(p) else { throw TrainingError.invalid(.permutation, "is not a bijection of 0..<784") }
                return .permuted(permutation: p)
            }
            return .permuted(seed: permutationSeed)
        }
    }

    /// The settings a caller can get wrong, named for error messages; a command-line tool maps
    /// each to its flag.
    public enum Setting: String, Sendable, Equatable, CaseIterable {
        case hidden = "the hidden size", epochs = "the number of epochs", batchSize = "the batch size"
        case learningRate = "the learning rate", clip = "the clipping norm", momentum = "the momentum"
        case trainLimit = "the training-image limit", testLimit = "the test-image limit"
        case checkpointEvery = "the checkpoint interval", logEvery = "the report interval"
        case recurrentGain = "the recurrent gain", inputGain = "the input gain"
        case validationSplit = "the validation split", permutation = "the permutation"
        case threads = "the number of threads"
        case layers = "the number of layers"
        case flossK = "the number of flossed exponents", flossWeight = "the flossing step size"
        case flossEvery = "the flossing interval", flossSteps = "the flossing window"
    }

    /// Throws `TrainingError.invalid` naming the first setting out of range.
    public func validate() throws {
        func check(_ ok: Bool, _ setting: Setting, _ requirement: String) throws {
            if !ok { throw TrainingError.invalid(setting, requirement) }
        }
        try check(hidden >= 1, .hidden, "must be at least 1 (got \(hidden))")
        try check(epochs >= 1, .epochs, "must be at least 1 (got \(epochs))")
        try check(batchSize >= 1, .batchSize, "must be at least 1 (got \(batchSize))")
        try check(learningRate > 0 && learningRate.isFinite, .learningRate, "must be positive (got \(learningRate))")
        try check(clip >= 0 && clip.isFinite, .clip, "must be ≥ 0 (got \(clip); 0 disables clipping)")
        try check(momentum >= 0 && momentum < 1, .momentum, "must be in [0, 1) (got \(momentum))")
        if let l = trainLimit { try check(l >= 1, .trainLimit, "must be at least 1 (got \(l))") }
        if let l = testLimit { try check(l >= 1, .testLimit, "must be at least 1 (got \(l))") }
        if let n = checkpointEvery { try check(n >= 1, .checkpointEvery, "must be at least 1 (got \(n))") }
        try check(logEvery >= 1, .logEvery, "must be at least 1 (got \(logEvery))")
        try check(gains.recurrent > 0 && gains.recurrent <= 1e6, .recurrentGain, "must be positive and at most 1e6 (got \(gains.recurrent))")
        try check(gains.input > 0 && gains.input <= 1e6, .inputGain, "must be positive and at most 1e6 (got \(gains.input))")
        try check(validationSplit >= 0 && validationSplit < 1, .validationSplit, "must be in [0, 1) (got \(validationSplit))")
        try check(threads >= 1 && threads <= 64, .threads, "must be in 1...64 (got \(threads))")
        try check(layers >= 1 && layers <= TrainingLimits.maximumLayers, .layers, "must be in 1...\(TrainingLimits.maximumLayers) (got \(layers))")
        // The built-in cells' stacked steps run each batch whole; a `Network` run shards any stack.
        try check(layers == 1 || threads == 1 || !CellKind.builtIn.contains(cell), .threads, "must be 1 for a run of \(layers) layers (a stacked run trains each batch in one shard; got \(threads))")
        if let floss {
            try check(floss.k >= 1, .flossK, "must be at least 1 (got \(floss.k))")
            try check(floss.weight > 0 && floss.weight.isFinite, .flossWeight, "must be positive (got \(floss.weight))")
            try check(floss.every >= 1, .flossEvery, "must be at least 1 (got \(floss.every))")
            if let steps = floss.steps { try check(steps >= 1, .flossSteps, "must be at least 1 (got \(steps))") }
        }
        _ = try sequenceTask()
        try checkLimits()
    }
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
        try take(.threads, &d.threads); try take(.flushSubnormals, &d.flushSubnormals)
        try take(.cell, &d.cell); try take(.layers, &d.layers)
        d.sequenceData = try c.decodeIfPresent(SequenceDataRecord.self, forKey: .sequenceData)
        d.floss = try c.decodeIfPresent(FlossSettings.self, forKey: .floss)
        d.trainLimit = try c.decodeIfPresent(Int.self, forKey: .trainLimit)
        d.testLimit = try c.decodeIfPresent(Int.self, forKey: .testLimit)
        d.checkpointEvery = try c.decodeIfPresent(Int.self, forKey: .checkpointEvery)
        d.permutation = try c.decodeIfPresent([Int].self, forKey: .permutation)
        self = d
    }
}

/// Gradient flossing during training (Engelken 2023): every `every` optimizer steps, one
/// extra update θ ← θ − `weight` · ∇θ Σ_{k≤K} λ_k², λ_k the finite-time exponents of one
/// training sequence of that batch (drawn by the run's seed and the step, so a resume draws
/// the same) over its first `steps` inputs, from h_0 = 0 and Q_0 the first K columns of I
/// under the forward convention. The gradient's norm is clipped to the run's `clip` (when
/// set). The update is a plain gradient step beside the optimizer's: the optimizer's state and
/// step count are the task loss's alone.
public struct FlossSettings: Codable, Sendable, Equatable {
    /// K, the leading exponents pulled toward zero.
    public var k: Int
    /// The step size of the flossing update.
    public var weight: Double
    /// One flossing update every this many optimizer steps.
    public var every: Int
    /// T of the window (nil or past the sequences' length: the whole sequence).
    public var steps: Int?

    public init(k: Int, weight: Double, every: Int, steps: Int?) {
        self.k = k; self.weight = weight; self.every = every; self.steps = steps
    }
}

/// The hyper-parameters a run records in its `model.safetensors` metadata, so that a later run
/// from those weights (the explorer's `t` on a bare model file) can train them the same way.
extension TrainingConfig {
    /// Metadata keys of the recorded settings (`momentum` only for SGD).
    public static let recordedKeys = ["lr", "optimizer", "batch_size", "clip", "momentum", "loss_reduction",
                                      "validation_split", "validation_seed", "flush_subnormals"]

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
        metadata.extra["flush_subnormals"] = flushSubnormals ? "true" : nil
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
        if let f = recorded["flush_subnormals"] { flushSubnormals = f == "true" }
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

extension TrainingSplit {
    /// The held-out split a model records (`validation_split`, `validation_seed`, written by
    /// `TrainingConfig.record`), or, when it records none, 20 % with seed 0.
    public struct Recorded: Sendable {
        public var split: TrainingSplit
        public var fraction: Double
        public var seed: UInt64
        /// False when the model records no split and the default was used.
        public var isRecorded: Bool
    }

    /// The split of `count` training images that `metadata` records (see `Recorded`). Throws
    /// `TrainingError.checkpoint` naming the values when they are unusable (a fraction outside
    /// (0, 1) or a seed that is not an unsigned integer).
    public static func recorded(in metadata: ModelMetadata, count: Int) throws -> Recorded {
        let fractionText = metadata.extra["validation_split"], seedText = metadata.extra["validation_seed"]
        let fraction = fractionText.map { Double($0) ?? .nan } ?? 0.2
        let seed = seedText.map { UInt64($0) } ?? 0
        guard fraction > 0 && fraction < 1, let seed else {
            throw TrainingError.checkpoint("the model records an unusable validation split (validation_split \(fractionText ?? "none"), validation_seed \(seedText ?? "none"))")
        }
        return Recorded(split: TrainingSplit(count: count, validationFraction: fraction, seed: seed), fraction: fraction, seed: seed,
                        isRecorded: fractionText != nil)
    }
}
