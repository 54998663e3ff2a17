import Foundation
import PluginAPI
import Spec
import Testing

@Suite struct PathPolicyTests {
    let dir: TempDir
    let dataRoot: URL
    let specs: URL
    let outside: URL

    init() throws {
        dir = try TempDir()
        dataRoot = try dir.folder("data")
        specs = try dir.folder("data/specs")
        outside = try dir.folder("elsewhere")
        try dir.write("data/train.csv", "x,y\n")
        try dir.write("elsewhere/secret.csv", "x,y\n")
    }

    private var policy: PathPolicy { PathPolicy(roots: [dataRoot]) }

    @Test func relativePathsResolveAgainstTheSpecsDirectory() throws {
        let resolved = try policy.resolve("../train.csv", relativeTo: specs, requirement: .existingFile)
        #expect(resolved.path == PathPolicy(roots: [dataRoot]).roots[0].appendingPathComponent("train.csv").path)
        #expect(try policy.resolve("cache/new", relativeTo: specs).lastPathComponent == "new")
    }

    @Test func dotDotEscapesAreRejected() {
        #expect {
            try policy.resolve("../../elsewhere/secret.csv", relativeTo: specs)
        } throws: { error in
            guard let error = error as? PathError, case .parentEscape = error.reason else { return false }
            return error.description.hasPrefix("'../../elsewhere/secret.csv' uses '..' to leave the data roots")
        }
    }

    @Test func absolutePathsOutsideTheRootsAreRejected() throws {
        let inside = dataRoot.appendingPathComponent("train.csv").path
        #expect(
            try policy.resolve(inside, relativeTo: specs, requirement: .existingFile).lastPathComponent == "train.csv")
        #expect {
            try policy.resolve("/etc/passwd", relativeTo: specs)
        } throws: { error in
            (error as? PathError)?.reason == .absoluteOutsideRoots
                && "\(error)".hasPrefix("absolute path '/etc/passwd' is outside the data roots")
        }
    }

    @Test func symlinksThatEscapeAreRejected() throws {
        try FileManager.default.createSymbolicLink(
            at: dataRoot.appendingPathComponent("link"), withDestinationURL: outside)
        try FileManager.default.createSymbolicLink(
            at: dataRoot.appendingPathComponent("inner"), withDestinationURL: dataRoot.appendingPathComponent("specs"))
        #expect {
            try policy.resolve("../link/secret.csv", relativeTo: specs)
        } throws: { error in
            guard let error = error as? PathError, case .symlinkEscape(let target) = error.reason else { return false }
            return target.hasSuffix("/elsewhere/secret.csv") && "\(error)".contains("goes through a symlink")
        }
        // A symlink that stays inside the roots is fine.
        #expect(
            try policy.resolve("../inner", relativeTo: specs, requirement: .existingDirectory).lastPathComponent
                == "specs")
    }

    @Test func requirementsAreChecked() {
        #expect(throws: PathError.self) {
            try policy.resolve("../missing.csv", relativeTo: specs, requirement: .existingFile)
        }
        #expect(throws: PathError.self) { try policy.resolve("..", relativeTo: specs, requirement: .existingFile) }
        #expect(throws: PathError.self) {
            try policy.resolve("../train.csv", relativeTo: specs, requirement: .existingDirectory)
        }
        #expect(throws: PathError.self) { try policy.resolve("", relativeTo: specs) }
    }

    @Test func specPathKeysAreCheckedAndNamedInTheReport() throws {
        try FileManager.default.createSymbolicLink(
            at: dataRoot.appendingPathComponent("link"), withDestinationURL: outside)
        let loader = SpecLoader(registry: try FakePlugins.registry, dataRoots: [dataRoot])
        func problems(_ file: String) throws -> [String] {
            let url = try dir.write(
                "data/specs/s.yaml",
                spiralsSpec.replacingOccurrences(
                    of: "data:  {dataset: data.spirals, classes: 3, train: 3000, test: 1000}",
                    with: "data: {dataset: data.csv, file: \(file)}"))
            return loader.validate(contentsOf: url).map { "\($0.line):\($0.column): \($0.keyPath): \($0.message)" }
        }
        #expect(try problems("../train.csv").isEmpty)
        #expect(
            try problems("../../elsewhere/secret.csv").first?.hasPrefix(
                "3:33: data.file: '../../elsewhere/secret.csv' uses '..'") == true)
        #expect(try problems("\(outside.path)/secret.csv").first?.hasPrefix("3:33: data.file: absolute path") == true)
        #expect(
            try problems("../link/secret.csv").first?.contains("data.file: '../link/secret.csv' goes through a symlink")
                == true)
        #expect(try problems("../nope.csv").first?.contains("data.file: '../nope.csv' does not exist") == true)

        let url = try dir.write(
            "data/specs/ok.yaml",
            spiralsSpec.replacingOccurrences(
                of: "data:  {dataset: data.spirals, classes: 3, train: 3000, test: 1000}",
                with: "data: {dataset: data.csv, file: ../train.csv}"))
        let spec = try #require(try loader.load(contentsOf: url).runs.first)
        #expect(
            spec.data.config(as: CSVDataConfig.self)?.file == policy.roots[0].appendingPathComponent("train.csv").path)
    }

    @Test func aRelativePathFromASpecOutsideTheRootsSaysSoWithoutMentioningDotDot() throws {
        let spec = PathPolicy(roots: [outside]).roots[0]
        #expect {
            try policy.resolve("nonexist.csv", relativeTo: outside, requirement: .existingFile)
        } throws: { error in
            guard let error = error as? PathError, case .folderOutsideRoots = error.reason else { return false }
            return error.description
                == "'nonexist.csv' is relative to the spec's folder \(spec.path), which is outside the data roots "
                + "(allowed: \(policy.roots[0].path))"
        }
    }

    @Test func anEmptyPathIsRefusedWhenWritten() throws {
        let loader = SpecLoader(registry: try FakePlugins.registry, dataRoots: [dataRoot])
        let written = try dir.write(
            "data/specs/empty.yaml",
            spiralsSpec.replacingOccurrences(
                of: "data:  {dataset: data.spirals, classes: 3, train: 3000, test: 1000}",
                with: "data: {dataset: data.csv, file: \"\", cache_dir: \"\"}"))
        #expect(
            loader.validate(contentsOf: written).map { "\($0.line):\($0.column): \($0.keyPath): \($0.message)" } == [
                "3:33: data.file: must not be empty", "3:48: data.cache_dir: must not be empty",
            ])
        // Left out, an optional path stays unset.
        let unset = try dir.write(
            "data/specs/unset.yaml",
            spiralsSpec.replacingOccurrences(
                of: "data:  {dataset: data.spirals, classes: 3, train: 3000, test: 1000}",
                with: "data: {dataset: data.csv, file: ../train.csv}"))
        #expect(loader.validate(contentsOf: unset).isEmpty)
    }

    @Test func startFromMustStayInsideTheRunRoots() throws {
        let loader = SpecLoader(registry: try FakePlugins.registry)
        try dir.write("data/specs/base/checkpoints/final.safetensors", "")
        let good = try dir.write(
            "data/specs/good.yaml", "start_from: base/checkpoints/final.safetensors\n" + spiralsSpec)
        let spec = try #require(try loader.load(contentsOf: good).runs.first)
        #expect(spec.startFrom?.lastPathComponent == "final.safetensors")
        let bad = try dir.write("data/specs/bad.yaml", "start_from: ../../elsewhere/secret.csv\n" + spiralsSpec)
        #expect(
            loader.validate(contentsOf: bad).map(\.description).first?.contains(
                "bad.yaml:1:13: start_from: '../../elsewhere/secret.csv' uses '..' to leave the run roots") == true)
    }
}
