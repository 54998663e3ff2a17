import Foundation
import Testing

/// `kiln run` keeps one progress line at the bottom of a terminal and leaves it out of a pipe: the real binary,
/// under a pseudo-terminal from util-linux `script`.
@Suite struct TerminalProgressTests {
    /// `script`, where installed.
    static let script: URL? = ["/usr/bin/script", "/bin/script"].map { URL(fileURLWithPath: $0) }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }

    static let spec = """
        data: {dataset: data.blobs, classes: 3, train_per_class: 40, test_per_class: 10}
        model: {plugin: model.mlp, hidden: [16]}
        optimizer: {plugin: optim.adam}
        train: {method: train.supervised, steps: 150, batch: 16}
        resources: {threads: 1}
        """

    /// `step 150/150 100%  812.3 steps/s  ETA 0:00  loss 0.0123`, drawn over the line before it.
    static let finalLine = #"\r\x{1B}\[Kstep 150/150 100%  [0-9]+\.[0-9] steps/s  ETA 0:00  loss [0-9.e+-]+"#

    @Test(.enabled(if: script != nil, "util-linux `script` is not installed"))
    func onATerminalTheRunDrawsAProgressLine() async throws {
        let dir = try Scratch()
        try dir.write("blobs.yaml", Self.spec)
        // `script -q -e -c CMD /dev/null`: CMD on a new pseudo-terminal; the terminal's output comes to stdout.
        let command = "'\(KilnProcess.executable.path)' run blobs.yaml"
        let result = try await KilnProcess.run(
            ["-q", "-e", "-c", command, "/dev/null"], in: dir.url, executable: try #require(Self.script))
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.range(of: Self.finalLine, options: .regularExpression) != nil, "\(result.stdout)")
        #expect(result.stdout.contains("kiln: finished"))
    }

    @Test func throughAPipeThereIsNoProgressLine() async throws {
        let dir = try Scratch()
        try dir.write("blobs.yaml", Self.spec)
        let result = try await KilnProcess.run(["run", "blobs.yaml"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("kiln: finished"))
        #expect(!result.stderr.contains("\r") && !result.stderr.contains("steps/s"), "\(result.stderr)")
    }
}
