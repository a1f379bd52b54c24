/// The hint bar: `q quit  ←/h back  ? help`, keys in the accent colour, descriptions dim,
/// as many hints as fit (see ``KeyTable/footerBindings(width:gap:)``), two spaces apart, or
/// one when that fits more.
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
        // Two spaces between hints, one when that shows more of them (80 columns).
        let wide = keyTable.footerBindings(width: area.width), narrow = keyTable.footerBindings(width: area.width, gap: 1)
        let (shown, gap) = narrow.count > wide.count ? (narrow, 1) : (wide, 2)
        for (index, binding) in shown.enumerated() {
            if index > 0 { x += gap }
            x = grid.put(text: binding.display, at: (x, row.minY),
                         style: Style(foreground: theme[.accent], attributes: .bold), clip: row)
            x = grid.put(text: " " + binding.description, at: (x, row.minY),
                         style: Style(foreground: theme[.dim]), clip: row)
        }
    }
}
