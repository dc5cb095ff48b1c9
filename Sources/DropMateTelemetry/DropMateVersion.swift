/// The release this build is. `dropmate --version` prints it, `/healthz` and the `dropmate_build_info` metric carry
/// it, and the Dockerfile's `DROPMATE_VERSION` label must say the same (`scripts/validate-deploy` checks).
/// Raise it when a release is cut: SwiftPM has no build-time stamping without a plugin, and a constant that
/// a check keeps equal to the image label is simpler than one more build step.
public enum DropMateVersion {
    public static let current = "0.8.0"
}
