import Foundation
import Testing
import TensorEngine

/// GFLOP/s of each convolution kernel on the bench workloads' shapes. Off by default; run with
/// `KILN_CONV_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter ConvBenchmarks` (threads:
/// `KILN_CONV_BENCH_THREADS`, default 2; shapes whose name contains `KILN_CONV_BENCH_ONLY`). FLOPs count every kernel tap, padding included (2·N·O·OH·OW·C/G·KH·KW).
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["KILN_CONV_BENCH"] != nil))
struct ConvBenchmarks {
    static let shapes: [(String, [Int], [Int], Conv2DOptions)] = [
        ("lkcnn dw 31x31", [32, 64, 16, 16], [64, 1, 31, 31], Conv2DOptions(padding: 15, groups: 64)),
        ("dw 7x7 56x56", [8, 64, 56, 56], [64, 1, 7, 7], Conv2DOptions(padding: 3, groups: 64)),
        ("dw 3x3 32x32", [32, 64, 32, 32], [64, 1, 3, 3], Conv2DOptions(padding: 1, groups: 64)),
        ("dw 5x5 32x32", [32, 64, 32, 32], [64, 1, 5, 5], Conv2DOptions(padding: 2, groups: 64)),
        ("dw 31x5", [32, 64, 16, 16], [64, 1, 31, 5], Conv2DOptions(padding: (15, 15, 2, 2), groups: 64)),
        ("lkcnn 1x1 64->256", [32, 64, 16, 16], [256, 64, 1, 1], Conv2DOptions()),
        ("lkcnn 1x1 256->64", [32, 256, 16, 16], [64, 256, 1, 1], Conv2DOptions()),
        ("lkcnn stem 4x4 s4", [32, 3, 64, 64], [64, 3, 4, 4], Conv2DOptions(stride: 4)),
        ("cnn 3x3 3->32", [64, 3, 32, 32], [32, 3, 3, 3], Conv2DOptions(padding: 1)),
        ("cnn 3x3 32->64 s2", [64, 32, 32, 32], [64, 32, 3, 3], Conv2DOptions(stride: 2, padding: 1)),
        ("cnn 3x3 64->128 s2", [64, 64, 16, 16], [128, 64, 3, 3], Conv2DOptions(stride: 2, padding: 1)),
    ]

    @Test func convolutionKernels() {
        let threads = Int(ProcessInfo.processInfo.environment["KILN_CONV_BENCH_THREADS"] ?? "") ?? 2
        Engine.threads = threads
        print("conv bench, \(threads) threads; GFLOP/s forward / backward data / backward weights")
        let only = ProcessInfo.processInfo.environment["KILN_CONV_BENCH_ONLY"] ?? ""
        for (name, xs, ws, o) in Self.shapes where only.isEmpty || name.contains(only) {
            var rng = RandomGenerator(seed: 1)
            let x = Tensor.normal(xs, using: &rng), w = Tensor.normal(ws, using: &rng)
            let g = Tensor.convGeometry(xs, ws, nil, o)
            let y = x.conv2d(weight: w, options: o)
            let dy = Tensor.normal(y.shape, using: &rng)
            var dx = Tensor.zeros(xs), dw = Tensor.zeros(ws), out = Tensor.zeros(y.shape)
            for algo in ConvAlgorithm.allCases where algo.supports(g) {
                let fwd = medianSeconds {
                    out.withUnsafeMutableElements { p in
                        algo.forward(g, x: x.storage.base, w: w.storage.base, bias: nil, y: p.baseAddress!)
                    }
                }
                let bwdData = medianSeconds {
                    dx.withUnsafeMutableElements { p in
                        algo.backwardData(g, w: w.storage.base, dy: dy.storage.base, dx: p.baseAddress!)
                    }
                }
                let bwdWeights = medianSeconds {
                    dw.withUnsafeMutableElements { p in
                        algo.backwardWeights(g, x: x.storage.base, dy: dy.storage.base, dw: p.baseAddress!, db: nil)
                    }
                }
                let gf = g.forwardFlops / 1e9
                let line = String(
                    format: "%-20@ %-15@ median %6.1f %6.1f %6.1f  best %6.1f %6.1f %6.1f GFLOP/s  (median %.2f / %.2f / %.2f ms)",
                    name as NSString, "\(algo)" as NSString, gf / fwd.median, gf / bwdData.median, gf / bwdWeights.median,
                    gf / fwd.best, gf / bwdData.best, gf / bwdWeights.best,
                    fwd.median * 1e3, bwdData.median * 1e3, bwdWeights.median * 1e3)
                print(line)
                if algo == .depthwise {
                    print("    depthwise passes: \(algo.resolved(.forward, g)) / \(algo.resolved(.backwardData, g)) / \(algo.resolved(.backwardWeights, g))")
                }
            }
        }
    }

    /// Median and best wall time of `body` after warm-up, over at least 10 runs or about half a second. On a
    /// loaded machine the best run is the better estimate of the kernel's own speed.
    private func medianSeconds(_ body: () -> Void) -> (median: Double, best: Double) {
        for _ in 0..<3 { body() }
        var times: [Double] = []
        let start = DispatchTime.now().uptimeNanoseconds
        while times.count < 10 || (times.count < 200 && DispatchTime.now().uptimeNanoseconds - start < 500_000_000) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        times.sort()
        return (times[times.count / 2], times[0])
    }
}
