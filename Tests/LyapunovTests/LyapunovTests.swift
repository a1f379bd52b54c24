import Foundation
import Linalg
import Lyapunov
import MNIST
import RNN
import Testing
import TestSupport

/// A model whose readout and input weights are random, with recurrent matrix `v`.
func modelWith(v: Matrix<Double>, inputSize: Int = 1, bias: Bool = false, seed: UInt64 = 1) -> RNNModel<Double> {
    var rng = SeededRandom(seed: seed)
    let h = v.rows
    return RNNModel(u: .gaussian(rows: h, cols: inputSize, using: &rng), v: v,
                    b: bias ? (0..<h).map { _ in 0.1 * rng.nextNormal() } : [Double](repeating: 0, count: h),
                    w: .gaussian(rows: 10, cols: h, std: 0.5, using: &rng), c: [Double](repeating: 0, count: 10),
                    task: inputSize == 28 ? .rowwise : .pixelwise)
}

@Suite struct ConstantJacobianTests {
    /// Zero input, zero bias and h_0 = 0 keep h_t = 0, so D_t = V and the QR iteration is the
    /// unshifted QR algorithm: ln r_t^k → ln|μ_k| with |μ_1| > … > |μ_K|. The sums satisfy
    /// Σ_{s≤T} ln r_s^k = T ln|μ_k| + c_k + o(1), where c_k depends only on V's eigenvectors and
    /// Q_0, so |λ_k(T) − ln|μ_k|| ≤ C/T. We check the bound with C = 10 (the |c_k| here are below
    /// 3), and the 1/T rate itself: the error at T = 4000 is a quarter of that at T = 1000 to 2%.
    func check(_ v: Matrix<Double>, moduli: [Double], label: String) throws {
        let model = modelWith(v: v)
        let exact = moduli.map { Foundation.log($0) }
        func error(_ steps: Int) throws -> [Double] {
            let trace = try LyapunovTrace(model: model, sequence: [Double](repeating: 0, count: steps), steps: steps)
            #expect(trace.states.allSatisfy { $0.allSatisfy { $0 == 0 } }, "\(label): the state stays at the fixed point")
            return zip(trace.spectrum, exact).map { $0 - $1 }
        }
        let e1000 = try error(1000), e4000 = try error(4000)
        for k in 0..<moduli.count {
            #expect(abs(e4000[k]) <= 10.0 / 4000, "\(label) k=\(k + 1): error \(e4000[k])")
            if abs(e1000[k]) > 1e-9 {
                #expect(abs(e4000[k] / e1000[k] - 0.25) < 0.02 * 0.25 + 1e-9, "\(label) k=\(k + 1): 1/T rate, ratio \(e4000[k] / e1000[k])")
            }
        }
    }

    @Test func symmetricV() throws {
        var rng = SeededRandom(seed: 3)
        let o = Matrix<Double>.randomOrthonormal(rows: 5, cols: 5, using: &rng)
        let mu: [Double] = [2.0, -1.5, 1.0, 0.5, -0.25]
        var d = Matrix<Double>(rows: 5, cols: 5)
        for i in 0..<5 { d[i, i] = mu[i] }
        try check(matmul(matmul(o, d), o, .none, .transposed), moduli: mu.map(abs), label: "symmetric")
    }

    @Test func nonNormalV() throws {
        // V = P diag(μ) P⁻¹ with P = I + strictly upper part (unit triangular, so P⁻¹ is exact
        // enough through back substitution): eigenvalues μ, eigenvectors far from orthogonal.
        let mu: [Double] = [1.8, 1.2, -0.9, 0.6]
        var v = Matrix<Double>(rows: 4, cols: 4)
        for i in 0..<4 { v[i, i] = mu[i]; for j in (i + 1)..<4 { v[i, j] = 0.7 } }  // upper triangular: eigenvalues on the diagonal
        try check(v, moduli: mu.map(abs), label: "upper triangular")
    }
}

/// A one-input tanh RNN with a Gaussian V of spectral radius ≈ 1.5 and biases (seeded).
func randomModel(h: Int, seed: UInt64) -> RNNModel<Double> {
    var rng = SeededRandom(seed: seed)
    return modelWith(v: .gaussian(rows: h, cols: h, std: 1.5 / Double(h).squareRoot(), using: &rng), inputSize: 1, bias: true, seed: seed)
}

/// n seeded N(0, 1) inputs.
func randomSequence(_ n: Int, seed: UInt64) -> [Double] {
    var rng = SeededRandom(seed: seed)
    return (0..<n).map { _ in rng.nextNormal() }
}

@Suite struct StepperInvariantTests {
    func sequence(_ n: Int, seed: UInt64) -> [Double] { randomSequence(n, seed: seed) }

    /// At every step: h_t follows the RNN update (1e-14), Q_tᵀQ_t = I (1e-12) and
    /// Q_t R_t = D_t Q_{t−1} (1e-12 relative), with D_t formed independently from h_t and V.
    /// K < H runs the fused V·[Q | h] product, K = H the separate one; h_0 is zero or random.
    @Test(arguments: [nil, 1, 3, 11] as [Int?], [false, true])
    func orthonormalityAndFactorisation(k: Int?, randomInitialState: Bool) throws {
        let model = randomModel(h: 12, seed: 5)
        let h0 = randomInitialState ? sequence(12, seed: 4).map { 0.5 * Foundation.tanh($0) } : nil
        var stepper = LyapunovStepper(model: model, k: k, initialState: h0, initialFrame: .random(seed: 2))
        for x in sequence(60, seed: 9) {
            let qPrev = stepper.q, hPrev = stepper.h
            try stepper.step(input: [x])
            // h_t = tanh(V h_{t−1} + U x_t + b), formed here with plain loops (1e-14).
            for i in 0..<12 {
                var a = model.b[i] + model.u[i, 0] * x
                for j in 0..<12 { a += model.v[i, j] * hPrev[j] }
                #expect(abs(stepper.h[i] - Foundation.tanh(a)) < 1e-14)
            }
            var d = model.v
            for i in 0..<12 { for j in 0..<12 { d[i, j] *= 1 - stepper.h[i] * stepper.h[i] } }
            let dq = matmul(d, qPrev)
            #expect(orthonormalityError(stepper.q) < 1e-12)
            #expect(relativeError(matmul(stepper.q, stepper.r), dq) < 1e-12)
            #expect(stepper.r.diagonal.allSatisfy { $0 >= 0 })
        }
    }

    /// A non-finite state throws, and keeps throwing on the next step (it does not trap on a
    /// buffer left the wrong shape, nor resume from the last finite state), fused or not.
    @Test(arguments: [nil, 3] as [Int?])
    func nonFiniteStateKeepsThrowing(k: Int?) throws {
        var stepper = LyapunovStepper(model: randomModel(h: 12, seed: 5), k: k)
        try stepper.step(input: [0.1])
        #expect(throws: LinalgError.self) { try stepper.step(input: [.nan]) }
        #expect(throws: LinalgError.self) { try stepper.step(input: [0.2]) }
        #expect(stepper.h.allSatisfy { $0.isNaN })
    }

    @Test func stepperAndDriverAgreeExactly() throws {
        let model = randomModel(h: 10, seed: 6)
        let seq = sequence(40, seed: 1)
        let trace = try LyapunovTrace(model: model, sequence: seq, steps: 40, transient: 5)
        var stepper = LyapunovStepper(model: model, transient: 5)
        for (t, x) in seq.enumerated() {
            try stepper.step(input: [x])
            #expect(stepper.logR == trace.logR[t])
            #expect(stepper.h == trace.states[t + 1])
            if t >= 5 {
                #expect(stepper.exponents == trace.exponents[t])
            } else {
                let allNaN = trace.exponents[t].allSatisfy { $0.isNaN }
                #expect(allNaN)
            }
        }
    }

    /// The first K columns of the full frame evolve exactly as the K-column frame, so the
    /// partial spectrum equals the first K of the full one (to rounding: 1e-10 absolute).
    @Test func partialSpectrumIsPrefixOfFull() throws {
        let model = randomModel(h: 16, seed: 7)
        let seq = sequence(100, seed: 2)
        let full = try LyapunovTrace(model: model, sequence: seq, steps: 100)
        let part = try LyapunovTrace(model: model, sequence: seq, steps: 100, k: 4)
        for k in 0..<4 { #expect(abs(full.spectrum[k] - part.spectrum[k]) < 1e-10) }
    }

    @Test func zeroDiagonalGivesMinusInfinityNotNaN() throws {
        // V with a zero column: D_t Q_0 has a zero column for e_3, so r^3 = 0 at step 1.
        var v = Matrix<Double>.identity(4)
        v[2, 2] = 0
        let trace = try LyapunovTrace(model: modelWith(v: v), sequence: [0, 0, 0], steps: 3)
        #expect(trace.logR[0][2] == -.infinity)
        #expect(trace.spectrum[2] == -.infinity)
        #expect(!trace.spectrum.contains { $0.isNaN })
    }

    @Test func statistics() {
        // λ = (0.5, 0.1, −0.4, −1): partial sums 0.5, 0.6, 0.2, −0.8 → j = 3, D = 3 + 0.2/1 = 3.2.
        #expect(abs(SpectrumStatistics.kaplanYorke([0.1, -1, 0.5, -0.4]) - 3.2) < 1e-15)
        #expect(SpectrumStatistics.kaplanYorke([-0.1, -1]) == 0)
        #expect(SpectrumStatistics.kaplanYorke([0.3, 0.2]) == 2)
        #expect(abs(SpectrumStatistics.entropy([0.1, -1, 0.5, -0.4]) - 0.6) < 1e-15)
        #expect(SpectrumStatistics.participationRatio([1, 0, 0, 0]) == 1)
        #expect(abs(SpectrumStatistics.participationRatio([0.5, 0.5, 0.5, 0.5]) - 4) < 1e-12)
    }
}

@Suite struct GradientThroughQRTests {
    /// ∇_V L from the stored Q and R equals BPTT to 1e-9 relative (Float64), for the loss on
    /// the last step and the loss summed over all steps, with a random h_0 and Q_0.
    @Test(arguments: GradientThroughQR.LossKind.allCases)
    func matchesBPTT(loss: GradientThroughQR.LossKind) throws {
        var rng = SeededRandom(seed: 11)
        let h = 10, steps = 28
        let model = modelWith(v: .gaussian(rows: h, cols: h, std: 1.2 / Double(h).squareRoot(), using: &rng), inputSize: 28, bias: true)
        let images = try MNISTDataset.load(directory: samplesMNIST, split: .test)
        let seq = SequenceTask.rowwise.sequence(images.image(0)).map(Double.init)
        let label = images.label(0)
        let h0 = (0..<h).map { _ in rng.nextNormal() }
        let trace = try LyapunovTrace(model: model, sequence: seq, steps: steps, initialState: h0,
                                      initialFrame: .random(seed: 4), keepFrames: true)
        let viaQR = GradientThroughQR.recurrentWeightGradient(model: model, trace: trace, label: label, loss: loss)

        let bptt = model.recurrentWeightGradient(sequence: seq, steps: steps, label: label, initialState: h0,
                                                 lossAtEveryStep: loss == .all)
        // Both paths see the same values: the image is Float, widened exactly to Double.
        let err = relativeError(viaQR, bptt)
        print("gradient through Q/R vs BPTT (\(loss)): relative error \(err)")
        #expect(err < 1e-9)
        #expect(bptt.frobeniusNorm > 1e-3, "a non-trivial gradient")
    }
}


@Suite struct QRMethodTests {
    /// The stepper's fast QR (CholeskyQR2 with fallback) and plain Householder give the same
    /// ln r per step to 1e-8 and exponents to 1e-10 absolute over 300 steps. Both compute r_kk
    /// with an absolute error of O(u‖D_t Q‖), so ln r_kk carries a relative error up to
    /// u‖D_t Q‖/r_kk: about 1e-10 for the most contracted directions here (r_kk ≈ 1e-6‖D_t Q‖);
    /// 1e-8 leaves a margin. Frames attract, so the differences do not accumulate.
    @Test func fastAndHouseholderSpectraAgree() throws {
        var rng = SeededRandom(seed: 21)
        let model = modelWith(v: .gaussian(rows: 24, cols: 24, std: 1.5 / Double(24).squareRoot(), using: &rng), inputSize: 1, bias: true)
        var fast = LyapunovStepper(model: model, qrMethod: .automatic)
        var slow = LyapunovStepper(model: model, qrMethod: .householder)
        for _ in 0..<300 {
            let x = [rng.nextNormal()]
            try fast.step(input: x); try slow.step(input: x)
            for k in 0..<24 { #expect(abs(fast.logR[k] - slow.logR[k]) < 1e-8) }
        }
        for k in 0..<24 { #expect(abs(fast.exponents[k] - slow.exponents[k]) < 1e-10) }
    }

    /// The implicit full frame (K = H = 256: Householder reflectors, xORMQR + xGEQRF) against the
    /// plain explicit Householder path, an independent computation: ln r per step to 1e-8 and
    /// exponents to 1e-10 absolute (the error argument of `fastAndHouseholderSpectraAgree`), the
    /// frame Q_t and R_t (unique for a full-rank D_t Q_{t−1} with diag(R) > 0) to 1e-9, q_t^1 as
    /// `firstDirection` reads it, and the state h_t bit for bit.
    @Test func implicitFullFrameMatchesExplicitHouseholder() throws {
        let n = HouseholderFrame<Double>.minimumSize
        var rng = SeededRandom(seed: 33)
        let model = modelWith(v: .gaussian(rows: n, cols: n, std: 1.5 / Double(n).squareRoot(), using: &rng), inputSize: 1, bias: true)
        var implicit = LyapunovStepper(model: model, qrMethod: .automatic, implicitFrame: .always)
        var slow = LyapunovStepper(model: model, qrMethod: .householder)
        for t in 1...40 {
            let x = [rng.nextNormal()]
            try implicit.step(input: x); try slow.step(input: x)
            #expect(implicit.h == slow.h)
            for k in 0..<n { #expect(abs(implicit.logR[k] - slow.logR[k]) < 1e-8, "t \(t) k \(k)") }
            if t % 13 == 1 {
                #expect(relativeError(implicit.q, slow.q) < 1e-9, "Q at t \(t)")
                #expect(relativeError(implicit.r, slow.r) < 1e-9, "R at t \(t)")
                #expect(orthonormalityError(implicit.q) < 1e-12)
                let first = implicit.firstDirection, explicitFirst = implicit.q.column(0)
                #expect(zip(first, explicitFirst).allSatisfy { abs($0 - $1) < 1e-13 })
            }
        }
        #expect(implicit.lastStepUsedHouseholder)
        for k in 0..<n { #expect(abs(implicit.exponents[k] - slow.exponents[k]) < 1e-10) }
    }
}
