import Foundation

/// A learning-rate multiplier per step: the optimizer uses group lr × `multiplier(at: stepCount)`, so the first
/// step uses index 0 (as `torch.optim.lr_scheduler.LambdaLR` with `scheduler.step()` after each update).
public protocol LearningRateSchedule: Sendable {
    /// The multiplier for step `step` (0-based).
    func multiplier(at step: Int) -> Double
}

/// Always 1.
public struct ConstantSchedule: LearningRateSchedule, Codable, Equatable {
    /// The constant schedule.
    public init() {}
    /// 1.
    public func multiplier(at step: Int) -> Double { 1 }
}

/// Linear warm-up to 1: (step + 1) / warmupSteps for the first `warmupSteps` steps, then 1.
public struct WarmupSchedule: LearningRateSchedule, Codable, Equatable {
    /// Steps to reach the full rate.
    public var warmupSteps: Int
    /// Warm-up over `warmupSteps` steps (0: none).
    public init(warmupSteps: Int) {
        precondition(warmupSteps >= 0, "WarmupSchedule: negative warm-up \(warmupSteps)")
        self.warmupSteps = warmupSteps
    }
    /// (step + 1) / warmupSteps, at most 1.
    public func multiplier(at step: Int) -> Double {
        step < warmupSteps ? Double(step + 1) / Double(warmupSteps) : 1
    }
}

/// Linear warm-up, then a half cosine from 1 down to `minMultiplier` at `totalSteps`, constant after.
public struct CosineSchedule: LearningRateSchedule, Codable, Equatable {
    /// Steps of the whole schedule, warm-up included.
    public var totalSteps: Int
    /// Linear warm-up steps at the start (as `WarmupSchedule`).
    public var warmupSteps: Int
    /// The multiplier reached at the end (minimum lr = peak × this).
    public var minMultiplier: Double

    /// Cosine decay over `totalSteps` (warm-up included) down to `minMultiplier`.
    public init(totalSteps: Int, warmupSteps: Int = 0, minMultiplier: Double = 0) {
        precondition(
            totalSteps > 0 && warmupSteps >= 0 && warmupSteps <= totalSteps,
            "CosineSchedule: need 0 ≤ warm-up (\(warmupSteps)) ≤ total (\(totalSteps)), total > 0")
        self.totalSteps = totalSteps
        self.warmupSteps = warmupSteps
        self.minMultiplier = minMultiplier
    }

    /// Warm-up ramp, then min + (1 − min)·½(1 + cos(π·progress)).
    public func multiplier(at step: Int) -> Double {
        warmupThenDecay(step, warmupSteps: warmupSteps, totalSteps: totalSteps) { progress in
            minMultiplier + (1 - minMultiplier) * 0.5 * (1 + Foundation.cos(Double.pi * progress))
        }
    }
}

/// Multiplies the rate by `gamma` every `stepSize` steps: gamma^⌊step / stepSize⌋
/// (`torch.optim.lr_scheduler.StepLR`).
public struct StepSchedule: LearningRateSchedule, Codable, Equatable {
    /// Steps between decays.
    public var stepSize: Int
    /// The factor applied at each decay.
    public var gamma: Double

    /// Decay by `gamma` every `stepSize` steps.
    public init(stepSize: Int, gamma: Double = 0.1) {
        precondition(stepSize > 0, "StepSchedule: step size \(stepSize) must be positive")
        self.stepSize = stepSize
        self.gamma = gamma
    }

    /// gamma^⌊step / stepSize⌋.
    public func multiplier(at step: Int) -> Double { Foundation.pow(gamma, Double(step / stepSize)) }
}

/// The decaying schedules' shared frame: the linear warm-up ramp (step + 1)/warm-up, then `shape(progress)` with
/// progress going from 0 at the end of warm-up to 1 at `totalSteps` and staying there.
func warmupThenDecay(_ step: Int, warmupSteps: Int, totalSteps: Int, _ shape: (Double) -> Double) -> Double {
    if step < warmupSteps { return Double(step + 1) / Double(warmupSteps) }
    let span = Double(Swift.max(totalSteps - warmupSteps, 1))
    return shape(Swift.min(Double(step - warmupSteps) / span, 1))
}
