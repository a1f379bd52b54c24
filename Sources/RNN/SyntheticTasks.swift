import Linalg

/// The synthetic long-memory classification tasks of `ftle data`: sequences of T steps whose
/// class, read at the last step, depends on inputs far back, so a network can be trained and
/// studied without outside data. Each draw is made from one `SeededRandom` in a fixed order (see
/// `sequence(using:)`), so a seed gives the same sets forever.
public enum SyntheticTask: Sendable, Equatable {
    /// K symbols, a pattern of L of them at steps 1…L, blanks after; class = the symbol at step 1.
    case copy(symbols: Int, length: Int)
    /// ±1 bits; class = the bits of step 1 and step T − delay differ.
    case delayedXOR(delay: Int)
    /// Values in [0, 1) and two markers; class = the marked values sum to more than 1.
    case adding

    /// The names `ftle data` takes, in the order it lists them.
    public static let names = ["copy", "delayed-xor", "adding"]

    public var name: String {
        switch self {
        case .copy: "copy"
        case .delayedXOR: "delayed-xor"
        case .adding: "adding"
        }
    }

    /// Inputs per step I.
    public var inputSize: Int {
        switch self {
        case let .copy(symbols, _): symbols + 1
        case .delayedXOR: 1
        case .adding: 2
        }
    }

    /// Classes C (labels 0…C−1).
    public var classes: Int {
        switch self {
        case let .copy(symbols, _): symbols
        case .delayedXOR, .adding: 2
        }
    }

    /// The task's parameters by their option names (for task.json).
    public var parameters: [String: Int] {
        switch self {
        case let .copy(symbols, length): ["symbols": symbols, "length": length]
        case let .delayedXOR(delay): ["delay": delay]
        case .adding: [:]
        }
    }

    /// The exact definition, one paragraph per task, steps numbered 1…T; what `ftle help data`
    /// prints and task.json records.
    public static func definition(of name: String) -> String {
        switch name {
        case "copy":
            return "copy (I = K + 1, C = K; --symbols K, default 8, 2…256; --length L, default 1, 1…T−1): symbols s_1…s_L are drawn "
                + "i.i.d. uniformly from 0…K−1; x_t is the one-hot vector of s_t for t ≤ L and of the blank channel K for t > L. "
                + "Label = s_1, the first symbol, recalled T − 1 steps later."
        case "delayed-xor":
            return "delayed-xor (I = 1, C = 2; --delay D, default 0, 0…T−2): x_1…x_T are i.i.d. bits, −1 or +1 with probability 1/2 each. "
                + "Label = 1 if x_1 ≠ x_{T−D} (their XOR), else 0: the first bit is held T − 1 steps, the second D steps."
        default:
            return "adding (I = 2, C = 2): channel 0 holds u_1…u_T i.i.d. uniform on [0, 1) (multiples of 2^−24, exact in Float32); "
                + "channel 1 is 1 at steps a and b and 0 elsewhere, a uniform on 1…⌊T/2⌋ and b on ⌊T/2⌋+1…T. "
                + "Label = 1 if u_a + u_b > 1, else 0 (probability 1/2 − 3·2^−25 + 2^−48)."
        }
    }

    public var definition: String { SyntheticTask.definition(of: name) }

    /// A uniform integer in 0..<n by rejection (no modulo bias; the same draws on every platform).
    static func uniformIndex(below n: Int, using rng: inout SeededRandom) -> Int {
        let bound = UInt64(n)
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let x = rng.next()
            if x < limit { return Int(x % bound) }
        }
    }

    /// One sequence of `steps` steps (T×I values, step-major) and its label. The draws, in order:
    /// copy: s_1…s_L; delayed-xor: x_1…x_T (the top bit of one draw each, set = +1); adding:
    /// u_1…u_T (the top 24 bits of one draw each), then a, then b.
    public func sequence(steps t: Int, using rng: inout SeededRandom) -> (values: [Double], label: Int) {
        let i = inputSize
        var x = [Double](repeating: 0, count: t * i)
        switch self {
        case let .copy(symbols, length):
            var first = 0
            for step in 0..<t {
                let symbol = step < length ? SyntheticTask.uniformIndex(below: symbols, using: &rng) : symbols
                if step == 0 { first = symbol }
                x[step * i + symbol] = 1
            }
            return (x, first)
        case let .delayedXOR(delay):
            for step in 0..<t { x[step] = rng.next() >> 63 == 1 ? 1 : -1 }
            return (x, x[0] != x[t - 1 - delay] ? 1 : 0)
        case .adding:
            for step in 0..<t { x[2 * step] = Double(rng.next() >> 40) * 0x1.0p-24 }
            let half = t / 2
            let a = SyntheticTask.uniformIndex(below: half, using: &rng)
            let b = half + SyntheticTask.uniformIndex(below: t - half, using: &rng)
            x[2 * a + 1] = 1
            x[2 * b + 1] = 1
            return (x, x[2 * a] + x[2 * b] > 1 ? 1 : 0)
        }
    }

    /// Why `steps` does not suit the task's parameters, or nil (T ≥ 2 is checked by the caller).
    public func problem(steps t: Int) -> String? {
        switch self {
        case let .copy(symbols, length):
            if !(2...256).contains(symbols) { return "--symbols must be in 2...256 (got \(symbols))" }
            if length < 1 || length > t - 1 { return "--length must be in 1...\(t - 1) for --steps \(t) (got \(length))" }
        case let .delayedXOR(delay):
            if delay < 0 || delay > t - 2 { return "--delay must be in 0...\(t - 2) for --steps \(t) (got \(delay))" }
        case .adding: break
        }
        return nil
    }

    /// `count` sequences drawn from `SeededRandom(seed:)` in order, in memory (the files of
    /// `SyntheticTaskFiles` hold the same values).
    public func generate(count: Int, steps: Int, seed: UInt64) -> SequenceSet {
        var rng = SeededRandom(seed: seed)
        var values: [Double] = [], labels: [Int] = []
        values.reserveCapacity(count * steps * inputSize)
        for _ in 0..<count {
            let s = sequence(steps: steps, using: &rng)
            values += s.values
            labels.append(s.label)
        }
        return SequenceSet(count: count, steps: steps, inputSize: inputSize, values: values, labels: labels)
    }
}
