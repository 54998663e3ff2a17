/// Kiln's version, recorded in checkpoints, run provenance and benchmark JSON.
public enum KilnVersion {
    public static let string = "0.1.0"
}
