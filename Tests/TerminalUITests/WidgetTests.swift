import Testing
@testable import TerminalUI

@Suite struct BlockAndTextWidgetTests {
    @Test func blockDrawsBorderAndTitle() {
        let grid = rendered(Block(title: "Pane"), width: 10, height: 4)
        #expect(grid.plainText() == """
            ┌ Pane ──┐
            │        │
            │        │
            └────────┘
            """)
        #expect(grid[0, 0].foreground == Theme.default[.border])
        #expect(grid[2, 0].attributes == .bold)
        #expect(grid[4, 2].background == Theme.default[.background])
        #expect(Block().inner(grid.bounds) == Rect(x: 1, y: 1, width: 8, height: 2))
    }

    @Test func blockWithASCIIGlyphsAndALongTitle() {
        let context = RenderContext(glyphs: .ascii)
        let grid = rendered(Block(title: "A long title", isFocused: true), width: 10, height: 3, context: context)
        // Focused: the heavy border (issue 29, item 4), so focus shows without colour.
        #expect(grid.plainText() == """
            # A lon~ #
            #        #
            #========#
            """)
        #expect(grid[0, 1].foreground == Theme.default[.accent])
    }

    @Test func progressBarShowsLabelBarAndPercent() {
        #expect(rendered(ProgressBar(fraction: 0.5, label: "load"), width: 20, height: 1).plainText()
            == "load █████░░░░░  50%")
        #expect(rendered(ProgressBar(fraction: 1.7), width: 10, height: 1).plainText() == "█████ 100%")
        #expect(rendered(ProgressBar(fraction: .nan), width: 10, height: 1, context: RenderContext(glyphs: .ascii))
            .plainText() == ".....   0%")
    }

    @Test func keyValueListPadsKeysAndDropsRowsThatDoNotFit() {
        let list = KeyValueList(entries: [.init("epoch", "3"), .init("loss", "0.412", valueColor: .negative),
                                          .init("lr", "1e-3")])
        let grid = rendered(list, width: 12, height: 2)
        #expect(grid.plainText() == """
            epoch  3
            loss   0.412
            """)
        #expect(grid[7, 1].foreground == Theme.default[.negative])
        #expect(grid[0, 1].foreground == Theme.default[.dim])
        #expect(rendered(list, width: 10, height: 2).rowText(1) == "loss   0.…")
    }

    @Test func tableAlignsTruncatesAndReversesTheSelectedRow() {
        let table = Table(columns: [.init("k", width: 2, alignment: .right), .init("λ", width: 6)],
                          rows: [["1", "0.25"], ["2", "-0.123456"], ["3", "-inf"]], selectedRow: 1)
        let grid = rendered(table, width: 10, height: 3)
        #expect(grid.plainText() == """
             k λ
             1 0.25
             2 -0.12…
            """)
        #expect(grid[0, 2].attributes == .reverse)
        #expect(grid[0, 1].attributes == [])
        #expect(rendered(Table(columns: table.columns, rows: table.rows, scrollOffset: 2), width: 10, height: 3)
            .plainText() == " k λ\n 3 -inf\n")
    }

    @Test func tooSmallScreenCentresTheMessage() {
        let grid = rendered(TooSmallScreen(requiredWidth: 100, requiredHeight: 30), width: 40, height: 5)
        #expect(grid.plainText() == """

                terminal too small: need 100×30
                           have 40×5


            """)
        #expect(grid[4, 1].foreground == Theme.default[.warning])
        let ascii = rendered(TooSmallScreen(requiredWidth: 80, requiredHeight: 24), width: 30, height: 1,
                             context: RenderContext(glyphs: .ascii))
        #expect(ascii.plainText() == "terminal too small: need 80x24")
    }
}

@Suite struct LineChartTests {
    @Test func brailleLineWithAxes() {
        let chart = LineChart(series: [.init(name: "λ", values: [0, 1, 2, 3])])
        let grid = rendered(chart, width: 8, height: 3)
        #expect(grid.plainText() == """
            3│   ⡠⠒⠉
            0│⡠⠔⠊
              0    3
            """)
        #expect(grid[2, 1].foreground == Theme.default[.series1])
        #expect(grid[0, 0].foreground == Theme.default[.dim])
    }

    @Test func cursorFillsEmptyCellsOfItsColumn() {
        let chart = LineChart(series: [.init(name: "λ", values: [0, 1, 2, 3])], cursorX: 1)
        let grid = rendered(chart, width: 8, height: 3)
        #expect(grid.plainText() == """
            3│  │⡠⠒⠉
            0│⡠⠔⠊
              0    3
            """)
        #expect(grid[4, 0].foreground == Theme.default[.cursor])
        #expect(grid[4, 1].foreground == Theme.default[.series1])
    }

    @Test func nonFinitePointsAreSkippedAndBreakTheLine() {
        for bad in [Double.nan, .infinity, -.infinity] {
            let chart = LineChart(series: [.init(name: "λ", values: [0, bad, 2, 3])])
            #expect(chart.resolvedRanges().y == 0...3)
            #expect(rendered(chart, width: 8, height: 3).plainText() == """
                3│   ⠠⠒⠉
                0│⡀
                  0    3
                """)
        }
    }

    @Test func constantSeriesGetsAPaddedRangeAndAFlatLine() {
        let range = LineChart(series: [.init(name: "c", values: [2, 2, 2])]).resolvedRanges().y
        #expect(abs(range.lowerBound - 1.8) < 1e-12 && abs(range.upperBound - 2.2) < 1e-12)
        // Zero pads to −1…1, so the line sits exactly half way: dot row 5.5 of 0…11 rounds to 6.
        let zeros = LineChart(series: [.init(name: "z", values: [0, 0, 0])], showsAxes: false)
        #expect(zeros.resolvedRanges().y == -1...1)
        #expect(rendered(zeros, width: 6, height: 3).plainText() == "\n⠤⠤⠤⠤⠤⠤\n")
        #expect(LineChart(series: []).resolvedRanges().y == 0...1)
    }

    @Test func asciiFallbackUsesQuotesDotsAndColons() {
        let chart = LineChart(series: [.init(name: "λ", values: [0, 1, 2, 3])], showsAxes: false)
        #expect(rendered(chart, width: 6, height: 2, context: RenderContext(glyphs: .ascii)).plainText() == """
               .''
            .''
            """)
    }

    @Test func laterSeriesColourWinsWhereSeriesShareACell() {
        let chart = LineChart(series: [.init(name: "a", values: [1, 1]), .init(name: "b", values: [1, 1])],
                              yRange: 0...2, showsAxes: false)
        let grid = rendered(chart, width: 2, height: 1)
        #expect(grid[0, 0].foreground == Theme.default[.series2])
    }

    @Test func hugeValuesDoNotOverflow() {
        let chart = LineChart(series: [.init(name: "h", values: [0, 1e300, 1])], yRange: 0...1, showsAxes: false)
        let grid = rendered(chart, width: 4, height: 2)
        #expect(grid.rowText(0).contains { $0 != " " })
    }
}

@Suite struct BarChartTests {
    @Test func signedBarsAroundTheZeroLineWithLabels() {
        let chart = BarChart(bars: [.init(value: 3, label: "a"), .init(value: -1.5, label: "b"),
                                    .init(value: 0, label: "c"), .init(value: 1, label: "d")])
        let grid = rendered(chart, width: 8, height: 5)
        #expect(grid.plainText() == """
            █
            █
            █     █
              █
            a b c d
            """)
        #expect(grid[0, 0].foreground == Theme.default[.positive])
        #expect(grid[2, 3].foreground == Theme.default[.negative])
    }

    @Test func eighthBlockTipsUpAndReversedDown() {
        let chart = BarChart(bars: [.init(value: 2), .init(value: -0.25), .init(value: 1.5), .init(value: -0.5)])
        let grid = rendered(chart, width: 7, height: 4)
        #expect(grid.plainText() == """
            █   ▂
            █   █
            █   █
              ▄   █
            """)
        // The downward tip is the top half: a lower half block in reverse video.
        #expect(grid[2, 3].attributes == .reverse)
        #expect(grid[2, 3].foreground == Theme.default[.negative])
        #expect(grid[2, 3].background == Theme.default[.background])
        #expect(grid[6, 3].attributes == [])
        let ascii = rendered(chart, width: 7, height: 4, context: RenderContext(glyphs: .ascii))
        #expect(ascii.plainText() == """
            #   _
            #   #
            #   #
              =   #
            """)
        #expect(ascii[2, 3].attributes == [])
    }

    @Test func minusInfinityFillsTheNegativeSide() {
        let chart = BarChart(bars: [.init(value: 1), .init(value: -.infinity), .init(value: .nan)])
        #expect(chart.resolvedRange() == (upper: 1, lower: -1))
        #expect(rendered(chart, width: 6, height: 4).plainText() == """
            █
            █
              █
              █
            """)
        #expect(BarChart(bars: [.init(value: -.infinity)]).resolvedRange() == (upper: 0, lower: -1))
    }

    @Test func tinyValuesStillShowOneEighth() {
        let chart = BarChart(bars: [.init(value: 100), .init(value: 0.001)])
        #expect(rendered(chart, width: 3, height: 2).rowText(1) == "█ ▁")
    }

    @Test func scrollOffsetAndHighlight() {
        let bars = (1...6).map { BarChart.Bar(value: Double($0), label: String($0)) }
        let chart = BarChart(bars: bars, scrollOffset: 2, valueRange: 0...6, highlightedIndex: 3)
        #expect(chart.visibleBarCount(width: 5) == 3)
        let grid = rendered(chart, width: 5, height: 4)
        #expect(grid.plainText() == """
                ▄
            ▄ █ █
            █ █ █
            3 4 5
            """)
        #expect(grid[2, 2].foreground == Theme.default[.cursor])
        #expect(grid[2, 3].attributes == .bold)
        #expect(grid[0, 2].foreground == Theme.default[.positive])
    }
}

@Suite struct SparklineTests {
    @Test func levelsCursorAndMarks() {
        let up = Theme.default[.upFlip]
        let line = Sparkline(values: [0, 1, 2, 3, 4, 5, 6, 7], cursor: 3, marks: [5: up, 3: up])
        let grid = rendered(line, width: 8, height: 1)
        #expect(grid.plainText() == "▁▂▃▄▅▆▇█")
        #expect(grid[0, 0].foreground == Theme.default[.presented])
        #expect(grid[3, 0].foreground == Theme.default[.cursor])
        #expect(grid[3, 0].attributes == .bold)
        #expect(grid[4, 0].foreground == Theme.default[.pending])
        #expect(grid[5, 0].foreground == up)
        #expect(grid[6, 0].foreground == Theme.default[.pending])
    }

    @Test func nonFiniteValues() {
        let grid = rendered(Sparkline(values: [.nan, 1, -.infinity, .infinity]), width: 4, height: 1)
        #expect(grid.plainText() == " ▄▁█")
        let ascii = rendered(Sparkline(values: [0, 1, 2, 3, 4, 5, 6, 7]), width: 8, height: 1,
                             context: RenderContext(glyphs: .ascii))
        #expect(ascii.plainText() == "_.-:=+*#")
    }

    @Test func windowKeepsTheCursorInView() {
        #expect(Sparkline.firstVisibleIndex(count: 784, width: 100, cursor: 500) == 450)
        #expect(Sparkline.firstVisibleIndex(count: 784, width: 100, cursor: 10) == 0)
        #expect(Sparkline.firstVisibleIndex(count: 784, width: 100, cursor: 780) == 684)
        #expect(Sparkline.firstVisibleIndex(count: 28, width: 100, cursor: 20) == 0)
        let grid = rendered(Sparkline(values: (0..<10).map(Double.init), cursor: 9), width: 4, height: 1)
        #expect(grid[3, 0].foreground == Theme.default[.cursor])
        #expect(grid.plainText() == "▆▆▇█")
    }
}

@Suite struct HalfBlockMatrixTests {
    @Test func twoRowsPerCellWithOverride() {
        let theme = Theme.default
        let matrix = HalfBlockMatrix(rows: 3, columns: 2, values: [0, 1, 0.5, 0.25, 1, 0],
                                     mapping: .absolute(0...1),
                                     overrides: [MatrixIndex(row: 2, column: 1): theme[.upFlip]])
        #expect(matrix.cellSize == (width: 2, height: 2))
        let grid = rendered(matrix, width: 4, height: 3)
        #expect(grid.plainText() == "▀▀\n▀▀\n")
        #expect(grid[0, 0].foreground == theme[.scaleLow])
        #expect(grid[0, 0].background == theme[.scaleMid])
        #expect(grid[1, 0].foreground == theme[.scaleHigh])
        #expect(grid[1, 0].background == theme[.scaleLow].mixed(with: theme[.scaleMid], 0.5))
        #expect(grid[0, 1].foreground == theme[.scaleHigh])
        #expect(grid[0, 1].background == theme[.background])
        #expect(grid[1, 1].foreground == theme[.upFlip])
        #expect(grid[2, 0] == .blank)
    }

    @Test func mnistSizedImageTakes28By14Cells() {
        let matrix = HalfBlockMatrix(rows: 28, columns: 28, values: Array(repeating: 0, count: 784),
                                     mapping: .absolute(0...1))
        #expect(matrix.cellSize == (width: 28, height: 14))
        let grid = rendered(matrix, width: 30, height: 16)
        #expect(grid.rowText(13).hasPrefix(String(repeating: "▀", count: 28) + "  "))
        #expect(grid.rowText(14).allSatisfy { $0 == " " })
    }

    @Test func monoModeUsesShadesAndReverseForMarks() {
        let matrix = HalfBlockMatrix(rows: 2, columns: 3, values: [-1, 0, 0, 1, 0.5, 0],
                                     mapping: .signed(limit: 1),
                                     overrides: [MatrixIndex(row: 1, column: 2): .rgb(1, 1, 1)])
        let mono = rendered(matrix, width: 3, height: 1, context: RenderContext(colorMode: .monochrome))
        // A signed scale in mono: each cell shows its larger-magnitude element with the glyph of
        // its sign (issue 29): −1 (over +1) is ■, 0.5 (over 0) is ▒.
        #expect(mono.plainText() == "■▒")
        #expect(mono[2, 0].attributes == .reverse)
        #expect(mono[0, 0].attributes == [])
        let ascii = rendered(matrix, width: 3, height: 1,
                             context: RenderContext(glyphs: .ascii, colorMode: .monochrome))
        #expect(ascii.plainText() == "%:")
    }

    @Test func asciiColourModeBlendsTheTwoRows() {
        let theme = Theme.default
        let matrix = HalfBlockMatrix(rows: 2, columns: 1, values: [-1, 1], mapping: .signed(limit: 1))
        let grid = rendered(matrix, width: 1, height: 1, context: RenderContext(glyphs: .ascii))
        #expect(grid[0, 0].symbol == " ")
        #expect(grid[0, 0].background == theme[.scaleLow].mixed(with: theme[.scaleHigh], 0.5))
    }

    @Test func legendShowsBoundsAndGradient() {
        let theme = Theme.default
        let legend = ColorScaleLegend(mapping: .signed(limit: 1))
        let grid = rendered(legend, width: 12, height: 1)
        #expect(grid.plainText() == "-1 ███████ 1")
        #expect(grid[3, 0].foreground == theme[.scaleLow])
        #expect(grid[6, 0].foreground == theme[.scaleMid])
        #expect(grid[9, 0].foreground == theme[.scaleHigh])
        let mono = rendered(legend, width: 12, height: 1, context: RenderContext(colorMode: .monochrome))
        #expect(mono.plainText() == "-1 ■≡- ░▓█ 1")   // the negative half by its own glyphs (issue 29)
        let absolute = rendered(ColorScaleLegend(mapping: .absolute(0...0.5)), width: 10, height: 1)
        #expect(absolute.plainText() == "0 ████ 0.5")
    }
}

@Suite struct BarChartScaleTests {
    /// The scale labels the top (0 for all-negative bars), the bottom, and draws the zero
    /// line in the gaps.
    @Test func scaleLabelsTheRangeAndTheZeroLine() {
        let chart = BarChart(bars: [.init(value: -1), .init(value: -0.5)], showsScale: true)
        #expect(chart.scaleWidth() == 3)
        let grid = rendered(chart, width: 7, height: 4)
        #expect(grid.plainText() == """
             0┤█▔█▔
              │█ █
              │█
            -1│█
            """)
        let mixed = rendered(BarChart(bars: [.init(value: 1), .init(value: -1)], showsScale: true), width: 7, height: 4)
        #expect(mixed.plainText() == """
             1│█
             0┤█▁ ▁
              │  █
            -1│  █
            """)
    }
}
