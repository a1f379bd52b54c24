/// A grid of on/off dots packed into cells, several dots per cell (Braille: 2×4, ASCII: 1×2).
/// Dot (0, 0) is the top-left; each cell remembers the colour of the last dot set in it.
struct DotCanvas {
    let columns: Int
    let rows: Int
    let style: GlyphSet.DotStyle
    private var masks: [UInt8]
    private var colors: [Color?]

    init(columns: Int, rows: Int, style: GlyphSet.DotStyle) {
        self.columns = max(columns, 0)
        self.rows = max(rows, 0)
        self.style = style
        masks = Array(repeating: 0, count: self.columns * self.rows)
        colors = Array(repeating: nil, count: self.columns * self.rows)
    }

    /// Dots per cell horizontally and vertically.
    static func dotsPerCell(_ style: GlyphSet.DotStyle) -> (x: Int, y: Int) {
        switch style {
        case .braille: (2, 4)
        case .asciiPairs: (1, 2)
        }
    }

    var dotWidth: Int { columns * Self.dotsPerCell(style).x }
    var dotHeight: Int { rows * Self.dotsPerCell(style).y }

    /// Turns on dot (x, y); dots outside the canvas are ignored.
    mutating func set(x: Int, y: Int, color: Color) {
        guard x >= 0, y >= 0, x < dotWidth, y < dotHeight else { return }
        let per = Self.dotsPerCell(style)
        let index = (y / per.y) * columns + x / per.x
        masks[index] |= Self.bit(dx: x % per.x, dy: y % per.y, style: style)
        colors[index] = color
    }

    /// Sets every dot on the straight line between two dots (Bresenham), ends included.
    mutating func line(from start: (x: Int, y: Int), to end: (x: Int, y: Int), color: Color) {
        var x = start.x, y = start.y
        let dx = abs(end.x - x), dy = -abs(end.y - y)
        let stepX = x < end.x ? 1 : -1, stepY = y < end.y ? 1 : -1
        var error = dx + dy
        while true {
            set(x: x, y: y, color: color)
            if x == end.x && y == end.y { return }
            let doubled = 2 * error
            if doubled >= dy { error += dy; x += stepX }
            if doubled <= dx { error += dx; y += stepY }
        }
    }

    /// The glyph and colour of cell (column, row), or nil if no dot in it is set.
    func cell(column: Int, row: Int) -> (symbol: Character, color: Color)? {
        let index = row * columns + column
        let mask = masks[index]
        guard mask != 0, let color = colors[index] else { return nil }
        return (Self.glyph(mask: mask, style: style), color)
    }

    /// Braille dots 1–8 are bits 0–7 of U+2800 + mask: left column top to bottom is bits
    /// 0, 1, 2, 6; right column 3, 4, 5, 7. ASCII pairs use bit 0 (upper) and 1 (lower).
    static func bit(dx: Int, dy: Int, style: GlyphSet.DotStyle) -> UInt8 {
        switch style {
        case .braille:
            let left: [UInt8] = [0, 1, 2, 6], right: [UInt8] = [3, 4, 5, 7]
            return 1 << (dx == 0 ? left[dy] : right[dy])
        case .asciiPairs:
            return 1 << UInt8(dy)
        }
    }

    static func glyph(mask: UInt8, style: GlyphSet.DotStyle) -> Character {
        switch style {
        case .braille:
            return Character(Unicode.Scalar(0x2800 + UInt32(mask))!)
        case .asciiPairs:
            return [" ", "'", ".", ":"][Int(mask & 3)]
        }
    }
}
