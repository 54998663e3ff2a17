extension Tensor {
    /// Max pooling of x [N, C, H, W] over square windows → [N, C, OH, OW], OH = (H + 2·padding − kernel)/stride + 1.
    /// `stride` defaults to the kernel; padding (at most half the kernel) never wins. Records on the graph: the
    /// gradient goes to each window's maximum (the first one on ties), saved as indices by the forward pass.
    public func maxPool2d(kernel: Int, stride: Int? = nil, padding: Int = 0) -> Tensor {
        maxPool2d(kernel: (kernel, kernel), stride: (stride ?? kernel, stride ?? kernel), padding: (padding, padding))
    }

    /// Max pooling with per-direction kernel, stride and padding; see `maxPool2d(kernel:stride:padding:)`.
    public func maxPool2d(kernel: (h: Int, w: Int), stride: (h: Int, w: Int), padding: (h: Int, w: Int)) -> Tensor {
        let x = self
        let g = poolGeometry("maxPool2d", kernel, stride, padding)
        var argmax = [Int32](repeating: 0, count: g.planes * g.outPlane)
        let out = Tensor.make(shape: [shape[0], shape[1], g.outH, g.outW]) { y in
            argmax.withUnsafeMutableBufferPointer { maxPoolForward(g, x.storage.base, y.baseAddress!, $0.baseAddress!) }
        }
        let winners = argmax
        return Tensor.record("max_pool2d", out, [x]) { dy, _ in
            [Tensor.make(shape: x.shape) { dx in
                winners.withUnsafeBufferPointer { maxPoolBackward(g, dy.storage.base, $0.baseAddress!, dx.baseAddress!) }
            }]
        }
    }

    /// Average pooling of x [N, C, H, W] over square windows → [N, C, OH, OW]. `countPadding` divides by the whole
    /// window (PyTorch's `count_include_pad = true`); otherwise by the input elements the window covers.
    /// Records on the graph: each input gets dy / divisor from every window covering it.
    public func avgPool2d(kernel: Int, stride: Int? = nil, padding: Int = 0, countPadding: Bool = true) -> Tensor {
        avgPool2d(kernel: (kernel, kernel), stride: (stride ?? kernel, stride ?? kernel), padding: (padding, padding),
                  countPadding: countPadding)
    }

    /// Average pooling with per-direction kernel, stride and padding; see `avgPool2d(kernel:stride:padding:…)`.
    public func avgPool2d(
        kernel: (h: Int, w: Int), stride: (h: Int, w: Int), padding: (h: Int, w: Int), countPadding: Bool = true
    ) -> Tensor {
        let x = self
        let g = poolGeometry("avgPool2d", kernel, stride, padding)
        let out = Tensor.make(shape: [shape[0], shape[1], g.outH, g.outW]) { y in
            avgPoolForward(g, countPadding: countPadding, x.storage.base, y.baseAddress!)
        }
        return Tensor.record("avg_pool2d", out, [x]) { dy, _ in
            [Tensor.make(shape: x.shape) { dx in avgPoolBackward(g, countPadding: countPadding, dy.storage.base, dx.baseAddress!) }]
        }
    }

    /// Global average pooling: x [N, C, H, W] → [N, C], the mean of each plane. Composite (a mean over the two
    /// spatial axes), so it records through `sum`.
    public func globalAvgPool2d() -> Tensor {
        precondition(rank == 4, "globalAvgPool2d: input must be [N, C, H, W], got \(shape)")
        return mean(axes: [2, 3])
    }

    private func poolGeometry(
        _ op: String, _ k: (h: Int, w: Int), _ s: (h: Int, w: Int), _ p: (h: Int, w: Int)
    ) -> PoolGeometry {
        let what = "\(op): input \(shape), kernel \(k), stride \(s), padding \(p)"
        precondition(rank == 4, "\(what): input must be [N, C, H, W]")
        precondition(k.h >= 1 && k.w >= 1 && s.h >= 1 && s.w >= 1, "\(what): kernel and stride must be at least 1")
        precondition(p.h >= 0 && p.w >= 0 && 2 * p.h <= k.h && 2 * p.w <= k.w,
                     "\(what): padding must be between 0 and half the kernel")
        let g = PoolGeometry(planes: shape[0] * shape[1], height: shape[2], width: shape[3], kernelH: k.h,
                             kernelW: k.w, strideH: s.h, strideW: s.w, padH: p.h, padW: p.w)
        precondition(shape[2] + 2 * p.h >= k.h && shape[3] + 2 * p.w >= k.w, "\(what): the window does not fit the padded input")
        return g
    }
}
