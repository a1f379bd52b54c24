/// A bordered box with an optional title in the top border: `┌ Title ───┐`.
///
/// The inside is filled with the theme background; draw the content into ``inner(_:)``.
public struct Block: Widget, Sendable {
    public var title: String?
    /// A focused block draws its border heavy (``GlyphSet/focusedBorder``) in the accent colour.
    public var isFocused: Bool
    /// Whether focus also shows as a heavy border (panes); an overlay that is always on top
    /// keeps the light one.
    public var heavyWhenFocused: Bool

    public init(title: String? = nil, isFocused: Bool = false, heavyWhenFocused: Bool = true) {
        self.title = title
        self.isFocused = isFocused
        self.heavyWhenFocused = heavyWhenFocused
    }

    /// The area inside the border.
    public func inner(_ area: Rect) -> Rect { area.inset(by: 1) }

    public func render(into grid: inout Grid, area: Rect, context: RenderContext) {
        guard area.width >= 2, area.height >= 2 else { return }
        let glyphs = context.glyphs
        let theme = context.theme
        grid.fill(area, with: context.backgroundCell)
        let border = Style(foreground: theme[isFocused ? .accent : .border], background: theme[.background])
        let top = area.minY, bottom = area.maxY - 1, left = area.minX, right = area.maxX - 1
        // The focused border is heavy as well as accent-coloured: focus shows in mono too.
        let lines = isFocused && heavyWhenFocused ? glyphs.focusedBorder
            : [glyphs.topLeft, glyphs.topRight, glyphs.bottomLeft, glyphs.bottomRight, glyphs.horizontal, glyphs.vertical]
        for x in (left + 1)..<right {
            grid.put(symbol: lines[4], x: x, y: top, style: border)
            grid.put(symbol: lines[4], x: x, y: bottom, style: border)
        }
        for y in (top + 1)..<bottom {
            grid.put(symbol: lines[5], x: left, y: y, style: border)
            grid.put(symbol: lines[5], x: right, y: y, style: border)
        }
        grid.put(symbol: lines[0], x: left, y: top, style: border)
        grid.put(symbol: lines[1], x: right, y: top, style: border)
        grid.put(symbol: lines[2], x: left, y: bottom, style: border)
        grid.put(symbol: lines[3], x: right, y: bottom, style: border)
        if let title, !title.isEmpty, area.width >= 5 {
            let text = " " + NumberFormat.truncate(title, to: area.width - 4, ellipsis: glyphs.ellipsis) + " "
            grid.put(text: text, at: (left + 1, top),
                     style: Style(foreground: theme[.title], background: theme[.background], attributes: .bold))
        }
    }
}
