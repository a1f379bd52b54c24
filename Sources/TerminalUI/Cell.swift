/// One terminal cell: a single-column grapheme with its colours and attributes.
///
/// Only single-width glyphs are drawn (ASCII, box drawing, blocks, Braille), so one cell is
/// exactly one column; wide characters are not supported.
public struct Cell: Hashable, Sendable {
    public var symbol: Character
    public var foreground: Color
    public var background: Color
    public var attributes: CellAttributes

    public init(_ symbol: Character = " ", foreground: Color = .default,
                background: Color = .default, attributes: CellAttributes = []) {
        self.symbol = symbol
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    /// A space in the terminal's default colours.
    public static let blank = Cell()

    /// Applies a style: non-nil colours replace the cell's, attributes are replaced.
    public mutating func apply(_ style: Style) {
        if let foreground = style.foreground { self.foreground = foreground }
        if let background = style.background { self.background = background }
        attributes = style.attributes
    }
}
