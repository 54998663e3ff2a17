import Experiment
import Foundation
import Testing

/// The metrics files survive resumes as an uninterrupted run would have written them.
@Suite struct MetricsLogTests {
    @Test func resumingDropsRecordsAfterTheCheckpointAndAddsColumns() throws {
        let dir = TemporaryDirectory()
        do {
            let log = try MetricsLog(folder: dir.url)
            for step in 1...5 { try log.log(MetricRecord(step: step, values: ["loss": Double(10 - step)])) }
        }
        // A partial last line, as a kill -9 mid-write leaves.
        let handle = try FileHandle(forWritingTo: dir.url.appendingPathComponent("metrics.jsonl"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"step\":6,\"lo".utf8))
        try handle.close()

        let resumed = try MetricsLog(folder: dir.url, resumeStep: 3)
        #expect(resumed.records.map(\.step) == [1, 2, 3])
        try resumed.log(MetricRecord(step: 4, values: ["loss": 6, "test.accuracy": 0.5]))
        let csv = try String(contentsOf: dir.url.appendingPathComponent("metrics.csv"), encoding: .utf8)
        #expect(csv == "step,loss,test.accuracy\n1,9,\n2,8,\n3,7,\n4,6,0.5\n")
        let jsonl = try String(contentsOf: dir.url.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        #expect(jsonl.split(separator: "\n").last == "{\"step\":4,\"loss\":6,\"test.accuracy\":0.5}")
    }
}
