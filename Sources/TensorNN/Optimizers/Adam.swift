import Foundation

/// How an Adam-family rule applies weight decay λ.
public protocol AdamWeightDecay: Sendable {
    /// The optimizer's name in messages.
    static var name: String { get }
    /// True: p ← p·(1 − lr·λ) before the update (AdamW); false: d = g + λ·p (Adam's L2 decay).
    static var decoupled: Bool { get }
}

/// Adam's L2 weight decay, added to the gradient.
public enum L2WeightDecay: AdamWeightDecay {
    public static let name = "Adam"
    public static let decoupled = false
}

/// AdamW's decoupled weight decay, applied to the parameter.
public enum DecoupledWeightDecay: AdamWeightDecay {
    public static let name = "AdamW"
    public static let decoupled = true
}

/// Adam as `torch.optim.Adam` (`AdamRule`: L2 weight decay, d = g + λ·p) or AdamW as `torch.optim.AdamW`
/// (`AdamWRule`: no gradient decay, the parameter instead shrunk first by p = p·(1 − lr·λ)):
///
///     m = β₁·m + (1 − β₁)·d,   v = β₂·v + (1 − β₂)·d²
///     p = p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// (computed as p + [−lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)] · m / (√v + ε·√(1 − β₂ᵗ)), one division per element).
public struct AdamFamilyRule<Decay: AdamWeightDecay>: UpdateRule {
    /// Decay rates of the first and second moments.
    public var beta1: Double, beta2: Double
    /// Added to the denominator.
    public var eps: Double

    /// PyTorch's defaults: β = (0.9, 0.999), ε = 1e-8.
    public init(beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8) {
        precondition(
            (0..<1).contains(beta1) && (0..<1).contains(beta2),
            "\(Decay.name): betas (\(beta1), \(beta2)) outside [0, 1)")
        precondition(eps >= 0, "\(Decay.name): eps \(eps) is negative")
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
    }

    /// First and second moments, named as in `torch.optim.Adam`'s state.
    public var slotNames: [String] { ["exp_avg", "exp_avg_sq"] }

    /// One fused pass over `range` (see the type's formula).
    public func update(
        _ range: Range<Int>, parameter p: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>,
        slots: [UnsafeMutablePointer<Float>], context: UpdateContext
    ) {
        adamUpdate(
            range, p, g, slots[0], slots[1], beta1: beta1, beta2: beta2, eps: eps, context: context,
            decoupled: Decay.decoupled)
    }
}

/// `torch.optim.Adam`'s rule.
public typealias AdamRule = AdamFamilyRule<L2WeightDecay>
/// `torch.optim.AdamW`'s rule.
public typealias AdamWRule = AdamFamilyRule<DecoupledWeightDecay>

/// The fused Adam/AdamW loop: reads p, g, m, v and writes p, m, v once each (7 floats per element).
/// Scalars are formed in Double as PyTorch does in Python, then rounded to Float once. `v` is never negative;
/// taking `magnitude` first tells LLVM so, which drops the errno path of Linux's `sqrtf` and lets the loop
/// vectorise (without it the step ran ~10× slower).
@inline(__always)
private func adamUpdate(
    _ range: Range<Int>, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
    _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
    beta1: Double, beta2: Double, eps: Double, context: UpdateContext, decoupled: Bool
) {
    // lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε) = [lr·√(1−β₂ᵗ)/(1−β₁ᵗ)] · m / (√v + ε·√(1−β₂ᵗ)): one division per
    // element instead of two; the rounding differs from PyTorch's order by about an ulp.
    let t = Double(context.step)
    let bc2Sqrt = (1 - Foundation.pow(beta2, t)).squareRoot()
    let scale = Float(-context.lr / (1 - Foundation.pow(beta1, t)) * bc2Sqrt)
    let e = Float(eps * bc2Sqrt)
    let b1 = Float(beta1)
    let b2 = Float(beta2)
    let c1 = Float(1 - beta1)
    let c2 = Float(1 - beta2)
    if decoupled {
        let shrink = Float(1 - context.lr * context.weightDecay)
        for i in range {
            let gi = g[i]
            let mi = m[i] * b1 + c1 * gi
            let vi = v[i] * b2 + c2 * gi * gi
            m[i] = mi
            v[i] = vi
            p[i] = p[i] * shrink + scale * mi / (vi.magnitude.squareRoot() + e)
        }
    } else if context.weightDecay == 0 {
        for i in range {
            let gi = g[i]
            let mi = m[i] * b1 + c1 * gi
            let vi = v[i] * b2 + c2 * gi * gi
            m[i] = mi
            v[i] = vi
            p[i] = p[i] + scale * mi / (vi.magnitude.squareRoot() + e)
        }
    } else {
        let wd = Float(context.weightDecay)
        for i in range {
            let gi = g[i] + wd * p[i]
            let mi = m[i] * b1 + c1 * gi
            let vi = v[i] * b2 + c2 * gi * gi
            m[i] = mi
            v[i] = vi
            p[i] = p[i] + scale * mi / (vi.magnitude.squareRoot() + e)
        }
    }
}

/// `torch.optim.Adam` (L2 weight decay, default 0).
public typealias Adam = GroupedOptimizer<AdamRule>
/// `torch.optim.AdamW` (decoupled weight decay, default 0.01).
public typealias AdamW = GroupedOptimizer<AdamWRule>

extension GroupedOptimizer {
    /// Adam or AdamW over one group of parameters; `weightDecay` defaults to PyTorch's (Adam 0, AdamW 0.01).
    public convenience init<Decay>(
        _ parameters: [NamedParameter], lr: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
        eps: Double = 1e-8, weightDecay: Double? = nil
    ) where Rule == AdamFamilyRule<Decay> {
        self.init(
            groups: [ParameterGroup(parameters)], lr: lr, beta1: beta1, beta2: beta2, eps: eps,
            weightDecay: weightDecay)
    }

    /// Adam or AdamW over parameter groups (e.g. `ParameterGroup.splitForWeightDecay(…)`); a group's own `lr` /
    /// `weightDecay` override these.
    public convenience init<Decay>(
        groups: [ParameterGroup], lr: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
        eps: Double = 1e-8, weightDecay: Double? = nil
    ) where Rule == AdamFamilyRule<Decay> {
        self.init(
            rule: Rule(beta1: beta1, beta2: beta2, eps: eps), groups: groups, lr: lr,
            weightDecay: weightDecay ?? (Decay.decoupled ? 0.01 : 0))
    }
}
