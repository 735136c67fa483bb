import Foundation
import Identity
import Jobs
import Kernel
import SQLKit
import Storage

/// A job as stored: what to run, for which company, and how it went.
public struct JobRecord: Sendable, Codable, Equatable {
    public var id: JobID
    public var company: CompanyID?
    public var kind: String
    public var payload: String
    public var state: JobState
    /// When the job may run next (Unix seconds).
    public var runAt: Int64
    public var attempts: Int
    public var maxAttempts: Int
    public var lastError: String?
    public var result: String?
    public var createdAt: String
    public var startedAt: String?
    public var finishedAt: String?
}

/// One attempt of a job: who ran it, when, and how it ended.
public struct JobAttemptRecord: Sendable, Codable, Equatable {
    public var attempt: Int
    public var worker: String
    public var startedAt: String
    public var finishedAt: String?
    public var outcome: String?
    public var error: String?
}

/// A cron-like schedule that enqueues a job of `kind` each time it fires.
public struct JobScheduleRecord: Sendable, Codable, Equatable {
    public var name: String
    public var company: CompanyID?
    public var kind: String
    public var cron: String
    public var timeZone: String
    public var payload: String
    public var maxAttempts: Int
    public var active: Bool
    public var nextRunAt: Int64
    public var lastFiredAt: Int64?
}

/// What may be enqueued.
public struct JobRequest: Sendable {
    public var kind: String
    public var company: CompanyID?
    public var payload: String
    public var runAt: Date?
    public var maxAttempts: Int
    /// At most one job per key, ever (a schedule's firing, an invoice's e-mail): enqueueing it again does nothing.
    public var uniqueKey: String?

    public init(
        kind: String, company: CompanyID? = nil, payload: String = "{}", runAt: Date? = nil, maxAttempts: Int = Limits.jobAttempts,
        uniqueKey: String? = nil
    ) {
        self.kind = kind
        self.company = company
        self.payload = payload
        self.runAt = runAt
        self.maxAttempts = maxAttempts
        self.uniqueKey = uniqueKey
    }
}

extension Culise {
    // MARK: - Enqueue

    /// Adds a job to the queue (or finds the one with the same unique key); returns its id.
    @discardableResult
    public func enqueue(_ request: JobRequest, actor: Actor) async throws -> JobID {
        try actor.require(.company, .write, in: request.company)
        return try await transaction { db in try await self.enqueue(db, request) }
    }

    /// Enqueues inside the caller's transaction, so a job is queued exactly when the use case that wants it commits.
    package func enqueue(_ db: any SQLDatabase, _ request: JobRequest) async throws -> JobID {
        try Self.validate(request)
        let id = JobID.generate(now: now)
        let runAt = Int64((request.runAt ?? now).timeIntervalSince1970)
        try await db.raw(
            """
            INSERT INTO jobs (id, company_id, kind, payload, state, run_at, attempts, max_attempts, unique_key, created_at)
            VALUES (\(bind: id.description), \(bind: request.company?.description), \(bind: request.kind), \(bind: request.payload), 'queued',
                \(bind: runAt), 0, \(bind: request.maxAttempts), \(bind: request.uniqueKey), \(bind: nowText))
            ON CONFLICT (unique_key) DO NOTHING
            """
        ).run()
        guard let key = request.uniqueKey else { return id }
        let row = try await db.raw("SELECT id FROM jobs WHERE unique_key = \(bind: key)").first()
        return try row.flatMap { JobID(string: try $0.decode(column: "id", as: String.self)) } ?? id
    }

    package static func validate(_ request: JobRequest) throws {
        var problems = ProblemCollector()
        problems.check(
            (1...64).contains(request.kind.utf8.count) && request.kind.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" }),
            DomainError(
                "job.kind", field: "kind",
                "You cannot queue a job of kind '\(request.kind.prefix(64))'; use 1 to 64 letters, digits, dots or underscores."))
        problems.check(
            request.payload.utf8.count <= Limits.jobPayloadBytes,
            DomainError(
                "job.payload_too_large", kind: .tooLarge, field: "payload",
                "You cannot queue a job with a payload of \(request.payload.utf8.count) bytes because the limit is \(Limits.jobPayloadBytes)."
            ))
        problems.check(
            (1...Limits.jobAttempts).contains(request.maxAttempts),
            DomainError(
                "job.max_attempts", field: "max_attempts",
                "You cannot allow \(request.maxAttempts) attempts; use 1 to \(Limits.jobAttempts)."))
        if !problems.isEmpty { throw ValidationErrors(problems.problems) }
    }

    // MARK: - Claim, complete, fail

    /// Claims up to `limit` due jobs for `worker` with a lease of `leaseSeconds`: queued jobs whose time has come, and
    /// running jobs whose lease expired (their worker died). On PostgreSQL several processes claim at once and skip
    /// each other's rows (`FOR UPDATE SKIP LOCKED`); on SQLite the write transaction serialises them. Either way a job
    /// is held by one worker at a time, and only the holder of the lease can finish it.
    package func claimJobs(worker: String, limit: Int, leaseSeconds: Int64) async throws -> [JobRecord] {
        let now = epoch
        return try await transaction { db in
            // Jobs whose worker died on their last attempt cannot be tried again.
            try await db.raw(
                """
                UPDATE jobs SET state = 'dead', lease_owner = NULL, lease_until = NULL, finished_at = \(bind: self.nowText),
                    last_error = 'The worker stopped during the last attempt (lease expired).'
                WHERE state = 'running' AND lease_until < \(bind: now) AND attempts >= max_attempts
                """
            ).run()
            let rows = try await db.raw(
                """
                UPDATE jobs SET state = 'running', lease_owner = \(bind: worker), lease_until = \(bind: now + leaseSeconds),
                    attempts = attempts + 1, started_at = \(bind: self.nowText)
                WHERE id IN (
                    SELECT id FROM jobs
                    WHERE (state = 'queued' AND run_at <= \(bind: now)) OR (state = 'running' AND lease_until < \(bind: now))
                    ORDER BY run_at, id LIMIT \(bind: limit)\(unsafeRaw: self.database.dialect.skipLocked))
                RETURNING \(unsafeRaw: Self.jobColumns)
                """
            ).all()
            let jobs = try rows.map(Self.jobRecord)
            for job in jobs {
                try await db.raw(
                    """
                    INSERT INTO job_attempts (job_id, attempt, worker, started_at) VALUES
                        (\(bind: job.id.description), \(bind: job.attempts), \(bind: worker), \(bind: self.nowText))
                    ON CONFLICT (job_id, attempt) DO NOTHING
                    """
                ).run()
            }
            return jobs
        }
    }

    /// Marks a claimed job done; false when `worker` no longer holds its lease (another worker took it over).
    package func completeJob(_ job: JobRecord, worker: String, result: String?) async throws -> Bool {
        _ = try job.state.apply(.succeed)
        return try await transaction { db in
            let updated = try await db.raw(
                """
                UPDATE jobs SET state = 'succeeded', lease_owner = NULL, lease_until = NULL, finished_at = \(bind: self.nowText),
                    result = \(bind: result.map { String($0.prefix(2_000)) }), last_error = NULL
                WHERE id = \(bind: job.id.description) AND state = 'running' AND lease_owner = \(bind: worker)
                RETURNING id
                """
            ).all()
            try await self.finishAttempt(db, job, outcome: updated.isEmpty ? "lease_lost" : "succeeded", error: nil)
            return !updated.isEmpty
        }
    }

    /// Records a failed attempt: the job waits `RetryPolicy.backoffSeconds` and runs again, or is dead after its last
    /// attempt (at once for a `permanent` failure). A company's administrators hear of a dead job.
    package func failJob(_ job: JobRecord, worker: String, error: String, permanent: Bool = false) async throws -> JobState {
        let next = try job.state.apply(.fail(attempt: permanent ? job.maxAttempts : job.attempts, maxAttempts: job.maxAttempts))
        let runAt = epoch + RetryPolicy.backoffSeconds(afterAttempt: job.attempts)
        let text = String(error.prefix(2_000))
        return try await transaction { db in
            let updated = try await db.raw(
                """
                UPDATE jobs SET state = \(bind: next.rawValue), lease_owner = NULL, lease_until = NULL, last_error = \(bind: text),
                    run_at = \(bind: runAt), finished_at = \(bind: next == .dead ? self.nowText : nil)
                WHERE id = \(bind: job.id.description) AND state = 'running' AND lease_owner = \(bind: worker)
                RETURNING id
                """
            ).all()
            try await self.finishAttempt(db, job, outcome: updated.isEmpty ? "lease_lost" : (next == .dead ? "dead" : "retry"), error: text)
            if next == .dead, !updated.isEmpty, let company = job.company {
                let admins = try await self.members(db, company: company, roles: [.admin])
                try await self.notify(
                    db, company: company, users: admins, kind: "job.dead",
                    parameters: ["kind": job.kind, "attempts": String(job.attempts), "error": String(text.prefix(300))],
                    link: "/jobs?state=dead")
            }
            return next
        }
    }

    package func finishAttempt(_ db: any SQLDatabase, _ job: JobRecord, outcome: String, error: String?) async throws {
        try await db.raw(
            """
            UPDATE job_attempts SET finished_at = \(bind: nowText), outcome = \(bind: outcome), error = \(bind: error)
            WHERE job_id = \(bind: job.id.description) AND attempt = \(bind: job.attempts)
            """
        ).run()
    }

    // MARK: - Reading and operating

    package static let jobColumns =
        "id, company_id, kind, payload, state, run_at, attempts, max_attempts, last_error, result, created_at, started_at, finished_at"

    package static func jobRecord(_ row: any SQLRow) throws -> JobRecord {
        let id = try row.decode(column: "id", as: String.self)
        return JobRecord(
            id: try JobID(string: id).orThrow("job id \(id)"),
            company: try row.decode(column: "company_id", as: String?.self).flatMap { CompanyID(string: $0) },
            kind: try row.decode(column: "kind", as: String.self), payload: try row.decode(column: "payload", as: String.self),
            state: JobState(rawValue: try row.decode(column: "state", as: String.self)) ?? .dead,
            runAt: try row.decode(column: "run_at", as: Int64.self), attempts: Int(try row.decode(column: "attempts", as: Int64.self)),
            maxAttempts: Int(try row.decode(column: "max_attempts", as: Int64.self)),
            lastError: try row.decode(column: "last_error", as: String?.self), result: try row.decode(column: "result", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: String.self),
            startedAt: try row.decode(column: "started_at", as: String?.self),
            finishedAt: try row.decode(column: "finished_at", as: String?.self))
    }

    /// Jobs, newest first, optionally of one state; installation-wide jobs are listed for administrators of any company.
    public func jobs(state: JobState? = nil, company: CompanyID?, page: PageRequest, actor: Actor) async throws -> Page<JobRecord> {
        try actor.require(.audit, .read, in: company)
        var condition: SQLQueryString = "1 = 1"
        if let state { condition = condition + " AND state = \(bind: state.rawValue)" }
        if let company { condition = condition + " AND (company_id = \(bind: company.description) OR company_id IS NULL)" }
        let filter = condition
        return try await read { db in
            let total = try await db.raw("SELECT COUNT(*) AS n FROM jobs WHERE " + filter).first()?.decode(column: "n", as: Int64.self) ?? 0
            let items = try await db.raw(
                "SELECT \(unsafeRaw: Self.jobColumns) FROM jobs WHERE " + filter
                    + " ORDER BY created_at DESC, id DESC LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)"
            ).all().map(Self.jobRecord)
            return Page(items: items, total: Int(total), offset: page.offset, limit: page.limit)
        }
    }

    /// One job with its attempts.
    public func job(_ id: JobID, company: CompanyID?, actor: Actor) async throws -> (JobRecord, [JobAttemptRecord]) {
        try actor.require(.audit, .read, in: company)
        return try await read { db in
            let job = try await Self.requireJob(db, id, company: company)
            let attempts = try await db.raw(
                "SELECT attempt, worker, started_at, finished_at, outcome, error FROM job_attempts WHERE job_id = \(bind: id.description) ORDER BY attempt"
            ).all().map { row in
                JobAttemptRecord(
                    attempt: Int(try row.decode(column: "attempt", as: Int64.self)),
                    worker: try row.decode(column: "worker", as: String.self),
                    startedAt: try row.decode(column: "started_at", as: String.self),
                    finishedAt: try row.decode(column: "finished_at", as: String?.self),
                    outcome: try row.decode(column: "outcome", as: String?.self), error: try row.decode(column: "error", as: String?.self))
            }
            return (job, attempts)
        }
    }

    package static func requireJob(_ db: any SQLDatabase, _ id: JobID, company: CompanyID?) async throws -> JobRecord {
        var condition: SQLQueryString = "id = \(bind: id.description)"
        if let company { condition = condition + " AND (company_id = \(bind: company.description) OR company_id IS NULL)" }
        guard let row = try await db.raw("SELECT \(unsafeRaw: jobColumns) FROM jobs WHERE " + condition).first() else {
            throw DomainError("job.not_found", kind: .notFound, "You cannot open job \(id) because it does not exist.")
        }
        return try jobRecord(row)
    }

    /// Puts a dead job back in the queue with a fresh set of attempts.
    public func retryJob(_ id: JobID, company: CompanyID?, actor: Actor) async throws -> JobRecord {
        try actor.require(.company, .write, in: company)
        return try await transaction { db in
            let job = try await Self.requireJob(db, id, company: company)
            _ = try job.state.apply(.retryByHand)
            try await db.raw(
                """
                UPDATE jobs SET state = 'queued', run_at = \(bind: self.epoch), max_attempts = attempts + \(bind: job.maxAttempts),
                    finished_at = NULL WHERE id = \(bind: id.description) AND state = 'dead'
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: job.company, action: "job.retry", entity: "job", entityID: id.description,
                changes: [FieldChange("state", before: "dead", after: "queued")], now: self.now)
            return try await Self.requireJob(db, id, company: company)
        }
    }

    /// Makes a queued job due now (`culise jobs run ID` then works it at once).
    public func runJobNow(_ id: JobID, company: CompanyID?, actor: Actor) async throws {
        try actor.require(.company, .write, in: company)
        try await transaction { db in
            let job = try await Self.requireJob(db, id, company: company)
            guard job.state == .queued || job.state == .dead else {
                throw DomainError(
                    "job.not_queued", kind: .conflict, "You cannot run job \(id) now because it is \(job.state.rawValue), not queued.")
            }
            if job.state == .dead { _ = try job.state.apply(.retryByHand) }
            try await db.raw(
                """
                UPDATE jobs SET state = 'queued', run_at = \(bind: self.epoch),
                    max_attempts = CASE WHEN attempts >= max_attempts THEN attempts + 1 ELSE max_attempts END
                WHERE id = \(bind: id.description)
                """
            ).run()
        }
    }
}

extension Optional {
    /// The value, or a decoding error naming what was missing (rows from our own tables; never user input).
    package func orThrow(_ what: String) throws -> Wrapped {
        guard let self else { throw DomainError("storage.corrupt", "You cannot read \(what) because the stored value is not valid.") }
        return self
    }
}
