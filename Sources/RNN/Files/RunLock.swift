import Foundation
import MNIST
import Synchronization

/// A run folder that cannot be written: another process holds it, or it already holds a run.
public enum RunFolderError: Error, CustomStringConvertible, Equatable {
    /// Another process holds the folder's lock; its pid when it wrote one.
    case locked(folder: String, pid: Int32?)
    /// A fresh run was asked for in a folder that already holds a run's model or checkpoint.
    case existingRun(folder: String)

    public var description: String {
        switch self {
        case let .locked(folder, pid):
            return "\(displayPath(folder)) is in use by another ftle process (pid \(pid.map(String.init) ?? "unknown")); wait for it to finish or stop it"
        case let .existingRun(folder):
            return "\(displayPath(folder)) already holds a training run; continue it with --resume or replace it with --force"
        }
    }
}

/// An exclusive lock on a run folder for the lifetime of this object: `flock(LOCK_EX)` on the
/// folder itself (no lock file: nothing to clean up, no space needed on a full disk). Every
/// writer of a run (`ftle train`, the explorer's background training) takes it before touching
/// the folder's files, so two processes can never interleave a history or replace each other's
/// checkpoint; readers (`explore --follow`) never take it. The kernel releases the lock when
/// the process ends, however it ends (SIGKILL included). A refused writer names the holder's
/// pid, read from /proc/locks. Within one process the lock is shared: a second `RunLock` on the
/// same folder (a trainer resuming where an earlier one of the same process stopped) holds the
/// same descriptor, and the lock is released when the last of them goes.
public final class RunLock: @unchecked Sendable {
    /// The locked folder.
    public let path: String
    private let key: FileKey

    struct FileKey: Hashable { var device: UInt64; var inode: UInt64 }
    /// This process's held locks: descriptor and number of `RunLock`s sharing it.
    private static let held = Mutex<[FileKey: (descriptor: Int32, count: Int)]>([:])

    /// Takes the lock of `folder` (which must exist) without waiting; throws
    /// `RunFolderError.locked` naming the holder's pid when another process has it.
    public init(folder: String) throws {
        path = folder
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw OutputFileError(path: folder, errno: errno) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { let e = errno; close(fd); throw OutputFileError(path: folder, errno: e) }
        let key = FileKey(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        self.key = key
        try Self.held.withLock { held in
            if let entry = held[key] {
                close(fd)
                held[key] = (entry.descriptor, entry.count + 1)
                return
            }
            // A lock this process released a moment ago can still be held by a child that another
            // thread is spawning: between fork and exec the child shares the old descriptor (and
            // /proc/locks names this process). That copy goes at the child's exec, so a refusal
            // naming this very process, or naming nobody (the exec came between the refusal and
            // the read of /proc/locks), is retried for up to 2 s before it counts.
            var attempts = 0
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let failure = errno
                let holder = failure == EWOULDBLOCK ? Self.holder(device: key.device, inode: key.inode) : nil
                let mayBeOurOwnChild = failure == EWOULDBLOCK && (holder == nil || holder == getpid())
                if (failure == EINTR || mayBeOurOwnChild) && attempts < 200 {
                    attempts += 1
                    usleep(10_000)
                    continue
                }
                close(fd)
                guard failure == EWOULDBLOCK else {
                    throw OutputFileError(path: folder, reason: "cannot lock: \(String(cString: strerror(failure)))", errorNumber: failure)
                }
                throw RunFolderError.locked(folder: folder, pid: holder)
            }
            held[key] = (fd, 1)
        }
    }

    deinit {
        let key = key
        Self.held.withLock { held in
            guard let entry = held[key] else { return }
            if entry.count > 1 { held[key] = (entry.descriptor, entry.count - 1) } else {
                close(entry.descriptor)
                held[key] = nil
            }
        }
    }

    /// The pid holding a flock on `folder`, from /proc/locks (nil when none or unknown).
    public static func holder(of folder: String) -> Int32? {
        var info = stat()
        guard stat(folder, &info) == 0 else { return nil }
        return holder(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// /proc/locks lines read `1: FLOCK  ADVISORY  WRITE PID MAJ:MIN:INODE 0 EOF` (major and
    /// minor in hex); waiting requests (`->`) are skipped.
    static func holder(device: UInt64, inode: UInt64) -> Int32? {
        let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~UInt64(0xfff))
        let minor = (device & 0xff) | ((device >> 12) & ~UInt64(0xff))
        let id = String(format: "%02llx:%02llx:%llu", major, minor, inode)
        guard let text = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where !line.contains("->") {
            let fields = line.split(separator: " ")
            guard fields.count >= 6, fields[1] == "FLOCK", fields[5] == id else { continue }
            return Int32(fields[4])
        }
        return nil
    }
}

extension RunFolder {
    /// Takes the folder's writer lock (see `RunLock`); the folder must exist.
    public func lock() throws -> RunLock { try RunLock(folder: path) }

    /// Whether the folder already holds a run worth keeping: its model, its checkpoint or its
    /// best model (which a user may have kept after deleting the rest).
    public var holdsRun: Bool {
        [modelPath, checkpointPath, bestModelPath].contains { FileManager.default.fileExists(atPath: $0) }
    }
}
