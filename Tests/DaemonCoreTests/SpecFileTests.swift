import PluginAPI
import Foundation
import Glibc
import Testing

@testable import DaemonCore

@Suite struct SpecFileTests {
    @Test func sha256MatchesPublishedVectors() {
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let twoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(SHA256.hex(Array(twoBlocks.utf8)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // 55 and 56 bytes straddle the padding boundary.
        #expect(
            SHA256.hex(Array(String(repeating: "a", count: 55).utf8))
                == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(
            SHA256.hex(Array(String(repeating: "a", count: 56).utf8))
                == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
    }

    @Test func identityIsTheContentNotTheName() {
        let a = SpecIdentity(contents: Data("model: a\n".utf8))
        #expect(a == SpecIdentity(contents: Data("model: a\n".utf8)))
        #expect(a != SpecIdentity(contents: Data("model: b\n".utf8)))
        #expect(a.contentHash.hasPrefix("sha256:") && a.contentHash.count == 7 + 64 && a.short.count == 12)
    }

    @Test(arguments: [
        ("exp.yaml", SpecFile.Kind.spec), ("exp.yml", .spec), ("EXP.YAML", .spec), ("exp.cancel", .cancelRequest),
    ])
    func recognisesSpecsAndCancelRequests(name: String, kind: SpecFile.Kind) {
        #expect(SpecFile.kind(ofFileNamed: name) == kind)
    }

    @Test(arguments: [
        ".exp.yaml", "exp.yaml~", "exp.yaml.swp", ".exp.yaml.swp", "exp.yaml.tmp", "exp.yaml.part", "exp.json",
        "README", ".yaml", "exp.run", "#exp.yaml#",
    ])
    func ignoresTemporariesAndOtherFiles(name: String) {
        #expect(SpecFile.kind(ofFileNamed: name) == nil)
    }

    @Test func runFoldersAreNotWatchedSubfolders() {
        #expect(SpecFile.isWatchedSubfolder(named: "team-a"))
        for name in ["exp.run", "exp.run.1", "exp.run.12", ".hidden"] {
            #expect(!SpecFile.isWatchedSubfolder(named: name), "\(name)")
        }
    }

    @Test func refusesSymlinkOutOfTheDropDirectory() throws {
        let root = try TempDirectory("symlink")
        defer { root.remove() }
        let drop = try root.directory("drop")
        let secret = try writeFile(root.path("secret.yaml"), "token: 123\n")
        let inside = try writeFile(drop.appendingPathComponent("real.yaml"), "model: x\n")
        symlink(secret.path, drop.appendingPathComponent("escape.yaml").path)
        symlink(inside.path, drop.appendingPathComponent("alias.yaml").path)
        symlink("/nonexistent/nothing.yaml", drop.appendingPathComponent("dangling.yaml").path)

        #expect(throws: SpecFile.ReadError.escapesDropDirectory(target: secret.path)) {
            try SpecFile.read(drop.appendingPathComponent("escape.yaml"), dropDirectory: drop, maxBytes: 1000)
        }
        #expect(throws: SpecFile.ReadError.escapesDropDirectory(target: "")) {
            try SpecFile.read(drop.appendingPathComponent("dangling.yaml"), dropDirectory: drop, maxBytes: 1000)
        }
        let data = try SpecFile.read(drop.appendingPathComponent("alias.yaml"), dropDirectory: drop, maxBytes: 1000)
        #expect(String(decoding: data, as: UTF8.self) == "model: x\n")
    }

    @Test func refusesFifosAndOversizedFilesWithoutBlocking() throws {
        let drop = try TempDirectory("fifo")
        defer { drop.remove() }
        let fifo = drop.path("pipe.yaml")
        mkfifo(fifo.path, 0o644)
        #expect(throws: SpecFile.ReadError.notRegularFile) {
            try SpecFile.read(fifo, dropDirectory: drop.url, maxBytes: 1000)
        }
        let big = try writeFile(drop.path("big.yaml"), String(repeating: "x", count: 2000))
        #expect(throws: SpecFile.ReadError.tooLarge(bytes: 2000, limit: 1000)) {
            try SpecFile.read(big, dropDirectory: drop.url, maxBytes: 1000)
        }
        #expect(throws: SpecFile.ReadError.missing) {
            try SpecFile.read(drop.path("gone.yaml"), dropDirectory: drop.url, maxBytes: 1000)
        }
    }

    @Test func runFolderNamesAndArchiveNeverOverwrite() throws {
        let drop = try TempDirectory("folder")
        defer { drop.remove() }
        let sub = try drop.directory("team")
        let folder = RunFolder(spec: sub.appendingPathComponent("exp.yaml"), dropDirectory: drop.url)
        #expect(folder.name == "team/exp")
        #expect(folder.directory.lastPathComponent == "exp.run")
        #expect(folder.cancelRequest.lastPathComponent == "exp.cancel")

        try folder.create()
        try writeFile(folder.directory.appendingPathComponent("a"), "first")
        #expect(try folder.archive().lastPathComponent == "exp.run.1")
        // Occupy .2 so the next archive must skip it.
        try FileManager.default.createDirectory(
            at: sub.appendingPathComponent("exp.run.2"), withIntermediateDirectories: false)
        try writeFile(sub.appendingPathComponent("exp.run.2/keep"), "x")
        try folder.create()
        #expect(try folder.archive().lastPathComponent == "exp.run.3")
        #expect(FileManager.default.fileExists(atPath: sub.appendingPathComponent("exp.run.1/a").path))
        #expect(FileManager.default.fileExists(atPath: sub.appendingPathComponent("exp.run.2/keep").path))
    }
}
