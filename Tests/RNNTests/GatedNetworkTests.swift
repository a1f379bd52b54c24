import Foundation
import Linalg
import RNN
import TestSupport
import Testing

/// Stacked GRU/LSTM networks as PyTorch saves them (Tests/Fixtures/pytorch-gated, made by
/// make_models.py): logits equal PyTorch's, and the QR iteration on the block lower-triangular
/// stacked Jacobian gives PyTorch-autograd's ln r_t^k, in Float64.
@Suite struct GatedNetworkTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/pytorch-gated").path

    struct Expected: Decodable {
        var logits: [Double]
        var log_r: [[Double]]
        var state_size: Int
    }

    static func load(_ cell: GatedLayer.Cell) throws -> (GatedNetwork, NPYArray, Expected) {
        let path = "\(fixtures)/\(cell.rawValue)-2layer.safetensors"
        let network = try GatedNetwork(file: SafeTensorsFile(contentsOf: path), path: path)
        let input = try NPYArray(contentsOf: "\(fixtures)/\(cell.rawValue)-input.npy")
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: "\(fixtures)/\(cell.rawValue)-expected.json")))
        return (network, input, expected)
    }

    /// Thin QR by modified Gram–Schmidt (diag R ≥ 0): the plain reference for the test.
    static func gramSchmidt(_ a: Matrix<Double>) -> (q: Matrix<Double>, rDiagonal: [Double]) {
        var q = a
        var diagonal = [Double]()
        for j in 0..<a.cols {
            var v = q.column(j)
            for i in 0..<j {
                let qi = q.column(i)
                let projection = zip(qi, v).map(*).reduce(0, +)
                for r in v.indices { v[r] -= projection * qi[r] }
            }
            let norm = v.map { $0 * $0 }.reduce(0, +).squareRoot()
            diagonal.append(norm)
            q.setColumn(j, v.map { $0 / norm })
        }
        return (q, diagonal)
    }

    /// Logits to 1e-12 and ln r_t^k (K = N, every step) to 1e-9 against PyTorch, for a 2-layer
    /// GRU (N = 12) and LSTM (N = 24) with 3 inputs and 4 classes.
    @Test(arguments: GatedLayer.Cell.allCases)
    func matchesPyTorch(cell: GatedLayer.Cell) throws {
        let (network, input, expected) = try Self.load(cell)
        #expect(network.cell == cell && network.layers.count == 2 && network.classes == 4 && network.inputSize == 3)
        #expect(network.stateSize == expected.state_size)
        let steps = input.shape[0]
        var s = [Double](repeating: 0, count: network.stateSize)
        var q = Matrix<Double>.identity(network.stateSize)
        for t in 0..<steps {
            let x = Array(input.values[(t * 3)..<(t * 3 + 3)])
            let (next, layerSteps) = network.step(state: s, input: x)
            let d = network.stateJacobian(state: s, input: x, layerSteps: layerSteps)
            let (qNext, rDiagonal) = Self.gramSchmidt(matmul(d, q))
            let logR = rDiagonal.map { log($0) }
            #expect(zip(logR, expected.log_r[t]).allSatisfy { abs($0 - $1) < 1e-9 }, "\(cell) t=\(t): \(logR) vs \(expected.log_r[t])")
            q = qNext
            s = next
        }
        let logits = network.logits(state: s)
        #expect(zip(logits, expected.logits).allSatisfy { abs($0 - $1) < 1e-12 }, "\(logits) vs \(expected.logits)")
    }

    /// The stacked Jacobian equals central differences (ε = 1e-6) of the whole-stack step to
    /// 1e-8, at a random state with large weights, 3 layers of different widths.
    @Test(arguments: GatedLayer.Cell.allCases)
    func stackedJacobianMatchesCentralDifferences(cell: GatedLayer.Cell) throws {
        var random = SeededRandom(seed: 31)
        func draw(_ rows: Int, _ cols: Int) -> Matrix<Double> {
            Matrix(rows: rows, cols: cols, columnMajor: (0..<(rows * cols)).map { _ in 1.2 * random.nextNormal() })
        }
        let widths = [(2, 4), (4, 3), (3, 5)]  // (I, H) per layer
        let g = cell.gateCount
        let layers = try widths.map { (i, h) in
            try GatedLayer(cell: cell, inputWeights: draw(g * h, i), recurrentWeights: draw(g * h, h),
                           inputBias: draw(g * h, 1).column(0), recurrentBias: draw(g * h, 1).column(0))
        }
        let network = try GatedNetwork(layers: layers, readoutWeights: draw(2, 5), readoutBias: [0.1, -0.2])
        let s = (0..<network.stateSize).map { _ in random.nextNormal() }
        let x = [0.3, -1.1]
        let d = network.stateJacobian(state: s, input: x, layerSteps: network.step(state: s, input: x).layerSteps)
        for row in 0..<network.stateSize {
            let numeric = centralDifference({ network.step(state: $0, input: x).state[row] }, at: s)
            #expect(zip(numeric, d.row(row)).allSatisfy { abs($0 - $1) < 1e-8 }, "row \(row)")
        }
        // Block lower-triangular: layer 1's rows do not depend on layers 2 and 3.
        #expect((0..<layers[0].stateSize).allSatisfy { i in (layers[0].stateSize..<network.stateSize).allSatisfy { d[i, $0] == 0 } })
    }

    /// The one-call helpers agree with the stepped path: finalLogits equals PyTorch's logits,
    /// and the transposed product is Dᵀ Q.
    @Test func helpersAgreeWithSteppedPath() throws {
        let (network, input, expected) = try Self.load(.lstm)
        let logits = network.finalLogits(sequence: input.values, steps: input.shape[0])
        #expect(zip(logits, expected.logits).allSatisfy { abs($0 - $1) < 1e-12 })
        let s = [Double](repeating: 0.1, count: network.stateSize), x = [0.5, -0.5, 1.0]
        let steps = network.step(state: s, input: x).layerSteps
        let q = Matrix<Double>.identityColumns(network.stateSize, 3)
        let d = network.stateJacobian(state: s, input: x, layerSteps: steps)
        let product = network.jacobianProduct(state: s, input: x, layerSteps: steps, frame: q, transposed: true)
        #expect(product.maxAbsDifference(d.transposed.columns(0..<3)) == 0)
        let gates = GatedNetwork.meanGateActivations(steps)
        #expect(gates.count == 4 && gates.allSatisfy { $0 > -1 && $0 < 1 })
    }

    /// Layers that do not chain, or a readout of the wrong width, are refused with one line.
    @Test func mismatchedNetworksAreRefused() throws {
        let a = try GatedLayer(cell: .gru, inputWeights: Matrix(rows: 9, cols: 2), recurrentWeights: Matrix(rows: 9, cols: 3),
                               inputBias: nil, recurrentBias: nil)
        let b = try GatedLayer(cell: .gru, inputWeights: Matrix(rows: 12, cols: 5), recurrentWeights: Matrix(rows: 12, cols: 4),
                               inputBias: nil, recurrentBias: nil)
        #expect(throws: GatedLayerError("layer 1 takes 5 inputs but layer 0 has H = 3")) {
            _ = try GatedNetwork(layers: [a, b], readoutWeights: Matrix(rows: 2, cols: 4), readoutBias: [0, 0])
        }
        #expect(throws: GatedLayerError("fc.weight is 0×3; expected C×3 with C ≥ 1")) {
            _ = try GatedNetwork(layers: [a], readoutWeights: Matrix(rows: 0, cols: 3), readoutBias: [])
        }
    }
}
