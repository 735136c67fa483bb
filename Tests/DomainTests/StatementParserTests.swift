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
