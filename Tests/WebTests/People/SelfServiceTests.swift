import Application
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Kernel
import NIOCore
import People
import PeopleApp
import TestSupport
import Testing

/// Employee self-service and a manager's scope, through the API as each role: an employee sees themselves and nobody
/// else (404), a manager sees their reports down the chain without their CNP or salary, and nobody else; leave asked by
/// the employee is decided by their manager; a policy is confirmed by the employee themselves.
@Suite struct SelfServiceTests {
    static func ids(_ response: TestResponse) -> [String] {
        ((response.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
    }

    @Test(arguments: Engine.available)
    func scopesAndSelfService(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            let (_, hrToken) = try await culise.createToken(user: admin.userID, company: company, name: "hr", actor: actor)
            // E1 manages E2, who manages E4; E3 is in nobody's line.
            for (code, manager, cnp) in [
                ("E1", nil, PeopleSamples.cnp(2, 80, 1, 10)), ("E2", "E1", PeopleSamples.cnp(1, 85, 3, 2)),
                ("E3", nil, PeopleSamples.cnp(1, 88, 7, 9)), ("E4", "E2", PeopleSamples.cnp(2, 92, 11, 23)),
            ] {
                _ = try await culise.addEmployee(
                    company: company, EmployeeInput(code: code, lastName: "Nume\(code)", firstName: "Ana", cnp: cnp, manager: manager),
                    contract: ContractTerms(
                        number: "CIM-\(code)", signed: try LocalDate(iso: "2020-01-06"), start: try LocalDate(iso: "2020-01-07"),
                        duration: .indefinite, normHours: 8, baseSalary: Money(minorUnits: 700_000, currency: .ron), position: "AGENT",
                        corCode: "332202"),
                    actor: actor)
            }
            var tokens: [String: String] = [:]
            for (email, role, employee) in [
                ("sef@alfa.ro", Role.manager, "E1"), ("ion@alfa.ro", Role.employee, "E2"), ("nelegat@alfa.ro", Role.employee, nil),
            ] {
                let user = try await culise.addUser(
                    email: email, displayName: email, password: Fixtures.password, company: company, role: role, actor: actor)
                tokens[email] = try await culise.createToken(user: user, company: company, name: "t", actor: .system("test")).1
                if let employee {
                    let linked = try await browser.api(
                        .post, "/api/v1/employees/\(employee)/user", token: hrToken, json: #"{"email":"\#(email)"}"#)
                    #expect(linked.status == .ok, "\(linked.text)")
                }
            }
            let unknown = try await browser.api(.post, "/api/v1/employees/E3/user", token: hrToken, json: #"{"email":"nimeni@alfa.ro"}"#)
            #expect(unknown.status == .notFound && Self.ids(unknown) == ["employee.user_unknown"])
            let taken = try await browser.api(.post, "/api/v1/employees/E3/user", token: hrToken, json: #"{"email":"ion@alfa.ro"}"#)
            #expect(taken.status == .conflict && Self.ids(taken) == ["employee.user_taken"])
            let employee = tokens["ion@alfa.ro"]
            let manager = tokens["sef@alfa.ro"]

            // The employee: themselves in full, nobody else (not their manager, not a colleague).
            let own = try await browser.api(.get, "/api/v1/employees/E2", token: employee)
            #expect(own.status == .ok && own.json["cnp"] is String && (own.json["contract"] as? [String: Any])?["base_salary"] is String)
            for other in ["E1", "E3", "E4", "E9"] {
                let response = try await browser.api(.get, "/api/v1/employees/\(other)", token: employee)
                #expect(response.status == .notFound && Self.ids(response) == ["employee.not_found"], "E2 reading \(other)")
            }
            #expect(try await browser.api(.get, "/api/v1/employees", token: employee).status == .forbidden)
            // The manager: their reports down the chain, without CNP, address, IBAN or salary; nobody else; no HR lists.
            for report in ["E2", "E4"] {
                let response = try await browser.api(.get, "/api/v1/employees/\(report)", token: manager)
                #expect(response.status == .ok, "E1 reading \(report)")
                #expect(response.json["cnp"] == nil && response.json["iban"] == nil && response.json["dependants"] == nil)
                #expect(
                    (response.json["contract"] as? [String: Any])?["base_salary"] == nil
                        && response.json["last_name"] as? String == "Nume\(report)")
            }
            #expect(try await browser.api(.get, "/api/v1/employees/E3", token: manager).status == .notFound)
            #expect(try await browser.api(.get, "/api/v1/employees", token: manager).status == .forbidden)
            #expect(try await browser.api(.get, "/api/v1/leave/balances", token: manager).status == .forbidden)
            // A user not linked to an employee has no page.
            let unlinked = try await browser.api(.get, "/api/v1/me/employee", token: tokens["nelegat@alfa.ro"])
            #expect(unlinked.status == .notFound && Self.ids(unlinked) == ["self.not_linked"])

            // Leave: the employee asks, the manager sees it and decides; a manager cannot cancel it; the employee cannot decide.
            var start = culise.today.adding(days: 30)
            while !WorkingDays.isWorkingDay(start) || start.year != start.adding(days: 1).year { start = start.adding(days: 1) }
            let asked = try await browser.api(
                .post, "/api/v1/me/leave", token: employee,
                json: #"{"type":"unpaid","from":"\#(start.iso)","to":"\#(start.adding(days: 1).iso)"}"#)
            #expect(asked.status == .created && asked.json["employee"] as? String == "E2", "\(asked.text)")
            let id = asked.json["id"] as? String ?? ""
            let team = try await browser.api(.get, "/api/v1/team/leave", token: manager)
            #expect(team.status == .ok)
            let own2 = try await browser.api(.post, "/api/v1/team/leave/\(id)/decision", token: employee, json: #"{"action":"approve"}"#)
            #expect(own2.status == .notFound && Self.ids(own2) == ["leave.not_found"])
            let cancel = try await browser.api(.post, "/api/v1/team/leave/\(id)/decision", token: manager, json: #"{"action":"cancel"}"#)
            #expect(cancel.status == .conflict && Self.ids(cancel) == ["leave.manager_cancel"])
            let approved = try await browser.api(.post, "/api/v1/team/leave/\(id)/decision", token: manager, json: #"{"action":"approve"}"#)
            #expect(approved.status == .ok && approved.json["state"] as? String == "approved", "\(approved.text)")

            // Policies: the employee confirms the current version themselves.
            _ = try await culise.publishPolicy(
                company: company, PolicyInput(code: "RI", title: "Regulament intern"), file: nil, actor: actor)
            let me = try await browser.api(.get, "/api/v1/me/employee", token: employee)
            #expect(((me.json["policies"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String } == ["RI"], "\(me.text)")
            let confirmed = try await browser.api(.post, "/api/v1/me/policies/RI/acknowledgement", token: employee, json: "{}")
            #expect(confirmed.status == .ok && confirmed.json["employee"] as? String == "E2")
            #expect(((try await browser.api(.get, "/api/v1/me/employee", token: employee)).json["policies"] as? [Any])?.isEmpty == true)
            #expect(
                try await culise.policyReport(company: company, code: "RI", actor: actor).missing.map(\.employee) == ["E1", "E3", "E4"])

            // The pages: the employee's page and the manager's team.
            try await browser.login("ion@alfa.ro", Fixtures.password)
            let page = try await browser.get("/me")
            #expect(page.status == .ok && page.text.contains("NumeE2"))
            #expect(try await browser.get("/people/E3").status == .forbidden)
            let csrf = try await browser.csrf(from: "/me")
            let overlapping = try await browser.post(
                "/me/leave", ["type": "unpaid", "from": start.adding(days: 1).iso, "to": start.adding(days: 1).iso], csrf: csrf)
            #expect(overlapping.status == .unprocessableContent)
            browser.setCookie("culise_session", nil)
            try await browser.login("sef@alfa.ro", Fixtures.password)
            let teamPage = try await browser.get("/team")
            #expect(teamPage.status == .ok && teamPage.text.contains("E2"))
        }
    }

    /// Leave goes through the approvals service: a request opens an approval and tells the employee's manager; the
    /// manager's decision, with its reason, closes it and tells the employee; a cancelled request withdraws it; nobody
    /// decides their own request, not even HR.
    @Test(arguments: Engine.available)
    func leaveIsApprovedThroughTheApprovalsService(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            for (code, manager, cnp) in [
                ("E1", nil, PeopleSamples.cnp(2, 80, 1, 10)), ("E2", "E1", PeopleSamples.cnp(1, 85, 3, 2)),
                ("E3", nil, PeopleSamples.cnp(1, 88, 7, 9)),
            ] {
                _ = try await culise.addEmployee(
                    company: company, EmployeeInput(code: code, lastName: "Nume\(code)", firstName: "Ana", cnp: cnp, manager: manager),
                    contract: ContractTerms(
                        number: "CIM-\(code)", signed: try LocalDate(iso: "2020-01-06"), start: try LocalDate(iso: "2020-01-07"),
                        duration: .indefinite, normHours: 8, baseSalary: Money(minorUnits: 700_000, currency: .ron), position: "AGENT",
                        corCode: "332202"),
                    actor: actor)
            }
            var tokens: [String: String] = [:]
            for (email, role, employee) in [("sef@alfa.ro", Role.manager, "E1"), ("ion@alfa.ro", Role.employee, "E2")] {
                let user = try await culise.addUser(
                    email: email, displayName: email, password: Fixtures.password, company: company, role: role, actor: actor)
                tokens[email] = try await culise.createToken(user: user, company: company, name: "t", actor: .system("test")).1
                try await culise.linkEmployeeUser(company: company, employee: employee, email: email, actor: actor)
            }
            // The administrator is also employee E3.
            try await culise.linkEmployeeUser(company: company, employee: "E3", email: admin.email, actor: actor)
            var start = culise.today.adding(days: 30)
            while !WorkingDays.isWorkingDay(start) || start.year != start.adding(days: 3).year { start = start.adding(days: 1) }
            let asked = try await browser.api(
                .post, "/api/v1/me/leave", token: tokens["ion@alfa.ro"],
                json: #"{"type":"unpaid","from":"\#(start.iso)","to":"\#(start.iso)"}"#)
            #expect(asked.status == .created, "\(asked.text)")
            let id = asked.json["id"] as? String ?? ""
            func approval(_ leave: String) async throws -> (state: String, decidedBy: String?, comment: String?)? {
                try await culise.database.read { db in
                    try await db.raw(
                        "SELECT state, decided_by, comment FROM approval_requests WHERE document_type = 'leave' AND document_id = \(bind: leave)"
                    ).first().map {
                        (
                            try $0.decode(column: "state", as: String.self), try $0.decode(column: "decided_by", as: String?.self),
                            try $0.decode(column: "comment", as: String?.self)
                        )
                    }
                }
            }
            #expect(try await approval(id)?.state == "pending")
            // The manager is told, with a link to the team page.
            try await browser.login("sef@alfa.ro", Fixtures.password)
            let inbox = try await browser.get("/notifications")
            #expect(
                inbox.text.contains("Aprobare cerută: cererea de concediu") && inbox.text.contains("/team"), "\(inbox.text.prefix(3_000))")
            let long = String(repeating: "a", count: 501)
            let tooLong = try await browser.api(
                .post, "/api/v1/team/leave/\(id)/decision", token: tokens["sef@alfa.ro"], json: #"{"action":"reject","comment":"\#(long)"}"#
            )
            #expect(tooLong.status == .unprocessableContent && Self.ids(tooLong) == ["leave.comment"], "\(tooLong.text)")
            let rejected = try await browser.api(
                .post, "/api/v1/team/leave/\(id)/decision", token: tokens["sef@alfa.ro"],
                json: #"{"action":"reject","comment":"Inventar în acea zi"}"#)
            #expect(rejected.status == .ok && rejected.json["state"] as? String == "rejected", "\(rejected.text)")
            let decided = try await approval(id)
            #expect(decided?.state == "rejected" && decided?.decidedBy == "sef@alfa.ro" && decided?.comment == "Inventar în acea zi")
            // The employee is told, with the reason.
            browser.setCookie("culise_session", nil)
            try await browser.login("ion@alfa.ro", Fixtures.password)
            let told = try await browser.get("/notifications")
            #expect(told.text.contains("respinsă") && told.text.contains("Inventar în acea zi"))

            // Cancelled before anyone decided: the approval is withdrawn.
            let again = try await browser.api(
                .post, "/api/v1/me/leave", token: tokens["ion@alfa.ro"],
                json: #"{"type":"unpaid","from":"\#(start.adding(days: 1).iso)","to":"\#(start.adding(days: 1).iso)"}"#)
            let againID = try #require(LeaveID(string: again.json["id"] as? String ?? ""))
            _ = try await culise.decideLeave(company: company, id: againID, .cancel, actor: actor)
            #expect(try await approval(againID.description)?.state == "withdrawn")

            // HR (the administrator, who is E3) asks for their own leave: nobody is above E3, so HR is told; E3 cannot
            // approve it, another HR person or the command line can.
            let own = try await culise.requestLeave(
                company: company, employee: "E3", LeaveInput(type: "unpaid", from: start.iso, to: start.iso), actor: actor)
            await #expect(throws: DomainError.self) {
                do { _ = try await culise.decideLeave(company: company, id: own.id, .approve, actor: actor) } catch let error as DomainError
                {
                    #expect(error.id == "leave.own_request")
                    throw error
                }
            }
            #expect(
                try await culise.decideLeave(company: company, id: own.id, .approve, actor: .system("leave approve")).state == .approved)
            #expect(try await approval(own.id.description)?.state == "approved")

            // The HR dashboard counts what waits: one request to decide, the three hires not yet keyed into REGES-ONLINE
            // (all past their deadline), three employees in force.
            _ = try await culise.requestLeave(
                company: company, employee: "E2",
                LeaveInput(type: "unpaid", from: start.adding(days: 2).iso, to: start.adding(days: 2).iso),
                actor: actor)
            let (_, hr) = try await culise.createToken(user: admin.userID, company: company, name: "hr", actor: actor)
            let dashboard = try await browser.api(.get, "/api/v1/hr/dashboard", token: hr)
            #expect(dashboard.status == .ok, "\(dashboard.text)")
            #expect(
                [
                    "headcount", "leave_to_decide", "changes_to_decide", "reges_pending", "reges_overdue", "open_openings",
                ].map { dashboard.json[$0] as? Int } == [3, 1, 0, 3, 3, 0], "\(dashboard.text)")
            #expect(try await browser.api(.get, "/api/v1/hr/dashboard", token: tokens["sef@alfa.ro"]).status == .forbidden)
            browser.setCookie("culise_session", nil)
            try await browser.login(admin.email, Fixtures.password)
            let people = try await browser.get("/people")
            #expect(people.status == .ok && people.text.contains("Azi la resurse umane"))
        }
    }
}
