/// One row: `label ██████░░░░  60%`. The fraction is clamped to 0…1 (NaN counts as 0);
/// filled cells are rounded to the nearest whole cell.
public struct ProgressBar: Widget, Sendable {
    public var fraction: Double
    public var label: String

    public init(fraction: Double, label: String = "") {
        self.fraction = fraction
        self.label = label
    }

    public func render(into grid: inout Grid, area: Rect, context: RenderContext) {
        guard !area.isEmpty else { return }
        let theme = context.theme
        let clamped = fraction.isNaN ? 0 : min(max(fraction, 0), 1)
        let percent = String(Int((clamped * 100).rounded()))
        let percentText = String(repeating: " ", count: max(0, 3 - percent.count)) + percent + "%"
        let row = area.minY
        let background = theme[.background]
        var x = area.minX
        if !label.isEmpty {
            x = grid.put(text: label + " ", at: (x, row),
                         style: Style(foreground: theme[.foreground], background: background), clip: area)
        }
        let barWidth = area.maxX - x - percentText.count - 1
        if barWidth > 0 {
            let filled = Int((clamped * Double(barWidth)).rounded())
            for i in 0..<barWidth {
                let isFilled = i < filled
                grid.put(symbol: isFilled ? context.glyphs.full : context.glyphs.progressEmpty, x: x + i, y: row,
                         style: Style(foreground: theme[isFilled ? .accent : .dim], background: background))
            }
            x += barWidth + 1
        }
        grid.put(text: percentText, at: (x, row),
                 style: Style(foreground: theme[.foreground], background: background), clip: area)
    }
}
