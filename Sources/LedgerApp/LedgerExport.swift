import Application
import Foundation
import Identity
import Kernel
import Ledger
import SQLKit

public enum LedgerExportFormat: String, Sendable, CaseIterable {
    case hledger, csv
}

extension Culise {
    /// Writes every posted entry, in posting order, as an hledger journal or in the import CSV format.
    /// Streams in batches; memory stays bounded. Returns the number of entries written.
    @discardableResult
    public func exportLedger(company: CompanyID, format: LedgerExportFormat, to path: String, actor: Actor) async throws -> Int {
        try ledgerActor(actor, company: company, .read)
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw DomainError("export.file", field: "out", "You cannot export to \(path) because the file cannot be created.")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        if format == .csv { handle.write(Data((ImportRow.header.joined(separator: ",") + "\n").utf8)) }
        var written = 0
        var after: Int64 = 0
        while true {
            let start = after
            let entries = try await read { db in
                try await LedgerEngine.load(
                    db, company: company, where: "seq IS NOT NULL AND seq > \(bind: start)", order: "ORDER BY seq LIMIT 5000")
            }
            if entries.isEmpty { break }
            var text = ""
            for entry in entries {
                let reference = entry.externalRef ?? entry.number ?? entry.id.description
                switch format {
                case .hledger:
                    text += HledgerExport.transaction(
                        date: entry.date, reference: reference, description: entry.description, lines: entry.lines)
                case .csv:
                    for line in entry.lines {
                        let debit = line.debit != 0 ? Money(minorUnits: line.debit, currency: .ron).decimalString : ""
                        let credit = line.credit != 0 ? Money(minorUnits: line.credit, currency: .ron).decimalString : ""
                        text +=
                            [
                                reference, entry.date.iso, CSV.quote(entry.description), line.partner ?? "", line.account, "", debit,
                                credit, "RON",
                            ]
                            .joined(separator: ",") + "\n"
                    }
                }
            }
            handle.write(Data(text.utf8))
            written += entries.count
            after = entries.last!.seq!
        }
        return written
    }
}
