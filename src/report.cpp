// Reports from an analytics summary: text, JSON, CSV and self-contained HTML.
#include <redress/report.hpp>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/whatif.hpp>

namespace redress {
inline namespace v1 {

std::string_view to_string(ReportLanguage l) noexcept { return l == ReportLanguage::zh ? "zh" : "en"; }

result<ReportLanguage> parse_report_language(std::string_view text) {
  if (text == "en") return ReportLanguage::en;
  if (text == "zh") return ReportLanguage::zh;
  return detail::fail(errc::invalid_argument, fmt::format("language \"{}\": expected en or zh", text));
}

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += ch;
    }
  }
  return out;
}

std::string report_json(const Summary& s) { return boost::json::serialize(to_json(s)); }

namespace {

// The report's own words, in each language.
struct Words {
  std::string_view lang, title, overview, causes, causes_note, rank, cause, cases, lost, remedies, felt, closed_well,
      cumulative, unrecorded, health, by_day, by_week, bucket, first_response, updates, promises, repeat, escalations,
      emergencies, cost, amount, by_agent, by_cause, by_kind, agent, kind, unattributed, cost_total, cash_without_loss,
      above_authority, level, status, decided_by, proposed_by, nobody, precedent, claims, outliers, none, pareto_axis,
      more_causes, public_replies, fixes, fixed_at, fixed_by, customers_told;
};

constexpr Words kEnglish{
    "en", "Service recovery report",
    "{cases} cases, {events} events. Causes ranked by felt loss in {currency}: losses weigh λ = {lambda} times "
    "gains.",
    "Root causes: fix the short boards first",
    "Felt loss per case is λ × money lost − remedies granted (never below zero); a cause's felt loss is the sum "
    "over its cases, that is frequency × mean felt loss.",
    "#", "cause", "cases", "money lost", "remedies granted", "felt loss", "closed well", "cumulative",
    "(no root cause recorded)", "Service health", "by day", "by ISO week", "period", "first answer on time",
    "updates on time", "promises kept", "repeat contact", "escalations", "emergencies",
    "Cost of recovery", "amount", "Cost by agent", "Cost by cause", "Cost by remedy kind", "agent", "remedy kind",
    "(unattributed)", "money lost {lost}; remedies granted {cost}", "Cash granted where nothing was lost",
    "Remedies above the front line's authority", "level", "status", "decided by", "proposed by", "—",
    "Precedent claims", "cases citing another case's remedy", "outliers flagged for review", "none",
    "felt loss", "{n} more causes in the table", "public replies on time",
    "Root causes fixed", "fixed at", "fixed by", "customers told"};

constexpr Words kChinese{
    "zh-CN", "服务补救报告",
    "共 {cases} 个案例、{events} 个事件。根因按 {currency} 计的感知损失排序:损失的分量是收益的 λ = {lambda} 倍。",
    "根因:先补短板",
    "每个案例的感知损失 = λ × 损失金额 − 已发放补救(不低于零);根因的感知损失为其案例之和,即频次 × 平均感知损失。",
    "#", "根因", "案例数", "损失金额", "已发放补救", "感知损失", "妥善结案", "累计占比", "(未记录根因)",
    "服务健康度", "按天", "按周(ISO)", "时段", "首次回应及时", "进展更新及时", "承诺兑现", "重复来电",
    "升级", "紧急事件", "补救成本", "金额", "按坐席的成本", "按根因的成本", "按补救类型的成本", "坐席", "补救类型",
    "(未注明)", "损失金额 {lost};已发放补救 {cost}", "无损失却发放的现金", "超出一线权限的补救", "级别", "状态",
    "批准人", "提出人", "—", "援引先例", "援引他案补救的案例", "标记待审的异常先例", "无", "感知损失",
    "另有 {n} 个根因见表格", "公开回复及时",
    "已修复的根因", "修复时间", "修复人", "已告知客户"};

const Words& words(ReportLanguage l) { return l == ReportLanguage::zh ? kChinese : kEnglish; }

// "85.3%" from 853 per mille; "—" when there is nothing to measure.
std::string percent(const Ratio& r) {
  if (r.of == 0) return "—";
  auto p = r.per_mille();
  return fmt::format("{}.{}%", p / 10, p % 10);
}

std::string percent_of(std::int64_t per_mille) { return fmt::format("{}.{}%", per_mille / 10, per_mille % 10); }

std::string money_text(const MoneyTotals& t, Currency fallback) {
  if (t.empty()) return to_string(Money::zero(fallback));
  std::string out;
  for (Money m : t.amounts()) out += (out.empty() ? "" : " + ") + to_string(m);
  return out;
}

// The terminal cells `text` takes: two for each East Asian wide character
// (from U+1100 on, which the report's words and most CJK labels are), one
// for anything else.
std::size_t cells(std::string_view text) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size();) {
    auto lead = static_cast<unsigned char>(text[i]);
    std::size_t len = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    n += lead >= 0xE1 ? 2 : 1;  // three- and four-byte sequences from U+1000 on
    i += len;
  }
  return n;
}

std::string lambda_text(int permille) {
  std::string frac = fmt::format("{:03}", permille % 1000);
  while (frac.size() > 1 && frac.back() == '0') frac.pop_back();
  return fmt::format("{}.{}", permille / 1000, frac);
}

std::string overview(const Summary& s, const Words& w) {
  return fmt::format(fmt::runtime(w.overview), fmt::arg("cases", s.cases), fmt::arg("events", s.events),
                     fmt::arg("currency", s.currency.code()), fmt::arg("lambda", lambda_text(s.loss_aversion_permille)));
}

std::string cause_label(const std::string& cause, const Words& w) {
  return cause.empty() ? std::string(w.unrecorded) : cause;
}

// A cause's label from the policy's taxonomy in the report's language, or
// the cause as recorded.
std::string cause_label(const CauseRow& c, const Words& w) {
  auto it = c.labels.find(&w == &kChinese ? "zh-Hans" : "en");
  return it == c.labels.end() ? cause_label(c.cause, w) : it->second;
}

std::string agent_label(const std::string& agent, const Words& w) {
  return agent.empty() ? std::string(w.unattributed) : agent;
}

std::string decider(const RemedyNote& n, const Words& w) {
  return n.decided_by ? std::string(n.decided_by->str()) : std::string(w.nobody);
}

// --- text ----------------------------------------------------------------

void text_costs(std::string& out, std::string_view heading, const std::vector<CostRow>& rows, const Words& w,
                Currency currency, bool agents) {
  out += fmt::format("\n{}\n", heading);
  if (rows.empty()) out += fmt::format("  {}\n", w.none);
  for (const auto& r : rows) {
    out += fmt::format("  {:<28} {:>6}  {}\n", agents ? agent_label(r.key, w) : cause_label(r.key, w), r.remedies,
                       money_text(r.cost, currency));
  }
}

void text_notes(std::string& out, std::string_view heading, const std::vector<RemedyNote>& notes, const Words& w) {
  out += fmt::format("\n{}: {}\n", heading, notes.size());
  for (const auto& n : notes) {
    out += fmt::format("  {} {} {} {}  {} {}, {}, {} {}, {} {}\n", n.case_id.str(), n.remedy.str(), to_string(n.kind),
                       to_string(n.value), w.level, n.approval_level, to_string(n.status), w.decided_by,
                       decider(n, w), w.proposed_by, n.proposed_by ? n.proposed_by->str() : std::string(w.nobody));
  }
}

// The coaching page's words (the HTML page and the text report's section).
struct CoachWords {
  std::string_view title, note, giving_agent, giving_cause, giving_note, agent, cause, granted_above, amount_above,
      cash_without_loss, approvals, scores, scores_note, replies, median, spread, findings, repeat, feeling_rose,
      by_period, period, none, unattributed, unrecorded;
};

constexpr CoachWords kCoachEnglish{
    "Coaching", "What agents give against what was lost, and how they write to customers.",
    "Over-compensation by agent", "Over-compensation by cause",
    "A granted remedy is above the loss when it exceeds the loss it answers by more than the policy's extra gesture.",
    "agent", "cause", "above the loss", "amount above", "cash without loss", "approvals granted / requested",
    "Apology structure scores", "Median and quartiles (25%-75%) of each agent's apology and update scores, 0-100.",
    "replies", "median", "25%-75%", "most raised findings", "repeat replies", "feeling rose after reply",
    "Scores by period", "period", "none", "(unattributed)", "(no root cause recorded)"};

constexpr CoachWords kCoachChinese{
    "辅导", "坐席给出的补救与实际损失的对比,以及坐席如何给客户写回复。",
    "按坐席的过度补偿", "按根因的过度补偿",
    "已发放补救超出其对应损失且超过政策的额外心意时,计为超出损失。",
    "坐席", "根因", "超出损失", "超出金额", "无损失现金", "审批通过 / 申请",
    "致歉结构得分", "各坐席致歉与进展更新得分(0-100)的中位数与四分位(25%-75%)。",
    "回复数", "中位数", "25%-75%", "最常见问题", "重复回复", "回复后客户情绪上升",
    "按时段的得分", "时段", "无", "(未注明)", "(未记录根因)"};


const CoachWords& coach_words(ReportLanguage l) { return l == ReportLanguage::zh ? kCoachChinese : kCoachEnglish; }

// `text` padded with spaces to `width` terminal cells, on the right
// (`left` true: text to the left) or on the left.
std::string pad(std::string_view text, std::size_t width, bool left = true) {
  const std::size_t n = cells(text);
  const std::string fill(n < width ? width - n : 0, ' ');
  return left ? std::string(text) + fill : fill + std::string(text);
}

// One row of a text table: the first column to the left, the others to the
// right, each as wide as its widest cell (heading included); a last column
// of free text (`tail`) is left as it is.
std::string text_table(const std::vector<std::vector<std::string>>& rows, bool tail) {
  std::vector<std::size_t> width;
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], cells(r[i]));
    }
  }
  std::string out;
  for (const auto& r : rows) {
    std::string l;
    for (std::size_t i = 0; i < r.size(); ++i) {
      const bool last_text = tail && i + 1 == r.size();
      l += "  " + (last_text ? r[i] : pad(r[i], width[i], i == 0));
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  }
  return out;
}

void text_giving(std::string& out, std::string_view heading, const std::vector<GivingRow>& rows, const Summary& s,
                 const CoachWords& cw, bool agents) {
  out += fmt::format("\n{}\n  {}\n", heading, cw.giving_note);
  if (rows.empty()) {
    out += fmt::format("  {}\n", cw.none);
    return;
  }
  std::vector<std::vector<std::string>> table{{std::string(agents ? cw.agent : cw.cause), std::string(cw.granted_above),
                                               std::string(cw.amount_above), std::string(cw.cash_without_loss),
                                               std::string(cw.approvals)}};
  for (const auto& r : rows) {
    const std::string key = r.key.empty() ? std::string(agents ? cw.unattributed : cw.unrecorded) : r.key;
    table.push_back({key, fmt::format("{} ({}/{})", percent(r.above_loss), r.above_loss.count, r.above_loss.of),
                     money_text(r.amount_above, s.currency),
                     fmt::format("{} ({})", r.cash_without_loss, money_text(r.cash_without_loss_total, s.currency)),
                     fmt::format("{}/{}", r.approvals_granted.count, r.approvals_granted.of)});
  }
  out += text_table(table, false);
}

// The coaching section: what the HTML report's coaching page shows.
void text_coaching(std::string& out, const Summary& s, ReportLanguage language) {
  const CoachWords& cw = coach_words(language);
  out += fmt::format("\n{}\n{}\n", cw.title, cw.note);
  text_giving(out, cw.giving_agent, s.giving_by_agent, s, cw, true);
  text_giving(out, cw.giving_cause, s.giving_by_cause, s, cw, false);
  out += fmt::format("\n{}\n  {}\n", cw.scores, cw.scores_note);
  if (s.coaching.empty()) {
    out += fmt::format("  {}\n", cw.none);
    return;
  }
  std::vector<std::vector<std::string>> table{{std::string(cw.agent), std::string(cw.replies), std::string(cw.median),
                                               std::string(cw.spread), std::string(cw.repeat),
                                               std::string(cw.feeling_rose), std::string(cw.findings)}};
  for (const auto& a : s.coaching) {
    std::string findings;
    for (const auto& f : a.top_findings) findings += fmt::format("{}{} ({})", findings.empty() ? "" : ", ", f.code, f.count);
    table.push_back({a.agent.empty() ? std::string(cw.unattributed) : a.agent, fmt::format("{}", a.scores.replies),
                     fmt::format("{}", a.scores.median), fmt::format("{}-{}", a.scores.p25, a.scores.p75),
                     fmt::format("{} ({}/{})", percent(a.repeat_replies), a.repeat_replies.count, a.repeat_replies.of),
                     fmt::format("{} ({}/{})", percent(a.feeling_rose), a.feeling_rose.count, a.feeling_rose.of),
                     findings.empty() ? std::string(cw.none) : findings});
  }
  out += text_table(table, true);
  out += fmt::format("\n{}\n", cw.by_period);
  std::vector<std::vector<std::string>> periods{{std::string(cw.agent), std::string(cw.period), std::string(cw.replies),
                                                 std::string(cw.median), std::string(cw.spread)}};
  for (const auto& a : s.coaching) {
    for (const auto& p : a.by_period) {
      periods.push_back({a.agent.empty() ? std::string(cw.unattributed) : a.agent, format_date(p.bucket),
                         fmt::format("{}", p.replies), fmt::format("{}", p.median),
                         fmt::format("{}-{}", p.p25, p.p75)});
    }
  }
  out += text_table(periods, false);
}
}  // namespace

std::string report_text(const Summary& s, ReportLanguage language) {
  const Words& w = words(language);
  std::string out = fmt::format("{}\n{}\n\n{}\n", w.title, overview(s, w), w.causes);
  out += fmt::format("  {:>3}  {:<28} {:>6}  {:>16}  {:>16}  {:>16}  {:>8}  {:>8}\n", w.rank, w.cause, w.cases, w.lost,
                     w.remedies, w.felt, w.closed_well, w.cumulative);
  for (std::size_t i = 0; i < s.causes.size(); ++i) {
    const auto& c = s.causes[i];
    out += fmt::format("  {:>3}  {:<28} {:>6}  {:>16}  {:>16}  {:>16}  {:>8}  {:>8}\n", i + 1, cause_label(c, w),
                       c.cases, money_text(c.money_lost, s.currency), money_text(c.remedy_cost, s.currency),
                       money_text(c.felt_loss, s.currency), percent(c.closed_well),
                       percent_of(c.cumulative_per_mille));
  }
  out += fmt::format("\n{} ({}, {})\n", w.health, s.period == Period::week ? w.by_week : w.by_day, s.time_zone);
  // Each column as wide as its heading (a CJK character takes two cells).
  const std::array<std::string_view, 10> headings{w.bucket,   w.cases,       w.first_response, w.updates,
                                                  w.promises, w.closed_well, w.repeat,         w.escalations,
                                                  w.emergencies, w.public_replies};
  std::array<std::size_t, 10> width{};
  for (std::size_t i = 0; i < headings.size(); ++i) width[i] = std::max<std::size_t>(cells(headings[i]), 10);
  auto line = [&](const std::array<std::string, 10>& cols) {
    std::string l = fmt::format("  {:<{}}", cols[0], width[0]);
    for (std::size_t i = 1; i < cols.size(); ++i) l += fmt::format("  {:>{}}", cols[i], width[i]);
    return l + "\n";
  };
  std::array<std::string, 10> head;
  for (std::size_t i = 0; i < headings.size(); ++i) head[i] = std::string(headings[i]);
  out += line(head);
  for (const auto& h : s.health) {
    out += line({format_date(h.bucket), fmt::format("{}", h.cases), percent(h.first_response_on_time),
                 percent(h.updates_on_time), percent(h.promises_kept), percent(h.closed_well),
                 percent(h.repeat_contact), fmt::format("{}", h.escalations), fmt::format("{}", h.emergencies),
                 percent(h.public_replies_on_time)});
  }
  out += fmt::format("\n{}: {}\n", w.cost,
                     fmt::format(fmt::runtime(w.cost_total), fmt::arg("lost", money_text(s.money_lost, s.currency)),
                                 fmt::arg("cost", money_text(s.remedy_cost, s.currency))));
  text_costs(out, w.by_agent, s.cost_by_agent, w, s.currency, true);
  text_costs(out, w.by_cause, s.cost_by_cause, w, s.currency, false);
  text_costs(out, w.by_kind, s.cost_by_kind, w, s.currency, false);
  text_notes(out, w.cash_without_loss, s.cash_without_loss, w);
  if (!s.cash_without_loss.empty()) out += fmt::format("  = {}\n", money_text(s.cash_without_loss_total, s.currency));
  text_notes(out, w.above_authority, s.above_authority, w);
  std::string outliers;
  for (const auto& id : s.precedent_outliers) outliers += (outliers.empty() ? "" : ", ") + std::string(id.str());
  out += fmt::format("\n{}: {} {}; {}: {}\n", w.precedent, w.claims, s.precedent_claims, w.outliers,
                     outliers.empty() ? std::string(w.none) : outliers);
  if (!s.fixes.empty()) {
    out += fmt::format("\n{}\n  {:<28} {:<20}  {:>8}  {}\n", w.fixes, w.cause, w.fixed_at, w.customers_told, w.fixed_by);
    for (const auto& f : s.fixes) {
      out += fmt::format("  {:<28} {:<20}  {:>8}  {}\n    {}\n", f.cause, format_instant(f.fixed_at_utc),
                         fmt::format("{}/{}", f.told, f.customers), f.fixed_by.empty() ? w.nobody : f.fixed_by, f.note);
    }
  }
  text_coaching(out, s, language);
  return out;
}

// --- CSV -------------------------------------------------------------------

namespace {

// A cell as it is, quoted when needed: for the numbers and amounts the
// report formats itself ("-12.50" must stay a number).
std::string csv_number(std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos && (v.empty() || (v.front() != ' ' && v.back() != ' '))) {
    return std::string(v);
  }
  std::string out = "\"";
  for (char ch : v) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

// A cell of text. One that a spreadsheet would read as a formula (it starts
// with = + - @, a tab or a carriage return: OWASP's CSV-injection guidance)
// gets a leading apostrophe, and is quoted when it holds , " CR or LF.
std::string csv_field(std::string_view v) {
  if (!v.empty() && std::string_view("=+-@\t\r").find(v.front()) != std::string_view::npos) {
    std::string guarded;
    guarded.reserve(v.size() + 1);
    guarded.push_back('\'');
    guarded.append(v);
    return csv_number(guarded);
  }
  return csv_number(v);
}

struct Csv {
  std::string out = "section,key,measure,currency,value\r\n";
  void row(std::string_view section, std::string_view key, std::string_view measure, std::string_view currency,
           std::string_view value) {
    out += fmt::format("{},{},{},{},{}\r\n", csv_field(section), csv_field(key), csv_field(measure),
                       csv_field(currency), csv_field(value));
  }
  // A row whose value the report formatted itself (a number or an amount).
  void figure(std::string_view section, std::string_view key, std::string_view measure, std::string_view currency,
              std::string_view value) {
    out += fmt::format("{},{},{},{},{}\r\n", csv_field(section), csv_field(key), csv_field(measure),
                       csv_field(currency), csv_number(value));
  }
  void number(std::string_view section, std::string_view key, std::string_view measure, std::int64_t v) {
    figure(section, key, measure, "", fmt::format("{}", v));
  }
  void money(std::string_view section, std::string_view key, std::string_view measure, const MoneyTotals& t) {
    for (Money m : t.amounts()) figure(section, key, measure, m.currency().code(), format_amount(m));
  }
  void ratio(std::string_view section, std::string_view key, std::string_view measure, const Ratio& r) {
    number(section, key, fmt::format("{}.count", measure), r.count);
    number(section, key, fmt::format("{}.of", measure), r.of);
    if (r.of > 0) number(section, key, fmt::format("{}.per_mille", measure), r.per_mille());
  }
  void costs(std::string_view section, const std::vector<CostRow>& rows) {
    for (const auto& r : rows) {
      number(section, r.key, "remedies", r.remedies);
      money(section, r.key, "cost", r.cost);
    }
  }
  void notes(std::string_view section, const std::vector<RemedyNote>& notes) {
    for (const auto& n : notes) {
      std::string key = std::string(n.case_id.str()) + "/" + std::string(n.remedy.str());
      row(section, key, "kind", "", to_string(n.kind));
      figure(section, key, "value", n.value.currency().code(), format_amount(n.value));
      row(section, key, "status", "", to_string(n.status));
      number(section, key, "approval_level", n.approval_level);
      row(section, key, "decided_by", "", n.decided_by ? n.decided_by->str() : "");
      row(section, key, "proposed_by", "", n.proposed_by ? n.proposed_by->str() : "");
    }
  }
};

// Over-compensation and coaching rows.
void csv_coaching(Csv& csv, const Summary& s) {
  for (auto [section, rows] : {std::pair{"giving_by_agent", &s.giving_by_agent}, std::pair{"giving_by_cause", &s.giving_by_cause}}) {
    for (const auto& r : *rows) {
      csv.ratio(section, r.key, "above_loss", r.above_loss);
      csv.money(section, r.key, "amount_above", r.amount_above);
      csv.number(section, r.key, "cash_without_loss", r.cash_without_loss);
      csv.money(section, r.key, "cash_without_loss_total", r.cash_without_loss_total);
      csv.ratio(section, r.key, "approvals_granted", r.approvals_granted);
    }
  }
  for (const auto& a : s.coaching) {
    csv.number("coaching", a.agent, "replies", a.scores.replies);
    csv.number("coaching", a.agent, "score.p25", a.scores.p25);
    csv.number("coaching", a.agent, "score.median", a.scores.median);
    csv.number("coaching", a.agent, "score.p75", a.scores.p75);
    csv.ratio("coaching", a.agent, "repeat_replies", a.repeat_replies);
    csv.ratio("coaching", a.agent, "feeling_rose", a.feeling_rose);
    for (const auto& f : a.top_findings) csv.number("coaching", a.agent, "finding." + f.code, f.count);
  }
}

}  // namespace

std::string report_csv(const Summary& s) {
  Csv csv;
  csv.number("summary", "", "cases", s.cases);
  csv.number("summary", "", "events", s.events);
  csv.number("summary", "", "loss_aversion_permille", s.loss_aversion_permille);
  csv.row("summary", "", "ranking_currency", s.currency.code(), "");
  csv.money("summary", "", "money_lost", s.money_lost);
  csv.money("summary", "", "remedy_cost", s.remedy_cost);
  for (std::size_t i = 0; i < s.causes.size(); ++i) {
    const auto& c = s.causes[i];
    csv.number("cause", c.cause, "rank", static_cast<std::int64_t>(i + 1));
    csv.number("cause", c.cause, "cases", c.cases);
    csv.money("cause", c.cause, "money_lost", c.money_lost);
    csv.money("cause", c.cause, "remedy_cost", c.remedy_cost);
    csv.money("cause", c.cause, "felt_loss", c.felt_loss);
    csv.ratio("cause", c.cause, "closed_well", c.closed_well);
    csv.number("cause", c.cause, "cumulative_per_mille", c.cumulative_per_mille);
  }
  for (const auto& h : s.health) {
    std::string key = format_date(h.bucket);
    csv.number("health", key, "cases", h.cases);
    csv.ratio("health", key, "first_response_on_time", h.first_response_on_time);
    csv.ratio("health", key, "updates_on_time", h.updates_on_time);
    csv.ratio("health", key, "promises_kept", h.promises_kept);
    csv.ratio("health", key, "closed_well", h.closed_well);
    csv.ratio("health", key, "repeat_contact", h.repeat_contact);
    csv.number("health", key, "escalations", h.escalations);
    csv.number("health", key, "emergencies", h.emergencies);
    csv.ratio("health", key, "public_replies_on_time", h.public_replies_on_time);
  }
  csv.costs("cost_by_agent", s.cost_by_agent);
  csv.costs("cost_by_cause", s.cost_by_cause);
  csv.costs("cost_by_kind", s.cost_by_kind);
  csv.notes("cash_without_loss", s.cash_without_loss);
  csv.notes("above_authority", s.above_authority);
  csv.number("precedent", "", "claims", s.precedent_claims);
  for (const auto& id : s.precedent_outliers) csv.row("precedent_outlier", id.str(), "case", "", id.str());
  csv_coaching(csv, s);
  for (const auto& f : s.fixes) {
    csv.row("fixed", f.cause, "fixed_at", "", format_instant(f.fixed_at_utc));
    csv.number("fixed", f.cause, "customers", f.customers);
    csv.number("fixed", f.cause, "told", f.told);
  }
  return std::move(csv.out);
}

// --- HTML ------------------------------------------------------------------

namespace {

constexpr std::string_view kStyle = R"(
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Source Han Sans SC","PingFang SC","Microsoft YaHei","Helvetica Neue",Arial,sans-serif;margin:24px auto;max-width:1000px;color:#1f2933;background:#fff}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 6px;border-bottom:1px solid #d9e2ec;padding-bottom:4px}
p.note,p.meta{color:#52606d;font-size:13px;margin:4px 0 10px}
table{border-collapse:collapse;font-size:13px;margin:8px 0;width:100%}
th,td{border-bottom:1px solid #e4e7eb;padding:4px 6px;text-align:right}th{background:#f5f7fa}
td.k,th.k{text-align:left}
svg{display:block;margin:6px 0;font-size:11px}
svg text{fill:#323f4b}svg .axis{stroke:#9aa5b1;stroke-width:1}svg .grid{stroke:#e4e7eb;stroke-width:1}
svg .bar{fill:#d64545}svg .hbar{fill:#2680c2}svg .cumulative{fill:none;stroke:#3e4c59;stroke-width:2}
svg .series{fill:none;stroke-width:2}.legend span{display:inline-block;margin-right:14px;font-size:12px}
.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}
)";

// The health measures drawn as trend lines, with their colours.
struct Series {
  std::string_view measure;
  Ratio HealthRow::*ratio;
  std::string_view colour;
  std::string_view Words::*label;
};
constexpr std::array<Series, 5> kSeries{{
    {"first_response_on_time", &HealthRow::first_response_on_time, "#2680c2", &Words::first_response},
    {"updates_on_time", &HealthRow::updates_on_time, "#3ebd93", &Words::updates},
    {"promises_kept", &HealthRow::promises_kept, "#f0b429", &Words::promises},
    {"closed_well", &HealthRow::closed_well, "#8662c7", &Words::closed_well},
    {"repeat_contact", &HealthRow::repeat_contact, "#d64545", &Words::repeat},
}};

std::string num(double v) { return fmt::format("{:.1f}", v); }

// The Pareto chart: felt loss per cause (bars, most felt first) and the
// cumulative share (line), at most kMaxBars causes.
constexpr std::size_t kMaxBars = 15;

std::string pareto_svg(const Summary& s, const Words& w) {
  const double width = 960, height = 380, left = 110, right = 60, top = 24, bottom = 110;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  std::size_t n = std::min(s.causes.size(), kMaxBars);
  std::string out = fmt::format(
      "<svg id=\"pareto-chart\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} "
      "{1}\" role=\"img\" aria-label=\"{2}\" data-currency=\"{3}\" data-causes=\"{4}\">\n",
      width, height, escape_html(w.causes), s.currency.code(), n);
  std::int64_t max = 0;
  for (std::size_t i = 0; i < n; ++i) max = std::max(max, s.causes[i].felt_loss.in(s.currency).minor_units());
  // Axes and grid: felt loss on the left, cumulative share on the right.
  for (int g = 0; g <= 4; ++g) {
    double y = top + plot_h - plot_h * g / 4;
    out += fmt::format("<line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", left, num(y), left + plot_w,
                       num(y));
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", left - 6, num(y + 4),
                       escape_html(to_string(Money::from_minor_units(max * g / 4, s.currency))));
    out += fmt::format("<text x=\"{}\" y=\"{}\">{}%</text>\n", left + plot_w + 6, num(y + 4), g * 25);
  }
  out += fmt::format("<text x=\"14\" y=\"{}\" transform=\"rotate(-90 14 {})\" text-anchor=\"middle\">{}</text>\n",
                     num(top + plot_h / 2), num(top + plot_h / 2), escape_html(w.pareto_axis));
  if (n == 0) {
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", num(left + plot_w / 2),
                       num(top + plot_h / 2), escape_html(w.none));
  }
  double slot = n == 0 ? plot_w : plot_w / static_cast<double>(n);
  std::string points;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& c = s.causes[i];
    std::int64_t felt = c.felt_loss.in(s.currency).minor_units();
    double h = max == 0 ? 0 : plot_h * static_cast<double>(felt) / static_cast<double>(max);
    double x = left + slot * static_cast<double>(i) + slot * 0.15, bw = slot * 0.7, cx = x + bw / 2;
    std::string label = escape_html(cause_label(c, w));
    out += fmt::format(
        "<g class=\"cause\" data-rank=\"{}\" data-cause=\"{}\" data-cases=\"{}\" data-felt-loss-minor=\"{}\" "
        "data-cumulative-per-mille=\"{}\">",
        i + 1, escape_html(c.cause), c.cases, felt, c.cumulative_per_mille);
    out += fmt::format("<title>{}: {} {}, {} {}</title>", label, c.cases, escape_html(w.cases), escape_html(w.felt),
                       escape_html(to_string(Money::from_minor_units(felt, s.currency))));
    out += fmt::format("<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>", num(x),
                       num(top + plot_h - h), num(bw), num(h));
    out += fmt::format("<text class=\"value\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", num(cx),
                       num(top + plot_h - h - 4), format_amount(Money::from_minor_units(felt, s.currency)));
    out += fmt::format(
        "<text class=\"label\" x=\"{0}\" y=\"{1}\" text-anchor=\"end\" transform=\"rotate(-35 {0} {1})\">{2}</text>",
        num(cx), num(top + plot_h + 14), label);
    double py = top + plot_h - plot_h * static_cast<double>(c.cumulative_per_mille) / 1000;
    points += fmt::format("{}{},{}", points.empty() ? "" : " ", num(cx), num(py));
    out += fmt::format("<circle class=\"cumulative-point\" cx=\"{}\" cy=\"{}\" r=\"3\"/>", num(cx), num(py));
    out += fmt::format("<text class=\"cumulative-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text></g>\n",
                       num(cx + 10), num(py - 7), percent_of(c.cumulative_per_mille));
  }
  if (!points.empty()) out += fmt::format("<polyline class=\"cumulative\" points=\"{}\"/>\n", points);
  out += fmt::format("<line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\"/>", left, num(top + plot_h),
                     left + plot_w);
  return out + "</svg>\n";
}

// Health trends: each ratio in per mille, one line per measure over the periods.
std::string health_svg(const Summary& s, const Words& w) {
  const double width = 960, height = 300, left = 80, right = 30, top = 16, bottom = 64;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  std::string out = fmt::format(
      "<svg id=\"health-chart\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} "
      "{1}\" role=\"img\" aria-label=\"{2}\" data-buckets=\"{3}\">\n",
      width, height, escape_html(w.health), s.health.size());
  for (int g = 0; g <= 4; ++g) {
    double y = top + plot_h - plot_h * g / 4;
    out += fmt::format("<line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", left, num(y), left + plot_w,
                       num(y));
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}%</text>\n", left - 6, num(y + 4), g * 25);
  }
  std::size_t n = s.health.size();
  auto x_of = [&](std::size_t i) {
    return n <= 1 ? left + plot_w / 2 : left + plot_w * static_cast<double>(i) / static_cast<double>(n - 1);
  };
  std::size_t step = std::max<std::size_t>(1, (n + 11) / 12);  // at most about 12 date labels
  for (std::size_t i = 0; i < n; i += step) {
    out += fmt::format("<text class=\"bucket\" x=\"{0}\" y=\"{1}\" text-anchor=\"end\" "
                       "transform=\"rotate(-30 {0} {1})\">{2}</text>",
                       num(x_of(i)), num(top + plot_h + 14), format_date(s.health[i].bucket));
  }
  for (const auto& series : kSeries) {
    std::string points;
    out += fmt::format("<g class=\"series-group\" data-measure=\"{}\">", series.measure);
    for (std::size_t i = 0; i < n; ++i) {
      const Ratio& r = s.health[i].*series.ratio;
      if (r.of == 0) continue;
      double y = top + plot_h - plot_h * static_cast<double>(r.per_mille()) / 1000;
      points += fmt::format("{}{},{}", points.empty() ? "" : " ", num(x_of(i)), num(y));
      out += fmt::format(
          "<circle class=\"point\" cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\" data-bucket=\"{}\" data-measure=\"{}\" "
          "data-count=\"{}\" data-of=\"{}\" data-per-mille=\"{}\"><title>{} {}: {} ({}/{})</title></circle>",
          num(x_of(i)), num(y), series.colour, format_date(s.health[i].bucket), series.measure, r.count, r.of,
          r.per_mille(), format_date(s.health[i].bucket), escape_html(w.*series.label), percent(r), r.count, r.of);
    }
    if (!points.empty()) {
      out += fmt::format("<polyline class=\"series\" stroke=\"{}\" points=\"{}\"/>", series.colour, points);
    }
    out += "</g>\n";
  }
  out += fmt::format("<line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\"/>", left, num(top + plot_h),
                     left + plot_w);
  return out + "</svg>\n";
}

// Horizontal bars of cost in the summary's currency, one per row.
std::string cost_svg(std::string_view id, std::string_view attribute, const std::vector<CostRow>& rows,
                     const Summary& s, const Words& w, bool agents) {
  const double width = 960, left = 200, right = 150, bar = 18, gap = 8, top = 8;
  const double plot_w = width - left - right;
  double height = top * 2 + static_cast<double>(std::max<std::size_t>(rows.size(), 1)) * (bar + gap);
  std::string out = fmt::format(
      "<svg id=\"{0}\" width=\"{1}\" height=\"{2}\" viewBox=\"0 0 {1} {2}\" "
      "role=\"img\" data-currency=\"{3}\" data-rows=\"{4}\">\n",
      id, width, num(height), s.currency.code(), rows.size());
  std::int64_t max = 0;
  for (const auto& r : rows) max = std::max(max, r.cost.in(s.currency).minor_units());
  if (rows.empty()) out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>", left, top + bar - 4, escape_html(w.none));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    std::int64_t cost = r.cost.in(s.currency).minor_units();
    double y = top + static_cast<double>(i) * (bar + gap);
    double bw = max == 0 ? 0 : plot_w * static_cast<double>(cost) / static_cast<double>(max);
    std::string label = escape_html(agents ? agent_label(r.key, w) : cause_label(r.key, w));
    out += fmt::format("<g class=\"cost\" data-{}=\"{}\" data-remedies=\"{}\" data-cost-minor=\"{}\">", attribute,
                       escape_html(r.key), r.remedies, cost);
    out += fmt::format("<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", left - 8,
                       num(y + bar - 5), label);
    out += fmt::format("<rect class=\"hbar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>", left, num(y), num(bw),
                       bar);
    out += fmt::format("<text class=\"value\" x=\"{}\" y=\"{}\">{} ({})</text></g>\n", num(left + bw + 6),
                       num(y + bar - 5), escape_html(to_string(Money::from_minor_units(cost, s.currency))), r.remedies);
  }
  return out + "</svg>\n";
}

std::string cost_table(const std::vector<CostRow>& rows, const Words& w, std::string_view key_heading,
                       const Summary& s, bool agents) {
  std::string out = fmt::format("<table><tr><th class=\"k\">{}</th><th>{}</th><th>{}</th></tr>\n",
                                escape_html(key_heading), escape_html(w.remedies), escape_html(w.amount));
  for (const auto& r : rows) {
    out += fmt::format("<tr><td class=\"k\">{}</td><td>{}</td><td>{}</td></tr>\n",
                       escape_html(agents ? agent_label(r.key, w) : cause_label(r.key, w)), r.remedies,
                       escape_html(money_text(r.cost, s.currency)));
  }
  return out + "</table>\n";
}

std::string notes_table(std::string_view id, const std::vector<RemedyNote>& notes, const Words& w) {
  if (notes.empty()) return fmt::format("<p class=\"note\" id=\"{}\">{}</p>\n", id, escape_html(w.none));
  std::string out = fmt::format(
      "<table id=\"{}\"><tr><th class=\"k\">case</th><th class=\"k\">remedy</th><th class=\"k\">{}</th><th>{}</th>"
      "<th>{}</th><th class=\"k\">{}</th><th class=\"k\">{}</th><th class=\"k\">{}</th></tr>\n",
      id, escape_html(w.kind), escape_html(w.amount), escape_html(w.level), escape_html(w.status),
      escape_html(w.decided_by), escape_html(w.proposed_by));
  for (const auto& n : notes) {
    out += fmt::format(
        "<tr><td class=\"k\">{}</td><td class=\"k\">{}</td><td class=\"k\">{}</td><td>{}</td><td>{}</td>"
        "<td class=\"k\">{}</td><td class=\"k\">{}</td><td class=\"k\">{}</td></tr>\n",
        escape_html(n.case_id.str()), escape_html(n.remedy.str()), to_string(n.kind), escape_html(to_string(n.value)),
        n.approval_level, to_string(n.status), escape_html(decider(n, w)),
        escape_html(n.proposed_by ? n.proposed_by->str() : std::string(w.nobody)));
  }
  return out + "</table>\n";
}

// --- the coaching page: over-compensation and how agents write ------------

std::string giving_table(std::string_view id, std::string_view attribute, const std::vector<GivingRow>& rows,
                         const Summary& s, const CoachWords& cw, bool agents) {
  if (rows.empty()) return fmt::format("<p class=\"note\" id=\"{}\">{}</p>\n", id, escape_html(cw.none));
  std::string out = fmt::format(
      "<table id=\"{}\"><tr><th class=\"k\">{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n", id,
      escape_html(agents ? cw.agent : cw.cause), escape_html(cw.granted_above), escape_html(cw.amount_above),
      escape_html(cw.cash_without_loss), escape_html(cw.approvals));
  for (const auto& r : rows) {
    const std::string key = r.key.empty() ? std::string(agents ? cw.unattributed : cw.unrecorded) : r.key;
    out += fmt::format(
        "<tr class=\"giving\" data-{}=\"{}\" data-above-loss-count=\"{}\" data-above-loss-of=\"{}\" "
        "data-amount-above-minor=\"{}\" data-cash-without-loss=\"{}\" data-approvals-granted=\"{}\" "
        "data-approvals-requested=\"{}\"><td class=\"k\">{}</td><td>{} ({}/{})</td><td>{}</td><td>{} ({})</td>"
        "<td>{}/{}</td></tr>\n",
        attribute, escape_html(r.key), r.above_loss.count, r.above_loss.of,
        r.amount_above.in(s.currency).minor_units(), r.cash_without_loss, r.approvals_granted.count,
        r.approvals_granted.of, escape_html(key), percent(r.above_loss), r.above_loss.count, r.above_loss.of,
        escape_html(money_text(r.amount_above, s.currency)), r.cash_without_loss,
        escape_html(money_text(r.cash_without_loss_total, s.currency)), r.approvals_granted.count,
        r.approvals_granted.of);
  }
  return out + "</table>\n";
}

// One row per agent: the 25%-75% band of their scores and the median tick.
std::string scores_svg(const std::vector<AgentCoaching>& agents, const CoachWords& cw) {
  constexpr int kLeft = 170, kWidth = 760, kRow = 22;
  const int height = kRow * static_cast<int>(agents.size()) + 30;
  std::string out = fmt::format(
      "<svg id=\"coaching-scores\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\">\n",
      kLeft + kWidth + 60, height, kLeft + kWidth + 60, height);
  auto x = [&](int score) { return kLeft + kWidth * score / 100; };
  for (int score = 0; score <= 100; score += 25) {
    out += fmt::format("<line class=\"grid\" x1=\"{0}\" y1=\"0\" x2=\"{0}\" y2=\"{1}\"/><text x=\"{0}\" y=\"{2}\" "
                       "text-anchor=\"middle\">{3}</text>\n",
                       x(score), height - 20, height - 6, score);
  }
  for (std::size_t i = 0; i < agents.size(); ++i) {
    const auto& a = agents[i];
    const int y = static_cast<int>(i) * kRow + 4;
    const std::string name = a.agent.empty() ? std::string(cw.unattributed) : a.agent;
    out += fmt::format(
        "<g class=\"score\" data-agent=\"{}\" data-replies=\"{}\" data-p25=\"{}\" data-median=\"{}\" "
        "data-p75=\"{}\"><text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
        escape_html(a.agent), a.scores.replies, a.scores.p25, a.scores.median, a.scores.p75, kLeft - 6, y + 13,
        escape_html(name));
    if (a.scores.replies > 0) {
      out += fmt::format(
          "<rect class=\"hbar\" x=\"{0}\" y=\"{1}\" width=\"{2}\" height=\"14\"/><line class=\"median\" x1=\"{3}\" "
          "y1=\"{1}\" x2=\"{3}\" y2=\"{4}\" stroke=\"#1f2933\" stroke-width=\"2\"/>",
          x(a.scores.p25), y, std::max(1, x(a.scores.p75) - x(a.scores.p25)), x(a.scores.median), y + 14);
    }
    out += fmt::format("<text class=\"value\" x=\"{}\" y=\"{}\">{} ({}-{})</text></g>\n", kLeft + kWidth + 6,
                       y + 13, a.scores.median, a.scores.p25, a.scores.p75);
  }
  return out + "</svg>\n";
}

std::string coaching_html(const Summary& s, ReportLanguage language) {
  const CoachWords& cw = coach_words(language);
  std::string out = fmt::format("<section id=\"coaching\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n",
                                escape_html(cw.title), escape_html(cw.note));
  out += fmt::format("<h3>{}</h3>\n<p class=\"note\">{}</p>\n", escape_html(cw.giving_agent), escape_html(cw.giving_note));
  out += giving_table("giving-by-agent", "agent", s.giving_by_agent, s, cw, true);
  out += fmt::format("<h3>{}</h3>\n", escape_html(cw.giving_cause));
  out += giving_table("giving-by-cause", "cause", s.giving_by_cause, s, cw, false);
  out += fmt::format("<h3>{}</h3>\n<p class=\"note\">{}</p>\n", escape_html(cw.scores), escape_html(cw.scores_note));
  if (s.coaching.empty()) return out + fmt::format("<p class=\"note\">{}</p>\n</section>\n", escape_html(cw.none));
  out += scores_svg(s.coaching, cw);
  out += fmt::format(
      "<table id=\"coaching-table\"><tr><th class=\"k\">{}</th><th>{}</th><th>{}</th><th>{}</th><th class=\"k\">{}</th>"
      "<th>{}</th><th>{}</th></tr>\n",
      escape_html(cw.agent), escape_html(cw.replies), escape_html(cw.median), escape_html(cw.spread),
      escape_html(cw.findings), escape_html(cw.repeat), escape_html(cw.feeling_rose));
  for (const auto& a : s.coaching) {
    std::string findings;
    for (const auto& f : a.top_findings) findings += fmt::format("{}{} ({})", findings.empty() ? "" : ", ", f.code, f.count);
    out += fmt::format(
        "<tr class=\"coaching\" data-agent=\"{}\" data-repeat-count=\"{}\" data-repeat-of=\"{}\" "
        "data-feeling-rose-count=\"{}\" data-feeling-rose-of=\"{}\"><td class=\"k\">{}</td><td>{}</td><td>{}</td>"
        "<td>{}-{}</td><td class=\"k\">{}</td><td>{}</td><td>{}</td></tr>\n",
        escape_html(a.agent), a.repeat_replies.count, a.repeat_replies.of, a.feeling_rose.count, a.feeling_rose.of,
        escape_html(a.agent.empty() ? std::string(cw.unattributed) : a.agent), a.repeat_replies.of, a.scores.median,
        a.scores.p25, a.scores.p75, escape_html(findings.empty() ? std::string(cw.none) : findings),
        percent(a.repeat_replies), percent(a.feeling_rose));
  }
  out += "</table>\n";
  out += fmt::format("<h3>{}</h3>\n<table id=\"coaching-periods\"><tr><th class=\"k\">{}</th><th class=\"k\">{}</th>"
                     "<th>{}</th><th>{}</th><th>{}</th></tr>\n",
                     escape_html(cw.by_period), escape_html(cw.agent), escape_html(cw.period), escape_html(cw.replies),
                     escape_html(cw.median), escape_html(cw.spread));
  for (const auto& a : s.coaching) {
    for (const auto& p : a.by_period) {
      out += fmt::format("<tr data-agent=\"{}\" data-bucket=\"{}\" data-median=\"{}\"><td class=\"k\">{}</td>"
                         "<td class=\"k\">{}</td><td>{}</td><td>{}</td><td>{}-{}</td></tr>\n",
                         escape_html(a.agent), format_date(p.bucket), p.median,
                         escape_html(a.agent.empty() ? std::string(cw.unattributed) : a.agent), format_date(p.bucket),
                         p.replies, p.median, p.p25, p.p75);
    }
  }
  return out + "</table>\n</section>\n";
}

}  // namespace

std::string report_html(const Summary& s, ReportLanguage language) {
  const Words& w = words(language);
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{}</style>\n"
      "</head>\n<body>\n<h1>{}</h1>\n<p class=\"meta\" id=\"overview\" data-cases=\"{}\" data-events=\"{}\" "
      "data-loss-aversion-permille=\"{}\">{}</p>\n",
      w.lang, escape_html(w.title), kStyle, escape_html(w.title), s.cases, s.events, s.loss_aversion_permille,
      escape_html(overview(s, w)));

  // Causes: the Pareto chart and the full table.
  out += fmt::format("<section id=\"causes\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n", escape_html(w.causes),
                     escape_html(w.causes_note));
  out += pareto_svg(s, w);
  if (s.causes.size() > kMaxBars) {
    out += fmt::format("<p class=\"note\">{}</p>\n",
                       escape_html(fmt::format(fmt::runtime(w.more_causes), fmt::arg("n", s.causes.size() - kMaxBars))));
  }
  out += fmt::format(
      "<table id=\"causes-table\"><tr><th>{}</th><th class=\"k\">{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
      "<th>{}</th><th>{}</th></tr>\n",
      escape_html(w.rank), escape_html(w.cause), escape_html(w.cases), escape_html(w.lost), escape_html(w.remedies),
      escape_html(w.felt), escape_html(w.closed_well), escape_html(w.cumulative));
  for (std::size_t i = 0; i < s.causes.size(); ++i) {
    const auto& c = s.causes[i];
    out += fmt::format(
        "<tr><td>{}</td><td class=\"k\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "</tr>\n",
        i + 1, escape_html(cause_label(c, w)), c.cases, escape_html(money_text(c.money_lost, s.currency)),
        escape_html(money_text(c.remedy_cost, s.currency)), escape_html(money_text(c.felt_loss, s.currency)),
        percent(c.closed_well), percent_of(c.cumulative_per_mille));
  }
  out += "</table>\n</section>\n";

  // Health: the trend chart, its legend and the table.
  out += fmt::format("<section id=\"health\">\n<h2>{} ({}, {})</h2>\n", escape_html(w.health),
                     escape_html(s.period == Period::week ? w.by_week : w.by_day), escape_html(s.time_zone));
  out += "<div class=\"legend\">";
  for (const auto& series : kSeries) {
    out += fmt::format("<span><i style=\"background:{}\"></i>{}</span>", series.colour, escape_html(w.*series.label));
  }
  out += "</div>\n" + health_svg(s, w);
  out += fmt::format(
      "<table id=\"health-table\"><tr><th class=\"k\">{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
      "<th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
      escape_html(w.bucket), escape_html(w.cases), escape_html(w.first_response), escape_html(w.updates),
      escape_html(w.promises), escape_html(w.closed_well), escape_html(w.repeat), escape_html(w.escalations),
      escape_html(w.emergencies), escape_html(w.public_replies));
  for (const auto& h : s.health) {
    out += fmt::format(
        "<tr><td class=\"k\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td></tr>\n",
        format_date(h.bucket), h.cases, percent(h.first_response_on_time), percent(h.updates_on_time),
        percent(h.promises_kept), percent(h.closed_well), percent(h.repeat_contact), h.escalations, h.emergencies,
        percent(h.public_replies_on_time));
  }
  out += "</table>\n</section>\n";

  // Cost of recovery.
  out += fmt::format("<section id=\"cost\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n", escape_html(w.cost),
                     escape_html(fmt::format(fmt::runtime(w.cost_total),
                                             fmt::arg("lost", money_text(s.money_lost, s.currency)),
                                             fmt::arg("cost", money_text(s.remedy_cost, s.currency)))));
  out += fmt::format("<h3>{}</h3>\n", escape_html(w.by_agent)) +
         cost_svg("cost-by-agent", "agent", s.cost_by_agent, s, w, true) +
         cost_table(s.cost_by_agent, w, w.agent, s, true);
  out += fmt::format("<h3>{}</h3>\n", escape_html(w.by_kind)) +
         cost_svg("cost-by-kind", "kind", s.cost_by_kind, s, w, false) + cost_table(s.cost_by_kind, w, w.kind, s, false);
  out += fmt::format("<h3>{}</h3>\n", escape_html(w.by_cause)) + cost_table(s.cost_by_cause, w, w.cause, s, false);
  out += fmt::format("<h3>{} ({})</h3>\n", escape_html(w.cash_without_loss),
                     escape_html(money_text(s.cash_without_loss_total, s.currency)));
  out += notes_table("cash-without-loss", s.cash_without_loss, w);
  out += fmt::format("<h3>{}</h3>\n", escape_html(w.above_authority));
  out += notes_table("above-authority", s.above_authority, w);
  std::string outliers;
  for (const auto& id : s.precedent_outliers) outliers += (outliers.empty() ? "" : ", ") + std::string(id.str());
  out += fmt::format("<h3>{}</h3>\n<p id=\"precedent\" data-claims=\"{}\" data-outliers=\"{}\">{}: {}; {}: {}</p>\n",
                     escape_html(w.precedent), s.precedent_claims, s.precedent_outlier_count, escape_html(w.claims),
                     s.precedent_claims, escape_html(w.outliers),
                     escape_html(outliers.empty() ? std::string(w.none) : outliers));
  if (!s.fixes.empty()) {
    out += fmt::format("<h3>{}</h3>\n<table id=\"fixes\">\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
                       escape_html(w.fixes), escape_html(w.cause), escape_html(w.fixed_at), escape_html(w.customers_told),
                       escape_html(w.fixed_by));
    for (const auto& f : s.fixes) {
      out += fmt::format(
          "<tr data-cause=\"{}\" data-fixed-at=\"{}\" data-customers=\"{}\" data-told=\"{}\"><td>{}</td><td>{}</td>"
          "<td>{}/{}</td><td>{}</td></tr>\n",
          escape_html(f.cause), format_instant(f.fixed_at_utc), f.customers, f.told, escape_html(f.cause),
          format_instant(f.fixed_at_utc), f.told, f.customers, escape_html(f.fixed_by.empty() ? w.nobody : f.fixed_by));
    }
    out += "</table>\n";
  }
  out += "</section>\n";
  return out + coaching_html(s, language) + "</body>\n</html>\n";
}

// --- what-if ---------------------------------------------------------------

namespace {

struct WhatIfWords {
  std::string_view title, overview, changes, changes_note, measure, count, cases_changed, remedies, escalations,
      findings, deadlines, skipped, value, value_note, currency, before, after, difference, examples, examples_note,
      case_id, at, kind, subject, amount, failed, reason, none;
  std::array<std::string_view, 6> kinds;  // WhatIfChangeKind, in order
};

constexpr WhatIfWords kWhatIfEnglish{
    "What the new policy would change", "{cases} cases compared; {changed} would change.",
    "Decisions that change",
    "Each case's journal replayed under the policy it was decided under and under the new one, event by event.",
    "measure", "count", "cases that would change", "remedies (offered, blocked, sent for approval)", "escalations",
    "findings", "deadlines moved", "events that no longer apply", "Value of the remedies left standing",
    "Remedies not rejected in the final cases, under each policy.", "currency", "before", "after", "difference",
    "Examples", "The first changes found, in the order of the store's cases.", "case", "at", "kind", "subject", "value",
    "Cases not compared", "reason", "none",
    {"finding raised", "finding cleared", "finding severity", "remedy", "deadline", "escalation"}};

constexpr WhatIfWords kWhatIfChinese{
    "新政策会带来的变化", "共比较 {cases} 个案例,其中 {changed} 个会有变化。", "会变化的决定",
    "每个案例的事件记录分别按其当时适用的政策和新政策逐个事件重放。", "指标", "数量", "会变化的案例",
    "补救(发放、拦截、送审)", "升级", "检查发现", "期限变化", "不再适用的事件", "仍有效补救的金额",
    "最终案例中未被拒绝的补救,分别按两种政策计。", "币种", "之前", "之后", "差额", "示例",
    "最先发现的变化,按存储中案例的顺序。", "案例", "时间", "类型", "对象", "金额", "未能比较的案例", "原因", "无",
    {"新增发现", "消除发现", "发现级别变化", "补救", "期限", "升级"}};

struct WhatIfFigure {
  std::string_view measure;
  std::string_view WhatIfWords::*label;
  std::int64_t count;
};

std::string whatif_figures(const WhatIfSummary& s, const WhatIfWords& w) {
  const std::array<WhatIfFigure, 6> figures{{
      {"cases_changed", &WhatIfWords::cases_changed, s.cases_changed()},
      {"remedies_changed", &WhatIfWords::remedies, s.remedies_changed()},
      {"escalations_changed", &WhatIfWords::escalations, s.escalations_changed()},
      {"findings_changed", &WhatIfWords::findings, s.findings_changed()},
      {"deadlines_changed", &WhatIfWords::deadlines, s.deadlines_changed()},
      {"events_skipped", &WhatIfWords::skipped, s.events_skipped()},
  }};
  const double width = 960, left = 330, right = 80, bar = 18, gap = 8, top = 8;
  const double plot_w = width - left - right;
  const double height = top * 2 + static_cast<double>(figures.size()) * (bar + gap);
  std::int64_t max = 0;
  for (const auto& f : figures) max = std::max(max, f.count);
  std::string svg = fmt::format(
      "<svg id=\"whatif-chart\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" role=\"img\" "
      "aria-label=\"{2}\">\n",
      width, num(height), escape_html(w.changes));
  std::string table = fmt::format("<table id=\"whatif-figures\"><tr><th class=\"k\">{}</th><th>{}</th></tr>\n",
                                  escape_html(w.measure), escape_html(w.count));
  for (std::size_t i = 0; i < figures.size(); ++i) {
    const auto& f = figures[i];
    const double y = top + static_cast<double>(i) * (bar + gap);
    const double bw = max == 0 ? 0 : plot_w * static_cast<double>(f.count) / static_cast<double>(max);
    svg += fmt::format(
        "<g class=\"figure\" data-measure=\"{}\" data-count=\"{}\"><text class=\"label\" x=\"{}\" y=\"{}\" "
        "text-anchor=\"end\">{}</text><rect class=\"hbar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>"
        "<text class=\"value\" x=\"{}\" y=\"{}\">{}</text></g>\n",
        f.measure, f.count, left - 8, num(y + bar - 5), escape_html(w.*f.label), left, num(y), num(bw), bar,
        num(left + bw + 6), num(y + bar - 5), f.count);
    table += fmt::format("<tr data-measure=\"{}\" data-count=\"{}\"><td class=\"k\">{}</td><td>{}</td></tr>\n",
                         f.measure, f.count, escape_html(w.*f.label), f.count);
  }
  return svg + "</svg>\n" + table + "</table>\n";
}

// One row per currency either side has: before, after and the difference.
std::string whatif_money(const WhatIfSummary& s, const WhatIfWords& w) {
  std::vector<Currency> currencies;
  for (const auto* t : {&s.remedies_before(), &s.remedies_after()}) {
    for (Money m : t->amounts()) {
      if (std::find(currencies.begin(), currencies.end(), m.currency()) == currencies.end()) {
        currencies.push_back(m.currency());
      }
    }
  }
  std::sort(currencies.begin(), currencies.end(),
            [](Currency a, Currency b) { return a.code() < b.code(); });
  if (currencies.empty()) return fmt::format("<p class=\"note\" id=\"whatif-money\">{}</p>\n", escape_html(w.none));
  std::string out = fmt::format(
      "<table id=\"whatif-money\"><tr><th class=\"k\">{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
      escape_html(w.currency), escape_html(w.before), escape_html(w.after), escape_html(w.difference));
  for (Currency c : currencies) {
    const Money before = s.remedies_before().in(c), after = s.remedies_after().in(c);
    auto diff = subtract(after, before);
    out += fmt::format(
        "<tr class=\"money\" data-currency=\"{}\" data-before-minor=\"{}\" data-after-minor=\"{}\"{}>"
        "<td class=\"k\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        c.code(), before.minor_units(), after.minor_units(),
        diff ? fmt::format(" data-difference-minor=\"{}\"", diff.value().minor_units()) : std::string(), c.code(),
        escape_html(to_string(before)), escape_html(to_string(after)),
        diff ? escape_html(to_string(diff.value())) : std::string(w.none));
  }
  return out + "</table>\n";
}

std::string whatif_examples(const WhatIfSummary& s, const WhatIfWords& w) {
  if (s.examples().empty()) {
    return fmt::format("<p class=\"note\" id=\"whatif-examples\">{}</p>\n", escape_html(w.none));
  }
  std::string out = fmt::format(
      "<table id=\"whatif-examples\"><tr><th class=\"k\">{}</th><th class=\"k\">{}</th><th class=\"k\">{}</th>"
      "<th class=\"k\">{}</th><th class=\"k\">{}</th><th class=\"k\">{}</th><th>{}</th></tr>\n",
      escape_html(w.case_id), escape_html(w.at), escape_html(w.kind), escape_html(w.subject), escape_html(w.before),
      escape_html(w.after), escape_html(w.amount));
  for (const auto& e : s.examples()) {
    const auto& c = e.change;
    out += fmt::format(
        "<tr class=\"example\" data-case=\"{}\" data-kind=\"{}\" data-subject=\"{}\"{}><td class=\"k\">{}</td>"
        "<td class=\"k\">{}</td><td class=\"k\">{}</td><td class=\"k\">{}</td><td class=\"k\">{}</td>"
        "<td class=\"k\">{}</td><td>{}</td></tr>\n",
        escape_html(e.case_id.str()), to_string(c.kind), escape_html(c.subject),
        c.value ? fmt::format(" data-value-minor=\"{}\"", c.value->minor_units()) : std::string(),
        escape_html(e.case_id.str()), format_instant(e.at_utc), escape_html(w.kinds[static_cast<std::size_t>(c.kind)]),
        escape_html(c.subject), escape_html(c.before.empty() ? std::string("—") : c.before),
        escape_html(c.after.empty() ? std::string("—") : c.after),
        c.value ? escape_html(to_string(*c.value)) : std::string("—"));
  }
  return out + "</table>\n";
}

}  // namespace

std::string whatif_html(const WhatIfSummary& s, ReportLanguage language) {
  const WhatIfWords& w = language == ReportLanguage::zh ? kWhatIfChinese : kWhatIfEnglish;
  const std::string overview = fmt::format(fmt::runtime(w.overview), fmt::arg("cases", s.cases()),
                                           fmt::arg("changed", s.cases_changed()));
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{}</style>\n"
      "</head>\n<body>\n<h1>{}</h1>\n<p class=\"meta\" id=\"overview\" data-cases=\"{}\" data-cases-changed=\"{}\" "
      "data-failed=\"{}\">{}</p>\n",
      words(language).lang, escape_html(w.title), kStyle, escape_html(w.title), s.cases(), s.cases_changed(),
      s.failed().size(), escape_html(overview));
  out += fmt::format("<section id=\"changes\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n", escape_html(w.changes),
                     escape_html(w.changes_note));
  out += whatif_figures(s, w) + "</section>\n";
  out += fmt::format("<section id=\"value\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n", escape_html(w.value),
                     escape_html(w.value_note));
  out += whatif_money(s, w) + "</section>\n";
  out += fmt::format("<section id=\"examples\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n", escape_html(w.examples),
                     escape_html(w.examples_note));
  out += whatif_examples(s, w) + "</section>\n";
  out += fmt::format("<section id=\"failed\">\n<h2>{} ({})</h2>\n", escape_html(w.failed), s.failed().size());
  if (s.failed().empty()) {
    out += fmt::format("<p class=\"note\">{}</p>\n", escape_html(w.none));
  } else {
    out += fmt::format("<table id=\"whatif-failed\"><tr><th class=\"k\">{}</th><th class=\"k\">{}</th></tr>\n",
                       escape_html(w.case_id), escape_html(w.reason));
    for (const auto& [id, why] : s.failed()) {
      out += fmt::format("<tr data-case=\"{}\"><td class=\"k\">{}</td><td class=\"k\">{}</td></tr>\n",
                         escape_html(id.str()), escape_html(id.str()), escape_html(why));
    }
    out += "</table>\n";
  }
  return out + "</section>\n</body>\n</html>\n";
}

}  // namespace v1
}  // namespace redress
