/// A one-line message on the status line (replaced by the next one).
public struct StatusMessage: Hashable, Sendable {
    public var text: String
    public var isWarning: Bool

    public init(_ text: String, isWarning: Bool = false) {
        self.text = text
        self.isWarning = isWarning
    }
}
