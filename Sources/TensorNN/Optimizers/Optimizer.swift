public import TensorEngine

/// Something that updates parameters from their gradients, step by step, with exportable state.
public protocol Optimizer: AnyObject {
    /// Steps taken so far; the schedule's multiplier for the next step is taken at this index.
    var stepCount: Int { get }
    /// Scales every group's learning rate per step.
    var schedule: any LearningRateSchedule { get set }
    /// The learning rate of each group for the next step (group rate × schedule multiplier).
    var currentLearningRates: [Double] { get }
    /// One update of every non-frozen parameter that has a gradient; parameters without one are skipped.
    func step()
    /// Forgets the gradients of all parameters this optimizer updates.
    func zeroGrad()
    /// Step counts and slot buffers (copies), by parameter path.
    func exportState() -> OptimizerState
    /// Restores what `exportState` returned, exactly; throws and changes nothing when it does not fit.
    func loadState(_ state: OptimizerState) throws(OptimizerError)
    /// Scalars describing the last step (gradient norm, clipped elements, resets, skipped steps, …); the run
    /// driver logs them as `optim.<name>` with the step's other metrics. Empty by default.
    var metrics: [String: Double] { get }
}

extension Optimizer {
    /// No metrics.
    public var metrics: [String: Double] { [:] }
}

/// An optimizer's state by name: what checkpoints store beside the parameters.
public struct OptimizerState {
    /// Optimizer steps taken (drives the schedule).
    public var stepCount: Int
    /// The rule's slot names, e.g. `["exp_avg", "exp_avg_sq"]`.
    public var slotNames: [String]
    /// Per-parameter step counts (bias corrections use these), for parameters that have state.
    public var parameterSteps: [String: Int]
    /// Slot buffers named `<path>.<slot>`, e.g. `layers.0.weight.exp_avg`.
    public var slots: [String: Tensor]
    /// Further state as strings by key (counters, random-generator positions, per-tensor scalars as JSON), for
    /// optimizers whose state is more than slots and step counts. Checkpoints store each entry as the header key
    /// `kiln.optimizer.extra.<key>`.
    public var extra: [String: String]

    /// State from its parts (tests and format converters).
    public init(
        stepCount: Int, slotNames: [String], parameterSteps: [String: Int], slots: [String: Tensor],
        extra: [String: String] = [:]
    ) {
        self.stepCount = stepCount
        self.slotNames = slotNames
        self.parameterSteps = parameterSteps
        self.slots = slots
        self.extra = extra
    }
}
