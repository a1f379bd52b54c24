import Foundation
import Testing
@testable import Statistics

/// |computed − expected| / |expected| (absolute when expected is 0).
func relativeError(_ computed: Double, _ expected: Double) -> Double {
    expected == 0 ? abs(computed) : abs(computed - expected) / abs(expected)
}

/// ln Γ against 50-digit references. SciPy's `special.gammaln` agrees with these to 2e-16 away
/// from x = 1, 2 but is off by up to 4e-12 relative next to those zeros (e.g. x = 1.9999), so
/// the references come from mpmath (shipped with SciPy's environment):
///   python3 -c 'import mpmath as mp; mp.mp.dps=50; print([float(mp.loggamma(x)) for x in
///   [1e-300, 1e-8, 0.1, 0.5, 0.9, 0.999, 1.0001, 1.5, 1.9999, 2.0001, 2.5, 3.0, 7.3, 9.99,
///    10.0, 10.5, 33.3, 100.0, 12345.678, 1e10, 1e100]])'
@Suite struct LogGammaTests {
    static let references: [(x: Double, logGamma: Double)] = [
        (1e-300, 690.7755278982137), (1e-08, 18.42068073818021), (0.1, 2.252712651734206),
        (0.5, 0.5723649429247001), (0.9, 0.06637623973474295), (0.999, 0.0005780385328913802),
        (1.0001, -5.771334222047127e-05), (1.5, -0.12078223763524522),
        (1.9999, -4.227520877215346e-05), (2.0001, 4.2281658112919945e-05),
        (2.5, 0.2846828704729192), (3.0, 0.6931471805599453), (7.3, 7.147892523022248),
        (9.99, 12.779315214350193), (10.0, 12.801827480081469), (10.5, 13.940625219403763),
        (33.3, 82.60372358165495), (100.0, 359.1342053695754), (12345.678, 103959.91990554606),
        (1e10, 220258509288.81058), (1e100, 2.2925850929940456e+102),
    ]

    @Test func matchesFiftyDigitReferencesTo1e14() {
        for (x, expected) in Self.references {
            let error = relativeError(logGamma(x), expected)
            #expect(error < 1e-14, "lnΓ(\(x)) = \(logGamma(x)), expected \(expected), rel. error \(error)")
        }
    }

    @Test func exactZerosAndIntegerFactorials() {
        #expect(logGamma(1) == 0)
        #expect(logGamma(2) == 0)
        // ln Γ(n) = ln (n − 1)!, with (n − 1)! exact in Double for n ≤ 23.
        var factorial = 1.0
        for n in 2...23 {
            #expect(relativeError(logGamma(Double(n)), log(factorial)) < 4e-16, "n = \(n)")
            factorial *= Double(n)
        }
    }

    /// ln Γ(x + 1) − ln Γ(x) = ln x across every branch boundary (0.5, 1.5, 2.5, 10). Tolerance:
    /// a few ulps of the larger ln Γ, since the left side is a difference.
    @Test func recurrenceHoldsAcrossBranches() {
        for x in stride(from: 0.05, through: 14.0, by: 0.0371) {
            let difference = logGamma(x + 1) - logGamma(x)
            let scale = max(1, abs(logGamma(x + 1)))
            #expect(abs(difference - log(x)) < 1e-15 * scale, "x = \(x)")
        }
    }

    @Test func specialValues() {
        #expect(logGamma(0) == .infinity)
        #expect(logGamma(.infinity) == .infinity)
        #expect(logGamma(-1.5).isNaN)
        #expect(logGamma(.nan).isNaN)
    }

    /// ln B(a, b) against ln Γ(a) + ln Γ(b) − ln Γ(a + b) in 50 digits:
    ///   python3 -c 'import mpmath as mp; mp.mp.dps=50; f=lambda a,b: float(mp.log(mp.beta(a,b)));
    ///   print(f(0.5,0.5), f(3,4.5), f(1e-5,20), f(5000.5,0.5), f(1e4,1e4), f(12,30))'
    @Test func logBetaMatchesReferences() {
        let cases: [(Double, Double, Double)] = [
            (0.5, 0.5, 1.1447298858494002), (3, 4.5, -4.387480485356345),
            (1e-5, 20, 11.51288998765334), (5000.5, 0.5, -3.686256652783377),
            (1e4, 1e4, -13866.28325676141), (12, 30, -25.27486496841981),
        ]
        for (a, b, expected) in cases {
            #expect(relativeError(logBeta(a, b), expected) < 1e-14, "ln B(\(a), \(b)) = \(logBeta(a, b))")
            #expect(logBeta(a, b) == logBeta(b, a))
        }
        #expect(logBeta(0, 1).isNaN)
    }
}

/// I_x(a, b) against 60-digit mpmath values (SciPy's `special.betainc` agrees with them to
/// ≤ 4e-15 relative, 3e-14 on the far-tail row; the references are the more exact of the two):
///   python3 -c 'import mpmath as mp; mp.mp.dps=60; I=lambda a,b,x: mp.betainc(a,b,0,x,
///   regularized=True); print([(float(I(a,b,x)), float(1-I(a,b,x))) for a,b,x in CASES])'
/// with CASES the (a, b, x) triples below.
@Suite struct IncompleteBetaTests {
    static let references: [(a: Double, b: Double, x: Double, lower: Double, upper: Double)] = [
        (0.5, 0.5, 0.3, 0.36901011956554536, 0.6309898804344546),
        (1.0, 1.0, 0.42, 0.42, 0.5800000000000001),
        (2.0, 3.0, 0.4, 0.5248, 0.47519999999999996),
        (2.5, 0.5, 0.95, 0.6298118711924643, 0.3701881288075357),
        (0.5, 2.5, 0.05, 0.37018812880753554, 0.6298118711924644),
        (5.0, 7.5, 0.2, 0.06091759985405119, 0.9390824001459488),
        (30.0, 40.0, 0.43, 0.5141931195427436, 0.4858068804572564),
        (30.0, 40.0, 0.7, 0.9999986807222218, 1.3192777782136828e-06),
        (100.0, 0.5, 0.985, 0.08248780180634191, 0.917512198193658),
        (0.3, 12.0, 0.001, 0.29228944293752407, 0.7077105570624759),
        (1000.0, 1000.0, 0.52, 0.9632205167213604, 0.03677948327863957),
        (1000.0, 1000.0, 0.45, 3.683198869007578e-06, 0.999996316801131),
        (7.0, 10000.0, 0.001, 0.8703624919211617, 0.12963750807883834),
        (4000.5, 0.5, 0.999, 0.004666116833062433, 0.9953338831669376),
        (0.01, 1.0, 0.3, 0.9880324594859137, 0.011967540514086316),
        // Far lower tail with a, b ≥ 10 (x ≪ a/(a + b), where ln(1 + e/a) must not be used).
        (18.22479800030764, 374.65594986790154, 1e-12, 1.9665216819937277e-188, 1.0),
    ]

    /// Tolerance 2e-13: the far-tail row has |a ln x| ≈ 500, so exp of the prefactor's exponent
    /// alone carries ~1e-13 (see the accuracy note on `regularizedIncompleteBeta`).
    @Test func bothTailsMatchReferencesTo2e13() {
        for c in Self.references {
            let lower = regularizedIncompleteBeta(a: c.a, b: c.b, x: c.x)
            let upper = regularizedIncompleteBetaComplement(a: c.a, b: c.b, x: c.x)
            #expect(relativeError(lower, c.lower) < 2e-13, "I_\(c.x)(\(c.a), \(c.b)) = \(lower), expected \(c.lower)")
            #expect(relativeError(upper, c.upper) < 2e-13, "1 − I_\(c.x)(\(c.a), \(c.b)) = \(upper), expected \(c.upper)")
        }
    }

    /// Closed forms: I_x(a, 1) = x^a, I_x(1, b) = 1 − (1 − x)^b, and the symmetry
    /// I_x(a, b) = 1 − I_{1−x}(b, a) across the continued-fraction switch point. x is dyadic so
    /// that 1 − x is exact. The prefactor is exp(a ln x + ⋯), whose relative error is
    /// ~(1 + |a ln x|)·ε: that is the tolerance for x^a.
    @Test func closedFormsAndSymmetry() {
        for x in [0x1p-20, 0.125, 0.375, 0.5, 0.8125, 0.998046875] {
            for a in [0.2, 1.0, 3.5, 40.0] {
                let powerTolerance = 4e-16 * (1 + abs(a * log(min(x, 1 - x))))
                #expect(relativeError(regularizedIncompleteBeta(a: a, b: 1, x: x), pow(x, a)) < powerTolerance,
                        "a = \(a), x = \(x)")
                #expect(relativeError(regularizedIncompleteBetaComplement(a: 1, b: a, x: x), pow(1 - x, a)) < powerTolerance,
                        "b = \(a), x = \(x)")
                let lower = regularizedIncompleteBeta(a: a, b: 2.5, x: x)
                let mirrored = regularizedIncompleteBetaComplement(a: 2.5, b: a, x: 1 - x)
                #expect(abs(lower - mirrored) < 1e-16, "a = \(a), x = \(x)")
            }
        }
    }

    @Test func endPointsAndInvalidParameters() {
        #expect(regularizedIncompleteBeta(a: 2, b: 3, x: 0) == 0)
        #expect(regularizedIncompleteBeta(a: 2, b: 3, x: 1) == 1)
        #expect(regularizedIncompleteBeta(a: 2, b: 3, x: -0.5) == 0)
        #expect(regularizedIncompleteBetaComplement(a: 2, b: 3, x: 0) == 1)
        #expect(regularizedIncompleteBeta(a: 0, b: 3, x: 0.5).isNaN)
        #expect(regularizedIncompleteBeta(a: 2, b: -1, x: 0.5).isNaN)
        #expect(regularizedIncompleteBeta(a: .infinity, b: 1, x: 0.5).isNaN)
        #expect(regularizedIncompleteBeta(a: 2, b: 3, x: .nan).isNaN)
    }
}

/// Normal distribution against 60-digit mpmath `ncdf`. SciPy's `stats.norm.cdf/sf` agree to
/// ≤ 3e-14 relative; in the far tail they carry the rounding of x/√2 (7e-15 at x = −10, 3e-14
/// at −20), which `normalCDF` corrects, hence the higher-precision references:
///   python3 -c 'import mpmath as mp; mp.mp.dps=60; print([(float(mp.ncdf(x)), float(mp.ncdf(-x)))
///   for x in [-37.5, -20.0, -10.0, -5.0, -1.0, -0.1, 0.0, 0.7, 3.0, 8.0, 10.0, 38.0]])'
@Suite struct NormalDistributionTests {
    static let references: [(x: Double, cdf: Double, survival: Double)] = [
        (-37.5, 4.605353009581955e-308, 1.0), (-20.0, 2.7536241186062337e-89, 1.0),
        (-10.0, 7.619853024160525e-24, 1.0), (-5.0, 2.866515718791939e-07, 0.9999997133484281),
        (-1.0, 0.15865525393145705, 0.8413447460685429), (-0.1, 0.460172162722971, 0.539827837277029),
        (0.0, 0.5, 0.5), (0.7, 0.758036347776927, 0.24196365222307303),
        (3.0, 0.9986501019683699, 0.0013498980316300946), (8.0, 0.9999999999999993, 6.220960574271784e-16),
        (10.0, 1.0, 7.619853024160525e-24), (38.0, 1.0, 2.88542835e-316),
    ]

    @Test func matchesReferencesIncludingFarTails() {
        for c in Self.references {
            #expect(relativeError(normalCDF(c.x), c.cdf) < 2e-15, "Φ(\(c.x)) = \(normalCDF(c.x)), expected \(c.cdf)")
            // 2.885e-316 is subnormal (only ~11 significant bits), so compare it absolutely.
            let survivalError = c.survival < 1e-307 ? abs(normalSurvival(c.x) - c.survival) / 1e-307
                                                     : relativeError(normalSurvival(c.x), c.survival)
            #expect(survivalError < 2e-15, "1 − Φ(\(c.x)) = \(normalSurvival(c.x)), expected \(c.survival)")
        }
    }

    @Test func invariants() {
        for x in stride(from: -6.0, through: 6.0, by: 0.173) {
            #expect(normalCDF(-x) == normalSurvival(x))
            #expect(abs(normalCDF(x) + normalSurvival(x) - 1) < 2e-16)
        }
        #expect(normalCDF(-.infinity) == 0 && normalCDF(.infinity) == 1)
        #expect(normalSurvival(.infinity) == 0)
        #expect(normalCDF(.nan).isNaN)
        #expect(normalCDF(-40) == 0, "true value 3.6e-350 is below the smallest subnormal")
    }
}

/// Student t against 60-digit mpmath values of ½ I_{ν/(ν+t²)}(ν/2, ½) (and one minus it):
///   python3 -c 'import mpmath as mp; mp.mp.dps=60
///   def F(t,n): t,n=mp.mpf(t),mp.mpf(n); h=mp.betainc(n/2,mp.mpf(1)/2,0,n/(n+t*t),regularized=True)/2; return h if t<0 else 1-h
///   print([(float(F(t,n)), float(1-F(t,n))) for t,n in CASES])'
/// (the last three rows come from the same command with mp.dps=60 and (t, ν) = (0.5, 1e7),
/// (2, 1e8), (−3, 1e8)). SciPy's `stats.t.cdf/sf` agree to ≤ 4e-15 relative, except t = −1e200, ν = 1,
/// where SciPy returns 0 (t² overflows) and the true value is 1/(π·1e200).
@Suite struct StudentTTests {
    static let references: [(t: Double, nu: Double, cdf: Double, survival: Double)] = [
        (1.5, 3.0, 0.8847080673775884, 0.11529193262241152),
        (-2.2, 7.3, 0.031084582700011812, 0.9689154172999882),
        (0.3, 1.0, 0.5927735790777423, 0.40722642092225764),
        (-50.0, 2.5, 4.0652475424793605e-05, 0.9999593475245752),
        (50.0, 2.5, 0.9999593475245752, 4.0652475424793605e-05),
        (4.0, 11.7, 0.9990750165325123, 0.0009249834674877161),
        (-12.0, 30.2, 2.535979528334461e-13, 0.9999999999997464),
        (2.0, 100000.0, 0.9772485182712468, 0.022751481728753232),
        (-9.0, 100000.0, 1.1477045025115785e-19, 1.0),
        (0.01, 1000000.0, 0.5039893553172262, 0.49601064468277384),
        (300.0, 1.0, 0.9989389709757795, 0.0010610290242204859),
        (-1e200, 1.0, 3.1830988618379067e-201, 1.0),
        (6.5, 4.5, 0.9990490775212009, 0.0009509224787991275),
        (-0.75, 1.37, 0.2803371600199665, 0.7196628399800334),
        (0.5, 1e7, 0.6914624557729925, 0.3085375442270075),
        (2.0, 1e8, 0.9772498667020466, 0.022750133297953376),
        (-3.0, 1e8, 0.0013498983640187472, 0.9986501016359812),
    ]

    @Test func matchesReferencesTo1e12() {
        for c in Self.references {
            let cdf = studentTCDF(c.t, degreesOfFreedom: c.nu)
            let survival = studentTSurvival(c.t, degreesOfFreedom: c.nu)
            #expect(relativeError(cdf, c.cdf) < 1e-12, "F(\(c.t); \(c.nu)) = \(cdf), expected \(c.cdf)")
            #expect(relativeError(survival, c.survival) < 1e-12, "1 − F(\(c.t); \(c.nu)) = \(survival), expected \(c.survival)")
        }
    }

    @Test(arguments: [1.0, 2.5, 7.0, 19.83, 250.0])
    func invariants(nu: Double) {
        for t in stride(from: -8.0, through: 8.0, by: 0.37) {
            #expect(studentTCDF(-t, degreesOfFreedom: nu) == studentTSurvival(t, degreesOfFreedom: nu))
            #expect(abs(studentTCDF(t, degreesOfFreedom: nu) + studentTSurvival(t, degreesOfFreedom: nu) - 1) < 4e-16)
        }
        // Monotone in t.
        var previous = 0.0
        for t in stride(from: -30.0, through: 30.0, by: 0.5) {
            let cdf = studentTCDF(t, degreesOfFreedom: nu)
            #expect(cdf >= previous, "t = \(t)")
            previous = cdf
        }
    }

    /// F_ν(t) = Φ(t) − φ(t)(t³ + t)/(4ν) + O(ν⁻²): at ν = 1e8 the remainder is ~1e-16, so this
    /// checks the large-ν regime (a = ν/2 = 5e7 in the continued fraction) to near full precision.
    @Test func approachesNormalForLargeDegreesOfFreedom() {
        let nu = 1e8
        for t in [-3.0, -1.0, 0.5, 2.0, 4.0] {
            let density = exp(-0.5 * t * t) / (2 * Double.pi).squareRoot()
            let firstOrder = normalCDF(t) - density * (t * t * t + t) / (4 * nu)
            #expect(abs(studentTCDF(t, degreesOfFreedom: nu) - firstOrder) < 1e-15, "t = \(t)")
            #expect(studentTCDF(t, degreesOfFreedom: .infinity) == normalCDF(t))
        }
    }

    @Test func specialValues() {
        #expect(studentTCDF(0, degreesOfFreedom: 3) == 0.5)
        #expect(studentTSurvival(.infinity, degreesOfFreedom: 3) == 0)
        #expect(studentTCDF(-.infinity, degreesOfFreedom: 3) == 0)
        #expect(studentTCDF(1, degreesOfFreedom: 0).isNaN)
        #expect(studentTCDF(1, degreesOfFreedom: -2).isNaN)
        #expect(studentTCDF(.nan, degreesOfFreedom: 2).isNaN)
        // Cauchy (ν = 1): P(T > t) = atan(1/t)/π for t > 0, by symmetry F(−t) for t < 0.
        for t in [1e-3, 0.2, 0.9, 3.0, 40.0, 1e6, 1e300] {
            #expect(relativeError(studentTSurvival(t, degreesOfFreedom: 1), atan(1 / t) / Double.pi) < 1e-14, "t = \(t)")
            #expect(relativeError(studentTCDF(-t, degreesOfFreedom: 1), atan(1 / t) / Double.pi) < 1e-14, "t = \(t)")
        }
    }
}
