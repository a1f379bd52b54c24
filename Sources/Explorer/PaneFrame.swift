import TerminalUI

/// A pane's border and title (accent border when focused), and the one-line placeholder
/// panes show until their result arrives.
enum PaneFrame {
    /// Draws the border and returns the inside.
    static func draw(title: String, isFocused: Bool, into grid: inout Grid, area: Rect, context: RenderContext) -> Rect {
        let block = Block(title: title, isFocused: isFocused)
        block.render(into: &grid, area: area, context: context)
        return block.inner(area)
    }

    /// "computing…" once the Lyapunov trace is complete (the pane's own result is next),
    /// "waiting for the trace…" before; dim, on the first row of `inside`.
    static func placeholder(traceComplete: Bool, into grid: inout Grid, inside: Rect, context: RenderContext) {
        let text = traceComplete ? context.computing : context.text("waiting for the trace…", ascii: "waiting for the trace...")
        placeholder(text, into: &grid, inside: inside, context: context)
    }

    /// `text` dim on the first row of `inside`.
    static func placeholder(_ text: String, into grid: inout Grid, inside: Rect, context: RenderContext) {
        grid.put(line: text, in: inside, row: 0, style: context.style(.dim), context: context)
    }

    /// `text` dim, wrapped at spaces over the rows of `inside` (a word wider than the pane is cut).
    static func note(_ text: String, into grid: inout Grid, inside: Rect, context: RenderContext) {
        var lines: [String] = [], line = ""
        for word in text.split(separator: " ") {
            if line.isEmpty { line = String(word) } else if line.count + 1 + word.count <= inside.width { line += " " + word } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty { lines.append(line) }
        for (row, text) in lines.prefix(inside.height).enumerated() {
            grid.put(line: text, in: inside, row: row, style: context.style(.dim), context: context)
        }
    }
}
