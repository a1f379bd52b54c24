import Foundation
import Linalg
import RNN
import Synchronization
import TestSupport
import Testing

/// The model kinds of the README's matrix ("Which commands work on which models"): every
/// one H = 32 per layer (the alignment study needs 30 Q vectors), row-wise MNIST (T = 28, I = 28).
enum ModelKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case tanh, relu, stacked, biasFree = "bias-free", gru, lstm, stackedGRU = "stacked-gru", stackedLSTM = "stacked-lstm"

    var testDescription: String { rawValue }
    var isGated: Bool { [.gru, .lstm, .stackedGRU, .stackedLSTM].contains(self) }
    var isLSTM: Bool { self == .lstm || self == .stackedLSTM }
    var layers: Int { [.stacked, .stackedGRU, .stackedLSTM].contains(self) ? 2 : 1 }
    /// N: H per layer, 2H per LSTM layer.
    var stateSize: Int { ModelZoo.hidden * layers * (isLSTM ? 2 : 1) }
    /// The explorer header's model field.
    var shapeText: String {
        let widths = Array(repeating: "\(ModelZoo.hidden)", count: layers).joined(separator: ",")
        return (isGated ? (isLSTM ? "LSTM " : "GRU ") : self == .relu ? "relu " : "") + "H " + widths
    }
    /// What `ftle train` adds to make this kind.
    var trainArguments: [String] {
        switch self {
        case .tanh: []
        case .relu: ["--nonlinearity", "relu"]
        case .stacked: ["--layers", "2"]
        case .biasFree: ["--bias", "none"]
        case .gru: ["--cell", "gru"]
        case .lstm: ["--cell", "lstm"]
        case .stackedGRU: ["--cell", "gru", "--layers", "2"]
        case .stackedLSTM: ["--cell", "lstm", "--layers", "2"]
        }
    }
}

/// The models, built once per test run in a temporary folder by `ftle train` itself (one
/// epoch on 128 images, so the train row of the matrix is these runs), the same models with no task (9 classes), an
/// untrained permuted model for `report --permuted`, and row-wise shaped sequences.
struct ModelZoo: Sendable {
    static let hidden = 32
    let dir: String
    let training: [ModelKind: CLI.Result]
    let models: [ModelKind: String]
    let noTask: [ModelKind: String]
    let permuted: String
    let input: String, inputs: String, labels: String

    static func trainArguments(_ kind: ModelKind, out: String) -> [String] {
        ["train", "--task", "rowwise", "--hidden", "\(hidden)", "--epochs", "1", "--batch", "32", "--train-limit", "128",
         "--test-limit", "32", "--threads", "1", "--out", out] + kind.trainArguments
    }

    init() {
        dir = temporaryFolder("model-matrix")
        let folder = dir
        let runs = ModelKind.allCases.map { (kind: $0, out: folder + "/" + $0.rawValue) }
        let results = Mutex([ModelKind: CLI.Result]())
        DispatchQueue.concurrentPerform(iterations: runs.count) { i in
            let r = try! CLI.run(Self.trainArguments(runs[i].kind, out: runs[i].out), timeout: 300)
            results.withLock { $0[runs[i].kind] = r }
        }
        training = results.withLock { $0 }
        var models: [ModelKind: String] = [:], noTask: [ModelKind: String] = [:]
        for (kind, out) in runs {
            let path = out + "/model.safetensors"
            models[kind] = path
            // The same weights with 9 classes and no metadata "task": a model of no MNIST task
            // (a file without the key that has I = 28 and 10 classes reads as row-wise).
            var file = try! SafeTensorsFile(contentsOf: path)
            file.metadata["task"] = nil
            let w = file.tensors["fc.weight"]!, c = file.tensors["fc.bias"]!
            file.tensors["fc.weight"] = Tensor(float32: w.doubles.prefix(9 * Self.hidden).map(Float.init), shape: [9, Self.hidden])
            file.tensors["fc.bias"] = Tensor(float32: c.doubles.prefix(9).map(Float.init), shape: [9])
            noTask[kind] = folder + "/\(kind.rawValue)-no-task.safetensors"
            try! file.write(to: noTask[kind]!)
        }
        self.models = models
        self.noTask = noTask
        permuted = folder + "/permuted.safetensors"
        try! RNNModel<Float>(task: .permuted(seed: 0), hidden: Self.hidden, initialization: .orthogonal, seed: 1).save(to: permuted)

        // 20 sequences of 28 steps × 28 inputs in [0, 1], labels 0…9 twice.
        var rng = SeededRandom(seed: 27)
        let values = (0..<(20 * 28 * 28)).map { _ in rng.nextUniform() }
        input = folder + "/x0.npy"; inputs = folder + "/X.npy"; labels = folder + "/Y.npy"
        try! NPYArray(shape: [28, 28], values: Array(values.prefix(28 * 28))).write(to: input)
        try! NPYArray(shape: [20, 28, 28], values: values).write(to: inputs)
        try! NPYArray(shape: [20], values: (0..<20).map { Double($0 % 10) }, descriptor: "<i8").write(to: labels)
    }
}
