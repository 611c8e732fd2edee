import Foundation

/// A bar chart drawn on the server as SVG: one bar per period, stacked by series. Every bar has a
/// `<title>` (its figures on hover and for screen readers), and the page shows the same numbers in
/// a table beside it.
struct SVGBarChart {
    struct Series {
        var name: String
        /// A CSS colour.
        var color: String
        /// One value per period, in period order.
        var values: [Double]
    }

    var periods: [String]
    var series: [Series]
    /// How a value is written in titles and the axis (counts, or money with its currency).
    var format: (Double) -> String
    var label: String
    /// Whole-number values (counts): the axis then steps by whole, round numbers, so a month with a
    /// single message does not label its axis "0, 0, 1, 1, 1".
    var integral = false

    static let width = 720.0
    static let height = 220.0
    static let left = 56.0
    static let bottom = 24.0
    static let top = 8.0

    func render() -> String {
        let totals = periods.indices.map { index in series.reduce(0) { $0 + $1.values[index] } }
        let maximum =
            integral
            ? 4 * Self.niceCeiling(max(1, ((totals.max() ?? 0) / 4).rounded(.up))) : Self.niceCeiling(totals.max() ?? 0)
        let plotWidth = Self.width - Self.left - 8
        let plotHeight = Self.height - Self.bottom - Self.top
        let slot = periods.isEmpty ? plotWidth : plotWidth / Double(periods.count)
        let barWidth = max(1, slot * 0.75)
        var svg = """
            <svg class="chart" viewBox="0 0 \(Self.width) \(Self.height)" role="img" aria-label="\(Self.escape(label))" \
            xmlns="http://www.w3.org/2000/svg">
            """
        for step in 0...4 {
            let value = maximum * Double(step) / 4
            let y = Self.top + plotHeight - plotHeight * Double(step) / 4
            svg +=
                "<line x1=\"\(Self.left)\" x2=\"\(Self.width - 8)\" y1=\"\(Self.round(y))\" y2=\"\(Self.round(y))\" class=\"grid\"/>"
            svg += "<text x=\"\(Self.left - 6)\" y=\"\(Self.round(y + 4))\" class=\"axis\" text-anchor=\"end\">"
            svg += Self.escape(format(value)) + "</text>"
        }
        for (index, period) in periods.enumerated() {
            let x = Self.left + slot * Double(index) + (slot - barWidth) / 2
            var base = Self.top + plotHeight
            for item in series where item.values[index] > 0 {
                let height = maximum > 0 ? plotHeight * item.values[index] / maximum : 0
                base -= height
                svg += "<rect x=\"\(Self.round(x))\" y=\"\(Self.round(base))\" width=\"\(Self.round(barWidth))\" "
                svg += "height=\"\(Self.round(height))\" fill=\"\(item.color)\"><title>"
                svg += Self.escape("\(period) \(item.name): \(format(item.values[index]))") + "</title></rect>"
            }
            // A label every few bars, so a month of days stays readable.
            if periods.count <= 12 || index % max(1, periods.count / 8) == 0 {
                svg += "<text x=\"\(Self.round(x + barWidth / 2))\" y=\"\(Self.height - 6)\" class=\"axis\" "
                svg += "text-anchor=\"middle\">\(Self.escape(String(period.suffix(5))))</text>"
            }
        }
        return svg + "</svg>"
    }

    /// 1, 2 or 5 times a power of ten, at least `value` (axes end on round numbers).
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let power = pow(10, floor(log10(value)))
        for step in [1.0, 2, 5, 10] where step * power >= value { return step * power }
        return 10 * power
    }

    static func round(_ value: Double) -> String {
        String(format: "%.1f", value)
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for char in text {
            switch char {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(char)
            }
        }
        return out
    }
}
