// The policy's tree of root-cause categories (docs/policy.md, docs/analytics.md).
#include <redress/taxonomy.hpp>

#include <algorithm>
#include <utility>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/detail/json_read.hpp>

namespace redress {
inline namespace v1 {

namespace {

constexpr std::string_view kOther = "other";
constexpr std::string_view kOtherPrefix = "other:";

// ASCII case folded, ' ', '-', '_' and '/' read as '.', outer dots trimmed.
std::string normalised(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    if (ch == ' ' || ch == '-' || ch == '_' || ch == '/') ch = '.';
    out += ch;
  }
  auto first = out.find_first_not_of('.');
  if (first == std::string::npos) return {};
  return out.substr(first, out.find_last_not_of('.') - first + 1);
}

// The code points of UTF-8 text (bytes that do not decode count one each).
std::vector<char32_t> code_points(std::string_view s) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xe ? 3 : (b >> 3) == 0x1e ? 4 : 1;
    if (i + n > s.size()) n = 1;
    char32_t cp = n == 1 ? b : b & (0x7f >> n);
    for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    out.push_back(cp);
    i += n;
  }
  return out;
}

// Levenshtein distance between two texts, in code points.
std::size_t distance(std::string_view a, std::string_view b) {
  const auto x = code_points(a), y = code_points(b);
  std::vector<std::size_t> row(y.size() + 1);
  for (std::size_t j = 0; j <= y.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= x.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= y.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (x[i - 1] == y[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[y.size()];
}

bool valid_name(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
  });
}

}  // namespace

struct CauseTaxonomy::Parts {
  std::vector<CauseCategory> categories;
  std::map<std::string, std::size_t, std::less<>> by_name;
  bool allow_other = false;
  int depth = 0;
};

result<void> CauseTaxonomy::add_category(Parts& parts, const boost::json::value& v, std::string_view path,
                                         const std::string& parent, int level) {
  {
    BOOST_OUTCOME_TRY(auto obj, detail::json_object(v, path));
    BOOST_OUTCOME_TRYV(detail::json_known_members(*obj, path, {"id", "labels", "aliases", "children"}));
    CauseCategory c;
    c.level = level;
    BOOST_OUTCOME_TRY(auto id_v, detail::json_member(*obj, path, "id"));
    BOOST_OUTCOME_TRY(auto name, detail::json_string(*id_v, detail::json_child(path, "id")));
    if (!valid_name(name)) {
      return detail::json_fail(detail::json_child(path, "id"), "expected a-z, 0-9, _ or -, at least one (no dot)");
    }
    if (name == kOther && level == 0) {
      return detail::json_fail(detail::json_child(path, "id"), "\"other\" is kept for other:<text>");
    }
    c.id = parent.empty() ? std::string(name) : fmt::format("{}.{}", parent, name);
    BOOST_OUTCOME_TRY(auto labels_v, detail::json_member(*obj, path, "labels"));
    const auto labels_path = detail::json_child(path, "labels");
    BOOST_OUTCOME_TRY(auto labels, detail::json_object(*labels_v, labels_path));
    for (const auto& member : *labels) {
      const std::string_view language = member.key();
      if (std::find(std::begin(kCauseLabelLanguages), std::end(kCauseLabelLanguages), language) ==
          std::end(kCauseLabelLanguages)) {
        return detail::json_fail(detail::json_child(labels_path, language), "unknown language (expected en, zh-Hans, zh-Hant)");
      }
      BOOST_OUTCOME_TRY(auto text, detail::json_string(member.value(), detail::json_child(labels_path, language)));
      if (text.empty()) return detail::json_fail(detail::json_child(labels_path, language), "empty");
      c.labels.emplace(std::string(language), std::string(text));
    }
    for (std::string_view language : kCauseLabelLanguages) {
      if (!c.labels.contains(language)) return detail::json_fail(detail::json_child(labels_path, language), "missing");
    }
    if (auto it = obj->find("aliases"); it != obj->end()) {
      const auto aliases_path = detail::json_child(path, "aliases");
      BOOST_OUTCOME_TRY(auto aliases, detail::json_array(it->value(), aliases_path));
      for (std::size_t i = 0; i < aliases->size(); ++i) {
        BOOST_OUTCOME_TRY(auto alias, detail::json_string((*aliases)[i], detail::json_index(aliases_path, i)));
        if (normalised(alias).empty()) return detail::json_fail(detail::json_index(aliases_path, i), "empty");
        c.aliases.emplace_back(alias);
      }
    }
    const std::size_t index = parts.categories.size();
    // Its names: the id, each label, each alias; one category per name.
    std::vector<std::pair<std::string, std::string>> names{{normalised(c.id), detail::json_child(path, "id")}};
    for (const auto& [language, text] : c.labels) names.emplace_back(normalised(text), detail::json_child(labels_path, language));
    for (std::size_t i = 0; i < c.aliases.size(); ++i) {
      names.emplace_back(normalised(c.aliases[i]), detail::json_index(detail::json_child(path, "aliases"), i));
    }
    for (auto& [name_key, where] : names) {
      auto [it, added] = parts.by_name.try_emplace(name_key, index);
      if (!added && it->second != index) {
        return detail::json_fail(where, fmt::format("also names category \"{}\"", parts.categories[it->second].id));
      }
    }
    parts.depth = std::max(parts.depth, level);
    parts.categories.push_back(std::move(c));
    if (auto it = obj->find("children"); it != obj->end()) {
      const auto children_path = detail::json_child(path, "children");
      BOOST_OUTCOME_TRY(auto children, detail::json_array(it->value(), children_path));
      const std::string id = parts.categories[index].id;
      for (std::size_t i = 0; i < children->size(); ++i) {
        BOOST_OUTCOME_TRYV(add_category(parts, (*children)[i], detail::json_index(children_path, i), id, level + 1));
      }
    }
    return boost::outcome_v2::success();
  }
}

CauseTaxonomy::CauseTaxonomy(Parts parts)
    : categories_(std::move(parts.categories)),
      by_name_(std::move(parts.by_name)),
      allow_other_(parts.allow_other),
      depth_(parts.depth) {}

result<CauseTaxonomy> CauseTaxonomy::from_json(const boost::json::value& v, std::string_view path) {
  BOOST_OUTCOME_TRY(auto obj, detail::json_object(v, path));
  Parts parts;
  BOOST_OUTCOME_TRYV(detail::json_known_members(*obj, path, {"allow_other", "categories"}));
  if (auto it = obj->find("allow_other"); it != obj->end()) {
    BOOST_OUTCOME_TRY(parts.allow_other, detail::json_bool(it->value(), detail::json_child(path, "allow_other")));
  }
  if (auto it = obj->find("categories"); it != obj->end()) {
    const auto categories_path = detail::json_child(path, "categories");
    BOOST_OUTCOME_TRY(auto categories, detail::json_array(it->value(), categories_path));
    for (std::size_t i = 0; i < categories->size(); ++i) {
      BOOST_OUTCOME_TRYV(add_category(parts, (*categories)[i], detail::json_index(categories_path, i), "", 0));
    }
  }
  return CauseTaxonomy(std::move(parts));
}

result<std::string> CauseTaxonomy::resolve(std::string_view recorded) const {
  if (recorded.empty()) return detail::fail(errc::invalid_argument, "root_cause.category: empty");
  if (categories_.empty()) return std::string(recorded);
  const std::string key = normalised(recorded);
  if (auto it = by_name_.find(key); it != by_name_.end()) return categories_[it->second].id;
  if (recorded.starts_with(kOtherPrefix)) {
    if (allow_other_ && !normalised(recorded.substr(kOtherPrefix.size())).empty()) return std::string(recorded);
    if (!allow_other_) {
      return detail::fail(errc::invalid_argument,
                          "root_cause.category: \"other:<text>\" is not allowed by the policy (root_causes.allow_other)");
    }
  }
  // The three categories whose nearest name is nearest the text.
  std::vector<std::pair<std::size_t, std::size_t>> nearest(categories_.size(), {SIZE_MAX, 0});
  for (std::size_t i = 0; i < categories_.size(); ++i) nearest[i].second = i;
  for (const auto& [name, index] : by_name_) nearest[index].first = std::min(nearest[index].first, distance(key, name));
  const std::size_t shown = std::min<std::size_t>(3, nearest.size());
  std::partial_sort(nearest.begin(), nearest.begin() + static_cast<std::ptrdiff_t>(shown), nearest.end());
  std::string names;
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& c = categories_[nearest[i].second];
    names += fmt::format("{}{} ({})", i ? ", " : "", c.id, c.labels.at("en"));
  }
  return detail::fail(errc::invalid_argument,
                      fmt::format("root_cause.category: not in the policy's taxonomy{}; nearest: {}",
                                  allow_other_ ? " (or record other:<text>)" : "", names));
}

std::string_view CauseTaxonomy::at_level(std::string_view id, int level) const {
  if (id.starts_with(kOtherPrefix)) return kOther;
  if (level < 0 || find(id) == nullptr) return id;
  std::size_t end = 0;
  for (int l = 0; l <= level; ++l) {
    end = id.find('.', l == 0 ? 0 : end + 1);
    if (end == std::string_view::npos) return id;
  }
  return id.substr(0, end);
}

const CauseCategory* CauseTaxonomy::find(std::string_view id) const {
  auto it = by_name_.find(normalised(id));
  if (it == by_name_.end() || categories_[it->second].id != id) return nullptr;
  return &categories_[it->second];
}

std::string_view CauseTaxonomy::label(std::string_view id, std::string_view language) const {
  const auto* c = find(id);
  if (c == nullptr) return id;
  auto it = c->labels.find(language);
  return it == c->labels.end() ? id : std::string_view(it->second);
}

}  // namespace v1
}  // namespace redress
