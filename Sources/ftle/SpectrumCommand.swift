import ArgumentParser
import Foundation
import Linalg
import Lyapunov
import MNIST
import RNN

/// Options for where a Lyapunov run starts (spectrum and gradient).
struct StartOptions: ParsableArguments {
    enum InitialState: String, ExpressibleByArgument, CaseIterable { case zeros, normal }

    @Option(help: "Initial state h_0: zeros, or normal (N(0, 1) entries drawn with --seed).")
    var h0: InitialState = .zeros
    @Option(help: "Seed for --h0 normal (and a random initial frame with --random-frame).")
    var seed: UInt64 = 0
    @Flag(help: "Start from a seeded random orthonormal frame instead of the identity's first K columns.")
    var randomFrame = false

    /// h_0 (s_0 of N entries for a stacked model).
    func initialState(hidden: Int) -> [Double]? {
        guard h0 == .normal else { return nil }
        var rng = SeededRandom(seed: seed)
        return (0..<hidden).map { _ in rng.nextNormal() }
    }

    var frame: LyapunovStepper.InitialFrame { randomFrame ? .random(seed: seed &+ 1) : .identity }
}

extension JacobianConvention: ExpressibleByArgument {}

/// The help text of `--jacobian`, shared by every command that takes it.
let jacobianHelp: ArgumentHelp = """
    Frame propagation: forward (Q_t R_t = D_t Q_{t−1}, the paper's Alg. 1; its eqs. 10–12 telescope only here) \
    or transposed (Q_t R_t = D_tᵀ Q_{t−1}: the paper's eqs. 1–2, eq. 9 with eq. 8's J, and its code).
    """

struct Spectrum: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Finite-time Lyapunov exponents of a model along one input sequence.",
        discussion: """
        D_t = ∂h_t/∂h_{t−1} = diag(1 − h_t²)·V. The frame evolves as Q_t R_t = D_t Q_{t−1} (thin QR, \
        diag(R_t) ≥ 0; the paper's Alg. 1), or with --jacobian transposed as Q_t R_t = D_tᵀ Q_{t−1} \
        (the paper's eqs. 1–2, where eq. 1's J_t is D_tᵀ, and its code); r_t^k = [R_t]_kk and λ_k(t) = (1/t) Σ_{s≤t} ln r_s^k, \
        natural log unless --log2. With --transient M, λ_k(t) averages steps M+1…t only. \
        A stacked model's state is s = [h¹; …; hᴸ] (layer 1 first, N = ΣH_k) and D_t = ∂s_t/∂s_{t−1} is \
        block lower-triangular; with ReLU, φ′ is the step function (0 at 0). A GRU's state is h, an LSTM's [h; c] (h first, 2H per \
        layer), and D_t is the cell's analytic Jacobian. Q_0 is the first K columns of the identity; under \
        --jacobian transposed a stacked model's coordinates are taken top layer first (D_tᵀ is block \
        upper-triangular, so layer 1's coordinates would span an invariant subspace and never see the layers above).

        JSON keys: hidden (H of layer 1), layers (H_1…H_L), state_size (N), cell (rnn, gru or lstm), nonlinearity (tanh, relu, or gated for a GRU/LSTM), steps, k, transient, log_base, jacobian, log_r (T×K, every step), ftle ((T−M)×K, row i is \
        λ(M+1+i)), spectrum (K, λ_k(T)), kaplan_yorke, entropy (sum of positive exponents), \
        participation_ratio_q1 (T, of the first Q vector). A null number means −∞: some r_t^k was exactly 0. \
        CSV: one row per (t, k): t,k,log_r,ftle, with -inf written as -inf and ftle empty during the transient.

        Memory: rows are written as they are computed (JSON's log_r and ftle through temporary files), so \
        it is the stepper's ≈ 6·H·K doubles plus T numbers, whatever T·K is (≈ 60 MB at H = K = 512).

        Uncertainty: --ensemble N runs N members — test images 0..<N (or the first N sequences of \
        --inputs), or with --ensemble-over states N initial states h_0 ~ N(0, 1) on one sequence — and \
        gives the mean spectrum with percentile-bootstrap 95 % intervals over the members (--resamples, \
        seeded by --seed). JSON keys: ensemble, ensemble_over, spectrum (the mean), ci_low, ci_high, \
        kaplan_yorke and entropy (of the mean) with kaplan_yorke_ci and entropy_ci, members (N \
        spectra), member_inputs; CSV: k,mean,ci_low,ci_high. --convergence-svg F draws λ_k(t) against t \
        for k ≤ 5 (mean and a pointwise 95 % band).

        Transition to chaos: --autonomous --gain g1,g2,… --hidden N runs random tanh networks with no \
        input, h_t = tanh(V h_{t−1}), V ~ N(0, g²/N) and h_0 ~ N(0, 1) drawn from --seed, for --steps \
        steps after --transient (default 200) discarded, K = min(N, 10) unless --k. JSON keys: gains and \
        lambda1 (same order), spectra (K per gain), kaplan_yorke, entropy; CSV: gain,k,lambda. The \
        mean-field theory puts λ_1 < 0 below g = 1 and λ_1 > 0 above it.
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case json, csv }

    @Option(help: "Model file (.safetensors); none with --autonomous.") var model: String?
    @OptionGroup var modelOptions: NonlinearityOption
    @OptionGroup var sequenceOptions: SequenceOptions
    @Option(parsing: .unconditional, help: "Number of exponents K (default: N, the full spectrum; N = H for one layer, ΣH_k stacked; min(N, 10) with --autonomous).") var k: Int?
    @OptionGroup var start: StartOptions
    @Option(name: .customLong("transient"), parsing: .unconditional,
            help: "Transient steps M: the state and frame evolve but are not accumulated (default 0; 200 with --autonomous).")
    var transientSteps: Int?
    var transient: Int { transientSteps ?? (autonomous ? 200 : 0) }
    @OptionGroup var ensembleOptions: EnsembleOptions
    @OptionGroup var autonomousOptions: AutonomousOptions
    var autonomous: Bool { autonomousOptions.autonomous }
    @Option(help: jacobianHelp) var jacobian: JacobianConvention = .forward
    @Flag(help: "Report logarithms base 2 (bits) instead of natural log.") var log2 = false
    @Option(help: "Output format: json or csv.") var format: Format = .json
    @Option(help: "Write to this file (atomically) instead of standard output.") var out: String?
    @OptionGroup var dataOptions: DataOptions

    func validate() throws {
        if let k, k < 1 { throw ValidationError("--k must be at least 1 (got \(k))") }
        if transient < 0 { throw ValidationError("--transient must be ≥ 0 (got \(transient))") }
        try autonomousOptions.check(model: model, sequence: sequenceOptions, ensemble: ensembleOptions.ensemble)
        if !autonomous && model == nil { throw ValidationError("Missing expected argument '--model <model>'") }
        try ensembleOptions.check(sequence: sequenceOptions)
        if ensembleOptions.ensemble != nil && (start.h0 == .normal || start.randomFrame) && ensembleOptions.ensembleOver == .states {
            throw ValidationError("--ensemble-over states draws its own initial states from --seed; --h0 and --random-frame do not apply")
        }
    }

    func run() throws {
        if autonomous { return try runAutonomous() }
        if ensembleOptions.ensemble != nil { return try runEnsemble() }
        let model = self.model!
        try reportingErrors {
            try refuseOutputOverInputs(out, [("--model", model), ("--input", sequenceOptions.input)])
            let m = try loadNetwork(model, nonlinearity: modelOptions.nonlinearity)
            let n = m.stateSize
            let kk = k ?? n
            guard kk <= n else {
                throw UsageError(n == m.layerSizes[0] ? "--k \(kk) exceeds the hidden size H = \(n)"
                                 : "--k \(kk) exceeds the state size N = \(n)\(m.cellEntry.stateMultiple == 2 ? " (an LSTM's state is [h; c], 2H per layer)" : "")")
            }
            let input = try sequenceOptions.resolve(for: m, data: dataOptions)
            guard transient < input.steps else {
                throw UsageError("--transient \(transient) leaves no steps to accumulate (T = \(input.steps))")
            }
            let sink = try OutputSink(path: out)
            try streamSpectrum(model: m, sequence: input.sequence, steps: input.steps, k: kk,
                               header: ["model": model, "input": input.description, "hidden": m.layerSizes[0], "steps": input.steps, "k": kk,
                                        "layers": m.layerSizes, "state_size": n, "cell": m.cellName, "nonlinearity": nonlinearityName(m),
                                        "transient": transient, "log_base": log2 ? "2" : "e", "jacobian": jacobian.rawValue],
                               to: sink)
        }
    }
}

/// φ of a vanilla network; "gated" for any other (a GRU's or LSTM's gates fix their own σ and tanh).
func nonlinearityName(_ m: Network) -> String {
    (m.layers[0] as? Elman)?.nonlinearity.rawValue ?? "gated"
}

/// A number for CSV: shortest round-trip text, "-inf"/"inf"/"nan" spelled out.
func csvNumber(_ x: Double) -> String {
    if x == -.infinity { return "-inf" }
    if x == .infinity { return "inf" }
    if x.isNaN { return "nan" }
    return "\(x)"
}

struct Gradient: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A recurrent-weight gradient by BPTT and through the stored Q and R factors.",
        discussion: """
        With the full frame (K = N), ∂s_s/∂s_t = Q_s (R_s⋯R_{t+1}) Q_tᵀ, so ∂L/∂s_t, and from it the gradient of \
        any parameter, can be computed from the stored Q_t, R_t and s_t alone. Prints the gradient of one \
        recurrent weight block both ways — its Frobenius norm by BPTT through the cells' adjoints and through \
        Q and R, and their relative difference ‖G_QR − G_BPTT‖ / ‖G_BPTT‖ (Float64). Any model: the block is \
        rnn.weight_hh_l{K} of layer --layer K (PyTorch's index, default the top layer); for a GRU or LSTM the \
        whole block (all gates), or one gate's H×H rows with --gate. Memory: the frames are not stored but \
        recomputed from about 3·log₃(T/10) stepper copies of 6 N×N doubles each, plus about 8·T·N doubles for \
        BPTT (≈ 0.2 GB at N = 512, T = 784; the frames take about log₃(T/10) + 1 passes over the sequence, BPTT one more).

        --objective floss --k K: the gradient-flossing objective Σ_{k≤K} λ_k² of the whole sequence (λ_k = (1/T) Σ_t ln r_t^k, \
        h_0 = 0 and Q_0 the first K columns of I unless --h0/--random-frame say otherwise, the --jacobian convention, natural \
        log) and its gradient with respect to every parameter, by reverse mode through each QR (the QR adjoint), through \
        D_t's own dependence on the weights and the state (second derivatives of the cell) and BPTT. JSON keys: objective, \
        k, steps, jacobian, exponents, value (Σ λ_k²), gradient (each parameter's PyTorch name → its array in PyTorch's \
        layout: a list of rows for a weight; fc.* are zero). Memory: about 8·(T+1)·N·(K+7) bytes.
        """)

    @Option(help: "Model file (.safetensors).") var model: String
    @OptionGroup var modelOptions: NonlinearityOption
    @OptionGroup var sequenceOptions: SequenceOptions
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    enum Objective: String, ExpressibleByArgument, CaseIterable { case loss, floss }
    @Option(help: """
        What is differentiated: loss (the cross-entropy, one recurrent block by BPTT and through Q and R) or floss \
        (Σ_{k≤K} λ_k², every parameter, by reverse mode through the QR iteration).
        """) var objective: Objective = .loss
    @Option(help: "Loss: last (cross-entropy of o_T) or all (summed over every step); --objective loss only (default last).")
    var loss: GradientThroughQR.LossKind?
    @Option(parsing: .unconditional, help: "--objective floss: the number K of leading exponents in Σ λ_k² (1 ≤ K ≤ N).") var k: Int?
    @Option(help: jacobianHelp) var jacobian: JacobianConvention = .forward
    @Option(help: "The layer whose recurrent weights rnn.weight_hh_l{K} are differentiated (PyTorch's index from 0; default the top layer).")
    var layer: Int?
    @Option(help: "GRU/LSTM models: one gate's rows of the block (GRU: r|z|n; LSTM: i|f|g|o; default all gates).") var gate: String?
    @OptionGroup var start: StartOptions
    @Option(help: "Output format: text or json.") var format: Format = .text
    @OptionGroup var dataOptions: DataOptions

    func validate() throws {
        switch objective {
        case .loss:
            if k != nil { throw ValidationError("--k applies to --objective floss") }
            if jacobian != .forward { throw ValidationError("--jacobian applies to --objective floss (the gradient through Q and R telescopes only under forward)") }
        case .floss:
            guard let k else { throw ValidationError("--objective floss needs --k K, the number of exponents") }
            if k < 1 { throw ValidationError("--k must be at least 1 (got \(k))") }
            for (given, name) in [(loss != nil, "--loss"), (layer != nil, "--layer"), (gate != nil, "--gate"), (sequenceOptions.label != nil, "--label")] where given {
                throw ValidationError("\(name) applies to --objective loss (the flossing objective takes every parameter and no label)")
            }
        }
    }

    func run() throws {
        if objective == .floss { return try runFloss() }
        let loss = self.loss ?? .last
        try reportingErrors {
            let network = try loadNetwork(model, nonlinearity: modelOptions.nonlinearity)
            let block = try weightBlock(of: network, layer: layer, gate: gate)
            let k = block.layer, cell = network.layers[k], name = block.parameterName
            let rows = try block.resolve(in: network).rows
            let input = try sequenceOptions.resolve(for: network, data: dataOptions)
            guard let label = input.label else { throw UsageError("--input needs --label for the loss") }
            let n = network.stateSize
            let h0 = start.initialState(hidden: n)
            let plan = GradientThroughQR.Checkpointing()
            let needed = plan.peakBytes(hidden: n, steps: input.steps) + Double(input.steps) * Double(n) * 8 * 8
            guard needed <= TrainingLimits.physicalMemoryBytes else {
                throw UsageError("the gradient of N = \(n) over T = \(input.steps) steps would need about \(TrainingLimits.memoryText(needed)) of memory, more than this machine has")
            }
            let begin = monotonicSeconds()
            let viaQR = try GradientThroughQR.parameterGradient(network: network, parameter: name, sequence: input.sequence, steps: input.steps,
                                                                label: label, loss: loss, initialState: h0, initialFrame: start.frame,
                                                                checkpointing: plan)
            let qrSeconds = monotonicSeconds() - begin
            let bptt = network.crossEntropyGradient(sequence: input.sequence, steps: input.steps, label: label, initialState: h0,
                                                    lossAtEveryStep: loss == .all).parameters[name]!
            let columns = cell.hidden
            let chosenQR = Array(viaQR[(rows.lowerBound * columns)..<(rows.upperBound * columns)])
            let chosenBPTT = Array(bptt[(rows.lowerBound * columns)..<(rows.upperBound * columns)])
            func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
            let diff = norm(zip(chosenQR, chosenBPTT).map { $0 - $1 }) / max(norm(chosenBPTT), 1e-300)
            let blockName = gate.map { "\(name) (gate \($0))" } ?? name
            if format == .json {
                var values: [String: Any] = ["model": model, "input": input.description, "loss": loss.rawValue, "hidden": cell.hidden,
                                             "state_size": n, "cell": cell.cellName, "layer": k, "parameter": name,
                                             "steps": input.steps, "norm_bptt": norm(chosenBPTT), "norm_qr": norm(chosenQR),
                                             "relative_difference": diff, "seconds_qr": qrSeconds]
                if let gate { values["gate"] = gate }
                try emit(jsonText(values), to: nil)
            } else {
                print("\(input.description), loss on \(loss == .last ? "the last step" : "every step"), gradient of \(blockName):")
                print(String(format: "  ‖∇ L‖ by BPTT          %.12g", norm(chosenBPTT)))
                print(String(format: "  ‖∇ L‖ through Q, R     %.12g", norm(chosenQR)))
                print(String(format: "  relative difference    %.3e", diff))
            }
        }
    }
}

extension GradientThroughQR.LossKind: ExpressibleByArgument {}
