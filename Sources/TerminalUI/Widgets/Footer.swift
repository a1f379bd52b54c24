/// The hint bar: `q quit  ←/h back  ? help`, keys in the accent colour, descriptions dim,
/// as many hints as fit (see ``KeyTable/footerBindings(width:)``).
public struct Footer<Action: Hashable & Sendable>: Widget, Sendable {
    public var keyTable: KeyTable<Action>

    public init(keyTable: KeyTable<Action>) {
        self.keyTable = keyTable
    }

    public func render(into grid: inout Grid, area: Rect, context: RenderContext) {
        guard !area.isEmpty else { return }
        let theme = context.theme
        let row = Rect(x: area.minX, y: area.minY, width: area.width, height: 1)
        grid.fill(row, with: context.backgroundCell)
        var x = area.minX
        for (index, binding) in keyTable.footerBindings(width: area.width).enumerated() {
            if index > 0 { x += 2 }
            x = grid.put(text: binding.display, at: (x, row.minY),
                         style: Style(foreground: theme[.accent], attributes: .bold), clip: row)
            x = grid.put(text: " " + binding.description, at: (x, row.minY),
                         style: Style(foreground: theme[.dim]), clip: row)
        }
    }
}
