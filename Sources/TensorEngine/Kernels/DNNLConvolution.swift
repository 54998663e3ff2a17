import CDNNL
import Synchronization

/// Convolutions through oneDNN's primitives on plain NCHW / (G)OIHW buffers.
///
/// Creating a primitive descriptor and primitive costs far more than running a small convolution, so each
/// geometry's primitives are created once (forward on first use, each backward pass on its first use) and kept
/// for the life of the process; a training loop sees the same few geometries every step. Scratch memory is
/// user-managed (taken from the buffer pool per call), and every call runs under one lock: the primitives and the
/// stream are then never used by two threads at once, whatever the caller's concurrency (tests run in parallel).
package final class DNNLConvolutions: Sendable {
    package static let shared = DNNLConvolutions()

    /// Geometries beyond this many are not worth keeping: the whole cache is dropped and rebuilt as needed.
    private static let capacity = 256

    private let state: Mutex<State>

    private init() {
        var engine: dnnl_engine_t? = nil
        check(dnnl_engine_create(&engine, dnnl_cpu, 0), "engine")
        var stream: dnnl_stream_t? = nil
        check(dnnl_stream_create(&stream, engine, UInt32(dnnl_stream_default_flags.rawValue)), "stream")
        state = Mutex(State(engine: engine!, stream: stream!))
    }

    /// y = conv(x, w) + b. x [N, C, H, W], w [O, C/G, KH, KW], b [O] (when `geometry.hasBias`), y [N, O, OH, OW].
    package func forward(
        _ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>
    ) {
        state.withLock { s in
            let e = s.entry(g)
            var args = [(DNNL_ARG_SRC, e.src, UnsafeMutableRawPointer(mutating: x)),
                        (DNNL_ARG_WEIGHTS, e.weights, UnsafeMutableRawPointer(mutating: w)),
                        (DNNL_ARG_DST, e.dst, UnsafeMutableRawPointer(y))]
            if let bias { args.append((DNNL_ARG_BIAS, e.bias, UnsafeMutableRawPointer(mutating: bias))) }
            s.execute(e.forward, args, scratchBytes: e.forwardScratch, "conv2d forward \(g)")
        }
    }

    /// dx = conv_transpose(dy, w): dy [N, O, OH, OW] → dx [N, C, H, W].
    package func backwardData(
        _ g: ConvGeometry, w: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>
    ) {
        state.withLock { s in
            let e = s.entry(g)
            if e.backwardData == nil { e.makeBackwardData(s.engine, s.attr, g) }
            s.execute(e.backwardData!,
                      [(DNNL_ARG_DIFF_DST, e.dst, UnsafeMutableRawPointer(mutating: dy)),
                       (DNNL_ARG_WEIGHTS, e.weights, UnsafeMutableRawPointer(mutating: w)),
                       (DNNL_ARG_DIFF_SRC, e.src, UnsafeMutableRawPointer(dx))],
                      scratchBytes: e.backwardDataScratch, "conv2d backward data \(g)")
        }
    }

    /// dw = Σ dy ⋆ x over the batch, and db = Σ dy over batch and space when `db` is given (and the geometry
    /// has a bias).
    package func backwardWeights(
        _ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>,
        db: UnsafeMutablePointer<Float>?
    ) {
        state.withLock { s in
            let e = s.entry(g)
            if e.backwardWeights == nil { e.makeBackwardWeights(s.engine, s.attr, g) }
            var args = [(DNNL_ARG_SRC, e.src, UnsafeMutableRawPointer(mutating: x)),
                        (DNNL_ARG_DIFF_DST, e.dst, UnsafeMutableRawPointer(mutating: dy)),
                        (DNNL_ARG_DIFF_WEIGHTS, e.weights, UnsafeMutableRawPointer(dw))]
            // With a bias in the geometry oneDNN always writes its gradient; give it a scratch target if unwanted.
            var scratchBias: UnsafeMutablePointer<Float>? = nil
            if g.hasBias {
                let target = db ?? BufferPool.shared.take(g.outChannels)
                if db == nil { scratchBias = target }
                args.append((DNNL_ARG_DIFF_BIAS, e.bias, UnsafeMutableRawPointer(target)))
            }
            s.execute(e.backwardWeights!, args, scratchBytes: e.backwardWeightsScratch, "conv2d backward weights \(g)")
            if let scratchBias { BufferPool.shared.give(scratchBias, count: g.outChannels) }
        }
    }

    /// The engine, stream, shared attributes and cached primitives. `@unchecked Sendable`: it lives inside the
    /// mutex above and is only touched under its lock.
    private struct State: @unchecked Sendable {
        let engine: dnnl_engine_t
        let stream: dnnl_stream_t
        let attr: dnnl_primitive_attr_t
        var entries: [ConvGeometry: Entry] = [:]

        init(engine: dnnl_engine_t, stream: dnnl_stream_t) {
            self.engine = engine
            self.stream = stream
            var a: dnnl_primitive_attr_t? = nil
            check(dnnl_primitive_attr_create(&a), "attributes")
            check(dnnl_primitive_attr_set_scratchpad_mode(a, dnnl_scratchpad_mode_user), "scratchpad mode")
            attr = a!
        }

        mutating func entry(_ g: ConvGeometry) -> Entry {
            if let e = entries[g] { return e }
            if entries.count >= DNNLConvolutions.capacity { entries.removeAll() }
            let e = Entry(engine, attr, g)
            entries[g] = e
            return e
        }

        /// Runs a primitive on the given (argument, descriptor, buffer) triples and waits for it.
        func execute(
            _ primitive: dnnl_primitive_t, _ buffers: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)],
            scratchBytes: Int, _ what: @autoclosure () -> String
        ) {
            var args: [dnnl_exec_arg_t] = []
            defer { for a in args { dnnl_memory_destroy(a.memory) } }
            for (arg, desc, pointer) in buffers { args.append(memory(arg, desc, pointer, what())) }
            let scratchFloats = (scratchBytes + 3) / 4
            var scratch: UnsafeMutablePointer<Float>? = nil
            if scratchBytes > 0 {
                scratch = BufferPool.shared.take(scratchFloats)
                var desc = dnnl_memory_desc_t()
                var dims: [dnnl_dim_t] = [dnnl_dim_t(scratchBytes)] + Array(repeating: 0, count: 11)
                check(dnnl_memory_desc_init_by_tag(&desc, 1, &dims, dnnl_u8, dnnl_a), "scratchpad descriptor")
                args.append(memory(DNNL_ARG_SCRATCHPAD, desc, UnsafeMutableRawPointer(scratch!), what()))
            }
            defer { if let scratch { BufferPool.shared.give(scratch, count: scratchFloats) } }
            check(dnnl_primitive_execute(primitive, stream, Int32(args.count), args), what())
            check(dnnl_stream_wait(stream), what())
        }

        private func memory(
            _ arg: Int32, _ desc: dnnl_memory_desc_t, _ pointer: UnsafeMutableRawPointer, _ what: String
        ) -> dnnl_exec_arg_t {
            var d = desc
            var m: dnnl_memory_t? = nil
            check(dnnl_memory_create(&m, &d, engine, pointer), what)
            return dnnl_exec_arg_t(arg: arg, memory: m)
        }
    }

    /// The primitives of one geometry. Primitive descriptors stay alive: the backward ones need the forward one
    /// as a hint and report their scratch sizes. `@unchecked Sendable`: only reached through `State`, under the lock.
    private final class Entry: @unchecked Sendable {
        var src = dnnl_memory_desc_t(), weights = dnnl_memory_desc_t()
        var bias = dnnl_memory_desc_t(), dst = dnnl_memory_desc_t()
        let forwardDescriptor: dnnl_primitive_desc_t
        let forward: dnnl_primitive_t
        let forwardScratch: Int
        var backwardData: dnnl_primitive_t? = nil
        var backwardDataScratch = 0
        var backwardWeights: dnnl_primitive_t? = nil
        var backwardWeightsScratch = 0
        private var owned: [dnnl_primitive_desc_t] = []

        init(_ engine: dnnl_engine_t, _ attr: dnnl_primitive_attr_t, _ g: ConvGeometry) {
            src = plainDescriptor([g.batch, g.inChannels, g.height, g.width], dnnl_nchw)
            dst = plainDescriptor([g.batch, g.outChannels, g.outH, g.outW], dnnl_nchw)
            weights = g.groups == 1
                ? plainDescriptor([g.outChannels, g.inChannels, g.kernelH, g.kernelW], dnnl_oihw)
                : plainDescriptor([g.groups, g.outChannels / g.groups, g.inChannels / g.groups, g.kernelH, g.kernelW],
                                  dnnl_goihw)
            // A zero descriptor disables the bias term.
            if g.hasBias { bias = plainDescriptor([g.outChannels], dnnl_a) }
            var desc = dnnl_convolution_desc_t()
            var (strides, dilates, padL, padR) = Self.spatial(g)
            check(dnnl_dilated_convolution_forward_desc_init(
                &desc, dnnl_forward_training, dnnl_convolution_direct, &src, &weights, &bias, &dst,
                &strides, &dilates, &padL, &padR), "conv2d forward descriptor \(g)")
            forwardDescriptor = Self.create(&desc, engine, attr, hint: nil, "conv2d forward \(g)")
            forwardScratch = Self.scratchBytes(forwardDescriptor)
            var p: dnnl_primitive_t? = nil
            check(dnnl_primitive_create(&p, forwardDescriptor), "conv2d forward primitive \(g)")
            forward = p!
            owned.append(forwardDescriptor)
        }

        func makeBackwardData(_ engine: dnnl_engine_t, _ attr: dnnl_primitive_attr_t, _ g: ConvGeometry) {
            var desc = dnnl_convolution_desc_t()
            var (strides, dilates, padL, padR) = Self.spatial(g)
            check(dnnl_dilated_convolution_backward_data_desc_init(
                &desc, dnnl_convolution_direct, &src, &weights, &dst, &strides, &dilates, &padL, &padR),
                  "conv2d backward data descriptor \(g)")
            let pd = Self.create(&desc, engine, attr, hint: forwardDescriptor, "conv2d backward data \(g)")
            owned.append(pd)
            backwardDataScratch = Self.scratchBytes(pd)
            var p: dnnl_primitive_t? = nil
            check(dnnl_primitive_create(&p, pd), "conv2d backward data primitive \(g)")
            backwardData = p
        }

        func makeBackwardWeights(_ engine: dnnl_engine_t, _ attr: dnnl_primitive_attr_t, _ g: ConvGeometry) {
            var desc = dnnl_convolution_desc_t()
            var (strides, dilates, padL, padR) = Self.spatial(g)
            check(dnnl_dilated_convolution_backward_weights_desc_init(
                &desc, dnnl_convolution_direct, &src, &weights, &bias, &dst, &strides, &dilates, &padL, &padR),
                  "conv2d backward weights descriptor \(g)")
            let pd = Self.create(&desc, engine, attr, hint: forwardDescriptor, "conv2d backward weights \(g)")
            owned.append(pd)
            backwardWeightsScratch = Self.scratchBytes(pd)
            var p: dnnl_primitive_t? = nil
            check(dnnl_primitive_create(&p, pd), "conv2d backward weights primitive \(g)")
            backwardWeights = p
        }

        deinit {
            for p in [forward, backwardData, backwardWeights] { if let p { dnnl_primitive_destroy(p) } }
            for pd in owned { dnnl_primitive_desc_destroy(pd) }
        }

        /// Strides, dilations (oneDNN counts the gaps: PyTorch's d − 1) and paddings as 12-slot dims arrays.
        private static func spatial(_ g: ConvGeometry) -> ([dnnl_dim_t], [dnnl_dim_t], [dnnl_dim_t], [dnnl_dim_t]) {
            (dims([g.strideH, g.strideW]), dims([g.dilationH - 1, g.dilationW - 1]),
             dims([g.padTop, g.padLeft]), dims([g.padBottom, g.padRight]))
        }

        private static func create(
            _ desc: UnsafeMutablePointer<dnnl_convolution_desc_t>, _ engine: dnnl_engine_t,
            _ attr: dnnl_primitive_attr_t, hint: dnnl_primitive_desc_t?, _ what: String
        ) -> dnnl_primitive_desc_t {
            var pd: dnnl_primitive_desc_t? = nil
            check(dnnl_primitive_desc_create(&pd, desc, attr, engine, hint), what)
            return pd!
        }

        private static func scratchBytes(_ pd: dnnl_primitive_desc_t) -> Int {
            guard let md = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0) else { return 0 }
            return dnnl_memory_desc_get_size(md)
        }
    }
}

/// A dense f32 descriptor with a plain format tag.
private func plainDescriptor(_ shape: [Int], _ tag: dnnl_format_tag_t) -> dnnl_memory_desc_t {
    var d = dnnl_memory_desc_t()
    var ds = dims(shape)
    check(dnnl_memory_desc_init_by_tag(&d, Int32(shape.count), &ds, dnnl_f32, tag), "memory descriptor \(shape)")
    return d
}

/// oneDNN's fixed-size dims array.
private func dims(_ values: [Int]) -> [dnnl_dim_t] {
    values.map { dnnl_dim_t($0) } + Array(repeating: 0, count: Int(DNNL_MAX_NDIMS) - values.count)
}

private func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) {
    precondition(status == dnnl_success, "oneDNN: \(what()) failed with status \(status.rawValue)")
}
