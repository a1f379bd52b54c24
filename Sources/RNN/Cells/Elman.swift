import Linalg

/// The vanilla (Elman) cell, `nn.RNN`'s layer: h′ = φ(V h + U x + b), φ = tanh or ReLU.
///
/// Shapes: U (`weight_ih`) H×I, V (`weight_hh`) H×H, b H (the sum of bias_ih and bias_hh; the
/// parameters list it as bias_ih with a zero bias_hh, as ftle writes model files). The state
/// is h (S = H); the cache is φ′(a) written through h′ (`Nonlinearity.derivative(output:)`).
public struct Elman: RecurrentCell, Equatable {
    public var u: Matrix<Double>
    public var v: Matrix<Double>
    public var b: [Double]
    public var nonlinearity: Nonlinearity
    /// Which of PyTorch's biases the layer has (`none`: b ≡ 0 and no bias block).
    public var biasMode: BiasMode

    public init(u: Matrix<Double>, v: Matrix<Double>, b: [Double], nonlinearity: Nonlinearity = .tanh, biasMode: BiasMode = .pair) {
        precondition(v.rows == v.cols && u.rows == v.rows && b.count == v.rows, "inconsistent Elman shapes")
        self.u = u; self.v = v; self.b = b; self.nonlinearity = nonlinearity; self.biasMode = biasMode
    }

    public init(_ layer: RecurrentLayer<Double>, nonlinearity: Nonlinearity, biasMode: BiasMode) {
        self.init(u: layer.u, v: layer.v, b: layer.b, nonlinearity: nonlinearity, biasMode: biasMode)
    }

    public var cellName: String { CellRegistry.elman.name }
    public var hidden: Int { v.rows }
    public var stateSize: Int { v.rows }
    public var inputSize: Int { u.cols }
    public var gateNames: [String] { CellRegistry.elman.gateNames }
    /// True for the single-layer tanh cell the stepper's fused fast path handles.
    public var isTanh: Bool { nonlinearity == .tanh }

    public var parameters: [ParameterBlock] {
        var blocks = [ParameterBlock(name: "weight_ih", matrix: u), ParameterBlock(name: "weight_hh", matrix: v)]
        if biasMode != .none { blocks.append(ParameterBlock(name: "bias_ih", shape: [hidden], values: b)) }
        if biasMode == .pair { blocks.append(ParameterBlock(name: "bias_hh", shape: [hidden], values: [Double](repeating: 0, count: hidden))) }
        return blocks
    }

    public func replacingParameters(_ blocks: [ParameterBlock]) throws -> Elman {
        try checkReplacement(blocks, of: parameters)
        var copy = self
        copy.u = blocks[0].matrix
        copy.v = blocks[1].matrix
        copy.b = [Double](repeating: 0, count: hidden)
        for block in blocks.dropFirst(2) { for i in 0..<hidden { copy.b[i] += block.values[i] } }
        return copy
    }

    public func step(state s: [Double], input x: [Double]) -> CellStep {
        var h = s, d = [Double](repeating: 0, count: hidden)
        RecurrentLayer(u: u, v: v, b: b).step(&h, input: x, nonlinearity: nonlinearity, derivative: &d)
        return CellStep(state: h, cache: [d])
    }

    /// diag(φ′) (V Z + U Y): V Z first, U Y added by gemm, then the row scaling (the order of
    /// the stacked code it replaced, so stacked spectra stayed bit-identical).
    public func tangent(_ step: CellStep, state s: [Double], _ z: Matrix<Double>, input y: Matrix<Double>?) -> Matrix<Double> {
        var out = matmul(v, z)
        if let y { gemm(.none, u, .none, y, beta: 1, into: &out) }
        scaleRows(&out, by: step.cache[0])
        return out
    }

    /// G = diag(φ′) W; (Vᵀ G, Uᵀ G).
    public func tangentTransposed(_ step: CellStep, state s: [Double], _ w: Matrix<Double>, needsInput: Bool)
        -> (state: Matrix<Double>, input: Matrix<Double>) {
        var g = w
        scaleRows(&g, by: step.cache[0])
        return (matmul(v, g, .transposed), needsInput ? matmul(u, g, .transposed) : Matrix(rows: 0, cols: 0))
    }

    /// g = φ′ ⊙ δ: ∂ℓ/∂h = Vᵀ g, ∂ℓ/∂x = Uᵀ g, ∂ℓ/∂U = g xᵀ, ∂ℓ/∂V = g hᵀ, ∂ℓ/∂b = g (each bias).
    public func adjoint(_ step: CellStep, state s: [Double], input x: [Double], gradient delta: [Double]) -> CellAdjoint {
        factoredAdjoint(step, state: s, input: x, gradient: delta, needsInput: true).formed
    }

    /// `adjoint` with ∂ℓ/∂U = g xᵀ and ∂ℓ/∂V = g hᵀ as outer products.
    public func factoredAdjoint(_ step: CellStep, state s: [Double], input x: [Double], gradient delta: [Double], needsInput: Bool)
        -> FactoredAdjoint {
        let g = (0..<hidden).map { step.cache[0][$0] * delta[$0] }
        var blocks: [BlockGradient] = [.outer(rows: g, columns: x), .outer(rows: g, columns: s)]
        if biasMode != .none { blocks.append(.dense(g)) }
        if biasMode == .pair { blocks.append(.dense(g)) }
        return FactoredAdjoint(state: matvec(v, g, .transposed), input: needsInput ? matvec(u, g, .transposed) : [], blocks: blocks)
    }

    /// With P = V Z + U Y and the T = diag(φ′) P of `tangent`: ⟨W, T⟩ = Σ_ik W_ik φ′(a_i) P_ik.
    /// G = φ′ ⊙ W (rows) and c_i = φ″(a_i) Σ_k W_ik P_ik give ∂/∂V = G Zᵀ + c sᵀ,
    /// ∂/∂U = G Yᵀ + c xᵀ, ∂/∂b = c, ∂/∂s = Vᵀ c, ∂/∂x = Uᵀ c; φ″ through h′ is −2h′(1 − h′²)
    /// for tanh and 0 for ReLU (its derivative is piecewise constant).
    public func tangentBilinearGradient(_ step: CellStep, state s: [Double], input x: [Double],
                                        left w: Matrix<Double>, right z: Matrix<Double>, input y: Matrix<Double>?) -> CellAdjoint {
        var p = matmul(v, z)
        if let y { gemm(.none, u, .none, y, beta: 1, into: &p) }
        let slope = step.cache[0], h = step.state
        var g = w
        scaleRows(&g, by: slope)
        var c = [Double](repeating: 0, count: hidden)
        if nonlinearity == .tanh {
            for j in 0..<w.cols { for i in 0..<hidden { c[i] += w[i, j] * p[i, j] } }
            for i in 0..<hidden { c[i] *= -2 * h[i] * slope[i] }
        }
        // Row-major blocks directly: the column-major storage of Z Gᵀ is G Zᵀ row-major.
        var dV = matmul(z, g, .none, .transposed).storage
        for i in 0..<hidden where c[i] != 0 { for j in 0..<hidden { dV[i * hidden + j] += c[i] * s[j] } }
        var dU = y.map { matmul($0, g, .none, .transposed).storage } ?? [Double](repeating: 0, count: hidden * inputSize)
        for i in 0..<hidden where c[i] != 0 { for j in 0..<inputSize { dU[i * inputSize + j] += c[i] * x[j] } }
        var blocks = [dU, dV]
        if biasMode != .none { blocks.append(c) }
        if biasMode == .pair { blocks.append(c) }
        return CellAdjoint(state: matvec(v, c, .transposed), input: matvec(u, c, .transposed), parameters: blocks)
    }
}

/// a bᵀ, row-major (a.count × b.count).
@inlinable public func outerRowMajor(_ a: [Double], _ b: [Double]) -> [Double] {
    var out = [Double](repeating: 0, count: a.count * b.count)
    for i in a.indices { for j in b.indices { out[i * b.count + j] = a[i] * b[j] } }
    return out
}

/// Throws unless `blocks` has the names and shapes of `current`, in order, all finite.
func checkReplacement(_ blocks: [ParameterBlock], of current: [ParameterBlock]) throws {
    guard blocks.map(\.name) == current.map(\.name) else {
        throw CellError("parameters \(blocks.map(\.name)) do not match the cell's \(current.map(\.name))")
    }
    for (new, old) in zip(blocks, current) where new.shape != old.shape {
        throw CellError("parameter \(new.name) has shape \(new.shape), the cell's is \(old.shape)")
    }
    if let bad = blocks.first(where: { !$0.values.allSatisfy(\.isFinite) }) { throw CellError("parameter \(bad.name) has non-finite values") }
}
