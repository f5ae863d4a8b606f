#include "support/test.hpp"

#include <set>
#include <string>
#include <type_traits>
#include <unordered_set>

#include <redress/channel.hpp>
#include <redress/fmt.hpp>

using namespace redress;

TEST_SUITE("channel") {
  TEST_CASE("Channel and Emotion have value semantics") {
    static_assert(std::is_trivially_copyable_v<Emotion> && std::is_trivially_destructible_v<Emotion>);
    static_assert(std::totally_ordered<Emotion>);
    static_assert(!std::is_default_constructible_v<Emotion>);
    static_assert(!std::is_constructible_v<Emotion, EmotionKind, int>);
    static_assert(sizeof(Emotion) == 2 && sizeof(Channel) == 1);
    static_assert(Emotion::calm().is_neutral_or_positive());
    static_assert(to_string(Channel::in_person) == "in_person");
    static_assert(is_public(Channel::review) && is_public(Channel::social) && !is_public(Channel::phone));
    CHECK(std::hash<Emotion>()(Emotion::calm()) == std::hash<Emotion>()(Emotion::calm()));
  }

  TEST_CASE("every channel round-trips through its one spelling") {
    std::set<std::string_view> names;
    for (Channel c : kChannels) {
      CAPTURE(to_string(c));
      CHECK(parse_channel(to_string(c)).value() == c);
      CHECK(fmt::format("{}", c) == to_string(c));
      names.insert(to_string(c));
    }
    CHECK(names.size() == kChannels.size());
    CHECK(names.count("unknown") == 0);
  }

  TEST_CASE("an unknown channel name fails with invalid_argument naming it") {
    for (auto text : {"Phone", "wechat", "", "in-person"}) {
      CAPTURE(text);
      auto c = parse_channel(text);
      REQUIRE_FALSE(c);
      CHECK(c.error() == errc::invalid_argument);
      CHECK(last_error_detail().find(fmt::format("\"{}\"", text)) != std::string_view::npos);
    }
  }

  TEST_CASE("every emotion kind round-trips through its one spelling") {
    std::set<std::string_view> names;
    for (EmotionKind k : kEmotionKinds) {
      CHECK(parse_emotion_kind(to_string(k)).value() == k);
      names.insert(to_string(k));
    }
    CHECK(names.size() == kEmotionKinds.size());
    auto bad = parse_emotion_kind("furious");
    REQUIRE_FALSE(bad);
    CHECK(bad.error() == errc::invalid_argument);
    CHECK(last_error_detail().find("furious") != std::string_view::npos);
  }

  TEST_CASE("intensity outside 0..10 fails with invalid_argument") {
    for (int intensity : {-1, 11, 1000}) {
      CAPTURE(intensity);
      auto e = Emotion::make(EmotionKind::angry, intensity);
      REQUIRE_FALSE(e);
      CHECK(e.error() == errc::invalid_argument);
      CHECK(last_error_detail().find(std::to_string(intensity)) != std::string_view::npos);
    }
    CHECK(Emotion::make(EmotionKind::angry, 0).value().intensity() == 0);
    CHECK(Emotion::make(EmotionKind::angry, 10).value().intensity() == 10);
  }

  TEST_CASE("negative feelings still felt block emotional closure") {
    for (EmotionKind k : kEmotionKinds) {
      auto felt = Emotion::make(k, 6).value();
      CAPTURE(to_string(k));
      CHECK(felt.is_negative() == (valence_of(k) == Valence::negative));
      CHECK(felt.is_neutral_or_positive() != felt.is_negative());
      CHECK(felt.valence() == valence_of(k));
    }
    CHECK(Emotion::make(EmotionKind::frustrated, 7).value().is_negative());
    CHECK(Emotion::make(EmotionKind::satisfied, 3).value().valence() == Valence::positive);
    CHECK(Emotion::make(EmotionKind::calm, 9).value().valence() == Valence::neutral);
  }

  TEST_CASE("a negative feeling at intensity zero counts as neutral") {
    auto gone = Emotion::make(EmotionKind::angry, 0).value();
    CHECK(gone.valence() == Valence::neutral);
    CHECK_FALSE(gone.is_negative());
    CHECK(gone.is_neutral_or_positive());
    CHECK(Emotion::make(EmotionKind::angry, 1).value().is_negative());
  }

  TEST_CASE("emotions order by kind then intensity and format as kind and intensity") {
    auto a = Emotion::make(EmotionKind::angry, 3).value();
    auto b = Emotion::make(EmotionKind::angry, 8).value();
    CHECK(a < b);
    CHECK(Emotion::make(EmotionKind::calm, 10).value() < a);
    std::unordered_set<Emotion> set{a, b, Emotion::make(EmotionKind::angry, 3).value()};
    CHECK(set.size() == 2);
    CHECK(fmt::format("{}", b) == "angry 8/10");
    CHECK(fmt::format("{}", EmotionKind::distressed) == "distressed");
  }
}
