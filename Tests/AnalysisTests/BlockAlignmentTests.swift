@testable import Analysis
import Foundation
import Linalg
import RNN
import TestSupport
import Testing

/// `align` on any network (`BlockPrefixGradients`, `SampleAlignment` over a `WeightBlock`):
/// prefix gradients against central differences for GRU, LSTM and a stacked vanilla network,
/// the factored path against the dense one and against the independent vanilla code, and the
/// alignment matrices' invariants. Float64.
@Suite struct BlockAlignmentTests {
    /// A random single-layer gated network (weights N(0, 0.5²), biases N(0, 0.1²)) with C classes.
    static func network(_ cell: GatedLayer.Cell, input: Int, hidden h: Int, classes: Int, seed: UInt64) throws -> Network {
        var rng = SeededRandom(seed: seed)
        let g = cell.gateCount * h
        let layer = try GatedLayer(cell: cell, inputWeights: .gaussian(rows: g, cols: input, std: 0.5, using: &rng),
                                   recurrentWeights: .gaussian(rows: g, cols: h, std: 0.5, using: &rng),
                                   inputBias: (0..<g).map { _ in 0.1 * rng.nextNormal() },
                                   recurrentBias: (0..<g).map { _ in 0.1 * rng.nextNormal() })
        return Network(try GatedNetwork(layers: [layer], readoutWeights: .gaussian(rows: classes, cols: h, std: 0.5, using: &rng),
                                        readoutBias: (0..<classes).map { _ in 0.1 * rng.nextNormal() }))
    }

    /// Two tanh Elman layers (I → 4 → 5) and a readout of 3 classes.
    static func stackedElman(seed: UInt64) throws -> Network {
        var rng = SeededRandom(seed: seed)
        func layer(_ i: Int, _ h: Int) -> Elman {
            Elman(u: .gaussian(rows: h, cols: i, std: 0.6, using: &rng), v: .gaussian(rows: h, cols: h, std: 0.6, using: &rng),
                  b: (0..<h).map { _ in 0.1 * rng.nextNormal() })
        }
        return try Network(layers: [layer(3, 4), layer(4, 5)], readoutWeights: .gaussian(rows: 3, cols: 5, std: 0.5, using: &rng),
                           readoutBias: [0.1, -0.2, 0.05])
    }

    static func sequence(steps: Int, input: Int, seed: UInt64) -> [Double] {
        var rng = SeededRandom(seed: seed)
        return (0..<(steps * input)).map { _ in rng.nextNormal() }
    }

    /// `network` with entry `index` (row-major) of parameter `name` moved by `shift`.
    static func moved(_ network: Network, _ name: String, _ index: Int, by shift: Double) throws -> Network {
        var blocks = network.namedParameters
        let b = blocks.firstIndex { $0.name == name }!
        blocks[b].values[index] += shift
        return try network.replacingParameters(blocks)
    }

    /// ∂ℓ_t/∂W (the whole weight_hh block, and each gate's rows of it) at t ∈ {1, 3, T} equals
    /// central differences of ℓ_t over every entry (h = 1e-5; agreement to 1e-8 absolute: the
    /// truncation error is O(h²) ≈ 1e-10 and rounding ≈ 1e-11), for a GRU, an LSTM and both
    /// layers of a stacked tanh network.
    @Test(arguments: ["gru", "lstm", "stacked-0", "stacked-1"])
    func prefixGradientsMatchCentralDifferences(kind: String) throws {
        let (steps, eps) = (6, 1e-5)
        let net: Network, layer: Int
        switch kind {
        case "gru": (net, layer) = (try Self.network(.gru, input: 3, hidden: 4, classes: 3, seed: 21), 0)
        case "lstm": (net, layer) = (try Self.network(.lstm, input: 3, hidden: 4, classes: 3, seed: 21), 0)
        default: (net, layer) = (try Self.stackedElman(seed: 5), kind == "stacked-0" ? 0 : 1)
        }
        let x = Self.sequence(steps: steps, input: 3, seed: 3)
        var rng = SeededRandom(seed: 9)
        let h0 = (0..<net.stateSize).map { _ in rng.nextNormal() }
        let block = WeightBlock(layer: layer)
        let prefix = try BlockPrefixGradients(network: net, block: block, sequence: x, steps: steps, label: 2, initialState: h0)
        let h = net.layers[layer].hidden, gates = max(net.layers[layer].gateNames.count, 1)
        #expect(prefix.rows == 0..<(gates * h) && prefix.columns == h)
        for t in [1, 3, steps] {
            let analytic = prefix.gradient(atStep: t)
            var worst = 0.0
            for row in 0..<(gates * h) { for col in 0..<h {
                func loss(_ shift: Double) throws -> Double {
                    let m = try Self.moved(net, block.parameterName, row * h + col, by: shift)
                    return try BlockPrefixGradients(network: m, block: block, sequence: x, steps: steps, label: 2, initialState: h0).loss(atStep: t)
                }
                worst = max(worst, abs((try loss(eps) - loss(-eps)) / (2 * eps) - analytic[row, col]))
            } }
            #expect(worst < 1e-8, "\(kind) t=\(t): max |analytic − numeric| = \(worst)")
            // One gate's rows are the same rows of the whole block, bit for bit.
            for g in 0..<net.layers[layer].gateNames.count {
                let one = try BlockPrefixGradients(network: net, block: WeightBlock(layer: layer, gate: g), sequence: x, steps: steps,
                                                   label: 2, initialState: h0).gradient(atStep: t)
                for r in 0..<h { for c in 0..<h { #expect(one[r, c] == analytic[g * h + r, c]) } }
            }
        }
        // ℓ_t really depends on these weights: the test is not comparing zeros.
        #expect(prefix.gradient(atStep: steps).storage.map(abs).max()! > 1e-4)
    }

    /// An Elman cell that keeps the protocol's default `factoredAdjoint` (every block formed):
    /// the dense path of `BlockPrefixGradients` must give what the GEMM path gives.
    struct UnfactoredElman: RecurrentCell {
        var inner: Elman
        var cellName: String { "unfactored" }
        var hidden: Int { inner.hidden }
        var stateSize: Int { inner.stateSize }
        var inputSize: Int { inner.inputSize }
        var gateNames: [String] { [] }
        var parameters: [ParameterBlock] { inner.parameters }
        func replacingParameters(_ blocks: [ParameterBlock]) throws -> UnfactoredElman { UnfactoredElman(inner: try inner.replacingParameters(blocks)) }
        func step(state s: [Double], input x: [Double]) -> CellStep { inner.step(state: s, input: x) }
        func tangent(_ step: CellStep, state s: [Double], _ z: Matrix<Double>, input y: Matrix<Double>?) -> Matrix<Double> {
            inner.tangent(step, state: s, z, input: y)
        }
        func tangentTransposed(_ step: CellStep, state s: [Double], _ w: Matrix<Double>, needsInput: Bool) -> (state: Matrix<Double>, input: Matrix<Double>) {
            inner.tangentTransposed(step, state: s, w, needsInput: needsInput)
        }
        func adjoint(_ step: CellStep, state s: [Double], input x: [Double], gradient delta: [Double]) -> CellAdjoint {
            inner.adjoint(step, state: s, input: x, gradient: delta)
        }
    }

    /// The factored (GEMM) and dense sums agree to 1e-13 relative, and the single-layer vanilla
    /// ΔV_t equals the independent `PrefixGradients` code (its own batched forward pass) to 1e-12.
    @Test func factoredDenseAndVanillaPathsAgree() throws {
        let model = RNNModel<Double>(task: .rowwise, hidden: 12, initialization: .xavierNormal, seed: 3)
        let net = Network(model)
        let elman = net.layers[0] as! Elman
        let dense = try Network(layers: [UnfactoredElman(inner: elman)], readoutWeights: net.readoutWeights, readoutBias: net.readoutBias)
        let x = Self.sequence(steps: 9, input: 28, seed: 8)
        let h0 = (0..<12).map { Double($0 % 4) * 0.25 - 0.3 }
        let fast = try BlockPrefixGradients(network: net, block: WeightBlock(layer: 0), sequence: x, steps: 9, label: 4, initialState: h0)
        let slow = try BlockPrefixGradients(network: dense, block: WeightBlock(layer: 0), sequence: x, steps: 9, label: 4, initialState: h0)
        let reference = PrefixGradients(model: model, sequence: x, steps: 9, label: 4, initialState: h0)
        for t in 1...9 {
            let g = fast.gradient(atStep: t)
            #expect(relativeError(g.storage, slow.gradient(atStep: t).storage) < 1e-13, "t=\(t)")
            #expect(relativeError(g.storage, reference.gradient(atStep: t).storage) < 1e-12, "t=\(t)")
        }
    }

    /// `frame`: `.state` keeps the rows as they are, `.renormalised` scales them to unit length
    /// (a column with no part in the rows gives zeros); both report each column's norm there.
    @Test func frameRowsAndNorms() {
        var q = Matrix<Double>(rows: 4, cols: 3)
        q[0, 0] = 3; q[1, 0] = 4; q[2, 0] = 1           // rows 0..<2: (3, 4), norm 5
        q[2, 1] = 1                                       // nothing in rows 0..<2
        q[0, 2] = -2                                      // (−2, 0), norm 2
        let unit = SampleAlignment.frame(q, rows: 0..<2, components: .renormalised)
        #expect(unit.q.rows == 2 && unit.q.storage == [0.6, 0.8, 0, 0, -1, 0])
        #expect(unit.norms == [5, 0, 2])
        let state = SampleAlignment.frame(q, rows: 0..<2, components: .state)
        #expect(state.q.storage == [3, 4, 0, 0, -2, 0] && state.norms == [5, 0, 2])
        #expect(SampleAlignment.frame(q, rows: 0..<4, components: .state).q == q)
    }

    /// A_t's invariants with the true cosine (K = N, Q_t orthogonal N×N, E orthogonal H×H):
    /// each column is a unit vector ê_j of the state in the basis Q_t, so its norm is 1; each
    /// row is q_i's part in h, so its norm is ‖q_h‖ (= 1 for a GRU, where N = H and A_t is
    /// orthogonal). Renormalised, every row with an h-part has norm 1. Tolerance 1e-10.
    @Test(arguments: GatedLayer.Cell.allCases)
    func alignmentMatricesHaveTheirInvariants(cell: GatedLayer.Cell) throws {
        let net = try Self.network(cell, input: 3, hidden: 6, classes: 4, seed: 31)
        let x = Self.sequence(steps: 5, input: 3, seed: 4)
        let h0 = (0..<net.stateSize).map { Double($0 % 3) * 0.3 - 0.2 }
        for gate in [nil] + (0..<cell.gateCount).map(Optional.some) {
            var rowNorms: [[Double]] = []
            try SampleAlignment.forEachRankedStep(network: net, block: WeightBlock(layer: 0, gate: gate), sequence: x, steps: 5, label: 1,
                                                  initialState: h0) { t, ranked in
                let a = ranked.cosines
                #expect(a.rows == net.stateSize && a.cols == 6)
                for j in 0..<a.cols {
                    #expect(abs((0..<a.rows).map { a[$0, j] * a[$0, j] }.reduce(0, +).squareRoot() - 1) < 1e-10)
                }
                let norms = (0..<a.rows).map { i in (0..<a.cols).map { a[i, $0] * a[i, $0] }.reduce(0, +).squareRoot() }
                for i in 0..<a.rows { #expect(abs(norms[i] - ranked.qNorms[i]) < 1e-10, "row \(i) t \(t)") }
                rowNorms.append(norms)
            }
            if cell == .gru { #expect(rowNorms.joined().allSatisfy { abs($0 - 1) < 1e-10 }) }
            else { #expect(rowNorms.joined().contains { $0 < 0.99 }) }   // an LSTM's Q vectors are partly in c
            let sample = try SampleAlignment(network: net, block: WeightBlock(layer: 0, gate: gate), sequence: x, steps: 5, label: 1,
                                             initialState: h0, qComponents: .renormalised)
            for t in 1...5 {
                let a = try sample.alignment(atStep: t)
                for r in 0..<a.rows {
                    let norm = (0..<a.cols).map { a[r, $0] * a[r, $0] }.reduce(0, +).squareRoot()
                    #expect(abs(norm - 1) < 1e-10, "row \(r) t \(t)")
                }
            }
        }
    }

    /// The study runs on K = N Q vectors (2H for an LSTM, the sum for a stack), with cosines in
    /// [−1, 1], reports ‖q_h‖ per index, and does not depend on the number of threads (bit-identical).
    @Test(arguments: ["gru", "lstm"])
    func studyCountsStateDirectionsAndIgnoresThreads(kind: String) throws {
        let hidden = kind == "gru" ? 30 : 16
        let net = try Self.network(kind == "gru" ? .gru : .lstm, input: 3, hidden: hidden, classes: 4, seed: 41)
        let sequences = (0..<3).map { Self.sequence(steps: 4, input: 3, seed: 100 + UInt64($0)) }
        var o = AlignmentStudy.Options()
        o.samples = 3
        let block = WeightBlock(layer: 0)
        let one = try AlignmentStudy(network: net, block: block, sequences: sequences, labels: [0, 1, 2], steps: 4, options: o, threads: 1)
        let two = try AlignmentStudy(network: net, block: block, sequences: sequences, labels: [0, 1, 2], steps: 4, options: o, threads: 2)
        #expect(one.qCount == net.stateSize && one.hidden == hidden)
        #expect(one.lastTen == Array((net.stateSize - 10)..<net.stateSize))
        #expect(one.stdByIndexFirst.count == 4 && one.stdByIndexFirst.allSatisfy { $0.count == net.stateSize })
        #expect((one.valuesFirst10 + one.valuesLast10 + one.valuesRandom10).allSatisfy { abs($0) <= 1 + 1e-12 })
        #expect(one.qNormByIndex.count == net.stateSize && one.qNormByIndex.allSatisfy { $0 >= 0 && $0 <= 1 + 1e-12 })
        if kind == "gru" { #expect(one.qNormByIndex.allSatisfy { abs($0 - 1) < 1e-12 }) }
        // Leading singular vectors inside the rank of ΔW_t (rank t at step t ≤ 4 here): 1 + 2 + 3 + 4.
        #expect(one.rankByStep == [1, 2, 3, 4])
        #expect(one.valuesFirst10.count == 3 * (1 + 2 + 3 + 4) * 10)
        func bits(_ m: [[Double]]) -> [[UInt64]] { m.map { $0.map(\.bitPattern) } }
        #expect(one.valuesFirst10 == two.valuesFirst10 && bits(one.stdByIndexLast) == bits(two.stdByIndexLast))
        #expect(one.stdFirst10 == two.stdFirst10 && one.stdRandom10 == two.stdRandom10)
    }
}
