/// Shown instead of the panes when the terminal is smaller than needed:
///
///     terminal too small: need 100×30
///             have 80×24
///
/// both lines centred in the area (the second only if there is room).
public struct TooSmallScreen: Widget, Sendable {
    public var requiredWidth: Int
    public var requiredHeight: Int

    public init(requiredWidth: Int, requiredHeight: Int) {
        self.requiredWidth = requiredWidth
        self.requiredHeight = requiredHeight
    }

    public func render(into grid: inout Grid, area: Rect, context: RenderContext) {
        guard !area.isEmpty else { return }
        let times = String(context.glyphs.times)
        grid.fill(area, with: context.backgroundCell)
        let lines = ["terminal too small: need \(requiredWidth)\(times)\(requiredHeight)",
                     "have \(area.width)\(times)\(area.height)"].prefix(area.height >= 3 ? 2 : 1)
        let top = area.minY + (area.height - lines.count) / 2
        for (offset, line) in lines.enumerated() {
            let x = area.minX + max(0, (area.width - line.count) / 2)
            grid.put(text: line, at: (x, top + offset),
                     style: Style(foreground: context.theme[offset == 0 ? .warning : .dim]), clip: area)
        }
    }
}
