import Application
import BankingApp
import FilingsApp
import InvoicingApp
import LedgerApp
import PartnersApp
import PayrollApp
import PeopleApp
import Storage

extension Schema {
    /// Every migration of every context, in one numbered sequence. A new context's migration takes the next number.
    public static let all: [Migration] = [
        platform, ledger, invoicing, exchangeRates, banking, robustness, jobs, notifications, approvals, documents, listingOrder,
        notificationFacts, rowCounts, sourceIndexPartial, people, leaveAndTimesheets, policiesAndRecruitment,
        employeeAccounts, training, skills, employeeChanges, payroll, filings, payrollFilingSettings, payrollTransfers, payrollParameters,
        taxFilings, partnerIndexCovering,
    ]
}
