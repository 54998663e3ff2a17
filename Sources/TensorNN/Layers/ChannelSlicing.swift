import TensorEngine

/// Physical channel removal (Chase): thinner copies of layers that keep only the given channels, in the given order.
/// The copies are new modules with fresh (unfrozen) parameters and no gradients; the originals are unchanged.

extension Conv2d {
    /// A convolution keeping output channels `outputs` and input channels `inputs` (nil keeps all). A depthwise
    /// convolution keeps the same channels on both sides: pass `outputs` only (its groups shrink to match).
    /// Grouped convolutions other than depthwise are not supported.
    public func keeping(outputs: [Int]? = nil, inputs: [Int]? = nil) -> Conv2d {
        var w = weight.value.detached()
        var b = bias?.value.detached()
        var o = options
        if isDepthwise {
            precondition(inputs == nil, "Conv2d.keeping: a depthwise convolution keeps its outputs' channels as inputs")
            if let outputs {
                w = w.keeping(outputs, along: 0)
                b = b?.keeping(outputs, along: 0)
                o.groups = outputs.count
            }
        } else {
            precondition(options.groups == 1, "Conv2d.keeping: grouped convolution (\(options.groups) groups)")
            if let outputs {
                w = w.keeping(outputs, along: 0)
                b = b?.keeping(outputs, along: 0)
            }
            if let inputs { w = w.keeping(inputs, along: 1) }
        }
        let layer = Conv2d(weight: w, bias: b, options: o)
        layer.isTraining = isTraining
        return layer
    }
}

extension BatchNorm2d {
    /// A batch norm over `channels` only: γ, β and the running statistics of those channels, same eps, momentum
    /// and batches tracked.
    public func keeping(_ channels: [Int]) -> BatchNorm2d {
        let layer = BatchNorm2d(channels.count, eps: eps, momentum: momentum, affine: weight != nil)
        if let weight { layer.weight!.assign(weight.value.keeping(channels, along: 0)) }
        if let bias { layer.bias!.assign(bias.value.keeping(channels, along: 0)) }
        layer.runningMean.assign(runningMean.value.keeping(channels, along: 0))
        layer.runningVar.assign(runningVar.value.keeping(channels, along: 0))
        layer.numBatchesTracked.assign(numBatchesTracked.value)
        layer.statisticsMode = statisticsMode
        layer.isTraining = isTraining
        return layer
    }
}

extension Linear {
    /// A linear layer keeping output features `outputs` (rows of the weight, entries of the bias) and input
    /// features `inputs` (columns); nil keeps all.
    public func keeping(outputs: [Int]? = nil, inputs: [Int]? = nil) -> Linear {
        var w = weight.value.detached()
        var b = bias?.value.detached()
        if let outputs {
            w = w.keeping(outputs, along: 0)
            b = b?.keeping(outputs, along: 0)
        }
        if let inputs { w = w.keeping(inputs, along: 1) }
        let layer = Linear(weight: w, bias: b)
        layer.isTraining = isTraining
        return layer
    }
}
