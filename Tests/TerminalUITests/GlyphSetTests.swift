import Testing
@testable import TerminalUI

@Suite struct GlyphSetTests {
    @Test func nonUTF8LocalesGetTheASCIISet() {
        #expect(GlyphSet.isUTF8(codeset: "UTF-8"))
        #expect(GlyphSet.isUTF8(codeset: "utf8"))
        #expect(!GlyphSet.isUTF8(codeset: "ANSI_X3.4-1968"))
        #expect(!GlyphSet.isUTF8(codeset: "ISO-8859-1"))
        #expect(GlyphSet.forLocale(isUTF8: false) == .ascii)
        #expect(GlyphSet.forLocale(isUTF8: true) == .unicode)
    }

    @Test func asciiSetIsSevenBitAndEveryGlyphIsOneScalar() {
        func glyphs(_ set: GlyphSet) -> [Character] {
            [set.topLeft, set.topRight, set.bottomLeft, set.bottomRight, set.horizontal, set.vertical,
             set.upperHalf, set.full, set.progressEmpty, set.times, set.ellipsis]
                + set.lowerEighths + (set.upperEighths ?? []) + set.sparkLevels + set.shades + set.negativeShades
                + set.focusedBorder
        }
        #expect(GlyphSet.ascii.negativeShades.count == GlyphSet.ascii.shades.count)
        #expect(GlyphSet.unicode.negativeShades.count == GlyphSet.unicode.shades.count)
        #expect(GlyphSet.ascii.focusedBorder.count == 6 && GlyphSet.unicode.focusedBorder.count == 6)
        #expect(glyphs(.ascii).allSatisfy { $0.isASCII })
        #expect(glyphs(.unicode).allSatisfy { $0.unicodeScalars.count == 1 })
        #expect(GlyphSet.unicode.lowerEighths.count == 9 && GlyphSet.ascii.lowerEighths.count == 9)
        #expect(GlyphSet.ascii.upperEighths?.count == 9)
    }

    @Test func brailleBitsFollowTheDotNumbering() {
        // Dots 1,2,3,7 down the left column; 4,5,6,8 down the right.
        #expect(DotCanvas.glyph(mask: DotCanvas.bit(dx: 0, dy: 0, style: .braille), style: .braille) == "⠁")
        #expect(DotCanvas.glyph(mask: DotCanvas.bit(dx: 0, dy: 3, style: .braille), style: .braille) == "⡀")
        #expect(DotCanvas.glyph(mask: DotCanvas.bit(dx: 1, dy: 0, style: .braille), style: .braille) == "⠈")
        #expect(DotCanvas.glyph(mask: DotCanvas.bit(dx: 1, dy: 3, style: .braille), style: .braille) == "⢀")
        #expect(DotCanvas.glyph(mask: 0xFF, style: .braille) == "⣿")
        #expect(DotCanvas.glyph(mask: 3, style: .asciiPairs) == ":")
    }

    @Test func shadesCoverTheRange() {
        #expect(GlyphSet.unicode.shade(0) == " ")
        #expect(GlyphSet.unicode.shade(1) == "█")
        #expect(GlyphSet.unicode.shade(0.5) == "▒")
        #expect(GlyphSet.ascii.shade(1) == "#")
        #expect(GlyphSet.ascii.shade(.nan) == " ")
    }
}
