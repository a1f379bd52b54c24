import Foundation
import Linalg
import Testing

/// `fastTanh` (the training loop's vectorised tanh) against libm's Double tanh rounded to
/// Float, the reference path.
@Suite struct FastTanhTests {
    /// Distance in units in the last place between two finite Floats of the same sign.
    static func ulps(_ a: Float, _ b: Float) -> Int {
        if a == b { return 0 }
        let ia = Int64(a.bitPattern & 0x7FFF_FFFF), ib = Int64(b.bitPattern & 0x7FFF_FFFF)
        return a.sign == b.sign ? Int(abs(ia - ib)) : Int(ia + ib)
    }

    /// Every binade from the smallest subnormal to 2⁴, 4,000 seeded points each, both signs:
    /// at most 4 ulp from the correctly rounded tanh.
    @Test func withinFourUlpOfTheCorrectlyRoundedValueInEveryBinade() {
        var rng = SeededRandom(seed: 7)
        var worst = 0, worstX: Float = 0, checked = 0
        for exponent in -149...4 {
            let low = Float(sign: .plus, exponent: exponent, significand: 1)
            for _ in 0..<4000 {
                let magnitude = low * Float(1 + rng.nextUniform())
                for x in [magnitude, -magnitude] {
                    let reference = Float(Foundation.tanh(Double(x)))
                    let d = Self.ulps(fastTanh(x), reference)
                    checked += 1
                    if d > worst { worst = d; worstX = x }
                }
            }
        }
        #expect(checked == 154 * 8000)
        #expect(worst <= 4, "worst \(worst) ulp at x = \(worstX)")
    }

    @Test func specialValuesAndSaturation() {
        #expect(fastTanh(0).bitPattern == Float(0).bitPattern)
        #expect(fastTanh(-0.0).bitPattern == Float(-0.0).bitPattern)
        #expect(fastTanh(.infinity) == 1)
        #expect(fastTanh(-.infinity) == -1)
        #expect(fastTanh(.nan).isNaN)
        #expect(fastTanh(-.nan).isNaN)
        for x: Float in [10, 10.5, 30, 1e6, .greatestFiniteMagnitude] {
            #expect(fastTanh(x) == 1 && fastTanh(-x) == -1, "x = \(x)")
        }
        // Odd symmetry holds bit for bit.
        for x: Float in [1e-30, 0.001, 0.3, 0.5493, 1, 2.5, 8.99] {
            #expect(fastTanh(-x) == -fastTanh(x))
        }
    }

    /// The Float branch of `tanhForward` (fastTanh over a column block) agrees with the
    /// Double branch (libm) to 2.4e-7 relative.
    @Test func tanhForwardFloatMatchesDoublePath() {
        var rng = SeededRandom(seed: 11)
        let rows = 37, cols = 5
        var a64 = Matrix<Double>(rows: rows, cols: cols)
        for j in 0..<cols { for i in 0..<rows { a64[i, j] = 8 * (rng.nextUniform() - 0.5) } }
        let a32 = Matrix<Float>(rows: rows, cols: cols, columnMajor: a64.storage.map { Float($0) })
        var h32 = Matrix<Float>(rows: rows, cols: cols), h64 = Matrix<Double>(rows: rows, cols: cols)
        tanhForward(a32, columns: 1..<4, into: &h32, columns: 2..<5)
        tanhForward(Matrix<Double>(rows: rows, cols: cols, columnMajor: a32.storage.map { Double($0) }), columns: 1..<4,
                    into: &h64, columns: 2..<5)
        for j in 0..<cols {
            for i in 0..<rows {
                let expected = h64[i, j], got = Double(h32[i, j])
                #expect(abs(got - expected) <= 2.4e-7 * abs(expected), "(\(i), \(j)): \(got) vs \(expected)")
                if j < 2 { #expect(got == 0) }
            }
        }
    }
}
