import Foundation
import TensorEngine
import TensorNN
import Testing

@testable import OptimSPAM

/// A fixture's optimizer, either kind, with hooks to make it on fresh parameters.
private enum Kind: String, CaseIterable {
    case spam
    case stableSpam = "stable_spam"

    func make(_ replay: Replay) -> any Optimizer {
        switch self {
        case .spam: replay.makeSPAM()
        case .stableSpam: replay.makeStableSPAM()
        }
    }
}

@Suite struct SPAMStateTests {
    /// Save after step 77 (mid-window, past a reset and spikes), load into a fresh optimizer on fresh parameters,
    /// continue: every parameter bit equals the uninterrupted run's, through further resets and mask redraws.
    @Test(arguments: [Kind.spam, .stableSpam], [77, 149])
    fileprivate func resumeMatchesUninterruptedRunBitForBit(_ kind: Kind, _ split: Int) throws {
        let fixture = try SPAMFixture.load(kind.rawValue)
        let straight = Replay(fixture)
        let a = kind.make(straight)
        _ = straight.run(a, steps: 0..<fixture.steps)

        let first = Replay(fixture)
        let b = kind.make(first)
        _ = first.run(b, steps: 0..<split)
        // Through a checkpoint file, as the run driver does.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("spam-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Checkpoint(step: split, pluginID: "test", parameters: [:], optimizerState: b.exportState()).write(to: url)
        let checkpoint = try Checkpoint.read(from: url)

        let second = Replay(fixture)
        for (p, q) in zip(second.parameters, first.parameters) { p.parameter.assign(q.parameter.value) }
        let c = kind.make(second)
        try c.loadState(checkpoint.optimizerState!)
        #expect(fingerprint(c.exportState()) == fingerprint(b.exportState()))
        _ = second.run(c, steps: split..<fixture.steps)
        #expect(second.parameterBits == straight.parameterBits, "\(kind) resumed at \(split) diverged")
        #expect(fingerprint(c.exportState()) == fingerprint(a.exportState()))
    }

    /// A step with a NaN anywhere changes nothing (parameters, moments, counters, schedule position) except the
    /// skipped-step count, and the run then continues on the reference trajectory.
    @Test(arguments: [Kind.spam, .stableSpam])
    fileprivate func nonFiniteStepIsSkippedWhole(_ kind: Kind) throws {
        let fixture = try SPAMFixture.load(kind.rawValue)
        let replay = Replay(fixture)
        let opt = kind.make(replay)
        _ = replay.run(opt, steps: 0..<100)
        func withoutSkipCount(_ s: OptimizerState) -> String {
            var s = s
            s.extra = s.extra.filter { !$0.key.hasSuffix("skipped_steps") }
            return fingerprint(s)
        }
        let state = withoutSkipCount(opt.exportState())
        let params = replay.parameterBits
        replay.setGradients(100, poison: true)
        opt.step()
        #expect(replay.parameterBits == params)
        #expect(withoutSkipCount(opt.exportState()) == state)
        #expect(opt.exportState().stepCount == 100)
        #expect(opt.metrics["skipped_steps"] == 1)
        let rest = replay.run(opt, steps: 100..<fixture.steps)
        #expect(rest.error < trajectoryTolerance)
    }

    @Test func loadRejectsForeignStateAndChangesNothing() throws {
        let replay = Replay(try SPAMFixture.load("spam"))
        let spam = replay.makeSPAM()
        _ = replay.run(spam, steps: 0..<10)
        let before = fingerprint(spam.exportState())
        var bad = spam.exportState()
        bad.extra["spam.mask_rng"] = "nonsense"
        #expect(throws: OptimizerError.self) { try spam.loadState(bad) }
        var adam = spam.exportState()
        adam.slotNames = ["momentum_buffer"]
        #expect(throws: OptimizerError.self) { try spam.loadState(adam) }
        #expect(fingerprint(spam.exportState()) == before)
    }

    /// Masks from the seeded generator: exactly ⌊d·n⌋ entries at first, redrawn at each reset (end of step
    /// ΔT − 1), only masked entries move, and the same seed gives the same masks.
    @Test func sparseMasksComeFromTheSeededGenerator() throws {
        var rng = RandomGenerator(seed: 3)
        let w = Parameter(Tensor.normal([40, 25], using: &rng))
        let params = [
            NamedParameter("blocks.0.mlp.weight", w), NamedParameter("head.weight", Parameter(.ones([3, 4]))),
        ]
        var o = SPAMOptions()
        o.density = 0.25
        o.resetInterval = 10
        o.seed = 9
        let spam = SPAM(params, options: o)
        let state = spam.table.states[0]
        #expect(state.isSparse && !spam.table.states[1].isSparse)
        func mask() -> [Float] { Array(UnsafeBufferPointer(start: state.mask!, count: state.count)) }
        let first = mask()
        #expect(first.reduce(0, +) == 250)
        let twin = SPAM(params, options: o)
        #expect(Array(UnsafeBufferPointer(start: twin.table.states[0].mask!, count: 1000)) == first, "same seed")
        var history: [[Float]] = [first]
        for t in 1...20 {
            let before = w.value.scalars
            for p in params {
                p.parameter.zeroGrad()
                (p.parameter.value * Tensor.ones(p.parameter.shape)).sum().backward()
            }
            let current = mask()
            spam.step()
            let moved = zip(before, w.value.scalars).map { $0 != $1 }
            #expect(moved == current.map { $0 != 0 }, "step \(t): only masked entries move")
            if mask() != current { history.append(mask()) }
        }
        #expect(history.count == 3, "masks redrawn after steps 9 and 19")
        #expect(abs(history[1].reduce(0, +) - 250) < 80 && history[1] != first)
    }

    @Test func emptyAndGradientlessTensorsAreSkipped() {
        let a = Parameter(Tensor([2], [1, 2]))
        let b = Parameter(Tensor([2], [3, 4]))
        let spam = SPAM([NamedParameter("a", a), NamedParameter("b", b)])
        (a.value * Tensor([2], [0.5, -0.5])).sum().backward()
        spam.step()
        #expect(b.value.scalars == [3, 4])
        #expect(spam.exportState().parameterSteps == ["a": 1])
        // Step 1 is ≈ lr·sign(g).
        #expect(abs(a.value.scalars[0] - (1 - 1e-3)) < 1e-6 && abs(a.value.scalars[1] - (2 + 1e-3)) < 1e-6)
    }
}
