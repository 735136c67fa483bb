import Foundation
import Kernel

public enum SessionTag {}
public typealias SessionID = ID<SessionTag>

/// A course: what is taught, whether every employee must hold it (periodic SSM and PSI training), and how long its
/// certificate stays valid. The validity is the company's parameter: the legal intervals of periodic SSM training
/// (HG 1425/2006) are not verified in the shared reference, so nothing here assumes them (docs/people.md).
public struct CourseInput: Sendable, Codable, Equatable {
    public var code: String
    public var title: String
    /// Every employee with a contract in force must hold a valid certificate of it.
    public var mandatory: Bool
    /// Months a certificate stays valid; nil when it does not expire.
    public var validityMonths: Int?

    public init(code: String, title: String, mandatory: Bool = false, validityMonths: Int? = nil) {
        self.code = code
        self.title = title
        self.mandatory = mandatory
        self.validityMonths = validityMonths
    }

    public func validated() throws(ValidationErrors) -> CourseInput {
        var problems = ProblemCollector()
        let code = code.trimmingCharacters(in: .whitespaces).uppercased()
        problems.check(
            Policies.isCode(code),
            DomainError(
                "course.code", field: "code",
                "You cannot name a course '\(code.prefix(40))'; use 1 to 20 letters, digits or hyphens (e.g. SSM, PSI, EXCEL)."))
        let title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        problems.check(
            !title.isEmpty && title.count <= 200,
            DomainError("course.title", field: "title", "You cannot add a course without a title of 1 to 200 characters."))
        if let months = validityMonths {
            problems.check(
                (1...Limits.certificateValidityMonths).contains(months),
                DomainError(
                    "course.validity", field: "validity_months",
                    "You cannot make a certificate valid for \(months) months; use 1 to \(Limits.certificateValidityMonths), or none."))
        }
        try problems.throwIfAny()
        return CourseInput(code: code, title: title, mandatory: mandatory, validityMonths: validityMonths)
    }
}

/// An enrolment's lifecycle: enrolled → completed (a certificate is issued) or absent; enrolled → cancelled.
public enum EnrolmentState: String, Sendable, Codable, CaseIterable {
    case enrolled, completed, absent, cancelled

    public enum Action: String, Sendable, Codable, CaseIterable { case complete, absent, cancel }

    public func applying(_ action: Action) -> EnrolmentState? {
        switch (self, action) {
        case (.enrolled, .complete): .completed
        case (.enrolled, .absent): .absent
        case (.enrolled, .cancel): .cancelled
        default: nil
        }
    }
}

/// Where an employee stands on a course on a day.
public enum CertificateStatus: String, Sendable, Codable, CaseIterable {
    case valid, expiring, expired, missing
}

public enum Training {
    /// Days before expiry a certificate counts as expiring (and a reminder goes out).
    public static let expiringWithinDays = 30

    /// The certificate's last valid day: `months` after the day the course was completed, the day before that
    /// anniversary (a 6-month certificate from 15 January is valid through 14 July).
    public static func expiry(completed: LocalDate, months: Int?) -> LocalDate? {
        months.map { completed.addingMonths($0).adding(days: -1) }
    }

    public static func status(expires: LocalDate?, held: Bool, on day: LocalDate) -> CertificateStatus {
        guard held else { return .missing }
        guard let expires else { return .valid }
        if expires < day { return .expired }
        return day.adding(days: expiringWithinDays) >= expires ? .expiring : .valid
    }
}

/// A skill of the company's matrix and the levels an employee can hold it at: 1 beginner, 2 practitioner, 3 advanced,
/// 4 expert (the scale is the company's reading; nothing legal hangs on it).
public struct SkillInput: Sendable, Codable, Equatable {
    public var code: String
    public var name: String

    public init(code: String, name: String) {
        self.code = code
        self.name = name
    }

    public static let levels = 1...4

    public func validated() throws(ValidationErrors) -> SkillInput {
        var problems = ProblemCollector()
        let code = code.trimmingCharacters(in: .whitespaces).uppercased()
        problems.check(
            Policies.isCode(code),
            DomainError(
                "skill.code", field: "code", "You cannot name a skill '\(code.prefix(40))'; use 1 to 20 letters, digits or hyphens."))
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        problems.check(
            !name.isEmpty && name.count <= 100,
            DomainError("skill.name", field: "name", "You cannot add a skill without a name of 1 to 100 characters."))
        try problems.throwIfAny()
        return SkillInput(code: code, name: name)
    }
}
