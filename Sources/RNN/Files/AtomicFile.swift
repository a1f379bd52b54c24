import Foundation

/// A failure writing an output file; `description` is one line naming the path.
public struct OutputFileError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    public var description: String { "\(path): cannot write: \(reason)" }
}

/// The whole content of an input file (model, checkpoint, array). Failures name the path:
/// no such file, a directory, unreadable.
public func readInputFile(_ path: String) throws -> [UInt8] {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw FileFormatError(path: path, "no such file") }
    guard !isDir.boolValue else { throw FileFormatError(path: path, "is a directory, not a file") }
    guard let data = FileManager.default.contents(atPath: path) else { throw FileFormatError(path: path, "cannot read") }
    return [UInt8](data)
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, fsync, rename
/// over the target, fsync of the directory. A crash, Ctrl-C or full disk at any moment leaves
/// either the old file or the new one, never a mixture; the temporary is removed on failure.
public func writeFileAtomically(_ path: String, _ bytes: [UInt8]) throws {
    let dir = (path as NSString).deletingLastPathComponent
    let directory = dir.isEmpty ? "." : dir
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
        throw OutputFileError(path: path, reason: "folder \(directory) does not exist")
    }
    let name = (path as NSString).lastPathComponent
    let temp = "\(directory)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw OutputFileError(path: path, reason: String(cString: strerror(errno))) }
    var ok = false
    defer {
        if !ok { unlink(temp) }
    }
    var written = 0
    try bytes.withUnsafeBytes { raw in
        while written < raw.count {
            let n = write(fd, raw.baseAddress! + written, raw.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                throw OutputFileError(path: path, reason: reason)
            }
            written += n
        }
    }
    if fsync(fd) != 0 {
        let reason = String(cString: strerror(errno))
        close(fd)
        throw OutputFileError(path: path, reason: reason)
    }
    close(fd)
    guard rename(temp, path) == 0 else { throw OutputFileError(path: path, reason: String(cString: strerror(errno))) }
    ok = true
    let dfd = open(directory, O_RDONLY | O_CLOEXEC)
    if dfd >= 0 { _ = fsync(dfd); close(dfd) }
}

/// Atomic write of a UTF-8 string.
public func writeFileAtomically(_ path: String, text: String) throws {
    try writeFileAtomically(path, Array(text.utf8))
}

/// Creates `path` (and parents) as a folder, or checks that it is a writable folder. Errors
/// name the exact component that is in the way and the system's reason.
public func ensureWritableDirectory(_ path: String) throws {
    let absolute = path.hasPrefix("/")
    var prefix = absolute ? "" : "."
    for component in path.split(separator: "/", omittingEmptySubsequences: true) {
        prefix += "/" + component
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: prefix, isDirectory: &isDir) {
            guard isDir.boolValue else {
                throw OutputFileError(path: path, reason: "\(prefix.hasPrefix("./") ? String(prefix.dropFirst(2)) : prefix) is a file, not a folder")
            }
        } else if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
            throw OutputFileError(path: path, reason: "cannot create folder \(prefix.hasPrefix("./") ? String(prefix.dropFirst(2)) : prefix): \(String(cString: strerror(errno)))")
        }
    }
    guard access(path, W_OK) == 0 else { throw OutputFileError(path: path, reason: "folder is not writable") }
}
