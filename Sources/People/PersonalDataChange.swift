import Foundation
import Kernel

/// A change of personal data an employee asks for on their own page and HR approves: the fields a person keeps up to
/// date themselves (contacts, address, ID document, salary account, education, emergency contact). Name and CNP are
/// corrected by HR from the documents, and department, position and manager belong to the organisation.
public struct PersonalDataChange: Sendable, Codable, Equatable {
    /// The fields that may be asked for, in the order forms show them.
    public static let fields = [
        "phone", "email", "address_line", "city", "county", "id_document", "iban", "education", "emergency_name", "emergency_phone",
    ]

    /// Field → the new value; an empty value clears the field.
    public var values: [String: String]

    public init(values: [String: String]) {
        self.values = values
    }

    /// The employee's current value of each field, as a form shows it.
    public static func current(_ employee: Employee) -> [String: String] {
        [
            "phone": employee.phone ?? "", "email": employee.email ?? "", "address_line": employee.addressLine ?? "",
            "city": employee.city ?? "", "county": employee.county ?? "", "id_document": employee.idDocument ?? "",
            "iban": employee.iban ?? "", "education": employee.education?.rawValue ?? "",
            "emergency_name": employee.emergencyContact?.name ?? "", "emergency_phone": employee.emergencyContact?.phone ?? "",
        ]
    }

    /// The fields whose requested value differs from the employee's (trimmed), with those values: what the request
    /// really changes. Every problem at once: an unknown field, a value too long, nothing that differs, and every rule
    /// an employee's record keeps (an IBAN's check digits, a county code, a phone number).
    public func checked(
        against employee: Employee, today: LocalDate
    ) throws(ValidationErrors) -> (change: PersonalDataChange, result: Employee) {
        var problems = ProblemCollector()
        let unknown = values.keys.filter { !Self.fields.contains($0) }.sorted()
        for field in unknown.prefix(5) {
            problems.add(
                DomainError(
                    "employee_change.field", field: String(field.prefix(40)),
                    "You cannot ask to change '\(field.prefix(40))'; the fields are: \(Self.fields.joined(separator: ", "))."))
        }
        let current = Self.current(employee)
        var changed: [String: String] = [:]
        for field in Self.fields {
            guard let raw = values[field] else { continue }
            guard raw.unicodeScalars.count <= Limits.addressLineLength else {
                problems.add(
                    DomainError(
                        "employee.text_length", field: field,
                        "You cannot save \(field) longer than \(Limits.addressLineLength) characters."))
                continue
            }
            let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if value != current[field] { changed[field] = value }
        }
        let emergencyName = changed["emergency_name"] ?? current["emergency_name"] ?? ""
        let emergencyPhone = changed["emergency_phone"] ?? current["emergency_phone"] ?? ""
        var contactChecked = true
        if changed["emergency_name"] != nil || changed["emergency_phone"] != nil {
            contactChecked = emergencyName.isEmpty == emergencyPhone.isEmpty
            problems.check(
                contactChecked,
                DomainError(
                    "employee_change.emergency", field: emergencyName.isEmpty ? "emergency_name" : "emergency_phone",
                    "To give an emergency contact, you must give both a name and a phone number (or clear both)."))
            if !emergencyPhone.isEmpty {
                contactChecked =
                    contactChecked && (6...20).contains(emergencyPhone.count)
                    && emergencyPhone.allSatisfy({ $0.isNumber || " +-()./".contains($0) })
                problems.check(
                    (6...20).contains(emergencyPhone.count) && emergencyPhone.allSatisfy({ $0.isNumber || " +-()./".contains($0) }),
                    DomainError(
                        "employee.phone", field: "emergency_phone", "You cannot use '\(emergencyPhone.prefix(40))' as a phone number."))
            }
        }
        if unknown.isEmpty && changed.isEmpty {
            problems.add(
                DomainError(
                    "employee_change.nothing", field: "changes",
                    "You cannot send this request because it changes nothing; every value is what HR already has."))
        }
        func value(_ field: String) -> String? { changed[field] ?? current[field] }
        let input = EmployeeInput(
            code: employee.code, lastName: employee.lastName, firstName: employee.firstName, cnp: employee.cnp,
            idDocument: value("id_document"), addressLine: value("address_line"), city: value("city"), county: value("county"),
            phone: value("phone"), email: value("email"), iban: value("iban"), education: value("education"),
            department: employee.department, position: employee.position, manager: employee.manager,
            // A contact already refused above is not checked again as the record's.
            emergencyContact: emergencyName.isEmpty || !contactChecked ? nil : EmergencyContact(name: emergencyName, phone: emergencyPhone),
            dependants: employee.dependants, declaredDependants: employee.declaredDependants)
        // The record's own rules too, so every problem is reported at once.
        let result = problems.collect { () throws(ValidationErrors) in try input.validated(today: today) }
        try problems.throwIfAny()
        guard let result else { throw ValidationErrors(problems.problems) }
        return (PersonalDataChange(values: changed), result)
    }
}
