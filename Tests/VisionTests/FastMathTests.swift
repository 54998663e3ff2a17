import Foundation
import Testing
import TensorEngine

/// The vectorisable erf and exp behind GELU against double-precision libm on dense grids.
@Suite struct FastMathTests {
    @Test func erfIsWithinFourTenthsOfAMillionth() {
        var worst = 0.0
        for i in -100_000...100_000 {
            let x = Float(i) * 1e-4
            worst = Swift.max(worst, Swift.abs(Double(fastErf(x)) - erf(Double(x))))
        }
        #expect(worst < 4e-7, "max |fastErf − erf| = \(worst)")
        #expect(fastErf(100) == 1 && fastErf(-100) == -1 && fastErf(0) == 0)
    }

    @Test func expIsWithinTwoUlps() {
        var worst = 0.0
        for i in -87_000...88_000 {
            let x = Float(i) * 1e-3
            let reference = exp(Double(x))
            worst = Swift.max(worst, Swift.abs(Double(fastExp(x)) - reference) / reference)
        }
        #expect(worst < 1.2e-7, "max relative error \(worst)")
        #expect(fastExp(-1000) > 0 && fastExp(-1000) < 1e-37, "clamped below, still a normal float")
        #expect(fastExp(0) == 1)
    }
}
