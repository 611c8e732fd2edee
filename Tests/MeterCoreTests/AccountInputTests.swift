import Foundation
import Testing

@testable import MeterCore

/// How `accounts add` reads a time zone and a currency: one stored spelling, and no ambiguous zone.
@Suite("Account input")
struct AccountInputTests {
    @Test(
        "IANA names are kept, or spelled as IANA spells them",
        arguments: [
            ("Asia/Kolkata", "Asia/Kolkata"), ("asia/kolkata", "Asia/Kolkata"),
            ("AMERICA/SAO_PAULO", "America/Sao_Paulo"), ("Europe/Berlin", "Europe/Berlin"), ("UTC", "UTC"),
            ("utc", "UTC"), (" Asia/Kolkata ", "Asia/Kolkata"), ("america/port-au-prince", "America/Port-au-Prince"),
            ("america/argentina/buenos_aires", "America/Argentina/Buenos_Aires"),
        ])
    func zones(_ input: String, _ stored: String) throws {
        #expect(try AccountInput.timezone(input).get() == stored)
    }

    @Test(
        "abbreviations, bare offsets and unknown names are refused with an example",
        arguments: ["IST", "EST", "GMT+5", "CET", "Mars/Base", "", "Asia"])
    func refusedZones(_ input: String) throws {
        guard case .failure(let problem) = AccountInput.timezone(input) else {
            Issue.record("\(input) was accepted")
            return
        }
        #expect(problem.description.contains("Asia/Kolkata"))
    }

    @Test("currencies are upper-cased ISO 4217 codes; anything else is refused")
    func currencies() throws {
        #expect(try AccountInput.currency("usd").get() == "USD")
        #expect(try AccountInput.currency("EUR").get() == "EUR")
        #expect(try AccountInput.currency(" inr ").get() == "INR")
        for refused in ["XYZ", "US", "DOLLARS", "U$D", ""] {
            #expect((try? AccountInput.currency(refused).get()) == nil, "\(refused)")
        }
    }
}
