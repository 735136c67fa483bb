import Kernel
import People
import TestSupport
import Testing

/// COR codes, the department tree and an employee's record, checked in the domain.
@Suite struct OrganisationTests {
    typealias F = PeopleFixtures

    @Test func corCodesHaveSixDigitsAndAKnownBasicGroup() async throws {
        #expect(try COR.code(" 251202 ") == "251202")
        #expect(try COR.code("250102") == "250102")
        await expectRefusal("position.cor_format", field: "cor_code") { try COR.code("25120") }
        await expectRefusal("position.cor_format", field: "cor_code") { try COR.code("25120A") }
        await expectRefusal("position.cor_unknown", field: "cor_code") { try COR.code("999901") }
        #expect(COR.basicGroups.count > 430)
    }

    @Test func theDepartmentTreeStaysATree() async throws {
        var tree: [String: Department] = [:]
        tree["A"] = Department(code: "A", name: "A")
        tree["B"] = Department(code: "B", name: "B", parent: "A")
        tree["C"] = Department(code: "C", name: "C", parent: "B")
        try Organisation.checkParent(of: "D", parent: "C", in: tree)
        await expectRefusal("department.cycle", field: "parent") { try Organisation.checkParent(of: "A", parent: "C", in: tree) }
        await expectRefusal("department.parent_unknown", field: "parent") { try Organisation.checkParent(of: "D", parent: "X", in: tree) }
        var deep: [String: Department] = ["L0": Department(code: "L0", name: "L0")]
        for level in 1..<Limits.departmentDepth { deep["L\(level)"] = Department(code: "L\(level)", name: "L", parent: "L\(level - 1)") }
        await expectRefusal("department.too_deep", field: "parent") {
            try Organisation.checkParent(of: "NEW", parent: "L\(Limits.departmentDepth - 1)", in: deep)
        }
    }

    @Test func anEmployeeIsCheckedWhole() async throws {
        let good = EmployeeInput(
            code: "e1", lastName: "Popescu", firstName: "Ana", cnp: F.cnp(2, 90, 5, 17), county: "ro-cj", phone: "0721 345 678",
            email: "ana@exemplu.ro", iban: "RO49 AAAA 1B31 0075 9384 0000", education: "university")
        let employee = try good.validated(today: F.today)
        #expect(employee.code == "E1" && employee.sex == .female && employee.birthDate == F.date("1990-05-17"))
        #expect(employee.county == "RO-CJ" && employee.iban == "RO49AAAA1B31007593840000" && employee.education == .university)
        var bad = good
        bad.code = "a b"
        bad.lastName = ""
        bad.email = "ana"
        bad.phone = "abc"
        bad.education = "none"
        bad.addressLine = String(repeating: "x", count: Limits.addressLineLength + 1)
        bad.declaredDependants = Limits.dependantsPerEmployee + 1
        for (id, field) in [
            ("people.code", "code"), ("people.name", "last_name"), ("employee.email", "email"), ("employee.phone", "phone"),
            ("employee.education", "education"), ("employee.text_length", "address_line"), ("employee.dependants", "dependants"),
        ] {
            await expectRefusal(id, field: field) { try bad.validated(today: F.today) }
        }
        var dependants = good
        dependants.dependants = [Dependant(name: "Popescu Ion", cnp: F.cnp(5, 15, 1, 1), relationship: .child, incomeBelowLimit: true)]
        dependants.declaredDependants = 0
        #expect(try dependants.validated(today: F.today).deductionDependants == 1)
    }
}
