import Foundation
import Testing
import TestSupport
@testable import TerminalUI

/// Headless smoke tests: ncurses writes to /dev/null and reads from /dev/null. Serialized,
/// because curses state is process-global.
@Suite(.serialized) struct NCursesTerminalTests {
    private func open(_ environment: [String: String], colorMode: ColorMode? = nil) throws -> NCursesTerminal {
        try NCursesTerminal(environment: environment, colorMode: colorMode,
                            outputPath: "/dev/null", inputPath: "/dev/null")
    }

    @Test func missingTermIsAOneLineError() {
        let error = #expect(throws: TerminalSetupError.self) { try open([:]) }
        #expect(error?.description
            == "TERM is not set; ftle explore needs a terminal description (try TERM=xterm-256color)")
    }

    @Test func unknownTermIsAOneLineError() {
        let error = #expect(throws: TerminalSetupError.self) { try open(["TERM": "no-such-terminal-ftle"]) }
        #expect(error?.description
            == "TERM=no-such-terminal-ftle is not a terminal description this system knows (try TERM=xterm-256color)")
    }

    @Test func colourModeIsDetectedAndCappedByTheTerminal() throws {
        let plain = try open(["TERM": "xterm-256color"])
        #expect(plain.colorMode == .palette256)
        plain.restore()
        let truecolor = try open(["TERM": "xterm-256color", "COLORTERM": "truecolor"])
        #expect(truecolor.colorMode == .palette256)
        truecolor.restore()
        let linux = try open(["TERM": "linux"])
        #expect(linux.colorMode == .ansi8)
        linux.restore()
        let forced = try open(["TERM": "xterm-256color"], colorMode: .monochrome)
        #expect(forced.colorMode == .monochrome)
        forced.restore()
    }

    @Test func flushAllocatesOnePairPerColourCombinationAndRestoreIsIdempotent() throws {
        let terminal = try open(["TERM": "xterm-256color"])
        #expect(terminal.size.width > 0 && terminal.size.height > 0)
        var grid = Grid(width: 10, height: 3)
        grid.put(text: "red", at: (0, 0), style: Style(foreground: .rgb(255, 0, 0)))
        grid.put(text: "red2", at: (0, 1), style: Style(foreground: .rgb(250, 5, 5)))  // same 256-colour index
        grid.put(text: "⣿▀█", at: (0, 2), style: Style(foreground: .rgb(0, 0, 255), background: .rgb(0, 0, 0)))
        terminal.flush(grid)
        #expect(terminal.allocatedPairCount == 2)
        terminal.flush(grid)
        #expect(terminal.allocatedPairCount == 2)
        #expect(terminal.readKey(timeoutMs: 0) == nil)
        terminal.restore()
        terminal.restore()
        #expect(terminal.isRestored)
        terminal.flush(grid)
        #expect(terminal.readKey(timeoutMs: 0) == nil)
    }

    /// Input whose other end has gone (here a pipe with its write end closed; in life a closed
    /// ssh connection or tmux pane, where the pty reports POLLHUP) reads as hung up, so the
    /// explorer stops instead of spinning on a dead descriptor.
    @Test func closedInputIsAHangUp() throws {
        var fds: [Int32] = [0, 0]
        // Under the spawn lock and close-on-exec: a child spawned by a parallel test must not
        // inherit the write end (the pipe would then never read as hung up).
        Subprocess.spawnLock.lock()
        #expect(pipe(&fds) == 0)
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        close(fds[1])
        Subprocess.spawnLock.unlock()
        let terminal = try NCursesTerminal(environment: ["TERM": "xterm-256color"], colorMode: nil,
                                           outputPath: "/dev/null", inputPath: "/dev/fd/\(fds[0])")
        defer { terminal.restore() }
        #expect(terminal.inputHasHungUp)
    }

    /// An open, empty pipe is not a hang-up: the user just has not typed anything.
    @Test func quietInputIsNotAHangUp() throws {
        var fds: [Int32] = [0, 0]
        Subprocess.spawnLock.lock()
        #expect(pipe(&fds) == 0)
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        Subprocess.spawnLock.unlock()
        defer { close(fds[1]) }
        let terminal = try NCursesTerminal(environment: ["TERM": "xterm-256color"], colorMode: nil,
                                           outputPath: "/dev/null", inputPath: "/dev/fd/\(fds[0])")
        defer { terminal.restore() }
        #expect(!terminal.inputHasHungUp)
    }
}
