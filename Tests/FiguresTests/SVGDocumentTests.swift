import Foundation
import Testing
@testable import Figures

@Suite struct SVGDocumentTests {
    @Test func textAndAttributesSurviveAParseRoundTrip() throws {
        let awkward = "a <b> & \"c\" 'd' — Δλ"
        var document = SVGDocument(width: 100, height: 50, title: awkward)
        document.add(SVGElement.text(awkward, x: 10, y: 20)?.with("data-note", awkward + "\nline2\ttab"))
        let parsed = try ParsedSVG(document.render())
        #expect(parsed.elements.first { $0.name == "title" }?.text == awkward)
        let text = try #require(parsed.elements.first { $0.name == "text" })
        #expect(text.text == awkward)
        #expect(text.attributes["data-note"] == awkward + "\nline2\ttab")
    }

    @Test func controlCharactersAreDroppedNotWritten() throws {
        var document = SVGDocument(width: 10, height: 10, title: "bell\u{07}null\u{00}")
        document.add(SVGElement.text("x\u{1B}y", x: 1, y: 1))
        let parsed = try ParsedSVG(document.render())
        #expect(parsed.texts.contains("bellnull"))
        #expect(parsed.texts.contains("xy"))
    }

    @Test func numberFormatting() {
        #expect(SVGNumber.format(3) == "3")
        #expect(SVGNumber.format(-2.5) == "-2.5")
        #expect(SVGNumber.format(12.3456) == "12.35")
        #expect(SVGNumber.format(-0.0) == "0")
        #expect(SVGNumber.format(-0.001) == "0")
        #expect(SVGNumber.format(.nan) == nil)
        #expect(SVGNumber.format(.infinity) == nil)
        #expect(SVGNumber.format(-.infinity) == nil)
    }

    @Test func nonFiniteCoordinatesDropElementsOrBreakPaths() throws {
        #expect(SVGElement.line(x1: 0, y1: .nan, x2: 1, y2: 1) == nil)
        #expect(SVGElement.rect(x: 0, y: 0, width: .infinity, height: 1) == nil)
        #expect(SVGElement.circle(cx: 1, cy: 1, r: .nan) == nil)
        #expect(SVGElement.path(points: [(.nan, 1), (2, .infinity)]) == nil)
        let path = try #require(SVGElement.path(points: [(0, 0), (1, 1), (.nan, 2), (3, 3), (4, 4)]))
        #expect(path.attribute("d") == "M0 0 L1 1 M3 3 L4 4")
        // A rectangle with negative height is normalised.
        let rect = try #require(SVGElement.rect(x: 5, y: 10, width: 2, height: -4))
        #expect(rect.attribute("y") == "6" && rect.attribute("height") == "4")
    }

    @Test func stylesheetHasDarkModeOverrides() {
        let svg = SVGDocument(width: 10, height: 10, title: "t").render()
        #expect(svg.contains("@media (prefers-color-scheme: dark)"))
        #expect(svg.contains(#"xmlns="http://www.w3.org/2000/svg""#))
        #expect(svg.contains(#"viewBox="0 0 10 10""#))
    }
}

@Suite struct ScaleAndTickTests {
    @Test func unitIntervalGivesFifths() {
        let ticks = Ticks.nice(covering: 0, 1, targetCount: 5)
        #expect(ticks.values == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(ticks.labels == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        #expect(ticks.step == 0.2)
    }

    @Test func awkwardRangeIsCoveredByHalves() {
        let ticks = Ticks.nice(covering: -0.37, 2.1, targetCount: 5)
        #expect(ticks.values == [-0.5, 0, 0.5, 1, 1.5, 2, 2.5])
        #expect(ticks.labels.first == "\u{2212}0.5")
        #expect(ticks.labels[1] == "0.0")
    }

    @Test func integerAndLargeRanges() {
        #expect(Ticks.nice(covering: 1, 784, targetCount: 8).values == [0, 100, 200, 300, 400, 500, 600, 700, 800])
        #expect(Ticks.nice(covering: 0, 9, targetCount: 5).values == [0, 2, 4, 6, 8, 10])
        #expect(Ticks.nice(covering: 0, 3e6, targetCount: 3).labels.last == "3e+06")
    }

    /// Over many ranges: ticks cover the data, the step is 1, 2 or 5 × 10^k, ticks are equally
    /// spaced, and the count is between n/2.5 + 1 and n + 3.
    @Test func niceTickInvariants() {
        var state: UInt64 = 0x9E3779B97F4A7C15
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        for _ in 0..<500 {
            let center = (uniform() - 0.5) * pow(10, uniform() * 8 - 4)
            let span = pow(10, uniform() * 10 - 5)
            let lower = center - span * uniform(), upper = lower + span
            let target = 2 + Int(uniform() * 9)
            let ticks = Ticks.nice(covering: lower, upper, targetCount: target)
            #expect(ticks.lowerBound <= lower + 1e-9 * span && ticks.upperBound >= upper - 1e-9 * span,
                    "[\(lower), \(upper)] → \(ticks.values)")
            let mantissa = ticks.step / pow(10, log10(ticks.step).rounded(.down))
            #expect([1.0, 2, 5].contains { abs(mantissa - $0) < 1e-9 }, "step \(ticks.step)")
            #expect(Double(ticks.values.count) >= Double(target) / 2.5 + 1 - 1e-9 && ticks.values.count <= target + 3,
                    "\(ticks.values.count) ticks for target \(target)")
            // Equal spacing up to the rounding of the tick values themselves.
            for (a, b) in zip(ticks.values, ticks.values.dropFirst()) {
                #expect(abs((b - a) - ticks.step) <= 1e-9 * ticks.step + 4 * max(a.ulp, b.ulp))
            }
        }
    }

    @Test func degenerateRanges() {
        let flat = Ticks.nice(covering: 3, 3)
        #expect(flat.lowerBound <= 2.7 && flat.upperBound >= 3.3)
        #expect(Ticks.nice(covering: 0, 0).values.contains(0))
        #expect(Ticks.nice(covering: .nan, 1).values == Ticks.nice(covering: 0, 1).values)
        #expect(Ticks.nice(covering: 2, 1).values == Ticks.nice(covering: 1, 2).values)
    }

    @Test func linearScaleMapsEndsAndFlips() {
        let scale = LinearScale(domain: -1...3, range: (start: 200, end: 0))
        #expect(scale(-1) == 200 && scale(3) == 0 && scale(1) == 100)
        #expect(scale(.nan).isNaN)
        #expect(LinearScale(domain: 2...2, range: (start: 0, end: 10))(2) == 5)
    }
}

@Suite struct ColorTests {
    @Test func hexRoundTripAndMapEnds() {
        #expect(RGBColor(hex: 0xE69F00).hexString == "#e69f00")
        let viridis = SequentialColorMap.viridis
        #expect(viridis.color(at: 0) == viridis.anchors.first)
        #expect(viridis.color(at: 1) == viridis.anchors.last)
        #expect(viridis.color(at: -3) == viridis.anchors.first)
        #expect(viridis.color(at: 0.5) == viridis.anchors[4])
        // 1/16 is midway between the first two anchors (0x440154 and 0x472C7A).
        let midway = viridis.color(at: 1.0 / 16)
        #expect(abs(midway.red - (0x44 + 0x47) / 510.0) < 1e-12)
        #expect(abs(midway.green - (0x01 + 0x2C) / 510.0) < 1e-12)
        #expect(abs(midway.blue - (0x54 + 0x7A) / 510.0) < 1e-12)
    }

    /// The documented readability guarantees: Okabe–Ito (except yellow) ≥ 2:1 on white and
    /// ≥ 3:1 on #1e1e1e; the default viridis sub-range 0.25…0.75 ≥ 2:1 on both.
    @Test func coloursReadOnLightAndDarkBackgrounds() {
        let white = RGBColor(hex: 0xFFFFFF), dark = RGBColor(hex: 0x1E1E1E)
        #expect(abs(white.contrastRatio(with: RGBColor(hex: 0x000000)) - 21) < 1e-12)
        for color in Palette.okabeIto.dropLast() {
            #expect(color.contrastRatio(with: white) >= 2, "\(color.hexString) on white")
            #expect(color.contrastRatio(with: dark) >= 3, "\(color.hexString) on dark")
        }
        for position in stride(from: 0.25, through: 0.75, by: 0.01) {
            let color = SequentialColorMap.viridis.color(at: position)
            #expect(color.contrastRatio(with: white) >= 2, "viridis(\(position)) on white")
            #expect(color.contrastRatio(with: dark) >= 2, "viridis(\(position)) on dark")
        }
    }
}
