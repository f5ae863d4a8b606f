"""Checks the report's DOM, as Chromium built it, against the JSON summary.

    check_dom.py SUMMARY.json DOM-en.html DOM-zh.html SCREENSHOT.png \
        [WHATIF.json DOM-whatif-en.html DOM-whatif-zh.html]

Every chart must be there, with one mark per cause (the Pareto chart shows at
most 15), health period and measure, agent and remedy kind, and each mark's
data attributes and labels must carry the summary's numbers; so must the
coaching page's over-compensation rows, score marks and coaching rows. The
what-if page's bars, tables and examples must carry its JSON summary's figures.
"""
import json
import struct
import sys
from html.parser import HTMLParser


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children, self.text = [], ""

    def find_all(self, tag=None, cls=None):
        for child in self.children:
            if (tag is None or child.tag == tag) and (cls is None or cls in child.attrs.get("class", "").split()):
                yield child
            yield from child.find_all(tag, cls)

    def by_id(self, ident):
        return next((n for n in self.find_all() if n.attrs.get("id") == ident), None)

    def all_text(self):
        return self.text + "".join(c.all_text() for c in self.children)


class Tree(HTMLParser):
    VOID = {"meta", "br", "hr", "img", "input", "link", "rect", "line", "polyline", "circle"}

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.root = self.at = Node("#root", [], None)
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.at)
        self.at.children.append(node)
        if tag not in self.VOID:
            self.at = node

    def handle_startendtag(self, tag, attrs):
        self.at.children.append(Node(tag, attrs, self.at))

    def handle_endtag(self, tag):
        node = self.at
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.at = node.parent

    def handle_data(self, data):
        self.at.text += data


failures = []


def expect(condition, what):
    if not condition:
        failures.append(what)


def minor(totals, currency):
    return next((m["amount_minor"] for m in totals if m["currency"] == currency), 0)


def decimal(amount_minor):  # CNY: two decimal places
    sign = "-" if amount_minor < 0 else ""
    return f"{sign}{abs(amount_minor) // 100}.{abs(amount_minor) % 100:02d}"


def check_charts(dom, summary, lang):
    cur = summary["currency"]
    pareto = dom.by_id("pareto-chart")
    expect(pareto is not None and pareto.tag == "svg", f"{lang}: the Pareto chart is an inline SVG")
    if pareto is None:
        return
    marks = list(pareto.find_all("g", "cause"))
    causes = summary["causes"]
    expect(len(marks) == min(15, len(causes)) > 0, f"{lang}: one Pareto bar per cause ({len(marks)})")
    heights = []
    for i, (g, c) in enumerate(zip(marks, causes)):
        felt = minor(c["felt_loss"], cur)
        expect(g.attrs.get("data-cause") == c["cause"], f"{lang}: bar {i + 1} is cause {c['cause']!r}")
        expect(g.attrs.get("data-rank") == str(i + 1), f"{lang}: bar {i + 1} has its rank")
        expect(g.attrs.get("data-cases") == str(c["cases"]), f"{lang}: bar {c['cause']!r} counts its cases")
        expect(g.attrs.get("data-felt-loss-minor") == str(felt), f"{lang}: bar {c['cause']!r} carries its felt loss")
        expect(g.attrs.get("data-cumulative-per-mille") == str(c["cumulative_per_mille"]),
               f"{lang}: bar {c['cause']!r} carries its cumulative share")
        values = [t.all_text() for t in g.find_all("text", "value")]
        expect(values == [decimal(felt)], f"{lang}: bar {c['cause']!r} is labelled {decimal(felt)}, not {values}")
        share = c["cumulative_per_mille"]
        labels = [t.all_text() for t in g.find_all("text", "cumulative-label")]
        expect(labels == [f"{share // 10}.{share % 10}%"], f"{lang}: the Pareto line says {labels} at {c['cause']!r}")
        names = [t.all_text() for t in g.find_all("text", "label")]
        expect(len(names) == 1 and (names[0] == c["cause"] or c["cause"] == ""),
               f"{lang}: bar {i + 1} is labelled with its cause as recorded ({names})")
        rects = list(g.find_all("rect", "bar"))
        expect(len(rects) == 1, f"{lang}: bar {c['cause']!r} is drawn")
        heights.append(float(rects[0].attrs["height"]) if rects else 0)
    expect(heights == sorted(heights, reverse=True) and heights[0] > 0, f"{lang}: Pareto bars fall from left to right")
    expect(marks and marks[-1].attrs.get("data-cumulative-per-mille") in (None, "1000") or len(causes) > 15,
           f"{lang}: the Pareto line ends at 100%")
    expect(len(list(pareto.find_all("polyline", "cumulative"))) == 1, f"{lang}: the Pareto line is drawn")

    health = dom.by_id("health-chart")
    expect(health is not None, f"{lang}: the health chart is there")
    points = {(p.attrs["data-bucket"], p.attrs["data-measure"]): p for p in health.find_all("circle", "point")}
    measures = ["first_response_on_time", "updates_on_time", "promises_kept", "closed_well", "repeat_contact"]
    expected_points = 0
    for row in summary["health"]:
        for m in measures:
            r = row[m]
            p = points.get((row["bucket"], m))
            if r["of"] == 0:
                expect(p is None, f"{lang}: nothing to measure draws no point ({row['bucket']} {m})")
                continue
            expected_points += 1
            expect(p is not None, f"{lang}: health point {row['bucket']} {m} is drawn")
            if p is not None:
                expect((p.attrs["data-count"], p.attrs["data-of"], p.attrs["data-per-mille"]) ==
                       (str(r["count"]), str(r["of"]), str(r["per_mille"])),
                       f"{lang}: health point {row['bucket']} {m} carries {r}")
    expect(len(points) == expected_points > 0, f"{lang}: one health point per period and measure")
    expect(len(list(health.find_all("polyline", "series"))) == len(measures), f"{lang}: one trend line per measure")

    for chart, key, rows in (("cost-by-agent", "agent", summary["cost"]["by_agent"]),
                             ("cost-by-kind", "kind", summary["cost"]["by_kind"])):
        svg = dom.by_id(chart)
        expect(svg is not None, f"{lang}: chart {chart} is there")
        bars = list(svg.find_all("g", "cost")) if svg else []
        expect(len(bars) == len(rows) > 0, f"{lang}: {chart} has one bar per {key}")
        for g, row in zip(bars, rows):
            expect(g.attrs.get(f"data-{key}") == row[key], f"{lang}: {chart} bar is {row[key]}")
            expect(g.attrs.get("data-cost-minor") == str(minor(row["cost"], cur)), f"{lang}: {chart} {row[key]} cost")
            expect(g.attrs.get("data-remedies") == str(row["remedies"]), f"{lang}: {chart} {row[key]} remedies")
            values = [t.all_text() for t in g.find_all("text", "value")]
            want = f"{cur} {decimal(minor(row['cost'], cur))} ({row['remedies']})"
            expect(values == [want], f"{lang}: {chart} {row[key]} is labelled {want}, not {values}")

    overview = dom.by_id("overview")
    expect(overview is not None and overview.attrs.get("data-cases") == str(summary["cases"]),
           f"{lang}: the overview counts the cases")
    expect(not any(n.tag in ("script", "legacy") for n in dom.find_all()), f"{lang}: data labels stay text")


def check_coaching(dom, summary, lang):
    cur = summary["currency"]
    section = dom.by_id("coaching")
    expect(section is not None, f"{lang}: the coaching page is there")
    if section is None:
        return
    for table, key, rows in (("giving-by-agent", "agent", summary["giving"]["by_agent"]),
                             ("giving-by-cause", "cause", summary["giving"]["by_cause"])):
        t = dom.by_id(table)
        marks = list(t.find_all("tr", "giving")) if t else []
        expect(len(marks) == len(rows) > 0, f"{lang}: {table} has one row per {key} ({len(marks)} of {len(rows)})")
        for tr, row in zip(marks, rows):
            name = row[key]
            expect(tr.attrs.get(f"data-{key}") == name, f"{lang}: {table} row is {name!r}")
            want = (str(row["above_loss"]["count"]), str(row["above_loss"]["of"]),
                    str(minor(row["amount_above"], cur)), str(row["cash_without_loss"]),
                    str(row["approvals_granted"]["count"]), str(row["approvals_granted"]["of"]))
            got = tuple(tr.attrs.get(a) for a in ("data-above-loss-count", "data-above-loss-of", "data-amount-above-minor",
                                                   "data-cash-without-loss", "data-approvals-granted",
                                                   "data-approvals-requested"))
            expect(got == want, f"{lang}: {table} {name!r} carries {want}, not {got}")
    agents = summary["coaching"]
    svg = dom.by_id("coaching-scores")
    expect(svg is not None and svg.tag == "svg", f"{lang}: the score chart is an inline SVG")
    marks = list(svg.find_all("g", "score")) if svg else []
    expect(len(marks) == len(agents) > 0, f"{lang}: one score mark per agent")
    for g, a in zip(marks, agents):
        sc = a["scores"]
        expect(g.attrs.get("data-agent") == a["agent"], f"{lang}: score mark is agent {a['agent']!r}")
        got = tuple(g.attrs.get(k) for k in ("data-replies", "data-p25", "data-median", "data-p75"))
        want = (str(sc["replies"]), str(sc["p25"]), str(sc["median"]), str(sc["p75"]))
        expect(got == want, f"{lang}: score mark {a['agent']!r} carries {want}, not {got}")
        values = [t.all_text() for t in g.find_all("text", "value")]
        label = f"{sc['median']} ({sc['p25']}-{sc['p75']})"
        expect(values == [label], f"{lang}: score mark {a['agent']!r} is labelled {label}, not {values}")
        if sc["replies"] > 0:
            expect(len(list(g.find_all("rect", "hbar"))) == 1, f"{lang}: the score band of {a['agent']!r} is drawn")
    t = dom.by_id("coaching-table")
    rows = list(t.find_all("tr", "coaching")) if t else []
    expect(len(rows) == len(agents), f"{lang}: the coaching table has one row per agent")
    for tr, a in zip(rows, agents):
        got = tuple(tr.attrs.get(k) for k in ("data-repeat-count", "data-repeat-of", "data-feeling-rose-count",
                                              "data-feeling-rose-of"))
        want = (str(a["repeat_replies"]["count"]), str(a["repeat_replies"]["of"]), str(a["feeling_rose"]["count"]),
                str(a["feeling_rose"]["of"]))
        expect(got == want, f"{lang}: coaching row {a['agent']!r} carries {want}, not {got}")
        for f in a["top_findings"]:
            expect(f"{f['code']} ({f['count']})" in tr.all_text(), f"{lang}: {a['agent']!r} shows finding {f['code']}")


WHATIF_MEASURES = ("cases_changed", "remedies_changed", "escalations_changed", "findings_changed",
                   "deadlines_changed", "events_skipped")


def check_whatif(dom, summary, lang):
    overview = dom.by_id("overview")
    expect(overview is not None and overview.attrs.get("data-cases") == str(summary["cases"])
           and overview.attrs.get("data-cases-changed") == str(summary["cases_changed"]),
           f"whatif {lang}: the overview carries the case counts")
    chart = dom.by_id("whatif-chart")
    marks = {g.attrs.get("data-measure"): g for g in chart.find_all("g", "figure")} if chart else {}
    expect(sorted(marks) == sorted(WHATIF_MEASURES), f"whatif {lang}: one bar per measure, not {sorted(marks)}")
    for measure in WHATIF_MEASURES:
        g = marks.get(measure)
        if g is None:
            continue
        expect(g.attrs.get("data-count") == str(summary[measure]),
               f"whatif {lang}: the {measure} bar carries {summary[measure]}, not {g.attrs.get('data-count')}")
        values = [t.all_text() for t in g.find_all("text", "value")]
        expect(values == [str(summary[measure])], f"whatif {lang}: the {measure} bar is labelled {values}")
    table = dom.by_id("whatif-money")
    rows = {tr.attrs.get("data-currency"): tr for tr in table.find_all("tr", "money")} if table else {}
    for before in summary["remedy_value_before"]:
        tr = rows.get(before["currency"])
        after = minor(summary["remedy_value_after"], before["currency"])
        expect(tr is not None and tr.attrs.get("data-before-minor") == str(before["amount_minor"])
               and tr.attrs.get("data-after-minor") == str(after)
               and tr.attrs.get("data-difference-minor") == str(after - before["amount_minor"]),
               f"whatif {lang}: the {before['currency']} row carries the values before and after")
    table = dom.by_id("whatif-examples")
    examples = list(table.find_all("tr", "example")) if table else []
    expect([(tr.attrs.get("data-case"), tr.attrs.get("data-kind"), tr.attrs.get("data-subject")) for tr in examples]
           == [(e["case"], e["kind"], e["subject"]) for e in summary["examples"]],
           f"whatif {lang}: one example row per example, in order")


summary = json.load(open(sys.argv[1], encoding="utf-8"))
en = Tree(open(sys.argv[2], encoding="utf-8").read()).root
zh = Tree(open(sys.argv[3], encoding="utf-8").read()).root
check_charts(en, summary, "en")
check_charts(zh, summary, "zh")
check_coaching(en, summary, "en")
check_coaching(zh, summary, "zh")
html_en, html_zh = next(en.find_all("html")), next(zh.find_all("html"))
expect(html_en.attrs.get("lang") == "en" and html_zh.attrs.get("lang") == "zh-CN", "each page says its language")
expect("Root causes" in en.all_text() and "根因" in zh.all_text(), "the interface speaks each language")
expect("Coaching" in en.by_id("coaching").all_text() and "辅导" in zh.by_id("coaching").all_text(),
       "the coaching page speaks each language")
labels = {t.all_text() for t in zh.by_id("pareto-chart").find_all("text", "label")}
expect("配送.延误" in labels and "billing <legacy> & refunds" in labels,
       "Chinese and markup-like causes are shown as recorded")

with open(sys.argv[4], "rb") as f:
    png = f.read()
expect(png[:8] == b"\x89PNG\r\n\x1a\n", "the screenshot is a PNG")
width, height = struct.unpack(">II", png[16:24])
expect((width, height) == (1040, 1480), f"the screenshot is the window's size ({width}x{height})")
expect(len(png) > 30_000, f"the screenshot shows something ({len(png)} bytes)")

if len(sys.argv) > 5:
    whatif = json.load(open(sys.argv[5], encoding="utf-8"))
    w_en = Tree(open(sys.argv[6], encoding="utf-8").read()).root
    w_zh = Tree(open(sys.argv[7], encoding="utf-8").read()).root
    expect(whatif["cases"] == summary["cases"], "whatif: every case of the store is compared")
    expect(whatif["remedies_changed"] > 0, "whatif: a lower front-line limit changes some remedies")
    check_whatif(w_en, whatif, "en")
    check_whatif(w_zh, whatif, "zh")
    expect(next(w_en.find_all("html")).attrs.get("lang") == "en"
           and next(w_zh.find_all("html")).attrs.get("lang") == "zh-CN", "whatif: each page says its language")
    expect("What the new policy would change" in w_en.all_text() and "新政策会带来的变化" in w_zh.all_text(),
           "whatif: the interface speaks each language")

for f in failures:
    print("check_dom:", f, file=sys.stderr)
sys.exit(1 if failures else 0)
