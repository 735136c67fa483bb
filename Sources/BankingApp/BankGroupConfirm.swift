import Application
import Banking
import Foundation
import Invoicing
import InvoicingApp
import Kernel
import Ledger
import Posting
import SQLKit
import Storage

extension Culise {
    /// What a batch of automatic confirmations came to.
    struct AutomaticOutcome: Sendable {
        var automatic = 0
        var review = 0
        var deferred = 0
    }

    /// A line of a group confirmation, as far as it got.
    private struct GroupMember {
        var match: AutomaticMatch
        var line: BankLineRecord
        var account: BankAccountRecord
        var incoming: Bool
        /// The counter account of an account match (`627` for a bank fee the account memory learned); nil for documents.
        var counter: String?
        var payment: PaymentPosting.Payment?
        var draft: EntryDraft?
    }

    /// The two common automatic matches, confirmed for a whole batch at once, on a RON bank account (not cash): a line
    /// that pays customer invoices (money in) or supplier bills (money out) of one partner, and a line posted to one
    /// account (`627` for a fee the account memory learned). The lines are claimed in one statement, their documents,
    /// partners, accounts and posting rules read once, every line validated as `confirmInside` and `postPayment`
    /// validate it, and the survivors written with a fixed number of statements: their entries in one
    /// `LedgerEngine.post` (chain and balances as one by one), the payments in one insert, the lines in one update, the
    /// audit rows in one chained insert. A line that fails validation is released and counted for review; a line taken
    /// meanwhile is deferred. A refusal while writing (a closed period, the ledger's volume bound) rolls the group back
    /// to its savepoint and hands every line to the one-by-one path, which isolates the line at fault.
    ///
    /// Returns the matches this path does not take (other shapes, or all of them after a refusal while writing), for
    /// `confirmInside` one by one. `settled` loses the document keys of lines that were refused or deferred here.
    func confirmGroup(
        _ db: any SQLDatabase, company: CompanyID, _ matches: [AutomaticMatch], settled: inout Set<String>,
        outcome: inout AutomaticOutcome, actor: Actor
    ) async throws -> [AutomaticMatch] {
        let shaped = matches.filter { Self.groupShape($0.candidate) != nil }
        guard shaped.count > 1 else { return matches }
        try await db.raw("SAVEPOINT bank_group").run()
        var released = settled
        var counted = AutomaticOutcome()
        let rest: [AutomaticMatch]
        do {
            rest = try await confirmGroupInside(
                db, company: company, matches: matches, shaped: shaped, settled: &released, outcome: &counted, actor: actor)
        } catch is DomainError {
            try await db.raw("ROLLBACK TO SAVEPOINT bank_group").run()
            try await db.raw("RELEASE SAVEPOINT bank_group").run()
            return matches
        } catch is ValidationErrors {
            try await db.raw("ROLLBACK TO SAVEPOINT bank_group").run()
            try await db.raw("RELEASE SAVEPOINT bank_group").run()
            return matches
        }
        try await db.raw("RELEASE SAVEPOINT bank_group").run()
        settled = released
        outcome.automatic += counted.automatic
        outcome.review += counted.review
        outcome.deferred += counted.deferred
        return rest
    }

    /// The kind of document a candidate pays (`.invoice` or `.bill`), or nil (with `account`) for one account; nil for
    /// the shapes that go one by one (liabilities, links to posted entries, mixed kinds, too many documents).
    private enum GroupShape: Equatable {
        case documents(OpenItem.Kind)
        case account(String)
    }

    private static func groupShape(_ candidate: MatchCandidate) -> GroupShape? {
        let kinds = Set(candidate.allocations.map(\.kind))
        if candidate.allocations.isEmpty, let account = candidate.account?.nilIfEmptyText { return .account(account) }
        guard kinds.count == 1, let kind = kinds.first, kind == .invoice || kind == .bill,
            candidate.allocations.count <= Limits.allocationsPerPayment
        else { return nil }
        return .documents(kind)
    }

    private func confirmGroupInside(
        _ db: any SQLDatabase, company: CompanyID, matches: [AutomaticMatch], shaped: [AutomaticMatch], settled: inout Set<String>,
        outcome: inout AutomaticOutcome, actor: Actor
    ) async throws -> [AutomaticMatch] {
        let cid = company.description
        let shapedIDs = shaped.map(\.line.description)
        var lines: [String: BankLineRecord] = [:]
        for line in try await Self.loadLines(db, company: company, where: "id IN " + .list(shapedIDs), limit: shapedIDs.count, offset: 0) {
            lines[line.id.description] = line
        }
        var accounts: [String: BankAccountRecord] = [:]
        for account in try await Self.loadBankAccounts(
            db, company: company, where: "id IN " + .list(Set(lines.values.map(\.account.description)).sorted()))
        {
            accounts[account.id.description] = account
        }
        // An account match whose entry reference is taken (the line was matched and unmatched before) gets a numbered
        // reference: the long way (`freshReference`).
        let rematched = Set(
            try await db.raw(
                "SELECT external_ref FROM entries WHERE company_id = \(bind: cid) AND external_ref IN "
                    + .list(shapedIDs.map { "bank_line:\($0)" })
            ).all().map { try $0.decode(column: "external_ref", as: String.self) })
        // Which lines take this path: the rest go one by one.
        let shapedSet = Set(shapedIDs)
        var members: [GroupMember] = []
        var rest: [AutomaticMatch] = []
        for match in matches {
            let key = match.line.description
            guard shapedSet.contains(key), let shape = Self.groupShape(match.candidate), let line = lines[key], line.state == .unmatched,
                let account = accounts[line.account.description], account.kind != .cash, account.currency.isRON,
                line.currency.isRON, line.amount.minorUnits != 0
            else {
                rest.append(match)
                continue
            }
            switch shape {
            case .documents(let kind) where (line.amount.minorUnits > 0) == (kind == .invoice):
                members.append(GroupMember(match: match, line: line, account: account, incoming: line.amount.minorUnits > 0))
            case .account(let counter) where !rematched.contains("bank_line:\(key)"):
                members.append(
                    GroupMember(match: match, line: line, account: account, incoming: line.amount.minorUnits > 0, counter: counter))
            default:
                rest.append(match)
            }
        }
        guard !members.isEmpty else { return matches }
        // Claim them: what another confirmation took meanwhile is not returned and waits for the next run.
        let claimed = Set(
            try await db.raw(
                "UPDATE bank_lines SET state = 'matched' WHERE company_id = \(bind: cid) AND state = 'unmatched' AND id IN "
                    + .list(members.map(\.line.id.description)) + " RETURNING id"
            ).all().map { try $0.decode(column: "id", as: String.self) })
        func release(_ member: GroupMember) {
            for allocation in member.match.candidate.allocations { settled.remove("\(allocation.kind.rawValue):\(allocation.id)") }
        }
        members = members.filter { member in
            if claimed.contains(member.line.id.description) { return true }
            release(member)
            outcome.deferred += 1
            return false
        }
        guard !members.isEmpty else { return rest }
        // The documents, partners, settings and the accounts' postability, each read once.
        let documentMembers = members.filter { $0.counter == nil }
        var documents: [String: Culise.OpenRONDocument] = [:]
        for (type, incoming) in [("invoice", true), ("bill", false)] {
            let ids = Set(documentMembers.filter { $0.incoming == incoming }.flatMap { $0.match.candidate.allocations.map(\.id) })
            for (id, document) in try await Self.openRONDocuments(db, company: company, type: type, ids: ids.sorted()) {
                documents["\(type):\(id)"] = document
            }
        }
        // A document not found by its id (the matcher names documents by id) or not in lei goes the long way.
        var unclaim: [String] = []
        members = members.filter { member in
            if member.match.candidate.allocations.allSatisfy({ documents["\($0.kind.rawValue):\($0.id)"] != nil }) { return true }
            unclaim.append(member.line.id.description)
            rest.append(member.match)
            return false
        }
        var partnerNames: [String: String] = [:]
        let partnerCodes = Set(documents.values.map(\.partner)).union(members.compactMap { $0.match.candidate.partner?.nilIfEmptyText })
        if !partnerCodes.isEmpty {
            for row in try await db.raw(
                "SELECT code, name FROM partners WHERE company_id = \(bind: cid) AND code IN " + .list(partnerCodes.sorted())
            ).all() {
                partnerNames[try row.decode(column: "code", as: String.self)] = try row.decode(column: "name", as: String.self)
            }
        }
        let settings = try await Self.ensureInvoicing(db, company: company)
        let postable = try await Self.postableAccounts(
            db, company: company, among: Set(members.map(\.account.ledgerAccount)).union(members.compactMap(\.counter)))
        // Each line as `confirmInside` (and `postPayment` for documents) check it.
        var refused: [String] = []
        for index in members.indices {
            let member = members[index]
            let line = member.line
            let gross = abs(line.amount.minorUnits)
            guard postable.contains(member.account.ledgerAccount) else {
                refused.append(line.id.description)
                release(member)
                continue
            }
            if let counter = member.counter {
                let partner = member.match.candidate.partner?.nilIfEmptyText
                guard postable.contains(counter), partner.map({ partnerNames[$0] != nil }) ?? true else {
                    refused.append(line.id.description)
                    continue
                }
                members[index].draft = BankPosting.entry(
                    BankPosting.Line(
                        id: line.id.description, date: line.bookingDate, incoming: member.incoming,
                        ledgerAccount: member.account.ledgerAccount, accountName: member.account.name, cash: false, currency: "RON",
                        rate: nil, gross: gross, details: line.details, counterpartyName: line.counterpartyName, partner: partner),
                    counterparts: [BankPosting.Counterpart(account: counter, amount: gross)],
                    externalRef: "bank_line:\(line.id.description)")
                continue
            }
            let found = member.match.candidate.allocations.map { documents["\($0.kind.rawValue):\($0.id)"] }
            let partners = Set(found.compactMap { $0?.partner })
            let allocated = member.match.candidate.allocations.reduce(Int64(0)) { $0 &+ $1.amount }
            var valid =
                partners.count == 1 && allocated <= gross
                && Set(member.match.candidate.allocations.map(\.id)).count == member.match.candidate.allocations.count
            var settlements: [PaymentPosting.Settlement] = []
            for (allocation, document) in zip(member.match.candidate.allocations, found) {
                guard let document, allocation.amount > 0, allocation.amount <= document.open else {
                    valid = false
                    break
                }
                settlements.append(
                    PaymentPosting.Settlement(
                        type: allocation.kind.rawValue, id: allocation.id, number: document.number, open: document.open,
                        openRON: document.open, rate: nil, amount: allocation.amount))
            }
            guard valid, let partner = partners.first, let partnerName = partnerNames[partner] else {
                refused.append(line.id.description)
                release(member)
                continue
            }
            let payment = PaymentPosting.Payment(
                id: PaymentID.generate(now: self.now).description, incoming: member.incoming, cash: false, date: line.bookingDate,
                account: member.account.ledgerAccount, currency: "RON", amount: gross, rate: nil, partner: partner,
                partnerName: partnerName,
                reference: String(([line.counterpartyName, line.details].compactMap { $0 }.joined(separator: " · ")).prefix(200)),
                settlements: settlements, writeOff: false, writeOffLimit: settings.writeOffLimit)
            members[index].payment = payment
            members[index].draft = PaymentPosting.entry(payment).entry
        }
        let rules = try await LedgerEngine.rules(
            db, company: company, only: Set(members.compactMap(\.draft).flatMap { $0.lines.map(\.account) }))
        for index in members.indices {
            guard let draft = members[index].draft else { continue }
            if !EntryValidator.problems(draft, rules: rules).isEmpty {
                refused.append(members[index].line.id.description)
                release(members[index])
                members[index].draft = nil
            }
        }
        outcome.review += refused.count
        unclaim += refused
        if !unclaim.isEmpty {
            try await db.raw(
                "UPDATE bank_lines SET state = 'unmatched' WHERE company_id = \(bind: cid) AND id IN " + .list(unclaim)
            ).run()
        }
        members = members.filter { $0.draft != nil }
        guard !members.isEmpty else { return rest }
        // The writes.
        let entryIDs = try await LedgerEngine.post(
            db, company: company, entries: members.compactMap(\.draft).map { EntryToWrite(draft: $0) }, createdBy: actor.auditName,
            now: self.nowText)
        var paymentRows: [[SQLValue]] = []
        var matchedRows: [[SQLValue]] = []
        var audit: [AuditEvent] = []
        for (member, entry) in zip(members, entryIDs) {
            let text = member.match.candidate.storedExplanation
            let documentsText: String
            let partner: String?
            if let payment = member.payment {
                paymentRows.append([
                    .text(cid), .text(payment.id), .text(member.incoming ? "in" : "out"), .text(payment.partner), .text(payment.date.iso),
                    .text("bank"), .text(payment.account), .text("RON"), .int(payment.amount), .null, SQLValue(payment.reference),
                    .int(entry.rawValue), .text(self.nowText), .text(actor.auditName), .null,
                ])
                audit.append(
                    AuditEvent(
                        actor: actor, company: company, action: member.incoming ? "payment.receive" : "payment.pay", entity: "payment",
                        entityID: payment.id,
                        changes: [
                            FieldChange("amount", before: nil, after: "\(DecimalText.amount(payment.amount)) RON"),
                            FieldChange(
                                "allocated", before: nil,
                                after: payment.settlements.map { "\($0.number)=\(DecimalText.amount($0.amount))" }.joined(separator: ", ")),
                        ]))
                documentsText = payment.settlements.map(\.id).joined(separator: ",")
                partner = payment.partner
            } else {
                documentsText = member.counter ?? ""
                partner = member.match.candidate.partner?.nilIfEmptyText
            }
            matchedRows.append([
                .text(member.line.id.description), SQLValue(member.payment?.id), .int(entry.rawValue), SQLValue(partner),
                .text(documentsText), .int(Int64(member.match.candidate.score)), .text(text), SQLValue(member.counter),
            ])
            audit.append(
                AuditEvent(
                    actor: actor, company: company, action: "bank.auto_match", entity: "bank_line", entityID: member.line.id.description,
                    changes: [
                        FieldChange("state", before: "unmatched", after: "matched"),
                        // As `confirmInside` writes it: the documents (or the account), then the account matched.
                        FieldChange("target", before: nil, after: documentsText + (member.counter.map { " \($0)" } ?? "")),
                        // The English sentence, as `MatchExplanation.text(text, language: "en")` would read it back.
                        FieldChange("explanation", before: nil, after: member.match.candidate.explanation),
                        FieldChange("score", before: nil, after: String(member.match.candidate.score)),
                    ]))
        }
        try await SQLBulk.insert(
            db, into: "payments",
            columns: [
                "company_id", "id", "direction", "partner_code", "date", "method", "account", "currency", "amount", "exchange_rate",
                "reference", "entry_id", "created_at", "created_by", "document_number",
            ], values: paymentRows)
        try await Self.markMatched(db, company: company, matchedRows, actor: actor, now: self.nowText)
        try await AuditLog.appendMany(db, audit, now: self.now)
        outcome.automatic += members.count
        return rest
    }

    /// The automatic matches' lines as matched, in one statement per 1,000 lines (`UPDATE … FROM (VALUES …)`, which
    /// both engines read alike; the VALUES columns are `column1…column8` on both). Each row: line id, payment id, entry
    /// id, partner, documents, score, explanation, matched account.
    private static func markMatched(_ db: any SQLDatabase, company: CompanyID, _ rows: [[SQLValue]], actor: Actor, now: String) async throws
    {
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + 1_000, rows.count)]
            var query: SQLQueryString = """
                UPDATE bank_lines SET payment_id = v.column2, entry_id = v.column3, fee_entry_id = NULL, linked = \(bind: false),
                    match_account = v.column8, match_partner = v.column4, match_documents = v.column5, match_score = v.column6,
                    explanation = v.column7, automatic = \(bind: true), matched_by = \(bind: actor.auditName), matched_at = \(bind: now)
                FROM (VALUES
                """
            for (index, row) in chunk.enumerated() {
                query.appendLiteral(index == 0 ? " (" : ", (")
                for (column, value) in row.enumerated() {
                    if column > 0 { query.appendLiteral(", ") }
                    // PostgreSQL types VALUES parameters as text unless told: the two integer columns are cast.
                    let integer = column == 2 || column == 5
                    if integer { query.appendLiteral("CAST(") }
                    switch value {
                    case .int(let number): query.appendInterpolation(bind: number)
                    case .text(let text): query.appendInterpolation(bind: text)
                    case .bool(let flag): query.appendInterpolation(bind: flag)
                    case .null: query.appendLiteral("NULL")
                    }
                    if integer { query.appendLiteral(" AS BIGINT)") }
                }
                query.appendLiteral(")")
            }
            query = query + ") AS v WHERE bank_lines.company_id = \(bind: company.description) AND bank_lines.id = v.column1"
            try await db.raw(query).run()
            start += chunk.count
        }
    }
}
