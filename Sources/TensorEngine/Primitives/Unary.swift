import Foundation

package enum NegKernel: UnaryKernel { @inline(__always) package static func apply(_ x: Float) -> Float { -x } }
package enum ExpKernel: UnaryKernel { @inline(__always) package static func apply(_ x: Float) -> Float { Foundation.exp(x) } }
package enum LogKernel: UnaryKernel { @inline(__always) package static func apply(_ x: Float) -> Float { Foundation.log(x) } }
package enum SqrtKernel: UnaryKernel { @inline(__always) package static func apply(_ x: Float) -> Float { x.squareRoot() } }
package enum AbsKernel: UnaryKernel { @inline(__always) package static func apply(_ x: Float) -> Float { Swift.abs(x) } }
package enum SignKernel: UnaryKernel {
    @inline(__always) package static func apply(_ x: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) }
}
package enum ReluKernel: UnaryKernel { @inline(__always) package static func apply(_ x: Float) -> Float { x > 0 ? x : 0 } }
package enum SigmoidKernel: UnaryKernel {
    @inline(__always) package static func apply(_ x: Float) -> Float {
        // Split by sign so exp never overflows.
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }
}
package enum TanhKernel: UnaryKernel { @inline(__always) package static func apply(_ x: Float) -> Float { Foundation.tanh(x) } }
package enum SoftplusKernel: UnaryKernel {
    // log(1+e^x) = max(x,0) + log1p(e^-|x|): stable for large |x|.
    @inline(__always) package static func apply(_ x: Float) -> Float { Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x))) }
}
package enum GeluKernel: UnaryKernel {
    @inline(__always) package static func apply(_ x: Float) -> Float { 0.5 * x * (1 + fastErf(x * 0.70710678118654752)) }
}
package enum GeluTanhKernel: UnaryKernel {
    @inline(__always) package static func apply(_ x: Float) -> Float {
        0.5 * x * (1 + Foundation.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))
    }
}

// Fused VJP kernels: (g, saved) -> dL/dx in one pass.
package enum ReluGradKernel: BinaryKernel {
    @inline(__always) package static func apply(_ g: Float, _ x: Float) -> Float { x > 0 ? g : 0 }
}
package enum SigmoidGradKernel: BinaryKernel {
    @inline(__always) package static func apply(_ g: Float, _ y: Float) -> Float { g * y * (1 - y) }
}
package enum TanhGradKernel: BinaryKernel {
    @inline(__always) package static func apply(_ g: Float, _ y: Float) -> Float { g * (1 - y * y) }
}
package enum SqrtGradKernel: BinaryKernel {
    @inline(__always) package static func apply(_ g: Float, _ y: Float) -> Float { y == 0 ? 0 : g / (2 * y) }
}
package enum GeluGradKernel: BinaryKernel {
    // d/dx x·Φ(x) = Φ(x) + x·φ(x)
    @inline(__always) package static func apply(_ g: Float, _ x: Float) -> Float {
        let cdf = 0.5 * (1 + fastErf(x * 0.70710678118654752))
        let pdf = 0.3989422804014327 * fastExp(-0.5 * x * x)
        return g * (cdf + x * pdf)
    }
}
package enum GeluTanhGradKernel: BinaryKernel {
    @inline(__always) package static func apply(_ g: Float, _ x: Float) -> Float {
        let k: Float = 0.7978845608028654
        let u = k * (x + 0.044715 * x * x * x)
        let t = Foundation.tanh(u)
        let du = k * (1 + 3 * 0.044715 * x * x)
        return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du)
    }
}

extension Tensor {
    /// Applies a unary kernel without recording.
    package func mapped<K: UnaryKernel>(_ k: K.Type) -> Tensor {
        Tensor.make(shape: shape) { out in unaryForward(k, storage.base, out.baseAddress!, count) }
    }

    /// Records a unary op whose VJP may use the input `x` and the output `y`.
    package func unary<K: UnaryKernel>(_ name: String, _ k: K.Type, vjp: @escaping (_ g: Tensor, _ x: Tensor, _ y: Tensor) -> Tensor)
        -> Tensor
    {
        let x = self
        let y = mapped(k)
        return Tensor.record(name, y, [x]) { g, _ in [vjp(g, x, y)] }
    }

    // d(-x) = -g
    public static prefix func - (x: Tensor) -> Tensor { x.unary("neg", NegKernel.self) { g, _, _ in -g } }
    // d exp(x) = g·exp(x): reuse the output.
    public func exp() -> Tensor { unary("exp", ExpKernel.self) { g, _, y in g * y } }
    // d log(x) = g/x
    public func log() -> Tensor { unary("log", LogKernel.self) { g, x, _ in g / x } }
    /// Square root. d = g/(2·sqrt(x)); at x = 0, where that is infinite, the gradient is 0 (a finite subgradient,
    /// as PyTorch's norm uses) so norms of zero vectors and elements the loss ignores do not turn NaN.
    public func sqrt() -> Tensor {
        unary("sqrt", SqrtKernel.self) { g, _, y in Tensor.broadcasting(SqrtGradKernel.self, g, y) }
    }
    // d|x| = g·sign(x) (0 at 0)
    public func abs() -> Tensor { unary("abs", AbsKernel.self) { g, x, _ in g * x.mapped(SignKernel.self) } }
    /// -1, 0 or 1 by sign; not differentiable (recorded as a constant).
    public func sign() -> Tensor { mapped(SignKernel.self) }
    // d relu(x) = g·1[x>0]
    public func relu() -> Tensor { unary("relu", ReluKernel.self) { g, x, _ in Tensor.broadcasting(ReluGradKernel.self, g, x) } }
    // d σ(x) = g·σ(1-σ)
    public func sigmoid() -> Tensor {
        unary("sigmoid", SigmoidKernel.self) { g, _, y in Tensor.broadcasting(SigmoidGradKernel.self, g, y) }
    }
    // d tanh(x) = g·(1-tanh²)
    public func tanh() -> Tensor { unary("tanh", TanhKernel.self) { g, _, y in Tensor.broadcasting(TanhGradKernel.self, g, y) } }
    // d softplus(x) = g·σ(x)
    public func softplus() -> Tensor { unary("softplus", SoftplusKernel.self) { g, x, _ in g * x.mapped(SigmoidKernel.self) } }

    /// GELU, exact (erf) by default or with the tanh approximation.
    public func gelu(approximateTanh: Bool = false) -> Tensor {
        if approximateTanh {
            return unary("gelu_tanh", GeluTanhKernel.self) { g, x, _ in Tensor.broadcasting(GeluTanhGradKernel.self, g, x) }
        }
        return unary("gelu", GeluKernel.self) { g, x, _ in Tensor.broadcasting(GeluGradKernel.self, g, x) }
    }

    /// max(x, slope·x). d = g·(x>0 ? 1 : slope)
    public func leakyRelu(slope: Float = 0.01) -> Tensor {
        let x = self
        let out = Tensor.maximum(x.detached(), x.detached() * slope)
        return Tensor.record("leaky_relu", out, [x]) { g, _ in
            let pos = x.greater(0)
            return [g * (pos + (1 - pos) * slope)]
        }
    }

    /// Clamps into [min, max]; the gradient is g inside the range and 0 where clamped.
    public func clamped(min lo: Float? = nil, max hi: Float? = nil) -> Tensor {
        let x = self
        var out = x.detached()
        if let lo { out = Tensor.broadcasting(MaxKernel.self, out, Tensor(lo)) }
        if let hi { out = Tensor.broadcasting(MinKernel.self, out, Tensor(hi)) }
        return Tensor.record("clamp", out, [x]) { g, _ in
            var inside = Tensor.full(x.shape, 1)
            if let lo { inside = inside * x.greaterEqual(Tensor(lo)) }
            if let hi { inside = inside * x.lessEqual(Tensor(hi)) }
            return [g * inside]
        }
    }

    /// x² (composite).
    public func squared() -> Tensor { self * self }
}
