/// One convolution of a fused inference chain (`Tensor.convolutionChain`): weight `[O, C/groups, KH, KW]`, bias
/// `[O]`, PyTorch's options, then ReLU when `relu`.
public struct ConvolutionStage {
    /// `[O, C/groups, KH, KW]`.
    public var weight: Tensor
    /// `[O]`.
    public var bias: Tensor
    /// Stride, padding, dilation, groups.
    public var options: Conv2DOptions
    /// Whether ReLU follows.
    public var relu: Bool

    /// A stage from its parts.
    public init(weight: Tensor, bias: Tensor, options: Conv2DOptions, relu: Bool) {
        self.weight = weight
        self.bias = bias
        self.options = options
        self.relu = relu
    }
}

extension Tensor {
    /// Inference through conv → +bias → (ReLU) for each stage in turn, fused: activations stay in oneDNN's blocked
    /// layout between stages, bias and ReLU run inside the convolutions. x `[N, C, H, W]` → the last stage's
    /// `[N, O, OH, OW]`, or its spatial mean `[N, O]` when `globalAveragePool`. Equal to the unfused ops up to float
    /// rounding. Not recorded: call it without gradients (evaluation, certification), never on tensors that need them.
    public func convolutionChain(_ stages: [ConvolutionStage], globalAveragePool: Bool = false) -> Tensor {
        precondition(!stages.isEmpty, "convolutionChain: no stages")
        precondition(!GradMode.isEnabled || (!requiresGrad && stages.allSatisfy { !$0.weight.requiresGrad && !$0.bias.requiresGrad }),
                     "convolutionChain: inference only, but gradients are on and an operand requires them")
        var shape = self.shape
        var chain: [ConvChainStage] = []
        for s in stages {
            let g = Tensor.convGeometry(shape, s.weight.shape, s.bias.shape, s.options)
            chain.append(ConvChainStage(geometry: g, relu: s.relu))
            shape = g.outputShape
        }
        let outShape = globalAveragePool ? Array(shape.prefix(2)) : shape
        let weights = stages.map(\.weight), biases = stages.map(\.bias)
        return Tensor.make(shape: outShape) { y in
            DNNLConvChains.shared.run(chain, x: storage.base, weights: weights.map { UnsafePointer($0.storage.base) },
                                      biases: biases.map { UnsafePointer($0.storage.base) }, pool: globalAveragePool,
                                      y: y.baseAddress!)
        }
    }
}
