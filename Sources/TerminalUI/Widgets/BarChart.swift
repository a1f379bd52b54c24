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

    public init(bars: [Bar], barWidth: Int = 1, gap: Int = 1, scrollOffset: Int = 0,
                valueRange: ClosedRange<Double>? = nil, highlightedIndex: Int? = nil) {
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

    public func render(into grid: inout Grid, area: Rect, context: RenderContext) {
        guard !area.isEmpty else { return }
        grid.fill(area, with: context.backgroundCell)
        let hasLabels = bars.contains { !$0.label.isEmpty }
        let split = hasLabels && area.height >= 2 ? area.splitBottom(1) : (rest: area, bottom: Rect(x: 0, y: 0, width: 0, height: 0))
        let plot = split.rest
        let range = resolvedRange()
        let positiveRows = rowsAboveZero(height: plot.height, range: range)
        let negativeRows = plot.height - positiveRows
        let theme = context.theme
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
            if hasLabels, !split.bottom.isEmpty {
                let label = String(bar.label.prefix(barWidth))
                grid.put(text: label, at: (left, split.bottom.minY),
                         style: Style(foreground: theme[isHighlighted ? .cursor : .dim], background: theme[.background],
                                      attributes: isHighlighted ? .bold : []),
                         clip: area)
            }
        }
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
