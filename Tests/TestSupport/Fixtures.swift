import Foundation

/// Files under `Tests/Fixtures`: the reference's §11 sample payloads (`reference-*.json`) and a
/// rate card in Meta's layout. The one way every test target finds them.
public enum Fixtures {
    /// The package's root directory (found from this file's path, so tests run from anywhere).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    public static let directory = packageRoot.appendingPathComponent("Tests/Fixtures")

    public static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    public static func data(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }

    public static func text(_ name: String) throws -> String { String(decoding: try data(name), as: UTF8.self) }

    /// The reference's sample payloads, by name.
    public static func referenceSamples() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasPrefix("reference-") }.sorted()
    }
}
