// redress/money.hpp: exact amounts of money.
//
// Money is an integer number of *minor units* (fen, cents; yen have none) of
// one ISO 4217 currency. There is no floating point anywhere: amounts are read
// from decimal text exactly (`Money::parse("199.99", Currency::CNY)`), and
// every operation that could lose precision or range says so:
//   - add() and subtract() return errc::currency_mismatch across currencies
//     and errc::amount_overflow when the int64 range is left (never saturate);
//   - compare() refuses to order different currencies; `<`, `>` and `<=>` do
//     not exist on Money, while `==` does (different currencies are simply
//     unequal);
//   - scale() multiplies by a fraction (15% is 15/100) and takes the rounding
//     mode as an argument, because there is no right default.
//
// A currency's exponent (how many minor units make a major one, as a power of
// ten) comes from a table of ISO 4217 currencies; see `Currency`.
//
// Text forms: <redress/fmt.hpp> formats Money as "CNY 199.99" ({}) or
// "¥199.99" ({:s}); JSON is {"amount_minor": 19999, "currency": "CNY"}
// (<redress/json.hpp>).
#ifndef REDRESS_MONEY_HPP
#define REDRESS_MONEY_HPP

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <redress/error.hpp>

namespace redress {
inline namespace v1 {

namespace detail {

struct CurrencyInfo {
  std::string_view code;    // ISO 4217 alphabetic code
  int exponent;             // ISO 4217 minor unit digits
  std::string_view symbol;  // display symbol, or the code when there is none in common use
};

// Sorted by code, so a Currency's index orders like its code.
inline constexpr std::array<CurrencyInfo, 38> kCurrencies{{
    {"AED", 2, "AED"},  {"AUD", 2, "A$"},   {"BHD", 3, "BHD"}, {"BRL", 2, "R$"},    {"CAD", 2, "C$"},
    {"CHF", 2, "CHF"},  {"CLP", 0, "CLP"},  {"CNY", 2, "¥"},   {"CZK", 2, "Kč"},    {"DKK", 2, "kr"},
    {"EUR", 2, "€"},    {"GBP", 2, "£"},    {"HKD", 2, "HK$"}, {"HUF", 2, "Ft"},    {"IDR", 2, "Rp"},
    {"ILS", 2, "₪"},    {"INR", 2, "₹"},    {"ISK", 0, "kr"},  {"JOD", 3, "JOD"},   {"JPY", 0, "JP¥"},
    {"KRW", 0, "₩"},    {"KWD", 3, "KWD"},  {"MOP", 2, "MOP$"}, {"MXN", 2, "MX$"},  {"MYR", 2, "RM"},
    {"NOK", 2, "kr"},   {"NZD", 2, "NZ$"},  {"OMR", 3, "OMR"}, {"PHP", 2, "₱"},     {"PLN", 2, "zł"},
    {"SAR", 2, "SAR"},  {"SEK", 2, "kr"},   {"SGD", 2, "S$"},  {"THB", 2, "฿"},     {"TRY", 2, "₺"},
    {"TWD", 2, "NT$"},  {"USD", 2, "$"},    {"VND", 0, "₫"},
}};

// The table index of `code`, at compile time: an unknown code does not compile.
consteval std::uint8_t currency_index(std::string_view code) {
  for (std::size_t i = 0; i < kCurrencies.size(); ++i) {
    if (kCurrencies[i].code == code) return static_cast<std::uint8_t>(i);
  }
  throw "unknown currency code";  // consteval: a compile error, never a run-time throw
}

}  // namespace detail

// Currency
//
// An ISO 4217 currency that redress knows the exponent of. The table holds
// AED AUD BHD BRL CAD CHF CLP CNY CZK DKK EUR GBP HKD HUF IDR ILS INR ISK JOD
// JPY KRW KWD MOP MXN MYR NOK NZD OMR PHP PLN SAR SEK SGD THB TRY TWD USD VND,
// with ISO's minor-unit digits (JPY, KRW, VND, CLP, ISK 0; BHD, JOD, KWD, OMR 3;
// the rest 2). Regular, trivially copyable, ordered by code.
//
// Example:
//   auto c = redress::Currency::from_code("JPY").value();
//   int digits = c.exponent();  // 0
//   bool yen = c == redress::Currency::JPY;  // true
class Currency {
 public:
  // The currencies most hosts name in code.
  static const Currency CNY, USD, EUR, JPY, HKD, TWD, MOP, GBP, KRW, SGD;

  // Currency::from_code()
  //
  // The currency with ISO 4217 alphabetic code `code`, upper case ("CNY").
  // Fails with errc::unknown_currency, naming the code, when the code is not
  // in the table (including lower-case spellings).
  static result<Currency> from_code(std::string_view code) {
    for (std::size_t i = 0; i < detail::kCurrencies.size(); ++i) {
      if (detail::kCurrencies[i].code == code) return Currency(static_cast<std::uint8_t>(i));
    }
    return detail::fail(errc::unknown_currency,
                        "currency \"" + std::string(code) + "\": not an ISO 4217 code redress knows");
  }

  // The three-letter ISO 4217 code, "CNY". The view is valid forever.
  constexpr std::string_view code() const noexcept { return info().code; }

  // The number of decimal places of the minor unit: 2 for CNY, 0 for JPY.
  constexpr int exponent() const noexcept { return info().exponent; }

  // How many minor units make one major unit: 100 for CNY, 1 for JPY.
  constexpr std::int64_t minor_units_per_major() const noexcept {
    std::int64_t n = 1;
    for (int i = 0; i < exponent(); ++i) n *= 10;
    return n;
  }

  // A display symbol ("¥", "$", "HK$", "JP¥"), or the code when none is in
  // common use. Symbols are not unique ("kr", "$"): show them to a customer
  // who knows the currency, never parse or store them.
  constexpr std::string_view symbol() const noexcept { return info().symbol; }

  friend constexpr bool operator==(Currency, Currency) = default;
  friend constexpr auto operator<=>(Currency, Currency) = default;

 private:
  constexpr explicit Currency(std::uint8_t index) noexcept : index_(index) {}
  constexpr const detail::CurrencyInfo& info() const noexcept { return detail::kCurrencies[index_]; }
  std::uint8_t index_;
};

inline constexpr Currency Currency::CNY{detail::currency_index("CNY")};
inline constexpr Currency Currency::USD{detail::currency_index("USD")};
inline constexpr Currency Currency::EUR{detail::currency_index("EUR")};
inline constexpr Currency Currency::JPY{detail::currency_index("JPY")};
inline constexpr Currency Currency::HKD{detail::currency_index("HKD")};
inline constexpr Currency Currency::TWD{detail::currency_index("TWD")};
inline constexpr Currency Currency::MOP{detail::currency_index("MOP")};
inline constexpr Currency Currency::GBP{detail::currency_index("GBP")};
inline constexpr Currency Currency::KRW{detail::currency_index("KRW")};
inline constexpr Currency Currency::SGD{detail::currency_index("SGD")};

// Money
//
// An amount of one currency, in integer minor units. Regular and trivially
// copyable; `==` compares amount and currency; there is deliberately no `<`
// (use compare()). Any int64 amount is valid, negative ones included (a debt,
// a chargeback).
//
// Example:
//   using redress::Money, redress::Currency;
//   auto price = Money::parse("199.99", Currency::CNY).value();
//   std::int64_t fen = price.minor_units();               // 19999
//   auto credit = scale(price, 15, 100, redress::Rounding::half_even).value();
//   std::int64_t credit_fen = credit.minor_units();       // 3000 (29.9985 -> 30.00)
//   std::string text = fmt::format("{}", credit);         // "CNY 30.00"
class Money {
 public:
  // Money::from_minor_units()
  //
  // `minor_units` minor units of `currency`: from_minor_units(150, CNY) is
  // CNY 1.50, from_minor_units(150, JPY) is JPY 150.
  static constexpr Money from_minor_units(std::int64_t minor_units, Currency currency) noexcept {
    return Money(minor_units, currency);
  }

  // Money::zero()
  //
  // Nothing, in `currency`.
  static constexpr Money zero(Currency currency) noexcept { return Money(0, currency); }

  // Money::parse()
  //
  // Reads a decimal amount exactly: an optional sign, digits, and optionally a
  // point followed by at most currency.exponent() digits ("199.99", "200",
  // "-5.5", "+3"; for JPY "1500"). No spaces, thousands separators, exponents
  // or currency symbols.
  // Fails with errc::invalid_amount naming the text (garbage, or more decimal
  // places than the currency has), or errc::amount_overflow when the amount
  // does not fit in int64 minor units.
  static result<Money> parse(std::string_view text, Currency currency);

  // The amount in minor units of currency().
  constexpr std::int64_t minor_units() const noexcept { return minor_units_; }
  constexpr Currency currency() const noexcept { return currency_; }

  constexpr bool is_zero() const noexcept { return minor_units_ == 0; }
  constexpr bool is_negative() const noexcept { return minor_units_ < 0; }
  constexpr bool is_positive() const noexcept { return minor_units_ > 0; }

  friend constexpr bool operator==(Money, Money) = default;
  // Ordering across currencies has no answer: use compare().
  friend auto operator<=>(Money, Money) = delete;

 private:
  constexpr Money(std::int64_t minor_units, Currency currency) noexcept
      : minor_units_(minor_units), currency_(currency) {}
  std::int64_t minor_units_;
  Currency currency_;
};

namespace detail {
std::error_code money_mismatch(std::string_view op, Money a, Money b) noexcept;
std::error_code money_overflow(std::string_view op, Money a) noexcept;
}  // namespace detail

// add()
//
// a + b. Fails with errc::currency_mismatch or errc::amount_overflow.
//
// Example:
//   auto sum = add(Money::from_minor_units(100, Currency::CNY), Money::from_minor_units(50, Currency::CNY));
//   // CNY 1.50
inline result<Money> add(Money a, Money b) noexcept {
  if (a.currency() != b.currency()) return detail::money_mismatch("add", a, b);
  std::int64_t sum = 0;
  if (__builtin_add_overflow(a.minor_units(), b.minor_units(), &sum)) return detail::money_overflow("add", a);
  return Money::from_minor_units(sum, a.currency());
}

// subtract()
//
// a - b. Fails with errc::currency_mismatch or errc::amount_overflow.
inline result<Money> subtract(Money a, Money b) noexcept {
  if (a.currency() != b.currency()) return detail::money_mismatch("subtract", a, b);
  std::int64_t difference = 0;
  if (__builtin_sub_overflow(a.minor_units(), b.minor_units(), &difference)) {
    return detail::money_overflow("subtract", a);
  }
  return Money::from_minor_units(difference, a.currency());
}

// negate()
//
// -m. Fails with errc::amount_overflow only for the most negative int64.
inline result<Money> negate(Money m) noexcept {
  if (m.minor_units() == INT64_MIN) return detail::money_overflow("negate", m);
  return Money::from_minor_units(-m.minor_units(), m.currency());
}

// compare()
//
// How a orders against b. Fails with errc::currency_mismatch: no exchange
// rate is implied.
//
// Example (given Money price, Money limit):
//   bool above = compare(price, limit).value() == std::strong_ordering::greater;
inline result<std::strong_ordering> compare(Money a, Money b) noexcept {
  if (a.currency() != b.currency()) return detail::money_mismatch("compare", a, b);
  return a.minor_units() <=> b.minor_units();
}

// Rounding
//
// How scale() rounds a result that falls between two minor units.
// There is deliberately no "half_up": libraries disagree on whether it means
// ties toward +infinity or away from zero; say which you mean.
enum class Rounding : std::uint8_t {
  down,                 // toward -infinity (floor):      2.5 -> 2, -2.5 -> -3
  up,                   // toward +infinity (ceiling):    2.1 -> 3, -2.9 -> -2
  toward_zero,          // truncate:                      2.9 -> 2, -2.9 -> -2
  away_from_zero,       //                                2.1 -> 3, -2.1 -> -3
  half_even,            // nearest, ties to even (banker's): 2.5 -> 2, 3.5 -> 4
  half_away_from_zero,  // nearest, ties away from zero (commercial, 四舍五入): 2.5 -> 3, -2.5 -> -3
};

// scale()
//
// m × numerator / denominator, rounded to a whole minor unit by `mode`,
// computed exactly in 128 bits. 15% is (15, 100); two thirds is (2, 3).
// Fails with errc::invalid_argument when denominator is 0, and with
// errc::amount_overflow when the result does not fit in int64.
//
// Example:
//   auto half = scale(Money::from_minor_units(999, Currency::CNY), 1, 2, Rounding::half_even);
//   // CNY 5.00 (4.995 -> 5.00)
result<Money> scale(Money m, std::int64_t numerator, std::int64_t denominator, Rounding mode) noexcept;

// format_amount()
//
// The amount as exact decimal text without currency: "199.99", "-5.50",
// "1500" (JPY). Money::parse(format_amount(m), m.currency()) == m.
std::string format_amount(Money m);

// to_string(Money)
//
// "CNY 199.99", the same text as fmt::format("{}", m).
std::string to_string(Money m);

}  // namespace v1
}  // namespace redress

template <>
struct std::hash<redress::Currency> {
  std::size_t operator()(redress::Currency c) const noexcept { return std::hash<std::string_view>()(c.code()); }
};

template <>
struct std::hash<redress::Money> {
  std::size_t operator()(redress::Money m) const noexcept {
    return std::hash<std::int64_t>()(m.minor_units()) * 31 + std::hash<redress::Currency>()(m.currency());
  }
};

#endif  // REDRESS_MONEY_HPP
