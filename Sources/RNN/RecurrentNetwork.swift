import Foundation
import Linalg
import MNIST

/// Any network ftle analyses, in Float64: a stack of vanilla layers (`RNNModel`, tanh or ReLU)
/// or of gated ones (`GatedNetwork`, GRU or LSTM), each with a linear readout of its last h.
/// What the analyses need of a model — its sizes, its MNIST task, its state s (N entries:
/// [h¹; …; hᴸ] for vanilla and GRU stacks, [h¹; c¹; …] for LSTM ones) and final logits —
/// reads the same for both; the Lyapunov engine steps either (`LyapunovStepper(network:)`).
public enum RecurrentNetwork: Sendable, Equatable {
    case vanilla(RNNModel<Double>)
    case gated(GatedNetwork)

    /// Reads a model file of any cell. The cell is told by `rnn.weight_hh_l0`'s shape: H×H is
    /// a vanilla layer, 3H×H a GRU, 4H×H an LSTM (metadata key `cell`, when present, must
    /// agree). `nonlinearity` is for vanilla files that do not record theirs; a gated file
    /// refuses it.
    public static func load(from path: String, nonlinearity: Nonlinearity? = nil) throws -> RecurrentNetwork {
        try read(try SafeTensorsFile(contentsOf: path), path: path, nonlinearity: nonlinearity)
    }

    /// `load` of a file already read (`path` names it in messages).
    public static func read(_ file: SafeTensorsFile, path: String, nonlinearity: Nonlinearity? = nil) throws -> RecurrentNetwork {
        let shape = file.tensors[TensorName.recurrentWeights]?.shape ?? []
        let gated = shape.count == 2 && shape[1] > 0 && shape[0] != shape[1]
        if gated {
            if let n = nonlinearity, n != .tanh {
                throw FileFormatError(path: path, "--nonlinearity \(n.rawValue) applies to vanilla RNN models; this one is gated")
            }
            return .gated(try GatedNetwork(file: file, path: path))
        }
        if let stated = file.metadata["cell"], !CellRegistry.elman.isNamed(stated) {
            throw FileFormatError(path: path, "metadata says cell \(quotedForMessage(stated)) but the weights are a vanilla RNN's (weight_hh is H×H)")
        }
        return .vanilla(try RNNModel<Double>(file: file, path: path, nonlinearity: nonlinearity))
    }

    /// The vanilla model, or nil for a gated network.
    public var vanilla: RNNModel<Double>? {
        if case let .vanilla(m) = self { return m }
        return nil
    }

    /// The cell of every layer.
    public var cellKind: CellKind {
        switch self {
        case .vanilla: return .rnn
        case let .gated(g): return g.cell.kind
        }
    }

    /// "rnn", "gru" or "lstm".
    public var cellName: String { cellKind.rawValue }

    /// The registry's entry of the cell (its gates and state multiple).
    public var cellEntry: CellRegistry {
        switch self {
        case .vanilla: return .elman
        case let .gated(g): return g.cell.entry
        }
    }

    /// I.
    public var inputSize: Int {
        switch self {
        case let .vanilla(m): return m.inputSize
        case let .gated(g): return g.inputSize
        }
    }

    /// C.
    public var classes: Int {
        switch self {
        case let .vanilla(m): return m.classes
        case let .gated(g): return g.classes
        }
    }

    /// N, the size of the state the Jacobian acts on (2H per LSTM layer).
    public var stateSize: Int {
        switch self {
        case let .vanilla(m): return m.stateSize
        case let .gated(g): return g.stateSize
        }
    }

    /// H_1, …, H_L.
    public var layerSizes: [Int] {
        switch self {
        case let .vanilla(m): return m.layerSizes
        case let .gated(g): return g.layers.map(\.hidden)
        }
    }

    public var imageTask: SequenceTask? {
        switch self {
        case let .vanilla(m): return m.imageTask
        case let .gated(g): return g.imageTask
        }
    }

    public var metadata: ModelMetadata {
        switch self {
        case let .vanilla(m): return m.metadata
        case let .gated(g): return g.metadata
        }
    }

    /// The sequence a 784-pixel image becomes (networks with an MNIST task only).
    public func sequence(ofImage image: [Float]) -> [Float] {
        switch self {
        case let .vanilla(m): return m.sequence(ofImage: image)
        case let .gated(g): return g.sequence(ofImage: image)
        }
    }

    /// o_T of one sequence (T×I values, step-major) from the zero state.
    public func finalLogits(sequence x: [Double], steps: Int) -> [Double] {
        switch self {
        case let .vanilla(m):
            return m.finalLogits(SequenceBatch<Double>(sequences: [x], labels: [0], steps: steps, inputSize: m.inputSize)).column(0)
        case let .gated(g):
            return g.finalLogits(sequence: x, steps: steps)
        }
    }
}
