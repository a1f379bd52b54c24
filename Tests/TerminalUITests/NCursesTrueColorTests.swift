import Foundation
import Testing
import TestSupport
@testable import TerminalUI

/// 24-bit colour is sent when asked for or detected, and a mode other than the one asked
/// for is reported (issue #16, item 11). Serialized: curses state is process-global.
@Suite(.serialized) struct NCursesTrueColorTests {
    @Test func truecolorOnA256ColourDescriptionSendsSGR38And2() throws {
        let output = makeTemporaryDirectory("ftle-truecolor") + "/out"
        FileManager.default.createFile(atPath: output, contents: nil)
        let terminal = try NCursesTerminal(environment: ["TERM": "xterm-256color", "COLORTERM": "truecolor"],
                                           outputPath: output, inputPath: "/dev/null")
        #expect(terminal.colorMode == .palette256)
        #expect(terminal.outputColorMode == .trueColor)
        #expect(terminal.colorModeNote == nil)
        var grid = Grid(width: 4, height: 2)
        grid.put(text: "ab", at: (1, 1), style: Style(foreground: .rgb(255, 10, 0), background: .rgb(0, 0, 40)))
        terminal.flush(grid)
        terminal.restore()
        let written = try String(contentsOfFile: output, encoding: .utf8)
        #expect(written.contains("\u{1B}[2;1H"))
        #expect(written.contains("\u{1B}[0;38;2;255;10;0;48;2;0;0;40mab"), "\(written.debugDescription)")
        #expect(!written.contains("38;5;"))
    }

    @Test func aCappedModeIsReported() throws {
        let linux = try NCursesTerminal(environment: ["TERM": "linux"], colorMode: .trueColor,
                                        outputPath: "/dev/null", inputPath: "/dev/null")
        #expect(linux.outputColorMode == .ansi8)
        #expect(linux.colorModeNote == "colours: 8 (truecolor asked; TERM=linux describes 8 colours)")
        linux.restore()
        let plain = try NCursesTerminal(environment: ["TERM": "xterm-256color"], outputPath: "/dev/null", inputPath: "/dev/null")
        #expect(plain.outputColorMode == .palette256 && plain.colorModeNote == nil)
        plain.restore()
    }
}
