import Foundation
import Testing
import TensorEngine
import Experiment

@Suite struct ImageLoaderTests {
    static let pixels: [UInt8] = (0..<(3 * 4 * 5)).map { UInt8($0 * 4) }

    func writeMNIST(_ dir: TemporaryDirectory, gzip: Bool) {
        let files: [(String, [UInt8])] = [
            ("train-images-idx3-ubyte", FileBuilder.idx(type: 0x08, shape: [3, 4, 5], payload: Self.pixels)),
            ("train-labels-idx1-ubyte", FileBuilder.idx(type: 0x08, shape: [3], payload: [7, 0, 9])),
            ("t10k-images-idx3-ubyte",
             FileBuilder.idx(type: 0x08, shape: [1, 4, 5], payload: Array(Self.pixels[0..<20]))),
            ("t10k-labels-idx1-ubyte", FileBuilder.idx(type: 0x08, shape: [1], payload: [3])),
        ]
        for (name, bytes) in files {
            if gzip { dir.write(name + ".gz", try! Zlib.deflate(bytes, format: .gzip)) } else { dir.write(name, bytes) }
        }
    }

    @Test(arguments: [false, true]) func mnistRoundTrips(gzip: Bool) throws {
        let dir = TemporaryDirectory()
        writeMNIST(dir, gzip: gzip)
        let d = try MNIST.load(directory: dir.url, variant: .fashion)
        #expect(d.train.inputs.shape == [3, 1, 4, 5] && d.test.inputs.shape == [1, 1, 4, 5])
        #expect(d.train.labels.scalars == [7, 0, 9] && d.test.labels.scalars == [3])
        #expect(d.train.inputs.scalars == Self.pixels.map { Float($0) / 255 })
        #expect(d.classNames?[9] == "Ankle boot")
    }

    @Test func idxReadsWiderTypes() throws {
        let dir = TemporaryDirectory()
        var payload = [UInt8]()
        for v: Int32 in [-5, 70000, 3, 0] { payload.appendBigEndian(v) }
        let ints = try IDXFile.read(dir.write("i.idx", FileBuilder.idx(type: 0x0C, shape: [2, 2], payload: payload)))
        #expect(ints.shape == [2, 2] && ints.scalars == [-5, 70000, 3, 0])
        payload = []
        for v: Float in [1.5, -2.25] { payload.appendBigEndian(v.bitPattern) }
        let floats = try IDXFile.read(dir.write("f.idx", FileBuilder.idx(type: 0x0D, shape: [2], payload: payload)))
        #expect(floats.scalars == [1.5, -2.25])
    }

    @Test func idxRejectsBadFiles() {
        let dir = TemporaryDirectory()
        let good = FileBuilder.idx(type: 0x08, shape: [3, 4, 5], payload: Self.pixels)
        let cut = dir.write("cut", Array(good.dropLast(7)))
        guard case .truncated(let file, let need, let have)? = datasetError({ _ = try IDXFile.read(cut) }) else {
            Issue.record("truncated IDX not rejected"); return
        }
        #expect(file == cut.path && need == good.count && have == good.count - 7)

        let magic = dir.write("magic", [0x1F, 0x00, 0x08, 0x01, 0, 0, 0, 1, 5])
        let e = datasetError { _ = try IDXFile.read(magic) }
        #expect(caseName(e) == "badMagic")
        #expect(e?.description.contains("magic") == true && e?.description.contains(magic.path) == true)

        let gz = try! Zlib.deflate(good, format: .gzip)
        let badGzip = dir.write("cut.gz", Array(gz.prefix(gz.count / 2)))
        let g = datasetError { _ = try IDXFile.read(badGzip) }
        #expect(caseName(g) == "corruptCompressedData", "\(String(describing: g))")

        writeMNIST(dir, gzip: false)
        dir.write("train-labels-idx1-ubyte", FileBuilder.idx(type: 0x08, shape: [2], payload: [1, 2]))
        let m = datasetError { _ = try MNIST.load(directory: dir.url) }
        #expect(caseName(m) == "shapeMismatch")
        #expect(m?.file.hasSuffix("train-labels-idx1-ubyte") == true)
    }

    static func cifarRecord(label: [UInt8], fill: UInt8) -> [UInt8] { label + [UInt8](repeating: fill, count: 3072) }

    @Test func cifar10RoundTrips() throws {
        let dir = TemporaryDirectory()
        for k in 1...5 {
            dir.write("data_batch_\(k).bin", Self.cifarRecord(label: [UInt8(k)], fill: UInt8(k))
                      + Self.cifarRecord(label: [0], fill: 255))
        }
        var test = Self.cifarRecord(label: [9], fill: 0)
        test[1 + 1024 + 33] = 51  // green channel, row 1, column 1
        dir.write("test_batch.bin", test)
        dir.write("batches.meta.txt", text: "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n")
        let d = try CIFAR.load(directory: dir.url)
        #expect(d.train.inputs.shape == [10, 3, 32, 32] && d.test.inputs.shape == [1, 3, 32, 32])
        #expect(d.train.labels.scalars == [1, 0, 2, 0, 3, 0, 4, 0, 5, 0])
        #expect(d.test.inputs[0, 1, 1, 1] == 0.2 && d.test.inputs[0, 0, 1, 1] == 0)
        #expect(d.train.inputs[1, 2, 31, 31] == 1)
        #expect(d.classNames?.last == "truck")
    }

    @Test func cifar100PicksFineOrCoarseLabels() throws {
        let dir = TemporaryDirectory()
        let records = Self.cifarRecord(label: [3, 77], fill: 1) + Self.cifarRecord(label: [19, 99], fill: 2)
        let batch = dir.write("train.bin", records)
        #expect(try CIFAR.readBatch(batch, variant: .cifar100(fine: true)).labels.scalars == [77, 99])
        #expect(try CIFAR.readBatch(batch, variant: .cifar100(fine: false)).labels.scalars == [3, 19])
        // Read as CIFAR-10 the record size is wrong.
        let e = datasetError { _ = try CIFAR.readBatch(batch, variant: .cifar10) }
        #expect(caseName(e) == "truncated")
    }

    @Test func cifarRejectsTruncatedBatches() {
        let dir = TemporaryDirectory()
        let cut = dir.write("data_batch_1.bin", Array(Self.cifarRecord(label: [1], fill: 1).dropLast(100)))
        let e = datasetError { _ = try CIFAR.readBatch(cut, variant: .cifar10) }
        guard case .truncated(let file, let need, let have)? = e else { Issue.record("not rejected"); return }
        #expect(file == cut.path && need == 3073 && have == 2973)
        #expect(e!.description.contains("truncated"))
    }
}
