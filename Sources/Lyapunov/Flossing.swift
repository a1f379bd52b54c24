import Foundation
import Linalg
import RNN

/// The gradient-flossing objective (Engelken 2023) of one input sequence and its gradient
/// with respect to every parameter.
///
/// Conventions (the same as `spectrum` without a transient): h_0 given (zeros by default),
/// Q_0 the identity start of `LyapunovStepper` (the first K columns of I; for a stacked
/// network under the transposed convention, top layer first), Q_t R_t = D_t Q_{t−1} (or
/// D_tᵀ Q_{t−1}) by the thin QR with diag(R) > 0, natural log:
///
///     λ_k = (1/T) Σ_{t=1..T} ln [R_t]_kk,      objective = Σ_{k≤K} λ_k².
///
/// The gradient is exact reverse mode (no truncation): through each QR by `qrAdjoint`, into
/// Q_{t−1} by the transposed tangent map, and into the weights and h_{t−1} through D_t's own
/// dependence on them (`Network.tangentBilinearGradient`), with the states' cotangent carried
/// back by BPTT (`Network.stepAdjoint`). The readout does not enter the objective: `fc.*`
/// gradients are zero.
public struct FlossingGradient: Sendable {
    /// K, the number of exponents pulled toward zero.
    public var k: Int
    /// T, the steps of the window.
    public var steps: Int
    public var jacobian: JacobianConvention
    /// λ_1 … λ_K over the window.
    public var exponents: [Double]
    /// Σ λ_k².
    public var value: Double
    /// ∂(Σ λ_k²)/∂θ by PyTorch name (`Network.namedParameters`' names and layout).
    public var parameters: [String: [Double]]
}

/// Why the flossing objective has no gradient for this sequence (one line).
public struct FlossingError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension Network {
    /// The flossing gradient a training run calls (`ModelTrainer.flossingObjective`, for
    /// `ftle train --floss` and the explorer's background runs alike): `flossingGradient`
    /// under the forward convention from h_0 = 0.
    public static let flossingForTraining: FlossingObjective = { network, sequence, steps, k in
        let result = try network.flossingGradient(sequence: sequence, steps: steps, k: k)
        return (result.exponents, result.parameters)
    }


    /// The objective and its gradient for T = `steps` inputs (T×I values, step-major).
    /// Memory: the states, each step's cache and the frames Q_0…Q_T and R_1…R_T are kept,
    /// O(T·N·K) doubles. Throws when some r_t^k is 0 or not finite (λ_k = −∞: no gradient).
    public func flossingGradient(sequence x: [Double], steps: Int, k: Int, jacobian: JacobianConvention = .forward,
                                 initialState: [Double]? = nil, initialFrame: LyapunovStepper.InitialFrame = .identity) throws -> FlossingGradient {
        precondition(x.count == steps * inputSize && steps >= 1 && (1...stateSize).contains(k),
                     "sequence has \(x.count) values for T = \(steps), I = \(inputSize); K = \(k) of N = \(stateSize)")
        func input(_ t: Int) -> [Double] { Array(x[(t * inputSize)..<((t + 1) * inputSize)]) }
        // Forward: states, steps, frames.
        var states = [initialState ?? [Double](repeating: 0, count: stateSize)]
        var trace = [[CellStep]](), frames = [flossingStartFrame(k: k, jacobian: jacobian, initialFrame: initialFrame)], triangles = [Matrix<Double>]()
        var logSums = [Double](repeating: 0, count: k)
        for t in 0..<steps {
            let (next, layerSteps) = step(state: states[t], input: input(t))
            let product = jacobian == .forward ? tangent(layerSteps, state: states[t], frames[t])
                                               : tangentTransposed(layerSteps, state: states[t], frames[t])
            let qr: ThinQR<Double>
            do { qr = try thinQR(product) } catch { throw FlossingError("the tangent frame is not finite at step \(t + 1)") }
            for j in 0..<k {
                let r = qr.r[j, j]
                guard r > 0, r.isFinite else {
                    throw FlossingError("r_\(t + 1)^\(j + 1) = \(r): λ_\(j + 1) = −∞, so the flossing objective has no gradient")
                }
                logSums[j] += Foundation.log(r)
            }
            states.append(next); trace.append(layerSteps); frames.append(qr.q); triangles.append(qr.r)
        }
        let exponents = logSums.map { $0 / Double(steps) }
        // Backward.
        var frameCotangent = Matrix<Double>(rows: stateSize, cols: k)
        var stateCotangent = [Double](repeating: 0, count: stateSize)
        var grads = layers.map { $0.parameters.map { [Double](repeating: 0, count: $0.values.count) } }
        for t in stride(from: steps, through: 1, by: -1) {
            let r = triangles[t - 1]
            var rBar = Matrix<Double>(rows: k, cols: k)
            for j in 0..<k { rBar[j, j] = 2 * exponents[j] / (Double(steps) * r[j, j]) }
            let productCotangent = qrAdjoint(q: frames[t], r: r, qBar: frameCotangent, rBar: rBar)
            let previous = states[t - 1], layerSteps = trace[t - 1], x = input(t - 1)
            let bilinear: (state: [Double], parameters: [[[Double]]])
            switch jacobian {
            case .forward:
                frameCotangent = tangentTransposed(layerSteps, state: previous, productCotangent)
                bilinear = tangentBilinearGradient(layerSteps, state: previous, input: x, left: productCotangent, right: frames[t - 1])
            case .transposed:
                // ⟨M̄, Dᵀ Q⟩ = ⟨Q, D M̄⟩.
                frameCotangent = tangent(layerSteps, state: previous, productCotangent)
                bilinear = tangentBilinearGradient(layerSteps, state: previous, input: x, left: frames[t - 1], right: productCotangent)
            }
            let chained = stepAdjoint(layerSteps, state: previous, input: x, gradient: stateCotangent)
            for i in stateCotangent.indices { stateCotangent[i] = chained.state[i] + bilinear.state[i] }
            for l in grads.indices {
                for b in grads[l].indices {
                    axpy(1, chained.parameters[l][b], &grads[l][b])
                    axpy(1, bilinear.parameters[l][b], &grads[l][b])
                }
            }
        }
        var named = [String: [Double]]()
        for (l, cell) in layers.enumerated() {
            for (b, block) in cell.parameters.enumerated() { named["rnn.\(block.name)_l\(l)"] = grads[l][b] }
        }
        named["fc.weight"] = [Double](repeating: 0, count: readoutWeights.count)
        named["fc.bias"] = [Double](repeating: 0, count: classes)
        return FlossingGradient(k: k, steps: steps, jacobian: jacobian, exponents: exponents,
                                value: exponents.reduce(0) { $0 + $1 * $1 }, parameters: named)
    }

    /// Q_0 of `flossingGradient`: the stepper's start (`LyapunovStepper.init`).
    func flossingStartFrame(k: Int, jacobian: JacobianConvention, initialFrame: LyapunovStepper.InitialFrame) -> Matrix<Double> {
        switch initialFrame {
        case .identity where jacobian == .transposed && layers.count > 1: return LyapunovStepper.identityColumnsTopLayerFirst(self, k)
        case .identity: return .identityColumns(stateSize, k)
        case let .random(seed):
            var rng = SeededRandom(seed: seed)
            return .randomOrthonormal(rows: stateSize, cols: k, using: &rng)
        }
    }

    /// About the bytes `flossingGradient` holds at its peak: T + 1 frames of N×K, T + 1 states,
    /// each step's cache (up to 6N values per layer for a gated cell), T triangles of K×K, and
    /// the backward pass's working frames.
    public static func flossingPeakBytes(stateSize n: Int, k: Int, steps t: Int, layers: Int) -> Double {
        8 * (Double(t + 1) * Double(n) * Double(k + 1) + Double(t) * 6 * Double(n) + Double(t) * Double(k * k) + 6 * Double(n) * Double(k))
    }
}
