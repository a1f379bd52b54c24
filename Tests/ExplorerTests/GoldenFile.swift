import Foundation
import Testing

/// Golden text snapshots in `Tests/ExplorerTests/Golden/<name>.txt`. A missing file, or
/// `FTLE_UPDATE_GOLDEN=1` in the environment, writes the file and records an issue (so
/// creating a snapshot never passes silently); otherwise the text must match exactly.
enum GoldenFile {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func check(_ text: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let file = directory.appendingPathComponent(name + ".txt")
        let update = ProcessInfo.processInfo.environment["FTLE_UPDATE_GOLDEN"] == "1"
        guard !update, let expected = try? String(contentsOf: file, encoding: .utf8) else {
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try? (text + "\n").write(to: file, atomically: true, encoding: .utf8)
            Issue.record("wrote golden file \(file.lastPathComponent); check it and run again", sourceLocation: sourceLocation)
            return
        }
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        let actualLines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(actualLines.count == expectedLines.count, "\(name): line count", sourceLocation: sourceLocation)
        for (index, (actual, wanted)) in zip(actualLines, expectedLines).enumerated() where actual != wanted {
            Issue.record("\(name) line \(index + 1) differs:\n  got      \(actual)\n  expected \(wanted)", sourceLocation: sourceLocation)
            return
        }
    }
}
