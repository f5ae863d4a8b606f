// The text report's coaching section: the measures the HTML coaching page
// shows, per agent and per cause, read from a summary of generated journals.
#include <redress/analytics.hpp>
#include <redress/report.hpp>

#include <sstream>

#include "support/engine_fixture.hpp"
#include "support/journal_generator.hpp"

namespace {

using namespace redress;
using namespace redress::testing;

const ReferencePolicy& policy() { return cash_without_loss_allowed_policy(); }

Summary summarise(int cases, unsigned seed) {
  constexpr std::array<std::string_view, 3> causes{"coupon.expiry", "delivery.late", ""};
  auto a = Analytics::make(analytics_options(policy().settings()));
  REQUIRE(a.has_value());
  for (const auto& s : random_specs(cases, seed, at("2025-03-03T02:00:00Z"), 3, causes)) {
    auto g = generate_case(s, policy());
    REQUIRE_MESSAGE(g.has_value(), std::string(last_error_detail()));
    REQUIRE(a.value().add(g.value().final_case, g.value().journal).has_value());
  }
  return a.value().summary();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// The lines after the first line equal to `heading`, up to the next blank line.
std::vector<std::string> section(const std::vector<std::string>& lines, std::string_view heading) {
  std::vector<std::string> out;
  auto it = std::find(lines.begin(), lines.end(), heading);
  if (it == lines.end()) return out;
  for (++it; it != lines.end() && !it->empty(); ++it) out.push_back(*it);
  return out;
}

// The row of `rows` whose first cell is `key`, split into cells (two or
// more spaces apart).
std::vector<std::string> row(const std::vector<std::string>& rows, const std::string& key) {
  for (const auto& r : rows) {
    std::vector<std::string> cells;
    std::size_t i = r.find_first_not_of(' ');
    while (i != std::string::npos && i < r.size()) {
      std::size_t end = r.find("  ", i);
      cells.push_back(r.substr(i, end == std::string::npos ? std::string::npos : end - i));
      i = end == std::string::npos ? end : r.find_first_not_of(' ', end);
    }
    if (!cells.empty() && cells[0] == key) return cells;
  }
  return {};
}

// Terminal cells of `text`: two for a character from U+1100 on (the CJK
// the report's words use), one for anything else.
std::size_t width(std::string_view text) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size();) {
    auto lead = static_cast<unsigned char>(text[i]);
    n += lead >= 0xE1 ? 2 : 1;
    i += lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  }
  return n;
}

// The terminal cell where the second cell of a table row ends.
std::size_t width_to_second_cell_end(const std::string& line) {
  std::size_t first = line.find_first_not_of(' ');
  std::size_t gap = line.find("  ", first);
  std::size_t second = line.find_first_not_of(' ', gap);
  std::size_t end = line.find("  ", second);
  return width(line.substr(0, end));
}

std::string percent(const Ratio& r) {
  if (r.of == 0) return "—";
  return fmt::format("{}.{}%", r.per_mille() / 10, r.per_mille() % 10);
}

}  // namespace

TEST_SUITE("text report") {
  TEST_CASE("the text report shows each agent's score median and spread, repeat replies, feelings and top findings") {
    const Summary s = summarise(40, 11);
    REQUIRE(s.coaching.size() >= 2);
    const auto lines = lines_of(report_text(s, ReportLanguage::en));
    const auto scores = section(lines, "Apology structure scores");
    REQUIRE_FALSE(scores.empty());
    for (const auto& a : s.coaching) {
      CAPTURE(a.agent);
      auto cells = row(scores, a.agent);
      REQUIRE(cells.size() == 7);
      CHECK(cells[1] == fmt::format("{}", a.scores.replies));
      CHECK(cells[2] == fmt::format("{}", a.scores.median));
      CHECK(cells[3] == fmt::format("{}-{}", a.scores.p25, a.scores.p75));
      CHECK(cells[4] == fmt::format("{} ({}/{})", percent(a.repeat_replies), a.repeat_replies.count, a.repeat_replies.of));
      CHECK(cells[5] == fmt::format("{} ({}/{})", percent(a.feeling_rose), a.feeling_rose.count, a.feeling_rose.of));
      REQUIRE_FALSE(a.top_findings.empty());
      CHECK(cells[6].starts_with(fmt::format("{} ({})", a.top_findings[0].code, a.top_findings[0].count)));
    }
  }

  TEST_CASE("the text report rates over-compensation per agent and per cause as the summary does") {
    const Summary s = summarise(40, 11);
    REQUIRE_FALSE(s.giving_by_agent.empty());
    const auto lines = lines_of(report_text(s, ReportLanguage::en));
    const auto agents = section(lines, "Over-compensation by agent");
    for (const auto& g : s.giving_by_agent) {
      CAPTURE(g.key);
      auto cells = row(agents, g.key);
      REQUIRE(cells.size() == 5);
      CHECK(cells[1] == fmt::format("{} ({}/{})", percent(g.above_loss), g.above_loss.count, g.above_loss.of));
      CHECK(cells[2] == to_string(g.amount_above.in(s.currency)));
      CHECK(cells[3].starts_with(fmt::format("{} (", g.cash_without_loss)));
      CHECK(cells[4] == fmt::format("{}/{}", g.approvals_granted.count, g.approvals_granted.of));
    }
    const auto causes = section(lines, "Over-compensation by cause");
    for (const auto& g : s.giving_by_cause) {
      CAPTURE(g.key);
      auto cells = row(causes, g.key.empty() ? "(no root cause recorded)" : g.key);
      REQUIRE(cells.size() == 5);
      CHECK(cells[1] == fmt::format("{} ({}/{})", percent(g.above_loss), g.above_loss.count, g.above_loss.of));
    }
  }

  TEST_CASE("the text report's scores by period list every agent's periods, oldest first") {
    const Summary s = summarise(30, 5);
    const auto lines = lines_of(report_text(s, ReportLanguage::en));
    const auto periods = section(lines, "Scores by period");
    std::size_t want = 1;  // the heading row
    for (const auto& a : s.coaching) want += a.by_period.size();
    CHECK(periods.size() == want);
    for (const auto& a : s.coaching) {
      for (const auto& p : a.by_period) {
        CHECK(std::any_of(periods.begin(), periods.end(), [&](const std::string& l) {
          return l.find(a.agent) != std::string::npos && l.find(format_date(p.bucket)) != std::string::npos &&
                 l.find(fmt::format("{}-{}", p.p25, p.p75)) != std::string::npos;
        }));
      }
    }
  }

  TEST_CASE("the text report's coaching speaks Chinese with --lang zh, its columns aligned in terminal cells") {
    const Summary s = summarise(20, 3);
    const auto lines = lines_of(report_text(s, ReportLanguage::zh));
    const auto scores = section(lines, "致歉结构得分");
    REQUIRE(scores.size() >= 3);
    const auto& heading = scores[1];
    CHECK(heading.find("坐席") != std::string::npos);
    CHECK(heading.find("中位数") != std::string::npos);
    // The replies column is right-aligned: it ends in the same terminal cell
    // on the heading row (wide characters) and on every agent's row.
    const std::size_t end = width_to_second_cell_end(heading);
    for (const auto& a : s.coaching) {
      auto cells = row(scores, a.agent);
      REQUIRE(cells.size() == 7);
      CHECK(cells[2] == fmt::format("{}", a.scores.median));
      for (const auto& l : scores) {
        if (l.find("  " + a.agent + " ") == 0) CHECK(width_to_second_cell_end(l) == end);
      }
    }
  }

  TEST_CASE("a summary without replies or remedies says so in the coaching section") {
    Summary empty;
    const auto text = report_text(empty, ReportLanguage::en);
    const auto lines = lines_of(text);
    auto agents = section(lines, "Over-compensation by agent");
    REQUIRE(agents.size() == 2);  // the note, then
    CHECK(agents[1] == "  none");
    auto scores = section(lines, "Apology structure scores");
    REQUIRE(scores.size() == 2);
    CHECK(scores[1] == "  none");
  }
}
