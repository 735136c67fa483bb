import Companies
import Foundation
import Kernel

public enum Education: String, Sendable, Codable, CaseIterable {
    case primary, gymnasium, highSchool = "high_school", postSecondary = "post_secondary", university, master, doctorate
}

/// Someone the employee supports: they drive the personal deduction (Codul fiscal art. 77) when their income is below
/// 20 % of the minimum wage.
public struct Dependant: Hashable, Sendable, Codable {
    public enum Relationship: String, Sendable, Codable, CaseIterable { case child, spouse, parent, other }

    public var name: String
    public var cnp: String
    public var relationship: Relationship
    public var incomeBelowLimit: Bool

    public init(name: String, cnp: String, relationship: Relationship, incomeBelowLimit: Bool) {
        self.name = name
        self.cnp = cnp
        self.relationship = relationship
        self.incomeBelowLimit = incomeBelowLimit
    }
}

public struct EmergencyContact: Hashable, Sendable, Codable {
    public var name: String
    public var phone: String

    public init(name: String, phone: String) {
        self.name = name
        self.phone = phone
    }
}

/// An employee's personal record. Every field that holds personal data is declared in `PersonalData.people`.
public struct Employee: Hashable, Sendable, Codable {
    public var code: String
    public var lastName: String
    public var firstName: String
    public var cnp: String
    public var sex: Sex
    public var birthDate: LocalDate
    public var idDocument: String?
    public var addressLine: String?
    public var city: String?
    /// ISO 3166-2:RO (`RO-CJ`, `RO-B`).
    public var county: String?
    public var phone: String?
    public var email: String?
    public var iban: String?
    public var education: Education?
    public var department: String?
    public var position: String?
    /// The employee's manager (another employee's code).
    public var manager: String?
    public var emergencyContact: EmergencyContact?
    public var dependants: [Dependant]
    /// Dependants declared without their details (a count from an import); the personal deduction uses the larger of
    /// this and the listed dependants whose income is below the limit.
    public var declaredDependants: Int

    public init(
        code: String, lastName: String, firstName: String, cnp: String, sex: Sex, birthDate: LocalDate, idDocument: String?,
        addressLine: String?, city: String?, county: String?, phone: String?, email: String?, iban: String?, education: Education?,
        department: String?, position: String?, manager: String?, emergencyContact: EmergencyContact?, dependants: [Dependant],
        declaredDependants: Int
    ) {
        self.code = code
        self.lastName = lastName
        self.firstName = firstName
        self.cnp = cnp
        self.sex = sex
        self.birthDate = birthDate
        self.idDocument = idDocument
        self.addressLine = addressLine
        self.city = city
        self.county = county
        self.phone = phone
        self.email = email
        self.iban = iban
        self.education = education
        self.department = department
        self.position = position
        self.manager = manager
        self.emergencyContact = emergencyContact
        self.dependants = dependants
        self.declaredDependants = declaredDependants
    }

    public var name: String { "\(lastName) \(firstName)" }

    /// The dependants the personal deduction counts.
    public var deductionDependants: Int { max(declaredDependants, dependants.filter(\.incomeBelowLimit).count) }
}

/// What a user sends to add or change an employee, validated as a whole.
public struct EmployeeInput: Sendable, Codable {
    public var code: String
    public var lastName: String
    public var firstName: String
    public var cnp: String
    public var idDocument: String?
    public var addressLine: String?
    public var city: String?
    public var county: String?
    public var phone: String?
    public var email: String?
    public var iban: String?
    public var education: String?
    public var department: String?
    public var position: String?
    public var manager: String?
    public var emergencyContact: EmergencyContact?
    public var dependants: [Dependant]?
    public var declaredDependants: Int?

    public init(
        code: String, lastName: String, firstName: String, cnp: String, idDocument: String? = nil, addressLine: String? = nil,
        city: String? = nil, county: String? = nil, phone: String? = nil, email: String? = nil, iban: String? = nil,
        education: String? = nil, department: String? = nil, position: String? = nil, manager: String? = nil,
        emergencyContact: EmergencyContact? = nil, dependants: [Dependant]? = nil, declaredDependants: Int? = nil
    ) {
        self.code = code
        self.lastName = lastName
        self.firstName = firstName
        self.cnp = cnp
        self.idDocument = idDocument
        self.addressLine = addressLine
        self.city = city
        self.county = county
        self.phone = phone
        self.email = email
        self.iban = iban
        self.education = education
        self.department = department
        self.position = position
        self.manager = manager
        self.emergencyContact = emergencyContact
        self.dependants = dependants
        self.declaredDependants = declaredDependants
    }

    /// Every problem at once, each naming its field (prefixed with `prefix`, e.g. a CSV row).
    public func validated(today: LocalDate, prefix: String = "") throws(ValidationErrors) -> Employee {
        var problems = ProblemCollector()
        func field(_ name: String) -> String { prefix + name }
        let code = problems.collect { () throws(DomainError) in try Organisation.code(self.code, field: field("code"), what: "an employee")
        }
        let last = problems.collect { () throws(DomainError) in try Organisation.name(lastName, field: field("last_name")) }
        let first = problems.collect { () throws(DomainError) in try Organisation.name(firstName, field: field("first_name")) }
        let facts = problems.collect { () throws(DomainError) in try CNPFacts.of(cnp, today: today, field: field("cnp")) }
        let checkedIBAN = problems.collect { () throws(DomainError) -> String? in
            guard let text = self.iban.nilIfBlank else { return nil }
            return try IBAN(text, field: field("iban")).value
        }
        let checkedCounty = problems.collect { () throws(DomainError) -> String? in
            guard let text = self.county.nilIfBlank else { return nil }
            return try County.code(text, field: field("county"))
        }
        var education: Education?
        if let text = self.education.nilIfBlank {
            education = Education(rawValue: text.lowercased())
            problems.check(
                education != nil,
                DomainError(
                    "employee.education", field: field("education"),
                    "You cannot use '\(text)' as education; use one of \(Education.allCases.map(\.rawValue).joined(separator: ", "))."))
        }
        if let email = email.nilIfBlank {
            problems.check(
                email.count <= Limits.emailLength && email.contains("@") && !email.contains(" "),
                DomainError("employee.email", field: field("email"), "You cannot use '\(email)' as an e-mail address."))
        }
        if let phone = phone.nilIfBlank {
            problems.check(
                (6...20).contains(phone.count) && phone.allSatisfy({ $0.isNumber || " +-()./".contains($0) }),
                DomainError("employee.phone", field: field("phone"), "You cannot use '\(phone)' as a phone number."))
        }
        if let contact = emergencyContact {
            _ = problems.collect { () throws(DomainError) in try Organisation.name(contact.name, field: field("emergency_contact.name")) }
            problems.check(
                (6...20).contains(contact.phone.count) && contact.phone.allSatisfy({ $0.isNumber || " +-()./".contains($0) }),
                DomainError(
                    "employee.phone", field: field("emergency_contact.phone"),
                    "You cannot use '\(contact.phone.prefix(40))' as a phone number."))
        }
        for (text, name) in [(idDocument, "id_document"), (addressLine, "address_line"), (city, "city")] {
            if let text, text.count > Limits.addressLineLength {
                problems.add(
                    DomainError(
                        "employee.text_length", field: field(name),
                        "You cannot save \(name) longer than \(Limits.addressLineLength) characters."))
            }
        }
        let references = [
            (department, "department", "a department"), (position, "position", "a position"), (manager, "manager", "an employee"),
        ]
        .map { text, name, what in
            problems.collect { () throws(DomainError) -> String? in
                guard let text = text.nilIfBlank else { return nil }
                return try Organisation.code(text, field: field(name), what: what)
            }
        }
        let dependants = self.dependants ?? []
        problems.check(
            dependants.count <= Limits.dependantsPerEmployee && (0...Limits.dependantsPerEmployee).contains(declaredDependants ?? 0),
            DomainError(
                "employee.dependants", field: field("dependants"),
                "You cannot declare more than \(Limits.dependantsPerEmployee) dependants, or a negative number."))
        for (index, dependant) in dependants.enumerated() {
            _ = problems.collect { () throws(DomainError) in try CNP(dependant.cnp, field: field("dependants[\(index)].cnp")) }
            _ = problems.collect { () throws(DomainError) in
                try Organisation.name(dependant.name, field: field("dependants[\(index)].name"))
            }
        }
        try problems.throwIfAny()
        guard let code, let last, let first, let facts, let checkedIBAN, let checkedCounty else {
            throw ValidationErrors(problems.problems)
        }
        return Employee(
            code: code, lastName: last, firstName: first, cnp: cnp.filter { !$0.isWhitespace }, sex: facts.sex, birthDate: facts.birthDate,
            idDocument: idDocument.nilIfBlank, addressLine: addressLine.nilIfBlank, city: city.nilIfBlank, county: checkedCounty,
            phone: phone.nilIfBlank, email: email.nilIfBlank, iban: checkedIBAN, education: education,
            department: references[0] ?? nil, position: references[1] ?? nil, manager: references[2] ?? nil,
            emergencyContact: emergencyContact, dependants: dependants,
            declaredDependants: declaredDependants ?? 0)
    }
}

extension Optional where Wrapped == String {
    /// The trimmed text, or nil when it is missing or blank.
    var nilIfBlank: String? {
        guard let text = self?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        return text
    }
}
