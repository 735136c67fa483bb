import Foundation
import Testing

/// The declarations and bank files tests write: kept under `$CULISE_TEST_OUTPUT` for CI's validation of every document
/// (`declarations/` for D112, `declarations-d300/` and so on for the other forms, `pain001/` for payment files), and checked here when the conformance kit is installed.
public enum DeclarationFiles {
    public static func validate(_ xml: String, name: String, form: String) throws {
        if let root = ProcessInfo.processInfo.environment["CULISE_TEST_OUTPUT"], !root.isEmpty {
            let folder = URL(fileURLWithPath: root).appendingPathComponent(
                form == "pain001" ? "pain001" : form == "d112" ? "declarations" : "declarations-\(form)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(xml.utf8).write(to: folder.appendingPathComponent("\(name).xml"))
        }
        let validator = InvoicingFixtures.conformanceKit.appendingPathComponent("validate-declaration")
        guard FileManager.default.isExecutableFile(atPath: validator.path) else { return }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).xml")
        try Data(xml.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = validator
        // D390: no call-off stock, so no `cos` element, which ANAF's structure allows and its XSD does not (kit README §8).
        process.arguments = ["--form", form, "-q"] + (form == "d390" ? ["--d390-cos-optional"] : []) + [file.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "validate-declaration refused \(name)")
    }
}
