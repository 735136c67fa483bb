import Application
import Approvals
import Assembly
import BankingApp
import Companies
import Documents
import EFactura
import Foundation
import Hummingbird
import Identity
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import Partners
import PartnersApp
import Tax

/// Browser pages for invoicing: invoices, bills, payments, aging, dunning, the e-Factura outbox and products.
/// Each handler decodes the form or query, calls the app layer and renders; no rules live here.
struct InvoicePages: Sendable {
    let culise: Culise
    let views: Views
    let html: HTMLRoutes
    let anaf: ANAFClient?

    func register(protect: (Area, Access) -> Protected) {
        let read = protect(.invoicing, .read)
        let write = protect(.invoicing, .write)
        read.get("/invoices", use: list)
        write.get("/invoices/new", use: newInvoice)
        write.post("/invoices", use: createInvoice)
        read.get("/invoices/{id}", use: show)
        read.get("/invoices/{id}/xml", use: xml)
        read.get("/invoices/{id}/pdf", use: pdf)
        write.post("/invoices/{id}/email", use: email)
        read.post("/approvals/{id}/approve", use: approve)
        read.post("/approvals/{id}/reject", use: reject)
        write.post("/invoices/{id}/issue", use: issue)
        write.post("/invoices/{id}/credit", use: credit)
        write.post("/invoices/{id}/send", use: send)
        write.post("/invoices/{id}/correct", use: correct)
        write.post("/invoices/{id}/delete", use: deleteDraft)
        read.get("/bills", use: bills)
        write.get("/bills/new", use: newBill)
        write.post("/bills", use: createBill)
        write.post("/bills/ingest", use: ingest)
        read.get("/bills/{id}", use: bill)
        write.post("/bills/{id}/post", use: postBill)
        read.get("/payments", use: payments)
        write.post("/payments", use: recordPayment)
        read.get("/aging", use: aging)
        read.get("/dunning", use: dunningPage)
        write.post("/dunning", use: runDunning)
        read.get("/efactura", use: outbox)
        write.post("/efactura/send-all", use: sendAll)
        write.post("/efactura/refresh", use: refresh)
        read.get("/products", use: products)
        write.post("/products", use: createProduct)
        write.post("/products/{code}/archive", use: archiveProduct)
        read.get("/invoicing/settings", use: settingsPage)
        write.post("/invoicing/settings", use: saveSettings)
        write.post("/invoicing/series", use: saveSeries)
    }

    // MARK: helpers

    static let nav: [(href: String, key: String)] = [
        ("/invoices", "inv_title"), ("/bills", "bills_title"), ("/payments", "pay_title"), ("/aging", "aging_title"),
        ("/mail", "mail_title"),
        ("/dunning", "dun_title"), ("/efactura", "ef_title"), ("/partners", "partners_title"), ("/products", "prod_title"),
        ("/invoicing/settings", "set_nav"),
    ]

    func base(_ request: Request, _ context: WebContext) -> [String: Any] {
        let t = html.t(context)
        let path = request.uri.path
        return [
            "inv_nav": Self.nav.map { ["href": $0.href, "label": t[$0.key] ?? $0.key, "active": path.hasPrefix($0.href)] }
        ]
    }

    func canEdit(_ context: WebContext) -> Bool {
        context.principal.map { Policy.allows($0.role, .invoicing, .write) } ?? false
    }

    static func money(_ minor: Int64, _ currency: String? = nil) -> String {
        currency.map { "\(PageFormat.amount(minor)) \($0)" } ?? PageFormat.amount(minor)
    }

    static func money(_ amount: Money) -> String { PageFormat.amount(amount) }

    func render(
        _ template: String, _ title: String, _ data: [String: Any], _ request: Request, _ context: WebContext,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var merged = base(request, context)
        for (key, value) in data { merged[key] = value }
        return try await html.page(template, title, merged, request, context, status: status)
    }

    func stateLabel(_ state: String, _ t: [String: String]) -> String { t["state_\(state)"] ?? state }

    // MARK: invoices

    @Sendable func list(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let q = { (key: String) in request.uri.queryParameters[Substring(key)].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
        let filter = InvoiceFilter(
            state: q("state"), partner: q("partner"), from: q("from").flatMap { try? LocalDate(iso: $0) },
            to: q("to").flatMap { try? LocalDate(iso: $0) })
        let pageRequest = (try? HTMLRoutes.pageRequest(request)) ?? .first
        let result = try await culise.invoiceSummaries(company: p.companyID, filter: filter, page: pageRequest, actor: .user(p))
        let rows: [[[String: Any]]] = result.items.map { invoice in
            [
                Table.cell(invoice.number ?? t["inv_draft", default: ""], href: "/invoices/\(invoice.id)"),
                Table.cell(PageFormat.date(invoice.issueDate)),
                Table.cell(invoice.type == .creditNote ? t["inv_credit_note"]! : t["inv_invoice"]!),
                Table.cell("\(invoice.partner) · \(invoice.partnerName)"), Table.cell(Self.money(invoice.total), numeric: true),
                Table.cell(Self.money(invoice.open), numeric: true), Table.cell(invoice.currency.code),
                Table.cell(stateLabel(invoice.state.rawValue, t)),
                Table.cell(invoice.efactura.map { stateLabel("ef_" + $0.state, t) } ?? ""),
            ]
        }
        let table = Table(
            caption: t["inv_title"]!,
            columns: [
                "col_number", "col_date", "col_type", "col_partner", "col_total", "col_open", "col_currency", "col_state", "col_efactura",
            ].map {
                Table.Column(label: t[$0] ?? $0)
            }, rows: rows, basePath: "/invoices",
            query: ["state": filter.state ?? "", "partner": filter.partner ?? "", "from": q("from") ?? "", "to": q("to") ?? ""], sort: nil,
            descending: false, offset: result.offset, limit: result.limit, total: result.total)
        let states = [("", t["all"]!)] + InvoiceState.allCases.map { ($0.rawValue, stateLabel($0.rawValue, t)) }
        let filters = [
            Field(name: "state", label: t["col_state"]!, value: filter.state ?? "", choices: states),
            Field(name: "partner", label: t["col_partner"]!, value: filter.partner ?? ""),
            Field(name: "from", label: t["field_from"]!, type: "date", value: q("from") ?? ""),
            Field(name: "to", label: t["field_to"]!, type: "date", value: q("to") ?? ""),
        ]
        return try await render(
            "invoices", "inv_title",
            ["table": table.dictionary(t), "filter_fields": filters.map(\.dictionary), "can_edit": canEdit(context)],
            request, context)
    }

    /// The line rows of the document form: the values typed so far plus empty rows up to `count`.
    func lineRows(
        _ form: [String: String], products: [Product], errors: [String: String], count: Int, t: [String: String]
    ) -> [[String: Any]] {
        let vatChoices = Self.vatChoices(t)
        // The live totals preview (culise.js) reads each product's price and VAT and each rate's percent today; the
        // server computes the document again from the supply date.
        let percents = Self.previewPercents(on: culise.today)
        return (0..<count).map { index in
            let prefix = "lines[\(index)]."
            let product = form[prefix + "product"] ?? ""
            let vat = form[prefix + "vat"] ?? ""
            let lineErrors = errors.filter { $0.key.hasPrefix("lines[\(index)]") }.map(\.value)
            var row: [String: Any] = [
                "i": index, "n": index + 1, "description": form[prefix + "description"] ?? "", "quantity": form[prefix + "quantity"] ?? "",
                "unit": form[prefix + "unit"] ?? "", "unit_price": form[prefix + "unit_price"] ?? "",
                "account": form[prefix + "account"] ?? "",
                "products": products.map {
                    [
                        "code": $0.code, "name": $0.name, "selected": $0.code == product, "price": DecimalText.plain($0.unitPrice),
                        "unit": $0.unit,
                        "vat": $0.vatCategory == .standard ? "S:\($0.vatRateKind?.rawValue ?? "standard")" : $0.vatCategory.rawValue,
                    ]
                },
                "vat_choices": [["value": "", "label": t["vat_from_product", default: ""], "selected": vat.isEmpty, "percent": ""]]
                    + vatChoices.map { ["value": $0.0, "label": $0.1, "selected": $0.0 == vat, "percent": percents[$0.0] ?? "0"] },
            ]
            // Each problem marks its own input (`aria-invalid`, described by the line's error).
            for name in ["product", "description", "quantity", "unit", "unit_price", "vat", "account"] where errors[prefix + name] != nil {
                row["invalid_\(name)"] = true
            }
            if !lineErrors.isEmpty { row["error"] = lineErrors.joined(separator: " ") }
            return row
        }
    }

    /// Reads the document form into the app layer's input; empty rows are ignored.
    static func documentInput(_ form: [String: String], purchase: Bool) -> DocumentInput {
        let text = { (key: String) -> String? in form[key].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        var lines: [LineInput] = []
        for index in 0..<Limits.linesPerDocument {
            let prefix = "lines[\(index)]."
            guard form.keys.contains(where: { $0.hasPrefix(prefix) }) else { break }
            if text(prefix + "product") == nil && text(prefix + "description") == nil && text(prefix + "quantity") == nil { continue }
            let vat = text(prefix + "vat")?.split(separator: ":").map(String.init)
            lines.append(
                LineInput(
                    product: text(prefix + "product"), description: text(prefix + "description"), quantity: text(prefix + "quantity") ?? "",
                    unit: text(prefix + "unit"), unitPrice: text(prefix + "unit_price"), vatCategory: vat?.first,
                    vatRateKind: vat.flatMap { $0.count > 1 ? $0[1] : nil }, account: text(prefix + "account")))
        }
        var allowances: [AllowanceChargeInput] = []
        if let amount = text("discount") {
            allowances.append(AllowanceChargeInput(isCharge: false, amount: amount, reason: text("discount_reason") ?? "Discount"))
        }
        return DocumentInput(
            partner: form["partner"] ?? "", series: purchase ? nil : text("series"), number: purchase ? text("number") : nil,
            issueDate: text("issue_date"),
            supplyDate: text("supply_date"), dueDate: text("due_date"), currency: text("currency"), exchangeRate: text("exchange_rate"),
            lines: lines,
            allowancesCharges: allowances.isEmpty ? nil : allowances, note: text("note"))
    }

    func documentForm(
        _ request: Request, _ context: WebContext, purchase: Bool, values: [String: String] = [:], error: (any Error)? = nil
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let actor = Actor.user(p)
        let partners = try await culise.searchPartners(company: p.companyID, query: nil, page: try PageRequest(limit: 500), actor: actor)
            .items
            .filter { purchase ? $0.isSupplier : $0.isCustomer }
        let products = try await culise.products(
            company: p.companyID, query: nil, includeArchived: false, page: try PageRequest(limit: 500), actor: actor
        )
        .items
        let series = purchase ? [] : try await culise.series(company: p.companyID, actor: actor)
        let settings = try await culise.invoiceSettings(company: p.companyID, actor: actor)
        let problems = error.flatMap { html.errors($0, context) }
        let errors = problems?.byField ?? [:]
        func field(_ name: String, _ key: String, type: String = "text", fallback: String = "") -> Field {
            Field(name: name, label: t[key] ?? key, type: type, value: values[name] ?? fallback, error: errors[name])
        }
        var fields = [
            Field(
                name: "partner", label: t[purchase ? "field_supplier" : "field_customer"]!, value: values["partner"] ?? "",
                error: errors["partner"],
                choices: [("", "—")] + partners.map { ($0.code, "\($0.name) (\($0.fiscalIdentifier))") })
        ]
        if purchase {
            fields.append(field("number", "field_supplier_number"))
        } else {
            fields.append(
                Field(
                    name: "series", label: t["field_series"]!, value: values["series"] ?? settings.defaultSeries, error: errors["series"],
                    choices: series.map { ($0.code, "\($0.code) · \($0.name)") }))
        }
        fields += [
            field("issue_date", "inv_issue_date", type: "date", fallback: culise.today.iso),
            field("supply_date", "inv_supply_date", type: "date"),
            field("due_date", "inv_due_date", type: "date"), field("currency", "col_currency", fallback: "RON"),
            field("exchange_rate", "field_exchange_rate"), field("discount", "field_discount"),
            field("discount_reason", "field_discount_reason"),
            field("note", "field_note"),
        ]
        let filled = (0..<Limits.linesPerDocument).filter { values.keys.contains("lines[\($0)].quantity") }.count
        let buttons: [[String: Any]] =
            purchase
            ? [["value": "save", "label": t["bills_save"]!, "primary": true]]
            : [
                ["value": "draft", "label": t["inv_save_draft"]!, "primary": false],
                ["value": "issue", "label": t["inv_issue"]!, "primary": true],
            ]
        let data: [String: Any] = [
            "heading": t[purchase ? "bills_new" : "inv_new"]!, "action": purchase ? "/bills" : "/invoices",
            "fields": fields.map(\.dictionary),
            "line_rows": lineRows(values, products: products, errors: errors, count: max(8, filled + 2), t: t), "show_account": purchase,
            "buttons": buttons, "form_errors": problems?.summary ?? [], "has_errors": !(problems?.summary.isEmpty ?? true),
        ]
        return try await render(
            "document_form", purchase ? "bills_new" : "inv_new", data, request, context, status: error == nil ? .ok : .unprocessableContent)
    }

    @Sendable func newInvoice(_ request: Request, context: WebContext) async throws -> Response {
        var values: [String: String] = [:]
        if let partner = request.uri.queryParameters["partner"] { values["partner"] = String(partner) }
        return try await documentForm(request, context, purchase: false, values: values)
    }

    @Sendable func createInvoice(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let input = Self.documentInput(context.form, purchase: false)
        do {
            let record =
                context.form["action"] == "draft"
                ? try await culise.createInvoiceDraft(company: p.companyID, input, actor: .user(p))
                : try await culise.issueInvoice(company: p.companyID, input, actor: .user(p))
            let flash = record.state == .draft ? "invoice_saved" : (record.warnings.isEmpty ? "invoice_issued" : "invoice_issued_late")
            return redirect(to: "/invoices/\(record.id)?flash=\(flash)")
        } catch  where html.errors(error, context) != nil {
            return try await documentForm(request, context, purchase: false, values: context.form, error: error)
        }
    }

    /// The invoice's legal footer tells the real e-Factura state: "transmisă" only once ANAF has it.
    static func legalFooter(_ state: String?, _ t: [String: String]) -> String {
        switch state {
        case "uploaded", "accepted", "corrected": t["inv_legal_footer", default: ""]
        case "not_required", nil: t["inv_legal_footer_plain", default: ""]
        default: t["inv_legal_footer_pending", default: ""]
        }
    }

    func partyData(_ party: Party, role: String) -> [String: Any] {
        var data: [String: Any] = [
            "role": role, "name": party.name, "street": party.street,
            "city": County.paperCityAndCounty(city: party.city, county: party.county, english: PageFormat.locale == .en),
            "country": County.paperCountry(party.country, english: PageFormat.locale == .en),
        ]
        for (key, value) in [
            ("vat_id", party.vatID), ("legal_id", party.legalID), ("trade_register", party.tradeRegister),
            ("postal_code", party.postalCode), ("iban", party.iban), ("email", party.email),
        ] {
            if let value { data[key] = value }
        }
        return data
    }

    func documentData(_ document: CommercialDocument, title: String, t: [String: String], sales: Bool) -> [String: Any] {
        var data: [String: Any] = [
            "title": title, "number": document.number.isEmpty ? t["inv_draft", default: ""] : document.number,
            "issue_date": PageFormat.date(document.issueDate),
            "currency": document.currency,
            "parties": [
                partyData(document.seller, role: t[sales ? "inv_seller" : "inv_supplier"]!),
                partyData(document.buyer, role: t[sales ? "inv_buyer" : "inv_customer"]!),
            ],
            "lines": document.lines.map { line -> [String: Any] in
                var row: [String: Any] = [
                    "number": line.number, "name": line.name, "unit": UnitCode.paperName(line.unit, english: PageFormat.locale == .en),
                    "quantity": PageFormat.decimal(line.quantity), "price": PageFormat.price(line.unitPrice), "net": Self.money(line.net),
                    "vat": Self.vatLabel(line.vat),
                ]
                if let reason = line.exemptionReason { row["reason"] = reason }
                return row
            },
            "allowances": document.allowancesCharges.map {
                ["reason": $0.reason, "amount": Self.money($0.isCharge ? $0.amount : -$0.amount), "vat": Self.vatLabel($0.vat)]
            },
            "breakdown": document.totals.breakdown.map {
                ["label": Self.vatLabel($0.key), "taxable": Self.money($0.taxable), "vat": Self.money($0.amount)]
            },
            "net": Self.money(document.totals.taxExclusive), "vat": Self.money(document.totals.vatTotal),
            "total": Self.money(document.totals.payable),
            "preceding": document.preceding.map { ["number": $0.number, "date": PageFormat.date($0.issueDate)] },
        ]
        if document.supplyDate != document.issueDate { data["supply_date"] = PageFormat.date(document.supplyDate) }
        if let due = document.dueDate { data["due_date"] = PageFormat.date(due) }
        if let rate = document.exchangeRate { data["rate"] = "1 \(document.currency) = \(PageFormat.decimal(rate)) RON" }
        if let vat = document.totals.vatTotalRON { data["vat_ron"] = Self.money(vat, "RON") }
        if let note = document.note { data["note"] = note }
        return data
    }

    /// The VAT choices of the forms: category, and for S the rate kind (its percent follows the supply date).
    static func vatChoices(_ t: [String: String]) -> [(String, String)] {
        [
            ("S:standard", t["vat_standard"]!), ("S:reduced", t["vat_reduced"]!), ("E", t["vat_exempt"]!), ("AE", t["vat_reverse"]!),
            ("Z", t["vat_zero"]!), ("K", t["vat_intra"]!), ("G", t["vat_export"]!), ("O", t["vat_out_of_scope"]!),
        ]
    }

    /// The percent of each VAT choice on `date`, for the form's live preview ("21", "11"; "0" for the others).
    static func previewPercents(on date: LocalDate) -> [String: String] {
        var result: [String: String] = [:]
        for kind in [VATRate.Kind.standard, .reduced] {
            if let percent = try? VATRateTable.romania.rate(kind, supplyDate: date) {
                result["S:\(kind.rawValue)"] = DecimalText.plain(percent)
            }
        }
        return result
    }

    static func vatLabel(_ key: VATKey) -> String {
        key.category == .standard ? "\(PageFormat.decimal(key.percent)) %" : key.category.rawValue
    }

    @Sendable func show(_ request: Request, context: WebContext) async throws -> Response {
        try await show(request, context: context, error: nil)
    }

    func show(_ request: Request, context: WebContext, error: (any Error)?) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        guard let text = context.parameters.get("id"), let id = InvoiceID(string: text) else { throw WebError.notFound }
        let invoice = try await culise.invoice(company: p.companyID, id: id, actor: .user(p))
        let title = invoice.type == .creditNote ? t["inv_credit_note"]! : t["inv_invoice"]!
        var facts: [[String: Any]] = [
            ["label": t["col_state"]!, "value": stateLabel(invoice.state.rawValue, t)],
            ["label": t["col_partner"]!, "value": invoice.partner, "href": "/partners?q=\(invoice.partner)"],
        ]
        if invoice.state != .draft && invoice.type != .creditNote {
            facts.append(["label": t["inv_paid", default: "inv_paid"], "value": PageFormat.money(invoice.paid)])
            facts.append(["label": t["col_open", default: "col_open"], "value": PageFormat.money(invoice.open)])
        }
        if let entry = invoice.entryID {
            facts.append(["label": t["inv_entry"]!, "value": "#\(entry)", "href": "/ledger/entries/\(entry)"])
        }
        if let corrects = invoice.corrects {
            facts.append(["label": t["inv_corrects"]!, "value": corrects.description, "href": "/invoices/\(corrects)"])
        }
        if let status = invoice.efactura {
            facts.append(["label": t["col_efactura"]!, "value": stateLabel("ef_" + status.state, t)])
            if status.state != "accepted" && status.state != "not_required" && status.state != "corrected" {
                facts.append(["label": t["ef_deadline", default: ""], "value": PageFormat.date(status.deadline)])
            }
            if let index = status.uploadIndex { facts.append(["label": t["ef_upload_index"]!, "value": index]) }
        }
        var actions: [[String: Any]] = []
        if invoice.state == .draft {
            actions.append(["href": "/invoices/\(id)/issue", "label": t["inv_issue"]!, "primary": true])
            actions.append(["href": "/invoices/\(id)/delete", "label": t["inv_delete_draft"]!, "primary": false])
        }
        let canCredit = invoice.state != .draft && invoice.type != .creditNote && invoice.state != .cancelled
        var sendingOff = false
        if let state = invoice.efactura?.state {
            if ["validated", "failed", "upload_unknown"].contains(state) {
                // Sending is offered only when this server can send; otherwise the page says so instead of a dead end.
                if anaf != nil {
                    actions.append(["href": "/invoices/\(id)/send", "label": t["ef_send"] ?? "", "primary": true])
                } else {
                    sendingOff = true
                }
            }
            if state == "rejected" { actions.append(["href": "/invoices/\(id)/correct", "label": t["ef_correct"]!, "primary": true]) }
        }
        let errors = invoice.efactura?.errors ?? []
        var data: [String: Any] = [
            "doc": documentData(invoice.document, title: title, t: t, sales: true), "facts": facts, "actions": actions,
            "sending_off": sendingOff, "legal_footer": Self.legalFooter(invoice.efactura?.state, t),
            "can_edit": canEdit(context), "efactura_errors": errors,
            "has_efactura_errors": !errors.isEmpty && invoice.efactura?.state == "rejected",
        ]
        if invoice.efactura != nil { data["xml_href"] = "/invoices/\(id)/xml" }
        // "Record receipt": the receipt form for this customer, this invoice ticked for what is open.
        if invoice.state != .draft && invoice.type != .creditNote && invoice.open.minorUnits > 0 {
            data["receipt_href"] =
                "/payments?partner=\(invoice.partner)&document=\(id)&amount=\(PageFormat.amount(invoice.open))#add-payment"
        }
        data["pdf_href"] = "/invoices/\(id)/pdf"
        if invoice.state != .draft {
            data["email_href"] = "/invoices/\(id)/email"
            let mails = try await culise.mailLog(
                company: p.companyID, entity: "invoice", entityID: id.description, page: try PageRequest(limit: 20), actor: .user(p))
            data["mails"] = mails.items.map {
                [
                    "to": $0.to, "state": t["mail_state_\($0.state)", default: $0.state],
                    "at": PageFormat.timestamp($0.sentAt ?? $0.createdAt),
                    "error": $0.lastError ?? "",
                ]
            }
            data["has_mails"] = !mails.items.isEmpty
        }
        if let error, let problems = html.errors(error, context) {
            data["form_errors"] = problems.summary
            data["has_errors"] = true
            data["email_error"] = problems.byField["to"] ?? ""
        }
        if canCredit {
            data["credit_lines"] = invoice.document.lines.map {
                [
                    "number": $0.number, "name": $0.name, "quantity": PageFormat.decimal($0.quantity),
                    "unit": UnitCode.paperName($0.unit, english: PageFormat.locale == .en),
                ]
            }
            data["credit_href"] = "/invoices/\(id)/credit"
        }
        return try await render("invoice", "inv_invoice", data, request, context)
    }

    @Sendable func xml(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let text = context.parameters.get("id"), let id = InvoiceID(string: text) else { throw WebError.notFound }
        let (number, xml) = try await culise.invoiceXML(company: p.companyID, id: id, actor: .user(p))
        var headers = HTTPFields()
        headers[.contentType] = "application/xml; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(number.filter { $0.isLetter || $0.isNumber || $0 == "-" }).xml\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: xml)))
    }

    /// The A4 PDF, in the reader's language.
    @Sendable func pdf(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let text = context.parameters.get("id"), let id = InvoiceID(string: text) else { throw WebError.notFound }
        let (name, data) = try await culise.invoicePDF(
            company: p.companyID, id: id, locale: NumberLocale(rawValue: context.locale) ?? .ro, actor: .user(p))
        return Self.pdfResponse(name: name, data: data)
    }

    /// Queues the invoice's e-mail (PDF and XML) to the typed address or the partner's billing contact.
    @Sendable func email(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let text = context.parameters.get("id"), let id = InvoiceID(string: text) else { throw WebError.notFound }
        let to = context.form["to"].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        do {
            _ = try await culise.emailInvoice(company: p.companyID, id: id, to: to, language: context.locale, actor: .user(p))
        } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
            return try await show(request, context: context, error: error)
        }
        return redirect(to: "/invoices/\(id)?flash=invoice_emailed")
    }

    @Sendable func approve(_ request: Request, context: WebContext) async throws -> Response { try await decide(context, approve: true) }

    @Sendable func reject(_ request: Request, context: WebContext) async throws -> Response { try await decide(context, approve: false) }

    /// Approves or rejects a request and returns to its document; the policy (never one's own document) is the use case's.
    func decide(_ context: WebContext, approve: Bool) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let text = context.parameters.get("id"), let id = ApprovalID(string: text) else { throw WebError.notFound }
        let decided = try await culise.decideApproval(
            company: p.companyID, id: id, approve: approve, comment: context.form["comment"], actor: .user(p))
        return redirect(to: "/bills/\(decided.documentID)?flash=\(approve ? "approval_approved" : "approval_rejected")")
    }

    static func pdfResponse(name: String, data: Data) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/pdf"
        headers[.contentDisposition] =
            "inline; filename=\"\(name.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." })\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    /// Runs an action on one invoice and returns to its page; a refusal is shown there as a flash of its message.
    func invoiceAction(_ context: WebContext, _ body: (Principal, InvoiceID) async throws -> InvoiceID) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let text = context.parameters.get("id"), let id = InvoiceID(string: text) else { throw WebError.notFound }
        let target = try await body(p, id)
        return redirect(to: "/invoices/\(target)")
    }

    @Sendable func issue(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let text = context.parameters.get("id"), let id = InvoiceID(string: text) else { throw WebError.notFound }
        let issued = try await culise.issueDraft(company: p.companyID, id: id, actor: .user(p))
        return redirect(to: "/invoices/\(issued.id)\(issued.warnings.isEmpty ? "" : "?flash=invoice_issued_late")")
    }

    /// A full credit note when no quantity is given, otherwise one line per quantity typed.
    @Sendable func credit(_ request: Request, context: WebContext) async throws -> Response {
        let lines = context.form.compactMap { key, value -> Culise.CreditLine? in
            guard key.hasPrefix("credit."), let line = Int(key.dropFirst("credit.".count)),
                !value.trimmingCharacters(in: .whitespaces).isEmpty
            else { return nil }
            return Culise.CreditLine(line: line, quantity: value.trimmingCharacters(in: .whitespaces))
        }.sorted { $0.line < $1.line }
        let reason = context.form["reason"].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        return try await invoiceAction(context) { p, id in
            try await culise.creditInvoice(
                company: p.companyID, id: id, lines: lines.isEmpty ? nil : lines, reason: reason, actor: .user(p)
            ).id
        }
    }

    @Sendable func deleteDraft(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let text = context.parameters.get("id"), let id = InvoiceID(string: text) else { throw WebError.notFound }
        try await culise.deleteInvoiceDraft(company: p.companyID, id: id, actor: .user(p))
        return redirect(to: "/invoices")
    }

    func client() throws -> ANAFClient { try InvoiceAPI.required(anaf) }

    @Sendable func send(_ request: Request, context: WebContext) async throws -> Response {
        let client = try client()
        return try await invoiceAction(context) { p, id in
            _ = try await culise.sendEFactura(company: p.companyID, id: id, client: client, actor: .user(p))
            return id
        }
    }

    @Sendable func correct(_ request: Request, context: WebContext) async throws -> Response {
        try await invoiceAction(context) { p, id in
            try await culise.correctRejected(company: p.companyID, id: id, actor: .user(p)).reissued.id
        }
    }

    // MARK: bills

    func billsPage(_ request: Request, _ context: WebContext, outcomes: [IngestOutcome] = []) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let pageRequest = (try? HTMLRoutes.pageRequest(request)) ?? .first
        let state = request.uri.queryParameters["state"].map(String.init)
        let result = try await culise.bills(company: p.companyID, state: state, partner: nil, page: pageRequest, actor: .user(p))
        let rows: [[[String: Any]]] = result.items.map { bill in
            [
                Table.cell(bill.number, href: "/bills/\(bill.id)"), Table.cell(PageFormat.date(bill.issueDate)),
                Table.cell("\(bill.partner) · \(bill.document.seller.name)"),
                Table.cell(Self.money(bill.total), numeric: true), Table.cell(Self.money(bill.open), numeric: true),
                Table.cell(bill.currency.code),
                Table.cell(stateLabel(bill.state.rawValue, t)), Table.cell(bill.source == "efactura" ? "e-Factura" : t["bills_manual"]!),
            ]
        }
        let table = Table(
            caption: t["bills_title"]!,
            columns: ["col_number", "col_date", "col_partner", "col_total", "col_open", "col_currency", "col_state", "col_source"].map {
                Table.Column(label: t[$0] ?? $0)
            }, rows: rows, basePath: "/bills", query: ["state": state ?? ""], sort: nil, descending: false, offset: result.offset,
            limit: result.limit, total: result.total)
        let outcomeData = outcomes.map { outcome -> [String: Any] in
            var item: [String: Any] = [
                "file": outcome.file, "result": outcome.result.rawValue, "result_label": t["ingest_\(outcome.result.rawValue)"]!,
                "message": outcome.message, "warnings": outcome.warnings, "has_warnings": !outcome.warnings.isEmpty,
            ]
            if let bill = outcome.bill { item["href"] = "/bills/\(bill)" }
            return item
        }
        let refused = outcomes.contains { $0.result == .refused }
        return try await render(
            "bills", "bills_title",
            ["table": table.dictionary(t), "can_edit": canEdit(context), "outcomes": outcomeData, "has_outcomes": !outcomes.isEmpty],
            request, context,
            status: refused && outcomes.allSatisfy({ $0.result == .refused }) ? .unprocessableContent : .ok)
    }

    @Sendable func bills(_ request: Request, context: WebContext) async throws -> Response { try await billsPage(request, context) }

    @Sendable func newBill(_ request: Request, context: WebContext) async throws -> Response {
        try await documentForm(request, context, purchase: true)
    }

    @Sendable func createBill(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let input = Self.documentInput(context.form, purchase: true)
        do {
            let bill = try await culise.createBill(company: p.companyID, input, actor: .user(p))
            return redirect(to: "/bills/\(bill.id)?flash=bill_saved")
        } catch  where html.errors(error, context) != nil {
            return try await documentForm(request, context, purchase: true, values: context.form, error: error)
        }
    }

    @Sendable func ingest(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let files = context.files.map { (name: $0.filename, data: $0.data) }
        guard !files.isEmpty else {
            throw DomainError("efactura.no_file", field: "files", "To ingest e-invoices, you must choose at least one XML or ZIP file.")
        }
        let outcomes = try await culise.ingestEInvoices(
            company: p.companyID, files: files, acceptOtherBuyer: context.form["accept_other_buyer"] == "on", actor: .user(p))
        return try await billsPage(request, context, outcomes: outcomes)
    }

    func billPage(_ request: Request, _ context: WebContext, id: BillID, error: (any Error)? = nil) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let bill = try await culise.bill(company: p.companyID, id: id, actor: .user(p))
        let editable = bill.state == .draft && canEdit(context)
        let lines = bill.document.lines.enumerated().map { index, line -> [String: Any] in
            var row: [String: Any] = [
                "number": line.number, "name": line.name, "quantity": PageFormat.decimal(line.quantity), "net": Self.money(line.net),
                "vat": Self.vatLabel(line.vat), "editable": editable,
                "account": context.form["account.\(line.number)"]
                    ?? (line.account.isEmpty ? (bill.suggestions[safe: index]??.account ?? "") : line.account),
            ]
            if let suggestion = bill.suggestions[safe: index] ?? nil {
                row["suggestion"] = [
                    "explanation": suggestion.explanation, "confidence": String(format: "%.0f %%", suggestion.confidence * 100),
                ]
            }
            return row
        }
        var facts: [[String: Any]] = [
            ["label": t["col_state"]!, "value": stateLabel(bill.state.rawValue, t)],
            ["label": t["col_partner"]!, "value": "\(bill.partner) · \(bill.document.seller.name)"],
            ["label": t["inv_issue_date", default: ""], "value": PageFormat.date(bill.issueDate)],
            ["label": t["inv_due_date", default: ""], "value": bill.dueDate.map { PageFormat.date($0) } ?? ""],
            ["label": t["col_total", default: "col_total"], "value": PageFormat.money(bill.total)],
            ["label": t["col_source"]!, "value": bill.source == "efactura" ? "e-Factura" : t["bills_manual"]!],
        ]
        if bill.payable != bill.total {
            facts.append(["label": t["bills_payable", default: "bills_payable"], "value": PageFormat.money(bill.payable)])
        }
        if let entry = bill.entryID { facts.append(["label": t["inv_entry"]!, "value": "#\(entry)", "href": "/ledger/entries/\(entry)"]) }
        if bill.state != .draft { facts.append(["label": t["col_open", default: "col_open"], "value": PageFormat.money(bill.open)]) }
        let problems = error.flatMap { html.errors($0, context) }
        // The approval step: its history, and the decision form for someone who may decide.
        let approvals = try await culise.approvals(company: p.companyID, state: nil, documentID: bill.id.description, actor: .user(p))
        let rule = try await culise.approvalRule(company: p.companyID, documentType: "bill", actor: .user(p))
        let approvalRows: [[String: Any]] = approvals.map { request in
            let mayDecide =
                request.state == .pending && request.creator != p.email && request.requestedBy != p.email
                && (rule?.approverRoles.contains(p.role.rawValue) ?? false)
            return [
                "id": request.id.description, "state": t["approval_state_\(request.state.rawValue)", default: request.state.rawValue],
                "requested_by": request.requestedBy, "at": PageFormat.timestamp(request.createdAt), "decided_by": request.decidedBy ?? "",
                "comment": request.comment ?? "", "may_decide": mayDecide,
            ]
        }
        var data: [String: Any] = [
            "id": bill.id.description, "heading": "\(t[bill.isCreditNote ? "bills_credit_note" : "bills_bill"]!) \(bill.number)",
            "facts": facts,
            "lines": lines, "warnings": bill.warnings, "has_warnings": !bill.warnings.isEmpty, "can_post": editable,
            "needs_rate": editable && !bill.currency.isRON, "form_errors": problems?.summary ?? [],
            "has_errors": !(problems?.summary.isEmpty ?? true),
        ]
        let files = try await culise.documents(
            company: p.companyID, owner: DocumentOwner(type: "bill", id: bill.id.description), actor: .user(p))
        data["documents"] = files.map {
            [
                "id": $0.id.description, "name": $0.fileName, "type": $0.fileType.rawValue.uppercased(),
                "size": "\(($0.size + 1023) / 1024) KB", "can_delete": canEdit(context),
            ]
        }
        data["has_documents"] = !files.isEmpty
        data["can_attach"] = canEdit(context)
        data["approvals"] = approvalRows
        data["has_approvals"] = !approvalRows.isEmpty
        if let rule, bill.state == .draft {
            data["approval_rule"] = "\(t["approval_rule_from", default: "approval from"]) \(Self.money(rule.thresholdMinorUnits, "RON"))"
        }
        return try await render("bill", "bills_bill", data, request, context, status: error == nil ? .ok : .unprocessableContent)
    }

    @Sendable func bill(_ request: Request, context: WebContext) async throws -> Response {
        guard let text = context.parameters.get("id"), let id = BillID(string: text) else { throw WebError.notFound }
        return try await billPage(request, context, id: id)
    }

    @Sendable func postBill(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let text = context.parameters.get("id"), let id = BillID(string: text) else { throw WebError.notFound }
        var accounts: [Int: String] = [:]
        for (key, value) in context.form where key.hasPrefix("account.") {
            if let line = Int(key.dropFirst("account.".count)), !value.trimmingCharacters(in: .whitespaces).isEmpty {
                accounts[line] = value.trimmingCharacters(in: .whitespaces)
            }
        }
        let rate = context.form["exchange_rate"].flatMap { DecimalText.parse($0, scale: 6) }
        do {
            _ = try await culise.postBill(company: p.companyID, id: id, accounts: accounts, exchangeRate: rate, actor: .user(p))
            return redirect(to: "/bills/\(id)?flash=bill_posted")
        } catch  where html.errors(error, context) != nil {
            return try await billPage(request, context, id: id, error: error)
        }
    }

    // MARK: payments

    /// The chosen customer's open invoices as rows to tick on the receipt form (oldest first), each with its allocation
    /// fields; the invoice the form was opened from is ticked for `amount`.
    func openInvoices(
        _ values: [String: String], linked: String?, amount: String?, _ p: Principal, _ t: [String: String]
    ) async throws -> [[String: Any]] {
        guard let partner = values["partner"], !partner.isEmpty, values["direction"] ?? "in" == "in" else { return [] }
        // The customer's open invoices (issued or partly paid, as summaries: no document is decoded), page by page; the
        // form offers the oldest `Limits.linesPerDocument` (a receipt allocates to at most that many; the rest wait for
        // the next receipt, oldest first).
        var open: [InvoiceSummary] = []
        for state in [InvoiceState.issued, .partiallyPaid] {
            var offset = 0
            while true {
                let page = try await culise.invoiceSummaries(
                    company: p.companyID, filter: InvoiceFilter(state: state.rawValue, partner: partner),
                    page: try PageRequest(limit: Limits.maxPageSize, offset: offset), actor: .user(p))
                open += page.items.filter { $0.type != .creditNote && $0.open.minorUnits > 0 }
                guard let next = page.nextOffset else { break }
                offset = next
            }
        }
        open.sort { ($0.issueDate, $0.number ?? "") < ($1.issueDate, $1.number ?? "") }
        return open.prefix(Limits.linesPerDocument).enumerated().map { index, invoice in
            let id = invoice.id.description
            let typed = values["allocations[\(index)].amount"] ?? (id == linked ? amount ?? PageFormat.amount(invoice.open) : "")
            return [
                "i": index, "id": id, "number": invoice.number ?? "", "date": PageFormat.date(invoice.issueDate),
                "open": PageFormat.amount(invoice.open), "currency": invoice.currency, "amount": typed, "ticked": !typed.isEmpty,
            ]
        }
    }

    func paymentsPage(
        _ request: Request, _ context: WebContext, values: [String: String] = [:], error: (any Error)? = nil
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        // "Record receipt" from an invoice: the form opens for its partner with that invoice ticked for its open amount.
        var values = values
        if values.isEmpty, let partner = request.uri.queryParameters["partner"].map(String.init) {
            values["partner"] = partner
            values["direction"] = "in"
            if let amount = request.uri.queryParameters["amount"].map(String.init) { values["amount"] = amount }
        }
        let linked = request.uri.queryParameters["document"].map(String.init)
        let openItems = try await openInvoices(values, linked: linked, amount: values["amount"], p, t)
        let pageRequest = (try? HTMLRoutes.pageRequest(request)) ?? .first
        let result = try await culise.payments(company: p.companyID, partner: nil, page: pageRequest, actor: .user(p))
        let rows: [[[String: Any]]] = result.items.map { payment in
            [
                Table.cell(PageFormat.date(payment.date)), Table.cell(t["pay_\(payment.direction)"] ?? payment.direction),
                Table.cell(payment.partner),
                Table.cell(Self.money(payment.amount), numeric: true), Table.cell(payment.currency.code), Table.cell(payment.account),
                Table.cell(payment.reference ?? ""), Table.cell("#\(payment.entryID)", href: "/ledger/entries/\(payment.entryID)"),
            ]
        }
        let table = Table(
            caption: t["pay_title"]!,
            columns: [
                "col_date", "col_direction", "col_partner", "col_amount", "col_currency", "col_account", "col_reference", "inv_entry",
            ].map {
                Table.Column(label: t[$0] ?? $0)
            }, rows: rows, basePath: "/payments", query: [:], sort: nil, descending: false, offset: result.offset, limit: result.limit,
            total: result.total)
        let problems = error.flatMap { html.errors($0, context) }
        let errors = problems?.byField ?? [:]
        func field(_ name: String, _ key: String, type: String = "text", fallback: String = "") -> Field {
            Field(name: name, label: t[key] ?? key, type: type, value: values[name] ?? fallback, error: errors[name])
        }
        let partners = try await culise.searchPartners(company: p.companyID, query: nil, page: try PageRequest(limit: 500), actor: .user(p))
            .items
        let fields = [
            Field(
                name: "direction", label: t["col_direction"]!, value: values["direction"] ?? "in", error: errors["direction"],
                choices: [("in", t["pay_in"]!), ("out", t["pay_out"]!)]),
            Field(
                name: "partner", label: t["col_partner"]!, value: values["partner"] ?? "", error: errors["partner"],
                choices: [("", "—")] + partners.map { ($0.code, "\($0.name) (\($0.code))") }),
            field("date", "col_date", type: "date", fallback: culise.today.iso),
            Field(
                name: "method", label: t["field_method"]!, value: values["method"] ?? "bank", error: errors["method"],
                choices: [("bank", t["pay_bank"]!), ("cash", t["pay_cash"]!)]),
            field("amount", "col_amount"), field("currency", "col_currency", fallback: "RON"),
            field("exchange_rate", "field_exchange_rate"),
            field("reference", "col_reference"),
            Field(name: "write_off", label: t["pay_write_off"]!, type: "checkbox", checked: values["write_off"] == "true"),
        ]
        let allocationFields = (0..<5).flatMap { index in
            [
                Field(
                    name: "allocations[\(index)].document", label: "\(t["pay_document"]!) \(index + 1)",
                    value: values["allocations[\(index)].document"] ?? "",
                    error: errors["allocations[\(index)].document"]),
                Field(
                    name: "allocations[\(index)].amount", label: "\(t["col_amount"]!) \(index + 1)",
                    value: values["allocations[\(index)].amount"] ?? "",
                    error: errors["allocations[\(index)].amount"]),
            ]
        }
        let data: [String: Any] = [
            "table": table.dictionary(t), "can_edit": canEdit(context), "fields": fields.map(\.dictionary),
            "allocation_fields": allocationFields.map(\.dictionary), "form_errors": problems?.summary ?? [],
            "open_items": openItems, "has_open": !openItems.isEmpty,
            "has_errors": !(problems?.summary.isEmpty ?? true),
        ]
        return try await render("payments", "pay_title", data, request, context, status: error == nil ? .ok : .unprocessableContent)
    }

    @Sendable func payments(_ request: Request, context: WebContext) async throws -> Response { try await paymentsPage(request, context) }

    @Sendable func recordPayment(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        let text = { (key: String) -> String? in form[key].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        // The open-invoices table posts every row; a row left unticked (no amount) allocates nothing.
        let ticked = form["open_items"] == "true"
        let allocations = (0..<Limits.linesPerDocument).compactMap { index -> PaymentInput.Allocation? in
            guard let document = text("allocations[\(index)].document") else { return nil }
            if ticked && text("allocations[\(index)].amount") == nil { return nil }
            return .init(document: document, amount: text("allocations[\(index)].amount") ?? "")
        }
        let input = PaymentInput(
            direction: form["direction"] ?? "in", partner: form["partner"] ?? "", date: text("date"), method: text("method"),
            currency: text("currency"),
            amount: form["amount"] ?? "", exchangeRate: text("exchange_rate"), reference: text("reference"), allocations: allocations,
            writeOff: form["write_off"] == "true")
        do {
            _ = try await culise.recordPayment(company: p.companyID, input, actor: .user(p))
            return redirect(to: "/payments?flash=payment_recorded")
        } catch  where html.errors(error, context) != nil {
            return try await paymentsPage(request, context, values: form, error: error)
        }
    }

    // MARK: aging, dunning, e-Factura

    @Sendable func aging(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let side = request.uri.queryParameters["side"].map(String.init) == "payable" ? "payable" : "receivable"
        let asOfText = request.uri.queryParameters["as_of"].map(String.init) ?? ""
        let asOf = (try? LocalDate(iso: asOfText)) ?? culise.today
        let report = try await culise.aging(company: p.companyID, side: side, asOf: asOf, actor: .user(p))
        let buckets = AgingBucket.allCases.map(\.rawValue)
        var rows: [[[String: Any]]] = report.rows.map { row in
            [Table.cell("\(row.partner) · \(row.name ?? "")")] + buckets.map { Table.cell(Self.money(row.buckets[$0] ?? 0), numeric: true) }
                + [Table.cell(Self.money(row.unallocated), numeric: true), Table.cell(Self.money(row.total), numeric: true)]
        }
        rows.append(
            [Table.cell(t["total"]!)] + buckets.map { Table.cell(Self.money(report.totals[$0] ?? 0), numeric: true) }
                + [Table.cell(Self.money(report.unallocated), numeric: true), Table.cell(Self.money(report.total), numeric: true)])
        let table = Table(
            caption: "\(t["aging_\(side)"]!) · \(PageFormat.date(asOf))",
            columns: [Table.Column(label: t["col_partner"]!)] + buckets.map { Table.Column(label: t["aging_bucket_\($0)"] ?? $0) }
                + [Table.Column(label: t["aging_unallocated"]!), Table.Column(label: t["col_total"]!)], rows: rows, basePath: "/aging",
            query: ["side": side, "as_of": asOf.iso], sort: nil, descending: false, offset: 0, limit: max(rows.count, 1), total: rows.count)
        let filters = [
            Field(
                name: "side", label: t["aging_side"]!, value: side,
                choices: [("receivable", t["aging_receivable"]!), ("payable", t["aging_payable"]!)]),
            Field(name: "as_of", label: t["field_as_of"]!, type: "date", value: asOf.iso),
        ]
        return try await render(
            "aging", "aging_title",
            ["heading": t["aging_title"]!, "table": table.dictionary(t), "filter_fields": filters.map(\.dictionary)], request,
            context)
    }

    func dunningFields(_ t: [String: String], _ values: [String: String]) -> [Field] {
        [
            Field(name: "as_of", label: t["field_as_of", default: "as_of"], type: "date", value: values["as_of"] ?? culise.today.iso),
            Field(
                name: "language", label: t["field_language"]!, value: values["language"] ?? "ro",
                choices: [("ro", "Română"), ("en", "English")]),
        ]
    }

    @Sendable func dunningPage(_ request: Request, context: WebContext) async throws -> Response {
        let t = html.t(context)
        return try await render(
            "dunning", "dun_title",
            ["fields": dunningFields(t, [:]).map(\.dictionary), "can_edit": canEdit(context), "notices": [[String: Any]]()],
            request, context)
    }

    @Sendable func runDunning(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let asOf = try LocalDate(iso: context.form["as_of"] ?? culise.today.iso, field: "as_of")
        let language = context.form["language"] == "en" ? "en" : "ro"
        let notices = try await culise.dunningRun(company: p.companyID, asOf: asOf, language: language, actor: .user(p))
        let data: [String: Any] = [
            "fields": dunningFields(t, context.form).map(\.dictionary), "can_edit": canEdit(context), "ran": true,
            "summary": (t["dun_summary"] ?? "{n}").replacingOccurrences(of: "{n}", with: String(notices.count)),
            "notices": notices.map { notice -> [String: Any] in
                var item: [String: Any] = [
                    "partner": notice.partner, "name": notice.name, "text": notice.text,
                    "level_label": t["dun_level_\(notice.level)"] ?? "\(notice.level)",
                ]
                if let email = notice.email { item["email"] = email }
                return item
            },
        ]
        return try await render("dunning", "dun_title", data, request, context)
    }

    @Sendable func outbox(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let items = try await culise.outbox(company: p.companyID, pendingOnly: request.uri.queryParameters["all"] == nil, actor: .user(p))
        let rows: [[[String: Any]]] = items.map { item in
            [
                Table.cell(item.number, href: "/invoices/\(item.invoice)"), Table.cell(PageFormat.date(item.issueDate)),
                Table.cell(item.partner),
                Table.cell(stateLabel("ef_" + item.state, t)), Table.cell(PageFormat.date(item.deadline)),
                Table.cell(item.state == "accepted" ? "" : PageFormat.businessDaysLeft(item.daysLeft, t), numeric: true),
                Table.cell(item.uploadIndex ?? ""),
                Table.cell(item.errors.joined(separator: "; ")),
            ]
        }
        let table = Table(
            caption: t["ef_title"]!,
            columns: [
                "col_number", "col_date", "col_partner", "col_state", "ef_deadline", "ef_days_left", "ef_upload_index", "ef_messages",
            ].map {
                Table.Column(label: t[$0] ?? $0)
            }, rows: rows, basePath: "/efactura", query: [:], sort: nil, descending: false, offset: 0, limit: max(rows.count, 1),
            total: rows.count)
        return try await render(
            "efactura", "ef_title", ["table": table.dictionary(t), "configured": anaf != nil, "can_send": anaf != nil && canEdit(context)],
            request,
            context)
    }

    @Sendable func sendAll(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let client = try client()
        for item in try await culise.outbox(company: p.companyID, pendingOnly: true, actor: .user(p))
        where ["validated", "failed", "upload_unknown"].contains(item.state) {
            _ = try await culise.sendEFactura(company: p.companyID, id: item.invoice, client: client, actor: .user(p))
        }
        return redirect(to: "/efactura?flash=efactura_sent")
    }

    @Sendable func refresh(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try await culise.refreshEFactura(company: p.companyID, client: try client(), actor: .user(p))
        return redirect(to: "/efactura?flash=efactura_refreshed")
    }

    // MARK: settings

    func settingsView(
        _ request: Request, _ context: WebContext, values: [String: String]? = nil, error: (any Error)? = nil
    ) async throws
        -> Response
    {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let settings = try await culise.invoiceSettings(company: p.companyID, actor: .user(p))
        let series = try await culise.series(company: p.companyID, actor: .user(p))
        let problems = error.flatMap { html.errors($0, context) }
        let errors = problems?.byField ?? [:]
        let current =
            values ?? [
                "default_series": settings.defaultSeries, "iban": settings.iban ?? "", "email": settings.email ?? "",
                "phone": settings.phone ?? "",
                "write_off_limit": String(settings.writeOffLimit),
            ]
        let fields = [
            Field(
                name: "default_series", label: t["field_default_series"]!, value: current["default_series"] ?? "", error: errors["series"],
                choices: series.map { ($0.code, "\($0.code) · \($0.name)") }),
            Field(name: "iban", label: t["field_iban"]!, value: current["iban"] ?? "", error: errors["iban"]),
            Field(name: "email", label: t["field_email"]!, type: "email", value: current["email"] ?? ""),
            Field(name: "phone", label: t["field_phone"]!, value: current["phone"] ?? ""),
            Field(
                name: "write_off_limit", label: t["field_write_off_limit"]!, value: current["write_off_limit"] ?? "",
                error: errors["write_off_limit"]),
        ]
        let seriesFields = [
            Field(name: "code", label: t["field_series_code"]!, error: errors["code"]), Field(name: "name", label: t["field_series_name"]!),
            Field(name: "year", label: t["field_year", default: "year"], value: String(culise.today.year)),
            Field(name: "first_number", label: t["field_first_number"]!, error: errors["first_number"]),
        ]
        let data: [String: Any] = [
            "fields": fields.map(\.dictionary), "series_fields": seriesFields.map(\.dictionary),
            "series": series.map { ["code": $0.code, "name": $0.name] }, "form_errors": problems?.summary ?? [],
            "has_errors": !(problems?.summary.isEmpty ?? true),
        ]
        return try await render(
            "invoicing_settings", "set_title", data, request, context, status: error == nil ? .ok : .unprocessableContent)
    }

    @Sendable func settingsPage(_ request: Request, context: WebContext) async throws -> Response {
        try await settingsView(request, context)
    }

    @Sendable func saveSettings(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        let text = { (key: String) -> String? in form[key].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        do {
            guard let limit = Int64(form["write_off_limit"] ?? "") else {
                throw DomainError(
                    "invoice.write_off_limit", field: "write_off_limit",
                    "You cannot use that threshold; write a whole number of bani, like 500.")
            }
            try await culise.updateInvoiceSettings(
                company: p.companyID,
                InvoiceSettings(
                    defaultSeries: form["default_series"] ?? "", iban: text("iban"), email: text("email"), phone: text("phone"),
                    writeOffLimit: limit),
                actor: .user(p))
            return redirect(to: "/invoicing/settings?flash=settings_saved")
        } catch  where html.errors(error, context) != nil {
            return try await settingsView(request, context, values: form, error: error)
        }
    }

    @Sendable func saveSeries(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        do {
            try await culise.saveSeries(
                company: p.companyID, code: form["code"] ?? "", name: form["name"],
                year: form["year"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) },
                firstNumber: form["first_number"].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }, actor: .user(p))
            return redirect(to: "/invoicing/settings?flash=series_saved")
        } catch  where html.errors(error, context) != nil {
            return try await settingsView(request, context, error: error)
        }
    }

    // MARK: products

    func productsPage(
        _ request: Request, _ context: WebContext, values: [String: String] = [:], error: (any Error)? = nil
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let query = request.uri.queryParameters["q"].map(String.init) ?? ""
        let pageRequest = (try? HTMLRoutes.pageRequest(request)) ?? .first
        let result = try await culise.products(
            company: p.companyID, query: query, includeArchived: false, page: pageRequest, actor: .user(p))
        let editable = canEdit(context)
        let rows: [[[String: Any]]] = result.items.map { product in
            var last = Table.cell(product.purchaseAccount)
            if editable { last["row_action"] = ["href": "/products/\(product.code)/archive", "label": t["prod_archive"]!] }
            return [
                Table.cell(product.code), Table.cell(product.name), Table.cell(product.unit),
                Table.cell(PageFormat.price(product.unitPrice), numeric: true),
                Table.cell(
                    product.vatCategory == .standard
                        ? (t["vat_\(product.vatRateKind?.rawValue ?? "standard")"] ?? "S") : product.vatCategory.rawValue),
                Table.cell(product.salesAccount), last,
            ]
        }
        let table = Table(
            caption: t["prod_title"]!,
            columns: ["col_code", "col_name", "col_unit", "col_unit_price", "col_vat", "col_sales_account", "col_purchase_account"].map {
                Table.Column(label: t[$0] ?? $0)
            }, rows: rows, basePath: "/products", query: ["q": query], sort: nil, descending: false, offset: result.offset,
            limit: result.limit,
            total: result.total)
        let problems = error.flatMap { html.errors($0, context) }
        let errors = problems?.byField ?? [:]
        func field(_ name: String, _ key: String, fallback: String = "") -> Field {
            Field(name: name, label: t[key] ?? key, value: values[name] ?? fallback, error: errors[name])
        }
        let fields = [
            field("code", "col_code"), field("name", "col_name"),
            Field(
                name: "unit", label: t["col_unit"]!, value: values["unit"] ?? "H87", error: errors["unit"],
                choices: UnitCode.names.sorted { $0.key < $1.key }.map { ($0.key, "\($0.key) · \($0.value)") }),
            field("unit_price", "col_unit_price"),
            Field(
                name: "vat", label: t["col_vat"]!, value: values["vat"] ?? "S:standard", error: errors["vat_category"],
                choices: Self.vatChoices(t)),
            field("exemption_reason", "field_exemption_reason"), field("sales_account", "col_sales_account"),
            field("purchase_account", "col_purchase_account"),
        ]
        let data: [String: Any] = [
            "table": table.dictionary(t), "can_edit": editable,
            "search_fields": [Field(name: "q", label: t["field_search"]!, type: "search", value: query).dictionary],
            "fields": fields.map(\.dictionary), "form_errors": problems?.summary ?? [], "has_errors": !(problems?.summary.isEmpty ?? true),
        ]
        return try await render("products", "prod_title", data, request, context, status: error == nil ? .ok : .unprocessableContent)
    }

    @Sendable func products(_ request: Request, context: WebContext) async throws -> Response { try await productsPage(request, context) }

    @Sendable func createProduct(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        let vat = (form["vat"] ?? "S:standard").split(separator: ":").map(String.init)
        let text = { (key: String) -> String? in form[key].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        let input = ProductInput(
            code: form["code"] ?? "", name: form["name"] ?? "", unit: form["unit"] ?? "", unitPrice: form["unit_price"] ?? "",
            vatCategory: vat.first ?? "S", vatRateKind: vat.count > 1 ? vat[1] : nil, exemptionReason: text("exemption_reason"),
            salesAccount: text("sales_account"), purchaseAccount: text("purchase_account"))
        do {
            _ = try await culise.createProduct(company: p.companyID, input, actor: .user(p))
            return redirect(to: "/products?flash=product_added")
        } catch  where html.errors(error, context) != nil {
            return try await productsPage(request, context, values: form, error: error)
        }
    }

    @Sendable func archiveProduct(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        try await culise.archiveProduct(company: p.companyID, code: code, actor: .user(p))
        return redirect(to: "/products?flash=product_archived")
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
