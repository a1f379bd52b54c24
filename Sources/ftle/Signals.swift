import Foundation
import RNN
import Synchronization

/// Set by SIGINT, SIGTERM or SIGHUP; long-running commands poll it between units of work
/// (a training batch) and stop cleanly, saving what they have.
let stopRequested = Atomic<Bool>(false)

/// Installs the stop handlers. A second signal while a stop is pending exits at once with
/// 128 + signal (every file write is atomic, so nothing half-written is left behind).
func installStopHandlers() {
    // A parent may hand us these signals blocked (a test runner, some job control); unblock
    // them so a stop request is never silently lost.
    var set = sigset_t()
    sigemptyset(&set)
    for sig in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, sig) }
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
    for sig in [SIGINT, SIGTERM, SIGHUP] {
        signal(sig) { s in
            if stopRequested.exchange(true, ordering: .relaxed) {
                PendingTemporaryFiles.removeAll()
                _exit(128 + s)
            }
        }
    }
}
