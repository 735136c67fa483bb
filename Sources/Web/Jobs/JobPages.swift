import Application
import Assembly
import BankingApp
import Foundation
import Hummingbird
import Identity
import InvoicingApp
import Jobs
import Kernel
import LedgerApp
import PartnersApp

/// The background jobs for administrators: what ran, when, and what failed; dead jobs can be retried.
struct JobPages: Sendable {
    let culise: Culise
    let html: HTMLRoutes

    func register(protect: (Area, Access) -> Protected) {
        protect(.audit, .read).get("/jobs", use: jobsPage)
        protect(.company, .write).post("/jobs/{id}/retry", use: retry)
    }

    @Sendable func jobsPage(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let stateText = request.uri.queryParameters["state"].map(String.init) ?? ""
        let state = JobState(rawValue: stateText)
        let pageRequest = (try? HTMLRoutes.pageRequest(request)) ?? .first
        let jobs = try await culise.jobs(state: state, company: p.companyID, page: pageRequest, actor: .user(p))
        let canRetry = Policy.allows(p.role, .company, .write)
        let rows: [[String: Any]] = jobs.items.map { job in
            [
                "id": job.id.description, "kind": job.kind, "state": job.state.rawValue,
                "state_label": t["job_state_\(job.state.rawValue)", default: job.state.rawValue],
                "attempts": "\(job.attempts)/\(job.maxAttempts)",
                "due": PageFormat.timestamp(Timestamp.format(Date(timeIntervalSince1970: TimeInterval(job.runAt)))),
                "finished": job.finishedAt.map { PageFormat.timestamp($0) } ?? "",
                "outcome": job.state == .succeeded ? (job.result ?? "") : (job.lastError ?? ""),
                "can_retry": canRetry && job.state == .dead,
            ]
        }
        let schedules = try await culise.schedules(company: p.companyID, actor: .user(p)).map { schedule -> [String: Any] in
            [
                "name": schedule.name, "kind": schedule.kind, "cron": schedule.cron, "active": schedule.active,
                "next": PageFormat.timestamp(Timestamp.format(Date(timeIntervalSince1970: TimeInterval(schedule.nextRunAt)))),
            ]
        }
        let states =
            [("", t["all", default: "all"])] + JobState.allCases.map { ($0.rawValue, t["job_state_\($0.rawValue)", default: $0.rawValue]) }
        let data: [String: Any] = [
            "jobs": rows, "has_jobs": !rows.isEmpty, "schedules": schedules, "total": jobs.total,
            "states": states.map { ["value": $0.0, "label": $0.1, "selected": $0.0 == stateText] },
            "next_href": jobs.nextOffset.map { "/jobs?state=\(stateText)&offset=\($0)&limit=\(jobs.limit)" } ?? "",
        ]
        return try await html.page("jobs", "jobs_title", data, request, context)
    }

    @Sendable func retry(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let text = context.parameters.get("id"), let id = JobID(string: text) else { throw WebError.notFound }
        _ = try await culise.retryJob(id, company: p.companyID, actor: .user(p))
        return redirect(to: "/jobs?flash=job_retried")
    }
}
