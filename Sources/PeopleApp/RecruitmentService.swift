import Application
import Documents
import Foundation
import Kernel
import People
import SQLKit
import Storage

public struct OpeningRecord: Sendable, Equatable {
    public var id: OpeningID
    public var title: String
    public var department: String?
    public var position: String?
    public var corCode: String
    public var headcount: Int
    public var description: String?
    public var state: OpeningState
    public var createdAt: String
    /// Applicants per stage.
    public var counts: [ApplicantStage: Int]
}

public struct InterviewRecord: Sendable, Equatable {
    public var seq: Int
    public var at: String
    public var interviewers: [String]
    public var score: Int?
    public var notes: String?
    public var recordedBy: String
}

public struct ApplicantRecord: Sendable, Equatable {
    public var id: ApplicantID
    public var opening: OpeningID
    public var applicant: Applicant
    public var stage: ApplicantStage
    public var offer: Offer?
    /// The employee hiring made, once hired.
    public var employee: String?
    public var interviews: [InterviewRecord]
    public var createdAt: String
    public var name: String { "\(applicant.lastName) \(applicant.firstName)" }
    /// The average interview score, when any interview was scored (one decimal, half up).
    public var averageScore: String? {
        let scores = interviews.compactMap(\.score)
        guard !scores.isEmpty else { return nil }
        let tenths = (scores.reduce(0, +) * 100 / scores.count + 5) / 10
        return "\(tenths / 10).\(tenths % 10)"
    }
}

/// What hiring needs beyond the offer: the employee's code and CNP and the contract's number. Everything else comes
/// from the applicant, the opening and the offer.
public struct HireInput: Sendable, Codable, Equatable {
    public var code: String
    public var cnp: String
    public var contractNumber: String
    /// The day the contract is signed; today when not given.
    public var signed: String?
    /// `indefinite` or `fixed:YYYY-MM-DD`.
    public var duration: String?
    public var leaveDays: Int?
    public var probationDays: Int?
    public var iban: String?

    public init(
        code: String, cnp: String, contractNumber: String, signed: String? = nil, duration: String? = nil, leaveDays: Int? = nil,
        probationDays: Int? = nil, iban: String? = nil
    ) {
        self.code = code
        self.cnp = cnp
        self.contractNumber = contractNumber
        self.signed = signed
        self.duration = duration
        self.leaveDays = leaveDays
        self.probationDays = probationDays
        self.iban = iban
    }
}

extension Culise {
    // MARK: - Openings

    public func openOpening(company: CompanyID, _ input: OpeningInput, actor: Actor) async throws -> OpeningRecord {
        try actor.require(.hr, .write, in: company)
        let problems = input.problems()
        if !problems.isEmpty { throw ValidationErrors(problems) }
        return try await transaction { db in
            let departments = try await Self.loadDepartments(db, company: company)
            let positions = try await Self.loadPositions(db, company: company)
            let department = input.department.map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.flatMap { $0.isEmpty ? nil : $0 }
            let position = input.position.map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.flatMap { $0.isEmpty ? nil : $0 }
            var problems = ProblemCollector()
            if let department {
                problems.check(
                    departments[department] != nil,
                    DomainError(
                        "opening.department", field: "department",
                        "You cannot recruit for department \(department.prefix(40)) because there is no such department."))
            }
            if let position {
                problems.check(
                    positions[position] != nil,
                    DomainError(
                        "opening.position", field: "position",
                        "You cannot recruit for position \(position.prefix(40)) because there is no such position."))
            }
            let given = input.corCode.flatMap { $0.isEmpty ? nil : $0 }
            let cor = given ?? position.flatMap { positions[$0]?.corCode }
            problems.check(
                cor != nil,
                DomainError(
                    "opening.cor_code", field: "cor_code",
                    "You cannot open a position without its COR occupation code; give it or choose a position that has one."))
            try problems.throwIfAny()
            let count =
                try await db.raw("SELECT COUNT(*) AS n FROM openings WHERE company_id = \(bind: company.description)")
                .first().map { try $0.decode(column: "n", as: Int64.self) } ?? 0
            guard count < Limits.openings else {
                throw DomainError(
                    "opening.count", kind: .tooLarge, field: "title",
                    "You cannot open another position because a company keeps at most \(Limits.openings) openings.")
            }
            let id = OpeningID.generate(now: self.now)
            let corCode = try COR.code(cor ?? "")
            try await db.raw(
                """
                INSERT INTO openings (company_id, id, title, department, position, cor_code, headcount, description, state, created_at)
                VALUES (\(bind: company.description), \(bind: id.description), \(bind: input.title.trimmingCharacters(in: .whitespacesAndNewlines)),
                    \(bind: department), \(bind: position), \(bind: corCode), \(bind: Int64(input.headcount)), \(bind: input.description),
                    'open', \(bind: self.nowText))
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "opening.open", entity: "opening", entityID: id.description,
                changes: [FieldChange("title", before: nil, after: input.title)], now: self.now)
            return try await Self.requireOpening(db, company: company, id: id)
        }
    }

    public func decideOpening(company: CompanyID, id: OpeningID, _ action: OpeningState.Action, actor: Actor) async throws -> OpeningRecord
    {
        try actor.require(.hr, .write, in: company)
        return try await transaction { db in
            let opening = try await Self.requireOpening(db, company: company, id: id)
            guard let next = opening.state.applying(action) else {
                throw DomainError(
                    "opening.illegal_transition", kind: .conflict, field: "action",
                    "You cannot \(action.rawValue) an opening that is \(opening.state.rawValue).")
            }
            try await db.raw(
                "UPDATE openings SET state = \(bind: next.rawValue) WHERE company_id = \(bind: company.description) AND id = \(bind: id.description)"
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "opening.\(action.rawValue)", entity: "opening", entityID: id.description,
                changes: [FieldChange("state", before: opening.state.rawValue, after: next.rawValue)], now: self.now)
            return try await Self.requireOpening(db, company: company, id: id)
        }
    }

    public func openings(company: CompanyID, actor: Actor) async throws -> [OpeningRecord] {
        try actor.require(.hr, .read, in: company)
        return try await read { db in try await Self.loadOpenings(db, company: company, id: nil) }
    }

    public func opening(company: CompanyID, id: OpeningID, actor: Actor) async throws -> (OpeningRecord, [ApplicantRecord]) {
        try actor.require(.hr, .read, in: company)
        return try await read { db in
            (
                try await Self.requireOpening(db, company: company, id: id),
                try await Self.loadApplicants(db, company: company, where: "opening_id = \(bind: id.description)")
            )
        }
    }

    // MARK: - Applicants

    /// Adds an applicant to an open opening, with their CV when given (kept in the documents store).
    public func addApplicant(
        company: CompanyID, opening: OpeningID, _ input: ApplicantInput, cv: (name: String, data: Data)?, actor: Actor
    ) async throws -> ApplicantRecord {
        try actor.require(.hr, .write, in: company)
        let applicant = try Recruitment.applicant(input, today: today)
        return try await transaction { db in
            let record = try await Self.requireOpening(db, company: company, id: opening)
            guard record.state == .open else {
                throw DomainError(
                    "opening.closed", kind: .conflict, field: "opening",
                    "You cannot add an applicant to \(record.title) because the opening is closed.")
            }
            guard record.counts.values.reduce(0, +) < Limits.applicantsPerOpening else {
                throw DomainError(
                    "applicant.count", kind: .tooLarge, field: "opening",
                    "You cannot add another applicant to \(record.title) because an opening keeps at most \(Limits.applicantsPerOpening).")
            }
            let id = ApplicantID.generate(now: self.now)
            try await db.raw(
                """
                INSERT INTO applicants (company_id, id, opening_id, last_name, first_name, email, phone, source, consent_at, retain_until,
                    stage, created_at, updated_at)
                VALUES (\(bind: company.description), \(bind: id.description), \(bind: opening.description), \(bind: applicant.lastName),
                    \(bind: applicant.firstName), \(bind: applicant.email), \(bind: applicant.phone), \(bind: applicant.source),
                    \(bind: applicant.consentDate.iso), \(bind: applicant.retainUntil.iso), 'applied', \(bind: self.nowText), \(bind: self.nowText))
                """
            ).run()
            if let cv {
                _ = try await self.attachDocument(
                    db, company: company, owner: DocumentOwner(type: "applicant", id: id.description), fileName: cv.name, data: cv.data,
                    actor: actor)
            }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "applicant.add", entity: "applicant", entityID: id.description,
                changes: [FieldChange("name", before: nil, after: "\(applicant.lastName) \(applicant.firstName)", personal: true)],
                now: self.now)
            return try await Self.requireApplicant(db, company: company, id: id)
        }
    }

    public func applicant(company: CompanyID, id: ApplicantID, actor: Actor) async throws -> ApplicantRecord {
        try actor.require(.hr, .read, in: company)
        return try await read { db in try await Self.requireApplicant(db, company: company, id: id) }
    }

    /// Moves an applicant on the board (advance, back, reject); the offer and the hire have their own use cases.
    public func moveApplicant(
        company: CompanyID, id: ApplicantID, _ action: ApplicantStage.Action, actor: Actor
    ) async throws -> ApplicantRecord {
        try actor.require(.hr, .write, in: company)
        guard [.advance, .back, .reject].contains(action) else {
            throw ValidationErrors([
                DomainError(
                    "applicant.action", field: "action",
                    "You cannot '\(action.rawValue)' an applicant here; use advance, back or reject (an offer and a hire carry their terms)."
                )
            ])
        }
        return try await transaction { db in
            let record = try await Self.requireApplicant(db, company: company, id: id)
            let next = try Self.transition(record, action)
            try await Self.setStage(db, company: company, record, next, actor: actor, now: self.now)
            return try await Self.requireApplicant(db, company: company, id: id)
        }
    }

    public func recordInterview(
        company: CompanyID, applicant id: ApplicantID, _ input: InterviewInput, actor: Actor
    ) async throws -> ApplicantRecord {
        try actor.require(.hr, .write, in: company)
        let interview = try Recruitment.interview(input)
        return try await transaction { db in
            let record = try await Self.requireApplicant(db, company: company, id: id)
            guard [.screening, .interview, .offer].contains(record.stage) else {
                throw DomainError(
                    "interview.stage", kind: .conflict, field: "at",
                    "You cannot record an interview with \(record.name) because the applicant is \(record.stage.rawValue); move them to screening first."
                )
            }
            guard record.interviews.count < Limits.interviewsPerApplicant else {
                throw DomainError(
                    "interview.count", kind: .tooLarge, field: "at",
                    "You cannot record another interview with \(record.name) because an applicant has at most \(Limits.interviewsPerApplicant)."
                )
            }
            let seq = (record.interviews.map(\.seq).max() ?? 0) + 1
            try await db.raw(
                """
                INSERT INTO applicant_interviews (company_id, applicant_id, seq, held_at, interviewers, score, notes, recorded_by)
                VALUES (\(bind: company.description), \(bind: id.description), \(bind: Int64(seq)), \(bind: interview.at),
                    \(bind: interview.interviewers.joined(separator: "\n")), \(bind: interview.score.map(Int64.init)), \(bind: interview.notes),
                    \(bind: actor.auditName))
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "applicant.interview", entity: "applicant", entityID: id.description,
                changes: [FieldChange("interview", before: nil, after: "\(seq) \(interview.at)")], now: self.now)
            return try await Self.requireApplicant(db, company: company, id: id)
        }
    }

    /// Makes (or changes) the offer: gross salary, start date, norm; the applicant moves to the offer stage.
    public func makeOffer(company: CompanyID, applicant id: ApplicantID, _ input: OfferInput, actor: Actor) async throws -> ApplicantRecord
    {
        try actor.require(.hr, .write, in: company)
        let offer = try Recruitment.offer(input)
        return try await transaction { db in
            let record = try await Self.requireApplicant(db, company: company, id: id)
            let next = try Self.transition(record, .offer)
            try await db.raw(
                """
                UPDATE applicants SET offer_salary = \(bind: offer.salary.minorUnits), offer_start = \(bind: offer.start.iso),
                    offer_norm = \(bind: Int64(offer.normHours)), updated_at = \(bind: self.nowText)
                WHERE company_id = \(bind: company.description) AND id = \(bind: id.description)
                """
            ).run()
            try await Self.setStage(db, company: company, record, next, actor: actor, now: self.now)
            try await AuditLog.append(
                db, actor: actor, company: company, action: "applicant.offer", entity: "applicant", entityID: id.description,
                changes: [
                    FieldChange(
                        "salary", before: record.offer.map { String($0.salary.minorUnits) }, after: String(offer.salary.minorUnits)),
                    FieldChange("start", before: record.offer?.start.iso, after: offer.start.iso),
                ], now: self.now)
            return try await Self.requireApplicant(db, company: company, id: id)
        }
    }

    /// Hires an applicant who has an offer: the employee is created from the applicant (name, e-mail, phone, the
    /// opening's department and position) and their contract from the offer (salary, start, norm) and the opening (COR
    /// code), dated to start on the offer's day, its hire waiting for REGES-ONLINE. The opening closes when its
    /// headcount is reached. One transaction: the applicant, the employee, the contract and the audit rows.
    public func hireApplicant(
        company: CompanyID, applicant id: ApplicantID, _ input: HireInput, actor: Actor
    ) async throws -> EmployeeRecord {
        try actor.require(.hr, .write, in: company)
        return try await transaction { db in
            let record = try await Self.requireApplicant(db, company: company, id: id)
            guard let offer = record.offer else {
                throw DomainError(
                    "applicant.no_offer", kind: .conflict, field: "action", "You cannot hire \(record.name) before making them an offer.")
            }
            _ = try Self.transition(record, .hire)
            let opening = try await Self.requireOpening(db, company: company, id: record.opening)
            var problems = ProblemCollector()
            let signed = problems.collect { () throws(DomainError) in
                try input.signed.flatMap { $0.isEmpty ? nil : $0 }.map { text throws(DomainError) in
                    try LocalDate(iso: text, field: "signed")
                }
                    ?? self.today
            }
            let duration = problems.collect { () throws(DomainError) in
                try ContractDuration(parsing: input.duration.flatMap { $0.isEmpty ? nil : $0 } ?? "indefinite", field: "duration")
            }
            try problems.throwIfAny()
            guard let signed, let duration else { throw ValidationErrors(problems.problems) }
            let terms = ContractTerms(
                number: input.contractNumber, signed: signed, start: offer.start, duration: duration, normHours: offer.normHours,
                baseSalary: offer.salary, position: opening.position ?? opening.title, corCode: opening.corCode,
                leaveDays: input.leaveDays ?? 21, probationDays: input.probationDays ?? 0)
            let employeeInput = EmployeeInput(
                code: input.code, lastName: record.applicant.lastName, firstName: record.applicant.firstName, cnp: input.cnp,
                phone: record.applicant.phone, email: record.applicant.email, iban: input.iban, department: opening.department,
                position: opening.position)
            var all: [DomainError] = []
            var employee: Employee?
            do { employee = try employeeInput.validated(today: self.today) } catch let error as ValidationErrors { all += error.problems }
            var contract: Contract?
            do { contract = try Contract(hire: terms) } catch let error as ValidationErrors { all += error.problems }
            if !all.isEmpty { throw ValidationErrors(all) }
            guard let employee, let contract else { throw ValidationErrors(all) }
            try await Self.checkReferences(db, company: company, [employee])
            try await Self.insertEmployees(db, company: company, [(employee, contract)], actor: actor, at: self.now)
            try await db.raw(
                """
                UPDATE applicants SET stage = 'hired', employee = \(bind: employee.code), updated_at = \(bind: self.nowText)
                WHERE company_id = \(bind: company.description) AND id = \(bind: id.description)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "applicant.hire", entity: "applicant", entityID: id.description,
                changes: [
                    FieldChange("stage", before: record.stage.rawValue, after: ApplicantStage.hired.rawValue),
                    FieldChange("employee", before: nil, after: employee.code),
                ], now: self.now)
            try await AuditLog.append(
                db, actor: actor, company: company, action: "employee.create", entity: "employee", entityID: employee.code,
                changes: [
                    FieldChange("name", before: nil, after: employee.name, personal: true),
                    FieldChange("contract", before: nil, after: terms.number),
                ], now: self.now)
            if (opening.counts[.hired] ?? 0) + 1 >= opening.headcount, opening.state == .open {
                try await db.raw(
                    "UPDATE openings SET state = 'closed' WHERE company_id = \(bind: company.description) AND id = \(bind: opening.id.description)"
                ).run()
                try await AuditLog.append(
                    db, actor: actor, company: company, action: "opening.close", entity: "opening", entityID: opening.id.description,
                    changes: [FieldChange("state", before: "open", after: "closed")], now: self.now)
            }
            return try await Self.requireEmployee(db, company: company, code: employee.code)
        }
    }

    /// Applicants who were not hired and whose retention date has passed: what the GDPR erasure removes.
    public func applicantsPastRetention(company: CompanyID, actor: Actor) async throws -> [ApplicantRecord] {
        try actor.require(.hr, .read, in: company)
        return try await read { db in
            try await Self.loadApplicants(db, company: company, where: "stage <> 'hired' AND retain_until < \(bind: self.today.iso)")
        }
    }

    // MARK: - Storage

    static func transition(_ record: ApplicantRecord, _ action: ApplicantStage.Action) throws -> ApplicantStage {
        guard let next = record.stage.applying(action) else {
            throw DomainError(
                "applicant.illegal_transition", kind: .conflict, field: "action",
                "You cannot \(action.rawValue) \(record.name) because the applicant is at \(record.stage.rawValue).")
        }
        return next
    }

    static func setStage(
        _ db: any SQLDatabase, company: CompanyID, _ record: ApplicantRecord, _ next: ApplicantStage, actor: Actor, now: Date
    ) async throws {
        guard next != record.stage else { return }
        try await db.raw(
            """
            UPDATE applicants SET stage = \(bind: next.rawValue), updated_at = \(bind: Timestamp.format(now))
            WHERE company_id = \(bind: company.description) AND id = \(bind: record.id.description)
            """
        ).run()
        try await AuditLog.append(
            db, actor: actor, company: company, action: "applicant.stage", entity: "applicant", entityID: record.id.description,
            changes: [FieldChange("stage", before: record.stage.rawValue, after: next.rawValue)], now: now)
    }

    static func requireOpening(_ db: any SQLDatabase, company: CompanyID, id: OpeningID) async throws -> OpeningRecord {
        guard let opening = try await loadOpenings(db, company: company, id: id).first else {
            throw DomainError("opening.not_found", kind: .notFound, "You cannot open this opening because it does not exist.")
        }
        return opening
    }

    static func loadOpenings(_ db: any SQLDatabase, company: CompanyID, id: OpeningID?) async throws -> [OpeningRecord] {
        var condition: SQLQueryString = "company_id = \(bind: company.description)"
        var applicants: SQLQueryString = "company_id = \(bind: company.description)"
        if let id {
            condition = condition + " AND id = \(bind: id.description)"
            applicants = applicants + " AND opening_id = \(bind: id.description)"
        }
        var counts: [String: [ApplicantStage: Int]] = [:]
        for row in try await db.raw(
            "SELECT opening_id, stage, COUNT(*) AS n FROM applicants WHERE " + applicants + " GROUP BY opening_id, stage"
        ).all() {
            guard let stage = ApplicantStage(rawValue: try row.decode(column: "stage", as: String.self)) else { continue }
            counts[try row.decode(column: "opening_id", as: String.self), default: [:]][stage] = Int(
                try row.decode(column: "n", as: Int64.self))
        }
        return try await db.raw(
            """
            SELECT id, title, department, position, cor_code, headcount, description, state, created_at FROM openings WHERE
            """ + " " + condition + " ORDER BY state DESC, created_at DESC LIMIT \(bind: Limits.openings)"
        ).all().map { row in
            let id = try row.decode(column: "id", as: String.self)
            return OpeningRecord(
                id: try OpeningID(string: id).orThrow("opening id"), title: try row.decode(column: "title", as: String.self),
                department: try row.decode(column: "department", as: String?.self),
                position: try row.decode(column: "position", as: String?.self),
                corCode: try row.decode(column: "cor_code", as: String.self),
                headcount: Int(try row.decode(column: "headcount", as: Int64.self)),
                description: try row.decode(column: "description", as: String?.self),
                state: OpeningState(rawValue: try row.decode(column: "state", as: String.self)) ?? .closed,
                createdAt: try row.decode(column: "created_at", as: String.self), counts: counts[id] ?? [:])
        }
    }

    static func requireApplicant(_ db: any SQLDatabase, company: CompanyID, id: ApplicantID) async throws -> ApplicantRecord {
        guard let record = try await loadApplicants(db, company: company, where: "id = \(bind: id.description)").first else {
            throw DomainError("applicant.not_found", kind: .notFound, "You cannot open this applicant because there is no such applicant.")
        }
        return record
    }

    static func loadApplicants(_ db: any SQLDatabase, company: CompanyID, where filter: SQLQueryString) async throws -> [ApplicantRecord] {
        let rows = try await db.raw(
            """
            SELECT id, opening_id, last_name, first_name, email, phone, source, consent_at, retain_until, stage, offer_salary, offer_start,
                offer_norm, employee, created_at
            FROM applicants WHERE company_id = \(bind: company.description) AND
            """ + " " + filter + " ORDER BY last_name, first_name, id LIMIT \(bind: Limits.applicantsPerOpening)"
        ).all()
        var interviews: [String: [InterviewRecord]] = [:]
        if rows.count == 1, let only = rows.first {
            let id = try only.decode(column: "id", as: String.self)
            interviews[id] = try await db.raw(
                """
                SELECT seq, held_at, interviewers, score, notes, recorded_by FROM applicant_interviews
                WHERE company_id = \(bind: company.description) AND applicant_id = \(bind: id) ORDER BY seq
                """
            ).all().map { row in
                InterviewRecord(
                    seq: Int(try row.decode(column: "seq", as: Int64.self)), at: try row.decode(column: "held_at", as: String.self),
                    interviewers: try row.decode(column: "interviewers", as: String.self).split(separator: "\n").map(String.init),
                    score: try row.decode(column: "score", as: Int64?.self).map { Int($0) },
                    notes: try row.decode(column: "notes", as: String?.self),
                    recordedBy: try row.decode(column: "recorded_by", as: String.self))
            }
        }
        return try rows.map { row in
            let id = try row.decode(column: "id", as: String.self)
            var offer: Offer?
            if let salary = try row.decode(column: "offer_salary", as: Int64?.self),
                let start = try row.decode(column: "offer_start", as: String?.self)
            {
                offer = Offer(
                    salary: Money(minorUnits: salary, currency: .ron), start: try LocalDate(iso: start),
                    normHours: Int(try row.decode(column: "offer_norm", as: Int64?.self) ?? 8))
            }
            return ApplicantRecord(
                id: try ApplicantID(string: id).orThrow("applicant id"),
                opening: try OpeningID(string: try row.decode(column: "opening_id", as: String.self)).orThrow("opening id"),
                applicant: Applicant(
                    lastName: try row.decode(column: "last_name", as: String.self),
                    firstName: try row.decode(column: "first_name", as: String.self),
                    email: try row.decode(column: "email", as: String?.self),
                    phone: try row.decode(column: "phone", as: String?.self), source: try row.decode(column: "source", as: String?.self),
                    consentDate: try LocalDate(iso: row.decode(column: "consent_at", as: String.self)),
                    retainUntil: try LocalDate(iso: row.decode(column: "retain_until", as: String.self))),
                stage: ApplicantStage(rawValue: try row.decode(column: "stage", as: String.self)) ?? .applied, offer: offer,
                employee: try row.decode(column: "employee", as: String?.self), interviews: interviews[id] ?? [],
                createdAt: try row.decode(column: "created_at", as: String.self))
        }
    }
}
