import Foundation
#if canImport(Glibc)
@preconcurrency import Glibc
@preconcurrency import SwiftGlibc
#endif
import RNN

/// A result written piece by piece: to a file (atomically, see `AtomicFileWriter`; a device or
/// FIFO is written in place) or to standard output, through a 1 MiB buffer. Every write error
/// is thrown (one line naming the destination); nothing is visible at `path` before `finish()`.
final class OutputSink {
    private let file: AtomicFileWriter?
    private var buffer: [UInt8] = []
    private let capacity = 1 << 20

    /// `path` nil or "-" is standard output.
    init(path: String?) throws {
        if let path, path != "-" { PendingTemporaryFiles.removeOnTerminatingSignals() }
        file = try path.flatMap { $0 == "-" ? nil : try AtomicFileWriter($0) }
        buffer.reserveCapacity(capacity)
    }

    func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= capacity { try flushBuffer() }
    }

    func write(bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flushBuffer() }
    }

    private func flushBuffer() throws {
        defer { buffer.removeAll(keepingCapacity: true) }
        if let file { try file.write(buffer); return }
        errno = 0
        let n = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, stdout) }
        if n != buffer.count {
            let code = errno
            throw code != 0 ? OutputFileError(path: StandardOutput.name, errno: code) : OutputFileError(path: StandardOutput.name, reason: "write error")
        }
    }

    /// Writes what is buffered and makes the result visible (rename, or flush of stdout).
    func finish() throws {
        try flushBuffer()
        if let file { try file.commit() } else { try StandardOutput.flush() }
    }
}

/// Rows of a large JSON array kept on disk while they are computed (an anonymous temporary
/// file, gone when closed or when the process ends), so a T×K result costs no memory.
final class TemporaryRows {
    private let handle: UnsafeMutablePointer<FILE>
    private(set) var count = 0

    init() throws {
        guard let f = tmpfile() else { throw OutputFileError(path: "temporary file", errno: errno) }
        handle = f
    }

    deinit { fclose(handle) }

    /// Appends one row (already JSON text), comma-separated from the previous one.
    func append(_ json: String) throws {
        let text = (count == 0 ? "" : ",") + json
        let n = text.utf8CString.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count - 1, handle) }
        guard n == text.utf8.count else { throw OutputFileError(path: "temporary file", errno: errno) }
        count += 1
    }

    /// Writes `[row,row,…]` to `sink`.
    func copy(to sink: OutputSink) throws {
        guard fflush(handle) == 0 else { throw OutputFileError(path: "temporary file", errno: errno) }
        rewind(handle)
        try sink.write("[")
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, handle) }
            if n > 0 { try sink.write(bytes: Array(chunk[0..<n])) }
            if n < chunk.count {
                if ferror(handle) != 0 { throw OutputFileError(path: "temporary file", reason: "read error") }
                break
            }
        }
        try sink.write("]")
    }
}

/// JSON text exactly as `JSONText.encode` writes it (sorted keys, non-finite numbers as null),
/// for an object some of whose values are row arrays streamed through `TemporaryRows`.
enum StreamedJSON {
    /// One value's JSON text as `JSONText` writes it (a fragment, without the line end).
    static func fragment(_ value: Any) -> String { String(JSONText.encode(value).dropLast()) }

    /// Writes `{…}` and a line end: `values` and `rows` merged, keys in `jsonText`'s order.
    static func write(values: [String: Any], rows: [String: TemporaryRows], to sink: OutputSink) throws {
        let keys = Array(values.keys) + Array(rows.keys)
        // The order JSONSerialization's .sortedKeys gives (checked equal to jsonText by a test).
        let order = Set(keys).sorted { $0.compare($1) == .orderedAscending }
        try sink.write("{")
        for (i, key) in order.enumerated() {
            try sink.write((i == 0 ? "" : ",") + fragment(key) + ":")
            if let r = rows[key] { try r.copy(to: sink) } else { try sink.write(fragment(values[key]!)) }
        }
        try sink.write("}\n")
    }
}
