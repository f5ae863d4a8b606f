#include "support/test.hpp"

#include <map>
#include <string>
#include <type_traits>
#include <unordered_set>

#include <redress/fmt.hpp>
#include <redress/ids.hpp>

using namespace redress;

TEST_SUITE("ids") {
  TEST_CASE("ids have value semantics and distinct types") {
    static_assert(std::is_copy_constructible_v<CaseId> && std::is_nothrow_move_constructible_v<CaseId>);
    static_assert(std::totally_ordered<CaseId>);
    static_assert(!std::is_default_constructible_v<CaseId>);
    static_assert(!std::is_constructible_v<CaseId, std::string>);
    static_assert(!std::is_constructible_v<CaseId, const char*>);
    static_assert(!std::is_convertible_v<CaseId, CustomerId>);
    static_assert(!std::is_constructible_v<CustomerId, CaseId>);
    static_assert(!std::is_same_v<OrderId, AgentId> && !std::is_same_v<FollowUpId, RemedyId> &&
                  !std::is_same_v<EventId, CaseId>);
    static_assert(!std::equality_comparable_with<CaseId, CustomerId>);
    static_assert(!std::is_invocable_v<std::plus<>, CaseId, CaseId>);
    static_assert(!std::is_invocable_v<std::plus<>, CaseId, int>);
    CHECK(CaseId::make("C-1").value() == CaseId::make("C-1").value());
  }

  TEST_CASE("an id keeps the host's text byte for byte") {
    auto id = OrderId::make("ORD-2025-000123/a?b=c");
    REQUIRE(id);
    CHECK(id.value().str() == "ORD-2025-000123/a?b=c");
    CHECK(CustomerId::make("Abc").value() != CustomerId::make("abc").value());
    CHECK(AgentId::make(std::string(128, 'x')));
    CHECK(EventId::make("!~"));
  }

  TEST_CASE("an empty id fails with invalid_argument naming the kind of id") {
    auto id = CaseId::make("");
    REQUIRE_FALSE(id);
    CHECK(id.error() == errc::invalid_argument);
    CHECK(last_error_detail() == "case_id: empty");
  }

  TEST_CASE("an id longer than 128 bytes fails with invalid_argument") {
    auto id = FollowUpId::make(std::string(129, 'x'));
    REQUIRE_FALSE(id);
    CHECK(id.error() == errc::invalid_argument);
    CHECK(last_error_detail().find("follow_up_id") != std::string_view::npos);
    CHECK(last_error_detail().find("129") != std::string_view::npos);
  }

  TEST_CASE("spaces, control characters and non-ASCII bytes are refused with their position") {
    for (std::string text : {std::string("C 1"), std::string("C\t1"), std::string("C\n"), std::string("工单1"),
                             std::string("C\x7f"), std::string("C\0", 2)}) {
      CAPTURE(text);
      auto id = RemedyId::make(text);
      REQUIRE_FALSE(id);
      CHECK(id.error() == errc::invalid_argument);
      CHECK(last_error_detail().find("remedy_id") != std::string_view::npos);
      CHECK(last_error_detail().find("byte") != std::string_view::npos);
    }
    CHECK(last_error_detail().find("byte 1") != std::string_view::npos);
  }

  TEST_CASE("ids order by their text and work as hash and tree keys") {
    auto a = CaseId::make("A-2").value();
    auto b = CaseId::make("A-10").value();
    CHECK(b < a);  // bytewise, not numeric
    CHECK((a <=> a) == std::strong_ordering::equal);
    std::unordered_set<CaseId> hashed{a, b, CaseId::make("A-2").value()};
    CHECK(hashed.size() == 2);
    std::map<CaseId, int> tree{{a, 1}, {b, 2}};
    CHECK(tree.begin()->first == b);
    CHECK(std::hash<CaseId>()(a) == std::hash<CaseId>()(CaseId::make("A-2").value()));
  }

  TEST_CASE("short ids are held inline and long ones on the heap, with the same text either way") {
    for (std::size_t n : {1, 14, 15, 16, 17, 128}) {
      CAPTURE(n);
      std::string text(n, 'x');
      text.front() = 'a';
      auto id = CaseId::make(text).value();
      CHECK(id.str() == text);
      CHECK(std::string_view(id.c_str()) == text);
      CaseId copy = id;
      CHECK(copy == id);
      CaseId moved = std::move(copy);
      CHECK(moved.str() == text);
      copy = moved;
      CHECK(copy.str() == text);
      copy = CaseId::make("B").value();
      CHECK(copy.str() == "B");
    }
    static_assert(sizeof(CaseId) == 16);
  }

  TEST_CASE("ids format as their text and accept string specs") {
    auto id = CustomerId::make("cust-42").value();
    CHECK(fmt::format("{}", id) == "cust-42");
    CHECK(fmt::format("[{:>9}]", id) == "[  cust-42]");
  }
}
