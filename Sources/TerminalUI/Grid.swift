/// An in-memory screen: `width`×`height` cells, row-major, origin at the top-left.
///
/// Widgets draw into a grid; a backend shows it; tests read it back as text. Every write is
/// clipped to the grid (and to an optional clip rectangle), so drawing partly or wholly
/// outside is safe and simply has no effect there.
public struct Grid: Hashable, Sendable {
    public let width: Int
    public let height: Int
    private var cells: [Cell]

    /// A grid filled with `cell` (a blank in default colours unless given).
    public init(width: Int, height: Int, filledWith cell: Cell = .blank) {
        self.width = max(width, 0)
        self.height = max(height, 0)
        cells = Array(repeating: cell, count: self.width * self.height)
    }

    /// The whole grid as a rectangle.
    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// The cell at (x, y). Reading outside the grid gives a blank; writing outside is ignored.
    public subscript(x: Int, y: Int) -> Cell {
        get {
            guard bounds.contains(x: x, y: y) else { return .blank }
            return cells[y * width + x]
        }
        set {
            guard bounds.contains(x: x, y: y) else { return }
            cells[y * width + x] = newValue
        }
    }

    /// Writes `text` one character per cell from `position` to the right, on one row,
    /// clipped to the grid and to `clip` if given. Control characters (including newlines)
    /// are shown as `?`. Returns the column just after the last character written
    /// (or that would have been written), so calls can be chained.
    @discardableResult
    public mutating func put(text: String, at position: (x: Int, y: Int), style: Style = .plain,
                             clip: Rect? = nil) -> Int {
        let limit = clip.map { bounds.intersection($0) } ?? bounds
        var x = position.x
        for character in text {
            if limit.contains(x: x, y: position.y) {
                var cell = self[x, position.y]
                cell.symbol = Grid.isControl(character) ? "?" : character
                cell.apply(style)
                self[x, position.y] = cell
            }
            x += 1
        }
        return x
    }

    /// Writes one symbol with a style at (x, y) (clipped like `put(text:)`).
    public mutating func put(symbol: Character, x: Int, y: Int, style: Style) {
        guard bounds.contains(x: x, y: y) else { return }
        var cell = self[x, y]
        cell.symbol = symbol
        cell.apply(style)
        self[x, y] = cell
    }

    /// Replaces every cell of `area` (clipped to the grid) with `cell`.
    public mutating func fill(_ area: Rect, with cell: Cell) {
        let area = bounds.intersection(area)
        for y in area.minY..<area.maxY {
            for x in area.minX..<area.maxX { self[x, y] = cell }
        }
    }

    /// Applies `style` to every cell of `area` without changing symbols.
    public mutating func paint(_ area: Rect, style: Style) {
        let area = bounds.intersection(area)
        for y in area.minY..<area.maxY {
            for x in area.minX..<area.maxX { self[x, y].apply(style) }
        }
    }

    /// The symbols of one row as a string (trailing spaces kept).
    public func rowText(_ y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        return String(cells[(y * width)..<((y + 1) * width)].map(\.symbol))
    }

    private static func isControl(_ character: Character) -> Bool {
        character.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }
}
