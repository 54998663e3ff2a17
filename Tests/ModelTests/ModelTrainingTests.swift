import TensorEngine
import TensorNN
import Testing
import TestSupport

/// Each model learns a generated task well above chance within the test suite's time (release: well under a second
/// each).
@Suite struct ModelTrainingTests {
    /// A stochastic block model: `classes` blocks of `perClass` nodes; each node draws `degree` neighbours, each
    /// from its own class with probability `homophily`, else uniformly from the others; features are a class
    /// centroid (scale `signal`) plus unit noise. Returns the undirected adjacency (no self-loops), features and
    /// labels.
    func blockModel(classes: Int = 3, perClass: Int = 100, degree: Int = 5, homophily: Float = 0.8,
                    features: Int = 16, signal: Float = 0.4, seed: UInt64) -> (SparseMatrix, Tensor, [Int]) {
        var rng = RandomGenerator(seed: seed)
        let n = classes * perClass
        let labels = (0..<n).map { $0 / perClass }
        let draws = Tensor.uniform([n, degree, 2], using: &rng).scalars
        var sources: [Int] = [], destinations: [Int] = []
        for i in 0..<n {
            for k in 0..<degree {
                let same = draws[(i * degree + k) * 2] < homophily
                let u = draws[(i * degree + k) * 2 + 1]
                let c = same ? labels[i] : (labels[i] + 1 + Int(u * Float(classes - 1) * 0.999)) % classes
                let j = c * perClass + Int(Float(perClass) * (u * 7919).truncatingRemainder(dividingBy: 1) * 0.999)
                if j != i {
                    sources += [i, j]
                    destinations += [j, i]
                }
            }
        }
        let centroids = Tensor.normal([classes, features], std: signal, using: &rng)
        let x = centroids.rows(labels) + Tensor.normal([n, features], using: &rng)
        return (SparseMatrix.adjacency(nodes: n, sources: sources, destinations: destinations), x.detached(), labels)
    }

    /// Every third node trains; accuracy is measured on the others.
    func split(_ n: Int) -> (train: [Int], test: [Int]) {
        ((0..<n).filter { $0 % 3 == 0 }, (0..<n).filter { $0 % 3 != 0 })
    }

    func accuracy(_ logits: Tensor, _ labels: [Int], on nodes: [Int]) -> Double {
        let predicted = logits.rows(nodes).argmax(axis: 1).scalars
        return Double(zip(predicted, nodes).filter { Int($0) == labels[$1] }.count) / Double(nodes.count)
    }

    @Test func gcnLearnsABlockModel() {
        let (adjacency, x, labels) = blockModel(seed: 1)
        let normalized = adjacency.addingSelfLoops().symmetricallyNormalized()
        let (train, test) = split(x.shape[0])
        let targets = Tensor([train.count], train.map { Float(labels[$0]) })
        var rng = RandomGenerator(seed: 2)
        let model = GCN(inputs: 16, hidden: 16, classes: 3, dropout: 0.5, rng: &rng)
        let optimizer = Adam(model.namedParameters(), lr: 0.01, weightDecay: 5e-4)
        for _ in 0..<100 {
            optimizer.zeroGrad()
            model.forward(x, adjacency: normalized, rng: &rng).rows(train).crossEntropy(targets: targets).backward()
            optimizer.step()
        }
        model.eval()
        let acc = accuracy(withoutGradients { model.forward(x, adjacency: normalized, rng: &rng) }, labels, on: test)
        #expect(acc > 0.8, "GCN test accuracy \(acc) (chance 0.33)")
    }

    @Test func graphSAGELearnsABlockModel() {
        let (adjacency, x, labels) = blockModel(seed: 3)
        let mean = adjacency.rowNormalized()
        let (train, test) = split(x.shape[0])
        let targets = Tensor([train.count], train.map { Float(labels[$0]) })
        var rng = RandomGenerator(seed: 4)
        let model = GraphSAGE(inputs: 16, hidden: 16, classes: 3, dropout: 0.5, rng: &rng)
        let optimizer = Adam(model.namedParameters(), lr: 0.01, weightDecay: 5e-4)
        for _ in 0..<100 {
            optimizer.zeroGrad()
            model.forward(x, neighbourMean: mean, rng: &rng).rows(train).crossEntropy(targets: targets).backward()
            optimizer.step()
        }
        model.eval()
        let acc = accuracy(withoutGradients { model.forward(x, neighbourMean: mean, rng: &rng) }, labels, on: test)
        #expect(acc > 0.8, "GraphSAGE test accuracy \(acc) (chance 0.33)")
    }

    @Test func gptLearnsARepeatingBytePattern() {
        let pattern = Array("the kiln fires clay; ".utf8).map(Float.init)
        let context = 16, batch = 8
        var rng = RandomGenerator(seed: 5)
        /// Windows of the endlessly repeated pattern at random offsets: ids [B, T] and next bytes [B, T].
        func windows() -> (Tensor, Tensor) {
            let starts = Tensor.integers([batch], low: 0, high: pattern.count, using: &rng).scalars.map { Int($0) }
            let seqs = starts.map { s in (0...context).map { pattern[(s + $0) % pattern.count] } }
            return (Tensor([batch, context], seqs.flatMap { $0.dropLast() }),
                    Tensor([batch, context], seqs.flatMap { $0.dropFirst() }))
        }
        let model = GPT(GPTConfiguration(vocabulary: 256, context: context, width: 32, heads: 2, layers: 2), rng: &rng)
        let optimizer = AdamW(model.namedParameters(), lr: 3e-3, weightDecay: 0)
        var first: Float = 0, last: Float = 0
        for step in 0..<150 {
            let (ids, targets) = windows()
            optimizer.zeroGrad()
            let loss = model.loss(ids, targets: targets)
            loss.backward()
            optimizer.step()
            if step == 0 { first = loss.item }
            last = loss.item
        }
        // After a few bytes of context the next byte is determined; chance is 1/256 (a unigram guess ≈ 1/7).
        let (ids, targets) = windows()
        let predicted = withoutGradients { model.forward(ids).argmax(axis: -1) }.scalars
        var hits = 0, total = 0
        for b in 0..<batch {
            for t in 4..<context {
                total += 1
                if predicted[b * context + t] == targets.scalars[b * context + t] { hits += 1 }
            }
        }
        let acc = Double(hits) / Double(total)
        #expect(first > 5 && last < 0.3, "loss went from \(first) to \(last) (ln 256 ≈ 5.55)")
        #expect(acc > 0.95, "next-byte accuracy \(acc)")
    }
}
