import Foundation
import Linalg
import Testing

/// `SubnormalMode` (train --flush-subnormals): with flushing on, a result below the smallest
/// normal magnitude is 0 and a subnormal operand is read as 0, on the calling thread, inside a
/// BLAS call and in every `WorkerPool` job; with it off (the default) the same arithmetic gives
/// the exact subnormal. Each test restores its thread's mode.
@Suite struct SubnormalModeTests {
    /// Values the compiler cannot fold: the halving must happen at run time, in the thread's mode.
    @inline(never) static func halve(_ values: [Double]) -> [Double] { values.map { $0 * 0.5 } }
    @inline(never) static func halve(_ values: [Float]) -> [Float] { values.map { $0 * 0.5 } }

    /// Off: half the smallest normal Double (2^−1023) and Float (2^−127) are exact subnormals,
    /// and the smallest subnormal survives being added to 0. On: both halvings give 0, and the
    /// subnormal operand reads as 0.
    @Test func halvingTheSmallestNormal() throws {
        let before = SubnormalMode.isFlushing
        defer { try? SubnormalMode.set(flushing: before) }
        try SubnormalMode.set(flushing: false)
        #expect(!SubnormalMode.isFlushing)
        #expect(Self.halve([Double.leastNormalMagnitude]) == [0x1p-1023])
        #expect(Self.halve([Float.leastNormalMagnitude]) == [0x1p-127])
        #expect(Self.halve([Double.leastNonzeroMagnitude * 4]) == [Double.leastNonzeroMagnitude * 2])
        try SubnormalMode.set(flushing: true)
        #expect(SubnormalMode.isFlushing)
        #expect(Self.halve([Double.leastNormalMagnitude]) == [0])
        #expect(Self.halve([Float.leastNormalMagnitude]) == [0])
        #expect(Self.halve([Double.leastNonzeroMagnitude * 4]) == [0])   // a subnormal operand is 0
        #expect(Self.halve([Double.leastNormalMagnitude * 4]) == [Double.leastNormalMagnitude * 2])   // normals untouched
    }

    /// A BLAS product on the calling thread follows its mode: V·x with entries 2^−1020 and 2^−10
    /// is the subnormal 2^−1030 (off) or 0 (on).
    @Test func blasFollowsTheCallingThread() throws {
        let before = SubnormalMode.isFlushing
        defer { try? SubnormalMode.set(flushing: before) }
        let v = Matrix<Double>(rows: 1, cols: 1, rowMajor: [0x1p-1020])
        try SubnormalMode.set(flushing: false)
        #expect(matvec(v, [0x1p-10]) == [0x1p-1030])
        try SubnormalMode.set(flushing: true)
        #expect(matvec(v, [0x1p-10]) == [0])
    }

    /// Pool workers (threads made before the mode changed) run each job in the mode of the
    /// thread that called orderedMap.
    @Test func poolJobsRunInTheCallersMode() throws {
        let before = SubnormalMode.isFlushing
        defer { try? SubnormalMode.set(flushing: before) }
        try SubnormalMode.set(flushing: false)
        let pool = WorkerPool(workers: 2)
        for flushing in [true, false, true] {
            try SubnormalMode.set(flushing: flushing)
            var results: [Double] = []
            try pool.orderedMap(count: 8, { _ in Self.halve([Double.leastNormalMagnitude])[0] }, consume: { _, r in results.append(r) })
            #expect(results == [Double](repeating: flushing ? 0 : 0x1p-1023, count: 8), "flushing \(flushing)")
        }
    }
}
