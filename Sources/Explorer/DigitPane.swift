import Analysis
import TerminalUI

/// The 28×28 input in half blocks (28×14 cells).
///
/// Pixels of steps 1…t (presented) use the `presented` colour, later ones `pending`, both
/// scaled by intensity over the background; the pixels of step t use `cursor`. With flips
/// on, the R-flipped pixels show in `upFlip` (dark → 1) or `downFlip` (lit → 0); with flips
/// off, the top-k R-ranked pixels are marked in `topK`. In mono only the marked pixels are
/// coloured (reverse video) and intensity becomes shades.
enum DigitPane {
    static let side = 28

    static func render(_ state: ExplorerState, into grid: inout Grid, area: Rect) {
        let context = state.context
        let title = "Digit \(state.label)" + context.separator + "t \(state.t)/\(state.steps)"
        let inside = PaneFrame.draw(.digit, title: title, state: state, into: &grid, area: area)
        let matrix = HalfBlockMatrix(rows: side, columns: side, values: state.image.map(Double.init),
                                     mapping: .absolute(0...1), overrides: overrides(state))
        matrix.render(into: &grid, area: inside, context: context)
        if inside.width >= side + 14 {
            legend(state, into: &grid, area: Rect(x: inside.minX + side + 2, y: inside.minY,
                                                   width: inside.width - side - 2, height: inside.height))
        }
    }

    /// The colour of every pixel that carries meaning (all of them unless mono).
    static func overrides(_ state: ExplorerState) -> [MatrixIndex: Color] {
        let theme = state.context.theme
        let isMono = state.context.colorMode == .monochrome
        var colors: [MatrixIndex: Color] = [:]
        let background = theme[.background]
        for pixel in 0..<(side * side) {
            let step = state.model.stepOfPixel[pixel]
            let value = Double(state.image[pixel])
            let index = MatrixIndex(row: pixel / side, column: pixel % side)
            if step == state.t {
                colors[index] = background.mixed(with: theme[.cursor], 0.35 + 0.65 * value)
            } else if !isMono {
                colors[index] = background.mixed(with: theme[step < state.t ? .presented : .pending], value)
            }
        }
        guard let flips = state.currentFlips else { return colors }
        if flips.rFlippedPixels.isEmpty {
            for pixel in flips.topPixels { colors[MatrixIndex(row: pixel / side, column: pixel % side)] = theme[.topK] }
        } else {
            for pixel in flips.rFlippedPixels {
                let isUp = state.image[pixel] < Sensitivity.darkThreshold
                colors[MatrixIndex(row: pixel / side, column: pixel % side)] = theme[isUp ? .upFlip : .downFlip]
            }
        }
        return colors
    }

    private static func legend(_ state: ExplorerState, into grid: inout Grid, area: Rect) {
        let context = state.context
        let entries: [(ThemeKey, String)] = [(.presented, "presented"), (.pending, "pending"), (.cursor, "step t"),
                                             (.upFlip, "up flip"), (.downFlip, "down flip"), (.topK, "top-k")]
        for (row, entry) in entries.enumerated() where row < area.height {
            let x = grid.put(text: String(context.glyphs.full), at: (area.minX, area.minY + row), style: context.style(entry.0))
            grid.put(text: " " + entry.1, at: (x, area.minY + row), style: context.style(.dim), clip: area)
        }
    }
}
