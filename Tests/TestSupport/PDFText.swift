import Foundation

/// Runs Debian's `pdftotext` (poppler-utils) on a PDF; nil when it is not installed (CI installs it).
public func pdfText(_ data: Data, layout: Bool = true) throws -> String? {
    let candidates = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"]
    guard let tool = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("culise-pdf-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("in.pdf")
    let output = directory.appendingPathComponent("out.txt")
    try data.write(to: input)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = (layout ? ["-layout"] : []) + ["-enc", "UTF-8", input.path, output.path]
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return "pdftotext failed with \(process.terminationStatus)" }
    return try String(contentsOf: output, encoding: .utf8)
}
