/// One row of level glyphs (`▁▂▃▄▅▆▇█`), one value per cell.
///
/// Colours: values up to the cursor use `presented`, values after it `pending` (all
/// `presented` without a cursor); an index in `marks` uses its mark colour; the cursor cell
/// uses `cursor` in bold and wins over a mark. NaN is blank, −∞ the lowest level, +∞ the
/// highest. When there are more values than columns, a window that keeps the cursor in
/// view is shown (see ``firstVisibleIndex(count:width:cursor:)``).
public struct Sparkline: Widget, Sendable {
    public var values: [Double]
    public var cursor: Int?
    public var marks: [Int: Color]
    /// Nil uses the finite values' range.
    public var range: ClosedRange<Double>?

    public init(values: [Double], cursor: Int? = nil, marks: [Int: Color] = [:], range: ClosedRange<Double>? = nil) {
        self.values = values
        self.cursor = cursor
        self.marks = marks
        self.range = range
    }

    /// The first index shown when `count` values share `width` columns: 0 if all fit,
    /// otherwise a window with the cursor near its middle, clamped to the ends.
    public static func firstVisibleIndex(count: Int, width: Int, cursor: Int?) -> Int {
        guard count > width, width > 0 else { return 0 }
        let centred = (cursor ?? 0) - width / 2
        return min(max(centred, 0), count - width)
    }

    /// The level 0…levels−1 of a value, or nil for NaN.
    public static func level(of value: Double, in range: ClosedRange<Double>, levels: Int) -> Int? {
        if value.isNaN { return nil }
        if value == .infinity { return levels - 1 }
        if value == -.infinity { return 0 }
        let span = range.upperBound - range.lowerBound
        guard span > 0 else { return (levels - 1) / 2 }
        let t = min(max((value - range.lowerBound) / span, 0), 1)
        return Int((t * Double(levels - 1)).rounded())
    }

    public func render(into grid: inout Grid, area: Rect, context: RenderContext) {
        guard !area.isEmpty else { return }
        let theme = context.theme
        let finite = values.filter(\.isFinite)
        let resolved = range ?? ((finite.min() ?? 0)...(finite.max() ?? 0))
        let levels = context.glyphs.sparkLevels
        let first = Sparkline.firstVisibleIndex(count: values.count, width: area.width, cursor: cursor)
        let y = area.minY
        for column in 0..<area.width {
            let x = area.minX + column
            let index = first + column
            guard index < values.count else {
                grid[x, y] = context.backgroundCell
                continue
            }
            let symbol = Sparkline.level(of: values[index], in: resolved, levels: levels.count).map { levels[$0] } ?? " "
            var style = Style(foreground: theme[cursor.map { index > $0 } ?? false ? .pending : .presented],
                              background: theme[.background])
            if let mark = marks[index] { style.foreground = mark }
            if index == cursor {
                style.foreground = theme[.cursor]
                style.attributes = .bold
            }
            grid.put(symbol: symbol, x: x, y: y, style: style)
        }
    }
}
