import Foundation
import Linalg

extension GatedLayer {
    /// ∂s'/∂s · Q (`transposed` false) or (∂s'/∂s)ᵀ · Q (`transposed` true) for a frame Q
    /// (S×K, S the state size) without forming the S×S Jacobian: the recurrent weights meet the
    /// frame in one (G·H)×H by H×K product, the rest is diagonal scaling, O(G·H²·K) instead of
    /// O(G·H³ + S²K). `step` must be `self.step(state: s, input: x)`. Agrees with
    /// `jacobians(state:input:step:).state` times Q to rounding (tested at 1e-12).
    ///
    /// With P = W_hh · Q_h (G blocks of H×K; Q_h the frame's h-rows) and the slopes of
    /// `jacobians`:
    /// - GRU: D Q = D(rSlope) P_r + D(zSlope) P_z + D(nSlope ⊙ r) P_n + D(z) Q;
    ///   Dᵀ Q = W_hhᵀ [D(rSlope) Q; D(zSlope) Q; D(nSlope ⊙ r) Q] + D(z) Q.
    /// - LSTM, Q = [Q_h; Q_c]: dc = D(iSlope) P_i + D(fSlope) P_f + D(gSlope) P_g + D(f) Q_c,
    ///   dh = D(oSlope) P_o + D(throughC) dc. Transposed, with M = throughC ⊙ Y_h + Y_c:
    ///   h-rows W_hhᵀ [D(iSlope) M; D(fSlope) M; D(gSlope) M; D(oSlope) Y_h], c-rows D(f) M.
    public func frameProduct(state s: [Double], step: Step, frame q: Matrix<Double>, transposed: Bool) -> Matrix<Double> {
        let h = hidden, k = q.cols
        precondition(q.rows == stateSize, "the frame has \(q.rows) rows, the state \(stateSize)")
        /// rows 0..<H of q (the h-part), H×K.
        func hRows(_ m: Matrix<Double>) -> Matrix<Double> {
            guard m.rows != h else { return m }
            var out = Matrix<Double>(rows: h, cols: k)
            for j in 0..<k { for i in 0..<h { out[i, j] = m[i, j] } }
            return out
        }
        /// diag(d_g) applied to G stacked copies of y (H×K each): (G·H)×K.
        func stackScaled(_ slopes: [[Double]], _ ys: [Matrix<Double>]) -> Matrix<Double> {
            var out = Matrix<Double>(rows: slopes.count * h, cols: k)
            for (g, d) in slopes.enumerated() {
                let y = ys[g]
                for j in 0..<k { for i in 0..<h { out[g * h + i, j] = d[i] * y[i, j] } }
            }
            return out
        }
        let sl = slopes(state: s, step: step)
        switch cell {
        case .gru:
            let z = step.gates[1]
            if transposed {
                var out = matmul(recurrentWeights, stackScaled([sl.r, sl.z, sl.n], [q, q, q]), .transposed)
                for j in 0..<k { for i in 0..<h { out[i, j] += z[i] * q[i, j] } }
                return out
            }
            let p = matmul(recurrentWeights, q)
            var out = Matrix<Double>(rows: h, cols: k)
            for j in 0..<k {
                for i in 0..<h {
                    out[i, j] = sl.r[i] * p[i, j] + sl.z[i] * p[h + i, j] + sl.n[i] * p[2 * h + i, j] + z[i] * q[i, j]
                }
            }
            return out
        case .lstm:
            let f = step.gates[1]
            var out = Matrix<Double>(rows: 2 * h, cols: k)
            if transposed {
                var m = Matrix<Double>(rows: h, cols: k)
                for j in 0..<k { for i in 0..<h { m[i, j] = sl.throughC[i] * q[i, j] + q[h + i, j] } }
                let top = matmul(recurrentWeights, stackScaled([sl.i, sl.f, sl.g, sl.o], [m, m, m, hRows(q)]), .transposed)
                for j in 0..<k {
                    for i in 0..<h {
                        out[i, j] = top[i, j]
                        out[h + i, j] = f[i] * m[i, j]
                    }
                }
                return out
            }
            let p = matmul(recurrentWeights, hRows(q))
            for j in 0..<k {
                for i in 0..<h {
                    let dc = sl.i[i] * p[i, j] + sl.f[i] * p[h + i, j] + sl.g[i] * p[2 * h + i, j] + f[i] * q[h + i, j]
                    out[h + i, j] = dc
                    out[i, j] = sl.o[i] * p[3 * h + i, j] + sl.throughC[i] * dc
                }
            }
            return out
        }
    }
}
