/// Everything a widget needs besides its own data: colours, glyphs and the colour mode.
///
/// The colour mode matters to widgets only where colour carries the meaning (heatmaps,
/// legends): in ``ColorMode/monochrome`` they switch to shade glyphs. Everything else
/// stores full colours in the grid and leaves reduction to the output.
public struct RenderContext: Hashable, Sendable {
    public var theme: Theme
    public var glyphs: GlyphSet
    public var colorMode: ColorMode

    public init(theme: Theme = .default, glyphs: GlyphSet = .unicode, colorMode: ColorMode = .trueColor) {
        self.theme = theme
        self.glyphs = glyphs
        self.colorMode = colorMode
    }

    /// The theme background as a blank cell.
    public var backgroundCell: Cell {
        Cell(" ", foreground: theme[.foreground], background: theme[.background])
    }
}

/// Something that draws itself into a rectangle of a grid, touching nothing outside it.
public protocol Widget {
    func render(into grid: inout Grid, area: Rect, context: RenderContext)
}
