import Foundation
import Kernel

public enum OpeningTag {}
public typealias OpeningID = ID<OpeningTag>
public enum ApplicantTag {}
public typealias ApplicantID = ID<ApplicantTag>

/// A job opening: open while it recruits; closed by hand, or when as many applicants as its headcount are hired.
public enum OpeningState: String, Sendable, Codable, CaseIterable {
    case open, closed

    public enum Action: String, Sendable, Codable, CaseIterable { case close, reopen }

    public func applying(_ action: Action) -> OpeningState? {
        switch (self, action) {
        case (.open, .close): .closed
        case (.closed, .reopen): .open
        default: nil
        }
    }
}

/// Where an applicant stands on the board: applied → screening → interview → offer → hired, or rejected from any
/// stage before hired. Hired is reached only by hiring (which creates the employee and the contract), from an offer.
public enum ApplicantStage: String, Sendable, Codable, CaseIterable {
    case applied, screening, interview, offer, hired, rejected

    public enum Action: String, Sendable, Codable, CaseIterable {
        /// To the next stage before the offer (the offer itself is made with its terms).
        case advance
        /// Back one stage (a mistake on the board), before the offer.
        case back
        case reject
        /// Made with the offer's terms (`Recruitment.offer`).
        case offer
        /// Made by hiring (`hireApplicant`).
        case hire
    }

    public func applying(_ action: Action) -> ApplicantStage? {
        switch (self, action) {
        case (.applied, .advance): .screening
        case (.screening, .advance): .interview
        case (.screening, .back): .applied
        case (.interview, .back): .screening
        case (.applied, .reject), (.screening, .reject), (.interview, .reject), (.offer, .reject): .rejected
        case (.screening, .offer), (.interview, .offer), (.offer, .offer): .offer
        case (.offer, .hire): .hired
        default: nil
        }
    }

    /// The stages an open board shows, in order.
    public static let board: [ApplicantStage] = [.applied, .screening, .interview, .offer, .hired, .rejected]
}

public struct OpeningInput: Sendable, Codable, Equatable {
    public var title: String
    public var department: String?
    public var position: String?
    /// The COR code the contract will carry; read from the position when not given.
    public var corCode: String?
    public var headcount: Int
    public var description: String?

    public init(
        title: String, department: String? = nil, position: String? = nil, corCode: String? = nil, headcount: Int = 1,
        description: String? = nil
    ) {
        self.title = title
        self.department = department
        self.position = position
        self.corCode = corCode
        self.headcount = headcount
        self.description = description
    }

    public func problems() -> [DomainError] {
        var problems = ProblemCollector()
        let title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        problems.check(
            !title.isEmpty && title.count <= 200,
            DomainError("opening.title", field: "title", "You cannot open a position without a title of 1 to 200 characters."))
        problems.check(
            (1...Limits.openingHeadcount).contains(headcount),
            DomainError(
                "opening.headcount", field: "headcount",
                "You cannot recruit \(headcount) people for one opening; use 1 to \(Limits.openingHeadcount)."))
        problems.check(
            (description ?? "").count <= 5000,
            DomainError("opening.description", field: "description", "You cannot write a description longer than 5000 characters."))
        if let corCode, !corCode.isEmpty {
            _ = problems.collect { () throws(DomainError) in try COR.code(corCode) }
        }
        return problems.problems
    }
}

public struct ApplicantInput: Sendable, Codable, Equatable {
    public var lastName: String
    public var firstName: String
    public var email: String?
    public var phone: String?
    /// Where the application came from (job board, referral, the company's site …).
    public var source: String?
    /// The day the applicant consented to the processing of their data.
    public var consentDate: String
    /// Until when their data may be kept if they are not hired; six months after the consent when not given.
    public var retainUntil: String?

    public init(
        lastName: String, firstName: String, email: String? = nil, phone: String? = nil, source: String? = nil, consentDate: String,
        retainUntil: String? = nil
    ) {
        self.lastName = lastName
        self.firstName = firstName
        self.email = email
        self.phone = phone
        self.source = source
        self.consentDate = consentDate
        self.retainUntil = retainUntil
    }
}

/// A checked applicant.
public struct Applicant: Sendable, Equatable {
    public var lastName: String
    public var firstName: String
    public var email: String?
    public var phone: String?
    public var source: String?
    public var consentDate: LocalDate
    public var retainUntil: LocalDate

    public init(
        lastName: String, firstName: String, email: String?, phone: String?, source: String?, consentDate: LocalDate,
        retainUntil: LocalDate
    ) {
        self.lastName = lastName
        self.firstName = firstName
        self.email = email
        self.phone = phone
        self.source = source
        self.consentDate = consentDate
        self.retainUntil = retainUntil
    }
}

public struct InterviewInput: Sendable, Codable, Equatable {
    /// Day and time, `2026-12-10T10:30` (Romanian time).
    public var at: String
    public var interviewers: [String]
    /// The scorecard's overall score, 1 (weak) to 5 (strong), once the interview is held.
    public var score: Int?
    public var notes: String?

    public init(at: String, interviewers: [String], score: Int? = nil, notes: String? = nil) {
        self.at = at
        self.interviewers = interviewers
        self.score = score
        self.notes = notes
    }
}

public struct OfferInput: Sendable, Codable, Equatable {
    /// Gross monthly base salary in lei, e.g. "6500" or "6500.50".
    public var salary: String
    public var start: String
    /// Hours a day, 1–8 (8 is full time).
    public var normHours: Int

    public init(salary: String, start: String, normHours: Int = 8) {
        self.salary = salary
        self.start = start
        self.normHours = normHours
    }
}

public struct Offer: Sendable, Equatable {
    public var salary: Money
    public var start: LocalDate
    public var normHours: Int

    public init(salary: Money, start: LocalDate, normHours: Int) {
        self.salary = salary
        self.start = start
        self.normHours = normHours
    }
}

public enum Recruitment {
    /// Months an applicant's data is kept after their consent when no date is given (a company policy, not a legal
    /// term: GDPR art. 5(1)(e) asks only that it be no longer than needed; docs/people.md).
    public static let defaultRetentionMonths = 6
    /// The longest retention accepted, in years after the consent.
    public static let maxRetentionYears = 5

    public static func applicant(_ input: ApplicantInput, today: LocalDate) throws(ValidationErrors) -> Applicant {
        var problems = ProblemCollector()
        func name(_ text: String, _ field: String) -> String {
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            problems.check(
                !value.isEmpty && value.count <= 100,
                DomainError(
                    "applicant.name", field: field,
                    "You cannot add an applicant without a \(field.replacingOccurrences(of: "_", with: " ")) of 1 to 100 characters."))
            return value
        }
        let last = name(input.lastName, "last_name")
        let first = name(input.firstName, "first_name")
        let email = input.email?.trimmingCharacters(in: .whitespaces).lowercased()
        if let email, !email.isEmpty {
            problems.check(
                email.count <= 254 && email.split(separator: "@").count == 2 && !email.hasPrefix("@") && !email.hasSuffix("@"),
                DomainError("applicant.email", field: "email", "You cannot use '\(email.prefix(60))' as an e-mail address."))
        }
        let phone = input.phone?.trimmingCharacters(in: .whitespaces)
        problems.check(
            (phone ?? "").count <= 30 && (phone ?? "").allSatisfy { $0.isNumber || " +-()./".contains($0) },
            DomainError("applicant.phone", field: "phone", "You cannot use this phone number; use digits, spaces and + - ( ) . / only."))
        let source = input.source?.trimmingCharacters(in: .whitespacesAndNewlines)
        problems.check(
            (source ?? "").count <= 100,
            DomainError("applicant.source", field: "source", "You cannot write a source longer than 100 characters."))
        let consent = problems.collect { () throws(DomainError) in try LocalDate(iso: input.consentDate, field: "consent_date") }
        if let consent {
            problems.check(
                consent <= today,
                DomainError(
                    "applicant.consent_future", field: "consent_date",
                    "You cannot record a consent given on \(consent.iso) because that day has not come yet."))
        }
        var retain: LocalDate?
        if let text = input.retainUntil, !text.isEmpty {
            retain = problems.collect { () throws(DomainError) in try LocalDate(iso: text, field: "retain_until") }
        } else if let consent {
            retain = consent.addingMonths(defaultRetentionMonths)
        }
        if let consent, let until = retain {
            problems.check(
                until > consent && until <= consent.addingMonths(12 * maxRetentionYears),
                DomainError(
                    "applicant.retention", field: "retain_until",
                    "You cannot keep an applicant's data until \(until.iso); choose a day after the consent and at most \(maxRetentionYears) years after it."
                ))
        }
        try problems.throwIfAny()
        guard let consent, let retain else { throw ValidationErrors(problems.problems) }
        return Applicant(
            lastName: last, firstName: first, email: email?.isEmpty == true ? nil : email, phone: phone?.isEmpty == true ? nil : phone,
            source: source?.isEmpty == true ? nil : source, consentDate: consent, retainUntil: retain)
    }

    public static func interview(
        _ input: InterviewInput
    ) throws(ValidationErrors) -> (at: String, interviewers: [String], score: Int?, notes: String?) {
        var problems = ProblemCollector()
        let at = input.at.trimmingCharacters(in: .whitespaces)
        let parts = at.split(separator: "T", maxSplits: 1).map(String.init)
        let day = parts.first.flatMap { try? LocalDate(iso: $0) }
        let time = parts.count == 2 ? parts[1].split(separator: ":").compactMap { Int($0) } : []
        problems.check(
            day != nil && time.count == 2 && parts[1].count == 5 && (0...23).contains(time[0]) && (0...59).contains(time[1]),
            DomainError(
                "interview.at", field: "at",
                "You cannot schedule an interview at '\(at.prefix(40))'; write the day and time as 2026-12-10T10:30."))
        let interviewers = input.interviewers.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        problems.check(
            !interviewers.isEmpty && interviewers.count <= 10 && interviewers.allSatisfy { $0.count <= 100 },
            DomainError(
                "interview.interviewers", field: "interviewers",
                "You cannot record an interview without 1 to 10 interviewers (names up to 100 characters)."))
        if let score = input.score {
            problems.check(
                (1...5).contains(score),
                DomainError("interview.score", field: "score", "You cannot score an interview \(score); use 1 (weak) to 5 (strong)."))
        }
        let notes = input.notes?.trimmingCharacters(in: .whitespacesAndNewlines)
        problems.check(
            (notes ?? "").count <= 5000,
            DomainError("interview.notes", field: "notes", "You cannot write interview notes longer than 5000 characters."))
        try problems.throwIfAny()
        return (at, interviewers, input.score, notes?.isEmpty == true ? nil : notes)
    }

    public static func offer(_ input: OfferInput) throws(ValidationErrors) -> Offer {
        var problems = ProblemCollector()
        let salary = problems.collect { () throws(DomainError) in
            Money(minorUnits: try Money.parseMinorUnits(input.salary, digits: 2, field: "salary"), currency: .ron)
        }
        if let salary {
            problems.check(
                salary.minorUnits > 0 && input.salary.trimmingCharacters(in: .whitespaces).count <= 16,
                DomainError(
                    "offer.salary", field: "salary", "You cannot offer a salary of zero or less, or write it in more than 16 characters."))
        }
        let start = problems.collect { () throws(DomainError) in try LocalDate(iso: input.start, field: "start") }
        problems.check(
            (1...8).contains(input.normHours),
            DomainError("offer.norm", field: "norm_hours", "You cannot offer \(input.normHours) hours a day; use 1 to 8 (8 is full time)."))
        try problems.throwIfAny()
        guard let salary, let start else { throw ValidationErrors(problems.problems) }
        return Offer(salary: salary, start: start, normHours: input.normHours)
    }
}
