import Foundation
import Kernel

/// Something a bank line may settle: an open invoice (money in), an open bill (money out), or an expected
/// liability payment (salaries 421, VAT 4423, payroll taxes 444/431x/436…), read from the ledger by the app layer.
public struct OpenItem: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable {
        case invoice, bill, liability
        /// One employee's net salary of a posted payroll run (id `run/employee`), paid from the account to their IBAN.
        case salary
        /// An entry already posted on the bank account (a payment typed by hand) that no bank line explains yet.
        case posted
    }

    public var kind: Kind
    /// The document id, or the liability's account code.
    public var id: String
    /// The document number as printed (`EXD-1042`), or the liability's label.
    public var number: String
    public var partner: String?
    /// Open amount in `currency` minor units, above 0.
    public var open: Int64
    public var currency: String
    public var dueDate: LocalDate?
    /// Words that point to a liability in payment details ("SALARII", "TVA", "CONTRIBUTII").
    public var keywords: [String]
    /// +1 when the item is settled by money coming in, -1 by money going out.
    public var sign: Int64
    /// The IBAN the money goes to (a salary's): the counterparty IBAN of the line that pays it.
    public var iban: String?

    public init(
        kind: Kind, id: String, number: String, partner: String?, open: Int64, currency: String, dueDate: LocalDate?,
        keywords: [String] = [], sign: Int64? = nil, iban: String? = nil
    ) {
        self.iban = iban
        self.sign = sign ?? (kind == .invoice ? 1 : -1)
        self.kind = kind
        self.id = id
        self.number = number
        self.partner = partner
        self.open = open
        self.currency = currency
        self.dueDate = dueDate
        self.keywords = keywords
    }
}

/// A partner as the matcher knows it: its names and IBANs, and how it has paid before.
public struct PartnerProfile: Hashable, Sendable, Codable {
    public var code: String
    public var name: String
    public var ibans: [String]
    /// Days after the due date this partner usually pays (median of earlier settled documents), and how many.
    public var usualDelayDays: Int?
    public var settledCount: Int

    public init(code: String, name: String, ibans: [String], usualDelayDays: Int? = nil, settledCount: Int = 0) {
        self.code = code
        self.name = name
        self.ibans = ibans
        self.usualDelayDays = usualDelayDays
        self.settledCount = settledCount
    }
}

/// The part of a bank line the matcher reads.
public struct MatchLine: Hashable, Sendable, Codable {
    public var id: String
    public var date: LocalDate
    /// Signed minor units: money in is positive.
    public var amount: Int64
    public var currency: String
    public var details: String
    public var counterpartyName: String?
    public var counterpartyIBAN: String?

    public init(
        id: String, date: LocalDate, amount: Int64, currency: String, details: String, counterpartyName: String?, counterpartyIBAN: String?
    ) {
        self.id = id
        self.date = date
        self.amount = amount
        self.currency = currency
        self.details = details
        self.counterpartyName = counterpartyName
        self.counterpartyIBAN = counterpartyIBAN
    }
}

/// "Text contains COMISION → 627": a decision the company turned into a rule.
public struct MatchRule: Hashable, Sendable, Codable {
    public var id: String
    public var pattern: String
    public var account: String
    public var partner: String?
    /// `in`, `out` or nil for both.
    public var direction: String?

    public init(id: String, pattern: String, account: String, partner: String? = nil, direction: String? = nil) {
        self.id = id
        self.pattern = pattern
        self.account = account
        self.partner = partner
        self.direction = direction
    }
}

/// One reason a candidate fits, with its weight and its text in English and Romanian.
public struct MatchSignal: Hashable, Sendable, Codable {
    public var code: String
    public var points: Int
    public var en: String
    public var ro: String
}

/// A matched line's explanation as stored: its signals (facts with their sentences in both languages) as JSON,
/// said in the reader's language when shown. Lines matched before this form kept an English sentence; it is shown as is.
public enum MatchExplanation {
    public static func store(_ signals: [MatchSignal]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(signals)).map { String(decoding: $0, as: UTF8.self) } ?? signals.map(\.en).joined(separator: "; ")
    }

    /// A person confirmed the match by hand.
    public static func confirmed(by name: String) -> String {
        store([MatchSignal(code: "confirmed", points: 0, en: "confirmed by \(name)", ro: "confirmată de \(name)")])
    }

    public static func text(_ stored: String, language: String) -> String {
        guard stored.hasPrefix("["), let signals = try? JSONDecoder().decode([MatchSignal].self, from: Data(stored.utf8)) else {
            return stored
        }
        return signals.map { language == "en" ? $0.en : $0.ro }.joined(separator: "; ")
    }
}

/// What a line could be: allocations to documents (or liabilities), or an account (with a partner).
public struct MatchCandidate: Hashable, Sendable, Codable {
    public struct Allocation: Hashable, Sendable, Codable {
        public var kind: OpenItem.Kind
        public var id: String
        public var number: String
        public var amount: Int64
    }

    public var allocations: [Allocation]
    public var account: String?
    public var partner: String?
    /// The sum of the signals' points (about 0…150); the default automatic threshold is 80.
    public var score: Int
    public var signals: [MatchSignal]

    public var explanation: String { signals.map(\.en).joined(separator: "; ") }
    public var explanationRO: String { signals.map(\.ro).joined(separator: "; ") }
    public func explanation(language: String) -> String { language == "en" ? explanation : explanationRO }
    /// The signals as a matched line stores them, so its page says them in each reader's language.
    public var storedExplanation: String { MatchExplanation.store(signals) }

    /// Same target, whatever the score.
    var key: String {
        allocations.map { "\($0.kind.rawValue):\($0.id)" }.sorted().joined(separator: ",") + "|" + (account ?? "") + "|" + (partner ?? "")
    }
}

/// The matcher's answer for one line: ranked candidates, and whether the best may be confirmed without a person.
public struct LineProposal: Sendable, Codable, Equatable {
    public var line: String
    public var candidates: [MatchCandidate]
    public var automatic: Bool
    /// Why the line waits for review although it has candidates (identical candidates, below the threshold…).
    public var reviewReason: String?
    /// The same in Romanian.
    public var reviewReasonRO: String? = nil

    /// Why the line waits, for a reader of `language` ("en" or "ro").
    public func reviewReason(language: String) -> String? { language == "en" ? reviewReason : reviewReasonRO ?? reviewReason }
}

/// What the company's earlier confirmed lines without a document teach: counterparty and words → account.
public struct AccountMemory: Sendable {
    public struct Example: Sendable {
        public var counterparty: String
        public var text: String
        public var account: String
        public var partner: String?

        public init(counterparty: String, text: String, account: String, partner: String?) {
            self.counterparty = counterparty
            self.text = text
            self.account = account
            self.partner = partner
        }
    }

    var byCounterparty: [String: [String: Int]] = [:]
    var byWord: [String: [String: Int]] = [:]
    var partnerOf: [String: String] = [:]

    public init(_ examples: [Example]) {
        for example in examples {
            let name = Matcher.normalName(example.counterparty)
            if !name.isEmpty { byCounterparty[name, default: [:]][example.account, default: 0] += 1 }
            for word in Set(Matcher.words(example.text)) { byWord[word, default: [:]][example.account, default: 0] += 1 }
            if let partner = example.partner { partnerOf[example.account + "|" + name] = partner }
        }
    }

    /// The account most earlier lines with this counterparty, or else with these words, went to; with its evidence.
    func suggest(counterparty: String?, text: String) -> (account: String, partner: String?, share: Double, signal: MatchSignal)? {
        let name = Matcher.normalName(counterparty ?? "")
        if !name.isEmpty, let counts = byCounterparty[name], let best = counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) {
            let total = counts.values.reduce(0, +)
            let share = Double(best.value) / Double(total)
            if best.value >= 2 && share >= 0.8 {
                return (
                    best.key, partnerOf[best.key + "|" + name], share,
                    MatchSignal(
                        code: "learned_counterparty", points: 25 + Int(20 * share),
                        en: "\(best.value) earlier lines from \(counterparty!) went to \(best.key)",
                        ro:
                            "\(Plural.romanian(best.value, one: "linie anterioară", few: "linii anterioare", many: "de linii anterioare")) de la \(counterparty!) au mers în \(best.key)"
                    )
                )
            }
        }
        var best: (word: String, account: String, count: Int, share: Double)?
        for word in Set(Matcher.words(text)) where word.count >= 4 && !word.allSatisfy(\.isNumber) {
            guard let counts = byWord[word], let top = counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) else { continue }
            let share = Double(top.value) / Double(counts.values.reduce(0, +))
            guard top.value >= 2, share >= 0.8 else { continue }
            if best == nil || top.value > best!.count { best = (word, top.key, top.value, share) }
        }
        guard let best else { return nil }
        return (
            best.account, nil, best.share,
            MatchSignal(
                code: "learned_words", points: 20 + Int(20 * best.share),
                en: "\(best.count) earlier lines with '\(best.word)' went to \(best.account)",
                ro:
                    "\(Plural.romanian(best.count, one: "linie anterioară", few: "linii anterioare", many: "de linii anterioare")) cu '\(best.word)' au mers în \(best.account)"
            )
        )
    }
}

/// The reconciliation engine: candidates with scores and plain-language explanations for each bank line.
/// Pure and indexed (numbers, amounts, IBANs, names), so each line costs about the same whatever the number of open items.
public struct Matcher: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Lines whose best candidate scores at least this are confirmed automatically; nil: never.
        public var autoThreshold: Int?
        /// The best must lead the second by this much to be confirmed automatically.
        public var margin: Int
        public var candidatesPerLine: Int

        public init(autoThreshold: Int? = nil, margin: Int = 15, candidatesPerLine: Int = 5) {
            self.autoThreshold = autoThreshold
            self.margin = margin
            self.candidatesPerLine = candidatesPerLine
        }
    }

    /// Bounds of the search for several documents summing to a payment.
    public static let combinationItems = 24
    public static let combinationSize = 5
    public static let combinationNodes = 4_000

    let items: [OpenItem]
    let partners: [String: PartnerProfile]
    let rules: [MatchRule]
    let memory: AccountMemory
    var byDigits: [String: [Int]] = [:]
    var byAmount: [String: [Int]] = [:]
    var byPartner: [String: [Int]] = [:]
    var liabilities: [Int] = []
    var salaries: [Int] = []
    var partnerByIBAN: [String: String] = [:]
    var partnerByName: [String: String] = [:]
    var partnersByWord: [String: [String]] = [:]
    var normalNumbers: [String] = []
    var dueByID: [String: LocalDate] = [:]
    var partnerWords: [String: [String]] = [:]

    public init(items: [OpenItem], partners: [PartnerProfile], rules: [MatchRule] = [], memory: AccountMemory = AccountMemory([])) {
        self.items = items.filter { $0.open > 0 }
        self.rules = rules
        self.memory = memory
        var profiles: [String: PartnerProfile] = [:]
        for partner in partners {
            profiles[partner.code] = partner
            for iban in partner.ibans { partnerByIBAN[iban.uppercased().filter { !$0.isWhitespace }] = partner.code }
            let name = Self.normalName(partner.name)
            partnerWords[partner.code] = name.split(separator: " ").map(String.init)
            if !name.isEmpty { partnerByName[name] = partner.code }
            for word in Set(name.split(separator: " ").map(String.init)) where word.count >= 3 {
                partnersByWord[word, default: []].append(partner.code)
            }
        }
        self.partners = profiles
        normalNumbers.reserveCapacity(self.items.count)
        for (index, item) in self.items.enumerated() {
            normalNumbers.append(Self.squash(item.number))
            if let due = item.dueDate { dueByID[item.id] = due }
            if item.kind == .liability {
                liabilities.append(index)
            } else if item.kind == .salary {
                salaries.append(index)
            } else if item.kind != .posted {
                let digits = Self.trailingDigits(item.number)
                if !digits.isEmpty { byDigits[digits, default: []].append(index) }
            }
            guard item.kind != .salary else { continue }
            byAmount[Self.amountKey(item.sign * item.open, item.currency), default: []].append(index)
            if let partner = item.partner { byPartner[partner, default: []].append(index) }
        }
        for key in byPartner.keys {
            byPartner[key]!.sort {
                (self.items[$0].dueDate ?? .init(dayNumber: 0), $0) < (self.items[$1].dueDate ?? .init(dayNumber: 0), $1)
            }
        }
    }

    static func amountKey(_ signed: Int64, _ currency: String) -> String { "\(currency)|\(signed)" }

    // MARK: - Text normalisation

    static let legalForms: Set<String> = ["SRL", "SA", "SNC", "SCS", "SCA", "PFA", "II", "IF", "SC", "SRLD", "RA", "ONG", "SCM"]

    static let foldingLocale = Locale(identifier: "ro_RO")
    /// Romanian letters (both comma- and cedilla-below forms) folded without Foundation, the hot path.
    static let romanian: [Unicode.Scalar: UInt8] = [
        "ă": 65, "Ă": 65, "â": 65, "Â": 65, "î": 73, "Î": 73, "ș": 83, "Ș": 83, "ş": 83, "Ş": 83, "ț": 84, "Ț": 84, "ţ": 84, "Ţ": 84,
    ]

    /// Upper case without diacritics: "Țesătoria Șercaia" → "TESATORIA SERCAIA".
    static func fold(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                let value = UInt8(scalar.value)
                bytes.append(value >= 97 && value <= 122 ? value - 32 : value)
            } else if let folded = romanian[scalar] {
                bytes.append(folded)
            } else {
                return text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: foldingLocale).uppercased()
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII
            ? (scalar.value >= 48 && scalar.value <= 57) || (scalar.value >= 65 && scalar.value <= 90)
                || (scalar.value >= 97 && scalar.value <= 122)
            : CharacterSet.alphanumerics.contains(scalar)
    }

    /// Upper-case letters and digits only: "EXD-1042" and "exd 1042" are both "EXD1042".
    static func squash(_ text: String) -> String { String(String.UnicodeScalarView(fold(text).unicodeScalars.filter(isAlphanumeric))) }

    /// Words of letters and digits; dots inside a word vanish ("S.R.L." → "SRL").
    static func words(_ text: String) -> [String] {
        var result: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in fold(text).unicodeScalars {
            if isAlphanumeric(scalar) {
                current.append(scalar)
            } else if scalar != "." && !current.isEmpty {
                result.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { result.append(String(current)) }
        return result
    }

    /// A company name without punctuation, diacritics or legal form: "S.C. Beta Distribuție S.R.L." → "BETA DISTRIBUTIE".
    public static func normalName(_ text: String) -> String {
        words(text).filter { !legalForms.contains($0) }.joined(separator: " ")
    }

    /// The digits an invoice number ends with, without leading zeros: "EXD-001042" → "1042".
    static func trailingDigits(_ number: String) -> String {
        let bytes = Array(number.utf8)
        var start = bytes.count
        while start > 0 && bytes[start - 1] >= 48 && bytes[start - 1] <= 57 { start -= 1 }
        var first = start
        while first < bytes.count - 1 && bytes[first] == 48 { first += 1 }
        return String(decoding: bytes[first...], as: UTF8.self)
    }

    /// Digit runs in the text, without leading zeros; two runs split by one space, dot, dash or slash are also
    /// joined ("EXD 10 42" → "1042").
    static func digitRuns(_ folded: String) -> [String] {
        var runs: [(digits: String, gapAfter: String)] = []
        var current = ""
        var gap = ""
        for character in folded {
            if character.isASCII && character.isNumber {
                if current.isEmpty && !runs.isEmpty { runs[runs.count - 1].gapAfter = gap }
                current.append(character)
                gap = ""
            } else {
                if !current.isEmpty {
                    runs.append((current, ""))
                    current = ""
                }
                gap.append(character)
            }
        }
        if !current.isEmpty { runs.append((current, "")) }
        var result = Set<String>()
        func add(_ run: String) { result.insert(stripZeros(run)) }
        for (index, run) in runs.enumerated() {
            add(run.digits)
            if index + 1 < runs.count, [" ", "-", "/", "."].contains(run.gapAfter) { add(run.digits + runs[index + 1].digits) }
        }
        return Array(result)
    }

    /// "001042" → "1042"; "000" → "0".
    static func stripZeros(_ digits: String) -> String {
        let trimmed = digits.drop { $0 == "0" }
        return trimmed.isEmpty ? (digits.isEmpty ? "" : "0") : String(trimmed)
    }

    /// The variants of a number one typo away (a digit changed, dropped, added or two swapped).
    static func typoVariants(_ digits: String) -> Set<String> {
        let characters = Array(digits)
        var variants = Set<String>()
        let alphabet = Array("0123456789")
        for index in characters.indices {
            var dropped = characters
            dropped.remove(at: index)
            variants.insert(String(dropped))
            for digit in alphabet where digit != characters[index] {
                var changed = characters
                changed[index] = digit
                variants.insert(String(changed))
            }
            if index + 1 < characters.count && characters[index] != characters[index + 1] {
                var swapped = characters
                swapped.swapAt(index, index + 1)
                variants.insert(String(swapped))
            }
        }
        for index in 0...characters.count {
            for digit in alphabet {
                var added = characters
                added.insert(digit, at: index)
                variants.insert(String(added))
            }
        }
        variants.remove(digits)
        return Set(variants.map(stripZeros))
    }

    static func editDistanceAtMostOne(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        let x = Array(a)
        let y = Array(b)
        if abs(x.count - y.count) > 1 { return false }
        var i = 0
        var j = 0
        var edits = 0
        while i < x.count && j < y.count {
            if x[i] == y[j] {
                i += 1
                j += 1
                continue
            }
            edits += 1
            if edits > 1 { return false }
            if x.count > y.count {
                i += 1
            } else if x.count < y.count {
                j += 1
            } else {
                i += 1
                j += 1
            }
        }
        return edits + (x.count - i) + (y.count - j) <= 1
    }

    /// 0…1: how much two normalised names share, a word matching when equal or one typo apart (words of 5+ letters).
    static func nameSimilarity(_ x: [String], _ y: [String]) -> Double {
        guard !x.isEmpty, !y.isEmpty else { return 0 }
        var used = Set<Int>()
        var shared = 0
        for word in x {
            if let index = y.indices.first(where: {
                !used.contains($0) && (y[$0] == word || (word.count >= 5 && y[$0].count >= 5 && editDistanceAtMostOne(word, y[$0])))
            }) {
                used.insert(index)
                shared += 1
            }
        }
        return 2 * Double(shared) / Double(x.count + y.count)
    }

    // MARK: - Matching

    /// An amount in an English explanation: `1,234.56 RON`.
    static func money(_ minor: Int64, _ currency: String) -> String { MoneyFormat.amount(minor, locale: .en) + " " + currency }

    /// An amount in a Romanian explanation: `1.234,56 RON`.
    static func bani(_ minor: Int64, _ currency: String) -> String { MoneyFormat.amount(minor, locale: .ro) + " " + currency }

    /// "3 zile", "20 de zile" (Romanian plural rules).
    static func zile(_ count: Int) -> String { Plural.romanian(count, one: "zi", few: "zile", many: "de zile") }

    /// "1 day", "3 days".
    static func days(_ count: Int) -> String { Plural.english(count, one: "day", other: "days") }

    /// Proposals for many lines, in their order, spread over the machine's cores (the matcher is immutable).
    public func proposeAll(_ lines: [MatchLine], settings: Settings) -> [LineProposal] {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        guard lines.count >= 512, workers > 1 else { return lines.map { propose($0, settings: settings) } }
        let results = ResultSlots<LineProposal>(count: lines.count)
        let chunk = (lines.count + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let range = (worker * chunk)..<min(lines.count, (worker + 1) * chunk)
            for index in range { results.set(index, propose(lines[index], settings: settings)) }
        }
        return results.values
    }

    /// Candidates for one line, best first, with the automatic decision under `settings`.
    public func propose(_ line: MatchLine, settings: Settings) -> LineProposal {
        let detailsFolded = Self.fold(line.details)
        let folded = detailsFolded + " " + Self.fold(line.counterpartyName ?? "")
        let squashed = String(String.UnicodeScalarView(detailsFolded.unicodeScalars.filter(Self.isAlphanumeric)))
        let sign: Int64 = line.amount >= 0 ? 1 : -1
        let absolute = abs(line.amount)

        // Who paid: IBAN, then the name (exact, then close).
        var partnerSignals: [String: MatchSignal] = [:]
        if let iban = line.counterpartyIBAN?.uppercased().filter({ !$0.isWhitespace }), !iban.isEmpty, let code = partnerByIBAN[iban],
            let profile = partners[code]
        {
            partnerSignals[code] = MatchSignal(
                code: "iban", points: 30, en: "counterparty IBAN belongs to \(profile.name)",
                ro: "IBAN-ul plătitorului este al \(profile.name)")
        }
        if let name = line.counterpartyName.map(Self.normalName), !name.isEmpty {
            if let code = partnerByName[name], let profile = partners[code] {
                let signal = MatchSignal(
                    code: "name", points: 25, en: "counterparty name is \(profile.name)", ro: "numele plătitorului este \(profile.name)")
                if partnerSignals[code] == nil { partnerSignals[code] = signal } else { partnerSignals[code]!.points += 10 }
            } else {
                var seen = Set<String>()
                let nameWords = name.split(separator: " ").map(String.init)
                for word in nameWords where word.count >= 3 {
                    for code in partnersByWord[word] ?? [] where seen.insert(code).inserted {
                        guard let profile = partners[code] else { continue }
                        let similarity = Self.nameSimilarity(nameWords, partnerWords[code] ?? [])
                        guard similarity >= 0.66 else { continue }
                        let points = Int(22 * similarity)
                        let signal = MatchSignal(
                            code: "fuzzy_name", points: points,
                            en: "counterparty name '\(line.counterpartyName!)' resembles \(profile.name) (\(Int(similarity * 100))%)",
                            ro: "numele plătitorului '\(line.counterpartyName!)' seamănă cu \(profile.name) (\(Int(similarity * 100))%)")
                        if partnerSignals[code] == nil { partnerSignals[code] = signal } else { partnerSignals[code]!.points += 5 }
                    }
                }
            }
        }

        // Document numbers in the details, exact (with the series), by digits, or one typo away.
        var numberSignals: [Int: MatchSignal] = [:]
        let runs = Self.digitRuns(detailsFolded)
        for run in runs {
            for index in byDigits[run] ?? [] {
                let item = items[index]
                guard item.sign == sign, item.currency == line.currency else { continue }
                let normal = normalNumbers[index]
                if squashed.contains(normal) {
                    numberSignals[index] = MatchSignal(
                        code: "number", points: 50,
                        en: "\(item.kind == .invoice ? "invoice" : "bill") number \(item.number) found in the payment details",
                        ro: "numărul \(item.kind == .invoice ? "facturii" : "documentului") \(item.number) apare în detaliile plății")
                } else if run.count >= 3 {
                    numberSignals[index] = MatchSignal(
                        code: "number_digits", points: 30, en: "number \(run) of \(item.number) found in the payment details",
                        ro: "numărul \(run) din \(item.number) apare în detaliile plății")
                }
            }
        }
        if numberSignals.isEmpty {
            for run in runs where run.count >= 3 && run.count <= 10 {
                for variant in Self.typoVariants(run) {
                    for index in byDigits[variant] ?? [] where numberSignals[index] == nil {
                        let item = items[index]
                        guard item.sign == sign, item.currency == line.currency else { continue }
                        numberSignals[index] = MatchSignal(
                            code: "number_typo", points: 20, en: "\(run) in the payment details is one typo away from \(item.number)",
                            ro: "\(run) din detaliile plății diferă printr-o greșeală de \(item.number)")
                    }
                }
            }
        }

        // Candidate documents: by number, by amount, and the identified partners' open documents.
        // Candidate documents: those named in the text, those of exactly this amount (the identified partners' first),
        // and, when nothing else fits, the identified partners' oldest open documents (a partial payment without a reference).
        var pool = Set(numberSignals.keys)
        let amountHits = byAmount[Self.amountKey(line.amount, line.currency)] ?? []
        if amountHits.count <= 64 {
            pool.formUnion(amountHits)
        } else {
            if !partnerSignals.isEmpty {
                for index in amountHits where items[index].partner.map({ partnerSignals[$0] != nil }) ?? false { pool.insert(index) }
            }
            pool.formUnion(amountHits.prefix(64))
        }
        if pool.isEmpty {
            for code in partnerSignals.keys {
                for index in (byPartner[code] ?? []).lazy.filter({ self.items[$0].sign == sign && self.items[$0].currency == line.currency }
                ).prefix(10) {
                    pool.insert(index)
                }
            }
        }
        var candidates: [MatchCandidate] = []
        var exactForPartner = Set<String>()
        for index in pool {
            let item = items[index]
            guard item.sign == sign, item.currency == line.currency, item.kind != .liability else { continue }
            if item.kind == .posted && item.open != absolute { continue }
            var signals: [MatchSignal] = []
            if let signal = numberSignals[index] { signals.append(signal) }
            if let partner = item.partner, let signal = partnerSignals[partner] { signals.append(signal) }
            let allocation: Int64
            if item.open == absolute {
                signals.append(
                    MatchSignal(
                        code: "amount", points: 30, en: "amount equals \(item.number)'s open \(Self.money(item.open, item.currency))",
                        ro: "suma este egală cu restul de plată al \(item.number), \(Self.bani(item.open, item.currency))"))
                allocation = absolute
                if let partner = item.partner { exactForPartner.insert(partner) }
            } else if absolute < item.open {
                guard !signals.isEmpty else { continue }
                signals.append(
                    MatchSignal(
                        code: "partial", points: 5,
                        en: "partial payment: \(Self.money(absolute, item.currency)) of \(Self.money(item.open, item.currency)) open",
                        ro: "plată parțială: \(Self.bani(absolute, item.currency)) din \(Self.bani(item.open, item.currency))"))
                allocation = absolute
            } else {
                guard numberSignals[index] != nil else { continue }
                signals.append(
                    MatchSignal(
                        code: "overpayment", points: -15,
                        en: "pays \(Self.money(absolute - item.open, item.currency)) more than is open; the rest becomes an advance",
                        ro: "plătește cu \(Self.bani(absolute - item.open, item.currency)) mai mult decât restul; diferența devine avans"))
                allocation = item.open
            }
            if item.kind == .posted, let date = item.dueDate {
                let days = abs(date.days(until: line.date))
                signals.append(
                    MatchSignal(
                        code: "posted", points: days <= 5 ? 25 : 5, en: "already in the ledger as \(item.number) of \(date.iso)",
                        ro: "deja înregistrată în contabilitate: \(item.number) din \(date.romanian)"))
            } else if let signal = timing(line, item) {
                signals.append(signal)
            }
            candidates.append(
                MatchCandidate(
                    allocations: [.init(kind: item.kind, id: item.id, number: item.number, amount: allocation)], account: nil,
                    partner: item.partner, score: signals.reduce(0) { $0 + $1.points }, signals: signals))
        }

        // Several documents in one payment: the numbers named in the text, or a bounded search over one partner's documents.
        let named = numberSignals.filter { $0.value.code == "number" }.map(\.key)
        let namedByPartner = Dictionary(grouping: named, by: { items[$0].partner ?? "" })
        for (partner, indexes) in namedByPartner where indexes.count >= 2 {
            let total = indexes.reduce(Int64(0)) { $0 + items[$1].open }
            guard total == absolute else { continue }
            let sorted = indexes.sorted { items[$0].number < items[$1].number }
            var signals = [
                MatchSignal(
                    code: "numbers", points: 50,
                    en: "numbers \(sorted.map { items[$0].number }.joined(separator: ", ")) found in the payment details",
                    ro: "numerele \(sorted.map { items[$0].number }.joined(separator: ", ")) apar în detaliile plății"),
                MatchSignal(
                    code: "amount_sum", points: 30, en: "amount equals their open total \(Self.money(total, line.currency))",
                    ro: "suma este egală cu totalul lor de plată, \(Self.bani(total, line.currency))"),
            ]
            if let signal = partnerSignals[partner] { signals.append(signal) }
            candidates.append(
                MatchCandidate(
                    allocations: sorted.map {
                        .init(kind: items[$0].kind, id: items[$0].id, number: items[$0].number, amount: items[$0].open)
                    },
                    account: nil, partner: partner.isEmpty ? nil : partner, score: signals.reduce(0) { $0 + $1.points },
                    signals: signals))
        }
        // The search runs only when the line names none of the partner's documents and none matches the amount exactly.
        let namedPartners = Set(numberSignals.keys.compactMap { items[$0].partner })
        for (partner, partnerSignal) in partnerSignals
        where !exactForPartner.contains(partner) && named.count < 2 && !namedPartners.contains(partner) {
            let open = (byPartner[partner] ?? []).filter { items[$0].sign == sign && items[$0].currency == line.currency }
            guard open.count >= 2 else { continue }
            let solutions = Self.combinations(
                of: Array(open.prefix(Self.combinationItems)).map { ($0, items[$0].open) }, summingTo: absolute)
            for (rank, solution) in solutions.enumerated() {
                let numbers = solution.map { items[$0].number }
                let signals = [
                    partnerSignal,
                    MatchSignal(
                        code: "amount_combination", points: solutions.count == 1 ? 30 : 15,
                        en:
                            "amount equals the open total of \(numbers.joined(separator: ", "))\(solutions.count > 1 ? " (one of \(solutions.count) combinations)" : "")",
                        ro:
                            "suma este egală cu totalul de plată al \(numbers.joined(separator: ", "))\(solutions.count > 1 ? " (una din \(solutions.count) combinații)" : "")"
                    ),
                ]
                candidates.append(
                    MatchCandidate(
                        allocations: solution.map {
                            .init(kind: items[$0].kind, id: items[$0].id, number: items[$0].number, amount: items[$0].open)
                        },
                        account: nil, partner: partner, score: signals.reduce(0) { $0 + $1.points } - rank, signals: signals))
            }
        }

        // Lines without a document: rules, expected liabilities, what earlier lines taught.
        for rule in rules where rule.direction == nil || rule.direction == (sign > 0 ? "in" : "out") {
            let pattern = Self.fold(rule.pattern).trimmingCharacters(in: .whitespaces)
            guard !pattern.isEmpty, folded.contains(pattern) else { continue }
            candidates.append(
                MatchCandidate(
                    allocations: [], account: rule.account, partner: rule.partner, score: 90,
                    signals: [
                        MatchSignal(
                            code: "rule", points: 90, en: "rule: text contains '\(rule.pattern)' → \(rule.account)",
                            ro: "regulă: textul conține '\(rule.pattern)' → \(rule.account)")
                    ]))
        }
        // A salary of a posted run: the same amount, and the transfer's end-to-end id (`SAL202603-E002`) in the line's
        // reference or the employee's IBAN as the counterparty; the amount alone (many nets are equal) is no candidate.
        let lineIBAN = line.counterpartyIBAN?.uppercased().filter { !$0.isWhitespace }
        for index in salaries
        where items[index].sign == sign && items[index].currency == line.currency && items[index].open == absolute {
            let item = items[index]
            var signals: [MatchSignal] = []
            if let reference = item.keywords.first(where: { !$0.isEmpty && squashed.contains($0) }) {
                signals.append(
                    MatchSignal(
                        code: "reference", points: 45, en: "the transfer's reference \(reference) is the salary's \(item.number)",
                        ro: "referința transferului \(reference) este a salariului \(item.number)"))
            }
            if let iban = item.iban, !iban.isEmpty, iban == lineIBAN {
                signals.append(
                    MatchSignal(
                        code: "iban", points: 30, en: "the counterparty IBAN is \(item.number)'s salary account",
                        ro: "IBAN-ul beneficiarului este contul de salariu al \(item.number)"))
            }
            guard !signals.isEmpty else { continue }
            signals.append(
                MatchSignal(
                    code: "amount", points: 30, en: "amount equals the net salary \(Self.money(item.open, item.currency))",
                    ro: "suma este egală cu salariul net de \(Self.bani(item.open, item.currency))"))
            candidates.append(
                MatchCandidate(
                    allocations: [.init(kind: .salary, id: item.id, number: item.number, amount: absolute)], account: nil, partner: nil,
                    score: signals.reduce(0) { $0 + $1.points }, signals: signals))
        }
        for index in liabilities where items[index].sign == sign && items[index].currency == line.currency {
            let item = items[index]
            let keyword = item.keywords.first { folded.contains($0) }
            var signals: [MatchSignal] = []
            if let keyword {
                signals.append(
                    MatchSignal(
                        code: "keyword", points: 35, en: "'\(keyword)' in the details points to \(item.number)",
                        ro: "'\(keyword)' din detalii indică \(item.number)"))
            }
            if item.open == absolute {
                signals.append(
                    MatchSignal(
                        code: "amount", points: 30, en: "amount equals the \(Self.money(item.open, item.currency)) due on \(item.number)",
                        ro: "suma este egală cu datoria de \(Self.bani(item.open, item.currency)) din \(item.number)"))
            } else if keyword == nil || absolute > item.open {
                continue
            }
            candidates.append(
                MatchCandidate(
                    allocations: [.init(kind: .liability, id: item.id, number: item.number, amount: absolute)], account: nil, partner: nil,
                    score: signals.reduce(0) { $0 + $1.points }, signals: signals))
        }
        if let learned = memory.suggest(counterparty: line.counterpartyName, text: line.details) {
            candidates.append(
                MatchCandidate(
                    allocations: [], account: learned.account, partner: learned.partner, score: min(70, learned.signal.points),
                    signals: [learned.signal]))
        }

        // Rank, drop repeated targets, decide.
        var seen = Set<String>()
        // Best score first; among equals the oldest due date (payments usually settle the oldest document), then a stable key.
        let keyed = candidates.map { candidate in
            (candidate, candidate.allocations.first.flatMap { self.dueDate($0) }?.dayNumber ?? Int.max, candidate.key)
        }
        candidates = keyed.sorted { a, b in
            if a.0.score != b.0.score { return a.0.score > b.0.score }
            if a.1 != b.1 { return a.1 < b.1 }
            return a.2 < b.2
        }.map(\.0)
        candidates = candidates.filter { seen.insert($0.key).inserted }
        let top = Array(candidates.prefix(settings.candidatesPerLine))
        var automatic = false
        var reason: (en: String, ro: String)?
        if let best = top.first {
            let second = top.dropFirst().first
            let identical = top.dropFirst().filter {
                $0.score == best.score && $0.allocations.map(\.amount).reduce(0, +) == best.allocations.map(\.amount).reduce(0, +)
            }
            if !identical.isEmpty {
                let names = ([best] + identical).map { $0.allocations.map(\.number).joined(separator: "+") + ($0.account ?? "") }
                    .joined(separator: ", ")
                reason = (
                    "\(identical.count + 1) identical candidates (\(names)): same score and amount; choose one",
                    "\(identical.count + 1) candidați identici (\(names)): același punctaj și aceeași sumă; alegeți unul"
                )
            } else if let threshold = settings.autoThreshold {
                if best.score < threshold {
                    reason = (
                        "best score \(best.score) is below the threshold \(threshold)",
                        "cel mai bun punctaj, \(best.score), este sub pragul de \(threshold)"
                    )
                } else if let second, best.score - second.score < settings.margin {
                    reason = (
                        "best score \(best.score) is within \(settings.margin) of the next candidate (\(second.score))",
                        "cel mai bun punctaj, \(best.score), este la mai puțin de \(settings.margin) de următorul candidat (\(second.score))"
                    )
                } else {
                    automatic = true
                }
            } else {
                reason = ("automatic matching is off for this account", "potrivirea automată este oprită pentru acest cont")
            }
        } else {
            reason = ("no candidate", "niciun candidat")
        }
        return LineProposal(
            line: line.id, candidates: top, automatic: automatic, reviewReason: automatic ? nil : reason?.en,
            reviewReasonRO: automatic ? nil : reason?.ro)
    }

    func dueDate(_ allocation: MatchCandidate.Allocation) -> LocalDate? { dueByID[allocation.id] }

    /// Paid close to the due date, or as late as the partner usually pays.
    func timing(_ line: MatchLine, _ item: OpenItem) -> MatchSignal? {
        guard let due = item.dueDate else { return nil }
        let late = due.days(until: line.date)
        if let partner = item.partner, let profile = partners[partner], let usual = profile.usualDelayDays, profile.settledCount >= 3,
            abs(late - usual) <= 5
        {
            return MatchSignal(
                code: "history", points: 8,
                en:
                    "paid \(Self.days(late)) after the due date; \(profile.name) usually pays \(Self.days(usual)) after (\(profile.settledCount) documents)",
                ro:
                    "plătită la \(Self.zile(late)) după scadență; \(profile.name) plătește de obicei la \(Self.zile(usual)) (\(Plural.romanian(profile.settledCount, one: "document", few: "documente", many: "de documente")))"
            )
        }
        guard abs(late) <= 7 else { return nil }
        return MatchSignal(
            code: "due_date", points: 5,
            en: late == 0 ? "paid on the due date" : "paid \(Self.days(abs(late))) \(late > 0 ? "after" : "before") the due date",
            ro: late == 0 ? "plătită la scadență" : "plătită cu \(Self.zile(abs(late))) \(late > 0 ? "după" : "înainte de") scadență")
    }

    /// Subsets of 2…`combinationSize` items summing exactly to `target`, within `combinationNodes` steps; at most 3.
    static func combinations(of items: [(Int, Int64)], summingTo target: Int64) -> [[Int]] {
        var solutions: [[Int]] = []
        var nodes = 0
        var chosen: [Int] = []
        let sorted = items.filter { $0.1 <= target }
        func search(_ start: Int, _ remaining: Int64) {
            if solutions.count >= 3 || nodes >= combinationNodes { return }
            for index in start..<sorted.count {
                nodes += 1
                if nodes >= combinationNodes { return }
                let value = sorted[index].1
                if value > remaining { continue }
                chosen.append(sorted[index].0)
                if value == remaining {
                    if chosen.count >= 2 { solutions.append(chosen) }
                } else if chosen.count < combinationSize {
                    search(index + 1, remaining - value)
                }
                chosen.removeLast()
                if solutions.count >= 3 { return }
            }
        }
        search(0, target)
        return solutions
    }
}

/// Slots each worker writes at its own indexes (no two workers share one), read after all have finished.
final class ResultSlots<Value>: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<Value?>

    init(count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: nil)
    }

    deinit {
        _ = buffer.deinitialize()
        buffer.deallocate()
    }

    func set(_ index: Int, _ value: Value) { buffer[index] = value }

    var values: [Value] { buffer.map { $0! } }
}
