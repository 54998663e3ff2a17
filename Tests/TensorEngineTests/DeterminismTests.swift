import Testing
import TensorEngine
import TestSupport

/// Random draws and reductions do not depend on the thread count. Serialized: these tests set `Engine.threads`.
@Suite(.serialized) struct DeterminismTests {
    /// Runs `body` with one thread and with two, restoring the setting.
    func withOneAndTwoThreads<R>(_ body: () -> R) -> (R, R) {
        let saved = Engine.threads
        defer { Engine.threads = saved }
        Engine.threads = 1
        let one = body()
        Engine.threads = 2
        let two = body()
        return (one, two)
    }

    func bits(_ t: Tensor) -> [UInt32] { t.scalars.map(\.bitPattern) }

    @Test func philoxDrawsAreIdenticalAcrossThreadCounts() {
        let (one, two) = withOneAndTwoThreads { () -> [[UInt32]] in
            var rng = RandomGenerator(seed: 1234)
            let n = Tensor.normal([1_000_000], using: &rng)
            let u = Tensor.uniform([1_000_000], using: &rng)
            return [bits(n), bits(u)]
        }
        #expect(one == two)
    }

    @Test func sameSeedSameValuesDifferentSeedDifferentValues() {
        var a = RandomGenerator(seed: 7), b = RandomGenerator(seed: 7), c = RandomGenerator(seed: 8)
        let x = Tensor.normal([1000], using: &a), y = Tensor.normal([1000], using: &b)
        let z = Tensor.normal([1000], using: &c)
        #expect(bits(x) == bits(y))
        #expect(bits(x) != bits(z))
        // Successive draws differ, and a generator restored from (seed, offset) continues the same stream.
        let saved = a
        let next = Tensor.uniform([10], using: &a)
        var restored = RandomGenerator(seed: saved.seed, offset: saved.offset)
        #expect(bits(next) == bits(Tensor.uniform([10], using: &restored)))
        #expect(bits(next) != bits(Tensor.uniform([10], using: &a)))
        #expect(a.derived(1) != a.derived(2))
    }

    @Test func drawsHaveTheirDistributions() {
        var rng = RandomGenerator(seed: 42)
        let n = Tensor.normal([1_000_000], using: &rng)
        let mean = n.mean().item, std = n.variance().item.squareRoot()
        #expect(Swift.abs(mean) < 0.005)
        #expect(Swift.abs(std - 1) < 0.005)
        let shifted = Tensor.normal([100_000], mean: 3, std: 0.5, using: &rng)
        #expect(Swift.abs(shifted.mean().item - 3) < 0.01)
        #expect(Swift.abs(shifted.variance().item.squareRoot() - 0.5) < 0.01)
        let u = Tensor.uniform([1_000_000], using: &rng)
        #expect(u.min().item >= 0 && u.max().item < 1)
        #expect(Swift.abs(u.mean().item - 0.5) < 0.003)
        let r = Tensor.uniform([1000], low: -2, high: 3, using: &rng)
        #expect(r.min().item >= -2 && r.max().item < 3)
        let b = Tensor.bernoulli([1_000_000], p: 0.3, using: &rng)
        #expect(Swift.abs(b.mean().item - 0.3) < 0.003)
        #expect(Set(b.scalars) == [0, 1])
        let i = Tensor.integers([100_000], low: -3, high: 5, using: &rng)
        #expect(Set(i.scalars) == Set((-3..<5).map(Float.init)))
        let counts = (i + 3).bincount().scalars
        #expect(counts.allSatisfy { Swift.abs($0 / 100_000 - 0.125) < 0.01 })
    }

    @Test func permutationIsAPermutation() {
        var rng = RandomGenerator(seed: 5)
        for n in [0, 1, 2, 10, 1000] {
            let p = rng.permutation(n)
            #expect(p.sorted() == Array(0..<n))
        }
        let p = rng.permutation(1000)
        #expect(p != Array(0..<1000))
        var again = RandomGenerator(seed: 5)
        for n in [0, 1, 2, 10, 1000] { _ = again.permutation(n) }
        #expect(again.permutation(1000) == p)
        var ints = RandomGenerator(seed: 6)
        #expect((0..<1000).allSatisfy { _ in (3..<9).contains(ints.nextInt(in: 3..<9)) })
        #expect((0..<1000).allSatisfy { _ in (0..<1).contains(ints.nextUniform()) })
    }

    @Test func reductionsAreIdenticalAcrossThreadCounts() {
        var rng = RandomGenerator(seed: 9)
        let x = Tensor.normal([1_000_000], using: &rng)
        let m = x.reshaped([1000, 1000])
        let (one, two) = withOneAndTwoThreads { () -> [[UInt32]] in
            [bits(x.sum()), bits(x.mean()), bits(m.sum(axes: [0])), bits(m.sum(axes: [1])), bits(m.max(axes: [0])),
             bits(m.variance(axes: [1])), bits(m.softmax(axis: 0))]
        }
        #expect(one == two)
    }

    @Test func scatterAddBackwardIsIdenticalAcrossThreadCounts() {
        var rng = RandomGenerator(seed: 10)
        let table = Tensor.normal([300, 256], using: &rng)
        let ids = Tensor.integers([4096], low: 0, high: 300, using: &rng)
        let cols = Tensor.integers([256, 256], low: 0, high: 256, using: &rng)
        let weights = Tensor.normal([4096, 256], using: &rng)
        let (one, two) = withOneAndTwoThreads { () -> [[UInt32]] in
            let ge = gradient(of: { ($0.embedding(ids) * weights).sum() }, at: table)
            let gg = gradient(of: { $0.gather(axis: 1, indices: cols).sum() }, at: table.slice(axis: 0, 0..<256))
            return [bits(ge), bits(gg)]
        }
        #expect(one == two)
    }
}
