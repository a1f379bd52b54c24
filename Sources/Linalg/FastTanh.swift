// A branch-free single-precision tanh the compiler can vectorise, for the training loop's
// hot element-wise pass (libm's tanhf is a scalar call: a quarter of the row-wise training
// time went to it). The reference path is libm's tanh; `FastTanhTests` holds the two
// together over every binade and the special values.

/// tanh(x) for Float without libm, to within 3 ulp of the correctly rounded value (the
/// tests check 4 ulp, relative 2.4e-7, over ±[1e-38, 10] and the special values).
///
/// Method: tanh|x| = m / (m + 2) with m = expm1(2|x|), which has no cancellation for any
/// |x| ≥ 0. expm1(y) = 2^k·expm1(r) + (2^k − 1) with y = k·ln 2 + r, |r| ≤ ln2/2, k rounded
/// to nearest by the 1.5·2²³ trick (no `rounded()` call, which would not vectorise without
/// SSE4.1); ln 2 is split so k·ln2Hi is exact; expm1(r) is its Taylor series to r⁷
/// (truncation < 2e-8 relative). |x| is clamped at 10, beyond which tanh rounds to 1 in Float;
/// NaN passes the clamp and comes out NaN; ±0 and the sign are kept.
@inline(__always)
public func fastTanh(_ x: Float) -> Float {
    let magnitude = x.magnitude
    let a: Float = magnitude > 10 ? 10 : magnitude
    let y = 2 * a
    let roundingConstant: Float = 12_582_912  // 1.5 · 2²³
    let shifted = y * 1.442_695_04 + roundingConstant
    let k = shifted - roundingConstant
    // k as an integer, read from the low significand bits of `shifted` (no Float→Int
    // conversion, which would trap on NaN).
    let kBits = Int32(bitPattern: shifted.bitPattern) &- Int32(bitPattern: roundingConstant.bitPattern)
    let ln2Hi: Float = 0.693_145_751_953_125    // 0x3F317200: 12 trailing zero bits
    let ln2Lo: Float = 1.428_606_765_330_187e-6
    let r = (y - k * ln2Hi) - k * ln2Lo
    // expm1(r) = r + r²(1/2 + r(1/6 + r(1/24 + r(1/120 + r(1/720 + r/5040)))))
    var p: Float = 1.0 / 5040
    p = p * r + 1.0 / 720
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    let expm1r = r + r * r * p
    // 2^k for 0 ≤ k ≤ 29 by building the exponent field.
    let twoToK = Float(bitPattern: UInt32(bitPattern: kBits &+ 127) &<< 23)
    let m = twoToK * expm1r + (twoToK - 1)
    let t = m / (m + 2)
    return Float(bitPattern: (t.bitPattern & 0x7FFF_FFFF) | (x.bitPattern & 0x8000_0000))
}

/// out[o + i] = fastTanh(input[i0 + i]) for i in 0..<count: the vectorised loop.
@inlinable
public func fastTanh(_ input: UnsafeBufferPointer<Float>, from inputOffset: Int,
                     into output: UnsafeMutableBufferPointer<Float>, at outputOffset: Int, count: Int) {
    guard count > 0, let src = input.baseAddress, let dst = output.baseAddress else { return }
    precondition(inputOffset >= 0 && inputOffset + count <= input.count && outputOffset >= 0 && outputOffset + count <= output.count,
                 "fastTanh: range out of bounds")
    let s = src + inputOffset, d = dst + outputOffset
    for i in 0..<count { d[i] = fastTanh(s[i]) }
}
