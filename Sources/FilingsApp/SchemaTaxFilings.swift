import Application
import Storage

extension Schema {
    /// What the tax returns need besides the books (the VAT period, the CAEN code, who signs, the bank account the form
    /// names), and the VAT closing entry a D300 is linked to.
    package static let taxFilings = Migration(27, "tax filings") { _ in
        [
            """
            CREATE TABLE tax_filing_settings (
                company_id TEXT NOT NULL REFERENCES companies(id),
                vat_period TEXT NOT NULL,
                caen TEXT,
                declarant_last_name TEXT,
                declarant_first_name TEXT,
                declarant_function TEXT,
                bank_name TEXT,
                iban TEXT,
                phone TEXT,
                email TEXT,
                employer BOOLEAN NOT NULL,
                saft BOOLEAN NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (company_id)
            )
            """,
            "ALTER TABLE filings ADD COLUMN entry_id BIGINT",
        ]
    }
}
