/// A row and column of a matrix element.
public struct MatrixIndex: Hashable, Sendable {
    public var row: Int
    public var column: Int
    public init(row: Int, column: Int) {
        self.row = row
        self.column = column
    }
}

/// A heatmap with two matrix rows per terminal cell: each cell is `▀` with the upper
/// element's colour as foreground and the lower one's as background, so a 28×28 image
/// takes 28×14 cells. An odd last row gets the theme background below it.
///
/// Values map to colours through `mapping` and the theme scale; `overrides` replaces the
/// colour of single elements (e.g. flipped pixels). With 8 colours too few shades survive,
/// so there, as in mono, each cell shows a shade glyph, coloured by the scale end it leans to
/// (``ScaleMapping/endColor(atPosition:theme:)``). In mono mode each cell shows a shade
/// glyph for the mean shade level of its two elements (NaN ignored) — on a signed scale the
/// glyph of its larger-magnitude element from ``GlyphSet/signedShade(_:)``, so the sign
/// shows (░▒▓█ above zero, -=≡■ below) — and cells holding an
/// overridden element are drawn in reverse video. An element in `.default` (the terminal's
/// own background) never becomes a `▀` foreground: the cell shows `▄` or a blank instead.
/// With a glyph set without half blocks
/// (ASCII), each cell is a space whose background blends the two colours.
/// Only the part that fits the area is drawn, from the top-left.
public struct HalfBlockMatrix: Widget, Sendable {
    public var rows: Int
    public var columns: Int
    /// Row-major: element (r, c) is `values[r * columns + c]`.
    public var values: [Double]
    public var mapping: ScaleMapping
    public var overrides: [MatrixIndex: Color]

    public init(rows: Int, columns: Int, values: [Double], mapping: ScaleMapping,
                overrides: [MatrixIndex: Color] = [:]) {
        precondition(values.count == rows * columns, "values must hold rows × columns elements")
        self.rows = rows
        self.columns = columns
        self.values = values
        self.mapping = mapping
        self.overrides = overrides
    }

    /// The cells needed to show the whole matrix.
    public var cellSize: (width: Int, height: Int) { (columns, (rows + 1) / 2) }

    /// The colour of element (row, column): its override or its scale colour.
    public func color(row: Int, column: Int, theme: Theme) -> Color {
        if let override = overrides[MatrixIndex(row: row, column: column)] { return override }
        return mapping.color(of: values[row * columns + column], theme: theme)
    }

    public func render(into grid: inout Grid, area: Rect, context: RenderContext) {
        let theme = context.theme
        let shown = Rect(x: area.minX, y: area.minY, width: min(area.width, cellSize.width),
                         height: min(area.height, cellSize.height))
        guard !shown.isEmpty else { return }
        for cellRow in 0..<shown.height {
            let upperRow = 2 * cellRow, lowerRow = 2 * cellRow + 1
            let hasLower = lowerRow < rows
            for column in 0..<shown.width {
                let x = shown.minX + column, y = shown.minY + cellRow
                if context.colorMode <= .ansi8 {
                    var levels = [mapping.shadeLevel(of: values[upperRow * columns + column])]
                    if hasLower { levels.append(mapping.shadeLevel(of: values[lowerRow * columns + column])) }
                    let finite = levels.filter { !$0.isNaN }
                    let mean = finite.isEmpty ? Double.nan : finite.reduce(0, +) / Double(finite.count)
                    let marked = overrides[MatrixIndex(row: upperRow, column: column)] != nil
                        || (hasLower && overrides[MatrixIndex(row: lowerRow, column: column)] != nil)
                    var positions = [mapping.position(of: values[upperRow * columns + column])]
                    if hasLower { positions.append(mapping.position(of: values[lowerRow * columns + column])) }
                    let shown = positions.filter { !$0.isNaN }
                    let position = shown.isEmpty ? Double.nan : shown.reduce(0, +) / Double(shown.count)
                    let foreground = context.colorMode == .ansi8 ? mapping.endColor(atPosition: position, theme: theme)
                        : theme[.foreground]
                    var symbol = context.glyphs.shade(mean)
                    if context.colorMode == .monochrome, case .signed = mapping {
                        // Without colour the sign is the glyph: the element of the larger magnitude.
                        var units = [mapping.signedUnit(of: values[upperRow * columns + column]) ?? .nan]
                        if hasLower { units.append(mapping.signedUnit(of: values[lowerRow * columns + column]) ?? .nan) }
                        let strongest = units.filter { !$0.isNaN }.max { abs($0) < abs($1) } ?? .nan
                        symbol = context.glyphs.signedShade(strongest)
                    }
                    grid[x, y] = Cell(symbol, foreground: foreground,
                                      background: theme[.background], attributes: marked ? .reverse : [])
                    continue
                }
                let upper = color(row: upperRow, column: column, theme: theme)
                let lower = hasLower ? color(row: lowerRow, column: column, theme: theme) : theme[.background]
                if context.glyphs.hasHalfBlocks && upper == .default {
                    // `.default` as a foreground is the terminal's text colour, not its
                    // background: draw the lower half instead (or nothing).
                    grid[x, y] = lower == .default ? Cell(" ") : Cell(context.glyphs.lowerEighths[4], foreground: lower)
                } else if context.glyphs.hasHalfBlocks {
                    grid[x, y] = Cell(context.glyphs.upperHalf, foreground: upper, background: lower)
                } else {
                    grid[x, y] = Cell(" ", foreground: theme[.foreground],
                                      background: hasLower ? upper.mixed(with: lower, 0.5) : upper)
                }
            }
        }
    }
}
