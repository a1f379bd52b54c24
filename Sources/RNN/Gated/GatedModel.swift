import Foundation
import Linalg
import MNIST

/// A GRU or LSTM of one layer (or L stacked in `upperLayers`) with a linear readout of h_T, in
/// the precision it trains in (Float32 or Float64): PyTorch's `nn.GRU`/`nn.LSTM(I, H,
/// num_layers=L, batch_first=True)` held as `rnn`
/// plus `nn.Linear(H, C)` held as `fc`. The cells are `GatedLayer`'s (PyTorch's equations);
/// this type is the training side, `GatedNetwork` (Float64, any depth) the analysis side and
/// the independent reference the tests hold this one to.
///
/// Shapes (column-major `Matrix`; G = 3 for a GRU with blocks r, z, n, G = 4 for an LSTM with
/// blocks i, f, g, o, stacked by rows in that order):
/// - `inputWeights` = `rnn.weight_ih_l0`, (G·H)×I; `recurrentWeights` = `rnn.weight_hh_l0`, (G·H)×H;
/// - `inputBias` = `rnn.bias_ih_l0`, `recurrentBias` = `rnn.bias_hh_l0`, G·H each (both
///   trained, as PyTorch's two separate parameters);
/// - `readoutWeights` = `fc.weight`, C×H; `readoutBias` = `fc.bias`, C.
public struct GatedModel<T: LinalgScalar>: Sendable, Equatable {
    public var cell: GatedLayer.Cell
    public var inputWeights: Matrix<T>
    public var recurrentWeights: Matrix<T>
    public var inputBias: [T]
    public var recurrentBias: [T]
    public var readoutWeights: Matrix<T>
    public var readoutBias: [T]
    /// How an MNIST image becomes a sequence (nil: a model of array sequences, as in tests).
    public var imageTask: SequenceTask?
    public var metadata: ModelMetadata
    /// Applied to MNIST pixel values on their way into the network (nil: none).
    public var inputStandardization: InputStandardization? = nil
    /// Layers 2…L (`rnn.weight_ih_l{k}` … for k ≥ 1), each reading the layer below's h; empty
    /// for one layer. The readout reads the last layer's h_T.
    public var upperLayers: [GatedLayerParameters<T>] = []

    /// L.
    public var layerCount: Int { 1 + upperLayers.count }
    /// H.
    public var hidden: Int { recurrentWeights.cols }
    /// I.
    public var inputSize: Int { inputWeights.cols }
    /// C.
    public var classes: Int { readoutWeights.rows }
    /// G·H, the rows of the stacked gate pre-activations.
    public var gateRows: Int { recurrentWeights.rows }

    public init(cell: GatedLayer.Cell, inputWeights: Matrix<T>, recurrentWeights: Matrix<T>, inputBias: [T], recurrentBias: [T],
                readoutWeights: Matrix<T>, readoutBias: [T], task: SequenceTask?, metadata: ModelMetadata = .init(),
                inputStandardization: InputStandardization? = nil) {
        let h = recurrentWeights.cols, rows = cell.gateCount * h
        precondition(h >= 1 && recurrentWeights.rows == rows && inputWeights.rows == rows && inputBias.count == rows
                     && recurrentBias.count == rows && readoutWeights.cols == h && readoutBias.count == readoutWeights.rows
                     && readoutWeights.rows >= 1, "inconsistent gated-model shapes")
        self.cell = cell
        self.inputWeights = inputWeights; self.recurrentWeights = recurrentWeights
        self.inputBias = inputBias; self.recurrentBias = recurrentBias
        self.readoutWeights = readoutWeights; self.readoutBias = readoutBias
        precondition(task.map { $0.inputSize == inputWeights.cols } ?? true, "the task's input size is not the model's")
        self.imageTask = task
        self.metadata = metadata
        self.inputStandardization = inputStandardization
    }

    /// PyTorch's default initialisation of `nn.GRU`/`nn.LSTM(num_layers=L)` and
    /// `nn.Linear(H, C)`: every weight and bias i.i.d. U(−1/√H, 1/√H) (the recurrent layer's
    /// bound is 1/√H; so is the readout's, whose fan-in is H). Drawn from `SeededRandom(seed:)`
    /// in the order weight_ih, weight_hh, bias_ih, bias_hh of layer 1, then of layers 2…L, then
    /// fc.weight, fc.bias (each in column-major storage order; one layer draws what it always drew).
    public init(cell: GatedLayer.Cell, task: SequenceTask, hidden h: Int, seed: UInt64, layers: Int = 1) {
        self.init(cell: cell, inputSize: task.inputSize, hidden: h, classes: RNNModel<T>.mnistClasses, seed: seed, layers: layers)
        imageTask = task
    }

    /// The same draws for a model of I inputs and C classes without an MNIST task.
    public init(cell: GatedLayer.Cell, inputSize i: Int, hidden h: Int, classes k: Int, seed: UInt64, layers: Int = 1) {
        precondition(i >= 1 && h >= 1 && k >= 1 && layers >= 1, "sizes must be positive")
        var draws = PyTorchUniformDraws(seed: seed, hidden: h)
        let rows = cell.gateCount * h
        func layer(inputs: Int) -> GatedLayerParameters<T> {
            let wIH: Matrix<T> = draws.matrix(rows: rows, cols: inputs), wHH: Matrix<T> = draws.matrix(rows: rows, cols: h)
            return GatedLayerParameters(inputWeights: wIH, recurrentWeights: wHH, inputBias: draws.vector(rows), recurrentBias: draws.vector(rows))
        }
        let first = layer(inputs: i), upper = (1..<layers).map { _ in layer(inputs: h) }
        let w: Matrix<T> = draws.matrix(rows: k, cols: h), c: [T] = draws.vector(k)
        self.init(cell: cell, inputWeights: first.inputWeights, recurrentWeights: first.recurrentWeights, inputBias: first.inputBias,
                  recurrentBias: first.recurrentBias, readoutWeights: w, readoutBias: c, task: nil,
                  metadata: ModelMetadata(initialization: Initialization.pytorch.rawValue, seed: seed))
        upperLayers = upper
    }

    /// The parameters as flat arrays in a fixed order — weight_ih, weight_hh, bias_ih, bias_hh,
    /// fc.weight, fc.bias — matrices column-major: what the optimizer steps.
    public var parameterArrays: [[T]] {
        [inputWeights.storage, recurrentWeights.storage, inputBias, recurrentBias, readoutWeights.storage, readoutBias]
    }

    /// PyTorch's names of `parameterArrays`, in order.
    public static var parameterNames: [String] {
        [TensorName.inputWeights, TensorName.recurrentWeights, TensorName.inputBias, TensorName.recurrentBias,
         TensorName.readoutWeights, TensorName.readoutBias]
    }

    /// Replaces the parameters from arrays in `parameterArrays` order (same sizes).
    public mutating func setParameterArrays(_ p: [[T]]) {
        precondition(p.count == 6 && zip(p, parameterArrays).allSatisfy { $0.count == $1.count }, "parameter sizes")
        inputWeights.storage = p[0]; recurrentWeights.storage = p[1]; inputBias = p[2]; recurrentBias = p[3]
        readoutWeights.storage = p[4]; readoutBias = p[5]
    }

    /// True when every weight and bias is finite.
    public var allFinite: Bool { trainedParameterArrays.allSatisfy { $0.allSatisfy(\.isFinite) } }

    /// Every layer's parameters, layer 1 first.
    public var layers: [GatedLayerParameters<T>] {
        [GatedLayerParameters(inputWeights: inputWeights, recurrentWeights: recurrentWeights, inputBias: inputBias,
                              recurrentBias: recurrentBias)] + upperLayers
    }

    /// The same weights as a Float64 `GatedNetwork` (every layer), the analysis type.
    public var network: GatedNetwork {
        func d(_ m: Matrix<T>) -> Matrix<Double> { m.converted() }
        // The shapes are this type's invariants, so the checks cannot fail.
        let all = layers.map { l in
            try! GatedLayer(cell: cell, inputWeights: d(l.inputWeights), recurrentWeights: d(l.recurrentWeights),
                            inputBias: l.inputBias.map { Double($0) }, recurrentBias: l.recurrentBias.map { Double($0) })
        }
        return try! GatedNetwork(layers: all, readoutWeights: d(readoutWeights), readoutBias: readoutBias.map { Double($0) })
    }

}

extension GatedModel {
    /// The model as safetensors: the six tensors under PyTorch's names in T's dtype (row-major,
    /// as `state_dict` holds them), `task.permutation` (I64) for the permuted task, and metadata:
    /// `format` ftle-gated-1, `cell`, `task`, `hidden`, `input_size`, `init`, `seed`,
    /// `epochs_trained`, `test_accuracy`, the input standardization, and any extra keys.
    public func safeTensors() -> SafeTensorsFile {
        let rows = gateRows, h = hidden
        var tensors: [String: Tensor] = [
            TensorName.inputWeights: Tensor(inputWeights.rowMajor, shape: [rows, inputSize]),
            TensorName.recurrentWeights: Tensor(recurrentWeights.rowMajor, shape: [rows, h]),
            TensorName.inputBias: Tensor(inputBias, shape: [rows]),
            TensorName.recurrentBias: Tensor(recurrentBias, shape: [rows]),
            TensorName.readoutWeights: Tensor(readoutWeights.rowMajor, shape: [classes, h]),
            TensorName.readoutBias: Tensor(readoutBias, shape: [classes]),
        ]
        for (k, l) in upperLayers.enumerated() {
            tensors[TensorName.inputWeights(layer: k + 1)] = Tensor(l.inputWeights.rowMajor, shape: [rows, h])
            tensors[TensorName.recurrentWeights(layer: k + 1)] = Tensor(l.recurrentWeights.rowMajor, shape: [rows, h])
            tensors[TensorName.inputBias(layer: k + 1)] = Tensor(l.inputBias, shape: [rows])
            tensors[TensorName.recurrentBias(layer: k + 1)] = Tensor(l.recurrentBias, shape: [rows])
        }
        if case let .permuted(p) = imageTask { tensors[TensorName.permutation] = Tensor(int64: p.map(Int64.init), shape: [p.count]) }
        var meta = metadata.extra
        meta["layers"] = upperLayers.isEmpty ? nil : String(layerCount)
        meta["format"] = "ftle-gated-1"
        meta["cell"] = cell.rawValue
        meta["task"] = imageTask?.name ?? SequenceTask.noTaskName   // "none": array sequences, never guessed as MNIST
        meta["hidden"] = String(h)
        meta["input_size"] = String(inputSize)
        metadata.record(into: &meta, standardization: inputStandardization)
        return SafeTensorsFile(tensors: tensors, metadata: meta)
    }

    /// Reads a GRU/LSTM model (any number of layers, one H) written by ftle or by PyTorch with
    /// these names: the weights, the task (an MNIST task, or none for a model of array
    /// sequences), the standardization and the rest of the metadata through
    /// `GatedNetwork(file:path:)` (which checks shapes, cell, finiteness and the metadata by the
    /// rules every cell's loader uses), converted to T (exact for a file in T's dtype or
    /// narrower). Both biases are required.
    public init(file: SafeTensorsFile, path: String) throws {
        try self.init(network: try GatedNetwork(file: file, path: path), path: path)
    }

    /// The trainable form of an analysis network (its weights converted to T, exact for a
    /// network read from a file in T's dtype or narrower); both biases are required in every
    /// layer, and non-finite values in T are refused, each in one line naming `path`.
    public init(network: GatedNetwork, path: String) throws {
        func fail(_ problem: String) -> FileFormatError { FileFormatError(path: path, problem) }
        guard let layer = network.layers.first,
              network.layers.allSatisfy({ $0.inputBias != nil && $0.recurrentBias != nil && $0.hidden == layer.hidden }),
              let ih = layer.inputBias, let hh = layer.recurrentBias else {
            throw fail("a gated model needs both bias_ih and bias_hh in every layer, and one H")
        }
        func t(_ m: Matrix<Double>) -> Matrix<T> { m.converted() }
        self.init(cell: network.cell, inputWeights: t(layer.inputWeights), recurrentWeights: t(layer.recurrentWeights),
                  inputBias: ih.map { T($0) }, recurrentBias: hh.map { T($0) }, readoutWeights: t(network.readoutWeights),
                  readoutBias: network.readoutBias.map { T($0) }, task: network.imageTask, metadata: network.metadata,
                  inputStandardization: network.inputStandardization)
        upperLayers = network.layers.dropFirst().map { l in
            GatedLayerParameters(inputWeights: t(l.inputWeights), recurrentWeights: t(l.recurrentWeights),
                                 inputBias: l.inputBias!.map { T($0) }, recurrentBias: l.recurrentBias!.map { T($0) })
        }
        for (name, values) in zip(Self.parameterNames, parameterArrays) where !values.allSatisfy(\.isFinite) {
            throw fail("tensor \"\(name)\" has a value that overflows \(T.byteWidth == 8 ? "Float64" : "Float32")")
        }
        guard allFinite else { throw fail("an upper layer has a value that overflows \(T.byteWidth == 8 ? "Float64" : "Float32")") }
    }

    /// `init(file:path:)` on the file at `path`.
    public static func load(from path: String) throws -> GatedModel {
        try GatedModel(file: SafeTensorsFile(contentsOf: path), path: path)
    }
}

/// One gated layer's four parameters, as PyTorch's `weight_ih_l{k}` ((G·H)×I_k),
/// `weight_hh_l{k}` ((G·H)×H), `bias_ih_l{k}`, `bias_hh_l{k}` (G·H each).
public struct GatedLayerParameters<T: LinalgScalar>: Sendable, Equatable {
    public var inputWeights: Matrix<T>
    public var recurrentWeights: Matrix<T>
    public var inputBias: [T]
    public var recurrentBias: [T]
    public init(inputWeights: Matrix<T>, recurrentWeights: Matrix<T>, inputBias: [T], recurrentBias: [T]) {
        self.inputWeights = inputWeights; self.recurrentWeights = recurrentWeights; self.inputBias = inputBias; self.recurrentBias = recurrentBias
    }
    /// In `GatedModel.trainedParameterArrays` order.
    public var arrays: [[T]] { [inputWeights.storage, recurrentWeights.storage, inputBias, recurrentBias] }
}
