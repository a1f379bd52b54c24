import TerminalUI

/// Short fields flowed over the rows of an area: a field goes on the current row after the
/// separator if it fits, else starts the next row (cut to the width if it is wider).
/// Colour legends follow as a block glyph in the colour and its name.
enum FlowText {
    static func draw(_ fields: [(text: String, key: ThemeKey)], marks: [(name: String, key: ThemeKey)] = [],
                     into grid: inout Grid, area: Rect, context: RenderContext) {
        var row = 0, x = area.minX
        let separator = context.separator
        /// Moves to where an item of `width` columns goes; false when the rows are used up.
        func place(_ width: Int) -> Bool {
            if x > area.minX {
                if x + separator.count + width <= area.maxX {
                    x = grid.put(text: separator, at: (x, area.minY + row), style: context.style(.dim), clip: area)
                    return true
                }
                row += 1
                x = area.minX
            }
            return row < area.height
        }
        for field in fields {
            let text = NumberFormat.truncate(field.text, to: area.width, ellipsis: context.glyphs.ellipsis)
            guard place(text.count) else { return }
            x = grid.put(text: text, at: (x, area.minY + row), style: context.style(field.key), clip: area)
        }
        for mark in marks {
            guard place(2 + mark.name.count) else { return }
            x = grid.put(text: String(context.glyphs.full), at: (x, area.minY + row), style: context.style(mark.key), clip: area)
            x = grid.put(text: " " + mark.name, at: (x, area.minY + row), style: context.style(.dim), clip: area)
        }
    }
}
