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
    /// The registry's entry of this cell.
    public var entry: CellRegistry {
        switch self {
        case .gru: return .gru
        case .lstm: return .lstm
        }
    }

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
