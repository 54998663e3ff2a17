import TensorEngine
import TensorNN

/// `gcn`: N = 20000 nodes, a random symmetric graph with average degree 10 plus self-loops, Â = D^-1/2 (A+I) D^-1/2
/// as a sparse matrix; features 128; H = ReLU(Â·X·W1 + b1), dropout 0.5, logits = Â·H·W2 + b2, hidden 64,
/// 8 classes; full-batch cross-entropy; Adam lr 0.01, weight decay 5e-4. One step = zero grads, forward, loss,
/// backward, optimizer step.
enum GCNWorkload {
    static let (nodes, features, hidden, classes, averageDegree) = (20000, 128, 64, 8, 10)

    /// The reference graph: n·degree/2 uniform node pairs, self-pairs dropped, both directions, duplicates merged,
    /// self-loops added, symmetric normalisation.
    static func normalizedAdjacency(nodes n: Int, averageDegree: Int, using rng: inout RandomGenerator) -> SparseMatrix {
        let m = n * averageDegree / 2
        let ends = Tensor.integers([2, m], low: 0, high: n, using: &rng).scalars.map { Int($0) }
        var sources: [Int] = [], destinations: [Int] = []
        for k in 0..<m where ends[k] != ends[m + k] {
            sources += [ends[k], ends[m + k]]
            destinations += [ends[m + k], ends[k]]
        }
        return SparseMatrix.adjacency(nodes: n, sources: sources, destinations: destinations)
            .addingSelfLoops().symmetricallyNormalized()
    }

    static func run(minTime: Double) -> [String: Any] {
        var rng = RandomGenerator(seed: 1)
        let adjacency = normalizedAdjacency(nodes: nodes, averageDegree: averageDegree, using: &rng)
        let model = GCN(inputs: features, hidden: hidden, classes: classes, dropout: 0.5, rng: &rng)
        let optimizer = Adam(model.namedParameters(), lr: 0.01, weightDecay: 5e-4)
        let x = Tensor.normal([nodes, features], using: &rng)
        let y = Tensor.integers([nodes], low: 0, high: classes, using: &rng)
        var dropoutRNG = rng.derived(7)
        var lastLoss: Float = 0
        let stats = BenchHarness.measure(minTime: minTime) {
            optimizer.zeroGrad()
            let loss = model.forward(x, adjacency: adjacency, rng: &dropoutRNG).crossEntropy(targets: y)
            loss.backward()
            optimizer.step()
            lastLoss = loss.item
        }
        // As torch_ref.py counts: dense forward X·W1, H·W2; backward both weight gradients and H·W2's input
        // gradient; sparse forward Â·(.) twice and backward Âᵀ·G twice.
        let n = Double(nodes), nnz = Double(adjacency.nnz)
        let dense = 2 * n * Double(features * hidden + hidden * classes)
        let flop = 3 * dense - 2 * n * Double(features * hidden) + 2 * nnz * Double(hidden + classes) * 2
        var out = stats.dictionary
        out["gflops_median"] = flop / (stats.medianMs * 1e-3) / 1e9
        out["gflops_best"] = flop / (stats.minMs * 1e-3) / 1e9
        out["nodes"] = nodes
        out["nnz"] = adjacency.nnz
        out["mean_degree_incl_self"] = nnz / n
        out["layout"] = "csr"
        out["flop_per_step"] = flop
        out["final_loss"] = Double(lastLoss)
        return out
    }
}
