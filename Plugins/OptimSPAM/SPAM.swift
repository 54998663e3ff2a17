import Foundation
import TensorEngine
public import TensorNN

/// SPAM's hyperparameters, with the official code's defaults (methods/spam.md §a).
public struct SPAMOptions: Sendable, Equatable {
    /// Peak learning rate; the optimizer's `schedule` scales it.
    public var lr = 1e-3
    /// Adam's moment decay rates.
    public var beta1 = 0.9, beta2 = 0.999
    /// Added to √v before bias correction (HF AdamW style).
    public var eps = 1e-6
    /// Decoupled weight decay, applied after the update as p·(1 − lr·λ); a no-op on sparse-momentum tensors, as in
    /// the official code.
    public var weightDecay = 0.0
    /// Spike threshold θ: an element with g² > θ·v (v from the previous step) becomes sign(g)·√(θ·v). 0 turns
    /// clipping off.
    public var threshold = 5000.0
    /// Momentum-reset period ΔT in steps (resets at ΔT, 2ΔT, …; also the mask-refresh period); 0 never resets.
    public var resetInterval = 500
    /// Length N of the cosine warm-up of the update after each reset (from 0.01 to 1).
    public var warmupSteps = 150
    /// Clip-free window K: clipping is off for the first K steps of training and of every reset window. The
    /// official code's 20; 0 gives the paper's description.
    public var clipFreeSteps = 20
    /// Momentum density d of sparse-momentum tensors; 1 keeps every tensor dense.
    public var density = 1.0
    /// A 2-D tensor whose path contains one of these gets sparse momentum when `density` < 1 (the official
    /// scripts' attention and MLP projections).
    public var sparsePaths = ["attn", "attention", "mlp"]
    /// Seed of the generator that draws the momentum masks.
    public var seed: UInt64 = 0

    /// The defaults.
    public init() {}
}

/// SPAM (Huang et al., ICLR 2025): Adam with momentum reset every ΔT steps, a cosine warm-up of the update after
/// each reset, spike-aware clipping against the previous second moment outside a clip-free window, and optional
/// sparse momentum whose masks are redrawn at each reset. Follows the official code, step order and all
/// (methods/spam.md §a). A step whose gradients hold any non-finite value is skipped whole and counted.
///
/// Each step reads every gradient once (finiteness, norm), then runs one fused in-place pass per tensor; it
/// allocates nothing after the first.
public final class SPAM: Optimizer {
    /// The hyperparameters; may be changed between steps.
    public var options: SPAMOptions
    /// Scales the learning rate per step.
    public var schedule: any LearningRateSchedule = ConstantSchedule()
    /// Steps taken (skipped steps not counted).
    public private(set) var stepCount = 0
    /// The post-reset warm-up counter c (N + 1 at the start: no warm-up then).
    public private(set) var warmupCounter: Int
    /// Mask windows drawn so far minus one (0 for the initial masks).
    public private(set) var window = 0
    /// Steps skipped for non-finite gradients, momentum resets done, and elements clipped, since the start.
    public private(set) var skippedSteps = 0, resets = 0, clippedTotal = 0
    /// The last step's global gradient norm (before clipping), clipped elements and warm-up factor.
    public private(set) var lastGradNorm = 0.0, lastClipped = 0, lastWarmup = 1.0

    let table: MomentTable
    /// The mask generator as it was before the current masks were drawn, and as it is now.
    private var maskStart: RandomGenerator
    private var maskGenerator: RandomGenerator
    /// Tests: masks by tensor name and window instead of the generator's.
    let maskSource: ((String, Int) -> [Bool])?

    /// SPAM over `parameters`.
    public convenience init(_ parameters: [NamedParameter], options: SPAMOptions = SPAMOptions()) {
        self.init(parameters, options: options, maskSource: nil)
    }

    init(_ parameters: [NamedParameter], options o: SPAMOptions, maskSource: ((String, Int) -> [Bool])?) {
        precondition(o.lr >= 0 && (0..<1).contains(o.beta1) && (0..<1).contains(o.beta2), "SPAM: invalid lr/betas")
        precondition(o.density > 0 && o.density <= 1, "SPAM: density \(o.density) outside (0, 1]")
        options = o
        warmupCounter = o.warmupSteps + 1
        self.maskSource = maskSource
        table = MomentTable(parameters) { p in
            o.density < 1 && p.parameter.shape.count == 2 && o.sparsePaths.contains { p.name.contains($0) }
        }
        maskStart = RandomGenerator(seed: o.seed)
        maskGenerator = maskStart
        drawMasks(initial: true)
    }

    /// Learning rate × the schedule's multiplier for the next step.
    public var currentLearningRates: [Double] { [options.lr * schedule.multiplier(at: stepCount)] }

    /// The post-reset warm-up factor warm(c): 1 − 0.99·(1 + cos(πc/(N+1)))/2 below N, else 1.
    public static func warmup(_ c: Int, steps n: Int) -> Double {
        c >= n ? 1 : 1 - 0.99 * (1 + Foundation.cos(Double.pi * Double(c) / Double(n + 1))) / 2
    }

    /// One SPAM step over every tensor with a gradient; skipped whole (state untouched) when any is not finite.
    public func step() {
        let squaredNorm = table.gradientPass()
        guard squaredNorm.isFinite else {
            skippedSteps += 1
            return
        }
        let o = options
        let t = stepCount + 1
        let lr = o.lr * schedule.multiplier(at: stepCount)
        let warm = Self.warmup(warmupCounter, steps: o.warmupSteps)
        let inWindow = o.resetInterval > 0 ? t % o.resetInterval : t
        let reset = o.resetInterval > 0 && inWindow == 0
        let clipOn = o.threshold != 0 && t >= o.clipFreeSteps && inWindow >= o.clipFreeSteps
        var clipped = 0
        for s in table.active {
            if !s.hasMoments { s.allocateMoments() } else if reset { s.zeroMoments() }
            s.step += 1
            let k = Double(s.step)
            let alpha = lr * (1 - Foundation.pow(o.beta2, k)).squareRoot() / (1 - Foundation.pow(o.beta1, k))
            let kernel = SPAMKernel(
                beta1: Float(o.beta1), beta2: Float(o.beta2), oneMinusBeta1: Float(1 - o.beta1),
                oneMinusBeta2: Float(1 - o.beta2), step: Float(-alpha * warm), eps: Float(o.eps),
                threshold: Float(o.threshold), clip: clipOn, shrink: Float(1 - lr * o.weightDecay),
                decay: o.weightDecay > 0 && !s.isSparse)
            let (m, v, mask) = (s.m!, s.v!, s.mask)
            table.withBuffers(s) { p, g in
                clipped += table.reductions.countingBlocks(
                    s.count, SPAMChunk(kernel: kernel, p: p, g: g, m: m, v: v, mask: mask))
            }
        }
        stepCount = t
        warmupCounter += 1
        if reset { resets += 1 }
        if o.resetInterval > 0 && (t + 1) % o.resetInterval == 0 {
            warmupCounter = 0
            window += 1
            drawMasks(initial: false)
        }
        lastGradNorm = squaredNorm.squareRoot()
        lastClipped = clipped
        clippedTotal += clipped
        lastWarmup = warm
    }

    /// Forgets the gradients of every parameter.
    public func zeroGrad() { for s in table.states { s.parameter.zeroGrad() } }

    /// `grad_norm`, `clipped`, `clipped_total`, `resets`, `skipped_steps` and `warmup` (the last step's factor).
    public var metrics: [String: Double] {
        [
            "grad_norm": lastGradNorm, "clipped": Double(lastClipped), "clipped_total": Double(clippedTotal),
            "resets": Double(resets), "skipped_steps": Double(skippedSteps), "warmup": lastWarmup,
        ]
    }

    // MARK: Masks

    /// Draws the masks of every sparse tensor: exactly ⌊d·n⌋ entries without replacement at the start, each entry
    /// independently with probability d at a refresh. Moments outside the new mask are dropped.
    private func drawMasks(initial: Bool) {
        maskStart = maskGenerator
        let d = options.density
        for s in table.states where s.isSparse {
            let mask = s.mask!
            if let maskSource {
                let drawn = maskSource(s.name, window)
                precondition(drawn.count == s.count, "SPAM: mask source gave \(drawn.count) entries for \(s.name)")
                for i in 0..<s.count { mask[i] = drawn[i] ? 1 : 0 }
            } else if initial {
                mask.update(repeating: 0, count: s.count)
                var order = Array(0..<s.count)
                let keep = Int((d * Double(s.count)).rounded(.down))
                for i in 0..<keep {
                    order.swapAt(i, maskGenerator.nextInt(in: i..<s.count))
                    mask[order[i]] = 1
                }
            } else {
                let limit = Float(d)
                maskGenerator.fillUniform(s.count) { i, u in mask[i] = u < limit ? 1 : 0 }
            }
            if let m = s.m, let v = s.v {
                for i in 0..<s.count where mask[i] == 0 {
                    m[i] = 0
                    v[i] = 0
                }
            }
        }
    }

    // MARK: State

    private enum Key {
        static let warmup = "spam.warmup_counter", window = "spam.window", rng = "spam.mask_rng"
        static let skipped = "spam.skipped_steps", resets = "spam.resets", clipped = "spam.clipped_total"
    }

    /// Moments and per-tensor step counts as slots, with the warm-up counter, mask window, mask generator and
    /// counters as extra entries (masks are redrawn from the generator on load).
    public func exportState() -> OptimizerState {
        table.export(
            stepCount: stepCount,
            extra: [
                Key.warmup: "\(warmupCounter)", Key.window: "\(window)",
                Key.rng: "\(maskStart.seed):\(maskStart.offset)", Key.skipped: "\(skippedSteps)",
                Key.resets: "\(resets)", Key.clipped: "\(clippedTotal)",
            ])
    }

    /// Restores `exportState`'s result exactly, masks included; throws and changes nothing when it does not fit.
    public func loadState(_ state: OptimizerState) throws(OptimizerError) {
        try table.check(state)
        let warmup: Int = try extraValue(state, Key.warmup)
        let window: Int = try extraValue(state, Key.window)
        let skipped: Int = try extraValue(state, Key.skipped)
        let resets: Int = try extraValue(state, Key.resets)
        let clipped: Int = try extraValue(state, Key.clipped)
        let parts = (state.extra[Key.rng] ?? "").split(separator: ":").compactMap { UInt64($0) }
        guard parts.count == 2 else { throw .invalidExtra(key: Key.rng, reason: "is not 'seed:offset'") }
        table.load(state)
        stepCount = state.stepCount
        warmupCounter = warmup
        self.window = window
        skippedSteps = skipped
        self.resets = resets
        clippedTotal = clipped
        maskGenerator = RandomGenerator(seed: parts[0], offset: parts[1])
        drawMasks(initial: window == 0)
        // Redrawing dropped nothing: the saved moments are already zero outside the masks.
    }
}
