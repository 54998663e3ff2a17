import CDNNL
import Synchronization

/// One stage of a fused inference chain: a convolution with bias, then ReLU when `relu`.
package struct ConvChainStage: Hashable, Sendable {
    package var geometry: ConvGeometry
    package var relu: Bool
}

/// Inference through a chain of convolutions kept in oneDNN's preferred (blocked) layout from the first input
/// reorder to the last output: each stage's output is the next one's input as it is, bias and ReLU are fused into
/// the convolution (post-op), and the last stage's output is reordered back to NCHW, or averaged over space straight
/// from the blocked buffer. Against one `conv2d` per stage this saves two activation reorders per stage boundary and
/// the separate bias/ReLU passes. Primitives are created once per chain and kept; calls run under one lock.
package final class DNNLConvChains: Sendable {
    package static let shared = DNNLConvChains()

    private let state: Mutex<State>

    private init() {
        var engine: dnnl_engine_t? = nil
        dnnlCheck(dnnl_engine_create(&engine, dnnl_cpu, 0), "engine")
        var stream: dnnl_stream_t? = nil
        dnnlCheck(dnnl_stream_create(&stream, engine, UInt32(dnnl_stream_default_flags.rawValue)), "stream")
        state = Mutex(State(engine: engine!, stream: stream!))
    }

    /// Runs the chain on x (the first stage's NCHW input). weights[i] is stage i's [O, C/G, KH, KW] and biases[i] its
    /// [O]. Writes the last stage's NCHW output to `y`, or when `pool` its spatial mean [N, O].
    package func run(
        _ stages: [ConvChainStage], x: UnsafePointer<Float>, weights: [UnsafePointer<Float>],
        biases: [UnsafePointer<Float>], pool: Bool, y: UnsafeMutablePointer<Float>
    ) {
        state.withLock { s in s.chain(stages).run(s, x: x, weights: weights, biases: biases, pool: pool, y: y) }
    }

    private struct State: @unchecked Sendable {
        let engine: dnnl_engine_t
        let stream: dnnl_stream_t
        var chains: [[ConvChainStage]: Chain] = [:]

        mutating func chain(_ stages: [ConvChainStage]) -> Chain {
            if let c = chains[stages] { return c }
            if chains.count >= 64 { chains.removeAll() }
            let c = Chain(engine, stages)
            chains[stages] = c
            return c
        }

        func execute(_ p: dnnl_primitive_t, _ args: [dnnl_exec_arg_t]) {
            alignOpenMPThreads()
            dnnlCheck(dnnl_primitive_execute(p, stream, Int32(args.count), args), "conv chain")
            dnnlCheck(dnnl_stream_wait(stream), "conv chain")
        }

        func memory(_ desc: dnnl_memory_desc_t, _ pointer: UnsafeMutableRawPointer) -> dnnl_memory_t {
            var d = desc
            var m: dnnl_memory_t? = nil
            dnnlCheck(dnnl_memory_create(&m, &d, engine, pointer), "conv chain memory")
            return m!
        }
    }

    /// The primitives of one chain. `@unchecked Sendable`: reached only under the lock.
    private final class Chain: @unchecked Sendable {
        struct Stage {
            let conv: dnnl_primitive_t
            let src: dnnl_memory_desc_t, weights: dnnl_memory_desc_t, bias: dnnl_memory_desc_t, dst: dnnl_memory_desc_t
            let plainWeights: dnnl_memory_desc_t
            let weightReorder: dnnl_primitive_t?
            let scratchBytes: Int
        }
        let stages: [Stage]
        let plainInput: dnnl_memory_desc_t, inputReorder: dnnl_primitive_t?
        let plainOutput: dnnl_memory_desc_t, outputReorder: dnnl_primitive_t?
        /// Whether the last output is nChw16c (pooled directly); otherwise it is reordered to NCHW first.
        let outputIsBlocked16: Bool
        let geometries: [ConvGeometry]
        private let owned: [dnnl_primitive_t]
        private let descriptors: [dnnl_primitive_desc_t]

        init(_ engine: dnnl_engine_t, _ chain: [ConvChainStage]) {
            geometries = chain.map(\.geometry)
            var stages: [Stage] = [], owned: [dnnl_primitive_t] = [], descriptors: [dnnl_primitive_desc_t] = []
            /// A reorder primitive between two layouts, nil when they are the same.
            func reorder(from: dnnl_memory_desc_t, to: dnnl_memory_desc_t) -> dnnl_primitive_t? {
                var a = from, b = to
                if dnnl_memory_desc_equal(&a, &b) != 0 { return nil }
                var rpd: dnnl_primitive_desc_t? = nil
                dnnlCheck(dnnl_reorder_primitive_desc_create(&rpd, &a, engine, &b, engine, nil), "conv chain reorder")
                descriptors.append(rpd!)
                var p: dnnl_primitive_t? = nil
                dnnlCheck(dnnl_primitive_create(&p, rpd), "conv chain reorder")
                owned.append(p!)
                return p
            }
            var previous: dnnl_memory_desc_t? = nil
            var firstSrc = dnnl_memory_desc_t()
            for (i, stage) in chain.enumerated() {
                let g = stage.geometry
                var s = previous ?? anyDescriptor([g.batch, g.inChannels, g.height, g.width])
                var w = anyDescriptor(g.groups == 1 ? [g.outChannels, g.inChannels, g.kernelH, g.kernelW]
                                      : [g.groups, g.outChannels / g.groups, g.inChannels / g.groups, g.kernelH, g.kernelW])
                var b = plainDescriptor([g.outChannels], dnnl_a)
                var d = anyDescriptor([g.batch, g.outChannels, g.outH, g.outW])
                var desc = dnnl_convolution_desc_t()
                var strides = dnnlDims([g.strideH, g.strideW]), dilates = dnnlDims([g.dilationH - 1, g.dilationW - 1])
                var padL = dnnlDims([g.padTop, g.padLeft]), padR = dnnlDims([g.padBottom, g.padRight])
                dnnlCheck(dnnl_dilated_convolution_forward_desc_init(
                    &desc, dnnl_forward_inference, dnnl_convolution_direct, &s, &w, &b, &d, &strides, &dilates, &padL,
                    &padR), "conv chain stage \(i) \(g)")
                var attr: dnnl_primitive_attr_t? = nil
                dnnlCheck(dnnl_primitive_attr_create(&attr), "attributes")
                defer { dnnl_primitive_attr_destroy(attr) }
                dnnlCheck(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "scratchpad mode")
                if stage.relu {
                    var ops: dnnl_post_ops_t? = nil
                    dnnlCheck(dnnl_post_ops_create(&ops), "post-ops")
                    dnnlCheck(dnnl_post_ops_append_eltwise(ops, 1, dnnl_eltwise_relu, 0, 0), "ReLU post-op")
                    dnnlCheck(dnnl_primitive_attr_set_post_ops(attr, ops), "post-ops")
                    dnnl_post_ops_destroy(ops)
                }
                var pd: dnnl_primitive_desc_t? = nil
                dnnlCheck(dnnl_primitive_desc_create(&pd, &desc, attr, engine, nil), "conv chain stage \(i) \(g)")
                descriptors.append(pd!)
                var p: dnnl_primitive_t? = nil
                dnnlCheck(dnnl_primitive_create(&p, pd), "conv chain stage \(i)")
                owned.append(p!)
                let src = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0)!.pointee
                let weights = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0)!.pointee
                let dst = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0)!.pointee
                let plainW = g.groups == 1
                    ? plainDescriptor([g.outChannels, g.inChannels, g.kernelH, g.kernelW], dnnl_oihw)
                    : plainDescriptor([g.groups, g.outChannels / g.groups, g.inChannels / g.groups, g.kernelH, g.kernelW],
                                      dnnl_goihw)
                var scratch = 0
                if let md = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0) {
                    scratch = dnnl_memory_desc_get_size(md)
                }
                stages.append(Stage(conv: p!, src: src, weights: weights, bias: b, dst: dst, plainWeights: plainW,
                                    weightReorder: reorder(from: plainW, to: weights), scratchBytes: scratch))
                if i == 0 { firstSrc = src }
                previous = dst
            }
            let first = chain[0].geometry, last = chain[chain.count - 1].geometry
            plainInput = plainDescriptor([first.batch, first.inChannels, first.height, first.width], dnnl_nchw)
            plainOutput = plainDescriptor([last.batch, last.outChannels, last.outH, last.outW], dnnl_nchw)
            var blocked16 = plainDescriptor([last.batch, last.outChannels, last.outH, last.outW], dnnl_nChw16c)
            var lastDst = stages[stages.count - 1].dst
            outputIsBlocked16 = dnnl_memory_desc_equal(&lastDst, &blocked16) != 0
            inputReorder = reorder(from: plainInput, to: firstSrc)
            outputReorder = reorder(from: lastDst, to: plainOutput)
            self.stages = stages
            self.owned = owned
            self.descriptors = descriptors
        }

        func run(
            _ s: State, x: UnsafePointer<Float>, weights: [UnsafePointer<Float>], biases: [UnsafePointer<Float>],
            pool: Bool, y: UnsafeMutablePointer<Float>
        ) {
            let scratch = DNNLCallScratch()
            defer { scratch.release() }
            func temporary(_ bytes: Int) -> UnsafeMutableRawPointer { scratch.temporary(bytes) }
            func memory(_ d: dnnl_memory_desc_t, _ p: UnsafeMutableRawPointer) -> dnnl_memory_t {
                scratch.track(s.memory(d, p))
            }
            var bytes = dnnl_memory_desc_t()
            var current: dnnl_memory_t = memory(plainInput, UnsafeMutableRawPointer(mutating: x))
            if let r = inputReorder {
                var src = stages[0].src
                let inner = memory(src, temporary(dnnl_memory_desc_get_size(&src)))
                s.execute(r, [dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: current),
                              dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: inner)])
                current = inner
            }
            var lastPointer: UnsafeMutableRawPointer? = nil
            for (i, stage) in stages.enumerated() {
                var w = memory(stage.plainWeights, UnsafeMutableRawPointer(mutating: weights[i]))
                if let r = stage.weightReorder {
                    var wd = stage.weights
                    let inner = memory(wd, temporary(dnnl_memory_desc_get_size(&wd)))
                    s.execute(r, [dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: w), dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: inner)])
                    w = inner
                }
                var dd = stage.dst
                let out = temporary(dnnl_memory_desc_get_size(&dd))
                let dst = memory(dd, out)
                var args = [dnnl_exec_arg_t(arg: DNNL_ARG_SRC, memory: current),
                            dnnl_exec_arg_t(arg: DNNL_ARG_WEIGHTS, memory: w),
                            dnnl_exec_arg_t(arg: DNNL_ARG_BIAS, memory: memory(stage.bias, UnsafeMutableRawPointer(mutating: biases[i]))),
                            dnnl_exec_arg_t(arg: DNNL_ARG_DST, memory: dst)]
                if stage.scratchBytes > 0 {
                    bytes = bytesDescriptor(stage.scratchBytes)
                    args.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: memory(bytes, temporary(stage.scratchBytes))))
                }
                s.execute(stage.conv, args)
                current = dst
                lastPointer = out
            }
            let g = geometries[geometries.count - 1]
            if pool && outputIsBlocked16 {
                blockedSpatialMean(lastPointer!.assumingMemoryBound(to: Float.self), batch: g.batch,
                                   channels: g.outChannels, plane: g.outH * g.outW, y)
                return
            }
            let target = pool ? temporary(g.batch * g.outChannels * g.outH * g.outW * 4) : UnsafeMutableRawPointer(y)
            if let r = outputReorder {
                s.execute(r, [dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: current),
                              dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: memory(plainOutput, target))])
            } else {
                target.copyMemory(from: lastPointer!, byteCount: g.batch * g.outChannels * g.outH * g.outW * 4)
            }
            if pool {
                let plane = g.outH * g.outW, t = target.assumingMemoryBound(to: Float.self)
                for i in 0..<(g.batch * g.outChannels) {
                    var sum: Float = 0
                    for j in 0..<plane { sum += t[i * plane + j] }
                    y[i] = sum / Float(plane)
                }
            }
        }

        deinit {
            for p in owned { dnnl_primitive_destroy(p) }
            for pd in descriptors { dnnl_primitive_desc_destroy(pd) }
        }
    }
}

/// y [N, C] = mean over space of x in nChw16c layout ([N][C/16][H·W][16], C a multiple of 16), 16 lanes at a time.
private func blockedSpatialMean(
    _ x: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int, _ y: UnsafeMutablePointer<Float>
) {
    let blocks = (channels + 15) / 16, scale = 1 / Float(plane)
    let raw = UnsafeRawPointer(x)
    for n in 0..<batch {
        for b in 0..<blocks {
            var acc = SIMD16<Float>(repeating: 0)
            let base = (n * blocks + b) * plane * 16
            for p in 0..<plane { acc += raw.load(fromByteOffset: (base + p * 16) * 4, as: SIMD16<Float>.self) }
            acc *= scale
            for l in 0..<Swift.min(16, channels - b * 16) { y[n * channels + b * 16 + l] = acc[l] }
        }
    }
}
