import ArgumentParser
import Figures
import Foundation
import Linalg
import Lyapunov
import RNN
import Statistics

/// `spectrum --ensemble N`: the spectrum's uncertainty over inputs or initial states.
struct EnsembleOptions: ParsableArguments {
    enum Over: String, ExpressibleByArgument, CaseIterable { case inputs, states }

    @Option(parsing: .unconditional, help: """
        Mean spectrum over N members with bootstrap 95 % intervals (ci_low, ci_high), and the Kaplan–Yorke \
        dimension and entropy of the mean with theirs.
        """)
    var ensemble: Int?
    @Option(help: "--ensemble members: inputs (test images 0..<N, or the first N sequences of --inputs) or states (N initial states h_0 ~ N(0, 1) from --seed on the one sequence of --image/--input).")
    var ensembleOver: Over?
    @Option(help: "--ensemble over inputs: sequences (.npy, N×T×I; N×T when I = 1) instead of MNIST test images.")
    var inputs: String?
    @Option(parsing: .unconditional, help: "--ensemble: bootstrap resamples (default 2000).") var resamples: Int?
    @Option(help: "--ensemble: write the convergence of λ_k(t) (k ≤ 5: the members' mean and its 95 % band against t) as an SVG figure.")
    var convergenceSvg: String?

    var over: Over { ensembleOver ?? .inputs }

    func check(sequence: SequenceOptions) throws {
        guard let ensemble else {
            for (given, name) in [(ensembleOver != nil, "--ensemble-over"), (inputs != nil, "--inputs"), (resamples != nil, "--resamples"),
                                  (convergenceSvg != nil, "--convergence-svg")] where given {
                throw ValidationError("\(name) applies to --ensemble N")
            }
            return
        }
        try OptionLimits.check("--ensemble", ensemble, 2...100_000)
        if let resamples { try OptionLimits.check("--resamples", resamples, 100...1_000_000) }
        switch over {
        case .inputs:
            if sequence.image != nil || sequence.input != nil {
                throw ValidationError("--ensemble over inputs takes test images 0..<N or --inputs X.npy; --image and --input pick one sequence (use --ensemble-over states)")
            }
        case .states:
            if inputs != nil { throw ValidationError("--inputs goes with --ensemble-over inputs; over states, give the one sequence with --image or --input") }
        }
    }
}

/// `spectrum --autonomous`: random tanh networks driven by nothing.
struct AutonomousOptions: ParsableArguments {
    @Flag(help: "The zero-input spectrum of random tanh networks h_t = tanh(V h_{t−1}), V ~ N(0, g²/N), h_0 ~ N(0, 1): needs --gain and --hidden, no --model.")
    var autonomous = false
    @Option(help: "--autonomous: comma-separated gains g, e.g. 0.8,1.2,2.") var gain: String?
    @Option(parsing: .unconditional, help: "--autonomous: the network size N.") var hidden: Int?
    @Option(parsing: .unconditional, help: "--autonomous: steps accumulated after the transient (default 1000).") var steps: Int?

    func parsedGains() throws -> [Double] {
        guard let gain else { throw ValidationError("--autonomous needs --gain g1,g2,…") }
        let values = gain.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0!.isFinite && $0! > 0 && $0! <= 100 }) else {
            throw ValidationError("--gain must be a comma-separated list of numbers in (0, 100] (got \(quotedForMessage(gain)))")
        }
        return values.map { $0! }
    }

    func check(model: String?, sequence: SequenceOptions, ensemble: Int?) throws {
        guard autonomous else {
            for (given, name) in [(gain != nil, "--gain"), (hidden != nil, "--hidden"), (steps != nil, "--steps")] where given {
                throw ValidationError("\(name) applies to --autonomous")
            }
            return
        }
        if model != nil { throw ValidationError("--autonomous draws its own networks; --model does not apply") }
        if sequence.image != nil || sequence.input != nil { throw ValidationError("--autonomous runs without input; --image and --input do not apply") }
        if ensemble != nil { throw ValidationError("--ensemble and --autonomous exclude each other (give several --gain values instead)") }
        _ = try parsedGains()
        guard let hidden else { throw ValidationError("--autonomous needs --hidden N") }
        try OptionLimits.check("--hidden", hidden, 1...4096)
        if let steps { try OptionLimits.check("--steps", steps, 1...1_000_000) }
    }
}

extension Spectrum {
    /// One spectrum per gain; JSON gains, lambda1 (same order), spectra.
    func runAutonomous() throws {
        try reportingErrors {
            let gains = try autonomousOptions.parsedGains(), n = autonomousOptions.hidden!
            let kk = k ?? min(n, 10), steps = autonomousOptions.steps ?? 1000
            guard kk <= n else { throw UsageError("--k \(kk) exceeds the network size --hidden \(n)") }
            let scale = log2 ? 1 / Foundation.log(2.0) : 1
            let spectra = try gains.map { g in
                try AutonomousSpectrum.spectrum(hidden: n, gain: g, seed: start.seed, k: kk, steps: steps, transient: transient).map { $0 * scale }
            }
            if format == .json {
                try emit(jsonText(["autonomous": true, "hidden": n, "k": kk, "steps": steps, "transient": transient, "seed": start.seed,
                                   "log_base": log2 ? "2" : "e", "jacobian": "forward", "gains": gains,
                                   "lambda1": spectra.map { $0[0] },
                                   "spectra": spectra,
                                   "kaplan_yorke": spectra.map { SpectrumStatistics.kaplanYorke($0) },
                                   "entropy": spectra.map { SpectrumStatistics.entropy($0) }]), to: out)
            } else {
                var lines = ["gain,k,lambda"]
                for (g, spectrum) in zip(gains, spectra) { for (j, l) in spectrum.enumerated() { lines.append("\(g),\(j + 1),\(csvNumber(l))") } }
                try emit(lines.joined(separator: "\n") + "\n", to: out)
            }
        }
    }

    /// The ensemble's members, their mean spectrum with bootstrap intervals, and the
    /// convergence figure.
    func runEnsemble() throws {
        let model = self.model!
        try reportingErrors {
            let e = ensembleOptions, members = e.ensemble!
            try refuseOutputOverInputs(out, [("--model", model), ("--input", sequenceOptions.input), ("--inputs", e.inputs)])
            try refuseOutputOverInputs(e.convergenceSvg, [("--model", model), ("--input", sequenceOptions.input), ("--inputs", e.inputs)])
            let m = try loadNetwork(model, nonlinearity: modelOptions.nonlinearity)
            let n = m.stateSize, kk = k ?? n
            guard kk <= n else { throw UsageError("--k \(kk) exceeds the state size N = \(n)") }
            // Members: (sequence, steps, h_0, description).
            var sequences: [(values: [Double], steps: Int, h0: [Double]?, description: String)] = []
            switch e.over {
            case .inputs:
                if let path = e.inputs {
                    let set = try SequenceSet.loadUnlabelled(inputs: path, inputSize: m.inputSize)
                    guard members <= set.count else { throw UsageError("--ensemble \(members) exceeds the \(set.count) sequences of \(path)") }
                    sequences = (0..<members).map { (set.sequence($0), set.steps, start.initialState(hidden: n), "\(path) sequence \($0)") }
                } else {
                    guard m.imageTask != nil else { throw UsageError("the model has no MNIST task: give sequences with --inputs X.npy") }
                    let test = try dataOptions.load(.test)
                    guard members <= test.count else { throw UsageError("--ensemble \(members) exceeds the \(test.count) test images") }
                    sequences = (0..<members).map {
                        (m.sequence(ofImage: test.image($0)).map(Double.init), m.imageTask!.steps, start.initialState(hidden: n), "test image \($0)")
                    }
                }
            case .states:
                let input = try sequenceOptions.resolve(for: m, data: dataOptions)
                var rng = SeededRandom(seed: start.seed)
                sequences = (0..<members).map { member in
                    (input.sequence, input.steps, (0..<n).map { _ in rng.nextNormal() }, "\(input.description), h_0 draw \(member)")
                }
            }
            guard sequences.allSatisfy({ transient < $0.steps }) else {
                throw UsageError("--transient \(transient) leaves no steps to accumulate (T = \(sequences[0].steps))")
            }
            let scale = log2 ? 1 / Foundation.log(2.0) : 1
            let tracked = min(kk, 5)
            var spectra: [[Double]] = [], curves: [[[Double]]] = []   // member → t → k ≤ 5
            let progress = ProgressLine(label: "spectrum: member")
            for (index, member) in sequences.enumerated() {
                progress.update(index, members)
                let trace = try LyapunovTrace(network: m, sequence: member.values, steps: member.steps, k: kk, initialState: member.h0,
                                              initialFrame: start.frame, transient: transient, jacobian: jacobian)
                spectra.append(trace.spectrum.map { $0 * scale })
                curves.append(trace.exponents.map { Array($0.prefix(tracked)).map { $0 * scale } })
            }
            progress.update(members, members)
            func meanSpectrum(_ indices: [Int]) -> [Double] {
                (0..<kk).map { j in indices.map { spectra[$0][j] }.reduce(0, +) / Double(indices.count) }
            }
            let all = Array(0..<members)
            let mean = meanSpectrum(all)
            var rng = SeededRandom(seed: start.seed &+ 0xB007)
            // One bootstrap for the spectrum, KY and entropy together (the same resamples).
            let (low, high) = Bootstrap.percentileInterval(count: members, resamples: e.resamples ?? 2000, using: &rng) { indices in
                let s = meanSpectrum(indices)
                return s + [SpectrumStatistics.kaplanYorke(s), SpectrumStatistics.entropy(s)]
            }
            if let figure = e.convergenceSvg {
                try emit(convergenceFigure(curves: curves, tracked: tracked, title: "λ_k(t) over \(members) \(e.over == .inputs ? "inputs" : "initial states")"),
                         to: figure)
            }
            if format == .json {
                try emit(jsonText([
                    "model": model, "ensemble": members, "ensemble_over": e.over.rawValue, "k": kk, "state_size": n,
                    "steps": sequences[0].steps, "transient": transient, "jacobian": jacobian.rawValue, "log_base": log2 ? "2" : "e",
                    "resamples": e.resamples ?? 2000, "level": 0.95, "interval": "percentile bootstrap over members",
                    "spectrum": mean, "ci_low": Array(low.prefix(kk)), "ci_high": Array(high.prefix(kk)),
                    "kaplan_yorke": SpectrumStatistics.kaplanYorke(mean), "kaplan_yorke_ci": [low[kk], high[kk]],
                    "entropy": SpectrumStatistics.entropy(mean), "entropy_ci": [low[kk + 1], high[kk + 1]],
                    "members": spectra, "member_inputs": sequences.map(\.description),
                ]), to: out)
            } else {
                var lines = ["k,mean,ci_low,ci_high"]
                for j in 0..<kk { lines.append("\(j + 1),\(csvNumber(mean[j])),\(csvNumber(low[j])),\(csvNumber(high[j]))") }
                try emit(lines.joined(separator: "\n") + "\n", to: out)
            }
        }
    }

    /// λ_k(t) for k ≤ `tracked`: the members' mean (solid) and a pointwise 95 % bootstrap band
    /// of it (dashed, 400 resamples), against t; steps of the transient are left out.
    func convergenceFigure(curves: [[[Double]]], tracked: Int, title: String) throws -> String {
        let steps = curves.map(\.count).min() ?? 0, members = curves.count
        let x = (1...max(steps, 1)).map(Double.init)
        var series: [LineSeries] = []
        var rng = SeededRandom(seed: start.seed &+ 0xC0DE)
        for j in 0..<tracked {
            let meanCurve = (0..<steps).map { t in curves.map { $0[t][j] }.reduce(0, +) / Double(members) }
            let (low, high) = Bootstrap.percentileInterval(count: members, resamples: 400, using: &rng) { indices in
                (0..<steps).map { t in indices.map { curves[$0][t][j] }.reduce(0, +) / Double(indices.count) }
            }
            let color = Palette.categorical(j)
            series.append(LineSeries(name: "λ\(j + 1)", x: x, y: meanCurve, color: color))
            series.append(LineSeries(x: x, y: low, color: color, dashed: true, showsInLegend: false))
            series.append(LineSeries(x: x, y: high, color: color, dashed: true, showsInLegend: false))
        }
        return LinePlot(title: title, xLabel: "step t", yLabel: "λ_k(t) (\(log2 ? "bits" : "nats") per step), mean and 95 % band",
                        series: series).svg()
    }
}
