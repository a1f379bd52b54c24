/// The built-in cells' names, gates and state sizes, written down once: each cell type reads
/// its own entry. (The model-file loaders still tell the cell by their own shape rules; they
/// move here when they build a `Network` directly.)
public struct CellRegistry: Sendable, Equatable {
    /// The name model files (`__metadata__` `cell`) and `--cell` use.
    public var name: String
    /// Gate names in PyTorch's block order ([] when ungated).
    public var gateNames: [String]
    /// S / H: 1, or 2 for an LSTM ([h; c]).
    public var stateMultiple: Int
    /// The gates whose activation is tanh (range −1…1; the others are σ gates, 0…1).
    public var tanhGates: [String] = []

    public static let elman = CellRegistry(name: "rnn", gateNames: [], stateMultiple: 1)
    public static let gru = CellRegistry(name: "gru", gateNames: ["r", "z", "n"], stateMultiple: 1, tanhGates: ["n"])
    public static let lstm = CellRegistry(name: "lstm", gateNames: ["i", "f", "g", "o"], stateMultiple: 2, tanhGates: ["g"])

    /// Whether a model file's `cell` metadata value names this cell.
    public func isNamed(_ name: String) -> Bool { name == self.name }

    /// Whether the cell has gates (a pane of gate activations means something).
    public var isGated: Bool { !gateNames.isEmpty }
    /// The range of gate `name`'s activation: −1…1 for a tanh gate, 0…1 for a σ gate.
    public func range(ofGate name: String) -> ClosedRange<Double> { tanhGates.contains(name) ? -1...1 : 0...1 }
}
