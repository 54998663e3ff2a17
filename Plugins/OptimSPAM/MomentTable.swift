import TensorEngine
import TensorNN

/// The per-tensor states of a SPAM-family optimizer and what both optimizers do with them alike: the one
/// read-only pass over every gradient (finiteness, norms, maxima) that decides whether a step runs at all, and
/// the export and checked import of moments and step counters.
final class MomentTable {
    /// Slot names in checkpoints, as `torch.optim.Adam` names its state.
    static let slotNames = ["exp_avg", "exp_avg_sq"]

    let states: [MomentState]
    let reductions: BlockReductions
    /// The states with a gradient this step (filled by `gradientPass`), kept to avoid allocating per step.
    private(set) var active: [MomentState] = []

    init(_ parameters: [NamedParameter], sparse: (NamedParameter) -> Bool) {
        var seen = Set<String>()
        states = parameters.map { p in
            precondition(seen.insert(p.name).inserted, "optimizer: parameter \(p.name) appears twice")
            return MomentState(p, sparse: sparse(p))
        }
        reductions = BlockReductions(maxCount: parameters.map(\.parameter.count).max() ?? 1)
        active.reserveCapacity(states.count)
    }

    /// Reads every gradient once: fills each state's `sumSquares` and `maxAbs` and the list of states that have a
    /// gradient, and returns the squared global gradient norm. Not finite exactly when some gradient element is
    /// not, in which case the caller skips the step (nothing here is optimizer state).
    func gradientPass() -> Double {
        active.removeAll(keepingCapacity: true)
        var total = 0.0
        for s in states {
            let p = s.parameter
            guard !p.isFrozen, let g = p.grad else { continue }
            precondition(g.count == s.count, "optimizer: gradient \(g.shape) for \(s.name) \(p.shape)")
            active.append(s)
            guard s.count > 0 else {
                s.sumSquares = 0
                s.maxAbs = 0
                continue
            }
            let (sum, peak) = g.withUnsafeElements {
                reductions.sumSquaresAndMaxAbs($0.baseAddress!, $0.count, blockSums: s.blockSums, blockMax: s.blockMax)
            }
            s.sumSquares = sum
            s.maxAbs = peak
            total += sum
        }
        return total
    }

    /// Runs `body` with the parameter's elements (mutable) and gradient of `state`.
    func withBuffers(
        _ s: MomentState, _ body: (UnsafeMutablePointer<Float>, UnsafePointer<Float>) -> Void
    ) {
        guard s.count > 0, let g = s.parameter.grad else { return }
        g.withUnsafeElements { gb in
            s.parameter.withUnsafeMutableElements { pb in body(pb.baseAddress!, gb.baseAddress!) }
        }
    }

    /// Moments and step counters of every tensor with state, plus `extra`.
    func export(stepCount: Int, extra: [String: String]) -> OptimizerState {
        var steps: [String: Int] = [:]
        var slots: [String: Tensor] = [:]
        for s in states {
            guard let m = s.m, let v = s.v else { continue }
            steps[s.name] = s.step
            slots["\(s.name).exp_avg"] = s.tensor(m)
            slots["\(s.name).exp_avg_sq"] = s.tensor(v)
        }
        return OptimizerState(
            stepCount: stepCount, slotNames: Self.slotNames, parameterSteps: steps, slots: slots, extra: extra)
    }

    /// Checks that `state` fits these parameters (slot names, paths, shapes, tensors); throws and changes nothing
    /// otherwise.
    func check(_ state: OptimizerState) throws(OptimizerError) {
        if state.slotNames != Self.slotNames { throw .slotMismatch(expected: Self.slotNames, found: state.slotNames) }
        let byName = Dictionary(uniqueKeysWithValues: states.map { ($0.name, $0) })
        var expected = Set<String>()
        for (name, step) in state.parameterSteps.sorted(by: { $0.key < $1.key }) {
            guard let s = byName[name] else { throw .unknownParameter(name) }
            if step < 0 { throw .invalidStep(name: name, step: step) }
            for slot in Self.slotNames {
                let key = "\(name).\(slot)"
                guard let t = state.slots[key] else { throw .missingTensor(key) }
                if t.shape != s.parameter.shape {
                    throw .shapeMismatch(name: key, expected: s.parameter.shape, found: t.shape)
                }
                expected.insert(key)
            }
        }
        if let extra = state.slots.keys.sorted().first(where: { !expected.contains($0) }) {
            throw .unexpectedTensor(extra)
        }
    }

    /// Replaces moments and step counters with those of `state` (checked first with `check`); tensors absent from
    /// it start fresh. Per-tensor scalars are cleared; the caller restores its own.
    func load(_ state: OptimizerState) {
        for s in states {
            s.clear()
            guard let step = state.parameterSteps[s.name] else { continue }
            s.allocateMoments()
            s.step = step
            s.copy(state.slots["\(s.name).exp_avg"]!, into: s.m!)
            s.copy(state.slots["\(s.name).exp_avg_sq"]!, into: s.v!)
        }
    }
}

/// Reads one entry of an optimizer's extra state.
func extraValue<T: LosslessStringConvertible>(
    _ state: OptimizerState, _ key: String, as: T.Type = T.self
) throws(OptimizerError) -> T {
    guard let text = state.extra[key] else { throw .invalidExtra(key: key, reason: "is missing") }
    guard let value = T(text) else { throw .invalidExtra(key: key, reason: "is not a \(T.self): '\(text)'") }
    return value
}

extension MomentTable {
    /// Runs `body` with the gradient of `state` (which must have one, with at least one element).
    func withGradient<R>(_ s: MomentState, _ body: (UnsafePointer<Float>) -> R) -> R {
        s.parameter.grad!.withUnsafeElements { body($0.baseAddress!) }
    }
}
