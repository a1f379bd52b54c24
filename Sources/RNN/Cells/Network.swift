import Linalg
import MNIST

/// A stack of recurrent cells of any kind and a linear readout of the top layer's h, in
/// Float64: what the engine and the analyses step.
///
/// State: s = [s¹; s²; …; sᴸ] (layer 1 first, N = Σ S_k entries); layer k > 1 reads h^{k−1}
/// of the same step (the first H_{k−1} entries of s^{k−1}′) as its input. The one-step
/// tangent map D_t = ∂s_t/∂s_{t−1} is block lower-triangular and is applied layer by layer,
/// never formed (`stateJacobian` forms it, for tests):
///
///     (D_t Z)_k  = A_k Z_k + B_k · [(D_t Z)_{k−1}]_h,           A_k = ∂s^k′/∂s^k, B_k = ∂s^k′/∂x^k,
///     (D_tᵀ W)_k = A_kᵀ (W_k + [B_{k+1}ᵀ G_{k+1}]_h),           G_{k+1} the bracket of layer k+1,
///
/// where [·]_h pads or cuts to a layer's h-rows. The readout is o = W h_L + c (`fc.weight`
/// C×H_L, `fc.bias` C).
public struct Network: Sendable {
    public var layers: [any RecurrentCell]
    public var readoutWeights: Matrix<Double>
    public var readoutBias: [Double]
    /// The MNIST task the network reads images as (nil: array sequences only).
    public var imageTask: SequenceTask? = nil
    /// Applied to MNIST pixel values on their way into the network (nil: none).
    public var inputStandardization: InputStandardization? = nil
    public var metadata = ModelMetadata()

    /// Checks that the layers chain (layer k's I is layer k − 1's H) and that the readout is
    /// C×H_L with C ≥ 1 and C biases.
    public init(layers: [any RecurrentCell], readoutWeights: Matrix<Double>, readoutBias: [Double]) throws {
        guard let last = layers.last else { throw CellError("a network needs at least one layer") }
        for (k, cell) in layers.enumerated() where cell.hidden < 1 || cell.inputSize < 1 || cell.stateSize < cell.hidden {
            throw CellError("layer \(k) has H = \(cell.hidden), I = \(cell.inputSize), S = \(cell.stateSize); expected H ≥ 1, I ≥ 1, S ≥ H")
        }
        for k in layers.indices.dropFirst() where layers[k].inputSize != layers[k - 1].hidden {
            throw CellError("layer \(k) takes \(layers[k].inputSize) inputs but layer \(k - 1) has H = \(layers[k - 1].hidden)")
        }
        guard readoutWeights.rows >= 1, readoutWeights.cols == last.hidden else {
            throw CellError("fc.weight is \(readoutWeights.rows)×\(readoutWeights.cols); expected C×\(last.hidden) with C ≥ 1")
        }
        guard readoutBias.count == readoutWeights.rows else {
            throw CellError("fc.bias has \(readoutBias.count) values; expected \(readoutWeights.rows)")
        }
        self.init(chained: layers, readoutWeights: readoutWeights, readoutBias: readoutBias)
    }

    /// For layers and a readout already known to chain (converted from a checked model).
    init(chained layers: [any RecurrentCell], readoutWeights: Matrix<Double>, readoutBias: [Double]) {
        self.layers = layers
        self.readoutWeights = readoutWeights
        self.readoutBias = readoutBias
    }

    /// I.
    public var inputSize: Int { layers[0].inputSize }
    /// C.
    public var classes: Int { readoutWeights.rows }
    /// N = Σ S_k.
    public var stateSize: Int { layers.reduce(0) { $0 + $1.stateSize } }
    /// H_1, …, H_L.
    public var layerSizes: [Int] { layers.map(\.hidden) }
    /// Where layer k's state starts in s (L + 1 entries, the last is N).
    public var stateOffsets: [Int] { layers.reduce(into: [0]) { $0.append($0.last! + $1.stateSize) } }
    /// The cell name of the layers ("rnn", "gru", "lstm", …; names joined by "+" for a mixed stack).
    public var cellName: String {
        let names = layers.map(\.cellName)
        return names.allSatisfy({ $0 == names[0] }) ? names[0] : names.joined(separator: "+")
    }

    /// One step of the whole stack from s (N) with input x (I): the new state and each layer's step.
    public func step(state s: [Double], input x: [Double]) -> (state: [Double], layerSteps: [CellStep]) {
        precondition(s.count == stateSize && x.count == inputSize, "state has \(s.count) values (N = \(stateSize)), input \(x.count) (I = \(inputSize))")
        var next = [Double](), steps = [CellStep](), input = x
        next.reserveCapacity(s.count)
        let offsets = stateOffsets
        for (k, cell) in layers.enumerated() {
            let step = cell.step(state: Array(s[offsets[k]..<offsets[k + 1]]), input: input)
            next += step.state
            input = Array(step.state[0..<cell.hidden])
            steps.append(step)
        }
        return (next, steps)
    }

    /// D_t Z for Z (N×K), at the step `layerSteps` taken from s (N).
    public func tangent(_ layerSteps: [CellStep], state s: [Double], _ z: Matrix<Double>) -> Matrix<Double> {
        precondition(z.rows == stateSize, "the frame has \(z.rows) rows, the state \(stateSize)")
        if layers.count == 1 { return layers[0].tangent(layerSteps[0], state: s, z, input: nil) }
        let offsets = stateOffsets
        var out = Matrix<Double>(rows: z.rows, cols: z.cols)
        var below: Matrix<Double>? = nil
        for (k, cell) in layers.enumerated() {
            let range = offsets[k]..<offsets[k + 1]
            let y = cell.tangent(layerSteps[k], state: Array(s[range]), z.rowBlock(range), input: below)
            out.setRowBlock(offsets[k], y)
            below = y.rows == cell.hidden ? y : y.rowBlock(0..<cell.hidden)
        }
        return out
    }

    /// D_tᵀ W for W (N×K), at the step `layerSteps` taken from s (N).
    public func tangentTransposed(_ layerSteps: [CellStep], state s: [Double], _ w: Matrix<Double>) -> Matrix<Double> {
        precondition(w.rows == stateSize, "the frame has \(w.rows) rows, the state \(stateSize)")
        if layers.count == 1 { return layers[0].tangentTransposed(layerSteps[0], state: s, w, needsInput: false).state }
        let offsets = stateOffsets
        var out = Matrix<Double>(rows: w.rows, cols: w.cols)
        var carried: Matrix<Double>? = nil   // B_{k+1}ᵀ G_{k+1}, H_k×K
        for k in layers.indices.reversed() {
            let range = offsets[k]..<offsets[k + 1]
            var g = w.rowBlock(range)
            if let c = carried { g.addToRowBlock(0, c) }
            let (own, input) = layers[k].tangentTransposed(layerSteps[k], state: Array(s[range]), g, needsInput: k > 0)
            out.setRowBlock(offsets[k], own)
            carried = k > 0 ? input : nil
        }
        return out
    }

    /// D_t formed (N×N): the reference path for tests and small networks.
    public func stateJacobian(_ layerSteps: [CellStep], state s: [Double]) -> Matrix<Double> {
        tangent(layerSteps, state: s, .identity(stateSize))
    }

    /// o = W h_L + c for the stacked state s.
    public func logits(state s: [Double]) -> [Double] {
        let top = stateOffsets[layers.count - 1]
        var o = matvec(readoutWeights, Array(s[top..<(top + layers[layers.count - 1].hidden)]))
        for i in o.indices { o[i] += readoutBias[i] }
        return o
    }

    /// o_T of `steps` inputs (T×I values, step-major) from `initialState` (zeros when nil).
    public func finalLogits(sequence x: [Double], steps: Int, initialState: [Double]? = nil) -> [Double] {
        precondition(x.count == steps * inputSize, "sequence has \(x.count) values, expected T·I = \(steps * inputSize)")
        var s = initialState ?? [Double](repeating: 0, count: stateSize)
        for t in 0..<steps { s = step(state: s, input: Array(x[(t * inputSize)..<((t + 1) * inputSize)])).state }
        return logits(state: s)
    }

}

extension Matrix where T == Double {
    /// Rows `range` of the matrix (the matrix itself when the range is all of it).
    func rowBlock(_ range: Range<Int>) -> Matrix<Double> {
        if range.count == rows { return self }
        var out = Matrix<Double>(rows: range.count, cols: cols)
        for j in 0..<cols { for i in 0..<range.count { out.storage[j * range.count + i] = storage[j * rows + range.lowerBound + i] } }
        return out
    }

    /// Writes `block` into rows offset..<offset + block.rows.
    mutating func setRowBlock(_ offset: Int, _ block: Matrix<Double>) {
        let rows = self.rows
        for j in 0..<block.cols { for i in 0..<block.rows { storage[j * rows + offset + i] = block.storage[j * block.rows + i] } }
    }

    /// Adds `block` into rows offset..<offset + block.rows.
    mutating func addToRowBlock(_ offset: Int, _ block: Matrix<Double>) {
        let rows = self.rows
        for j in 0..<block.cols { for i in 0..<block.rows { storage[j * rows + offset + i] += block.storage[j * block.rows + i] } }
    }
}
