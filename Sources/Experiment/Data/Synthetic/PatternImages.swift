import Foundation
public import TensorEngine

/// Class-conditional procedural images `[N, channels, height, width]` with controllable difficulty and imbalance.
///
/// Class `c` belongs to one of three pattern families (`c mod 3`): oriented stripes, concentric rings around an
/// off-centre point, or a rotated checker of blobs; its variant `c / 3` sets the orientation, frequency or ring
/// centre, so every class has its own pattern. With three channels each class also has its own colour. Each
/// example draws a random phase; `difficulty` in `[0, 1]` scales the per-example jitter of orientation,
/// frequency and centre (so neighbouring classes overlap), fades the class colour toward a random one, lowers
/// the contrast and raises the pixel noise (standard deviation `0.1 + 0.9·difficulty`). Pixel values are
/// centred near 0.5 before noise. The training split is long-tailed when `imbalanceRatio < 1`.
public struct PatternImages: Sendable, Codable, Equatable {
    /// Number of classes; each gets its own pattern.
    public var classes: Int
    /// 1 (grayscale) or 3 (colour).
    public var channels: Int
    /// Image height in pixels.
    public var height: Int
    /// Image width in pixels.
    public var width: Int
    /// Training images of the largest class.
    public var trainPerClass: Int
    /// Test images per class (the test split is balanced).
    public var testPerClass: Int
    /// `n_min / n_max` of the training split; 1 is balanced.
    public var imbalanceRatio: Double
    /// 0 is nearly noise-free and separable; 1 is heavily overlapping.
    public var difficulty: Double

    /// A configuration; the default is CIFAR-sized: 10 classes of 32×32 colour images.
    public init(classes: Int = 10, channels: Int = 3, height: Int = 32, width: Int = 32, trainPerClass: Int = 500,
                testPerClass: Int = 100, imbalanceRatio: Double = 1, difficulty: Double = 0.3) {
        self.classes = classes
        self.channels = channels
        self.height = height
        self.width = width
        self.trainPerClass = trainPerClass
        self.testPerClass = testPerClass
        self.imbalanceRatio = imbalanceRatio
        self.difficulty = difficulty
    }

    /// Names like `stripes-0`, `rings-1`, `checker-2`, one per class.
    public var classNames: [String] {
        (0..<classes).map { c in "\(["stripes", "rings", "checker"][c % 3])-\(c / 3)" }
    }

    /// Draws the training and test images from `rng`.
    public func make(using rng: inout RandomGenerator) -> LabeledDataset {
        precondition(classes >= 1 && (channels == 1 || channels == 3) && height >= 2 && width >= 2
                     && trainPerClass >= 1 && testPerClass >= 0 && (0...1).contains(difficulty),
                     "PatternImages: invalid configuration \(self)")
        let counts = ClassImbalance.splitCounts(
            classes: classes, trainPerClass: trainPerClass, testPerClass: testPerClass, ratio: imbalanceRatio)
        let train = split(counts.train, using: &rng)
        let test = split(counts.test, using: &rng)
        return LabeledDataset(name: "patterns", train: train, test: test, classCount: classes,
                              classNames: classNames)
    }

    private func split(_ counts: [Int], using rng: inout RandomGenerator) -> DataSplit {
        let ids = shuffledLabels(counts: counts, using: &rng)
        let n = ids.count, plane = height * width, image = channels * plane
        // Per example: phase, three jitters, three random colour components.
        let phase = uniforms(n, using: &rng), jitter = normals(3 * n, using: &rng)
        let tint = uniforms(3 * n, using: &rng)
        var x = Tensor.normal([n, channels, height, width], std: Float(0.1 + 0.9 * difficulty), using: &rng)
        let d = difficulty, variants = (classes + 2) / 3
        let (h, w, ch) = (height, width, channels)
        x.withUnsafeMutableElements { out in
            let base = out.baseAddress!
            parallelFor(n, grain: Swift.max(1, 4096 / image)) { range in
                var pattern = [Double](repeating: 0, count: plane)
                var colSin = [Double](repeating: 0, count: w), colCos = colSin
                var rowSin = [Double](repeating: 0, count: h), rowCos = rowSin
                for i in range {
                    let c = ids[i], family = c % 3, k = c / 3
                    let (j0, j1, j2) = (Double(jitter[3 * i]), Double(jitter[3 * i + 1]), Double(jitter[3 * i + 2]))
                    let theta = Double.pi * Double(k) / Double(variants) + d * j0 * Double.pi / Double(4 * variants)
                    let freq = (2 + 1.5 * Double(k % 3)) * (1 + 0.15 * d * j1)
                    let phi = 2 * Double.pi * Double(phase[i])
                    let cx = 0.25 * cos(2 * Double.pi * Double(k) / Double(variants)) + 0.1 * d * j1
                    let cy = 0.25 * sin(2 * Double.pi * Double(k) / Double(variants)) + 0.1 * d * j2
                    let (ct, st) = (cos(theta), sin(theta))
                    let k2 = 2 * Double.pi * freq
                    // Stripes and checker are sinusoids of x·a + y·b + φ; split them by the angle-addition
                    // formula into per-column and per-row factors so each image needs O(H + W) sines.
                    func wave(_ a: Double, _ b: Double) {
                        for q in 0..<w {
                            let xx = (Double(q) + 0.5) / Double(w) - 0.5
                            colSin[q] = sin(a * xx)
                            colCos[q] = cos(a * xx)
                        }
                        for r in 0..<h {
                            let y = (Double(r) + 0.5) / Double(h) - 0.5
                            rowSin[r] = sin(b * y + phi)
                            rowCos[r] = cos(b * y + phi)
                        }
                    }
                    func store(multiplying: Bool) {
                        for r in 0..<h {
                            for q in 0..<w {
                                let v = colSin[q] * rowCos[r] + colCos[q] * rowSin[r]
                                pattern[r * w + q] = multiplying ? pattern[r * w + q] * v : v
                            }
                        }
                    }
                    switch family {
                    case 0:
                        wave(k2 * ct, k2 * st)
                        store(multiplying: false)
                    case 1:
                        for r in 0..<h {
                            let y = (Double(r) + 0.5) / Double(h) - 0.5
                            for q in 0..<w {
                                let xx = (Double(q) + 0.5) / Double(w) - 0.5
                                let radius = ((xx - cx) * (xx - cx) + (y - cy) * (y - cy)).squareRoot()
                                pattern[r * w + q] = sin(2 * Double.pi * (freq + 1) * 2 * radius + phi)
                            }
                        }
                    default:
                        wave(k2 * ct, k2 * st)
                        store(multiplying: false)
                        wave(-k2 * st, k2 * ct)
                        store(multiplying: true)
                    }
                    let contrast = 1 - 0.5 * d
                    for channel in 0..<ch {
                        let hue = 2 * Double.pi * (0.618 * Double(c) + Double(channel) / 3)
                        let own = ch == 1 ? 1 : 0.55 + 0.45 * cos(hue)
                        let colour = (1 - d) * own + d * Double(tint[3 * i + channel])
                        let dst = base + i * image + channel * plane
                        for p in 0..<plane { dst[p] += Float(colour * (0.5 + 0.5 * contrast * pattern[p])) }
                    }
                }
            }
        }
        return DataSplit(inputs: x, labels: labelTensor(ids))
    }
}
