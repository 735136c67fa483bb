import Foundation
import Kernel

/// One problem of an import, at its line in the file.
public struct ImportProblem: Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let reference: String
    public let error: DomainError

    public init(line: Int, reference: String, error: DomainError) {
        self.line = line
        self.reference = reference
        self.error = error
    }

    public var description: String { "line \(line) (txn \(reference)): \(error.message) [\(error.id)]" }
}

/// The problems of one row or entry.
public struct ImportProblems: Error, Sendable {
    public let problems: [ImportProblem]
}

/// A parsed CSV row of the ledger import format
/// (`txn_id,date,description,partner,account_code,account_name,debit,credit,currency`).
public struct ImportRow: Sendable, Equatable {
    public let line: Int
    public let reference: String
    public let date: LocalDate
    public let description: String
    public let partner: String?
    public let account: String
    public let accountName: String
    public let debit: Int64
    public let credit: Int64
    public let currency: String

    public static let header = ["txn_id", "date", "description", "partner", "account_code", "account_name", "debit", "credit", "currency"]

    /// Parses one record, or returns every problem with it.
    public static func parse(_ fields: [String], line: Int) -> Result<ImportRow, ImportProblems> {
        let reference = fields.first ?? ""
        var problems: [ImportProblem] = []
        func problem(_ error: DomainError) { problems.append(ImportProblem(line: line, reference: reference, error: error)) }
        guard fields.count == header.count else {
            problem(
                DomainError(
                    "import.columns", field: "row",
                    "You cannot import line \(line) because it has \(fields.count) columns; the format has \(header.count): \(header.joined(separator: ","))."
                ))
            return .failure(ImportProblems(problems: problems))
        }
        if reference.isEmpty { problem(DomainError("import.txn_id", field: "txn_id", "To import a row, you must give its txn_id.")) }
        var date: LocalDate?
        do { date = try LocalDate(iso: fields[1], field: "date") } catch { problem(error) }
        let currency = fields[8].isEmpty ? "RON" : fields[8].uppercased()
        var debit: Int64 = 0
        var credit: Int64 = 0
        do {
            if !fields[6].isEmpty { debit = try Money(parsing: fields[6], currency: .ron, field: "debit").minorUnits }
            if !fields[7].isEmpty { credit = try Money(parsing: fields[7], currency: .ron, field: "credit").minorUnits }
        } catch { problem(error) }
        if fields[6].isEmpty == fields[7].isEmpty {
            problem(
                DomainError("import.one_side", field: "debit", "You cannot import a row with both or neither of debit and credit filled."))
        }
        if currency != "RON" {
            problem(
                DomainError(
                    "import.currency", field: "currency",
                    "You cannot import a \(currency) row because the import format carries no rate; import foreign-currency entries through the API."
                ))
        }
        do { _ = try AccountCode(fields[4], field: "account_code") } catch { problem(error) }
        guard problems.isEmpty, let date else { return .failure(ImportProblems(problems: problems)) }
        return .success(
            ImportRow(
                line: line, reference: reference, date: date, description: fields[2], partner: fields[3].isEmpty ? nil : fields[3],
                account: fields[4], accountName: fields[5], debit: debit, credit: credit, currency: currency))
    }
}

/// The rows of one `txn_id`, turned into a draft.
public struct ImportedEntry: Sendable {
    public let reference: String
    public let firstLine: Int
    public let rows: [ImportRow]

    public init(reference: String, firstLine: Int, rows: [ImportRow]) {
        self.reference = reference
        self.firstLine = firstLine
        self.rows = rows
    }

    /// The entry's problems that need no database (different dates or descriptions within one txn).
    public func draft(journal: String) -> Result<EntryDraft, ImportProblems> {
        let first = rows[0]
        var problems: [ImportProblem] = []
        for row in rows.dropFirst() where row.date != first.date {
            problems.append(
                ImportProblem(
                    line: row.line, reference: reference,
                    error: DomainError(
                        "import.mixed_dates", field: "date", "You cannot import txn \(reference) because its rows have different dates.")))
        }
        if !problems.isEmpty { return .failure(ImportProblems(problems: problems)) }
        let lines = rows.map { EntryLine(account: $0.account, debit: $0.debit, credit: $0.credit, partner: $0.partner) }
        return .success(
            EntryDraft(journal: journal, date: first.date, description: first.description, externalRef: reference, lines: lines))
    }

    /// Maps a validation problem of the draft back to the file line of the row it names.
    public func line(for error: DomainError) -> Int {
        if let field = error.field, field.hasPrefix("lines["), let close = field.firstIndex(of: "]"),
            let index = Int(field[field.index(field.startIndex, offsetBy: 6)..<close]), index < rows.count
        {
            return rows[index].line
        }
        return firstLine
    }
}
