// Analytics through the C API: the summary (JSON) and the report (HTML) over
// a list of journals; redress_report_store() (store.cpp) over a store.
#include <redress/analytics.hpp>
#include <redress/detail/json_read.hpp>
#include <redress/journal.hpp>
#include <redress/report.hpp>

#include "glue.hpp"

using namespace redress;
using c_api::guard;
using c_api::need;
using c_api::text_arg;

namespace redress::c_api {

result<PageFormat> page_format_arg(const char* format, const char* language) {
  BOOST_OUTCOME_TRY(auto f, text_arg(format, "format"));
  if (f != "json" && f != "html") return detail::fail(errc::invalid_argument, "format: expected \"json\" or \"html\"");
  PageFormat page;
  page.html = f == "html";
  if (language != nullptr) {
    BOOST_OUTCOME_TRY(auto l, text_arg(language, "language"));
    BOOST_OUTCOME_TRY(page.language, detail::at_path(parse_report_language(l), "language"));
  }
  return page;
}

result<ReportOut> report_begin(const char* format, const char* language, const redress_policy* policy) {
  BOOST_OUTCOME_TRYV(need(policy, "policy"));
  BOOST_OUTCOME_TRY(auto page, page_format_arg(format, language));
  ReportOut r;
  r.html = page.html;
  r.language = page.language;
  BOOST_OUTCOME_TRY(auto any, Case::open(CaseId::make("report").value(), CustomerId::make("report").value(),
                                         Currency::CNY, Instant(boost::gregorian::date(2025, 1, 1))));
  BOOST_OUTCOME_TRY(auto settings, policy->policy->settings(any));
  BOOST_OUTCOME_TRY(auto calendar, policy->policy->calendar(any));
  AnalyticsOptions options = analytics_options(*settings);
  options.time_zone = calendar->time_zone();
  BOOST_OUTCOME_TRY(auto a, Analytics::make(options));
  r.analytics.emplace(std::move(a));
  return r;
}

result<void> report_end(redress_buf* out, const ReportOut& r) {
  Summary s = r.analytics->summary();
  return put(out, r.html ? report_html(s, r.language) : report_json(s));
}

}  // namespace redress::c_api

extern "C" {

int redress_report_journals(redress_buf* out, const char* format, const char* language,
                            const redress_policy* policy, const char* cases_json, size_t len) {
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    redress_buf_dispose(out);
    BOOST_OUTCOME_TRY(auto r, c_api::report_begin(format, language, policy));
    BOOST_OUTCOME_TRY(auto text, text_arg(cases_json, len, "cases"));
    BOOST_OUTCOME_TRY(auto doc, detail::json_parse(text, "cases"));
    BOOST_OUTCOME_TRY(auto array, detail::json_array(doc, "cases"));
    for (std::size_t i = 0; i < array->size(); ++i) {
      const std::string path = detail::json_index("cases", i);
      BOOST_OUTCOME_TRY(auto entry, detail::json_object((*array)[i], path));
      BOOST_OUTCOME_TRY(auto head_v, detail::json_member(*entry, path, "case"));
      const std::string head_path = detail::json_child(path, "case");
      BOOST_OUTCOME_TRY(auto head, detail::json_object(*head_v, head_path));
      auto member = [&](std::string_view key) -> result<const boost::json::value*> {
        return detail::json_member(*head, head_path, key);
      };
      BOOST_OUTCOME_TRY(auto id_v, member("id"));
      BOOST_OUTCOME_TRY(auto customer_v, member("customer"));
      BOOST_OUTCOME_TRY(auto opened_v, member("opened_at"));
      BOOST_OUTCOME_TRY(auto id, from_json<CaseId>(*id_v, detail::json_child(head_path, "id")));
      BOOST_OUTCOME_TRY(auto customer, from_json<CustomerId>(*customer_v, detail::json_child(head_path, "customer")));
      BOOST_OUTCOME_TRY(auto opened, from_json<Instant>(*opened_v, detail::json_child(head_path, "opened_at")));
      Currency currency = r.analytics->options().currency;
      if (auto it = head->find("currency"); it != head->end()) {
        BOOST_OUTCOME_TRY(currency, from_json<Currency>(it->value(), detail::json_child(head_path, "currency")));
      }
      BOOST_OUTCOME_TRY(auto initial, Case::open(std::move(id), std::move(customer), currency, opened));
      BOOST_OUTCOME_TRY(auto events_v, detail::json_member(*entry, path, "events"));
      const std::string events_text = boost::json::serialize(*events_v);
      BOOST_OUTCOME_TRY(auto journal, c_api::journal_arg(events_text.c_str(), events_text.size(), initial));
      BOOST_OUTCOME_TRY(auto c, detail::at_path(replay(initial, journal, *policy->policy), path));
      BOOST_OUTCOME_TRYV(r.analytics->add(c, journal));
    }
    return c_api::report_end(out, r);
  });
}

}  // extern "C"
