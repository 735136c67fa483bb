import Foundation
import Kernel

/// How one bank's CSV export is laid out: which column holds what, and how dates and amounts are written.
/// Columns are named by their header text (matched without case or diacritics) or by a 1-based number ("3").
public struct CSVProfile: Hashable, Sendable, Codable {
    public var name: String
    /// `,`, `;` or `\t`.
    public var delimiter: String
    /// Rows before the first transaction (the header row counts).
    public var headerRows: Int
    /// `yyyy-MM-dd`, `dd.MM.yyyy`, `dd/MM/yyyy`, `dd-MM-yyyy`, `MM/dd/yyyy` or `yyyyMMdd`.
    public var dateFormat: String
    /// `.` or `,`.
    public var decimalSeparator: String
    public var date: String
    public var valueDate: String?
    /// A signed amount column, or `debit` and `credit` columns of positive amounts.
    public var amount: String?
    public var debit: String?
    public var credit: String?
    public var currency: String?
    /// Columns joined into the details text.
    public var details: [String]
    public var counterpartyName: String?
    public var counterpartyIBAN: String?
    public var reference: String?
    public var bankReference: String?
    /// The company's own account, when one file holds several accounts (one statement per account).
    public var accountIBAN: String?
    /// The balance after each line (gives the opening and closing balances).
    public var balance: String?
    /// The currency when the file has no currency column.
    public var defaultCurrency: String?

    public init(
        name: String, delimiter: String, headerRows: Int = 1, dateFormat: String, decimalSeparator: String, date: String,
        valueDate: String? = nil, amount: String? = nil, debit: String? = nil, credit: String? = nil, currency: String? = nil,
        details: [String], counterpartyName: String? = nil, counterpartyIBAN: String? = nil, reference: String? = nil,
        bankReference: String? = nil, accountIBAN: String? = nil, balance: String? = nil, defaultCurrency: String? = nil
    ) {
        self.name = name
        self.delimiter = delimiter
        self.headerRows = headerRows
        self.dateFormat = dateFormat
        self.decimalSeparator = decimalSeparator
        self.date = date
        self.valueDate = valueDate
        self.amount = amount
        self.debit = debit
        self.credit = credit
        self.currency = currency
        self.details = details
        self.counterpartyName = counterpartyName
        self.counterpartyIBAN = counterpartyIBAN
        self.reference = reference
        self.bankReference = bankReference
        self.accountIBAN = accountIBAN
        self.balance = balance
        self.defaultCurrency = defaultCurrency
    }

    public static let dateFormats = ["yyyy-MM-dd", "dd.MM.yyyy", "dd/MM/yyyy", "dd-MM-yyyy", "MM/dd/yyyy", "yyyyMMdd"]

    /// Ready profiles. `generic`: comma-separated, ISO dates, a signed amount with a dot; `generic-ro`: the layout
    /// Romanian internet banking exports open in Excel with: `;`, `dd.MM.yyyy`, decimal comma, debit and credit columns.
    public static let builtIn: [CSVProfile] = [
        CSVProfile(
            name: "generic", delimiter: ",", dateFormat: "yyyy-MM-dd", decimalSeparator: ".", date: "date", valueDate: "value_date",
            amount: "amount", currency: "currency", details: ["details"], counterpartyName: "counterparty",
            counterpartyIBAN: "counterparty_iban", reference: "reference", bankReference: "bank_reference", accountIBAN: "account_iban",
            balance: "balance"),
        CSVProfile(
            name: "generic-ro", delimiter: ";", dateFormat: "dd.MM.yyyy", decimalSeparator: ",", date: "Data", valueDate: "Data valuta",
            debit: "Debit", credit: "Credit", currency: "Valuta", details: ["Detalii"], counterpartyName: "Partener",
            counterpartyIBAN: "IBAN partener", reference: "Referinta", bankReference: "Referinta banca", accountIBAN: "Cont",
            balance: "Sold", defaultCurrency: "RON"),
    ]

    /// Every problem with the profile itself, each naming its field.
    public func problems() -> [DomainError] {
        var problems = ProblemCollector()
        problems.check(
            !name.trimmingCharacters(in: .whitespaces).isEmpty && name.count <= 60,
            DomainError("csv_profile.name", field: "name", "To save a CSV profile, you must give it a name of at most 60 characters."))
        problems.check(
            [",", ";", "\t", "|"].contains(delimiter),
            DomainError("csv_profile.delimiter", field: "delimiter", "You cannot use '\(delimiter)' as a delimiter; use , ; | or a tab."))
        problems.check(
            (0...20).contains(headerRows),
            DomainError("csv_profile.header_rows", field: "header_rows", "You cannot skip \(headerRows) rows; use 0 to 20."))
        problems.check(
            Self.dateFormats.contains(dateFormat),
            DomainError(
                "csv_profile.date_format", field: "date_format",
                "You cannot use date format '\(dateFormat)'; use one of \(Self.dateFormats.joined(separator: ", "))."))
        problems.check(
            [".", ","].contains(decimalSeparator),
            DomainError(
                "csv_profile.decimal", field: "decimal_separator",
                "You cannot use '\(decimalSeparator)' as a decimal separator; use . or ,."))
        problems.check(
            !date.isEmpty, DomainError("csv_profile.date", field: "date", "To read a CSV statement, you must name its date column."))
        problems.check(
            (amount?.isEmpty == false) || (debit?.isEmpty == false && credit?.isEmpty == false),
            DomainError(
                "csv_profile.amount", field: "amount",
                "To read a CSV statement, you must name an amount column, or debit and credit columns."))
        problems.check(
            currency?.isEmpty == false || defaultCurrency?.count == 3,
            DomainError(
                "csv_profile.currency", field: "currency", "To read a CSV statement, you must name a currency column or a default currency."
            ))
        return problems.problems
    }
}

/// Reads a CSV statement with a profile. The whole file is read before anything is returned; every problem names its row.
public enum CSVStatement {
    public static func parse(
        _ data: Data, profile: CSVProfile, fileName: String = "statement.csv"
    ) throws(ValidationErrors)
        -> [BankStatement]
    {
        guard data.count <= Limits.statementBytes else {
            throw ValidationErrors([
                DomainError(
                    "statement.too_large", kind: .tooLarge, field: "file",
                    "You cannot import a statement of \(data.count) bytes; the limit is \(Limits.statementBytes).")
            ])
        }
        let profileProblems = profile.problems()
        if !profileProblems.isEmpty { throw ValidationErrors(profileProblems) }
        // Foundation reads any bytes as Windows-1250 (its five undefined bytes become control characters), so a file is
        // text only when it holds no control characters besides tab and line breaks: a spreadsheet or a ZIP renamed
        // .csv is refused by name instead of failing later on columns that are not there.
        guard var text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .windowsCP1250),
            !text.unicodeScalars.contains(where: BankStatement.isControl)
        else {
            throw ValidationErrors([
                DomainError(
                    "statement.encoding", field: "file", "You cannot import this file because it is not UTF-8 or Windows-1250 text.")
            ])
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let rows = CSVRecords.records(text, delimiter: Character(profile.delimiter))
        var problems = ProblemCollector()
        // Resolve column names against the last header row.
        let header = profile.headerRows > 0 && rows.count >= profile.headerRows ? rows[profile.headerRows - 1].fields : []
        let folded = header.map(fold)
        // Required columns must exist; optional ones (value date, counterparty, references, balance…) may be absent.
        func column(_ name: String?, field: String, required: Bool = false) -> Int? {
            guard let name, !name.isEmpty else { return nil }
            if let number = Int(name), number >= 1 { return number - 1 }
            if let index = folded.firstIndex(of: fold(name)) { return index }
            guard required || header.isEmpty else { return nil }
            problems.add(
                DomainError(
                    "statement.csv_column", field: field,
                    "You cannot read this file with profile '\(profile.name)' because it has no column '\(name)' (\(field)); the header has: \(header.joined(separator: ", "))."
                ))
            return nil
        }
        let dateColumn = column(profile.date, field: "date", required: true)
        let valueDateColumn = column(profile.valueDate, field: "value_date")
        let amountColumn = column(profile.amount, field: "amount", required: true)
        let debitColumn = column(profile.debit, field: "debit", required: true)
        let creditColumn = column(profile.credit, field: "credit", required: true)
        let currencyColumn = column(profile.currency, field: "currency", required: profile.defaultCurrency == nil)
        let detailColumns = profile.details.compactMap { column($0, field: "details", required: true) }
        let nameColumn = column(profile.counterpartyName, field: "counterparty")
        let ibanColumn = column(profile.counterpartyIBAN, field: "counterparty_iban")
        let referenceColumn = column(profile.reference, field: "reference")
        let bankReferenceColumn = column(profile.bankReference, field: "bank_reference")
        let accountColumn = column(profile.accountIBAN, field: "account_iban")
        let balanceColumn = column(profile.balance, field: "balance")
        try problems.throwIfAny()

        var byAccount: [String: BankStatement] = [:]
        var order: [String] = []
        var count = 0
        for row in rows.dropFirst(profile.headerRows) {
            if row.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            count += 1
            guard count <= Limits.statementLines else { continue }
            let position = "row \(row.line)"
            func value(_ index: Int?) -> String? {
                guard let index, index < row.fields.count else { return nil }
                return row.fields[index].trimmingCharacters(in: .whitespaces).nilIfEmpty
            }
            var rowProblems = 0
            func problem(_ id: String, _ message: String) {
                problems.add(DomainError(id, field: position, message + " (\(position))."))
                rowProblems += 1
            }
            let dateText = value(dateColumn) ?? ""
            let date = parseDate(dateText, format: profile.dateFormat)
            if date == nil { problem("statement.date", "You cannot import date '\(dateText)'; the profile expects \(profile.dateFormat)") }
            var amount: Int64?
            if amountColumn != nil {
                let text = value(amountColumn) ?? ""
                amount = parseAmount(text, decimal: profile.decimalSeparator)
                if amount == nil { problem("statement.amount", "You cannot import amount '\(text)'") }
            } else {
                let debitText = value(debitColumn)
                let creditText = value(creditColumn)
                let debit = debitText.map { parseAmount($0, decimal: profile.decimalSeparator) }
                let credit = creditText.map { parseAmount($0, decimal: profile.decimalSeparator) }
                switch (debit, credit) {
                case (.some(.some(let d)), nil) where d != 0: amount = -abs(d)
                case (nil, .some(.some(let c))) where c != 0: amount = abs(c)
                case (.some(.some(let d)), .some(.some(let c))) where (d == 0) != (c == 0): amount = c != 0 ? abs(c) : -abs(d)
                default:
                    problem(
                        "statement.amount",
                        "You cannot import a row without exactly one of debit '\(debitText ?? "")' and credit '\(creditText ?? "")'")
                }
            }
            if amount == 0 { problem("statement.amount", "You cannot import a line of 0") }
            let currency = (value(currencyColumn) ?? profile.defaultCurrency ?? "").uppercased()
            if currency.count != 3 || !currency.allSatisfy(\.isLetter) {
                problem("statement.currency", "You cannot import currency '\(currency)'; use an ISO 4217 code")
            }
            var balance: Int64?
            if balanceColumn != nil, let text = value(balanceColumn) {
                balance = parseAmount(text, decimal: profile.decimalSeparator)
                if balance == nil { problem("statement.balance", "You cannot import balance '\(text)'") }
            }
            var valueDate: LocalDate?
            if let text = value(valueDateColumn) {
                valueDate = parseDate(text, format: profile.dateFormat)
                if valueDate == nil { problem("statement.value_date", "You cannot import value date '\(text)'") }
            }
            guard rowProblems == 0, let date, let amount else { continue }
            let account = (value(accountColumn) ?? "").uppercased().filter { !$0.isWhitespace }
            let key = account + "|" + currency
            if byAccount[key] == nil {
                order.append(key)
                byAccount[key] = BankStatement(id: "", iban: account, currency: currency, opening: nil, closing: nil, lines: [])
            }
            var statement = byAccount[key]!
            if let balance {
                if statement.lines.isEmpty { statement.opening = balance - amount }
                statement.closing = balance
            }
            statement.lines.append(
                StatementLine(
                    bookingDate: date, valueDate: valueDate, amount: amount, currency: currency, bankReference: value(bankReferenceColumn),
                    reference: value(referenceColumn), counterpartyName: value(nameColumn),
                    counterpartyIBAN: value(ibanColumn)?.uppercased().filter { !$0.isWhitespace },
                    details: detailColumns.compactMap { value($0) }.joined(separator: " "), position: position))
            byAccount[key] = statement
        }
        let statements = order.map { key -> BankStatement in
            var statement = byAccount[key]!
            let dates = statement.lines.map(\.bookingDate)
            statement.id = "\(fileName) \(dates.min()?.iso ?? "")…\(dates.max()?.iso ?? "")"
            return statement
        }
        return try StatementAmount.finish(statements, lines: count, problems: &problems, emptyHint: " (no transaction rows)")
    }

    /// Header names compare without case, diacritics, spaces or underscores.
    static func fold(_ text: String) -> String {
        text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "ro_RO")).lowercased()
            .filter { $0.isLetter || $0.isNumber }
    }

    static func parseDate(_ text: String, format: String) -> LocalDate? {
        // ASCII digits only (`isNumber` also accepts other scripts' digits, which `Int` refuses), at most 4 per part.
        let digits = text.split(whereSeparator: { !($0.isASCII && $0.isNumber) }).map(String.init)
        let numbers = digits.compactMap { $0.count <= 4 ? Int($0) : nil }
        let parts: (Int, Int, Int)?
        switch format {
        case "yyyy-MM-dd": parts = numbers.count >= 3 && digits.count >= 3 ? (numbers[0], numbers[1], numbers[2]) : nil
        case "dd.MM.yyyy", "dd/MM/yyyy", "dd-MM-yyyy":
            parts = numbers.count == 3 && digits.count == 3 ? (numbers[2], numbers[1], numbers[0]) : nil
        case "MM/dd/yyyy": parts = numbers.count == 3 && digits.count == 3 ? (numbers[2], numbers[0], numbers[1]) : nil
        case "yyyyMMdd":
            let ascii = Array(text.utf8)
            guard ascii.count == 8, ascii.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
            let value = ascii.reduce(0) { $0 * 10 + Int($1 - 48) }
            parts = (value / 10_000, value / 100 % 100, value % 100)
        default: parts = nil
        }
        guard let (year, month, day) = parts else { return nil }
        return try? LocalDate(year: year, month: month, day: day)
    }

    /// Signed minor units from "-1.234,56" (decimal comma) or "1,234.56" (decimal dot); nil when malformed.
    public static func parseAmount(_ text: String, decimal: String) -> Int64? {
        var body = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\u{00A0}", with: "")
            .replacingOccurrences(of: " ", with: "")
        var negative = false
        if body.hasPrefix("-") || body.hasPrefix("−") {
            negative = true
            body.removeFirst()
        } else if body.hasPrefix("+") {
            body.removeFirst()
        } else if body.hasSuffix("-") {
            negative = true
            body.removeLast()
        }
        let thousands = decimal == "," ? "." : ","
        body = body.replacingOccurrences(of: thousands, with: "")
        if decimal == "," { body = body.replacingOccurrences(of: ",", with: ".") }
        guard let value = StatementAmount.minor(body) else { return nil }
        return negative ? -value : value
    }

}

extension BankStatement {
    /// Detects the format of a statement file: CAMT.053 XML, MT940, or CSV (which needs a profile).
    public enum Format: String, Sendable, Codable, CaseIterable {
        case camt053 = "camt053"
        case mt940
        case csv
    }

    public static func detect(_ data: Data) -> Format {
        let head = String(decoding: data.prefix(4096), as: UTF8.self)
        if head.contains("camt.053") || head.contains("<Document") || head.hasPrefix("<?xml") { return .camt053 }
        if head.range(of: "(^|\n|\\{4:\r?\n?):20:", options: .regularExpression) != nil { return .mt940 }
        return .csv
    }

    /// C0 and C1 control characters other than tab, line feed and carriage return: never in a text statement.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        case 0x00...0x1F, 0x7F...0x9F: return true
        default: return false
        }
    }

    /// Reads a statement file of any supported format (`profile` is needed for CSV).
    public static func parse(
        _ data: Data, format: Format? = nil, profile: CSVProfile?, fileName: String
    ) throws(ValidationErrors)
        -> [BankStatement]
    {
        switch format ?? detect(data) {
        case .camt053: return try CAMT053.parse(data)
        case .mt940:
            guard let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) else {
                throw ValidationErrors([
                    DomainError("statement.encoding", field: "file", "You cannot import this MT940 file because it is not text.")
                ])
            }
            return try MT940.parse(text)
        case .csv:
            return try CSVStatement.parse(data, profile: profile ?? CSVProfile.builtIn[0], fileName: fileName)
        }
    }
}

extension StatementLine {
    /// The duplicate key of a line: the bank's own reference when it gives one, otherwise the date, amount, currency,
    /// counterparty and text, normalised (case, spacing) so that the same line exported twice has the same key.
    /// The app layer hashes it and appends the occurrence within the statement for identical lines.
    public var duplicateKey: String {
        if let bankReference, !bankReference.isEmpty { return "ref|" + bankReference.uppercased() }
        func normal(_ text: String?) -> String {
            (text ?? "").folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "ro_RO")).uppercased()
                .split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        }
        return [
            "txt", bookingDate.iso, String(amount), currency, normal(counterpartyName), normal(counterpartyIBAN), normal(details),
            normal(reference),
        ]
        .joined(separator: "|")
    }
}
