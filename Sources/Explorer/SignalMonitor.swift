import Foundation
import Synchronization

/// The last SIGINT/SIGTERM/SIGHUP received (0 = none), set by the handler and polled by the
/// run loop, which then restores the terminal and exits with 128 + signal.
private let receivedSignal = Atomic<Int32>(0)

/// Turns terminating signals into a flag the explorer's loop polls, so the terminal is
/// restored on every exit path. Install before opening the terminal: ncurses then leaves
/// these signals to us instead of installing its own handlers.
///
/// A signal mask is inherited across `exec`, and a parent (a test runner, a tmux server it
/// started) may have these signals blocked; then neither ^C nor SIGWINCH (resize) would
/// ever arrive. So ``install()`` unblocks them on the calling (UI) thread, and worker
/// threads call ``blockInCurrentThread()`` so signals are taken by the UI thread.
public enum SignalMonitor {
    public static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    public static func install() {
        for signalNumber in signals {
            signal(signalNumber) { number in receivedSignal.store(number, ordering: .relaxed) }
        }
        setMask(SIG_UNBLOCK)
    }

    /// Blocks the terminating signals and SIGWINCH in the current (worker) thread.
    public static func blockInCurrentThread() { setMask(SIG_BLOCK) }

    private static func setMask(_ how: Int32) {
        var set = sigset_t()
        sigemptyset(&set)
        for signalNumber in signals + [SIGWINCH] { sigaddset(&set, signalNumber) }
        pthread_sigmask(how, &set, nil)
    }

    /// The signal received, if any.
    public static func received() -> Int32? {
        let value = receivedSignal.load(ordering: .relaxed)
        return value == 0 ? nil : value
    }
}
