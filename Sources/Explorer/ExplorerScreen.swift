import TerminalUI

/// Renders the whole screen from the state: a pure function, so tests compare its text
/// and colours and the app only has to flush the result.
public enum ExplorerScreen {
    public static func render(_ state: ExplorerState, size: TerminalSize) -> Grid {
        let context = state.context
        var grid = Grid(width: size.width, height: size.height, filledWith: context.backgroundCell)
        guard let layout = ScreenLayout.make(size: size, focus: state.focus, isZoomed: state.isZoomed) else {
            TooSmallScreen(requiredWidth: ScreenLayout.minimumSize.width, requiredHeight: ScreenLayout.minimumSize.height)
                .render(into: &grid, area: grid.bounds, context: context)
            return grid
        }
        HeaderBar.render(state, into: &grid, area: layout.header)
        for pane in Pane.allCases {
            guard let area = layout.panes[pane] else { continue }
            render(pane, state: state, into: &grid, area: area)
        }
        if StatusLine.needsTwoRows(state, width: layout.status.width) {
            // A long message takes the footer's row while it shows (issue 29: no "…").
            StatusLine.render(state, into: &grid, area: Rect(x: layout.status.minX, y: layout.status.minY,
                                                             width: layout.status.width, height: 2))
        } else {
            StatusLine.render(state, into: &grid, area: layout.status)
            Footer(keyTable: state.footerKeys).render(into: &grid, area: layout.footer, context: context)
        }
        if state.showsHelp {
            state.helpOverlay.render(into: &grid, area: layout.body, context: context)
        }
        return grid
    }

    /// Renders one pane into `area` (also used by tests to snapshot panes alone).
    public static func render(_ pane: Pane, state: ExplorerState, into grid: inout Grid, area: Rect) {
        state.widget(for: pane).render(into: &grid, area: area, context: state.context)
    }
}
