import ArgumentParser
import Foundation
import MeterCore

struct MarketsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "markets", abstract: "Look up rate-card markets.", subcommands: [Lookup.self])

    struct Lookup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the country and rate-card market of a phone number.",
            discussion: """
                By the number's calling code (longest prefix, so +1 809 is the Dominican Republic) and the \
                market table in force on --date (default: today, UTC).
                """)
        @Argument(help: "The phone number, with or without +, spaces or dashes.") var number: String
        @Option(help: "The day, YYYY-MM-DD.") var date: String?

        func validate() throws {
            if let date, DayKeys.parse(date) == nil {
                throw ValidationError("--date must be YYYY-MM-DD, got \"\(date)\"")
            }
        }

        func run() async throws {
            guard let country = CallingCodes.country(ofNumber: number) else {
                throw ValidationError(
                    "\"\(number)\" is not a phone number (digits, optionally with +, spaces or dashes)")
            }
            let day = date.flatMap(DayKeys.parse) ?? BillingCalendar.utc.day(of: Int64(Date().timeIntervalSince1970))
            let market = MarketTable.standard.market(country: country, on: day)
            // Printed as reports print it (`ZZ`), with what it means.
            let shown = country == CallingCodes.unlistedCountry ? "\(country) (a calling code in no table)" : country
            print("country \(shown)\nmarket  \(market)\ndate    \(DayKeys.format(day))")
        }
    }
}
