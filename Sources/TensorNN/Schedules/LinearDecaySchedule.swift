/// Linear warm-up, then a straight line from 1 down to `finalMultiplier` at `totalSteps`, constant after.
public struct LinearDecaySchedule: LearningRateSchedule, Codable, Equatable {
    /// Steps of the whole schedule, warm-up included.
    public var totalSteps: Int
    /// Linear warm-up steps at the start (as `WarmupSchedule`).
    public var warmupSteps: Int
    /// The multiplier reached at the end.
    public var finalMultiplier: Double

    /// A linear decay over `totalSteps` (warm-up included) down to `finalMultiplier`.
    public init(totalSteps: Int, warmupSteps: Int = 0, finalMultiplier: Double = 0) {
        precondition(
            totalSteps > 0 && warmupSteps >= 0 && warmupSteps <= totalSteps,
            "LinearDecaySchedule: need 0 ≤ warm-up (\(warmupSteps)) ≤ total (\(totalSteps)), total > 0")
        self.totalSteps = totalSteps
        self.warmupSteps = warmupSteps
        self.finalMultiplier = finalMultiplier
    }

    /// Warm-up ramp, then 1 − (1 − final)·progress.
    public func multiplier(at step: Int) -> Double {
        warmupThenDecay(step, warmupSteps: warmupSteps, totalSteps: totalSteps) { progress in
            1 - (1 - finalMultiplier) * progress
        }
    }
}
