import Linalg
import Foundation
import MNIST
import RNN

/// What the panes need to know about the loaded model (the weights stay with the app).
public struct ModelSummary: Equatable, Sendable {
    /// The file's path as given, and its last component for the header.
    public var path: String
    public var fileName: String
    /// The model's MNIST task; nil for a model of other sequences (opened with `--input(s)`).
    public var task: SequenceTask?
    /// H_1 (the first layer's width).
    public var hidden: Int
    /// H_1, …, H_L.
    public var layerSizes: [Int] = []
    /// "rnn", "gru" or "lstm" (what the header and the exported JSON name).
    public var cell: String { cellEntry.name }
    /// The cell's registry entry: its gates and their ranges.
    public var cellEntry: CellRegistry = .elman
    /// "tanh" or "relu" for a vanilla RNN; nil for a gated one.
    public var nonlinearity: String?
    /// N, the size of the state the frame lives in (Σ H_k; 2H per LSTM layer).
    public var stateSize: Int
    /// I, inputs per step.
    public var inputSize: Int = 28
    /// C classes and their names (metadata key `classes`, comma-separated, else "0"…"C−1").
    public var classNames: [String] = (0..<10).map(String.init)
    /// T of the MNIST task (0 for a model without one: the sequence gives T).
    public var steps: Int
    /// For each pixel (row-major), the 1-based step that presents it (empty without an MNIST task).
    public var stepOfPixel: [Int]
    public var epochsTrained: Double
    public var testAccuracy: Double?
    /// Why the explorer's background training (`ModelTrainer`, as `GatedModel(network:path:)`
    /// takes the weights) cannot train these weights (nil: it can), in one line: a gated model
    /// without both biases in every layer, or a gated stack of layers of different widths.
    public var untrainableReason: String?

    public init(model: RNNModel<Double>, path: String) {
        self.init(network: Network(model), path: path)
    }

    /// Any network, of an MNIST task or not.
    public init(network: Network, path: String) {
        self.path = path
        fileName = URL(fileURLWithPath: path).lastPathComponent
        task = network.imageTask
        hidden = network.layerSizes[0]
        layerSizes = network.layerSizes
        cellEntry = network.cellEntry
        nonlinearity = (network.layers[0] as? Elman)?.nonlinearity.rawValue
        stateSize = network.stateSize
        inputSize = network.inputSize
        classNames = Self.classNames(metadata: network.metadata, classes: network.classes)
        steps = task?.steps ?? 0
        stepOfPixel = task?.stepOfEachPixel.map { $0 + 1 } ?? []
        epochsTrained = network.metadata.epochsTrained
        testAccuracy = network.metadata.testAccuracy
        if let g = network.gatedNetwork {
            if !g.layers.allSatisfy({ $0.inputBias != nil && $0.recurrentBias != nil }) {
                untrainableReason = "ftle trains \(g.cell.withArticle) with both biases (bias_ih and bias_hh, as PyTorch's default); this one has bias=False"
            } else if Set(g.layers.map(\.hidden)).count > 1 {
                untrainableReason = "ftle trains \(g.cell.withArticle) stack of one width (as PyTorch's num_layers); this one has H "
                    + g.layers.map { String($0.hidden) }.joined(separator: ",")
            }
        }
    }

    /// C.
    public var classes: Int { classNames.count }

    /// Metadata key `classes` split at commas (trimmed) when it names exactly `classes`
    /// classes, else the indices "0"…"C−1".
    static func classNames(metadata: ModelMetadata, classes: Int) -> [String] {
        if let text = metadata.extra["classes"] {
            let names = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if names.count == classes { return names }
        }
        return (0..<classes).map(String.init)
    }

    /// Whether the classes have names other than their indices.
    public var hasClassNames: Bool { classNames != (0..<classes).map(String.init) }

    /// The header's model field: "H 128" for one tanh layer; the cell or φ first otherwise
    /// ("GRU H 64", "relu H 16"), and every layer's width for a stack ("H 16,16").
    public var shapeText: String {
        var prefix = ""
        if cellEntry.isGated { prefix = cell.uppercased() + " " } else if let nonlinearity, nonlinearity != Nonlinearity.tanh.rawValue { prefix = nonlinearity + " " }
        return prefix + "H " + layerSizes.map(String.init).joined(separator: ",")
    }
}
