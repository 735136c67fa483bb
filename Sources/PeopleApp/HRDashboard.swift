import Application
import Foundation
import Kernel
import People
import SQLKit

/// What HR looks at first: who works here today, and everything waiting for HR, each a count that links to its list.
public struct HRDashboard: Sendable, Equatable {
    /// Employees with a contract in force today (active or suspended).
    public var headcount: Int
    /// Approved leave covering today.
    public var onLeaveToday: Int
    /// Leave requests nobody has decided.
    public var leaveToDecide: Int
    /// Changes of personal data waiting for HR.
    public var changesToDecide: Int
    /// Contract events not yet transmitted to REGES-ONLINE, and of those the ones past their deadline.
    public var regesPending: Int
    public var regesOverdue: Int
    /// This month's timesheets not yet approved, and approved.
    public var timesheetsDraft: Int
    public var timesheetsApproved: Int
    /// Mandatory training (SSM, PSI) per employee and course: missing, expired, expiring soon.
    public var trainingMissing: Int
    public var trainingExpired: Int
    public var trainingExpiring: Int
    /// Acknowledgements of current policy versions still missing (one per employee and policy).
    public var acknowledgementsMissing: Int
    /// Openings still open and applicants in them not yet hired or rejected.
    public var openOpenings: Int
    public var activeApplicants: Int
}

extension Culise {
    /// The HR dashboard of `company` today (issue 14: overdue REGES transmissions and what waits for HR).
    public func hrDashboard(company: CompanyID, actor: Actor) async throws -> HRDashboard {
        try actor.require(.hr, .read, in: company)
        let today = self.today
        let policies = try await policies(company: company, actor: actor)
        return try await read { db in
            func count(_ sql: SQLQueryString) async throws -> Int {
                Int(try await db.raw(sql).first()?.decode(column: "n", as: Int64.self) ?? 0)
            }
            let cid = company.description
            let compliance = try await Self.compliance(db, company: company, on: today)
            let month = YearMonth(today).description
            return HRDashboard(
                headcount: try await Self.policyAudienceRows(db, company: company, today: today).count,
                onLeaveToday: try await count(
                    """
                    SELECT COUNT(*) AS n FROM leave_requests WHERE company_id = \(bind: cid) AND state = 'approved'
                        AND from_date <= \(bind: today.iso) AND to_date >= \(bind: today.iso)
                    """),
                leaveToDecide: try await count(
                    "SELECT COUNT(*) AS n FROM leave_requests WHERE company_id = \(bind: cid) AND state = 'requested'"),
                changesToDecide: try await count(
                    "SELECT COUNT(*) AS n FROM employee_change_requests WHERE company_id = \(bind: cid) AND state = 'pending'"),
                regesPending: try await count(
                    "SELECT COUNT(*) AS n FROM contract_events WHERE company_id = \(bind: cid) AND reges_state = 'pending'"),
                regesOverdue: try await count(
                    """
                    SELECT COUNT(*) AS n FROM contract_events WHERE company_id = \(bind: cid) AND reges_state = 'pending'
                        AND reges_deadline < \(bind: today.iso)
                    """),
                timesheetsDraft: try await count(
                    "SELECT COUNT(*) AS n FROM timesheets WHERE company_id = \(bind: cid) AND month = \(bind: month) AND state = 'draft'"),
                timesheetsApproved: try await count(
                    "SELECT COUNT(*) AS n FROM timesheets WHERE company_id = \(bind: cid) AND month = \(bind: month) AND state = 'approved'"
                ),
                trainingMissing: compliance.filter { $0.status == .missing }.count,
                trainingExpired: compliance.filter { $0.status == .expired }.count,
                trainingExpiring: compliance.filter { $0.status == .expiring }.count,
                acknowledgementsMissing: policies.reduce(0) { $0 + $1.missing },
                openOpenings: try await count("SELECT COUNT(*) AS n FROM openings WHERE company_id = \(bind: cid) AND state = 'open'"),
                activeApplicants: try await count(
                    """
                    SELECT COUNT(*) AS n FROM applicants a JOIN openings o ON o.company_id = a.company_id AND o.id = a.opening_id
                    WHERE a.company_id = \(bind: cid) AND o.state = 'open' AND a.stage NOT IN ('hired', 'rejected')
                    """))
        }
    }
}
