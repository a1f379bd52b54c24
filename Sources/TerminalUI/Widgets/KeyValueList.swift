/// Labelled lines, keys padded to a common width:
///
///     epoch   3
///     loss    0.412
///
/// Keys are dim; values use the foreground colour or their own theme key. Rows past the
/// area are not drawn; long values are cut with the ellipsis glyph.
public struct KeyValueList: Widget, Sendable {
    public struct Entry: Hashable, Sendable {
        public var key: String
        public var value: String
        public var valueColor: ThemeKey

        public init(_ key: String, _ value: String, valueColor: ThemeKey = .foreground) {
            self.key = key
            self.value = value
            self.valueColor = valueColor
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    public func render(into grid: inout Grid, area: Rect, context: RenderContext) {
        guard !area.isEmpty else { return }
        let theme = context.theme
        let keyWidth = min(entries.map(\.key.count).max() ?? 0, max(area.width / 2, 1))
        for (row, entry) in entries.prefix(area.height).enumerated() {
            let y = area.minY + row
            grid.fill(Rect(x: area.minX, y: y, width: area.width, height: 1), with: context.backgroundCell)
            let key = NumberFormat.truncate(entry.key, to: keyWidth, ellipsis: context.glyphs.ellipsis)
            grid.put(text: key, at: (area.minX, y), style: Style(foreground: theme[.dim]), clip: area)
            let valueX = area.minX + keyWidth + 2
            let value = NumberFormat.truncate(entry.value, to: area.maxX - valueX, ellipsis: context.glyphs.ellipsis)
            grid.put(text: value, at: (valueX, y), style: Style(foreground: theme[entry.valueColor]), clip: area)
        }
    }
}
