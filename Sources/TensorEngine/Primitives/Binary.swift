import Foundation

package enum AddKernel: BinaryKernel { @inline(__always) package static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
package enum SubKernel: BinaryKernel { @inline(__always) package static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
package enum MulKernel: BinaryKernel { @inline(__always) package static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
package enum DivKernel: BinaryKernel { @inline(__always) package static func apply(_ a: Float, _ b: Float) -> Float { a / b } }
package enum PowKernel: BinaryKernel {
    @inline(__always) package static func apply(_ a: Float, _ b: Float) -> Float { Foundation.pow(a, b) }
}
package enum MaxKernel: BinaryKernel {
    @inline(__always) package static func apply(_ a: Float, _ b: Float) -> Float { a >= b ? a : b }
}
package enum MinKernel: BinaryKernel {
    @inline(__always) package static func apply(_ a: Float, _ b: Float) -> Float { a <= b ? a : b }
}
/// 1 where a > b, else 0 (masks for the maximum/minimum VJPs and comparisons).
package enum GreaterKernel: BinaryKernel {
    @inline(__always) package static func apply(_ a: Float, _ b: Float) -> Float { a > b ? 1 : 0 }
}
package enum GreaterEqualKernel: BinaryKernel {
    @inline(__always) package static func apply(_ a: Float, _ b: Float) -> Float { a >= b ? 1 : 0 }
}
package enum EqualKernel: BinaryKernel {
    @inline(__always) package static func apply(_ a: Float, _ b: Float) -> Float { a == b ? 1 : 0 }
}

extension Tensor {
    /// Applies a broadcasting binary kernel without recording.
    package static func broadcasting<K: BinaryKernel>(_ k: K.Type, _ a: Tensor, _ b: Tensor) -> Tensor {
        guard let shape = broadcastShape(a.shape, b.shape) else {
            preconditionFailure("broadcast: shapes \(a.shape) and \(b.shape) are incompatible")
        }
        return Tensor.make(shape: shape) { out in
            binaryForward(k, a.storage.base, a.shape, b.storage.base, b.shape, out.baseAddress!, shape)
        }
    }

    /// Records a broadcasting binary op whose VJP gives full-shape gradients; they are summed back to each
    /// operand's shape here, so the op's rule needs no broadcasting logic.
    package static func binary<K: BinaryKernel>(
        _ name: String, _ k: K.Type, _ a: Tensor, _ b: Tensor,
        vjp: @escaping (_ g: Tensor, _ out: Tensor, _ needs: [Bool]) -> (Tensor?, Tensor?)
    ) -> Tensor {
        let out = broadcasting(k, a, b)
        let aShape = a.shape, bShape = b.shape
        return record(name, out, [a, b]) { g, needs in
            let (ga, gb) = vjp(g, out, needs)
            return [ga.map { $0.sumToShape(aShape) }, gb.map { $0.sumToShape(bShape) }]
        }
    }

    // d(a+b) = g, g
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        binary("add", AddKernel.self, a, b) { g, _, n in (n[0] ? g : nil, n[1] ? g : nil) }
    }
    // d(a-b) = g, -g
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        binary("sub", SubKernel.self, a, b) { g, _, n in (n[0] ? g : nil, n[1] ? -g : nil) }
    }
    // d(a*b) = g*b, g*a
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        binary("mul", MulKernel.self, a, b) { g, _, n in (n[0] ? g * b : nil, n[1] ? g * a : nil) }
    }
    // d(a/b) = g/b, -g*a/b²  = -g*out/b
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        binary("div", DivKernel.self, a, b) { g, out, n in
            (n[0] ? g / b : nil, n[1] ? -(g * out / b) : nil)
        }
    }

    /// Element-wise power with broadcasting. d(a^b) = g·b·a^(b-1), g·a^b·log(a).
    /// Where a derivative is infinite or undefined the gradient is 0: to `a` at a = 0 with b < 1 (as `sqrt`),
    /// to `b` where a ≤ 0 (a^b is only a smooth function of b for a > 0).
    public func pow(_ exponent: Tensor) -> Tensor {
        let a = self
        return Tensor.binary("pow", PowKernel.self, a, exponent) { g, out, n in
            var ga: Tensor? = nil, gb: Tensor? = nil
            if n[0] {
                let d = g * exponent * a.pow(exponent - Tensor(1))
                ga = Tensor.select(a.equal(0) * exponent.less(1), Tensor(0), d)
            }
            if n[1] { gb = Tensor.select(a.greater(0), g * out * a.log(), Tensor(0)) }
            return (ga, gb)
        }
    }

    /// x^p for a constant exponent. d = g·p·x^(p-1); 0 at x = 0 when p < 1, where that is infinite (as `sqrt`).
    public func pow(_ p: Float) -> Tensor {
        let x = self
        let out = Tensor.broadcasting(PowKernel.self, x, Tensor(p))
        return Tensor.record("pow", out, [x]) { g, _ in
            if p == 0 { return [Tensor.zeros(x.shape)] }
            let d = g * (x.pow(p - 1) * p)
            return [p < 1 ? Tensor.select(x.equal(0), Tensor(0), d) : d]
        }
    }

    /// Element-wise maximum; the gradient goes to the larger operand (to `a` on ties).
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
        binary("maximum", MaxKernel.self, a, b) { g, _, n in
            let takeA = broadcasting(GreaterEqualKernel.self, a, b)
            return (n[0] ? g * takeA : nil, n[1] ? g * (1 - takeA) : nil)
        }
    }

    /// Element-wise minimum; the gradient goes to the smaller operand (to `a` on ties).
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
        binary("minimum", MinKernel.self, a, b) { g, _, n in
            let takeA = broadcasting(GreaterEqualKernel.self, b, a)
            return (n[0] ? g * takeA : nil, n[1] ? g * (1 - takeA) : nil)
        }
    }

    /// Picks `a` where `mask` is nonzero and `b` elsewhere (all three broadcast). Gradients flow to the operand
    /// picked; the mask gets none. Infinite values pass through (masking scores with -inf is fine).
    public static func select(_ mask: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        guard let ab = broadcastShape(a.shape, b.shape), let shape = broadcastShape(mask.shape, ab) else {
            preconditionFailure("select: shapes \(mask.shape), \(a.shape) and \(b.shape) are incompatible")
        }
        let m = mask.detached().notEqual(0)
        // A real choice per element: the arithmetic form b + m·(a − b) gives NaN wherever a or b is infinite.
        let mf = m.broadcast(to: shape), af = a.detached().broadcast(to: shape), bf = b.detached().broadcast(to: shape)
        let out = Tensor.make(shape: shape) { o in
            selectForward(mf.storage.base, af.storage.base, bf.storage.base, o.baseAddress!, o.count)
        }
        let aShape = a.shape, bShape = b.shape
        return record("where", out, [a, b]) { g, needs in
            [needs[0] ? (g * m).sumToShape(aShape) : nil, needs[1] ? (g * (1 - m)).sumToShape(bShape) : nil]
        }
    }

    // Scalars on either side.
    public static func + (a: Tensor, b: Float) -> Tensor { a + Tensor(b) }
    public static func + (a: Float, b: Tensor) -> Tensor { Tensor(a) + b }
    public static func - (a: Tensor, b: Float) -> Tensor { a - Tensor(b) }
    public static func - (a: Float, b: Tensor) -> Tensor { Tensor(a) - b }
    public static func * (a: Tensor, b: Float) -> Tensor { a * Tensor(b) }
    public static func * (a: Float, b: Tensor) -> Tensor { Tensor(a) * b }
    public static func / (a: Tensor, b: Float) -> Tensor { a * Tensor(1 / b) }
    public static func / (a: Float, b: Tensor) -> Tensor { Tensor(a) / b }

    /// self += other (other broadcast to self's shape), in place and unrecorded; gradient accumulation uses it.
    public mutating func addInPlace(_ other: Tensor) {
        precondition(broadcastShape(shape, other.shape) == shape,
                     "addInPlace: \(other.shape) does not broadcast to \(shape)")
        let o = other
        let shape = self.shape
        withUnsafeMutableElements { dst in
            binaryForward(AddKernel.self, dst.baseAddress!, shape, o.storage.base, o.shape, dst.baseAddress!, shape)
        }
    }

    // Comparisons: 1 where true, 0 elsewhere; never recorded.
    public func greater(_ other: Tensor) -> Tensor { Tensor.broadcasting(GreaterKernel.self, self, other) }
    public func greaterEqual(_ other: Tensor) -> Tensor { Tensor.broadcasting(GreaterEqualKernel.self, self, other) }
    public func less(_ other: Tensor) -> Tensor { Tensor.broadcasting(GreaterKernel.self, other, self) }
    public func lessEqual(_ other: Tensor) -> Tensor { Tensor.broadcasting(GreaterEqualKernel.self, other, self) }
    public func equal(_ other: Tensor) -> Tensor { Tensor.broadcasting(EqualKernel.self, self, other) }
    public func notEqual(_ other: Tensor) -> Tensor { 1 - equal(other) }
    public func greater(_ v: Float) -> Tensor { greater(Tensor(v)) }
    public func less(_ v: Float) -> Tensor { less(Tensor(v)) }
    public func equal(_ v: Float) -> Tensor { equal(Tensor(v)) }
    public func notEqual(_ v: Float) -> Tensor { notEqual(Tensor(v)) }
}
