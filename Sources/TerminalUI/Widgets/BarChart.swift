/// Vertical bars growing up (positive) or down (negative) from a zero line, with
/// eighth-of-a-cell resolution and an optional label row under the bars.
///
/// The value range is the finite values' range widened to include 0 (or `valueRange`).
/// Rows are shared between the two signs in proportion to that range, so the zero line
/// sits on a cell boundary. `+∞` / `−∞` bars fill their whole side (a side is opened,
/// mirroring the other, when only infinite values need it); NaN bars are left empty. A
/// non-zero finite value always shows at least one eighth, so it never looks like zero.
///
/// Downward bar tips need blocks filled from the top; Unicode has almost none, so they are
/// drawn as the complementary lower block in reverse video (see ``GlyphSet/upperEighths``).
/// Bars start at index `scrollOffset`; `barWidth` columns per bar, `gap` columns between.
/// With `showsScale`, a dim scale takes the left ``scaleWidth()`` columns (the upper bound
/// on the top row, the lower on the bottom row, `0` and a `┤` tick where the zero line is)
/// and the zero line is drawn in the gaps between bars (`▔` when zero is the top edge,
/// else `▁` at the bottom of the last row above zero).
public struct BarChart: Widget, Sendable {
    public struct Bar: Hashable, Sendable {
        public var value: Double
        public var label: String
        /// Nil uses `positive` / `negative` from the theme according to the sign.
        public var color: Color?

        public init(value: Double, label: String = "", color: Color? = nil) {
            self.value = value
            self.label = label
            self.color = color
        }
    }

    public var bars: [Bar]
    public var barWidth: Int
    public var gap: Int
    public var scrollOffset: Int
    public var valueRange: ClosedRange<Double>?
    /// The bar drawn in the cursor colour (and its label bold).
    public var highlightedIndex: Int?
    public var showsScale: Bool

    public init(bars: [Bar], barWidth: Int = 1, gap: Int = 1, scrollOffset: Int = 0,
                valueRange: ClosedRange<Double>? = nil, highlightedIndex: Int? = nil, showsScale: Bool = false) {
        self.showsScale = showsScale
        self.bars = bars
        self.barWidth = max(barWidth, 1)
        self.gap = max(gap, 0)
        self.scrollOffset = max(scrollOffset, 0)
        self.valueRange = valueRange
        self.highlightedIndex = highlightedIndex
    }

    /// How many bars fit in `width` columns.
    public func visibleBarCount(width: Int) -> Int {
        max(0, (width + gap) / (barWidth + gap))
    }

    /// The (upper, lower) bounds used: upper ≥ 0 ≥ lower, upper > lower.
    public func resolvedRange() -> (upper: Double, lower: Double) {
        if let valueRange { return (max(valueRange.upperBound, 0), min(valueRange.lowerBound, 0)) }
        let finite = bars.map(\.value).filter(\.isFinite)
        var upper = max(finite.max() ?? 0, 0)
        var lower = min(finite.min() ?? 0, 0)
        if bars.contains(where: { $0.value == -.infinity }) && lower == 0 { lower = upper > 0 ? -upper : -1 }
        if bars.contains(where: { $0.value == .infinity }) && upper == 0 { upper = lower < 0 ? -lower : 1 }
        if upper == 0 && lower == 0 { upper = 1 }
        return (upper, lower)
    }

    /// Columns the scale takes on the left: the widest label and the axis (0 without a scale).
    public func scaleWidth() -> Int {
        guard showsScale else { return 0 }
        let range = resolvedRange()
        return max(NumberFormat.compact(range.upper).count, NumberFormat.compact(range.lower).count, 1) + 1
    }

    public func render(into grid: inout Grid, area fullArea: Rect, context: RenderContext) {
        guard !fullArea.isEmpty else { return }
        grid.fill(fullArea, with: context.backgroundCell)
        let (scaleArea, area) = fullArea.splitLeft(min(scaleWidth(), fullArea.width))
        guard !area.isEmpty else { return }
        let hasLabels = bars.contains { !$0.label.isEmpty }
        let split = hasLabels && area.height >= 2 ? area.splitBottom(1) : (rest: area, bottom: Rect(x: 0, y: 0, width: 0, height: 0))
        let plot = split.rest
        let range = resolvedRange()
        let positiveRows = rowsAboveZero(height: plot.height, range: range)
        let negativeRows = plot.height - positiveRows
        let theme = context.theme
        if showsScale {
            drawScale(into: &grid, area: scaleArea, plot: Rect(x: scaleArea.minX, y: plot.minY, width: scaleArea.width,
                                                               height: plot.height), positiveRows: positiveRows, context: context)
        }
        for slot in 0..<visibleBarCount(width: area.width) {
            let index = scrollOffset + slot
            guard index < bars.count else { break }
            let bar = bars[index]
            let left = area.minX + slot * (barWidth + gap)
            let isHighlighted = index == highlightedIndex
            var color = bar.color ?? theme[bar.value < 0 ? .negative : .positive]
            if isHighlighted { color = theme[.cursor] }
            if bar.value > 0 {
                let eighths = scaledEighths(bar.value, limit: range.upper, rows: positiveRows)
                for row in 0..<positiveRows {
                    let fill = min(max(eighths - 8 * row, 0), 8)
                    guard fill > 0 else { break }
                    let y = plot.minY + positiveRows - 1 - row
                    for x in left..<(left + barWidth) {
                        grid.put(symbol: context.glyphs.lowerEighths[fill], x: x, y: y,
                                 style: Style(foreground: color, background: theme[.background]))
                    }
                }
            } else if bar.value < 0 {
                let eighths = scaledEighths(-bar.value, limit: -range.lower, rows: negativeRows)
                for row in 0..<negativeRows {
                    let fill = min(max(eighths - 8 * row, 0), 8)
                    guard fill > 0 else { break }
                    let y = plot.minY + positiveRows + row
                    let tip = downwardTip(fill: fill, glyphs: context.glyphs)
                    for x in left..<(left + barWidth) {
                        grid.put(symbol: tip.symbol, x: x, y: y,
                                 style: Style(foreground: color, background: theme[.background],
                                              attributes: tip.reversed ? .reverse : []))
                    }
                }
            }
            if showsScale, gap > 0, !plot.isEmpty {
                let zeroRow = positiveRows == 0 ? plot.minY : plot.minY + positiveRows - 1
                let line: Character = positiveRows == 0 ? (context.glyphs.hasHalfBlocks ? "▔" : "-")
                    : (context.glyphs.lowerEighths[1] == " " ? "_" : context.glyphs.lowerEighths[1])
                for x in (left + barWidth)..<min(left + barWidth + gap, area.maxX) where grid[x, zeroRow].symbol == " " {
                    grid.put(symbol: line, x: x, y: zeroRow, style: Style(foreground: theme[.dim], background: theme[.background]))
                }
            }
            if hasLabels, !split.bottom.isEmpty {
                let label = String(bar.label.prefix(barWidth))
                grid.put(text: label, at: (left, split.bottom.minY),
                         style: Style(foreground: theme[isHighlighted ? .cursor : .dim], background: theme[.background],
                                      attributes: isHighlighted ? .bold : []),
                         clip: area)
            }
        }
    }

    private func drawScale(into grid: inout Grid, area: Rect, plot: Rect, positiveRows: Int, context: RenderContext) {
        guard area.width >= 2, !plot.isEmpty else { return }
        let range = resolvedRange()
        let style = Style(foreground: context.theme[.dim], background: context.theme[.background])
        let axisX = area.maxX - 1, labelWidth = area.width - 1
        let zeroRow = positiveRows == 0 ? plot.minY : plot.minY + positiveRows - 1
        for y in plot.minY..<plot.maxY {
            grid.put(symbol: y == zeroRow ? (context.glyphs.vertical == "│" ? "┤" : "+") : context.glyphs.vertical, x: axisX, y: y, style: style)
        }
        func label(_ text: String, _ y: Int) {
            let padded = String(repeating: " ", count: max(0, labelWidth - text.count)) + text
            grid.put(text: padded, at: (area.minX, y), style: style, clip: area)
        }
        label(NumberFormat.compact(range.upper), plot.minY)
        if plot.height >= 2 { label(NumberFormat.compact(range.lower), plot.maxY - 1) }
        if zeroRow != plot.minY && zeroRow != plot.maxY - 1 { label("0", zeroRow) }
    }

    /// Rows above the zero line for a plot of `height` rows.
    func rowsAboveZero(height: Int, range: (upper: Double, lower: Double)) -> Int {
        guard range.upper > 0 else { return 0 }
        guard range.lower < 0 else { return height }
        guard height >= 2 else { return range.upper >= -range.lower ? height : 0 }
        let share = Double(height) * range.upper / (range.upper - range.lower)
        return min(max(Int(share.rounded()), 1), height - 1)
    }

    /// A magnitude as eighths of `rows` cells, where `limit` fills them all.
    private func scaledEighths(_ magnitude: Double, limit: Double, rows: Int) -> Int {
        let capacity = rows * 8
        guard magnitude.isFinite else { return magnitude > 0 ? capacity : 0 }
        guard limit > 0 else { return 0 }
        let eighths = Int((min(magnitude / limit, 1) * Double(capacity)).rounded())
        return max(eighths, capacity > 0 ? 1 : 0)
    }

    private func downwardTip(fill: Int, glyphs: GlyphSet) -> (symbol: Character, reversed: Bool) {
        if let upper = glyphs.upperEighths { return (upper[fill], false) }
        if fill == 8 { return (glyphs.lowerEighths[8], false) }
        return (glyphs.lowerEighths[8 - fill], true)
    }
}
