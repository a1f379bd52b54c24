import Foundation
import Linalg
import Lyapunov
import RNN
import Testing
import TestSupport

/// The Lyapunov stepper on GRU and LSTM stacks (`LyapunovStepper(network: Network(g))`), against a
/// plain reference: the dense Jacobian `GatedNetwork.stateJacobian` (itself tested against
/// PyTorch autograd in RNNTests) times Q, then modified Gram–Schmidt. Float64 throughout.
@Suite struct GatedLyapunovTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/pytorch-gated").path

    static func network(_ cell: String) throws -> (GatedNetwork, [Double], Int) {
        let path = "\(fixtures)/\(cell)-2layer.safetensors"
        let input = try NPYArray(contentsOf: "\(fixtures)/\(cell)-input.npy")
        return (try GatedNetwork.load(from: path), input.values, input.shape[0])
    }

    /// Gram–Schmidt thin QR (diag R > 0) of a full-rank matrix.
    static func gramSchmidt(_ a: Matrix<Double>) -> (q: Matrix<Double>, diagonal: [Double]) {
        var q = a, diagonal: [Double] = []
        for j in 0..<a.cols {
            var v = q.column(j)
            for i in 0..<j {
                let qi = q.column(i)
                let p = zip(qi, v).map(*).reduce(0, +)
                for r in v.indices { v[r] -= p * qi[r] }
            }
            let norm = v.map { $0 * $0 }.reduce(0, +).squareRoot()
            diagonal.append(norm)
            q.setColumn(j, v.map { $0 / norm })
        }
        return (q, diagonal)
    }

    /// Both conventions (Q_t R_t = D_t Q_{t−1} and D_tᵀ Q_{t−1}), K = 5 of N (12 for the GRU,
    /// 24 for the LSTM): ln r_t^k at every step and the state s_t within 1e-11 of the reference.
    /// One layer (the fixture's first, which takes the frame product without forming D_t)
    /// and the whole two-layer stack (dense block lower-triangular D_t).
    @Test(arguments: ["gru", "lstm"], [(JacobianConvention.forward, 1), (.transposed, 1), (.forward, 2), (.transposed, 2)])
    func stepperMatchesDenseReference(cell: String, setting: (jacobian: JacobianConvention, layers: Int)) throws {
        let (stack, x, steps) = try Self.network(cell)
        let jacobian = setting.jacobian
        let g = setting.layers == 2 ? stack
            : try GatedNetwork(layers: [stack.layers[0]], readoutWeights: Matrix(rows: 2, cols: stack.layers[0].hidden), readoutBias: [0, 0])
        let k = 5, i = g.inputSize
        var stepper = LyapunovStepper(network: Network(g), k: k, jacobian: jacobian)
        var s = [Double](repeating: 0, count: g.stateSize)
        // Q_0: the identity's first K columns; a stack under the transposed convention takes the
        // coordinates top layer first (layer 2's state, then layer 1's).
        var q = Matrix<Double>.identityColumns(g.stateSize, k)
        if jacobian == .transposed && g.layers.count == 2 {
            let top = g.stateOffset(ofLayer: 1)
            let order = Array(top..<g.stateSize) + Array(0..<top)
            q = Matrix(rows: g.stateSize, cols: k)
            for j in 0..<k { q[order[j], j] = 1 }
        }
        for t in 0..<steps {
            let xt = Array(x[(t * i)..<((t + 1) * i)])
            try stepper.step(input: xt)
            let (next, layerSteps) = g.step(state: s, input: xt)
            let d = g.stateJacobian(state: s, input: xt, layerSteps: layerSteps)
            let (qt, diagonal) = Self.gramSchmidt(matmul(d, q, jacobian == .transposed ? .transposed : .none))
            q = qt; s = next
            for j in 0..<k { #expect(abs(stepper.logR[j] - Foundation.log(diagonal[j])) <= 1e-11, "t \(t + 1) k \(j + 1)") }
            for j in s.indices { #expect(abs(stepper.h[j] - s[j]) <= 1e-12) }
        }
    }

    /// The first K exponents do not depend on K (the leading columns of a QR factorisation are
    /// those of the leading columns): K = 3 agrees with the full frame K = N to 1e-12.
    @Test(arguments: ["gru", "lstm"])
    func leadingExponentsDoNotDependOnK(cell: String) throws {
        let (g, x, steps) = try Self.network(cell)
        let few = try LyapunovTrace(network: Network(g), sequence: x, steps: steps, k: 3)
        let all = try LyapunovTrace(network: Network(g), sequence: x, steps: steps)
        #expect(all.k == g.stateSize)
        for t in 0..<steps { for j in 0..<3 { #expect(abs(few.logR[t][j] - all.logR[t][j]) <= 1e-12) } }
    }
}
