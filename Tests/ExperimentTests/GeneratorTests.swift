import Foundation
import Testing
import TensorEngine
import Experiment

@Suite struct GeneratorTests {
    @Test func longTailedCountsFollowTheFormula() {
        let counts = ClassImbalance.longTailedCounts(classes: 5, maxCount: 1000, ratio: 0.01)
        #expect(counts == [1000, 316, 100, 32, 10])
        #expect(ClassImbalance.ratio(of: counts) == 0.01)
        #expect(ClassImbalance.longTailedCounts(classes: 3, maxCount: 7, ratio: 1) == [7, 7, 7])
    }

    @Test func blobsAreDeterministicAndSized() {
        let spec = GaussianBlobs(classes: 4, dims: 3, trainPerClass: 50, testPerClass: 10, imbalanceRatio: 0.2)
        var a = RandomGenerator(seed: 1), b = RandomGenerator(seed: 1), c = RandomGenerator(seed: 2)
        let x = spec.make(using: &a), y = spec.make(using: &b), z = spec.make(using: &c)
        #expect(x.train.inputs.scalars == y.train.inputs.scalars && x.train.labels.scalars == y.train.labels.scalars)
        #expect(x.test.inputs.scalars == y.test.inputs.scalars)
        #expect(x.train.inputs.scalars != z.train.inputs.scalars)
        let expected = ClassImbalance.longTailedCounts(classes: 4, maxCount: 50, ratio: 0.2)
        #expect(x.train.classCounts(classCount: 4) == expected)
        #expect(x.train.inputs.shape == [expected.reduce(0, +), 3])
        #expect(x.test.classCounts(classCount: 4) == [10, 10, 10, 10])
        #expect(x.classCount == 4)
    }

    @Test func splittingAPoolIsSeededAndDisjoint() {
        let all = DataSplit(inputs: Tensor([10, 1], (0..<10).map { Float($0) }),
                            labels: Tensor([10], (0..<10).map { Float($0 % 2) }))
        var a = RandomGenerator(seed: 30), b = RandomGenerator(seed: 30)
        let d = LabeledDataset.splitting(name: "pool", all, testFraction: 0.3, classCount: 2, using: &a)
        let e = LabeledDataset.splitting(name: "pool", all, testFraction: 0.3, classCount: 2, using: &b)
        #expect(d.train.count == 7 && d.test.count == 3 && d.test.inputs.scalars == e.test.inputs.scalars)
        #expect((d.train.inputs.scalars + d.test.inputs.scalars).sorted() == (0..<10).map { Float($0) })
        #expect(d.train.labels.scalars == d.train.inputs.scalars.map { Float(Int($0) % 2) })
    }

    @Test func blobsClusterAroundTheirCentres() {
        // Well-separated blobs: nearest class mean (from train) classifies test almost perfectly.
        var rng = RandomGenerator(seed: 3)
        let d = GaussianBlobs(classes: 3, dims: 4, spread: 0.3, centerSpread: 5).make(using: &rng)
        #expect(nearestMeanAccuracy(d) > 0.95)
    }

    @Test func spiralsAreDeterministicAndOnTheirArms() {
        let spec = Spirals(classes: 3, pointsPerClass: 40, testPointsPerClass: 20, noise: 0)
        var a = RandomGenerator(seed: 4), b = RandomGenerator(seed: 4)
        let x = spec.make(using: &a), y = spec.make(using: &b)
        #expect(x.train.inputs.scalars == y.train.inputs.scalars)
        #expect(x.train.inputs.shape == [120, 2] && x.test.inputs.shape == [60, 2])
        #expect(x.train.classCounts(classCount: 3) == [40, 40, 40])
        // Noise-free points lie within the unit disc.
        let p = x.train.inputs.scalars
        for i in 0..<120 { #expect((p[2 * i] * p[2 * i] + p[2 * i + 1] * p[2 * i + 1]).squareRoot() <= 1.0001) }
    }

    @Test func patternImagesHaveRequestedShapeImbalanceAndDeterminism() {
        let spec = PatternImages(classes: 6, channels: 3, height: 8, width: 10, trainPerClass: 40, testPerClass: 5,
                                 imbalanceRatio: 0.1, difficulty: 0.5)
        var a = RandomGenerator(seed: 5), b = RandomGenerator(seed: 5)
        let x = spec.make(using: &a), y = spec.make(using: &b)
        #expect(x.train.inputs.scalars == y.train.inputs.scalars && x.train.labels.scalars == y.train.labels.scalars)
        let counts = x.train.classCounts(classCount: 6)
        #expect(counts == ClassImbalance.longTailedCounts(classes: 6, maxCount: 40, ratio: 0.1))
        #expect(counts.first == 40 && counts.last == 4)
        #expect(x.train.inputs.shape == [counts.reduce(0, +), 3, 8, 10])
        #expect(x.test.inputs.shape == [30, 3, 8, 10])
        #expect(x.classNames?.count == 6)
        #expect(x.train.inputs.scalars.allSatisfy { $0.isFinite })
    }

    @Test func patternDifficultyControlsSeparability() {
        // Class means differ in colour and (for rings/checker) in layout; at difficulty 0 nearest-mean on
        // colour images is far above chance, at difficulty 1 it drops.
        func accuracy(_ difficulty: Double) -> Double {
            var rng = RandomGenerator(seed: 6)
            let d = PatternImages(classes: 6, channels: 3, height: 12, width: 12, trainPerClass: 60,
                                  testPerClass: 30, difficulty: difficulty).make(using: &rng)
            return nearestMeanAccuracy(d)
        }
        let easy = accuracy(0), hard = accuracy(1)
        #expect(easy > 0.9)
        #expect(hard < easy - 0.2)
    }

    @Test func textIsDeterministicAndSplit() {
        var a = RandomGenerator(seed: 7), b = RandomGenerator(seed: 7)
        let spec = SyntheticText(source: .mixed, sentences: 300, validationFraction: 0.2)
        let x = spec.make(using: &a), y = spec.make(using: &b)
        #expect(x == y)
        let total = x.train.count + x.validation.count
        #expect(abs(Double(x.validation.count) / Double(total) - 0.2) < 0.001)
        #expect(String(decoding: x.train, as: UTF8.self).hasPrefix("The potter woke"))
        #expect(BuiltinCorpus.text.utf8.count > 3000)
        #expect(x.train.allSatisfy { $0 < 128 })
    }
}

/// Accuracy on the test split of classifying by the nearest per-class mean of the training inputs.
func nearestMeanAccuracy(_ d: LabeledDataset) -> Double {
    let f = d.train.inputs.count / d.train.count
    var means = [[Double]](repeating: [Double](repeating: 0, count: f), count: d.classCount)
    let counts = d.train.classCounts(classCount: d.classCount)
    let x = d.train.inputs.scalars, y = d.train.labels.scalars
    for i in 0..<d.train.count {
        let c = Int(y[i])
        for j in 0..<f { means[c][j] += Double(x[i * f + j]) / Double(counts[c]) }
    }
    let tx = d.test.inputs.scalars, ty = d.test.labels.scalars
    var correct = 0
    for i in 0..<d.test.count {
        let distances = means.map { m in (0..<f).reduce(0.0) { $0 + pow(Double(tx[i * f + $1]) - m[$1], 2) } }
        if distances.firstIndex(of: distances.min()!)! == Int(ty[i]) { correct += 1 }
    }
    return Double(correct) / Double(d.test.count)
}
