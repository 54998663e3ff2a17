import CDNNL
import Synchronization

/// How oneDNN lays out a convolution's operands while it runs.
package enum DNNLLayout: Hashable, Sendable {
    /// NCHW and (G)OIHW throughout: the caller's buffers are used as they are.
    case plain
    /// Whatever the primitive prefers (blocked, e.g. nChw16c); operands are reordered in and out on every call.
    case blocked
}

/// The three passes of a convolution.
package enum ConvPass: Hashable, Sendable { case forward, backwardData, backwardWeights }

/// Convolutions through oneDNN's primitives, reading and writing plain NCHW / (G)OIHW buffers.
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
        dnnlCheck(dnnl_engine_create(&engine, dnnl_cpu, 0), "engine")
        var stream: dnnl_stream_t? = nil
        dnnlCheck(dnnl_stream_create(&stream, engine, UInt32(dnnl_stream_default_flags.rawValue)), "stream")
        state = Mutex(State(engine: engine!, stream: stream!))
    }

    /// y = conv(x, w) + b. x [N, C, H, W], w [O, C/G, KH, KW], b [O] (when `geometry.hasBias`), y [N, O, OH, OW].
    /// With `keepingSource`, the input as reordered into the primitive's layout is returned (nil when it needed no
    /// reorder) so that the weight-gradient pass can use it instead of reordering x again.
    @discardableResult
    package func forward(
        _ g: ConvGeometry, _ layout: DNNLLayout, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>, keepingSource: Bool = false
    ) -> DNNLPreparedOperand? {
        var buffers = [DNNL_ARG_SRC: raw(x), DNNL_ARG_WEIGHTS: raw(w), DNNL_ARG_DST: UnsafeMutableRawPointer(y)]
        if let bias { buffers[DNNL_ARG_BIAS] = raw(bias) }
        return state.withLock { s in
            s.run([(s.entry(g, layout).pass(.forward, s.engine, s.attr, g), buffers)],
                  keeping: keepingSource ? DNNL_ARG_SRC : nil, "conv2d forward \(g)")
        }
    }

    /// dx = conv_transpose(dy, w): dy [N, O, OH, OW] → dx [N, C, H, W].
    package func backwardData(
        _ g: ConvGeometry, _ layout: DNNLLayout, w: UnsafePointer<Float>, dy: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>
    ) {
        let buffers = [DNNL_ARG_DIFF_DST: raw(dy), DNNL_ARG_WEIGHTS: raw(w), DNNL_ARG_DIFF_SRC: UnsafeMutableRawPointer(dx)]
        state.withLock { s in
            s.run(s.entry(g, layout).pass(.backwardData, s.engine, s.attr, g), buffers, "conv2d backward data \(g)")
        }
    }

    /// dw = Σ dy ⋆ x over the batch, and db = Σ dy over batch and space when `db` is given (and the geometry
    /// has a bias).
    package func backwardWeights(
        _ g: ConvGeometry, _ layout: DNNLLayout, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
        dw: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>?
    ) {
        var buffers = [DNNL_ARG_SRC: raw(x), DNNL_ARG_DIFF_DST: raw(dy), DNNL_ARG_DIFF_WEIGHTS: UnsafeMutableRawPointer(dw)]
        // With a bias in the geometry oneDNN always writes its gradient; give it a scratch target if unwanted.
        let unwantedBias = g.hasBias && db == nil ? BufferPool.shared.take(g.outChannels) : nil
        defer { if let unwantedBias { BufferPool.shared.give(unwantedBias, count: g.outChannels) } }
        if let target = db ?? unwantedBias, g.hasBias { buffers[DNNL_ARG_DIFF_BIAS] = UnsafeMutableRawPointer(target) }
        state.withLock { s in
            let pass = s.entry(g, layout).pass(.backwardWeights, s.engine, s.attr, g)
            s.run(pass, buffers, "conv2d backward weights \(g)")
        }
    }

    /// Both backward passes in one call: dx (when given) and dw (and db when given), reordering the shared output
    /// gradient dy into the primitives' layout once instead of once per pass.
    package func backward(
        _ g: ConvGeometry, _ layout: DNNLLayout, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
        dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>,
        db: UnsafeMutablePointer<Float>?, preparedSource: DNNLPreparedOperand? = nil
    ) {
        var weightBuffers = [DNNL_ARG_SRC: raw(x), DNNL_ARG_DIFF_DST: raw(dy), DNNL_ARG_DIFF_WEIGHTS: UnsafeMutableRawPointer(dw)]
        let unwantedBias = g.hasBias && db == nil ? BufferPool.shared.take(g.outChannels) : nil
        defer { if let unwantedBias { BufferPool.shared.give(unwantedBias, count: g.outChannels) } }
        if let target = db ?? unwantedBias, g.hasBias { weightBuffers[DNNL_ARG_DIFF_BIAS] = UnsafeMutableRawPointer(target) }
        state.withLock { s in
            let e = s.entry(g, layout)
            var jobs = [(e.pass(.backwardWeights, s.engine, s.attr, g), weightBuffers)]
            if let dx {
                let dataBuffers = [DNNL_ARG_DIFF_DST: raw(dy), DNNL_ARG_WEIGHTS: raw(w), DNNL_ARG_DIFF_SRC: UnsafeMutableRawPointer(dx)]
                jobs.insert((e.pass(.backwardData, s.engine, s.attr, g), dataBuffers), at: 0)
            }
            s.run(jobs, prepared: preparedSource, "conv2d backward \(g)")
        }
    }

    /// The name of the implementation oneDNN picked for a pass (e.g. `jit_dw:avx512_core`, `x64:gemm:jit`),
    /// creating and caching the pass if needed.
    package func implementation(_ pass: ConvPass, _ g: ConvGeometry, _ layout: DNNLLayout) -> String {
        state.withLock { s in s.entry(g, layout).pass(pass, s.engine, s.attr, g).implementation }
    }

    /// The engine, stream, shared attributes and cached primitives. `@unchecked Sendable`: it lives inside the
    /// mutex above and is only touched under its lock.
    private struct State: @unchecked Sendable {
        let engine: dnnl_engine_t
        let stream: dnnl_stream_t
        let attr: dnnl_primitive_attr_t
        var entries: [Key: Entry] = [:]

        struct Key: Hashable { var geometry: ConvGeometry, layout: DNNLLayout }

        init(engine: dnnl_engine_t, stream: dnnl_stream_t) {
            self.engine = engine
            self.stream = stream
            var a: dnnl_primitive_attr_t? = nil
            dnnlCheck(dnnl_primitive_attr_create(&a), "attributes")
            dnnlCheck(dnnl_primitive_attr_set_scratchpad_mode(a, dnnl_scratchpad_mode_user), "scratchpad mode")
            attr = a!
        }

        mutating func entry(_ g: ConvGeometry, _ layout: DNNLLayout) -> Entry {
            let key = Key(geometry: g, layout: layout)
            if let e = entries[key] { return e }
            if entries.count >= DNNLConvolutions.capacity { entries.removeAll() }
            let e = Entry(engine, attr, g, layout)
            entries[key] = e
            return e
        }

        /// Runs one pass on the caller's plain buffers: operands the primitive wants in another layout go through a
        /// temporary buffer, reordered in before (inputs) or out after (outputs).
        func run(_ pass: Pass, _ buffers: [Int32: UnsafeMutableRawPointer], _ what: @autoclosure () -> String) {
            run([(pass, buffers)], what())
        }

        /// Runs passes in order on the caller's plain buffers (see the one-pass `run`). An input that several passes
        /// read from the same buffer in the same layout is reordered once (the output gradient of both backward passes).
        /// `keeping`: an input argument whose reordered copy is returned instead of freed. `prepared`: an input already
        /// in some layout, used where a pass wants that operand, from that buffer, in that layout.
        @discardableResult
        func run(
            _ passes: [(Pass, [Int32: UnsafeMutableRawPointer])], keeping: Int32? = nil,
            prepared: DNNLPreparedOperand? = nil, _ what: @autoclosure () -> String
        ) -> DNNLPreparedOperand? {
            var kept: DNNLPreparedOperand? = nil
            let scratch = DNNLCallScratch()
            defer { scratch.release() }
            // Inputs reordered so far: the caller's pointer, the layout, and the reordered memory.
            var reordered: [(pointer: UnsafeMutableRawPointer, desc: dnnl_memory_desc_t, memory: dnnl_memory_t)] = []
            func temporary(_ bytes: Int) -> UnsafeMutableRawPointer { scratch.temporary(bytes) }
            func made(_ desc: dnnl_memory_desc_t, _ pointer: UnsafeMutableRawPointer) -> dnnl_memory_t {
                scratch.track(memory(desc, pointer, what()))
            }
            for (pass, buffers) in passes {
                var args: [dnnl_exec_arg_t] = []
                // Outputs in another layout: (reorder, the primitive's memory, the caller's memory).
                var reorderOut: [(reorder: dnnl_primitive_t, inner: dnnl_memory_t, user: dnnl_memory_t)] = []
                for operand in pass.operands {
                    guard let pointer = buffers[operand.arg] else { continue }
                    guard let reorder = operand.reorder else {
                        args.append(dnnl_exec_arg_t(arg: operand.arg, memory: made(operand.plain, pointer)))
                        continue
                    }
                    if !operand.isOutput, let done = reordered.first(where: { entry in
                        var a = entry.desc, b = operand.chosen
                        return entry.pointer == pointer && dnnl_memory_desc_equal(&a, &b) != 0
                    }) {
                        args.append(dnnl_exec_arg_t(arg: operand.arg, memory: done.memory))
                        continue
                    }
                    if !operand.isOutput, let prepared, prepared.source == pointer, prepared.matches(operand.chosen) {
                        args.append(dnnl_exec_arg_t(arg: operand.arg,
                                                    memory: made(operand.chosen, UnsafeMutableRawPointer(prepared.storage.base))))
                        continue
                    }
                    let user = made(operand.plain, pointer)
                    let keep = !operand.isOutput && operand.arg == keeping
                    let storage = keep ? TensorStorage(uninitializedCount: Swift.max(1, (operand.chosenBytes + 3) / 4)) : nil
                    if let storage { kept = DNNLPreparedOperand(source: pointer, desc: operand.chosen, storage: storage) }
                    let inner = made(operand.chosen, storage.map { UnsafeMutableRawPointer($0.base) }
                                     ?? temporary(operand.chosenBytes))
                    args.append(dnnl_exec_arg_t(arg: operand.arg, memory: inner))
                    if operand.isOutput {
                        reorderOut.append((reorder: reorder, inner: inner, user: user))
                    } else {
                        execute(reorder, [dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: user),
                                          dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: inner)], what())
                        reordered.append((pointer, operand.chosen, inner))
                    }
                }
                if pass.scratchBytes > 0 {
                    args.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD,
                                                memory: made(bytesDescriptor(pass.scratchBytes), temporary(pass.scratchBytes))))
                }
                execute(pass.primitive, args, what())
                for r in reorderOut {
                    execute(r.reorder, [dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: r.inner),
                                        dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: r.user)], what())
                }
            }
            return kept
        }

        private func execute(_ primitive: dnnl_primitive_t, _ args: [dnnl_exec_arg_t], _ what: @autoclosure () -> String) {
            alignOpenMPThreads()
            dnnlCheck(dnnl_primitive_execute(primitive, stream, Int32(args.count), args), what())
            dnnlCheck(dnnl_stream_wait(stream), what())
        }

        private func memory(_ desc: dnnl_memory_desc_t, _ pointer: UnsafeMutableRawPointer, _ what: String) -> dnnl_memory_t {
            var d = desc
            var m: dnnl_memory_t? = nil
            dnnlCheck(dnnl_memory_create(&m, &d, engine, pointer), what)
            return m!
        }
    }

    /// One operand of a pass: the caller's plain layout, the primitive's, and the reorder between them if they
    /// differ (plain → chosen for inputs, chosen → plain for outputs).
    private struct Operand {
        let arg: Int32
        let plain: dnnl_memory_desc_t
        let chosen: dnnl_memory_desc_t
        let chosenBytes: Int
        let isOutput: Bool
        let reorder: dnnl_primitive_t?
    }

    /// A created primitive with its operands, scratch size and implementation name.
    private struct Pass {
        let primitive: dnnl_primitive_t
        let operands: [Operand]
        let scratchBytes: Int
        let implementation: String
    }

    /// The passes of one geometry and layout. Primitive descriptors stay alive: the backward ones take the
    /// forward one as a hint. `@unchecked Sendable`: only reached through `State`, under the lock.
    private final class Entry: @unchecked Sendable {
        let layout: DNNLLayout
        var src = dnnl_memory_desc_t(), weights = dnnl_memory_desc_t()
        var bias = dnnl_memory_desc_t(), dst = dnnl_memory_desc_t()
        var forwardDescriptor: dnnl_primitive_desc_t? = nil
        var forward: Pass! = nil
        var backwardData: Pass? = nil
        var backwardWeights: Pass? = nil
        private var primitives: [dnnl_primitive_t] = []
        private var descriptors: [dnnl_primitive_desc_t] = []

        init(_ engine: dnnl_engine_t, _ attr: dnnl_primitive_attr_t, _ g: ConvGeometry, _ layout: DNNLLayout) {
            self.layout = layout
            src = plainDescriptor([g.batch, g.inChannels, g.height, g.width], dnnl_nchw)
            dst = plainDescriptor([g.batch, g.outChannels, g.outH, g.outW], dnnl_nchw)
            weights = g.groups == 1
                ? plainDescriptor([g.outChannels, g.inChannels, g.kernelH, g.kernelW], dnnl_oihw)
                : plainDescriptor([g.groups, g.outChannels / g.groups, g.inChannels / g.groups, g.kernelH, g.kernelW],
                                  dnnl_goihw)
            // A zero descriptor disables the bias term.
            if g.hasBias { bias = plainDescriptor([g.outChannels], dnnl_a) }
            var (s, w, d) = (free(src), free(weights), free(dst))
            var desc = dnnl_convolution_desc_t()
            var (strides, dilates, padL, padR) = Self.spatial(g)
            dnnlCheck(dnnl_dilated_convolution_forward_desc_init(
                &desc, dnnl_forward_training, dnnl_convolution_direct, &s, &w, &bias, &d,
                &strides, &dilates, &padL, &padR), "conv2d forward descriptor \(g)")
            let pd = create(&desc, engine, attr, hint: nil, "conv2d forward \(g)")
            forwardDescriptor = pd
            forward = pass(pd, engine, [(DNNL_ARG_SRC, src, dnnl_query_src_md, false),
                                        (DNNL_ARG_WEIGHTS, weights, dnnl_query_weights_md, false),
                                        (DNNL_ARG_BIAS, bias, dnnl_query_weights_md, false),
                                        (DNNL_ARG_DST, dst, dnnl_query_dst_md, true)], "conv2d forward \(g)")
        }

        /// A pass, created on first use.
        func pass(_ which: ConvPass, _ engine: dnnl_engine_t, _ attr: dnnl_primitive_attr_t, _ g: ConvGeometry) -> Pass {
            switch which {
            case .forward:
                return forward
            case .backwardData:
                if backwardData == nil { backwardData = makeBackward(data: true, engine, attr, g) }
                return backwardData!
            case .backwardWeights:
                if backwardWeights == nil { backwardWeights = makeBackward(data: false, engine, attr, g) }
                return backwardWeights!
            }
        }

        /// The input-gradient pass (`data`) or the weight- and bias-gradient pass.
        private func makeBackward(data: Bool, _ engine: dnnl_engine_t, _ attr: dnnl_primitive_attr_t, _ g: ConvGeometry) -> Pass {
            var (s, w, d) = (free(src), free(weights), free(dst))
            var desc = dnnl_convolution_desc_t()
            var (strides, dilates, padL, padR) = Self.spatial(g)
            let what = "conv2d backward \(data ? "data" : "weights") \(g)"
            if data {
                dnnlCheck(dnnl_dilated_convolution_backward_data_desc_init(
                    &desc, dnnl_convolution_direct, &s, &w, &d, &strides, &dilates, &padL, &padR), what)
            } else {
                dnnlCheck(dnnl_dilated_convolution_backward_weights_desc_init(
                    &desc, dnnl_convolution_direct, &s, &w, &bias, &d, &strides, &dilates, &padL, &padR), what)
            }
            let pd = create(&desc, engine, attr, hint: forwardDescriptor, what)
            return data
                ? pass(pd, engine, [(DNNL_ARG_DIFF_DST, dst, dnnl_query_diff_dst_md, false),
                                    (DNNL_ARG_WEIGHTS, weights, dnnl_query_weights_md, false),
                                    (DNNL_ARG_DIFF_SRC, src, dnnl_query_diff_src_md, true)], what)
                : pass(pd, engine, [(DNNL_ARG_SRC, src, dnnl_query_src_md, false),
                                    (DNNL_ARG_DIFF_DST, dst, dnnl_query_diff_dst_md, false),
                                    (DNNL_ARG_DIFF_WEIGHTS, weights, dnnl_query_diff_weights_md, true),
                                    (DNNL_ARG_DIFF_BIAS, bias, dnnl_query_diff_weights_md, true)], what)
        }

        deinit {
            for p in primitives { dnnl_primitive_destroy(p) }
            for pd in descriptors { dnnl_primitive_desc_destroy(pd) }
        }

        /// A plain descriptor, or "any format" when the primitive may choose.
        private func free(_ plain: dnnl_memory_desc_t) -> dnnl_memory_desc_t {
            guard layout == .blocked else { return plain }
            var d = dnnl_memory_desc_t()
            var ds = Array(withUnsafeBytes(of: plain.dims) { Array($0.bindMemory(to: dnnl_dim_t.self)) })
            dnnlCheck(dnnl_memory_desc_init_by_tag(&d, plain.ndims, &ds, dnnl_f32, dnnl_format_tag_any), "any-format descriptor")
            return d
        }

        /// Creates the primitive of `pd` and, per operand, asks which layout it chose (the bias keeps its plain
        /// one: index 1 of the weights query) and prepares a reorder where that differs from plain.
        private func pass(
            _ pd: dnnl_primitive_desc_t, _ engine: dnnl_engine_t,
            _ operands: [(Int32, dnnl_memory_desc_t, dnnl_query_t, Bool)], _ what: String
        ) -> Pass {
            descriptors.append(pd)
            var p: dnnl_primitive_t? = nil
            dnnlCheck(dnnl_primitive_create(&p, pd), what)
            primitives.append(p!)
            var list: [Operand] = []
            for (arg, plain, query, isOutput) in operands {
                let isBias = arg == DNNL_ARG_BIAS || arg == DNNL_ARG_DIFF_BIAS
                if isBias && plain.ndims == 0 { continue }
                var chosen = dnnl_primitive_desc_query_md(pd, query, isBias ? 1 : 0)!.pointee
                var user = plain
                var reorder: dnnl_primitive_t? = nil
                if dnnl_memory_desc_equal(&chosen, &user) == 0 {
                    var rpd: dnnl_primitive_desc_t? = nil
                    if isOutput {
                        dnnlCheck(dnnl_reorder_primitive_desc_create(&rpd, &chosen, engine, &user, engine, nil), what)
                    } else {
                        dnnlCheck(dnnl_reorder_primitive_desc_create(&rpd, &user, engine, &chosen, engine, nil), what)
                    }
                    descriptors.append(rpd!)
                    dnnlCheck(dnnl_primitive_create(&reorder, rpd), what)
                    primitives.append(reorder!)
                }
                list.append(Operand(arg: arg, plain: plain, chosen: chosen, chosenBytes: dnnl_memory_desc_get_size(&chosen),
                                    isOutput: isOutput, reorder: reorder))
            }
            var scratch = 0
            if let md = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0) { scratch = dnnl_memory_desc_get_size(md) }
            var name: UnsafePointer<CChar>? = nil
            dnnlCheck(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name), what)
            return Pass(primitive: p!, operands: list, scratchBytes: scratch, implementation: name.map { String(cString: $0) } ?? "")
        }

        /// Strides, dilations (oneDNN counts the gaps: PyTorch's d − 1) and paddings as 12-slot dims arrays.
        private static func spatial(_ g: ConvGeometry) -> ([dnnl_dim_t], [dnnl_dim_t], [dnnl_dim_t], [dnnl_dim_t]) {
            (dnnlDims([g.strideH, g.strideW]), dnnlDims([g.dilationH - 1, g.dilationW - 1]),
             dnnlDims([g.padTop, g.padLeft]), dnnlDims([g.padBottom, g.padRight]))
        }

        private func create(
            _ desc: UnsafeMutablePointer<dnnl_convolution_desc_t>, _ engine: dnnl_engine_t,
            _ attr: dnnl_primitive_attr_t, hint: dnnl_primitive_desc_t?, _ what: String
        ) -> dnnl_primitive_desc_t {
            var pd: dnnl_primitive_desc_t? = nil
            dnnlCheck(dnnl_primitive_desc_create(&pd, desc, attr, engine, hint), what)
            return pd!
        }
    }
}

/// A convolution operand already reordered into a primitive's layout: the forward pass's input kept for the
/// weight-gradient pass (the graph holds it between the two, one activation's worth of memory per convolution).
/// `@unchecked Sendable` only so that it can leave the convolution lock: every property is immutable after `init`,
/// and the elements are written once, by the forward pass, before it is returned.
package final class DNNLPreparedOperand: @unchecked Sendable {
    /// The caller's plain buffer it was made from.
    let source: UnsafeMutableRawPointer
    /// Its layout.
    let desc: dnnl_memory_desc_t
    /// The reordered elements (back to the buffer pool when released).
    let storage: TensorStorage

    init(source: UnsafeMutableRawPointer, desc: dnnl_memory_desc_t, storage: TensorStorage) {
        self.source = source
        self.desc = desc
        self.storage = storage
    }

    /// Whether a pass wanting layout `other` can use it.
    func matches(_ other: dnnl_memory_desc_t) -> Bool {
        var a = desc, b = other
        return dnnl_memory_desc_equal(&a, &b) != 0
    }
}

private func raw(_ p: UnsafePointer<Float>) -> UnsafeMutableRawPointer { UnsafeMutableRawPointer(mutating: p) }
