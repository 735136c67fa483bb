import Companies
import Kernel
import Ledger
import SQLKit

/// Seeds a new company's books: the OMFP 1802 chart, the standard journals and the ledger settings.
public struct LedgerSeeder: CompanySeeder {
    public static let journals: [(code: String, name: String)] = [
        ("VZ", "Jurnal de vânzări"), ("CP", "Jurnal de cumpărări"), ("BC", "Registru de bancă"), ("CS", "Registru de casă"),
        ("SAL", "Jurnal de salarii"), ("GEN", "Note contabile diverse"), ("INC", "Închiderea exercițiului"),
    ]

    public init() {}

    public func seed(_ db: any SQLDatabase, company: Company) async throws {
        let id = company.id.description
        let accounts = ChartSeed.accounts().map { account -> [any Encodable & Sendable] in
            [
                id, account.code.value, account.name, account.type.rawValue, account.parent, account.isPostable, account.requiresPartner,
                true,
            ]
        }
        try await SQLBulk.insert(
            db, into: "accounts", columns: ["company_id", "code", "name", "type", "parent", "postable", "requires_partner", "active"],
            rows: accounts)
        try await SQLBulk.insert(
            db, into: "journals", columns: ["company_id", "code", "name", "next_number"],
            rows: Self.journals.map { [id, $0.code, $0.name, Int64(1)] })
        try await db.raw(
            """
            INSERT INTO ledger_settings (company_id, lock_date, reversal_style, next_entry_id, chain_seq, chain_hash)
            VALUES (\(bind: id), NULL, 'negative', 1, 0, \(bind: EntryChain.genesis))
            """
        ).run()
    }
}
