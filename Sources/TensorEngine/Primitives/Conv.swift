/// Stride, zero padding, dilation and groups of a 2-D convolution, with PyTorch's meanings.
public struct Conv2DOptions: Hashable, Sendable {
    /// Step between output rows, in input rows.
    public var strideH: Int
    /// Step between output columns, in input columns.
    public var strideW: Int
    /// Zero rows added above the input.
    public var padTop: Int
    /// Zero rows added below the input.
    public var padBottom: Int
    /// Zero columns added left of the input.
    public var padLeft: Int
    /// Zero columns added right of the input.
    public var padRight: Int
    /// Distance between kernel taps down the rows; 1 is a dense kernel.
    public var dilationH: Int
    /// Distance between kernel taps along the columns; 1 is a dense kernel.
    public var dilationW: Int
    /// Channel groups: input and output channels split into `groups` independent convolutions
    /// (`groups == C == O` is depthwise).
    public var groups: Int

    /// The same stride, padding on all four sides and dilation in both directions.
    public init(stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1) {
        self.init(stride: (stride, stride), padding: (padding, padding, padding, padding),
                  dilation: (dilation, dilation), groups: groups)
    }

    /// Per-direction stride and dilation, per-side padding.
    public init(
        stride: (h: Int, w: Int) = (1, 1), padding: (top: Int, bottom: Int, left: Int, right: Int),
        dilation: (h: Int, w: Int) = (1, 1), groups: Int = 1
    ) {
        (strideH, strideW) = stride
        (padTop, padBottom, padLeft, padRight) = padding
        (dilationH, dilationW) = dilation
        self.groups = groups
    }
}

/// The kernel behind a convolution.
package enum ConvAlgorithm: Sendable, CaseIterable {
    /// Matrix products per image (1×1, stride 1, no padding, one group).
    case pointwise
    /// Depthwise, stride 1, dilation 1, per pass the faster of two: oneDNN where it has a vectorised depthwise
    /// kernel for the pass (`jit_dw`, AVX-512 on this machine), else the hand-written direct kernel. oneDNN has none
    /// for the weight gradient of kernels above 3×3 (it falls back to im2col + GEMM at 1–2 GFLOP/s) nor for the
    /// forward pass of kernels wider than the image (31×31 on 16×16).
    case depthwise
    /// The hand-written direct depthwise kernel (stride 1, dilation 1) for every pass.
    case depthwiseDirect
    /// oneDNN's convolution primitives (any geometry) in the layouts they prefer, reordering operands in and out
    /// on every call; the input gradient of narrow ungrouped inputs (fewer than 16 channels: stems) stays in plain
    /// layout, where oneDNN has the faster kernel.
    case oneDNN
    /// oneDNN's primitives on the plain NCHW / (G)OIHW buffers throughout.
    case oneDNNPlain

    /// The fastest supported kernel, as measured on the bench shapes (ConvBenchmarks): matrix products for 1×1,
    /// the per-pass choice for stride-1 depthwise, oneDNN for everything else.
    package static func choose(for g: ConvGeometry) -> ConvAlgorithm {
        if pointwiseSupports(g) { return .pointwise }
        if depthwiseDirectSupports(g) { return .depthwise }
        return .oneDNN
    }

    /// The kernel that runs one pass: itself, or for `.depthwise` oneDNN where its pass is a `jit_dw` kernel.
    package func resolved(_ pass: ConvPass, _ g: ConvGeometry) -> ConvAlgorithm {
        guard self == .depthwise else { return self }
        return DNNLConvolutions.shared.implementation(pass, g, .blocked).hasPrefix("jit_dw") ? .oneDNN : .depthwiseDirect
    }

    package func supports(_ g: ConvGeometry) -> Bool {
        switch self {
        case .pointwise: pointwiseSupports(g)
        case .depthwise, .depthwiseDirect: depthwiseDirectSupports(g)
        case .oneDNN, .oneDNNPlain: true
        }
    }

    package func forward(
        _ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>
    ) {
        switch resolved(.forward, g) {
        case .depthwise: preconditionFailure("conv2d: .depthwise resolves per pass")
        case .pointwise: pointwiseConvForward(g, x: x, w: w, bias: bias, y: y)
        case .depthwiseDirect: depthwiseConvForward(g, x: x, w: w, bias: bias, y: y)
        case .oneDNN: DNNLConvolutions.shared.forward(g, .blocked, x: x, w: w, bias: bias, y: y)
        case .oneDNNPlain: DNNLConvolutions.shared.forward(g, .plain, x: x, w: w, bias: bias, y: y)
        }
    }

    package func backwardData(
        _ g: ConvGeometry, w: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>
    ) {
        switch resolved(.backwardData, g) {
        case .depthwise: preconditionFailure("conv2d: .depthwise resolves per pass")
        case .pointwise: pointwiseConvBackwardData(g, w: w, dy: dy, dx: dx)
        case .depthwiseDirect: depthwiseConvBackwardData(g, w: w, dy: dy, dx: dx)
        case .oneDNN:
            let stem = g.inChannels < 16 && g.groups == 1
            DNNLConvolutions.shared.backwardData(g, stem ? .plain : .blocked, w: w, dy: dy, dx: dx)
        case .oneDNNPlain: DNNLConvolutions.shared.backwardData(g, .plain, w: w, dy: dy, dx: dx)
        }
    }

    package func backwardWeights(
        _ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>,
        db: UnsafeMutablePointer<Float>?
    ) {
        switch resolved(.backwardWeights, g) {
        case .depthwise: preconditionFailure("conv2d: .depthwise resolves per pass")
        case .pointwise: pointwiseConvBackwardWeights(g, x: x, dy: dy, dw: dw, db: db)
        case .depthwiseDirect: depthwiseConvBackwardWeights(g, x: x, dy: dy, dw: dw, db: db)
        case .oneDNN: DNNLConvolutions.shared.backwardWeights(g, .blocked, x: x, dy: dy, dw: dw, db: db)
        case .oneDNNPlain: DNNLConvolutions.shared.backwardWeights(g, .plain, x: x, dy: dy, dw: dw, db: db)
        }
    }
}

extension ConvAlgorithm {
    /// The weight gradient (and bias gradient when `db` is given) and, when `dx` is given, the input gradient. Where
    /// both passes are oneDNN's blocked kernels they run in one call that reorders dy once; `preparedSource` is x
    /// as the forward pass reordered it, used when the weight pass wants the same layout.
    package func backward(
        _ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, dy: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>?,
        preparedSource: DNNLPreparedOperand? = nil
    ) {
        let stem = g.inChannels < 16 && g.groups == 1
        if resolved(.backwardWeights, g) == .oneDNN && (dx == nil || (resolved(.backwardData, g) == .oneDNN && !stem)) {
            DNNLConvolutions.shared.backward(g, .blocked, x: x, w: w, dy: dy, dx: dx, dw: dw, db: db,
                                             preparedSource: preparedSource)
            return
        }
        if let dx { backwardData(g, w: w, dy: dy, dx: dx) }
        backwardWeights(g, x: x, dy: dy, dw: dw, db: db)
    }
}

extension Tensor {
    /// 2-D convolution (cross-correlation, as in PyTorch) of x [N, C, H, W] with weight [O, C/groups, KH, KW] and
    /// optional bias [O], giving [N, O, OH, OW] with OH = (H + padTop + padBottom − dilationH·(KH−1) − 1)/strideH + 1.
    /// Records on the graph: dx = transposed convolution of g, dW = g ⋆ x summed over the batch, db = Σ g.
    public func conv2d(
        weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1
    ) -> Tensor {
        conv2d(weight: weight, bias: bias,
               options: Conv2DOptions(stride: stride, padding: padding, dilation: dilation, groups: groups))
    }

    /// 2-D convolution with per-direction stride and dilation and per-side padding; see `conv2d(weight:bias:…)`.
    public func conv2d(weight: Tensor, bias: Tensor? = nil, options: Conv2DOptions) -> Tensor {
        conv2d(weight: weight, bias: bias, options: options, algorithm: nil)
    }

    /// 2-D convolution through a chosen kernel (nil: the fastest that supports the geometry). Tests and benchmarks
    /// compare the kernels through this.
    package func conv2d(weight w: Tensor, bias: Tensor?, options o: Conv2DOptions, algorithm: ConvAlgorithm?) -> Tensor {
        let x = self
        let g = Tensor.convGeometry(x.shape, w.shape, bias?.shape, o)
        let algo = algorithm ?? ConvAlgorithm.choose(for: g)
        precondition(algo.supports(g), "conv2d: the \(algo) kernel does not support input \(x.shape), weight \(w.shape), \(o)")
        // When the weight gradient will come from oneDNN's blocked kernel too, the forward pass keeps x as it
        // reordered it, and the backward pass uses that copy instead of reordering x again.
        let keepSource = GradMode.isEnabled && w.requiresGrad && algo.resolved(.forward, g) == .oneDNN
            && algo.resolved(.backwardWeights, g) == .oneDNN
        var kept: DNNLPreparedOperand? = nil
        let out = Tensor.make(shape: g.outputShape) { y in
            if keepSource {
                kept = DNNLConvolutions.shared.forward(g, .blocked, x: x.storage.base, w: w.storage.base,
                                                       bias: bias?.storage.base, y: y.baseAddress!, keepingSource: true)
            } else {
                algo.forward(g, x: x.storage.base, w: w.storage.base, bias: bias?.storage.base, y: y.baseAddress!)
            }
        }
        let preparedSource = kept
        let inputs = bias.map { [x, w, $0] } ?? [x, w]
        return Tensor.record("conv2d", out, inputs) { dy, needs in
            var grads: [Tensor?] = Array(repeating: nil, count: inputs.count)
            if needs[0] && !needs[1] {
                grads[0] = Tensor.make(shape: g.inputShape) { dx in
                    algo.backwardData(g, w: w.storage.base, dy: dy.storage.base, dx: dx.baseAddress!)
                }
            }
            let needsBias = inputs.count > 2 && needs[2]
            if needs[1] {
                // The bias gradient comes out of the same pass as the weight gradient; with the input gradient too,
                // both passes run in one call that prepares dy once.
                let dx = needs[0] ? TensorStorage(uninitializedCount: Tensor.elementCount(g.inputShape)) : nil
                let dw = TensorStorage(uninitializedCount: Tensor.elementCount(g.weightShape))
                let db = needsBias ? TensorStorage(uninitializedCount: g.outChannels) : nil
                algo.backward(g, x: x.storage.base, w: w.storage.base, dy: dy.storage.base, dx: dx?.base,
                              dw: dw.base, db: db?.base, preparedSource: preparedSource)
                grads[0] = dx.map { Tensor(storage: $0, shape: g.inputShape) }
                grads[1] = Tensor(storage: dw, shape: g.weightShape)
                if let db { grads[2] = Tensor(storage: db, shape: [g.outChannels]) }
            } else if needsBias {
                grads[2] = Tensor.make(shape: [g.outChannels]) { db in
                    channelSums(dy.storage.base, batch: g.batch, channels: g.outChannels, plane: g.outH * g.outW,
                                into: db.baseAddress!)
                }
            }
            return grads
        }
    }

    /// Checks a convolution's operands and derives its geometry.
    package static func convGeometry(_ x: [Int], _ w: [Int], _ bias: [Int]?, _ o: Conv2DOptions) -> ConvGeometry {
        let what = "conv2d: input \(x), weight \(w)\(bias.map { ", bias \($0)" } ?? ""), \(o)"
        precondition(x.count == 4 && w.count == 4, "\(what): input must be [N, C, H, W] and weight [O, C/groups, KH, KW]")
        precondition(o.groups >= 1 && x[1] % o.groups == 0 && w[0] % o.groups == 0,
                     "\(what): groups must divide input and output channels")
        precondition(w[1] * o.groups == x[1], "\(what): weight has \(w[1]) input channels per group, expected \(x[1] / o.groups)")
        precondition(bias == nil || bias! == [w[0]], "\(what): bias must be [\(w[0])]")
        precondition(o.strideH >= 1 && o.strideW >= 1 && o.dilationH >= 1 && o.dilationW >= 1,
                     "\(what): stride and dilation must be at least 1")
        precondition(o.padTop >= 0 && o.padBottom >= 0 && o.padLeft >= 0 && o.padRight >= 0,
                     "\(what): padding must not be negative")
        let g = ConvGeometry(
            batch: x[0], inChannels: x[1], height: x[2], width: x[3], outChannels: w[0], kernelH: w[2], kernelW: w[3],
            strideH: o.strideH, strideW: o.strideW, padTop: o.padTop, padBottom: o.padBottom, padLeft: o.padLeft,
            padRight: o.padRight, dilationH: o.dilationH, dilationW: o.dilationW, groups: o.groups,
            hasBias: bias != nil)
        precondition(w[2] >= 1 && w[3] >= 1 && g.outH >= 1 && g.outW >= 1, "\(what): the kernel does not fit the padded input")
        return g
    }
}
