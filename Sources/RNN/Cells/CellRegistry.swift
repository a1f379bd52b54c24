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

    public static let elman = CellRegistry(name: "rnn", gateNames: [], stateMultiple: 1)
    public static let gru = CellRegistry(name: "gru", gateNames: ["r", "z", "n"], stateMultiple: 1)
    public static let lstm = CellRegistry(name: "lstm", gateNames: ["i", "f", "g", "o"], stateMultiple: 2)
}
