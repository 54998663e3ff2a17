import Testing
import TensorEngine
import Experiment

@Suite struct GraphGeneratorTests {
    @Test func perClassHomophilyMatchesTheRequest() {
        let requested = [0.9, 0.6, 0.4, 0.2]
        let spec = ContextualSBM(classes: 4, maxNodesPerClass: 300, homophily: requested, averageDegree: 12)
        #expect(zip(spec.expectedHomophily(), requested).allSatisfy { abs($0 - $1) < 1e-6 })
        var rng = RandomGenerator(seed: 11)
        let g = spec.make(using: &rng)
        let measured = g.edges.classHomophily(classes: g.classIDs, classCount: 4)
        for (m, r) in zip(measured, requested) { #expect(abs(m - r) < 0.03, "measured \(m), requested \(r)") }
        let degree = Double(g.edges.count) / Double(g.nodeCount)
        #expect(abs(degree - 12) < 0.3)
    }

    @Test func homophilyHoldsUnderImbalance() {
        let requested = [0.8, 0.6, 0.4]
        let spec = ContextualSBM(classes: 3, maxNodesPerClass: 600, imbalanceRatio: 0.25, homophily: requested,
                                 averageDegree: 10)
        var rng = RandomGenerator(seed: 12)
        let g = spec.make(using: &rng)
        #expect(g.classCounts() == [600, 300, 150])
        let measured = g.edges.classHomophily(classes: g.classIDs, classCount: 3)
        for (m, r) in zip(measured, requested) { #expect(abs(m - r) < 0.04, "measured \(m), requested \(r)") }
        let overall = g.edges.homophily(classes: g.classIDs)
        #expect(overall > 0.6 && overall < 0.75)
    }

    @Test func infeasibleRequestsKeepEachClassWithinItsBudget() {
        // The head class asks for more cross-class edges than the others can take: it comes out more homophilous
        // than requested, as `expectedHomophily` predicts, and the graph matches that prediction.
        let spec = ContextualSBM(classes: 3, maxNodesPerClass: 400, imbalanceRatio: 0.25, homophily: [0.1, 0.8, 0.8])
        let expected = spec.expectedHomophily()
        #expect(expected[0] > 0.3)
        var rng = RandomGenerator(seed: 13)
        let g = spec.make(using: &rng)
        let measured = g.edges.classHomophily(classes: g.classIDs, classCount: 3)
        for (m, e) in zip(measured, expected) { #expect(abs(m - e) < 0.05, "measured \(m), expected \(e)") }
    }

    @Test func graphIsDeterministicSymmetricWithDisjointMasks() {
        let spec = ContextualSBM(classes: 4, maxNodesPerClass: 50, imbalanceRatio: 0.2, homophily: [0.3],
                                 averageDegree: 6, featureDims: 5)
        var a = RandomGenerator(seed: 14), b = RandomGenerator(seed: 14)
        let g = spec.make(using: &a), h = spec.make(using: &b)
        #expect(g.edges == h.edges && g.features.scalars == h.features.scalars && g.trainMask == h.trainMask)
        #expect(g.edges.isSymmetric)
        #expect(zip(g.edges.source, g.edges.destination).allSatisfy { $0 != $1 })
        #expect(g.features.shape == [g.nodeCount, 5])
        for i in 0..<g.nodeCount {
            #expect([g.trainMask[i], g.validationMask[i], g.testMask[i]].filter { $0 }.count == 1)
        }
        // Every class, even the rarest, has training nodes.
        var trainPerClass = [Int](repeating: 0, count: 4)
        for (i, c) in g.classIDs.enumerated() where g.trainMask[i] { trainPerClass[c] += 1 }
        #expect(trainPerClass.allSatisfy { $0 >= 1 })
    }

    @Test func featuresCarryTheClass() {
        var rng = RandomGenerator(seed: 15)
        let g = ContextualSBM(classes: 3, maxNodesPerClass: 200, featureDims: 8, featureSignal: 2).make(using: &rng)
        let train = g.trainMask.indices.filter { g.trainMask[$0] }, test = g.testMask.indices.filter { g.testMask[$0] }
        let all = DataSplit(inputs: g.features, labels: g.labels)
        let d = LabeledDataset(name: "csbm", train: all.subset(train), test: all.subset(test), classCount: 3)
        #expect(nearestMeanAccuracy(d) > 0.9)
    }
}
