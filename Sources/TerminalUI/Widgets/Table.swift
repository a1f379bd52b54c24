/// Columns of text with a bold header row; the selected row is drawn in reverse video.
/// Cells are cut with the ellipsis glyph to their column width; columns are separated by
/// one space. Rows start at `scrollOffset`.
public struct Table: Widget, Sendable {
    public enum Alignment: Hashable, Sendable { case left, right }

    public struct Column: Hashable, Sendable {
        public var title: String
        public var width: Int
        public var alignment: Alignment

        public init(_ title: String, width: Int, alignment: Alignment = .left) {
            self.title = title
            self.width = max(width, 1)
            self.alignment = alignment
        }
    }

    public var columns: [Column]
    public var rows: [[String]]
    public var selectedRow: Int?
    public var scrollOffset: Int

    public init(columns: [Column], rows: [[String]], selectedRow: Int? = nil, scrollOffset: Int = 0) {
        self.columns = columns
        self.rows = rows
        self.selectedRow = selectedRow
        self.scrollOffset = max(scrollOffset, 0)
    }

    public func render(into grid: inout Grid, area: Rect, context: RenderContext) {
        guard !area.isEmpty else { return }
        let theme = context.theme
        grid.fill(area, with: context.backgroundCell)
        drawRow(columns.map(\.title), y: area.minY, style: Style(foreground: theme[.title], attributes: .bold),
                into: &grid, area: area, context: context)
        for (offset, index) in (scrollOffset..<rows.count).prefix(area.height - 1).enumerated() {
            let selected = index == selectedRow
            drawRow(rows[index], y: area.minY + 1 + offset,
                    style: Style(foreground: theme[.foreground], attributes: selected ? .reverse : []),
                    into: &grid, area: area, context: context)
        }
    }

    private func drawRow(_ texts: [String], y: Int, style: Style, into grid: inout Grid, area: Rect,
                         context: RenderContext) {
        var x = area.minX
        for (index, column) in columns.enumerated() {
            let raw = index < texts.count ? texts[index] : ""
            let text = NumberFormat.truncate(raw, to: column.width, ellipsis: context.glyphs.ellipsis)
            let padding = String(repeating: " ", count: column.width - text.count)
            let padded = column.alignment == .left ? text + padding : padding + text
            let separator = index < columns.count - 1 ? " " : ""
            x = grid.put(text: padded + separator, at: (x, y), style: style, clip: area)
        }
    }
}
