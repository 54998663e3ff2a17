/// How `resized` interpolates.
public enum ResizeMode: Sendable {
    /// The source pixel at ⌊i·in/out⌋ (PyTorch's `nearest`).
    case nearest
    /// Linear in both directions between pixel centres, `align_corners = false` (PyTorch's `bilinear`).
    case bilinear
}

extension Tensor {
    /// Resizes the planes of x [N, C, H, W] to [N, C, height, width] by nearest or bilinear interpolation, matching
    /// PyTorch's `interpolate(size: …)` (align_corners = false). Records on the graph: dx receives each dy element
    /// through the same interpolation weights.
    public func resized(height: Int, width: Int, mode: ResizeMode) -> Tensor {
        precondition(rank == 4, "resized: input must be [N, C, H, W], got \(shape)")
        precondition(height >= 1 && width >= 1 && shape[2] >= 1 && shape[3] >= 1,
                     "resized: cannot resize \(shape) to \(height)×\(width)")
        let x = self
        let planes = shape[0] * shape[1], inH = shape[2], inW = shape[3]
        let rows = ResizeAxis(input: inH, output: height, bilinear: mode == .bilinear)
        let cols = ResizeAxis(input: inW, output: width, bilinear: mode == .bilinear)
        let out = Tensor.make(shape: [shape[0], shape[1], height, width]) { y in
            resizeForward(planes: planes, inH: inH, inW: inW, rows: rows, cols: cols, x.storage.base, y.baseAddress!)
        }
        return Tensor.record(mode == .nearest ? "resize_nearest" : "resize_bilinear", out, [x]) { dy, _ in
            [Tensor.make(shape: x.shape) { dx in
                resizeBackward(planes: planes, inH: inH, inW: inW, rows: rows, cols: cols, dy.storage.base, dx.baseAddress!)
            }]
        }
    }
}
