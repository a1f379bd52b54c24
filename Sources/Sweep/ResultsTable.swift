import Figures
import Foundation

/// The finished jobs of a sweep as one table: `DIR/results.csv` and the λ_1 / accuracy figure.
///
/// Columns, in order: `id`; one per grid option, named as the option (`hidden`, `seed`, `lr`, …),
/// holding the value as given; `test_accuracy`, `test_loss`; `lambda1` … `lambda5`,
/// `kaplan_yorke`, `entropy` (from the spectrum analysis); when any job ran them,
/// `align_std_first10`, `align_std_last10`, `align_std_random10`, `align_random_baseline`, and per
/// flip count k of Table 1 `perturb_k<k>_mean_difference`, `perturb_k<k>_p_welch`; last `seconds`.
/// Numbers are written in Swift's shortest round-trip form; an exponent that is −∞ is `-inf`; a
/// value a job does not have (λ_5 when K < 5, an analysis it did not run) is an empty field.
public struct ResultsTable: Sendable {
    public var gridNames: [String]
    public var results: [JobResult]

    /// `results` in ID order.
    public init(gridNames: [String], results: [JobResult]) {
        self.gridNames = gridNames
        self.results = results.sorted { $0.id < $1.id }
    }

    var hasAlign: Bool { results.contains { $0.align != nil } }
    var perturbKs: [Int] { Array(Set(results.flatMap { $0.perturb?.map(\.k) ?? [] })).sorted() }

    public var header: [String] {
        var columns = ["id"] + gridNames + ["test_accuracy", "test_loss"] + (1...5).map { "lambda\($0)" } + ["kaplan_yorke", "entropy"]
        if hasAlign { columns += ["align_std_first10", "align_std_last10", "align_std_random10", "align_random_baseline"] }
        for k in perturbKs { columns += ["perturb_k\(k)_mean_difference", "perturb_k\(k)_p_welch"] }
        return columns + ["seconds"]
    }

    public func row(_ r: JobResult) -> [String] {
        func number(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }
        var fields = ["\(r.id)"] + gridNames.map { r.grid[$0] ?? "" } + [number(r.testAccuracy), number(r.testLoss)]
        for i in 0..<5 {
            guard let s = r.spectrum, i < s.lambda.count else { fields.append(""); continue }
            fields.append(s.lambda[i].map { "\($0)" } ?? "-inf")
        }
        fields += [number(r.spectrum?.kaplanYorke), number(r.spectrum?.entropy)]
        if hasAlign {
            fields += [number(r.align?.stdFirst10), number(r.align?.stdLast10), number(r.align?.stdRandom10), number(r.align?.randomBaseline)]
        }
        for k in perturbKs {
            let row = r.perturb?.first { $0.k == k }
            fields += [number(row?.meanDifference), number(row?.pWelch)]
        }
        return fields + [number(r.seconds["total"])]
    }

    /// The CSV text (RFC 4180 quoting where a field needs it).
    public func csv() -> String {
        ([header] + results.map(row)).map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// λ_1 (y) against test accuracy (x), one colour per value of the grid option `colorBy`
    /// (in the grid's order). Jobs without a finite λ_1 or an accuracy are left out; the title
    /// says how many.
    public func lambdaAccuracyFigure(colorBy: String, values: [String]) -> ScatterPlot {
        var groups: [ScatterGroup] = []
        var plotted = 0
        for (index, value) in values.enumerated() {
            var x: [Double] = [], y: [Double] = []
            for r in results where r.grid[colorBy] == value {
                guard let accuracy = r.testAccuracy, let first = r.spectrum?.lambda.first, let lambda1 = first, lambda1.isFinite else { continue }
                x.append(accuracy)
                y.append(lambda1)
            }
            plotted += x.count
            groups.append(ScatterGroup(name: "\(colorBy) = \(value)", x: x, y: y, color: Palette.categorical(index)))
        }
        let left = results.count - plotted
        let title = "λ1 against test accuracy by \(colorBy) (\(plotted) jobs" + (left > 0 ? ", \(left) without λ1 or accuracy)" : ")")
        return ScatterPlot(title: title, xLabel: "test accuracy", yLabel: "λ1 (largest Lyapunov exponent)", groups: groups,
                           showsMeans: false)
    }
}

/// One CSV field, quoted when it holds a comma, a quote or a line break.
func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
