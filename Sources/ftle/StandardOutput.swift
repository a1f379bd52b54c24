import Foundation
#if canImport(Glibc)
@preconcurrency import Glibc
@preconcurrency import SwiftGlibc
#endif
import RNN

/// Standard output as a checked destination: every result goes through stdio (`print` and
/// `writeStandardOutput`, so they stay in order), and a failed write — a full disk, a closed
/// stdout, a reader gone with SIGPIPE ignored (EPIPE) — is an error, never a silent exit 0.
enum StandardOutput {
    /// The name errors give standard output.
    static let name = "standard output"

    /// Makes sure file descriptors 0–2 are open before anything else is, so that a file ftle
    /// opens later can never become "standard output" by taking a closed stdout's number. A
    /// closed stdout is replaced by /dev/null opened read-only, so writing results still fails
    /// (EBADF) and is reported; closed stdin and stderr become /dev/null.
    static func guardDescriptors() {
        for (fd, flags) in [(STDIN_FILENO, O_RDONLY), (STDOUT_FILENO, O_RDONLY), (STDERR_FILENO, O_WRONLY)]
        where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", flags)
            if opened >= 0 && opened != fd { _ = dup2(opened, fd); close(opened) }
        }
    }

    /// Flushes stdio's buffer; throws `OutputFileError` ("standard output: cannot write: …")
    /// when this or any earlier write to stdout failed.
    /// `earlierError`: the errno of a write that failed before (a large `fputs` writes, and
    /// fails, before any flush), so the message names the system's reason, not "write error".
    static func flush(earlierError: Int32 = 0) throws {
        errno = 0
        let failed = fflush(stdout) != 0
        let code = errno != 0 ? errno : earlierError
        if failed || ferror(stdout) != 0 {
            if code != 0 { throw OutputFileError(path: name, errno: code) }
            throw OutputFileError(path: name, reason: "write error")
        }
    }
}

/// Writes `text` to standard output and flushes it, throwing on failure (see `StandardOutput`).
func writeStandardOutput(_ text: String) throws {
    errno = 0
    let written = fputs(text, stdout)
    try StandardOutput.flush(earlierError: written < 0 ? errno : 0)
}
