#!/usr/bin/env bash
# The HTML report renders in headless Chromium, its charts are there and
# carry the summary's numbers, and it asks the network for nothing.
#
#   render.sh REDRESS MAKE_STORE DATA_DIR
#
# A store of generated cases (make_store.cpp) is reported as JSON and as HTML
# in English and Chinese, and so is `redress whatif` over it with a lower
# front-line limit. Chromium loads each page (--dump-dom gives the
# document it built) and takes a screenshot; the SVG marks' data attributes
# and labels are compared with the JSON summary. Set
# REDRESS_REPORT_SCREENSHOT=FILE to keep the English screenshot (docs/report.png
# is made so). Installs Chromium and a CJK font when they are missing and it
# runs as root.
set -euo pipefail
redress=$1
make_store=$2
here=$(cd "$(dirname "$0")" && pwd)

need=()
command -v chromium >/dev/null || need+=(chromium)
if ! command -v fc-list >/dev/null || ! fc-list :lang=zh | grep -q .; then need+=(fonts-wqy-microhei); fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "render.sh: needs ${need[*]} (run tools/setup.sh as root)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$make_store" "$tmp/cases.db" --events 3000 >/dev/null
report=("$redress" report --store "sqlite:$tmp/cases.db" --policy "$tmp/cases.db.policy.json" --by week --quiet)
"${report[@]}" --json >"$tmp/summary.json"
for lang in en zh; do
  "${report[@]}" --lang "$lang" --html "$tmp/report-$lang.html"
done
# The what-if page over the same store: a front line allowed half as much.
python3 - "$tmp/cases.db.policy.json" "$tmp/new-policy.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1], encoding="utf-8"))
p["version"] = "2"
for level in p["authority"]:
    if level.get("level") == 0 and "limit" in level:
        level["limit"] = str(int(float(level["limit"]) / 2))
json.dump(p, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
whatif=("$redress" whatif --store "sqlite:$tmp/cases.db" --old-policy "$tmp/cases.db.policy.json"
        --policy "$tmp/new-policy.json" --examples 25)
"${whatif[@]}" --json >"$tmp/whatif.json" || true
for lang in en zh; do
  "${whatif[@]}" --lang "$lang" --html "$tmp/whatif-$lang.html" --quiet || true
done

# Self-contained: no script, no external resource, no URL at all.
if grep -Eiq '<script|<link|<img|<iframe|<object|<embed|@import|url\(|(src|href)=|https?:|ftp:|//[a-z0-9]' \
  "$tmp"/report-*.html "$tmp"/whatif-*.html; then
  echo "render.sh: the report refers to something outside itself" >&2
  exit 1
fi

chromium_run() {
  local profile=$1
  shift
  timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$tmp/$profile" "$@" 2>/dev/null
}
for lang in en zh; do
  chromium_run "dom-$lang" --dump-dom "file://$tmp/report-$lang.html" >"$tmp/dom-$lang.html"
  chromium_run "whatif-$lang" --dump-dom "file://$tmp/whatif-$lang.html" >"$tmp/dom-whatif-$lang.html"
done
chromium_run shot --window-size=1040,1480 --screenshot="$tmp/report.png" "file://$tmp/report-en.html" >/dev/null

python3 "$here/check_dom.py" "$tmp/summary.json" "$tmp/dom-en.html" "$tmp/dom-zh.html" "$tmp/report.png" \
  "$tmp/whatif.json" "$tmp/dom-whatif-en.html" "$tmp/dom-whatif-zh.html"
if [ -n "${REDRESS_REPORT_SCREENSHOT:-}" ]; then cp "$tmp/report.png" "$REDRESS_REPORT_SCREENSHOT"; fi
echo "render.sh: the report rendered with its charts and numbers"
