import Foundation
import Testing
@testable import Figures

/// No attribute or text may contain "nan" or "inf" (any case) — the figures' own words here
/// contain neither.
func expectNoNonFiniteText(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let lowered = svg.lowercased()
    #expect(!lowered.contains("nan"), sourceLocation: sourceLocation)
    #expect(!lowered.contains("inf"), sourceLocation: sourceLocation)
}

@Suite struct HistogramStackTests {
    static let edges = stride(from: -1.0, through: 1.0, by: 0.25).map { $0 }   // 8 bins

    static let stack = HistogramStack(
        title: "Alignment of ΔV with Q vectors",
        panels: [
            HistogramPanel(label: "first 10 Q (std 0.412)", binEdges: edges, counts: [0, 1, 4, 9, 12, 5, 2, 0]),
            HistogramPanel(label: "last 10 Q (std 0.051)", binEdges: edges, counts: [0, 0, 3, 30, 28, 2, 0, .nan]),
            HistogramPanel(label: "random 10 Q (std 0.058)", binEdges: edges, counts: [0, 0, 2, .infinity, 25, 4, 0, 0]),
        ],
        xLabel: "alignment", yLabel: "count")

    @Test func barsLabelsAndLegendText() throws {
        let svg = Self.stack.svg()
        let parsed = try ParsedSVG(svg)
        // Positive finite counts: 6 + 4 + 3 = 13 bars.
        #expect(parsed.data("rect", class: "data-bar").count == 13)
        for label in ["first 10 Q (std 0.412)", "last 10 Q (std 0.051)", "random 10 Q (std 0.058)",
                      "alignment", "Alignment of ΔV with Q vectors"] {
            #expect(parsed.texts.contains(label), "missing \(label)")
        }
        #expect(parsed.texts.filter { $0 == "count" }.count == 3, "one y label per panel")
        #expect(parsed.texts.filter { $0 == "alignment" }.count == 1, "x label under the bottom panel only")
        #expect(parsed.elements.filter { $0.classes.contains("legend-entry") }.count == 3)
        expectNoNonFiniteText(svg)
    }

    /// With `sharedYRange` the bar for 12 (panel 1) is shorter than the bar for 30 (panel 2);
    /// every drawn bar has positive height either way.
    @Test func sharedYRangeScalesPanelsAlike() throws {
        let parsed = try ParsedSVG(Self.stack.svg())
        let heights = parsed.data("rect", class: "data-bar").compactMap { Double($0.attributes["height"] ?? "") }
        #expect(heights.count == 13 && heights.allSatisfy { $0 > 0 })
        let shared = HistogramStack(panels: Self.stack.panels, xLabel: "alignment", sharedYRange: true)
        let sharedHeights = try ParsedSVG(shared.svg()).data("rect", class: "data-bar")
            .compactMap { Double($0.attributes["height"] ?? "") }
        #expect(sharedHeights.count == 13)
        #expect(sharedHeights[3] < sharedHeights[6 + 1], "12 < 30 on a shared axis")
    }
}

@Suite struct LinePlotTests {
    /// Fig. 2 shape: 20 lines std(Q index) coloured by t, one with a gap, one all-NaN, plus a
    /// dashed random baseline.
    static func figure() -> LinePlot {
        var series: [LineSeries] = []
        for t in 0..<20 {
            var y = (0..<64).map { 0.5 * exp(-Double($0) / Double(10 + t)) + 0.05 }
            if t == 3 { y[30] = .nan }
            if t == 7 { y = y.map { _ in .nan } }
            series.append(LineSeries(x: (0..<64).map(Double.init), y: y, colorValue: Double(t * 40)))
        }
        return LinePlot(title: "std of alignment vs Q index", xLabel: "Q index k", yLabel: "std",
                        series: series, referenceLines: [ReferenceLine(y: 0.058, label: "random baseline")],
                        colorMap: .viridis, colorBarLabel: "t")
    }

    @Test func linesBaselineAndColourBar() throws {
        let svg = Self.figure().svg()
        let parsed = try ParsedSVG(svg)
        #expect(parsed.data("path", class: "data-line").count == 19, "the all-NaN series draws nothing")
        #expect(parsed.data("line", class: "reference-line").count == 1)
        for label in ["Q index k", "std", "random baseline", "t", "0", "760", "std of alignment vs Q index"] {
            #expect(parsed.texts.contains(label), "missing \(label)")
        }
        #expect(parsed.elements.filter { $0.name == "linearGradient" }.count == 1)
        #expect(parsed.elements.filter { $0.name == "stop" }.count == 9)
        expectNoNonFiniteText(svg)
    }

    @Test func gapsAndColoursFollowTheMap() throws {
        let plot = Self.figure()
        let parsed = try ParsedSVG(plot.svg())
        let paths = parsed.data("path", class: "data-line")
        #expect(paths[3].attributes["d"]?.filter { $0 == "M" }.count == 2, "NaN at index 30 splits the line")
        let colors = plot.resolvedColors()
        #expect(colors.first == SequentialColorMap.viridis.color(at: 0.25))
        #expect(colors.last == SequentialColorMap.viridis.color(at: 0.75))
        #expect(paths.first?.attributes["stroke"] == colors.first?.hexString)
        #expect(paths.last?.attributes["stroke"] == colors.last?.hexString)
    }

    @Test func namedSeriesGetLegendRowsAndDashes() throws {
        let plot = LinePlot(xLabel: "x", yLabel: "y", series: [
            LineSeries(name: "R-ranked <top>", x: [0, 1, 2], y: [1, 2, 3]),
            LineSeries(name: "random & co", x: [0, 1, 2], y: [1, 1.5, 2], dashed: true),
        ])
        let parsed = try ParsedSVG(plot.svg())
        #expect(parsed.texts.contains("R-ranked <top>") && parsed.texts.contains("random & co"))
        let paths = parsed.data("path", class: "data-line")
        #expect(paths.count == 2 && paths[1].classes.contains("dashed") && !paths[0].classes.contains("dashed"))
        #expect(paths[0].attributes["stroke"] == Palette.categorical(0).hexString)
        #expect(parsed.elements.filter { $0.name == "linearGradient" }.isEmpty, "no colour map, no colour bar")
    }
}

@Suite struct ScatterPlotTests {
    static func figure() -> ScatterPlot {
        let ks: [Double] = [1, 2, 4, 8]
        func group(_ name: String, slope: Double, dashed: Bool) -> ScatterGroup {
            var x: [Double] = [], y: [Double] = []
            for k in ks { for image in 0..<5 { x.append(k); y.append(slope * k + Double(image) * 0.1) } }
            return ScatterGroup(name: name, x: x, y: y, dashedMean: dashed)
        }
        var upRandom = group("random, up", slope: 0.01, dashed: true)
        upRandom.y[2] = .nan
        upRandom.x[7] = .infinity
        return ScatterPlot(title: "loss difference vs k", xLabel: "pixels flipped k", yLabel: "Δ loss",
                           groups: [group("R-ranked, up", slope: 0.3, dashed: false), upRandom,
                                    group("R-ranked, down", slope: -0.2, dashed: false),
                                    group("random, down", slope: -0.01, dashed: true)],
                           dodge: 0.1)
    }

    @Test func pointsMeanLinesAndLegend() throws {
        let svg = Self.figure().svg()
        let parsed = try ParsedSVG(svg)
        #expect(parsed.data("circle", class: "data-point").count == 4 * 20 - 2)
        let means = parsed.data("path", class: "mean-line")
        #expect(means.count == 4)
        #expect(means.filter { $0.classes.contains("dashed") }.count == 2)
        for label in ["R-ranked, up", "random, up", "R-ranked, down", "random, down", "pixels flipped k", "Δ loss"] {
            #expect(parsed.texts.contains(label), "missing \(label)")
        }
        expectNoNonFiniteText(svg)
    }

    @Test func meansSkipNonFiniteValues() {
        let group = ScatterGroup(name: "g", x: [2, 1, 1, 2, .nan, 1], y: [4, 1, 3, .nan, 7, .infinity])
        let means = group.means
        #expect(means.map(\.x) == [1, 2])
        #expect(means.map(\.mean) == [2, 4])
    }
}

@Suite struct GroupedBarChartTests {
    static func figure() -> GroupedBarChart {
        GroupedBarChart(
            title: "logits", xLabel: "class", yLabel: "logit",
            categories: (0..<10).map(String.init),
            series: [
                BarSeries(name: "original", values: [-2, 1, 0.5, 8, -1, 0, 2, -3, 1, 0.2]),
                BarSeries(name: "R-flipped", values: [-1, 2, 1, 3, 0, 1, 4, -2, .nan, 0.1]),
                BarSeries(name: "random-flipped", values: [-2, 1, 0.4, 7.5, -1, 0.1, 2, -3, 1, 0.3]),
            ])
    }

    @Test func barsCategoriesAndLegend() throws {
        let svg = Self.figure().svg()
        let parsed = try ParsedSVG(svg)
        let bars = parsed.data("rect", class: "data-bar")
        #expect(bars.count == 29, "30 values, one NaN")
        for label in (0..<10).map(String.init) + ["original", "R-flipped", "random-flipped", "class", "logit", "logits"] {
            #expect(parsed.texts.contains(label), "missing \(label)")
        }
        #expect(parsed.elements.filter { $0.classes.contains("legend-entry") }.count == 3)
        expectNoNonFiniteText(svg)
    }

    /// Positive bars end at the zero line from above, negative bars start at it and go down.
    @Test func barsHangFromTheZeroLine() throws {
        let parsed = try ParsedSVG(Self.figure().svg())
        let zero = try #require(parsed.data("line", class: "zero-line").first)
        let zeroY = try #require(Double(zero.attributes["y1"] ?? ""))
        let bars = parsed.data("rect", class: "data-bar")
        let first = bars[0]  // original, class 0: −2
        #expect(abs((Double(first.attributes["y"] ?? "") ?? .nan) - zeroY) < 0.011)
        let fourth = bars[3] // original, class 3: +8
        let top = Double(fourth.attributes["y"] ?? "") ?? .nan, height = Double(fourth.attributes["height"] ?? "") ?? .nan
        #expect(abs(top + height - zeroY) < 0.011)
        #expect(top < zeroY)
    }

    @Test func emptyChartStillRenders() throws {
        let chart = GroupedBarChart(yLabel: "logit", categories: [], series: [])
        let parsed = try ParsedSVG(chart.svg())
        #expect(parsed.data("rect", class: "data-bar").isEmpty)
    }
}
