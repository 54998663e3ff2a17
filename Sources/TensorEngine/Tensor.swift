/// A float32 tensor: a shape and contiguous row-major elements, shared copy-on-write.
///
/// Tensors are values. Ops return new tensors and, while gradients are enabled and an input requires them,
/// record themselves on the autodiff graph through `node`. A `Tensor` and its graph belong to one task; they
/// are deliberately not `Sendable`.
public struct Tensor {
    package var storage: TensorStorage
    /// Dimensions, outermost first: `[B, C, H, W]`. A scalar has shape `[]`.
    public private(set) var shape: [Int]
    /// The graph node: a leaf for tensors that require gradients, an op node for recorded results.
    package var node: GradNode?

    package init(storage: TensorStorage, shape: [Int], node: GradNode? = nil) {
        precondition(storage.count == Self.elementCount(shape),
                     "Tensor: storage of \(storage.count) elements cannot have shape \(shape)")
        self.storage = storage
        self.shape = shape
        self.node = node
    }

    /// A tensor with the given shape and elements in row-major order.
    public init(_ shape: [Int], _ scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(shape)")
        precondition(scalars.count == Self.elementCount(shape),
                     "Tensor: \(scalars.count) scalars do not fill shape \(shape)")
        let s = TensorStorage(uninitializedCount: scalars.count)
        scalars.withUnsafeBufferPointer { s.base.update(from: $0.baseAddress!, count: scalars.count) }
        self.init(storage: s, shape: shape)
    }

    /// A rank-0 tensor holding one value.
    public init(_ scalar: Float) { self.init([], [scalar]) }

    /// Builds a tensor by letting `fill` write every element of fresh (uninitialised) storage.
    package static func make(shape: [Int], _ fill: (UnsafeMutableBufferPointer<Float>) -> Void) -> Tensor {
        let s = TensorStorage(uninitializedCount: elementCount(shape))
        fill(UnsafeMutableBufferPointer(start: s.base, count: s.count))
        return Tensor(storage: s, shape: shape)
    }

    package static func elementCount(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    public var rank: Int { shape.count }
    /// Number of elements.
    public var count: Int { storage.count }
    /// The elements in row-major order (a copy).
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.base, count: storage.count)) }
    /// The single value of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item: tensor of shape \(shape) has \(count) elements")
        return storage.base[0]
    }

    /// Reads the elements without copying.
    public func withUnsafeElements<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.base, count: storage.count))
    }

    /// Mutates the elements in place, copying first if the storage is shared (copy-on-write).
    /// Does not record on the graph: use it for optimizer updates and data preparation, not inside a model.
    public mutating func withUnsafeMutableElements<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R)
        rethrows -> R
    {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try body(UnsafeMutableBufferPointer(start: storage.base, count: storage.count))
    }

    /// Whether two tensors share one buffer (tests use it to check copy-on-write).
    public func sharesStorage(with other: Tensor) -> Bool { storage === other.storage }

    /// Element at a multi-index (slow; for tests and small host-side logic).
    public subscript(index: Int...) -> Float {
        precondition(index.count == rank, "subscript: \(index.count) indices for shape \(shape)")
        var flat = 0
        for (i, d) in zip(index, shape) {
            precondition(i >= 0 && i < d, "subscript: index \(index) out of range for shape \(shape)")
            flat = flat * d + i
        }
        return storage.base[flat]
    }

    /// Row-major strides in elements.
    public var strides: [Int] { Self.strides(of: shape) }
    package static func strides(of shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) { s[i] = acc; acc *= shape[i] }
        return s
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(\(shape), [\(shown)\(count > 8 ? ", …" : "")])"
    }
}
