// swift-tools-version:6.2
import PackageDescription

// Dependency directions (checked by scripts/check-deps, documented in docs/ARCHITECTURE.md):
//   Kernel            <- nothing but Foundation
//   domain modules    <- Kernel (and other domain modules only by typed IDs in Kernel)
//   Storage           <- Kernel, SQLKit, SQLiteKit, PostgresKit
//   Application       <- Kernel, domain modules, Storage, bcrypt/OTP helpers
//   Web               <- Application (+ Kernel, domain modules for types), Hummingbird
//   EFactura          <- Kernel, Invoicing, ZIPFoundation (the ANAF adapter)
//   CuliseCLI         <- Application, Web, EFactura, ArgumentParser
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "Culise",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "culise", targets: ["CuliseCLI"]),
        .executable(name: "culise-bench", targets: ["CuliseBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
    ],
    targets: [
        // Shared value types: typed IDs, Money, dates, domain errors. Pure Swift.
        .target(name: "Kernel", exclude: ["README.md"], swiftSettings: swiftSettings),
        // Pure domain: companies, CUI, trade register, Romanian addresses.
        .target(name: "Companies", dependencies: ["Kernel"], exclude: ["README.md"], swiftSettings: swiftSettings),
        // Pure domain: roles, permission matrix, password policy.
        .target(name: "Identity", dependencies: ["Kernel"], exclude: ["README.md"], swiftSettings: swiftSettings),
        // Pure domain: customers and suppliers (CUI, CNP, IBAN), shared by every module.
        .target(name: "Partners", dependencies: ["Kernel", "Companies"], exclude: ["README.md"], swiftSettings: swiftSettings),
        // Pure domain: organisation, employees, employment contracts and their REGES-ONLINE events (issue 14).
        .target(name: "People", dependencies: ["Kernel", "Companies"], exclude: ["README.md"], swiftSettings: swiftSettings),
        // Pure domain: Romanian gross-to-net with its effective-dated parameters (issue 15).
        .target(name: "Payroll", dependencies: ["Kernel"], exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(name: "Filings", dependencies: ["Kernel", "Tax"], exclude: ["README.md"], swiftSettings: swiftSettings),
        // Pure domain: VAT categories, effective-dated rates, rounding rules.
        .target(name: "Tax", dependencies: ["Kernel"], exclude: ["README.md"], swiftSettings: swiftSettings),
        // Pure domain: products, invoices, bills, payments, e-Factura (issue 4; products so far).
        .target(name: "Invoicing", dependencies: ["Kernel", "Tax", "Companies"], exclude: ["README.md"], swiftSettings: swiftSettings),
        // Pure domain: bank and cash, exchange rates (issue 5; BNR rates so far).
        .target(name: "Banking", dependencies: ["Kernel"], exclude: ["README.md"], swiftSettings: swiftSettings),
        // A small PDF writer (standard fonts, Romanian encoding): invoices, payslips, registers.
        .target(name: "PDF", exclude: ["README.md"], swiftSettings: swiftSettings),
        // Pure posting rules: the entry each document produces (documents meet the ledger here).
        .target(
            name: "Posting", dependencies: ["Kernel", "Ledger", "Invoicing", "Tax", "Payroll"], exclude: ["README.md"],
            swiftSettings: swiftSettings),
        // Pure domain: which files Culise keeps (type detected from the content).
        .target(name: "Documents", dependencies: ["Kernel"], exclude: ["README.md"], swiftSettings: swiftSettings),
        // Pure domain: approval requests, rules and who may decide.
        .target(name: "Approvals", dependencies: ["Kernel"], exclude: ["README.md"], swiftSettings: swiftSettings),
        // Pure domain: the background-job lifecycle, retry backoff and cron schedules in a time zone.
        .target(name: "Jobs", dependencies: ["Kernel"], exclude: ["README.md"], swiftSettings: swiftSettings),
        // Pure domain: chart of accounts, journal entries, validation, the entry chain, reports.
        .target(
            name: "Ledger", dependencies: ["Kernel", .product(name: "Crypto", package: "swift-crypto")], exclude: ["README.md"],
            resources: [.copy("Resources/statements.json"), .copy("Resources/annual_statements.json")],
            swiftSettings: swiftSettings),
        // Adapter: ANAF's e-Factura REST API client and the SPV ZIP format.
        .target(
            name: "EFactura", dependencies: ["Kernel", "Invoicing", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            exclude: ["README.md"],
            swiftSettings: swiftSettings),
        // Adapter: outgoing e-mail (MIME messages, an SMTP client with STARTTLS or TLS over SwiftNIO).
        .target(
            name: "Mail",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            exclude: ["README.md"],
            swiftSettings: swiftSettings),
        // SQL over SQLite and PostgreSQL, migrations, transactions.
        .target(
            name: "Storage",
            dependencies: [
                "Kernel",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        // Use cases, transactions, audit log.
        .target(
            name: "Application",
            dependencies: [
                "Kernel", "Companies", "Identity", "Ledger", "Partners", "Tax", "Invoicing", "Banking", "Jobs", "Approvals", "Documents",
                "Posting", "Filings",
                "PDF",
                "Mail", "EFactura", "Storage",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        // One app target per context: its use cases, its SQL and its migrations, over the core.
        .target(
            name: "LedgerApp",
            dependencies: [
                "Kernel", "Companies", "Identity", "Ledger", "Tax", "Storage", "Application",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PartnersApp",
            dependencies: ["Kernel", "Companies", "Identity", "Ledger", "Partners", "Documents", "Storage", "Application", "LedgerApp"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "InvoicingApp",
            dependencies: [
                "Kernel", "Companies", "Identity", "Ledger", "Partners", "Tax", "Invoicing", "Posting", "PDF", "Mail", "EFactura",
                "Approvals", "Documents", "Jobs", "Storage", "Application", "LedgerApp", "PartnersApp",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BankingApp",
            dependencies: [
                "Kernel", "Companies", "Identity", "Ledger", "Partners", "Tax", "Invoicing", "Banking", "Posting", "Storage",
                "Application", "LedgerApp", "PartnersApp", "InvoicingApp", "PayrollApp",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PayrollApp",
            dependencies: [
                "Kernel", "Companies", "Identity", "Ledger", "People", "Payroll", "Posting", "Approvals", "Banking", "Filings", "Storage",
                "Application", "PDF", "Mail",
                "PeopleApp",
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FilingsApp",
            dependencies: [
                "Kernel", "Companies", "Identity", "Ledger", "Tax", "Invoicing", "Posting", "Filings", "Storage", "Application",
                "LedgerApp", "PDF",
                "InvoicingApp",
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PeopleApp",
            dependencies: ["Kernel", "Companies", "Identity", "People", "Approvals", "Storage", "Application"],
            swiftSettings: swiftSettings
        ),
        // Wires the contexts together: the one migration sequence, the standard jobs, the demo company.
        .target(
            name: "Assembly",
            dependencies: [
                "Kernel", "Companies", "Identity", "Ledger", "Partners", "Tax", "Invoicing", "Banking", "Jobs", "Approvals", "Documents",
                "EFactura", "Mail", "Storage", "Application", "LedgerApp", "PartnersApp", "InvoicingApp", "BankingApp", "People",
                "PeopleApp", "PayrollApp", "Payroll", "Filings", "FilingsApp",
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP: HTML pages and the JSON API.
        .target(
            name: "Web",
            dependencies: [
                "Kernel", "Companies", "Identity", "Ledger", "Partners", "Tax", "Invoicing", "Banking", "Jobs", "Approvals", "Documents",
                "EFactura", "Storage",
                "Application", "LedgerApp", "PartnersApp", "InvoicingApp", "BankingApp", "Assembly", "People", "PeopleApp", "Payroll",
                "PayrollApp", "Filings", "FilingsApp",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["README.md"],
            resources: [.copy("Templates"), .copy("Locales"), .copy("Static"), .copy("OpenAPI")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "CuliseCLI",
            dependencies: [
                "Kernel", "Companies", "Identity", "Ledger", "Partners", "Invoicing", "Banking", "Jobs", "EFactura", "Storage",
                "Application", "LedgerApp", "PartnersApp", "InvoicingApp", "BankingApp", "Assembly", "People", "PeopleApp", "Payroll",
                "PayrollApp", "Filings", "FilingsApp",
                "Web",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        // Benchmarks and scenario loads, outside the shipped binary.
        .executableTarget(
            name: "CuliseBench",
            dependencies: [
                "Kernel", "Ledger", "Invoicing", "Banking", "Storage", "Application", "LedgerApp", "PartnersApp", "InvoicingApp",
                "BankingApp", "Assembly", "Web", "People", "PeopleApp", "Payroll", "PayrollApp", "FilingsApp", "Filings", "Companies",
                "Partners",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Real databases for tests: a temp SQLite file always, PostgreSQL when CULISE_TEST_POSTGRES_URL is set.
        .target(
            name: "TestSupport",
            dependencies: [
                "Kernel", "Identity", "Companies", "Partners", "Invoicing", "Storage", "Application", "LedgerApp", "PartnersApp",
                "InvoicingApp", "BankingApp", "Assembly", "People",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "KernelTests", dependencies: ["Kernel"], swiftSettings: swiftSettings),
        .testTarget(name: "JobsTests", dependencies: ["Kernel", "Jobs"], swiftSettings: swiftSettings),
        .testTarget(name: "PDFTests", dependencies: ["PDF", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "PostingTests", dependencies: ["Kernel", "Ledger", "Invoicing", "Tax", "Companies", "Posting", "Payroll"],
            swiftSettings: swiftSettings),
        .testTarget(name: "MailTests", dependencies: ["Mail", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "PeopleTests", dependencies: ["Kernel", "Companies", "People", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "PayrollTests", dependencies: ["Kernel", "Payroll", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "FilingsAppTests",
            dependencies: [
                "Kernel", "Companies", "Identity", "Ledger", "Partners", "Invoicing", "Filings", "Storage", "Application", "LedgerApp",
                "PartnersApp", "InvoicingApp", "BankingApp", "FilingsApp", "Assembly", "TestSupport",
            ],
            swiftSettings: swiftSettings),
        .testTarget(name: "FilingsTests", dependencies: ["Kernel", "Filings", "Tax"], swiftSettings: swiftSettings),
        .testTarget(
            name: "PayrollAppTests",
            dependencies: [
                "Kernel", "Identity", "Ledger", "People", "Payroll", "Filings", "Storage", "Application", "PeopleApp", "PayrollApp",
                "Assembly",
                "TestSupport",
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PeopleAppTests",
            dependencies: [
                "Kernel", "Companies", "Identity", "People", "Storage", "Application", "PeopleApp", "Assembly", "Jobs", "TestSupport",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DomainTests",
            dependencies: [
                "Kernel", "Companies", "Identity", "Ledger", "Partners", "Tax", "Invoicing", "Banking", "Approvals", "Documents",
                "TestSupport",
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ApplicationTests",
            dependencies: [
                "Kernel", "Companies", "Identity", "Ledger", "Partners", "Tax", "Invoicing", "Banking", "EFactura", "Storage",
                "Application", "LedgerApp", "PartnersApp", "InvoicingApp", "BankingApp", "Assembly", "Web",
                "TestSupport",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerAppTests",
            dependencies: [
                "Kernel", "Companies", "Identity", "Ledger", "Partners", "Tax", "Invoicing", "Banking", "EFactura", "Storage",
                "Application", "LedgerApp", "PartnersApp", "InvoicingApp", "BankingApp", "Assembly", "Web",
                "TestSupport",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PartnersAppTests",
            dependencies: [
                "Kernel", "Companies", "Identity", "Ledger", "Partners", "Tax", "Invoicing", "Banking", "EFactura", "Storage",
                "Application", "LedgerApp", "PartnersApp", "InvoicingApp", "BankingApp", "Assembly", "Web",
                "TestSupport",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "InvoicingAppTests",
            dependencies: [
                "Kernel", "Companies", "Identity", "Ledger", "Partners", "Tax", "Invoicing", "Banking", "EFactura", "Storage",
                "Application", "LedgerApp", "PartnersApp", "InvoicingApp", "BankingApp", "Assembly", "Web",
                "TestSupport",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BankingAppTests",
            dependencies: [
                "Kernel", "Companies", "Identity", "Ledger", "Partners", "Tax", "Invoicing", "Banking", "EFactura", "Storage",
                "Application", "LedgerApp", "PartnersApp", "InvoicingApp", "BankingApp", "Assembly", "Web",
                "TestSupport",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WebTests",
            dependencies: [
                "Kernel", "Companies", "Identity", "Ledger", "Partners", "Invoicing", "EFactura", "Storage", "Application", "LedgerApp",
                "PartnersApp", "InvoicingApp", "BankingApp", "Assembly", "Web", "People", "PeopleApp",
                "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
