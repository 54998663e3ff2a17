public import PluginAPI

/// Why a run stopped before finishing its work, classified as `status.json` records it.
public enum RunError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The spec did not validate, or asks for something its plugins cannot do together.
    case invalidSpec(String)
    /// A plugin threw or is misconfigured; `id` names it.
    case plugin(id: String, message: String)
    /// The loss (or a tensor feeding it) became NaN or infinite at `step` (counting from 1).
    case nonFiniteLoss(step: Int, tensor: String, detail: String)
    /// The run's resident memory passed `resources.memory_mb`.
    case outOfMemory(limitMB: Int, residentMB: Int, step: Int)
    /// The run passed `resources.max_minutes` and stopped after checkpointing.
    case wallClockLimit(minutes: Double, step: Int)
    /// The run folder cannot be used: another process holds it, or it belongs to another version of the spec.
    case runFolder(String)
    /// Reading or writing the run's files failed.
    case io(String)

    /// The failure class written to `status.json`.
    public var failureClass: RunStatus.FailureClass {
        switch self {
        case .invalidSpec: .invalidSpec
        case .plugin: .pluginError
        case .nonFiniteLoss: .nonFiniteLoss
        case .outOfMemory: .outOfMemory
        case .wallClockLimit: .killed
        case .runFolder, .io: .internalError
        }
    }

    /// One line (or, for an invalid spec, the report) that can be shown as is.
    public var description: String {
        switch self {
        case .invalidSpec(let report): report
        case .plugin(let id, let message): "plugin \(id): \(message)"
        case .nonFiniteLoss(let step, let tensor, let detail):
            "non-finite loss at step \(step): \(tensor) is not finite (\(detail))"
        case .outOfMemory(let limit, let resident, let step):
            "out of memory at step \(step): \(resident) MiB resident, over the limit resources.memory_mb = \(limit)"
        case .wallClockLimit(let minutes, let step):
            "stopped at step \(step): the wall-clock limit resources.max_minutes = \(minutes) was reached"
        case .runFolder(let message): message
        case .io(let message): message
        }
    }
}
