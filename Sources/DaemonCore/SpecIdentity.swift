import PluginAPI
public import Foundation

/// The identity of a spec is the SHA-256 of its bytes, not its name or modification time:
/// touching a file does not make a new experiment, and editing one does.
///
/// Written as `sha256:<64 hex digits>` into `RunStatus.specHash`, and handed to the child as
/// `KILN_SPEC_HASH` so both sides name the same content.
public struct SpecIdentity: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `sha256:` followed by 64 lowercase hex digits.
    public let contentHash: String

    /// The identity of these spec bytes.
    public init(contents: Data) {
        contentHash = "sha256:" + SHA256.hex(contents)
    }

    /// An identity read back from a status file.
    public init(contentHash: String) {
        self.contentHash = contentHash
    }

    /// The identity of the file at `url` (read in full; no symlink or size checks — see `SpecFile`).
    public static func ofFile(at url: URL) throws -> SpecIdentity {
        SpecIdentity(contents: try Data(contentsOf: url))
    }

    /// The first 12 hex digits, enough to tell runs apart in a table.
    public var short: String {
        String(contentHash.dropFirst("sha256:".count).prefix(12))
    }

    public var description: String { contentHash }
}
