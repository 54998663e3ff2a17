import DurableFile
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Checkpoint files go through DurableFile's atomic writer; its errors become `CheckpointError`s naming the file.
enum CheckpointIO {
    static func write(to url: URL, _ body: (borrowing AtomicFile.Writer) throws(AtomicFileError) -> Void)
        throws(CheckpointError)
    {
        do { try AtomicFile.write(to: url, body) } catch {
            throw .io(path: error.path, operation: error.step.rawValue, message: String(cString: strerror(error.errno)))
        }
    }

    /// A failed system call on `path`, with the current errno.
    static func failure(_ path: String, _ operation: String) -> CheckpointError {
        .io(path: path, operation: operation, message: String(cString: strerror(errno)))
    }
}
