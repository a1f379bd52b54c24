import Foundation
import Linalg

/// One gated recurrent layer with PyTorch's parameters and layout, in Float64 (the analysis
/// precision): `nn.GRU` or `nn.LSTM` (no projection), one layer of a stack.
///
/// Shapes (G gate blocks stacked by rows, in PyTorch's order):
/// - GRU: G = 3, blocks (r, z, n); LSTM: G = 4, blocks (i, f, g, o);
/// - `inputWeights` = `weight_ih_l{k}`, (G·H)×I; `recurrentWeights` = `weight_hh_l{k}`, (G·H)×H;
/// - `inputBias` = `bias_ih_l{k}`, `recurrentBias` = `bias_hh_l{k}`, G·H each, both nil for
///   `bias=False`.
///
/// The layer's state s is h (size H) for a GRU and [h; c] (size 2H, h first) for an LSTM.
/// The cells, exactly as PyTorch defines them (σ the logistic function):
/// - GRU: r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
///   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h;
/// - LSTM: (i, f, g, o) = (σ, σ, tanh, σ)(W_ih x + b_ih + W_hh h + b_hh),
///   c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c').
public struct GatedLayer: Sendable, Equatable {
    public enum Cell: String, Sendable, CaseIterable, Codable {
        case gru, lstm
        /// Gate blocks G in `weight_hh`.
        public var gateCount: Int { entry.gateNames.count }
        /// "a GRU" or "an LSTM", for messages.
        public var withArticle: String { self == .gru ? "a GRU" : "an LSTM" }
        /// Gate names in PyTorch's block order (the registry's).
        public var gateNames: [String] { entry.gateNames }
    }

    public var cell: Cell
    public var inputWeights: Matrix<Double>
    public var recurrentWeights: Matrix<Double>
    public var inputBias: [Double]?
    public var recurrentBias: [Double]?

    /// H.
    public var hidden: Int { recurrentWeights.cols }
    /// I.
    public var inputSize: Int { inputWeights.cols }
    /// Size of the layer's state: H (GRU) or 2H (LSTM).
    public var stateSize: Int { cell.entry.stateMultiple * hidden }

    /// Checks the shapes chain: (G·H)×I, (G·H)×H, and G·H biases; a one-line reason otherwise.
    public init(cell: Cell, inputWeights: Matrix<Double>, recurrentWeights: Matrix<Double>,
                inputBias: [Double]?, recurrentBias: [Double]?) throws {
        let rows = recurrentWeights.rows, h = recurrentWeights.cols, g = cell.gateCount
        guard h > 0, rows == g * h else {
            throw GatedLayerError("weight_hh is \(rows)×\(h); a \(cell.rawValue.uppercased()) needs \(g)·H×H")
        }
        guard inputWeights.rows == rows, inputWeights.cols > 0 else {
            throw GatedLayerError("weight_ih is \(inputWeights.rows)×\(inputWeights.cols); expected \(rows)×I with I ≥ 1")
        }
        for (name, bias) in [("bias_ih", inputBias), ("bias_hh", recurrentBias)] {
            if let bias, bias.count != rows { throw GatedLayerError("\(name) has \(bias.count) values; expected \(rows)") }
        }
        self.cell = cell
        self.inputWeights = inputWeights
        self.recurrentWeights = recurrentWeights
        self.inputBias = inputBias
        self.recurrentBias = recurrentBias
    }

    /// The gate activations of one step (each of length H, in `cell.gateNames` order), and
    /// the pieces the Jacobian needs.
    public struct Step: Sendable {
        /// The new state s' (H or 2H).
        public var state: [Double]
        /// Gate activations after their nonlinearity, G arrays of H.
        public var gates: [[Double]]
        /// GRU: W_hn h + b_hn (the recurrent part of n's pre-activation, before r ⊙). LSTM: tanh(c').
        var auxiliary: [Double]
    }

    /// One step from state `s` with input `x` (length I).
    public func step(state s: [Double], input x: [Double]) -> Step {
        let h = hidden
        precondition(s.count == stateSize && x.count == inputSize, "state or input size")
        var fromInput = matvec(inputWeights, x)
        var fromState = matvec(recurrentWeights, Array(s[0..<h]))
        if let inputBias { for i in fromInput.indices { fromInput[i] += inputBias[i] } }
        if let recurrentBias { for i in fromState.indices { fromState[i] += recurrentBias[i] } }
        func block(_ v: [Double], _ k: Int) -> [Double] { Array(v[(k * h)..<((k + 1) * h)]) }
        switch cell {
        case .gru:
            let r = (0..<h).map { logistic(fromInput[$0] + fromState[$0]) }
            let z = (0..<h).map { logistic(fromInput[h + $0] + fromState[h + $0]) }
            let recurrentN = block(fromState, 2)
            let n = (0..<h).map { tanh(fromInput[2 * h + $0] + r[$0] * recurrentN[$0]) }
            let next = (0..<h).map { (1 - z[$0]) * n[$0] + z[$0] * s[$0] }
            return Step(state: next, gates: [r, z, n], auxiliary: recurrentN)
        case .lstm:
            let pre = (0..<(4 * h)).map { fromInput[$0] + fromState[$0] }
            let i = block(pre, 0).map(logistic), f = block(pre, 1).map(logistic)
            let g = block(pre, 2).map { tanh($0) }, o = block(pre, 3).map(logistic)
            let c = (0..<h).map { f[$0] * s[h + $0] + i[$0] * g[$0] }
            let tanhC = c.map { tanh($0) }
            let hNext = (0..<h).map { o[$0] * tanhC[$0] }
            return Step(state: hNext + c, gates: [i, f, g, o], auxiliary: tanhC)
        }
    }

    /// The analytic Jacobians of one step at (s, x): ∂s'/∂s (S×S) and ∂s'/∂x (S×I), where
    /// S is the state size. `step` must be `self.step(state: s, input: x)`.
    ///
    /// GRU (D = diag): ∂h'/∂h = D(1−z)·∂n/∂h + D(h−n)·∂z/∂h + D(z), with
    /// ∂z/∂h = D(z(1−z)) W_hz, ∂r/∂h = D(r(1−r)) W_hr, ∂n/∂h = D(1−n²)[D(W_hn h + b_hn) ∂r/∂h + D(r) W_hn].
    /// LSTM: ∂c'/∂h = D(c f(1−f)) W_hf + D(g i(1−i)) W_hi + D(i(1−g²)) W_hg, ∂c'/∂c = D(f),
    /// ∂h'/∂h = D(tanh(c') o(1−o)) W_ho + D(o(1−tanh²c')) ∂c'/∂h, ∂h'/∂c = D(o(1−tanh²c') f).
    /// ∂s'/∂x is the same with W_i· in place of W_h· (and no ∂/∂c terms).
    /// Tested against central differences and against PyTorch's autograd (1e-12 in Float64).
    public func jacobians(state s: [Double], input x: [Double], step: Step) -> (state: Matrix<Double>, input: Matrix<Double>) {
        let h = hidden
        var dState = Matrix<Double>(rows: stateSize, cols: stateSize)
        var dInput = Matrix<Double>(rows: stateSize, cols: inputSize)
        /// Adds diag(d)·W[block k] into `out` at rows `rowOffset`, columns 0..<W.cols.
        func addScaledBlock(_ d: [Double], _ w: Matrix<Double>, block k: Int, into out: inout Matrix<Double>, rowOffset: Int = 0) {
            for j in 0..<w.cols { for i in 0..<h { out[rowOffset + i, j] += d[i] * w[k * h + i, j] } }
        }
        let sl = slopes(state: s, step: step)
        for (weights, isState) in [(recurrentWeights, true), (inputWeights, false)] {
            var out = isState ? dState : dInput
            switch cell {
            case .gru:
                let z = step.gates[1]
                addScaledBlock(sl.z, weights, block: 1, into: &out)
                addScaledBlock(sl.r, weights, block: 0, into: &out)
                // n's own block: through r ⊙ (W_hn h) for the state, directly W_in for the input.
                addScaledBlock(isState ? sl.n : sl.nInput, weights, block: 2, into: &out)
                if isState { for i in 0..<h { out[i, i] += z[i] } }
            case .lstm:
                let f = step.gates[1]
                // Rows H..<2H: ∂c'; rows 0..<H: ∂h' = o-part + throughC ⊙ ∂c'.
                addScaledBlock(sl.f, weights, block: 1, into: &out, rowOffset: h)
                addScaledBlock(sl.i, weights, block: 0, into: &out, rowOffset: h)
                addScaledBlock(sl.g, weights, block: 2, into: &out, rowOffset: h)
                for j in 0..<weights.cols { for k in 0..<h { out[k, j] = sl.throughC[k] * out[h + k, j] } }
                addScaledBlock(sl.o, weights, block: 3, into: &out)
                if isState {
                    for k in 0..<h {
                        out[h + k, h + k] += f[k]
                        out[k, h + k] += sl.throughC[k] * f[k]
                    }
                }
            }
            if isState { dState = out } else { dInput = out }
        }
        return (dState, dInput)
    }
}

extension GatedLayer {
    /// The per-unit coefficients of one step's Jacobian (each H values), by gate block.
    /// GRU: `r`, `z`, `n` multiply W_hr, W_hz, W_hn rows in ∂h'/∂h (`nInput` multiplies W_in in
    /// ∂h'/∂x); LSTM: `i`, `f`, `g` multiply W_·i, W_·f, W_·g rows in ∂c', `o` multiplies W_·o
    /// in ∂h', and ∂h' = o-part + `throughC` ⊙ ∂c'. Arrays of the other cell are empty.
    struct Slopes {
        var r: [Double] = [], z: [Double] = [], n: [Double] = [], nInput: [Double] = []
        var i: [Double] = [], f: [Double] = [], g: [Double] = [], o: [Double] = [], throughC: [Double] = []
    }

    func slopes(state s: [Double], step: Step) -> Slopes {
        let h = hidden
        var out = Slopes()
        switch cell {
        case .gru:
            let (r, z, n) = (step.gates[0], step.gates[1], step.gates[2])
            let recurrentN = step.auxiliary
            out.nInput = (0..<h).map { (1 - z[$0]) * (1 - n[$0] * n[$0]) }
            out.z = (0..<h).map { k in (s[k] - n[k]) * (z[k] * (1 - z[k])) }
            out.r = (0..<h).map { k in out.nInput[k] * recurrentN[k] * (r[k] * (1 - r[k])) }
            out.n = (0..<h).map { out.nInput[$0] * r[$0] }
        case .lstm:
            let (i, f, g, o) = (step.gates[0], step.gates[1], step.gates[2], step.gates[3])
            let tanhC = step.auxiliary
            out.f = (0..<h).map { k in s[h + k] * (f[k] * (1 - f[k])) }
            out.i = (0..<h).map { k in g[k] * (i[k] * (1 - i[k])) }
            out.g = (0..<h).map { k in i[k] * (1 - g[k] * g[k]) }
            out.o = (0..<h).map { k in tanhC[k] * (o[k] * (1 - o[k])) }
            out.throughC = (0..<h).map { k in o[k] * (1 - tanhC[k] * tanhC[k]) }
        }
        return out
    }
}

/// A gated layer's weights do not fit together; `description` is the one line shown.
public struct GatedLayerError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// σ(a) = 1/(1 + e^−a), written to stay finite for large |a|.
@inlinable func logistic(_ a: Double) -> Double {
    a >= 0 ? 1 / (1 + exp(-a)) : exp(a) / (1 + exp(a))
}
