import Foundation
import Linalg
import MNIST

extension ModelMetadata {
    /// Writes the run's record every cell's file carries, as `RecordedModelFacts` reads it back:
    /// init, seed, epochs trained, test accuracy (removed when unknown) and the input
    /// standardization (`input_mean`/`input_std`, removed when none).
    func record(into meta: inout [String: String], standardization: InputStandardization?) {
        meta["init"] = initialization
        meta["seed"] = String(seed)
        meta["epochs_trained"] = String(epochsTrained)
        meta["test_accuracy"] = testAccuracy.map { String($0) }
        meta["input_mean"] = standardization.map { String($0.mean) }
        meta["input_std"] = standardization.map { String($0.std) }
    }
}

/// What a model file says besides its weights, read the same way for every cell (vanilla,
/// GRU, LSTM): the MNIST task (metadata key `task`, with `task.permutation` for the permuted
/// task; `none` for a model of array sequences (ftle writes it for `train --inputs`, so such a
/// model is never read as an MNIST one); when `task` is absent, guessed from the shapes: I = 1 with a permutation is permuted,
/// I = 28 and C = 10 row-wise, I = 1, C = 10 and one layer pixel-wise, anything else none),
/// the input standardization (`input_mean`/`input_std`, both or neither) and the remaining
/// metadata (init, seed, epochs trained, test accuracy, and every other key kept as `extra`).
/// A task must fit the shapes (its I, and C = 10).
struct RecordedModelFacts {
    var task: SequenceTask?
    var standardization: InputStandardization?
    var metadata: ModelMetadata

    /// `weightKeys`: metadata keys the cell's loader reads itself (they are dropped from `extra`,
    /// as the keys read here are, so a re-saved model writes them afresh).
    init(file: SafeTensorsFile, path: String, inputSize i: Int, classes k: Int, layerCount: Int, weightKeys: [String]) throws {
        func fail(_ s: String) -> FileFormatError { FileFormatError(path: path, s) }
        var permutation: [Int]? = nil
        if let pT = file.tensors[TensorName.permutation] {
            guard pT.dtype == .i64, pT.shape == [MNISTDataset.pixels] else {
                throw fail("tensor \"\(TensorName.permutation)\" must be I64 of shape [784]")
            }
            let p = pT.int64s.map { Int($0) }
            guard SequenceTask.isValidPermutation(p) else { throw fail("\"\(TensorName.permutation)\" is not a permutation of 0..<784") }
            permutation = p
        }
        switch file.metadata["task"] {
        case "rowwise": task = .rowwise
        case "pixelwise": task = .pixelwise
        case "permuted":
            guard let p = permutation else { throw fail("task is permuted but tensor \"\(TensorName.permutation)\" is missing") }
            task = .permuted(permutation: p)
        case SequenceTask.noTaskName?:
            task = nil
        case nil:
            let mnist = k == RNNModel<Double>.mnistClasses
            if let p = permutation, i == 1 { task = .permuted(permutation: p) }
            else if mnist && i == 28 { task = .rowwise }
            else if mnist && i == 1 && layerCount == 1 { task = .pixelwise }
            else { task = nil }
        case let other?:
            throw fail("unknown task \(quotedForMessage(other)) in metadata (expected rowwise, pixelwise, permuted or none)")
        }
        if permutation != nil && task?.kind != .permuted {
            throw fail("tensor \"\(TensorName.permutation)\" belongs to permuted models only, but this is \(task.map { "a \($0.name)" } ?? "not an MNIST") model")
        }
        if let task {
            guard i == task.inputSize else {
                throw fail("input size \(i) does not fit the \(task.name) task (expected \(task.inputSize))")
            }
            guard k == RNNModel<Double>.mnistClasses else {
                throw fail("the \(task.name) task has 10 classes but \"\(TensorName.readoutWeights)\" has \(k) rows")
            }
        }
        let md = file.metadata
        // Sizes the metadata states must be the weights' own, written as ftle writes them
        // ("28", not "+28", "028" or "-28"); a stacked model records its layers, a single layer none or "1".
        if let stated = md["hidden"], Int(stated).map({ String($0) != stated || $0 < 1 }) ?? true {
            throw fail("metadata says hidden size \(quotedForMessage(stated)), expected a whole number ≥ 1")
        }
        if let stated = md["input_size"], stated != String(i) {
            throw fail("metadata says input size \(quotedForMessage(stated)) but the weights take \(i) inputs per step")
        }
        if let stated = md["layers"], stated != String(layerCount) {
            throw fail("metadata says \(quotedForMessage(stated)) layers but the weights have \(layerCount)")
        }
        // The run's record: read by the explorer's training plan and shown on screen.
        if let stated = md["seed"], UInt64(stated).map({ String($0) != stated }) ?? true {
            throw fail("metadata seed is \(quotedForMessage(stated)), expected a whole number ≥ 0")
        }
        if let stated = md["epochs_trained"], !(Double(stated).map { $0.isFinite && $0 >= 0 } ?? false) {
            throw fail("metadata epochs_trained is \(quotedForMessage(stated)), expected a number ≥ 0")
        }
        if let stated = md["test_accuracy"], !(Double(stated).map { $0 >= 0 && $0 <= 1 } ?? false) {
            throw fail("metadata test_accuracy is \(quotedForMessage(stated)), expected a fraction in [0, 1]")
        }
        if let stated = md["standardize"] {
            let hasStatistics = md["input_mean"] != nil || md["input_std"] != nil
            guard stated == "true" || stated == "false" else {
                throw fail("metadata standardize is \(quotedForMessage(stated)), expected true or false")
            }
            guard (stated == "true") == hasStatistics else {
                throw fail("metadata says standardize \(stated) but input_mean/input_std are \(hasStatistics ? "there" : "missing")")
            }
        }
        var extra = md
        for key in ["format", "task", "hidden", "input_size", "init", "seed", "epochs_trained", "test_accuracy", "input_mean", "input_std"] + weightKeys {
            extra[key] = nil
        }
        switch (md["input_mean"], md["input_std"]) {
        case (nil, nil): standardization = nil
        case let (m?, s?):
            guard let mean = Double(m), let std = Double(s), mean.isFinite, std.isFinite, std > 0 else {
                throw fail("metadata input_mean/input_std must be a finite mean and a positive std (got \(oneLineForMessage(m)), \(oneLineForMessage(s)))")
            }
            standardization = InputStandardization(mean: mean, std: std)
        default: throw fail("metadata has only one of input_mean and input_std")
        }
        metadata = ModelMetadata(initialization: md["init"] ?? "unknown", seed: md["seed"].flatMap { UInt64($0) } ?? 0,
                                 epochsTrained: md["epochs_trained"].flatMap { Double($0) } ?? 0,
                                 testAccuracy: md["test_accuracy"].flatMap { Double($0) }, extra: extra)
    }
}
