import Foundation
import Jobs
import Kernel
import SQLKit
import Storage

extension Culise {
    /// The time zone of company schedules.
    public static let scheduleTimeZone = "Europe/Bucharest"

    /// Adds a schedule, or changes the one with this name; its next firing is computed from the app's clock.
    @discardableResult
    public func setSchedule(
        name: String, company: CompanyID? = nil, kind: String, cron: String, timeZone: String = Culise.scheduleTimeZone,
        payload: String = "{}", maxAttempts: Int = Limits.jobAttempts, active: Bool = true, actor: Actor
    ) async throws -> JobScheduleRecord {
        try actor.require(.company, .write, in: company)
        let schedule = try CronSchedule(cron)
        guard let zone = TimeZone(identifier: timeZone) else {
            throw DomainError(
                "job.time_zone", field: "time_zone",
                "You cannot use time zone '\(timeZone.prefix(60))'; use an IANA name such as Europe/Bucharest.")
        }
        try Self.validate(JobRequest(kind: kind, payload: payload, maxAttempts: maxAttempts))
        guard (1...100).contains(name.utf8.count) else {
            throw DomainError("job.schedule_name", field: "name", "You cannot name a schedule with \(name.utf8.count) bytes; use 1 to 100.")
        }
        let next = try Self.nextRun(schedule, after: now, in: zone)
        return try await transaction { db in
            try await db.raw(
                """
                INSERT INTO job_schedules (name, company_id, kind, cron, time_zone, payload, max_attempts, active, next_run_at)
                VALUES (\(bind: name), \(bind: company?.description), \(bind: kind), \(bind: schedule.expression), \(bind: timeZone),
                    \(bind: payload), \(bind: maxAttempts), \(bind: active), \(bind: next))
                ON CONFLICT (name) DO UPDATE SET kind = \(bind: kind), cron = \(bind: schedule.expression), time_zone = \(bind: timeZone),
                    payload = \(bind: payload), max_attempts = \(bind: maxAttempts), active = \(bind: active), next_run_at = \(bind: next)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "job.schedule", entity: "schedule", entityID: name,
                changes: [FieldChange("cron", before: nil, after: schedule.expression), FieldChange("kind", before: nil, after: kind)],
                now: self.now)
            return try await Self.loadSchedules(db, where: "name = \(bind: name)")[0]
        }
    }

    /// Adds the schedule only when no schedule of that name exists (what `serve` does at start, so edits survive restarts).
    package func ensureSchedule(name: String, kind: String, cron: String, payload: String = "{}") async throws {
        let exists = try await read { db in try await db.raw("SELECT 1 AS x FROM job_schedules WHERE name = \(bind: name)").first() != nil }
        if !exists {
            _ = try await setSchedule(name: name, kind: kind, cron: cron, payload: payload, actor: .system("jobs"))
        }
    }

    package static func nextRun(_ schedule: CronSchedule, after instant: Date, in zone: TimeZone) throws -> Int64 {
        guard let next = schedule.next(after: instant, in: zone) else {
            throw DomainError(
                "job.cron_never", field: "cron", "You cannot use the schedule '\(schedule)' because it never fires in the next eight years."
            )
        }
        return Int64(next.timeIntervalSince1970)
    }

    public func schedules(company: CompanyID?, actor: Actor) async throws -> [JobScheduleRecord] {
        try actor.require(.audit, .read, in: company)
        let filter: SQLQueryString =
            company.map { "company_id = \(bind: $0.description) OR company_id IS NULL" } ?? "1 = 1"
        return try await read { db in try await Self.loadSchedules(db, where: filter) }
    }

    package static func loadSchedules(_ db: any SQLDatabase, where condition: SQLQueryString) async throws -> [JobScheduleRecord] {
        try await db.raw(
            """
            SELECT name, company_id, kind, cron, time_zone, payload, max_attempts, active, next_run_at, last_fired_at FROM job_schedules
            WHERE
            """ + " " + condition + " ORDER BY name"
        ).all().map { row in
            JobScheduleRecord(
                name: try row.decode(column: "name", as: String.self),
                company: try row.decode(column: "company_id", as: String?.self).flatMap { CompanyID(string: $0) },
                kind: try row.decode(column: "kind", as: String.self), cron: try row.decode(column: "cron", as: String.self),
                timeZone: try row.decode(column: "time_zone", as: String.self), payload: try row.decode(column: "payload", as: String.self),
                maxAttempts: Int(try row.decode(column: "max_attempts", as: Int64.self)),
                active: try row.decode(column: "active", as: Bool.self),
                nextRunAt: try row.decode(column: "next_run_at", as: Int64.self),
                lastFiredAt: try row.decode(column: "last_fired_at", as: Int64?.self))
        }
    }

    /// Enqueues one job for each schedule whose time has come and moves it to its next firing. A schedule missed while
    /// nothing ran fires once, not once per missed time. Safe with several processes: each firing is taken by a
    /// compare-and-set on `next_run_at` and enqueued under the unique key `schedule:NAME:TIME`.
    @discardableResult
    package func fireDueSchedules() async throws -> Int {
        let now = self.now
        let due = try await read { db in
            try await Self.loadSchedules(db, where: "active = \(bind: true) AND next_run_at <= \(bind: Int64(now.timeIntervalSince1970))")
        }
        var fired = 0
        for schedule in due {
            guard let cron = try? CronSchedule(schedule.cron), let zone = TimeZone(identifier: schedule.timeZone),
                let next = try? Self.nextRun(cron, after: now, in: zone)
            else { continue }
            let took = try await transaction { db -> Bool in
                let moved = try await db.raw(
                    """
                    UPDATE job_schedules SET next_run_at = \(bind: next), last_fired_at = \(bind: schedule.nextRunAt)
                    WHERE name = \(bind: schedule.name) AND next_run_at = \(bind: schedule.nextRunAt) RETURNING name
                    """
                ).all()
                guard !moved.isEmpty else { return false }
                _ = try await self.enqueue(
                    db,
                    JobRequest(
                        kind: schedule.kind, company: schedule.company, payload: schedule.payload,
                        runAt: Date(timeIntervalSince1970: TimeInterval(schedule.nextRunAt)), maxAttempts: schedule.maxAttempts,
                        uniqueKey: "schedule:\(schedule.name):\(schedule.nextRunAt)"))
                return true
            }
            if took { fired += 1 }
        }
        return fired
    }
}
