import ArgumentParser
import Foundation
import Linalg
import Lyapunov
import RNN

struct Clv: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clv",
        abstract: "Covariant Lyapunov vectors along one input sequence (Ginelli's method).",
        discussion: """
        The Q vectors depend on the starting frame, the ordering and the convention; the covariant \
        Lyapunov vectors v_k(t) do not: the dynamics carries them, D_{t+1} v_k(t) ∥ v_k(t+1), each \
        growing at its own rate. Ginelli et al. (2007): the forward QR iteration Q_t R_t = D_t Q_{t−1} \
        (as spectrum, with --jacobian), storing R_t (K×K a step); then backward from a random \
        upper-triangular C_T, C_{t−1} = R_t⁻¹ C_t with unit columns; V_t = Q_t C_t. Steps are counted as \
        in spectrum: v_k(t) lives at the state after t inputs (1-based). Both iterations forget their \
        start over --window W steps, so vectors exist only at steps W…T−W, and T ≥ 2W + 1.

        JSON keys: k, steps, window, state_size, jacobian, clv (an object keyed by each --at step, "150": \
        K unit vectors of N entries, v_1 first), growth_rates (K: the CLVs' finite-time rates, the mean \
        of ln ‖D_t v_k(t−1)‖ over steps W+1…T−W, natural log), ftle_window (K: λ_k over the same steps \
        from the Q frame's ln r_t^k, for comparison), min_angle (at each step W…T−W, radians: the \
        smallest principal angle between span(v_1…v_j) and span(v_{j+1}…v_K) over j; near 0 the \
        expanding and contracting directions nearly touch), min_angle_steps ([W, T−W]). \
        CSV: quantity,t,k,i,value with quantity clv (component i of v_k(t)), growth_rate or min_angle.

        Memory: R_t for every step and Q_t at the --at steps, T·K² + |at|·N·K doubles (checked \
        against this machine's memory before starting); time: the forward spectrum's plus T·K³/3 \
        for the back substitutions and T·K⁴ for the angles (K ≤ 64 is quick).
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case json, csv }

    @Option(help: "Model file (.safetensors).") var model: String
    @OptionGroup var modelOptions: NonlinearityOption
    @OptionGroup var sequenceOptions: SequenceOptions
    @Option(parsing: .unconditional, help: "Number of leading CLVs K (default min(N, 8)).") var k: Int?
    @Option(parsing: .unconditional, help: "Comma-separated steps whose vectors are written, each in W…T−W (default: the middle step).")
    var at: String?
    @Option(parsing: .unconditional, help: "Forward and backward transient W (default T/4, rounded down).") var window: Int?
    @Option(help: jacobianHelp) var jacobian: JacobianConvention = .forward
    @Option(help: "Initial state h_0: zeros, or normal (N(0, 1) entries drawn with --seed).") var h0: StartOptions.InitialState = .zeros
    @Option(parsing: .unconditional, help: "Seed of --h0 normal and of the random C_T.") var seed: UInt64 = 0
    @Option(help: "Output format: json or csv.") var format: Format = .json
    @Option(help: "Write to this file (atomically) instead of standard output.") var out: String?
    @OptionGroup var dataOptions: DataOptions

    /// `--at` as steps (bounds checked against W and T in `run`).
    func parsedSteps() throws -> [Int]? {
        guard let at else { return nil }
        let parts = at.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! >= 0 }) else {
            throw ValidationError("--at must be a comma-separated list of steps ≥ 0 (got \(quotedForMessage(at)))")
        }
        return parts.map { $0! }
    }

    func validate() throws {
        if let k, k < 1 { throw ValidationError("--k must be at least 1 (got \(k))") }
        if let window { try OptionLimits.check("--window", window, 0...1_000_000) }
        _ = try parsedSteps()
    }

    func run() throws {
        try reportingErrors {
            try refuseOutputOverInputs(out, [("--model", model), ("--input", sequenceOptions.input)])
            let m = try loadNetwork(model, nonlinearity: modelOptions.nonlinearity)
            let n = m.stateSize, kk = k ?? min(n, 8)
            guard kk <= n else { throw UsageError("--k \(kk) exceeds the state size N = \(n)") }
            let input = try sequenceOptions.resolve(for: m, data: dataOptions)
            let steps = input.steps, w = window ?? steps / 4
            guard steps >= 2 * w + 1 else {
                throw UsageError("--window \(w) needs T ≥ 2W + 1 = \(2 * w + 1) steps; the sequence has T = \(steps)")
            }
            let requested = try parsedSteps() ?? [steps / 2]
            if let outside = requested.first(where: { $0 < w || $0 > steps - w }) {
                throw UsageError("--at \(outside) lies outside the steps W…T−W = \(w)…\(steps - w) where the vectors have converged")
            }
            let bytes = 8 * (Double(steps) * Double(kk) * Double(kk) + Double(requested.count + 6) * Double(n) * Double(kk))
            guard bytes <= TrainingLimits.physicalMemoryBytes else {
                throw UsageError("the CLVs of K = \(kk) over T = \(steps) steps would need about \(TrainingLimits.memoryText(bytes)) of memory, more than this machine has")
            }
            let initial: [Double]? = h0 == .normal ? {
                var rng = SeededRandom(seed: seed)
                return (0..<n).map { _ in rng.nextNormal() }
            }() : nil
            let clv = try CovariantLyapunovVectors(network: m, sequence: input.sequence, steps: steps, k: kk, at: requested, window: w,
                                                   initialState: initial, jacobian: jacobian, seed: seed &+ 1)
            let sortedSteps = Set(requested).sorted()
            if format == .json {
                var vectors: [String: Any] = [:]
                for t in sortedSteps {
                    let v = clv.vectors[t]!
                    vectors[String(t)] = (0..<kk).map { v.column($0) }
                }
                let object: [String: Any] = [
                    "model": model, "input": input.description, "k": kk, "steps": steps, "window": w, "state_size": n,
                    "cell": m.cellName, "jacobian": jacobian.rawValue, "h0": h0.rawValue, "seed": seed, "log_base": "e",
                    "clv": vectors, "growth_rates": clv.growthRates, "ftle_window": clv.ftleWindow,
                    "min_angle": clv.minAngles, "min_angle_steps": [w, steps - w],
                ]
                try emit(jsonText(object), to: out)
            } else {
                var lines = ["quantity,t,k,i,value"]
                for t in sortedSteps {
                    let v = clv.vectors[t]!
                    for j in 0..<kk { for i in 0..<n { lines.append("clv,\(t),\(j + 1),\(i + 1),\(csvNumber(v[i, j]))") } }
                }
                for (j, rate) in clv.growthRates.enumerated() { lines.append("growth_rate,,\(j + 1),,\(csvNumber(rate))") }
                for (index, angle) in clv.minAngles.enumerated() { lines.append("min_angle,\(w + index),,,\(csvNumber(angle))") }
                try emit(lines.joined(separator: "\n") + "\n", to: out)
            }
        }
    }
}
