import Foundation
import TensorEngine
import TensorNN
import Testing

/// Writes raw bytes: an 8-byte little-endian length, `header`, then `data`.
private func craft(_ header: String, data: [UInt8] = [], length: UInt64? = nil, in dir: URL) -> URL {
    let h = Array(header.utf8)
    let n = length ?? UInt64(h.count)
    var bytes = (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) }
    bytes += h + data
    let url = dir.appendingPathComponent("crafted-\(UUID().uuidString).safetensors")
    _ = FileManager.default.createFile(atPath: url.path, contents: Data(bytes))
    return url
}

private func sampleTensors() -> [String: Tensor] {
    var rng = RandomGenerator(seed: 21)
    return [
        "layers.0.weight": Tensor.normal([4, 3], using: &rng),
        "layers.0.bias": Tensor.normal([4], using: &rng),
        "scale": Tensor(2.5),
        "empty": Tensor.zeros([0, 3]),
        "Zeta.upper": Tensor([2], [1, 2]),
        "special": Tensor([6], [-0.0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude]),
    ]
}

@Suite struct SafeTensorsTests {
    @Test func roundTripIsBitExact() throws {
        let dir = temporaryDirectory()
        let url = dir.appendingPathComponent("t.safetensors")
        let tensors = sampleTensors()
        let metadata = ["note": "quotes \" and \\ and\nnewline and ünïcode", "rng": #"{"seed":7,"offset":3}"#]
        try SafeTensors.write(tensors, metadata: metadata, to: url)
        let (back, meta) = try SafeTensors.read(from: url)
        #expect(meta == metadata)
        #expect(Set(back.keys) == Set(tensors.keys))
        for (name, t) in tensors {
            #expect(back[name]!.shape == t.shape, "\(name) shape")
            #expect(bits(back[name]!) == bits(t), "\(name) bits")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(leftovers == ["t.safetensors"], "no temporary file left behind")
    }

    /// Parses the file by the format's definition alone (JSONSerialization, no Kiln reader).
    @Test func fileFollowsTheSafetensorsFormat() throws {
        let dir = temporaryDirectory()
        let url = dir.appendingPathComponent("t.safetensors")
        var tensors = sampleTensors()
        tensors["special"] = nil
        try SafeTensors.write(tensors, metadata: ["kind": "test"], to: url)
        let bytes = [UInt8](try Data(contentsOf: url))
        let n = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        #expect(n % 8 == 0, "header padded to 8 bytes so the data is aligned")
        let headerBytes = Array(bytes[8..<(8 + n)])
        #expect(headerBytes.first == UInt8(ascii: "{"))
        let header = try #require(try JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any])
        #expect(header["__metadata__"] as? [String: String] == ["kind": "test"])
        let names = header.keys.filter { $0 != "__metadata__" }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(Set(names) == Set(tensors.keys))
        var cursor = 0
        for name in names {
            let entry = try #require(header[name] as? [String: Any])
            #expect(entry["dtype"] as? String == "F32")
            let shape = try #require(entry["shape"] as? [Int])
            let offsets = try #require(entry["data_offsets"] as? [Int])
            #expect(shape == tensors[name]!.shape)
            #expect(offsets[0] == cursor, "\(name): keys sorted, data back to back")
            #expect(offsets[1] - offsets[0] == 4 * shape.reduce(1, *))
            let raw = bytes[(8 + n + offsets[0])..<(8 + n + offsets[1])]
            let values = stride(from: raw.startIndex, to: raw.endIndex, by: 4).map { i in
                Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(raw[i + $1]) << (8 * UInt32($1)) })
            }
            #expect(values == tensors[name]!.scalars, "\(name) little-endian float32 data")
            cursor = offsets[1]
        }
        #expect(8 + n + cursor == bytes.count, "data covers the rest of the file exactly")
    }

    /// The same check in Python with only json and struct (and safetensors' own loader when installed).
    @Test func pythonReadsTheFile() throws {
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python) else { return }
        let dir = temporaryDirectory()
        let url = dir.appendingPathComponent("t.safetensors")
        var tensors = sampleTensors()
        tensors["special"] = nil
        try SafeTensors.write(tensors, metadata: ["kiln": "yes"], to: url)
        let script = #"""
            import json, struct, sys
            b = open(sys.argv[1], "rb").read()
            n = struct.unpack("<Q", b[:8])[0]
            h = json.loads(b[8:8 + n].decode("utf-8"))
            meta = h.pop("__metadata__", {})
            out, end = {}, 0
            for name, info in sorted(h.items(), key=lambda kv: kv[1]["data_offsets"]):
                s, e = info["data_offsets"]
                assert s == end and info["dtype"] == "F32", name
                count = 1
                for d in info["shape"]:
                    count *= d
                assert e - s == 4 * count, name
                out[name] = {"shape": info["shape"], "values": list(struct.unpack("<%df" % count, b[8 + n + s:8 + n + e]))}
                end = e
            assert 8 + n + end == len(b)
            try:
                from safetensors.numpy import load_file
                loaded = load_file(sys.argv[1])
                assert sorted(loaded) == sorted(out)
            except ImportError:
                pass
            print(json.dumps({"metadata": meta, "tensors": out}))
            """#
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "python rejected the file")
        let parsed = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
        #expect(parsed["metadata"] as? [String: String] == ["kiln": "yes"])
        let read = try #require(parsed["tensors"] as? [String: [String: Any]])
        for (name, t) in tensors {
            #expect(read[name]?["shape"] as? [Int] == t.shape)
            let values = (read[name]?["values"] as? [Double])?.map(Float.init)
            #expect(values == t.scalars, "\(name) values through python")
        }
    }

    @Test func truncatedFilesAreRejected() throws {
        let dir = temporaryDirectory()
        let url = dir.appendingPathComponent("t.safetensors")
        try SafeTensors.write(sampleTensors(), to: url)
        let full = try Data(contentsOf: url)
        let n = (0..<8).reduce(0) { $0 | Int(full[$1]) << (8 * $1) }
        for cut in [0, 5, 8, 8 + n / 2, 8 + n + 3, full.count - 1] {
            let short = dir.appendingPathComponent("cut-\(cut).safetensors")
            try full.prefix(cut).write(to: short)
            do {
                _ = try SafeTensors.read(from: short)
                Issue.record("a file cut to \(cut) of \(full.count) bytes was accepted")
            } catch {
                switch error {
                case .truncated(let path, _), .headerLengthOutOfRange(let path, _, _): #expect(path == short.path)
                default: Issue.record("cut to \(cut): unexpected \(error)")
                }
                #expect(error.description.contains(short.lastPathComponent))
            }
        }
    }

    @Test func corruptHeadersAreRejectedWithClearErrors() throws {
        let dir = temporaryDirectory()
        let f32x2 = [UInt8](repeating: 0, count: 8)
        func expectError(_ url: URL, _ check: (CheckpointError) -> Bool, _ what: String) {
            do {
                _ = try SafeTensors.read(from: url)
                Issue.record("\(what): accepted")
            } catch {
                #expect(check(error), "\(what): got \(error)")
                #expect(error.description.contains(url.lastPathComponent), "\(what): message names the file")
            }
        }
        let good = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        expectError(
            craft(good, data: f32x2, length: 1 << 40, in: dir),
            {
                if case .headerLengthOutOfRange = $0 { return true } else { return false }
            }, "header length past the end")
        expectError(
            craft(String(good.dropLast()) + "]", data: f32x2, in: dir),
            {
                if case .malformedHeader = $0 { return true } else { return false }
            }, "malformed JSON")
        expectError(
            craft(#"[1, 2]"#, in: dir),
            {
                if case .malformedHeader = $0 { return true } else { return false }
            }, "not an object")
        expectError(
            craft(#"{"a":{"dtype":"F32","shape":[2]}}"#, data: f32x2, in: dir),
            {
                if case .malformedHeader(_, let reason) = $0 {
                    return reason.contains("data_offsets")
                } else {
                    return false
                }
            }, "missing data_offsets")
        expectError(
            craft(#"{"a":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}}"#, data: f32x2, in: dir),
            {
                $0 == .unsupportedDType(path: $0.path, tensor: "a", dtype: "F16")
            }, "wrong dtype")
        expectError(
            craft(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,12]}}"#, data: f32x2 + [0, 0, 0, 0], in: dir),
            {
                if case .invalidOffsets(_, "a", _) = $0 { return true } else { return false }
            }, "offsets not matching the shape")
        expectError(
            craft(
                #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                data: f32x2, in: dir),
            {
                if case .invalidOffsets(_, _, let reason) = $0 {
                    return reason.contains("overlaps")
                } else {
                    return false
                }
            }, "overlapping tensors")
        expectError(
            craft(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, data: f32x2 + [0, 0, 0, 0], in: dir),
            {
                if case .invalidOffsets(_, _, let reason) = $0 {
                    return reason.contains("uncovered")
                } else {
                    return false
                }
            }, "gap before a tensor")
        expectError(
            craft(good, data: f32x2 + [1, 2, 3, 4], in: dir),
            {
                if case .invalidOffsets = $0 { return true } else { return false }
            }, "bytes not covered at the end")
        expectError(
            craft(
                #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"__metadata__":{"k":1}}"#, data: f32x2, in: dir),
            {
                if case .malformedHeader = $0 { return true } else { return false }
            }, "metadata value not a string")
        // A written header with one structural byte changed (its first ':' made a ',').
        let url = dir.appendingPathComponent("flipped.safetensors")
        try SafeTensors.write(sampleTensors(), to: url)
        var bytes = try Data(contentsOf: url)
        let colon = try #require(bytes.dropFirst(8).firstIndex(of: UInt8(ascii: ":")))
        bytes[colon] = UInt8(ascii: ",")
        try bytes.write(to: url)
        expectError(
            url,
            {
                if case .malformedHeader = $0 { return true } else { return false }
            }, "corrupted written header")
    }

    @Test func writeFailuresLeaveNoFile() {
        let dir = temporaryDirectory()
        let url = dir.appendingPathComponent("missing-folder/t.safetensors")
        #expect(throws: CheckpointError.self) { try SafeTensors.write(["a": Tensor(1)], to: url) }
        #expect((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) == [])
    }
}

extension CheckpointError {
    /// The path every case carries, for comparisons in tests.
    var path: String {
        switch self {
        case .io(let p, _, _), .truncated(let p, _), .headerLengthOutOfRange(let p, _, _), .malformedHeader(let p, _),
            .unsupportedDType(let p, _, _), .invalidOffsets(let p, _, _), .unsupportedFormatVersion(let p, _, _),
            .invalidMetadata(let p, _, _), .nameCollision(let p, _), .incompatible(let p, _),
            .invalidLatestPointer(let p, _):
            return p
        }
    }
}
