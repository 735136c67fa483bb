import Application
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Kernel
import People
import PeopleApp
import TestSupport
import Testing

/// Issue 14 item 9: an employee asks HR to change their personal data on their own page; HR sees the value on record
/// beside the one asked for and approves (the record changes, audited) or rejects with a reason; the employee is told.
@Suite struct EmployeeChangeTests {
    static func ids(_ response: TestResponse) -> [String] {
        ((response.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }.sorted()
    }

    @Test(arguments: Engine.available)
    func personalDataChangesAreApprovedByHR(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            let (_, hr) = try await culise.createToken(user: admin.userID, company: company, name: "hr", actor: actor)
            for (code, cnp) in [("E2", PeopleSamples.cnp(1, 85, 3, 2)), ("E3", PeopleSamples.cnp(1, 88, 7, 9))] {
                _ = try await culise.addEmployee(
                    company: company,
                    EmployeeInput(code: code, lastName: "Nume\(code)", firstName: "Ion", cnp: cnp, city: "Cluj", phone: "0722 000 111"),
                    contract: nil, actor: actor)
            }
            let ion = try await culise.addUser(
                email: "ion@alfa.ro", displayName: "Ion", password: Fixtures.password, company: company, role: .employee, actor: actor)
            let token = try await culise.createToken(user: ion, company: company, name: "t", actor: .system("test")).1
            try await culise.linkEmployeeUser(company: company, employee: "E2", email: "ion@alfa.ro", actor: actor)
            try await culise.linkEmployeeUser(company: company, employee: "E3", email: admin.email, actor: actor)

            // Every problem at once: an unknown field, half an emergency contact, a wrong IBAN.
            let bad = try await browser.api(
                .post, "/api/v1/me/employee/changes", token: token,
                json: #"{"changes":{"salary":"9000","emergency_name":"Maria","iban":"RO00BTRL0000000000000000"}}"#)
            #expect(bad.status == .unprocessableContent, "\(bad.text)")
            #expect(Self.ids(bad) == ["employee_change.emergency", "employee_change.field", "partner.iban_check"], "\(bad.text)")
            let nothing = try await browser.api(
                .post, "/api/v1/me/employee/changes", token: token, json: #"{"changes":{"phone":" 0722 000 111 ","city":"Cluj"}}"#)
            #expect(nothing.status == .unprocessableContent && Self.ids(nothing) == ["employee_change.nothing"])
            let asked = try await browser.api(
                .post, "/api/v1/me/employee/changes", token: token,
                json:
                    #"{"changes":{"phone":"0744 123 456","city":"Cluj","address_line":"Str. Ștefan cel Mare 3","emergency_name":"Maria Pop","emergency_phone":"0755 111 222"}}"#
            )
            #expect(asked.status == .created && asked.json["state"] as? String == "pending", "\(asked.text)")
            #expect(
                (asked.json["changes"] as? [String: String])?.keys.sorted() == [
                    "address_line", "emergency_name", "emergency_phone", "phone",
                ])
            #expect((asked.json["before"] as? [String: String])?["phone"] == "0722 000 111")
            let second = try await browser.api(.post, "/api/v1/me/employee/changes", token: token, json: #"{"changes":{"city":"Dej"}}"#)
            #expect(second.status == .conflict && Self.ids(second) == ["employee_change.pending"])
            let id = asked.json["id"] as? String ?? ""

            // HR's list and the decision's refusals.
            let list = try await browser.api(.get, "/api/v1/employee-changes", token: hr)
            #expect(list.status == .ok && (list.json["items"] as? [[String: Any]])?.first?["employee"] as? String == "E2")
            #expect(try await browser.api(.get, "/api/v1/employee-changes", token: token).status == .forbidden)
            let state = try await browser.api(.get, "/api/v1/employee-changes?state=maybe", token: hr)
            #expect(state.status == .unprocessableContent && Self.ids(state) == ["request.parameter"], "\(state.text)")
            let action = try await browser.api(.post, "/api/v1/employee-changes/\(id)/decision", token: hr, json: #"{"action":"undo"}"#)
            #expect(action.status == .unprocessableContent && Self.ids(action) == ["employee_change.action"])
            let long = try await browser.api(
                .post, "/api/v1/employee-changes/\(id)/decision", token: hr,
                json: #"{"action":"reject","comment":"\#(String(repeating: "x", count: 501))"}"#)
            #expect(long.status == .unprocessableContent && Self.ids(long) == ["employee_change.comment"])
            let missing = try await browser.api(
                .post, "/api/v1/employee-changes/\(EmployeeChangeID.generate(now: Date()))/decision", token: hr,
                json: #"{"action":"approve"}"#)
            #expect(missing.status == .notFound && Self.ids(missing) == ["employee_change.not_found"])

            // Approved: the record changes, each field audited, the employee told.
            let approved = try await browser.api(
                .post, "/api/v1/employee-changes/\(id)/decision", token: hr, json: #"{"action":"approve","comment":"Verificat"}"#)
            #expect(approved.status == .ok && approved.json["state"] as? String == "approved", "\(approved.text)")
            let record = try await culise.employee(company: company, code: "E2", actor: actor).employee
            #expect(record.phone == "0744 123 456" && record.addressLine == "Str. Ștefan cel Mare 3" && record.city == "Cluj")
            #expect(record.emergencyContact == EmergencyContact(name: "Maria Pop", phone: "0755 111 222"))
            let audit = try await culise.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'employee.update' AND entity_id = 'E2'").first()?
                    .decode(column: "n", as: Int64.self)
            }
            #expect(audit == 1)
            #expect(
                (try await browser.api(.get, "/api/v1/me/employee/changes", token: token).json["items"] as? [[String: Any]])?.first?[
                    "state"] as? String == "approved")

            // Nobody decides a change of their own data, not even HR.
            let own = try await culise.requestMyDataChange(company: company, ["city": "Turda"], actor: actor)
            await #expect(throws: DomainError.self) {
                do {
                    _ = try await culise.decideDataChange(company: company, id: own.id, approve: true, comment: nil, actor: actor)
                } catch let error
                    as DomainError
                {
                    #expect(error.id == "employee_change.own")
                    throw error
                }
            }
            // The command line (the operator) may.
            _ = try await culise.decideDataChange(
                company: company, id: own.id, approve: false, comment: "Act lipsă", actor: .system("test"))

            // The pages: the employee's form, a refused value shown on it, HR's list and decision.
            try await browser.login("ion@alfa.ro", Fixtures.password)
            let me = try await browser.get("/me")
            #expect(me.status == .ok && me.text.contains("action=\"/me/changes\"") && me.text.contains("0744 123 456"))
            let csrf = try await browser.csrf(from: "/me")
            var form = PersonalDataChange.current(record)
            form["iban"] = "RO00"
            let refused = try await browser.post("/me/changes", form, csrf: csrf)
            #expect(refused.status == .unprocessableContent && refused.text.contains("RO00"))
            form["iban"] = ""
            form["county"] = "RO-CJ"
            #expect(try await browser.post("/me/changes", form, csrf: csrf).status == .seeOther)
            browser.setCookie("culise_session", nil)
            try await browser.login(admin.email, Fixtures.password)
            let page = try await browser.get("/people/changes")
            #expect(page.status == .ok && page.text.contains("RO-CJ") && page.text.contains("NumeE2"))
            let pending = try await culise.dataChangeRequests(company: company, page: .first, actor: actor).items
            #expect(pending.map(\.employee) == ["E2"])
            let decided = try await browser.post(
                "/people/changes/\(pending[0].id)", ["action": "reject", "comment": "Județul nu se potrivește"], from: "/people/changes")
            #expect(decided.status == .seeOther)
            #expect(try await culise.dataChangeRequests(company: company, page: .first, actor: actor).items.isEmpty)
            #expect(try await culise.employee(company: company, code: "E2", actor: actor).employee.county == nil)
        }
    }

    /// HR corrects a record from the documents (API and page): the code stays, the CNP stays unique, the chain of
    /// managers cannot loop, an emergency contact's phone is checked; each changed field is audited as personal data.
    @Test(arguments: Engine.available)
    func hrCorrectsARecord(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            let (_, hr) = try await culise.createToken(user: admin.userID, company: company, name: "hr", actor: actor)
            let e2 = PeopleSamples.cnp(1, 85, 3, 2)
            let e3 = PeopleSamples.cnp(1, 88, 7, 9)
            _ = try await culise.addEmployee(
                company: company, EmployeeInput(code: "E2", lastName: "Popa", firstName: "Ion", cnp: e2), contract: nil, actor: actor)
            _ = try await culise.addEmployee(
                company: company, EmployeeInput(code: "E3", lastName: "Dinu", firstName: "Ana", cnp: e3, manager: "E2"), contract: nil,
                actor: actor)
            func put(_ json: String) async throws -> TestResponse {
                try await browser.api(.put, "/api/v1/employees/E2", token: hr, json: json)
            }
            let renamed = try await put(#"{"code":"E9","last_name":"Popa","first_name":"Ion","cnp":"\#(e2)"}"#)
            #expect(renamed.status == .unprocessableContent && Self.ids(renamed) == ["employee.code_change"], "\(renamed.text)")
            let loop = try await put(#"{"code":"E2","last_name":"Popa","first_name":"Ion","cnp":"\#(e2)","manager":"E3"}"#)
            #expect(Self.ids(loop) == ["employee.manager_cycle"], "\(loop.text)")
            let taken = try await put(#"{"code":"E2","last_name":"Popa","first_name":"Ion","cnp":"\#(e3)"}"#)
            #expect(Self.ids(taken) == ["employee.cnp_taken"], "\(taken.text)")
            let contact = try await put(
                #"{"code":"E2","last_name":"Popa","first_name":"Ion","cnp":"\#(e2)","emergency_contact":{"name":"Maria","phone":"sună-mă"}}"#
            )
            #expect(contact.status == .unprocessableContent && Self.ids(contact) == ["employee.phone"], "\(contact.text)")
            let saved = try await put(
                #"{"code":"E2","last_name":"Popa-Marin","first_name":"Ion","cnp":"\#(e2)","county":"RO-CJ","city":"Cluj-Napoca","emergency_contact":{"name":"Maria Popa","phone":"0755 111 222"}}"#
            )
            #expect(saved.status == .ok && saved.json["last_name"] as? String == "Popa-Marin", "\(saved.text)")
            let record = try await culise.employee(company: company, code: "E2", actor: actor).employee
            #expect(record.county == "RO-CJ" && record.emergencyContact?.phone == "0755 111 222" && record.manager == nil)
            let fields = try await culise.database.read { db in
                try await db.raw(
                    "SELECT diff FROM audit_log WHERE action = 'employee.update' AND entity_id = 'E2'"
                ).all().map { try $0.decode(column: "diff", as: String.self) }
            }
            #expect(fields.count == 1 && fields.first?.contains("last_name") == true && fields.first?.contains("county") == true)
            // The same change again changes nothing and audits nothing.
            _ = try await put(
                #"{"code":"E2","last_name":"Popa-Marin","first_name":"Ion","cnp":"\#(e2)","county":"RO-CJ","city":"Cluj-Napoca","emergency_contact":{"name":"Maria Popa","phone":"0755 111 222"}}"#
            )
            #expect(
                try await culise.database.read { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'employee.update' AND entity_id = 'E2'").first()?
                        .decode(column: "n", as: Int64.self)
                } == 1)

            // The page's form.
            try await browser.login(admin.email, Fixtures.password)
            var form = PeoplePagesValues.record(record)
            form["county"] = "RO-XX"
            let refused = try await browser.post("/people/E2/record", form, from: "/people/E2")
            #expect(refused.status == .unprocessableContent && refused.text.contains("RO-XX"))
            form["county"] = "RO-BV"
            form["id_document"] = "BV 123456"
            #expect(try await browser.post("/people/E2/record", form, from: "/people/E2").status == .seeOther)
            let after = try await culise.employee(company: company, code: "E2", actor: actor).employee
            #expect(after.county == "RO-BV" && after.idDocument == "BV 123456" && after.lastName == "Popa-Marin")
        }
    }
}

/// The values the record form on `/people/{code}` starts from.
enum PeoplePagesValues {
    static func record(_ employee: Employee) -> [String: String] {
        PersonalDataChange.current(employee).merging([
            "last_name": employee.lastName, "first_name": employee.firstName, "cnp": employee.cnp,
            "department": employee.department ?? "", "position": employee.position ?? "", "manager": employee.manager ?? "",
            "declared_dependants": String(employee.declaredDependants),
        ]) { _, new in new }
    }
}
