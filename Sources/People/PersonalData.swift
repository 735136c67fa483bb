import Foundation

/// One column that holds personal data, declared once with its GDPR category, purpose, legal basis and retention
/// (GDPR art. 30). The GDPR issue builds the register of processing activities and the access requests from these.
public struct PersonalField: Hashable, Sendable, Codable {
    public enum Category: String, Sendable, Codable { case identity, contact, financial, employment, family, health }

    public var table: String
    public var column: String
    public var category: Category
    public var purpose: String
    public var legalBasis: String
    public var retention: String
}

public enum PersonalData {
    static let contract = "GDPR art. 6(1)(b) employment contract; art. 6(1)(c) Labour Code, Codul fiscal"
    static let employment = "the employment relationship, payroll and the register of employees (REGES-ONLINE)"
    static let afterEnd = "75 years after the contract ends for payroll records (Law 16/1996 art. 25, not verified here)"

    /// Every personal column of the people context.
    public static let people: [PersonalField] = [
        field("employees", "last_name", .identity), field("employees", "first_name", .identity),
        field("employees", "cnp", .identity), field("employees", "sex", .identity), field("employees", "birth_date", .identity),
        field("employees", "id_document", .identity), field("employees", "address_line", .contact),
        field("employees", "city", .contact), field("employees", "county", .contact), field("employees", "phone", .contact),
        field("employees", "email", .contact), field("employees", "iban", .financial),
        field("employees", "education", .employment), field("employees", "emergency_contact", .contact),
        field("employees", "declared_dependants", .family),
        field("employee_dependants", "name", .family), field("employee_dependants", "cnp", .family),
        field("employee_dependants", "relationship", .family), field("employee_dependants", "income_below_limit", .family),
        field("contract_events", "terms", .employment), field("contract_events", "change", .employment),
        field("contract_events", "reason", .employment),
        field("employee_change_requests", "changes", .contact), field("employee_change_requests", "before_values", .contact),
        field("leave_requests", "certificate_series", .health), field("leave_requests", "certificate_number", .health),
        field("leave_requests", "indemnity_code", .health),
    ]

    static func field(_ table: String, _ column: String, _ category: PersonalField.Category) -> PersonalField {
        PersonalField(table: table, column: column, category: category, purpose: employment, legalBasis: contract, retention: afterEnd)
    }
}
