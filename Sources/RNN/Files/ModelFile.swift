import Foundation
import Linalg
import MNIST

/// Tensor names, as PyTorch's `nn.RNN(I, H, num_layers=L, nonlinearity=…, batch_first=True)`
/// and `nn.Linear(H_L, C)` name them when held in attributes `rnn` and `fc`.
public enum TensorName {
    public static let inputWeights = "rnn.weight_ih_l0"     // U, H×I
    public static let recurrentWeights = "rnn.weight_hh_l0" // V, H×H
    public static let inputBias = "rnn.bias_ih_l0"          // H; b = bias_ih + bias_hh
    public static let recurrentBias = "rnn.bias_hh_l0"      // H; ftle writes zeros
    public static let readoutWeights = "fc.weight"          // W, C×H_L
    public static let readoutBias = "fc.bias"               // c, C
    public static let permutation = "task.permutation"      // I64 (784), permuted task only
    public static let parameters = [inputWeights, recurrentWeights, inputBias, recurrentBias, readoutWeights, readoutBias]

    /// Layer k's (0-based, PyTorch's l{k}) names: U_k H_k×I_k, V_k H_k×H_k, bias_ih, bias_hh.
    public static func inputWeights(layer k: Int) -> String { "rnn.weight_ih_l\(k)" }
    public static func recurrentWeights(layer k: Int) -> String { "rnn.weight_hh_l\(k)" }
    public static func inputBias(layer k: Int) -> String { "rnn.bias_ih_l\(k)" }
    public static func recurrentBias(layer k: Int) -> String { "rnn.bias_hh_l\(k)" }
}

extension RNNModel {
    /// The model as safetensors: weights under PyTorch's names in T's dtype (F32 or F64),
    /// `task.permutation` as I64 for the permuted task, and metadata (task when it has one,
    /// hidden size, input size, layers, nonlinearity, init, seed, epochs trained, test
    /// accuracy, and any extra keys).
    public func safeTensors() -> SafeTensorsFile {
        func tensor(_ values: [T], _ shape: [Int]) -> Tensor { Tensor(values, shape: shape) }
        let h = hidden, i = inputSize, k = classes
        var tensors: [String: Tensor] = [
            TensorName.readoutWeights: tensor(w.rowMajor, [k, outputHidden]),
            TensorName.readoutBias: tensor(c, [k]),
        ]
        for (l, layer) in layers.enumerated() {
            tensors[TensorName.inputWeights(layer: l)] = tensor(layer.u.rowMajor, [layer.hidden, layer.inputSize])
            tensors[TensorName.recurrentWeights(layer: l)] = tensor(layer.v.rowMajor, [layer.hidden, layer.hidden])
            // b = bias_ih (+ bias_hh, written as zeros); a bias-free model writes neither.
            if biasMode != .none { tensors[TensorName.inputBias(layer: l)] = tensor(layer.b, [layer.hidden]) }
            if biasMode == .pair { tensors[TensorName.recurrentBias(layer: l)] = tensor([T](repeating: 0, count: layer.hidden), [layer.hidden]) }
        }
        if case let .permuted(p) = imageTask {
            tensors[TensorName.permutation] = Tensor(int64: p.map(Int64.init), shape: [p.count])
        }
        var meta = metadata.extra
        meta["format"] = "ftle-rnn-1"
        meta["task"] = imageTask?.name ?? SequenceTask.noTaskName   // "none": array sequences, never guessed as MNIST
        meta["hidden"] = String(h)
        meta["input_size"] = String(i)
        meta["layers"] = layerCount > 1 ? String(layerCount) : nil
        meta["nonlinearity"] = nonlinearity == .tanh ? nil : nonlinearity.rawValue
        meta["init"] = metadata.initialization
        meta["bias"] = biasMode.rawValue
        if let z = inputStandardization {
            meta["input_mean"] = String(z.mean); meta["input_std"] = String(z.std)
        } else {
            meta["input_mean"] = nil; meta["input_std"] = nil
        }
        meta["seed"] = String(metadata.seed)
        meta["epochs_trained"] = String(metadata.epochsTrained)
        if let acc = metadata.testAccuracy { meta["test_accuracy"] = String(acc) } else { meta["test_accuracy"] = nil }
        return SafeTensorsFile(tensors: tensors, metadata: meta)
    }

    /// Writes the model atomically.
    public func save(to path: String) throws { try safeTensors().write(to: path) }

    /// Reads a model written by ftle or by PyTorch with the names in `TensorName`, converting
    /// to T: L layers (`rnn.weight_hh_l0` … while present), I, every H_k and C from the shapes,
    /// which must chain (U_k is H_k × H_{k−1}, W is C × H_L, C ≥ 1); biases on every layer or
    /// on none; the nonlinearity from metadata key `nonlinearity` (tanh when absent), or
    /// `nonlinearity` when the file does not say (a file that says otherwise is an error).
    /// The MNIST task comes from metadata key `task`, or, when absent, from the shapes (I = 28
    /// and C = 10: row-wise; `task.permutation` present: permuted; I = 1, C = 10, one layer:
    /// pixel-wise); other models have no task. Checks the permutation (a bijection of 0..<784)
    /// and that all weights are finite. Any other metadata is kept.
    public static func load(from path: String, nonlinearity: Nonlinearity? = nil) throws -> RNNModel {
        try RNNModel(file: SafeTensorsFile(contentsOf: path), path: path, nonlinearity: nonlinearity)
    }

    public init(file: SafeTensorsFile, path: String, nonlinearity requested: Nonlinearity? = nil) throws {
        func fail(_ s: String) -> FileFormatError { FileFormatError(path: path, s) }
        func get(_ name: String) throws -> Tensor {
            guard let t = file.tensors[name] else { throw fail("missing tensor \"\(name)\"") }
            guard t.dtype != .i64 else { throw fail("tensor \"\(name)\" has dtype I64, expected F32 or F64") }
            return t
        }
        func expectShape(_ name: String, _ shape: [Int]) throws -> Tensor {
            let t = try get(name)
            guard t.shape == shape else { throw fail("tensor \"\(name)\" has shape \(t.shape), expected \(shape)") }
            return t
        }
        func finite(_ name: String, _ t: Tensor) throws -> [Double] {
            let d = t.doubles
            guard d.allSatisfy(\.isFinite) else { throw fail("tensor \"\(name)\" contains NaN or Inf") }
            return d
        }
        // Biases: both (nn.RNN's default), bias_ih alone (an input-side bias), or none (bias=False).
        let hasIH = file.tensors[TensorName.inputBias] != nil, hasHH = file.tensors[TensorName.recurrentBias] != nil
        guard hasIH || !hasHH else {
            throw fail("tensor \"\(TensorName.recurrentBias)\" is present without \"\(TensorName.inputBias)\"")
        }
        let biasMode: BiasMode = hasHH ? .pair : hasIH ? .input : .none
        var layers: [RecurrentLayer<T>] = []
        var below: Int? = nil   // H_{k−1}, nil for layer 0 (I comes from U_0)
        while file.tensors[TensorName.recurrentWeights(layer: layers.count)] != nil {
            let l = layers.count
            let vName = TensorName.recurrentWeights(layer: l), uName = TensorName.inputWeights(layer: l)
            let vT = try get(vName)
            if l == 0, vT.shape.count == 2, vT.shape[1] > 0, let cell = GatedLayer.Cell.allCases.first(where: { vT.shape[0] == $0.gateCount * vT.shape[1] }) {
                throw fail("a \(cell.rawValue.uppercased()) model (\"\(vName)\" is \(cell.gateCount)H×H) where a vanilla RNN is expected (GRU and LSTM models: predict, eval, spectrum, gradient, perturb, align, explore, report --gated)")
            }
            guard vT.shape.count == 2, vT.shape[0] == vT.shape[1], vT.shape[0] > 0 else {
                throw fail("tensor \"\(vName)\" has shape \(vT.shape), expected [H, H]")
            }
            let h = vT.shape[0]
            let uT = try get(uName)
            if let below {
                guard uT.shape == [h, below] else {
                    throw fail("tensor \"\(uName)\" has shape \(uT.shape), expected [\(h), \(below)] (layer \(l) reads layer \(l - 1)'s \(below) states)")
                }
            } else if l == 0 && file.metadata["hidden"].map({ $0 != String(h) }) ?? false {
                throw fail("metadata says hidden size \(oneLineForMessage(file.metadata["hidden"]!)) but \"\(vName)\" is \(h)×\(h)")
            } else {
                guard uT.shape.count == 2, uT.shape[0] == h, uT.shape[1] > 0 else {
                    throw fail("tensor \"\(uName)\" has shape \(uT.shape), expected [\(h), I]")
                }
            }
            var b = [Double](repeating: 0, count: h)
            for (present, name) in [(hasIH, TensorName.inputBias(layer: l)), (hasHH, TensorName.recurrentBias(layer: l))] {
                if present {
                    let bias = try finite(name, try expectShape(name, [h]))
                    for j in 0..<h { b[j] += bias[j] }
                } else if file.tensors[name] != nil {
                    throw fail("tensor \"\(name)\" is present but layer 0 has no such bias")
                }
            }
            let u = try finite(uName, uT), v = try finite(vName, vT)
            layers.append(RecurrentLayer(u: Matrix(rows: h, cols: uT.shape[1], rowMajor: u.map { T($0) }),
                                         v: Matrix(rows: h, cols: h, rowMajor: v.map { T($0) }), b: b.map { T($0) }))
            below = h
        }
        guard let first = layers.first, let last = layers.last else { throw fail("missing tensor \"\(TensorName.recurrentWeights)\"") }
        // A layer tensor beyond the last consecutive layer (a gap, or a GRU/LSTM name) is not
        // silently dropped.
        let read = Set((0..<layers.count).flatMap { l in
            [TensorName.inputWeights(layer: l), TensorName.recurrentWeights(layer: l), TensorName.inputBias(layer: l), TensorName.recurrentBias(layer: l)]
        })
        if let stray = file.tensors.keys.filter({ $0.hasPrefix("rnn.") && !read.contains($0) }).sorted().first {
            throw fail("tensor \(quotedForMessage(stray)) does not belong to the \(layers.count)-layer network \"rnn.weight_hh_l0\"…\"rnn.weight_hh_l\(layers.count - 1)\"")
        }
        let i = first.inputSize
        let wT = try get(TensorName.readoutWeights)
        guard wT.shape.count == 2, wT.shape[1] == last.hidden else {
            throw fail("tensor \"\(TensorName.readoutWeights)\" has shape \(wT.shape), expected [C, \(last.hidden)]")
        }
        let k = wT.shape[0]
        guard k >= 1 else { throw fail("tensor \"\(TensorName.readoutWeights)\" has shape \(wT.shape): no classes (C = 0)") }
        let cT = try expectShape(TensorName.readoutBias, [k])
        let wValues = try finite(TensorName.readoutWeights, wT), cValues = try finite(TensorName.readoutBias, cT)

        let nonlinearity: Nonlinearity
        switch (file.metadata["nonlinearity"], requested) {
        case (nil, nil): nonlinearity = .tanh
        case let (nil, r?): nonlinearity = r
        case let (m?, r):
            guard let n = Nonlinearity(rawValue: m) else {
                throw fail("unknown nonlinearity \(quotedForMessage(m)) in metadata (expected tanh or relu)")
            }
            if let r, r != n { throw fail("the file says nonlinearity \(n.rawValue), --nonlinearity says \(r.rawValue)") }
            nonlinearity = n
        }

        let facts = try RecordedModelFacts(file: file, path: path, inputSize: i, classes: k, layerCount: layers.count,
                                           weightKeys: ["layers", "nonlinearity", "bias"])
        let (task, meta, standardization) = (facts.task, facts.metadata, facts.standardization)
        self.init(u: first.u, v: first.v, b: first.b,
                  w: Matrix(rows: k, cols: last.hidden, rowMajor: wValues.map { T($0) }),
                  c: cValues.map { T($0) }, task: task, metadata: meta, biasMode: biasMode,
                  inputStandardization: standardization, upperLayers: Array(layers.dropFirst()), nonlinearity: nonlinearity)
        try checkFiniteInWorkingPrecision(path: path)
        try file.checkWeightMagnitudes(path: path)
    }
}
