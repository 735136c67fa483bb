import Application
import Assembly
import BankingApp
import Documents
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp
import TestSupport
import Testing
import Web

@Suite struct DocumentWebTests {
    /// A scan attached on the bill page downloads as an attachment with its type; an executable renamed .pdf is refused
    /// by the API; an HR user gets 404 for the file, on the page route and the API.
    @Test(arguments: Engine.available)
    func attachDownloadAndAccess(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            let bill = try await culise.createBill(
                company: setup.company,
                DocumentInput(
                    partner: "DELTA", number: "F-5", issueDate: "2026-12-01",
                    lines: [LineInput(description: "Toner", quantity: "1", unitPrice: "100", account: "604")]), actor: setup.actor)
            try await browser.login("admin@alfa.ro", Fixtures.password)
            let csrf = try await browser.csrf(from: "/bills/\(bill.id)")
            let boundary = "culise-doc-boundary"
            var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(csrf)\r\n".utf8)
            body.append(
                Data(
                    "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"scan.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
                        .utf8))
            body.append(Data("%PDF-1.4\nscan\n".utf8))
            body.append(Data("\r\n--\(boundary)--\r\n".utf8))
            var headers = HTTPFields()
            headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
            let uploaded = try await browser.request(.post, "/bills/\(bill.id)/documents", headers: headers, body: ByteBuffer(data: body))
            #expect(uploaded.status == .seeOther)
            let files = try await culise.documents(
                company: setup.company, owner: DocumentOwner(type: "bill", id: bill.id.description), actor: setup.actor)
            let file = try #require(files.first)
            #expect(try await browser.get("/bills/\(bill.id)").text.contains("/documents/\(file.id)"))
            let download = try await browser.get("/documents/\(file.id)")
            #expect(download.status == .ok && download.headers[.contentType] == "application/pdf")
            #expect(download.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"scan.pdf\"") == true)
            #expect(Data(buffer: download.body) == Data("%PDF-1.4\nscan\n".utf8))
            let (_, token) = try await culise.createToken(user: setup.admin.userID, company: setup.company, name: "d", actor: setup.actor)
            let exe = try await browser.client.execute(
                uri: "/api/v1/bills/\(bill.id)/documents?filename=factura.pdf", method: .post,
                headers: [.authorization: "Bearer \(token)", .contentType: "application/octet-stream"],
                body: ByteBuffer(bytes: [0x4D, 0x5A, 0x90, 0, 3, 0, 0, 0]))
            #expect(exe.status == .unprocessableContent && String(buffer: exe.body).contains("document.type"))
            // HR has no invoicing access: the file does not exist for them.
            let hrID = try await culise.addUser(
                email: "hr@alfa.ro", displayName: "HR", password: Fixtures.password, company: setup.company, role: .hr,
                actor: .system("test"))
            let hr = Browser(browser.client)
            try await hr.login("hr@alfa.ro", Fixtures.password)
            #expect(try await hr.get("/documents/\(file.id)").status == .notFound)
            let (_, hrToken) = try await culise.createToken(
                user: hrID, company: setup.company, name: "h",
                actor: .user(Principal(userID: hrID, email: "hr@alfa.ro", displayName: "HR", companyID: setup.company, role: .hr)))
            #expect(try await browser.api(.get, "/api/v1/documents/\(file.id)", token: hrToken).status == .notFound)
        }
    }
}
