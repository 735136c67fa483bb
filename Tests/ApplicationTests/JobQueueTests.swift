import Application
import Assembly
import BankingApp
import Foundation
import InvoicingApp
import Jobs
import Kernel
import LedgerApp
import PartnersApp
import Synchronization
import TestSupport
import Testing

/// Records which jobs ran, across workers.
final class RunLog: Sendable {
    let runs = Mutex<[String]>([])
    func add(_ id: String) { runs.withLock { $0.append(id) } }
    var all: [String] { runs.withLock { $0 } }
}

@Suite struct JobQueueTests {
    static let system = Actor.system("test")

    /// Two processes (two `Culise` instances, each with its own connection pool, as two `serve` processes have) work
    /// one queue at once: each of 120 jobs runs exactly once.
    @Test(arguments: Engine.available)
    func twoProcessesRunEachJobOnce(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { first, location in
            let second = try await TestDatabase.open(location)
            let log = RunLog()
            var handlers = JobHandlers()
            handlers.register("test.count") { _, job in
                log.add(job.id.description)
                try await Task.sleep(nanoseconds: 2_000_000)
                return nil
            }
            var ids: [JobID] = []
            for index in 0..<120 {
                ids.append(try await first.enqueue(JobRequest(kind: "test.count", payload: #"{"n":\#(index)}"#), actor: Self.system))
            }
            let workers = [
                JobWorker(culise: first, handlers: handlers, name: "a1", batch: 3),
                JobWorker(culise: first, handlers: handlers, name: "a2", batch: 3),
                JobWorker(culise: second, handlers: handlers, name: "b1", batch: 3),
                JobWorker(culise: second, handlers: handlers, name: "b2", batch: 3),
            ]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in workers {
                    group.addTask { while try await worker.runOnce() > 0 {} }
                }
                try await group.waitForAll()
            }
            #expect(log.all.count == 120)
            #expect(Set(log.all) == Set(ids.map(\.description)))
            let done = try await first.jobs(state: .succeeded, company: nil, page: try PageRequest(limit: 500), actor: Self.system)
            #expect(done.total == 120)
            await second.close()
        }
    }

    /// A failing job waits 30 s, then 60 s, and is dead after its third attempt; each attempt is logged; retried by
    /// hand it runs again.
    @Test(arguments: Engine.available)
    func failingJobBacksOffThenDies(_ engine: Engine) async throws {
        let clock = ManualClock("2026-12-06T10:00:00Z")
        try await TestDatabase.withCulise(engine, clock: clock.now) { culise, _ in
            let fail = Mutex(true)
            var handlers = JobHandlers()
            handlers.register("test.flaky") { _, _ in
                if fail.withLock({ $0 }) { throw DomainError("test.down", "You cannot reach the test service because it is down.") }
                return "ok"
            }
            let worker = JobWorker(culise: culise, handlers: handlers, name: "w")
            let id = try await culise.enqueue(JobRequest(kind: "test.flaky", maxAttempts: 3), actor: Self.system)
            #expect(try await worker.runOnce() == 1)
            var (job, _) = try await culise.job(id, company: nil, actor: Self.system)
            #expect(job.state == .queued && job.attempts == 1 && job.lastError?.contains("down") == true)
            #expect(job.runAt == Int64(clock.now().timeIntervalSince1970) + 30)
            #expect(try await worker.runOnce() == 0)  // not yet due
            clock.advance(seconds: 29)
            #expect(try await worker.runOnce() == 0)
            clock.advance(seconds: 1)
            #expect(try await worker.runOnce() == 1)
            (job, _) = try await culise.job(id, company: nil, actor: Self.system)
            #expect(job.state == .queued && job.runAt == Int64(clock.now().timeIntervalSince1970) + 60)
            clock.advance(seconds: 60)
            #expect(try await worker.runOnce() == 1)
            let (dead, attempts) = try await culise.job(id, company: nil, actor: Self.system)
            #expect(dead.state == .dead && dead.attempts == 3)
            #expect(attempts.map(\.outcome) == ["retry", "retry", "dead"] && attempts.allSatisfy { $0.worker == "w" })
            clock.advance(seconds: 3_600)
            #expect(try await worker.runOnce() == 0)  // dead jobs stay dead
            fail.withLock { $0 = false }
            #expect(try await culise.retryJob(id, company: nil, actor: Self.system).state == .queued)
            #expect(try await worker.runOnce() == 1)
            let (succeeded, _) = try await culise.job(id, company: nil, actor: Self.system)
            #expect(succeeded.state == .succeeded && succeeded.result == "ok")
            await expectRefusal("job.illegal_transition") { try await culise.retryJob(id, company: nil, actor: Self.system) }
        }
    }

    /// A worker that hangs past its lease loses the job: another worker runs it, and the first one's late completion
    /// is not recorded (its attempt says so).
    @Test(arguments: Engine.available)
    func expiredLeaseIsTakenOver(_ engine: Engine) async throws {
        let clock = ManualClock("2026-12-06T10:00:00Z")
        try await TestDatabase.withCulise(engine, clock: clock.now) { culise, _ in
            let log = RunLog()
            var survivorHandlers = JobHandlers()
            survivorHandlers.register("test.once") { _, _ in
                log.add("survivor")
                return "done by the survivor"
            }
            let survivor = JobWorker(culise: culise, handlers: survivorHandlers, name: "survivor", leaseSeconds: 60)
            var hangingHandlers = JobHandlers()
            hangingHandlers.register("test.once") { _, _ in
                log.add("hanging")
                clock.advance(seconds: 61)  // the lease runs out while this worker hangs
                _ = try await survivor.runOnce()
                return "late"
            }
            let id = try await culise.enqueue(JobRequest(kind: "test.once"), actor: Self.system)
            #expect(try await JobWorker(culise: culise, handlers: hangingHandlers, name: "hanging", leaseSeconds: 60).runOnce() == 1)
            #expect(log.all == ["hanging", "survivor"])
            let (job, attempts) = try await culise.job(id, company: nil, actor: Self.system)
            #expect(job.state == .succeeded && job.result == "done by the survivor" && job.attempts == 2)
            #expect(attempts.map(\.worker) == ["hanging", "survivor"] && attempts.map(\.outcome) == ["lease_lost", "succeeded"])
        }
    }

    /// A schedule at 02:00 Europe/Bucharest fires at 02:00 local on both sides of the October change (tests set the
    /// clock); a missed firing runs once; two processes firing together enqueue it once.
    @Test(arguments: Engine.available)
    func scheduleFiresAtLocalTimeAcrossDaylightSaving(_ engine: Engine) async throws {
        let clock = ManualClock("2026-10-24T12:00:00Z")
        try await TestDatabase.withCulise(engine, clock: clock.now) { culise, location in
            let other = try await TestDatabase.open(location, clock: clock.now)
            let log = RunLog()
            var handlers = JobHandlers()
            handlers.register("test.nightly") { culise, job in
                log.add(Timestamp.format(culise.currentTime))
                return job.payload
            }
            let schedule = try await culise.setSchedule(name: "nightly", kind: "test.nightly", cron: "0 2 * * *", actor: Self.system)
            // 2026-10-25 02:00 EEST is 2026-10-24 23:00 UTC.
            #expect(schedule.nextRunAt == Int64(ISO8601DateFormatter().date(from: "2026-10-24T23:00:00Z")!.timeIntervalSince1970))
            let workers = [
                JobWorker(culise: culise, handlers: handlers, name: "p1"), JobWorker(culise: other, handlers: handlers, name: "p2"),
            ]
            clock.set("2026-10-24T22:59:59Z")
            #expect(try await workers[0].runOnce() == 0)
            clock.set("2026-10-24T23:00:00Z")
            async let a = workers[0].runOnce()
            async let b = workers[1].runOnce()
            let ran = try await a + b
            #expect(ran == 1 && log.all.count == 1)
            // The next firing is 02:00 EET on 2026-10-26: 00:00 UTC, 25 hours later.
            let next = try await culise.schedules(company: nil, actor: Self.system).first { $0.name == "nightly" }
            #expect(next?.nextRunAt == Int64(ISO8601DateFormatter().date(from: "2026-10-26T00:00:00Z")!.timeIntervalSince1970))
            clock.set("2026-10-25T23:59:00Z")
            #expect(try await workers[1].runOnce() == 0)
            clock.set("2026-10-26T00:00:00Z")
            #expect(try await workers[1].runOnce() == 1)
            // Down for three days: one catch-up run, then back on time.
            clock.set("2026-10-29T10:00:00Z")
            #expect(try await workers[0].runOnce() == 1)
            #expect(try await workers[0].runOnce() == 0)
            #expect(log.all == ["2026-10-24T23:00:00.000Z", "2026-10-26T00:00:00.000Z", "2026-10-29T10:00:00.000Z"])
            await other.close()
        }
    }

    /// Jobs survive a restart: queued before closing, run after reopening.
    @Test(arguments: Engine.available)
    func jobsSurviveARestart(_ engine: Engine) async throws {
        try await TestDatabase.withLocation(engine) { location in
            let before = try await TestDatabase.open(location)
            let id = try await before.enqueue(JobRequest(kind: "test.later"), actor: Self.system)
            await before.close()
            let after = try await TestDatabase.open(location)
            var handlers = JobHandlers()
            handlers.register("test.later") { _, _ in "ran after the restart" }
            #expect(try await JobWorker(culise: after, handlers: handlers).runOnce() == 1)
            #expect(try await after.job(id, company: nil, actor: Self.system).0.result == "ran after the restart")
            await after.close()
        }
    }

    @Test(arguments: Engine.available)
    func badRequestsAreRefused(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            await expectRefusal("job.kind", field: "kind") { try await culise.enqueue(JobRequest(kind: "no spaces"), actor: Self.system) }
            await expectRefusal("job.payload_too_large", field: "payload") {
                try await culise.enqueue(
                    JobRequest(kind: "test.big", payload: String(repeating: "x", count: Limits.jobPayloadBytes + 1)), actor: Self.system)
            }
            await expectRefusal("job.max_attempts", field: "max_attempts") {
                try await culise.enqueue(JobRequest(kind: "test.x", maxAttempts: Limits.jobAttempts + 1), actor: Self.system)
            }
            await expectRefusal("job.cron", field: "cron") {
                try await culise.setSchedule(name: "x", kind: "test.x", cron: "61 * * * *", actor: Self.system)
            }
            await expectRefusal("job.cron_never", field: "cron") {
                try await culise.setSchedule(name: "x", kind: "test.x", cron: "0 0 30 2 *", actor: Self.system)
            }
            await expectRefusal("job.time_zone", field: "time_zone") {
                try await culise.setSchedule(name: "x", kind: "test.x", cron: "0 0 * * *", timeZone: "Mars/Olympus", actor: Self.system)
            }
            await expectRefusal("job.not_found") { try await culise.retryJob(JobID.generate(), company: nil, actor: Self.system) }
            // The same unique key queues one job.
            let one = try await culise.enqueue(JobRequest(kind: "test.x", uniqueKey: "k"), actor: Self.system)
            #expect(try await culise.enqueue(JobRequest(kind: "test.x", uniqueKey: "k"), actor: Self.system) == one)
        }
    }
}
