import Application
import Storage

extension Schema {
    /// Issue 12: the invoice, partner and bank-line lists are read in their index's whole order, so a page of 50 costs
    /// the same with 100 or 100,000 rows. Before it, a tie in the leading column (100,000 invoices of one day) made
    /// SQLite sort all the tied rows, documents included, for each page: 177 ms → 1 ms per invoice page at 100,000
    /// invoices of one day (docs/performance.md). The wider indexes replace the narrower ones, which nothing else used.
    /// The journal list (`date DESC, id DESC`) keeps `entries_date (company_id, date, seq)`: entries spread over dates,
    /// and one more index on `entries` would slow the bulk import.
    package static let listingOrder = Migration(11, "listing order") { _ in
        [
            "DROP INDEX invoices_listing",
            "CREATE INDEX invoices_listing ON invoices (company_id, issue_date, seq, id)",
            "DROP INDEX partners_name",
            "CREATE INDEX partners_name ON partners (company_id, name, code)",
            "CREATE INDEX bank_lines_listing ON bank_lines (company_id, account_id, booking_date, id)",
        ]
    }

    /// Issue 12: the number of rows per company of the tables whose lists show a total, kept by triggers
    /// (`Dialect.rowCountTriggers`), so an unfiltered list's total is one row instead of a count over the company's index.
    /// Backups copy the table with its rows (SQLite file, `pg_dump`), so a restore keeps the counts true.
    package static let rowCounts = Migration(13, "row counts") { dialect in
        [
            """
            CREATE TABLE row_counts (
                company_id TEXT NOT NULL REFERENCES companies(id),
                table_name TEXT NOT NULL,
                n BIGINT NOT NULL,
                PRIMARY KEY (company_id, table_name)
            )
            """,
            "INSERT INTO row_counts (company_id, table_name, n) SELECT company_id, 'invoices', COUNT(*) FROM invoices GROUP BY company_id",
        ] + dialect.rowCountTriggers(table: "invoices")
    }

    /// Issue 12: the index of lines by source document (`source_type`, `source_id`: the invoice, bill or payment a line
    /// settles) holds only lines that have one. Imported and hand-posted lines have none, so a 100,000-transaction
    /// import no longer inserts 348,000 keys into it (about a tenth of the import's time); every query on it asks for
    /// `source_type = …`, which implies the condition, on both engines.
    package static let sourceIndexPartial = Migration(14, "source index partial") { _ in
        [
            "DROP INDEX entry_lines_source",
            "CREATE INDEX entry_lines_source ON entry_lines (company_id, source_type, source_id) WHERE source_type IS NOT NULL",
        ]
    }
}

extension Schema {
    /// Issue 16: the partner index of the ledger's lines holds only lines that name a partner, and carries their date
    /// and amounts, so a partner's balance at a day (SAF-T's customers and suppliers, the partner-balance report) is
    /// read from the index alone instead of one table row per line: at 1,200,000 entries, the customers' and
    /// suppliers' balances of a month went from 3.7 s to 0.84 s (docs/performance.md, "SAF-T D406"). Every query on it asks
    /// for `partner = …` or `partner IS NOT NULL`, which implies the condition, on both engines.
    package static let partnerIndexCovering = Migration(28, "partner index covering") { _ in
        [
            "DROP INDEX entry_lines_partner",
            "CREATE INDEX entry_lines_partner ON entry_lines (company_id, partner, account, date, debit, credit, posted) WHERE partner IS NOT NULL",
        ]
    }
}
