/// Branch-free float approximations of erf and exp that the compiler vectorises inside element loops (a libm call
/// per element does not vectorise: glibc's erff made GELU about a quarter of the `lkcnn` step).

/// erf(x), Eigen's rational approximation on [−4, 4] (erf is ±1 to float precision beyond): absolute error below
/// 4e-7 against the exact value (glibc's erff: 5e-8).
@inline(__always)
package func fastErf(_ x: Float) -> Float {
    let x = Swift.min(Swift.max(x, -4), 4)
    let x2 = x * x
    var p: Float = x2 * -2.72614225801306e-10 + 2.77068142495902e-08
    p = x2 * p + -2.10102402082508e-06
    p = x2 * p + -5.69250639462346e-05
    p = x2 * p + -7.34990630326855e-04
    p = x2 * p + -2.95459980854025e-03
    p = x2 * p + -1.60960333262415e-02
    var q: Float = x2 * -1.45660718464996e-05 + -2.13374055278905e-04
    q = x2 * q + -1.68282697438203e-03
    q = x2 * q + -7.37332916720468e-03
    q = x2 * q + -1.42647390514189e-02
    return x * p / q
}

/// e^x, Cephes' expf scheme: x = n·ln 2 + r with |r| ≤ ln 2 / 2, a degree-6 polynomial for e^r, 2ⁿ from the exponent
/// bits; about 1 ulp. Inputs are clamped to [−87.3, 88.3] (so the result stays a normal float). The rounding of n and
/// 2ⁿ use the 1.5·2²³ trick instead of float ↔ integer conversions, which Swift range-checks (and then does not
/// vectorise).
@inline(__always)
package func fastExp(_ x: Float) -> Float {
    let t = Swift.min(Swift.max(x, -87.3), 88.3)
    let magic: Float = 12_582_912  // 1.5·2²³: adding it rounds to an integer held in the low mantissa bits
    let shifted = t * 1.44269504088896341 + magic
    let n = shifted - magic
    let r = t - n * 0.693145751953125 - n * 1.428606765330187e-06
    var p: Float = 1.9875691500e-4
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    p = p * r * r + r + 1
    // shifted's bits are those of 1.5·2²³ plus n: n + 127 shifted into the exponent field is 2ⁿ.
    let exponent = (shifted.bitPattern &- magic.bitPattern &+ 127) &<< 23
    return p * Float(bitPattern: exponent)
}
