import Linalg

/// One recurrent layer of any kind, as the engine, the analyses and the adjoint see it, in
/// Float64. A cell maps (s, x) to s′: s is its state (S entries, S a multiple of H: h alone, or
/// [h; c] for an LSTM), x its input (I entries), and the layer above (or the readout) reads
/// the first H entries of s′.
///
/// What the rest of ftle asks of a cell, and nothing more:
/// - `step`: s′ and whatever the cell wants to keep for its derivatives (`CellStep.cache`);
/// - `tangent`: the forward tangent map ∂s′/∂s · Z + ∂s′/∂x · Y (Z: S×K, Y: I×K or absent),
///   matrix-free where the cell allows;
/// - `tangentTransposed`: (∂s′/∂s)ᵀ W and (∂s′/∂x)ᵀ W (W: S×K);
/// - `adjoint`: for δ = ∂ℓ/∂s′, the gradient with respect to s, x and each parameter block.
///
/// The tangent and its transpose are adjoint to each other (⟨W, D Z⟩ = ⟨Dᵀ W, Z⟩), and the
/// adjoint's state and input parts are `tangentTransposed` of a single column: the tests hold
/// every cell, including one defined outside `Sources`, to these identities and to central
/// differences of `step`.
public protocol RecurrentCell: Sendable {
    /// The name the registry and model files use ("rnn", "gru", "lstm", or a cell's own).
    var cellName: String { get }
    /// H, the size of the output h (the first H entries of the state).
    var hidden: Int { get }
    /// S, the size of the state (H, or 2H for an LSTM).
    var stateSize: Int { get }
    /// I.
    var inputSize: Int { get }
    /// The gate names, in the order `CellStep.gates` holds them ([] for an ungated cell).
    var gateNames: [String] { get }
    /// The parameter blocks, in PyTorch's order and layout (names without the `rnn.` prefix
    /// and `_l{k}` suffix: "weight_ih", "weight_hh", "bias_ih", "bias_hh").
    var parameters: [ParameterBlock] { get }
    /// A copy of the cell with these parameter values (same names and shapes as `parameters`).
    func replacingParameters(_ blocks: [ParameterBlock]) throws -> Self

    /// One step from state s (S) with input x (I).
    func step(state s: [Double], input x: [Double]) -> CellStep
    /// ∂s′/∂s · Z + ∂s′/∂x · Y at the step `step` taken from `s`: Z is S×K, Y is I×K (nil: no
    /// input direction, the input does not move); the result is S×K.
    func tangent(_ step: CellStep, state s: [Double], _ z: Matrix<Double>, input y: Matrix<Double>?) -> Matrix<Double>
    /// ((∂s′/∂s)ᵀ W, (∂s′/∂x)ᵀ W) for W (S×K): S×K and I×K (the input part only when
    /// `needsInput`, an empty matrix otherwise).
    func tangentTransposed(_ step: CellStep, state s: [Double], _ w: Matrix<Double>, needsInput: Bool)
        -> (state: Matrix<Double>, input: Matrix<Double>)
    /// The adjoint of one step for δ = ∂ℓ/∂s′ (S): ∂ℓ/∂s, ∂ℓ/∂x and ∂ℓ/∂(each block of
    /// `parameters`, same order and layout).
    func adjoint(_ step: CellStep, state s: [Double], input x: [Double], gradient delta: [Double]) -> CellAdjoint
    /// `adjoint` with each block's gradient as the cell can give it without forming it: a
    /// weight's as the rank-one product g aᵀ of one step (`BlockGradient.outer`), the rest as
    /// values; ∂ℓ/∂x only when `needsInput` (empty otherwise). Sums over steps of the factors
    /// are one GEMM (the alignment study's prefix gradients). The default forms every block
    /// through `adjoint`.
    func factoredAdjoint(_ step: CellStep, state s: [Double], input x: [Double], gradient delta: [Double], needsInput: Bool)
        -> FactoredAdjoint
    /// The gradient of the bilinear form ⟨W, ∂s′/∂s · Z + ∂s′/∂x · Y⟩ with respect to s, x and
    /// each parameter block, W (S×K), Z (S×K) and Y (I×K, nil: no input direction) held fixed:
    /// the second-order term of the Lyapunov exponents' gradient (∂/∂θ of ⟨M̄, D_t Q⟩, how D_t
    /// moves with the state and the weights). The default takes central differences of
    /// `adjoint` along each column (s, x) ± ε(z_k, y_k), Richardson-extrapolated (error
    /// O(ε⁴), about 1e-10 relative for smooth cells): any cell gets it from `step` and
    /// `adjoint`; the built-in cells give it in closed form and the tests hold the two together.
    func tangentBilinearGradient(_ step: CellStep, state s: [Double], input x: [Double],
                                 left w: Matrix<Double>, right z: Matrix<Double>, input y: Matrix<Double>?) -> CellAdjoint
}

/// One parameter block's gradient from one step of a cell's adjoint.
public enum BlockGradient: Sendable {
    /// rows · columnsᵀ: a weight block's gradient (rows.count × columns.count, PyTorch's layout).
    case outer(rows: [Double], columns: [Double])
    /// The values, row-major.
    case dense([Double])

    /// The values, row-major (an outer product formed).
    public var values: [Double] {
        switch self {
        case let .outer(a, b): return outerRowMajor(a, b)
        case let .dense(v): return v
        }
    }
}

/// The adjoint of one step with its blocks' gradients factored (`RecurrentCell.factoredAdjoint`).
public struct FactoredAdjoint: Sendable {
    /// ∂ℓ/∂s (S).
    public var state: [Double]
    /// ∂ℓ/∂x (I), or empty when not asked for.
    public var input: [Double]
    /// One gradient per block of `RecurrentCell.parameters`, in order.
    public var blocks: [BlockGradient]

    public init(state: [Double], input: [Double], blocks: [BlockGradient]) {
        self.state = state; self.input = input; self.blocks = blocks
    }

    /// As a `CellAdjoint` (every block formed).
    public var formed: CellAdjoint { CellAdjoint(state: state, input: input, parameters: blocks.map(\.values)) }
}

/// What one step of a cell produced.
public struct CellStep: Sendable {
    /// s′ (S entries).
    public var state: [Double]
    /// The gate activations (one array of H per gate, in `gateNames` order; [] when ungated).
    public var gates: [[Double]]
    /// Whatever the cell keeps for its derivatives (its own layout).
    public var cache: [[Double]]

    public init(state: [Double], gates: [[Double]] = [], cache: [[Double]] = []) {
        self.state = state; self.gates = gates; self.cache = cache
    }
}

/// The gradients of one step's adjoint.
public struct CellAdjoint: Sendable {
    /// ∂ℓ/∂s (S).
    public var state: [Double]
    /// ∂ℓ/∂x (I).
    public var input: [Double]
    /// ∂ℓ/∂θ for each parameter block (as `RecurrentCell.parameters`, row-major values).
    public var parameters: [[Double]]

    public init(state: [Double], input: [Double], parameters: [[Double]]) {
        self.state = state; self.input = input; self.parameters = parameters
    }
}

/// A named parameter tensor of a cell, in PyTorch's layout: `shape` as PyTorch reports it
/// ([rows, cols] for a weight, [n] for a bias), `values` row-major.
public struct ParameterBlock: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var values: [Double]

    public init(name: String, shape: [Int], values: [Double]) {
        precondition(shape.reduce(1, *) == values.count, "parameter \(name): \(values.count) values for shape \(shape)")
        self.name = name; self.shape = shape; self.values = values
    }

    public init(name: String, matrix: Matrix<Double>) {
        self.init(name: name, shape: [matrix.rows, matrix.cols], values: matrix.rowMajor)
    }

    /// The values as a matrix (weights only).
    public var matrix: Matrix<Double> {
        precondition(shape.count == 2, "parameter \(name) is not a matrix")
        return Matrix(rows: shape[0], cols: shape[1], rowMajor: values)
    }
}

/// A cell's parameters do not fit; `description` is the one line shown.
public struct CellError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension RecurrentCell {
    /// Every block formed by `adjoint` (cells without a factored form).
    public func factoredAdjoint(_ step: CellStep, state s: [Double], input x: [Double], gradient delta: [Double], needsInput: Bool)
        -> FactoredAdjoint {
        let a = adjoint(step, state: s, input: x, gradient: delta)
        return FactoredAdjoint(state: a.state, input: needsInput ? a.input : [], blocks: a.parameters.map { .dense($0) })
    }

    /// The default: `tangentBilinearGradientByDifferences`.
    public func tangentBilinearGradient(_ step: CellStep, state s: [Double], input x: [Double],
                                        left w: Matrix<Double>, right z: Matrix<Double>, input y: Matrix<Double>?) -> CellAdjoint {
        tangentBilinearGradientByDifferences(step, state: s, input: x, left: w, right: z, input: y)
    }

    /// `tangentBilinearGradient` by central differences of `adjoint` along each direction
    /// column, Richardson-extrapolated: the reference path for the closed forms, and the
    /// default for cells that give none. `step` is unused (each difference takes its own).
    public func tangentBilinearGradientByDifferences(_ step: CellStep, state s: [Double], input x: [Double],
                                                     left w: Matrix<Double>, right z: Matrix<Double>,
                                                     input y: Matrix<Double>?) -> CellAdjoint {
        var total = CellAdjoint(state: [Double](repeating: 0, count: s.count), input: [Double](repeating: 0, count: x.count),
                                parameters: parameters.map { [Double](repeating: 0, count: $0.values.count) })
        for k in 0..<z.cols {
            let dz = z.column(k), dy = y?.column(k) ?? [Double](repeating: 0, count: x.count), wk = w.column(k)
            let size = max(dz.map(abs).max() ?? 0, dy.map(abs).max() ?? 0)
            if size == 0 { continue }
            /// (adjoint(+ε) − adjoint(−ε)) / 2ε, flattened as [state, input, blocks…].
            func centralDifference(_ epsilon: Double) -> [Double] {
                func flatAdjoint(_ sign: Double) -> [Double] {
                    let sp = zip(s, dz).map { $0 + sign * epsilon * $1 }, xp = zip(x, dy).map { $0 + sign * epsilon * $1 }
                    let a = adjoint(self.step(state: sp, input: xp), state: sp, input: xp, gradient: wk)
                    return a.state + a.input + a.parameters.flatMap { $0 }
                }
                return zip(flatAdjoint(1), flatAdjoint(-1)).map { ($0 - $1) / (2 * epsilon) }
            }
            let epsilon = 2e-3 / size
            let coarse = centralDifference(epsilon), fine = centralDifference(epsilon / 2)
            let extrapolated = zip(fine, coarse).map { (4 * $0 - $1) / 3 }
            var offset = 0
            for i in total.state.indices { total.state[i] += extrapolated[offset + i] }
            offset += total.state.count
            for i in total.input.indices { total.input[i] += extrapolated[offset + i] }
            offset += total.input.count
            for b in total.parameters.indices {
                for i in total.parameters[b].indices { total.parameters[b][i] += extrapolated[offset + i] }
                offset += total.parameters[b].count
            }
        }
        return total
    }

    /// The parameter block called `name` (nil: the cell has none).
    public func parameter(named name: String) -> ParameterBlock? { parameters.first { $0.name == name } }

    /// The tangent map ∂s′/∂s formed as an S×S matrix (reference path for tests and small
    /// states; the engine never forms it).
    public func stateJacobian(_ step: CellStep, state s: [Double]) -> Matrix<Double> {
        tangent(step, state: s, .identity(stateSize), input: nil)
    }

    /// ∂s′/∂x formed as an S×I matrix (reference path).
    public func inputJacobian(_ step: CellStep, state s: [Double]) -> Matrix<Double> {
        tangent(step, state: s, Matrix(rows: stateSize, cols: inputSize), input: .identity(inputSize))
    }
}
