import Foundation
import MNIST

/// A failure writing an output file; `description` is one line naming the path.
public struct OutputFileError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String
    /// The `errno` behind the failure, when there was one.
    public let errorNumber: Int32?
    public init(path: String, reason: String, errorNumber: Int32? = nil) {
        self.path = path; self.reason = reason; self.errorNumber = errorNumber
    }
    /// `strerror(code)` as the reason.
    public init(path: String, errno code: Int32) {
        self.init(path: path, reason: String(cString: strerror(code)), errorNumber: code)
    }
    public var description: String { "\(displayPath(path)): cannot write: \(reason)" }
}

/// Writes all of `bytes` to `fd` (retrying short writes and EINTR); throws `OutputFileError`
/// naming `path` and the system's reason (ENOSPC, EPIPE, EBADF, …).
public func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
    var written = 0
    try bytes.withUnsafeBytes { raw in
        while written < raw.count {
            let n = write(fd, raw.baseAddress! + written, raw.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                throw OutputFileError(path: path, errno: errno)
            }
            written += n
        }
    }
}

/// Where a write to `path` goes, decided before anything is written.
enum OutputDestination: Equatable {
    /// A regular file or no file yet: replace atomically at this path (a symlink's target).
    case atomic(String)
    /// A character device or FIFO (`/dev/null`, `/dev/stdout`, a pipe): written in place.
    case direct
}

/// Classifies `path`: regular files (directly or through symbolic links, whose target is
/// replaced so the link stays a link) are replaced atomically; character devices and FIFOs are
/// written in place (never renamed over); sockets, block devices and folders are refused. A
/// dangling symbolic link is followed to the file it names.
func outputDestination(_ path: String) throws -> OutputDestination {
    var link = stat()
    guard lstat(path, &link) == 0 else {
        if errno == ENOENT { return .atomic(path) }
        throw OutputFileError(path: path, errno: errno)
    }
    var target = stat()
    if (link.st_mode & S_IFMT) == S_IFLNK && stat(path, &target) != 0 {
        // A dangling link: write the file it names, as a shell's `>` would.
        guard errno == ENOENT, let named = symbolicLinkTarget(path) else { throw OutputFileError(path: path, errno: errno) }
        let folder = (named as NSString).deletingLastPathComponent
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.isEmpty ? "." : folder, isDirectory: &isDir), isDir.boolValue else {
            throw OutputFileError(path: path, reason: "symbolic link to \(displayPath(named)), whose folder does not exist")
        }
        return .atomic(named)
    }
    if (link.st_mode & S_IFMT) != S_IFLNK { target = link }
    switch target.st_mode & S_IFMT {
    case S_IFREG:
        guard (link.st_mode & S_IFMT) == S_IFLNK else { return .atomic(path) }
        guard let resolved = realpath(path, nil) else { throw OutputFileError(path: path, errno: errno) }
        defer { free(resolved) }
        return .atomic(String(cString: resolved))
    case S_IFCHR, S_IFIFO: return .direct
    case S_IFDIR: throw OutputFileError(path: path, reason: "is a directory")
    case S_IFSOCK: throw OutputFileError(path: path, reason: "is a socket, not a file")
    case S_IFBLK: throw OutputFileError(path: path, reason: "is a block device; ftle does not write to devices of that kind")
    default: throw OutputFileError(path: path, reason: "is not a regular file")
    }
}

/// The path a symbolic link names, relative targets resolved against the link's folder.
func symbolicLinkTarget(_ path: String) -> String? {
    guard let named = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else { return nil }
    if named.hasPrefix("/") { return named }
    let folder = (path as NSString).deletingLastPathComponent
    return folder.isEmpty ? named : folder + "/" + named
}

/// Opens a character device or FIFO for writing in place. A FIFO without a reader is refused
/// at once (O_NONBLOCK) rather than waited on.
func openDirectDestination(_ path: String) throws -> Int32 {
    let fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else {
        if errno == ENXIO { throw OutputFileError(path: path, reason: "a FIFO with no reader", errorNumber: ENXIO) }
        throw OutputFileError(path: path, errno: errno)
    }
    let flags = fcntl(fd, F_GETFL)
    if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
    return fd
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, fsync, rename
/// over the target, fsync of the directory. A crash, Ctrl-C or full disk at any moment leaves
/// either the old file or the new one, never a mixture; the temporary is removed on failure.
/// A symbolic link to a regular file keeps being a link (its target is replaced); a character
/// device or FIFO is written in place, never replaced (see `outputDestination`).
public func writeFileAtomically(_ path: String, _ bytes: [UInt8]) throws {
    let writer = try AtomicFileWriter(path)
    try writer.write(bytes)
    try writer.commit()
}

/// Atomic write of a UTF-8 string.
public func writeFileAtomically(_ path: String, text: String) throws {
    try writeFileAtomically(path, Array(text.utf8))
}

/// An output file written piece by piece and made visible at once by `commit()` (temporary
/// file, fsync, rename; see `writeFileAtomically`), or written in place when the destination is
/// a device or FIFO. Dropped without `commit()`, it removes its temporary file.
public final class AtomicFileWriter {
    public let path: String
    private let temporary: String?
    private let finalPath: String
    private var descriptor: Int32
    private var committed = false
    /// This writer's entry in ``PendingTemporaryFiles`` (nil: written in place, or no free slot).
    private var pendingSlot: Int?

    public init(_ path: String) throws {
        self.path = path
        switch try outputDestination(path) {
        case .direct:
            descriptor = try openDirectDestination(path)
            temporary = nil
            finalPath = path
        case let .atomic(target):
            let dir = (target as NSString).deletingLastPathComponent
            let directory = dir.isEmpty ? "." : dir
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
                throw OutputFileError(path: path, reason: "folder \(displayPath(directory)) does not exist")
            }
            let name = (target as NSString).lastPathComponent
            let temp = "\(directory)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            descriptor = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw OutputFileError(path: path, errno: errno) }
            temporary = temp
            pendingSlot = PendingTemporaryFiles.register(temp)
            finalPath = target
        }
    }

    /// Appends `bytes`; errors name `path`.
    public func write(_ bytes: [UInt8]) throws {
        do { try writeAll(descriptor, bytes, path: path) } catch { abandon(); throw error }
    }

    /// Makes the content visible: fsync and rename (or, written in place, just closes).
    public func commit() throws {
        guard descriptor >= 0 else { throw OutputFileError(path: path, reason: "already closed") }
        guard let temporary else {
            close(descriptor); descriptor = -1; committed = true
            return
        }
        if fsync(descriptor) != 0 { let e = errno; abandon(); throw OutputFileError(path: path, errno: e) }
        close(descriptor); descriptor = -1
        guard rename(temporary, finalPath) == 0 else { let e = errno; abandon(); throw OutputFileError(path: path, errno: e) }
        committed = true
        pendingSlot.map(PendingTemporaryFiles.unregister)
        pendingSlot = nil
        let folder = (finalPath as NSString).deletingLastPathComponent
        let dfd = open(folder.isEmpty ? "." : folder, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

    private func abandon() {
        if descriptor >= 0 { close(descriptor); descriptor = -1 }
        if let temporary, !committed { unlink(temporary) }
        pendingSlot.map(PendingTemporaryFiles.unregister)
        pendingSlot = nil
    }

    deinit { if !committed { abandon() } }
}

/// The temporary files of atomic writes in progress, kept where a signal handler can read them:
/// `removeAll()` unlinks them using only async-signal-safe calls, so a command stopped by
/// SIGINT, SIGTERM or SIGHUP (``removeOnTerminatingSignals()``) leaves no `.NAME.tmp-PID-N`
/// behind. 64 slots of 4096 bytes (PATH_MAX); a write beyond them simply is not tracked.
public enum PendingTemporaryFiles {
    static let slotCount = 64
    static let slotWidth = 4096
    /// Slot i's path, NUL-terminated, at `paths + i·slotWidth`; `inUse[i]` ≠ 0 while it is live.
    nonisolated(unsafe) static let paths: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: slotCount * slotWidth)
        p.initialize(repeating: 0, count: slotCount * slotWidth)
        return p
    }()
    nonisolated(unsafe) static let inUse: UnsafeMutablePointer<sig_atomic_t> = {
        let p = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: slotCount)
        p.initialize(repeating: 0, count: slotCount)
        return p
    }()
    private static let lock = NSLock()

    /// Records `path`; returns its slot (nil when every slot is taken or the path is too long).
    static func register(_ path: String) -> Int? {
        let bytes = Array(path.utf8)
        guard bytes.count < slotWidth else { return nil }
        _ = (paths, inUse)  // initialised outside any signal handler
        lock.lock(); defer { lock.unlock() }
        for i in 0..<slotCount where inUse[i] == 0 {
            let slot = paths + i * slotWidth
            for (k, b) in bytes.enumerated() { slot[k] = CChar(bitPattern: b) }
            slot[bytes.count] = 0
            inUse[i] = 1  // the path is complete before the slot counts
            return i
        }
        return nil
    }

    static func unregister(_ slot: Int) {
        lock.lock(); defer { lock.unlock() }
        inUse[slot] = 0
    }

    /// Unlinks every live temporary file (async-signal-safe: reads and `unlink` only).
    public static func removeAll() {
        for i in 0..<slotCount where inUse[i] != 0 { unlink(paths + i * slotWidth) }
    }

    /// Makes SIGINT, SIGTERM and SIGHUP remove the live temporary files and then end the
    /// process as the signal's default action does (status 128 + signal). A signal that is
    /// ignored when this is called (`nohup`) is left ignored. For commands that
    /// have no stop handlers of their own (`ftle train` installs those; its second signal calls
    /// `removeAll()` itself).
    public static func removeOnTerminatingSignals() {
        _ = (paths, inUse)
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            // A signal the parent set to be ignored (nohup, a background job) stays ignored.
            var current = sigaction()
            if sigaction(sig, nil, &current) == 0,
               unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { continue }
            signal(sig) { s in
                PendingTemporaryFiles.removeAll()
                signal(s, SIG_DFL)
                raise(s)
            }
        }
    }
}

/// Creates `path` (and parents) as a folder, or checks that it is a writable folder. Errors
/// name the exact component that is in the way and the system's reason.
public func ensureWritableDirectory(_ path: String) throws {
    let absolute = path.hasPrefix("/")
    var prefix = absolute ? "" : "."
    func shown(_ p: String) -> String { displayPath(p.hasPrefix("./") ? String(p.dropFirst(2)) : p) }
    for component in path.split(separator: "/", omittingEmptySubsequences: true) {
        prefix += "/" + component
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: prefix, isDirectory: &isDir) {
            guard isDir.boolValue else { throw OutputFileError(path: path, reason: "\(shown(prefix)) is a file, not a folder") }
        } else if let named = symbolicLinkTarget(prefix) {
            throw OutputFileError(path: path, reason: "\(shown(prefix)) is a symbolic link to \(displayPath(named)), which does not exist")
        } else if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
            throw OutputFileError(path: path, reason: "cannot create folder \(shown(prefix)): \(String(cString: strerror(errno)))")
        }
    }
    guard access(path, W_OK) == 0 else { throw OutputFileError(path: path, reason: "folder is not writable") }
}
