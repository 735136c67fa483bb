import Application
import Companies
import Filings
import FilingsApp
import Foundation
import Invoicing
import InvoicingApp
import Kernel
import Partners
import PartnersApp

extension Culise {
    /// The demo's VAT (issue 16): the tax returns' settings, and a D300 and a D394 for each month of the invoicing demo
    /// that has ended. The older months are filed, accepted and closed (4427 = 4426, the result in 4423); the newest is
    /// generated and checked, waiting to be filed; its D390 declares a supply of goods to Vienna and a cloud service
    /// bought in Dublin. Runs once: a company with a D300 is left as it is.
    public func seedTaxDemo(company: CompanyID) async throws {
        let actor = Actor.system("demo taxes")
        guard try await filings(company: company, form: .d300, actor: actor).isEmpty else { return }
        try await setTaxFilingSettings(
            company: company,
            TaxFilingSettings(
                vatPeriod: .monthly, caen: "4690", declarantLastName: "Popescu", declarantFirstName: "Maria",
                declarantFunction: "Administrator", bankName: "Banca Exemplu", iban: "RO49AAAA1B31007593840000", phone: "0212000000",
                email: "contabilitate@exemplu.ro"),
            actor: actor)
        let today = LocalDate.today(now: clock())
        // The invoicing demo starts 120 days ago: its first whole month on, up to the last month ended.
        var month = YearMonth(today.adding(days: -120).lastDayOfMonthNext)
        let last = YearMonth(today.adding(days: -today.day))
        var months: [YearMonth] = []
        while month <= last {
            months.append(month)
            month = YearMonth(month.lastDay.adding(days: 1))
        }
        // The newest month trades with two partners in other member states.
        if let newest = months.last {
            _ = try await createPartner(
                company: company,
                PartnerInput(
                    code: "WIEN", kind: .company, name: "Wiener Bürotechnik GmbH",
                    address: Address(line: "Mariahilfer Straße 10", city: "Wien", county: nil, country: "AT"), email: "einkauf@wbt.example",
                    paymentTermDays: 30, isCustomer: true, vatNumber: "ATU12345675"),
                actor: actor)
            _ = try await createPartner(
                company: company,
                PartnerInput(
                    code: "CLOUDIE", kind: .company, name: "Cloud Hosting Ireland Ltd",
                    address: Address(line: "1 Grand Canal Square", city: "Dublin", county: nil, country: "IE"), paymentTermDays: 0,
                    isCustomer: false, isSupplier: true, vatNumber: "IE9825613N"),
                actor: actor)
            _ = try await issueInvoice(
                company: company,
                DocumentInput(
                    partner: "WIEN", issueDate: newest.firstDay.adding(days: 11).iso,
                    lines: [
                        LineInput(
                            product: "LAPTOP", quantity: "4", vatCategory: "K",
                            exemptionReason: "Livrare intracomunitară scutită conform art. 294 alin. (2) lit. a) Cod fiscal")
                    ]), actor: actor)
            let bill = try await createBill(
                company: company,
                DocumentInput(
                    partner: "CLOUDIE", number: "IE-\(newest.year)\(newest.month)", issueDate: newest.firstDay.adding(days: 2).iso,
                    lines: [
                        LineInput(
                            description: "Găzduire cloud", quantity: "1", unitPrice: "640", vatCategory: "AE",
                            exemptionReason: "Reverse charge",
                            account: "628")
                    ]), actor: actor)
            _ = try await postBill(company: company, id: bill.id, actor: actor)
        }
        for (index, period) in months.enumerated() {
            let filing = try await generateD300(company: company, period: period, actor: actor)
            let informative = try await generateD394(company: company, period: period, actor: actor)
            if index == months.count - 1 {
                _ = try await generateD390(company: company, period: period, actor: actor)
                // The newest month's SAF-T, generated and not yet filed.
                _ = try await generateD406(company: company, period: period, actor: actor)
            }
            guard filing.state == .validated, index < months.count - 1 else { continue }
            if informative.state == .validated {
                _ = try await markFiled(
                    company: company, id: informative.id,
                    number: "INTERNT-D394-\(period.year)\(period.month < 10 ? "0" : "")\(period.month)",
                    date: min(FilingForm.d394.due(period).adding(days: -5), today), actor: actor)
                _ = try await recordFilingAnswer(company: company, id: informative.id, accepted: true, message: nil, actor: actor)
            }
            _ = try await markFiled(
                company: company, id: filing.id, number: "INTERNT-D300-\(period.year)\(period.month < 10 ? "0" : "")\(period.month)",
                date: min(FilingForm.d300.due(period).adding(days: -2), today), actor: actor)
            _ = try await recordFilingAnswer(company: company, id: filing.id, accepted: true, message: nil, actor: actor)
            _ = try await closeVAT(company: company, period: period, actor: actor)
            // The month's SAF-T once its VAT is closed, filed and accepted.
            let saft = try await generateD406(company: company, period: period, actor: actor)
            if saft.state == .validated {
                _ = try await markFiled(
                    company: company, id: saft.id, number: "INTERNT-D406-\(period.year)\(period.month < 10 ? "0" : "")\(period.month)",
                    date: min(FilingForm.d406.due(period).adding(days: -3), today), actor: actor)
                _ = try await recordFilingAnswer(company: company, id: saft.id, accepted: true, message: nil, actor: actor)
            }
        }
    }
}

extension LocalDate {
    /// The first day of the next month: where a period that starts mid-month becomes whole.
    fileprivate var lastDayOfMonthNext: LocalDate { YearMonth(self).lastDay.adding(days: 1) }
}
