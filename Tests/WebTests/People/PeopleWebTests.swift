import Application
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Kernel
import NIOCore
import People
import PeopleApp
import TestSupport
import Testing

/// People through the API and the pages.
@Suite struct PeopleWebTests {
    static func fields(_ response: TestResponse) -> Set<String> {
        Set((response.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
    }

    static func ids(_ response: TestResponse) -> Set<String> {
        Set((response.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
    }

    /// CNPs through the API: the right ones give the birth date and sex, the wrong ones a 422 naming the field.
    @Test(arguments: Engine.available)
    func cnpThroughTheAPI(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (company, user, admin) = try await Fixtures.companyWithAdmin(culise)
            let (_, token) = try await culise.createToken(user: user, company: company, name: "t", actor: .user(admin))
            func add(_ code: String, _ cnp: String) async throws -> TestResponse {
                try await browser.api(
                    .post, "/api/v1/employees", token: token,
                    json: #"{"code":"\#(code)","last_name":"Pop","first_name":"Ana","cnp":"\#(cnp)"}"#)
            }
            let ok = try await add("E1", PeopleSamples.cnp(6, 4, 2, 29, county: 52))
            #expect(ok.status == .created)
            #expect(ok.json["sex"] as? String == "female" && ok.json["birth_date"] as? String == "2004-02-29")
            var wrongDigit = PeopleSamples.cnp(1, 85, 3, 15)
            let last = wrongDigit.removeLast()
            wrongDigit += String(((last.wholeNumberValue ?? 0) + 1) % 10)
            for (cnp, id) in [
                (wrongDigit, "partner.cnp_check_digit"), (PeopleSamples.cnp(1, 85, 2, 30), "employee.cnp_date"),
                (PeopleSamples.cnp(1, 85, 3, 15, county: 60), "employee.cnp_county"), ("12345", "partner.cnp_format"),
            ] {
                let response = try await add("E2", cnp)
                #expect(response.status == .unprocessableContent, "\(cnp)")
                #expect(Self.fields(response) == ["cnp"] && Self.ids(response) == [id], "\(cnp): \(response.text)")
            }
            #expect(try await culise.employees(company: company, department: nil, page: .first, actor: .user(admin)).total == 1)
        }
    }

    /// An employee with a contract through the API, an amendment, the terms on a day, and the REGES-ONLINE queue.
    @Test(arguments: Engine.available)
    func contractsThroughTheAPI(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (company, user, admin) = try await Fixtures.companyWithAdmin(culise)
            let (_, token) = try await culise.createToken(user: user, company: company, name: "t", actor: .user(admin))
            #expect(
                try await browser.api(.post, "/api/v1/departments", token: token, json: #"{"code":"IT","name":"Tehnologia informației"}"#)
                    .status == .created)
            #expect(
                try await browser.api(
                    .post, "/api/v1/positions", token: token,
                    json: #"{"code":"DEV","title":"Programator","cor_code":"251202","department":"IT"}"#
                )
                .status == .created)
            let cnp = PeopleSamples.cnp(1, 95, 10, 2, county: 12)
            let created = try await browser.api(
                .post, "/api/v1/employees", token: token,
                json:
                    #"{"code":"E7","last_name":"Stan","first_name":"Andrei","cnp":"\#(cnp)","department":"IT","position":"DEV","contract":{"number":"CIM-7","start_date":"2026-03-02","base_salary":"9000.00","position":"DEV","cor_code":"251202"}}"#
            )
            #expect(created.status == .created, "\(created.text)")
            let amended = try await browser.api(
                .post, "/api/v1/employees/E7/contract-events", token: token,
                json: #"{"kind":"amendment","date":"2026-06-01","base_salary":"9900.00"}"#)
            #expect(amended.status == .created, "\(amended.text)")
            let june = try await browser.api(.get, "/api/v1/employees/E7?as_of=2026-06-15", token: token)
            #expect((june.json["contract"] as? [String: Any])?["base_salary"] as? String == "9900.00")
            let may = try await browser.api(.get, "/api/v1/employees/E7?as_of=2026-05-15", token: token)
            #expect((may.json["contract"] as? [String: Any])?["base_salary"] as? String == "9000.00")
            #expect((may.json["events"] as? [[String: Any]])?.map { $0["reges_deadline"] as? String } == ["2026-02-27", "2026-05-29"])
            let wrongKind = try await browser.api(
                .post, "/api/v1/employees/E7/contract-events", token: token, json: #"{"kind":"hire","date":"2026-07-01"}"#)
            #expect(wrongKind.status == .unprocessableContent && Self.ids(wrongKind) == ["contract.kind"])
            let pending = try await browser.api(.get, "/api/v1/reges/pending", token: token)
            let items = pending.json["items"] as? [[String: Any]] ?? []
            #expect(items.count == 2)
            let contract = items.first?["contract_id"] as? String ?? ""
            let marked = try await browser.api(
                .post, "/api/v1/reges/transmitted", token: token, json: #"{"contract_id":"\#(contract)","seq":1,"receipt":"R-77"}"#)
            #expect(marked.status == .ok, "\(marked.text)")
            let badID = try await browser.api(
                .post, "/api/v1/reges/transmitted", token: token, json: #"{"contract_id":"nu","seq":1,"receipt":"R-77"}"#)
            #expect(badID.status == .unprocessableContent && Self.ids(badID) == ["contract.id"])
            // The import: a CSV body, all or nothing; a body that is not UTF-8 is refused.
            var headers = HTTPFields()
            headers[.contentType] = "text/csv"
            headers[.authorization] = "Bearer \(token)"
            let imported = try await browser.client.execute(
                uri: "/api/v1/employees/import", method: .post, headers: headers,
                body: ByteBuffer(string: PeopleSamples.file(5)))
            #expect(imported.status == .created, "\(String(buffer: imported.body))")
            let notText = try await browser.client.execute(
                uri: "/api/v1/employees/import", method: .post, headers: headers,
                body: ByteBuffer(bytes: [0xFF, 0xFE, 0x00, 0x41]))
            #expect(notText.status == .unprocessableContent && String(buffer: notText.body).contains("employee_import.encoding"))
            let list = try await browser.api(.get, "/api/v1/employees?limit=2", token: token)
            #expect(list.json["total"] as? Int == 6)
        }
    }

    /// The pages: the list with its add form, an employee with the contract and its events, the organisation chart
    /// drawn as SVG, the REGES-ONLINE queue with its receipt form.
    @Test(arguments: Engine.available)
    func pages(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            _ = try await culise.addDepartment(company: company, Department(code: "CONDUCERE", name: "Conducere"), actor: actor)
            _ = try await culise.addDepartment(
                company: company, Department(code: "VANZ", name: "Vânzări & <marketing>", parent: "CONDUCERE"), actor: actor)
            _ = try await culise.addPosition(
                company: company, Position(code: "AGENT", title: "Agent comercial", corCode: "332202"), actor: actor)
            try await browser.login("admin@alfa.ro", Fixtures.password)
            let csrf = try await browser.csrf(from: "/people")
            let bad = try await browser.post(
                "/people", ["code": "E1", "last_name": "Pop", "first_name": "Ana", "cnp": "1234567890123"], csrf: csrf)
            #expect(bad.status == .unprocessableContent && bad.text.contains("aria-invalid"))
            let added = try await browser.post(
                "/people",
                [
                    "code": "E1", "last_name": "Pop", "first_name": "Ana", "cnp": PeopleSamples.cnp(2, 88, 8, 8), "department": "VANZ",
                    "position": "AGENT", "contract_number": "CIM-1", "start_date": "02.03.2026", "base_salary": "4.500,00",
                    "norm_hours": "8",
                ], csrf: csrf)
            #expect(added.status == .seeOther, "\(added.text)")
            let page = try await browser.get("/people/E1")
            #expect(page.status == .ok && page.text.contains("CIM-1") && page.text.contains("4.500,00"))
            let event = try await browser.post(
                "/people/E1/events", ["kind": "termination", "date": "30.06.2026", "reason": "81"], csrf: csrf)
            #expect(event.status == .seeOther, "\(event.text)")
            let list = try await browser.get("/people")
            #expect(list.status == .ok && list.text.contains("Pop Ana"))
            let chart = try await browser.get("/people/org-chart")
            #expect(
                chart.text.contains("<svg") && chart.text.contains("Vânzări &amp; &lt;marketing&gt;") && !chart.text.contains("<marketing>")
            )
            let reges = try await browser.get("/people/reges")
            #expect(reges.status == .ok && reges.text.contains("CIM-1"))
            let records = try await culise.regesPending(company: company, actor: actor)
            let marked = try await browser.post(
                "/people/reges", ["contract_id": records[0].contract.description, "seq": "1", "receipt": "R-1"], csrf: csrf)
            #expect(marked.status == .seeOther)
            #expect(try await culise.regesPending(company: company, actor: actor).count == 1)
        }
    }

    /// Leave and timesheets through the API and the pages.
    @Test(arguments: Engine.available)
    func leaveAndTimesheets(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (company, user, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            let (_, token) = try await culise.createToken(user: user, company: company, name: "t", actor: actor)
            try await Self.hireAna(culise, company, signed: "2026-01-02", start: "2026-01-05", actor: actor)
            let requested = try await browser.api(
                .post, "/api/v1/employees/E1/leave", token: token, json: #"{"type":"annual","from":"2026-03-09","to":"2026-03-13"}"#)
            #expect(requested.status == .created && requested.json["days"] as? Int == 5, "\(requested.text)")
            let id = requested.json["id"] as? String ?? ""
            let badAction = try await browser.api(.post, "/api/v1/leave/\(id)/decision", token: token, json: #"{"action":"maybe"}"#)
            #expect(badAction.status == .unprocessableContent && Self.ids(badAction) == ["leave.action"])
            #expect(
                try await browser.api(.post, "/api/v1/leave/\(id)/decision", token: token, json: #"{"action":"approve"}"#).status == .ok)
            let noPeriod = try await browser.api(.get, "/api/v1/leave?from=2026-03-01", token: token)
            #expect(noPeriod.status == .unprocessableContent && Self.ids(noPeriod) == ["leave.period"])
            let balances = try await browser.api(.get, "/api/v1/leave/balances?year=2026", token: token)
            #expect((balances.json["items"] as? [[String: Any]])?.first?["taken"] as? Int == 5)
            let farYear = try await browser.api(.get, "/api/v1/leave/balances?year=2300", token: token)
            #expect(farYear.status == .unprocessableContent)  // the OpenAPI gate holds the year to 1900–2199
            let generated = try await browser.api(.post, "/api/v1/timesheets/generate", token: token, json: #"{"month":"2026-03"}"#)
            #expect(generated.json["generated"] as? Int == 1, "\(generated.text)")
            let sheet = try await browser.api(.get, "/api/v1/timesheets/2026-03/E1", token: token)
            #expect(sheet.json["hours"] as? Int == 136 && (sheet.json["days_by_code"] as? [String: Int]) == ["CO": 5])
            let overtime = try await browser.api(
                .post, "/api/v1/timesheets/2026-03/E1/days", token: token, json: #"{"date":"2026-03-02","hours":10,"code":"ON"}"#)
            #expect(overtime.json["hours"] as? Int == 138)
            let badTimesheetAction = try await browser.api(
                .post, "/api/v1/timesheets/2026-03/E1/decision", token: token, json: #"{"action":"lock"}"#)
            #expect(Self.ids(badTimesheetAction) == ["timesheet.action"])
            #expect(
                try await browser.api(.post, "/api/v1/timesheets/2026-03/E1/decision", token: token, json: #"{"action":"approve"}"#).status
                    == .ok)
            let list = try await browser.api(.get, "/api/v1/timesheets?month=2026-03", token: token)
            #expect((list.json["items"] as? [[String: Any]])?.first?["state"] as? String == "approved")
            // The pages: the calendar shows the approved leave; the timesheet can be reopened and changed.
            try await browser.login("admin@alfa.ro", Fixtures.password)
            let calendar = try await browser.get("/people/leave?month=2026-03")
            #expect(calendar.status == .ok && calendar.text.contains(">CO<"))
            let csrf = try await browser.csrf(from: "/people/leave")
            let asked = try await browser.post(
                "/people/leave", ["employee": "E1", "type": "unpaid", "from": "04.05.2026", "to": "05.05.2026"], csrf: csrf)
            #expect(asked.status == .seeOther, "\(asked.text)")
            let overlapping = try await browser.post(
                "/people/leave", ["employee": "E1", "type": "unpaid", "from": "05.05.2026", "to": "06.05.2026"], csrf: csrf)
            #expect(overlapping.status == .unprocessableContent)
            let pending = try await culise.leaveRequests(
                company: company, employee: "E1", from: try LocalDate(iso: "2026-05-01"), to: try LocalDate(iso: "2026-05-31"), actor: actor
            )
            let decided = try await browser.post("/people/leave/\(pending[0].id)/decision", ["action": "reject"], csrf: csrf)
            #expect(decided.status == .seeOther)
            #expect(try await browser.get("/people/timesheets?month=2026-03").text.contains("138"))
            let page = try await browser.get("/people/timesheets/2026-03/E1")
            #expect(page.status == .ok && page.text.contains("ON"))
            let locked = try await browser.post(
                "/people/timesheets/2026-03/E1", ["date": "03.03.2026", "hours": "9", "code": ""], csrf: csrf)
            #expect(locked.status == .unprocessableContent || locked.status == .conflict)
            #expect(try await browser.post("/people/timesheets/2026-03/E1", ["action": "reopen"], csrf: csrf).status == .seeOther)
            #expect(
                try await browser.post("/people/timesheets/2026-03/E1", ["date": "03.03.2026", "hours": "9", "code": ""], csrf: csrf).status
                    == .seeOther)
            #expect(
                try await browser.post("/people/timesheets", ["month": "2026-03", "action": "approve_all"], csrf: csrf).status == .seeOther)
            #expect(
                try await culise.timesheet(company: company, employee: "E1", month: try YearMonth(year: 2026, month: 3), actor: actor).state
                    == .approved)
        }
    }

    @Test(arguments: Engine.available)
    func policies(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (company, user, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            let (_, token) = try await culise.createToken(user: user, company: company, name: "t", actor: actor)
            try await Self.hireAna(culise, company, signed: "2020-01-02", start: "2020-01-06", actor: actor)
            // The API: the document travels base64-encoded; bad input names its fields.
            let pdf = Data("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".utf8).base64EncodedString()
            let published = try await browser.api(
                .post, "/api/v1/policies", token: token,
                json: #"{"code":"gdpr","title":"Nota de informare GDPR","file_name":"gdpr.pdf","content":"\#(pdf)"}"#)
            #expect(published.status == .created && published.json["version"] as? Int == 1 && published.json["addressed"] as? Int == 1)
            #expect(published.json["document"] is String, "\(published.text)")
            let bad = try await browser.api(.post, "/api/v1/policies", token: token, json: #"{"code":"a b","title":"","content":"%%"}"#)
            #expect(bad.status == .unprocessableContent && Self.ids(bad) == ["policy.content"])
            let badFields = try await browser.api(.post, "/api/v1/policies", token: token, json: #"{"code":"a b","title":""}"#)
            #expect(badFields.status == .unprocessableContent && Set(Self.ids(badFields)) == ["policy.code", "policy.title"])
            #expect(try await browser.api(.get, "/api/v1/policies/NONE", token: token).status == .notFound)
            let acknowledged = try await browser.api(
                .post, "/api/v1/policies/GDPR/acknowledgements", token: token, json: #"{"employee":"E1"}"#)
            #expect(acknowledged.status == .ok && acknowledged.json["acknowledged_at"] is String, "\(acknowledged.text)")
            let report = try await browser.api(.get, "/api/v1/policies/GDPR", token: token)
            #expect((report.json["missing"] as? [String]) == [])
            let reminded = try await browser.api(.post, "/api/v1/policies/GDPR/reminders", token: token, json: "{}")
            #expect(reminded.json["queued"] as? Int == 0)
            // The pages: publish a new version through the form with its document, record an acknowledgement.
            try await browser.login("admin@alfa.ro", Fixtures.password)
            let csrf = try await browser.csrf(from: "/people/policies")
            let boundary = "culise-test-boundary"
            var body = ""
            for (name, value) in [("_csrf", csrf), ("code", "GDPR"), ("title", "Nota de informare GDPR"), ("summary", "Temei nou")] {
                body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
            }
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"gdpr-v2.pdf\"\r\n"
            body += "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n\r\n--\(boundary)--\r\n"
            var headers = HTTPFields()
            headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
            let form = try await browser.request(.post, "/people/policies", headers: headers, body: ByteBuffer(string: body))
            #expect(form.status == .seeOther, "\(form.text)")
            let page = try await browser.get("/people/policies/GDPR")
            #expect(page.status == .ok && page.text.contains("Temei nou") && page.text.contains("/documents/"))
            #expect(try await culise.policyReport(company: company, code: "GDPR", actor: actor).missing.map(\.employee) == ["E1"])
            let invalid = try await browser.post("/people/policies", ["code": "", "title": ""], csrf: csrf)
            #expect(invalid.status == .unprocessableContent)
            #expect(try await browser.post("/people/policies/GDPR/acknowledgements", ["employee": "E1"], csrf: csrf).status == .seeOther)
            #expect(try await browser.get("/people/policies").text.contains("1 / 1"))
        }
    }

    @Test(arguments: Engine.available)
    func recruitment(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (company, user, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            let (_, token) = try await culise.createToken(user: user, company: company, name: "t", actor: actor)
            let opened = try await browser.api(
                .post, "/api/v1/openings", token: token, json: #"{"title":"Contabil","cor_code":"241103","headcount":1}"#)
            #expect(opened.status == .created && opened.json["state"] as? String == "open", "\(opened.text)")
            let opening = opened.json["id"] as? String ?? ""
            let badOpening = try await browser.api(.post, "/api/v1/openings", token: token, json: #"{"title":"","headcount":0}"#)
            #expect(
                Set(Self.ids(badOpening)) == ["opening.title", "opening.headcount", "opening.cor_code"]
                    || Set(Self.ids(badOpening)) == ["opening.title", "opening.headcount"])
            let cv = Data("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".utf8).base64EncodedString()
            let today = culise.today.iso
            let applied = try await browser.api(
                .post, "/api/v1/openings/\(opening)/applicants", token: token,
                json:
                    #"{"last_name":"Pop","first_name":"Ana","email":"ana@exemplu.ro","consent_date":"\#(today)","cv_file_name":"cv.pdf","cv_content":"\#(cv)"}"#
            )
            #expect(applied.status == .created && applied.json["stage"] as? String == "applied", "\(applied.text)")
            let applicant = applied.json["id"] as? String ?? ""
            let badCV = try await browser.api(
                .post, "/api/v1/openings/\(opening)/applicants", token: token,
                json: #"{"last_name":"Pop","first_name":"Ion","consent_date":"\#(today)","cv_content":"%%"}"#)
            #expect(Self.ids(badCV) == ["applicant.cv_content"])
            let badMove = try await browser.api(.post, "/api/v1/applicants/\(applicant)/stage", token: token, json: #"{"action":"hire"}"#)
            #expect(Self.ids(badMove) == ["applicant.action"])
            let badOpeningAction = try await browser.api(
                .post, "/api/v1/openings/\(opening)/decision", token: token, json: #"{"action":"pause"}"#)
            #expect(badOpeningAction.status == .unprocessableContent && Self.ids(badOpeningAction) == ["opening.action"])
            #expect(
                try await browser.api(.post, "/api/v1/applicants/\(applicant)/stage", token: token, json: #"{"action":"advance"}"#).status
                    == .ok)
            let interviewed = try await browser.api(
                .post, "/api/v1/applicants/\(applicant)/interviews", token: token,
                json: #"{"at":"2026-12-10T10:30","interviewers":["M. Popescu"],"score":4}"#)
            #expect(interviewed.status == .created && interviewed.json["average_score"] as? String == "4.0", "\(interviewed.text)")
            let start = culise.today.adding(days: 14).iso
            let offered = try await browser.api(
                .post, "/api/v1/applicants/\(applicant)/offer", token: token, json: #"{"salary":"7200","start":"\#(start)","norm_hours":8}"#
            )
            #expect((offered.json["offer"] as? [String: Any])?["salary"] as? String == "7200.00", "\(offered.text)")
            // The page: the board shows the applicant at the offer; hiring from the form makes the employee.
            try await browser.login("admin@alfa.ro", Fixtures.password)
            let board = try await browser.get("/people/recruitment/\(opening)")
            #expect(board.status == .ok && board.text.contains("Pop Ana"))
            #expect(try await browser.get("/people/recruitment").text.contains("Contabil"))
            let page = try await browser.get("/people/applicants/\(applicant)")
            #expect(page.status == .ok && page.text.contains("/documents/") && page.text.contains("/hire"))
            let csrf = try await browser.csrf(from: "/people/recruitment")
            let badHire = try await browser.post(
                "/people/applicants/\(applicant)/hire", ["code": "E1", "cnp": "123", "contract_number": "CIM-1"], csrf: csrf)
            #expect(badHire.status == .unprocessableContent)
            let hired = try await browser.post(
                "/people/applicants/\(applicant)/hire", ["code": "E1", "cnp": PeopleSamples.cnp(2, 90, 5, 17), "contract_number": "CIM-1"],
                csrf: csrf)
            #expect(hired.status == .seeOther, "\(hired.text)")
            let employee = try await browser.api(.get, "/api/v1/employees/E1", token: token)
            #expect(employee.status == .ok && employee.text.contains(#""reges_state":"pending""#), "\(employee.text)")
            let terms = try await culise.contractTerms(company: company, employee: "E1", on: try LocalDate(iso: start), actor: actor)
            #expect(terms?.terms.baseSalary == Money(minorUnits: 720_000, currency: .ron) && terms?.terms.number == "CIM-1")
            let invalid = try await browser.post("/people/recruitment", ["title": "", "headcount": "0"], csrf: csrf)
            #expect(invalid.status == .unprocessableContent)
            #expect(
                try await browser.post("/people/recruitment", ["title": "Agent", "cor_code": "332202", "headcount": "2"], csrf: csrf).status
                    == .seeOther)
            #expect(try await browser.get("/people/applicants/\(UUID().uuidString.lowercased())").status == .notFound)
        }
    }

    @Test(arguments: Engine.available)
    func training(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (company, user, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            let (_, token) = try await culise.createToken(user: user, company: company, name: "t", actor: actor)
            try await Self.hireAna(culise, company, signed: "2020-01-02", start: "2020-01-06", actor: actor)
            let course = try await browser.api(
                .post, "/api/v1/courses", token: token,
                json: #"{"code":"ssm","title":"Instruire SSM","mandatory":true,"validity_months":6}"#)
            #expect(course.status == .ok && course.json["code"] as? String == "SSM", "\(course.text)")
            let compliance = try await browser.api(.get, "/api/v1/training/compliance", token: token)
            #expect(((compliance.json["items"] as? [[String: Any]]) ?? []).map { $0["status"] as? String } == ["missing"])
            let day = culise.today.adding(days: -3).iso
            let session = try await browser.api(
                .post, "/api/v1/training-sessions", token: token,
                json: #"{"course":"SSM","date":"\#(day)","trainer":"Ing. Pop","capacity":5}"#)
            #expect(session.status == .created, "\(session.text)")
            let id = session.json["id"] as? String ?? ""
            #expect(
                try await browser.api(.post, "/api/v1/training-sessions/\(id)/enrolments", token: token, json: #"{"employees":["E1"]}"#)
                    .status == .ok)
            let badAction = try await browser.api(
                .post, "/api/v1/training-sessions/\(id)/attendance", token: token, json: #"{"employee":"E1","action":"passed"}"#)
            #expect(badAction.status == .unprocessableContent && Self.ids(badAction) == ["enrolment.action"])
            // The pages: the report, the session, attendance from the form.
            try await browser.login("admin@alfa.ro", Fixtures.password)
            let page = try await browser.get("/people/training")
            #expect(page.status == .ok && page.text.contains("Ing. Pop"))
            let csrf = try await browser.csrf(from: "/people/training")
            let invalid = try await browser.post("/people/training", ["form": "course", "code": "", "title": ""], csrf: csrf)
            #expect(invalid.status == .unprocessableContent)
            #expect(
                try await browser.post(
                    "/people/training", ["form": "course", "code": "PSI", "title": "PSI", "mandatory": "on"], csrf: csrf
                ).status == .seeOther)
            #expect(try await browser.get("/people/training/\(id)").status == .ok)
            let done = try await browser.post("/people/training/\(id)", ["employee": "E1", "action": "complete"], csrf: csrf)
            #expect(done.status == .seeOther)
            let after = try await browser.api(.get, "/api/v1/training/compliance", token: token)
            let statuses = ((after.json["items"] as? [[String: Any]]) ?? []).compactMap { "\($0["course"] ?? "") \($0["status"] ?? "")" }
                .sorted()
            #expect(statuses == ["PSI missing", "SSM valid"], "\(after.text)")
            #expect(try await browser.post("/people/training", ["form": "remind"], csrf: csrf).status == .seeOther)
            let full = try await browser.post("/people/training/\(id)", ["employees": "E9"], csrf: csrf)
            #expect(full.status == .unprocessableContent)
            // The skills matrix: through the API and the page.
            #expect(try await browser.api(.post, "/api/v1/skills", token: token, json: #"{"code":"excel","name":"Excel"}"#).status == .ok)
            let rated = try await browser.api(.post, "/api/v1/employees/E1/skills", token: token, json: #"{"skill":"EXCEL","level":3}"#)
            #expect(rated.status == .ok, "\(rated.text)")
            let matrix = try await browser.api(.get, "/api/v1/skills", token: token)
            #expect(((matrix.json["rows"] as? [[String: Any]])?.first?["levels"] as? [String: Int]) == ["EXCEL": 3], "\(matrix.text)")
            #expect(try await browser.get("/people/skills").text.contains("EXCEL"))
            #expect(
                try await browser.post("/people/skills", ["form": "level", "employee": "E1", "skill": "EXCEL", "level": "9"], csrf: csrf)
                    .status
                    == .unprocessableContent)
            #expect(
                try await browser.post("/people/skills", ["form": "skill", "code": "SQL", "name": "SQL"], csrf: csrf).status == .seeOther)
        }
    }

    /// Employee E1 with a full-time contract of 6,000 lei.
    static func hireAna(_ culise: Culise, _ company: CompanyID, signed: String, start: String, actor: Actor) async throws {
        _ = try await culise.addEmployee(
            company: company, EmployeeInput(code: "E1", lastName: "Pop", firstName: "Ana", cnp: PeopleSamples.cnp(2, 90, 5, 17)),
            contract: ContractTerms(
                number: "CIM-1", signed: try LocalDate(iso: signed), start: try LocalDate(iso: start), duration: .indefinite,
                normHours: 8, baseSalary: Money(minorUnits: 600_000, currency: .ron), position: "AGENT", corCode: "332202"),
            actor: actor)
    }
}
