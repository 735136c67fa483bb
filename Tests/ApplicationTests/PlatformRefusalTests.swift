import Application
import Approvals
import Assembly
import Foundation
import Identity
import Jobs
import Kernel
import LedgerApp
import Storage
import TestSupport
import Testing

/// The refusals of the platform: configuration, paging, users, tokens, second factor, idempotency, schedules,
/// documents and approvals, each provoked and asserted by its id and field (the error catalogue).
@Suite struct PlatformRefusalTests {
    static let configRows: [(String, String, [String: String?])] = [
        ("config.port", "port", ["port": "70000"]),
        ("config.secret_key", "secret_key", ["secret_key": "scurt"]),
        ("config.secure_cookies", "secure_cookies", ["secure_cookies": "poate"]),
        ("config.log_level", "log_level", ["log_level": "verbose"]),
        ("config.anaf_url", "anaf_url", ["anaf_url": "http://anaf.example.ro", "anaf_token": "t"]),
        ("config.anaf_token", "anaf_token", ["anaf_url": "https://api.anaf.ro/test/FCTEL/rest"]),
        ("config.jobs", "jobs", ["jobs": "uneori"]),
        ("config.backup_keep", "backup_keep", ["backup_keep": "0"]),
        ("config.smtp_port", "smtp_port", ["smtp_host": "127.0.0.1", "smtp_port": "0", "smtp_from": "a@b.ro"]),
        ("config.smtp_security", "smtp_security", ["smtp_host": "127.0.0.1", "smtp_security": "ssl3", "smtp_from": "a@b.ro"]),
        ("config.smtp_from", "smtp_from", ["smtp_host": "127.0.0.1"]),
        ("config.database_url", "database", ["database": "mysql://localhost/culise"]),
        ("config.database_sslmode", "database", ["database": "postgres://u@127.0.0.1/culise?sslmode=verify-full"]),
    ]

    @Test(arguments: 0..<configRows.count) func configurationRefusal(_ row: Int) async {
        let (id, field, flags) = Self.configRows[row]
        await expectRefusal(id, field: field) { try Configuration.resolve(flags: flags, environment: [:]) }
    }

    @Test func paging() async {
        await expectRefusal("page.limit", field: "limit") { try PageRequest(limit: Limits.maxPageSize + 1) }
        await expectRefusal("page.offset", field: "offset") { try PageRequest(offset: -1) }
    }

    @Test(arguments: Engine.available)
    func usersTokensAndSecondFactor(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, user, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            await expectRefusal("user.name_length", field: "display_name") {
                try await culise.addUser(
                    email: "ana@alfa.ro", displayName: String(repeating: "A", count: Limits.nameLength + 1), password: Fixtures.password,
                    company: company, role: .accountant, actor: actor)
            }
            await expectRefusal("user.role_required", field: "role") {
                try await culise.addUser(
                    email: "ana@alfa.ro", displayName: "Ana", password: Fixtures.password, company: company, role: nil, actor: actor)
            }
            await expectRefusal("user.email_taken", field: "email") {
                try await culise.addUser(
                    email: "admin@alfa.ro", displayName: "Alt admin", password: Fixtures.password, company: nil, role: nil,
                    actor: .system("test"))
            }
            // An existing person is invited, never attached; a member cannot be added twice.
            await expectRefusal("user.already_member") {
                try await culise.addUser(
                    email: "admin@alfa.ro", displayName: "Alt admin", password: Fixtures.password, company: company, role: .admin,
                    actor: actor)
            }
            await expectRefusal("password.required", field: "password") {
                try await culise.addUser(email: "ion@alfa.ro", displayName: "Ion", password: nil, company: company, role: .hr, actor: actor)
            }
            await expectRefusal("user.last_admin", field: "role") {
                try await culise.setRole(user: user, company: company, role: .accountant, actor: actor)
            }
            await expectRefusal("user.not_found") {
                try await culise.setRole(user: UserID.generate(), company: company, role: .accountant, actor: actor)
            }
            await expectRefusal("company.not_found") { try await culise.company(CompanyID.generate(), actor: actor) }
            await expectRefusal("password.current_wrong") {
                try await culise.changePassword(user: user, current: "nu este parola", new: "o parolă nouă și lungă", keepSession: nil)
            }
            await expectRefusal("invitation.not_found", field: "invitation") {
                try await culise.answerInvitation(user: user, id: "nu-exista", accept: true)
            }
            await expectRefusal("token.name_required", field: "name") {
                try await culise.createToken(user: user, company: company, name: " ", actor: actor)
            }
            await expectRefusal("token.name_length", field: "name") {
                try await culise.createToken(
                    user: user, company: company, name: String(repeating: "t", count: Limits.nameLength + 1), actor: actor)
            }
            await expectRefusal("token.not_found") { try await culise.revokeToken(APITokenID.generate(), actor: actor) }
            await expectRefusal("totp.not_started") { try await culise.confirmTOTPEnrollment(user: user, code: "123456") }
            let (secret, _) = try await culise.beginTOTPEnrollment(user: user)
            await expectRefusal("totp.invalid_code") { try await culise.confirmTOTPEnrollment(user: user, code: "000000x") }
            let key = try #require(Base32.decode(secret))
            _ = try await culise.confirmTOTPEnrollment(user: user, code: TOTP.code(secret: key, step: TOTP.step(at: culise.clock())))
            await expectRefusal("totp.already_enabled") { try await culise.beginTOTPEnrollment(user: user) }
            await expectRefusal("page.sort", field: "sort") { try await culise.members(of: company, actor: actor, sort: "salary") }
            await expectRefusal("company.cui_taken") {
                try await culise.createCompany(Fixtures.companyInput(name: "Alfa Duplicat SRL"), actor: .system("test"), owner: user)
            }
            await expectRefusal("auth.invalid_credentials", field: "password") {
                try await culise.login(email: "admin@alfa.ro", password: "nu este parola", clientAddress: "10.0.0.1")
            }
            for _ in 0..<Limits.loginFailuresAllowed {
                _ = try? await culise.login(email: "admin@alfa.ro", password: "greșit", clientAddress: "10.0.0.2")
            }
            await expectRefusal("auth.throttled") {
                try await culise.login(email: "admin@alfa.ro", password: Fixtures.password, clientAddress: "10.0.0.2")
            }
            await expectRefusal("idempotency.key_length", field: "Idempotency-Key") {
                try await culise.beginIdempotent(user: user, company: company, key: "", requestHash: "h")
            }
            await expectRefusal("job.schedule_name", field: "name") {
                try await culise.setSchedule(name: "", kind: "backup.nightly", cron: "0 2 * * *", actor: .system("test"))
            }
        }
    }

    @Test(arguments: Engine.available)
    func documents(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            let owner = DocumentOwner(type: "partner", id: "BETA")
            await expectRefusal("document.owner_type", field: "owner") {
                try await culise.attachDocument(
                    company: setup.company, owner: DocumentOwner(type: "rocket", id: "1"), fileName: "a.pdf", data: Data("%PDF-1.4".utf8),
                    actor: setup.actor)
            }
            await expectRefusal("document.name", field: "file_name") {
                try await culise.attachDocument(
                    company: setup.company, owner: owner, fileName: "contract\n.pdf", data: Data("%PDF-1.4".utf8), actor: setup.actor)
            }
            await expectRefusal("document.empty", field: "file") {
                try await culise.attachDocument(company: setup.company, owner: owner, fileName: "gol.pdf", data: Data(), actor: setup.actor)
            }
            await expectRefusal("approval.not_found") {
                try await culise.decideApproval(
                    company: setup.company, id: ApprovalID.generate(), approve: true, comment: nil, actor: setup.actor)
            }
        }
    }

    @Test(arguments: Engine.available)
    func sessionsJobsTokensAndBackups(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, user, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            await expectRefusal("auth.session_expired") { try await culise.selectCompany(token: "nu-este-o-sesiune", company: company) }
            // A second factor: the password session waits for the code, and a wrong code is refused.
            let (secret, _) = try await culise.beginTOTPEnrollment(user: user)
            let key = try #require(Base32.decode(secret))
            _ = try await culise.confirmTOTPEnrollment(user: user, code: TOTP.code(secret: key, step: TOTP.step(at: culise.clock())))
            let login = try await culise.login(email: "admin@alfa.ro", password: Fixtures.password, clientAddress: "10.0.0.3")
            #expect(login.needsSecondFactor)
            await expectRefusal("auth.invalid_code") {
                try await culise.verifySecondFactor(token: login.sessionToken, code: "000000", clientAddress: "10.0.0.3")
            }
            // The first request with a key is still running: a repeat waits.
            #expect(try await culise.beginIdempotent(user: user, company: company, key: "cheie-1", requestHash: "h") == .proceed)
            await expectRefusal("idempotency.in_progress", field: "Idempotency-Key") {
                try await culise.beginIdempotent(user: user, company: company, key: "cheie-1", requestHash: "h")
            }
            for index in 0..<Limits.tokensPerUser {
                _ = try await culise.createToken(user: user, company: company, name: "t\(index)", actor: actor)
            }
            await expectRefusal("token.too_many") {
                try await culise.createToken(user: user, company: company, name: "unul în plus", actor: actor)
            }
            // A job no handler knows ends dead with the reason; a finished job cannot be run again.
            let unknown = try await culise.enqueue(
                JobRequest(kind: "nimeni.nu.stie", company: company, maxAttempts: 1), actor: .system("test"))
            var handlers = JobHandlers()
            handlers.register("test.ok") { _, _ in "ok" }
            _ = try await JobWorker(culise: culise, handlers: handlers).runOnce()
            let (dead, _) = try await culise.job(unknown, company: company, actor: actor)
            #expect(dead.state == .dead && (dead.lastError ?? "").contains("job.unknown_kind"), "\(dead)")
            let done = try await culise.enqueue(JobRequest(kind: "test.ok", company: company), actor: .system("test"))
            _ = try await JobWorker(culise: culise, handlers: handlers).runOnce()
            await expectRefusal("job.not_queued") { try await culise.runJobNow(done, company: company, actor: actor) }
            await expectRefusal("import.file") {
                try await culise.importLedger(
                    company: company, path: "/nonexistent-dir/jurnal.csv", options: LedgerImportOptions(), actor: actor)
            }
            // Backups: SQLite copies refuse to overwrite; PostgreSQL is backed up with pg_dump.
            let existing = FileManager.default.temporaryDirectory.appendingPathComponent("culise-backup-\(UUID().uuidString).db").path
            try Data("x".utf8).write(to: URL(fileURLWithPath: existing))
            defer { try? FileManager.default.removeItem(atPath: existing) }
            if engine == .postgres {
                await expectRefusal("backup.postgres") { try await culise.backup(to: existing) }
            } else {
                await expectRefusal("backup.exists", field: "to") { try await culise.backup(to: existing) }
            }
        }
    }

    @Test func restoreChecksItsSourceAndTarget() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("culise-restore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = try DatabaseLocation("sqlite:\(folder.path)/nou.db")
        await expectRefusal("restore.postgres") {
            try Restore.restore(from: "/tmp/x.db", into: try DatabaseLocation("postgres://u@127.0.0.1/culise"))
        }
        await expectRefusal("restore.missing", field: "from") { try Restore.restore(from: folder.path + "/nu-exista.db", into: target) }
        let text = folder.appendingPathComponent("text.db")
        try Data("nu este o bază de date SQLite".utf8).write(to: text)
        await expectRefusal("restore.not_sqlite", field: "from") { try Restore.restore(from: text.path, into: target) }
        let backup = folder.appendingPathComponent("backup.db")
        try Data("SQLite format 3\0 and the rest".utf8).write(to: backup)
        try Data("date".utf8).write(to: folder.appendingPathComponent("nou.db"))
        await expectRefusal("restore.not_empty", field: "database") { try Restore.restore(from: backup.path, into: target) }
    }

    @Test(arguments: Engine.available)
    func tooManyAttachments(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            let owner = DocumentOwner(type: "partner", id: "BETA")
            for index in 0..<Limits.documentsPerOwner {
                _ = try await culise.attachDocument(
                    company: setup.company, owner: owner, fileName: "f\(index).pdf", data: Data("%PDF-1.4 \(index)".utf8),
                    actor: setup.actor)
            }
            await expectRefusal("document.too_many", field: "file") {
                try await culise.attachDocument(
                    company: setup.company, owner: owner, fileName: "unul-in-plus.pdf", data: Data("%PDF-1.4 x".utf8), actor: setup.actor)
            }
        }
    }
}
