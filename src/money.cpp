// Money: exact decimal parsing, scaling with explicit rounding, text forms.
#include <redress/money.hpp>

#include <fmt/format.h>

namespace redress {
inline namespace v1 {
namespace {

__extension__ typedef __int128 i128;  // GCC and Clang; -Wpedantic wants the marker

constexpr i128 kInt64Min = INT64_MIN;
constexpr i128 kInt64Max = INT64_MAX;

// |m| without overflow, also for INT64_MIN.
std::uint64_t magnitude(std::int64_t v) noexcept {
  return v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
}

}  // namespace

namespace detail {

std::error_code money_mismatch(std::string_view op, Money a, Money b) noexcept {
  return fail(errc::currency_mismatch,
              fmt::format("{}: {} and {} are different currencies", op, a.currency().code(), b.currency().code()));
}

std::error_code money_overflow(std::string_view op, Money a) noexcept {
  return fail(errc::amount_overflow,
              fmt::format("{}: the result leaves the int64 range of {} minor units", op, a.currency().code()));
}

}  // namespace detail

result<Money> Money::parse(std::string_view text, Currency currency) {
  auto invalid = [&](std::string_view why) {
    return detail::fail(errc::invalid_amount, fmt::format("amount \"{}\": {}", text, why));
  };
  std::string_view t = text;
  bool negative = false;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
    negative = t[0] == '-';
    t.remove_prefix(1);
  }
  auto point = t.find('.');
  std::string_view whole = t.substr(0, point);
  std::string_view fraction = point == std::string_view::npos ? std::string_view() : t.substr(point + 1);
  auto all_digits = [](std::string_view s) {
    for (char c : s) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  };
  if (whole.empty() || !all_digits(whole) || !all_digits(fraction) ||
      (point != std::string_view::npos && fraction.empty())) {
    return invalid("expected a decimal number like 199.99, -5.5 or 200");
  }
  if (fraction.size() > static_cast<std::size_t>(currency.exponent())) {
    return invalid(fmt::format("{} has {} decimal places, the amount has {}", currency.code(), currency.exponent(),
                               fraction.size()));
  }
  // Accumulate |amount| in minor units; stop as soon as it exceeds int64.
  i128 minor = 0;
  auto push = [&](char digit) {
    minor = minor * 10 + (digit - '0');
    return minor <= kInt64Max + 1;
  };
  bool fits = true;
  for (char c : whole) fits = fits && push(c);
  for (int i = 0; i < currency.exponent(); ++i) {
    fits = fits && push(static_cast<std::size_t>(i) < fraction.size() ? fraction[static_cast<std::size_t>(i)] : '0');
  }
  if (negative) minor = -minor;
  if (!fits || minor > kInt64Max || minor < kInt64Min) {
    return detail::fail(errc::amount_overflow,
                        fmt::format("amount \"{}\": does not fit in int64 {} minor units", text, currency.code()));
  }
  return Money::from_minor_units(static_cast<std::int64_t>(minor), currency);
}

result<Money> scale(Money m, std::int64_t numerator, std::int64_t denominator, Rounding mode) noexcept {
  if (denominator == 0) return detail::fail(errc::invalid_argument, "scale: denominator is zero");
  i128 n = static_cast<i128>(m.minor_units()) * numerator;  // |n| <= 2^126: exact
  i128 d = denominator;
  if (d < 0) {
    n = -n;
    d = -d;
  }
  i128 q = n / d;  // truncated toward zero
  i128 r = n % d;  // same sign as n
  if (r != 0) {
    i128 away = n < 0 ? q - 1 : q + 1;
    i128 twice = (r < 0 ? -r : r) * 2;  // compare |r| with d/2 without losing the half
    switch (mode) {
      case Rounding::down: q = n < 0 ? away : q; break;
      case Rounding::up: q = n > 0 ? away : q; break;
      case Rounding::toward_zero: break;
      case Rounding::away_from_zero: q = away; break;
      case Rounding::half_even: q = twice > d || (twice == d && q % 2 != 0) ? away : q; break;
      case Rounding::half_away_from_zero: q = twice >= d ? away : q; break;
    }
  }
  if (q > kInt64Max || q < kInt64Min) return detail::money_overflow("scale", m);
  return Money::from_minor_units(static_cast<std::int64_t>(q), m.currency());
}

std::string format_amount(Money m) {
  std::uint64_t units = magnitude(m.minor_units());
  auto per_major = static_cast<std::uint64_t>(m.currency().minor_units_per_major());
  const char* sign = m.is_negative() ? "-" : "";
  if (m.currency().exponent() == 0) return fmt::format("{}{}", sign, units);
  return fmt::format("{}{}.{:0{}}", sign, units / per_major, units % per_major, m.currency().exponent());
}

std::string to_string(Money m) { return fmt::format("{} {}", m.currency().code(), format_amount(m)); }

}  // namespace v1
}  // namespace redress
