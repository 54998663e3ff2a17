import Foundation
import PluginAPI
import Spec
import Testing

/// Settings read like a spec: every problem at its line and column, defaults for what is left out.
@Suite struct ConfigFileTests {
    struct ServiceSettings: PluginConfig {
        var workers = 2
        var name = "svc"
        var timeoutSeconds: Double? = nil
        var environment: [String: String] = [:]
        var limits = Limits()
        struct Limits: Codable, Sendable { var files = 64 }

        static let documentation: [String: FieldDoc] = [
            "workers": FieldDoc("Worker count.", range: .atLeast(1)),
            "name": FieldDoc("Service name."),
            "timeout_seconds": FieldDoc("Timeout.", range: .positive, type: .number),
            "environment": FieldDoc("Variables.", type: .any),
            "limits": FieldDoc("Limits."),
            "limits.files": FieldDoc("Open files.", range: .atLeast(16)),
        ]
        func validate(_ v: inout ConfigValidator) { v.check(!name.isEmpty, key: "name", "must not be empty") }
    }

    @Test func everyProblemIsReportedAtItsPosition() throws {
        let dir = try TempDir()
        let file = try dir.write(
            "svc.yaml",
            """
            workerz: 3
            timeout_seconds: fast
            limits:
              files: 4
            """)
        do {
            _ = try ConfigFile<ServiceSettings>.load(contentsOf: file)
            Issue.record("expected problems")
        } catch {
            let lines = error.problems.map { $0.description.replacingOccurrences(of: dir.url.path + "/", with: "") }
            #expect(
                lines == [
                    "svc.yaml:1:1: workerz: unknown key 'workerz'; did you mean 'workers'?",
                    "svc.yaml:2:18: timeout_seconds: expected a number, found a string",
                    "svc.yaml:4:10: limits.files: must be >= 16 (got 4)",
                ])
        }
    }

    @Test func leftOutKeysKeepTheirDefaultsAndDictionaryKeysKeepTheirCase() throws {
        let loaded = try ConfigFile<ServiceSettings>.load(
            yaml: "workers: 4\nenvironment: {OMP_NUM_THREADS: '2', lower_case: x}\n", file: "svc.yaml")
        #expect(loaded.config.workers == 4 && loaded.config.name == "svc" && loaded.config.limits.files == 64)
        #expect(loaded.config.environment == ["OMP_NUM_THREADS": "2", "lower_case": "x"])
        #expect(Set(loaded.given.keys) == ["workers", "environment"])
    }

    @Test func anEmptyFileIsTheDefaultsAndAListIsRefused() throws {
        #expect(try ConfigFile<ServiceSettings>.load(yaml: "# nothing\n", file: "svc.yaml").config.workers == 2)
        #expect(throws: SpecError.self) { try ConfigFile<ServiceSettings>.load(yaml: "- a\n", file: "svc.yaml") }
        #expect(problems("name: ''\nworkers: [1\n").map(\.kind) == [.syntax])
        #expect(problems("name: ''\n").map(\.description) == ["svc.yaml:1:7: name: must not be empty"])
    }

    private func problems(_ yaml: String) -> [SpecProblem] {
        do {
            _ = try ConfigFile<ServiceSettings>.load(yaml: yaml, file: "svc.yaml")
            Issue.record("expected problems in \(yaml)")
            return []
        } catch {
            return error.problems
        }
    }
}
