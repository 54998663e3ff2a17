import PluginAPI

/// Thrown by a plugin whose configuration is valid on its own but does not fit the run's data, which only
/// loading tells: `model.gpt`'s `context` shorter than the data's windows, a quantisation group that does not
/// divide a layer's input width.
///
/// The run driver reports it as an invalid spec (exit 2, `invalid_spec` in `status.json`), not as a plugin
/// failure: the fix is in the spec, and the message names the key to change, `model.context: …`. Throw it from
/// `makeModel` (or another factory) before any training.
///
/// ```swift
/// guard window <= c.context else {
///     throw ConfigurationMismatch(key: "context", message: "\(c.context) is shorter than the data's windows")
/// }
/// ```
public struct ConfigurationMismatch: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key to change, relative to the plugin's mapping (`context`, `schedule.warmup`), in YAML or Swift
    /// spelling; reported in YAML spelling.
    public var key: String
    /// What does not fit, phrased to follow the key: "32 is shorter than the data's windows of 64 bytes".
    public var message: String

    /// A mismatch at `key`.
    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    /// `context: 32 is shorter than …`.
    public var description: String { "\(keyPath): \(message)" }

    /// The key as a dotted path in YAML spelling.
    var keyPath: String { key.split(separator: ".").map { String($0).snakeCased }.joined(separator: ".") }
}

extension RunError {
    /// What a plugin threw while being built or run, classified: a ``ConfigurationMismatch`` is an invalid spec
    /// located under `slot` (`model`, `stages[2]`), a `RunError` stays as it is, anything else is a failure of the
    /// plugin `id`.
    static func classifying(_ error: any Error, plugin id: String, slot: String) -> RunError {
        switch error {
        case let error as RunError: error
        case let mismatch as ConfigurationMismatch: .invalidSpec("\(slot).\(mismatch.keyPath): \(mismatch.message)")
        default: .plugin(id: id, message: "\(error)")
        }
    }
}
