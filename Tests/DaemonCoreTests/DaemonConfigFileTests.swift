import DaemonCore
import Foundation
import PluginAPI
import Spec
import Testing

/// The daemon's settings file: its schema, the shipped `etc/kiln.yaml`, and located errors.
@Suite struct DaemonConfigFileTests {
    /// The repository root, from this file's path.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func everySettingIsDocumented() throws {
        #expect(try DaemonConfig.documentationProblems() == [])
        #expect(DaemonConfig().problems() == [])
        #expect(DaemonConfig() == DaemonConfig(dropDirectory: "/var/lib/kiln/drop"))
    }

    @Test func shippedSettingsAreValidAndNameEveryKey() throws {
        let file = Self.repository.appendingPathComponent("etc/kiln.yaml")
        let loaded = try ConfigFile<DaemonConfig>.load(contentsOf: file)
        #expect(loaded.config.problems() == [])
        let keys = try DaemonConfig.fieldDescriptions().map(\.key)
        let given = Self.keyPaths(of: loaded.given)
        #expect(keys.filter { !given.contains($0) } == [], "keys missing from etc/kiln.yaml")
        // Apart from the paths the service layout chooses, the shipped values are the built-in defaults.
        var expected = DaemonConfig()
        expected.dataRoots = loaded.config.dataRoots
        #expect(loaded.config == expected)
    }

    @Test func systemdStopTimeoutLeavesRoomForTheShutdownDeadline() throws {
        let unit = try String(
            contentsOf: Self.repository.appendingPathComponent("etc/systemd/kiln.service"), encoding: .utf8)
        let config = try DaemonConfig.load(contentsOf: Self.repository.appendingPathComponent("etc/kiln.yaml"))
        func seconds(_ key: String) -> Double? {
            unit.split(separator: "\n").first { $0.hasPrefix(key + "=") }.flatMap {
                Double($0.dropFirst(key.count + 1).trimmingCharacters(in: CharacterSet.letters.union(.whitespaces)))
            }
        }
        let stop = try #require(seconds("TimeoutStopSec"))
        #expect(stop >= config.shutdownDeadlineSeconds + 10)
        #expect(seconds("WatchdogSec") != nil)
        #expect(unit.contains("Type=notify") && unit.contains("NotifyAccess=main"))
        #expect(unit.contains("RestartPreventExitStatus=78"))
        #expect(unit.contains("ReadWritePaths=\(config.dropDirectory)"))
    }

    @Test func problemsAreLocatedAndAllReported() {
        let yaml = """
            drop_directory: /srv/drop
            concurency: 2
            threads_per_run: 0
            environment: {OPENBLAS_CORETYPE: Haswell}
            limits: {memory_mib: lots, wall_time: 5}
            """
        do {
            _ = try DaemonConfig.load(yaml: yaml, file: "kiln.yaml")
            Issue.record("expected problems")
        } catch {
            #expect(
                error.problems.map(\.description) == [
                    "kiln.yaml:2:1: concurency: unknown key 'concurency'; did you mean 'concurrency'?",
                    "kiln.yaml:3:18: threads_per_run: must be >= 1 (got 0)",
                    "kiln.yaml:5:22: limits.memory_mib: expected an integer, found a string",
                    "kiln.yaml:5:28: limits.wall_time: unknown key 'wall_time'; did you mean 'wall_time_seconds'?",
                ])
        }
    }

    @Test func givenValuesOverrideDefaultsAndEnvironmentNamesKeepTheirCase() throws {
        let config = try DaemonConfig.load(
            yaml: "concurrency: 3\nenvironment: {OPENBLAS_CORETYPE: Haswell}\nlimits: {wall_time_seconds: 60}\n")
        #expect(config.concurrency == 3 && config.gracePeriodSeconds == 30)
        #expect(config.environment == ["OPENBLAS_CORETYPE": "Haswell"])
        #expect(config.limits.wallTimeSeconds == 60 && config.limits.memoryMiB == nil)
    }

    static func keyPaths(of object: ConfigObject, prefix: String = "") -> Set<String> {
        var paths: Set<String> = []
        for (key, value) in object {
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            paths.insert(path)
            if case .object(let nested) = value, key != "environment" {
                paths.formUnion(keyPaths(of: nested, prefix: path))
            }
        }
        return paths
    }
}
