import ArgumentParser
import Foundation
import Lyapunov
import RNN

extension Gradient {
    /// `--objective floss`: Σ_{k≤K} λ_k² of the whole sequence and its gradient with respect to
    /// every parameter (`Network.flossingGradient`).
    func runFloss() throws {
        try reportingErrors {
            let network = try loadNetwork(model, nonlinearity: modelOptions.nonlinearity)
            let n = network.stateSize, k = self.k!
            guard k <= n else { throw UsageError("--k \(k) exceeds the state size N = \(n)") }
            let input = try sequenceOptions.resolve(for: network, data: dataOptions)
            let needed = Network.flossingPeakBytes(stateSize: n, k: k, steps: input.steps, layers: network.layers.count)
            guard needed <= TrainingLimits.physicalMemoryBytes else {
                throw UsageError("the flossing gradient of N = \(n), K = \(k) over T = \(input.steps) steps would need about \(TrainingLimits.memoryText(needed)) of memory, more than this machine has")
            }
            let begin = monotonicSeconds()
            let result: FlossingGradient
            do {
                result = try network.flossingGradient(sequence: input.sequence, steps: input.steps, k: k, jacobian: jacobian,
                                                      initialState: start.initialState(hidden: n), initialFrame: start.frame)
            } catch let error as FlossingError { throw UsageError(error.description) }
            let seconds = monotonicSeconds() - begin
            let blocks = network.namedParameters
            func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
            if format == .json {
                var gradient = [String: Any]()
                for block in blocks {
                    let g = result.parameters[block.name]!
                    gradient[block.name] = block.shape.count == 2
                        ? (0..<block.shape[0]).map { Array(g[($0 * block.shape[1])..<(($0 + 1) * block.shape[1])]) } as Any : g as Any
                }
                try emit(jsonText(["model": model, "input": input.description, "objective": "floss", "k": k, "steps": input.steps,
                                   "jacobian": jacobian.rawValue, "state_size": n, "cell": network.cellName, "log_base": "e",
                                   "exponents": result.exponents, "value": result.value, "gradient": gradient,
                                   "seconds": seconds]), to: nil)
            } else {
                print("\(input.description), flossing objective Σ λ_k² over K = \(k), T = \(input.steps) steps (\(jacobian.rawValue) convention, natural log):")
                print("  λ_1…λ_\(k)   " + result.exponents.map { String(format: "%.6g", $0) }.joined(separator: " "))
                print(String(format: "  Σ λ_k²      %.12g", result.value))
                print("  ‖∇‖ by parameter:")
                for block in blocks where !block.name.hasPrefix("fc.") {
                    print("    " + block.name.padding(toLength: 20, withPad: " ", startingAt: 0) + String(format: "%.6e", norm(result.parameters[block.name]!)))
                }
            }
        }
    }
}
