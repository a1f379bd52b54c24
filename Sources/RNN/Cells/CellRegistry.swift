/// The cells ftle knows by name: the one place a cell's name, gates and state size are
/// written down, and where a cell name from a file or the command line is looked up.
public struct CellRegistry: Sendable, Equatable {
    /// The name model files (`__metadata__` `cell`) and `--cell` use.
    public var name: String
    /// How the cell is named in prose ("an LSTM").
    public var withArticle: String
    /// Gate names in PyTorch's block order ([] when ungated).
    public var gateNames: [String]
    /// S / H: 1, or 2 for an LSTM ([h; c]).
    public var stateMultiple: Int
    /// Rows of `weight_hh` per hidden unit (G, or 1 for an ungated cell): how a file's cell is
    /// told from its shapes.
    public var recurrentRowsPerUnit: Int { max(1, gateNames.count) }

    public static let elman = CellRegistry(name: "rnn", withArticle: "a vanilla RNN", gateNames: [], stateMultiple: 1)
    public static let gru = CellRegistry(name: "gru", withArticle: "a GRU", gateNames: ["r", "z", "n"], stateMultiple: 1)
    public static let lstm = CellRegistry(name: "lstm", withArticle: "an LSTM", gateNames: ["i", "f", "g", "o"], stateMultiple: 2)

    /// Every built-in cell.
    public static let all: [CellRegistry] = [elman, gru, lstm]

    /// The cell called `name` (nil: none is).
    public static func named(_ name: String) -> CellRegistry? { all.first { $0.name == name } }

    /// The cell whose `weight_hh` has `rows` rows per hidden unit (nil: none has).
    public static func withRecurrentRowsPerUnit(_ rows: Int) -> CellRegistry? { all.first { $0.recurrentRowsPerUnit == rows } }
}
