import TensorEngine

/// The optimizer driver: parameter groups, learning rates and schedule, per-parameter steps and slot buffers,
/// with the arithmetic delegated to an `UpdateRule`. `SGD`, `Adam` and `AdamW` are this class with their rules.
///
/// A step is one fused pass of the rule per parameter tensor, split across `Engine.threads` threads for large
/// tensors. Slot buffers are allocated once, on a parameter's first step; after that a step allocates nothing.
public final class GroupedOptimizer<Rule: UpdateRule>: Optimizer {
    /// The update arithmetic and its hyperparameters (betas, momentum, …); may be changed between steps.
    public var rule: Rule
    /// Slot names, read from the rule when the optimizer was made.
    public let slotNames: [String]
    /// Learning rate for groups that do not set their own.
    public var lr: Double
    /// Weight decay for groups that do not set their own.
    public var weightDecay: Double
    /// Scales every group's learning rate per step.
    public var schedule: any LearningRateSchedule = ConstantSchedule()
    /// Steps taken so far.
    public private(set) var stepCount = 0
    /// The groups; learning rates and weight decay may be changed between steps. Replacing the parameter lists
    /// keeps the state of parameters that stay.
    public var groups: [ParameterGroup] { didSet { rebuildStates() } }

    private var states: [[ParameterState]] = []

    /// An optimizer over `groups` (a parameter may appear in only one group).
    public init(rule: Rule, groups: [ParameterGroup], lr: Double, weightDecay: Double = 0) {
        precondition(lr >= 0, "optimizer: learning rate \(lr) is negative")
        self.rule = rule
        self.slotNames = rule.slotNames
        self.lr = lr
        self.weightDecay = weightDecay
        self.groups = groups
        rebuildStates()
    }

    /// Group lr × the schedule's multiplier at `stepCount`, per group.
    public var currentLearningRates: [Double] {
        let m = schedule.multiplier(at: stepCount)
        return groups.map { ($0.lr ?? lr) * m }
    }

    /// One fused update per parameter with a gradient; frozen and gradient-less parameters are skipped and keep
    /// their step counts.
    public func step() {
        let multiplier = schedule.multiplier(at: stepCount)
        for (gi, group) in groups.enumerated() {
            let groupLR = (group.lr ?? lr) * multiplier
            let groupDecay = group.weightDecay ?? weightDecay
            for state in states[gi] {
                let p = state.parameter
                guard !p.isFrozen, let g = p.grad else { continue }
                precondition(g.count == state.count, "optimizer: gradient \(g.shape) for \(state.name) \(p.shape)")
                if state.slots.count != slotNames.count { state.allocate(slotNames.count) }
                state.step += 1
                let context = UpdateContext(step: state.step, lr: groupLR, weightDecay: groupDecay)
                let slots = state.slots
                let rule = self.rule
                g.withUnsafeElements { gb in
                    p.withUnsafeMutableElements { pb in
                        guard let pp = pb.baseAddress, let gp = gb.baseAddress else { return }
                        parallelFor(
                            pb.count,
                            job: RuleChunk(rule: rule, parameter: pp, gradient: gp, slots: slots, context: context))
                    }
                }
            }
        }
        stepCount += 1
    }

    /// Clears the gradients of every parameter in the groups.
    public func zeroGrad() {
        for group in groups { for p in group.parameters { p.parameter.zeroGrad() } }
    }

    /// Zeroes every slot and per-parameter step count (moment resets); the step count and schedule go on.
    public func resetState() {
        for group in states { for s in group { s.reset() } }
    }

    /// Copies of the slots of every parameter that has taken a step, with the step counts.
    public func exportState() -> OptimizerState {
        var steps: [String: Int] = [:]
        var slots: [String: Tensor] = [:]
        for group in states {
            for s in group where s.step > 0 || !s.slots.isEmpty {
                steps[s.name] = s.step
                for (k, slot) in slotNames.enumerated() {
                    let base = s.slots[k]
                    slots["\(s.name).\(slot)"] = Tensor.make(shape: s.parameter.shape) { out in
                        out.baseAddress!.update(from: base, count: s.count)
                    }
                }
            }
        }
        return OptimizerState(stepCount: stepCount, slotNames: slotNames, parameterSteps: steps, slots: slots)
    }

    /// Replaces all state with `state` after checking slot names, parameter paths and shapes; parameters absent
    /// from `state` start fresh.
    public func loadState(_ state: OptimizerState) throws(OptimizerError) {
        if state.slotNames != slotNames { throw .slotMismatch(expected: slotNames, found: state.slotNames) }
        let byName = Dictionary(uniqueKeysWithValues: states.joined().map { ($0.name, $0) })
        var expected = Set<String>()
        for (name, step) in state.parameterSteps.sorted(by: { $0.key < $1.key }) {
            guard let s = byName[name] else { throw .unknownParameter(name) }
            if step < 0 { throw .invalidStep(name: name, step: step) }
            for slot in slotNames {
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
        for s in byName.values { s.release() }
        for (name, step) in state.parameterSteps {
            let s = byName[name]!
            s.allocate(slotNames.count)
            s.step = step
            for (k, slot) in slotNames.enumerated() {
                state.slots["\(name).\(slot)"]!.withUnsafeElements { src in
                    s.slots[k].update(from: src.baseAddress!, count: s.count)
                }
            }
        }
        stepCount = state.stepCount
    }

    private func rebuildStates() {
        var old: [ObjectIdentifier: ParameterState] = [:]
        for s in states.joined() { old[ObjectIdentifier(s.parameter)] = s }
        var seen = Set<ObjectIdentifier>()
        states = groups.map { group in
            group.parameters.map { named in
                let id = ObjectIdentifier(named.parameter)
                precondition(seen.insert(id).inserted, "optimizer: parameter \(named.name) is in more than one group")
                if let s = old[id], s.name == named.name { return s }
                return ParameterState(named)
            }
        }
    }
}

/// One parameter's step count and slot buffers (64-byte aligned, owned here, freed with the optimizer).
final class ParameterState {
    let name: String
    let parameter: Parameter
    let count: Int
    var step = 0
    var slots: [UnsafeMutablePointer<Float>] = []

    init(_ named: NamedParameter) {
        self.name = named.name
        self.parameter = named.parameter
        self.count = named.parameter.count
    }

    /// Zero-filled slots.
    func allocate(_ n: Int) {
        release()
        slots = (0..<n).map { _ in
            let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
            let p = raw.bindMemory(to: Float.self, capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
            return p
        }
    }

    func reset() {
        step = 0
        for p in slots { p.update(repeating: 0, count: count) }
    }

    func release() {
        for p in slots { UnsafeMutableRawPointer(p).deallocate() }
        slots = []
        step = 0
    }

    deinit { release() }
}

/// One parameter's update as a ``ChunkJob``, so splitting it across threads allocates nothing.
private struct RuleChunk<Rule: UpdateRule>: ChunkJob {
    let rule: Rule
    let parameter: UnsafeMutablePointer<Float>
    let gradient: UnsafePointer<Float>
    let slots: [UnsafeMutablePointer<Float>]
    let context: UpdateContext

    func run(_ range: Range<Int>) {
        rule.update(range, parameter: parameter, gradient: gradient, slots: slots, context: context)
    }
}
