import Foundation
import PluginAPI
import Testing
import TensorEngine
import Experiment

@Suite struct ArrayLoaderTests {
    @Test func npyRoundTripsEveryDtype() throws {
        let dir = TemporaryDirectory()
        var files = 0
        func read(_ descr: String, _ shape: [Int], _ payload: [UInt8]) throws -> Tensor {
            files += 1
            let bytes = FileBuilder.npy(descr: descr, shape: shape, payload: payload)
            return try NumPy.readNPY(dir.write("\(files).npy", bytes))
        }
        let a = try read("<f4", [2, 3], FileBuilder.float32LE([1, 2, 3, 4, 5, -6.5]))
        #expect(a.shape == [2, 3] && a.scalars == [1, 2, 3, 4, 5, -6.5])

        var f8 = [UInt8]()
        for v in [0.25, -1e10] { f8.appendLittleEndian(v.bitPattern) }
        #expect(try read("<f8", [2], f8).scalars == [0.25, -1e10])

        var i8 = [UInt8]()
        for v: Int64 in [-3, 1 << 40] { i8.appendLittleEndian(v) }
        #expect(try read("<i8", [2], i8).scalars == [-3, Float(1 << 40)])

        var bigI4 = [UInt8]()
        for v: Int32 in [-2, 300] { bigI4.appendBigEndian(v) }
        #expect(try read(">i4", [2], bigI4).scalars == [-2, 300])

        let u1 = try read("|u1", [1, 2, 2], [0, 255, 7, 8])
        #expect(u1.shape == [1, 2, 2] && u1.scalars == [0, 255, 7, 8])
        #expect(try read("|b1", [3], [1, 0, 1]).scalars == [1, 0, 1])

        var f2 = [UInt8]()
        for v: UInt16 in [0x3C00, 0xC100, 0x0001] { f2.appendLittleEndian(v) }  // 1, -2.5, smallest subnormal
        #expect(try read("<f2", [3], f2).scalars == [1, -2.5, 0x1p-24])

        let scalar = try read("<f4", [], FileBuilder.float32LE([9]))
        #expect(scalar.shape == [] && scalar.item == 9)
    }

    @Test func npyRejectsFortranOrderTruncationAndBadMagic() {
        let dir = TemporaryDirectory()
        let payload = FileBuilder.float32LE([1, 2, 3, 4])
        let fortran = dir.write("f.npy", FileBuilder.npy(descr: "<f4", shape: [2, 2], payload: payload, fortran: true))
        let e = datasetError { _ = try NumPy.readNPY(fortran) }
        #expect(caseName(e) == "unsupported")
        #expect(e?.description.contains("Fortran") == true && e?.file == fortran.path)

        let good = FileBuilder.npy(descr: "<f4", shape: [4], payload: FileBuilder.float32LE([1, 2, 3, 4]))
        let cut = dir.write("cut.npy", Array(good.dropLast(3)))
        let t = datasetError { _ = try NumPy.readNPY(cut) }
        #expect(t == .truncated(file: cut.path, expectedBytes: good.count, actualBytes: good.count - 3))

        let magic = dir.write("m.npy", Array("NUMPY\u{1}\u{0}".utf8) + good.dropFirst(7))
        #expect(caseName(datasetError { _ = try NumPy.readNPY(magic) }) == "badMagic")

        let object = dir.write("o.npy", FileBuilder.npy(descr: "|O", shape: [1], payload: [0, 0, 0, 0, 0, 0, 0, 0]))
        #expect(caseName(datasetError { _ = try NumPy.readNPY(object) }) == "unsupported")
    }

    func archive() -> [UInt8] {
        let values = FileBuilder.float32LE((0..<6).map { Float($0) / 2 })
        let x = FileBuilder.npy(descr: "<f4", shape: [3, 2], payload: values)
        let y = FileBuilder.npy(descr: "|u1", shape: [3], payload: [2, 0, 1])
        return FileBuilder.zip([("x.npy", x, true), ("y.npy", y, false)])
    }

    @Test func npzReadsStoredAndDeflatedEntries() throws {
        let dir = TemporaryDirectory()
        let arrays = try NumPy.readNPZ(dir.write("d.npz", archive()))
        #expect(Set(arrays.keys) == ["x", "y"])
        #expect(arrays["x"]?.shape == [3, 2] && arrays["x"]?.scalars == [0, 0.5, 1, 1.5, 2, 2.5])
        #expect(arrays["y"]?.scalars == [2, 0, 1])
    }

    @Test func npzRejectsCorruptionAndTruncation() {
        let dir = TemporaryDirectory()
        var bytes = archive()
        // Flip a byte inside the first entry's deflated data (just past its 30-byte header and 5-byte name).
        bytes[30 + 5 + 10] ^= 0x5A
        let corrupt = dir.write("corrupt.npz", bytes)
        let e = datasetError { _ = try NumPy.readNPZ(corrupt) }
        #expect(caseName(e) == "corruptCompressedData", "\(String(describing: e))")
        #expect(e?.description.contains("x.npy") == true)

        let cut = dir.write("cut.npz", Array(archive().prefix(60)))
        #expect(datasetError { _ = try NumPy.readNPZ(cut) } != nil)
        let notZip = dir.write("plain.npz", FileBuilder.npy(descr: "|u1", shape: [1], payload: [1]))
        #expect(caseName(datasetError { _ = try NumPy.readNPZ(notZip) }) == "badMagic")
    }

    @Test func csvWithHeaderAndTextLabels() throws {
        let dir = TemporaryDirectory()
        let text = "sepal,\"petal, width\",species\r\n1.5,2,setosa\r\n\n3,-4e-1,virginica\r\n0,1,setosa\r\n"
        let url = dir.write("iris.csv", text: text)
        let t = try CSVFile.read(url, label: .name("species"))
        #expect(t.features.shape == [3, 2] && t.features.scalars == [1.5, 2, 3, -0.4, 0, 1])
        #expect(t.featureNames == ["sepal", "petal, width"])
        #expect(t.labels?.scalars == [0, 1, 0] && t.classNames == ["setosa", "virginica"] && t.classCount == 2)
    }

    @Test func csvWithoutHeaderAndIntegerLabelByIndex() throws {
        let dir = TemporaryDirectory()
        let url = dir.write("d.csv", text: "4;1;0.5\n2;0;0.25\n")
        let t = try CSVFile.read(url, label: .index(1), header: .absent, delimiter: ";")
        #expect(t.features.scalars == [4, 0.5, 2, 0.25] && t.labels?.scalars == [1, 0] && t.classCount == 2)
        #expect(t.classNames == nil && t.featureNames == ["column0", "column2"])
        let all = try CSVFile.read(url, delimiter: ";")
        #expect(all.features.shape == [2, 3] && all.labels == nil)
    }

    @Test func csvRejectsBadRows() {
        let dir = TemporaryDirectory()
        let bad = dir.write("bad.csv", text: "a,b,label\n1,2,0\n1,x,1\n")
        #expect(datasetError { _ = try CSVFile.read(bad, label: .name("label")) }
                == .malformed(file: bad.path, line: 3, detail: "column 'b': 'x' is not a number"))
        let ragged = dir.write("ragged.csv", text: "1,2,0\n1,2\n")
        let e = datasetError { _ = try CSVFile.read(ragged, label: .index(-1)) }
        if case .malformed(_, 2, _)? = e {} else { Issue.record("ragged row not rejected: \(String(describing: e))") }
        #expect(caseName(datasetError { _ = try CSVFile.read(bad, label: .name("target")) }) == "missing")
    }

    @Test func graphFilesRoundTrip() throws {
        let dir = TemporaryDirectory()
        let edges = dir.write("edges.txt", text: "# src dst\n0 1\n1,2\n2 3\n3 3\n")
        let features = dir.write("cora.features", text: "1 0\n0 1\n1 1\n0.5 0.5\n")
        let labels = dir.write("labels.txt", text: "0\n1\n1\n0\n")
        var rng = RandomGenerator(seed: 21)
        let g = try GraphFiles.load(edges: edges, features: features, labels: labels, trainFraction: 0.5,
                                    validationFraction: 0, using: &rng)
        #expect(g.nodeCount == 4 && g.features.shape == [4, 2] && g.labels.scalars == [0, 1, 1, 0])
        #expect(g.edges.count == 6 && g.edges.isSymmetric)  // three undirected edges; the self-loop is dropped
        #expect(g.classCount == 2 && g.trainMask.filter { $0 }.count == 2 && g.testMask.filter { $0 }.count == 2)
        #expect(g.name == "cora")
    }

    @Test func graphFilesRejectMismatches() {
        let dir = TemporaryDirectory()
        let features = dir.write("f.txt", text: "1 0\n0 1\n")
        let labels = dir.write("l.txt", text: "0\n1\n")
        let edges = dir.write("e.txt", text: "0 1\n1 5\n")
        var rng = RandomGenerator(seed: 22)
        let e = datasetError { _ = try GraphFiles.load(edges: edges, features: features, labels: labels, using: &rng) }
        #expect(caseName(e) == "shapeMismatch")
        #expect(e?.file == edges.path && e?.description.contains("line 2") == true)
        let short = dir.write("short.txt", text: "0\n")
        let okEdges = dir.write("ok.txt", text: "0 1\n")
        let s = datasetError { _ = try GraphFiles.load(edges: okEdges, features: features, labels: short, using: &rng) }
        #expect(caseName(s) == "shapeMismatch" && s?.file == short.path)
    }

    @Test func textFileRoundTripsAndRejectsEmptyOrMissing() throws {
        let dir = TemporaryDirectory()
        let bytes: [UInt8] = Array("héllo wörld, 0123456789".utf8)
        let t = try TextFile.load(dir.write("t.txt", bytes), validationFraction: 0.25)
        #expect(t.train + t.validation == bytes && t.validation.count == 6)
        let empty = dir.write("empty.txt", [])
        #expect(caseName(datasetError { _ = try TextFile.load(empty) }) == "malformed")
        let missing = dir.url.appendingPathComponent("nope.txt")
        let m = datasetError { _ = try TextFile.load(missing) }
        #expect(caseName(m) == "unreadable" && m?.file == missing.path)
    }
}

/// `data.npy` from a spec: its two test files come together, and arrays that disagree name both files.
@Suite struct NPYDatasetSpecTests {
    @Test func testFilesComeInPairsAndMismatchedArraysNameTheirFiles() async throws {
        let dir = TemporaryDirectory()
        dir.write(
            "x.npy", FileBuilder.npy(descr: "<f4", shape: [4, 2], payload: FileBuilder.float32LE([1, 2, 3, 4, 5, 6, 7, 8])))
        dir.write("y.npy", FileBuilder.npy(descr: "<f4", shape: [3], payload: FileBuilder.float32LE([0, 1, 0])))
        let url = dir.write(
            "half.yaml",
            text: """
                data: {dataset: data.npy, inputs: x.npy, labels: y.npy, test_inputs: x.npy}
                model: {plugin: model.mlp}
                optimizer: {plugin: optim.sgd, lr: 0.1}
                train: {method: train.supervised, steps: 2}
                """)
        let problems = ExperimentRunner(catalog: RunHarness.catalog, options: RunHarness.options)
            .validate(specAt: url).problems
        #expect(
            problems == ["\(url.path):1:7: data.test_labels: test_inputs and test_labels are given together"],
            "\(problems)")
        let (report, _) = await RunHarness.run(
            """
            data: {dataset: data.npy, inputs: x.npy, labels: y.npy, test_fraction: 0.5}
            model: {plugin: model.mlp}
            optimizer: {plugin: optim.sgd, lr: 0.1}
            train: {method: train.supervised, steps: 2}
            """, name: "mismatch", in: dir)
        #expect(report.failure == .pluginError, "\(report.message)")
        #expect(
            report.message.hasSuffix(
                "x.npy and \(dir.url.path)/y.npy: shape mismatch: inputs [4, 2] and labels [3] disagree on N"),
            "\(report.message)")
    }
}
