import Foundation
import Statistics

/// `report --clv-frame`: the alignment study in the Q frame and in the CLV frame side by side.
extension StudyReport {
    /// One row of the side-by-side table: a study and what it is of.
    public struct FrameRow: Sendable {
        /// The model's name (e.g. "trained") and the convention ("ftle", "paper-code", or the --jacobian).
        public var model: String, convention: String
        public var study: AlignmentStudy
        public var frame: AlignmentFrame
        public init(model: String, convention: String, study: AlignmentStudy, frame: AlignmentFrame) {
            self.model = model; self.convention = convention; self.study = study; self.frame = frame
        }
    }

    /// Mean |cosine| of a group's pooled alignment values (NaN when there are none).
    public static func meanAbsolute(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0) { $0 + abs($1) } / Double(values.count)
    }

    /// The frame's label in the table: "Q, all steps", "Q, steps a–b" or "CLV, steps a–b".
    static func frameLabel(_ row: FrameRow) -> String {
        let steps = row.study.comparedSteps
        switch row.frame {
        case .q: return "Q, all steps 1–\(steps.upperBound)"
        case .qSteps: return "Q, steps \(steps.lowerBound)–\(steps.upperBound)"
        case .clv: return "CLV, steps \(steps.lowerBound)–\(steps.upperBound)"
        }
    }

    /// A markdown section: per model and convention, the study's three group statistics (std of
    /// the cosines of the first `--first` singular vectors with Q or CLV indices 1–10, the last
    /// ten and ten random ones) and the mean |cosine| of each group, in the Q frame at every step,
    /// the Q frame at the CLV frame's steps and the CLV frame, with the random baseline.
    public static func frameComparison(_ rows: [FrameRow]) -> String {
        func f(_ x: Double) -> String { x.isFinite ? String(format: "%.3f", x) : "–" }
        var md = ["## Alignment in the Q frame and in the CLV frame", "",
                  "The CLVs v_k(t) (Ginelli's method, K = N, the same --jacobian) replace the Q vectors q_k(t); both iterations "
                  + "forget their start over W = T/4 steps, so the CLV frame compares steps W+1…T−W only, and the Q frame is shown "
                  + "at those steps too (like for like) and at every step. CLVs are unit vectors but not orthogonal: each cosine "
                  + "is still v_k · e_j of unit vectors. std: the study's statistic of the cosines (as align); mean |cos|: the "
                  + "mean absolute cosine of the same values.", "",
                  "| model | convention | frame | std first 10 | std last 10 | std random 10 | mean \\|cos\\| first 10 | mean \\|cos\\| last 10 | mean \\|cos\\| random 10 | random baseline |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for row in rows {
            let s = row.study
            md.append("| \(row.model) | \(row.convention) | \(frameLabel(row)) | \(f(s.stdFirst10)) | \(f(s.stdLast10)) | \(f(s.stdRandom10)) | "
                      + "\(f(meanAbsolute(s.valuesFirst10))) | \(f(meanAbsolute(s.valuesLast10))) | \(f(meanAbsolute(s.valuesRandom10))) | \(f(s.randomBaseline)) |")
        }
        return md.joined(separator: "\n") + "\n"
    }
}
