import Foundation
import TensorEngine
import TensorNN
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The `optstep` workload of shared/bench/WORKLOADS.md: Adam over 10.0M parameters shaped like a 3-layer d=512
/// transformer, fixed random gradients. Runs only with KILN_BENCH=1, in release:
///
///     KILN_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter OptimizerBenchmarkTests
///
/// Under `LD_PRELOAD` of tools/bench/malloc_count.c it also counts heap allocations in warm steps: none on one
/// thread; on more, only the three small closure/block boxes `DispatchQueue.concurrentPerform` makes inside
/// `parallelFor` for each tensor large enough to split.
@Suite struct OptimizerBenchmarkTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["KILN_BENCH"] == "1"))
    func adamStepMovesSevenFloatsPerParameterAtMemorySpeed() {
        let d = 512
        let layers = 3
        let vocab = 1024
        let ctx = 36
        var shapes: [[Int]] = [[vocab, d], [ctx, d]]
        for _ in 0..<layers {
            shapes += [[d], [d], [d, 3 * d], [3 * d], [d, d], [d], [d], [d], [d, 4 * d], [4 * d], [4 * d, d], [d]]
        }
        shapes += [[d], [d]]
        var rng = RandomGenerator(seed: 1)
        let params = shapes.enumerated().map { i, s in
            NamedParameter("p\(i)", Parameter(Tensor.normal(s, std: 0.02, using: &rng)))
        }
        for p in params { injectGradient(Tensor.normal(p.parameter.shape, std: 1e-3, using: &rng), into: p.parameter) }
        let count = params.reduce(0) { $0 + $1.parameter.count }
        let threads = Int(ProcessInfo.processInfo.environment["KILN_THREADS"] ?? "2")!
        let saved = Engine.threads
        Engine.threads = threads
        defer { Engine.threads = saved }
        let adam = Adam(params, lr: 1e-3)
        for _ in 0..<5 { adam.step() }
        var times: [Double] = []
        let live = TensorStorage.liveCount
        let allocations = allocationCount()
        for _ in 0..<10 { adam.step() }
        if let before = allocations, let after = allocationCount() {
            if threads == 1 { #expect(after == before, "10 warm steps made \(after - before) heap allocations") }
            print("optstep: \(after - before) heap allocations in 10 warm steps")
        }
        let start = Date()
        while times.count < 20 || (Date().timeIntervalSince(start) < 2 && times.count < 200) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            adam.step()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        #expect(TensorStorage.liveCount == live, "steps allocate no tensors")
        times.sort()
        let median = times[times.count / 2]
        let gbps = Double(count) * 7 * 4 / (median / 1e3) / 1e9
        print(
            "optstep: \(count) parameters, \(threads) threads: median \(median) ms (min \(times[0]), max \(times.last!)), "
                + "\(gbps) GB/s over \(times.count) steps")
    }
}

/// Heap allocations so far, when tools/bench/malloc_count.c is preloaded.
private func allocationCount() -> Int? {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "kiln_allocation_count") else { return nil }
    return symbol.load(as: Int.self)
}
