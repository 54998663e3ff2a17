import TensorEngine
import TensorNN

/// One parameter tensor's optimizer state in SPAM and Stable-SPAM: the Adam moments as owned, 64-byte aligned
/// buffers of the parameter's shape, the per-tensor step counter, an optional momentum mask, and Stable-SPAM's
/// per-tensor scalars. Buffers are allocated zeroed on the tensor's first step and reused after that.
final class MomentState {
    let name: String
    let parameter: Parameter
    let count: Int
    /// Whether this tensor uses sparse momentum (SPAM with density < 1, 2-D tensors picked by path).
    let isSparse: Bool
    /// Per-tensor Adam step counter `k` (0 before the first step).
    var step = 0
    /// First and second moments, nil before the first step.
    var m: UnsafeMutablePointer<Float>?
    var v: UnsafeMutablePointer<Float>?
    /// 1 where the entry keeps momentum and is updated this window, else 0 (sparse tensors only).
    var mask: UnsafeMutablePointer<Float>?
    /// Stable-SPAM: EMA of max|g| (`Tmax`), of ‖g‖ (`μ`) and of ‖g‖² (`ν`); never reset.
    var maxEMA = 0.0, normEMA = 0.0, normSquaredEMA = 0.0
    /// This step's raw gradient statistics, filled by the finiteness pass.
    var sumSquares = 0.0
    var maxAbs: Float = 0
    /// Σ g² and max |g| of each reduction block of this step's gradient, filled by the same pass: Stable-SPAM's
    /// clipped norm then reads only the blocks that hold an element above its threshold.
    let blockSums: UnsafeMutablePointer<Double>
    let blockMax: UnsafeMutablePointer<Float>

    init(_ named: NamedParameter, sparse: Bool) {
        name = named.name
        parameter = named.parameter
        count = named.parameter.count
        isSparse = sparse
        if sparse { mask = Self.buffer(count) }
        let blocks = max(1, (count + reductionBlock - 1) / reductionBlock)
        blockMax = Self.buffer(blocks)
        blockSums = .allocate(capacity: blocks)
        blockSums.initialize(repeating: 0, count: blocks)
    }

    /// Whether the moments exist (the tensor has taken a step or had state loaded).
    var hasMoments: Bool { m != nil }

    /// Allocates zeroed moments if they do not exist yet.
    func allocateMoments() {
        if m == nil { m = Self.buffer(count) }
        if v == nil { v = Self.buffer(count) }
    }

    /// Zeroes both moments (a momentum reset).
    func zeroMoments() {
        m?.update(repeating: 0, count: count)
        v?.update(repeating: 0, count: count)
    }

    /// Frees the moments and forgets the step counter and scalars (before loading other state).
    func clear() {
        if let m { UnsafeMutableRawPointer(m).deallocate() }
        if let v { UnsafeMutableRawPointer(v).deallocate() }
        m = nil
        v = nil
        step = 0
        maxEMA = 0
        normEMA = 0
        normSquaredEMA = 0
    }

    /// A copy of a buffer as a tensor of the parameter's shape.
    func tensor(_ buffer: UnsafeMutablePointer<Float>) -> Tensor {
        Tensor.make(shape: parameter.shape) { out in out.baseAddress!.update(from: buffer, count: count) }
    }

    /// Copies `t` (the parameter's shape, checked by the caller) into `buffer`.
    func copy(_ t: Tensor, into buffer: UnsafeMutablePointer<Float>) {
        t.withUnsafeElements { src in buffer.update(from: src.baseAddress!, count: count) }
    }

    static func buffer(_ n: Int) -> UnsafeMutablePointer<Float> {
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(n, 1) * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(n, 1))
        p.initialize(repeating: 0, count: max(n, 1))
        return p
    }

    deinit {
        clear()
        if let mask { UnsafeMutableRawPointer(mask).deallocate() }
        UnsafeMutableRawPointer(blockMax).deallocate()
        blockSums.deallocate()
    }
}
