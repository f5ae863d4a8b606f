// redress/taxonomy.hpp: the policy's tree of root-cause categories.
//
// Step 4 of recovery records the problem's root cause so that patterns show;
// free text splits one cause into many ("delivery-late", "Delivery late",
// "物流延误"). A `CauseTaxonomy` is the policy's tree of categories: each has
// an id (its parent's id, a dot, its own name: "delivery.late"), labels in
// the supported languages (en, zh-Hans, zh-Hant) and aliases. resolve()
// turns what an agent recorded into a category id, names the nearest
// categories when nothing matches, and accepts "other:<text>" when the
// policy allows it. at_level() rolls a category up to its ancestor at a
// level, for the report's Pareto chart and cost tables.
//
// Pure and immutable after construction; docs/policy.md shows the JSON.
#ifndef REDRESS_TAXONOMY_HPP
#define REDRESS_TAXONOMY_HPP

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include <redress/error.hpp>

namespace redress {
inline namespace v1 {

// CauseCategory
//
// One node of the tree. `level` is 0 for a top category, its depth below
// otherwise; `labels` maps "en", "zh-Hans", "zh-Hant" to the category's name.
struct CauseCategory {
  std::string id;
  int level = 0;
  std::map<std::string, std::string, std::less<>> labels;
  std::vector<std::string> aliases;
  friend bool operator==(const CauseCategory&, const CauseCategory&) = default;
};

// CauseTaxonomy
//
// Example:
//   auto t = redress::CauseTaxonomy::from_json(boost::json::parse(R"({
//     "allow_other": true,
//     "categories": [{"id": "delivery", "labels": {"en": "Delivery", "zh-Hans": "配送", "zh-Hant": "配送"},
//                     "children": [{"id": "late", "labels": {"en": "Late delivery", "zh-Hans": "配送延误",
//                                   "zh-Hant": "配送延誤"}, "aliases": ["物流延误", "delivery-late"]}]}]})"),
//     "root_causes").value();
//   auto late = t.resolve("Delivery late").value();  // "delivery.late"
//   auto same = t.resolve("物流延误").value();         // "delivery.late"
//   auto other = t.resolve("other:a storm").value(); // "other:a storm"
//   auto top = t.at_level("delivery.late", 0);       // "delivery"
class CauseTaxonomy {
 public:
  // An empty taxonomy: every non-empty category is accepted as recorded.
  CauseTaxonomy() = default;

  // From the policy's "root_causes" member: {"allow_other": bool (default
  // false), "categories": [{"id", "labels": {"en", "zh-Hans", "zh-Hant"},
  // "aliases": [...], "children": [...]}]}. An id is one or more of
  // a-z, 0-9, _ and - (no dot: the tree adds them); every category has the
  // three labels. Fails with errc::invalid_json naming the member (`path`
  // first) for a wrong type, a missing label, a bad id, or an id, label or
  // alias that two categories share.
  static result<CauseTaxonomy> from_json(const boost::json::value& v, std::string_view path = "root_causes");

  // CauseTaxonomy::resolve()
  //
  // The id of the category `recorded` names: an id, a label or an alias,
  // compared with ASCII case folded and ' ', '-', '_', '/' read as '.'.
  // "other:<text>" (non-empty text) is accepted as it is when allow_other().
  // An empty taxonomy accepts any non-empty text as it is. Fails with
  // errc::invalid_argument when `recorded` is empty or names no category;
  // the detail names the nearest categories (by edit distance), never the
  // recorded text.
  result<std::string> resolve(std::string_view recorded) const;

  // The ancestor of category `id` at `level` (0: the top), or `id` when it
  // is not deeper than that; "other:<text>" rolls up to "other"; a category
  // the taxonomy does not know (recorded before it existed) stays as it is.
  std::string_view at_level(std::string_view id, int level) const;

  // The category with id `id`, or nullptr.
  const CauseCategory* find(std::string_view id) const;
  // Its label in `language` ("en", "zh-Hans", "zh-Hant"), or `id` itself.
  std::string_view label(std::string_view id, std::string_view language) const;

  const std::vector<CauseCategory>& categories() const noexcept { return categories_; }
  bool allows_other() const noexcept { return allow_other_; }
  bool empty() const noexcept { return categories_.empty(); }
  // The deepest level (0 when every category is a top one).
  int depth() const noexcept { return depth_; }
  friend bool operator==(const CauseTaxonomy&, const CauseTaxonomy&) = default;

 private:
  struct Parts;
  explicit CauseTaxonomy(Parts parts);
  static result<void> add_category(Parts& parts, const boost::json::value& v, std::string_view path,
                                   const std::string& parent, int level);

  std::vector<CauseCategory> categories_;              // depth first, in document order
  std::map<std::string, std::size_t, std::less<>> by_name_;  // normalised id, label or alias -> category
  bool allow_other_ = false;
  int depth_ = 0;
};

// The languages a category is labelled in.
inline constexpr std::string_view kCauseLabelLanguages[] = {"en", "zh-Hans", "zh-Hant"};

}  // namespace v1
}  // namespace redress

#endif  // REDRESS_TAXONOMY_HPP
