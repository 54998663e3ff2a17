public import Foundation

/// What a validator says about one spec.
public enum SpecVerdict: Sendable, Equatable {
    /// The spec can run. Among queued runs, a higher `priority` starts first; equal ones start in
    /// arrival order.
    case valid(priority: Int)
    /// The spec cannot run; each problem is one human-readable line (file, key, line, what is wrong).
    case invalid(problems: [String])

    /// Valid with the default priority 0.
    public static var valid: SpecVerdict { .valid(priority: 0) }
}

/// Checks a spec before the daemon queues it. The real implementation (the `Spec` target) is injected
/// by `kiln serve`; the daemon knows nothing about plugins or YAML.
///
/// Called on the intake path for every new or edited spec, so it should answer in milliseconds: the
/// daemon promises a `rejected` status within a second of the drop.
public protocol SpecValidating: Sendable {
    /// Validates the spec at `url`, whose bytes (exactly the ones hashed into its identity) are `contents`.
    func validate(specAt url: URL, contents: Data) -> SpecVerdict

    /// Changes the data roots for specs validated from now on (SIGHUP).
    func reconfigure(dataRoots: [String])
}

extension SpecValidating {
    /// Validators that do not look at data paths ignore the roots.
    public func reconfigure(dataRoots: [String]) {}
}

/// A validator made from a closure: `ClosureSpecValidator { url, data in .valid }`.
public struct ClosureSpecValidator: SpecValidating {
    private let body: @Sendable (URL, Data) -> SpecVerdict

    /// Wraps `body` as a validator.
    public init(_ body: @escaping @Sendable (URL, Data) -> SpecVerdict) {
        self.body = body
    }

    public func validate(specAt url: URL, contents: Data) -> SpecVerdict {
        body(url, contents)
    }
}

/// Accepts every spec; for tests and for running without the `Spec` target.
public struct AcceptingSpecValidator: SpecValidating {
    /// Creates the validator.
    public init() {}

    public func validate(specAt url: URL, contents: Data) -> SpecVerdict { .valid }
}
