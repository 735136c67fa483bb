import Application
import Foundation
import Kernel
import People
import PeopleApp
import SQLKit
import TestSupport
import Testing

/// Recruitment on both engines: an opening, applicants with their CV and consent, the board, interviews with scores,
/// the offer, and the hire that creates the employee and the contract from the offer without retyping.
@Suite struct RecruitmentAppTests {
    @Test(arguments: Engine.available)
    func fromApplicationToEmployee(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            _ = try await culise.addDepartment(company: company, Department(code: "VANZ", name: "Vânzări"), actor: actor)
            _ = try await culise.addPosition(
                company: company, Position(code: "AGENT", title: "Agent comercial", corCode: "332202", department: "VANZ"), actor: actor)
            let opening = try await culise.openOpening(
                company: company,
                OpeningInput(
                    title: "Agent comercial Cluj", department: "vanz", position: "agent", headcount: 1, description: "Vânzări B2B"),
                actor: actor)
            #expect(opening.corCode == "332202" && opening.state == .open && opening.department == "VANZ")
            let today = culise.today
            let ana = try await culise.addApplicant(
                company: company, opening: opening.id,
                ApplicantInput(
                    lastName: "Pop", firstName: "Ana", email: "Ana@Exemplu.ro", phone: "+40 722 000 111", source: "eJobs",
                    consentDate: today.iso),
                cv: ("cv-ana.pdf", Data("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".utf8)), actor: actor)
            #expect(ana.stage == .applied && ana.applicant.email == "ana@exemplu.ro" && ana.applicant.retainUntil == today.addingMonths(6))
            #expect(
                try await culise.documents(company: company, owner: DocumentOwner(type: "applicant", id: ana.id.description), actor: actor)
                    .count == 1)
            let ion = try await culise.addApplicant(
                company: company, opening: opening.id, ApplicantInput(lastName: "Ionescu", firstName: "Ion", consentDate: today.iso),
                cv: nil,
                actor: actor)

            // The board: forward one stage at a time; an interview needs screening first; an offer carries its terms.
            await expectRefusal("interview.stage", field: "at") {
                try await culise.recordInterview(
                    company: company, applicant: ana.id, InterviewInput(at: "2026-12-10T10:30", interviewers: ["M. Popescu"]), actor: actor)
            }
            await expectRefusal("applicant.illegal_transition", field: "action") {
                try await culise.moveApplicant(company: company, id: ana.id, .back, actor: actor)
            }
            await expectRefusal("applicant.action", field: "action") {
                try await culise.moveApplicant(company: company, id: ana.id, .hire, actor: actor)
            }
            _ = try await culise.moveApplicant(company: company, id: ana.id, .advance, actor: actor)
            _ = try await culise.moveApplicant(company: company, id: ana.id, .advance, actor: actor)
            _ = try await culise.recordInterview(
                company: company, applicant: ana.id,
                InterviewInput(at: "2026-12-10T10:30", interviewers: ["M. Popescu", "E. Dumitrescu"], score: 4, notes: "Experiență B2B"),
                actor: actor)
            let interviewed = try await culise.recordInterview(
                company: company, applicant: ana.id, InterviewInput(at: "2026-12-11T09:00", interviewers: ["A. Stan"], score: 5),
                actor: actor)
            #expect(interviewed.interviews.count == 2 && interviewed.averageScore == "4.5" && interviewed.stage == .interview)
            await expectRefusal("applicant.no_offer", field: "action") {
                try await culise.hireApplicant(
                    company: company, applicant: ana.id,
                    HireInput(code: "E1", cnp: PeopleSamples.cnp(2, 90, 5, 17), contractNumber: "CIM-7"),
                    actor: actor)
            }
            let start = today.adding(days: 20)
            let offered = try await culise.makeOffer(
                company: company, applicant: ana.id, OfferInput(salary: "6500.50", start: start.iso, normHours: 8), actor: actor)
            #expect(offered.stage == .offer && offered.offer?.salary == Money(minorUnits: 650_050, currency: .ron))

            // Hiring: a bad CNP is refused with nothing written; then the employee and the contract come from the offer.
            await expectRefusal("partner.cnp_check_digit", field: "cnp") {
                try await culise.hireApplicant(
                    company: company, applicant: ana.id, HireInput(code: "E1", cnp: "2900517000001", contractNumber: "CIM-7"), actor: actor)
            }
            #expect(try await culise.applicant(company: company, id: ana.id, actor: actor).stage == .offer)
            let hired = try await culise.hireApplicant(
                company: company, applicant: ana.id,
                HireInput(code: "e1", cnp: PeopleSamples.cnp(2, 90, 5, 17), contractNumber: "CIM-7", probationDays: 30), actor: actor)
            #expect(hired.employee.code == "E1" && hired.employee.email == "ana@exemplu.ro" && hired.employee.department == "VANZ")
            let contract = try #require(hired.contracts.first)
            let terms = try #require(contract.contract.terms(on: start)?.terms)
            #expect(terms.baseSalary == Money(minorUnits: 650_050, currency: .ron) && terms.start == start && terms.corCode == "332202")
            #expect(terms.position == "AGENT" && terms.probationDays == 30 && contract.reges.first?.state == .pending)
            #expect(contract.contract.terms(on: today) == nil)  // signed today, starts on the offer's day
            // The headcount is reached: the opening closes and takes no more applicants; the other applicant stays.
            let (closed, board) = try await culise.opening(company: company, id: opening.id, actor: actor)
            #expect(
                closed.state == .closed && closed.counts[.hired] == 1
                    && board.map(\.stage).sorted { $0.rawValue < $1.rawValue } == [.applied, .hired])
            await expectRefusal("opening.closed", field: "opening") {
                try await culise.addApplicant(
                    company: company, opening: opening.id, ApplicantInput(lastName: "Late", firstName: "Lia", consentDate: today.iso),
                    cv: nil,
                    actor: actor)
            }
            await expectRefusal("applicant.illegal_transition") {
                try await culise.hireApplicant(
                    company: company, applicant: ana.id,
                    HireInput(code: "E2", cnp: PeopleSamples.cnp(1, 85, 3, 2), contractNumber: "CIM-8"),
                    actor: actor)
            }
            _ = try await culise.moveApplicant(company: company, id: ion.id, .reject, actor: actor)
            await expectRefusal("opening.illegal_transition", field: "action") {
                try await culise.decideOpening(company: company, id: opening.id, .close, actor: actor)
            }
            #expect(try await culise.decideOpening(company: company, id: opening.id, .reopen, actor: actor).state == .open)
            let audit = try await culise.auditEntries(filter: AuditFilter(entity: "applicant"), page: .first, actor: actor).items.map(
                \.action)
            #expect(audit.contains("applicant.hire") && audit.contains("applicant.offer") && audit.contains("applicant.interview"))
        }
    }

    @Test(arguments: Engine.available)
    func refusalsAndLimits(_ engine: Engine) async throws {
        let clock = ManualClock("2026-06-15T09:00:00Z")
        try await TestDatabase.withCulise(engine, clock: clock.now) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            await expectRefusals(["opening.title", "opening.headcount", "opening.description", "position.cor_format"]) {
                try await culise.openOpening(
                    company: company,
                    OpeningInput(
                        title: "", corCode: "12", headcount: Limits.openingHeadcount + 1, description: String(repeating: "x", count: 5001)),
                    actor: actor)
            }
            await expectRefusals(["opening.department", "opening.position", "opening.cor_code"]) {
                try await culise.openOpening(
                    company: company, OpeningInput(title: "Contabil", department: "NU", position: "NICI"), actor: actor)
            }
            let opening = try await culise.openOpening(company: company, OpeningInput(title: "Contabil", corCode: "241103"), actor: actor)
            await expectRefusals([
                "applicant.name", "applicant.email", "applicant.phone", "applicant.source", "applicant.consent_future",
            ]) {
                try await culise.addApplicant(
                    company: company, opening: opening.id,
                    ApplicantInput(
                        lastName: "", firstName: "Ana", email: "nu-e-adresa", phone: "0722<script>",
                        source: String(repeating: "s", count: 101),
                        consentDate: "2026-06-16"), cv: nil, actor: actor)
            }
            await expectRefusal("applicant.retention", field: "retain_until") {
                try await culise.addApplicant(
                    company: company, opening: opening.id,
                    ApplicantInput(lastName: "Pop", firstName: "Ana", consentDate: "2026-06-01", retainUntil: "2031-06-02"), cv: nil,
                    actor: actor)
            }
            let ana = try await culise.addApplicant(
                company: company, opening: opening.id,
                ApplicantInput(lastName: "Pop", firstName: "Ana", consentDate: "2025-08-31"), cv: nil, actor: actor)
            #expect(ana.applicant.retainUntil == (try LocalDate(iso: "2026-02-28")))
            #expect(try await culise.applicantsPastRetention(company: company, actor: actor).map(\.id) == [ana.id])
            _ = try await culise.moveApplicant(company: company, id: ana.id, .advance, actor: actor)
            await expectRefusals(["interview.at", "interview.interviewers", "interview.score", "interview.notes"]) {
                try await culise.recordInterview(
                    company: company, applicant: ana.id,
                    InterviewInput(at: "2026-12-10 10:30", interviewers: [" "], score: 6, notes: String(repeating: "n", count: 5001)),
                    actor: actor)
            }
            await expectRefusals(["offer.salary", "date.format", "offer.norm"]) {
                try await culise.makeOffer(
                    company: company, applicant: ana.id, OfferInput(salary: "0", start: "mâine", normHours: 9), actor: actor)
            }
            for hour in 0..<Limits.interviewsPerApplicant {
                _ = try await culise.recordInterview(
                    company: company, applicant: ana.id,
                    InterviewInput(at: "2026-06-\(10 + hour / 10)T\(10 + hour % 10):00", interviewers: ["HR"]), actor: actor)
            }
            await expectRefusal("interview.count", field: "at") {
                try await culise.recordInterview(
                    company: company, applicant: ana.id, InterviewInput(at: "2026-06-30T10:00", interviewers: ["HR"]), actor: actor)
            }
            // The counts are bounded: applicants per opening, openings per company (rows written straight to the tables).
            try await culise.database.transaction { db in
                for number in 1..<Limits.applicantsPerOpening {
                    try await db.raw(
                        """
                        INSERT INTO applicants (company_id, id, opening_id, last_name, first_name, consent_at, retain_until, stage, created_at,
                            updated_at)
                        VALUES (\(bind: company.description), \(bind: "filler-\(number)"), \(bind: opening.id.description), 'Filler', 'F',
                            '2026-06-01', '2026-12-01', 'applied', '2026-06-01T00:00:00Z', '2026-06-01T00:00:00Z')
                        """
                    ).run()
                }
                for number in 1..<Limits.openings {
                    try await db.raw(
                        """
                        INSERT INTO openings (company_id, id, title, cor_code, headcount, state, created_at)
                        VALUES (\(bind: company.description), \(bind: "filler-\(number)"), 'Filler', '241103', 1, 'closed', '2026-06-01T00:00:00Z')
                        """
                    ).run()
                }
            }
            await expectRefusal("applicant.count", field: "opening") {
                try await culise.addApplicant(
                    company: company, opening: opening.id, ApplicantInput(lastName: "Pop", firstName: "Ion", consentDate: "2026-06-01"),
                    cv: nil,
                    actor: actor)
            }
            await expectRefusal("opening.count", field: "title") {
                try await culise.openOpening(company: company, OpeningInput(title: "Contabil 2", corCode: "241103"), actor: actor)
            }
            await expectRefusal("applicant.not_found") {
                try await culise.applicant(company: company, id: ApplicantID.generate(now: Date()), actor: actor)
            }
            await expectRefusal("opening.not_found") {
                try await culise.opening(company: company, id: OpeningID.generate(now: Date()), actor: actor)
            }
        }
    }
}
