import Application
import Foundation
import Kernel
import People
import SQLKit
import Storage

public struct CourseRecord: Sendable, Equatable {
    public var code: String
    public var title: String
    public var mandatory: Bool
    public var validityMonths: Int?
}

public struct SessionInput: Sendable, Codable, Equatable {
    public var course: String
    public var date: String
    public var trainer: String
    public var location: String?
    public var capacity: Int

    public init(course: String, date: String, trainer: String, location: String? = nil, capacity: Int = 20) {
        self.course = course
        self.date = date
        self.trainer = trainer
        self.location = location
        self.capacity = capacity
    }
}

public struct EnrolmentRecord: Sendable, Equatable {
    public var employee: String
    public var state: EnrolmentState
    public var completedOn: LocalDate?
    public var expiresOn: LocalDate?
}

public struct SessionRecord: Sendable, Equatable {
    public var id: SessionID
    public var course: String
    public var date: LocalDate
    public var trainer: String
    public var location: String?
    public var capacity: Int
    public var enrolments: [EnrolmentRecord]
}

/// One employee and one mandatory course on a day: their latest certificate and where it stands.
public struct ComplianceLine: Sendable, Equatable {
    public var employee: String
    public var name: String
    public var email: String?
    public var course: String
    public var status: CertificateStatus
    public var completedOn: LocalDate?
    public var expiresOn: LocalDate?
}

extension Culise {
    /// Adds a course, or changes an existing one's title, mandatory flag and validity (certificates already issued keep
    /// their expiry).
    public func saveCourse(company: CompanyID, _ input: CourseInput, actor: Actor) async throws -> CourseRecord {
        try actor.require(.hr, .write, in: company)
        let course = try input.validated()
        return try await transaction { db in
            let exists =
                try await db.raw(
                    "SELECT 1 AS x FROM courses WHERE company_id = \(bind: company.description) AND code = \(bind: course.code)"
                ).first() != nil
            if exists {
                try await db.raw(
                    """
                    UPDATE courses SET title = \(bind: course.title), mandatory = \(bind: course.mandatory),
                        validity_months = \(bind: course.validityMonths.map(Int64.init))
                    WHERE company_id = \(bind: company.description) AND code = \(bind: course.code)
                    """
                ).run()
            } else {
                let count =
                    try await db.raw("SELECT COUNT(*) AS n FROM courses WHERE company_id = \(bind: company.description)")
                    .first().map { try $0.decode(column: "n", as: Int64.self) } ?? 0
                guard count < Limits.courses else {
                    throw DomainError(
                        "course.count", kind: .tooLarge, field: "code",
                        "You cannot add another course because a company keeps at most \(Limits.courses).")
                }
                try await db.raw(
                    """
                    INSERT INTO courses (company_id, code, title, mandatory, validity_months, created_at)
                    VALUES (\(bind: company.description), \(bind: course.code), \(bind: course.title), \(bind: course.mandatory),
                        \(bind: course.validityMonths.map(Int64.init)), \(bind: self.nowText))
                    """
                ).run()
            }
            try await AuditLog.append(
                db, actor: actor, company: company, action: exists ? "course.update" : "course.create", entity: "course",
                entityID: course.code, changes: [FieldChange("title", before: nil, after: course.title)], now: self.now)
            return CourseRecord(code: course.code, title: course.title, mandatory: course.mandatory, validityMonths: course.validityMonths)
        }
    }

    public func courses(company: CompanyID, actor: Actor) async throws -> [CourseRecord] {
        try actor.require(.hr, .read, in: company)
        return try await read { db in try await Self.loadCourses(db, company: company) }
    }

    /// Schedules a session of a course: day, trainer, place, capacity.
    public func scheduleSession(company: CompanyID, _ input: SessionInput, actor: Actor) async throws -> SessionRecord {
        try actor.require(.hr, .write, in: company)
        var problems = ProblemCollector()
        let date = problems.collect { () throws(DomainError) in try LocalDate(iso: input.date, field: "date") }
        let trainer = input.trainer.trimmingCharacters(in: .whitespacesAndNewlines)
        problems.check(
            !trainer.isEmpty && trainer.count <= 200,
            DomainError("session.trainer", field: "trainer", "You cannot schedule a session without a trainer of 1 to 200 characters."))
        problems.check(
            (input.location ?? "").count <= 200,
            DomainError("session.location", field: "location", "You cannot write a place longer than 200 characters."))
        problems.check(
            (1...Limits.sessionCapacity).contains(input.capacity),
            DomainError(
                "session.capacity", field: "capacity",
                "You cannot give a session \(input.capacity) places; use 1 to \(Limits.sessionCapacity)."))
        try problems.throwIfAny()
        guard let date else { throw ValidationErrors(problems.problems) }
        let course = input.course.trimmingCharacters(in: .whitespaces).uppercased()
        return try await transaction { db in
            guard try await Self.loadCourses(db, company: company).contains(where: { $0.code == course }) else {
                throw DomainError(
                    "course.not_found", kind: .notFound, field: "course",
                    "You cannot schedule a session of course \(course.prefix(40)) because there is no such course.")
            }
            let count =
                try await db.raw("SELECT COUNT(*) AS n FROM training_sessions WHERE company_id = \(bind: company.description)")
                .first().map { try $0.decode(column: "n", as: Int64.self) } ?? 0
            guard count < Limits.trainingSessions else {
                throw DomainError(
                    "session.count", kind: .tooLarge, field: "date",
                    "You cannot schedule another session because a company keeps at most \(Limits.trainingSessions).")
            }
            let id = SessionID.generate(now: self.now)
            try await db.raw(
                """
                INSERT INTO training_sessions (company_id, id, course, held_on, trainer, location, capacity, created_at)
                VALUES (\(bind: company.description), \(bind: id.description), \(bind: course), \(bind: date.iso), \(bind: trainer),
                    \(bind: input.location), \(bind: Int64(input.capacity)), \(bind: self.nowText))
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "session.schedule", entity: "training_session", entityID: id.description,
                changes: [FieldChange("course", before: nil, after: course), FieldChange("date", before: nil, after: date.iso)],
                now: self.now)
            return try await Self.requireSession(db, company: company, id: id)
        }
    }

    /// Sessions from `from` on (or all), the earliest first, with their enrolments.
    public func trainingSessions(company: CompanyID, actor: Actor) async throws -> [SessionRecord] {
        try actor.require(.hr, .read, in: company)
        return try await read { db in try await Self.loadSessions(db, company: company, id: nil) }
    }

    public func trainingSession(company: CompanyID, id: SessionID, actor: Actor) async throws -> SessionRecord {
        try actor.require(.hr, .read, in: company)
        return try await read { db in try await Self.requireSession(db, company: company, id: id) }
    }

    /// Enrols employees in a session; those already enrolled are left as they are. Every code is checked and the
    /// capacity held before anything is written.
    public func enrol(company: CompanyID, session id: SessionID, employees codes: [String], actor: Actor) async throws -> SessionRecord {
        try actor.require(.hr, .write, in: company)
        let wanted = Array(Set(codes.map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty })).sorted()
        guard !wanted.isEmpty, wanted.count <= Limits.sessionCapacity else {
            throw ValidationErrors([
                DomainError(
                    "session.employees", field: "employees",
                    "You cannot enrol \(wanted.count) employees at once; name 1 to \(Limits.sessionCapacity).")
            ])
        }
        return try await transaction { db in
            let session = try await Self.requireSession(db, company: company, id: id)
            let known = Set(
                try await db.raw("SELECT code FROM employees WHERE company_id = \(bind: company.description)").all().map {
                    try $0.decode(column: "code", as: String.self)
                })
            let unknown = wanted.filter { !known.contains($0) }
            if !unknown.isEmpty {
                throw ValidationErrors(
                    unknown.map {
                        DomainError(
                            "session.employee_unknown", field: "employees", "You cannot enrol \($0) because there is no such employee.")
                    })
            }
            let enrolled = Set(session.enrolments.map(\.employee))
            let new = wanted.filter { !enrolled.contains($0) }
            let taking = session.enrolments.filter { $0.state != .cancelled }.count
            guard taking + new.count <= session.capacity else {
                throw DomainError(
                    "session.full", kind: .conflict, field: "employees",
                    "You cannot enrol \(new.count) more in this session because it has \(session.capacity - taking) places left.")
            }
            for employee in new {
                try await db.raw(
                    """
                    INSERT INTO enrolments (company_id, session_id, employee, course, state, recorded_by, updated_at)
                    VALUES (\(bind: company.description), \(bind: id.description), \(bind: employee), \(bind: session.course), 'enrolled',
                        \(bind: actor.auditName), \(bind: self.nowText))
                    """
                ).run()
            }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "session.enrol", entity: "training_session", entityID: id.description,
                changes: [FieldChange("employees", before: nil, after: new.joined(separator: ","))], now: self.now)
            return try await Self.requireSession(db, company: company, id: id)
        }
    }

    /// Records an enrolled employee's attendance: completed (the certificate, valid from the session's day for the
    /// course's validity), absent, or cancelled.
    public func recordAttendance(
        company: CompanyID, session id: SessionID, employee rawCode: String, _ action: EnrolmentState.Action, actor: Actor
    ) async throws -> EnrolmentRecord {
        try actor.require(.hr, .write, in: company)
        let code = rawCode.trimmingCharacters(in: .whitespaces).uppercased()
        return try await transaction { db in
            let session = try await Self.requireSession(db, company: company, id: id)
            guard let enrolment = session.enrolments.first(where: { $0.employee == code }) else {
                throw DomainError(
                    "enrolment.not_found", kind: .notFound, field: "employee",
                    "You cannot record attendance for \(code.prefix(30)) because they are not enrolled in this session.")
            }
            guard let next = enrolment.state.applying(action) else {
                throw DomainError(
                    "enrolment.illegal_transition", kind: .conflict, field: "action",
                    "You cannot mark \(code) \(action.rawValue) because their enrolment is \(enrolment.state.rawValue).")
            }
            if next == .completed, session.date > self.today {
                throw DomainError(
                    "enrolment.future", kind: .conflict, field: "action",
                    "You cannot mark \(code) as having completed a session held on \(session.date.iso) before that day.")
            }
            let months = try await Self.loadCourses(db, company: company).first { $0.code == session.course }?.validityMonths
            let completed = next == .completed ? session.date : nil
            let expires = completed.flatMap { Training.expiry(completed: $0, months: months) }
            try await db.raw(
                """
                UPDATE enrolments SET state = \(bind: next.rawValue), completed_on = \(bind: completed?.iso), expires_on = \(bind: expires?.iso),
                    recorded_by = \(bind: actor.auditName), updated_at = \(bind: self.nowText)
                WHERE company_id = \(bind: company.description) AND session_id = \(bind: id.description) AND employee = \(bind: code)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "enrolment.\(action.rawValue)", entity: "training_session",
                entityID: id.description, changes: [FieldChange(code, before: enrolment.state.rawValue, after: next.rawValue)],
                now: self.now)
            return EnrolmentRecord(employee: code, state: next, completedOn: completed, expiresOn: expires)
        }
    }

    /// Every employee with a contract in force on `day` against every mandatory course: their latest certificate and
    /// whether it is valid, expiring (within `Training.expiringWithinDays`), expired or missing. The problems first.
    public func trainingCompliance(company: CompanyID, on day: LocalDate, actor: Actor) async throws -> [ComplianceLine] {
        try actor.require(.hr, .read, in: company)
        return try await read { db in try await Self.compliance(db, company: company, on: day) }
    }

    /// E-mails each employee whose mandatory certificate is missing, expired or expiring; names those without an address.
    public func remindTraining(company: CompanyID, actor: Actor) async throws -> (queued: Int, withoutEmail: [String]) {
        try actor.require(.hr, .write, in: company)
        return try await transaction { db in
            let lines = try await Self.compliance(db, company: company, on: self.today).filter { $0.status != .valid }
            var queued = 0
            var unreachable: Set<String> = []
            for (employee, own) in Dictionary(grouping: lines, by: \.employee).sorted(by: { $0.key < $1.key }) {
                guard let first = own.first, let email = first.email, !email.isEmpty else {
                    unreachable.insert(employee)
                    continue
                }
                let items = own.map { line in
                    switch line.status {
                    case .missing: "\(line.course): nu aveți încă acest instructaj"
                    case .expired: "\(line.course): a expirat la \(line.expiresOn?.iso ?? "")"
                    default: "\(line.course): expiră la \(line.expiresOn?.iso ?? "")"
                    }
                }
                _ = try await self.queueMail(
                    db, company: company, purpose: "training.reminder", entity: "employee", entityID: employee, to: email,
                    subject: "Instruire obligatorie de efectuat",
                    body: "Bună ziua, \(first.name),\n\n" + items.map { "- \($0)" }.joined(separator: "\n")
                        + "\n\nDepartamentul de resurse umane vă va programa la o sesiune.\n",
                    attachments: [], actor: actor)
                queued += 1
            }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "training.remind", entity: "course", entityID: "*",
                changes: [FieldChange("reminders", before: nil, after: String(queued))], now: self.now)
            return (queued, unreachable.sorted())
        }
    }

    // MARK: - Storage

    static func compliance(_ db: any SQLDatabase, company: CompanyID, on day: LocalDate) async throws -> [ComplianceLine] {
        let mandatory = try await loadCourses(db, company: company).filter(\.mandatory)
        guard !mandatory.isEmpty else { return [] }
        let people = try await policyAudienceRows(db, company: company, today: day)
        var latest: [String: (completed: LocalDate, expires: LocalDate?)] = [:]
        for row in try await db.raw(
            """
            SELECT employee, course, completed_on, expires_on FROM enrolments
            WHERE company_id = \(bind: company.description) AND state = 'completed' AND completed_on <= \(bind: day.iso)
            ORDER BY completed_on
            """
        ).all() {
            let key = "\(try row.decode(column: "employee", as: String.self))|\(try row.decode(column: "course", as: String.self))"
            latest[key] = (
                try LocalDate(iso: row.decode(column: "completed_on", as: String.self)),
                try row.decode(column: "expires_on", as: String?.self).map { try LocalDate(iso: $0) }
            )
        }
        var lines: [ComplianceLine] = []
        for person in people {
            for course in mandatory {
                let held = latest["\(person.code)|\(course.code)"]
                lines.append(
                    ComplianceLine(
                        employee: person.code, name: person.name, email: person.email, course: course.code,
                        status: Training.status(expires: held?.expires, held: held != nil, on: day), completedOn: held?.completed,
                        expiresOn: held?.expires))
            }
        }
        let order: [CertificateStatus: Int] = [.missing: 0, .expired: 1, .expiring: 2, .valid: 3]
        return lines.sorted { (order[$0.status] ?? 4, $0.name, $0.course) < (order[$1.status] ?? 4, $1.name, $1.course) }
    }

    static func loadCourses(_ db: any SQLDatabase, company: CompanyID) async throws -> [CourseRecord] {
        try await db.raw(
            """
            SELECT code, title, mandatory, validity_months FROM courses WHERE company_id = \(bind: company.description)
            ORDER BY code LIMIT \(bind: Limits.courses)
            """
        ).all().map { row in
            CourseRecord(
                code: try row.decode(column: "code", as: String.self), title: try row.decode(column: "title", as: String.self),
                mandatory: try row.decode(column: "mandatory", as: Bool.self),
                validityMonths: try row.decode(column: "validity_months", as: Int64?.self).map { Int($0) })
        }
    }

    static func requireSession(_ db: any SQLDatabase, company: CompanyID, id: SessionID) async throws -> SessionRecord {
        guard let session = try await loadSessions(db, company: company, id: id).first else {
            throw DomainError("session.not_found", kind: .notFound, "You cannot open this training session because it does not exist.")
        }
        return session
    }

    static func loadSessions(_ db: any SQLDatabase, company: CompanyID, id: SessionID?) async throws -> [SessionRecord] {
        var condition: SQLQueryString = "company_id = \(bind: company.description)"
        if let id { condition = condition + " AND id = \(bind: id.description)" }
        let sessions = try await db.raw(
            "SELECT id, course, held_on, trainer, location, capacity FROM training_sessions WHERE " + condition
                + " ORDER BY held_on, id LIMIT \(bind: Limits.trainingSessions)"
        ).all()
        var enrolments: [String: [EnrolmentRecord]] = [:]
        var enrolmentFilter: SQLQueryString = "company_id = \(bind: company.description)"
        if let id { enrolmentFilter = enrolmentFilter + " AND session_id = \(bind: id.description)" }
        for row in try await db.raw(
            "SELECT session_id, employee, state, completed_on, expires_on FROM enrolments WHERE " + enrolmentFilter + " ORDER BY employee"
        ).all() {
            enrolments[try row.decode(column: "session_id", as: String.self), default: []].append(
                EnrolmentRecord(
                    employee: try row.decode(column: "employee", as: String.self),
                    state: EnrolmentState(rawValue: try row.decode(column: "state", as: String.self)) ?? .enrolled,
                    completedOn: try row.decode(column: "completed_on", as: String?.self).map { try LocalDate(iso: $0) },
                    expiresOn: try row.decode(column: "expires_on", as: String?.self).map { try LocalDate(iso: $0) }))
        }
        return try sessions.map { row in
            let id = try row.decode(column: "id", as: String.self)
            return SessionRecord(
                id: try SessionID(string: id).orThrow("session id"), course: try row.decode(column: "course", as: String.self),
                date: try LocalDate(iso: row.decode(column: "held_on", as: String.self)),
                trainer: try row.decode(column: "trainer", as: String.self), location: try row.decode(column: "location", as: String?.self),
                capacity: Int(try row.decode(column: "capacity", as: Int64.self)), enrolments: enrolments[id] ?? [])
        }
    }
}
