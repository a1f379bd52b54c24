import Foundation
import TestSupport
import Testing

/// `ftle align --frame q|clv` through the real binary on the shipped row-wise model (H = 128,
/// T = 28): the default and `--frame q` write the same bytes (no frame key), and the CLV frame
/// says which steps it compared and keeps only those. The numerics are held in
/// AnalysisTests/ClvFrameAlignmentTests.
@Suite(.enabled(if: CLI.available, "the ftle binary is not built"), .serialized)
struct AlignFrameCLITests {
    static let model = CLI.root + "/Samples/models/rowwise-h128.safetensors"

    static func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }

    @Test func frameQIsTheDefaultByteForByte() throws {
        let base = ["align", "--model", Self.model, "--samples", "2"]
        let plain = try CLI.run(base), q = try CLI.run(base + ["--frame", "q"])
        #expect(plain.status == 0 && q.status == 0, "\(plain.stderr) \(q.stderr)")
        #expect(plain.stdout == q.stdout)
        let obj = try Self.json(q.stdout)
        #expect(obj["frame"] == nil && obj["window"] == nil && obj["compared_steps"] == nil)
        #expect((obj["std_by_index_first5"] as? [[Double]])?.count == 28)
    }

    @Test(arguments: ["forward", "transposed"])
    func clvFrameSaysWhichStepsItCompared(jacobian: String) throws {
        let r = try CLI.run(["align", "--model", Self.model, "--samples", "2", "--frame", "clv", "--jacobian", jacobian])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try Self.json(r.stdout)
        // T = 28: the default window is T/4 = 7, so steps 8…21 are compared.
        #expect(obj["frame"] as? String == "clv" && obj["window"] as? Int == 7 && obj["compared_steps"] as? [Int] == [8, 21])
        #expect(obj["steps"] as? Int == 28 && obj["jacobian"] as? String == jacobian && obj["clv_seed"] as? Int == 1)
        let byIndex = obj["std_by_index_first5"] as? [[Double]] ?? []
        #expect(byIndex.count == 14 && byIndex.allSatisfy { $0.count == 128 })
        #expect((obj["rank_by_step"] as? [Int])?.count == 14)
        for key in ["std_first10", "std_last10", "std_random10"] {
            let v = obj[key] as? Double ?? .nan
            #expect(v > 0 && v <= 1, "\(key) = \(v)")
        }
    }

    /// --frame q --window W: the Q frame at the CLV frame's steps, its rows those of the Q frame
    /// at every step (the same computation, fewer steps), bit for bit.
    @Test func qFrameWithAWindowKeepsThoseRowsOfTheWholeQFrame() throws {
        let base = ["align", "--model", Self.model, "--samples", "2"]
        let all = try Self.json(try CLI.run(base).stdout), windowed = try CLI.run(base + ["--window", "7"])
        #expect(windowed.status == 0, "\(windowed.stderr)")
        let obj = try Self.json(windowed.stdout)
        #expect(obj["frame"] as? String == "q" && obj["window"] as? Int == 7 && obj["compared_steps"] as? [Int] == [8, 21])
        #expect(obj["clv_seed"] == nil)
        let rows = obj["std_by_index_first5"] as? [[Double]] ?? [], allRows = all["std_by_index_first5"] as? [[Double]] ?? []
        #expect(rows.count == 14 && allRows.count == 28 && rows == Array(allRows[7..<21]))
        #expect(obj["rank_by_step"] as? [Int] == Array((all["rank_by_step"] as? [Int] ?? [])[7..<21]))
    }

    @Test func clvFrameCSVRowsAreTheComparedSteps() throws {
        let r = try CLI.run(["align", "--model", Self.model, "--samples", "1", "--frame", "clv", "--window", "10", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 1 + 8 * 128)
        let steps = Set(lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[0] })
        #expect(steps == Set((11...18).map { Substring(String($0)) }))
    }
}
