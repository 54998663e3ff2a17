import ArgumentParser
import Foundation
import KilnServe
import TensorEngine

/// `kiln bench`: the shared workloads (../shared/bench/WORKLOADS.md) on Kiln's engine, in the JSON shape of the
/// PyTorch and JAX references so that `compare.py` pairs them key by key.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Run the benchmark workloads and print or save their timings.")

    @Option(help: "Workload to run (\(BenchWorkloads.names.joined(separator: ", "))) or 'all'.")
    var workload = "all"
    @Option(help: "Threads for Kiln's kernels and oneDNN.")
    var threads = 2
    @Option(help: "Write the results as JSON to this file.")
    var json: String?
    @Option(help: "Minimum timed seconds per workload.")
    var minTime = 2.0
    @Option(help: "Optimizer for the optstep workload (adam, or a plugin such as spam).")
    var optimizer = "adam"
    @Option(help: .hidden) var childOutput: String?

    func validate() throws {
        guard workload == "all" || BenchWorkloads.names.contains(workload) else {
            throw ValidationError("unknown workload '\(workload)'; choose from \(BenchWorkloads.names.joined(separator: ", ")) or all")
        }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        Engine.threads = threads
        if let childOutput {
            // Child mode: one workload in this fresh process, so its peak RSS is its own.
            var result = BenchWorkloads.run(workload, minTime: minTime, optimizer: optimizer)
            result["peak_rss_mb"] = BenchHarness.peakRSSMegabytes()
            let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            try data.write(to: URL(fileURLWithPath: childOutput))
            return
        }
        let names = workload == "all" ? BenchWorkloads.names : [workload]
        var results: [String: Any] = [:]
        for name in names {
            FileHandle.standardError.write(Data("bench: \(name)…\n".utf8))
            results[name] = try runChild(name)
            printSummary(name, results[name] as? [String: Any] ?? [:])
        }
        let document: [String: Any] = ["meta": meta(), "results": results]
        if let json {
            let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: json), options: .atomic)
            print("wrote \(json)")
        }
    }

    private func runChild(_ name: String) throws -> [String: Any] {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-bench-\(getpid())-\(name).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        child.arguments = ["bench", "--workload", name, "--threads", String(threads), "--min-time", String(minTime),
                           "--optimizer", optimizer, "--child-output", out.path]
        try child.run()
        child.waitUntilExit()
        guard child.terminationStatus == 0, let data = try? Data(contentsOf: out),
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return ["error": "workload process exited with status \(child.terminationStatus)"] }
        return object
    }

    private func printSummary(_ name: String, _ r: [String: Any]) {
        if let sizes = r["sizes"] as? [String: [String: Any]] {
            for (size, s) in sizes.sorted(by: { Int($0.key)! < Int($1.key)! }) {
                print(String(format: "%-8@ n=%-5@ %8.3f ms  %7.1f GFLOP/s", name, size,
                             s["median_ms"] as? Double ?? .nan, s["gflops_median"] as? Double ?? .nan))
            }
        } else if let ms = r["median_ms"] as? Double {
            print(String(format: "%-8@ %9.3f ms/step  (min %.3f, peak RSS %.0f MB)", name, ms,
                         r["min_ms"] as? Double ?? .nan, r["peak_rss_mb"] as? Double ?? .nan))
            if let rate = r["samples_per_s"] as? Double { print(String(format: "%-8@ %9.0f samples/s", name, rate)) }
        } else {
            print("\(name): \(r["error"] ?? "no result")")
        }
    }

    private func meta() -> [String: Any] {
        let env = ProcessInfo.processInfo.environment
        return ["engine": "kiln \(KilnVersion.string)", "threads": threads, "blas": Engine.blasDescription,
                "omp_threads": Engine.blasThreads, "host": ProcessInfo.processInfo.hostName,
                "cpu": CPUInfo.modelName, "OPENBLAS_CORETYPE": env["OPENBLAS_CORETYPE"] ?? "",
                "optimizer": optimizer]
    }
}

/// The workloads `kiln bench` knows.
enum BenchWorkloads {
    static let names = ["gemm", "mlp", "cnn", "lkcnn", "gcn", "gpt", "certify", "optstep"]

    static func run(_ name: String, minTime: Double, optimizer: String) -> [String: Any] {
        switch name {
        case "gemm": return GemmWorkload.run(minTime: minTime)
        case "mlp": return MLPWorkload.run(minTime: minTime)
        case "gcn": return GCNWorkload.run(minTime: minTime)
        case "gpt": return GPTWorkload.run(minTime: minTime)
        case "cnn": return CNNWorkload.run(minTime: minTime)
        case "lkcnn": return LKCNNWorkload.run(minTime: minTime)
        case "certify": return CertifyWorkload.run()
        case "optstep": return OptStepWorkload.run(minTime: minTime, optimizer: optimizer)
        default: return ["error": "unknown workload \(name)"]
        }
    }
}
