import Testing
@testable import Statistics

@Suite struct WelchTestTests {
    /// Reference from SciPy 1.17:
    ///   python3 -c 'import numpy as np; from scipy import stats
    ///   x=[0.31,0.52,-0.07,0.88,0.45,0.61,0.12,0.97,0.33,0.70,0.54,0.29]
    ///   y=[0.10,0.42,-0.21,0.05,0.36,0.18,-0.02,0.25,0.31]
    ///   r=stats.ttest_ind(x,y,equal_var=False,alternative="greater")
    ///   print(r.statistic, r.pvalue, r.df, np.mean(x)-np.mean(y), np.var(x,ddof=1),
    ///         np.var(y,ddof=1), stats.norm.sf(r.statistic))'
    @Test func matchesSciPyTtestInd() {
        let x = [0.31, 0.52, -0.07, 0.88, 0.45, 0.61, 0.12, 0.97, 0.33, 0.70, 0.54, 0.29]
        let y = [0.10, 0.42, -0.21, 0.05, 0.36, 0.18, -0.02, 0.25, 0.31]
        let result = WelchTest.greater(x: x, y: y)
        #expect(result.countX == 12 && result.countY == 9)
        #expect(relativeError(result.statistic, 2.8380820394201107) < 1e-12)
        #expect(relativeError(result.pWelch, 0.005287513163292726) < 1e-10)
        #expect(relativeError(result.df, 18.833917662566307) < 1e-12)
        #expect(relativeError(result.meanDifference, 0.31083333333333335) < 1e-13)
        #expect(relativeError(result.varianceX, 0.09000833333333333) < 1e-13)
        #expect(relativeError(result.varianceY, 0.040449999999999986) < 1e-13)
        #expect(relativeError(result.pZ, 0.0022692757872119287) < 1e-12)
    }

    /// x far below y: p close to 1, reported as the upper tail directly. SciPy, as above with
    /// x=[1,2,3,4,5], y=[40,41,43]: statistic −33.91164991562634, p 0.9999992796180844,
    /// df 4.473572938689218.
    @Test func oppositeDirectionGivesLargeP() {
        let result = WelchTest.greater(x: [1, 2, 3, 4, 5], y: [40, 41, 43])
        #expect(relativeError(result.statistic, -33.91164991562634) < 1e-12)
        #expect(relativeError(result.df, 4.473572938689218) < 1e-12)
        #expect(relativeError(result.pWelch, 0.9999992796180844) < 1e-12)
        #expect(result.pZ == 1)
        // Swapping the samples flips the statistic and gives the complementary tail.
        let swapped = WelchTest.greater(x: [40, 41, 43], y: [1, 2, 3, 4, 5])
        #expect(swapped.statistic == -result.statistic)
        #expect(relativeError(swapped.pWelch, 1 - 0.9999992796180844) < 1e-9)
    }

    @Test func tooFewObservationsGiveNaN() {
        for (x, y) in [([1.0], [1.0, 2.0, 3.0]), ([1.0, 2.0], [5.0]), ([], [1.0, 2.0])] {
            let result = WelchTest.greater(x: x, y: y)
            #expect(result.statistic.isNaN && result.df.isNaN)
            #expect(result.pWelch.isNaN && result.pZ.isNaN)
        }
        let withNaN = WelchTest.greater(x: [1, .nan, 3], y: [1, 2, 3])
        #expect(withNaN.pWelch.isNaN && withNaN.pZ.isNaN)
        let withInfinity = WelchTest.greater(x: [1, .infinity, 3], y: [1, 2, 3])
        #expect(withInfinity.pWelch.isNaN && withInfinity.pZ.isNaN)
    }

    @Test func zeroVarianceInBothSamples() {
        let greater = WelchTest.greater(x: [2, 2, 2], y: [1, 1, 1, 1])
        #expect(greater.statistic == .infinity && greater.pWelch == 0 && greater.pZ == 0)
        #expect(greater.df.isNaN && greater.standardError == 0)
        let less = WelchTest.greater(x: [0, 0], y: [1, 1])
        #expect(less.statistic == -.infinity && less.pWelch == 1 && less.pZ == 1)
        let equal = WelchTest.greater(x: [3, 3, 3], y: [3, 3])
        #expect(equal.statistic.isNaN && equal.pWelch == 1 && equal.pZ == 1)
    }

    /// One constant sample: Welch–Satterthwaite reduces to ν = n − 1 of the other sample.
    @Test func oneConstantSampleGivesOtherSampleDegreesOfFreedom() {
        let result = WelchTest.greater(x: [1, 2, 4, 7, 11], y: [0, 0, 0])
        #expect(abs(result.df - 4) < 1e-12)
        #expect(result.pWelch > 0 && result.pWelch < 0.5)
    }
}

@Suite struct DescriptiveTests {
    @Test func meanAndVarianceOfShiftedData() {
        // 1e9 + {4, 7, 13, 16}: deviations −6, −3, 3, 6, Σd² = 90.
        let values = [4.0, 7, 13, 16].map { $0 + 1e9 }
        #expect(mean(values) == 1e9 + 10)
        #expect(sampleVariance(values) == 30)
        #expect(populationVariance(values) == 22.5)
        #expect(standardDeviation(values) == 30.0.squareRoot())
        #expect(populationStandardDeviation(values) == 22.5.squareRoot())
    }

    @Test func compensatedMean() {
        // Naive left-to-right summation gives 0 here; the exact sum is 2.
        #expect(mean([1e16, 1, 1, -1e16]) == 0.5)
    }

    @Test func smallAndNonFiniteSamples() {
        #expect(mean([Double]()).isNaN)
        #expect(sampleVariance([5.0]).isNaN)
        #expect(sampleVariance([Double]()).isNaN)
        #expect(populationVariance([5.0]) == 0)
        #expect(populationVariance([Double]()).isNaN)
        #expect(sampleVariance([1, .nan, 2]).isNaN)
        #expect(sampleVariance([1, .infinity, 2]).isNaN)
        #expect(sampleVariance([3.0, 3, 3]) == 0)
    }
}

@Suite struct HistogramTests {
    @Test func countsEdgesAndOutOfRange() {
        let histogram = Histogram([-2, 0, 0.1, 0.25, 0.5, 0.99, 1, 1.5, .nan, -.infinity],
                                  lowerBound: 0, upperBound: 1, binCount: 4)
        #expect(histogram.binEdges == [0, 0.25, 0.5, 0.75, 1])
        #expect(histogram.binCenters == [0.125, 0.375, 0.625, 0.875])
        // [0, .25): 0, 0.1 · [.25, .5): 0.25 · [.5, .75): 0.5 · [.75, 1]: 0.99, 1
        #expect(histogram.counts == [2, 1, 1, 2])
        #expect(histogram.underflowCount == 2 && histogram.overflowCount == 1 && histogram.nanCount == 1)
        #expect(histogram.inRangeCount == 6 && histogram.totalCount == 10)
        #expect(histogram.densities == [2, 1, 1, 2].map { Double($0) / (6 * 0.25) })
    }

    /// Every value equal to a reported edge lands in the bin that edge opens, even when
    /// (v − lo)/(hi − lo)·n rounds the other way (0.1-wide bins are not exact in binary).
    @Test func edgesAreAssignedConsistently() {
        let histogram = Histogram(lowerBound: -0.3, upperBound: 0.7, binCount: 10)
        let edges = histogram.binEdges
        for (i, edge) in edges.enumerated() {
            #expect(histogram.binIndex(of: edge) == min(i, 9), "edge \(i) = \(edge)")
            if i > 0 { #expect(histogram.binIndex(of: edge.nextDown) == i - 1, "just below edge \(i)") }
        }
        #expect(histogram.binIndex(of: 0.7.nextUp) == nil)
        #expect(histogram.binIndex(of: .nan) == nil)
    }
}
