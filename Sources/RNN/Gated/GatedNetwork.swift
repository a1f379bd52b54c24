import Foundation
import Linalg
import MNIST

/// A stack of gated layers (`nn.GRU` or `nn.LSTM`, any depth) and a linear readout
/// (`nn.Linear`) of the last layer's h, as PyTorch saves `rnn` + `fc`, in Float64.
///
/// The network's state is the layers' states stacked, layer 1 first: s = [s¹; s²; …; sᴸ],
/// sᵏ = hᵏ (GRU) or [hᵏ; cᵏ] (LSTM), N = Σ size(sᵏ). Layer k > 1 takes hᵏ⁻¹ of the same step
/// as its input. Its one-step Jacobian D_t = ∂s_t/∂s_{t−1} is block lower-triangular:
/// block (k, k) is layer k's ∂sᵏ'/∂sᵏ, block (k, j < k) is ∂sᵏ'/∂xᵏ · (the h-rows of block
/// (k − 1, j)).
public struct GatedNetwork: Sendable, Equatable {
    public var layers: [GatedLayer]
    /// `fc.weight`, C×H_L.
    public var readoutWeights: Matrix<Double>
    /// `fc.bias`, C.
    public var readoutBias: [Double]
    /// The MNIST task the network reads images as (nil: array sequences only).
    public var imageTask: SequenceTask? = nil
    /// Applied to MNIST pixel values on their way into the network (nil: none).
    public var inputStandardization: InputStandardization? = nil
    public var metadata = ModelMetadata()

    public var cell: GatedLayer.Cell { layers[0].cell }
    /// I.
    public var inputSize: Int { layers[0].inputSize }
    /// C.
    public var classes: Int { readoutWeights.rows }
    /// N = Σ size(sᵏ).
    public var stateSize: Int { layers.reduce(0) { $0 + $1.stateSize } }
    /// Where layer k's state starts in s.
    public func stateOffset(ofLayer k: Int) -> Int { layers[..<k].reduce(0) { $0 + $1.stateSize } }

    /// Checks that the layers chain (layer k's I is layer k − 1's H), all of one cell, and that
    /// the readout is C×H_L with C ≥ 1.
    public init(layers: [GatedLayer], readoutWeights: Matrix<Double>, readoutBias: [Double]) throws {
        guard let first = layers.first, let last = layers.last else { throw GatedLayerError("no layers") }
        for k in 1..<layers.count {
            guard layers[k].cell == first.cell else { throw GatedLayerError("layer \(k) is a \(layers[k].cell.rawValue.uppercased()), layer 0 a \(first.cell.rawValue.uppercased())") }
            guard layers[k].inputSize == layers[k - 1].hidden else {
                throw GatedLayerError("layer \(k) takes \(layers[k].inputSize) inputs but layer \(k - 1) has H = \(layers[k - 1].hidden)")
            }
        }
        guard readoutWeights.rows >= 1, readoutWeights.cols == last.hidden else {
            throw GatedLayerError("fc.weight is \(readoutWeights.rows)×\(readoutWeights.cols); expected C×\(last.hidden) with C ≥ 1")
        }
        guard readoutBias.count == readoutWeights.rows else {
            throw GatedLayerError("fc.bias has \(readoutBias.count) values; expected \(readoutWeights.rows)")
        }
        self.layers = layers
        self.readoutWeights = readoutWeights
        self.readoutBias = readoutBias
    }

    /// One step of the whole stack: the new state and each layer's step (for the Jacobian).
    public func step(state s: [Double], input x: [Double]) -> (state: [Double], layerSteps: [GatedLayer.Step]) {
        var next = [Double]()
        next.reserveCapacity(stateSize)
        var steps = [GatedLayer.Step]()
        var input = x
        for (k, layer) in layers.enumerated() {
            let offset = stateOffset(ofLayer: k)
            let step = layer.step(state: Array(s[offset..<(offset + layer.stateSize)]), input: input)
            next += step.state
            input = Array(step.state[0..<layer.hidden])
            steps.append(step)
        }
        return (next, steps)
    }

    /// D_t = ∂s_t/∂s_{t−1} (N×N) at (s_{t−1} = `s`, x_t = `x`); `layerSteps` from `step(state:input:)`.
    public func stateJacobian(state s: [Double], input x: [Double], layerSteps: [GatedLayer.Step]) -> Matrix<Double> {
        let n = stateSize
        var d = Matrix<Double>(rows: n, cols: n)
        var input = x
        /// The h-rows of the previous layer's block row (H_{k−1}×N).
        var previousHRows: Matrix<Double>? = nil
        for (k, layer) in layers.enumerated() {
            let offset = stateOffset(ofLayer: k), size = layer.stateSize
            let layerState = Array(s[offset..<(offset + size)])
            let (own, byInput) = layer.jacobians(state: layerState, input: input, step: layerSteps[k])
            // Row block k: ∂sᵏ'/∂xᵏ · ∂hᵏ⁻¹'/∂s (columns of earlier layers), plus the diagonal block.
            var rowBlock = previousHRows.map { matmul(byInput, $0) } ?? Matrix<Double>(rows: size, cols: n)
            for j in 0..<size { for i in 0..<size { rowBlock[i, offset + j] += own[i, j] } }
            for j in 0..<n { for i in 0..<size { d[offset + i, j] = rowBlock[i, j] } }
            var hRows = Matrix<Double>(rows: layer.hidden, cols: n)
            for j in 0..<n { for i in 0..<layer.hidden { hRows[i, j] = rowBlock[i, j] } }
            previousHRows = hRows
            input = Array(layerSteps[k].state[0..<layer.hidden])
        }
        return d
    }

    /// The final logits o_T of a sequence of `steps` inputs (x_t contiguous, T×I values), from
    /// `initialState` (zeros when nil). The slow, clear path: one step at a time.
    public func finalLogits(sequence x: [Double], steps: Int, initialState: [Double]? = nil) -> [Double] {
        precondition(x.count == steps * inputSize, "sequence has \(x.count) values, expected T·I = \(steps * inputSize)")
        var s = initialState ?? [Double](repeating: 0, count: stateSize)
        for t in 0..<steps { s = step(state: s, input: Array(x[(t * inputSize)..<((t + 1) * inputSize)])).state }
        return logits(state: s)
    }

    /// D_t·Q (`transposed` false) or D_tᵀ·Q (`transposed` true) for a frame Q (N×K).
    public func jacobianProduct(state s: [Double], input x: [Double], layerSteps: [GatedLayer.Step],
                                frame q: Matrix<Double>, transposed: Bool) -> Matrix<Double> {
        // One layer: the frame meets the weights directly (O(G·H²·K)); a stack forms D_t.
        if layers.count == 1 { return layers[0].frameProduct(state: s, step: layerSteps[0], frame: q, transposed: transposed) }
        let d = stateJacobian(state: s, input: x, layerSteps: layerSteps)
        return matmul(d, q, transposed ? .transposed : .none)
    }

    /// The mean activation of each gate over the units of every layer, in `cell.gateNames`
    /// order (for the explorer's gate pane: e.g. an LSTM's forget gate closing).
    public static func meanGateActivations(_ layerSteps: [GatedLayer.Step]) -> [Double] {
        guard let gateCount = layerSteps.first?.gates.count else { return [] }
        return (0..<gateCount).map { g in
            let values = layerSteps.flatMap { $0.gates[g] }
            return values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
        }
    }

    /// o = W h_L + c for the stacked state `s`.
    public func logits(state s: [Double]) -> [Double] {
        let offset = stateOffset(ofLayer: layers.count - 1)
        var o = matvec(readoutWeights, Array(s[offset..<(offset + layers[layers.count - 1].hidden)]))
        for i in o.indices { o[i] += readoutBias[i] }
        return o
    }
}

extension GatedNetwork {
    /// Reads `rnn.weight_ih_l{k}`, `rnn.weight_hh_l{k}`, `rnn.bias_ih_l{k}`, `rnn.bias_hh_l{k}`
    /// (both or neither per layer), `fc.weight` and `fc.bias`. The cell is told by the shapes —
    /// `weight_hh_l0` has 3H (GRU) or 4H (LSTM) rows — and must agree with `__metadata__`'s `cell`
    /// when that is given. Non-finite weights are refused.
    public init(file: SafeTensorsFile, path: String) throws {
        func fail(_ problem: String) -> FileFormatError { FileFormatError(path: path, problem) }
        func matrix(_ name: String) throws -> Matrix<Double> {
            guard let tensor = file.tensors[name] else { throw fail("missing tensor \"\(name)\"") }
            guard tensor.dtype != .i64, tensor.shape.count == 2 else { throw fail("tensor \"\(name)\" must be a float matrix (shape \(shapeForMessage(tensor.shape)))") }
            let values = tensor.doubles
            guard values.allSatisfy(\.isFinite) else { throw fail("tensor \"\(name)\" has non-finite values") }
            return Matrix(rows: tensor.shape[0], cols: tensor.shape[1], rowMajor: values)
        }
        func vector(_ name: String) throws -> [Double]? {
            guard let tensor = file.tensors[name] else { return nil }
            guard tensor.dtype != .i64, tensor.shape.count == 1 else { throw fail("tensor \"\(name)\" must be a float vector (shape \(shapeForMessage(tensor.shape)))") }
            guard tensor.doubles.allSatisfy(\.isFinite) else { throw fail("tensor \"\(name)\" has non-finite values") }
            return tensor.doubles
        }
        let firstRecurrent = try matrix("rnn.weight_hh_l0")
        let ratio = firstRecurrent.cols > 0 && firstRecurrent.rows % firstRecurrent.cols == 0 ? firstRecurrent.rows / firstRecurrent.cols : 0
        guard let cell = GatedLayer.Cell.allCases.first(where: { $0.gateCount == ratio }) else {
            throw fail("\"rnn.weight_hh_l0\" is \(firstRecurrent.rows)×\(firstRecurrent.cols): not a GRU (3H×H) or LSTM (4H×H)")
        }
        if let stated = file.metadata["cell"], !cell.entry.isNamed(stated) {
            throw fail("metadata says cell \(quotedForMessage(stated)) but the weights are a \(cell.rawValue.uppercased())'s")
        }
        var layers = [GatedLayer]()
        var k = 0
        while file.tensors["rnn.weight_hh_l\(k)"] != nil {
            let (ih, hh) = (try vector("rnn.bias_ih_l\(k)"), try vector("rnn.bias_hh_l\(k)"))
            guard (ih == nil) == (hh == nil) else { throw fail("layer \(k) has one of bias_ih/bias_hh but not the other") }
            do {
                layers.append(try GatedLayer(cell: cell, inputWeights: try matrix("rnn.weight_ih_l\(k)"),
                                             recurrentWeights: try matrix("rnn.weight_hh_l\(k)"), inputBias: ih, recurrentBias: hh))
            } catch let error as GatedLayerError {
                throw fail("layer \(k): \(error.description)")
            }
            k += 1
        }
        do {
            try self.init(layers: layers, readoutWeights: try matrix("fc.weight"), readoutBias: try vector("fc.bias") ?? [])
        } catch let error as GatedLayerError {
            throw fail(error.description)
        }
        let read = Set((0..<layers.count).flatMap { l in
            [TensorName.inputWeights(layer: l), TensorName.recurrentWeights(layer: l), TensorName.inputBias(layer: l), TensorName.recurrentBias(layer: l)]
        })
        if let stray = file.tensors.keys.filter({ $0.hasPrefix("rnn.") && !read.contains($0) }).sorted().first {
            throw fail("tensor \(quotedForMessage(stray)) does not belong to the \(layers.count)-layer \(cell.rawValue.uppercased()) \"rnn.weight_hh_l0\"…\"rnn.weight_hh_l\(layers.count - 1)\"")
        }
        if let stated = file.metadata["nonlinearity"], stated != Nonlinearity.tanh.rawValue {
            throw fail("metadata says nonlinearity \(quotedForMessage(stated)), but a \(cell.rawValue.uppercased()) has no choice of nonlinearity")
        }
        let facts = try RecordedModelFacts(file: file, path: path, inputSize: inputSize, classes: classes, layerCount: layers.count,
                                           weightKeys: ["cell", "layers", "bias", "nonlinearity"])
        imageTask = facts.task
        inputStandardization = facts.standardization
        metadata = facts.metadata
        try file.checkWeightMagnitudes(path: path)
    }

    /// Reads a GRU or LSTM model file (see `init(file:path:)`).
    public static func load(from path: String) throws -> GatedNetwork {
        try GatedNetwork(file: SafeTensorsFile(contentsOf: path), path: path)
    }

}
