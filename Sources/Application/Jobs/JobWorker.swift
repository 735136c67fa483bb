import Foundation
import Jobs
import Kernel
import Logging

/// An error after which retrying is pointless (a refused address, a malformed payload): the job is dead at once.
public protocol PermanentJobFailure: Error {}

/// What runs a job of one kind. It returns a short result for the jobs page, or throws to fail the attempt. Handlers
/// must be idempotent: a worker that dies mid-job leaves it to be run again when its lease expires.
public typealias JobHandler = @Sendable (Culise, JobRecord) async throws -> String?

/// The handlers a worker knows, by job kind.
public struct JobHandlers: Sendable {
    package var handlers: [String: JobHandler] = [:]

    public init() {}

    public mutating func register(_ kind: String, _ handler: @escaping JobHandler) { handlers[kind] = handler }

    public var kinds: [String] { handlers.keys.sorted() }

    package func handler(_ kind: String) -> JobHandler? { handlers[kind] }
}

/// Works the queue: fires due schedules, claims due jobs under a lease and runs them. Several workers (threads of
/// one `serve`, or several `serve` processes on one database) share the queue safely.
public final class JobWorker: Sendable {
    public let culise: Culise
    public let handlers: JobHandlers
    public let name: String
    public let leaseSeconds: Int64
    public let batch: Int
    public let idleSeconds: Double

    public init(
        culise: Culise, handlers: JobHandlers, name: String = JobWorker.defaultName(), leaseSeconds: Int64 = 300, batch: Int = 10,
        idleSeconds: Double = 5
    ) {
        self.culise = culise
        self.handlers = handlers
        self.name = name
        self.leaseSeconds = leaseSeconds
        self.batch = batch
        self.idleSeconds = idleSeconds
    }

    public static func defaultName() -> String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(Secrets.random(bytes: 4))"
    }

    /// One pass: fire due schedules, then claim and run up to `batch` jobs. Returns how many jobs ran.
    @discardableResult
    public func runOnce() async throws -> Int {
        try await culise.fireDueSchedules()
        let jobs = try await culise.claimJobs(worker: name, limit: batch, leaseSeconds: leaseSeconds)
        for job in jobs { await run(job) }
        return jobs.count
    }

    /// Runs until the task is cancelled, resting `idleSeconds` when there was nothing to do. Database errors are
    /// logged and retried: the queue outlives a database restart.
    public func run() async {
        culise.logger.info("job worker started", metadata: ["worker": "\(name)", "kinds": "\(handlers.kinds.joined(separator: ","))"])
        while !Task.isCancelled {
            let ran: Int
            do { ran = try await runOnce() } catch {
                culise.logger.error("job worker pass failed", metadata: ["error": "\(error)"])
                ran = 0
            }
            if ran == 0 { try? await Task.sleep(nanoseconds: UInt64(idleSeconds * 1_000_000_000)) }
        }
        culise.logger.info("job worker stopped", metadata: ["worker": "\(name)"])
    }

    package func run(_ job: JobRecord) async {
        let logger = culise.logger
        do {
            guard let handler = handlers.handler(job.kind) else {
                throw DomainError("job.unknown_kind", "You cannot run job kind '\(job.kind)' because this server has no handler for it.")
            }
            let result = try await handler(culise, job)
            let kept = try await culise.completeJob(job, worker: name, result: result)
            if !kept { logger.warning("job lease lost before completion", metadata: ["job": "\(job.id)", "kind": "\(job.kind)"]) }
            logger.info("job succeeded", metadata: ["job": "\(job.id)", "kind": "\(job.kind)", "attempt": "\(job.attempts)"])
        } catch {
            // A refusal keeps its catalogue id, so the jobs page and `culise jobs show` name the rule that failed.
            let text = (error as? DomainError).map { "\($0.message) [\($0.id)]" } ?? String(describing: error)
            do {
                let state = try await culise.failJob(job, worker: name, error: text, permanent: error is any PermanentJobFailure)
                logger.warning(
                    "job failed",
                    metadata: ["job": "\(job.id)", "kind": "\(job.kind)", "attempt": "\(job.attempts)", "now": "\(state.rawValue)"])
            } catch {
                logger.error("job failure not recorded", metadata: ["job": "\(job.id)", "error": "\(error)"])
            }
        }
    }
}
