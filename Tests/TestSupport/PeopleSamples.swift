import Foundation
import Kernel
import People

/// Employees for tests (the generator is `People.EmployeeScenario`, which the benchmark uses too).
public enum PeopleSamples {
    public static func cnp(_ s: Int, _ yy: Int, _ mm: Int, _ dd: Int, county: Int = 40, sequence: Int = 123) -> String {
        EmployeeScenario.cnp(s, yy, mm, dd, county: county, sequence: sequence)
    }

    public static let header = EmployeeImport.required.joined(separator: ",")

    public static func file(_ count: Int, prefix: String = "E", change: [Int: @Sendable (inout [String]) -> Void] = [:]) -> String {
        EmployeeScenario.file(count, prefix: prefix, change: change)
    }
}
