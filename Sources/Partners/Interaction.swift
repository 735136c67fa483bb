import Foundation
import Kernel

/// A person at a partner: who to call or write to.
public struct Contact: Hashable, Sendable, Codable {
    public var name: String
    public var role: String?
    public var email: String?
    public var phone: String?

    public init(name: String, role: String? = nil, email: String? = nil, phone: String? = nil) {
        self.name = name
        self.role = role
        self.email = email
        self.phone = phone
    }

    /// Every problem at once, or the contact with its e-mail lowercased.
    public func validated() throws(ValidationErrors) -> Contact {
        var problems = ProblemCollector()
        var result = self
        result.name = name.trimmingCharacters(in: .whitespaces)
        problems.check(
            !result.name.isEmpty && result.name.count <= Limits.nameLength,
            DomainError("contact.name", field: "name", "To add a contact, you must give a name of at most \(Limits.nameLength) characters.")
        )
        if let email = email?.trimmingCharacters(in: .whitespaces), !email.isEmpty {
            let valid =
                email.count <= Limits.emailLength && email.filter({ $0 == "@" }).count == 1 && !email.hasPrefix("@")
                && !email.hasSuffix("@")
                && email.split(separator: "@").last?.contains(".") == true
            problems.check(
                valid, DomainError("contact.email", field: "email", "You cannot use '\(email)' because it is not an e-mail address."))
            result.email = email.lowercased()
        } else {
            result.email = nil
        }
        if let phone = phone?.trimmingCharacters(in: .whitespaces), !phone.isEmpty {
            problems.check(
                phone.filter(\.isNumber).count >= 3 && phone.count <= 40,
                DomainError(
                    "contact.phone", field: "phone", "You cannot use '\(phone)' as a phone number because it needs at least 3 digits."))
            result.phone = phone
        } else {
            result.phone = nil
        }
        result.role = role?.trimmingCharacters(in: .whitespaces).isEmpty == false ? role : nil
        try problems.throwIfAny()
        return result
    }
}

/// A call, meeting, e-mail or note with a partner: the front office's log.
public struct Interaction: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable { case call, meeting, email, note }

    public var kind: Kind
    public var date: LocalDate
    public var summary: String
    /// When someone must get back to the partner.
    public var followUp: LocalDate?

    public init(kind: Kind, date: LocalDate, summary: String, followUp: LocalDate? = nil) {
        self.kind = kind
        self.date = date
        self.summary = summary
        self.followUp = followUp
    }

    public static let summaryLength = 2_000

    /// Builds an interaction from typed text; every problem at once.
    public static func validated(
        kind: String, date: String?, summary: String, followUp: String?, today: LocalDate
    ) throws(ValidationErrors)
        -> Interaction
    {
        var problems = ProblemCollector()
        let kindValue = Kind(rawValue: kind)
        problems.check(
            kindValue != nil,
            DomainError(
                "interaction.kind", field: "kind", "You cannot log a '\(kind)' because the kinds are call, meeting, email and note."))
        var day = today
        if let date, !date.isEmpty {
            if let parsed = problems.collect({ () throws(DomainError) in try LocalDate(iso: date, field: "date") }) { day = parsed }
        }
        var follow: LocalDate?
        if let followUp, !followUp.isEmpty {
            follow = problems.collect { () throws(DomainError) in try LocalDate(iso: followUp, field: "follow_up") }
            if let follow {
                problems.check(
                    follow >= day,
                    DomainError("interaction.follow_up", field: "follow_up", "You cannot set a follow-up before the interaction's date."))
            }
        }
        let text = summary.trimmingCharacters(in: .whitespacesAndNewlines)
        problems.check(
            !text.isEmpty && text.count <= summaryLength,
            DomainError(
                "interaction.summary", field: "summary",
                "To log an interaction, you must write what happened (at most \(summaryLength) characters)."))
        try problems.throwIfAny()
        return Interaction(kind: kindValue!, date: day, summary: text, followUp: follow)
    }
}
