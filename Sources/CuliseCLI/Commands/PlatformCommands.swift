import Application
import ArgumentParser
import Assembly
import BankingApp
import Companies
import EFactura
import Foundation
import Identity
import InvoicingApp
import Kernel
import LedgerApp
import Logging
import PartnersApp
import Storage
import Web

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the web server (HTML and /api/v1) until SIGTERM or SIGINT.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Address to listen on (env CULISE_HOST; default 127.0.0.1).") var host: String?
    @Option(help: "Port (env CULISE_PORT; default 8080).") var port: Int?
    @Option(
        help: "Secret for cookies and CSRF, at least 32 characters (env CULISE_SECRET_KEY; default: generated and stored in the database).")
    var secretKey: String?
    @Flag(help: "Send cookies without the Secure flag (only for plain HTTP on a trusted network; localhost does not need it).")
    var insecureCookies = false
    @Flag(help: "Create the demo company and its users first (idempotent).") var demo = false
    @Flag(help: "Run a local ANAF e-Factura simulator and send invoices to it (for demos and development; overrides CULISE_ANAF_URL).")
    var anafSimulator = false

    func run() async throws {
        let configuration = try global.configuration(
            host: host, port: port, secretKey: secretKey, secureCookies: insecureCookies ? false : nil)
        let logger = CLI.logger(configuration)
        let location = try DatabaseLocation(configuration.databaseURL)
        let culise: Culise
        do {
            culise = try await Culise.start(location, migrations: Schema.all, logger: logger, settings: configuration.appSettings)
            _ = try await culise.secretKey(configured: configuration.secretKey)
            if demo {
                let info = try await culise.seedDemo()
                print("Demo company: \(info.company.legalName) (\(info.company.fiscalCode))")
                print("Sign in at http://\(configuration.host):\(configuration.port)/login as \(info.email) / \(info.password)")
                fflush(nil)
            }
        } catch {
            throw CLI.explain(error)
        }
        var anaf = configuration.anafURL.flatMap(URL.init(string:)).map {
            ANAFConfiguration(baseURL: $0, token: configuration.anafToken ?? "")
        }
        var simulatorTask: Task<Void, any Error>?
        if anafSimulator {
            let simulator = ANAFSimulator(token: Secrets.random(bytes: 16))
            let (url, task) = try await simulator.start()
            simulatorTask = task
            anaf = ANAFConfiguration(baseURL: url, token: simulator.token)
            logger.info("ANAF simulator running", metadata: ["url": "\(url)"])
        }
        defer { simulatorTask?.cancel() }
        let server = try await WebServer.build(
            culise: culise, settings: WebSettings(secureCookies: configuration.secureCookies, anaf: anaf))
        var worker: JobWorker?
        if configuration.jobs {
            try await culise.installStandardSchedules()
            worker = JobWorker(culise: culise, handlers: CLI.jobHandlers(configuration, anaf: anaf))
        }
        logger.info(
            "serving",
            metadata: [
                "url": "http://\(configuration.host):\(configuration.port)", "database": "\(location)", "jobs": "\(configuration.jobs)",
            ])
        try await server.application(host: configuration.host, port: configuration.port, culise: culise, logger: logger, worker: worker)
            .runService()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let configuration = try global.configuration()
        let location = try DatabaseLocation(configuration.databaseURL)
        let database = try await Database.open(location, logger: CLI.logger(configuration))
        do {
            let report = try await Migrator.migrate(database, Schema.all, logger: CLI.logger(configuration))
            print(
                report.applied.isEmpty
                    ? "Up to date at version \(report.current)."
                    : "Applied \(report.applied.map(String.init).joined(separator: ", ")); now at version \(report.current).")
            await database.close()
        } catch {
            await database.close()
            throw CLI.explain(error)
        }
    }
}

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Print the effective configuration (secrets masked) and where each value came from.")
    @OptionGroup var global: GlobalOptions
    @Option var host: String?
    @Option var port: Int?
    @Option var secretKey: String?

    func run() async throws {
        let configuration = try global.configuration(host: host, port: port, secretKey: secretKey)
        for (key, value, source) in configuration.printable {
            print("\(key.padding(toLength: 15, withPad: " ", startingAt: 0)) \(value)  (\(source))")
        }
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create the demo company Exemplu Distributie SRL and its users (idempotent).")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let configuration = try global.configuration()
        let info = try await CLI.run(configuration) { try await $0.seedDemo() }
        print(info.created ? "Created the demo company." : "The demo company already exists.")
        print("Company: \(info.company.legalName), CUI \(info.company.fiscalCode), id \(info.company.id)")
        print("URL:     http://\(configuration.host):\(configuration.port)/login")
        print("Sign in: \(info.email) / \(info.password)")
    }
}

struct CompanyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "company", abstract: "Create and list companies.", subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a company, seed what the modules need, and print its id.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Legal name.") var name: String
        @Option(help: "Fiscal code (CUI), with or without RO.") var cui: String
        @Option(help: "Trade-register number, e.g. J40/1234/2020.") var tradeRegister: String?
        @Option(help: "Street line.") var address: String = "-"
        @Option(help: "County as ISO 3166-2:RO, e.g. RO-CJ or RO-B.") var county: String = "RO-B"
        @Option(help: "City; in Bucharest SECTOR1..SECTOR6.") var city: String = "SECTOR1"
        @Option(help: "Country, ISO 3166-1.") var country: String = "RO"
        @Flag(help: "The company is registered for VAT.") var vatPayer = false
        @Option(help: "E-mail of an existing user to make its admin.") var admin: String?

        func run() async throws {
            let configuration = try global.configuration()
            let company = try await CLI.run(configuration) { culise in
                var owner: UserID?
                if let admin { owner = try await culise.user(email: admin).id }
                return try await culise.createCompany(
                    CompanyInput(
                        legalName: name, cui: cui, tradeRegister: tradeRegister,
                        address: Address(line: address, city: city, county: county, country: country), vatPayer: vatPayer),
                    actor: .system("company create"), owner: owner)
            }
            print(company.id)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List companies.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let companies = try await CLI.run(try global.configuration()) { try await $0.allCompanies() }
            for company in companies {
                print("\(company.id)  \(company.fiscalCode.padding(toLength: 12, withPad: " ", startingAt: 0))  \(company.legalName)")
            }
        }
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage users.", subcommands: [Create.self, List.self, SetRole.self, SetPassword.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user; the password is read from standard input.")
        @OptionGroup var global: GlobalOptions
        @Option var email: String
        @Option var name: String = ""
        @Option(help: "Company (CUI or id) to add the user to.") var company: String?
        @Option(help: "Role in that company: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).") var role: String?

        func run() async throws {
            let password = try CLI.readPassword()
            let id = try await CLI.run(try global.configuration()) { culise in
                var companyID: CompanyID?
                if let company { companyID = try await culise.resolveCompany(company).id }
                let parsedRole = try role.map { try Role(parsing: $0) } ?? (companyID == nil ? nil : .employee)
                return try await culise.addUser(
                    email: email, displayName: name, password: password, company: companyID, role: parsedRole, actor: .system("user create")
                )
            }
            print(id)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users, or the members of one company.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Company (CUI or id).") var company: String?

        func run() async throws {
            try await CLI.run(try global.configuration()) { culise in
                if let company {
                    let id = try await culise.resolveCompany(company).id
                    var offset = 0
                    while true {
                        let page = try await culise.members(
                            of: id, actor: .system("user list"), page: try PageRequest(limit: Limits.maxPageSize, offset: offset))
                        for member in page.items {
                            print(
                                "\(member.userID)  \(member.role.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0))  \(member.email)"
                            )
                        }
                        guard let next = page.nextOffset else { break }
                        offset = next
                    }
                } else {
                    for user in try await culise.allUsers() {
                        print("\(user.id)  \(user.email)  \(user.displayName)\(user.twoFactor ? "  [2FA]" : "")")
                    }
                }
            }
        }
    }

    struct SetRole: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's role in a company (adds the membership if missing).")
        @OptionGroup var global: GlobalOptions
        @Option var email: String
        @Option(help: "Company (CUI or id).") var company: String
        @Option var role: String

        func run() async throws {
            try await CLI.run(try global.configuration()) { culise in
                let user = try await culise.user(email: email)
                let companyID = try await culise.resolveCompany(company).id
                let parsed = try Role(parsing: role)
                let members = try await culise.memberships(of: user.id)
                if members.contains(where: { $0.company.id == companyID }) {
                    try await culise.setRole(user: user.id, company: companyID, role: parsed, actor: .system("user set-role"))
                } else {
                    _ = try await culise.addUser(
                        email: email, displayName: "", password: nil, company: companyID, role: parsed, actor: .system("user set-role"))
                }
            }
            print("\(email) is now \(role).")
        }
    }

    struct SetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reset a user's password (read from standard input) and end their sessions.")
        @OptionGroup var global: GlobalOptions
        @Option var email: String

        func run() async throws {
            let password = try CLI.readPassword()
            try await CLI.run(try global.configuration()) { culise in
                let user = try await culise.user(email: email)
                try await culise.setPassword(
                    user: user.id, email: user.email, password: password, keepSession: nil, actor: .system("user set-password"))
            }
            print("Password changed; \(email)'s sessions were ended.")
        }
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "API tokens.", subcommands: [Create.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API token; it is printed once.")
        @OptionGroup var global: GlobalOptions
        @Option var email: String
        @Option(help: "Company (CUI or id) the token acts in.") var company: String
        @Option var name: String = "cli"

        func run() async throws {
            let (id, token) = try await CLI.run(try global.configuration()) { culise in
                let user = try await culise.user(email: email)
                let companyID = try await culise.resolveCompany(company).id
                return try await culise.createToken(user: user.id, company: companyID, name: name, actor: .system("token create"))
            }
            FileHandle.standardError.write(Data("token id \(id); copy the token now, it is not shown again:\n".utf8))
            print(token)
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API token by id.")
        @OptionGroup var global: GlobalOptions
        @Argument var id: String

        func run() async throws {
            guard let tokenID = APITokenID(string: id) else {
                throw CLIError(message: "You cannot revoke '\(id)' because it is not a token id.")
            }
            try await CLI.run(try global.configuration()) { try await $0.revokeToken(tokenID, actor: .system("token revoke")) }
            print("Revoked \(id).")
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "The audit log.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the audit hash chain; exit 1 naming the first changed, deleted or reordered row.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let interactive = isatty(STDERR_FILENO) == 1
            let result = try await CLI.run(try global.configuration()) { culise in
                try await culise.verifyAuditChain { checked in
                    if interactive { FileHandle.standardError.write(Data("\rchecked \(checked) rows".utf8)) }
                }
            }
            if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
            if result.isIntact {
                print("Audit chain intact: \(result.rowsChecked) rows verified.")
            } else {
                print("Audit chain BROKEN at row \(result.firstBadSeq.map(String.init) ?? "?"): \(result.problem ?? "")")
                throw ExitCode(1)
            }
        }
    }
}

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent online copy of the SQLite database (VACUUM INTO); for PostgreSQL, explains pg_dump.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The backup file to create.") var to: String

    func run() async throws {
        try await CLI.run(try global.configuration()) { try await $0.backup(to: to) }
        print("Backup written to \(to).")
    }
}

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Restore a backup into a new, empty SQLite database, then verify it.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The backup file made by culise backup.") var from: String

    func run() async throws {
        let configuration = try global.configuration()
        do {
            try Restore_.restore(from: from, into: try DatabaseLocation(configuration.databaseURL))
        } catch {
            throw CLI.explain(error)
        }
        let result = try await CLI.run(configuration) { culise in
            try await (culise.verifyAuditChain(), culise.tableCounts())
        }
        print("Restored \(from) into \(configuration.databaseURL): \(result.1.values.reduce(0, +)) rows in \(result.1.count) tables.")
        guard result.0.isIntact else {
            print("Warning: the restored audit chain does not verify: \(result.0.problem ?? "")")
            throw ExitCode(1)
        }
        print("Audit chain intact: \(result.0.rowsChecked) rows verified.")
    }
}

typealias Restore_ = Application.Restore
