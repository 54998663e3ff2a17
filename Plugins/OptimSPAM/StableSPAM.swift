import Foundation
import TensorEngine
public import TensorNN

/// Stable-SPAM's hyperparameters, with the official class's defaults (methods/spam.md §b).
public struct StableSPAMOptions: Sendable, Equatable {
    /// Peak learning rate; the optimizer's `schedule` scales it.
    public var lr = 1e-3
    /// Adam's moment decay rates (β₁ is multiplied by the global factor sₜ).
    public var beta1 = 0.9, beta2 = 0.999
    /// Used in AdaGN and in the Adam denominator.
    public var eps = 1e-8
    /// Decoupled weight decay, applied first as p·(1 − lr·λ).
    public var weightDecay = 0.0
    /// γ₁: EMA rate of the gradient norm (multiplied by sₜ); nil uses β₁.
    public var gamma1: Double? = 0.7
    /// γ₂: EMA rate of the squared gradient norm.
    public var gamma2 = 0.9
    /// γ₃: EMA rate of the per-step maximum |g| (AdaClip's threshold).
    public var gamma3 = 0.999
    /// Moment-reset period ΔT in steps (MoRet); 0 never resets.
    public var resetInterval = 1000
    /// Length of the global cosine sₜ over steps (the planned number of steps); nil keeps sₜ = 1.
    public var totalSteps: Int? = nil
    /// Floor of sₜ.
    public var etaMin = 0.5
    /// The official code's reset step: the update still uses the old moments (with k = 1 bias corrections) and
    /// the fresh zero moments take over at the next step. False zeroes them before the update (the paper's text).
    public var resetUsesOldMoments = true

    /// The defaults.
    public init() {}
}

/// Stable-SPAM (Huang et al., 2025): Adam with per-tensor adaptive spike clipping against an EMA of the maximum
/// |g| (AdaClip), gradient normalisation from EMAs of the gradient norm (AdaGN), periodic moment reset (MoRet) and
/// a global cosine factor sₜ on β₁ and γ₁. Follows the official code, reset-step aliasing included (switch:
/// `resetUsesOldMoments`). A step whose gradients hold any non-finite value is skipped whole and counted.
///
/// Per tensor a step reads the gradient once for its norm and maximum (the finiteness pass), once more only when
/// AdaClip fires (the clipped norm), then runs one fused in-place update; it allocates nothing after the first.
public final class StableSPAM: Optimizer {
    /// The hyperparameters; may be changed between steps.
    public var options: StableSPAMOptions
    /// Scales the learning rate per step.
    public var schedule: any LearningRateSchedule = ConstantSchedule()
    /// Steps taken (skipped steps not counted).
    public private(set) var stepCount = 0
    /// Steps skipped for non-finite gradients, resets done and elements clipped, since the start.
    public private(set) var skippedSteps = 0, resets = 0, clippedTotal = 0
    /// The last step's global gradient norm (raw), clipped elements and global factor sₜ.
    public private(set) var lastGradNorm = 0.0, lastClipped = 0, lastFactor = 1.0

    let table: MomentTable

    /// Stable-SPAM over `parameters`.
    public init(_ parameters: [NamedParameter], options o: StableSPAMOptions = StableSPAMOptions()) {
        precondition(o.lr >= 0 && (0..<1).contains(o.beta1) && (0..<1).contains(o.beta2), "Stable-SPAM: lr/betas")
        options = o
        table = MomentTable(parameters) { _ in false }
    }

    /// Learning rate × the schedule's multiplier for the next step.
    public var currentLearningRates: [Double] { [options.lr * schedule.multiplier(at: stepCount)] }

    /// The global factor sₜ = η + (1 − η)·(1 + cos(πt/(T+1)))/2 for 1-based step t (1 without T).
    public static func factor(step t: Int, totalSteps: Int?, etaMin: Double) -> Double {
        guard let total = totalSteps else { return 1 }
        return etaMin + (1 - etaMin) * (1 + Foundation.cos(Double.pi * Double(t) / Double(total + 1))) / 2
    }

    /// One Stable-SPAM step over every tensor with a gradient; skipped whole when any gradient is not finite.
    public func step() {
        let squaredNorm = table.gradientPass()
        guard squaredNorm.isFinite else {
            skippedSteps += 1
            return
        }
        let o = options
        let t = stepCount + 1
        let lr = o.lr * schedule.multiplier(at: stepCount)
        let s = Self.factor(step: t, totalSteps: o.totalSteps, etaMin: o.etaMin)
        let reset = o.resetInterval > 0 && t % o.resetInterval == 0
        let a = (o.gamma1 ?? o.beta1) * s
        let b1 = o.beta1 * s
        var clipped = 0
        for st in table.active {
            st.allocateMoments()
            st.step += 1
            var k = Double(st.step)
            // AdaClip: threshold from the EMA of the raw maximum; elements above it scaled by T̂/M.
            let peak = st.maxAbs
            st.maxEMA = o.gamma3 * st.maxEMA + (1 - o.gamma3) * Double(peak)
            let limit = st.maxEMA / (1 - Foundation.pow(o.gamma3, k))
            let threshold = Float(limit)
            var ratio: Float = 1
            var norm2 = st.sumSquares
            if peak > threshold && st.count > 0 {
                let r = limit / Double(peak)
                let split = table.withGradient(st) {
                    table.reductions.splitSumSquares(
                        $0, st.count, threshold: threshold, blockMax: st.blockMax, blockSums: st.blockSums)
                }
                norm2 = split.below + r * r * split.above
                ratio = Float(r)
                clipped += split.countAbove
            }
            // AdaGN: rescale the clipped gradient to norm μ̂/(√ν̂ + ε).
            let n = norm2.squareRoot()
            st.normEMA = a * st.normEMA + (1 - a) * n
            st.normSquaredEMA = o.gamma2 * st.normSquaredEMA + (1 - o.gamma2) * norm2
            let muHat = st.normEMA / (1 - Foundation.pow(a, k))
            let nuHat = st.normSquaredEMA / (1 - Foundation.pow(o.gamma2, k))
            let scale = n > 0 ? muHat / (nuHat.squareRoot() + o.eps) / n : 1
            // MoRet: k restarts at 1; the update uses the old moments (official) or fresh ones (paper).
            if reset {
                st.step = 1
                k = 1
                if !o.resetUsesOldMoments { st.zeroMoments() }
            }
            let bc1 = 1 - Foundation.pow(b1, k)
            let bc2Sqrt = (1 - Foundation.pow(o.beta2, k)).squareRoot()
            let kernel = StableSPAMKernel(
                beta1: Float(b1), beta2: Float(o.beta2), oneMinusBeta1: Float(1 - b1),
                oneMinusBeta2: Float(1 - o.beta2),
                step: Float(-lr / bc1 * bc2Sqrt), eps: Float(o.eps * bc2Sqrt), threshold: threshold,
                clipRatio: ratio, scale: Float(scale), shrink: Float(1 - lr * o.weightDecay))
            let (m, v) = (st.m!, st.v!)
            table.withBuffers(st) { p, g in
                parallelFor(st.count, job: StableSPAMChunk(kernel: kernel, p: p, g: g, m: m, v: v))
            }
            if reset && o.resetUsesOldMoments { st.zeroMoments() }
        }
        stepCount = t
        if reset { resets += 1 }
        lastGradNorm = squaredNorm.squareRoot()
        lastClipped = clipped
        clippedTotal += clipped
        lastFactor = s
    }

    /// Forgets the gradients of every parameter.
    public func zeroGrad() { for s in table.states { s.parameter.zeroGrad() } }

    /// `grad_norm`, `clipped`, `clipped_total`, `resets`, `skipped_steps` and `factor` (the last sₜ).
    public var metrics: [String: Double] {
        [
            "grad_norm": lastGradNorm, "clipped": Double(lastClipped), "clipped_total": Double(clippedTotal),
            "resets": Double(resets), "skipped_steps": Double(skippedSteps), "factor": lastFactor,
        ]
    }

    // MARK: State

    private enum Key {
        static let scalars = "stable_spam.scalars", skipped = "stable_spam.skipped_steps"
        static let resets = "stable_spam.resets", clipped = "stable_spam.clipped_total"
    }

    /// Moments and per-tensor step counts as slots; the per-tensor EMAs (Tmax, μ, ν) as exact bit patterns and
    /// the counters as extra entries.
    public func exportState() -> OptimizerState {
        let scalars = table.states.filter(\.hasMoments).map { s in
            "\(s.name)=\(s.maxEMA.bitPattern),\(s.normEMA.bitPattern),\(s.normSquaredEMA.bitPattern)"
        }
        return table.export(
            stepCount: stepCount,
            extra: [
                Key.scalars: scalars.joined(separator: ";"), Key.skipped: "\(skippedSteps)",
                Key.resets: "\(resets)", Key.clipped: "\(clippedTotal)",
            ])
    }

    /// Restores `exportState`'s result exactly; throws and changes nothing when it does not fit.
    public func loadState(_ state: OptimizerState) throws(OptimizerError) {
        try table.check(state)
        let skipped: Int = try extraValue(state, Key.skipped)
        let resets: Int = try extraValue(state, Key.resets)
        let clipped: Int = try extraValue(state, Key.clipped)
        var scalars: [String: (Double, Double, Double)] = [:]
        for entry in (state.extra[Key.scalars] ?? "").split(separator: ";") {
            let parts = entry.split(separator: "=", maxSplits: 1)
            let bits = parts.count == 2 ? parts[1].split(separator: ",").compactMap { UInt64($0) } : []
            guard bits.count == 3 else { throw .invalidExtra(key: Key.scalars, reason: "has a bad entry '\(entry)'") }
            scalars[String(parts[0])] = (
                Double(bitPattern: bits[0]), Double(bitPattern: bits[1]), Double(bitPattern: bits[2])
            )
        }
        for name in state.parameterSteps.keys where scalars[name] == nil {
            throw .invalidExtra(key: Key.scalars, reason: "has no entry for \(name)")
        }
        table.load(state)
        for s in table.states {
            guard let (mx, mu, nu) = scalars[s.name], s.hasMoments else { continue }
            s.maxEMA = mx
            s.normEMA = mu
            s.normSquaredEMA = nu
        }
        stepCount = state.stepCount
        skippedSteps = skipped
        self.resets = resets
        clippedTotal = clipped
    }
}

/// Stable-SPAM's fused per-element update (AdaClip, AdaGN and Adam in one pass; weight decay first):
///
///     g ← g·r where |g| > T̂ (r = T̂/max|g|, 1 when nothing is clipped);  g ← g·scale (AdaGN)
///     m ← b₁·m + (1 − b₁)·g,   v ← β₂·v + (1 − β₂)·g²
///     p ← p·(1 − lr·λ) + step · m / (√v + ε′)       (step = −lr·√bc₂/bc₁, ε′ = ε·√bc₂)
struct StableSPAMKernel {
    let beta1: Float, beta2: Float, oneMinusBeta1: Float, oneMinusBeta2: Float
    let step: Float, eps: Float, threshold: Float, clipRatio: Float, scale: Float, shrink: Float

    @inline(__always)
    func update(
        _ range: Range<Int>, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
        _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>
    ) {
        // Scalars in locals: read through `self` the loop reloads them per element and does not vectorise.
        let (b1, b2, c1, c2, step, eps, threshold, ratio, scale, shrink) =
            (
                beta1, beta2, oneMinusBeta1, oneMinusBeta2, self.step, self.eps, self.threshold, clipRatio, self.scale,
                self.shrink
            )
        for i in range {
            let raw = g[i]
            let gi = (raw.magnitude > threshold ? raw * ratio : raw) * scale
            let mi = m[i] * b1 + c1 * gi
            let vi = v[i] * b2 + c2 * gi * gi
            m[i] = mi
            v[i] = vi
            p[i] = p[i] * shrink + step * mi / (vi.magnitude.squareRoot() + eps)
        }
    }
}

/// One tensor's Stable-SPAM update as a ``ChunkJob`` (splitting it across threads allocates nothing).
private struct StableSPAMChunk: ChunkJob {
    let kernel: StableSPAMKernel
    let p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>
    let m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>

    func run(_ range: Range<Int>) { kernel.update(range, p, g, m, v) }
}
