/// How to draw text into cells. A nil colour leaves the cell's existing colour in place,
/// so text can be written over an already painted background; attributes always replace.
public struct Style: Hashable, Sendable {
    public var foreground: Color?
    public var background: Color?
    public var attributes: CellAttributes

    public init(foreground: Color? = nil, background: Color? = nil, attributes: CellAttributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    /// Leaves colours untouched and clears attributes.
    public static let plain = Style()
}
