import Foundation

/// The line a terminal shows at the bottom while a run trains:
/// `[lr=0.1] finetune step 120/600 20%  85.3 steps/s  ETA 0:05  loss 0.4213`.
///
/// A value apart from the training loop so that its wording can be tested without a terminal or a clock.
struct ProgressLine {
    /// A sweep child's `[label] `, or empty.
    var prefix = ""
    /// The stage's name in a chain, or empty.
    var label = ""
    /// Steps done.
    var step: Int
    /// Steps in all.
    var total: Int
    /// The step the clock started at (a resumed run's first), so the rate counts only this attempt's steps.
    var firstStep = 0
    /// Seconds since the clock started.
    var seconds: Double
    /// The latest training loss.
    var loss: Double

    /// Steps per second over this attempt; 0 before any time has passed.
    var rate: Double { seconds > 0 ? Double(step - firstStep) / seconds : 0 }

    /// The line; the percentage rounds down, so 100 % shows only at the last step.
    var text: String {
        let eta = rate > 0 ? Double(total - step) / rate : 0
        let percent = Int((Double(step) / Double(Swift.max(total, 1)) * 100).rounded(.down))
        let name = label.isEmpty ? "" : "\(label) "
        return "\(prefix)\(name)step \(step)/\(total) \(percent)%  "
            + String(format: "%.1f steps/s  ETA %@  loss %.4g", rate, Self.clockText(eta), loss)
    }

    /// `m:ss`, or `h:mm:ss` from an hour on.
    static func clockText(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600
            ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
