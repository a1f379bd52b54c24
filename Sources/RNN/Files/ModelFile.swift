import Foundation
import Linalg
import MNIST

/// Tensor names, as PyTorch's `nn.RNN(I, H, nonlinearity='tanh', batch_first=True)` and
/// `nn.Linear(H, 10)` name them when held in attributes `rnn` and `fc`.
public enum TensorName {
    public static let inputWeights = "rnn.weight_ih_l0"     // U, H×I
    public static let recurrentWeights = "rnn.weight_hh_l0" // V, H×H
    public static let inputBias = "rnn.bias_ih_l0"          // H; b = bias_ih + bias_hh
    public static let recurrentBias = "rnn.bias_hh_l0"      // H; ftle writes zeros
    public static let readoutWeights = "fc.weight"          // W, 10×H
    public static let readoutBias = "fc.bias"               // c, 10
    public static let permutation = "task.permutation"      // I64 (784), permuted task only
    public static let parameters = [inputWeights, recurrentWeights, inputBias, recurrentBias, readoutWeights, readoutBias]
}

extension RNNModel {
    /// The model as safetensors: weights under PyTorch's names in T's dtype (F32 or F64),
    /// `task.permutation` as I64 for the permuted task, and metadata (task, hidden size,
    /// input size, init, seed, epochs trained, test accuracy, and any extra keys).
    public func safeTensors() -> SafeTensorsFile {
        func tensor(_ values: [T], _ shape: [Int]) -> Tensor { Tensor(values, shape: shape) }
        let h = hidden, i = inputSize, k = RNNModel.classes
        var tensors: [String: Tensor] = [
            TensorName.inputWeights: tensor(u.rowMajor, [h, i]),
            TensorName.recurrentWeights: tensor(v.rowMajor, [h, h]),
            TensorName.readoutWeights: tensor(w.rowMajor, [k, h]),
            TensorName.readoutBias: tensor(c, [k]),
        ]
        // b = bias_ih (+ bias_hh, written as zeros); a bias-free model writes neither.
        if biasMode != .none { tensors[TensorName.inputBias] = tensor(b, [h]) }
        if biasMode == .pair { tensors[TensorName.recurrentBias] = tensor([T](repeating: 0, count: h), [h]) }
        if case let .permuted(p) = task {
            tensors[TensorName.permutation] = Tensor(int64: p.map(Int64.init), shape: [p.count])
        }
        var meta = metadata.extra
        meta["format"] = "ftle-rnn-1"
        meta["task"] = task.name
        meta["hidden"] = String(h)
        meta["input_size"] = String(i)
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
    /// to T. Checks presence and shapes of every tensor, that H and I fit the task (I = 28
    /// row-wise, 1 pixel-wise), the permutation (a bijection of 0..<784) and that all weights
    /// are finite. The task comes from the metadata, or, when absent (a file from PyTorch),
    /// from I and the presence of `task.permutation`.
    public static func load(from path: String) throws -> RNNModel {
        try RNNModel(file: SafeTensorsFile(contentsOf: path), path: path)
    }

    public init(file: SafeTensorsFile, path: String) throws {
        func fail(_ s: String) -> FileFormatError { FileFormatError(path: path, s) }
        func get(_ name: String) throws -> Tensor {
            guard let t = file.tensors[name] else { throw fail("missing tensor \"\(name)\"") }
            guard t.dtype != .i64 else { throw fail("tensor \"\(name)\" has dtype I64, expected F32 or F64") }
            return t
        }
        let vT = try get(TensorName.recurrentWeights)
        guard vT.shape.count == 2, vT.shape[0] == vT.shape[1], vT.shape[0] > 0 else {
            throw fail("tensor \"\(TensorName.recurrentWeights)\" has shape \(vT.shape), expected [H, H]")
        }
        let h = vT.shape[0], k = RNNModel.classes
        let uT = try get(TensorName.inputWeights)
        guard uT.shape.count == 2, uT.shape[0] == h, uT.shape[1] > 0 else {
            throw fail("tensor \"\(TensorName.inputWeights)\" has shape \(uT.shape), expected [\(h), I]")
        }
        let i = uT.shape[1]
        func expectShape(_ name: String, _ shape: [Int]) throws -> Tensor {
            let t = try get(name)
            guard t.shape == shape else { throw fail("tensor \"\(name)\" has shape \(t.shape), expected \(shape)") }
            return t
        }
        // Biases: both (nn.RNN's default), bias_ih alone (an input-side bias), or none (bias=False).
        let hasIH = file.tensors[TensorName.inputBias] != nil, hasHH = file.tensors[TensorName.recurrentBias] != nil
        guard hasIH || !hasHH else {
            throw fail("tensor \"\(TensorName.recurrentBias)\" is present without \"\(TensorName.inputBias)\"")
        }
        let biasMode: BiasMode = hasHH ? .pair : hasIH ? .input : .none
        let zeros = Tensor(float64: [Double](repeating: 0, count: h), shape: [h])
        let bih = hasIH ? try expectShape(TensorName.inputBias, [h]) : zeros
        let bhh = hasHH ? try expectShape(TensorName.recurrentBias, [h]) : zeros
        let wT = try expectShape(TensorName.readoutWeights, [k, h])
        let cT = try expectShape(TensorName.readoutBias, [k])

        var permutation: [Int]? = nil
        if let pT = file.tensors[TensorName.permutation] {
            guard pT.dtype == .i64, pT.shape == [MNISTDataset.pixels] else {
                throw fail("tensor \"\(TensorName.permutation)\" must be I64 of shape [784]")
            }
            let p = pT.int64s.map { Int($0) }
            guard SequenceTask.isValidPermutation(p) else { throw fail("\"\(TensorName.permutation)\" is not a permutation of 0..<784") }
            permutation = p
        }
        let task: SequenceTask
        switch file.metadata["task"] {
        case "rowwise": task = .rowwise
        case "pixelwise": task = .pixelwise
        case "permuted":
            guard let p = permutation else { throw fail("task is permuted but tensor \"\(TensorName.permutation)\" is missing") }
            task = .permuted(permutation: p)
        case nil:
            if i == 28 { task = .rowwise } else if let p = permutation { task = .permuted(permutation: p) } else { task = .pixelwise }
        case let other?:
            throw fail("unknown task \(quotedForMessage(other)) in metadata (expected rowwise, pixelwise or permuted)")
        }
        if permutation != nil && task.kind != .permuted {
            throw fail("tensor \"\(TensorName.permutation)\" belongs to permuted models only, but this is a \(task.name) model")
        }
        guard i == task.inputSize else {
            throw fail("input size \(i) does not fit the \(task.name) task (expected \(task.inputSize))")
        }
        if let mh = file.metadata["hidden"], Int(mh) != h {
            throw fail("metadata says hidden size \(oneLineForMessage(mh)) but \"\(TensorName.recurrentWeights)\" is \(h)×\(h)")
        }
        let values = [uT, vT, bih, bhh, wT, cT].map { $0.doubles }
        for (name, vals) in zip(TensorName.parameters, values) where !vals.allSatisfy(\.isFinite) {
            throw fail("tensor \"\(name)\" contains NaN or Inf")
        }
        let md = file.metadata
        var extra = md
        for key in ["format", "task", "hidden", "input_size", "init", "seed", "epochs_trained", "test_accuracy", "bias", "input_mean", "input_std"] { extra[key] = nil }
        var standardization: InputStandardization? = nil
        switch (md["input_mean"], md["input_std"]) {
        case (nil, nil): break
        case let (m?, s?):
            guard let mean = Double(m), let std = Double(s), mean.isFinite, std.isFinite, std > 0 else {
                throw fail("metadata input_mean/input_std must be a finite mean and a positive std (got \(oneLineForMessage(m)), \(oneLineForMessage(s)))")
            }
            standardization = InputStandardization(mean: mean, std: std)
        default: throw fail("metadata has only one of input_mean and input_std")
        }
        let meta = ModelMetadata(initialization: md["init"] ?? "unknown", seed: md["seed"].flatMap { UInt64($0) } ?? 0,
                                 epochsTrained: md["epochs_trained"].flatMap { Double($0) } ?? 0,
                                 testAccuracy: md["test_accuracy"].flatMap { Double($0) }, extra: extra)
        self.init(u: Matrix(rows: h, cols: i, rowMajor: values[0].map { T($0) }),
                  v: Matrix(rows: h, cols: h, rowMajor: values[1].map { T($0) }),
                  b: zip(values[2], values[3]).map { T($0 + $1) },
                  w: Matrix(rows: k, cols: h, rowMajor: values[4].map { T($0) }),
                  c: values[5].map { T($0) }, task: task, metadata: meta, biasMode: biasMode,
                  inputStandardization: standardization)
        try checkFiniteInWorkingPrecision(path: path)
    }
}
