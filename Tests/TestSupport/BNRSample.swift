/// A BNR daily rates feed (nbrfxrates.xml) as the ledger and banking tests use it.
public enum BNRSample {
    public static let feed = """
        <?xml version="1.0" encoding="utf-8"?>
        <DataSet xmlns="http://www.bnr.ro/xsd" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.bnr.ro/xsd nbrfxrates.xsd">
          <Header><Publisher>National Bank of Romania</Publisher><PublishingDate>2026-03-13</PublishingDate><MessageType>DR</MessageType></Header>
          <Body>
            <Subject>Reference rates</Subject>
            <OrigCurrency>RON</OrigCurrency>
            <Cube date="2026-03-12">
              <Rate currency="EUR">5.0912</Rate>
              <Rate currency="HUF" multiplier="100">1.2936</Rate>
              <Rate currency="USD">4.6780</Rate>
            </Cube>
            <Cube date="2026-03-13">
              <Rate currency="EUR">5.0987</Rate>
              <Rate currency="HUF" multiplier="100">1.2950</Rate>
              <Rate currency="USD">4.6811</Rate>
            </Cube>
          </Body>
        </DataSet>
        """
}
