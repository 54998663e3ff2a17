import Foundation

/// Timing statistics of one workload, in the JSON shape `../shared/bench/torch_ref.py` writes.
struct StepStats: Codable {
    var n: Int
    var medianMs, minMs, maxMs, meanMs, p10Ms, p90Ms: Double
    var cpuUtil: Double

    enum CodingKeys: String, CodingKey {
        case n, medianMs = "median_ms", minMs = "min_ms", maxMs = "max_ms", meanMs = "mean_ms"
        case p10Ms = "p10_ms", p90Ms = "p90_ms", cpuUtil = "cpu_util"
    }

    var dictionary: [String: Any] {
        ["n": n, "median_ms": medianMs, "min_ms": minMs, "max_ms": maxMs, "mean_ms": meanMs, "p10_ms": p10Ms,
         "p90_ms": p90Ms, "cpu_util": cpuUtil]
    }
}

/// The shared timing protocol: 5 warm-up steps, then at least 20 timed steps, more until `minTime` seconds have
/// passed, at most 200.
enum BenchHarness {
    static func measure(warmup: Int = 5, minSteps: Int = 20, minTime: Double = 2, maxSteps: Int = 200,
                        _ step: () -> Void) -> StepStats {
        for _ in 0..<warmup { step() }
        var times: [Double] = []
        let cpu0 = cpuSeconds()
        let start = now()
        while true {
            let t0 = now()
            step()
            times.append((now() - t0) * 1e3)
            let elapsed = now() - start
            if times.count >= minSteps && (elapsed >= minTime || times.count >= maxSteps) { break }
        }
        let cpu = cpuSeconds() - cpu0
        return summarize(times, cpuUtil: cpu / (now() - start))
    }

    static func summarize(_ samples: [Double], cpuUtil: Double) -> StepStats {
        let s = samples.sorted()
        func pct(_ p: Double) -> Double {
            let k = Double(s.count - 1) * p
            let lo = Int(k.rounded(.down)), hi = Int(k.rounded(.up))
            return s[lo] + (s[hi] - s[lo]) * (k - Double(lo))
        }
        return StepStats(n: s.count, medianMs: pct(0.5), minMs: s.first!, maxMs: s.last!,
                         meanMs: s.reduce(0, +) / Double(s.count), p10Ms: pct(0.1), p90Ms: pct(0.9), cpuUtil: cpuUtil)
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Peak resident set size of this process in MB (getrusage reports KiB on Linux).
    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
