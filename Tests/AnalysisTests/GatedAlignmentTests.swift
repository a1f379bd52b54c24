@testable import Analysis
import Foundation
import Linalg
import RNN
import TestSupport
import Testing

/// `align --gate` for GRUs and LSTMs: the adjoint step against the dense Jacobian, the gate
/// blocks' prefix gradients against central differences, and the study's invariants. Float64.
@Suite struct GatedAlignmentTests {
    /// A random single-layer network (weights N(0, 0.5²), biases N(0, 0.1²)) with C classes.
    static func network(_ cell: GatedLayer.Cell, input: Int, hidden h: Int, classes: Int, seed: UInt64) throws -> GatedNetwork {
        var rng = SeededRandom(seed: seed)
        let g = cell.gateCount * h
        let layer = try GatedLayer(cell: cell, inputWeights: .gaussian(rows: g, cols: input, std: 0.5, using: &rng),
                                   recurrentWeights: .gaussian(rows: g, cols: h, std: 0.5, using: &rng),
                                   inputBias: (0..<g).map { _ in 0.1 * rng.nextNormal() },
                                   recurrentBias: (0..<g).map { _ in 0.1 * rng.nextNormal() })
        return try GatedNetwork(layers: [layer], readoutWeights: .gaussian(rows: classes, cols: h, std: 0.5, using: &rng),
                                readoutBias: (0..<classes).map { _ in 0.1 * rng.nextNormal() })
    }

    static func sequence(steps: Int, input: Int, seed: UInt64) -> [Double] {
        var rng = SeededRandom(seed: seed)
        return (0..<(steps * input)).map { _ in rng.nextNormal() }
    }

    /// ∂ℓ/∂s = D_tᵀ δ from the matrix-free adjoint equals the dense Jacobian's transpose times δ
    /// (1e-13 relative), for both cells, at several random states.
    @Test(arguments: GatedLayer.Cell.allCases)
    func adjointIsTheTransposedJacobian(cell: GatedLayer.Cell) throws {
        let net = try Self.network(cell, input: 3, hidden: 5, classes: 4, seed: 11)
        let layer = net.layers[0]
        var rng = SeededRandom(seed: 5)
        for _ in 0..<4 {
            let s = (0..<layer.stateSize).map { _ in rng.nextNormal() }
            let x = (0..<3).map { _ in rng.nextNormal() }
            let delta = (0..<layer.stateSize).map { _ in rng.nextNormal() }
            let step = layer.step(state: s, input: x)
            let dense = matvec(layer.jacobians(state: s, input: x, step: step).state, delta, .transposed)
            let (previous, blocks) = layer.adjoint(state: s, step: step, gradient: delta)
            #expect(relativeError(previous, dense) < 1e-13, "\(cell)")
            #expect(blocks.count == cell.gateCount && blocks.allSatisfy { $0.count == layer.hidden })
        }
    }

    /// ∂ℓ_t/∂W_hk for every gate block and t ∈ {1, 3, T} equals central differences of ℓ_t over
    /// every entry of that block (h = 1e-5; agreement to 1e-8 absolute, where the differences'
    /// truncation error is O(h²) ≈ 1e-10 and rounding ≈ 1e-11).
    @Test(arguments: GatedLayer.Cell.allCases)
    func prefixGradientsMatchCentralDifferences(cell: GatedLayer.Cell) throws {
        let (i, h, steps) = (3, 4, 6)
        let net = try Self.network(cell, input: i, hidden: h, classes: 3, seed: 21)
        let x = Self.sequence(steps: steps, input: i, seed: 3)
        var rng = SeededRandom(seed: 9)
        let h0 = (0..<net.stateSize).map { _ in rng.nextNormal() }
        let prefix = GatedPrefixGradients(network: net, sequence: x, steps: steps, label: 2, initialState: h0)
        let eps = 1e-5
        for t in [1, 3, steps] {
            let analytic = prefix.gradients(atStep: t)
            // One block alone is the same recursion with only its GEMM: bit-identical.
            for k in 0..<cell.gateCount { #expect(prefix.gradient(atStep: t, gate: k) == analytic[k]) }
            for k in 0..<cell.gateCount {
                var worst = 0.0
                for col in 0..<h { for row in 0..<h {
                    func loss(_ shift: Double) -> Double {
                        var moved = net
                        moved.layers[0].recurrentWeights[k * h + row, col] += shift
                        return GatedPrefixGradients(network: moved, sequence: x, steps: steps, label: 2, initialState: h0).loss(atStep: t)
                    }
                    let numeric = (loss(eps) - loss(-eps)) / (2 * eps)
                    worst = max(worst, abs(numeric - analytic[k][row, col]))
                } }
                #expect(worst < 1e-8, "\(cell) gate \(cell.gateNames[k]) t=\(t): max |analytic − numeric| = \(worst)")
            }
        }
        // ℓ_t really depends on these weights: the test is not comparing zeros.
        #expect(prefix.gradients(atStep: steps).map { $0.storage.map(abs).max()! }.min()! > 1e-4)
    }

    /// The h-components of an LSTM frame are re-normalised; a column with no h-part gives zeros;
    /// a GRU frame (H rows) is returned as it is.
    @Test func hComponentsAreUnitOrZero() {
        var q = Matrix<Double>(rows: 4, cols: 3)
        q[0, 0] = 3; q[1, 0] = 4; q[2, 0] = 1           // h-part (3, 4) → (0.6, 0.8)
        q[2, 1] = 1                                       // c only → zero column
        q[0, 2] = -2                                      // (−2, 0) → (−1, 0)
        let out = GatedSampleAlignment.hComponents(of: q, hidden: 2)
        #expect(out.rows == 2 && out.storage == [0.6, 0.8, 0, 0, -1, 0])
        #expect(GatedSampleAlignment.hComponents(of: q, hidden: 4) == q)
    }

    /// A_t's invariants: for a GRU both Q_t (full frame) and E are orthogonal H×H, so A_t is
    /// orthogonal (AᵀA = I to 1e-10); for an LSTM every row is a unit h-direction against an
    /// orthonormal basis of h's space, so every row has norm 1.
    @Test(arguments: GatedLayer.Cell.allCases)
    func alignmentMatricesHaveTheirInvariants(cell: GatedLayer.Cell) throws {
        let net = try Self.network(cell, input: 3, hidden: 6, classes: 4, seed: 31)
        let x = Self.sequence(steps: 5, input: 3, seed: 4)
        let h0 = (0..<net.stateSize).map { Double($0 % 3) * 0.3 - 0.2 }
        for gate in 0..<cell.gateCount {
            let sample = try GatedSampleAlignment(network: net, sequence: x, steps: 5, label: 1, initialState: h0, gate: gate)
            for t in 1...5 {
                let a = try sample.alignment(atStep: t)
                #expect(a.rows == net.stateSize && a.cols == 6)
                if cell == .gru {
                    #expect(orthonormalityError(a) < 1e-10)
                } else {
                    for r in 0..<a.rows {
                        let norm = (0..<a.cols).map { a[r, $0] * a[r, $0] }.reduce(0, +).squareRoot()
                        #expect(abs(norm - 1) < 1e-10, "row \(r) t \(t)")
                    }
                }
            }
        }
    }

    /// The study runs on K = state size Q vectors (2H for an LSTM), with cosines in [−1, 1], and
    /// does not depend on the number of threads (bit-identical).
    @Test(arguments: [(GatedLayer.Cell.gru, 30), (GatedLayer.Cell.lstm, 16)])
    func studyCountsStateDirectionsAndIgnoresThreads(cell: GatedLayer.Cell, hidden: Int) throws {
        let net = try Self.network(cell, input: 3, hidden: hidden, classes: 4, seed: 41)
        let sequences = (0..<3).map { Self.sequence(steps: 4, input: 3, seed: 100 + UInt64($0)) }
        var o = AlignmentStudy.Options()
        o.samples = 3
        let one = try AlignmentStudy(network: net, gate: 1, sequences: sequences, labels: [0, 1, 2], steps: 4, options: o, threads: 1)
        let two = try AlignmentStudy(network: net, gate: 1, sequences: sequences, labels: [0, 1, 2], steps: 4, options: o, threads: 2)
        #expect(one.qCount == net.stateSize && one.hidden == hidden)
        #expect(one.lastTen == Array((net.stateSize - 10)..<net.stateSize))
        #expect(one.stdByIndexFirst.count == 4 && one.stdByIndexFirst.allSatisfy { $0.count == net.stateSize })
        #expect((one.valuesFirst10 + one.valuesLast10 + one.valuesRandom10).allSatisfy { abs($0) <= 1 + 1e-12 })
        // Leading singular vectors inside the rank of ΔW_t (rank t at step t ≤ 4 here): 1 + 2 + 3 + 4.
        #expect(one.rankByStep == [1, 2, 3, 4])
        #expect(one.valuesFirst10.count == 3 * (1 + 2 + 3 + 4) * 10)
        func bits(_ m: [[Double]]) -> [[UInt64]] { m.map { $0.map(\.bitPattern) } }
        #expect(one.valuesFirst10 == two.valuesFirst10 && bits(one.stdByIndexLast) == bits(two.stdByIndexLast))
        #expect(one.stdFirst10 == two.stdFirst10 && one.stdRandom10 == two.stdRandom10)
    }
}
