// The "redress" error category and the per-thread error detail.
#include <redress/error.hpp>
#include <redress/version.hpp>

#include <iterator>

namespace redress {
inline namespace v1 {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "redress"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::invalid_argument: return "invalid argument";
      case errc::currency_mismatch: return "currencies do not match";
      case errc::amount_overflow: return "money amount out of range";
      case errc::unknown_currency: return "unknown currency";
      case errc::invalid_amount: return "amount cannot be represented exactly";
      case errc::invalid_contact: return "contact point does not normalise";
      case errc::unknown_time_zone: return "unknown time zone";
      case errc::invalid_calendar: return "invalid business calendar";
      case errc::out_of_range: return "date or instant out of range";
      case errc::invalid_json: return "invalid JSON";
      case errc::internal_error: return "internal error in redress";
      case errc::invalid_utf8: return "text is not valid UTF-8";
      case errc::text_too_long: return "text is longer than the limit";
      case errc::invalid_event: return "event does not fit the case";
      case errc::policy_failed: return "the policy failed";
      case errc::storage_failed: return "the store's storage failed";
      case errc::corrupt_store: return "the store is not a redress store or is damaged";
      case errc::schema_too_new: return "the store was written by a newer redress";
      case errc::store_conflict: return "another writer changed the store first";
    }
    return "unknown redress error";
  }

  std::error_condition default_error_condition(int value) const noexcept override {
    switch (static_cast<errc>(value)) {
      case errc::invalid_argument:
      case errc::invalid_amount:
      case errc::invalid_contact:
      case errc::invalid_calendar:
      case errc::invalid_json:
      case errc::invalid_utf8:
      case errc::invalid_event:
        return std::errc::invalid_argument;
      case errc::amount_overflow:
      case errc::out_of_range:
        return std::errc::result_out_of_range;
      case errc::text_too_long:
        return std::errc::message_size;
      default:
        return {value, *this};
    }
  }
};

thread_local std::string last_detail;

}  // namespace

std::string_view to_string(errc e) noexcept {
  static constexpr std::string_view kNames[] = {
      "invalid_argument", "currency_mismatch", "amount_overflow", "unknown_currency", "invalid_amount",
      "invalid_contact",  "unknown_time_zone", "invalid_calendar", "out_of_range",   "invalid_json",
      "internal_error",   "invalid_utf8",      "text_too_long",    "invalid_event",  "policy_failed",
      "storage_failed",   "corrupt_store",     "schema_too_new",   "store_conflict"};
  const auto i = static_cast<std::size_t>(e) - 1;
  return static_cast<int>(e) >= 1 && i < std::size(kNames) ? kNames[i] : "unknown";
}

const std::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

std::string_view last_error_detail() noexcept { return last_detail; }

namespace detail {
std::error_code fail(errc e, std::string message) noexcept {
  last_detail = std::move(message);
  return make_error_code(e);
}
}  // namespace detail

const char* version_string() noexcept {
  static const std::string v = std::to_string(REDRESS_VERSION_MAJOR) + "." +
                               std::to_string(REDRESS_VERSION_MINOR) + "." +
                               std::to_string(REDRESS_VERSION_PATCH);
  return v.c_str();
}

}  // namespace v1
}  // namespace redress
