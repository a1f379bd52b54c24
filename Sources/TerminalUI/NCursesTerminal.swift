import CNCurses
import Foundation

/// Why the terminal could not be set up; `description` is one line for the user.
public struct TerminalSetupError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The ncurses backend — the only file that imports `CNCurses`.
///
/// Setup: sets the locale from the environment (`setlocale(LC_ALL, "")`) and picks the
/// glyph set from whether it is UTF-8; opens the screen with `newterm` (a bad `TERM` is a
/// thrown error, not an exit); cbreak, noecho, keypad, 25 ms escape delay, hidden cursor,
/// left-button clicks. ncurses' own SIGINT/SIGTERM handlers restore the terminal on ^C.
///
/// Colours: the mode is ``ColorMode/detect(environment:terminalColors:)`` capped by what
/// the terminal description can draw (truecolor only for direct-colour descriptions such
/// as `xterm-direct`; otherwise colours are quantised to 256 or 8). Colour pairs are
/// allocated on demand with `init_extended_pair` and cached by their (foreground,
/// background) colour numbers; the palette is never changed (`init_color` is not used).
/// If the pairs run out the cache starts over and the screen is redrawn.
///
/// Use from one thread. Call ``restore()`` before exiting (it also runs on deinit).
public final class NCursesTerminal: TerminalBackend {
    /// The colours curses can draw from the terminal description (capped by it).
    public let colorMode: ColorMode
    /// The colours actually sent: `colorMode`, or truecolor when it was asked for (or
    /// detected from `COLORTERM`) on a terminal described with 256 colours; the backend then
    /// writes SGR 38;2 / 48;2 itself (every such terminal emulator understands them).
    public let outputColorMode: ColorMode
    /// What was asked for (or detected from the environment), when it is not what is sent,
    /// as one line for the status bar; nil when they agree.
    public let colorModeNote: String?
    public let glyphs: GlyphSet
    /// Whether the locale's codeset is UTF-8.
    public let isUTF8: Bool
    /// The `TERM` the screen was opened with.
    public let terminalName: String

    private let screen: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>
    private let ownedFiles: [UnsafeMutablePointer<FILE>]
    private let outputFile: UnsafeMutablePointer<FILE>
    private let inputDescriptor: Int32
    private let hasDefaultColors: Bool
    /// Whether the terminal description switches to an alternate screen (`smcup`); without
    /// one (vt100, linux) the last frame would stay on screen after quitting.
    public let hasAlternateScreen: Bool
    private var previous: Grid?
    private var pairCache: [PairKey: Int32] = [:]
    private var nextPair: Int32 = 1
    private var pairsWereRecycled = false
    private(set) var isRestored = false

    private struct PairKey: Hashable {
        var foreground: Int32
        var background: Int32
    }

    /// Opens the terminal.
    /// - Parameters:
    ///   - environment: where `TERM`, `COLORTERM` and `NO_COLOR` are read.
    ///   - colorMode: forces a mode (still capped by the terminal); nil detects it.
    ///   - outputPath, inputPath: files to use instead of stdout/stdin (e.g. `/dev/null`
    ///     for a headless test).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                colorMode requestedMode: ColorMode? = nil,
                outputPath: String? = nil, inputPath: String? = nil) throws {
        setlocale(LC_ALL, "")
        let codeset = nl_langinfo(nl_item(CODESET)).map { String(cString: $0) } ?? ""
        isUTF8 = GlyphSet.isUTF8(codeset: codeset)
        glyphs = GlyphSet.forLocale(isUTF8: isUTF8)

        guard let term = environment["TERM"], !term.isEmpty else {
            throw TerminalSetupError(
                "TERM is not set; ftle explore needs a terminal description (try TERM=xterm-256color)")
        }
        terminalName = term

        var opened: [UnsafeMutablePointer<FILE>] = []
        func open(_ path: String?, mode: String, standard descriptor: Int32) throws -> UnsafeMutablePointer<FILE> {
            if let path {
                guard let file = fopen(path, mode) else {
                    throw TerminalSetupError("cannot open \(path) for the terminal: \(String(cString: strerror(errno)))")
                }
                opened.append(file)
                return file
            }
            guard let file = fdopen(descriptor, mode) else {
                throw TerminalSetupError("cannot use file descriptor \(descriptor) for the terminal")
            }
            return file
        }
        let output = try open(outputPath, mode: "w", standard: STDOUT_FILENO)
        let input = try open(inputPath, mode: "r", standard: STDIN_FILENO)
        let inputFD = fileno(input)
        guard let screen = newterm(term, output, input) else {
            opened.forEach { fclose($0) }
            throw TerminalSetupError(
                "TERM=\(term) is not a terminal description this system knows (try TERM=xterm-256color)")
        }
        guard let window = ftle_stdscr() else {
            endwin()
            delscreen(screen)
            opened.forEach { fclose($0) }
            throw TerminalSetupError("ncurses opened no screen window for TERM=\(term)")
        }
        self.screen = screen
        self.window = window
        outputFile = output
        ownedFiles = opened
        inputDescriptor = inputFD

        cbreak()
        noecho()
        nonl()
        keypad(window, true)
        set_escdelay(25)
        curs_set(0)
        mouseinterval(0)
        mousemask(ftle_button1_pressed(), nil)

        var terminalColors = 0
        var defaultColors = false
        if has_colors() {
            start_color()
            defaultColors = use_default_colors() == OK
            terminalColors = Int(ftle_colors())
        }
        hasDefaultColors = defaultColors
        let smcup = tigetstr("smcup")
        hasAlternateScreen = smcup.map { Int(bitPattern: $0) != -1 && $0.pointee != 0 } ?? false
        let wanted = requestedMode ?? ColorMode.detect(environment: environment, terminalColors: terminalColors)
        colorMode = min(wanted, ColorMode.drawable(terminalColors: terminalColors))
        outputColorMode = wanted == .trueColor && colorMode == .palette256 ? .trueColor : colorMode
        colorModeNote = outputColorMode == wanted ? nil
            : "colours: \(outputColorMode) (\(wanted) asked; TERM=\(term) describes \(terminalColors) colours)"
    }

    deinit { restore() }

    public var size: TerminalSize {
        TerminalSize(width: Int(ftle_cols()), height: Int(ftle_lines()))
    }

    /// Number of colour pairs allocated so far (for tests).
    var allocatedPairCount: Int { pairCache.count }

    public func flush(_ grid: Grid) {
        guard !isRestored else { return }
        if outputColorMode != colorMode {
            flushDirect(grid)
            return
        }
        pairsWereRecycled = false
        for change in grid.diff(from: previous) { draw(change.cell, x: change.x, y: change.y) }
        if pairsWereRecycled {
            // Recycled pair numbers repaint cells drawn earlier: draw everything again.
            for change in grid.diff(from: nil) { draw(change.cell, x: change.x, y: change.y) }
        }
        wrefresh(window)
        previous = grid
    }

    public func readKey(timeoutMs: Int) -> Key? {
        guard !isRestored else { return nil }
        wtimeout(window, Int32(clamping: timeoutMs))
        var character: wint_t = 0
        let status = wget_wch(window, &character)
        if status == KEY_CODE_YES { return key(forCode: Int32(bitPattern: character)) }
        guard status == OK, let scalar = Unicode.Scalar(UInt32(character)) else { return nil }
        return Key(character: Character(scalar))
    }

    /// Polls the input descriptor: POLLHUP/POLLERR/POLLNVAL, or readable with nothing to
    /// read (end of file), mean the terminal is gone.
    public var inputHasHungUp: Bool {
        guard !isRestored else { return true }
        var fds = pollfd(fd: inputDescriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&fds, 1, 0) > 0 else { return false }
        if fds.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return true }
        if fds.revents & Int16(POLLIN) != 0 {
            var available: Int32 = 0
            if ioctl(inputDescriptor, UInt(FIONREAD), &available) == 0, available == 0 {
                // Readable yet empty: end of file, unless ncurses has already buffered input.
                return true
            }
        }
        return false
    }

    public func invalidate() {
        guard !isRestored else { return }
        previous = nil
        clearok(window, true)
        // Direct output never touches the window: let curses clear the screen now, before
        // the next frame is written, not at the next key read.
        if outputColorMode != colorMode { wrefresh(window) }
    }

    /// Writes the changed cells with cursor addressing and 24-bit SGR straight to the
    /// terminal; curses keeps the keyboard and thinks the screen is blank.
    private func flushDirect(_ grid: Grid) {
        wrefresh(window)   // anything curses still owes (the first clear) goes out first
        var text = ""
        var cursor: (x: Int, y: Int)?
        var style: ANSIStyle?
        for change in grid.diff(from: previous) {
            if cursor.map({ $0.x != change.x || $0.y != change.y }) ?? true { text += "\u{1B}[\(change.y + 1);\(change.x + 1)H" }
            let cellStyle = ANSIStyle(cell: change.cell, mode: .trueColor)
            if cellStyle != style { text += cellStyle.sgr }
            style = cellStyle
            text.append(change.cell.symbol)
            cursor = (change.x + 1, change.y)
        }
        text += "\u{1B}[0m"
        fputs(text, outputFile)
        fflush(outputFile)
        previous = grid
    }

    public func restore() {
        guard !isRestored else { return }
        isRestored = true
        if !hasAlternateScreen {
            // Nothing restores the shell's screen: leave it blank, cursor at the top.
            werase(window)
            wmove(window, 0, 0)
            wrefresh(window)
        }
        endwin()
        delscreen(screen)
        ownedFiles.forEach { fclose($0) }
    }

    // MARK: - Drawing

    private func draw(_ cell: Cell, x: Int, y: Int) {
        var attributes = ftle_a_normal()
        if cell.attributes.contains(.bold) { attributes |= ftle_a_bold() }
        if cell.attributes.contains(.dim) || isDimInEightColors(cell.foreground) { attributes |= ftle_a_dim() }
        if cell.attributes.contains(.underline) { attributes |= ftle_a_underline() }
        if cell.attributes.contains(.reverse) { attributes |= ftle_a_reverse() }
        var pair = colorMode == .monochrome ? 0 : pairNumber(foreground: cell.foreground, background: cell.background)
        let wide: [wchar_t] = cell.symbol.unicodeScalars.prefix(4).map { wchar_t(bitPattern: $0.value) } + [0]
        var complex = cchar_t()
        setcchar(&complex, wide, attributes, 0, &pair)
        mvwadd_wch(window, Int32(y), Int32(x), &complex)
    }

    /// Whether 8-colour output draws this foreground dim (see ``ColorQuantizer/basic8(r:g:b:)``).
    private func isDimInEightColors(_ color: Color) -> Bool {
        guard colorMode == .ansi8, case let .rgb(r, g, b) = color else { return false }
        return ColorQuantizer.basic8(r: r, g: g, b: b).dim
    }

    private func pairNumber(foreground: Color, background: Color) -> Int32 {
        let key = PairKey(foreground: colorNumber(foreground, isForeground: true),
                          background: colorNumber(background, isForeground: false))
        if key.foreground == -1 && key.background == -1 { return 0 }
        if let pair = pairCache[key] { return pair }
        if nextPair >= ftle_color_pairs() {
            pairCache.removeAll()
            nextPair = 1
            pairsWereRecycled = true
        }
        let pair = nextPair
        guard init_extended_pair(pair, key.foreground, key.background) == OK else { return 0 }
        nextPair += 1
        pairCache[key] = pair
        return pair
    }

    /// The curses colour number for a colour in the current mode (−1 = terminal default).
    private func colorNumber(_ color: Color, isForeground: Bool) -> Int32 {
        guard case let .rgb(r, g, b) = color else {
            if hasDefaultColors { return -1 }
            return isForeground ? Int32(COLOR_WHITE) : Int32(COLOR_BLACK)
        }
        switch colorMode {
        case .trueColor: return Int32(r) << 16 | Int32(g) << 8 | Int32(b)
        case .palette256: return Int32(ColorQuantizer.xterm256Index(r: r, g: g, b: b))
        case .ansi8: return Int32(ColorQuantizer.basic8(r: r, g: g, b: b).index)
        case .monochrome: return -1
        }
    }

    // MARK: - Keys

    private func key(forCode code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_BTAB: return .backTab
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_IC: return .insert
        case ftle_key_resize():
            previous = nil
            return .resize
        case ftle_key_mouse():
            var event = MEVENT()
            guard getmouse(&event) == OK, event.bstate & ftle_button1_pressed() != 0 else { return nil }
            return .mouse(x: Int(event.x), y: Int(event.y))
        case (KEY_F0 + 1)...(KEY_F0 + 63): return .function(Int(code - KEY_F0))
        default: return nil
        }
    }
}
