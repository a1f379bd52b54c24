import Foundation
import Linalg
import RNN
import TestSupport
import Testing

/// GRU and LSTM layers: the step against PyTorch's own modules, the analytic Jacobians against
/// PyTorch's autograd (fixture Tests/Fixtures/pytorch-gated, made by its make_fixture.py) and
/// against central differences of the step itself. All in Float64.
@Suite struct GatedLayerTests {
    static let fixturePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/pytorch-gated/gated-cells.json").path

    struct Case {
        var layer: GatedLayer
        var initialState: [Double]
        var inputs: [[Double]]
        var states: [[Double]]
        var stateJacobians: [Matrix<Double>]
        var inputJacobians: [Matrix<Double>]
        var name: String
    }

    struct FixtureError: Error { var field: String }

    static func cases() throws -> [Case] {
        func field<V>(_ object: [String: Any], _ key: String, as: V.Type = V.self) throws -> V {
            guard let value = object[key] as? V else { throw FixtureError(field: key) }
            return value
        }
        func matrices(_ object: [String: Any], _ key: String) throws -> [Matrix<Double>] {
            try field(object, key, as: [[[Double]]].self).map { Matrix($0) }
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: fixturePath))
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw FixtureError(field: "root") }
        return try field(root, "cases", as: [[String: Any]].self).map { c in
            guard let cell = GatedLayer.Cell(rawValue: try field(c, "cell", as: String.self)) else { throw FixtureError(field: "cell") }
            let layer = try GatedLayer(cell: cell, inputWeights: Matrix(try field(c, "weight_ih_l0", as: [[Double]].self)),
                                       recurrentWeights: Matrix(try field(c, "weight_hh_l0", as: [[Double]].self)),
                                       inputBias: c["bias_ih_l0"] as? [Double], recurrentBias: c["bias_hh_l0"] as? [Double])
            return Case(layer: layer, initialState: try field(c, "initial_state"), inputs: try field(c, "inputs"),
                        states: try field(c, "states"), stateJacobians: try matrices(c, "state_jacobians"),
                        inputJacobians: try matrices(c, "input_jacobians"),
                        name: "\(cell.rawValue) bias=\(try field(c, "bias", as: Bool.self))")
        }
    }

    /// The fixture holds GRU and LSTM, with and without biases, 6 steps each.
    @Test func fixtureCoversBothCellsWithAndWithoutBiases() throws {
        let cases = try Self.cases()
        #expect(cases.map(\.name) == ["gru bias=true", "gru bias=false", "lstm bias=true", "lstm bias=false"])
        #expect(cases.allSatisfy { $0.inputs.count == 6 && $0.states.count == 6 && $0.stateJacobians.count == 6 })
    }

    /// States equal PyTorch's to 1e-13 and both Jacobians equal autograd's to 1e-12 at every step.
    @Test func stepAndJacobiansMatchPyTorch() throws {
        for c in try Self.cases() {
            var s = c.initialState
            for t in 0..<c.inputs.count {
                let step = c.layer.step(state: s, input: c.inputs[t])
                let (dState, dInput) = c.layer.jacobians(state: s, input: c.inputs[t], step: step)
                #expect(dState.maxAbsDifference(c.stateJacobians[t]) < 1e-12, "\(c.name) t=\(t) ∂s'/∂s")
                #expect(dInput.maxAbsDifference(c.inputJacobians[t]) < 1e-12, "\(c.name) t=\(t) ∂s'/∂x")
                s = step.state
                #expect(relativeMaxDifference(s, c.states[t]) < 1e-13, "\(c.name) t=\(t) state")
            }
        }
    }

    /// Central differences (ε = 1e-6) of the step agree with the analytic Jacobians to 1e-8, on
    /// random layers with large weights (saturating gates) of a size unlike the fixture's.
    @Test(arguments: GatedLayer.Cell.allCases)
    func jacobiansMatchCentralDifferences(cell: GatedLayer.Cell) throws {
        var random = SeededRandom(seed: cell == .gru ? 5 : 6)
        let (h, inputs) = (7, 4)
        func draw(_ rows: Int, _ cols: Int) -> Matrix<Double> {
            Matrix(rows: rows, cols: cols, columnMajor: (0..<(rows * cols)).map { _ in 1.5 * random.nextNormal() })
        }
        let g = cell.gateCount
        let layer = try GatedLayer(cell: cell, inputWeights: draw(g * h, inputs), recurrentWeights: draw(g * h, h),
                                   inputBias: draw(g * h, 1).column(0), recurrentBias: draw(g * h, 1).column(0))
        let s = (0..<layer.stateSize).map { _ in random.nextNormal() }
        let x = (0..<inputs).map { _ in random.nextNormal() }
        let (dState, dInput) = layer.jacobians(state: s, input: x, step: layer.step(state: s, input: x))
        for row in 0..<layer.stateSize {
            let byState = centralDifference({ layer.step(state: $0, input: x).state[row] }, at: s)
            let byInput = centralDifference({ layer.step(state: s, input: $0).state[row] }, at: x)
            #expect(zip(byState, dState.row(row)).allSatisfy { abs($0 - $1) < 1e-8 }, "row \(row) ∂s'/∂s")
            #expect(zip(byInput, dInput.row(row)).allSatisfy { abs($0 - $1) < 1e-8 }, "row \(row) ∂s'/∂x")
        }
    }

    /// The frame product without the dense Jacobian (`frameProduct`, the single-layer fast
    /// path of the Lyapunov engine) equals ∂s'/∂s · Q and (∂s'/∂s)ᵀ · Q formed densely, to
    /// 1e-12, for K = 3 and K = S, with and without biases.
    @Test(arguments: GatedLayer.Cell.allCases, [true, false])
    func frameProductMatchesDenseJacobian(cell: GatedLayer.Cell, biases: Bool) throws {
        var random = SeededRandom(seed: cell == .gru ? 15 : 16)
        let (h, inputs) = (6, 3), g = cell.gateCount
        func draw(_ rows: Int, _ cols: Int) -> Matrix<Double> {
            Matrix(rows: rows, cols: cols, columnMajor: (0..<(rows * cols)).map { _ in 1.2 * random.nextNormal() })
        }
        let layer = try GatedLayer(cell: cell, inputWeights: draw(g * h, inputs), recurrentWeights: draw(g * h, h),
                                   inputBias: biases ? draw(g * h, 1).column(0) : nil, recurrentBias: biases ? draw(g * h, 1).column(0) : nil)
        let s = (0..<layer.stateSize).map { _ in random.nextNormal() }
        let x = (0..<inputs).map { _ in random.nextNormal() }
        let step = layer.step(state: s, input: x)
        let dense = layer.jacobians(state: s, input: x, step: step).state
        for k in [3, layer.stateSize] {
            let q = draw(layer.stateSize, k)
            for transposed in [false, true] {
                let fast = layer.frameProduct(state: s, step: step, frame: q, transposed: transposed)
                let reference = matmul(dense, q, transposed ? .transposed : .none)
                #expect(fast.maxAbsDifference(reference) < 1e-12, "\(cell) K=\(k) transposed=\(transposed)")
            }
        }
    }

    /// Shapes that do not fit a cell are refused with one line.
    @Test func mismatchedShapesAreRefused() {
        let w = Matrix<Double>(rows: 12, cols: 3)
        #expect(throws: GatedLayerError("weight_hh is 12×3; a GRU needs 3·H×H")) {
            _ = try GatedLayer(cell: .gru, inputWeights: w, recurrentWeights: w, inputBias: nil, recurrentBias: nil)
        }
        #expect(throws: GatedLayerError("weight_ih is 12×2; expected 16×I with I ≥ 1") ) {
            _ = try GatedLayer(cell: .lstm, inputWeights: Matrix(rows: 12, cols: 2), recurrentWeights: Matrix(rows: 16, cols: 4),
                               inputBias: nil, recurrentBias: nil)
        }
        #expect(throws: GatedLayerError("bias_hh has 5 values; expected 16")) {
            _ = try GatedLayer(cell: .lstm, inputWeights: Matrix(rows: 16, cols: 2), recurrentWeights: Matrix(rows: 16, cols: 4),
                               inputBias: nil, recurrentBias: [Double](repeating: 0, count: 5))
        }
    }
}

/// max |a − b| / max(1, max |b|).
private func relativeMaxDifference(_ a: [Double], _ b: [Double]) -> Double {
    guard a.count == b.count else { return .infinity }
    let scale = max(1, b.map(abs).max() ?? 0)
    return zip(a, b).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
}
