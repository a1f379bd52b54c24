import CBLAS
import Foundation

/// A fixed pool of worker threads for independent jobs (an experiment's samples or images, a
/// training batch's shards), each job running its BLAS calls on one BLAS thread.
///
/// ``orderedMap(count:_:consume:)`` hands the indices 0..<count out in order from a
/// lock-protected counter; each result goes into its own slot, and the calling thread consumes
/// the slots strictly in index order (progress lines, sums) while the workers go on. So
/// whatever the number of workers and whichever job finishes first, the consumer sees exactly
/// the sequence of a plain loop — and with single-threaded BLAS in every worker (see
/// ``useSingleThreadedBLAS()``) every job's arithmetic is the same too, so results are
/// bit-identical for every worker count. Workers run at most `2 × workers` indices ahead of
/// the consumer, so results held at once (and the memory they take) grow with the workers, not
/// with the number of jobs.
///
/// Each job runs in the flush-to-zero mode (``SubnormalMode``) of the thread that called
/// `orderedMap`.
///
/// Errors: the first failing index in index order is rethrown (as a plain loop would), after
/// every worker has left the job; no index past a failure is started.
public final class WorkerPool: @unchecked Sendable {
    /// Worker threads (1: jobs run inline on the calling thread, no thread is started).
    public let workers: Int
    /// The lock, the current job and the threads' bookkeeping. The threads hold this, not the
    /// pool, so a pool may go away before a thread has even started (the threads then see the
    /// shutdown and leave).
    private let shared = Shared()

    private final class Shared: @unchecked Sendable {
        // Everything below is guarded by `condition`.
        let condition = NSCondition()
        var job: Job?
        var generation = 0
        var shuttingDown = false
        var threadsAlive = 0

        func workerLoop() {
            condition.lock()
            var seen = 0
            while true {
                while !shuttingDown && (job == nil || generation == seen) { condition.wait() }
                if shuttingDown { break }
                let j = job!
                seen = generation
                j.active += 1
                while !j.stopped && j.next < j.count {
                    if j.next >= j.consumed + j.window { condition.wait(); continue }
                    let i = j.next
                    j.next += 1
                    condition.unlock()
                    j.run(j, i)
                    condition.lock()
                }
                j.active -= 1
                condition.broadcast()
            }
            threadsAlive -= 1
            condition.broadcast()
            condition.unlock()
        }
    }

    /// One `orderedMap` call as the workers see it.
    private final class Job {
        let count: Int, window: Int
        /// Computes index i and stores its result (it takes the lock itself).
        let run: (Job, Int) -> Void
        var next = 0, consumed = 0, active = 0
        var stopped = false
        init(count: Int, window: Int, run: @escaping (Job, Int) -> Void) { self.count = count; self.window = window; self.run = run }
    }

    /// Starts `workers` threads (none for 1). `workers` must be at least 1.
    public init(workers: Int) {
        precondition(workers >= 1, "a pool needs at least one worker")
        self.workers = workers
        guard workers > 1 else { return }
        shared.threadsAlive = workers
        for n in 0..<workers {
            let thread = Thread { [shared] in shared.workerLoop() }
            thread.name = "ftle-worker-\(n)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    deinit {
        let s = shared
        s.condition.lock()
        s.shuttingDown = true
        s.condition.broadcast()
        while s.threadsAlive > 0 { s.condition.wait() }
        s.condition.unlock()
    }

    /// Runs `work(i)` for i in 0..<count on the workers and calls `consume(i, result)` on the
    /// calling thread in index order. With one worker this is exactly
    /// `for i in 0..<count { try consume(i, try work(i)) }`.
    ///
    /// Typed throws: jobs and a consumer that cannot fail make a call that cannot fail (no
    /// `try`); otherwise the error is the closures' own type.
    public func orderedMap<R, E: Error>(count: Int, _ work: (Int) throws(E) -> R, consume: (Int, R) throws(E) -> Void) throws(E) {
        do {
            try anyOrderedMap(count: count, work, consume: consume)
        } catch {
            // Only `work` and `consume` throw inside, and they throw E.
            throw error as! E
        }
    }

    private func anyOrderedMap<R>(count: Int, _ work: (Int) throws -> R, consume: (Int, R) throws -> Void) throws {
        guard workers > 1 && count > 1 else {
            for i in 0..<count { try consume(i, try work(i)) }
            return
        }
        try withoutActuallyEscaping(work) { work in
            var slots = [Result<R, Error>?](repeating: nil, count: count)
            try slots.withUnsafeMutableBufferPointer { slots in
                let box = UncheckedBox(work: work, slots: slots)
                let shared = self.shared, condition = shared.condition
                // Workers compute in the caller's flush-to-zero mode (a run that flushes does so
                // on every thread of its arithmetic).
                let flushing = SubnormalMode.isFlushing
                let job = Job(count: count, window: 2 * workers) { [condition] job, i in
                    if SubnormalMode.isFlushing != flushing { try? SubnormalMode.set(flushing: flushing) }
                    let r = Result { try box.work(i) }
                    condition.lock()
                    box.slots[i] = r
                    if case .failure = r { job.stopped = true }
                    condition.broadcast()
                    condition.unlock()
                }
                condition.lock()
                shared.job = job
                shared.generation += 1
                condition.broadcast()
                condition.unlock()
                defer { finish(job) }
                for i in 0..<count {
                    condition.lock()
                    while box.slots[i] == nil { condition.wait() }
                    let r = box.slots[i]!
                    box.slots[i] = nil
                    condition.unlock()
                    try consume(i, try r.get())
                    condition.lock()
                    job.consumed = i + 1
                    condition.broadcast()
                    condition.unlock()
                }
            }
        }
    }

    /// Stops handing out indices of `job` and waits until no worker is inside it.
    private func finish(_ job: Job) {
        let s = shared
        s.condition.lock()
        job.stopped = true
        s.condition.broadcast()
        while job.active > 0 { s.condition.wait() }
        s.job = nil
        s.condition.unlock()
    }

    /// The job's closure and result slots, handed to the workers. Safe because each index is
    /// given to one worker only, slots are read and written under the pool's lock, and
    /// `orderedMap` does not return before every worker has left the job.
    private struct UncheckedBox<R>: @unchecked Sendable {
        let work: (Int) throws -> R
        let slots: UnsafeMutableBufferPointer<Result<R, Error>?>
    }
}

/// The number of cores this process may run on (the default of every `--threads`).
public var availableCores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

/// Sets OpenBLAS to one thread for the rest of the process. Called once, at the start of a
/// command that runs independent jobs on a `WorkerPool`, before any BLAS call.
///
/// Why one BLAS thread per worker: OpenBLAS 0.3.21's thread count is a process-wide setting
/// (there is no per-call one), so N workers each calling a multi-threaded BLAS would start
/// N × cores threads that spin against each other; and the BLAS thread count changes results
/// in the last bits (an `align` run's JSON differs between OPENBLAS_NUM_THREADS=1 and 2). With
/// one BLAS thread everywhere, a job's arithmetic is the same on every worker and for every
/// worker count, so `--threads N` gives bit-identical output for every N.
public func useSingleThreadedBLAS() { openblas_set_num_threads(1) }
