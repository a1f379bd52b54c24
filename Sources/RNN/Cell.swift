import Foundation
import Linalg

/// The elementwise nonlinearity φ of a vanilla (Elman) cell, as `nn.RNN(nonlinearity=…)`.
public enum Nonlinearity: String, Sendable, CaseIterable, Codable {
    case tanh, relu

    /// φ(a).
    @inlinable public func apply<T: LinalgScalar>(_ a: T) -> T {
        switch self {
        case .tanh: return T.tanh(a)
        case .relu: return a > 0 ? a : 0
        }
    }

    /// φ′(a) written through the output h = φ(a): 1 − h² for tanh; for ReLU the step function,
    /// 1 where h > 0 and 0 elsewhere (so φ′(0) = 0, PyTorch's choice for the gradient of
    /// relu at 0).
    @inlinable public func derivative<T: LinalgScalar>(output h: T) -> T {
        switch self {
        case .tanh: return 1 - h * h
        case .relu: return h > 0 ? 1 : 0
        }
    }
}

/// The kind of recurrent cell a run trains (`TrainingConfig.cell`, `ftle train --cell`):
/// the vanilla cell (`RNNModel`) or a gated one (`GatedModel`, `GatedLayer`'s equations).
public enum CellKind: String, Sendable, CaseIterable, Codable {
    /// h' = φ(V h + U x + b).
    case rnn
    /// PyTorch's `nn.GRU`.
    case gru
    /// PyTorch's `nn.LSTM`.
    case lstm

    /// The gated cell (nil for the vanilla one).
    public var gated: GatedLayer.Cell? {
        switch self {
        case .rnn: return nil
        case .gru: return .gru
        case .lstm: return .lstm
        }
    }
}

extension GatedLayer.Cell {
    /// The run's cell kind of this gated cell.
    public var kind: CellKind {
        switch self {
        case .gru: return .gru
        case .lstm: return .lstm
        }
    }
}

/// Layer k of a stacked recurrent network (PyTorch's `weight_ih_l{k−1}`, `weight_hh_l{k−1}`):
///
///     h^k_t = φ(V_k h^k_{t−1} + U_k x^k_t + b_k),   x^1_t = x_t,   x^k_t = h^{k−1}_t (k ≥ 2).
///
/// Shapes: U is H_k × I_k, V is H_k × H_k, b is H_k (the sum of bias_ih and bias_hh; zeros when
/// the model has no biases).
public struct RecurrentLayer<T: LinalgScalar>: Sendable, Equatable {
    public var u: Matrix<T>
    public var v: Matrix<T>
    public var b: [T]

    public var hidden: Int { v.rows }
    public var inputSize: Int { u.cols }

    public init(u: Matrix<T>, v: Matrix<T>, b: [T]) {
        precondition(v.rows == v.cols && u.rows == v.rows && b.count == v.rows, "inconsistent layer shapes")
        self.u = u; self.v = v; self.b = b
    }

    public func converted<U: LinalgScalar>(to: U.Type = U.self) -> RecurrentLayer<U> {
        RecurrentLayer<U>(u: u.converted(), v: v.converted(), b: b.map { U($0) })
    }
}

extension RecurrentLayer where T == Double {
    /// One step of the layer for one sequence: h ← φ(V h + U x + b), writing φ′(a) (through h)
    /// into `derivative`. `h` and `derivative` have H entries, `x` has I.
    public func step(_ h: inout [Double], input x: [Double], nonlinearity: Nonlinearity, derivative: inout [Double]) {
        var a = b
        gemv(.none, v, h, beta: 1, into: &a)
        gemv(.none, u, x, beta: 1, into: &a)
        for i in 0..<a.count {
            let y = nonlinearity.apply(a[i])
            h[i] = y
            derivative[i] = nonlinearity.derivative(output: y)
        }
    }
}

/// The tangent map of a stacked network on its state s = [h¹; …; hᴸ] (layer 1 first,
/// N = Σ H_k rows), given each layer's φ′ at step t: D_t = ∂s_t/∂s_{t−1} is block
/// lower-triangular,
///
///     block (k, k) = diag(φ′(a^k_t)) V_k,
///     block (k, j < k) = diag(φ′(a^k_t)) U_k · block (k−1, j).
///
/// `forward` applies D_t to the K columns of `z` (N × K) and `transposed` applies D_tᵀ, both
/// without forming D_t (layer by layer, in O(Σ H_k² K)).
public enum StackedJacobian {
    /// D_t Z: row block k is diag(d_k) (V_k Z_k + U_k Y_{k−1}), Y_0 = 0 (the input does not
    /// depend on the state).
    public static func forward(layers: [RecurrentLayer<Double>], derivatives d: [[Double]], _ z: Matrix<Double>) -> Matrix<Double> {
        let k = z.cols
        var out = Matrix<Double>(rows: z.rows, cols: k)
        var previous = Matrix<Double>(rows: 0, cols: k), offset = 0
        for (l, layer) in layers.enumerated() {
            let h = layer.hidden
            var y = matmul(layer.v, rowBlock(z, offset, h))
            if l > 0 { gemm(.none, layer.u, .none, previous, beta: 1, into: &y) }
            scaleRows(&y, by: d[l])
            setRowBlock(&out, offset, y)
            previous = y
            offset += h
        }
        return out
    }

    /// D_tᵀ W by the adjoint of `forward`: g_L = W_L, g_k = W_k + U_{k+1}ᵀ diag(d_{k+1}) g_{k+1};
    /// row block k of the result is V_kᵀ diag(d_k) g_k.
    public static func transposed(layers: [RecurrentLayer<Double>], derivatives d: [[Double]], _ w: Matrix<Double>) -> Matrix<Double> {
        let k = w.cols
        var out = Matrix<Double>(rows: w.rows, cols: k)
        var offsets = [0]
        for layer in layers { offsets.append(offsets.last! + layer.hidden) }
        var carried: Matrix<Double>? = nil   // U_{k+1}ᵀ diag(d_{k+1}) g_{k+1}
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            var g = rowBlock(w, offsets[l], layers[l].hidden)
            if let c = carried { g = g + c }
            scaleRows(&g, by: d[l])
            setRowBlock(&out, offsets[l], matmul(layers[l].v, g, .transposed))
            if l > 0 { carried = matmul(layers[l].u, g, .transposed) }
        }
        return out
    }

    /// Rows offset..<offset+count of m.
    static func rowBlock(_ m: Matrix<Double>, _ offset: Int, _ count: Int) -> Matrix<Double> {
        var r = Matrix<Double>(rows: count, cols: m.cols)
        for j in 0..<m.cols { for i in 0..<count { r.storage[j * count + i] = m.storage[j * m.rows + offset + i] } }
        return r
    }

    static func setRowBlock(_ m: inout Matrix<Double>, _ offset: Int, _ block: Matrix<Double>) {
        let rows = m.rows
        for j in 0..<block.cols { for i in 0..<block.rows { m.storage[j * rows + offset + i] = block.storage[j * block.rows + i] } }
    }
}
