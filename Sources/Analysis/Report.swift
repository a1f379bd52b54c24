import Figures
import Foundation
import Statistics

/// JSON-ready dictionaries and SVG figures for the two studies; the CLI writes them.
public enum StudyReport {
    /// Histogram range for alignment values (cosines).
    static let alignmentBins = 41

    /// `ftle align` JSON: std_first10, std_last10, std_random10, their bootstrap standard errors
    /// over the samples std_first10_se, std_last10_se, std_random10_se (`AlignmentStudy.standardErrors`:
    /// bootstrap_resamples resamples from bootstrap_seed; null with one sample), std_by_index_first5 (T×H),
    /// std_by_index_last5 (T×H; NaN, written null by `JSONText`, at a step with no such singular vector inside the rank),
    /// random_baseline, histograms {first10, last10, random10: edges, counts}, null_space,
    /// rank_tolerance, rank_by_step and rank_by_step_max (ΔV_t's numerical rank at t = 1…T, the
    /// smallest and largest over the samples), q_count (K), q_norm_by_index (K: ‖q_h‖, each Q
    /// vector's norm in the singular vectors' space, averaged over samples and steps) and
    /// q_norm_first10, q_norm_last10, q_norm_random10 (its mean over each group).
    public static func alignmentJSON(_ s: AlignmentStudy, options: AlignmentStudy.Options) -> [String: Any] {
        func hist(_ v: [Double]) -> [String: Any] {
            let lim = max(0.05, v.map(abs).max() ?? 1)
            let h = Histogram(v, lowerBound: -lim, upperBound: lim, binCount: alignmentBins)
            return ["edges": h.binEdges, "counts": h.counts, "std": populationStandardDeviation(v), "count": v.count]
        }
        let se = s.standardErrors()
        var object: [String: Any] = [
            "hidden": s.hidden, "steps": s.steps, "samples": options.samples, "first": options.first, "last": options.last,
            "seed": options.seed, "singular": options.side.rawValue,
            "q_indices": ["first10": s.firstTen.map { $0 + 1 }, "last10": s.lastTen.map { $0 + 1 }, "random10": s.randomTen.map { $0 + 1 }],
            "std_first10": s.stdFirst10, "std_last10": s.stdLast10, "std_random10": s.stdRandom10,
            "std_first10_se": se.first, "std_last10_se": se.last, "std_random10_se": se.random,
            "bootstrap_resamples": AlignmentStudy.bootstrapResamples, "bootstrap_seed": 0,
            "null_space": options.nullSpace.rawValue, "rank_tolerance": "max(m, n)·ε·σ_1, ε = 2^-52",
            "rank_by_step": s.rankByStep, "rank_by_step_max": s.rankByStepMax,
            "jacobian": options.jacobian.rawValue, "statistic": options.statistic.rawValue,
            "gradient_h0": options.gradientInitialState.rawValue,
            "random_range": [(options.randomRange?.lowerBound ?? 11), (options.randomRange?.upperBound ?? s.qCount - 10)],
            "std_by_index_first5": s.stdByIndexFirst, "std_by_index_last5": s.stdByIndexLast,
            "random_baseline": s.randomBaseline, "q_count": s.qCount,
            "q_norm_by_index": s.qNormByIndex,
            "q_norm_first10": s.meanQNorm(s.firstTen), "q_norm_last10": s.meanQNorm(s.lastTen), "q_norm_random10": s.meanQNorm(s.randomTen),
            "histograms": ["first10": hist(s.valuesFirst10), "last10": hist(s.valuesLast10), "random10": hist(s.valuesRandom10)],
        ]
        // The Q frame at every step writes what it always did; a window says which steps were compared.
        if let window = options.frame.window {
            object["frame"] = options.frame.name
            object["window"] = window
            object["compared_steps"] = [s.comparedSteps.lowerBound, s.comparedSteps.upperBound]
        }
        if case .clv(_, let seed) = options.frame {
            object["clv_seed"] = seed
            object["cosine"] = "v_k(t) · e_j(t) of unit vectors (CLVs are unit, not orthogonal; each v_k signed so that v_k · q_k > 0)"
        }
        return object
    }

    /// Fig. 1: stacked histograms of the alignment of the first singular vectors with Q groups.
    public static func figure1(_ s: AlignmentStudy, title: String) -> String {
        let lim = max(0.05, (s.valuesFirst10 + s.valuesLast10 + s.valuesRandom10).map(abs).max() ?? 1)
        func panel(_ v: [Double], _ name: String, _ color: Int) -> HistogramPanel {
            let h = Histogram(v, lowerBound: -lim, upperBound: lim, binCount: alignmentBins)
            return HistogramPanel(label: "\(name) (std \(String(format: "%.3f", populationStandardDeviation(v))))", binEdges: h.binEdges,
                                  counts: h.counts.map(Double.init), color: Palette.categorical(color))
        }
        return HistogramStack(title: title, panels: [panel(s.valuesFirst10, "first 10 Q", 0), panel(s.valuesLast10, "last 10 Q", 1),
                                                     panel(s.valuesRandom10, "random 10 Q", 2)],
                              xLabel: "alignment q_i · e_j (cosine)").svg()
    }

    /// Fig. 2: std of the alignment vs Q index, one line per t coloured by t, and the random baseline.
    public static func figure2(_ s: AlignmentStudy, title: String, last: Bool) -> String {
        let data = last ? s.stdByIndexLast : s.stdByIndexFirst
        let x = (1...s.qCount).map(Double.init)
        let series = data.enumerated().map { t, row in
            LineSeries(name: "t = \(t + s.comparedSteps.lowerBound)", x: x, y: row, colorValue: Double(t + s.comparedSteps.lowerBound))
        }
        return LinePlot(title: title, xLabel: "Q index i", yLabel: "std of q_i · e_j (\(last ? "last" : "first") singular vectors)",
                        series: series, referenceLines: [ReferenceLine(y: s.randomBaseline, label: "random baseline")],
                        colorMap: .viridis, colorBarLabel: "t").svg()
    }

    /// `ftle perturb` JSON: table rows and per-image logits.
    public static func sensitivityJSON(_ s: SensitivityStudy) -> [String: Any] {
        let o = s.options
        return [
            "images": o.images, "ks": o.ks, "random": o.randomSubsets, "mode": o.mode.rawValue, "score": o.score.description,
            "seed": o.seed, "seconds": s.seconds,
            "steps": o.steps.map { [$0.lowerBound, $0.upperBound] as Any } ?? NSNull(),
            "jacobian": o.jacobian.rawValue, "r_convention": o.rConvention.rawValue, "shared_random": o.sharedRandom,
            "table": s.table.map { r -> [String: Any] in
                ["k": r.k, "k_effective": r.kEffective, "mean_difference": r.test.meanDifference, "variance_r": r.test.varianceX,
                 "variance_random": r.test.varianceY, "standard_error": r.test.standardError,
                 "statistic": r.test.statistic, "df": r.test.df, "p_welch": r.test.pWelch, "p_z": r.test.pZ,
                 "paired_mean_difference": r.paired.meanDifference, "paired_standard_error": r.paired.standardError,
                 "paired_statistic": r.paired.statistic, "paired_df": r.paired.df, "effect_size": r.paired.effectSize,
                 "p_paired": r.paired.p, "p_holm": r.pHolm]
            },
            "per_image": s.images.map { im -> [String: Any] in
                ["index": im.index, "label": im.label, "original_logits": im.originalLogits, "original_loss": im.originalLoss,
                 "per_k": im.perK.map { p -> [String: Any] in
                     ["k": p.k, "k_effective": p.rankedPixels.count, "ranked_pixels": p.rankedPixels, "ranked_logits": p.rankedLogits,
                      "ranked_loss_difference": p.rankedLossDifference, "random_loss_differences": p.randomLossDifferences,
                      "random_logits": p.randomLogits, "random_mean_logits": p.randomMeanLogits]
                 }]
            },
        ]
    }

    /// Table 1 as CSV.
    public static func sensitivityCSV(_ s: SensitivityStudy) -> String {
        var lines = ["k,k_effective,mean_difference,variance_r,variance_random,standard_error,statistic,df,p_welch,p_z,"
                     + "paired_mean_difference,paired_standard_error,effect_size,p_paired,p_holm"]
        for r in s.table {
            let t = r.test, d = r.paired
            lines.append([Double(r.k), Double(r.kEffective), t.meanDifference, t.varianceX, t.varianceY, t.standardError, t.statistic, t.df, t.pWelch, t.pZ,
                          d.meanDifference, d.standardError, d.effectSize, d.p, r.pHolm]
                .map { $0.isNaN ? "nan" : "\($0)" }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Fig. 3: loss difference vs k, R-ranked and random, for up and down flips.
    public static func figure3(up: SensitivityStudy, down: SensitivityStudy) -> String {
        func groups(_ s: SensitivityStudy, _ name: String, _ c: Int) -> [ScatterGroup] {
            var rx: [Double] = [], ry: [Double] = [], qx: [Double] = [], qy: [Double] = []
            for im in s.images {
                for p in im.perK {
                    rx.append(Double(p.k)); ry.append(p.rankedLossDifference)
                    qx.append(Double(p.k)); qy.append(p.randomLossDifferences.reduce(0, +) / Double(max(p.randomLossDifferences.count, 1)))
                }
            }
            return [ScatterGroup(name: "\(name), R-ranked", x: rx, y: ry, color: Palette.categorical(c)),
                    ScatterGroup(name: "\(name), random (mean of subsets)", x: qx, y: qy, color: Palette.categorical(c + 1), dashedMean: true)]
        }
        return ScatterPlot(title: "Loss difference after flipping k pixels", xLabel: "k (pixels flipped)",
                           yLabel: "CE(perturbed) − CE(original)", groups: groups(up, "up flips", 0) + groups(down, "down flips", 2),
                           dodge: 0.0).svg()
    }

    /// Fig. 4: logits of one image, original vs R-flipped vs random-flipped, at the k nearest `k`.
    public static func figure4(_ s: SensitivityStudy, image: Int = 0, k: Int = 100) -> String {
        guard let im = s.images.first(where: { $0.index == image }) ?? s.images.first,
              let p = im.perK.min(by: { abs($0.k - k) < abs($1.k - k) }) else { return "" }
        return GroupedBarChart(title: "Logits, test image \(im.index) (label \(im.label)), k = \(p.k), \(s.options.mode.rawValue) flips",
                               xLabel: "class", yLabel: "logit", categories: (0..<10).map(String.init),
                               series: [BarSeries(name: "original", values: im.originalLogits),
                                        BarSeries(name: "R-flipped", values: p.rankedLogits),
                                        BarSeries(name: "random-flipped", values: p.randomLogits)]).svg()
    }

    /// The report's index.html: the summary, each figure (SVG files next to it) and Table 1.
    /// `extra`: markdown shown after Table 1 under its own heading (nothing when empty).
    public static func indexHTML(summary: [String], figures: [String], table: String, extra: String = "") -> String {
        let section = extra.isEmpty ? "" : "<h2>Q frame and CLV frame</h2><pre>\(extra)</pre>"
        return """
        <!doctype html><html><head><meta charset="utf-8"><title>ftle report</title>
        <style>body{font-family:sans-serif;max-width:980px;margin:auto;padding:1em}
        @media (prefers-color-scheme: dark){body{background:#1e1e1e;color:#ddd}}
        img{max-width:100%;display:block;margin:1em 0}</style></head><body>
        <h1>ftle report</h1><pre>\(summary.joined(separator: "\n"))</pre>
        \(figures.map { "<h2>\($0)</h2><img src=\"\($0).svg\" alt=\"\($0)\">" }.joined(separator: "\n"))
        <h2>Table 1</h2><pre>\(table)</pre>\(section)</body></html>
        """
    }
}
