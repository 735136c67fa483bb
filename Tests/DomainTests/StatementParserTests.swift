import Banking
import Foundation
import Kernel
import Testing

@Suite struct StatementParserTests {
    /// Built from the ISO 20022 camt.053.001.02 structure: two statements, credits and debits, structured and
    /// unstructured remittance, Romanian names.
    static let camt = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
          <BkToCstmrStmt>
            <GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-03-03T08:00:00</CreDtTm></GrpHdr>
            <Stmt>
              <Id>STMT-2026-03-02</Id>
              <Acct><Id><IBAN>RO49AAAA1B31007593840000</IBAN></Id><Ccy>RON</Ccy></Acct>
              <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="RON">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-02</Dt></Dt></Bal>
              <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="RON">2790.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-02</Dt></Dt></Bal>
              <Ntry>
                <Amt Ccy="RON">1815.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-03-02</Dt></BookgDt><ValDt><Dt>2026-03-02</Dt></ValDt>
                <AcctSvcrRef>BT-778812</AcctSvcrRef>
                <NtryDtls><TxDtls>
                  <Refs><EndToEndId>E2E-42</EndToEndId></Refs>
                  <RltdPties><Dbtr><Nm>Beta Distribuție și Logistică SRL</Nm></Dbtr><DbtrAcct><Id><IBAN>RO09 BCYP 0000 0012 3456 7890</IBAN></Id></DbtrAcct></RltdPties>
                  <RmtInf><Ustrd>Plata factura EXD 1042</Ustrd></RmtInf>
                </TxDtls></NtryDtls>
              </Ntry>
              <Ntry>
                <Amt Ccy="RON">24.50</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2026-03-02</Dt></BookgDt>
                <AddtlNtryInf>COMISION ADMINISTRARE CONT</AddtlNtryInf>
              </Ntry>
            </Stmt>
            <Stmt>
              <Id>STMT-EUR</Id>
              <Acct><Id><IBAN>RO15AAAA1B31007593840001</IBAN></Id><Ccy>EUR</Ccy></Acct>
              <Ntry>
                <Amt Ccy="EUR">500.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2026-03-02</Dt></BookgDt>
                <NtryDtls><TxDtls>
                  <RltdPties><Cdtr><Nm>Țesătoria Șercaia SA</Nm></Cdtr><CdtrAcct><Id><IBAN>RO66BACX0000001234567890</IBAN></Id></CdtrAcct></RltdPties>
                  <RmtInf><Strd><CdtrRefInf><Ref>INV 2026/17</Ref></CdtrRefInf></Strd></RmtInf>
                </TxDtls></NtryDtls>
              </Ntry>
            </Stmt>
          </BkToCstmrStmt>
        </Document>
        """

    @Test func camtStatementsEntriesAndParties() throws {
        let statements = try CAMT053.parse(Data(Self.camt.utf8))
        #expect(statements.map(\.iban) == ["RO49AAAA1B31007593840000", "RO15AAAA1B31007593840001"])
        let first = statements[0]
        #expect(first.opening == 100_000 && first.closing == 279_050 && first.isBalanced == true)
        #expect(first.lines.map(\.amount) == [181_500, -2_450])
        #expect(first.lines[0].counterpartyName == "Beta Distribuție și Logistică SRL")
        #expect(first.lines[0].counterpartyIBAN == "RO09BCYP0000001234567890")
        #expect(
            first.lines[0].details == "Plata factura EXD 1042" && first.lines[0].reference == "E2E-42"
                && first.lines[0].bankReference == "BT-778812")
        #expect(first.lines[1].details == "COMISION ADMINISTRARE CONT")
        let eur = statements[1].lines[0]
        #expect(
            eur.amount == -50_000 && eur.currency == "EUR" && eur.counterpartyName == "Țesătoria Șercaia SA" && eur.details == "INV 2026/17"
        )
        #expect(statements[1].isBalanced == nil)
    }

    @Test func camtProblemsCarryTheirPosition() {
        let broken = Self.camt.replacingOccurrences(of: "<Amt Ccy=\"RON\">24.50</Amt>", with: "<Amt Ccy=\"RON\">douăzeci</Amt>")
            .replacingOccurrences(
                of: "<CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2026-03-02</Dt></BookgDt>\n        <NtryDtls>",
                with: "<CdtDbtInd>XXXX</CdtDbtInd><BookgDt><Dt>2026-03-02</Dt></BookgDt>\n        <NtryDtls>")
        do {
            _ = try CAMT053.parse(Data(broken.utf8))
            Issue.record("a broken file was accepted")
        } catch {
            #expect(Set(error.problems.map(\.id)) == ["statement.amount", "statement.direction"])
            #expect(error.problems.allSatisfy { $0.message.contains("line") })
        }
        #expect(throws: ValidationErrors.self) { _ = try CAMT053.parse(Data("<Document xmlns=\"urn:x\"/>".utf8)) }
        #expect(throws: ValidationErrors.self) { _ = try CAMT053.parse(Data("<Document".utf8)) }
    }

    /// MT940 as Romanian banks send it: two statements, `:86:` with `?` subfields and free text, C and D lines.
    static let mt940 = """
        {1:F01AAAARO22AXXX0000000000}{4:
        :20:STMT001
        :25:RO49AAAA1B31007593840000
        :28C:00045/001
        :60F:C260301RON1000,00
        :61:2603020302C1815,00NTRFEXD1042//BT778812
        :86:?20Plata factura EXD-?211042?32Beta Distribuție ?33SRL?38RO09BCYP0000001234567890
        :61:2603020302D24,50NCHGNONREF
        :86:COMISION ADMINISTRARE
        CONT FEBRUARIE
        :62F:C260302RON2790,50
        -}
        {1:F01AAAARO22AXXX0000000000}{4:
        :20:STMT002
        :25:AAAARO22/RO15AAAA1B31007593840001
        :60F:C260301EUR0,00
        :61:260302D500,00NTRFINV-17
        :86:?20INV 2026/17?32Țesătoria Șercaia SA
        :62F:D260302EUR500,00
        -}
        """

    @Test func mt940StatementsWithStructuredDetails() throws {
        let statements = try MT940.parse(Self.mt940)
        #expect(statements.map(\.id) == ["STMT001", "STMT002"])
        #expect(statements.map(\.iban) == ["RO49AAAA1B31007593840000", "RO15AAAA1B31007593840001"])
        let first = statements[0]
        #expect(first.isBalanced == true && first.currency == "RON")
        #expect(first.lines.map(\.amount) == [181_500, -2_450])
        #expect(first.lines[0].details == "Plata factura EXD-1042" && first.lines[0].counterpartyName == "Beta Distribuție SRL")
        #expect(first.lines[0].counterpartyIBAN == "RO09BCYP0000001234567890" && first.lines[0].bankReference == "BT778812")
        #expect(first.lines[0].reference == "EXD1042" && first.lines[1].reference == nil)
        #expect(first.lines[1].details == "COMISION ADMINISTRARE CONT FEBRUARIE")
        #expect(statements[1].isBalanced == true && statements[1].lines[0].counterpartyName == "Țesătoria Șercaia SA")
    }

    @Test func mt940ProblemsCarryTheirLineAndLimitsHold() {
        let broken = Self.mt940.replacingOccurrences(of: ":61:2603020302D24,50NCHGNONREF", with: ":61:26030X0302D24,50NCHGNONREF")
        do {
            _ = try MT940.parse(broken)
            Issue.record("a broken file was accepted")
        } catch {
            #expect(error.problems.map(\.id) == ["statement.line"])
            #expect(error.problems[0].field == "line 8")
        }
        let many =
            ":20:BIG\n:25:RO49AAAA1B31007593840000\n:60F:C260301RON0,00\n"
            + String(repeating: ":61:2603020302C1,00NTRFX\n", count: Limits.statementLines + 1)
        do {
            _ = try MT940.parse(many)
            Issue.record("more lines than the limit were accepted")
        } catch {
            #expect(error.problems.map(\.id) == ["statement.too_many_lines"])
        }
    }
}

@Suite struct CSVStatementTests {
    /// The `generic-ro` layout: `;`, dd.MM.yyyy, decimal comma, debit and credit columns, quoted fields with the
    /// delimiter and line breaks, Romanian names, and two of the company's accounts in one file.
    static let romanian = """
        \u{FEFF}Data;Data valuta;Debit;Credit;Valuta;Detalii;Partener;IBAN partener;Referinta;Referinta banca;Cont;Sold
        02.03.2026;02.03.2026;;1.815,00;RON;"Plata factura EXD 1042; avans";Țesătoria Șercaia SA;RO09 BCYP 0000 0012 3456 7890;E2E-1;BT-1;RO49AAAA1B31007593840000;2.815,00
        02.03.2026;02.03.2026;24,50;;RON;"COMISION
        ADMINISTRARE";BANCA;;;BT-2;RO49AAAA1B31007593840000;2.790,50
        03.03.2026;;500,00;;EUR;Plată furnizor ăîșț;Furnizor GmbH;DE89370400440532013000;;BT-3;RO15AAAA1B31007593840001;-500,00
        """

    @Test func readsTheRomanianLayoutWithQuotesAndSeveralAccounts() throws {
        let profile = CSVProfile.builtIn.first { $0.name == "generic-ro" }!
        let statements = try CSVStatement.parse(Data(Self.romanian.utf8), profile: profile, fileName: "ro.csv")
        #expect(statements.map(\.iban) == ["RO49AAAA1B31007593840000", "RO15AAAA1B31007593840001"])
        let ron = statements[0]
        #expect(ron.lines.map(\.amount) == [181_500, -2_450])
        #expect(ron.opening == 100_000 && ron.closing == 279_050 && ron.isBalanced == true)
        #expect(ron.lines[0].details == "Plata factura EXD 1042; avans" && ron.lines[0].counterpartyName == "Țesătoria Șercaia SA")
        #expect(ron.lines[0].counterpartyIBAN == "RO09BCYP0000001234567890" && ron.lines[0].bankReference == "BT-1")
        #expect(ron.lines[1].details == "COMISION\nADMINISTRARE" && ron.lines[1].position == "row 3")
        let eur = statements[1].lines[0]
        #expect(eur.amount == -50_000 && eur.currency == "EUR" && eur.details == "Plată furnizor ăîșț" && eur.position == "row 5")
        #expect(BankStatement.detect(Data(Self.romanian.utf8)) == .csv)
    }

    @Test func everyProblemIsNamedWithItsRowAndProfilesAreChecked() {
        let profile = CSVProfile.builtIn.first { $0.name == "generic-ro" }!
        let broken = Self.romanian.replacingOccurrences(of: "02.03.2026;02.03.2026;;1.815,00", with: "2026-03-02;02.03.2026;;1.815,00")
            .replacingOccurrences(of: "03.03.2026;;500,00;;EUR", with: "03.03.2026;;500,00;10,00;EUR")
        do {
            _ = try CSVStatement.parse(Data(broken.utf8), profile: profile)
            Issue.record("a broken file was accepted")
        } catch {
            #expect(error.problems.map(\.id) == ["statement.date", "statement.amount"])
            #expect(error.problems.map(\.field) == ["row 2", "row 5"])
        }
        var bad = profile
        bad.delimiter = "#"
        bad.dateFormat = "dd/mm/yy"
        bad.amount = nil
        bad.debit = nil
        #expect(Set(bad.problems().map(\.field)) == ["delimiter", "date_format", "amount"])
        do {
            _ = try CSVStatement.parse(Data("a;b\n1;2\n".utf8), profile: profile)
            Issue.record("a file without the profile's columns was accepted")
        } catch {
            #expect(error.problems.allSatisfy { $0.id == "statement.csv_column" })
        }
    }

    /// A Windows-1250 export (older Romanian banking software) reads with its diacritics; a byte Windows-1250 leaves
    /// undefined, or a binary file renamed .csv, is refused as not text.
    @Test func windows1250IsReadAndAnUndefinedByteRefusesTheFile() throws {
        func file(_ byte: UInt8) -> Data {
            Data(
                Array("date,amount,currency,counterparty,details\n2026-03-02,-10,RON,Banca,Plat".utf8) + [byte] + Array(" comision\n".utf8))
        }
        let lines = try CSVStatement.parse(file(0xE3), profile: CSVProfile.builtIn[0])[0].lines
        #expect(lines.map(\.details) == ["Plată comision"])
        for data in [file(0x81), Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]) + Data("date,amount\n".utf8)] {
            do {
                _ = try CSVStatement.parse(data, profile: CSVProfile.builtIn[0])
                Issue.record("a file that is not text was read")
            } catch {
                #expect(error.problems.map(\.id) == ["statement.encoding"] && error.problems.map(\.field) == ["file"])
            }
        }
    }

    @Test func genericProfileAmountsAndDuplicateKeys() throws {
        let text = """
            date,amount,currency,counterparty,details
            2026-03-02,-1234.5,RON,"Beta, SRL",fee
            2026-03-02,-1234.5,RON,"Beta, SRL",fee
            """
        let lines = try CSVStatement.parse(Data(text.utf8), profile: CSVProfile.builtIn[0])[0].lines
        #expect(lines.map(\.amount) == [-123_450, -123_450] && lines[0].counterpartyName == "Beta, SRL")
        #expect(lines[0].duplicateKey == lines[1].duplicateKey)
        var renamed = lines[0]
        renamed.details = "  FEE "
        #expect(renamed.duplicateKey == lines[0].duplicateKey)
        renamed.bankReference = "R-1"
        #expect(renamed.duplicateKey == "ref|R-1")
        #expect(CSVStatement.parseAmount("1.234,56", decimal: ",") == 123_456)
        #expect(CSVStatement.parseAmount("-1,234.56", decimal: ".") == -123_456)
        #expect(CSVStatement.parseAmount("12,3x", decimal: ",") == nil)
    }
}

extension StatementParserTests {
    /// Issue 10: a statement whose amounts together pass 10^18 is refused, so no sum over it can leave Int64.
    @Test func aStatementPastTheVolumeBoundIsRefused() {
        let lines = Int(Limits.statementVolumeMinorUnits / Limits.amountMinorUnits) + 1
        let huge =
            ":20:HUGE\n:25:RO49AAAA1B31007593840000\n:60F:C260301RON0,00\n"
            + String(repeating: ":61:2603020302C999999999999,99NTRFX\n", count: lines)
        do {
            _ = try MT940.parse(huge)
            Issue.record("a statement past the volume bound was accepted")
        } catch {
            #expect(error.problems.map(\.id) == ["statement.total_too_large"])
        }
    }
}
