import Foundation

/// CIELAB coordinates (D65 white) and the CIEDE2000 colour difference, to check that colours
/// meant to be told apart are (ΔE₀₀ ≈ 1 is a just-noticeable difference; ≥ 10 is clearly
/// different at a glance).
public struct LabColor: Hashable, Sendable {
    public var l: Double
    public var a: Double
    public var b: Double

    /// CIEDE2000 ΔE₀₀ (Sharma, Wu and Dalal 2005, with k_L = k_C = k_H = 1).
    public func difference(to other: LabColor) -> Double {
        func degrees(_ radians: Double) -> Double { radians * 180 / .pi }
        func radians(_ degrees: Double) -> Double { degrees * .pi / 180 }
        let c1 = hypot(a, b), c2 = hypot(other.a, other.b), cMean = (c1 + c2) / 2
        let g = 0.5 * (1 - (pow(cMean, 7) / (pow(cMean, 7) + pow(25, 7))).squareRoot())
        let a1 = (1 + g) * a, a2 = (1 + g) * other.a
        let c1p = hypot(a1, b), c2p = hypot(a2, other.b)
        func hue(_ b: Double, _ a: Double, _ c: Double) -> Double {
            c == 0 ? 0 : degrees(atan2(b, a)).truncatingRemainder(dividingBy: 360) + (atan2(b, a) < 0 ? 360 : 0)
        }
        let h1 = hue(b, a1, c1p), h2 = hue(other.b, a2, c2p)
        let deltaL = other.l - l, deltaC = c2p - c1p
        var deltaH = 0.0
        if c1p * c2p != 0 {
            deltaH = h2 - h1
            if deltaH > 180 { deltaH -= 360 } else if deltaH < -180 { deltaH += 360 }
        }
        let deltaBigH = 2 * (c1p * c2p).squareRoot() * sin(radians(deltaH / 2))
        let lMean = (l + other.l) / 2, cMeanP = (c1p + c2p) / 2
        var hMean = h1 + h2
        if c1p * c2p != 0 {
            if abs(h1 - h2) <= 180 { hMean = (h1 + h2) / 2 } else if h1 + h2 < 360 { hMean = (h1 + h2 + 360) / 2 } else { hMean = (h1 + h2 - 360) / 2 }
        }
        let t = 1 - 0.17 * cos(radians(hMean - 30)) + 0.24 * cos(radians(2 * hMean)) + 0.32 * cos(radians(3 * hMean + 6))
            - 0.20 * cos(radians(4 * hMean - 63))
        let deltaTheta = 30 * exp(-pow((hMean - 275) / 25, 2))
        let rc = 2 * (pow(cMeanP, 7) / (pow(cMeanP, 7) + pow(25, 7))).squareRoot()
        let sl = 1 + 0.015 * pow(lMean - 50, 2) / (20 + pow(lMean - 50, 2)).squareRoot()
        let sc = 1 + 0.045 * cMeanP, sh = 1 + 0.015 * cMeanP * t
        let rt = -sin(radians(2 * deltaTheta)) * rc
        let (dl, dc, dh) = (deltaL / sl, deltaC / sc, deltaBigH / sh)
        return (dl * dl + dc * dc + dh * dh + rt * dc * dh).squareRoot()
    }
}

extension Color {
    /// The colour after reduction to the xterm 256-colour palette, in CIELAB (nil for `.default`).
    public var lab256: LabColor? {
        guard case let .rgb(r, g, b) = self else { return nil }
        let shown = ColorQuantizer.rgb(ofXterm256Index: ColorQuantizer.xterm256Index(r: r, g: g, b: b))
        return LabColor(r: shown.r, g: shown.g, b: shown.b)
    }
}

extension LabColor {
    /// From sRGB bytes: linearise, sRGB → XYZ (D65), XYZ → L*a*b*.
    public init(r: Int, g: Int, b: Int) {
        func linear(_ c: Int) -> Double {
            let v = Double(c) / 255
            return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
        }
        let (rl, gl, bl) = (linear(r), linear(g), linear(b))
        let x = (0.4124564 * rl + 0.3575761 * gl + 0.1804375 * bl) / 0.95047
        let y = 0.2126729 * rl + 0.7151522 * gl + 0.0721750 * bl
        let z = (0.0193339 * rl + 0.1191920 * gl + 0.9503041 * bl) / 1.08883
        func f(_ t: Double) -> Double { t > pow(6.0 / 29, 3) ? cbrt(t) : t / (3 * pow(6.0 / 29, 2)) + 4.0 / 29 }
        self.init(l: 116 * f(y) - 16, a: 500 * (f(x) - f(y)), b: 200 * (f(y) - f(z)))
    }
}
