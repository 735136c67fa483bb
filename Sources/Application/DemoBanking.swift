import Banking
import Foundation
import Invoicing
import Kernel

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
            .filter { $0.open > 0 && $0.currency == "RON" && $0.type != .creditNote }
            .sorted { ($0.number ?? "") < ($1.number ?? "") }
        let partners = try await searchPartners(company: company, query: nil, page: try PageRequest(limit: 500), actor: actor).items
        let ibanOf = Dictionary(partners.map { ($0.code, $0.ibans.first?.value ?? "") }, uniquingKeysWith: { first, _ in first })
        let nameOf = Dictionary(partners.map { ($0.code, $0.name) }, uniquingKeysWith: { first, _ in first })
        var rows: [String] = ["date,amount,currency,counterparty,counterparty_iban,details,reference,bank_reference,account_iban"]
        func csv(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        var reference = 90_000
        func row(_ date: LocalDate, _ amount: Int64, _ party: String, _ iban: String, _ details: String) {
            reference += 1
            rows.append(
                "\(date.iso),\(DecimalText.amount(amount)),RON,\(csv(party)),\(iban),\(csv(details)),,DEMO-\(reference),\(account.iban!)")
        }
        let today = LocalDate.today(now: clock())
        for (index, invoice) in open.prefix(6).enumerated() {
            let date = min(today, (invoice.dueDate ?? invoice.issueDate).adding(days: index))
            let party = nameOf[invoice.partner] ?? invoice.partner
            let number = invoice.number ?? ""
            switch index {
            case 0, 1, 2: row(date, invoice.open, party.uppercased(), ibanOf[invoice.partner] ?? "", "Plata factura \(number)")
            case 3:
                row(
                    date, invoice.open / 2, party, ibanOf[invoice.partner] ?? "",
                    "Avans fact \(number.replacingOccurrences(of: "-", with: " "))")
            case 4: row(date, invoice.open, party, ibanOf[invoice.partner] ?? "", "Contravaloare servicii")
            default: row(date, invoice.open + 10_000, party, "", "OP \(number)")
            }
        }
        row(today.adding(days: -20), -1_250, "BANCA", "", "COMISION ADMINISTRARE CONT")
        row(today.adding(days: -10), -350, "BANCA", "", "COMISION PLATA OP")
        row(today.adding(days: -5), 200_000, "POPESCU ION", "", "DEPUNERE NUMERAR")
        _ = try await importStatement(
            company: company, data: Data(rows.joined(separator: "\n").utf8), fileName: "extras-demo.csv", profile: "generic", actor: actor)
        _ = try await reconcile(company: company, account: account.id, actor: actor)
    }
}
