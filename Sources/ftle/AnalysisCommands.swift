import Analysis
import ArgumentParser
import Foundation
import Linalg
import Lyapunov
import MNIST
import RNN
import TerminalUI

extension SingularSide: ExpressibleByArgument {}
extension AlignmentStudy.Statistic: ExpressibleByArgument {}
extension AlignmentStudy.GradientInitialState: ExpressibleByArgument {}
extension AlignmentStudy.NullSpace: ExpressibleByArgument {}
extension RConvention: ExpressibleByArgument {}

/// Where the alignment study's images come from.
enum SampleSource: String, ExpressibleByArgument, CaseIterable { case test, validation }

/// A preset of every convention choice.
enum Preset: String, ExpressibleByArgument, CaseIterable {
    /// The reference code's choices (github.com/ryanavogt/FTLE-gradients, c898f0c).
    case paperCode = "paper-code"
}

/// `FROM-TO` (1-based, inclusive) as a range, or a usage error naming `flag`.
func parseRange(_ text: String, flag: String) throws -> ClosedRange<Int> {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
    guard parts.count == 2, let from = parts[0], let to = parts[1], from >= 1, from <= to else {
        throw ValidationError("\(flag) must be FROM-TO with 1 ≤ FROM ≤ TO (got \"\(text)\")")
    }
    return from...to
}
extension FlipMode: ExpressibleByArgument {}

/// A one-line progress indicator on stderr (only when stderr is a terminal).
struct ProgressLine {
    let label: String
    let interactive = isatty(STDERR_FILENO) == 1
    let start = monotonicSeconds()

    func update(_ done: Int, _ total: Int) {
        guard interactive, total > 0 else { return }
        let elapsed = monotonicSeconds() - start
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : .nan
        let text = String(format: "\r%@ %d/%d  ETA %@\u{1b}[K", label, done, total, NumberFormat.duration(eta))
        // Best effort, never a trap: a progress line that cannot be shown is not an error.
        Self.show(text)
        if done == total { Self.show("\r\u{1b}[K") }
    }

    private static func show(_ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}

struct Align: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Gradient-subspace alignment of the Q vectors with the singular vectors of ΔV_t (paper Figs. 1–2).",
        discussion: """
        ΔV_t = ∂ℓ_t/∂V for the loss ℓ_t of the readout at step t given the prefix x_1..x_t. With \
        ΔV_t = U Σ Eᵀ, A_t = Q_tᵀ E (right singular vectors; --singular left uses U). Each sample is a \
        test image run from h_0 ~ N(0, 1) (seeded). JSON keys: std_first10, std_last10, std_random10 \
        (std of the alignment of the first --first singular vectors with Q indices 1..10, H−9..H and \
        10 seeded random others from --random-range; --statistic pooled: one population std pooled over t, \
        samples and singular vectors; mean-per-step: the unbiased std per (t, singular vector) averaged, as \
        the paper's code), std_first10_se, std_last10_se and std_random10_se (their bootstrap standard \
        errors over the samples: 1000 resamples of the N samples with replacement, seed 0, Q indices held \
        fixed; null for one sample), std_by_index_first5 and std_by_index_last5 (T×H), random_baseline (≈ 1/√H), \
        histograms, q_indices (1-based), and every convention choice (jacobian, statistic, gradient_h0, \
        random_range, samples_from, null_space, preset). --preset paper-code sets them all to the paper's \
        code: --jacobian transposed --statistic mean-per-step --gradient-h0 independent --random-range \
        6-(H−5) --samples-from validation --null-space included; options given explicitly win.

        Rank: ΔV_t = Σ_{s≤t} g_s h_{s−1}ᵀ has rank ≤ t, and its singular vectors past the numerical \
        rank r (σ_j ≤ max(m, n)·ε·σ_1, ε = 2^-52, LAPACK's and NumPy's matrix_rank tolerance) span its \
        null space, where LAPACK returns an arbitrary basis that changes with the BLAS kernels. With \
        --null-space excluded (the default) only vectors inside the rank enter any statistic: the \
        leading are the first min(--first, r), the trailing the last --last of the range that are not \
        leading (columns max(first, r − last)…r), each signed so that its largest cosine is positive \
        (LAPACK's sign is arbitrary and can flip between kernels); a step with none gives null in std_by_index_last5 \
        (an empty CSV field). rank_by_step and rank_by_step_max give r at each step (smallest and \
        largest over the samples). --null-space included takes the first and last of all H, as the \
        paper's code (row-wise, T = 28 < H = 128: every "last five" vector is then a null-space one).

        GRU and LSTM models (one layer): --gate names the recurrent weight block W_hk (H×H) whose \
        gradient ΔW_t = ∂ℓ_t/∂W_hk takes V's place (GRU: r, z or n; LSTM: i, f, g or o). Its right \
        singular vectors live in h's space. A GRU's state is h, so the study is the vanilla one with \
        W_hk for V (K = H Q vectors). An LSTM's state is [h; c] (2H): no gate block reads c, so each of \
        the K = 2H Q vectors is compared through its h-component re-normalised to unit length (cosines \
        stay in [−1, 1], comparable across cells; a Q vector with no h-component gives 0); the Q groups \
        are the first ten, the last ten of the 2H, and ten random others, and the CSV and \
        std_by_index rows have K entries. JSON adds cell, gate, q_count.
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case json, csv }

    @Option(help: "Model file (.safetensors).") var model: String
    @OptionGroup var modelOptions: NonlinearityOption
    @Option(parsing: .unconditional, help: "Number of test images.") var samples: Int = 25
    @Option(help: "Study these sequences (.npy, N×T×I; the first --samples) instead of MNIST images; needs --labels.") var inputs: String?
    @Option(help: "Integer labels of --inputs (.npy, N values).") var labels: String?
    @Option(parsing: .unconditional, help: "Leading singular vectors compared.") var first: Int = 5
    @Option(parsing: .unconditional, help: "Trailing singular vectors compared.") var last: Int = 5
    @Option(parsing: .unconditional, help: "Seed for h_0 and the random Q indices.") var seed: UInt64 = 0
    @Option(help: "Singular vectors: right (E, presynaptic, like Q) or left (U).") var singular: SingularSide = .right
    @Option(help: jacobianHelp) var jacobian: JacobianConvention?
    @Option(help: "Group statistic: pooled (default) or mean-per-step (the paper's code).") var statistic: AlignmentStudy.Statistic?
    @Option(help: "h_0 of the gradient ΔV_t: same as the Q trace's (default) or independent (a second draw, as the paper's code).")
    var gradientH0: AlignmentStudy.GradientInitialState?
    @Option(help: "1-based range FROM-TO the ten random Q indices are drawn from (default 11-(H−10)).") var randomRange: String?
    @Option(help: "Images: test (default; test images 0..<N) or validation (the first N held-out training images the model records, else a seeded 20 % split).")
    var samplesFrom: SampleSource?
    @Option(help: "Singular vectors past ΔV_t's numerical rank: excluded (default) or included (the paper's code; kernel-dependent).")
    var nullSpace: AlignmentStudy.NullSpace?
    @Option(help: "Set every convention to a preset: paper-code.") var preset: Preset?
    @Option(help: "GRU/LSTM models: the gate block W_hk whose gradient is compared (GRU: r|z|n; LSTM: i|f|g|o).") var gate: String?
    @Option(help: "Output format: json or csv (csv: t,q_index,std_first,std_last).") var format: Format = .json
    @Option(help: "Write to this file (atomically) instead of standard output.") var out: String?
    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup var dataOptions: DataOptions

    func validate() throws {
        if samples < 1 { throw ValidationError("--samples must be at least 1 (got \(samples))") }
        if first < 1 || last < 1 { throw ValidationError("--first and --last must be at least 1") }
        if let randomRange { _ = try parseRange(randomRange, flag: "--random-range") }
        if (inputs == nil) != (labels == nil) { throw ValidationError("--inputs and --labels go together") }
        if inputs != nil && samplesFrom != nil { throw ValidationError("--samples-from applies to MNIST images, not --inputs") }
    }

    /// The study's options: the preset's, then every explicit choice.
    /// `h` is the number of Q vectors (H; 2H for an LSTM, named by `indexName`).
    func studyOptions(hidden h: Int, indexName: String = "H") throws -> AlignmentStudy.Options {
        var o = preset == .paperCode ? AlignmentStudy.Options.paperCode(hidden: h) : AlignmentStudy.Options()
        o.samples = samples; o.first = first; o.last = last; o.seed = seed; o.side = singular
        if let jacobian { o.jacobian = jacobian }
        if let statistic { o.statistic = statistic }
        if let gradientH0 { o.gradientInitialState = gradientH0 }
        if let nullSpace { o.nullSpace = nullSpace }
        if let randomRange {
            let r = try parseRange(randomRange, flag: "--random-range")
            guard r.upperBound <= h, r.count >= 10 else {
                throw UsageError("--random-range \(r.lowerBound)-\(r.upperBound) must hold at least ten indices of 1…\(indexName) = \(h)")
            }
            o.randomRange = r
        }
        return o
    }

    /// The alignment study's needs of a model (shared with `report`): H ≥ 30 and the compared
    /// singular vectors within H.
    static func checkModel(_ m: RNNModel<Double>, first: Int, last: Int) throws {
        guard m.layerCount == 1 else { throw UsageError("align studies the recurrent weights V of a single-layer model; this model has \(m.layerCount) layers") }
        guard m.hidden >= 30 else { throw UsageError("the alignment study needs H ≥ 30 (three groups of ten Q vectors); the model has H = \(m.hidden)") }
        guard first <= m.hidden, last <= m.hidden else { throw UsageError("--first/--last exceed H = \(m.hidden)") }
    }

    /// At least one and at most `available` sample images (shared with `report`).
    static func checkSamples(_ samples: Int, available: Int, source: String) throws {
        guard samples <= available else { throw UsageError("--samples \(samples) exceeds the \(available) \(source) images") }
    }

    var source: SampleSource { samplesFrom ?? (preset == .paperCode ? .validation : .test) }

    /// The images of the study and the dataset they index.
    func sampleImages(metadata: ModelMetadata) throws -> (MNISTDataset, [Int], String) {
        switch source {
        case .test:
            let test = try dataOptions.load(.test)
            try Self.checkSamples(samples, available: test.count, source: "test")
            return (test, Array(0..<samples), "test")
        case .validation:
            let train = try dataOptions.load(.train)
            let recorded = try TrainingSplit.recorded(in: metadata, count: train.count)
            let held = recorded.split.validation, fraction = recorded.fraction, splitSeed = recorded.seed
            try Self.checkSamples(samples, available: held.count, source: "validation")
            return (train, Array(held.prefix(samples)),
                    "validation (\(fraction) of the training set, seed \(splitSeed)\(recorded.isRecorded ? ", recorded by the model" : ", not recorded by the model: default split"))")
        }
    }

    func run() throws {
        try reportingErrors {
            try refuseOutputOverInputs(out, [("--model", model), ("--inputs", inputs), ("--labels", labels)])
            let workers = threadOptions.workers()
            let m: RNNModel<Double>
            switch try loadNetwork(model, nonlinearity: modelOptions.nonlinearity) {
            case let .gated(g): try alignGated(g, workers: workers); return
            case let .vanilla(vanilla): m = vanilla
            }
            if let gate { throw UsageError("--gate \(quotedForMessage(gate)) names a GRU or LSTM gate block; this model is a vanilla RNN (align compares Q with ∂ℓ_t/∂V)") }
            guard inputs != nil || m.imageTask != nil else {
                throw UsageError("the model has no MNIST task: give sequences with --inputs X.npy --labels Y.npy")
            }
            try Self.checkModel(m, first: first, last: last)
            let o = try studyOptions(hidden: m.hidden)
            let progress = ProgressLine(label: "align: sample")
            let study: AlignmentStudy, sourceDescription: String, images: [Int]
            if let inputs, let labels {
                let set = try SequenceSet.load(inputs: inputs, labels: labels, inputSize: m.inputSize)
                try set.checkLabels(classes: m.classes, path: labels)
                guard samples <= set.count else { throw UsageError("--samples \(samples) exceeds the \(set.count) sequences of \(inputs)") }
                images = Array(0..<samples)
                sourceDescription = inputs
                study = try AlignmentStudy(model: m, sequences: images.map(set.sequence), labels: images.map { set.labels[$0] },
                                           steps: set.steps, options: o, threads: workers, progress: progress.update)
            } else {
                let (data, indices, description) = try sampleImages(metadata: m.metadata)
                (images, sourceDescription) = (indices, description)
                study = try AlignmentStudy(model: m, data: data, indices: images, options: o, threads: workers, progress: progress.update)
            }
            try write(study, options: o, source: sourceDescription, images: images, extra: [:])
        }
    }

    /// The study in the chosen format; `extra` goes into the JSON object.
    func write(_ study: AlignmentStudy, options o: AlignmentStudy.Options, source: String, images: [Int], extra: [String: Any]) throws {
        if format == .json {
            var obj = StudyReport.alignmentJSON(study, options: o)
            obj["model"] = model
            obj["samples_from"] = source
            obj["sample_indices"] = images
            obj["preset"] = preset?.rawValue ?? "none"
            obj.merge(extra) { _, new in new }
            try emit(jsonText(obj), to: out)
        } else {
            var lines = ["t,q_index,std_first,std_last"]
            for t in 0..<study.steps { for i in 0..<study.qCount {
                // A step with no such singular vector inside ΔV_t's rank: an empty field.
                func field(_ x: Double) -> String { x.isFinite ? "\(x)" : "" }
                lines.append("\(t + 1),\(i + 1),\(field(study.stdByIndexFirst[t][i])),\(field(study.stdByIndexLast[t][i]))")
            } }
            try emit(lines.joined(separator: "\n") + "\n", to: out)
        }
    }

    /// A single-layer GRU or LSTM: the study of gate block `--gate` (see the discussion).
    func alignGated(_ g: GatedNetwork, workers: Int) throws {
        let names = g.cell.gateNames, cell = g.cell.rawValue.uppercased()
        guard let gate else {
            throw UsageError("\(g.cell.withArticle) model: choose the gate block whose recurrent gradient is compared with --gate \(names.joined(separator: "|"))")
        }
        guard let gateIndex = names.firstIndex(of: gate) else {
            throw UsageError("--gate \(quotedForMessage(gate)) is not \(g.cell.withArticle)'s gate (\(names.joined(separator: ", ")))")
        }
        guard g.layers.count == 1 else {
            throw UsageError("align studies one gated layer's recurrent weights; this \(cell) has \(g.layers.count) layers")
        }
        guard inputs != nil || g.imageTask != nil else {
            throw UsageError("the model has no MNIST task: give sequences with --inputs X.npy --labels Y.npy")
        }
        let h = g.layers[0].hidden, k = g.stateSize, indexName = g.cell == .lstm ? "2H" : "H"
        guard k >= 30 else { throw UsageError("the alignment study needs at least 30 Q vectors (three groups of ten); the \(cell) has \(indexName) = \(k)") }
        guard first <= h, last <= h else { throw UsageError("--first/--last exceed H = \(h)") }
        let o = try studyOptions(hidden: k, indexName: indexName)
        let progress = ProgressLine(label: "align: sample")
        let sequences: [[Double]], labels: [Int], steps: Int, source: String, images: [Int]
        if let inputs, let labelsPath = self.labels {
            let set = try SequenceSet.load(inputs: inputs, labels: labelsPath, inputSize: g.inputSize)
            try set.checkLabels(classes: g.classes, path: labelsPath)
            guard samples <= set.count else { throw UsageError("--samples \(samples) exceeds the \(set.count) sequences of \(inputs)") }
            images = Array(0..<samples)
            (sequences, labels, steps, source) = (images.map(set.sequence), images.map { set.labels[$0] }, set.steps, inputs)
        } else {
            let (data, indices, description) = try sampleImages(metadata: g.metadata)
            images = indices
            sequences = indices.map { g.sequence(ofImage: data.image($0)).map(Double.init) }
            (labels, steps, source) = (indices.map { data.label($0) }, g.imageTask!.steps, description)
        }
        let study = try AlignmentStudy(network: g, gate: gateIndex, sequences: sequences, labels: labels, steps: steps, options: o,
                                       threads: workers, progress: progress.update)
        try write(study, options: o, source: source, images: images,
                  extra: ["cell": g.cell.rawValue, "gate": gate, "q_count": k,
                          "q_components": g.cell == .lstm ? "h-part of each Q vector, re-normalised" : "full"])
    }
}

extension StepBaseline: ExpressibleByArgument {}

struct Perturb: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "R-value input sensitivity: flip the pixels presented at strong expansion vs random pixels (Figs. 3–4, Table 1).",
        discussion: """
        Pixels are scored by ln r_t^1 (or λ_1(t), or Σ_{k≤n} ln r_t^k) at the step that presents them, from \
        h_0 = 0. A flip sets a pixel below 0.001 to 1 (up) and any other to 0 (down). --mode up (down) \
        ranks and samples only dark (lit) pixels; both uses all. For each k, the top-k R-ranked flip and \
        --random seeded random k-subsets of the same candidates; loss difference = CE(perturbed) − \
        CE(original). Table 1: per k, μ_R − μ_rand over the images, variances, and one-sided p-values of \
        H₁ μ_R > μ_rand by Welch's t-test and by the normal approximation.

        With --inputs X.npy --labels Y.npy (sequences that are not MNIST pixels) it ranks steps \
        instead: the top-k steps by the score, and --random seeded random k-subsets of steps, have x_t \
        replaced by --baseline (zero, or the mean of x_t over the set); the first --images sequences are \
        used and the JSON's ranked_pixels are 0-based steps. The statistics are the same.
        """)

    @Option(help: "Model file (.safetensors).") var model: String
    @OptionGroup var modelOptions: NonlinearityOption
    @Option(parsing: .unconditional, help: "Number of test images (0..<N).") var images: Int = 15
    @Option(help: "Perturb these sequences (.npy, N×T×I) instead of MNIST images; needs --labels.") var inputs: String?
    @Option(help: "Integer labels of --inputs (.npy, N values).") var labels: String?
    @Option(help: "What replaces x_t at a perturbed step of --inputs: zero or mean (over the set).") var baseline: StepBaseline?
    @Option(help: "Comma-separated k values.") var k: String = "1,5,10,20,50,75,100,200,300"
    @Option(parsing: .unconditional, help: "Random subsets per (image, k).") var random: Int = 50
    @Option(help: "Flip mode: both, up or down.") var mode: FlipMode = .both
    @Option(help: "Pixel score: r1, ftle1 or sum:N.") var score: String = "r1"
    @Option(parsing: .unconditional, help: "Seed of the random subsets.") var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "Only flip pixels presented at steps FROM-TO (1-based, inclusive), ranked and random alike, e.g. 393-784.")
    var steps: String?
    @Option(help: jacobianHelp) var jacobian: JacobianConvention?
    @Option(help: "R values: paper (the stepper, as the paper's equations; default) or ftle-gradients-code (the paper's code: sech not sech², the state reset each step, a 200-step transposed warm-up; score r1 only).")
    var rConvention: RConvention?
    @Flag(help: "Draw one set of random k-subsets for all images, as the paper's code (needs --mode both).") var sharedRandom = false
    @Option(help: "Set every convention to a preset: paper-code (--r-convention ftle-gradients-code --shared-random).") var preset: Preset?
    enum Format: String, ExpressibleByArgument, CaseIterable { case json, csv, markdown }

    @Option(help: "Output format: json, csv or markdown (Table 1).") var format: Format = .json
    @Option(help: "Write to this file (atomically) instead of standard output.") var out: String?
    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup var dataOptions: DataOptions

    /// `--steps FROM-TO` as a range (bounds checked against T in `run`).
    func parsedSteps() throws -> ClosedRange<Int>? {
        guard let steps else { return nil }
        let parts = steps.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 2, let from = parts[0], let to = parts[1], from >= 1, from <= to else {
            throw ValidationError("--steps must be FROM-TO with 1 ≤ FROM ≤ TO (got \"\(steps)\")")
        }
        return from...to
    }

    func parsedKs() throws -> [Int] {
        let parts = k.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! >= 1 && $0! <= 784 }) else {
            throw ValidationError("--k must be a comma-separated list of integers in 1...784 (got \"\(k)\")")
        }
        return parts.map { $0! }
    }

    func validate() throws {
        _ = try parsedKs()
        if images < 1 { throw ValidationError("--images must be at least 1 (got \(images))") }
        try OptionLimits.check("--random", random, 2...100_000)
        if PixelScore(score) == nil { throw ValidationError("--score must be r1, ftle1 or sum:N with N ≥ 1 (got \"\(score)\")") }
        let o = studyConventions()
        if o.sharedRandom && mode != .both { throw ValidationError("--shared-random needs --mode both (every image then has the same candidates)") }
        if o.rConvention == .ftleGradientsCode && score != "r1" {
            throw ValidationError("--r-convention ftle-gradients-code scores by r1 only (got --score \(score))")
        }
        if o.rConvention == .ftleGradientsCode && jacobian != nil {
            throw ValidationError("--jacobian applies to --r-convention paper; the reference code's R values fix their own propagation")
        }
        _ = try parsedSteps()
        if (inputs == nil) != (labels == nil) { throw ValidationError("--inputs and --labels go together") }
        if baseline != nil && inputs == nil { throw ValidationError("--baseline applies to --inputs only") }
        if inputs != nil && (mode != .both || o.sharedRandom || o.rConvention != .paper) {
            throw ValidationError("--inputs perturbs steps: --mode, --shared-random and --r-convention apply to MNIST images only")
        }
    }

    /// At most as many images as the test split has (shared with `report`).
    static func checkImages(_ images: Int, test: MNISTDataset) throws {
        guard images <= test.count else { throw UsageError("--images \(images) exceeds the \(test.count) test images") }
    }

    /// The preset's conventions, then every explicit choice.
    func studyConventions() -> SensitivityStudy.Options {
        var o = preset == .paperCode ? SensitivityStudy.Options.paperCode : SensitivityStudy.Options()
        if let jacobian { o.jacobian = jacobian }
        if let rConvention { o.rConvention = rConvention }
        if sharedRandom { o.sharedRandom = true }
        return o
    }

    func run() throws {
        try reportingErrors {
            try refuseOutputOverInputs(out, [("--model", model), ("--inputs", inputs), ("--labels", labels)])
            let workers = threadOptions.workers()
            if case let .gated(g) = try loadNetwork(model, nonlinearity: modelOptions.nonlinearity) {
                try perturbGated(g, workers: workers)
                return
            }
            let m: RNNModel<Float> = try loadModel(model, nonlinearity: modelOptions.nonlinearity)
            if let inputs, let labels {
                try perturbSequences(inputSize: m.inputSize, classes: m.classes, stateSize: m.stateSize, inputs: inputs, labels: labels,
                                     extra: [:]) { set, base, o, progress in
                    try SensitivityStudy(model: m, sequences: set, baseline: base, options: o, progress: progress)
                }
                return
            }
            guard m.imageTask != nil else { throw UsageError("the model has no MNIST task: give sequences with --inputs X.npy --labels Y.npy") }
            let test = try dataOptions.load(.test)
            try Self.checkImages(images, test: test)
            var o = studyConventions()
            o.images = images; o.ks = try parsedKs(); o.randomSubsets = random; o.mode = mode; o.score = PixelScore(score)!; o.seed = seed
            o.steps = try parsedSteps()
            if let window = o.steps, window.upperBound > m.task.steps {
                throw UsageError("--steps \(window.lowerBound)-\(window.upperBound) goes past T = \(m.task.steps)")
            }
            if case let .sum(n) = o.score, n > m.hidden { throw UsageError("--score sum:\(n) exceeds H = \(m.hidden)") }
            let progress = ProgressLine(label: "perturb: (image, k)")
            let study = try SensitivityStudy(model: m, data: test, options: o, threads: workers, progress: progress.update)
            try write(study, extra: ["preset": preset?.rawValue ?? "none"])
        }
    }

    /// A GRU or LSTM model of an MNIST task: the same study, its traces and logits in Float64.
    func perturbGated(_ g: GatedNetwork, workers: Int) throws {
        if let inputs, let labels {
            try perturbSequences(inputSize: g.inputSize, classes: g.classes, stateSize: g.stateSize, inputs: inputs, labels: labels,
                                 extra: ["cell": g.cell.rawValue]) { set, base, o, progress in
                try SensitivityStudy(network: g, sequences: set, baseline: base, options: o, progress: progress)
            }
            return
        }
        guard let task = g.imageTask else { throw UsageError("the model has no MNIST task: give sequences with --inputs X.npy --labels Y.npy") }
        let test = try dataOptions.load(.test)
        try Self.checkImages(images, test: test)
        var o = studyConventions()
        o.images = images; o.ks = try parsedKs(); o.randomSubsets = random; o.mode = mode; o.score = PixelScore(score)!; o.seed = seed
        o.steps = try parsedSteps()
        if let window = o.steps, window.upperBound > task.steps {
            throw UsageError("--steps \(window.lowerBound)-\(window.upperBound) goes past T = \(task.steps)")
        }
        if case let .sum(n) = o.score, n > g.stateSize { throw UsageError("--score sum:\(n) exceeds N = \(g.stateSize)") }
        let study = try SensitivityStudy(network: g, data: test, options: o, threads: workers,
                                         progress: ProgressLine(label: "perturb: (image, k)").update)
        try write(study, extra: ["preset": preset?.rawValue ?? "none", "cell": g.cell.rawValue])
    }

    /// The study in the chosen format; `extra` goes into the JSON object beside "model".
    func write(_ study: SensitivityStudy, extra: [String: Any]) throws {
        switch format {
        case .markdown: try emit(study.markdownTable(), to: out)
        case .csv: try emit(StudyReport.sensitivityCSV(study), to: out)
        case .json:
            var obj = StudyReport.sensitivityJSON(study)
            obj["model"] = model
            obj.merge(extra) { _, new in new }
            try emit(jsonText(obj), to: out)
        }
    }

    /// `--inputs`: steps ranked and replaced by the baseline (`SensitivityStudy(sequences:)`,
    /// made by `study` for any cell).
    func perturbSequences(inputSize: Int, classes: Int, stateSize: Int, inputs: String, labels: String, extra: [String: Any],
                          study makeStudy: (SequenceSet, StepBaseline, SensitivityStudy.Options, (Int, Int) -> Void) throws -> SensitivityStudy) throws {
        let set = try SequenceSet.load(inputs: inputs, labels: labels, inputSize: inputSize)
        try set.checkLabels(classes: classes, path: labels)
        var o = studyConventions()
        o.images = min(images, set.count); o.ks = try parsedKs(); o.randomSubsets = random; o.score = PixelScore(score)!; o.seed = seed
        o.steps = try parsedSteps()
        if let window = o.steps, window.upperBound > set.steps {
            throw UsageError("--steps \(window.lowerBound)-\(window.upperBound) goes past T = \(set.steps)")
        }
        if case let .sum(n) = o.score, n > stateSize { throw UsageError("--score sum:\(n) exceeds N = \(stateSize)") }
        let base = baseline ?? .zero
        let study = try makeStudy(set, base, o, ProgressLine(label: "perturb: (sequence, k)").update)
        try write(study, extra: extra.merging(["inputs": inputs, "unit": "steps", "baseline": base.rawValue]) { _, new in new })
    }
}
