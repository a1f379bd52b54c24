import Analysis
import TerminalUI

/// The 28×28 input in half blocks: 28×14 cells, or s·28 × s·14 with each pixel an s×s block
/// when the pane has room for a whole multiple (``scale(in:)``).
///
/// Pixels of steps 1…t (presented) use the `presented` colour, later ones `pending`, both
/// scaled by intensity over the background; the pixels of step t use `cursor`. With flips
/// on, the R-flipped pixels show in `upFlip` (dark → 1) or `downFlip` (lit → 0); with flips
/// off, the top-k R-ranked pixels are marked in `topK`. In mono only the marked pixels are
/// coloured (reverse video) and intensity becomes shades.
struct DigitPane: Widget {
    static let side = 28

    var label: Int
    /// The cursor t and T.
    var t: Int
    var steps: Int
    /// Row-major intensities in 0…1.
    var image: [Float]
    /// The 1-based step presenting each pixel.
    var stepOfPixel: [Int]
    /// The current flip result, if any.
    var flips: FlipResult?
    var isFocused = false

    func render(into grid: inout Grid, area: Rect, context: RenderContext) {
        let title = "Digit \(label)" + context.separator + "t \(t)/\(steps)"
        let inside = PaneFrame.draw(title: title, isFocused: isFocused, into: &grid, area: area, context: context)
        let scale = Self.scale(in: area)
        let side = scale * Self.side
        let colors = overrides(context)
        var values: [Double] = [], scaled: [MatrixIndex: Color] = [:]
        values.reserveCapacity(side * side)
        for row in 0..<side {
            for column in 0..<side {
                let pixel = MatrixIndex(row: row / scale, column: column / scale)
                let index = pixel.row * Self.side + pixel.column
                values.append(index < image.count ? Double(image[index]) : .nan)
                if let color = colors[pixel] { scaled[MatrixIndex(row: row, column: column)] = color }
            }
        }
        HalfBlockMatrix(rows: side, columns: side, values: values, mapping: .absolute(0...1), overrides: scaled)
            .render(into: &grid, area: matrixArea(in: area), context: context)
        if inside.width >= side + 14 {
            legend(into: &grid, area: Rect(x: inside.minX + side + 2, y: inside.minY,
                                           width: inside.width - side - 2, height: inside.height), context: context)
        }
    }

    /// Cells per pixel column (and half-cells per pixel row) when the pane is drawn in `area`:
    /// the largest whole multiple of 28×14 cells that fits inside the border, at least 1.
    static func scale(in area: Rect) -> Int {
        let inside = Block().inner(area)
        return max(1, min(inside.width / side, inside.height / (side / 2)))
    }

    /// The cells that show the matrix when the pane is drawn in `area`.
    func matrixArea(in area: Rect) -> Rect {
        let inside = Block().inner(area), scale = Self.scale(in: area)
        return Rect(x: inside.minX, y: inside.minY, width: min(inside.width, scale * Self.side),
                    height: min(inside.height, scale * Self.side / 2))
    }

    /// The step presenting the pixel under (x, y) (the upper one of a half-block cell) when
    /// the pane is drawn in `area`, or nil outside the matrix.
    func step(atX x: Int, y: Int, in area: Rect) -> Int? {
        let matrix = matrixArea(in: area), scale = Self.scale(in: area)
        guard matrix.contains(x: x, y: y) else { return nil }
        let pixel = (2 * (y - matrix.minY) / scale) * Self.side + (x - matrix.minX) / scale
        return pixel < stepOfPixel.count ? stepOfPixel[pixel] : nil
    }

    /// The colour of every pixel that carries meaning (all of them unless mono).
    func overrides(_ context: RenderContext) -> [MatrixIndex: Color] {
        let theme = context.theme
        let isMono = context.colorMode == .monochrome
        var colors: [MatrixIndex: Color] = [:]
        let background = theme[.background]
        for pixel in 0..<min(Self.side * Self.side, image.count, stepOfPixel.count) {
            let step = stepOfPixel[pixel]
            let value = Double(image[pixel])
            let index = MatrixIndex(row: pixel / Self.side, column: pixel % Self.side)
            if step == t {
                colors[index] = background.mixed(with: theme[.cursor], 0.35 + 0.65 * value)
            } else if !isMono {
                colors[index] = background.mixed(with: theme[step < t ? .presented : .pending], value)
            }
        }
        guard let flips else { return colors }
        func index(_ pixel: Int) -> MatrixIndex { MatrixIndex(row: pixel / Self.side, column: pixel % Self.side) }
        if flips.rFlippedPixels.isEmpty {
            for pixel in flips.topPixels { colors[index(pixel)] = theme[.topK] }
        } else {
            for pixel in flips.rFlippedPixels where pixel < image.count {
                colors[index(pixel)] = theme[image[pixel] < Sensitivity.darkThreshold ? .upFlip : .downFlip]
            }
        }
        return colors
    }

    private func legend(into grid: inout Grid, area: Rect, context: RenderContext) {
        let entries: [(ThemeKey, String)] = [(.presented, "presented"), (.pending, "pending"), (.cursor, "step t"),
                                             (.upFlip, "up flip"), (.downFlip, "down flip"), (.topK, "top-k")]
        for (row, entry) in entries.enumerated() where row < area.height {
            let x = grid.put(text: String(context.glyphs.full), at: (area.minX, area.minY + row), style: context.style(entry.0))
            grid.put(text: " " + entry.1, at: (x, area.minY + row), style: context.style(.dim), clip: area)
        }
    }
}
