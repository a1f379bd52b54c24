import Foundation
import Testing
import TerminalUI

/// Theme-parser cases from the libFuzzer target `fuzz-theme` (see docs/fuzzing.md), whose
/// properties are: warnings are one printable line, and CRLF line ends change nothing.
@Suite struct ThemeFuzzRegressionTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz/theme").path

    /// A theme saved with Windows line ends used to be read as a single line and rejected.
    @Test func crlfLineEndsParseLikeLF() throws {
        let text = try String(contentsOfFile: Self.fixtures + "/crlf-line-ends.theme", encoding: .utf8)
        #expect(text.contains("\r\n"))
        let crlf = Theme.parse(text: text, name: "crlf")
        let lf = Theme.parse(text: text.replacingOccurrences(of: "\r\n", with: "\n"), name: "crlf")
        #expect(crlf.warnings.isEmpty)
        #expect(crlf == lf)
        #expect(crlf.theme[.accent] == .rgb(0x11, 0x22, 0x33))
        #expect(crlf.definedKeys == [.accent, .title])
    }

    @Test func controlCharactersInWarningsAreEscaped() {
        let r = Theme.parse(text: "accent = \"#112233\"\nacc\u{1b}[2Jent = \"#000000\"\n", name: "t")
        #expect(r.warnings == ["line 2: unknown key \"acc\\u{1b}[2Jent\""])
    }

    @Test func aLoneCarriageReturnAlsoEndsALine() {
        let r = Theme.parse(text: "accent = \"#112233\"\rtitle = \"#445566\"", name: "t")
        #expect(r.warnings.isEmpty)
        #expect(r.definedKeys == [.accent, .title])
    }
}
