/// Stochastic gradient descent as `torch.optim.SGD`, in one fused pass:
///
///     d = g + λ·p                       (L2 weight decay λ, when λ ≠ 0)
///     b = d at a parameter's first step, else μ·b + (1 − τ)·d    (momentum μ ≠ 0, dampening τ)
///     d = d + μ·b (Nesterov) or b
///     p = p − lr·d
public struct SGDRule: UpdateRule {
    /// Momentum μ; 0 turns momentum (and its slot) off.
    public var momentum: Double
    /// Dampening τ of the gradient added to the momentum buffer.
    public var dampening: Double
    /// Nesterov momentum (needs μ > 0 and τ = 0).
    public var nesterov: Bool

    /// Plain SGD by default; PyTorch's rules for momentum, dampening and Nesterov.
    public init(momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false) {
        precondition(momentum >= 0, "SGD: momentum \(momentum) is negative")
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov needs momentum > 0 and dampening 0")
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
    }

    /// `momentum_buffer` when momentum is on, as in `torch.optim.SGD`'s state.
    public var slotNames: [String] { momentum == 0 ? [] : ["momentum_buffer"] }

    /// One fused pass over `range` (see the type's formula).
    public func update(
        _ range: Range<Int>, parameter p: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>,
        slots: [UnsafeMutablePointer<Float>], context: UpdateContext
    ) {
        let lr = Float(context.lr)
        let wd = Float(context.weightDecay)
        guard momentum != 0 else {
            if wd == 0 {
                for i in range { p[i] = p[i] + -lr * g[i] }
            } else {
                for i in range { p[i] = p[i] + -lr * (g[i] + wd * p[i]) }
            }
            return
        }
        let b = slots[0]
        let mu = Float(momentum)
        // The first step copies d into the buffer, as PyTorch does (exact also when τ ≠ 0).
        let keep: Float = context.step == 1 ? 0 : mu
        let add: Float = context.step == 1 ? 1 : Float(1 - dampening)
        switch (nesterov, wd == 0) {
        case (false, true):
            for i in range {
                let buf = b[i] * keep + add * g[i]
                b[i] = buf
                p[i] = p[i] + -lr * buf
            }
        case (false, false):
            for i in range {
                let d = g[i] + wd * p[i]
                let buf = b[i] * keep + add * d
                b[i] = buf
                p[i] = p[i] + -lr * buf
            }
        case (true, _):
            for i in range {
                let d = wd == 0 ? g[i] : g[i] + wd * p[i]
                let buf = b[i] * keep + add * d
                b[i] = buf
                p[i] = p[i] + -lr * (d + mu * buf)
            }
        }
    }
}

/// `torch.optim.SGD`: `SGD(model.namedParameters(), lr: 0.1, momentum: 0.9)`.
public typealias SGD = GroupedOptimizer<SGDRule>

extension GroupedOptimizer where Rule == SGDRule {
    /// SGD over one group of parameters.
    public convenience init(
        _ parameters: [NamedParameter], lr: Double, momentum: Double = 0, dampening: Double = 0,
        nesterov: Bool = false, weightDecay: Double = 0
    ) {
        self.init(
            groups: [ParameterGroup(parameters)], lr: lr, momentum: momentum, dampening: dampening,
            nesterov: nesterov, weightDecay: weightDecay)
    }

    /// SGD over parameter groups; a group's own `lr` / `weightDecay` override these.
    public convenience init(
        groups: [ParameterGroup], lr: Double, momentum: Double = 0, dampening: Double = 0,
        nesterov: Bool = false, weightDecay: Double = 0
    ) {
        self.init(
            rule: SGDRule(momentum: momentum, dampening: dampening, nesterov: nesterov), groups: groups,
            lr: lr, weightDecay: weightDecay)
    }
}
