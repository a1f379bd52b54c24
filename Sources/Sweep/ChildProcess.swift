import Foundation
import Synchronization

/// The scheduler child `runForwardingSignals` waits for (0: none); read by the signal handlers.
private let forwardedChild = Atomic<Int32>(0)

/// Runs `arguments[0]` (looked up on PATH) with `arguments`, stdin from /dev/null, stdout and
/// stderr inherited, and waits for it. Returns its exit code, or 128 + signal.
///
/// The child starts with an empty signal mask and default signal dispositions (a parent may
/// have blocked or ignored some), in our process group, so a Ctrl-C at the terminal reaches it
/// (and, through it, the tasks) directly; meanwhile this process ignores SIGINT and passes
/// SIGTERM and SIGHUP on to the child, then reports once the child has exited.
public func runForwardingSignals(_ arguments: [String], environment: [String: String]) throws -> Int32 {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t(), defaults = sigset_t()
    sigemptyset(&empty)
    sigemptyset(&defaults)
    for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD] { sigaddset(&defaults, sig) }
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

    let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for p in argv + envp { free(p) } }
    var pid: pid_t = 0
    let code = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
    guard code == 0 else { throw ChildProcessError(command: arguments[0], reason: String(cString: strerror(code))) }

    forwardedChild.store(pid, ordering: .relaxed)
    signal(SIGINT, SIG_IGN)
    for sig in [SIGTERM, SIGHUP] {
        signal(sig) { s in
            let child = forwardedChild.load(ordering: .relaxed)
            if child > 0 { kill(child, s) }
        }
    }
    defer {
        forwardedChild.store(0, ordering: .relaxed)
        for sig in [SIGINT, SIGTERM, SIGHUP] { signal(sig, SIG_DFL) }
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
        guard errno == EINTR else { throw ChildProcessError(command: arguments[0], reason: String(cString: strerror(errno))) }
    }
    // WIFEXITED / WEXITSTATUS / WTERMSIG, spelled out (the C macros do not import).
    let signalNumber = status & 0x7f
    return signalNumber == 0 ? (status >> 8) & 0xff : 128 + signalNumber
}

/// A scheduler that could not be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    public let command: String
    public let reason: String
    public var description: String { "cannot start \(command): \(reason)" }
}
