import Analysis
import ArgumentParser
import Foundation
import Linalg
import Lyapunov
import MNIST
import RNN
import TerminalUI

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
            let subject = try Subject(network: loadNetwork(model, nonlinearity: modelOptions.nonlinearity), command: self)
            if let inputs, let labels {
                try perturbSequences(subject, inputs: inputs, labels: labels)
                return
            }
            guard let task = subject.network.imageTask else {
                throw UsageError("the model has no MNIST task: give sequences with --inputs X.npy --labels Y.npy")
            }
            let test = try dataOptions.load(.test)
            try Self.checkImages(images, test: test)
            var o = studyConventions()
            o.images = images; o.ks = try parsedKs(); o.randomSubsets = random; o.mode = mode; o.score = PixelScore(score)!; o.seed = seed
            o.steps = try parsedSteps()
            if let window = o.steps, window.upperBound > task.steps {
                throw UsageError("--steps \(window.lowerBound)-\(window.upperBound) goes past T = \(task.steps)")
            }
            let bound = subject.imageScoreBound
            if case let .sum(n) = o.score, n > bound.value { throw UsageError("--score sum:\(n) exceeds \(bound.name) = \(bound.value)") }
            let study = try subject.imageStudy(test, o, threadOptions.workers(), ProgressLine(label: "perturb: (image, k)").update)
            try write(study, extra: subject.extra.merging(["preset": preset?.rawValue ?? "none"]) { _, new in new })
        }
    }

    /// The loaded model as the studies take it: a vanilla model's logits in Float32 (the
    /// arithmetic it trains in), a GRU's or LSTM's in Float64 (the analysis path); traces and
    /// scores in Float64 for both.
    struct Subject {
        /// What the study scores with: a vanilla model in Float32, a gated network in Float64.
        enum Scorer {
            case vanilla(RNNModel<Float>)
            case gated(GatedNetwork)
        }
        let network: Network
        let scorer: Scorer
        /// Keys the JSON adds: the cell of a gated model.
        let extra: [String: Any]
        /// What `--score sum:n` may not exceed on images: H for a vanilla model (its scores
        /// come from H directions), N for a gated one.
        let imageScoreBound: (name: String, value: Int)

        init(network: Network, command: Perturb) throws {
            self.network = network
            if network.vanillaModel != nil {
                let m: RNNModel<Float> = try loadModel(command.model, nonlinearity: command.modelOptions.nonlinearity)
                scorer = .vanilla(m)
                extra = [:]
                imageScoreBound = ("H", m.hidden)
            } else if let g = network.gatedNetwork {
                scorer = .gated(g)
                extra = ["cell": g.cell.rawValue]
                imageScoreBound = ("N", g.stateSize)
            } else {
                throw UsageError("perturb scores vanilla, GRU and LSTM models; this is a \(network.cellName) network")
            }
        }

        func imageStudy(_ test: MNISTDataset, _ o: SensitivityStudy.Options, _ workers: Int,
                        _ progress: (Int, Int) -> Void) throws -> SensitivityStudy {
            switch scorer {
            case let .vanilla(m): return try SensitivityStudy(model: m, data: test, options: o, threads: workers, progress: progress)
            case let .gated(g): return try SensitivityStudy(network: g, data: test, options: o, threads: workers, progress: progress)
            }
        }

        func sequenceStudy(_ set: SequenceSet, _ base: StepBaseline, _ o: SensitivityStudy.Options,
                           _ progress: (Int, Int) -> Void) throws -> SensitivityStudy {
            switch scorer {
            case let .vanilla(m): return try SensitivityStudy(model: m, sequences: set, baseline: base, options: o, progress: progress)
            case let .gated(g): return try SensitivityStudy(network: g, sequences: set, baseline: base, options: o, progress: progress)
            }
        }
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

    /// `--inputs`: steps ranked and replaced by the baseline (`SensitivityStudy(sequences:)`, any cell).
    func perturbSequences(_ subject: Subject, inputs: String, labels: String) throws {
        let network = subject.network, stateSize = network.stateSize
        let set = try SequenceSet.load(inputs: inputs, labels: labels, inputSize: network.inputSize)
        try set.checkLabels(classes: network.classes, path: labels)
        var o = studyConventions()
        o.images = min(images, set.count); o.ks = try parsedKs(); o.randomSubsets = random; o.score = PixelScore(score)!; o.seed = seed
        o.steps = try parsedSteps()
        if let window = o.steps, window.upperBound > set.steps {
            throw UsageError("--steps \(window.lowerBound)-\(window.upperBound) goes past T = \(set.steps)")
        }
        if case let .sum(n) = o.score, n > stateSize { throw UsageError("--score sum:\(n) exceeds N = \(stateSize)") }
        let base = baseline ?? .zero
        let study = try subject.sequenceStudy(set, base, o, ProgressLine(label: "perturb: (sequence, k)").update)
        try write(study, extra: subject.extra.merging(["inputs": inputs, "unit": "steps", "baseline": base.rawValue]) { _, new in new })
    }
}
