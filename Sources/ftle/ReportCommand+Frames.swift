import Analysis
import Foundation
import MNIST
import RNN

/// `report --clv-frame`: each row-wise alignment study again in the CLV frame, and in the Q frame
/// at the CLV frame's steps, side by side (`StudyReport.frameComparison`).
extension Report {
    /// The side-by-side rows of one alignment run: `qStudy` (the Q frame at every step, already
    /// run), then the Q frame at steps W+1…T−W and the CLV frame there (W = T/4, C_T from
    /// --seed + 1, as align's defaults), each written as `alignment-<tag>-q-window.json` and
    /// `alignment-<tag>-clv.json`. About 2.5 times the Q study's time in all.
    func frameRows(_ m: RNNModel<Double>, model name: String, convention: String, tag: String, qStudy: AlignmentStudy,
                   options o: AlignmentStudy.Options, data: MNISTDataset, indices: [Int], threads: Int) throws -> [StudyReport.FrameRow] {
        let window = m.task.steps / 4
        var rows = [StudyReport.FrameRow(model: name, convention: convention, study: qStudy, frame: .q)]
        for (frame, suffix) in [(AlignmentFrame.qSteps(window: window), "q-window"), (.clv(window: window, seed: seed &+ 1), "clv")] {
            print("  \(suffix == "clv" ? "CLV frame" : "Q frame at the CLV frame's steps") …"); fflush(nil)
            var options = o
            options.frame = frame
            let s = try AlignmentStudy(model: m, data: data, indices: indices, options: options, threads: threads,
                                       progress: ProgressLine(label: "  sample").update)
            try write("alignment-\(tag)-\(suffix).json", jsonText(StudyReport.alignmentJSON(s, options: options)))
            rows.append(StudyReport.FrameRow(model: name, convention: convention, study: s, frame: frame))
        }
        return rows
    }

    /// One summary line of a CLV-frame row.
    static func frameSummary(_ row: StudyReport.FrameRow) -> String {
        let s = row.study
        return String(format: "%@, CLV frame (steps %d–%d): std first/last/random ten = %.3f / %.3f / %.3f", row.model,
                      s.comparedSteps.lowerBound, s.comparedSteps.upperBound, s.stdFirst10, s.stdLast10, s.stdRandom10)
    }
}
