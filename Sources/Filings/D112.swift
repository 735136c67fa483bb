import Foundation
import Kernel

/// The employer of a D112 (section `angajator`).
public struct D112Employer: Sendable, Equatable {
    /// The fiscal code without `RO`.
    public var cif: String
    public var name: String
    /// The main activity's CAEN code (four digits).
    public var caen: String
    public var tradeRegister: String?
    public var address: String?
    /// The county health fund code (`casaAng`): the county's two letters, `_B` for Bucharest.
    public var healthFund: String

    public init(cif: String, name: String, caen: String, tradeRegister: String? = nil, address: String? = nil, healthFund: String) {
        self.cif = cif
        self.name = name
        self.caen = caen
        self.tradeRegister = tradeRegister
        self.address = address
        self.healthFund = healthFund
    }
}

/// Who signs a declaration (D112, D300, D394, D390).
public struct Declarant: Sendable, Equatable {
    public var lastName: String
    public var firstName: String
    public var function: String

    public init(lastName: String, firstName: String, function: String) {
        self.lastName = lastName
        self.firstName = firstName
        self.function = function
    }
}

/// One insured person's month: an employee under an individual labour contract (section A, insured type 1), from the
/// payroll run. Amounts are minor units of lei; the declaration writes whole lei (`D112.lei`).
public struct D112Insured: Sendable, Equatable {
    public var cnp: String
    public var lastName: String
    public var firstName: String
    public var hired: LocalDate
    public var left: LocalDate?
    public var healthFund: String
    /// The contract's hours a day: 8 is a full-time norm (`N`), fewer a part-time one (`P1`…`P7`).
    public var normHours: Int
    public var workedDays: Int
    public var workedHours: Int
    /// The contract's base salary for a whole month, and the month's gross in cash.
    public var baseSalary: Int64
    public var gross: Int64
    /// The untaxed part of the minimum wage (left out of every base), and the meal vouchers (in the CASS and tax bases).
    public var untaxed: Int64
    public var mealVouchers: Int64
    public var cas: Int64
    public var cass: Int64
    /// The basic personal deduction and the supplementary ones (under 26, children in school).
    public var basicDeduction: Int64
    public var youngDeduction: Int64
    public var childrenDeduction: Int64
    public var dependants: Int
    public var taxable: Int64
    public var tax: Int64
    public var net: Int64
    public var mainJob: Bool

    public init(
        cnp: String, lastName: String, firstName: String, hired: LocalDate, left: LocalDate? = nil, healthFund: String, normHours: Int,
        workedDays: Int, workedHours: Int, baseSalary: Int64, gross: Int64, untaxed: Int64 = 0, mealVouchers: Int64 = 0, cas: Int64,
        cass: Int64, basicDeduction: Int64, youngDeduction: Int64 = 0, childrenDeduction: Int64 = 0, dependants: Int = 0, taxable: Int64,
        tax: Int64,
        net: Int64, mainJob: Bool = true
    ) {
        self.cnp = cnp
        self.lastName = lastName
        self.firstName = firstName
        self.hired = hired
        self.left = left
        self.healthFund = healthFund
        self.normHours = normHours
        self.workedDays = workedDays
        self.workedHours = workedHours
        self.baseSalary = baseSalary
        self.gross = gross
        self.untaxed = untaxed
        self.mealVouchers = mealVouchers
        self.cas = cas
        self.cass = cass
        self.basicDeduction = basicDeduction
        self.youngDeduction = youngDeduction
        self.childrenDeduction = childrenDeduction
        self.dependants = dependants
        self.taxable = taxable
        self.tax = tax
        self.net = net
        self.mainJob = mainJob
    }
}

/// A month's D112 (issue 15 item 7): the employer's obligations and one record per insured person.
public struct D112Declaration: Sendable, Equatable {
    public var period: YearMonth
    /// A rectifying declaration (`d_rec="1"`), filed after an earlier one for the same month.
    public var rectifying: Bool
    public var employer: D112Employer
    public var declarant: Declarant
    public var insured: [D112Insured]
    /// The rates in force, in basis points (25 % = 2,500), for the cross-checks.
    public var casRate: Int64
    public var cassRate: Int64
    public var taxRate: Int64
    public var camRate: Int64

    public init(
        period: YearMonth, rectifying: Bool = false, employer: D112Employer, declarant: Declarant, insured: [D112Insured],
        casRate: Int64, cassRate: Int64, taxRate: Int64, camRate: Int64
    ) {
        self.period = period
        self.rectifying = rectifying
        self.employer = employer
        self.declarant = declarant
        self.insured = insured
        self.casRate = casRate
        self.cassRate = cassRate
        self.taxRate = taxRate
        self.camRate = camRate
    }
}

/// D112, *declarația unică*, in ANAF's namespace v7 (the conformance kit's `d112_06082026.xsd`; which periods that
/// schema serves was not verified, see docs/payroll.md). The mapping of each figure onto the form follows the kit's
/// README §8 and is documented in docs/payroll.md with what was not verified. Pure: data in, XML and problems out.
public enum D112 {
    public static let namespace = "mfp:anaf:dgti:declaratie_unica:declaratie:v7"

    /// Obligation codes (`A_codOblig`) and budget codes (`A_codBugetar`) of the employer section, as the kit's
    /// example and other generators write them (the budget codes were not verified against ANAF's nomenclature).
    public enum Obligation: String, Sendable, CaseIterable {
        case incomeTax = "602"
        case cas = "412"
        case cass = "432"
        case cam = "480"

        public var budgetCode: String { self == .cam ? "20470300XX" : "5503XXXXXX" }
    }

    /// Whole lei for the declaration: minor units rounded half up (the form takes whole lei, kit README §8).
    public static func lei(_ minorUnits: Int64) -> Int64 { FilingMath.lei(minorUnits) }

    /// `basisPoints` of whole lei `base`, rounded half up to the leu: how the form's own checks recompute a
    /// contribution from its base (CAS = round(A_13 × 25 %)).
    public static func percent(_ base: Int64, _ basisPoints: Int64) -> Int64 {
        let (product, overflow) = base.multipliedReportingOverflow(by: basisPoints)
        return overflow ? Int64.max : (product + 5_000) / 10_000
    }

    /// One person's figures in whole lei, as written in sections A and E3.
    public struct Person: Sendable, Equatable {
        public var camBase: Int64
        public var cassBase: Int64
        public var cass: Int64
        public var casBase: Int64
        public var cas: Int64
        public var income: Int64
        public var contributions: Int64
        public var deduction: Int64
        public var basicDeduction: Int64
        public var supplementaryDeduction: Int64
        public var youngDeduction: Int64
        public var childrenDeduction: Int64
        public var taxable: Int64
        public var tax: Int64
        public var net: Int64
        public var baseSalary: Int64
        public var gross: Int64
    }

    public static func person(_ p: D112Insured) -> Person {
        let contributionBase = lei(p.gross - p.untaxed)
        let cas = lei(p.cas)
        let cass = lei(p.cass)
        return Person(
            camBase: contributionBase, cassBase: lei(p.gross - p.untaxed + p.mealVouchers), cass: cass, casBase: contributionBase,
            cas: cas, income: lei(p.gross - p.untaxed + p.mealVouchers), contributions: cas + cass,
            deduction: lei(p.basicDeduction) + lei(p.youngDeduction) + lei(p.childrenDeduction), basicDeduction: lei(p.basicDeduction),
            supplementaryDeduction: lei(p.youngDeduction) + lei(p.childrenDeduction), youngDeduction: lei(p.youngDeduction),
            childrenDeduction: lei(p.childrenDeduction), taxable: lei(p.taxable), tax: lei(p.tax), net: lei(p.net),
            baseSalary: lei(p.baseSalary), gross: lei(p.gross))
    }

    /// The employer's totals: what each obligation owes, the CAM base and CAM, the gross salary fund.
    public struct Totals: Sendable, Equatable {
        public var incomeTax: Int64
        public var cas: Int64
        public var cass: Int64
        public var camBase: Int64
        public var cam: Int64
        public var grossFund: Int64

        public func owed(_ obligation: Obligation) -> Int64 {
            switch obligation {
            case .incomeTax: return incomeTax
            case .cas: return cas
            case .cass: return cass
            case .cam: return cam
            }
        }

        public var total: Int64 { incomeTax + cas + cass + cam }
    }

    /// The employer's CAM is computed on the total base, once (section C4: `C4_ct` = round(`C4_baza` × 2.25 %)); the
    /// payroll run posts the same amount to 436.
    public static func totals(_ declaration: D112Declaration) -> Totals {
        let people = declaration.insured.map(person)
        let camBase = people.reduce(0) { $0 + $1.camBase }
        return Totals(
            incomeTax: people.reduce(0) { $0 + $1.tax }, cas: people.reduce(0) { $0 + $1.cas }, cass: people.reduce(0) { $0 + $1.cass },
            camBase: camBase, cam: percent(camBase, declaration.camRate), grossFund: people.reduce(0) { $0 + $1.gross })
    }

    /// The cross-checks ANAF's validator applies that can be derived from the form (kit README §8), each named:
    /// every problem at once, in the reader's two languages.
    public static func problems(_ declaration: D112Declaration) -> [FilingProblem] {
        var problems: [FilingProblem] = []
        func add(_ check: String, _ en: String, _ ro: String) { problems.append(FilingProblem(check: check, message: en, messageRO: ro)) }
        if declaration.insured.isEmpty {
            add("D112-EMPTY", "The declaration has no insured person.", "Declarația nu are nicio persoană asigurată.")
        }
        if !(declaration.employer.caen.count == 4 && declaration.employer.caen.allSatisfy(\.isASCII)
            && Int(declaration.employer.caen) != nil)
        {
            add(
                "D112-CAEN", "The employer's CAEN code '\(declaration.employer.caen)' is not four digits.",
                "Codul CAEN al angajatorului „\(declaration.employer.caen)” nu are patru cifre.")
        }
        if !(2...13).contains(declaration.employer.cif.count) || !declaration.employer.cif.allSatisfy({ $0.isASCII && $0.isNumber }) {
            add(
                "D112-CIF", "The employer's fiscal code '\(declaration.employer.cif)' is not 2 to 13 digits.",
                "Codul fiscal al angajatorului „\(declaration.employer.cif)” nu are între 2 și 13 cifre.")
        }
        var seen: Set<String> = []
        for insured in declaration.insured {
            let p = person(insured)
            let who = "\(insured.lastName) \(insured.firstName)"
            if (try? CNP(insured.cnp)) == nil {
                add("D112-CNP", "\(who): the CNP '\(insured.cnp)' is not valid.", "\(who): CNP-ul „\(insured.cnp)” nu este valid.")
            }
            if !seen.insert(insured.cnp).inserted {
                add("D112-CNP-TWICE", "\(who): the CNP \(insured.cnp) appears twice.", "\(who): CNP-ul \(insured.cnp) apare de două ori.")
            }
            if !(1...8).contains(insured.normHours) {
                add(
                    "D112-A_3", "\(who): a contract of \(insured.normHours) hours a day has no contract type (N, P1…P7).",
                    "\(who): un contract de \(insured.normHours) ore pe zi nu are tip de contract (N, P1…P7).")
            }
            if p.cas != percent(p.casBase, declaration.casRate) {
                add(
                    "D112-A_14", "\(who): CAS \(p.cas) is not \(declaration.casRate / 100) % of its base \(p.casBase).",
                    "\(who): CAS \(p.cas) nu este \(declaration.casRate / 100) % din baza \(p.casBase).")
            }
            if p.cass != percent(p.cassBase, declaration.cassRate) {
                add(
                    "D112-A_12", "\(who): CASS \(p.cass) is not \(declaration.cassRate / 100) % of its base \(p.cassBase).",
                    "\(who): CASS \(p.cass) nu este \(declaration.cassRate / 100) % din baza \(p.cassBase).")
            }
            if p.taxable != max(0, p.income - p.contributions - p.deduction) {
                add(
                    "D112-E3_14",
                    "\(who): the taxable base \(p.taxable) is not income \(p.income) − contributions \(p.contributions) − deduction \(p.deduction).",
                    "\(who): baza impozabilă \(p.taxable) nu este venitul \(p.income) − contribuții \(p.contributions) − deducere \(p.deduction)."
                )
            }
            if p.tax != percent(p.taxable, declaration.taxRate) {
                add(
                    "D112-E3_15", "\(who): the income tax \(p.tax) is not \(declaration.taxRate / 100) % of \(p.taxable).",
                    "\(who): impozitul \(p.tax) nu este \(declaration.taxRate / 100) % din \(p.taxable).")
            }
            if insured.workedHours > insured.workedDays * max(1, insured.normHours) || insured.workedDays > 31 {
                add(
                    "D112-A_6", "\(who): \(insured.workedHours) hours in \(insured.workedDays) days exceed the contract's norm.",
                    "\(who): \(insured.workedHours) ore în \(insured.workedDays) zile depășesc norma contractului.")
            }
        }
        return problems
    }

    /// The declaration's XML: attributes in the form's order, whole lei, one `asigurat` per person in the order given.
    public static func xml(_ declaration: D112Declaration) -> String {
        let totals = totals(declaration)
        let e = declaration.employer
        let d = declaration.declarant
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<declaratieUnica xmlns=\"\(namespace)\""
        out += attrs([
            ("luna_r", "\(declaration.period.month)"), ("an_r", "\(declaration.period.year)"),
            ("d_rec", declaration.rectifying ? "1" : "0"),
            ("nume_declar", d.lastName), ("prenume_declar", d.firstName), ("functie_declar", d.function),
        ])
        out += ">\n  <angajator"
        var employer: [(String, String)] = [("cif", e.cif)]
        if let register = e.tradeRegister, !register.isEmpty { employer.append(("rgCom", register)) }
        employer += [("caen", e.caen), ("den", e.name)]
        if let address = e.address, !address.isEmpty { employer.append(("adrSoc", address)) }
        employer += [("casaAng", e.healthFund), ("datCAM", "1"), ("totalPlata_A", "\(totals.total)")]
        out += attrs(employer) + ">\n"
        for obligation in Obligation.allCases {
            let owed = totals.owed(obligation)
            out += "    <angajatorA"
            out += attrs([
                ("A_codOblig", obligation.rawValue), ("A_codBugetar", obligation.budgetCode), ("A_datorat", "\(owed)"),
                ("A_deductibil", "0"),
                ("A_scutit", "0"), ("A_plata", "\(owed)"),
            ])
            out += "/>\n"
        }
        let count = "\(declaration.insured.count)"
        out += "    <angajatorB"
        out += attrs([
            ("B_cnp", count), ("B_sanatate", count), ("B_pensie", count), ("B_brutSalarii", "\(totals.grossFund)"), ("B_sal", count),
        ])
        out += "/>\n    <angajatorC4" + attrs([("C4_baza", "\(totals.camBase)"), ("C4_ct", "\(totals.cam)")]) + "/>\n  </angajator>\n"
        for (index, insured) in declaration.insured.enumerated() {
            let p = person(insured)
            out += "  <asigurat"
            var head: [(String, String)] = [
                ("idAsig", "\(index + 1)"), ("cnpAsig", insured.cnp), ("numeAsig", insured.lastName), ("prenAsig", insured.firstName),
                ("dataAng", date(insured.hired)),
            ]
            if let left = insured.left { head.append(("dataSf", date(left))) }
            head += [("casaSn", insured.healthFund), ("asigCI", "1"), ("asigSO", "1"), ("Timp_E3", "\(p.tax)")]
            out += attrs(head) + ">\n    <asiguratA"
            out += attrs([
                ("A_1", "1"), ("A_2", "0"), ("A_3", insured.normHours >= 8 ? "N" : "P\(max(1, insured.normHours))"), ("A_4", "8"),
                ("A_5", "\(p.camBase)"), ("A_6", "\(insured.workedHours)"), ("A_7", "0"), ("A_8", "\(insured.workedDays)"),
                ("A_9", "\(p.camBase)"), ("A_11", "\(p.cassBase)"), ("A_12", "\(p.cass)"), ("A_13", "\(p.casBase)"), ("A_14", "\(p.cas)"),
                ("A_sal1", "\(p.baseSalary)"), ("A_sal2", "\(p.gross)"),
            ])
            out += "/>\n    <asiguratE1"
            out += attrs([
                ("E1_1", "\(p.income)"), ("E1_2", "\(p.contributions)"), ("E1_3", "0"), ("E1_4", "\(p.deduction)"),
                ("E1_41", "\(p.basicDeduction)"), ("E1_42", "\(p.supplementaryDeduction)"), ("E1_421", "\(p.youngDeduction)"),
                ("E1_422", "\(p.childrenDeduction)"), ("E1_5", "0"),
                ("E1_6", "\(p.taxable)"), ("E1_7", "\(p.tax)"),
            ])
            out += "/>\n    <asiguratE3"
            out += attrs([
                ("E3_1", "A"), ("E3_2", "1"), ("E3_3", insured.mainJob ? "1" : "2"), ("E3_4", "P"), ("E3_8", "\(p.income)"),
                ("E3_9", "\(p.contributions)"), ("E3_11", "\(insured.dependants)"), ("E3_13", "0"), ("E3_14", "\(p.taxable)"),
                ("E3_15", "\(p.tax)"), ("E3_16", "\(p.net)"), ("E3_19", "0"), ("E3_121", "\(p.basicDeduction)"),
                ("E3_122", "\(p.supplementaryDeduction)"), ("E3_1221", "\(p.youngDeduction)"), ("E3_1222", "\(p.childrenDeduction)"),
            ])
            out += "/>\n  </asigurat>\n"
        }
        out += "</declaratieUnica>\n"
        return out
    }

    static func date(_ day: LocalDate) -> String {
        (day.day < 10 ? "0" : "") + "\(day.day)." + (day.month < 10 ? "0" : "") + "\(day.month).\(day.year)"
    }

    static func attrs(_ pairs: [(String, String)]) -> String {
        pairs.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    /// Attribute text: the five XML specials escaped, control characters dropped (XML 1.0 cannot carry them).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out += " "
            default:
                if scalar.value < 0x20 { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
