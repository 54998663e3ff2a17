/// What a rule needs to update one parameter tensor at one step.
public struct UpdateContext: Sendable {
    /// This parameter's step number, counting from 1 (parameters without a gradient at a step do not advance).
    public var step: Int
    /// The learning rate for this step: the group's rate times the schedule's multiplier.
    public var lr: Double
    /// The group's weight decay coefficient.
    public var weightDecay: Double

    /// A context for one update.
    public init(step: Int, lr: Double, weightDecay: Double) {
        self.step = step
        self.lr = lr
        self.weightDecay = weightDecay
    }
}

/// The arithmetic of an optimizer: one fused, in-place pass over a parameter, its gradient and its state slots.
///
/// `GroupedOptimizer` owns everything else — groups, learning rates and schedule, step counts, slot buffers,
/// threading and state export — so a new method (SPAM, Lion, …) is a rule of a few lines. The slot buffers are
/// allocated zeroed on a parameter's first step and live as long as the optimizer; they are exported as
/// `<path>.<slot name>`.
public protocol UpdateRule: Sendable {
    /// Names of the per-parameter state buffers (each the parameter's shape), in the order `update` receives them.
    /// Read once when the optimizer is made.
    var slotNames: [String] { get }

    /// Updates `parameter[range]` in place from `gradient[range]` and `slots[k][range]`.
    ///
    /// Called from several threads at once on disjoint ranges of one tensor, so it must touch only `range`
    /// and must not allocate. Steady-state training calls this and nothing else per tensor.
    func update(
        _ range: Range<Int>, parameter: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>,
        slots: [UnsafeMutablePointer<Float>], context: UpdateContext)
}
