import Analysis
import TerminalUI

/// What a pixel of the digit shows, and how each state looks where colour cannot carry it:
/// in the mono and 8-colour modes (too few colours for intensities), and with a theme on the
/// terminal's own background (the `mono` theme), where intensities cannot be mixed over it.
extension DigitPane {
    enum PixelState: CaseIterable {
        case presented, pending, cursor, upFlip, downFlip, topK

        var themeKey: ThemeKey {
            switch self {
            case .presented: .presented
            case .pending: .pending
            case .cursor: .cursor
            case .upFlip: .upFlip
            case .downFlip: .downFlip
            case .topK: .topK
            }
        }

        var name: String {
            switch self {
            case .presented: "presented"
            case .pending: "pending"
            case .cursor: "step t"
            case .upFlip: "up flip"
            case .downFlip: "down flip"
            case .topK: "top-k"
            }
        }

        /// Which state a cell holding two pixels shows: the more specific one.
        var priority: Int {
            switch self {
            case .presented: 0
            case .pending: 1
            case .topK: 2
            case .cursor: 3
            case .downFlip: 4
            case .upFlip: 5
            }
        }

        /// The cell's look without colour: a marker glyph (nil: the intensity's shade glyph)
        /// and attributes; every state differs from every other.
        func look(_ context: RenderContext) -> (symbol: Character?, attributes: CellAttributes) {
            switch self {
            case .presented: (nil, [])
            case .pending: (nil, .dim)
            case .cursor: (nil, .reverse)
            case .upFlip: (Character(context.text("▲", ascii: "^")), .bold)
            case .downFlip: (Character(context.text("▼", ascii: "v")), .bold)
            case .topK: (Character(context.text("●", ascii: "*")), [])
            }
        }
    }

    /// Whether the digit draws states as glyphs and attributes instead of colours.
    static func usesMarks(_ context: RenderContext) -> Bool {
        context.colorMode <= .ansi8 || context.theme[.background] == .default
    }

    /// The state of pixel `pixel` (row-major).
    func state(ofPixel pixel: Int) -> PixelState {
        if let flips {
            if flips.rFlippedPixels.isEmpty {
                if flips.topPixels.contains(pixel) { return .topK }
            } else if flips.rFlippedPixels.contains(pixel), pixel < image.count {
                return image[pixel] < Sensitivity.darkThreshold ? .upFlip : .downFlip
            }
        }
        let step = pixel < stepOfPixel.count ? stepOfPixel[pixel] : Int.max
        return step == t ? .cursor : step < t ? .presented : .pending
    }

    /// Draws the matrix with shade glyphs (the mean intensity of a cell's pixels) and each
    /// cell's most specific state as its marker glyph and attributes.
    func renderMarks(into grid: inout Grid, area matrix: Rect, scale: Int, context: RenderContext) {
        let theme = context.theme
        for cellRow in 0..<matrix.height {
            for cellColumn in 0..<matrix.width {
                let column = cellColumn / scale
                let rows = Set([(2 * cellRow) / scale, (2 * cellRow + 1) / scale]).filter { $0 < Self.side }
                let pixels = rows.map { $0 * Self.side + column }.filter { $0 < image.count }
                guard !pixels.isEmpty else { continue }
                let state = pixels.map(state(ofPixel:)).max { $0.priority < $1.priority } ?? .presented
                let mean = pixels.map { Double(image[$0]) }.reduce(0, +) / Double(pixels.count)
                let look = state.look(context)
                grid[matrix.minX + cellColumn, matrix.minY + cellRow] = Cell(
                    look.symbol ?? context.glyphs.shade(mean), foreground: look.symbol == nil ? theme[.foreground] : theme[state.themeKey],
                    background: theme[.background], attributes: look.attributes)
            }
        }
    }
}
