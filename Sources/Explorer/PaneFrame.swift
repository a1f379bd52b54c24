import TerminalUI

/// Draws a pane's border and title (accent border when focused) and returns the inside.
enum PaneFrame {
    static func draw(_ pane: Pane, title: String? = nil, state: ExplorerState, into grid: inout Grid, area: Rect) -> Rect {
        let block = Block(title: title ?? pane.title, isFocused: state.focus == pane)
        block.render(into: &grid, area: area, context: state.context)
        return block.inner(area)
    }
}
