// redress/report.hpp: an analytics summary as a report a service lead reads.
//
// Four renderings of one `Summary` (<redress/analytics.hpp>), each returned
// as a string for the host to write wherever it likes:
//   - report_text(): plain text for a terminal;
//   - report_json(): the summary's JSON (to_json(const Summary&));
//   - report_csv(): one tidy table, `section,key,measure,currency,value`,
//     for a spreadsheet;
//   - report_html(): one self-contained HTML page (no network, no script)
//     whose charts are inline SVG: the Pareto chart of causes, health trends,
//     cost by agent and by remedy kind. Every chart mark carries its numbers
//     in data-* attributes (money in minor units, ratios in per mille) and
//     shows them in a <text> label.
// whatif_html() renders a what-if summary (<redress/whatif.hpp>) as a page
// in the same style.
// The interface strings come in English and Simplified Chinese
// (`ReportLanguage`); labels from the data (causes, agents, case ids) are
// shown as recorded, HTML-escaped. docs/analytics.md shows each format.
#ifndef REDRESS_REPORT_HPP
#define REDRESS_REPORT_HPP

#include <cstdint>
#include <string>
#include <string_view>

#include <redress/analytics.hpp>

namespace redress {
inline namespace v1 {

class WhatIfSummary;  // <redress/whatif.hpp>

// ReportLanguage
//
// The language of the report's own words: headings, column names, legends.
enum class ReportLanguage : std::uint8_t { en, zh };
std::string_view to_string(ReportLanguage l) noexcept;
// "en" or "zh"; fails with errc::invalid_argument naming the text.
result<ReportLanguage> parse_report_language(std::string_view text);

// report_text()
//
// The summary as aligned plain text.
//
// Example (given const redress::Analytics& analytics):
//   fmt::print("{}", redress::report_text(analytics.summary(), redress::ReportLanguage::en));
std::string report_text(const Summary& s, ReportLanguage language);

// report_json()
//
// boost::json::serialize(to_json(s)), one line.
std::string report_json(const Summary& s);

// report_csv()
//
// One row per number: `section,key,measure,currency,value` (RFC 4180
// quoting). Money is an exact decimal in its currency; ratios give count,
// of and per_mille rows. docs/analytics.md lists the sections.
std::string report_csv(const Summary& s);

// report_html()
//
// One self-contained HTML5 document (UTF-8): inline CSS and inline SVG, no
// script and no external resource of any kind.
std::string report_html(const Summary& s, ReportLanguage language);

// whatif_html()
//
// A what-if summary (whatif_store(), `redress whatif --html`) as one
// self-contained HTML5 page in the report's style: the counts of cases,
// remedies, escalations, findings and deadlines that would change (a bar
// chart and a table), the value of the remedies left standing under each
// policy per currency, the examples and the cases not compared. Every figure
// carries its number in data-* attributes (money in minor units).
//
// Example (given const JournalStore& store, const Policy& candidate, const Policy& fallback):
//   BOOST_OUTCOME_TRY(auto s, whatif_store(store, candidate, fallback));
//   std::string page = whatif_html(s, ReportLanguage::zh);
std::string whatif_html(const WhatIfSummary& s, ReportLanguage language);

// escape_html()
//
// `text` with & < > " ' replaced by character references, safe in element
// content and in quoted attribute values.
std::string escape_html(std::string_view text);

}  // namespace v1
}  // namespace redress

#endif  // REDRESS_REPORT_HPP
