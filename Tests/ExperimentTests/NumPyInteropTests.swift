import Foundation
import Testing
import TensorEngine
import Experiment

/// Files written by real NumPy and gzip, when python3 with numpy is installed; skipped otherwise (CI does not
/// need it: the other loader tests build their files in Swift).
@Suite(.enabled(if: python(["-c", "import numpy"]))) struct NumPyInteropTests {
    @Test func readsWhatNumPyWrites() throws {
        let dir = TemporaryDirectory()
        let script = """
            import numpy as np, gzip
            a = np.arange(12, dtype=np.float32).reshape(3, 4) / 4
            np.save('f32.npy', a)
            np.save('f64.npy', a.astype(np.float64) - 1)
            np.save('i64.npy', np.array([[-7, 8]], dtype=np.int64))
            np.save('u8.npy', np.array([0, 200, 255], dtype=np.uint8))
            np.save('big.npy', np.array([1.5, -2], dtype='>f4'))
            np.save('fortran.npy', np.asfortranarray(a))
            np.savez('plain.npz', x=a, y=np.array([1, 0, 2]))
            np.savez_compressed('packed.npz', x=a, y=np.array([1, 0, 2]))
            with gzip.open('t10k-labels-idx1-ubyte.gz', 'wb') as f:
                f.write(bytes([0, 0, 8, 1, 0, 0, 0, 3, 4, 5, 6]))
            """
        #expect(python(["-c", script], in: dir.url))
        let f = { (name: String) in dir.url.appendingPathComponent(name) }
        let expected = (0..<12).map { Float($0) / 4 }
        #expect(try NumPy.readNPY(f("f32.npy")).scalars == expected)
        #expect(try NumPy.readNPY(f("f32.npy")).shape == [3, 4])
        #expect(try NumPy.readNPY(f("f64.npy")).scalars == expected.map { $0 - 1 })
        #expect(try NumPy.readNPY(f("i64.npy")).scalars == [-7, 8])
        #expect(try NumPy.readNPY(f("u8.npy")).scalars == [0, 200, 255])
        #expect(try NumPy.readNPY(f("big.npy")).scalars == [1.5, -2])
        let e = datasetError { _ = try NumPy.readNPY(f("fortran.npy")) }
        #expect(caseName(e) == "unsupported")
        for name in ["plain.npz", "packed.npz"] {
            let arrays = try NumPy.readNPZ(f(name))
            #expect(arrays["x"]?.scalars == expected && arrays["y"]?.scalars == [1, 0, 2], "\(name)")
        }
        #expect(try IDXFile.read(f("t10k-labels-idx1-ubyte.gz")).scalars == [4, 5, 6])
    }
}

/// Runs python3 with `arguments`; true when it exits 0.
func python(_ arguments: [String], in directory: URL? = nil) -> Bool {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3"] + arguments
    p.currentDirectoryURL = directory
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return false }
    p.waitUntilExit()
    return p.terminationStatus == 0
}
