import Foundation

/// Runs a child process for tests without Foundation's `Process`, which on Linux cannot be
/// trusted under a parallel test runner:
/// - it passes on the spawning thread's signal mask; Swift Testing runs tests on worker
///   threads that block every signal, so a child (a tmux server, `ftle train`) would start
///   with SIGCHLD, SIGTERM, … blocked — a tmux server then never reaps its panes;
/// - it learns of a child's exit through SIGCHLD; with that signal consumed elsewhere,
///   `waitUntilExit()` waited forever on a zombie (the CI run that timed out after 90 min).
///
/// Here the child starts with an empty signal mask and default dispositions in a process group
/// of its own (a timeout kills the group, grandchildren included), the exit is collected with
/// `waitpid` on the child's own pid (polled, so a deadline always holds), and pipes are
/// close-on-exec, made and handed over under ``spawnLock`` so that no child spawned by another
/// test thread at the same moment inherits them.
/// Output read after the child exits is bounded by a grace period, since a grandchild (a
/// daemon such as the tmux server) may keep a pipe open.
public enum Subprocess {
    public struct Result: CustomStringConvertible, Sendable {
        /// The exit code, or 128 + signal when the child was killed by one (as a shell reports it).
        public var status: Int32
        /// The signal that terminated the child, if one did.
        public var signal: Int32?
        /// stdout as raw bytes (for binary output) and as UTF-8 text.
        public var stdoutBytes: [UInt8]
        public var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }
        public var stderr: String
        /// Killed with SIGKILL after the timeout.
        public var timedOut: Bool
        public var description: String { "status \(status)\(timedOut ? " (timed out)" : "") stderr: \(stderr)" }
    }

    /// What happens to the child's stdout or stderr.
    public enum Output: Sendable { case capture, discard }

    public struct SpawnError: Error, CustomStringConvertible {
        public var executable: String
        public var code: Int32
        public var description: String { "cannot start \(executable): \(String(cString: strerror(code)))" }
    }

    /// Held from creating a child's pipes until the child is spawned (pipe + FD_CLOEXEC is not
    /// atomic; glibc's pipe2 is not visible to Swift). Anything in the tests that spawns with
    /// pipes takes it.
    public static let spawnLock = NSLock()

    /// Runs `executable arguments` (looked up in PATH when it has no slash) with stdin from
    /// /dev/null; returns when it has exited, or kills it after `timeout` seconds.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           stdout: Output = .capture, stderr: Output = .capture,
                           timeout: Double = 120) throws -> Result {
        spawnLock.lock()
        var locked = true
        defer { if locked { spawnLock.unlock() } }
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        // Close-on-exec (set right after pipe(); glibc's pipe2 is not visible to Swift): the
        // child gets its ends through dup2, which clears the flag on the copy.
        func makePipe(_ ends: inout [Int32]) throws {
            guard pipe(&ends) == 0 else { throw SpawnError(executable: executable, code: errno) }
            for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }
        if stdout == .capture { try makePipe(&outPipe) }
        if stderr == .capture {
            do { try makePipe(&errPipe) } catch {
                if outPipe[0] >= 0 { close(outPipe[0]); close(outPipe[1]) }
                throw error
            }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if stdout == .capture { posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1) }
        else { posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0) }
        if stderr == .capture { posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2) }
        else { posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t(), defaulted = sigset_t()
        sigemptyset(&emptyMask)
        sigfillset(&defaulted)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaulted)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let environmentStrings = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { environmentStrings?.forEach { free($0) } }

        var pid: pid_t = 0
        let rc: Int32
        if let environmentStrings {
            rc = posix_spawnp(&pid, executable, &actions, &attributes, argv, environmentStrings)
        } else {
            rc = posix_spawnp(&pid, executable, &actions, &attributes, argv, environ)
        }
        for fd in [outPipe[1], errPipe[1]] where fd >= 0 { close(fd) }
        spawnLock.unlock()
        locked = false
        guard rc == 0 else {
            for fd in [outPipe[0], errPipe[0]] where fd >= 0 { close(fd) }
            throw SpawnError(executable: executable, code: rc)
        }
        return collect(pid: pid, stdoutFD: outPipe[0], stderrFD: errPipe[0], timeout: timeout)
    }

    /// A shell command (`/bin/bash -c command`): for tmux, mount, ulimit.
    @discardableResult
    public static func shell(_ command: String, timeout: Double = 120) throws -> Result {
        try run("/bin/bash", ["-c", command], timeout: timeout)
    }

    /// tmux on a server private to this test process (socket `ftle-tests-<pid>`, no config
    /// file), so tests neither touch the user's sessions nor inherit a server started under
    /// another signal mask; the server exits with its last session. Only `capture-pane`'s
    /// output is read. A `new-session` that fails is tried again (up to three times, 0.2 s
    /// apart): when the previous test killed the server's last session, the server is still
    /// exiting and a client that connects then gets "server exited unexpectedly" (seen under
    /// load: 1 of 60 sessions).
    @discardableResult
    public static func tmux(_ arguments: [String], timeout: Double = 30) throws -> Result {
        var attempt = 0
        while true {
            let result = try run("tmux", ["-L", "ftle-tests-\(getpid())", "-f", "/dev/null"] + arguments,
                                 stdout: arguments.first == "capture-pane" ? .capture : .discard, stderr: .capture, timeout: timeout)
            attempt += 1
            if result.status == 0 || arguments.first != "new-session" || attempt == 3 { return result }
            usleep(200_000)
        }
    }

    /// Reads both pipes until the child has exited and the pipes are closed (or 2 s after the
    /// exit, whichever comes first), killing the child at the deadline.
    private static func collect(pid: pid_t, stdoutFD: Int32, stderrFD: Int32, timeout: Double) -> Result {
        let graceAfterExit = 2.0
        let start = monotonicNow()
        var open = [stdoutFD, stderrFD].filter { $0 >= 0 }
        var capturedOut: [UInt8] = [], capturedErr: [UInt8] = []
        var waitStatus: Int32 = 0
        var exitedAt: Double?
        var timedOut = false
        var chunk = [UInt8](repeating: 0, count: 65536)

        while true {
            if !open.isEmpty {
                var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
                let ready = poll(&fds, nfds_t(fds.count), 20)
                if ready > 0 {
                    for entry in fds where entry.revents != 0 {
                        let n = read(entry.fd, &chunk, chunk.count)
                        if n > 0 {
                            if entry.fd == stdoutFD { capturedOut.append(contentsOf: chunk[0..<n]) }
                            else { capturedErr.append(contentsOf: chunk[0..<n]) }
                        }
                        else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                            close(entry.fd)
                            open.removeAll { $0 == entry.fd }
                        }
                    }
                }
            } else if exitedAt == nil {
                usleep(10_000)
            }
            if exitedAt == nil {
                let r = waitpid(pid, &waitStatus, WNOHANG)
                if r == pid { exitedAt = monotonicNow() }
                else if r < 0 && errno == ECHILD {
                    // Reaped elsewhere: the status is unknown.
                    waitStatus = 255 << 8
                    exitedAt = monotonicNow()
                } else if monotonicNow() - start > timeout {
                    timedOut = true
                    kill(-pid, SIGKILL)   // the child's whole process group
                    while waitpid(pid, &waitStatus, 0) < 0 && errno == EINTR {}
                    exitedAt = monotonicNow()
                }
            }
            if let exitedAt, open.isEmpty || monotonicNow() - exitedAt > graceAfterExit { break }
        }
        open.forEach { close($0) }

        let signalled = waitStatus & 0x7f != 0
        let signal = waitStatus & 0x7f
        return Result(status: signalled ? 128 + signal : (waitStatus >> 8) & 0xff,
                      signal: signalled ? signal : nil,
                      stdoutBytes: capturedOut,
                      stderr: String(decoding: capturedErr, as: UTF8.self),
                      timedOut: timedOut)
    }

    private static func monotonicNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
