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
        do {
            let archive = try Archive(data: data, accessMode: .read)
            var result: [(String, Data)] = []
            var total = 0
            for entry in archive where entry.type == .file {
                guard result.count < Limits.ingestDocuments else { break }
                total += Int(entry.uncompressedSize)
                guard total <= Limits.eInvoiceBytes * 4 else {
                    throw DomainError(
                        "efactura.too_large", kind: .tooLarge, field: "file",
                        "You cannot import this ZIP because it unpacks to more than \(Limits.eInvoiceBytes * 4) bytes.")
                }
                var content = Data()
                _ = try archive.extract(entry, skipCRC32: false) { content.append($0) }
                result.append((entry.path, content))
            }
            return result
        } catch let error as DomainError {
            throw error
        } catch {
            throw DomainError("efactura.zip", field: "file", "You cannot import this file because it is not a readable ZIP: \(error).")
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
        return archive.data!
    }

    /// Whether a file name inside an SPV ZIP is ANAF's signature rather than the document.
    public static func isSignature(_ name: String) -> Bool { name.lowercased().hasPrefix("semnatura_") }
}
