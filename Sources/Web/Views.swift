import Application
import Assembly
import BankingApp
import Foundation
import HTTPTypes
import Hummingbird
import Identity
import InvoicingApp
import Kernel
import Ledger
import LedgerApp
import Mustache
import PartnersApp

/// UI strings per language, loaded from `Locales/*.json`. Templates never hold text of their own.
public struct Catalog: Sendable {
    public static let defaultLocale = "ro"
    public static let locales = ["ro", "en"]
    public let strings: [String: [String: String]]
    /// Romanian texts of domain errors by stable id; English shows the domain's own message.
    public var errorsRO: [String: String] = [:]

    public static func load() throws -> Catalog {
        var strings: [String: [String: String]] = [:]
        for locale in locales {
            guard let url = Bundle.module.url(forResource: locale, withExtension: "json", subdirectory: "Locales") else {
                throw WebError(.internalServerError, "internal.catalog", "The \(locale) catalogue is missing from the resources.")
            }
            strings[locale] = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url))
        }
        var catalog = Catalog(strings: strings)
        // One Romanian refusal catalogue per context (`Locales/errors/<context>.ro.json`); an id lives in one file only.
        for case let url as URL in Bundle.module.urls(forResourcesWithExtension: "json", subdirectory: "Locales/errors") ?? [] {
            for (id, text) in try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url)) {
                guard catalog.errorsRO.updateValue(text, forKey: id) == nil else {
                    throw WebError(.internalServerError, "internal.catalog", "The error id \(id) is in two catalogues.")
                }
            }
        }
        return catalog
    }

    /// The message of a problem in the reader's language.
    public func message(id: String, fallback: String, _ locale: String) -> String {
        locale == "ro" ? errorsRO[id] ?? fallback : fallback
    }

    public func table(_ locale: String) -> [String: String] { strings[locale] ?? strings[Catalog.defaultLocale] ?? [:] }

    public func text(_ key: String, _ locale: String) -> String { table(locale)[key] ?? key }
}

/// A form field as the `field` partial renders it.
struct Field {
    var name: String
    var label: String
    var type = "text"
    var value = ""
    var error: String?
    var required = false
    var autocomplete: String?
    var hint: String?
    var choices: [(value: String, label: String)]? = nil
    var checked = false

    var dictionary: [String: Any] {
        var result: [String: Any] = [
            "name": name, "label": label, "type": type, "value": value, "required": required,
            "is_select": choices != nil, "is_checkbox": type == "checkbox", "is_input": choices == nil && type != "checkbox",
            "checked": checked,
        ]
        if type == "date" {
            // A Romanian page types dates in Romanian order in a text input; an English one keeps the date picker.
            for (key, text) in PageFormat.dateInput { result[key] = text }
            result["type"] = PageFormat.dateInput["date_type"]
            result["value"] = PageFormat.inputDate(text: value)
        }
        if let error { result["error"] = error }
        if let autocomplete { result["autocomplete"] = autocomplete }
        if let hint { result["hint"] = hint }
        if let choices {
            result["choices"] = choices.map { ["value": $0.value, "label": $0.label, "selected": $0.value == value] }
        }
        return result
    }
}

/// A data table as the `table` partial renders it: sortable headers and a pager.
struct Table {
    struct Column {
        var label: String
        var sortKey: String?
    }
    var caption: String
    var columns: [Column]
    var rows: [[[String: Any]]]
    var basePath: String
    var query: [String: String]
    var sort: String?
    var descending: Bool
    var offset: Int
    var limit: Int
    var total: Int

    func dictionary(_ t: [String: String]) -> [String: Any] {
        let columnData: [[String: Any]] = columns.map { column in
            var entry: [String: Any] = ["label": column.label]
            if let key = column.sortKey {
                let isSorted = key == sort
                let nextDescending = isSorted ? !descending : false
                entry["sort_href"] = link(["sort": key, "dir": nextDescending ? "desc" : "asc", "offset": "0"])
                if isSorted {
                    entry["sorted"] = true
                    entry["arrow"] = descending ? "▼" : "▲"
                    entry["aria_sort"] = descending ? "descending" : "ascending"
                }
            }
            return entry
        }
        var result: [String: Any] = [
            "caption": caption, "columns": columnData, "rows": rows.map { ["cells": $0] },
        ]
        let from = total == 0 ? 0 : offset + 1
        let to = min(offset + limit, total)
        result["page_info"] = (t["page_info"] ?? "{from}–{to} / {total}")
            .replacingOccurrences(of: "{from}", with: String(from)).replacingOccurrences(of: "{to}", with: String(to))
            .replacingOccurrences(of: "{total}", with: String(total))
        // A table that holds all its rows (a report) downloads as CSV with the page's session (`PeopleCSV`); a paged
        // list does not, since one page would silently cut the data.
        if offset == 0 && rows.count >= total {
            result["complete"] = true
            result["csv_href"] = link(["format": "csv"])
        }
        if offset > 0 { result["prev_href"] = link(["offset": String(max(0, offset - limit))]) }
        if offset + limit < total { result["next_href"] = link(["offset": String(offset + limit)]) }
        return result
    }

    func link(_ changes: [String: String]) -> String {
        var items = query
        if let sort { items["sort"] = sort }
        items["dir"] = descending ? "desc" : "asc"
        for (key, value) in changes { items[key] = value }
        var components = URLComponents()
        components.path = basePath
        components.queryItems = items.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map {
            URLQueryItem(name: $0.key, value: $0.value)
        }
        return components.string ?? basePath
    }

    static func cell(_ text: String, href: String? = nil, numeric: Bool = false) -> [String: Any] {
        var cell: [String: Any] = ["text": text, "numeric": numeric]
        if let href { cell["href"] = href }
        return cell
    }
}

/// Renders pages: the page template into the layout, with the catalogue, navigation and switcher.
public struct Views: Sendable {
    let library: MustacheLibrary
    let catalog: Catalog

    public static func load() async throws -> Views {
        guard let url = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw WebError(.internalServerError, "internal.templates", "The templates are missing from the resources.")
        }
        return Views(library: try loadLibrary(url), catalog: try Catalog.load())
    }

    /// Templates live in one folder per context (`Templates/invoicing/invoice.mustache`) with the shared layout and
    /// partials at the top; each is named by its file name alone, so names must be unique across folders.
    static func loadLibrary(_ folder: URL) throws -> MustacheLibrary {
        var library = MustacheLibrary()
        var seen: [String: String] = [:]
        let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []
        for path in files.sorted() where path.hasSuffix(".mustache") {
            let name = String(path.split(separator: "/").last ?? "").replacingOccurrences(of: ".mustache", with: "")
            if let other = seen[name] {
                throw WebError(.internalServerError, "internal.templates", "Two templates are named \(name): \(other) and \(path).")
            }
            seen[name] = path
            let text = try String(contentsOf: folder.appendingPathComponent(path), encoding: .utf8)
            try library.register(text, named: name)
        }
        return library
    }

    /// The navigation entries the role may see, in order.
    static let navigation: [(area: Area, href: String, key: String)] = [
        (.home, "/home", "nav_home"), (.accounting, "/ledger", "nav_accounting"), (.invoicing, "/invoices", "nav_invoicing"),
        (.banking, "/bank", "nav_banking"), (.hr, "/people", "nav_people"), (.payroll, "/payroll", "nav_payroll"),
        (.payroll, "/filings", "nav_filings"), (.accounting, "/vat", "nav_vat"),
        (.accounting, "/saft", "nav_saft"), (.accounting, "/filing-calendar", "nav_filing_calendar"),
        (.company, "/company", "nav_company"),
        (.users, "/users", "nav_users"),
        (.audit, "/audit", "nav_audit"), (.audit, "/jobs", "nav_jobs"), (.profile, "/me", "nav_me"), (.profile, "/profile", "nav_profile"),
    ]

    func render(
        _ template: String, titleKey: String, data: [String: Any], context: WebContext, request: Request,
        companies: [(id: String, name: String)] = [], status: HTTPResponse.Status = .ok, flash: String? = nil, unread: Int = 0
    ) -> Response {
        let t = catalog.table(context.locale)
        if request.uri.queryParameters["format"] == "csv", let table = data["table"] as? [String: Any], table["complete"] as? Bool == true {
            return PeopleCSV.response(table, name: titleKey, locale: context.locale)
        }
        var page = data
        page["t"] = t
        page["csrf"] = context.csrfToken
        page["lang"] = context.locale
        page["date_input"] = PageFormat.dateInput
        if let session = context.session, !session.pendingSecondFactor {
            page["user"] = ["display_name": session.displayName, "email": session.email]
        }
        let content = library.render(page, withTemplate: template) ?? ""
        var layout: [String: Any] = [
            "t": t, "title": t[titleKey] ?? titleKey, "content": content, "csrf": context.csrfToken,
            "lang": context.locale, "path": request.uri.path,
        ]
        let other = context.locale == "ro" ? "en" : "ro"
        layout["other_lang"] = other
        layout["other_lang_label"] = catalog.text("lang_label", other)
        if let flash { layout["flash"] = flash }
        if let session = context.session, !session.pendingSecondFactor {
            layout["user"] = ["display_name": session.displayName, "email": session.email]
            if let role = session.role { layout["role"] = t["role_\(role.rawValue)"] ?? role.rawValue }
            let current = request.uri.path
            layout["nav"] = Views.navigation.filter { entry in
                entry.area == .profile || (session.role.map { Policy.allows($0, entry.area, .read) } ?? false)
            }.map { entry -> [String: Any] in
                ["href": entry.href, "label": t[entry.key] ?? entry.key, "active": current.hasPrefix(entry.href)]
            }
            layout["unread"] = unread
            layout["has_unread"] = unread > 0
            layout["has_switcher"] = companies.count > 1
            layout["companies"] = companies.map {
                ["id": $0.id, "name": $0.name, "selected": $0.id == session.companyID?.description]
            }
        }
        let html = library.render(layout, withTemplate: "layout") ?? ""
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The friendly error page for browsers.
    func errorPage(_ error: any Error, context: WebContext, request: Request) -> Response {
        let (status, id, described, fields) = ErrorMapping.describe(error)
        let message = catalog.message(id: id, fallback: described, context.locale)
        let t = catalog.table(context.locale)
        let heading = t["error_\(status.code)"] ?? t["error_500"] ?? "Error"
        var text = message
        if status == .forbidden, !(error is WebError) { text = t["error_403_text"] ?? message }
        if status == .notFound { text = t["error_404_text"] ?? message }
        if status == .internalServerError { text = t["error_500_text"] ?? message }
        if fields.count > 1 {
            text = fields.map { catalog.message(id: $0.id, fallback: $0.message, context.locale) }.joined(separator: " ")
        }
        var data: [String: Any] = ["heading": heading, "message": text, "request_id": context.requestID]
        // The way back: the page the reader came from, when it is one of ours (never another site).
        // Browsers say where a navigation came from (`Sec-Fetch-Site`); only a same-origin referrer is offered.
        if let referer = request.headers[.referer], let url = URL(string: referer),
            let site = HTTPTypes.HTTPField.Name("Sec-Fetch-Site"), request.headers[site] == "same-origin"
        {
            let back = Redirects.safeLocal(url.path + (url.query.map { "?" + $0 } ?? ""))
            if back != request.uri.path { data["back_href"] = back }
        }
        return render("error", titleKey: "title_error", data: data, context: context, request: request, status: status)
    }
}

/// A report's table as CSV for people (issue 13, item 4): what the page shows, in the reader's format (Romanian: `;`
/// between cells and `1.234,56`, which a Romanian spreadsheet reads as numbers; English: `,` and `1,234.56`), UTF-8 with
/// a byte-order mark so spreadsheets keep the diacritics. Text cells are neutralised against formula injection
/// (`CSV.cell`); the API's CSV stays in machine form.
enum PeopleCSV {
    static func response(_ table: [String: Any], name: String, locale: String) -> Response {
        let separator: Character = locale == "en" ? "," : ";"
        func text(_ cell: [String: Any]) -> String {
            let value = cell["text"] as? String ?? ""
            // Amounts are ours (`-1.234,56`): quoted, never prefixed; text cells are neutralised.
            return cell["numeric"] as? Bool == true ? CSV.quote(value, separator: separator) : CSV.cell(value, separator: separator)
        }
        let columns = (table["columns"] as? [[String: Any]] ?? []).map { text(["text": $0["label"] as? String ?? ""]) }
        var lines = [columns.joined(separator: String(separator))]
        for row in table["rows"] as? [[String: Any]] ?? [] {
            lines.append((row["cells"] as? [[String: Any]] ?? []).map(text).joined(separator: String(separator)))
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(name.filter { $0.isLetter || $0.isNumber || $0 == "_" }).csv\""
        return Response(
            status: .ok, headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n")))
    }
}
