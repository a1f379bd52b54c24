import Foundation
import Linalg
import Lyapunov
import RNN
import TestSupport
import Testing

/// A cell defined here, outside `Sources`: the linear cell s′ = V s + U x. Nothing in
/// `Sources` knows it; the engine steps it through `RecurrentCell` alone.
struct LinearCell: RecurrentCell {
    var u: Matrix<Double>
    var v: Matrix<Double>

    var cellName: String { "linear" }
    var hidden: Int { v.rows }
    var stateSize: Int { v.rows }
    var inputSize: Int { u.cols }
    var gateNames: [String] { [] }
    var parameters: [ParameterBlock] { [ParameterBlock(name: "weight_ih", matrix: u), ParameterBlock(name: "weight_hh", matrix: v)] }

    func replacingParameters(_ blocks: [ParameterBlock]) throws -> LinearCell {
        LinearCell(u: blocks[0].matrix, v: blocks[1].matrix)
    }

    func step(state s: [Double], input x: [Double]) -> CellStep {
        var next = matvec(v, s)
        gemv(.none, u, x, beta: 1, into: &next)
        return CellStep(state: next)
    }

    func tangent(_ step: CellStep, state s: [Double], _ z: Matrix<Double>, input y: Matrix<Double>?) -> Matrix<Double> {
        var out = matmul(v, z)
        if let y { gemm(.none, u, .none, y, beta: 1, into: &out) }
        return out
    }

    func tangentTransposed(_ step: CellStep, state s: [Double], _ w: Matrix<Double>, needsInput: Bool) -> (state: Matrix<Double>, input: Matrix<Double>) {
        (matmul(v, w, .transposed), needsInput ? matmul(u, w, .transposed) : Matrix(rows: 0, cols: 0))
    }

    func adjoint(_ step: CellStep, state s: [Double], input x: [Double], gradient delta: [Double]) -> CellAdjoint {
        func outer(_ a: [Double], _ b: [Double]) -> [Double] { a.flatMap { ai in b.map { ai * $0 } } }
        return CellAdjoint(state: matvec(v, delta, .transposed), input: matvec(u, delta, .transposed),
                           parameters: [outer(delta, x), outer(delta, s)])
    }
}

@Suite struct ForeignCellTests {
    /// V = O T Oᵀ: O a seeded random orthogonal matrix, T upper-triangular with the given
    /// diagonal (so V is not normal, and its eigenvalues are that diagonal).
    static func linear(eigenvalues: [Double], inputSize: Int, seed: UInt64) -> LinearCell {
        let n = eigenvalues.count
        var rng = SeededRandom(seed: seed)
        let o = Matrix<Double>.randomOrthonormal(rows: n, cols: n, using: &rng)
        var t = Matrix<Double>.gaussian(rows: n, cols: n, std: 0.4, using: &rng)
        for j in 0..<n { for i in j..<n { t[i, j] = i == j ? eigenvalues[i] : 0 } }
        return LinearCell(u: .gaussian(rows: n, cols: inputSize, using: &rng), v: matmul(matmul(o, t), o, .none, .transposed))
    }

    /// λ_k(T) of a constant linear map are ln|eig_k| in decreasing order (T = 4000, zero
    /// input, random Q_0; the finite-T error is O(ln cond / T) ≈ 1e-3 here, tolerance 5e-3), under
    /// both conventions, for one linear layer and for a stack of two (block lower-triangular
    /// D, whose eigenvalues are the two layers' together).
    @Test(arguments: JacobianConvention.allCases)
    func spectrumIsLogModulusOfEigenvalues(_ jacobian: JacobianConvention) throws {
        let lowerEigenvalues = [0.95, -0.8, 0.6, 0.4, 0.2], upperEigenvalues = [0.9, -0.5, 0.3]
        let lower = Self.linear(eigenvalues: lowerEigenvalues, inputSize: 2, seed: 1)
        let upper = Self.linear(eigenvalues: upperEigenvalues, inputSize: 5, seed: 2)
        let steps = 4000
        for (layers, eigenvalues) in [([lower], lowerEigenvalues), ([lower, upper], lowerEigenvalues + upperEigenvalues)] as [([any RecurrentCell], [Double])] {
            let network = try Network(layers: layers, readoutWeights: Matrix(rows: 1, cols: layers.last!.hidden), readoutBias: [0])
            // A random Q_0: under the transposed convention a stack's D_tᵀ is block
            // upper-triangular, so the identity's first H_1 columns span an invariant subspace
            // (layer 1's) and would never see the upper layers' directions.
            let trace = try LyapunovTrace(network: network, sequence: [Double](repeating: 0, count: steps * 2), steps: steps,
                                          initialFrame: .random(seed: 9), jacobian: jacobian)
            let expected = eigenvalues.map { log(abs($0)) }.sorted(by: >)
            #expect(trace.spectrum.count == expected.count)
            for (got, want) in zip(trace.spectrum, expected) {
                #expect(abs(got - want) < 5e-3, "\(layers.count) layer(s), \(jacobian): \(got) vs \(want)")
            }
            // The identity start, all N and the leading 3: sorted and right under both
            // conventions (the transposed one takes the coordinates top layer first).
            for k in [eigenvalues.count, 3] {
                let identity = try LyapunovTrace(network: network, sequence: [Double](repeating: 0, count: steps * 2), steps: steps, k: k,
                                                 jacobian: jacobian)
                for (got, want) in zip(identity.spectrum, expected.prefix(k)) {
                    #expect(abs(got - want) < 5e-3, "identity start, K = \(k), \(layers.count) layer(s), \(jacobian): \(got) vs \(want)")
                }
            }
        }
    }

    /// The network gradient through the linear cell's adjoint against central differences
    /// (1e-6 relative), stacked on a tanh `Elman` layer so the stacking code carries it.
    @Test func gradientThroughForeignCell() throws {
        var rng = SeededRandom(seed: 3)
        let elman = Elman(u: .gaussian(rows: 3, cols: 2, std: 0.5, using: &rng), v: .gaussian(rows: 3, cols: 3, std: 0.5, using: &rng),
                          b: [0.1, 0, -0.1])
        let network = try Network(layers: [elman, Self.linear(eigenvalues: [0.7, -0.3, 0.5, 0.1], inputSize: 3, seed: 4)],
                                  readoutWeights: .gaussian(rows: 3, cols: 4, using: &rng), readoutBias: [0, 0.2, 0])
        let x = Matrix<Double>.gaussian(rows: 12, cols: 1, using: &rng).storage
        let gradient = network.crossEntropyGradient(sequence: x, steps: 6, label: 2)
        let blocks = network.namedParameters
        for (b, block) in blocks.enumerated() {
            let fd = centralDifference({ values in
                var changed = blocks
                changed[b].values = values
                return CrossEntropy.loss(try! network.replacingParameters(changed).finalLogits(sequence: x, steps: 6), label: 2)
            }, at: block.values)
            #expect(relativeError(gradient.parameters[block.name]!, fd) < 1e-6, "\(block.name)")
        }
    }
}
