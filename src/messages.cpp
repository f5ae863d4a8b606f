// The message catalogue: built-in entries from data/messages/*.tsv, the
// host's overrides, and placeholders filled for the locale.
#include <redress/messages.hpp>

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include <fmt/format.h>

#include <redress/detail/lint_embedded.hpp>
#include <redress/lint.hpp>

namespace redress {
inline namespace v1 {
namespace {

using BuiltinRow = std::array<std::string_view, kLocales.size()>;

struct Builtin {
  std::unordered_map<std::string_view, BuiltinRow> rows;
  std::vector<std::string_view> keys;
};

// Each line: key<TAB>en<TAB>zh-Hans<TAB>zh-Hant. The tables are checked by
// the tests (every key in every locale, the same placeholders).
const Builtin& builtin_table() {
  static const Builtin table = [] {
    Builtin t;
    for (const auto& file : detail::messages_embedded_files()) {
      detail::for_each_table_line(file.text, [&](std::size_t, std::string_view line) {
        std::array<std::string_view, 4> cols{};
        for (std::size_t c = 0; c < cols.size(); ++c) {
          const std::size_t tab = c + 1 < cols.size() ? line.find('\t') : std::string_view::npos;
          cols[c] = line.substr(0, tab);
          line = tab == std::string_view::npos ? std::string_view{} : line.substr(tab + 1);
        }
        if (t.rows.emplace(cols[0], BuiltinRow{cols[1], cols[2], cols[3]}).second) t.keys.push_back(cols[0]);
        return std::error_code{};
      });
    }
    std::sort(t.keys.begin(), t.keys.end());
    return t;
  }();
  return table;
}

std::size_t index(Locale l) { return static_cast<std::size_t>(l); }

// The placeholder at `open` (a '{'): its name, or empty when the braces do
// not pair.
std::string_view placeholder_at(std::string_view text, std::size_t open, std::size_t& close) {
  close = text.find('}', open + 1);
  if (close == std::string_view::npos) return {};
  std::string_view name = text.substr(open + 1, close - open - 1);
  if (name.empty() || name.find('{') != std::string_view::npos) return {};
  return name;
}

// The unit written after an amount in Chinese.
std::string_view chinese_unit(Currency c, Locale l) {
  std::string_view code = c.code();
  if (code == "CNY") return "元";
  if (code == "HKD") return "港元";
  if (code == "USD") return "美元";
  if (code == "EUR") return l == Locale::zh_hant ? "歐元" : "欧元";
  if (code == "JPY") return "日元";
  if (code == "TWD") return l == Locale::zh_hant ? "新臺幣" : "新台币";
  return {};
}

std::string duration_text(Duration d, Locale l) {
  const bool hant = l == Locale::zh_hant;
  std::int64_t minutes = d.total_seconds() / 60;
  if (minutes % (24 * 60) == 0 && minutes > 0) {
    std::int64_t days = minutes / (24 * 60);
    if (l == Locale::en) return fmt::format("{} day{}", days, days == 1 ? "" : "s");
    return fmt::format("{}天", days);
  }
  std::int64_t hours = minutes / 60;
  minutes %= 60;
  if (l == Locale::en) {
    std::string out;
    if (hours > 0) out = fmt::format("{} hour{}", hours, hours == 1 ? "" : "s");
    if (minutes > 0 || hours == 0) {
      out += fmt::format("{}{} minute{}", out.empty() ? "" : " ", minutes, minutes == 1 ? "" : "s");
    }
    return out;
  }
  std::string out;
  if (hours > 0) out = fmt::format("{}{}", hours, hant ? "小時" : "小时");
  if (minutes > 0 || hours == 0) out += fmt::format("{}{}", minutes, hant ? "分鐘" : "分钟");
  return out;
}

std::string date_text(CivilDate d, Locale l) {
  if (l == Locale::en) return format_date(d);
  return fmt::format("{}年{}月{}日", static_cast<int>(d.year()), static_cast<int>(d.month()),
                     static_cast<int>(d.day()));
}

}  // namespace

std::string_view to_string(Locale locale) noexcept {
  switch (locale) {
    case Locale::zh_hans: return "zh-Hans";
    case Locale::zh_hant: return "zh-Hant";
    default: return "en";
  }
}

result<Locale> parse_locale(std::string_view text) {
  auto language = parse_lint_language(text);
  if (!language || language.value() == LintLanguage::automatic) {
    return detail::fail(errc::invalid_argument,
                        fmt::format("locale: \"{}\" is not one of en, zh-Hans, zh-Hant", text));
  }
  switch (language.value()) {
    case LintLanguage::zh_hans: return Locale::zh_hans;
    case LintLanguage::zh_hant: return Locale::zh_hant;
    default: return Locale::en;
  }
}

std::span<const std::string_view> MessageCatalogue::builtin_keys() { return builtin_table().keys; }

std::string_view MessageCatalogue::builtin(std::string_view key, Locale locale) noexcept {
  const auto& rows = builtin_table().rows;
  auto it = rows.find(key);
  return it == rows.end() ? std::string_view() : it->second[index(locale)];
}

std::vector<std::string> MessageCatalogue::placeholders(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t i = text.find('{'); i != std::string_view::npos; i = text.find('{', i + 1)) {
    std::size_t close = 0;
    std::string_view name = placeholder_at(text, i, close);
    if (name.empty()) continue;
    if (std::find(out.begin(), out.end(), name) == out.end()) out.emplace_back(name);
    i = close;
  }
  return out;
}

result<void> MessageCatalogue::set(std::string_view key, Locale locale, std::string text) {
  if (key.empty()) return detail::fail(errc::invalid_argument, "messages: a key is empty");
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '}') {
      return detail::fail(errc::invalid_argument, fmt::format("messages.{}.{}: a '}}' without its '{{'", key,
                                                              to_string(locale)));
    }
    if (text[i] != '{') continue;
    std::size_t close = 0;
    if (placeholder_at(text, i, close).empty()) {
      return detail::fail(errc::invalid_argument, fmt::format("messages.{}.{}: a '{{' without a placeholder name "
                                                              "and its '}}'", key, to_string(locale)));
    }
    i = close;
  }
  std::string_view reference = builtin(key, Locale::en);
  if (!reference.empty()) {
    auto want = placeholders(reference);
    auto got = placeholders(text);
    for (const auto& name : got) {
      if (std::find(want.begin(), want.end(), name) == want.end()) {
        return detail::fail(errc::invalid_argument,
                            fmt::format("messages.{}.{}: unknown placeholder {{{}}}", key, to_string(locale), name));
      }
    }
    for (const auto& name : want) {
      if (std::find(got.begin(), got.end(), name) == got.end()) {
        return detail::fail(errc::invalid_argument,
                            fmt::format("messages.{}.{}: placeholder {{{}}} is missing", key, to_string(locale), name));
      }
    }
  }
  auto it = overrides_.find(key);
  if (it == overrides_.end()) it = overrides_.emplace(std::string(key), Row{}).first;
  it->second[index(locale)] = std::move(text);
  return boost::outcome_v2::success();
}

std::string_view MessageCatalogue::text(std::string_view key, Locale locale) const noexcept {
  const Row* host = nullptr;
  if (!overrides_.empty()) {
    auto it = overrides_.find(key);
    if (it != overrides_.end()) host = &it->second;
  }
  for (Locale l : {locale, Locale::en}) {
    if (host && (*host)[index(l)]) return *(*host)[index(l)];
    std::string_view b = builtin(key, l);
    if (!b.empty()) return b;
  }
  return {};
}

std::string MessageCatalogue::value_text(const MessageValue& value, Locale locale, const TimeZone& zone) const {
  return std::visit(
      [&](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          return std::string(v);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          char digits[24];
          return std::string(digits, std::to_chars(digits, digits + sizeof digits, v).ptr);
        } else if constexpr (std::is_same_v<T, Money>) {
          if (locale == Locale::en) return to_string(v);
          std::string_view unit = chinese_unit(v.currency(), locale);
          return unit.empty() ? fmt::format("{} {}", format_amount(v), v.currency().code())
                              : fmt::format("{}{}", format_amount(v), unit);
        } else if constexpr (std::is_same_v<T, Instant>) {
          if (v.is_special()) return format_instant(v);
          CivilTime local = zone.to_civil(v);
          auto tod = local.time_of_day();
          std::string clock = fmt::format("{:02}:{:02}", tod.hours(), tod.minutes());
          if (locale == Locale::en) return fmt::format("{} {} {}", format_date(local.date()), clock, zone.name());
          return fmt::format("{} {}", date_text(local.date(), locale), clock);
        } else if constexpr (std::is_same_v<T, CivilDate>) {
          return date_text(v, locale);
        } else if constexpr (std::is_same_v<T, Duration>) {
          return duration_text(v, locale);
        } else {
          std::string_view t = text(v.key, locale);
          return std::string(t.empty() ? v.fallback : t);
        }
      },
      value);
}

std::string MessageCatalogue::format(std::string_view key, Locale locale, std::span<const MessageArg> args,
                                     const TimeZone& zone) const {
  std::string_view t = text(key, locale);
  if (t.empty()) return std::string(key);
  std::string out;
  out.reserve(t.size() + 16);
  std::size_t from = 0;
  for (std::size_t i = t.find('{'); i != std::string_view::npos; i = t.find('{', from)) {
    std::size_t close = 0;
    std::string_view name = placeholder_at(t, i, close);
    if (name.empty()) break;
    auto arg = std::find_if(args.begin(), args.end(), [&](const MessageArg& a) { return a.name == name; });
    out.append(t.substr(from, i - from));
    if (arg == args.end()) out.append(t.substr(i, close + 1 - i));
    else out.append(value_text(arg->value, locale, zone));
    from = close + 1;
  }
  out.append(t.substr(from));
  return out;
}

}  // namespace v1
}  // namespace redress
