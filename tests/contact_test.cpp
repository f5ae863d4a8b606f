#include "support/test.hpp"

#include <string>
#include <type_traits>
#include <unordered_set>

#include <redress/contact.hpp>
#include <redress/fmt.hpp>

using namespace redress;

namespace {

std::string phone(std::string_view text, int country = ContactPoint::kDefaultCountryCode) {
  auto p = ContactPoint::phone(text, country);
  if (!p) return "error: " + std::string(last_error_detail());
  CHECK(p.value().kind() == ContactKind::phone);
  return p.value().value();
}

// Checks that `text` fails to normalise as `kind` with invalid_contact, and
// that the detail contains `why` but never the value itself (personal data).
void check_refused(ContactKind kind, std::string_view text, std::string_view why) {
  CAPTURE(text);
  auto p = ContactPoint::make(kind, text);
  REQUIRE_FALSE(p);
  CHECK(p.error() == errc::invalid_contact);
  CAPTURE(last_error_detail());
  if (text.size() >= 3) CHECK(last_error_detail().find(text) == std::string_view::npos);
  CHECK(last_error_detail().find(why) != std::string_view::npos);
}

}  // namespace

TEST_SUITE("contact") {
  TEST_CASE("ContactPoint has value semantics") {
    static_assert(std::is_copy_constructible_v<ContactPoint> && std::is_nothrow_move_constructible_v<ContactPoint>);
    static_assert(std::totally_ordered<ContactPoint>);
    static_assert(!std::is_default_constructible_v<ContactPoint>);
    static_assert(!std::is_constructible_v<ContactPoint, std::string>);
    static_assert(to_string(ContactKind::account) == "account");
    CHECK(ContactPoint::email("a@b.cn").value() == ContactPoint::email("a@b.cn").value());
  }

  TEST_CASE("a bare Chinese mobile number gets +86") {
    CHECK(phone("13812345678") == "+8613812345678");
    CHECK(phone("19912345678") == "+8619912345678");
  }

  TEST_CASE("separators, prefixes and full-width digits normalise to the same E.164 number") {
    for (auto text : {"138 1234 5678", "138-1234-5678", "(138) 1234.5678", "+86 138 1234 5678", "+86-13812345678",
                      "008613812345678", "0086 138 1234 5678", "8613812345678", "１３８１２３４５６７８",
                      "＋８６　１３８－１２３４－５６７８", "（１３８）１２３４ ５６７８", "  13812345678\t"}) {
      CAPTURE(text);
      CHECK(phone(text) == "+8613812345678");
    }
  }

  TEST_CASE("Chinese landlines drop the trunk zero") {
    CHECK(phone("010-1234 5678") == "+861012345678");
    CHECK(phone("021 6123 4567") == "+862161234567");
    CHECK(phone("0755-8123-4567") == "+8675581234567");
    CHECK(phone("0571-8123456") == "+865718123456");
    CHECK(phone("400-123-4567") == "+864001234567");
  }

  TEST_CASE("other countries are read in international form or with another default country") {
    CHECK(phone("+852 9123 4567") == "+85291234567");
    CHECK(phone("9123 4567", 852) == "+85291234567");
    CHECK(phone("0912-345-678", 886) == "+886912345678");
    CHECK(phone("+1 (415) 555-2671") == "+14155552671");
    CHECK(phone("+44 20 7946 0958") == "+442079460958");
    CHECK(phone("+49 30 1234567") == "+49301234567");
  }

  TEST_CASE("a Chinese mobile with the wrong number of digits is refused with the reason") {
    check_refused(ContactKind::phone, "138 1234 567", "11 digits, this has 10");
    check_refused(ContactKind::phone, "+86 138 1234 56789", "11 digits, this has 12");
    check_refused(ContactKind::phone, "12812345678", "starts with 13 to 19");
    check_refused(ContactKind::phone, "010 1234 567", "8 digits after the area code");
  }

  TEST_CASE("numbers of known countries are checked for their national length") {
    check_refused(ContactKind::phone, "+852 9123 456", "Hong Kong has 8 digits after +852, this has 7");
    check_refused(ContactKind::phone, "+1 415 555 267", "NANP");
    check_refused(ContactKind::phone, "+49 1234", "8 to 15 digits");
    check_refused(ContactKind::phone, "+0 1234 5678", "does not start with 0");
  }

  TEST_CASE("stray characters and empty phone numbers are refused") {
    check_refused(ContactKind::phone, "138-1234-567x", "unexpected character at byte 12");
    check_refused(ContactKind::phone, "138+12345678", "'+' may only come first");
    check_refused(ContactKind::phone, " - ", "no digits");
    check_refused(ContactKind::phone, "1381234567812345678901234", "too many digits");
  }

  TEST_CASE("a default country code outside 1..999 fails with invalid_argument") {
    auto p = ContactPoint::phone("91234567", 1000);
    REQUIRE_FALSE(p);
    CHECK(p.error() == errc::invalid_argument);
    CHECK(last_error_detail().find("1000") != std::string_view::npos);
  }

  TEST_CASE("e-mail addresses are trimmed and folded to lower case") {
    auto a = ContactPoint::email("  Alice.Wang+Orders@Example.COM ");
    REQUIRE(a);
    CHECK(a.value().kind() == ContactKind::email);
    CHECK(a.value().value() == "alice.wang+orders@example.com");
    CHECK(a.value() == ContactPoint::email("alice.wang+orders@example.com").value());
    CHECK(ContactPoint::email("a@mail.example.com.cn").value().value() == "a@mail.example.com.cn");
  }

  TEST_CASE("e-mail tags and dots are kept: they may be different people") {
    CHECK(ContactPoint::email("a.b@example.com").value() != ContactPoint::email("ab@example.com").value());
    CHECK(ContactPoint::email("ab+x@example.com").value() != ContactPoint::email("ab@example.com").value());
  }

  TEST_CASE("malformed e-mail addresses are refused with the reason") {
    check_refused(ContactKind::email, "alice.example.com", "no '@'");
    check_refused(ContactKind::email, "a@b@example.com", "more than one '@'");
    check_refused(ContactKind::email, "@example.com", "nothing before the '@'");
    check_refused(ContactKind::email, "alice@", "nothing after the '@'");
    check_refused(ContactKind::email, "alice@localhost", "no dot");
    check_refused(ContactKind::email, "alice@exa_mple.com", "'_' is not allowed in the domain");
    check_refused(ContactKind::email, "alice@-example.com", "starts or ends with '-'");
    check_refused(ContactKind::email, "alice@example..com", "empty label");
    check_refused(ContactKind::email, ".alice@example.com", "dot");
    check_refused(ContactKind::email, "al..ice@example.com", "two dots");
    check_refused(ContactKind::email, "al(ice)@example.com", "'(' is not allowed before the '@'");
    check_refused(ContactKind::email, "alice wang@example.com", "space");
    check_refused(ContactKind::email, "王@example.com", "not ASCII");
    check_refused(ContactKind::email, "alice@10.0.0.1", "ends in a number");
    check_refused(ContactKind::email, "   ", "empty");
    check_refused(ContactKind::email, std::string(65, 'a') + "@example.com", "more than 64");
  }

  TEST_CASE("accounts fold the provider and keep the id byte for byte") {
    auto a = ContactPoint::account("WeChat:wxid_Abc");
    REQUIRE(a);
    CHECK(a.value().kind() == ContactKind::account);
    CHECK(a.value().value() == "wechat:wxid_Abc");
    CHECK(a.value() == ContactPoint::account("wechat:wxid_Abc").value());
    CHECK(a.value() != ContactPoint::account("wechat:wxid_abc").value());
    CHECK(ContactPoint::account("app:urn:user:42").value().value() == "app:urn:user:42");
  }

  TEST_CASE("malformed accounts are refused with the reason") {
    check_refused(ContactKind::account, "wxid_xyz", "expected provider:id");
    check_refused(ContactKind::account, ":abc", "the provider must be");
    check_refused(ContactKind::account, "9app:abc", "the provider must be");
    check_refused(ContactKind::account, "wechat:", "1 to 128 characters");
    check_refused(ContactKind::account, "wechat:wx id", "printable ASCII without spaces");
  }

  TEST_CASE("contact points of one person compare equal and hash alike after normalisation") {
    std::unordered_set<ContactPoint> seen;
    seen.insert(ContactPoint::phone("138 1234 5678").value());
    seen.insert(ContactPoint::phone("+86 13812345678").value());
    seen.insert(ContactPoint::email("Alice@Example.com").value());
    seen.insert(ContactPoint::email("alice@example.com ").value());
    seen.insert(ContactPoint::account("QQ:10001").value());
    CHECK(seen.size() == 3);
    CHECK(seen.count(ContactPoint::make(ContactKind::phone, "0086-138-1234-5678").value()) == 1);
    CHECK(ContactPoint::phone("13812345678").value() < ContactPoint::email("a@b.cn").value());
  }

  TEST_CASE("contact kinds parse from their spelling and contact points format as their value") {
    CHECK(parse_contact_kind("email").value() == ContactKind::email);
    auto bad = parse_contact_kind("wechat");
    REQUIRE_FALSE(bad);
    CHECK(bad.error() == errc::invalid_argument);
    CHECK(last_error_detail().find("\"wechat\"") != std::string_view::npos);
    CHECK(fmt::format("{}", ContactPoint::phone("138 1234 5678").value()) == "+8613812345678");
    CHECK(fmt::format("{}", ContactKind::account) == "account");
  }
}
