import Analysis
import Testing

/// The verdict rules of docs/reproduction.md on hand-made results.
@Suite struct ReproductionTests {
    func run(_ first: Double, _ last: Double, _ random: Double, curve: [Double] = [0.1]) -> Reproduction.AlignmentRun {
        .init(family: "f", model: "trained", convention: "c", first: first, last: last, random: random, baseline: 0.088, curve: curve)
    }

    @Test func fig1Verdicts() {
        #expect(Reproduction.fig1Verdict(run(0.089, 0.081, 0.096), trained: false) == "reproduced")
        #expect(Reproduction.fig1Verdict(run(0.115, 0.065, 0.090), trained: false).hasPrefix("not reproduced"))
        #expect(Reproduction.fig1Verdict(run(0.195, 0.053, 0.083), trained: true) == "reproduced")
        #expect(Reproduction.fig1Verdict(run(0.143, 0.070, 0.082), trained: true).hasPrefix("partly"))
        #expect(Reproduction.fig1Verdict(run(0.167, 0.086, 0.078), trained: true).hasPrefix("not reproduced"))
    }

    @Test func fig2Verdicts() {
        let falling: [Double] = (0..<128).map { (i: Int) -> Double in 0.22 - 0.0013 * Double(i) }   // crosses 0.088 at index 103
        #expect(Reproduction.fig2Verdict(run(0, 0, 0, curve: falling)).hasPrefix("partly (falls steadily, but crosses at 103"))
        let atForty: [Double] = (0..<128).map { (i: Int) -> Double in
            let x = Double(i)
            return i < 39 ? 0.2 - 0.002 * x : 0.08 - 0.0001 * x
        }
        #expect(Reproduction.fig2Verdict(run(0, 0, 0, curve: atForty)) == "reproduced")
        let u: [Double] = (0..<128).map { (i: Int) -> Double in
            let bump: Double = i < 10 ? 0.1 : 0
            return 0.07 + 0.0002 * abs(Double(i) - 20) + bump
        }
        #expect(Reproduction.fig2Verdict(run(0, 0, 0, curve: u)).hasPrefix("not reproduced (U-shaped"))
        #expect(Reproduction.fig2Verdict(run(0, 0, 0, curve: [Double](repeating: 0.1, count: 128))).hasPrefix("not reproduced (never"))
    }
}
