/// A terminal's size in cells.
public struct TerminalSize: Hashable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
    public var description: String { "\(width)×\(height)" }
}

/// What the explorer needs from a terminal: its size and capabilities, showing a grid,
/// reading keys and giving the terminal back. ``NCursesTerminal`` is the real one,
/// ``MemoryTerminal`` a scripted stand-in for tests. Use from one thread only.
public protocol TerminalBackend: AnyObject {
    var size: TerminalSize { get }
    var colorMode: ColorMode { get }
    /// The glyph set the terminal's locale can show.
    var glyphs: GlyphSet { get }
    /// Shows `grid`, sending only what changed since the last flush.
    func flush(_ grid: Grid)
    /// The next key, waiting at most `timeoutMs` milliseconds (negative waits forever);
    /// nil when none arrived.
    func readKey(timeoutMs: Int) -> Key?
    /// Forgets what is on screen, so the next flush repaints every cell (e.g. for ^L).
    func invalidate()
    /// Gives the terminal back to the shell. Idempotent.
    func restore()
    /// True once the terminal's input is gone (the ssh connection or tmux pane closed, stdin
    /// at end of file): the app must stop instead of polling a dead input forever.
    var inputHasHungUp: Bool { get }
}

extension TerminalBackend {
    public var inputHasHungUp: Bool { false }
}

/// A terminal in memory: keys come from a script, flushed grids are kept for inspection.
public final class MemoryTerminal: TerminalBackend {
    public var size: TerminalSize
    public var colorMode: ColorMode
    public var glyphs: GlyphSet
    /// Keys still to be read, first first. `.resize` keys are delivered like any other.
    public var pendingKeys: [Key]
    /// The last grid flushed, if any.
    public private(set) var screen: Grid?
    /// How many cells each flush changed (all cells for the first flush or a size change).
    public private(set) var changedCellCounts: [Int] = []
    public private(set) var isRestored = false

    public init(size: TerminalSize, colorMode: ColorMode = .trueColor, glyphs: GlyphSet = .unicode,
                keys: [Key] = []) {
        self.size = size
        self.colorMode = colorMode
        self.glyphs = glyphs
        pendingKeys = keys
    }

    public func flush(_ grid: Grid) {
        changedCellCounts.append(grid.diff(from: screen).count)
        screen = grid
    }

    public func readKey(timeoutMs: Int) -> Key? {
        pendingKeys.isEmpty ? nil : pendingKeys.removeFirst()
    }

    public func invalidate() { screen = nil }

    public func restore() { isRestored = true }
}
