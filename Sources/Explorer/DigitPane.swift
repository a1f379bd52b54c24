import TerminalUI

/// The 28×28 input in half blocks: 28×14 cells, or s·28 × s·14 with each pixel an s×s block
/// when the pane has room for a whole multiple (``scale(in:)``).
///
/// Pixels of steps 1…t (presented) use the `presented` colour, later ones `pending`, both
/// scaled by intensity over the background; the pixels of step t use `cursor`. With flips
/// on, the R-flipped pixels show in `upFlip` (dark → 1) or `downFlip` (lit → 0); with flips
/// off, the top-k R-ranked pixels are marked in `topK`. In mono, and with a theme on the
/// terminal's own background, intensity becomes shade glyphs and the states marker glyphs
/// and attributes (see ``PixelState/look(_:)``).
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
        let legendArea = Rect(x: inside.minX + side + 2, y: inside.minY, width: inside.width - side - 2, height: inside.height)
        if Self.usesMarks(context) {
            renderMarks(into: &grid, area: matrixArea(in: area), scale: scale, context: context)
            if inside.width >= side + 14 { legend(into: &grid, area: legendArea, context: context) }
            return
        }
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
        if inside.width >= side + 14 { legend(into: &grid, area: legendArea, context: context) }
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

    /// The colour of every pixel: its state's colour, mixed over the background by
    /// intensity for presented and pending pixels (at least 60 % for the pixels of step t, so they stand out).
    func overrides(_ context: RenderContext) -> [MatrixIndex: Color] {
        let theme = context.theme
        var colors: [MatrixIndex: Color] = [:]
        let background = theme[.background]
        for pixel in 0..<min(Self.side * Self.side, image.count, stepOfPixel.count) {
            let value = Double(image[pixel])
            let index = MatrixIndex(row: pixel / Self.side, column: pixel % Self.side)
            let state = state(ofPixel: pixel)
            switch state {
            case .presented, .pending: colors[index] = background.mixed(with: theme[state.themeKey], value)
            case .cursor: colors[index] = background.mixed(with: theme[.cursor], 0.6 + 0.4 * value)
            case .upFlip, .downFlip, .topK: colors[index] = theme[state.themeKey]
            }
        }
        return colors
    }

    private func legend(into grid: inout Grid, area: Rect, context: RenderContext) {
        let marks = Self.usesMarks(context)
        for (row, state) in PixelState.allCases.enumerated() where row < area.height {
            let look = state.look(context)
            let symbol = marks ? look.symbol ?? context.glyphs.shade(0.6) : context.glyphs.full
            var style = context.style(state.themeKey, marks ? look.attributes : [])
            if marks && look.symbol == nil { style.foreground = context.theme[.foreground] }
            var swatch = String(symbol)
            if !marks && state == .cursor && context.glyphs.hasHalfBlocks {
                // The pixels of step t range from a dark one's colour (60 % cursor) to a lit one's:
                // the swatch shows both halves, so it matches the pixel on the digit (issue 29).
                swatch = String(context.glyphs.upperHalf)
                style.foreground = context.theme[.background].mixed(with: context.theme[.cursor], 0.6)
                style.background = context.theme[.cursor]
            }
            let x = grid.put(text: swatch, at: (area.minX, area.minY + row), style: style)
            grid.put(text: " " + state.name, at: (x, area.minY + row), style: context.style(.dim), clip: area)
        }
    }
}
