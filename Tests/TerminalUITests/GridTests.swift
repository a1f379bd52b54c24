import Testing
@testable import TerminalUI

@Suite struct GridTests {
    @Test func putClipsToTheGridAndToTheClipRectangle() {
        var grid = Grid(width: 5, height: 3)
        let end = grid.put(text: "hello world", at: (2, 0))
        grid.put(text: "abcdef", at: (-2, 1))
        grid.put(text: "xyz", at: (0, 2), clip: Rect(x: 1, y: 0, width: 2, height: 3))
        grid.put(text: "never", at: (0, 7))
        #expect(end == 13)
        #expect(grid.plainText() == """
              hel
            cdef
             yz
            """)
    }

    @Test func controlCharactersAreShownAsQuestionMarks() {
        var grid = Grid(width: 4, height: 1)
        grid.put(text: "a\nb\t", at: (0, 0))
        #expect(grid.plainText() == "a?b?")
    }

    @Test func styleKeepsColoursItDoesNotSet() {
        var grid = Grid(width: 2, height: 1, filledWith: Cell(" ", background: .rgb(1, 2, 3)))
        grid.put(text: "x", at: (0, 0), style: Style(foreground: .rgb(9, 9, 9), attributes: .bold))
        #expect(grid[0, 0] == Cell("x", foreground: .rgb(9, 9, 9), background: .rgb(1, 2, 3), attributes: .bold))
        #expect(grid[1, 0].background == .rgb(1, 2, 3))
    }

    @Test func fillCoversOnlyTheClippedArea() {
        var grid = Grid(width: 4, height: 3)
        grid.fill(Rect(x: 2, y: 1, width: 9, height: 9), with: Cell("#"))
        #expect(grid.plainText() == "\n  ##\n  ##")
        #expect(grid.plainText(trimTrailingSpaces: false) == "    \n  ##\n  ##")
    }

    @Test func readingOutsideGivesBlankAndWritingOutsideIsIgnored() {
        var grid = Grid(width: 2, height: 2)
        grid[5, 5] = Cell("x")
        #expect(grid[-1, 0] == .blank)
        #expect(grid.plainText() == "\n")
    }

    @Test func diffListsOnlyChangedCellsAndEverythingOnResize() {
        var before = Grid(width: 3, height: 2)
        before.put(text: "abc", at: (0, 0))
        var after = before
        #expect(after.diff(from: before).isEmpty)
        after.put(text: "Z", at: (1, 1))
        after[0, 0].foreground = .rgb(1, 1, 1)
        #expect(after.diff(from: before) == [
            CellChange(x: 0, y: 0, cell: Cell("a", foreground: .rgb(1, 1, 1))),
            CellChange(x: 1, y: 1, cell: Cell("Z")),
        ])
        #expect(after.diff(from: nil).count == 6)
        #expect(after.diff(from: Grid(width: 3, height: 3)).count == 6)
    }

    @Test func ansiTextEmitsSGRForEachColourMode() {
        var grid = Grid(width: 3, height: 1)
        grid.put(text: "abc", at: (0, 0))
        grid[0, 0].foreground = .rgb(255, 0, 0)
        let esc = "\u{1B}["
        #expect(grid.ansiText(colorMode: .trueColor) == "\(esc)0;38;2;255;0;0ma\(esc)0mbc\(esc)0m")
        #expect(grid.ansiText(colorMode: .palette256) == "\(esc)0;38;5;196ma\(esc)0mbc\(esc)0m")
        #expect(grid.ansiText(colorMode: .ansi8) == "\(esc)0;31ma\(esc)0mbc\(esc)0m")
        #expect(grid.ansiText(colorMode: .monochrome) == "\(esc)0mabc\(esc)0m")
        grid[2, 0].attributes = [.bold, .reverse]
        grid[2, 0].background = .rgb(0, 0, 0)
        #expect(grid.ansiText(colorMode: .monochrome) == "\(esc)0mab\(esc)0;1;7mc\(esc)0m")
        #expect(grid.ansiText(colorMode: .palette256).hasSuffix("b\(esc)0;1;7;48;5;16mc\(esc)0m"))
    }

    @Test func rectSplitsAndCentres() {
        let area = Rect(x: 2, y: 1, width: 10, height: 6)
        #expect(area.splitTop(2).top == Rect(x: 2, y: 1, width: 10, height: 2))
        #expect(area.splitTop(2).rest == Rect(x: 2, y: 3, width: 10, height: 4))
        #expect(area.splitBottom(1).bottom == Rect(x: 2, y: 6, width: 10, height: 1))
        #expect(area.splitLeft(20).rest.isEmpty)
        #expect(area.centered(width: 4, height: 2) == Rect(x: 5, y: 3, width: 4, height: 2))
        #expect(area.inset(by: 1) == Rect(x: 3, y: 2, width: 8, height: 4))
        #expect(area.intersection(Rect(x: 0, y: 0, width: 3, height: 3)) == Rect(x: 2, y: 1, width: 1, height: 2))
    }
}
