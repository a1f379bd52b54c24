/// A key press or terminal event, as read by a backend.
public enum Key: Hashable, Sendable {
    /// A printable character (including space).
    case char(Character)
    /// Control plus a letter, e.g. `.ctrl("c")` for ^C (lower-case letter).
    case ctrl(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case tab, backTab, enter, escape, backspace, delete, insert
    /// Function key F`n`.
    case function(Int)
    /// The terminal changed size; read the new size from the backend.
    case resize
    /// A left-button click at a cell (0-based, origin top-left).
    case mouse(x: Int, y: Int)
}

extension Key {
    /// Maps a character read from the terminal to a key: control characters become
    /// `.enter`, `.tab`, `.escape`, `.backspace` or `.ctrl`, everything else `.char`.
    public init(character: Character) {
        guard let scalar = character.unicodeScalars.first, character.unicodeScalars.count == 1 else {
            self = .char(character)
            return
        }
        switch scalar.value {
        case 0x0A, 0x0D: self = .enter
        case 0x09: self = .tab
        case 0x1B: self = .escape
        case 0x08, 0x7F: self = .backspace
        case 0x01...0x1A: self = .ctrl(Character(Unicode.Scalar(scalar.value + 0x60)!))
        default: self = .char(character)
        }
    }
}
