import Foundation
import Kernel
import ZIPFoundation

/// The ZIPs SPV serves: the invoice XML and ANAF's signature XML (or the error XML of a rejection).
public enum SPVArchive {
    /// The files of a ZIP, by name; limited in count and size.
    public static func files(in data: Data) throws(DomainError) -> [(name: String, data: Data)] {
        guard data.count <= Limits.eInvoiceBytes else {
            throw DomainError(
                "efactura.too_large", kind: .tooLarge, field: "file",
                "You cannot import a ZIP of \(data.count) bytes because the limit is \(Limits.eInvoiceBytes).")
        }
        // Headers are not trusted: entries are counted and named before anything inflates, and inflation stops the
        // moment the running total passes `Limits.zipInflatedBytes`, whatever sizes the archive declares.
        struct InflationLimit: Error {}
        do {
            let archive = try Archive(data: data, accessMode: .read)
            var entries: [Entry] = []
            for entry in archive {
                guard entries.count < Limits.zipEntries else {
                    throw DomainError(
                        "zip.too_many_entries", kind: .tooLarge, field: "file",
                        "You cannot import this ZIP because it holds more than \(Limits.zipEntries) entries.")
                }
                guard entry.type == .file else { continue }
                try checkName(entry.path)
                entries.append(entry)
            }
            var result: [(String, Data)] = []
            var total = 0
            for entry in entries {
                var content = Data()
                do {
                    _ = try archive.extract(entry, bufferSize: 16 << 10, skipCRC32: false) { chunk in
                        total += chunk.count
                        guard total <= Limits.zipInflatedBytes else { throw InflationLimit() }
                        content.append(chunk)
                    }
                } catch is InflationLimit {
                    throw DomainError(
                        "zip.too_large", kind: .tooLarge, field: "file",
                        "You cannot import this ZIP because it unpacks to more than \(Limits.zipInflatedBytes) bytes.")
                }
                result.append((entry.path, content))
            }
            return result
        } catch let error as DomainError {
            throw error
        } catch {
            throw DomainError("efactura.zip", field: "file", "You cannot import this file because it is not a readable ZIP: \(error).")
        }
    }

    /// A name inside a ZIP must be a plain relative path: no `..`, no leading `/` or drive, no backslash or control
    /// character, at most `Limits.zipNameBytes` bytes.
    static func checkName(_ name: String) throws(DomainError) {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        let bad =
            name.isEmpty || name.utf8.count > Limits.zipNameBytes || name.hasPrefix("/") || name.contains("\\")
            || name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) || parts.contains("..")
            || (name.count >= 2 && Array(name)[1] == ":")
        guard !bad else {
            throw DomainError(
                "zip.entry_name", field: "file",
                "You cannot import this ZIP because entry '\(name.prefix(80))' is not a plain relative file name (no '..', '/' at the start, '\\\\' or control characters; at most \(Limits.zipNameBytes) bytes)."
            )
        }
    }

    /// A ZIP of the given files (deflated).
    public static func make(_ files: [(name: String, data: Data)]) throws -> Data {
        let archive = try Archive(accessMode: .create)
        for file in files {
            try archive.addEntry(
                with: file.name, type: .file, uncompressedSize: Int64(file.data.count), compressionMethod: .deflate,
                provider: { position, size in file.data.subdata(in: Int(position)..<Int(position) + size) })
        }
        // trap-safe: an archive created in memory (accessMode .create) always has data.
        return archive.data!
    }

    /// Whether a file name inside an SPV ZIP is ANAF's signature rather than the document.
    public static func isSignature(_ name: String) -> Bool { name.lowercased().hasPrefix("semnatura_") }
}
