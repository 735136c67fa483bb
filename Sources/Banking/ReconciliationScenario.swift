import Foundation
import Kernel

/// A deterministic, realistic reconciliation scenario with ground truth (tests, `culise-bench reconcile`, the demo):
/// customers and suppliers, open invoices and bills, expected salary and tax payments, and a bank statement of exact
/// payments, partial payments, one payment for several invoices, references with typos or spacing, fees, salaries,
/// tax payments and unknown lines.
public struct ReconciliationScenario: Sendable {
    public enum Truth: Hashable, Sendable {
        /// The documents (or liabilities) the line settles, by item id.
        case documents(Set<String>)
        case account(String)
        case none
    }

    public struct Line: Sendable {
        public var statement: StatementLine
        public var truth: Truth
        public var kind: String
    }

    public var partners: [PartnerProfile]
    public var items: [OpenItem]
    public var lines: [Line]
    /// Earlier confirmed lines without a document (what the company taught the matcher before).
    public var history: [AccountMemory.Example]
    public var companyIBAN: String

    /// A small linear congruential generator: the same seed gives the same scenario on every machine.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }
        mutating func pick<T>(_ values: [T]) -> T { values[int(0...values.count - 1)] }
    }

    static let firstWords = [
        "Alfa", "Beta", "Carpați", "Dacia", "Șerban", "Țara", "Mureș", "Olt", "Argeș", "Bistrița", "Câmpia", "Delta", "Făget",
        "Giurgiu", "Horezu", "Iași", "Jiul", "Lotus", "Măgura", "Nera", "Orhideea", "Prahova", "Rarău", "Sălaj", "Timiș", "Vâlcea",
        "Zărand", "Ceahlău", "Bucegi", "Retezat",
    ]
    static let secondWords = [
        "Distribuție", "Logistică", "Construcții", "Servicii", "Comerț", "Consultanță", "Transport", "Agro", "Software", "Medical",
        "Papetărie", "Instalații", "Mobilă", "Textile", "Energie", "Alimentare", "Proiect", "Tehnic", "Design", "Auto",
    ]
    static let legalForms = ["SRL", "SA", "SRL", "SRL", "SNC"]

    /// A valid Romanian IBAN (mod-97 check digits) for a bank code and an account number.
    public static func iban(bank: String, account: Int) -> String {
        let body = bank + String(format: "%016d", account)
        let rearranged = body + "RO00"
        var remainder = 0
        for character in rearranged {
            let value = character.isLetter ? Int(character.asciiValue! - 55) : Int(String(character))!
            for digit in String(value) { remainder = (remainder * 10 + Int(String(digit))!) % 97 }
        }
        return "RO" + String(format: "%02d", 98 - remainder) + body
    }

    /// `invoices` open invoices (series `series`), `bills` open bills, and a statement of at least `lines` lines.
    public static func generate(
        seed: UInt64 = 7, invoices: Int = 2_000, bills: Int = 600, lines target: Int = 2_500, series: String = "EXD",
        firstNumber: Int = 1_000, start: LocalDate = try! LocalDate(iso: "2026-09-01"), currency: String = "RON"
    ) -> ReconciliationScenario {
        var random = Random(state: seed)
        let partnerCount = max(20, min(400, invoices / 6))
        var partners: [PartnerProfile] = []
        var usedNames = Set<String>()
        var index = 0
        while partners.count < partnerCount {
            index += 1
            var name = "\(random.pick(firstWords)) \(random.pick(secondWords)) \(random.pick(legalForms))"
            if !usedNames.insert(Matcher.normalName(name)).inserted {
                name = "\(random.pick(firstWords)) \(random.pick(secondWords)) \(index) SRL"
            }
            guard usedNames.insert(Matcher.normalName(name)).inserted || name.contains(" \(index) ") else { continue }
            partners.append(
                PartnerProfile(
                    code: String(format: "P%04d", partners.count + 1), name: name,
                    ibans: [
                        iban(bank: random.pick(["BTRL", "RNCB", "BRDE", "INGB", "BACX", "CECE"]), account: 10_000_000 + partners.count)
                    ],
                    usualDelayDays: random.pick([0, 0, 3, 7, 14, 30]), settledCount: random.int(0...12)))
        }
        let customers = Array(partners.prefix(partners.count * 2 / 3))
        let suppliers = Array(partners.suffix(partners.count - customers.count))
        var items: [OpenItem] = []
        // Round amounts repeat, as in life (subscriptions, fixed fees): identical candidates must go to review.
        let roundAmounts: [Int64] = [119_000, 238_000, 59_500, 100_000, 250_000]
        func amount() -> Int64 { random.chance(12) ? random.pick(roundAmounts) : Int64(random.int(5_000...2_000_000)) }
        for number in 0..<invoices {
            let partner = random.pick(customers)
            let issued = start.adding(days: random.int(0...75))
            items.append(
                OpenItem(
                    kind: .invoice, id: "inv-\(number)", number: "\(series)-\(firstNumber + number)", partner: partner.code, open: amount(),
                    currency: currency, dueDate: issued.adding(days: random.pick([15, 30, 30, 45]))))
        }
        for number in 0..<bills {
            let partner = random.pick(suppliers)
            let issued = start.adding(days: random.int(0...75))
            let formats = [
                "F\(random.int(100...99_999))", "\(random.pick(["FCT", "SUP", "TX", "AB"]))-\(random.int(1_000...999_999))",
                "\(random.int(10_000...9_999_999))",
            ]
            items.append(
                OpenItem(
                    kind: .bill, id: "bill-\(number)", number: random.pick(formats), partner: partner.code, open: amount(),
                    currency: currency,
                    dueDate: issued.adding(days: 30)))
        }
        // Supplier numbers may collide: keep them unique per scenario so the truth is well defined.
        var seenNumbers = Set<String>()
        for i in items.indices where !seenNumbers.insert(Matcher.squash(items[i].number)).inserted { items[i].number += "-\(i)" }
        let salaries: Int64 = 4_850_000
        items.append(
            OpenItem(
                kind: .liability, id: "421", number: "421 salarii", partner: nil, open: salaries, currency: currency, dueDate: nil,
                keywords: ["SALAR"]))
        items.append(
            OpenItem(
                kind: .liability, id: "4423", number: "4423 TVA de plată", partner: nil, open: 1_234_567, currency: currency, dueDate: nil,
                keywords: ["TVA"]))
        items.append(
            OpenItem(
                kind: .liability, id: "444", number: "444 impozit salarii", partner: nil, open: 512_300, currency: currency, dueDate: nil,
                keywords: ["IMPOZIT"]))

        var open: [String: Int64] = Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0.open) })
        let byID = Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0) })
        let profiles = Dictionary(uniqueKeysWithValues: partners.map { ($0.code, $0) })
        var unpaidInvoices = items.filter { $0.kind == .invoice }.map(\.id)
        var unpaidBills = items.filter { $0.kind == .bill }.map(\.id)
        var result: [Line] = []
        var unpaidByPartner: [String: [String]] = [:]
        for id in unpaidInvoices { unpaidByPartner[byID[id]!.partner!, default: []].append(id) }
        /// A random unpaid document, removed from the pool in O(1) (documents paid meanwhile are skipped).
        func take(_ pool: inout [String]) -> OpenItem? {
            while !pool.isEmpty {
                let position = random.int(0...pool.count - 1)
                pool.swapAt(position, pool.count - 1)
                let id = pool.removeLast()
                if open[id]! == byID[id]!.open { return byID[id] }
            }
            return nil
        }
        /// How people write a counterparty's name on a transfer.
        func spelling(_ name: String) -> String {
            switch random.int(0...5) {
            case 0: return Matcher.fold(name)
            case 1: return "SC " + name
            case 2: return name.replacingOccurrences(of: " SRL", with: " S.R.L.")
            case 3: return String(Matcher.fold(name).prefix(18))
            default: return name
            }
        }
        func reference(_ number: String) -> String {
            let digits = Matcher.trailingDigits(number)
            let prefix = String(number.prefix { !$0.isNumber }).replacingOccurrences(of: "-", with: "")
            switch random.int(0...6) {
            case 0: return "Plata factura \(number)"
            case 1: return "c/v fact. \(prefix) \(digits)"
            case 2: return "fact \(prefix.lowercased())\(digits)"
            case 3: return "Contravaloare factura nr. \(number) din \(start.iso)"
            case 4: return "PLATA FF \(prefix)/\(digits)"
            case 5: return "\(number)"
            default: return "ordin plata \(prefix) \(digits.prefix(2)) \(digits.dropFirst(2))"
            }
        }
        func typo(_ number: String) -> String {
            var digits = Array(Matcher.trailingDigits(number))
            let prefix = String(number.prefix { !$0.isNumber })
            switch random.int(0...2) {
            case 0 where digits.count >= 2:
                let i = random.int(0...digits.count - 2)
                if digits[i] == digits[i + 1] { digits[i] = digits[i] == "9" ? "8" : "9" } else { digits.swapAt(i, i + 1) }
            case 1: digits.append(Character(String(random.int(0...9))))
            default:
                let i = random.int(0...digits.count - 1)
                digits[i] = digits[i] == "7" ? "1" : "7"
            }
            return "Plata fact \(prefix)\(String(digits))"
        }
        var bankRef = 500_000
        func line(
            _ date: LocalDate, _ amount: Int64, _ details: String, _ partner: PartnerProfile?, iban: Bool, _ truth: Truth, _ kind: String,
            name: String? = nil
        ) {
            bankRef += 1
            result.append(
                Line(
                    statement: StatementLine(
                        bookingDate: date, valueDate: date, amount: amount, currency: currency, bankReference: "BR\(bankRef)",
                        reference: nil,
                        counterpartyName: name ?? partner.map { spelling($0.name) }, counterpartyIBAN: iban ? partner?.ibans.first : nil,
                        details: details, position: "line \(result.count + 1)"),
                    truth: truth, kind: kind))
        }
        func payDate(_ item: OpenItem) -> LocalDate {
            let delay = item.partner.flatMap { profiles[$0]?.usualDelayDays } ?? 0
            return (item.dueDate ?? start).adding(days: delay + random.int(-3...3))
        }
        while result.count < target {
            let roll = random.int(0...99)
            switch roll {
            case 0..<46:  // an exact payment of one invoice, with its number
                guard let item = take(&unpaidInvoices) else { continue }
                open[item.id] = 0
                line(
                    payDate(item), item.open, reference(item.number), profiles[item.partner!], iban: random.chance(75),
                    .documents([item.id]), "exact")
            case 46..<52:  // a typo in the reference
                guard let item = take(&unpaidInvoices) else { continue }
                open[item.id] = 0
                line(
                    payDate(item), item.open, typo(item.number), profiles[item.partner!], iban: random.chance(60), .documents([item.id]),
                    "typo")
            case 52..<57:  // no reference: the amount and who paid
                guard let item = take(&unpaidInvoices) else { continue }
                open[item.id] = 0
                line(
                    payDate(item), item.open, random.pick(["Plata", "Transfer", "OP", "Contravaloare servicii"]), profiles[item.partner!],
                    iban: true, .documents([item.id]), "no_reference")
            case 57..<64:  // a partial payment
                guard let item = take(&unpaidInvoices), item.open >= 2_000 else { continue }
                let part = item.open / Int64(random.pick([2, 3, 4]))
                open[item.id] = item.open - part
                line(
                    payDate(item), part, "Avans " + reference(item.number), profiles[item.partner!], iban: random.chance(70),
                    .documents([item.id]), "partial")
            case 64..<68:  // one payment for several invoices of one partner
                guard let first = take(&unpaidInvoices) else { continue }
                let others = Array(
                    (unpaidByPartner[first.partner!] ?? []).lazy.filter { $0 != first.id && open[$0]! == byID[$0]!.open }.prefix(
                        random.int(1...2)))
                guard !others.isEmpty else {
                    unpaidInvoices.append(first.id)
                    continue
                }
                let group = [first] + others.map { byID[$0]! }
                for item in group { open[item.id] = 0 }
                let details =
                    random.chance(70)
                    ? "Plata facturi " + group.map(\.number).joined(separator: ", ") : "Plata facturi scadente"
                line(
                    payDate(first), group.reduce(0) { $0 + $1.open }, details, profiles[first.partner!], iban: true,
                    .documents(Set(group.map(\.id))),
                    "several")
            case 68..<84:  // a supplier bill paid
                guard let item = take(&unpaidBills) else { continue }
                open[item.id] = 0
                let supplier = profiles[item.partner!]!
                line(
                    payDate(item), -item.open, random.pick(["Plata fact ", "c/v factura ", "FF ", "Achitare "]) + item.number, supplier,
                    iban: random.chance(90), .documents([item.id]), "bill", name: supplier.name)
            case 84..<90:  // bank fees
                line(
                    start.adding(days: random.int(0...90)), -Int64(random.pick([250, 500, 1_200, 350, 2_000])),
                    random.pick(["COMISION ADMINISTRARE CONT", "COMISION TRANZACTIE", "Comision plata OP", "COMISION SMS ALERT"]), nil,
                    iban: false, .account("627"), "fee", name: "BANCA")
            case 90..<94:  // salaries, one line per employee
                let net = Int64(random.int(300_000...900_000))
                guard open["421"]! >= net else { continue }
                open["421"]! -= net
                let employee =
                    "\(random.pick(["Popescu", "Ionescu", "Dumitrescu", "Stănescu", "Țurcanu"])) \(random.pick(["Ion", "Maria", "Ștefan", "Ana"]))"
                line(
                    start.adding(days: random.int(0...90)), -net, "SALARIU \(random.pick(["09", "10", "11"]))/2026 \(employee)", nil,
                    iban: false, .documents(["421"]), "salary", name: employee)
            case 94..<96:  // taxes to the state budget
                if open["4423"]! == 1_234_567 && random.chance(50) {
                    open["4423"] = 0
                    line(
                        start.adding(days: 25), -1_234_567, "PLATA TVA LUNA 09/2026 CONT UNIC", nil, iban: false, .documents(["4423"]),
                        "tax",
                        name: "TREZORERIA STATULUI")
                } else if open["444"]! == 512_300 {
                    open["444"] = 0
                    line(
                        start.adding(days: 25), -512_300, "IMPOZIT PE VENIT SALARII 09/2026", nil, iban: false, .documents(["444"]), "tax",
                        name: "TREZORERIA STATULUI")
                } else {
                    continue
                }
            default:  // unknown lines
                line(
                    start.adding(days: random.int(0...90)),
                    random.chance(50) ? Int64(random.int(1_000...50_000)) : -Int64(random.int(1_000...50_000)),
                    random.pick(["TRANSFER INTERN", "DEPUNERE NUMERAR", "RESTITUIRE", "PLATA CARD POS 4412", "DOBANDA"]), nil, iban: false,
                    .none,
                    "unknown", name: random.pick(["PERSOANA FIZICA", "EMAG", "POS"]))
            }
        }
        let history = (0..<40).map { index in
            AccountMemory.Example(
                counterparty: "BANCA", text: ["COMISION ADMINISTRARE CONT", "COMISION TRANZACTIE", "COMISION PLATA OP"][index % 3],
                account: "627", partner: nil)
        }
        return ReconciliationScenario(
            partners: partners, items: items, lines: result.sorted { $0.statement.bookingDate < $1.statement.bookingDate },
            history: history,
            companyIBAN: iban(bank: "BTRL", account: 1))
    }

    /// Precision of the automatic matches and the share of lines with a true match whose best candidate is right.
    public struct Quality: Sendable, CustomStringConvertible {
        public var lines: Int
        public var automatic: Int
        public var automaticCorrect: Int
        public var withTruth: Int
        public var topCorrect: Int
        public var byKind: [String: (lines: Int, top: Int, automatic: Int, wrong: Int)]

        public var precision: Double { automatic == 0 ? 1 : Double(automaticCorrect) / Double(automatic) }
        public var topRate: Double { withTruth == 0 ? 1 : Double(topCorrect) / Double(withTruth) }

        public var description: String {
            let kinds = byKind.keys.sorted().map { key in
                let value = byKind[key]!
                return "\(key): \(value.lines) lines, top \(value.top), auto \(value.automatic), wrong auto \(value.wrong)"
            }
            return String(
                format: "%d lines; automatic %d, precision %.2f%%; lines with a true match %d, best candidate right %.2f%%\n",
                lines, automatic, precision * 100, withTruth, topRate * 100) + kinds.joined(separator: "\n")
        }
    }

    public static func matches(_ candidate: MatchCandidate?, _ truth: Truth) -> Bool {
        guard let candidate else { return truth == .none }
        switch truth {
        case .documents(let ids): return Set(candidate.allocations.map(\.id)) == ids
        case .account(let account): return candidate.allocations.isEmpty && candidate.account == account
        case .none: return false
        }
    }

    /// Scores proposals (by line index) against the truth.
    public func quality(_ proposals: [LineProposal]) -> Quality {
        var quality = Quality(lines: lines.count, automatic: 0, automaticCorrect: 0, withTruth: 0, topCorrect: 0, byKind: [:])
        for (line, proposal) in zip(lines, proposals) {
            let right = Self.matches(proposal.candidates.first, line.truth)
            var kind = quality.byKind[line.kind] ?? (0, 0, 0, 0)
            kind.lines += 1
            if line.truth != .none {
                quality.withTruth += 1
                if right {
                    quality.topCorrect += 1
                    kind.top += 1
                }
            }
            if proposal.automatic {
                quality.automatic += 1
                kind.automatic += 1
                if right { quality.automaticCorrect += 1 } else { kind.wrong += 1 }
            }
            quality.byKind[line.kind] = kind
        }
        return quality
    }
}

extension ReconciliationScenario {
    /// The statement as a CAMT.053.001.08 file for the company's account (tests, the demo and the benchmark import it).
    public func camt053(iban: String? = nil, opening: Int64 = 0) -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
                of: ">", with: "&gt;"
            )
            .replacingOccurrences(of: "\"", with: "&quot;")
        }
        func amount(_ minor: Int64) -> String { "\(abs(minor) / 100).\(String(format: "%02d", Int(abs(minor) % 100)))" }
        let account = iban ?? companyIBAN
        let currency = lines.first?.statement.currency ?? "RON"
        let closing = opening + lines.reduce(0) { $0 + $1.statement.amount }
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>SCENARIO</MsgId><CreDtTm>2026-12-01T08:00:00</CreDtTm></GrpHdr>
            <Stmt><Id>SCENARIO-1</Id><Acct><Id><IBAN>\(account)</IBAN></Id><Ccy>\(currency)</Ccy></Acct>
            <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="\(currency)">\(amount(opening))</Amt><CdtDbtInd>\(opening < 0 ? "DBIT" : "CRDT")</CdtDbtInd></Bal>
            <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="\(currency)">\(amount(closing))</Amt><CdtDbtInd>\(closing < 0 ? "DBIT" : "CRDT")</CdtDbtInd></Bal>

            """
        for line in lines.map(\.statement) {
            let credit = line.amount > 0
            let party = credit ? "Dbtr" : "Cdtr"
            xml += "<Ntry><Amt Ccy=\"\(line.currency)\">\(amount(line.amount))</Amt><CdtDbtInd>\(credit ? "CRDT" : "DBIT")</CdtDbtInd>"
            xml += "<BookgDt><Dt>\(line.bookingDate.iso)</Dt></BookgDt><ValDt><Dt>\((line.valueDate ?? line.bookingDate).iso)</Dt></ValDt>"
            if let reference = line.bankReference { xml += "<AcctSvcrRef>\(escape(reference))</AcctSvcrRef>" }
            xml += "<NtryDtls><TxDtls><RltdPties>"
            if let name = line.counterpartyName { xml += "<\(party)><Nm>\(escape(name))</Nm></\(party)>" }
            if let counterparty = line.counterpartyIBAN { xml += "<\(party)Acct><Id><IBAN>\(counterparty)</IBAN></Id></\(party)Acct>" }
            xml += "</RltdPties><RmtInf><Ustrd>\(escape(line.details))</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n"
        }
        return xml + "</Stmt></BkToCstmrStmt></Document>\n"
    }
}
