/// A centred, bordered box titled "keys" listing every binding of a key table (footer or
/// not), then any `extraEntries` (e.g. mouse clicks): the key display padded to a common
/// width, two spaces, the description. An optional `footer` line stays at the bottom of the
/// box, dim (say how to scroll and close there).
///
/// The box is sized to its content and clipped to the area. When the entries do not fit,
/// the box shows a window from `scroll` (clamped to 0…``maxScroll(in:)``): a row of the
/// ellipsis glyph stands for entries above (at the top) and below (at the bottom).
public struct HelpOverlay<Action: Hashable & Sendable>: Widget, Sendable {
    public var keyTable: KeyTable<Action>
    public var title: String
    public var extraEntries: [(display: String, description: String)]
    public var footer: String?
    /// The first entry shown.
    public var scroll: Int

    public init(keyTable: KeyTable<Action>, title: String = "keys", extraEntries: [(display: String, description: String)] = [],
                footer: String? = nil, scroll: Int = 0) {
        self.keyTable = keyTable
        self.title = title
        self.extraEntries = extraEntries
        self.footer = footer
        self.scroll = scroll
    }

    private var entries: [(display: String, description: String)] {
        keyTable.bindings.map { ($0.display, $0.description) } + extraEntries
    }

    private var keyWidth: Int { entries.map(\.display.count).max() ?? 0 }

    /// The text lines of the entries.
    public func lines() -> [String] {
        entries.map { entry in
            entry.display + String(repeating: " ", count: keyWidth - entry.display.count + 2) + entry.description
        }
    }

    private func box(in area: Rect) -> Rect {
        let lines = lines()
        let contentWidth = max(lines.map(\.count).max() ?? 0, title.count + 2, footer?.count ?? 0)
        return area.centered(width: contentWidth + 4, height: lines.count + 2 + (footer == nil ? 0 : 1))
    }

    /// Rows for entries inside the box drawn in `area`.
    public func entryRows(in area: Rect) -> Int {
        max(0, box(in: area).height - 2 - (footer == nil ? 0 : 1))
    }

    /// The largest useful `scroll` in `area`: the last entry shows, below the "more above" row.
    public func maxScroll(in area: Rect) -> Int {
        let count = entries.count, rows = entryRows(in: area)
        return count <= rows ? 0 : max(0, count - (rows - 1))
    }

    public func render(into grid: inout Grid, area: Rect, context: RenderContext) {
        let lines = lines()
        let box = box(in: area)
        guard box.width >= 3, box.height >= 3 else { return }
        let block = Block(title: title, isFocused: true, heavyWhenFocused: false)
        block.render(into: &grid, area: box, context: context)
        let inside = block.inner(box)
        let rows = entryRows(in: area)
        let content = Rect(x: inside.minX + 1, y: inside.minY, width: inside.width - 2, height: rows)
        let ellipsis = String(context.glyphs.ellipsis)
        let dim = Style(foreground: context.theme[.dim])
        let first = min(max(scroll, 0), maxScroll(in: area))
        var row = 0
        if first > 0, rows > 0 {
            grid.put(text: ellipsis, at: (content.minX, content.minY), style: dim, clip: content)
            row = 1
        }
        var index = first
        while row < rows, index < lines.count {
            let y = content.minY + row
            if row == rows - 1 && index < lines.count - 1 {
                grid.put(text: ellipsis, at: (content.minX, y), style: dim, clip: content)
                break
            }
            let line = lines[index]
            grid.put(text: String(line.prefix(keyWidth)), at: (content.minX, y),
                     style: Style(foreground: context.theme[.accent], attributes: .bold), clip: content)
            grid.put(text: String(line.dropFirst(keyWidth)), at: (content.minX + keyWidth, y),
                     style: Style(foreground: context.theme[.foreground]), clip: content)
            row += 1
            index += 1
        }
        if let footer, inside.height > rows {
            let footerArea = Rect(x: content.minX, y: inside.minY + rows, width: content.width, height: 1)
            grid.put(text: NumberFormat.truncate(footer, to: footerArea.width, ellipsis: context.glyphs.ellipsis),
                     at: (footerArea.minX, footerArea.minY), style: dim, clip: footerArea)
        }
    }
}
