import TensorEngine

/// `gemm`: C = A·B for square n = 512, 1024, 2048; GFLOP/s = 2n³ / time per size.
enum GemmWorkload {
    static func run(minTime: Double) -> [String: Any] {
        var sizes: [String: Any] = [:]
        var rng = RandomGenerator(seed: 1)
        for n in [512, 1024, 2048] {
            let a = Tensor.normal([n, n], using: &rng), b = Tensor.normal([n, n], using: &rng)
            var c = Tensor.zeros([n, n])
            let stats = withoutGradients {
                BenchHarness.measure(minTime: minTime) { a.matmul(b, into: &c) }
            }
            var entry = stats.dictionary
            let flop = 2 * Double(n * n * n)
            entry["gflops_median"] = flop / (stats.medianMs * 1e-3) / 1e9
            entry["gflops_best"] = flop / (stats.minMs * 1e-3) / 1e9
            sizes[String(n)] = entry
        }
        return ["sizes": sizes]
    }
}
