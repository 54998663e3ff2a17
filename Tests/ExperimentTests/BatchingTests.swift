import Foundation
import Testing
import TensorEngine
import Experiment

@Suite struct BatchingTests {
    func epoch(_ s: inout BatchSampler) -> [[Int]] {
        var batches = [[Int]]()
        while let b = s.next() { batches.append(b) }
        return batches
    }

    @Test func everyExampleOncePerEpoch() {
        var s = BatchSampler(count: 103, batchSize: 10, generator: RandomGenerator(seed: 1))
        #expect(s.batchesPerEpoch == 11)
        let first = epoch(&s), second = epoch(&s)
        for batches in [first, second] {
            #expect(batches.count == 11 && batches.last?.count == 3)
            #expect(batches.flatMap { $0 }.sorted() == Array(0..<103))
        }
        #expect(first != second && s.state.epoch == 2)
        #expect(first.flatMap { $0 } != Array(0..<103))
    }

    @Test func dropLastAndNoShuffle() {
        var s = BatchSampler(count: 25, batchSize: 8, shuffle: false, dropLast: true,
                             generator: RandomGenerator(seed: 2))
        let batches = epoch(&s)
        #expect(batches == [Array(0..<8), Array(8..<16), Array(16..<24)] && s.batchesPerEpoch == 3)
        var shuffled = BatchSampler(count: 25, batchSize: 8, dropLast: true, generator: RandomGenerator(seed: 2))
        let b = epoch(&shuffled)
        #expect(b.count == 3 && b.allSatisfy { $0.count == 8 } && Set(b.flatMap { $0 }).count == 24)
    }

    @Test func sameSeedSameOrder() {
        var a = BatchSampler(count: 50, batchSize: 7, generator: RandomGenerator(seed: 3))
        var b = BatchSampler(count: 50, batchSize: 7, generator: RandomGenerator(seed: 3))
        var c = BatchSampler(count: 50, batchSize: 7, generator: RandomGenerator(seed: 4))
        let x = epoch(&a)
        #expect(x == epoch(&b) && x != epoch(&c))
    }

    @Test func savedStateResumesTheIdenticalOrder() throws {
        var original = BatchSampler(count: 40, batchSize: 6, generator: RandomGenerator(seed: 5))
        _ = epoch(&original)
        for _ in 0..<3 { _ = original.next() }
        let saved = try JSONEncoder().encode(original.state)
        #expect(saved.count < 200)
        var resumed = BatchSampler(count: 40, batchSize: 6,
                                   state: try JSONDecoder().decode(BatchSamplerState.self, from: saved))
        #expect(resumed.state == original.state && resumed.state.epoch == 1 && resumed.state.position == 18)
        // The rest of epoch 1 and all of epoch 2 match.
        #expect(epoch(&resumed) == epoch(&original))
        #expect(epoch(&resumed) == epoch(&original))
    }

    @Test func batchIteratorGathersRowsAndResumesAugmentations() throws {
        var rng = RandomGenerator(seed: 6)
        let images = Tensor.uniform([20, 2, 4, 4], using: &rng)
        let split = DataSplit(inputs: images, labels: Tensor([20], (0..<20).map { Float($0 % 3) }))
        let augmentation = ImageAugmentation([.randomCrop(padding: 1), .horizontalFlip(probability: 0.5)])
        var it = BatchIterator(split: split, batchSize: 8, augmentation: augmentation,
                               generator: RandomGenerator(seed: 7))
        let first = it.next()!
        #expect(first.inputs.shape == [8, 2, 4, 4] && first.labels.scalars == first.indices.map { Float($0 % 3) })
        let state = it.state
        var resumed = BatchIterator(split: split, batchSize: 8, augmentation: augmentation, state: state)
        while let a = it.next() {
            let b = resumed.next()!
            #expect(a.indices == b.indices && a.inputs.scalars == b.inputs.scalars)
        }
        #expect(resumed.next() == nil)

        var plain = BatchIterator(split: split, batchSize: 5, shuffle: false, generator: RandomGenerator(seed: 8))
        let p = plain.next()!
        #expect(p.inputs.scalars == Array(images.scalars[0..<(5 * 32)]))
    }

    @Test func textWindowsShiftTargetsByOne() {
        var unused = RandomGenerator(seed: 0)
        let bytes = SyntheticText(source: .builtin).make(using: &unused).train
        var a = RandomGenerator(seed: 9), b = RandomGenerator(seed: 9)
        let (x, y) = TextWindows.batch(bytes, batchSize: 4, length: 16, using: &a)
        #expect(x.shape == [4, 16] && y.shape == [4, 16])
        let xs = x.scalars, ys = y.scalars
        for r in 0..<4 { for t in 0..<15 { #expect(ys[r * 16 + t] == xs[r * 16 + t + 1]) } }
        #expect(TextWindows.batch(bytes, batchSize: 4, length: 16, using: &b).inputs.scalars == xs)
        #expect(a == b)
    }
}

@Suite struct AugmentationTests {
    let images: Tensor = {
        var rng = RandomGenerator(seed: 10)
        return Tensor.uniform([3, 2, 5, 6], low: 0.1, high: 1, using: &rng)
    }()

    @Test func flipIsAnExactMirror() {
        let f = ImageOps.horizontalFlip(images)
        #expect(f.shape == images.shape)
        for b in 0..<3 { for c in 0..<2 { for y in 0..<5 { for x in 0..<6 {
            #expect(f[b, c, y, x] == images[b, c, y, 5 - x])
        } } } }
        #expect(ImageOps.horizontalFlip(f).scalars == images.scalars)
        var rng = RandomGenerator(seed: 11)
        #expect(ImageOps.randomHorizontalFlip(images, probability: 1, using: &rng).scalars == f.scalars)
        #expect(ImageOps.randomHorizontalFlip(images, probability: 0, using: &rng).scalars == images.scalars)
    }

    @Test func randomCropShiftsWithZeroPadding() {
        var rng = RandomGenerator(seed: 12)
        let out = ImageOps.randomCrop(images, padding: 2, using: &rng)
        #expect(out.shape == images.shape)
        // Each image is its source shifted by one (dy, dx) in -2...2 with zeros brought in.
        for b in 0..<3 {
            let found = (-2...2).flatMap { dy in (-2...2).map { dx in (dy, dx) } }.filter { dy, dx in
                (0..<2).allSatisfy { c in (0..<5).allSatisfy { y in (0..<6).allSatisfy { x in
                    let (sy, sx) = (y + dy, x + dx)
                    let expected: Float = sy >= 0 && sy < 5 && sx >= 0 && sx < 6 ? images[b, c, sy, sx] : 0
                    return out[b, c, y, x] == expected
                } } }
            }
            #expect(found.count == 1)
        }
        var again = RandomGenerator(seed: 12)
        #expect(ImageOps.randomCrop(images, padding: 2, using: &again).scalars == out.scalars)
        #expect(ImageOps.randomCrop(images, padding: 0, using: &again).scalars == images.scalars)
    }

    @Test func normalisationUsesChannelStatistics() {
        let (mean, std) = ImageOps.channelStatistics(images)
        let n = ImageOps.normalize(images, mean: mean, std: std)
        let (m2, s2) = ImageOps.channelStatistics(n)
        #expect(n.shape == images.shape)
        #expect(m2.allSatisfy { abs($0) < 1e-5 } && s2.allSatisfy { abs($0 - 1) < 1e-4 })
        #expect(abs(n[1, 1, 2, 3] - (images[1, 1, 2, 3] - mean[1]) / std[1]) < 1e-6)
    }

    @Test func standardAugmentationPreservesShapeAndIsDeterministic() {
        let aug = ImageAugmentation.standard(mean: [0.5, 0.5], std: [0.25, 0.25], padding: 1)
        var a = RandomGenerator(seed: 13), b = RandomGenerator(seed: 13)
        let x = aug.apply(to: images, using: &a), y = aug.apply(to: images, using: &b)
        #expect(x.shape == images.shape && x.scalars == y.scalars)
        let decoded = try? JSONDecoder().decode(ImageAugmentation.self, from: JSONEncoder().encode(aug))
        #expect(decoded == aug)
    }
}
