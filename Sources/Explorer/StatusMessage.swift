/// A one-line message on the status line. It is replaced by the next message, cleared by
/// the next key action, and the app clears it after ``lifetime`` seconds.
public struct StatusMessage: Hashable, Sendable {
    /// Seconds a message stays when nothing else replaces it.
    public static let lifetime = 5.0

    public var text: String
    public var isWarning: Bool

    public init(_ text: String, isWarning: Bool = false) {
        self.text = text
        self.isWarning = isWarning
    }

    /// "cannot open PATH: REASON" with the path said once, whether or not the error's own
    /// description starts with it (file errors read "PATH: REASON").
    public static func fileError(_ verb: String, path: String, error: any Error) -> StatusMessage {
        var reason = String(describing: error)
        if reason.hasPrefix(path + ": ") { reason.removeFirst(path.count + 2) }
        return StatusMessage("\(verb) \(path): \(reason)", isWarning: true)
    }
}
