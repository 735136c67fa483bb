import Foundation
import Kernel
import Tax

/// One `op1` line of a D394: the operations of one type at one rate with one domestic partner (or, for partners
/// without a fiscal code, with all of them together).
public struct D394Line: Sendable, Equatable {
    /// `L` supplies, `A` purchases, `V` supplies under domestic reverse charge, `C` purchases under it.
    public var kind: String
    /// 1: registered for VAT in Romania; 2: not registered (kit README §8 and the kit's example; not verified).
    public var partnerType: Int
    public var rate: Int
    /// The partner's CUI (digits); nil for the group of partners without a fiscal code.
    public var cui: String?
    public var name: String
    public var invoices: Int
    /// Whole lei.
    public var base: Int64
    public var vat: Int64
}

/// A D394 informative statement (issue 16 item 4).
public struct D394Declaration: Sendable, Equatable {
    public var period: YearMonth
    public var quarterly: Bool
    public var lines: [D394Line]

    /// Σ of `kind` at `rate` over the lines: (invoices, base, VAT).
    public func total(_ kind: String, rate: Int? = nil, partnerType: Int? = nil) -> (invoices: Int, base: Int64, vat: Int64) {
        lines.filter { $0.kind == kind && (rate == nil || $0.rate == rate) && (partnerType == nil || $0.partnerType == partnerType) }
            .reduce((0, 0, 0)) { ($0.0 + $1.invoices, $0.1 + $1.base, $0.2 + $1.vat) }
    }
}

/// The D394 from the period's VAT facts with domestic partners, its cross-checks against the D300 and the XML (namespace
/// v5). The structure follows the kit's README §8 and example: `op1` per partner, type and rate; `rezumat1` per partner
/// type and rate; `informatii` with the number of partners and the VAT per rate. What ANAF's validator makes of the
/// fields the kit's authors read (nrCui1, tip_intocmit, the control sum) is not verified.
public enum D394 {
    public static let namespace = "mfp:anaf:dgti:d394:declaratie:v5"
    static let withoutCode = "Persoane fără cod fiscal"
    static let rates: Set<Int> = [24, 21, 11, 20, 19, 9, 5]

    /// The type of a domestic fact, or nil when D394 does not hold it (exempt, foreign partners: D390, export).
    static func kind(_ fact: VATFact) -> (String, Int)? {
        guard fact.domestic else { return nil }
        let found: (String, Decimal)? =
            switch (fact.direction, fact.category) {
            case (.sale, .standard): ("L", fact.percent)
            case (.purchase, .standard): ("A", fact.percent)
            case (.sale, .reverseCharge): ("V", (try? VATRateTable.romania.rate(.standard, supplyDate: fact.supplyDate)) ?? 21)
            case (.purchase, .reverseCharge): ("C", fact.selfAssessedPercent)
            default: nil
            }
        guard let found else { return nil }
        let rate = NSDecimalNumber(decimal: found.1).intValue
        // The form's rates (Int_coteTVASType); another percent has no place.
        return rates.contains(rate) && Decimal(rate) == found.1 ? (found.0, rate) : nil
    }

    public static func compute(_ facts: [VATFact], period: YearMonth, quarterly: Bool) -> D394Declaration {
        struct Key: Hashable {
            var kind: String
            var partnerType: Int
            var rate: Int
            var cui: String?
        }
        var sums: [Key: (name: String, documents: Set<String>, base: Int64, vat: Int64)] = [:]
        for fact in facts {
            guard let (kind, rate) = kind(fact) else { continue }
            let cui = fact.partnerTaxID.map { String($0.filter(\.isNumber).prefix(13)) }.flatMap { $0.isEmpty ? nil : $0 }
            let key = Key(kind: kind, partnerType: fact.partnerVATRegistered ? 1 : 2, rate: rate, cui: cui)
            let vat = kind == "C" ? fact.selfAssessed : fact.vat
            // Mutated in place: a copy out of the dictionary would copy the document set for every fact (quadratic).
            let name = cui == nil ? withoutCode : fact.partnerName
            sums[key, default: (name, [], 0, 0)].documents.insert(fact.source)
            sums[key, default: (name, [], 0, 0)].base &+= fact.base
            sums[key, default: (name, [], 0, 0)].vat &+= vat
        }
        let order = ["L": 0, "V": 1, "A": 2, "C": 3]
        let lines = sums.map { key, sum in
            D394Line(
                kind: key.kind, partnerType: key.partnerType, rate: key.rate, cui: key.cui, name: String(sum.name.prefix(200)),
                invoices: sum.documents.count, base: FilingMath.lei(sum.base), vat: key.kind == "V" ? 0 : FilingMath.lei(sum.vat))
        }
        .sorted {
            (order[$0.kind] ?? 9, $0.partnerType, -$0.rate, $0.cui ?? "", $0.name) < (
                order[$1.kind] ?? 9, $1.partnerType, -$1.rate, $1.cui ?? "", $1.name
            )
        }
        return D394Declaration(period: period, quarterly: quarterly, lines: lines)
    }

    /// D394 against the D300 of the same facts: supplies at 21 % and 11 % (rows 9, 10), purchases (22, 23), supplies
    /// and purchases under domestic reverse charge (13, 12.1/12.2), within a leu per line; each named.
    public static func problems(_ d: D394Declaration, d300: D300Return) -> [FilingProblem] {
        var problems: [FilingProblem] = []
        let pairs: [(String, Int?, String, Bool)] = [
            ("L", 21, "R9", true), ("L", 11, "R10", true), ("A", 21, "R22", true), ("A", 11, "R23", true), ("V", nil, "R13", false),
            ("C", 21, "R12_1", true), ("C", 11, "R12_2", true),
        ]
        for (kind, rate, row, withVAT) in pairs {
            let total = d.total(kind, rate: rate)
            let lines = Int64(d.lines.filter { $0.kind == kind && (rate == nil || $0.rate == rate) }.count)
            let base = d300.value("\(row)_1")
            let vat = d300.value("\(row)_2")
            if abs(total.base - base) > max(lines, 1) || (withVAT && abs(total.vat - vat) > max(lines, 1)) {
                let name = "\(kind)\(rate.map { " \($0) %" } ?? "")"
                problems.append(
                    FilingProblem(
                        check: "D394-\(kind)\(rate.map(String.init) ?? "")",
                        message:
                            "D394's \(name) (\(total.base) lei, VAT \(total.vat)) differs from the D300's \(row) (\(base) lei, VAT \(vat)).",
                        messageRO:
                            "D394 \(name) (\(total.base) lei, TVA \(total.vat)) diferă de rândul \(row) din D300 (\(base) lei, TVA \(vat))."
                    ))
            }
        }
        return problems
    }

    /// The XML: the header (the company as the one that prepared it, `tip_intocmit="1"`), `informatii`, `rezumat1` per
    /// partner type and rate, and the `op1` lines. `totalPlata_A` is the sum of nrFact, baza and tva over `op1`, as the
    /// kit's example reads it.
    public static func xml(_ d: D394Declaration, header h: TaxReturnHeader) -> String {
        let control = d.lines.reduce(Int64(0)) { $0 + Int64($1.invoices) + $1.base + $1.vat }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<declaratie394 xmlns=\"\(namespace)\""
        var attributes: [(String, String)] = [
            ("luna", "\(d.period.month)"), ("an", "\(d.period.year)"), ("tip_D394", d.quarterly ? "T" : "L"), ("sistemTVA", "0"),
            ("op_efectuate", d.lines.isEmpty ? "0" : "1"), ("cui", h.cui), ("caen", h.caen), ("den", h.name), ("adresa", h.address),
            ("telefon", String((h.phone ?? "").filter { $0 != " " }.prefix(15))),
        ]
        if let email = h.email, !email.isEmpty { attributes.append(("mail", email)) }
        attributes += [
            ("totalPlata_A", "\(control)"), ("denR", "\(h.declarant.lastName) \(h.declarant.firstName)".prefix(200).description),
            ("functie_reprez", String(h.declarant.function.prefix(100))), ("adresaR", h.address), ("tip_intocmit", "1"),
            ("den_intocmit", String(h.name.prefix(75))), ("cif_intocmit", h.cui), ("optiune", "0"), ("prsAfiliat", "0"),
        ]
        out += D112.attrs(attributes) + ">\n  <informatii"
        let type1 = Set(d.lines.filter { $0.partnerType == 1 }.compactMap(\.cui)).count
        let type2 = Set(d.lines.filter { $0.partnerType == 2 }.map { $0.cui ?? "" }).count
        var info: [(String, String)] = [("nrCui1", "\(type1)"), ("nrCui2", "\(type2)"), ("nrCui3", "0"), ("nrCui4", "0")]
        info += [
            "nr_BF_i1", "incasari_i1", "incasari_i2", "nrFacturi_terti", "nrFacturi_benef", "nrFacturi", "nrFacturiL_PF", "nrFacturiLS_PF",
            "val_LS_PF",
        ]
        .map { ($0, "0") }
        let rates = Set(d.lines.map(\.rate)).filter { [24, 21, 11, 20, 19, 9, 5].contains($0) }.sorted(by: >)
        for rate in rates { info.append(("tvaDed\(rate)", "\(d.total("A", rate: rate).vat + d.total("C", rate: rate).vat)")) }
        info += [24, 21, 11, 20, 19, 9, 5].map { ("tvaDedAI\($0)", "0") }
        for rate in rates { info.append(("tvaCol\(rate)", "\(d.total("L", rate: rate).vat + d.total("C", rate: rate).vat)")) }
        info.append(("solicit", "0"))
        out += D112.attrs(info) + "/>\n"
        let groups = Set(d.lines.map { "\($0.partnerType) \($0.rate)" }).sorted()
        for group in groups {
            let parts = group.split(separator: " ")
            guard let type = Int(parts[0]), let rate = Int(parts[1]) else { continue }
            var summary: [(String, String)] = [("tip_partener", "\(type)"), ("cota", "\(rate)")]
            for kind in ["L", "A", "V", "C"] {
                let t = d.total(kind, rate: rate, partnerType: type)
                guard t.invoices > 0 else { continue }
                summary += [("facturi\(kind)", "\(t.invoices)"), ("baza\(kind)", "\(t.base)")]
                if kind != "V" { summary.append(("tva\(kind)", "\(t.vat)")) }
            }
            out += "  <rezumat1" + D112.attrs(summary) + "/>\n"
        }
        for line in d.lines {
            var attributes: [(String, String)] = [("tip", line.kind), ("tip_partener", "\(line.partnerType)"), ("cota", "\(line.rate)")]
            if let cui = line.cui { attributes.append(("cuiP", cui)) }
            attributes += [("denP", line.name), ("nrFact", "\(line.invoices)"), ("baza", "\(line.base)")]
            if line.kind != "V" { attributes.append(("tva", "\(line.vat)")) }
            out += "  <op1" + D112.attrs(attributes) + "/>\n"
        }
        return out + "</declaratie394>\n"
    }
}
