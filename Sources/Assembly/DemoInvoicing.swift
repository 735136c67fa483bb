import Application
import BankingApp
import Companies
import Foundation
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import Partners
import PartnersApp

extension Culise {
    /// A living company for newcomers: customers and suppliers, products, four months of invoices, bills, payments,
    /// a credit note and overdue invoices. Runs once per company (skipped when it already has partners).
    public func seedInvoicingDemo(company: CompanyID, today: LocalDate? = nil) async throws {
        let actor = Actor.system("demo")
        if try await searchPartners(company: company, query: nil, page: .first, actor: actor).total > 0 { return }
        let today = today ?? LocalDate.today(now: clock())
        var settings = try await invoiceSettings(company: company, actor: actor)
        settings.iban = "RO49AAAA1B31007593840000"
        settings.email = "facturare@exemplu.ro"
        settings.phone = "021 000 1234"
        try await updateInvoiceSettings(company: company, settings, actor: actor)
        try await addSeries(company: company, code: "EXD", name: "Facturi Exemplu Distributie", actor: actor)
        settings.defaultSeries = "EXD"
        try await updateInvoiceSettings(company: company, settings, actor: actor)
        func cui(_ body: Int) -> String { String(body) + String(CUI.checkDigit(for: String(body))) }
        let partners: [PartnerInput] = [
            PartnerInput(
                code: "ALFA", kind: .company, name: "Alfa Construct SRL", cui: "RO" + cui(1_234_567), vatPayer: true,
                tradeRegister: "J12/345/2015",
                address: Address(line: "Str. Memorandumului 28", city: "Cluj-Napoca", county: "RO-CJ", postalCode: "400114"),
                ibans: ["RO09BCYP0000001234567890"], email: "contabilitate@alfaconstruct.ro", paymentTermDays: 30, isCustomer: true,
                isSupplier: false),
            PartnerInput(
                code: "BRAVO", kind: .company, name: "Bravo Retail SA", cui: "RO" + cui(2_345_671), vatPayer: true,
                address: Address(line: "Bd. Unirii 10, bl. A1", city: "SECTOR3", county: "RO-B", postalCode: "030167"),
                email: "plati@bravoretail.ro",
                paymentTermDays: 15, isCustomer: true, isSupplier: false),
            PartnerInput(
                code: "CRIS", kind: .company, name: "Cris Medical SRL", cui: cui(3_456_782), vatPayer: false,
                address: Address(line: "Str. Republicii 4", city: "Brașov", county: "RO-BV", postalCode: "500030"), paymentTermDays: 30,
                isCustomer: true, isSupplier: false),
            PartnerInput(
                code: "DORU", kind: .individual, name: "Doru Ionescu",
                address: Address(line: "Str. Lalelelor 5", city: "Iași", county: "RO-IS", postalCode: "700001"), paymentTermDays: 0,
                isCustomer: true, isSupplier: false),
            PartnerInput(
                code: "ENEL", kind: .company, name: "Furnizor Energie SA", cui: "RO" + cui(4_567_893), vatPayer: true,
                address: Address(line: "Calea Victoriei 100", city: "SECTOR1", county: "RO-B", postalCode: "010071"), paymentTermDays: 20,
                isCustomer: false, isSupplier: true),
            PartnerInput(
                code: "PAPER", kind: .company, name: "Papetăria Centrală SRL", cui: "RO" + cui(5_678_904), vatPayer: true,
                address: Address(line: "Str. Fabricii 12", city: "Cluj-Napoca", county: "RO-CJ", postalCode: "400620"), paymentTermDays: 30,
                isCustomer: false, isSupplier: true),
            PartnerInput(
                code: "TRANS", kind: .company, name: "Trans Rapid SRL", cui: "RO" + cui(6_789_015), vatPayer: true,
                address: Address(line: "Șos. Olteniței 200", city: "SECTOR4", county: "RO-B", postalCode: "041303"), paymentTermDays: 15,
                isCustomer: false, isSupplier: true),
        ]
        for partner in partners { _ = try await createPartner(company: company, partner, actor: actor) }
        let products: [ProductInput] = [
            ProductInput(code: "LAPTOP", name: "Laptop 14 inch", unit: "H87", unitPrice: "3500", vatRateKind: "standard"),
            ProductInput(code: "MONITOR", name: "Monitor 27 inch", unit: "H87", unitPrice: "1200", vatRateKind: "standard"),
            ProductInput(code: "CARTE", name: "Manual tehnic (carte)", unit: "H87", unitPrice: "80", vatRateKind: "reduced"),
            ProductInput(code: "INSTAL", name: "Servicii de instalare", unit: "HUR", unitPrice: "150", vatRateKind: "standard"),
            ProductInput(code: "SUPORT", name: "Abonament suport lunar", unit: "MON", unitPrice: "900", vatRateKind: "standard"),
            ProductInput(
                code: "CURS", name: "Curs de formare profesională", unit: "HUR", unitPrice: "200", vatCategory: "E", vatRateKind: nil,
                exemptionReason: "Scutit conform art. 292 alin. (1) lit. a) Cod fiscal"),
        ]
        for product in products { _ = try await createProduct(company: company, product, actor: actor) }
        // Four months of sales: a few invoices a week, to every customer.
        let customers = ["ALFA", "BRAVO", "CRIS", "DORU"]
        let baskets: [[LineInput]] = [
            [LineInput(product: "LAPTOP", quantity: "2"), LineInput(product: "INSTAL", quantity: "3")],
            [LineInput(product: "MONITOR", quantity: "4")],
            [LineInput(product: "SUPORT", quantity: "1")],
            [LineInput(product: "CARTE", quantity: "10"), LineInput(product: "CURS", quantity: "6")],
            [LineInput(product: "INSTAL", quantity: "8")],
        ]
        var issued: [InvoiceRecord] = []
        var day = today.adding(days: -120)
        var index = 0
        while day <= today.adding(days: -2) {
            if EFacturaDeadline.weekday(day) < 5 && index % 2 == 0 {
                let partner = customers[index % customers.count]
                let input = DocumentInput(partner: partner, issueDate: day.iso, lines: baskets[index % baskets.count])
                issued.append(try await issueInvoice(company: company, input, actor: actor))
            }
            index += 1
            day = day.adding(days: 1)
        }
        // Payments: older invoices are mostly paid, some partly; a few stay overdue for the aging and dunning pages.
        for (position, invoice) in issued.enumerated() where invoice.issueDate < today.adding(days: -35) {
            guard let number = invoice.number else { continue }
            let date = invoice.issueDate.adding(days: 20).iso
            if position % 7 == 3 { continue }
            let amount = position % 5 == 2 ? invoice.total.minorUnits / 2 : invoice.total.minorUnits
            _ = try await recordPayment(
                company: company,
                PaymentInput(
                    direction: "in", partner: invoice.partner, date: date, amount: DecimalText.amount(amount), reference: "OP \(number)",
                    allocations: [.init(document: number, amount: DecimalText.amount(amount))]), actor: actor)
        }
        if let returned = issued.first(where: { $0.partner == "BRAVO" && $0.issueDate > today.adding(days: -30) }) {
            _ = try await creditInvoice(
                company: company, id: returned.id, lines: nil, reason: "Retur marfă", issueDate: today.adding(days: -1), actor: actor)
        }
        // Supplier bills, posted, so the account suggestions have history; two paid.
        let bills: [(String, String, String, String, String)] = [
            ("PAPER", "Hârtie copiator A4", "25", "604", "20"), ("PAPER", "Toner imprimantă", "310", "604", "2"),
            ("ENEL", "Energie electrică", "0.95", "605", "1800"), ("TRANS", "Transport marfă", "450", "624", "3"),
        ]
        var month = 0
        for (supplier, text, price, account, quantity) in bills + bills + bills {
            month += 1
            let date = today.adding(days: -110 + month * 9)
            let bill = try await createBill(
                company: company,
                DocumentInput(
                    partner: supplier, number: "\(supplier.prefix(2))-\(1_000 + month)", issueDate: date.iso,
                    lines: [LineInput(description: text, quantity: quantity, unitPrice: price, account: account)]), actor: actor)
            let posted = try await postBill(company: company, id: bill.id, actor: actor)
            if month % 3 == 0 {
                _ = try await recordPayment(
                    company: company,
                    PaymentInput(
                        direction: "out", partner: supplier, date: min(date.adding(days: 10), today).iso,
                        amount: DecimalText.amount(posted.total.minorUnits),
                        allocations: [.init(document: posted.id.description, amount: DecimalText.amount(posted.total.minorUnits))]),
                    actor: actor)
            }
        }
    }
}
