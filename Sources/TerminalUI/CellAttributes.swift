/// Text attributes of a cell. Shown in every colour mode, including mono.
public struct CellAttributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = CellAttributes(rawValue: 1 << 0)
    public static let dim = CellAttributes(rawValue: 1 << 1)
    public static let underline = CellAttributes(rawValue: 1 << 2)
    /// Swaps foreground and background when shown.
    public static let reverse = CellAttributes(rawValue: 1 << 3)
}
