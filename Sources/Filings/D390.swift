import Foundation
import Kernel
import Tax

/// One line of a D390: the operations of one type with one partner of another member state in the period.
public struct D390Operation: Sendable, Equatable {
    /// ANAF's operation types: `L` intra-Community supplies of goods, `T` triangular, `A` intra-Community acquisitions of
    /// goods, `P` services supplied, `S` services acquired, `R` supplies under call-off stock (kit README §8).
    public enum Kind: String, Sendable, CaseIterable, Comparable {
        case L, T, A, P, S, R
        public static func < (a: Kind, b: Kind) -> Bool {
            (allCases.firstIndex(of: a) ?? allCases.count) < (allCases.firstIndex(of: b) ?? allCases.count)
        }
    }

    public var kind: Kind
    /// The member state's code as VIES writes it (`EL` for Greece).
    public var country: String
    /// The partner's VAT number without the country prefix.
    public var code: String
    public var name: String
    /// Whole lei.
    public var base: Int64
}

/// A D390 VIES recapitulative statement (issue 16 item 4).
public struct D390Declaration: Sendable, Equatable {
    public var period: YearMonth
    public var rectifying: Bool
    public var operations: [D390Operation]
    /// Lines whose partner has no VAT number: VIES cannot take them.
    public var unplaced: [FilingProblem]

    public func base(_ kind: D390Operation.Kind) -> Int64 { operations.filter { $0.kind == kind }.reduce(0) { $0 + $1.base } }
}

/// The D390 from the period's VAT facts: its lines, the cross-checks against the D300, and the XML (namespace v3).
public enum D390 {
    public static let namespace = "mfp:anaf:dgti:d390:declaratie:v3"

    /// The type of a fact, or nil when it is not an intra-Community operation.
    public static func kind(_ fact: VATFact) -> D390Operation.Kind? {
        guard fact.intraCommunity else { return nil }
        switch (fact.direction, fact.category) {
        case (.sale, .intraCommunity): return .L
        case (.sale, .reverseCharge): return .P
        case (.purchase, .intraCommunity): return .A
        case (.purchase, .reverseCharge): return .S
        default: return nil
        }
    }

    /// The declaration's lines: the facts' bases summed per type and partner (country and VAT number), then whole lei.
    public static func compute(_ facts: [VATFact], period: YearMonth, rectifying: Bool = false) -> D390Declaration {
        struct Key: Hashable {
            var kind: D390Operation.Kind
            var country: String
            var code: String
        }
        var sums: [Key: (name: String, base: Int64)] = [:]
        var unplaced: [FilingProblem] = []
        for fact in facts {
            guard let kind = kind(fact) else { continue }
            guard let taxID = fact.partnerTaxID?.uppercased(), taxID.count > 2, taxID.prefix(2).allSatisfy(\.isLetter) else {
                unplaced.append(
                    FilingProblem(
                        check: "D390-code",
                        message:
                            "\(fact.number): \(fact.partnerName) has no VAT number of its member state; VIES needs it (set it on the partner).",
                        messageRO:
                            "\(fact.number): \(fact.partnerName) nu are cod de TVA din statul său membru; VIES îl cere (completați-l la partener)."
                    ))
                continue
            }
            let key = Key(kind: kind, country: String(taxID.prefix(2)), code: String(taxID.dropFirst(2).prefix(12)))
            sums[key, default: (fact.partnerName, 0)].base &+= fact.base
        }
        let operations = sums.map { key, value in
            D390Operation(kind: key.kind, country: key.country, code: key.code, name: value.name, base: FilingMath.lei(value.base))
        }
        .sorted { ($0.kind, $0.country, $0.code) < ($1.kind, $1.country, $1.code) }
        return D390Declaration(period: period, rectifying: rectifying, operations: operations, unplaced: unplaced)
    }

    /// Every problem, named: partners without a VAT number, and each type's total against the D300 row that holds the
    /// same operations (`L` row 1, `P` row 3.1, `A` row 5, `S` row 7.1), within the rounding of one leu per line.
    public static func problems(_ d: D390Declaration, d300: D300Return?) -> [FilingProblem] {
        var problems = d.unplaced
        guard let d300 else { return problems }
        for (kind, row) in [(D390Operation.Kind.L, "R1_1"), (.P, "R3_1_1"), (.A, "R5_1"), (.S, "R7_1_1")] {
            let lines = Int64(d.operations.filter { $0.kind == kind }.count)
            let difference = abs(d.base(kind) - d300.value(row))
            if difference > max(lines, 1) {
                problems.append(
                    FilingProblem(
                        check: "D390-\(kind.rawValue)",
                        message:
                            "Operations \(kind.rawValue) add up to \(d.base(kind)) lei but the D300's \(row) is \(d300.value(row)) lei.",
                        messageRO:
                            "Operațiunile \(kind.rawValue) însumează \(d.base(kind)) lei, dar rândul \(row) din D300 are \(d300.value(row)) lei."
                    ))
            }
        }
        return problems
    }

    /// The XML: the header, the summary per type, and one `operatie` per line. No `cos` (call-off stock) element: Culise
    /// has no such movements, and ANAF's structure gives `cos` as 0..n although its XSD asks for one (kit README §8; CI
    /// validates with the kit's `--d390-cos-optional`).
    public static func xml(_ d: D390Declaration, header h: TaxReturnHeader) -> String {
        let bases = D390Operation.Kind.allCases.map { d.base($0) }
        let total = bases.reduce(0, +)
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<declaratie390 xmlns=\"\(namespace)\""
        var attributes: [(String, String)] = [
            ("luna", "\(d.period.month)"), ("an", "\(d.period.year)"), ("d_rec", d.rectifying ? "1" : "0"),
            ("nume_declar", h.declarant.lastName), ("prenume_declar", h.declarant.firstName), ("functie_declar", h.declarant.function),
            ("cui", h.cui), ("den", h.name), ("adresa", h.address),
        ]
        if let phone = h.phone, !phone.isEmpty { attributes.append(("telefon", String(phone.filter { $0 != " " }.prefix(15)))) }
        if let email = h.email, !email.isEmpty { attributes.append(("mail", email)) }
        attributes.append(("totalPlata_A", "\(Int64(d.operations.count) + total)"))
        out += D112.attrs(attributes) + ">\n  <rezumat"
        out += D112.attrs(
            [("nr_pag", "1"), ("nrOPI", "\(d.operations.count)")]
                + zip(D390Operation.Kind.allCases, bases).map { ("baza\($0.0.rawValue)", "\($0.1)") } + [("total_baza", "\(total)")])
        out += "/>\n"
        for operation in d.operations {
            out += "  <operatie"
            out += D112.attrs([
                ("tip", operation.kind.rawValue), ("tara", operation.country), ("codO", operation.code),
                ("denO", String(operation.name.prefix(200))), ("baza", "\(operation.base)"),
            ])
            out += "/>\n"
        }
        return out + "</declaratie390>\n"
    }
}
