import Foundation
import Linalg
import Synchronization
import Testing

/// The worker pool behind `--threads`: results reach the consumer in index order whatever order
/// the jobs finish in, the first failing index is the one rethrown, and the workers never run
/// further ahead of the consumer than the window.
@Suite struct WorkerPoolTests {
    /// Jobs that finish in a scrambled order (sleeps that shrink with the index) are still
    /// consumed 0, 1, 2, …, each with its own result, for 1 to 4 workers; with one worker
    /// every job runs on the calling thread.
    @Test(arguments: [1, 2, 3, 4])
    func consumesInIndexOrder(workers: Int) throws {
        let pool = WorkerPool(workers: workers)
        var seen: [Int] = []
        let caller = Thread.current
        let ranOnCaller = Mutex(0)
        try pool.orderedMap(count: 20, { i in
            usleep(UInt32((20 - i) % 7) * 300)
            if Thread.current == caller { ranOnCaller.withLock { $0 += 1 } }
            return i * i
        }, consume: { i, r in
            #expect(r == i * i)
            seen.append(i)
        })
        #expect(seen == Array(0..<20))
        #expect(ranOnCaller.withLock { $0 } == (workers == 1 ? 20 : 0))
        // The same pool runs a second job.
        var total = 0
        try pool.orderedMap(count: 5, { $0 + 1 }, consume: { _, r in total += r })
        #expect(total == 15)
    }

    struct Failure: Error, Equatable { let index: Int }

    /// Indices 7 and 12 fail: index 7's error is rethrown (as a plain loop would), after exactly
    /// indices 0…6 were consumed, and no index beyond 7 + window is ever started.
    @Test func rethrowsTheFirstFailureInIndexOrder() {
        let pool = WorkerPool(workers: 3)
        var consumed: [Int] = []
        let started = Mutex<[Int]>([])
        #expect(throws: Failure(index: 7)) {
            try pool.orderedMap(count: 100, { i in
                started.withLock { $0.append(i) }
                if i == 12 { throw Failure(index: 12) }
                if i == 7 { usleep(20_000); throw Failure(index: 7) }
                return i
            }, consume: { i, _ in consumed.append(i) })
        }
        #expect(consumed == Array(0..<7))
        #expect(started.withLock { $0.max()! } < 7 + 2 * 3 + 1)
    }

    /// A slow consumer holds the workers back: no job starts more than 2 × workers indices
    /// ahead of the last consumed one.
    @Test func workersStayWithinTheWindowOfTheConsumer() throws {
        let pool = WorkerPool(workers: 2)
        let consumedCount = Mutex(0)
        let maxLead = Mutex(0)
        try pool.orderedMap(count: 40, { i in
            let lead = i - consumedCount.withLock { $0 }
            maxLead.withLock { $0 = max($0, lead) }
            return i
        }, consume: { i, _ in
            usleep(500)
            consumedCount.withLock { $0 = i + 1 }
        })
        #expect(maxLead.withLock { $0 } <= 2 * 2)
        #expect(maxLead.withLock { $0 } >= 1)
    }

    /// Pools dropped at once, before their threads have run (a one-job evaluation drops its
    /// pool immediately), shut down cleanly: the threads hold the pool's shared state, not
    /// the pool (they once read a pool already being destroyed and trapped).
    @Test func poolsDroppedBeforeTheirThreadsStartShutDownCleanly() throws {
        for n in 0..<200 {
            let pool = WorkerPool(workers: 2 + n % 3)
            var seen = 0
            try pool.orderedMap(count: n % 2, { $0 }, consume: { _, _ in seen += 1 })
            #expect(seen == n % 2)
        }
    }

    /// A consumer that throws stops the job and the error comes out unchanged.
    @Test func consumerErrorsPropagate() {
        let pool = WorkerPool(workers: 2)
        #expect(throws: Failure(index: 3)) {
            try pool.orderedMap(count: 50, { $0 }, consume: { i, _ in if i == 3 { throw Failure(index: 3) } })
        }
    }
}
