import Foundation

/// The built-in cells' names, gates and state sizes, written down once: each cell type reads
/// its own entry. (`Network.read` tells a built-in cell's file by its weights' shapes, as
/// PyTorch's files name no cell, and checks a stated `cell` against them.)
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

/// Cells defined outside ftle's sources (a test target's, a program built on ftle's modules)
/// that model files may name in their `cell` metadata: each registered name comes with the
/// loader that builds one layer of the cell from its parameter blocks. `Network.read` asks
/// here before it falls back to the built-in loaders; the built-in names cannot be taken.
public enum RegisteredCells {
    /// Builds layer `layer` of a cell from its blocks, keyed by the cell's own names (without
    /// `rnn.` and `_l{k}`); throws a `CellError` naming what does not fit.
    public typealias Loader = @Sendable (_ blocks: [String: ParameterBlock], _ layer: Int) throws -> any RecurrentCell

    private final class Table: @unchecked Sendable {
        let lock = NSLock()
        var loaders: [String: Loader] = [:]
    }
    private static let table = Table()

    /// Registers (or replaces) the loader of cell `name`. A built-in name is refused.
    public static func register(_ name: String, loader: @escaping Loader) throws {
        guard !CellKind.builtIn.contains(CellKind(rawValue: name)) else { throw CellError("cell \(name) is built in") }
        table.lock.lock(); defer { table.lock.unlock() }
        table.loaders[name] = loader
    }

    /// The loader of a registered cell (nil: not registered).
    public static func loader(_ name: String) -> Loader? {
        table.lock.lock(); defer { table.lock.unlock() }
        return table.loaders[name]
    }
}
