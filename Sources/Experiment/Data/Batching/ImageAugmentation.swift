public import TensorEngine

/// One image transform; see `ImageOps` for what each does.
public enum ImageTransform: Sendable, Codable, Equatable {
    /// Zero-pad by `padding` on every side, then crop back to the original size at a random offset.
    case randomCrop(padding: Int)
    /// Mirror left–right with the given probability, independently per image.
    case horizontalFlip(probability: Double)
    /// `(x − mean_c) / std_c` per channel.
    case normalize(mean: [Float], std: [Float])
}

/// A list of image transforms applied in order to a batch `[B, C, H, W]`, deterministic for a generator.
public struct ImageAugmentation: Sendable, Codable, Equatable {
    /// Applied first to last.
    public var transforms: [ImageTransform]

    /// An augmentation applying `transforms` in order.
    public init(_ transforms: [ImageTransform]) { self.transforms = transforms }

    /// The usual CIFAR recipe: random crop with `padding`, flip with probability ½, then normalisation.
    public static func standard(mean: [Float], std: [Float], padding: Int = 4) -> ImageAugmentation {
        ImageAugmentation([.randomCrop(padding: padding), .horizontalFlip(probability: 0.5),
                           .normalize(mean: mean, std: std)])
    }

    /// Applies every transform; shapes are preserved. Records nothing on the graph.
    public func apply(to images: Tensor, using rng: inout RandomGenerator) -> Tensor {
        transforms.reduce(images) { x, t in
            switch t {
            case .randomCrop(let p): ImageOps.randomCrop(x, padding: p, using: &rng)
            case .horizontalFlip(let q): ImageOps.randomHorizontalFlip(x, probability: q, using: &rng)
            case .normalize(let m, let s): ImageOps.normalize(x, mean: m, std: s)
            }
        }
    }
}

/// Host-side image operations on batches `[B, C, H, W]` for data preparation; none records on the graph.
public enum ImageOps {
    /// Zero-pads each image by `padding` pixels and crops an `H×W` window at a uniform random offset in
    /// `0...2·padding` along each axis, independently per image. `padding` 0 returns the input.
    public static func randomCrop(_ images: Tensor, padding: Int, using rng: inout RandomGenerator) -> Tensor {
        let (b, c, h, w) = dims(images, "randomCrop")
        precondition(padding >= 0, "randomCrop: negative padding \(padding)")
        guard padding > 0 else { return images }
        let u = Tensor.uniform([2 * b], using: &rng).scalars
        let span = 2 * padding + 1
        return images.withUnsafeElements { src in
            Tensor.make(shape: images.shape) { out in
                for i in 0..<b {
                    let dy = Swift.min(span - 1, Int(u[2 * i] * Float(span))) - padding
                    let dx = Swift.min(span - 1, Int(u[2 * i + 1] * Float(span))) - padding
                    for ch in 0..<c {
                        let plane = (i * c + ch) * h * w
                        for y in 0..<h {
                            let sy = y + dy
                            for x in 0..<w {
                                let sx = x + dx
                                out[plane + y * w + x] = sy >= 0 && sy < h && sx >= 0 && sx < w
                                    ? src[plane + sy * w + sx] : 0
                            }
                        }
                    }
                }
            }
        }
    }

    /// Mirrors every image left–right: `out[b, c, y, x] = in[b, c, y, W − 1 − x]`.
    public static func horizontalFlip(_ images: Tensor) -> Tensor {
        flip(images, where: [Bool](repeating: true, count: images.shape.first ?? 0))
    }

    /// Mirrors each image left–right with probability `probability`, independently.
    public static func randomHorizontalFlip(_ images: Tensor, probability: Double,
                                            using rng: inout RandomGenerator) -> Tensor {
        let (b, _, _, _) = dims(images, "randomHorizontalFlip")
        let u = Tensor.uniform([b], using: &rng).scalars
        return flip(images, where: u.map { Double($0) < probability })
    }

    /// `(x − mean[c]) / std[c]` for each channel `c`.
    public static func normalize(_ images: Tensor, mean: [Float], std: [Float]) -> Tensor {
        let (b, c, h, w) = dims(images, "normalize")
        precondition(mean.count == c && std.count == c && std.allSatisfy { $0 > 0 },
                     "normalize: \(mean.count) means and \(std.count) positive stds for \(c) channels")
        return images.withUnsafeElements { src in
            Tensor.make(shape: images.shape) { out in
                for i in 0..<(b * c) {
                    let (m, s) = (mean[i % c], 1 / std[i % c])
                    for p in (i * h * w)..<((i + 1) * h * w) { out[p] = (src[p] - m) * s }
                }
            }
        }
    }

    /// Per-channel mean and (population) standard deviation over a batch, for `normalize`.
    public static func channelStatistics(_ images: Tensor) -> (mean: [Float], std: [Float]) {
        let (b, c, h, w) = dims(images, "channelStatistics")
        var sum = [Double](repeating: 0, count: c), square = sum
        images.withUnsafeElements { src in
            for i in 0..<(b * c) {
                for p in (i * h * w)..<((i + 1) * h * w) {
                    sum[i % c] += Double(src[p])
                    square[i % c] += Double(src[p]) * Double(src[p])
                }
            }
        }
        let n = Double(b * h * w)
        let mean = sum.map { $0 / n }
        let std = zip(square, mean).map { Swift.max(0, $0 / n - $1 * $1).squareRoot() }
        return (mean.map { Float($0) }, std.map { Float($0) })
    }

    private static func flip(_ images: Tensor, where mask: [Bool]) -> Tensor {
        let (_, c, h, w) = dims(images, "horizontalFlip")
        return images.withUnsafeElements { src in
            Tensor.make(shape: images.shape) { out in
                for (i, flipped) in mask.enumerated() {
                    for row in 0..<(c * h) {
                        let base = (i * c * h + row) * w
                        for x in 0..<w { out[base + x] = src[base + (flipped ? w - 1 - x : x)] }
                    }
                }
            }
        }
    }

    private static func dims(_ t: Tensor, _ op: String) -> (Int, Int, Int, Int) {
        precondition(t.rank == 4, "\(op): expects images [B, C, H, W], got \(t.shape)")
        return (t.shape[0], t.shape[1], t.shape[2], t.shape[3])
    }
}
