import Foundation
import Kernel

/// One line of a bank statement. `amount` is signed minor units: money in is positive, money out negative.
public struct StatementLine: Hashable, Sendable, Codable {
    public var bookingDate: LocalDate
    public var valueDate: LocalDate?
    public var amount: Int64
    public var currency: String
    /// The bank's own reference for the line (AcctSvcrRef, the MT940 bank reference), when it gives one.
    public var bankReference: String?
    /// The end-to-end or customer reference.
    public var reference: String?
    public var counterpartyName: String?
    public var counterpartyIBAN: String?
    /// Remittance information, structured and unstructured, as one text.
    public var details: String
    /// Where the line is in the file (an XML element path with its line, or an MT940 line number).
    public var position: String
}

/// One statement of a file (CAMT.053 and MT940 files can hold several).
public struct BankStatement: Hashable, Sendable, Codable {
    public var id: String
    public var iban: String
    public var currency: String
    public var opening: Int64?
    public var closing: Int64?
    public var lines: [StatementLine]

    /// Opening balance + lines = closing balance, when the file states both balances.
    public var isBalanced: Bool? {
        guard let opening, let closing else { return nil }
        return opening + lines.reduce(0) { $0 + $1.amount } == closing
    }
}

enum StatementAmount {
    /// The checks every format ends with: the line limit and an empty file; then all problems, or the statements.
    static func finish(
        _ statements: [BankStatement], lines: Int, problems: inout ProblemCollector, emptyHint: String
    ) throws(ValidationErrors)
        -> [BankStatement]
    {
        if lines > Limits.statementLines {
            problems.add(
                DomainError(
                    "statement.too_many_lines", kind: .tooLarge, field: "file",
                    "You cannot import \(lines) lines at once; the limit is \(Limits.statementLines)."))
        }
        for statement in statements { checkVolume(statement, problems: &problems) }
        if statements.isEmpty {
            problems.add(
                DomainError("statement.empty", field: "file", "You cannot import this file because it holds no statement\(emptyHint)."))
        }
        try problems.throwIfAny()
        return statements
    }

    /// Minor units of a positive decimal amount ("1234.5", "1234,50") of at most 12 whole digits, so never above
    /// `Limits.amountMinorUnits`; nil when malformed or larger.
    static func minor(_ text: String) -> Int64? {
        let cleaned = text.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ",", with: ".")
        guard cleaned.range(of: "^[0-9]{1,12}(\\.[0-9]{0,2})?$", options: .regularExpression) != nil else { return nil }
        return try? Money.parseMinorUnits(cleaned.hasSuffix(".") ? String(cleaned.dropLast()) : cleaned, digits: 2, field: "amount")
    }

    /// Refuses a statement whose amounts together pass `Limits.statementVolumeMinorUnits`, so every sum over it fits.
    static func checkVolume(_ statement: BankStatement, problems: inout ProblemCollector) {
        var volume: UInt64 = 0
        for amount in [statement.opening ?? 0, statement.closing ?? 0] + statement.lines.map(\.amount) {
            volume = volume &+ amount.magnitude
            if volume > UInt64(Limits.statementVolumeMinorUnits) {
                problems.add(
                    DomainError(
                        "statement.total_too_large", field: "file",
                        "You cannot import statement \(statement.id) because its amounts together pass \(Money(minorUnits: Limits.statementVolumeMinorUnits, currency: .ron).decimalString)."
                    ))
                return
            }
        }
    }
}

/// ISO 20022 `camt.053` bank-to-customer statements, versions 001.02 and later; several statements and entries per file.
public enum CAMT053 {
    public static let namespacePrefix = "urn:iso:std:iso:20022:tech:xsd:camt.053.001."

    public static func parse(_ data: Data) throws(ValidationErrors) -> [BankStatement] {
        guard data.count <= Limits.statementBytes else {
            throw ValidationErrors([
                DomainError(
                    "statement.too_large", kind: .tooLarge, field: "file",
                    "You cannot import a statement of \(data.count) bytes; the limit is \(Limits.statementBytes).")
            ])
        }
        // Entries are read as a stream: each Ntry becomes a line as soon as it ends and its subtree is freed, so a
        // 64 MiB statement never holds more than one entry's elements (docs/performance.md).
        final class Reader: @unchecked Sendable {
            var problems = ProblemCollector()
            var count = 0
            var lines: [ObjectIdentifier: [StatementLine]] = [:]
        }
        let reader = Reader()
        let root: XMLElementNode
        do {
            root = try XMLTree.parse(data, detaching: ["Ntry"]) { entry, ancestors in
                guard let statement = ancestors.last, statement.name == "Stmt" else { return }
                reader.count += 1
                guard reader.count <= Limits.statementLines else { return }
                let currency = statement.value("Acct/Ccy") ?? entry.at("Amt")?.attributes["Ccy"] ?? ""
                if let line = CAMT053.line(entry, currency: currency, problems: &reader.problems) {
                    reader.lines[ObjectIdentifier(statement), default: []].append(line)
                }
            }
        } catch { throw ValidationErrors([error]) }
        guard root.name == "Document", root.namespace?.hasPrefix(namespacePrefix) == true, let container = root.child("BkToCstmrStmt")
        else {
            throw ValidationErrors([
                DomainError(
                    "statement.camt_root", field: "file",
                    "You cannot import this file as CAMT.053 because its root is not a camt.053 Document with BkToCstmrStmt.")
            ])
        }
        var problems = reader.problems
        var statements: [BankStatement] = []
        let count = reader.count
        for statement in container.all("Stmt") {
            let where_ = "Stmt at line \(statement.line)"
            let iban = (statement.value("Acct/Id/IBAN") ?? "").replacingOccurrences(of: " ", with: "")
            if iban.isEmpty {
                problems.add(
                    DomainError("statement.iban", field: where_, "You cannot import a statement without its account IBAN (\(where_))."))
            }
            let lines = reader.lines[ObjectIdentifier(statement)] ?? []
            let currency = statement.value("Acct/Ccy") ?? lines.first?.currency ?? ""
            func balance(_ code: String) -> Int64? {
                guard
                    let node = statement.all("Bal").first(where: {
                        ($0.value("Tp/CdOrPrtry/Cd") ?? "") == code || ($0.value("Tp/CdOrPrtry/Prtry") ?? "") == code
                    })
                else { return nil }
                guard let value = node.value("Amt").flatMap(StatementAmount.minor) else {
                    problems.add(
                        DomainError(
                            "statement.amount", field: "Bal at line \(node.line)",
                            "You cannot import balance '\(node.value("Amt") ?? "")' (line \(node.line)): it must be a number of at most 12 digits and 2 decimals."
                        ))
                    return nil
                }
                return node.value("CdtDbtInd") == "DBIT" ? -value : value
            }
            let parsed = BankStatement(
                id: statement.value("Id") ?? "", iban: iban, currency: currency, opening: balance("OPBD") ?? balance("PRCD"),
                closing: balance("CLBD"), lines: lines)
            statements.append(parsed)
        }
        return try StatementAmount.finish(statements, lines: count, problems: &problems, emptyHint: "")
    }

    /// One entry as a statement line, or nil with its problem recorded.
    static func line(_ entry: XMLElementNode, currency: String, problems: inout ProblemCollector) -> StatementLine? {
        let position = "Ntry at line \(entry.line)"
        guard let amount = entry.value("Amt").flatMap(StatementAmount.minor) else {
            problems.add(
                DomainError(
                    "statement.amount", field: position,
                    "You cannot import amount '\(entry.value("Amt") ?? "")' (\(position)): it must be a number of at most 12 digits and 2 decimals."
                ))
            return nil
        }
        let credit: Bool
        switch entry.value("CdtDbtInd") {
        case "CRDT": credit = true
        case "DBIT": credit = false
        default:
            problems.add(
                DomainError("statement.direction", field: position, "You cannot import an entry without CRDT or DBIT (\(position))."))
            return nil
        }
        guard
            let booked = (entry.value("BookgDt/Dt") ?? entry.value("BookgDt/DtTm").map { String($0.prefix(10)) }).flatMap({
                try? LocalDate(iso: $0)
            })
        else {
            problems.add(
                DomainError(
                    "statement.date", field: position,
                    "You cannot import an entry without a booking date between 1900 and 2199 (\(position))."))
            return nil
        }
        let details = entry.at("NtryDtls/TxDtls")
        let party = credit ? "Dbtr" : "Cdtr"
        let remittance =
            (details?.at("RmtInf")?.all("Ustrd").map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) } ?? [])
            + (details?.at("RmtInf")?.all("Strd").compactMap { $0.value("CdtrRefInf/Ref") } ?? [])
            + [entry.value("AddtlNtryInf")].compactMap { $0 }
        return StatementLine(
            bookingDate: booked, valueDate: entry.value("ValDt/Dt").flatMap { try? LocalDate(iso: $0) },
            amount: credit ? amount : -amount,
            currency: entry.at("Amt")?.attributes["Ccy"] ?? currency, bankReference: entry.value("AcctSvcrRef"),
            reference: details?.value("Refs/EndToEndId").flatMap { $0 == "NOTPROVIDED" ? nil : $0 },
            counterpartyName: details?.value("RltdPties/\(party)/Nm") ?? details?.value("RltdPties/\(party)/Pty/Nm"),
            counterpartyIBAN: details?.value("RltdPties/\(party)Acct/Id/IBAN")?.replacingOccurrences(of: " ", with: ""),
            details: remittance.joined(separator: " "), position: position)
    }
}

/// SWIFT MT940 customer statements, with the `:86:` structured subfields Romanian banks use (`?20`–`?29` details,
/// `?32`/`?33` name, `?31`/`?38` account). Several statements per file.
public enum MT940 {
    public static func parse(_ text: String) throws(ValidationErrors) -> [BankStatement] {
        guard text.utf8.count <= Limits.statementBytes else {
            throw ValidationErrors([
                DomainError(
                    "statement.too_large", kind: .tooLarge, field: "file",
                    "You cannot import a statement of \(text.utf8.count) bytes; the limit is \(Limits.statementBytes).")
            ])
        }
        // Fields start with ":TAG:" at the beginning of a line; continuation lines belong to the previous field.
        var fields: [(tag: String, value: String, line: Int)] = []
        for (index, raw) in text.components(separatedBy: .newlines).enumerated() {
            let line = raw.trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
            if let match = line.range(of: "^:[0-9]{2}[A-Z]?:", options: .regularExpression) {
                fields.append((String(line[match].dropFirst().dropLast()), String(line[match.upperBound...]), index + 1))
            } else if !line.isEmpty && !line.hasPrefix("-") && !line.hasPrefix("{") && !fields.isEmpty {
                fields[fields.count - 1].value += "\n" + line
            }
        }
        var problems = ProblemCollector()
        var statements: [BankStatement] = []
        var current: BankStatement?
        var count = 0
        func balance(_ value: String, line: Int) -> (Int64, String)? {
            // D/C, YYMMDD, currency, amount: C250301RON1234,56
            guard value.count >= 11, let amount = StatementAmount.minor(String(value.dropFirst(10))) else {
                problems.add(
                    DomainError("statement.balance", field: "line \(line)", "You cannot import balance '\(value)' (line \(line))."))
                return nil
            }
            let currency = String(value.dropFirst(7).prefix(3))
            return (value.hasPrefix("D") ? -amount : amount, currency)
        }
        for field in fields {
            switch field.tag {
            case "20":
                if let statement = current { statements.append(statement) }
                current = BankStatement(id: field.value, iban: "", currency: "", opening: nil, closing: nil, lines: [])
            case "25":
                current?.iban = field.value.components(separatedBy: "/").last?.replacingOccurrences(of: " ", with: "") ?? field.value
            case "28C": if current?.id.isEmpty == true { current?.id = field.value }
            case "60F", "60M":
                if let (amount, currency) = balance(field.value, line: field.line) {
                    current?.opening = amount
                    current?.currency = currency
                }
            case "62F", "62M":
                if let (amount, _) = balance(field.value, line: field.line) { current?.closing = amount }
            case "61":
                count += 1
                guard count <= Limits.statementLines else { continue }
                if let line = transaction(field.value, line: field.line, currency: current?.currency ?? "", problems: &problems) {
                    current?.lines.append(line)
                }
            case "86":
                guard var statement = current, var last = statement.lines.popLast() else { continue }
                let info = details(field.value)
                last.details = info.text
                last.counterpartyName = info.name ?? last.counterpartyName
                last.counterpartyIBAN = info.iban ?? last.counterpartyIBAN
                statement.lines.append(last)
                current = statement
            default: continue
            }
        }
        if let statement = current { statements.append(statement) }
        for statement in statements where statement.iban.isEmpty {
            problems.add(
                DomainError("statement.iban", field: "file", "You cannot import statement \(statement.id) without its account (:25:)."))
        }
        return try StatementAmount.finish(statements, lines: count, problems: &problems, emptyHint: " (:20:)")
    }

    /// `:61:` value date YYMMDD, optional entry date MMDD, C/D/RC/RD, amount, type code, reference[//bank reference].
    static func transaction(_ value: String, line: Int, currency: String, problems: inout ProblemCollector) -> StatementLine? {
        let firstLine = value.components(separatedBy: "\n")[0]
        let pattern = "^([0-9]{6})([0-9]{4})?(RC|RD|C|D)[A-Z]?([0-9]+,[0-9]{0,2})([A-Z0-9]{4})([^/]*)(//(.*))?$"
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: firstLine, range: NSRange(firstLine.startIndex..., in: firstLine))
        else {
            problems.add(
                DomainError("statement.line", field: "line \(line)", "You cannot import transaction ':61:\(firstLine)' (line \(line))."))
            return nil
        }
        func group(_ index: Int) -> String? {
            Range(match.range(at: index), in: firstLine).map { String(firstLine[$0]) }
        }
        let yymmdd = group(1) ?? ""
        guard let year = Int(yymmdd.prefix(2)), let month = Int(yymmdd.dropFirst(2).prefix(2)), let day = Int(yymmdd.suffix(2)),
            let date = try? LocalDate(year: 2000 + year, month: month, day: day),
            let amount = group(4).flatMap(StatementAmount.minor)
        else {
            problems.add(
                DomainError("statement.line", field: "line \(line)", "You cannot import transaction ':61:\(firstLine)' (line \(line))."))
            return nil
        }
        let mark = group(3) ?? "C"
        let credit = mark == "C" || mark == "RD"
        let reference = group(6)?.trimmingCharacters(in: .whitespaces)
        return StatementLine(
            bookingDate: date, valueDate: date, amount: credit ? amount : -amount, currency: currency,
            bankReference: group(8)?.trimmingCharacters(in: .whitespaces).nilIfEmpty,
            reference: reference == "NONREF" ? nil : reference?.nilIfEmpty, counterpartyName: nil, counterpartyIBAN: nil, details: "",
            position: "line \(line)")
    }

    /// `:86:` with `?NN` subfields (German/Romanian structured layout) or free text.
    static func details(_ value: String) -> (text: String, name: String?, iban: String?) {
        let joined = value.replacingOccurrences(of: "\n", with: "")
        guard joined.contains("?") else { return (value.replacingOccurrences(of: "\n", with: " "), nil, nil) }
        var subfields: [String: String] = [:]
        for part in joined.components(separatedBy: "?").dropFirst() where part.count >= 2 {
            let key = String(part.prefix(2))
            subfields[key, default: ""] += String(part.dropFirst(2))
        }
        let text = (20...29).compactMap { subfields[String($0)] }.joined()
        let name = [subfields["32"], subfields["33"]].compactMap { $0 }.joined().nilIfEmpty
        let iban = (subfields["38"] ?? subfields["31"])?.replacingOccurrences(of: " ", with: "").nilIfEmpty
        return (text, name, iban)
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
