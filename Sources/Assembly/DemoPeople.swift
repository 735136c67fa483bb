import Application
import Foundation
import Identity
import Kernel
import People
import PeopleApp

extension Culise {
    /// The demo's people: 12 employees in 3 departments under the management, with contracts, a raise, a part-time
    /// change, a suspension, a resignation and a hire that starts next week (its REGES-ONLINE entry is due). Dates follow
    /// the app's clock. Runs once (skipped when the company has employees).
    /// The demo employees' salary accounts (fictitious accounts, valid check digits).
    static let demoIBANs = [
        "RO24BTRLRONCRT0000000001",
        "RO28RNCBRONCRT0000000002",
        "RO90BRDERONCRT0000000003",
        "RO20INGBRONCRT0000000004",
        "RO70BACXRONCRT0000000005",
        "RO25CECERONCRT0000000006",
        "RO56BTRLRONCRT0000000007",
        "RO60RNCBRONCRT0000000008",
        "RO25BRDERONCRT0000000009",
        "RO52INGBRONCRT0000000010",
        "RO05BACXRONCRT0000000011",
        "RO57CECERONCRT0000000012",
    ]

    public func seedPeopleDemo(company: CompanyID) async throws {
        let actor = Actor.system("demo")
        if try await employees(company: company, department: nil, page: try PageRequest(limit: 1), actor: actor).total > 0 {
            // A demo seeded by an earlier version gets the modules added since.
            try await seedPolicyDemo(company: company)
            try await seedRecruitmentDemo(company: company)
            try await seedSelfServiceDemo(company: company)
            try await seedTrainingDemo(company: company)
            return
        }
        for department in [
            Department(code: "CONDUCERE", name: "Conducere", costCentre: "CC-G"),
            Department(code: "VANZARI", name: "Vânzări", parent: "CONDUCERE", costCentre: "CC-V"),
            Department(code: "ADMIN", name: "Administrativ și contabilitate", parent: "CONDUCERE", costCentre: "CC-G"),
            Department(code: "IT", name: "Tehnologia informației", parent: "CONDUCERE", costCentre: "CC-IT"),
        ] {
            _ = try await addDepartment(company: company, department, actor: actor)
        }
        for position in [
            Position(code: "DIRECTOR", title: "Director general", corCode: "112011", department: "CONDUCERE"),
            Position(code: "AGENT", title: "Agent comercial", corCode: "332202", department: "VANZARI"),
            Position(code: "VANZATOR", title: "Vânzător", corCode: "522301", department: "VANZARI"),
            Position(code: "CONTABIL", title: "Contabil", corCode: "331302", department: "ADMIN"),
            Position(code: "ADMINISTRATIV", title: "Funcționar administrativ", corCode: "411001", department: "ADMIN"),
            Position(code: "SOFER", title: "Șofer", corCode: "832201", department: "ADMIN"),
            Position(code: "PROGRAMATOR", title: "Programator", corCode: "251202", department: "IT"),
        ] {
            _ = try await addPosition(company: company, position, actor: actor)
        }
        let today = self.today
        let people: [(String, String, String, Int, String, String, String?, Int, String, Int)] = [
            // code, last name, first name, sex digit, department, position, manager, years employed, salary, norm
            ("E001", "Popescu", "Ana", 2, "CONDUCERE", "DIRECTOR", nil, 9, "18000.00", 8),
            ("E002", "Ionescu", "Mihai", 1, "ADMIN", "CONTABIL", "E001", 7, "9500.00", 8),
            ("E003", "Dumitrescu", "Elena", 2, "ADMIN", "ADMINISTRATIV", "E001", 5, "5200.00", 8),
            ("E004", "Stan", "Andrei", 1, "IT", "PROGRAMATOR", "E001", 4, "14000.00", 8),
            ("E005", "Marin", "Ioana", 2, "IT", "PROGRAMATOR", "E004", 2, "11000.00", 8),
            ("E006", "Georgescu", "Vlad", 1, "VANZARI", "AGENT", "E001", 6, "7800.00", 8),
            ("E007", "Constantin", "Maria", 2, "VANZARI", "AGENT", "E006", 3, "6900.00", 8),
            ("E008", "Radu", "Cristian", 1, "VANZARI", "VANZATOR", "E006", 2, "4700.00", 8),
            ("E009", "Tudor", "Alexandra", 2, "VANZARI", "VANZATOR", "E006", 1, "4600.00", 8),
            ("E010", "Matei", "Gabriel", 1, "ADMIN", "SOFER", "E003", 3, "5100.00", 8),
            ("E011", "Florea", "Diana", 2, "ADMIN", "ADMINISTRATIV", "E003", 1, "2600.00", 4),
            ("E012", "Neagu", "Bogdan", 1, "IT", "PROGRAMATOR", "E004", 0, "9000.00", 8),
        ]
        for (index, person) in people.enumerated() {
            let (code, last, first, sexDigit, department, position, manager, years, salary, norm) = person
            let birth = today.adding(days: -(365 * (24 + index * 3) + index * 37))
            let start = years == 0 ? today.adding(days: 8) : today.adding(days: -(365 * years + 40 * index))
            let cnp = EmployeeScenario.cnp(
                birth.year >= 2000 ? sexDigit + 4 : sexDigit, birth.year % 100, birth.month, birth.day, county: index % 2 == 0 ? 40 : 12,
                sequence: 101 + index)
            let cor = try await positions(company: company, actor: actor).first { $0.code == position }?.corCode ?? "411001"
            _ = try await addEmployee(
                company: company,
                EmployeeInput(
                    code: code, lastName: last, firstName: first, cnp: cnp, city: index % 2 == 0 ? "București" : "Cluj-Napoca",
                    county: index % 2 == 0 ? "RO-B" : "RO-CJ", phone: "07\(String(format: "%08d", 21_345_670 + index))",
                    email: "\(first.lowercased()).\(last.lowercased())@exemplu.ro", iban: Self.demoIBANs[index], department: department,
                    position: position,
                    manager: manager, declaredDependants: index % 4 == 1 ? 2 : (index % 4 == 3 ? 1 : 0)),
                contract: ContractTerms(
                    number: "CIM-\(String(format: "%03d", index + 1))", signed: start.adding(days: -5), start: start, duration: .indefinite,
                    normHours: norm,
                    baseSalary: Money(minorUnits: try Money.parseMinorUnits(salary, digits: 2, field: "salary"), currency: .ron),
                    position: position, corCode: cor, workplace: "Sediul social", leaveDays: years >= 5 ? 23 : 21, probationDays: 30),
                actor: actor)
        }
        for (department, manager) in [("CONDUCERE", "E001"), ("VANZARI", "E006"), ("ADMIN", "E003"), ("IT", "E004")] {
            try await setDepartmentManager(company: company, department: department, manager: manager, actor: actor)
        }
        // A raise for the accountant three months ago, a part-time change, a child-care suspension, a resignation.
        _ = try await recordContractEvent(
            company: company, employee: "E002",
            ContractEventInput(
                kind: .amendment, date: today.adding(days: -90).iso,
                change: ContractChange(baseSalary: Money(minorUnits: 10_400_00, currency: .ron))), actor: actor)
        _ = try await recordContractEvent(
            company: company, employee: "E007",
            ContractEventInput(kind: .amendment, date: today.adding(days: -60).iso, change: ContractChange(normHours: 6)), actor: actor)
        _ = try await recordContractEvent(
            company: company, employee: "E005",
            ContractEventInput(
                kind: .suspension, date: today.adding(days: -30).iso,
                reason: "art. 51 alin. (1) lit. a) concediu pentru creșterea copilului"), actor: actor)
        _ = try await recordContractEvent(
            company: company, employee: "E009",
            ContractEventInput(kind: .termination, date: today.adding(days: 10).iso, reason: "81"), actor: actor)
        // Leave: a week of annual leave taken last month, medical leave, a request waiting for a decision; the last
        // month's timesheets approved, this month's drafts generated.
        let lastMonth = YearMonth(YearMonth(today).firstDay.adding(days: -1))
        // Both weeks start on a Monday: the second Monday of last month for the annual leave, the next for the medical.
        var week = lastMonth.firstDay.adding(days: 7)
        while WorkingDays.weekday(week) != 0 { week = week.adding(days: 1) }
        let annual = try await requestLeave(
            company: company, employee: "E006", LeaveInput(type: "annual", from: week.iso, to: week.adding(days: 4).iso), actor: actor)
        _ = try await decideLeave(company: company, id: annual.id, .approve, actor: actor)
        let medical = try await requestLeave(
            company: company, employee: "E008",
            LeaveInput(
                type: "medical", from: week.adding(days: 7).iso, to: week.adding(days: 11).iso,
                certificate: MedicalCertificate(series: "CCMAM", number: "4471203", indemnityCode: "01")), actor: actor)
        _ = try await decideLeave(company: company, id: medical.id, .approve, actor: actor)
        // A Monday three weeks ahead, Monday to Wednesday in one year (a request may not cross 31 December).
        var soon = today.adding(days: 21)
        while WorkingDays.weekday(soon) != 0 || soon.year != soon.adding(days: 2).year { soon = soon.adding(days: 1) }
        _ = try await requestLeave(
            company: company, employee: "E004", LeaveInput(type: "annual", from: soon.iso, to: soon.adding(days: 2).iso), actor: actor)
        _ = try await generateTimesheets(company: company, month: lastMonth, employee: nil, actor: actor)
        for sheet in try await timesheets(company: company, month: lastMonth, actor: actor) {
            _ = try await decideTimesheet(company: company, employee: sheet.employee, month: lastMonth, .approve, actor: actor)
        }
        _ = try await generateTimesheets(company: company, month: YearMonth(today), employee: nil, actor: actor)
        // Everything older than a week is already in REGES-ONLINE but the suspension, which is overdue; the recent events
        // wait for it.
        for item in try await regesPending(company: company, actor: actor)
        where item.effective < today.adding(days: -7) && item.kind != .suspension {
            try await markRegesTransmitted(
                company: company, contract: item.contract, seq: item.seq, receipt: "REGES-\(item.employee)-\(item.seq)", actor: actor)
        }
        try await seedPolicyDemo(company: company)
        try await seedRecruitmentDemo(company: company)
        try await seedSelfServiceDemo(company: company)
        try await seedTrainingDemo(company: company)
    }

    /// Training: periodic SSM (mandatory, valid six months) and PSI (mandatory, a year) with the validities as the
    /// company's parameters; an SSM session four months ago that most attended (one absent), an older one whose two
    /// certificates expire within the month, a PSI session next week that nobody has attended yet. Runs once (skipped when the company has courses).
    func seedTrainingDemo(company: CompanyID) async throws {
        let actor = Actor.system("demo")
        if try await !courses(company: company, actor: actor).isEmpty { return }
        _ = try await saveCourse(
            company: company, CourseInput(code: "SSM", title: "Instruire periodică SSM", mandatory: true, validityMonths: 6), actor: actor)
        _ = try await saveCourse(
            company: company, CourseInput(code: "PSI", title: "Instruire PSI (situații de urgență)", mandatory: true, validityMonths: 12),
            actor: actor)
        _ = try await saveCourse(company: company, CourseInput(code: "EXCEL", title: "Excel pentru vânzări"), actor: actor)
        let past = try await scheduleSession(
            company: company,
            SessionInput(
                course: "SSM", date: today.addingMonths(-4).iso, trainer: "Ing. Radu Ionescu (SSM extern)", location: "Sala de ședințe",
                capacity: 15), actor: actor)
        let present = ["E001", "E002", "E003", "E004", "E005", "E006", "E007", "E008"]
        _ = try await enrol(company: company, session: past.id, employees: present + ["E009"], actor: actor)
        for employee in present {
            _ = try await recordAttendance(company: company, session: past.id, employee: employee, .complete, actor: actor)
        }
        _ = try await recordAttendance(company: company, session: past.id, employee: "E009", .absent, actor: actor)
        let older = try await scheduleSession(
            company: company,
            SessionInput(course: "SSM", date: today.addingMonths(-6).adding(days: 15).iso, trainer: "Ing. Radu Ionescu (SSM extern)"),
            actor: actor)
        _ = try await enrol(company: company, session: older.id, employees: ["E010", "E011"], actor: actor)
        for employee in ["E010", "E011"] {
            _ = try await recordAttendance(company: company, session: older.id, employee: employee, .complete, actor: actor)
        }
        let next = try await scheduleSession(
            company: company,
            SessionInput(
                course: "PSI", date: today.adding(days: 7).iso, trainer: "Cpt. Ana Marin", location: "Curtea interioară", capacity: 20),
            actor: actor)
        _ = try await enrol(company: company, session: next.id, employees: ["E001", "E002", "E003", "E006", "E007"], actor: actor)
        // The skills matrix: a few skills and levels (1 beginner … 4 expert) across sales and IT.
        for (code, name) in [
            ("NEGOCIERE", "Negociere B2B"), ("EXCEL", "Excel"), ("SWIFT", "Swift"), ("SQL", "SQL"), ("PERMIS-B", "Permis B"),
        ] {
            _ = try await saveSkill(company: company, SkillInput(code: code, name: name), actor: actor)
        }
        for (employee, skill, level) in [
            ("E006", "NEGOCIERE", 4), ("E007", "NEGOCIERE", 3), ("E008", "NEGOCIERE", 2), ("E006", "EXCEL", 3), ("E007", "PERMIS-B", 4),
            ("E004", "SWIFT", 4), ("E004", "SQL", 4), ("E005", "SWIFT", 3), ("E005", "SQL", 2), ("E002", "EXCEL", 4),
        ] {
            try await setSkillLevel(company: company, employee: employee, skill: skill, level: level, actor: actor)
        }
    }

    /// Self-service: the staff accounts linked to their employees (the administrator is Ana Popescu, E001), a sales
    /// manager who sees his team and an agent who asks him for a day off. Runs once (skipped when E007 has an account).
    func seedSelfServiceDemo(company: CompanyID) async throws {
        let actor = Actor.system("demo")
        if (try? await user(email: "angajat@exemplu.ro")) != nil { return }
        for (email, name, role) in [
            ("sef.vanzari@exemplu.ro", "Vlad Georgescu", Role.manager), ("angajat@exemplu.ro", "Maria Constantin", Role.employee),
        ] {
            _ = try await addUser(
                email: email, displayName: name, password: Culise.demoPassword, company: company, role: role, actor: actor)
        }
        for (employee, email) in [
            ("E001", Culise.demoEmail), ("E002", "contabil@exemplu.ro"), ("E003", "resurse@exemplu.ro"), ("E004", "it@exemplu.ro"),
            ("E005", "auditor@exemplu.ro"), ("E006", "sef.vanzari@exemplu.ro"), ("E007", "angajat@exemplu.ro"),
        ] where (try? await user(email: email)) != nil {
            try await linkEmployeeUser(company: company, employee: employee, email: email, actor: actor)
        }
        var day = today.adding(days: 14)
        while !WorkingDays.isWorkingDay(day) { day = day.adding(days: 1) }
        // Maria (E007) asks for a day off, which her manager is told to decide, and for a change of her address and
        // phone, which HR is told to decide.
        guard let maria = try? await user(email: "angajat@exemplu.ro") else { return }
        let employee = Actor.user(
            Principal(userID: maria.id, email: maria.email, displayName: maria.displayName, companyID: company, role: .employee))
        _ = try? await requestMyLeave(
            company: company, LeaveInput(type: "annual", from: day.iso, to: day.iso, note: "Eveniment de familie"), actor: employee)
        _ = try? await requestMyDataChange(
            company: company, ["address_line": "Str. Ștefan cel Mare 12, ap. 4", "city": "Cluj-Napoca", "phone": "0745 222 333"],
            actor: employee)
    }

    /// An opening for a sales agent with four applicants along the board: one applied (with a CV), one in screening,
    /// one interviewed twice with an offer waiting to be signed, one rejected. Runs once (skipped when the company has
    /// openings).
    func seedRecruitmentDemo(company: CompanyID) async throws {
        let actor = Actor.system("demo")
        if try await !openings(company: company, actor: actor).isEmpty { return }
        let today = self.today
        let opening = try await openOpening(
            company: company,
            OpeningInput(
                title: "Agent comercial (Cluj)", department: "VANZARI", position: "AGENT", headcount: 1,
                description: "Vânzări către clienți B2B din Transilvania; permis categoria B."), actor: actor)
        let consent = today.adding(days: -12).iso
        _ = try await addApplicant(
            company: company, opening: opening.id,
            ApplicantInput(lastName: "Barbu", firstName: "Ioana", email: "ioana.barbu@exemplu.ro", source: "eJobs", consentDate: consent),
            cv: (name: "cv-ioana-barbu.txt", data: Data("Ioana Barbu\nAgent vânzări, 4 ani de experiență B2B.\n".utf8)), actor: actor)
        let screening = try await addApplicant(
            company: company, opening: opening.id,
            ApplicantInput(lastName: "Neagu", firstName: "Paul", phone: "0744 123 456", source: "recomandare", consentDate: consent),
            cv: nil, actor: actor)
        _ = try await moveApplicant(company: company, id: screening.id, .advance, actor: actor)
        let offered = try await addApplicant(
            company: company, opening: opening.id,
            ApplicantInput(lastName: "Toma", firstName: "Irina", email: "irina.toma@exemplu.ro", source: "LinkedIn", consentDate: consent),
            cv: nil, actor: actor)
        _ = try await moveApplicant(company: company, id: offered.id, .advance, actor: actor)
        _ = try await moveApplicant(company: company, id: offered.id, .advance, actor: actor)
        _ = try await recordInterview(
            company: company, applicant: offered.id,
            InterviewInput(
                at: "\(today.adding(days: -6).iso)T10:00", interviewers: ["Popescu Ana", "Stan Andrei"], score: 4,
                notes: "Experiență bună în vânzări B2B."), actor: actor)
        _ = try await recordInterview(
            company: company, applicant: offered.id,
            InterviewInput(at: "\(today.adding(days: -3).iso)T14:30", interviewers: ["Popescu Ana"], score: 5), actor: actor)
        var start = today.adding(days: 21)
        while !WorkingDays.isWorkingDay(start) { start = start.adding(days: 1) }
        _ = try await makeOffer(company: company, applicant: offered.id, OfferInput(salary: "6800", start: start.iso), actor: actor)
        let rejected = try await addApplicant(
            company: company, opening: opening.id,
            ApplicantInput(lastName: "Moldovan", firstName: "Dan", source: "eJobs", consentDate: today.adding(days: -40).iso),
            cv: nil, actor: actor)
        _ = try await moveApplicant(company: company, id: rejected.id, .reject, actor: actor)
    }

    /// Runs once (skipped when the company has policies).
    func seedPolicyDemo(company: CompanyID) async throws {
        let actor = Actor.system("demo")
        if try await !policies(company: company, actor: actor).isEmpty { return }
        // Policies: the internal regulation for everyone at its second version (most have not confirmed it yet) and the
        // IT use policy for the IT department, confirmed by all.
        _ = try await publishPolicy(
            company: company, PolicyInput(code: "RI", title: "Regulament intern"),
            file: (
                name: "regulament-intern.txt",
                data: Data(
                    "Regulament intern\n\nProgramul de lucru este 9:00-17:00, de luni până vineri.\n".utf8)
            ), actor: actor)
        for employee in ["E001", "E002", "E003", "E004", "E005"] {
            _ = try await acknowledgePolicy(company: company, code: "RI", employee: employee, actor: actor)
        }
        _ = try await publishPolicy(
            company: company, PolicyInput(code: "RI", title: "Regulament intern", summary: "Program flexibil între 8:00 și 10:00."),
            file: (
                name: "regulament-intern-v2.txt",
                data: Data(
                    "Regulament intern\n\nProgramul de lucru începe între 8:00 și 10:00 și durează 8 ore.\n".utf8)
            ), actor: actor)
        for employee in ["E001", "E002"] {
            _ = try await acknowledgePolicy(company: company, code: "RI", employee: employee, actor: actor)
        }
        let it = try await publishPolicy(
            company: company, PolicyInput(code: "IT", title: "Utilizarea echipamentelor IT", audience: PolicyAudience(departments: ["IT"])),
            file: nil, actor: actor)
        for line in try await policyReport(company: company, code: it.code, actor: actor).lines {
            _ = try await acknowledgePolicy(company: company, code: it.code, employee: line.employee, actor: actor)
        }
    }
}
