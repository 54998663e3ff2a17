public import Spec
public import TensorNN

extension LRSchedule {
    /// The optimizer schedule this spec section describes, for a run of `totalSteps` steps.
    public func makeSchedule(totalSteps: Int) -> any LearningRateSchedule {
        let total = Swift.max(totalSteps, 1)
        let warm = Swift.min(warmup, total)
        switch kind {
        case .constant: return warm > 0 ? WarmupSchedule(warmupSteps: warm) : ConstantSchedule()
        case .cosine: return CosineSchedule(totalSteps: total, warmupSteps: warm, minMultiplier: finalRatio)
        case .linear: return LinearDecaySchedule(totalSteps: total, warmupSteps: warm, finalMultiplier: finalRatio)
        }
    }
}
