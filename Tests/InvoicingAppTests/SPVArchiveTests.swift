import EFactura
import Foundation
import Kernel
import Testing

/// Issue 10, finding 5: ZIPs are inflated with a running limit whatever their headers declare, and their entries are
/// counted and named before anything inflates.
@Suite struct SPVArchiveTests {
    static func refusal(_ data: Data) -> String? {
        do {
            _ = try SPVArchive.files(in: data)
            return nil
        } catch {
            return error.id
        }
    }

    /// Writes `size` into every uncompressed-size field (local headers at offset 22, central headers at offset 24).
    static func lie(_ zip: Data, size: UInt32) -> Data {
        var bytes = [UInt8](zip)
        let little = withUnsafeBytes(of: size.littleEndian, Array.init)
        var index = 0
        while index + 46 <= bytes.count {
            if bytes[index..<index + 4].elementsEqual([0x50, 0x4B, 0x03, 0x04]) {
                bytes.replaceSubrange(index + 22..<index + 26, with: little)
            } else if bytes[index..<index + 4].elementsEqual([0x50, 0x4B, 0x01, 0x02]) {
                bytes.replaceSubrange(index + 24..<index + 28, with: little)
            }
            index += 1
        }
        return Data(bytes)
    }

    @Test func aZipWhoseHeadersLieStopsAtTheRunningLimit() throws {
        // 48 MiB of zeros deflate to about 48 KiB; the headers then claim 1,000 bytes.
        let bomb = try SPVArchive.make([(name: "factura.xml", data: Data(count: Limits.zipInflatedBytes + (16 << 20)))])
        #expect(bomb.count < 1 << 20)
        let lying = Self.lie(bomb, size: 1_000)
        #expect(lying != bomb)
        #expect(Self.refusal(lying) == "zip.too_large")
        #expect(Self.refusal(bomb) == "zip.too_large")
        // Within the limit the same archive opens.
        let fine = try SPVArchive.make([(name: "factura.xml", data: Data("<Invoice/>".utf8))])
        #expect(try SPVArchive.files(in: fine).map(\.name) == ["factura.xml"])
    }

    @Test(arguments: ["../evil.xml", "/etc/passwd", "a/../../b.xml", "C:evil.xml", "a\\b.xml", "tab\there.xml"])
    func namesOutsideTheArchiveAreRefused(_ name: String) throws {
        #expect(Self.refusal(try SPVArchive.make([(name: name, data: Data("<x/>".utf8))])) == "zip.entry_name")
    }

    @Test func tooManyEntriesAreRefusedNeverCut() throws {
        let files = (0...Limits.zipEntries).map { (name: "f\($0).xml", data: Data()) }
        #expect(Self.refusal(try SPVArchive.make(files)) == "zip.too_many_entries")
    }
}
