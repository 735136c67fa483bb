import Foundation

/// Journals from shared/bench/gen-journal.py, the project's deterministic generator.
public enum Journals {
    public static var repositoryRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { url.deleteLastPathComponent() }
        return url
    }

    public static var generator: URL { repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/bench/gen-journal.py") }

    public static var generatorAvailable: Bool { FileManager.default.fileExists(atPath: generator.path) }

    /// Writes a CSV journal of `transactions` (≥ 10) with `seed` into `directory`; returns its path.
    public static func csv(transactions: Int, seed: Int, in directory: URL) throws -> String {
        let out = directory.appendingPathComponent("journal-\(transactions)-\(seed).csv").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", generator.path, "--transactions", String(transactions), "--seed", String(seed), "--format", "csv", "--out", out,
        ]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        return out
    }

    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("culise-journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
