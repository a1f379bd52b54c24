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

/// The cell a run trains (`TrainingConfig.cell`, `ftle train --cell`), by its registry name:
/// the vanilla cell (`RNNModel`), a gated one (`GatedModel`, `GatedLayer`'s equations), or a
/// cell defined outside ftle's sources that a `Network` run trains (`RegisteredCells`). Any
/// name decodes from a checkpoint; each model kind's trainer refuses the names it cannot
/// train, in one line, and `--cell` takes the built-in ones only.
public struct CellKind: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// h' = φ(V h + U x + b).
    public static let rnn = CellKind(rawValue: CellRegistry.elman.name)
    /// PyTorch's `nn.GRU`.
    public static let gru = CellKind(rawValue: CellRegistry.gru.name)
    /// PyTorch's `nn.LSTM`.
    public static let lstm = CellKind(rawValue: CellRegistry.lstm.name)
    /// The cells ftle's own sources define, in `--cell`'s order.
    public static let builtIn: [CellKind] = [.rnn, .gru, .lstm]

    public var description: String { rawValue }

    /// Why the built-in trainers (`RNNModel`, `GatedModel`) cannot train this cell, in one
    /// line (nil for a built-in cell): a foreign cell trains as a `Network`.
    public var notBuiltIn: String? {
        CellKind.builtIn.contains(self) ? nil
            : "cell \(quotedForMessage(rawValue)) is not one of ftle's own (rnn, gru or lstm); a registered cell trains as a Network"
    }

    /// The gated cell (nil for the vanilla one and any other).
    public var gated: GatedLayer.Cell? {
        if self == .gru { return .gru }
        if self == .lstm { return .lstm }
        return nil
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
