/// A problem with an input data file. `description` is one line naming the file and the
/// problem, for the CLI to print as is.
public struct DataFileError: Error, CustomStringConvertible, Equatable {
    public enum Problem: Equatable, Sendable {
        case missing
        case isDirectory
        case unreadable(String)
        case empty
        case notGzip
        case truncatedGzip
        case corruptGzip(String)
        case tooLarge(limit: Int)
        /// A raw (not gzip) file larger than the limit.
        case rawTooLarge(limit: Int)
        /// A FIFO, device or socket where a file belongs ("a FIFO").
        case notRegular(String)
        case wrongMagic(found: UInt32, expected: UInt32)
        case badDimensions(String)
        case truncated(expected: Int, actual: Int)
        case trailingBytes(expected: Int, actual: Int)
        case countMismatch(images: Int, labels: Int)
        case badLabel(index: Int, value: UInt8)
        case other(String)
    }

    public let path: String
    public let problem: Problem

    public init(path: String, _ problem: Problem) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(displayPath(path)): \(problemText)" }

    /// The problem without the path.
    public var problemText: String {
        let what: String
        switch problem {
        case .missing: what = "no such file"
        case .isDirectory: what = "is a directory, not a file"
        case let .unreadable(reason): what = "cannot read: \(reason)"
        case .empty: what = "file is empty"
        case .notGzip: what = "not a gzip file (name ends in .gz but the gzip magic 1f 8b is missing)"
        case .truncatedGzip: what = "truncated gzip stream (ends before the end-of-stream marker)"
        case let .corruptGzip(msg): what = "corrupt gzip data (\(msg))"
        case let .tooLarge(limit): what = "decompressed data exceeds the \(limit / (1 << 20)) MiB limit"
        case let .rawTooLarge(limit): what = "file exceeds the \(limit / (1 << 20)) MiB limit"
        case let .notRegular(kind): what = "is \(kind), not a regular file"
        case let .wrongMagic(found, expected):
            what = "wrong IDX magic number 0x\(hex8(found)), expected 0x\(hex8(expected))"
        case let .badDimensions(msg): what = "bad dimensions: \(msg)"
        case let .truncated(expected, actual): what = "truncated: \(actual) bytes, expected \(expected)"
        case let .trailingBytes(expected, actual): what = "\(actual - expected) unexpected trailing bytes (expected \(expected) bytes)"
        case let .countMismatch(images, labels): what = "image/label count mismatch: \(images) images but \(labels) labels"
        case let .badLabel(index, value): what = "label \(index) is \(value), expected 0...9"
        case let .other(msg): what = msg
        }
        return what
    }
}

private func hex8(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, 8 - s.count)) + s
}
