import Application
import Banking
import BankingApp
import Foundation
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp

extension Culise {
    /// The demo's bank: a RON current account with automatic matching at 80, a cash register, a rule for fees, and an
    /// imported statement that pays some open invoices (exactly, partially, without a reference), with bank fees and
    /// an unknown line, so the review queue has work. Runs once (skipped when the company has bank accounts).
    public func seedBankingDemo(company: CompanyID) async throws {
        let actor = Actor.system("demo")
        if !(try await bankAccounts(company: company, actor: actor)).isEmpty { return }
        let account = try await addBankAccount(
            company: company, BankAccountInput(name: "Cont curent RON", iban: "RO49AAAA1B31007593840000", autoThreshold: 80), actor: actor)
        _ = try await addBankAccount(company: company, BankAccountInput(name: "Casa în lei", kind: "cash"), actor: actor)
        _ = try await addBankRule(company: company, pattern: "COMISION", account: "627", partner: nil, direction: "out", actor: actor)
        let open = try await invoices(company: company, filter: InvoiceFilter(), page: try PageRequest(limit: 500), actor: actor).items
            .filter { $0.open.minorUnits > 0 && $0.currency.isRON && $0.type != .creditNote }
            .sorted { ($0.number ?? "") < ($1.number ?? "") }
        let partners = try await searchPartners(company: company, query: nil, page: try PageRequest(limit: 500), actor: actor).items
        let ibanOf = Dictionary(partners.map { ($0.code, $0.ibans.first?.value ?? "") }, uniquingKeysWith: { first, _ in first })
        let nameOf = Dictionary(partners.map { ($0.code, $0.name) }, uniquingKeysWith: { first, _ in first })
        // The statement: payments of open invoices (exact, partial, without a reference, with an overpayment), fees, an
        // unknown deposit, and the receipts and payments already posted on 5121 in the same period (matched as "already in
        // the ledger"); its running balance opens at the ledger's balance, so the reconciliation statement adds up.
        var planned: [(date: LocalDate, amount: Int64, party: String, iban: String, details: String)] = []
        let today = LocalDate.today(now: clock())
        for (index, invoice) in open.prefix(6).enumerated() {
            let date = min(today, (invoice.dueDate ?? invoice.issueDate).adding(days: index))
            let party = nameOf[invoice.partner] ?? invoice.partner
            let number = invoice.number ?? ""
            let open = invoice.open.minorUnits
            let iban = ibanOf[invoice.partner] ?? ""
            switch index {
            case 0, 1, 2: planned.append((date, open, party.uppercased(), iban, "Plata factura \(number)"))
            case 3: planned.append((date, open / 2, party, iban, "Avans fact \(number.replacingOccurrences(of: "-", with: " "))"))
            case 4: planned.append((date, open, party, iban, "Contravaloare servicii"))
            default: planned.append((date, open + 10_000, party, "", "OP \(number)"))
            }
        }
        planned.append((today.adding(days: -20), -1_250, "BANCA", "", "COMISION ADMINISTRARE CONT"))
        planned.append((today.adding(days: -10), -350, "BANCA", "", "COMISION PLATA OP"))
        planned.append((today.adding(days: -5), 200_000, "POPESCU ION", "", "DEPUNERE NUMERAR"))
        let start = planned.map(\.date).min() ?? today
        let (opening, posted) = try await read { db in
            (
                try await Self.ledgerBalance(db, company: company, account: account, through: start.adding(days: -1)),
                try await db.raw(
                    """
                    SELECT l.date AS date, e.description AS description,
                        (SELECT MAX(p.partner) FROM entry_lines p WHERE p.company_id = l.company_id AND p.entry_id = l.entry_id) AS partner,
                        CAST(SUM(l.debit) AS BIGINT) - CAST(SUM(l.credit) AS BIGINT) AS net
                    FROM entry_lines l JOIN entries e ON e.company_id = l.company_id AND e.id = l.entry_id
                    WHERE l.company_id = \(bind: company.description) AND l.account = '5121' AND l.posted = \(bind: true) AND l.date >= \(bind: start.iso)
                    GROUP BY l.company_id, l.entry_id, l.date, e.description
                    """
                ).all().map { row in
                    (
                        date: try LocalDate(iso: row.decode(column: "date", as: String.self)),
                        net: try row.decode(column: "net", as: Int64?.self) ?? 0,
                        partner: try row.decode(column: "partner", as: String?.self),
                        description: try row.decode(column: "description", as: String.self)
                    )
                }
            )
        }
        for entry in posted where entry.net != 0 {
            let party = entry.partner.flatMap { nameOf[$0] } ?? entry.description
            planned.append((entry.date, entry.net, party, entry.partner.flatMap { ibanOf[$0] } ?? "", entry.description))
        }
        planned.sort { $0.date < $1.date }
        var rows: [String] = ["date,amount,currency,counterparty,counterparty_iban,details,reference,bank_reference,account_iban,balance"]
        func csv(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        var balance = opening
        for (index, row) in planned.enumerated() {
            balance += row.amount
            rows.append(
                "\(row.date.iso),\(DecimalText.amount(row.amount)),RON,\(csv(row.party)),\(row.iban),\(csv(row.details)),,DEMO-\(90_001 + index),\(account.iban!),\(DecimalText.amount(balance))"
            )
        }
        _ = try await importStatement(
            company: company, data: Data(rows.joined(separator: "\n").utf8), fileName: "extras-demo.csv", profile: "generic", actor: actor)
        _ = try await reconcile(company: company, account: account.id, actor: actor)
    }
}
