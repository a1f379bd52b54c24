import RNN
import TerminalUI

/// A GRU's or LSTM's gates over the sequence: one sparkline per gate (r, z, n or i, f, g, o)
/// of its activation averaged over the units, on the gate's own range (σ gates 0…1, the tanh
/// candidate −1…1), the cursor at t; below, every gate's mean at t. So one can watch, e.g., an
/// LSTM's forget gate close while λ1 drops. It shows in the alignment pane's place, by default
/// for gated models; `v` switches the two. A vanilla RNN has no gates: the pane says so.
struct GatePane: Widget {
    var t: Int
    var steps: Int
    var cell: CellRegistry
    var spectrum: SpectrumResult?
    var isFocused = false
    /// The key that switches back to the alignment pane (for the vanilla note).
    var alignmentKey = "v"
    /// The model's layers: the means are over the units of all of them.
    var layers = 1

    func render(into grid: inout Grid, area: Rect, context: RenderContext) {
        let over = layers > 1 ? "mean over the units of layers 1-\(layers)" : "mean over units"
        let title = cell.isGated ? "Gates" + context.separator + cell.name.uppercased() + context.separator + over : "Gates"
        let inside = PaneFrame.draw(title: title,
                                    isFocused: isFocused, into: &grid, area: area, context: context)
        guard !inside.isEmpty else { return }
        if !cell.isGated {
            PaneFrame.note("a vanilla RNN has no gates. \(alignmentKey): alignment pane", into: &grid, inside: inside, context: context)
            return
        }
        guard let spectrum, !spectrum.gateMeans.isEmpty else {
            PaneFrame.placeholder(context.computing, into: &grid, inside: inside, context: context)
            return
        }
        let names = spectrum.gateNames
        let labelWidth = (names.map(\.count).max() ?? 1) + 1
        var row = 0
        for (g, name) in names.enumerated() where row < inside.height {
            let values = (0..<steps).map { $0 < spectrum.gateMeans.count ? spectrum.gateMeans[$0][g] : .nan }
            grid.put(text: name, at: (inside.minX, inside.minY + row), style: context.style(.dim), clip: inside)
            let line = Rect(x: inside.minX + labelWidth, y: inside.minY + row, width: max(0, inside.width - labelWidth), height: 1)
            Sparkline(values: values, cursor: t - 1, range: cell.range(ofGate: name)).render(into: &grid, area: line, context: context)
            row += 1
        }
        guard row < inside.height, t >= 1, t <= spectrum.gateMeans.count else { return }
        let atT = names.enumerated().map { g, name in name + " " + Format.significant(spectrum.gateMeans[t - 1][g], 3) }
        let rows = Rect(x: inside.minX, y: inside.minY + row, width: inside.width, height: inside.height - row)
        FlowText.draw((["t \(t):"] + atT).map { ($0, ThemeKey.dim) }, marks: [("t", .cursor)], into: &grid, area: rows, context: context)
    }
}
