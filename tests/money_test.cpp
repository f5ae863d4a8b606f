#include "support/test.hpp"

#include <type_traits>
#include <unordered_set>

#include <redress/fmt.hpp>
#include <redress/money.hpp>

using namespace redress;

namespace {

Money cny(std::int64_t minor_units) { return Money::from_minor_units(minor_units, Currency::CNY); }

// Scales `minor_units` CNY by n/d with `mode` and returns the minor units.
std::int64_t scaled(std::int64_t minor_units, std::int64_t n, std::int64_t d, Rounding mode) {
  auto r = scale(cny(minor_units), n, d, mode);
  REQUIRE(r);
  return r.value().minor_units();
}

}  // namespace

TEST_SUITE("money") {
  TEST_CASE("Money and Currency have value semantics") {
    static_assert(std::is_trivially_copyable_v<Money>);
    static_assert(std::is_trivially_destructible_v<Money>);
    static_assert(std::is_nothrow_copy_constructible_v<Money>);
    static_assert(!std::is_default_constructible_v<Money>);
    static_assert(std::equality_comparable<Money>);
    static_assert(!std::three_way_comparable<Money>);
    static_assert(!std::is_constructible_v<Money, double>);
    static_assert(!std::is_constructible_v<Money, std::int64_t>);
    static_assert(std::is_trivially_copyable_v<Currency>);
    static_assert(std::totally_ordered<Currency>);
    static_assert(!std::is_constructible_v<Currency, const char*>);
    static_assert(Currency::CNY.exponent() == 2 && Currency::JPY.exponent() == 0);
    static_assert(Currency::CNY < Currency::USD);
    static_assert(Money::from_minor_units(5, Currency::CNY) != Money::from_minor_units(5, Currency::HKD));
    CHECK(std::hash<Money>()(cny(100)) == std::hash<Money>()(cny(100)));
    std::unordered_set<Money> set{cny(1), cny(1), Money::from_minor_units(1, Currency::JPY)};
    CHECK(set.size() == 2);
  }

  TEST_CASE("currencies are looked up by ISO code with the ISO exponent") {
    CHECK(Currency::from_code("CNY").value() == Currency::CNY);
    CHECK(Currency::from_code("KRW").value().exponent() == 0);
    CHECK(Currency::from_code("KWD").value().exponent() == 3);
    CHECK(Currency::from_code("TWD").value().exponent() == 2);
    CHECK(Currency::from_code("GBP").value().minor_units_per_major() == 100);
    CHECK(Currency::JPY.minor_units_per_major() == 1);
    CHECK(Currency::from_code("HKD").value().code() == "HKD");
  }

  TEST_CASE("an unknown or lower-case currency code fails with unknown_currency naming it") {
    for (auto code : {"RMB", "cny", "", "CNYX"}) {
      CAPTURE(code);
      auto c = Currency::from_code(code);
      REQUIRE_FALSE(c);
      CHECK(c.error() == errc::unknown_currency);
      CHECK(last_error_detail().find(fmt::format("\"{}\"", code)) != std::string_view::npos);
    }
  }

  TEST_CASE("decimal text is parsed exactly into minor units") {
    CHECK(Money::parse("199.99", Currency::CNY).value() == cny(19999));
    CHECK(Money::parse("200", Currency::CNY).value() == cny(20000));
    CHECK(Money::parse("-5.5", Currency::CNY).value() == cny(-550));
    CHECK(Money::parse("+0.07", Currency::CNY).value() == cny(7));
    CHECK(Money::parse("1500", Currency::JPY).value() == Money::from_minor_units(1500, Currency::JPY));
    CHECK(Money::parse("1.234", Currency::from_code("BHD").value()).value().minor_units() == 1234);
    CHECK(Money::parse("92233720368547758.07", Currency::CNY).value().minor_units() == INT64_MAX);
    CHECK(Money::parse("-92233720368547758.08", Currency::CNY).value().minor_units() == INT64_MIN);
  }

  TEST_CASE("more decimal places than the currency has fail with invalid_amount") {
    auto r = Money::parse("12.345", Currency::CNY);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_amount);
    CHECK(last_error_detail().find("12.345") != std::string_view::npos);
    CHECK(last_error_detail().find("2 decimal places") != std::string_view::npos);
    CHECK(Money::parse("1500.5", Currency::JPY).error() == errc::invalid_amount);
    CHECK(Money::parse("1500.0", Currency::JPY).error() == errc::invalid_amount);
  }

  TEST_CASE("garbage amounts fail with invalid_amount naming the text") {
    for (auto text : {"", "abc", "1,000", "1.", ".5", "--1", "1e3", " 1", "¥5", "5 CNY", "1.2.3", "-"}) {
      CAPTURE(text);
      auto r = Money::parse(text, Currency::CNY);
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_amount);
      CHECK(last_error_detail().find(fmt::format("\"{}\"", text)) != std::string_view::npos);
    }
  }

  TEST_CASE("an amount beyond int64 minor units fails with amount_overflow") {
    CHECK(Money::parse("92233720368547758.08", Currency::CNY).error() == errc::amount_overflow);
    CHECK(Money::parse("99999999999999999999999999999999", Currency::JPY).error() == errc::amount_overflow);
  }

  TEST_CASE("adding and subtracting the same currency is exact") {
    CHECK(add(cny(19999), cny(1)).value() == cny(20000));
    CHECK(subtract(cny(500), cny(750)).value() == cny(-250));
    CHECK(negate(cny(550)).value() == cny(-550));
  }

  TEST_CASE("adding different currencies fails with currency_mismatch") {
    auto usd = Money::from_minor_units(100, Currency::USD);
    auto r = add(cny(100), usd);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::currency_mismatch);
    CHECK(last_error_detail().find("CNY") != std::string_view::npos);
    CHECK(last_error_detail().find("USD") != std::string_view::npos);
    CHECK(subtract(cny(100), usd).error() == errc::currency_mismatch);
  }

  TEST_CASE("leaving the int64 range fails with amount_overflow instead of saturating") {
    CHECK(add(cny(INT64_MAX), cny(1)).error() == errc::amount_overflow);
    CHECK(subtract(cny(INT64_MIN), cny(1)).error() == errc::amount_overflow);
    CHECK(negate(cny(INT64_MIN)).error() == errc::amount_overflow);
    CHECK(negate(cny(INT64_MAX)).value() == cny(-INT64_MAX));
  }

  TEST_CASE("comparison answers within a currency and refuses across currencies") {
    CHECK(compare(cny(20001), cny(20000)).value() == std::strong_ordering::greater);
    CHECK(compare(cny(-1), cny(0)).value() == std::strong_ordering::less);
    CHECK(compare(cny(7), cny(7)).value() == std::strong_ordering::equal);
    CHECK(compare(cny(1), Money::from_minor_units(1, Currency::HKD)).error() == errc::currency_mismatch);
    CHECK(cny(1) != Money::from_minor_units(1, Currency::HKD));
  }

  TEST_CASE("a 15 percent goodwill credit rounds as asked") {
    // 199.99 * 0.15 = 29.9985
    CHECK(scaled(19999, 15, 100, Rounding::down) == 2999);
    CHECK(scaled(19999, 15, 100, Rounding::up) == 3000);
    CHECK(scaled(19999, 15, 100, Rounding::half_even) == 3000);
    CHECK(scaled(19999, 15, 100, Rounding::toward_zero) == 2999);
  }

  TEST_CASE("each rounding mode treats ties and negative amounts as documented") {
    struct Row {
      std::int64_t units;
      Rounding mode;
      std::int64_t expected;
    };
    // units / 2: 5 -> 2.5, -5 -> -2.5, 7 -> 3.5, 3 -> 1.5
    for (auto row : {Row{5, Rounding::down, 2}, Row{-5, Rounding::down, -3}, Row{5, Rounding::up, 3},
                     Row{-5, Rounding::up, -2}, Row{5, Rounding::toward_zero, 2}, Row{-5, Rounding::toward_zero, -2},
                     Row{5, Rounding::away_from_zero, 3}, Row{-5, Rounding::away_from_zero, -3},
                     Row{5, Rounding::half_even, 2}, Row{7, Rounding::half_even, 4}, Row{-5, Rounding::half_even, -2},
                     Row{-7, Rounding::half_even, -4}, Row{5, Rounding::half_away_from_zero, 3},
                     Row{-5, Rounding::half_away_from_zero, -3}, Row{3, Rounding::half_away_from_zero, 2}}) {
      CAPTURE(row.units);
      CAPTURE(static_cast<int>(row.mode));
      CHECK(scaled(row.units, 1, 2, row.mode) == row.expected);
    }
    // Not a tie: 2/3 of 10 is 6.67, nearest is 7 in both half modes.
    CHECK(scaled(10, 2, 3, Rounding::half_even) == 7);
    CHECK(scaled(-10, 2, 3, Rounding::half_away_from_zero) == -7);
    // A negative denominator flips the sign like a negative numerator.
    CHECK(scaled(5, 1, -2, Rounding::down) == -3);
  }

  TEST_CASE("scaling is exact beyond 64 bits in between and checks the result") {
    CHECK(scaled(INT64_MAX, 3, 3, Rounding::toward_zero) == INT64_MAX);
    CHECK(scaled(INT64_MIN, INT64_MAX, INT64_MAX, Rounding::toward_zero) == INT64_MIN);
    auto r = scale(cny(INT64_MAX), 2, 1, Rounding::half_even);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::amount_overflow);
    CHECK(scale(cny(INT64_MIN), -1, 1, Rounding::down).error() == errc::amount_overflow);
  }

  TEST_CASE("a zero denominator fails with invalid_argument") {
    auto r = scale(cny(100), 1, 0, Rounding::half_even);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_argument);
    CHECK(last_error_detail().find("denominator") != std::string_view::npos);
  }

  TEST_CASE("money formats with its code by default and its symbol on request") {
    CHECK(fmt::format("{}", cny(20000)) == "CNY 200.00");
    CHECK(fmt::format("{:s}", cny(20000)) == "¥200.00");
    CHECK(fmt::format("{}", cny(-550)) == "CNY -5.50");
    CHECK(fmt::format("{:s}", cny(-550)) == "-¥5.50");
    CHECK(fmt::format("{:a}", cny(-550)) == "-5.50");
    CHECK(fmt::format("{}", Money::from_minor_units(1500, Currency::JPY)) == "JPY 1500");
    CHECK(fmt::format("{:c}", Money::from_minor_units(5, Currency::USD)) == "USD 0.05");
    CHECK(fmt::format("{:>12}", cny(199)) == "    CNY 1.99");
    CHECK(fmt::format("{:*<9s}", cny(199)) == "¥1.99****");
    CHECK(to_string(cny(INT64_MIN)) == "CNY -92233720368547758.08");
  }

  TEST_CASE("the decimal text of an amount parses back to the same money") {
    for (auto m : {cny(0), cny(1), cny(-1), cny(19999), cny(INT64_MAX), cny(INT64_MIN),
                   Money::from_minor_units(-1500, Currency::JPY),
                   Money::from_minor_units(1005, Currency::from_code("KWD").value())}) {
      CAPTURE(to_string(m));
      CHECK(Money::parse(format_amount(m), m.currency()).value() == m);
    }
    CHECK(format_amount(Money::from_minor_units(1005, Currency::from_code("KWD").value())) == "1.005");
  }
}
