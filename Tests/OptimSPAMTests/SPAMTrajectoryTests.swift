import TensorEngine
import TensorNN
import Testing

@testable import OptimSPAM

/// Float32 storage against the float64 reference over 200+ steps: the trajectories agree to this relative
/// tolerance (measured: 3e-6 SPAM, 5e-6 Stable-SPAM), and getting any one rule wrong moves them more than 10×
/// beyond it (the subtlest, SPAM's ε 1e-6 → 1e-8, by 1.2e-4).
let trajectoryTolerance = 1e-5

@Suite struct SPAMTrajectoryTests {
    @Test func followsReferenceThroughSpikesResetsZerosAndSparseMasks() throws {
        let replay = Replay(try SPAMFixture.load("spam"))
        let spam = replay.makeSPAM()
        let result = replay.run(spam, steps: 0..<replay.fixture.steps, clippedCount: { spam.lastClipped })
        #expect(replay.fixture.steps >= 200)
        #expect(result.error < trajectoryTolerance, "largest relative deviation \(result.error)")
        #expect(result.clipMismatches.isEmpty, "clipped counts differ at steps \(result.clipMismatches)")
        #expect(spam.resets == replay.fixture.steps / replay.fixture.spamOptions.resetInterval)
        #expect(spam.clippedTotal == replay.fixture.clipped.reduce(0, +))
    }

    /// Each variant changes one rule; the trajectory must leave the tolerance.
    @Test(arguments: ["threshold", "clip_free_steps", "warmup_steps", "reset_interval", "eps", "weight_decay"])
    func oneRuleWrongLeavesTolerance(_ rule: String) throws {
        let replay = Replay(try SPAMFixture.load("spam"))
        var o = replay.fixture.spamOptions
        switch rule {
        case "threshold": o.threshold = 2000
        case "clip_free_steps": o.clipFreeSteps = 0
        case "warmup_steps": o.warmupSteps = 11
        case "reset_interval": o.resetInterval = 0
        case "eps": o.eps = 1e-8
        default: o.weightDecay = 0
        }
        let result = replay.run(replay.makeSPAM(o), steps: 0..<replay.fixture.steps)
        #expect(result.error > 10 * trajectoryTolerance, "\(rule): deviation only \(result.error)")
    }

    @Test func zeroVarianceEntryIsFrozenUntilTheNextReset() throws {
        // head.bias[0] has zero gradient through the clip-free window after the reset at step 150, so its v is 0
        // and every later non-zero gradient is clipped to 0: the entry moves only through weight decay.
        let replay = Replay(try SPAMFixture.load("spam"))
        let spam = replay.makeSPAM()
        _ = replay.run(spam, steps: 0..<170)
        let bias = replay.parameters.first { $0.name == "head.bias" }!.parameter
        let before = bias.value.scalars[0]
        _ = replay.run(spam, steps: 170..<171)
        let shrink = Float(1 - 1e-2 * 0.1)
        #expect(bias.value.scalars[0] == before * shrink || abs(bias.value.scalars[0] - before * shrink) < 1e-7)
    }

    @Test func warmupFactorStartsAtOnePercentAndReachesOne() {
        #expect(abs(SPAM.warmup(0, steps: 150) - 0.01) < 1e-15)
        #expect(SPAM.warmup(150, steps: 150) == 1)
        #expect(SPAM.warmup(149, steps: 150) > 0.99 && SPAM.warmup(149, steps: 150) < 1)
        #expect(SPAM.warmup(151, steps: 150) == 1)
    }
}

@Suite struct StableSPAMTrajectoryTests {
    @Test func followsReferenceThroughSpikesResetsAndZeroGradients() throws {
        let replay = Replay(try SPAMFixture.load("stable_spam"))
        let opt = replay.makeStableSPAM()
        let result = replay.run(opt, steps: 0..<replay.fixture.steps, clippedCount: { opt.lastClipped })
        #expect(replay.fixture.steps >= 200)
        #expect(result.error < trajectoryTolerance, "largest relative deviation \(result.error)")
        // The reference decides |g| > T̂ in float64, Kiln in float32: they may disagree on an element within an
        // ulp of the threshold (a factor of 1 ± 1e-16 either way), never on a spike.
        #expect(result.clipMismatches.count <= 3, "clipped counts differ at steps \(result.clipMismatches)")
        #expect(opt.resets == replay.fixture.steps / replay.fixture.stableOptions.resetInterval)
    }

    @Test(arguments: ["gamma1", "gamma2", "gamma3", "reset_aliasing", "total_steps", "weight_decay", "reset_interval"])
    func oneRuleWrongLeavesTolerance(_ rule: String) throws {
        let replay = Replay(try SPAMFixture.load("stable_spam"))
        var o = replay.fixture.stableOptions
        switch rule {
        case "gamma1": o.gamma1 = 0.75
        case "gamma2": o.gamma2 = 0.95
        case "gamma3": o.gamma3 = 0.99
        case "reset_aliasing": o.resetUsesOldMoments = false
        case "total_steps": o.totalSteps = nil
        case "weight_decay": o.weightDecay = 0
        default: o.resetInterval = 0
        }
        let result = replay.run(replay.makeStableSPAM(o), steps: 0..<replay.fixture.steps)
        #expect(result.error > 10 * trajectoryTolerance, "\(rule): deviation only \(result.error)")
    }

    @Test func globalFactorRunsFromOneToTheFloor() {
        #expect(StableSPAM.factor(step: 5, totalSteps: nil, etaMin: 0.5) == 1)
        #expect(abs(StableSPAM.factor(step: 0, totalSteps: 100, etaMin: 0.5) - 1) < 1e-15)
        #expect(abs(StableSPAM.factor(step: 101, totalSteps: 100, etaMin: 0.5) - 0.5) < 1e-15)
    }
}
