import Foundation
import Linalg
import Lyapunov
import RNN
import Testing
import TestSupport

/// A random stacked model: layer sizes `sizes`, I inputs, C classes, biases of std 0.3 (or
/// none), weights N(0, gain²/fan_in).
func stackedModel(sizes: [Int], inputSize: Int, classes: Int, nonlinearity: Nonlinearity, bias: Bool = true,
                  gain: Double = 1.5, seed: UInt64 = 7) -> RNNModel<Double> {
    var rng = SeededRandom(seed: seed)
    var layers: [RecurrentLayer<Double>] = []
    var below = inputSize
    for h in sizes {
        layers.append(RecurrentLayer(u: .gaussian(rows: h, cols: below, std: gain / Double(below).squareRoot(), using: &rng),
                                     v: .gaussian(rows: h, cols: h, std: gain / Double(h).squareRoot(), using: &rng),
                                     b: (0..<h).map { _ in bias ? 0.3 * rng.nextNormal() : 0 }))
        below = h
    }
    let first = layers[0]
    return RNNModel(u: first.u, v: first.v, b: first.b, w: .gaussian(rows: classes, cols: below, using: &rng),
                    c: (0..<classes).map { _ in rng.nextNormal() }, task: nil, biasMode: bias ? .pair : .none,
                    upperLayers: Array(layers.dropFirst()), nonlinearity: nonlinearity)
}

/// The obviously-correct reference: plain loops over [[Double]] row arrays, no Linalg.
enum PlainReference {
    static func phi(_ a: Double, _ n: Nonlinearity) -> Double { n == .tanh ? Foundation.tanh(a) : max(a, 0) }

    /// s_t from s_{t−1} and x_t, layer by layer; also every preactivation a^k_t.
    static func step(_ model: RNNModel<Double>, _ s: [Double], _ x: [Double]) -> (state: [Double], pre: [[Double]]) {
        var out: [Double] = [], pre: [[Double]] = [], offset = 0, input = x
        for layer in model.layers {
            let h = layer.hidden
            var a = [Double](repeating: 0, count: h), y = [Double](repeating: 0, count: h)
            for i in 0..<h {
                var sum = layer.b[i]
                for j in 0..<h { sum += layer.v[i, j] * s[offset + j] }
                for j in 0..<input.count { sum += layer.u[i, j] * input[j] }
                a[i] = sum; y[i] = phi(sum, model.nonlinearity)
            }
            out += y; pre.append(a); input = y; offset += h
        }
        return (out, pre)
    }

    /// D_t = ∂s_t/∂s_{t−1} as a dense N×N row array, by the chain rule written entry by entry.
    static func jacobian(_ model: RNNModel<Double>, pre: [[Double]]) -> [[Double]] {
        let n = model.stateSize
        var d = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        var offsets = [0]
        for l in model.layers { offsets.append(offsets.last! + l.hidden) }
        for (k, layer) in model.layers.enumerated() {
            for i in 0..<layer.hidden {
                let a = pre[k][i]
                let dphi = model.nonlinearity == .tanh ? 1 - Foundation.tanh(a) * Foundation.tanh(a) : (a > 0 ? 1.0 : 0.0)
                let row = offsets[k] + i
                for j in 0..<layer.hidden { d[row][offsets[k] + j] += dphi * layer.v[i, j] }
                if k > 0 {   // through h^{k−1}_t: Σ_m U_k[i, m] · d[offset_{k−1} + m][:]
                    for m in 0..<layer.inputSize {
                        for col in 0..<n { d[row][col] += dphi * layer.u[i, m] * d[offsets[k - 1] + m][col] }
                    }
                }
            }
        }
        return d
    }

    /// Modified Gram–Schmidt QR of the columns of z (n rows, K columns given as column arrays):
    /// returns Q's columns and diag(R) (≥ 0).
    static func gramSchmidt(_ columns: [[Double]]) -> (q: [[Double]], diag: [Double]) {
        var q: [[Double]] = [], diag: [Double] = []
        for var v in columns {
            for u in q {   // twice, for orthogonality to working precision
                let p = zip(u, v).map(*).reduce(0, +); v = zip(v, u).map { $0 - p * $1 }
            }
            for u in q {
                let p = zip(u, v).map(*).reduce(0, +); v = zip(v, u).map { $0 - p * $1 }
            }
            let norm = v.map { $0 * $0 }.reduce(0, +).squareRoot()
            diag.append(norm); q.append(v.map { $0 / norm })
        }
        return (q, diag)
    }

    /// ln r_t^k for t = 1…T, Q_0 the first K columns of the identity — transposed, with the
    /// coordinates taken top layer first (layer L's, then L − 1's, …).
    static func logR(_ model: RNNModel<Double>, sequence: [Double], steps: Int, k: Int, transposed: Bool = false) -> [[Double]] {
        let n = model.stateSize, i = model.inputSize
        var s = [Double](repeating: 0, count: n)
        var starts = [0]
        for size in model.layerSizes { starts.append(starts.last! + size) }
        let order = transposed ? (0..<model.layerCount).reversed().flatMap { starts[$0]..<starts[$0 + 1] } : Array(0..<n)
        var q = (0..<k).map { c in (0..<n).map { $0 == order[c] ? 1.0 : 0.0 } }
        var out: [[Double]] = []
        for t in 0..<steps {
            let (next, pre) = step(model, s, Array(sequence[(t * i)..<((t + 1) * i)]))
            s = next
            let d = jacobian(model, pre: pre)
            let z = q.map { col in (0..<n).map { r in (0..<n).map { transposed ? d[$0][r] * col[$0] : d[r][$0] * col[$0] }.reduce(0, +) } }
            let (qq, diag) = gramSchmidt(z)
            q = qq
            out.append(diag.map { Foundation.log($0) })
        }
        return out
    }
}

@Suite struct StackedLyapunovTests {
    func randomSequence(steps: Int, inputSize: Int, seed: UInt64) -> [Double] {
        var rng = SeededRandom(seed: seed)
        return (0..<(steps * inputSize)).map { _ in rng.nextNormal() }
    }

    /// The engine's ln r_t^k on a three-layer model (N = 15) equals the plain reference
    /// (dense D_t by the chain rule, Gram–Schmidt QR) to 1e-10 at every step, for tanh and
    /// ReLU, both conventions, K = N and K < N.
    @Test(arguments: [Nonlinearity.tanh, .relu], [JacobianConvention.forward, .transposed])
    func logRMatchesPlainReference(_ phi: Nonlinearity, _ convention: JacobianConvention) throws {
        // ReLU: positive biases keep most units on, so D_t Q_{t−1} keeps full column rank.
        let model = stackedModel(sizes: [5, 4, 6], inputSize: 3, classes: 4, nonlinearity: phi, gain: phi == .relu ? 1.2 : 1.5)
        var m = model
        if phi == .relu {
            m.b = m.b.map { abs($0) + 1 }
            for l in m.upperLayers.indices { m.upperLayers[l].b = m.upperLayers[l].b.map { abs($0) + 1 } }
        }
        let steps = 12, seq = randomSequence(steps: steps, inputSize: 3, seed: 3)
        for k in phi == .relu ? [3] : [15, 6] {
            let trace = try LyapunovTrace(model: m, sequence: seq, steps: steps, k: k, jacobian: convention)
            let reference = PlainReference.logR(m, sequence: seq, steps: steps, k: k, transposed: convention == .transposed)
            #expect(trace.hidden == 15)
            var worst = 0.0
            for t in 0..<steps { for j in 0..<k { worst = max(worst, abs(trace.logR[t][j] - reference[t][j])) } }
            #expect(worst < 1e-10, "\(phi) \(convention) K=\(k): max |Δ ln r| = \(worst)")
            // The state too: s_t = [h¹; h²; h³].
            var s = [Double](repeating: 0, count: 15)
            for t in 0..<steps { s = PlainReference.step(m, s, Array(seq[(3 * t)..<(3 * t + 3)])).state }
            #expect(relativeError(trace.states[steps], s) < 1e-13)
        }
    }

    /// The network's block lower-triangular D_t (`Network.tangent` applied to the identity, never
    /// formed otherwise) against central finite differences of the plain step s_{t−1} ↦ s_t, and
    /// D_tᵀ (`tangentTransposed`) against its transpose.
    @Test(arguments: [Nonlinearity.tanh, .relu])
    func stackedJacobianMatchesFiniteDifferences(_ phi: Nonlinearity) {
        let model = stackedModel(sizes: [4, 3, 5], inputSize: 2, classes: 3, nonlinearity: phi)
        var rng = SeededRandom(seed: 11)
        let n = model.stateSize
        let s0 = (0..<n).map { _ in rng.nextNormal() }, x = [rng.nextNormal(), rng.nextNormal()]
        let network = Network(model)
        let (_, steps) = network.step(state: s0, input: x)
        let analytic = network.tangent(steps, state: s0, .identity(n))
        var worst = 0.0, largest = 0.0
        for col in 0..<n {
            for row in 0..<n {
                let fd = centralDifference({ PlainReference.step(model, $0, x).state[row] }, at: s0, epsilon: 1e-6)[col]
                worst = max(worst, abs(fd - analytic[row, col])); largest = max(largest, abs(analytic[row, col]))
            }
        }
        #expect(worst < 1e-7 * max(1, largest), "\(phi): max |D − FD| = \(worst)")
        // Block structure: layer 1's rows do not depend on layers 2–3.
        for row in 0..<4 { for col in 4..<n { #expect(analytic[row, col] == 0) } }
        let transposed = network.tangentTransposed(steps, state: s0, .identity(n))
        #expect(transposed.maxAbsDifference(analytic.transposed) < 1e-14)
    }

    /// The single-layer tanh model takes the fused fast path; the general path gives the same
    /// numbers on it (the fast path is the one benchmarked).
    @Test func generalPathAgreesWithFastPathOnOneTanhLayer() throws {
        let one = stackedModel(sizes: [9], inputSize: 2, classes: 3, nonlinearity: .tanh)
        let seq = randomSequence(steps: 10, inputSize: 2, seed: 5)
        let fast = try LyapunovTrace(model: one, sequence: seq, steps: 10, k: 4)
        let reference = PlainReference.logR(one, sequence: seq, steps: 10, k: 4)
        for t in 0..<10 { #expect(relativeError(fast.logR[t], reference[t]) < 1e-11) }
    }
}
