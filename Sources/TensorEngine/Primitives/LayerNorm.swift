extension Tensor {
    /// Layer normalisation over the last `normalizedRank` dimensions (D elements per row): y = (x − mean)/√(var + eps)
    /// ·weight + bias, with the biased variance; weight and bias have the shape of those dimensions (PyTorch's
    /// `layer_norm` with `normalized_shape = shape.suffix(normalizedRank)`). Records on the graph with a fused
    /// backward: with ĝ = g·weight, dx = invstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)), dweight = Σ g·x̂, dbias = Σ g.
    public func layerNorm(weight: Tensor? = nil, bias: Tensor? = nil, normalizedRank: Int = 1, eps: Float = 1e-5) -> Tensor {
        rowNorm("layerNorm", weight: weight, bias: bias, normalizedRank: normalizedRank, eps: eps, rms: false)
    }

    /// RMS normalisation over the last `normalizedRank` dimensions: y = x/√(mean(x²) + eps)·weight (no centring, no
    /// bias). Records on the graph with a fused backward: dx = invrms·(ĝ − x̂·mean(ĝ·x̂)), x̂ = x·invrms,
    /// dweight = Σ g·x̂.
    public func rmsNorm(weight: Tensor? = nil, normalizedRank: Int = 1, eps: Float = 1e-6) -> Tensor {
        rowNorm("rmsNorm", weight: weight, bias: nil, normalizedRank: normalizedRank, eps: eps, rms: true)
    }

    private func rowNorm(
        _ op: String, weight: Tensor?, bias: Tensor?, normalizedRank k: Int, eps: Float, rms: Bool
    ) -> Tensor {
        precondition(k >= 1 && k <= rank, "\(op): cannot normalise the last \(k) dimensions of \(shape)")
        let tail = Array(shape.suffix(k))
        for (name, t) in [("weight", weight), ("bias", bias)] {
            if let t { precondition(t.shape == tail, "\(op): \(name) \(t.shape) must be \(tail) for input \(shape)") }
        }
        let x = self
        let width = tail.reduce(1, *), rows = count / Swift.max(width, 1)
        var mean = [Float](repeating: 0, count: rows), invstd = mean
        let out = Tensor.make(shape: shape) { y in
            rowNormForward(x.storage.base, rows: rows, width: width, weight: weight?.storage.base,
                           bias: bias?.storage.base, eps: eps, rms: rms, y.baseAddress!, mean: &mean, invstd: &invstd)
        }
        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let (savedMean, savedInvstd) = (mean, invstd)
        return Tensor.record(rms ? "rms_norm" : "layer_norm", out, inputs) { g, needs in
            var grads: [Tensor?] = [nil]
            if needs[0] {
                grads[0] = Tensor.make(shape: x.shape) { dx in
                    rowNormBackwardData(g.storage.base, x.storage.base, rows: rows, width: width,
                                        weight: weight?.storage.base, rms: rms, mean: savedMean, invstd: savedInvstd,
                                        dx.baseAddress!)
                }
            }
            // Column sums over rows; one pass each for the weight and the bias gradient.
            func columnSums(weight: Bool) -> Tensor {
                Tensor.make(shape: tail) { d in
                    rowNormBackwardAffine(g.storage.base, x.storage.base, rows: rows, width: width, mean: savedMean,
                                          invstd: savedInvstd, dw: weight ? d.baseAddress! : nil,
                                          db: weight ? nil : d.baseAddress!)
                }
            }
            if weight != nil { grads.append(needs[1] ? columnSums(weight: true) : nil) }
            if bias != nil { grads.append(needs[grads.count] ? columnSums(weight: false) : nil) }
            return grads
        }
    }
}
