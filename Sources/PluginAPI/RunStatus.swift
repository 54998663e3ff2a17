public import Foundation

/// The state of one run, as kept in `NAME.run/status.json` beside the spec `NAME.yaml`.
///
/// Who writes it: `kiln run` (the child) while it is alive — `running` with step, progress and
/// heartbeat, then its final state. The daemon writes it only when no child is alive: `queued`,
/// `rejected`, `cancelled` before start, `running` just before the spawn, and a final state the child
/// could not write itself (it died by a signal, or was stopped by a cancel or a shutdown).
/// Every write goes through ``AtomicFile``, so a reader never sees a torn file.
///
/// JSON keys are snake_case and dates ISO 8601 (`"started_at": "2025-01-31T12:00:00Z"`).
public struct RunStatus: Codable, Sendable, Equatable {
    /// The file name inside the run folder.
    public static let fileName = "status.json"
    /// The format this code writes; a reader accepts this version and older ones.
    public static let currentFormatVersion = 1

    /// Where a run is in its life.
    public enum State: String, Codable, Sendable, CaseIterable {
        /// Admitted and waiting for a free slot.
        case queued
        /// A child process is working on it.
        case running
        /// Finished all its work.
        case succeeded
        /// Stopped by an error; `failure` says which kind.
        case failed
        /// Stopped on request (`kiln cancel`, `NAME.cancel`, or the spec was deleted).
        case cancelled
        /// Stopped by a daemon shutdown after checkpointing; the next daemon start resumes it.
        case interrupted
        /// The spec did not validate; the report is `validation.txt` in the run folder.
        case rejected

        /// True for states that end a run for good: nothing will run again unless the spec changes.
        /// `interrupted` is not final: it resumes.
        public var isFinal: Bool {
            switch self {
            case .succeeded, .failed, .cancelled, .rejected: true
            case .queued, .running, .interrupted: false
            }
        }
    }

    /// Why a run failed, so scripts can react without parsing messages.
    public enum FailureClass: String, Codable, Sendable, CaseIterable {
        /// The spec did not validate (with state `rejected`, or found by `kiln run` itself).
        case invalidSpec = "invalid_spec"
        /// A plugin threw or reported an error.
        case pluginError = "plugin_error"
        /// The loss became NaN or infinite.
        case nonFiniteLoss = "non_finite_loss"
        /// An allocation failed or a memory limit was hit.
        case outOfMemory = "out_of_memory"
        /// The process was ended by a signal (including a wall-time limit or a kill after the grace period).
        case killed
        /// The runner itself failed: the child could not be started, or exited without recording a state.
        case internalError = "internal_error"
    }

    /// Format version of the file (``currentFormatVersion`` when written by this code).
    public var formatVersion: Int
    /// Where the run is.
    public var state: State
    /// Set when `state` is `failed` (and `rejected`, as `invalidSpec`).
    public var failure: FailureClass?
    /// Steps completed so far.
    public var step: Int?
    /// Steps the run will take in total, when known.
    public var totalSteps: Int?
    /// Fraction done in `0...1`, when known.
    public var progress: Double?
    /// When the current attempt started.
    public var startedAt: Date?
    /// When the run reached its current final (or interrupted) state.
    public var endedAt: Date?
    /// Last sign of life from the child; a stale heartbeat on a `running` run means a hung child.
    public var heartbeatAt: Date?
    /// Process id of the child working on the run.
    public var pid: Int32?
    /// Content hash of the spec this run belongs to (`sha256:<hex>`): the run's identity.
    public var specHash: String
    /// How many times the run was started (1 on the first start; more after resumes).
    public var attempt: Int?
    /// One human-readable line about the current state.
    public var message: String?

    /// Creates a status; fields not given are unknown.
    public init(
        state: State, specHash: String, failure: FailureClass? = nil, step: Int? = nil, totalSteps: Int? = nil,
        progress: Double? = nil, startedAt: Date? = nil, endedAt: Date? = nil, heartbeatAt: Date? = nil,
        pid: Int32? = nil, attempt: Int? = nil, message: String? = nil
    ) {
        self.formatVersion = Self.currentFormatVersion
        self.state = state
        self.specHash = specHash
        self.failure = failure
        self.step = step
        self.totalSteps = totalSteps
        self.progress = progress
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.heartbeatAt = heartbeatAt
        self.pid = pid
        self.attempt = attempt
        self.message = message
    }

    private enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case state, failure, step
        case totalSteps = "total_steps"
        case progress
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case heartbeatAt = "heartbeat_at"
        case pid
        case specHash = "spec_hash"
        case attempt, message
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // A file without a version predates versioning: read it as version 1.
        formatVersion = try c.decodeIfPresent(Int.self, forKey: .formatVersion) ?? 1
        state = try c.decode(State.self, forKey: .state)
        specHash = try c.decodeIfPresent(String.self, forKey: .specHash) ?? ""
        failure = try c.decodeIfPresent(FailureClass.self, forKey: .failure)
        step = try c.decodeIfPresent(Int.self, forKey: .step)
        totalSteps = try c.decodeIfPresent(Int.self, forKey: .totalSteps)
        progress = try c.decodeIfPresent(Double.self, forKey: .progress)
        startedAt = try c.decodeIfPresent(Date.self, forKey: .startedAt)
        endedAt = try c.decodeIfPresent(Date.self, forKey: .endedAt)
        heartbeatAt = try c.decodeIfPresent(Date.self, forKey: .heartbeatAt)
        pid = try c.decodeIfPresent(Int32.self, forKey: .pid)
        attempt = try c.decodeIfPresent(Int.self, forKey: .attempt)
        message = try c.decodeIfPresent(String.self, forKey: .message)
    }
}

extension RunStatus {
    /// The JSON encoder for status files: sorted keys (stable diffs), ISO 8601 UTC dates in whole seconds
    /// (`2025-01-31T12:00:00Z`, written without Foundation's ICU-backed date formatting), pretty printed.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601Timestamp.format(date))
        }
        return encoder
    }

    /// The matching decoder; it also accepts fractional seconds and offsets (`+02:00`).
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = ISO8601Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "expected an ISO 8601 time such as 2025-01-31T12:00:00Z, got '\(text)'")
            }
            return date
        }
        return decoder
    }

    /// The status encoded as it is stored (UTF-8 JSON with a trailing newline).
    public func encoded() throws -> Data {
        var data = try Self.makeEncoder().encode(self)
        data.append(0x0A)
        return data
    }

    /// Reads a status file.
    /// - Throws: the file system error, or a `DecodingError` for a malformed or newer-format file.
    public static func read(from url: URL) throws -> RunStatus {
        let status = try makeDecoder().decode(RunStatus.self, from: Data(contentsOf: url))
        guard status.formatVersion <= currentFormatVersion else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: [CodingKeys.formatVersion],
                    debugDescription: "status format \(status.formatVersion) is newer than \(currentFormatVersion)"))
        }
        return status
    }

    /// Writes the status to `url` atomically and, unless `durable` is false, durably (see ``AtomicFile``).
    public func write(to url: URL, durable: Bool = true) throws {
        try AtomicFile.write(encoded(), to: url, durable: durable)
    }
}
