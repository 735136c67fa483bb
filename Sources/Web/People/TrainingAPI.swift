import Application
import Foundation
import Hummingbird
import Identity
import Kernel
import People
import PeopleApp

struct CourseDTO: Encodable {
    let code: String
    let title: String
    let mandatory: Bool
    let validityMonths: Int?

    init(_ record: CourseRecord) {
        code = record.code
        title = record.title
        mandatory = record.mandatory
        validityMonths = record.validityMonths
    }
}

struct EnrolmentDTO: Encodable {
    let employee: String
    let state: String
    let completedOn: String?
    let expiresOn: String?

    init(_ record: EnrolmentRecord) {
        employee = record.employee
        state = record.state.rawValue
        completedOn = record.completedOn?.iso
        expiresOn = record.expiresOn?.iso
    }
}

struct SessionDTO: Encodable {
    let id: String
    let course: String
    let date: String
    let trainer: String
    let location: String?
    let capacity: Int
    let enrolments: [EnrolmentDTO]

    init(_ record: SessionRecord) {
        id = record.id.description
        course = record.course
        date = record.date.iso
        trainer = record.trainer
        location = record.location
        capacity = record.capacity
        enrolments = record.enrolments.map(EnrolmentDTO.init)
    }
}

/// `/api/v1/courses`, `/api/v1/training-sessions…`, `/api/v1/training/…`: courses, sessions, certificates, compliance.
struct TrainingAPI: Sendable {
    let culise: Culise

    func register(protect: (Area, Access) -> Protected) {
        protect(.hr, .read).get("/api/v1/courses", use: courses)
        protect(.hr, .write).post("/api/v1/courses", use: saveCourse)
        protect(.hr, .read).get("/api/v1/training-sessions", use: sessions)
        protect(.hr, .write).post("/api/v1/training-sessions", use: schedule)
        protect(.hr, .read).get("/api/v1/training-sessions/{id}", use: session)
        protect(.hr, .write).post("/api/v1/training-sessions/{id}/enrolments", use: enrol)
        protect(.hr, .write).post("/api/v1/training-sessions/{id}/attendance", use: attend)
        protect(.hr, .read).get("/api/v1/training/compliance", use: compliance)
        protect(.hr, .write).post("/api/v1/training/reminders", use: remind)
        protect(.hr, .read).get("/api/v1/skills", use: skillsMatrix)
        protect(.hr, .write).post("/api/v1/skills", use: saveSkill)
        protect(.hr, .write).post("/api/v1/employees/{code}/skills", use: setLevel)
    }

    static func sessionID(_ context: WebContext) throws -> SessionID {
        guard let id = context.parameters.get("id").flatMap({ SessionID(string: $0) }) else { throw WebError.notFound }
        return id
    }

    @Sendable func courses(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try JSON.response(["items": try await culise.courses(company: p.companyID, actor: .user(p)).map(CourseDTO.init)])
    }

    @Sendable func saveCourse(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(CourseInput.self, from: buffer)
            return try APIRoutes.encoded(CourseDTO(try await culise.saveCourse(company: p.companyID, body, actor: .user(p))), status: .ok)
        }
    }

    @Sendable func sessions(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try JSON.response(["items": try await culise.trainingSessions(company: p.companyID, actor: .user(p)).map(SessionDTO.init)])
    }

    @Sendable func schedule(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(SessionInput.self, from: buffer)
            return try APIRoutes.encoded(
                SessionDTO(try await culise.scheduleSession(company: p.companyID, body, actor: .user(p))), status: .created)
        }
    }

    @Sendable func session(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try JSON.response(
            SessionDTO(try await culise.trainingSession(company: p.companyID, id: try Self.sessionID(context), actor: .user(p))))
    }

    struct EnrolBody: Decodable {
        let employees: [String]
    }

    @Sendable func enrol(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try Self.sessionID(context)
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(EnrolBody.self, from: buffer)
            return try APIRoutes.encoded(
                SessionDTO(try await culise.enrol(company: p.companyID, session: id, employees: body.employees, actor: .user(p))),
                status: .ok)
        }
    }

    struct AttendBody: Decodable {
        let employee: String
        let action: String
    }

    @Sendable func attend(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try Self.sessionID(context)
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(AttendBody.self, from: buffer)
            guard let action = EnrolmentState.Action(rawValue: body.action) else {
                throw ValidationErrors([
                    DomainError(
                        "enrolment.action", field: "action", "You cannot mark attendance '\(body.action)'; use complete, absent or cancel.")
                ])
            }
            return try APIRoutes.encoded(
                EnrolmentDTO(
                    try await culise.recordAttendance(company: p.companyID, session: id, employee: body.employee, action, actor: .user(p))),
                status: .ok)
        }
    }

    struct ComplianceDTO: Encodable {
        let employee: String
        let name: String
        let course: String
        let status: String
        let completedOn: String?
        let expiresOn: String?
    }

    @Sendable func compliance(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let day = LedgerAPI.date(request, "on", &problems)
        try problems.throwIfAny()
        let lines = try await culise.trainingCompliance(company: p.companyID, on: day ?? culise.today, actor: .user(p))
        return try JSON.response([
            "items": lines.map {
                ComplianceDTO(
                    employee: $0.employee, name: $0.name, course: $0.course, status: $0.status.rawValue, completedOn: $0.completedOn?.iso,
                    expiresOn: $0.expiresOn?.iso)
            }
        ])
    }

    @Sendable func remind(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { _ in
            let result = try await culise.remindTraining(company: p.companyID, actor: .user(p))
            struct Reminded: Encodable {
                let queued: Int
                let withoutEmail: [String]
            }
            return try APIRoutes.encoded(Reminded(queued: result.queued, withoutEmail: result.withoutEmail), status: .ok)
        }
    }

    struct MatrixDTO: Encodable {
        struct Row: Encodable {
            let employee: String
            let name: String
            let department: String?
            let levels: [String: Int]
        }

        let skills: [SkillInput]
        let rows: [Row]
    }

    /// The skills and the matrix of `?department=` (and the departments under it), or of everyone.
    @Sendable func skillsMatrix(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let matrix = try await culise.skillsMatrix(
            company: p.companyID, department: LedgerAPI.query(request, "department"), actor: .user(p))
        return try JSON.response(
            MatrixDTO(
                skills: matrix.skills,
                rows: matrix.rows.map { MatrixDTO.Row(employee: $0.employee, name: $0.name, department: $0.department, levels: $0.levels) })
        )
    }

    @Sendable func saveSkill(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(SkillInput.self, from: buffer)
            return try APIRoutes.encoded(try await culise.saveSkill(company: p.companyID, body, actor: .user(p)), status: .ok)
        }
    }

    struct LevelBody: Decodable {
        let skill: String
        let level: Int?
    }

    @Sendable func setLevel(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(LevelBody.self, from: buffer)
            try await culise.setSkillLevel(company: p.companyID, employee: code, skill: body.skill, level: body.level, actor: .user(p))
            return try APIRoutes.encoded(["employee": code.uppercased(), "skill": body.skill.uppercased()], status: .ok)
        }
    }
}
