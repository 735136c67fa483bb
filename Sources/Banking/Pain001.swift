import Foundation
import Kernel

/// A batch of credit transfers in RON from one account: salaries (issue 15 item 6), later suppliers and taxes.
public struct CreditTransferBatch: Sendable, Equatable {
    public struct Transfer: Sendable, Equatable {
        /// At most 35 characters: the bank returns it on the statement line, which is how the line is matched back.
        public var endToEndID: String
        public var amount: Money
        public var creditorName: String
        public var creditorIBAN: String
        public var remittance: String

        public init(endToEndID: String, amount: Money, creditorName: String, creditorIBAN: String, remittance: String) {
            self.endToEndID = endToEndID
            self.amount = amount
            self.creditorName = creditorName
            self.creditorIBAN = creditorIBAN
            self.remittance = remittance
        }
    }

    public var messageID: String
    /// `YYYY-MM-DDTHH:MM:SS`.
    public var created: String
    public var debtorName: String
    /// The company's fiscal code (digits), as the initiating party's tax id.
    public var debtorTaxID: String
    public var debtorIBAN: String
    public var debtorBIC: String?
    public var executionDate: LocalDate
    /// ISO external category purpose: `SALA` for salaries.
    public var categoryPurpose: String
    public var transfers: [Transfer]

    public init(
        messageID: String, created: String, debtorName: String, debtorTaxID: String, debtorIBAN: String, debtorBIC: String?,
        executionDate: LocalDate, categoryPurpose: String, transfers: [Transfer]
    ) {
        self.messageID = messageID
        self.created = created
        self.debtorName = debtorName
        self.debtorTaxID = debtorTaxID
        self.debtorIBAN = debtorIBAN
        self.debtorBIC = debtorBIC
        self.executionDate = executionDate
        self.categoryPurpose = categoryPurpose
        self.transfers = transfers
    }

    public var total: Int64 { transfers.reduce(0) { $0 + $1.amount.minorUnits } }
}

/// ISO 20022 `pain.001.001.03` (Customer Credit Transfer Initiation), the version Romanian banks take for domestic RON
/// transfers (shared conformance README §8). Names and texts are written in the SEPA Latin set (diacritics and other
/// characters transliterated or dropped), identifiers cut to their 35 characters; `NbOfTxs` and `CtrlSum` are written in
/// the group header and the payment information.
public enum Pain001 {
    public static func document(_ batch: CreditTransferBatch) -> String {
        let total = Money.ron(batch.total).decimalString
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">
              <CstmrCdtTrfInitn>
                <GrpHdr>
                  <MsgId>\(id(batch.messageID))</MsgId>
                  <CreDtTm>\(escape(batch.created))</CreDtTm>
                  <NbOfTxs>\(batch.transfers.count)</NbOfTxs>
                  <CtrlSum>\(total)</CtrlSum>
                  <InitgPty>
                    <Nm>\(text(batch.debtorName, 70))</Nm>
                    <Id><OrgId><Othr><Id>\(id(batch.debtorTaxID))</Id><SchmeNm><Cd>TXID</Cd></SchmeNm></Othr></OrgId></Id>
                  </InitgPty>
                </GrpHdr>
                <PmtInf>
                  <PmtInfId>\(id(batch.messageID))</PmtInfId>
                  <PmtMtd>TRF</PmtMtd>
                  <BtchBookg>true</BtchBookg>
                  <NbOfTxs>\(batch.transfers.count)</NbOfTxs>
                  <CtrlSum>\(total)</CtrlSum>
                  <PmtTpInf><CtgyPurp><Cd>\(id(batch.categoryPurpose))</Cd></CtgyPurp></PmtTpInf>
                  <ReqdExctnDt>\(batch.executionDate.iso)</ReqdExctnDt>
                  <Dbtr><Nm>\(text(batch.debtorName, 70))</Nm></Dbtr>
                  <DbtrAcct><Id><IBAN>\(iban(batch.debtorIBAN))</IBAN></Id><Ccy>RON</Ccy></DbtrAcct>
                  <DbtrAgt><FinInstnId>\(batch.debtorBIC.map { "<BIC>\(id($0))</BIC>" } ?? "<Othr><Id>NOTPROVIDED</Id></Othr>")</FinInstnId></DbtrAgt>

            """
        for (index, transfer) in batch.transfers.enumerated() {
            xml += """
                      <CdtTrfTxInf>
                        <PmtId><InstrId>\(id("\(batch.messageID.prefix(28))-\(index + 1)"))</InstrId><EndToEndId>\(id(transfer.endToEndID))</EndToEndId></PmtId>
                        <Amt><InstdAmt Ccy="RON">\(transfer.amount.decimalString)</InstdAmt></Amt>
                        <Cdtr><Nm>\(text(transfer.creditorName, 70))</Nm></Cdtr>
                        <CdtrAcct><Id><IBAN>\(iban(transfer.creditorIBAN))</IBAN></Id></CdtrAcct>
                        <Purp><Cd>\(id(batch.categoryPurpose))</Cd></Purp>
                        <RmtInf><Ustrd>\(text(transfer.remittance, 140))</Ustrd></RmtInf>
                      </CdtTrfTxInf>

                """
        }
        xml += """
                </PmtInf>
              </CstmrCdtTrfInitn>
            </Document>

            """
        return xml
    }

    /// The SEPA Latin set: letters and digits, space and `/ - ? : ( ) . , ' +`; Romanian letters without diacritics.
    public static func latin(_ text: String) -> String {
        let map: [Character: String] = [
            "ă": "a", "â": "a", "î": "i", "ș": "s", "ş": "s", "ț": "t", "ţ": "t", "Ă": "A", "Â": "A", "Î": "I", "Ș": "S", "Ş": "S",
            "Ț": "T", "Ţ": "T", "&": "+",
        ]
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-?:().,'+ ")
        var out = ""
        for character in text {
            if let replacement = map[character] { out += replacement } else if allowed.contains(character) { out.append(character) }
        }
        return out
    }

    static func text(_ value: String, _ length: Int) -> String {
        let cleaned = latin(value).trimmingCharacters(in: .whitespaces)
        return escape(String((cleaned.isEmpty ? "-" : cleaned).prefix(length)))
    }

    static func id(_ value: String) -> String { text(value, 35) }

    static func iban(_ value: String) -> String {
        String(value.uppercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.prefix(34))
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;"
        )
        .replacingOccurrences(of: "'", with: "&apos;")
    }
}
