/// The one random generator of the project: xoshiro256** seeded through SplitMix64.
///
/// Every random choice (initial weights, shuffles, permutations, random baselines, random
/// orthonormal frames) takes one of these explicitly; nothing in ftle draws unseeded
/// randomness. The stream for a given seed is fixed forever (results and tests depend on it),
/// and the whole state is four words, so training can checkpoint and resume it exactly.
public struct SeededRandom: RandomNumberGenerator, Sendable, Equatable, Codable {
    public private(set) var state: [UInt64]

    public init(seed: UInt64) {
        var z = seed
        func splitmix() -> UInt64 {
            z &+= 0x9E37_79B9_7F4A_7C15
            var x = z
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            return x ^ (x >> 31)
        }
        state = [splitmix(), splitmix(), splitmix(), splitmix()]
    }

    /// Restores a generator from `state` (four words, as saved in a checkpoint).
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        self.state = state
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = SeededRandom.rotl(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = SeededRandom.rotl(state[3], 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in [lo, hi).
    public mutating func nextUniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * nextUniform()
    }

    /// Standard normal N(0, 1) by the Box–Muller transform (one draw per call; the pair's
    /// second value is discarded so the state is all there is to save).
    public mutating func nextNormal() -> Double {
        var u1 = nextUniform()
        while u1 <= 0 { u1 = nextUniform() }
        let u2 = nextUniform()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    /// A uniformly random permutation of 0..<n (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n < 2 { return p }
        for i in stride(from: n - 1, to: 0, by: -1) {
            let j = Int(next() % UInt64(i + 1))
            p.swapAt(i, j)
        }
        return p
    }

    /// `k` distinct indices drawn uniformly from 0..<n (k ≤ n), in draw order.
    public mutating func sample(_ k: Int, from n: Int) -> [Int] {
        precondition(k <= n)
        var p = Array(0..<n)
        for i in 0..<k {
            let j = i + Int(next() % UInt64(n - i))
            p.swapAt(i, j)
        }
        return Array(p[0..<k])
    }
}

import Foundation
@inline(__always) private func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Foundation.cos(x) }

extension Matrix {
    /// Entries i.i.d. N(0, std²).
    public static func gaussian(rows: Int, cols: Int, std: Double = 1, using rng: inout SeededRandom) -> Matrix {
        var m = Matrix(rows: rows, cols: cols)
        for k in 0..<m.storage.count { m.storage[k] = T(std * rng.nextNormal()) }
        return m
    }

    /// Entries i.i.d. uniform on [lo, hi).
    public static func uniform(rows: Int, cols: Int, _ lo: Double, _ hi: Double, using rng: inout SeededRandom) -> Matrix {
        var m = Matrix(rows: rows, cols: cols)
        for k in 0..<m.storage.count { m.storage[k] = T(rng.nextUniform(lo, hi)) }
        return m
    }

    /// An n×k matrix with orthonormal columns, Haar-distributed: the Q of a Gaussian matrix
    /// with diag(R) ≥ 0 (the sign fix is what makes the distribution uniform).
    public static func randomOrthonormal(rows n: Int, cols k: Int, using rng: inout SeededRandom) -> Matrix {
        precondition(k <= n, "an n×k orthonormal frame needs k ≤ n")
        let g = Matrix<Double>.gaussian(rows: n, cols: k, using: &rng)
        // A Gaussian matrix is finite, so QR cannot throw here.
        let q = try! thinQR(g).q
        return q.converted(to: T.self)
    }
}
