import Foundation
import Linalg
import Lyapunov
import RNN
import TestSupport
import Testing

/// The gradient of the flossing objective Σ_{k≤K} λ_k(T)² (`Network.flossingGradient`)
/// against central differences of the objective computed by an independent forward path
/// (`LyapunovStepper` with Householder QR), in Float64; and its two new pieces on their own:
/// the QR adjoint against differences of `thinQR`, the cells' closed-form second-order term
/// against differences of their adjoints.
@Suite struct FlossingGradientTests {
    /// Σ λ_k² of `network` over `x` by the stepper (the path `spectrum` takes).
    static func objective(_ network: Network, _ x: [Double], steps: Int, k: Int, jacobian: JacobianConvention) -> Double {
        var stepper = LyapunovStepper(network: network, k: k, qrMethod: .householder, jacobian: jacobian)
        for t in 0..<steps { try! stepper.step(input: Array(x[(t * network.inputSize)..<((t + 1) * network.inputSize)])) }
        return stepper.logSums.reduce(0) { $0 + ($1 / Double(steps)) * ($1 / Double(steps)) }
    }

    /// Central differences of the objective with respect to every parameter entry, by name.
    static func differences(_ network: Network, _ x: [Double], steps: Int, k: Int, jacobian: JacobianConvention,
                            epsilon: Double = 1e-5) -> [String: [Double]] {
        let blocks = network.namedParameters
        var out = [String: [Double]]()
        for (b, block) in blocks.enumerated() {
            out[block.name] = centralDifference({ values in
                var changed = blocks
                changed[b].values = values
                return objective(try! network.replacingParameters(changed), x, steps: steps, k: k, jacobian: jacobian)
            }, at: block.values, epsilon: epsilon)
        }
        return out
    }

    static func gruNetwork(hidden h: Int, inputSize i: Int, seed: UInt64) -> Network {
        var rng = SeededRandom(seed: seed)
        let layer = NetworkGradientThroughQRTests.gatedLayer(.gru, inputSize: i, hidden: h, biases: true, rng: &rng)
        return try! Network(layers: [GRU(layer)], readoutWeights: .gaussian(rows: 3, cols: h, using: &rng), readoutBias: [0, 0, 0])
    }

    static func tanhNetwork(hidden h: Int, inputSize i: Int, seed: UInt64) -> Network {
        var rng = SeededRandom(seed: seed)
        let cell = NetworkGradientThroughQRTests.elman(.tanh, inputSize: i, hidden: h, bias: .pair, rng: &rng)
        return try! Network(layers: [cell], readoutWeights: .gaussian(rows: 3, cols: h, using: &rng), readoutBias: [0, 0, 0])
    }

    /// The check: H = 8, T = 20, K = 3, tanh and GRU, both conventions, ≤ 1e-6 relative
    /// per parameter block (ε = 1e-5: truncation O(ε²) ≈ 1e-10, rounding ≈ 1e-11/ε).
    @Test(arguments: ["tanh", "gru"], JacobianConvention.allCases)
    func equalsCentralDifferences(_ kind: String, _ jacobian: JacobianConvention) throws {
        let network = kind == "tanh" ? Self.tanhNetwork(hidden: 8, inputSize: 3, seed: 11) : Self.gruNetwork(hidden: 8, inputSize: 3, seed: 12)
        var rng = SeededRandom(seed: 13)
        let steps = 20, k = 3
        let x = Matrix<Double>.gaussian(rows: steps * network.inputSize, cols: 1, using: &rng).storage
        let result = try network.flossingGradient(sequence: x, steps: steps, k: k, jacobian: jacobian)
        #expect(abs(result.value - Self.objective(network, x, steps: steps, k: k, jacobian: jacobian)) < 1e-12)
        let reference = Self.differences(network, x, steps: steps, k: k, jacobian: jacobian)
        for block in network.namedParameters where !block.name.hasPrefix("fc.") {
            let analytic = result.parameters[block.name]!, numeric = reference[block.name]!
            #expect(numeric.map(abs).max()! > 1e-4, "\(kind) \(block.name): a non-trivial gradient")
            #expect(relativeError(analytic, numeric) < 1e-6, "\(kind) \(jacobian) \(block.name): \(relativeError(analytic, numeric))")
        }
        #expect(result.parameters["fc.weight"]!.allSatisfy { $0 == 0 } && result.parameters["fc.bias"]!.allSatisfy { $0 == 0 })
    }

    /// Every smooth kind of network the gradient-through-QR tests use (a bias-free tanh stack,
    /// GRU and LSTM stacks, a mixed stack, the test's own linear cell under a tanh layer):
    /// the layer stacking of the second-order term and the default by differences for a cell
    /// with no closed form. Not the ReLU stack: its objective is only piecewise smooth (units
    /// sit at exactly 0 and differences across a kink are meaningless, measured up to 1e5);
    /// its closed form is held to the adjoint's differences in `elmanClosedFormEqualsDifferences`.
    /// 1e-6 relative, T = 15, K = 3, ε = 1e-6: under the transposed convention
    /// the linear stack's r values nearly cross and the objective's third derivative is large
    /// (the differences' error falls as ε², 1.3e-5 at ε = 1e-5).
    @Test(arguments: ["bias-free-stacked", "gru-stacked", "lstm-stacked", "mixed", "linear"])
    func everyKindEqualsCentralDifferences(_ kind: String) throws {
        let network = NetworkGradientThroughQRTests.network(kind)
        var rng = SeededRandom(seed: 14)
        let steps = 15, k = 3
        let x = Matrix<Double>.gaussian(rows: steps * network.inputSize, cols: 1, using: &rng).storage
        for jacobian in JacobianConvention.allCases {
            let result = try network.flossingGradient(sequence: x, steps: steps, k: k, jacobian: jacobian)
            let reference = Self.differences(network, x, steps: steps, k: k, jacobian: jacobian, epsilon: 1e-6)
            let names = network.namedParameters.map(\.name).filter { !$0.hasPrefix("fc.") }
            let analytic = names.flatMap { result.parameters[$0]! }, numeric = names.flatMap { reference[$0]! }
            #expect(numeric.map(abs).max()! > 1e-4)
            #expect(relativeError(analytic, numeric) < 1e-6, "\(kind) \(jacobian): \(relativeError(analytic, numeric))")
        }
    }

    /// The exponents the gradient is taken of are `spectrum`'s: the stepper's λ_k(T) with the
    /// default QR (CholeskyQR2) to 1e-12.
    @Test func exponentsEqualTheStepper() throws {
        let network = Self.gruNetwork(hidden: 6, inputSize: 2, seed: 15)
        var rng = SeededRandom(seed: 16)
        let steps = 30, k = 4
        let x = Matrix<Double>.gaussian(rows: steps * 2, cols: 1, using: &rng).storage
        let result = try network.flossingGradient(sequence: x, steps: steps, k: k)
        var stepper = LyapunovStepper(network: network, k: k)
        for t in 0..<steps { try stepper.step(input: Array(x[(2 * t)..<(2 * t + 2)])) }
        for j in 0..<k { #expect(abs(result.exponents[j] - stepper.logSums[j] / Double(steps)) < 1e-12) }
    }

    /// A zero r (a dead ReLU layer: D_t = 0) has no gradient: a one-line error, not NaN.
    @Test func zeroRIsAnError() {
        let cell = Elman(u: Matrix(rows: 3, cols: 1), v: .identity(3), b: [-1, -1, -1], nonlinearity: .relu)
        let network = try! Network(layers: [cell], readoutWeights: .identity(3), readoutBias: [0, 0, 0])
        #expect(throws: FlossingError.self) { try network.flossingGradient(sequence: [0, 0], steps: 2, k: 2) }
    }

    /// `qrAdjoint` against central differences of ℓ(A) = ⟨Q̄, Q⟩ + ⟨R̄, R⟩ through `thinQR`
    /// (m = 7, n = 4, random Q̄ and upper R̄), 1e-7 relative.
    @Test func qrAdjointEqualsDifferences() throws {
        var rng = SeededRandom(seed: 17)
        let a = Matrix<Double>.gaussian(rows: 7, cols: 4, using: &rng)
        let qBar = Matrix<Double>.gaussian(rows: 7, cols: 4, using: &rng)
        var rBar = Matrix<Double>.gaussian(rows: 4, cols: 4, using: &rng)
        for j in 0..<4 { for i in (j + 1)..<4 { rBar[i, j] = 0 } }
        func loss(_ values: [Double]) -> Double {
            let qr = try! thinQR(Matrix(rows: 7, cols: 4, columnMajor: values))
            return zip(qr.q.storage, qBar.storage).reduce(0) { $0 + $1.0 * $1.1 } + zip(qr.r.storage, rBar.storage).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let qr = try thinQR(a)
        let analytic = qrAdjoint(q: qr.q, r: qr.r, qBar: qBar, rBar: rBar)
        let numeric = centralDifference(loss, at: a.storage, epsilon: 1e-6)
        #expect(relativeError(analytic.storage, numeric) < 1e-7)
    }

    /// The Elman closed form of the second-order term equals the default by differences of
    /// the adjoint (tanh and ReLU, with and without an input direction), 1e-8 relative.
    @Test(arguments: [Nonlinearity.tanh, .relu])
    func elmanClosedFormEqualsDifferences(_ phi: Nonlinearity) {
        var rng = SeededRandom(seed: 18)
        let cell = NetworkGradientThroughQRTests.elman(phi, inputSize: 3, hidden: 5, bias: .pair, rng: &rng)
        let s = Matrix<Double>.gaussian(rows: 5, cols: 1, using: &rng).storage, x = Matrix<Double>.gaussian(rows: 3, cols: 1, using: &rng).storage
        let w = Matrix<Double>.gaussian(rows: 5, cols: 2, using: &rng), z = Matrix<Double>.gaussian(rows: 5, cols: 2, using: &rng)
        for y in [nil, Matrix<Double>.gaussian(rows: 3, cols: 2, using: &rng)] {
            let step = cell.step(state: s, input: x)
            let closed = cell.tangentBilinearGradient(step, state: s, input: x, left: w, right: z, input: y)
            let reference = cell.tangentBilinearGradientByDifferences(step, state: s, input: x, left: w, right: z, input: y)
            let flat = { (a: CellAdjoint) in a.state + a.input + a.parameters.flatMap { $0 } }
            #expect(flat(reference).map(abs).max()! > 1e-3)
            #expect(relativeError(flat(closed), flat(reference)) < 1e-8, "\(phi) input direction \(y != nil)")
        }
    }
}
