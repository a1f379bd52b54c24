import Analysis
import ArgumentParser
import Foundation
import Linalg
import Lyapunov
import MNIST
import RNN
import TerminalUI

extension SingularSide: ExpressibleByArgument {}
extension QComponents: ExpressibleByArgument {}
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

        Any model: ΔW_t is the gradient of rnn.weight_hh_l{K} (--layer, default the top layer; a vanilla \
        layer's V). For a GRU or LSTM it is the whole recurrent block (all gates, G·H×H) unless --gate \
        names one gate's rows (GRU: r, z, n; LSTM: i, f, g, o). Its right singular vectors live in that \
        layer's h, which is part of the state s (N entries: an LSTM's [h; c], a stack's layers); the Q \
        vectors span all of s, so K = N and the Q groups are the first ten, the last ten of the N and ten \
        random others (the CSV and std_by_index rows have K entries). --q-components state (the default) \
        takes the true cosine in the state space, q_i · ê_j with ê_j placed in h's rows, so a Q vector \
        with little weight in h has small cosines; renormalised scales each q's h-rows to unit length \
        first (cosines span [−1, 1] whatever the split). JSON adds cell, layer, parameter, gate (none, \
        all or the gate's name), state_size, q_count, q_components and ‖q_h‖, each Q vector's norm in \
        h's rows averaged over samples and steps: q_norm_by_index (K) and its group means q_norm_first10, \
        q_norm_last10, q_norm_random10 (all 1 for one vanilla or GRU layer). random_baseline is taken in \
        the dimension the cosines live in (N, or H when renormalised). --singular left needs a block of H \
        rows (a vanilla layer or one gate).

        --frame clv compares the covariant Lyapunov vectors v_k(t) (ftle clv, Ginelli's method, all K = N \
        of them, under the same --jacobian) in place of the Q vectors q_k(t), with the same groups and \
        statistics. They need a forward and a backward transient of --window W steps (default T/4, \
        rounded down, as clv), so only steps W+1…T−W are compared (T ≥ 2W + 1); the JSON adds frame \
        ("clv"), window, clv_seed (C_T's seed, --seed + 1), compared_steps ([W+1, T−W]) and cosine, and \
        std_by_index_*, rank_by_step* and the CSV hold those steps only. --frame q --window W compares the \
        Q vectors at the same steps W+1…T−W (frame "q", window, compared_steps), like for like. CLVs are unit vectors but not \
        orthogonal: the cosine is still v_k · e_j of unit vectors (|v_k · e_j| ≤ 1), each v_k signed so \
        that v_k · q_k > 0, but the squares over k of one e_j need not sum to 1. Memory: R_t of every \
        step (T·N² doubles a sample in flight, checked against this machine's memory before starting: \
        1.6 GB at N = 512, T = 784); time: about twice the Q frame's trace plus T·N³/2 for the back \
        substitutions. --frame q (the default) \
        without --window writes exactly what it did before (no frame key).
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
    @Option(help: "The layer whose recurrent weights rnn.weight_hh_l{K} are studied (PyTorch's index from 0; default the top layer).")
    var layer: Int?
    @Option(help: "GRU/LSTM models: one gate's rows of the block (GRU: r|z|n; LSTM: i|f|g|o; default all gates).") var gate: String?
    @Option(help: "How Q vectors meet the singular vectors in h's rows: state (the true cosine in the state space; default) or renormalised (h-rows of q scaled to unit length).")
    var qComponents: QComponents = .state
    @Option(help: "Tangent frame compared: q (the Q vectors, every step; default) or clv (covariant Lyapunov vectors, steps W+1…T−W).")
    var frame: FrameName = .q
    @Option(parsing: .unconditional, help: "Compare steps W+1…T−W only: the CLVs' forward and backward transient (--frame clv: default T/4, rounded down; --frame q: every step unless given).") var window: Int?
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
        try OptionLimits.check("--window", window, 0...1_000_000)
    }

    /// `--frame q|clv`.
    enum FrameName: String, ExpressibleByArgument, CaseIterable { case q, clv }

    /// The frame of a sequence of `steps` steps, the window checked against T: the Q frame at
    /// every step (no --window), at steps W+1…T−W (--frame q --window W), or the CLVs there.
    static func alignmentFrame(_ name: FrameName, window: Int?, steps: Int, seed: UInt64) throws -> AlignmentFrame {
        if name == .q && window == nil { return .q }
        let w = window ?? steps / 4
        guard steps >= 2 * w + 1 else {
            throw UsageError("--window \(w) needs T ≥ 2W + 1 = \(2 * w + 1) steps; the sequences have T = \(steps)")
        }
        return name == .q ? .qSteps(window: w) : .clv(window: w, seed: seed &+ 1)
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

    /// The alignment study's needs of a network and its block (shared with `report`): N ≥ 30
    /// Q vectors and the compared singular vectors within the block's H.
    static func checkNetwork(_ network: Network, block: WeightBlock, first: Int, last: Int) throws {
        let k = network.stateSize, h = try block.resolve(in: network).columns
        guard k >= 30 else {
            throw UsageError(k == h ? "the alignment study needs H ≥ 30 (three groups of ten Q vectors); the model has H = \(h)"
                                    : "the alignment study needs N ≥ 30 (three groups of ten Q vectors); the model's state has N = \(k)")
        }
        guard first <= h, last <= h else { throw UsageError("--first/--last exceed H = \(h)") }
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
            let network = try loadNetwork(model, nonlinearity: modelOptions.nonlinearity)
            let block = try weightBlock(of: network, layer: layer, gate: gate)
            let place = try block.resolve(in: network)
            guard inputs != nil || network.imageTask != nil else {
                throw UsageError("the model has no MNIST task: give sequences with --inputs X.npy --labels Y.npy")
            }
            // The Q vectors span the whole state: H for one vanilla or GRU layer, N otherwise.
            let k = network.stateSize, h = place.columns
            let indexName = k == h ? "H" : "N"
            try Self.checkNetwork(network, block: block, first: first, last: last)
            if singular == .left && place.rows.count != h {
                throw UsageError("--singular left: the left singular vectors of \(block.parameterName) live in its \(place.rows.count) gate rows, not in the state; give --gate")
            }
            var o = try studyOptions(hidden: k, indexName: indexName)
            let progress = ProgressLine(label: "align: sample")
            let sequences: [[Double]], labels: [Int], steps: Int, source: String, images: [Int]
            if let inputs, let labelsPath = self.labels {
                let set = try SequenceSet.load(inputs: inputs, labels: labelsPath, inputSize: network.inputSize)
                try set.checkLabels(classes: network.classes, path: labelsPath)
                guard samples <= set.count else { throw UsageError("--samples \(samples) exceeds the \(set.count) sequences of \(inputs)") }
                images = Array(0..<samples)
                (sequences, labels, steps, source) = (images.map(set.sequence), images.map { set.labels[$0] }, set.steps, inputs)
            } else {
                let (data, indices, description) = try sampleImages(metadata: network.metadata)
                images = indices
                sequences = indices.map { network.sequence(ofImage: data.image($0)).map(Double.init) }
                (labels, steps, source) = (indices.map { data.label($0) }, network.imageTask!.steps, description)
            }
            o.frame = try Self.alignmentFrame(frame, window: window, steps: steps, seed: seed)
            if case .clv = o.frame {
                // Each sample in flight keeps R_t (N×N) for all T steps during its backward pass.
                let bytes = 8 * Double(min(workers, samples)) * Double(steps) * Double(k) * Double(k)
                guard bytes <= TrainingLimits.physicalMemoryBytes else {
                    throw UsageError("--frame clv keeps R_t (N×N) of every step for each of \(min(workers, samples)) samples at once: about \(TrainingLimits.memoryText(bytes)), more than this machine has (use fewer --threads)")
                }
            }
            let study = try AlignmentStudy(network: network, block: block, qComponents: qComponents, sequences: sequences, labels: labels,
                                           steps: steps, options: o, threads: workers, progress: progress.update)
            let cell = network.layers[block.layer]
            try write(study, options: o, source: source, images: images,
                      extra: ["cell": network.cellName, "layer": block.layer, "parameter": block.parameterName,
                              "gate": block.gate.map { cell.gateNames[$0] } ?? (cell.gateNames.isEmpty ? "none" : "all"),
                              "state_size": k, "q_components": qComponents.rawValue])
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
            for t in 0..<study.comparedSteps.count { for i in 0..<study.qCount {
                // A step with no such singular vector inside ΔV_t's rank: an empty field.
                func field(_ x: Double) -> String { x.isFinite ? "\(x)" : "" }
                lines.append("\(study.comparedSteps.lowerBound + t),\(i + 1),\(field(study.stdByIndexFirst[t][i])),\(field(study.stdByIndexLast[t][i]))")
            } }
            try emit(lines.joined(separator: "\n") + "\n", to: out)
        }
    }
}
