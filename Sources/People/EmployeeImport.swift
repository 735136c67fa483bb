import Foundation
import Kernel

/// One row of an employee import: the employee and the current contract, with the line it came from.
public struct EmployeeImportRow: Sendable {
    public var line: Int
    public var employee: Employee
    public var contract: ContractTerms
    /// The position's title and the department's name as the file writes them (each is created, with a code made from
    /// its name, when the company has none with that code).
    public var positionTitle: String
    public var departmentName: String
}

/// Reads an employee list exported from a spreadsheet (docs/people.md). A header row names the columns, in any order;
/// `,` or `;` separates them. Every row is checked; any problem in any row refuses the whole file, each problem naming
/// its row as `rows[LINE].column` (LINE is the file's line, the header being line 1).
public enum EmployeeImport {
    public static let required = [
        "code", "last_name", "first_name", "cnp", "email", "department", "position", "cor_code", "contract_number", "contract_date",
        "start_date", "contract_type", "norm_hours", "base_salary", "iban", "dependants",
    ]
    public static let optional = [
        "id_document", "address_line", "city", "county", "phone", "education", "manager", "workplace", "leave_days", "probation_days",
    ]

    public static func parse(_ text: String, today: LocalDate) throws(ValidationErrors) -> [EmployeeImportRow] {
        guard text.utf8.count <= Limits.employeeImportBytes else {
            throw ValidationErrors([
                DomainError(
                    "employee_import.too_large", kind: .tooLarge, field: "file",
                    "You cannot import a file larger than \(Limits.employeeImportBytes >> 20) MiB; split it.")
            ])
        }
        let firstLine = text.prefix { $0 != "\n" && $0 != "\r\n" }
        let delimiter: Character = firstLine.contains(";") && !firstLine.contains(",") ? ";" : ","
        let records = CSVRecords.records(text, delimiter: delimiter).filter { !($0.fields.count == 1 && $0.fields[0].isEmpty) }
        guard let header = records.first else {
            throw ValidationErrors([DomainError("employee_import.empty", field: "file", "You cannot import an empty file.")])
        }
        let columns = header.fields.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "\u{FEFF}", with: "")
        }
        let missing = required.filter { !columns.contains($0) }
        guard missing.isEmpty else {
            throw ValidationErrors([
                DomainError(
                    "employee_import.columns", field: "file",
                    "You cannot import this file because its header lacks \(missing.joined(separator: ", ")); the columns are \(required.joined(separator: ","))."
                )
            ])
        }
        guard records.count - 1 <= Limits.employeeImportRows else {
            throw ValidationErrors([
                DomainError(
                    "employee_import.too_many_rows", kind: .tooLarge, field: "file",
                    "You cannot import more than \(Limits.employeeImportRows) employees in one file.")
            ])
        }
        let index = Dictionary(columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var problems: [DomainError] = []
        var rows: [EmployeeImportRow] = []
        var codes: [String: Int] = [:]
        var cnps: [String: Int] = [:]
        for record in records.dropFirst() {
            func value(_ column: String) -> String {
                guard let position = index[column], position < record.fields.count else { return "" }
                return record.fields[position].trimmingCharacters(in: .whitespaces)
            }
            let prefix = "rows[\(record.line)]."
            do throws(ValidationErrors) {
                let row = try Self.row(value, line: record.line, prefix: prefix, today: today)
                if let earlier = codes[row.employee.code] {
                    problems.append(
                        DomainError(
                            "employee_import.duplicate_code", kind: .conflict, field: prefix + "code",
                            "You cannot import code \(row.employee.code) on line \(record.line) because line \(earlier) has it too."))
                } else if let earlier = cnps[row.employee.cnp] {
                    problems.append(
                        DomainError(
                            "employee_import.duplicate_cnp", kind: .conflict, field: prefix + "cnp",
                            "You cannot import CNP \(row.employee.cnp) on line \(record.line) because line \(earlier) has it too."))
                } else {
                    codes[row.employee.code] = record.line
                    cnps[row.employee.cnp] = record.line
                    rows.append(row)
                }
            } catch {
                problems.append(contentsOf: error.problems)
            }
        }
        guard problems.isEmpty else { throw ValidationErrors(problems) }
        return rows
    }

    static func row(_ value: (String) -> String, line: Int, prefix: String, today: LocalDate) throws(ValidationErrors) -> EmployeeImportRow
    {
        var problems = ProblemCollector()
        let departmentName = value("department")
        let positionTitle = value("position")
        let department = problems.collect { () throws(DomainError) -> String? in
            departmentName.isEmpty
                ? nil : try Organisation.code(fromName: departmentName, field: prefix + "department", what: "a department")
        }
        let position = problems.collect { () throws(DomainError) in
            try Organisation.code(fromName: positionTitle, field: prefix + "position", what: "a position")
        }
        let dependantsText = value("dependants")
        let declared = dependantsText.isEmpty ? 0 : Int(dependantsText)
        problems.check(
            declared != nil,
            DomainError(
                "employee.dependants", field: prefix + "dependants", "You cannot use '\(dependantsText)' as a number of dependants."))
        let input = EmployeeInput(
            code: value("code"), lastName: value("last_name"), firstName: value("first_name"), cnp: value("cnp"),
            idDocument: value("id_document"), addressLine: value("address_line"), city: value("city"), county: value("county"),
            phone: value("phone"), email: value("email"), iban: value("iban"), education: value("education"),
            department: (department ?? nil) ?? "", position: position ?? "", manager: value("manager"), declaredDependants: declared ?? 0)
        var employee: Employee?
        do throws(ValidationErrors) {
            employee = try input.validated(today: today, prefix: prefix)
        } catch {
            for problem in error.problems { problems.add(problem) }
        }
        problems.check(
            !value("department").isEmpty,
            DomainError(
                "employee.department_required", field: prefix + "department", "To import an employee, you must name the department."))
        let cor = problems.collect { () throws(DomainError) in try COR.code(value("cor_code"), field: prefix + "cor_code") }
        let signed = problems.collect { () throws(DomainError) in
            try LocalDate(iso: value("contract_date"), field: prefix + "contract_date")
        }
        let start = problems.collect { () throws(DomainError) in try LocalDate(iso: value("start_date"), field: prefix + "start_date") }
        let duration = problems.collect { () throws(DomainError) in
            try ContractDuration(parsing: value("contract_type"), field: prefix + "contract_type")
        }
        let norm = Int(value("norm_hours"))
        problems.check(
            norm != nil,
            DomainError(
                "contract.norm_hours", field: prefix + "norm_hours", "You cannot use '\(value("norm_hours"))' as hours a day; write 1 to 8."
            ))
        let salary = problems.collect { () throws(DomainError) in
            try Money(minorUnits: Money.parseMinorUnits(value("base_salary"), digits: 2, field: prefix + "base_salary"), currency: .ron)
        }
        let leave = value("leave_days").isEmpty ? 21 : Int(value("leave_days"))
        let probation = value("probation_days").isEmpty ? 0 : Int(value("probation_days"))
        problems.check(
            leave != nil && probation != nil,
            DomainError(
                "contract.days", field: prefix + "leave_days",
                "You cannot use a leave or probation length that is not a whole number of days."))
        try problems.throwIfAny()
        guard let employee, let position, let cor, let signed, let start, let duration, let norm, let salary, let leave, let probation
        else { throw ValidationErrors(problems.problems) }
        let terms = ContractTerms(
            number: value("contract_number"), signed: signed, start: start, duration: duration, normHours: norm, baseSalary: salary,
            position: position, corCode: cor, workplace: value("workplace").isEmpty ? nil : value("workplace"), leaveDays: leave,
            probationDays: probation)
        let termProblems = terms.problems().map { problem in
            DomainError(problem.id, kind: problem.kind, field: prefix + (problem.field ?? ""), problem.message)
        }
        guard termProblems.isEmpty else { throw ValidationErrors(termProblems) }
        return EmployeeImportRow(
            line: line, employee: employee, contract: terms, positionTitle: positionTitle, departmentName: departmentName)
    }
}
