public import TensorEngine

/// A trainable tensor owned by a module and shared, by reference, with the optimizer that updates it.
///
/// The value is a graph leaf (`requiringGrad()`), so every `backward()` through it accumulates into `grad` until
/// `zeroGrad()`. A frozen parameter's value is detached: it records nothing, gets no gradient and optimizers skip
/// it. Optimizers write new values in place through `withUnsafeMutableElements`, so the storage is reused from
/// step to step; hold the `Parameter`, not a copy of its `value`, to see updates.
///
/// A *buffer* (`Parameter(buffer:)`) is state a module updates itself and checkpoints save by name, but that is never
/// trained: BatchNorm's `running_mean`, `running_var` and `num_batches_tracked`. It is always frozen, so optimizers
/// skip it and `unfreeze()` leaves it alone; `namedBuffers()` lists buffers and `parameterCount` leaves them out.
public final class Parameter {
    /// The current value, a leaf that requires gradients unless the parameter is frozen.
    public private(set) var value: Tensor
    /// Whether the parameter is excluded from training.
    public private(set) var isFrozen: Bool
    /// Whether this is a buffer (module state saved with the parameters, never trained).
    public let isBuffer: Bool

    /// A parameter holding `value` (detached from any graph it was on).
    public init(_ value: Tensor, frozen: Bool = false) {
        self.isFrozen = frozen
        self.isBuffer = false
        self.value = frozen ? value.detached() : value.detached().requiringGrad()
    }

    /// A buffer holding `value`: frozen for good, updated by its module through `assign`.
    public init(buffer value: Tensor) {
        self.isFrozen = true
        self.isBuffer = true
        self.value = value.detached()
    }

    /// `[out, in]`, `[features]`, …
    public var shape: [Int] { value.shape }
    /// Number of elements.
    public var count: Int { value.count }
    /// The gradient accumulated since the last `zeroGrad()`, nil if none (or frozen).
    public var grad: Tensor? { value.grad }

    /// Forgets the accumulated gradient.
    public func zeroGrad() { value.clearGrad() }

    /// Stops training this parameter: drops its gradient and detaches its value.
    public func freeze() {
        guard !isFrozen else { return }
        isFrozen = true
        value = value.detached()
    }

    /// Resumes training: the value becomes a fresh graph leaf with no gradient. Buffers stay frozen.
    public func unfreeze() {
        guard isFrozen, !isBuffer else { return }
        isFrozen = false
        value = value.requiringGrad()
    }

    /// Copies `source`'s elements into the value in place (same shape required), keeping gradient bookkeeping.
    /// Bit-exact: checkpoints restore through this.
    public func assign(_ source: Tensor) {
        precondition(source.shape == value.shape, "Parameter.assign: value \(source.shape) for shape \(value.shape)")
        source.withUnsafeElements { src in
            value.withUnsafeMutableElements { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                d.update(from: s, count: src.count)
            }
        }
    }

    /// Runs `body` over the value's elements for an in-place update (no graph recording, no allocation when the
    /// storage is not shared). Optimizers use this.
    public func withUnsafeMutableElements<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try value.withUnsafeMutableElements(body)
    }
}

/// A parameter together with its dotted path (`layers.0.weight`), its identity in gradients, optimizer state and
/// checkpoints.
public struct NamedParameter {
    /// Dotted lowercase path from the root module.
    public let name: String
    /// The shared parameter object.
    public let parameter: Parameter

    /// `parameter` under the path `name`.
    public init(_ name: String, _ parameter: Parameter) {
        self.name = name
        self.parameter = parameter
    }
}
