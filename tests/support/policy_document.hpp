// The policy document the engine tests and the engine benchmark share:
// docs/domain.md's defaults on the China calendar, plus caps and a scope table.
// No doctest here, so benchmarks can include it too.
#ifndef REDRESS_TESTS_SUPPORT_POLICY_DOCUMENT_HPP
#define REDRESS_TESTS_SUPPORT_POLICY_DOCUMENT_HPP

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <boost/json.hpp>

namespace redress::testing {

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The policy document, with the calendar read from `data_dir`: docs/domain.md's defaults on the
// China calendar, plus caps and a scope table, with `extra` merged on top.
inline boost::json::object policy_document_in(const std::string& data_dir, const boost::json::object& extra = {}) {
  auto doc = boost::json::parse(R"({
    "currency": "CNY",
    "authority": [{"level": 0, "limit": "200"}, {"level": 1, "limit": "2000"}, {"level": 2}],
    "update_interval": "PT20M",
    "repeat_contacts_to_escalate": 2,
    "extension_grace_days": 7,
    "max_extensions": 1,
    "goodwill_cap": "0",
    "failure_signal_threshold": 3,
    "contact_window": {"opens": "10:00:00", "closes": "20:00:00"},
    "scope": {"out_of_scope": [{"match": "taxi",
       "reason": "We can't book rides on other platforms.",
       "alternative": "Here is the ride platform's hotline, and I can note the delay on your order."}]}
  })").as_object();
  doc["calendar"] = boost::json::parse(read_file(data_dir + "/calendars/cn.json"));
  for (const auto& kv : extra) doc[kv.key()] = kv.value();
  return doc;
}

}  // namespace redress::testing

#endif
