import Application
import ArgumentParser
import Assembly
import BankingApp
import Companies
import Foundation
import Identity
import InvoicingApp
import Kernel
import LedgerApp
import Logging
import PartnersApp
import Storage
import Web

@main
struct CuliseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "culise",
        abstract: "Culise: the back office of a Romanian company (finance, HR, IT) on one database.",
        subcommands: [
            Serve.self, Migrate.self, ConfigCommand.self, Demo.self, CompanyCommand.self, UserCommand.self, TokenCommand.self,
            AuditCommand.self, Backup.self, Restore.self, LedgerCommand.self, ReportCommand.self, InvoiceCommand.self, EFacturaCommand.self,
            FXCommand.self, BankCommand.self, CashCommand.self, JobsCommand.self, ApprovalsCommand.self, EmployeeCommand.self,
            ContractCommand.self, RegesCommand.self, DepartmentCommand.self, LeaveCommand.self, TimesheetCommand.self, PolicyCommand.self,
            PayrollCommand.self, FilingCommand.self, VATCommand.self, SAFTCommand.self,
            RecruitCommand.self, TrainingCommand.self,
        ])
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "Database URL: sqlite:PATH or postgres://user:pass@host:5432/db (env CULISE_DATABASE_URL; default sqlite:culise.db).")
    var database: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical (env CULISE_LOG_LEVEL).")
    var logLevel: String?

    func configuration(host: String? = nil, port: Int? = nil, secretKey: String? = nil, secureCookies: Bool? = nil) throws -> Configuration
    {
        do {
            return try Configuration.resolve(
                flags: [
                    "database": database, "host": host, "port": port.map(String.init), "secret_key": secretKey,
                    "secure_cookies": secureCookies.map { String($0) }, "log_level": logLevel,
                ],
                environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError(error.problems.map(\.message).joined(separator: "\n"))
        }
    }
}

enum CLI {
    static let bootstrapLogging: Void = {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
    }()

    static func logger(_ configuration: Configuration) -> Logger {
        _ = bootstrapLogging
        var logger = Logger(label: "culise")
        logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
        return logger
    }

    /// Opens the database (migrating it) and runs `body`; domain errors become clear messages and exit code 1.
    static func run<T>(_ configuration: Configuration, migrate: Bool = true, _ body: (Culise) async throws -> T) async throws -> T {
        let logger = logger(configuration)
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        let location = try DatabaseLocation(configuration.databaseURL)
        let culise = try await Culise.start(
            location, migrations: Schema.all, logger: quiet, settings: configuration.appSettings, migrate: migrate)
        do {
            let result = try await body(culise)
            await culise.close()
            return result
        } catch {
            await culise.close()
            throw CLI.explain(error)
        }
    }

    static func explain(_ error: any Error) -> any Error {
        switch error {
        case let error as DomainError: return CLIError(message: "\(error.message) [\(error.id)]")
        case let error as ValidationErrors:
            return CLIError(
                message: error.problems.map { "\($0.field.map { "\($0): " } ?? "")\($0.message) [\($0.id)]" }.joined(separator: "\n"))
        default:
            // PostgreSQL errors print a generic text unless reflected; the reflection names the server's message.
            if String(describing: type(of: error)).contains("PSQLError") { return CLIError(message: String(reflecting: error)) }
            return error
        }
    }

    /// Reads a password from standard input (first line), never from a flag.
    static func readPassword() throws -> String {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw CLIError(
                message:
                    "To set a password, you must give it on standard input, e.g. `printf '%s\\n' \"$PASSWORD\" | culise user create …`.")
        }
        return line
    }
}

struct CLIError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension CLIError: LocalizedError {
    var errorDescription: String? { message }
}
