#!/usr/bin/env python3
"""Extracts the code blocks of redress's docs so that the build compiles them.

The blocks come from README.md, docs/*.md and the comments of the public
headers (include/redress/*.hpp, include/redress/detail/*.hpp and the C headers
under bindings/c/include/). docs/conventions.md ("Code in the docs") describes
how a block is written and marked; in short:

  * Markdown: every fenced block names its language. ```cpp and ```c blocks
    are compiled; ```json must parse (and validate against docs/schema/ when
    it has "schema": "redress.X/1"); ```python must compile; ```sh must pass
    `bash -n`; ```text, ```sql and ```cmake are shown as they are. An HTML
    comment on the line just before a fence changes how it is compiled:
        <!-- doc-test: given const redress::Calendar& cn, redress::Instant now -->
        <!-- doc-test: top-level -->
        <!-- doc-test: skip REASON -->
  * Headers: a comment line `// Example:` (or `// Example (...):`) followed by
    lines indented by at least two spaces after the `//`. `(given PARAMS)` in
    the parentheses names what the fragment takes; `(not compiled: REASON)`
    opts out.

A fragment is compiled as the body of a function that returns
redress::result<void> (int in C) and takes the `given` names as parameters;
a block with `int main(` is a whole program, compiled and linked on its own
and run by ctest. All the fragments of one source file go into one
translation unit, which `#line` directives map back to the doc's lines, so a
compiler error names the doc file and line.

usage:
  doc-examples.py generate OUT_DIR [--with sqlite,pg,c]   write the TUs and OUT_DIR/doc-examples.cmake
  doc-examples.py check                                   check the non-C++ blocks and the local links
"""
import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

COMPILED = {"cpp", "c"}
CHECKED = {"json", "python", "sh"}
SHOWN = {"text", "sql", "cmake"}  # output, a database's own DDL, build snippets: shown, not run
MARKER = re.compile(r"^\s*<!--\s*doc-test:\s*(given|top-level|skip)\b\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^(\s*)```(\S*)\s*$")
EXAMPLE = re.compile(r"^(\s*)(//|\*)\s*Example(?:\s*\((.*)\))?:\s*$")


class Block:
    def __init__(self, source, line, lang, code, given="", mode="fragment", skip=None):
        self.source = source  # path relative to ROOT
        self.line = line      # 1-based line of the block's first code line
        self.lang = lang
        self.code = code      # list of lines
        self.given = given
        self.mode = mode      # fragment, top-level or program
        self.skip = skip
        if mode == "fragment" and any(re.match(r"\s*int\s+main\s*\(", l) for l in code):
            self.mode = "program"

    def where(self):
        return f"{self.source}:{self.line}"


def markdown_files():
    return [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))


def header_files():
    inc = ROOT / "include" / "redress"
    c_inc = ROOT / "bindings" / "c" / "include" / "redress"
    return (sorted(inc.glob("*.hpp")) + sorted((inc / "detail").glob("*.hpp"))
            + sorted(c_inc.glob("*.h")) + sorted((c_inc / "sys").glob("*.h")))


def markdown_blocks(path, problems):
    rel = str(path.relative_to(ROOT))
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, lang, start = m.group(1), m.group(2), i
        j = i + 1
        while j < len(lines) and not re.match(r"^\s*```\s*$", lines[j]):
            j += 1
        if j == len(lines):
            problems.append(f"{rel}:{start + 1}: a code block is never closed")
            break
        code = [l[len(indent):] if l.startswith(indent) else l.lstrip() for l in lines[start + 1:j]]
        given, mode, skip = "", "fragment", None
        marker = MARKER.match(lines[start - 1]) if start > 0 else None
        if marker:
            kind, arg = marker.groups()
            if kind == "given":
                given = arg
            elif kind == "top-level":
                mode = "top-level"
            else:
                if not arg:
                    problems.append(f"{rel}:{start}: `doc-test: skip` needs a reason")
                skip = arg or "?"
        if not lang:
            problems.append(f"{rel}:{start + 1}: a code block names no language "
                            f"(```cpp, ```c, ```json, ```python, ```sh, ```text, ```sql or ```cmake)")
        elif lang not in COMPILED | CHECKED | SHOWN:
            problems.append(f"{rel}:{start + 1}: unknown block language {lang!r}")
        blocks.append(Block(rel, start + 2, lang, code, given, mode, skip))
        i = j + 1
    return blocks


def header_blocks(path, problems):
    rel = str(path.relative_to(ROOT))
    lang = "c" if path.suffix == ".h" else "cpp"
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = []
    for i, line in enumerate(lines):
        if re.match(r"^\s*(//|\*)\s*Example\s*\(", line) and not line.rstrip().endswith("):"):
            # `// Example (given ...` may go on over the next comment lines up to `):`.
            while i + 1 < len(lines) and lines[i + 1].lstrip()[:2] in ("//", "* ") and not line.endswith("):"):
                i += 1
                line = line.rstrip() + " " + lines[i].lstrip()[2:].strip()
        m = EXAMPLE.match(line)
        if not m:
            continue
        note = (m.group(3) or "").strip()
        given, skip, mode = "", None, "fragment"
        if note == "top-level":
            mode = "top-level"
        elif note.startswith("given "):
            given = note[len("given "):].split(";")[0]  # `(given PARAMS; a note)`
        elif note.startswith("not compiled"):
            skip = note.partition(":")[2].strip()
            if not skip:
                problems.append(f"{rel}:{i + 1}: `Example (not compiled: REASON)` needs a reason")
        code, j = [], i + 1
        prefix = m.group(1) + m.group(2)
        while j < len(lines) and lines[j].startswith(prefix):
            body = lines[j][len(prefix):]
            if body.strip() == "" and code:
                # A blank comment line inside the block continues it when more code follows.
                k = j + 1
                if k < len(lines) and lines[k].startswith(prefix + "   "):
                    code.append("")
                    j += 1
                    continue
                break
            if not body.startswith("   ") and body.strip():
                break
            if body.strip():
                if not code:
                    first_line = j + 1
                code.append(body[3:])
            j += 1
        if not code:
            problems.append(f"{rel}:{i + 1}: `Example:` is not followed by lines indented two more spaces")
            continue
        blocks.append(Block(rel, first_line, lang, code, given, mode, skip))
    return blocks


def all_blocks(problems):
    blocks = []
    for p in markdown_files():
        blocks += markdown_blocks(p, problems)
    for p in header_files():
        blocks += header_blocks(p, problems)
    return blocks


# ---------------------------------------------------------------- generate

# Every public header but the stores' own (added when those are built), so a
# header added later is in every fragment's view without listing it here.
CPP_HEADERS = sorted(p.stem for p in (ROOT / "include" / "redress").glob("*.hpp")
                     if p.stem not in ("sqlite_store", "pg_store"))
C_HEADERS = ["redress/redress.h", "redress/sys/policy.h"]
# Fragments may leave values unused (a line that shows what an expression
# returns) and ignore what they are given; every other warning stays an error.
QUIET = ["-Wunused-variable", "-Wunused-but-set-variable", "-Wunused-parameter"]


def stem(source):
    return re.sub(r"[^A-Za-z0-9]+", "_", source).strip("_")


def prologue(lang, with_):
    out = [f'#pragma GCC diagnostic ignored "{w}"' for w in QUIET]
    if lang == "cpp":
        headers = list(CPP_HEADERS) + [h for h, f in (("sqlite_store", "sqlite"), ("pg_store", "pg")) if f in with_]
        out += [f"#include <redress/{h}.hpp>" for h in headers]
        out += ["#include <array>", "#include <functional>", "#include <optional>", "#include <span>",
                "#include <string>", "#include <string_view>", "#include <vector>",
                "#include <boost/outcome/try.hpp>"]
    else:
        out += ["#include <stdint.h>", "#include <stdio.h>", "#include <stdlib.h>", "#include <string.h>"]
        out += [f"#include <{h}>" for h in C_HEADERS]
    return out


def fragment_tu(blocks, lang, with_):
    out = prologue(lang, with_)
    for b in blocks:
        # A fragment's own #include lines go to the top of the translation unit.
        out += [l for l in b.code if l.startswith("#include")]
        b.code = ["" if l.startswith("#include") else l for l in b.code]
    # One namespace per source file: the fragments of all files link into one program.
    ns = f"namespace redress_doc_examples::{stem(blocks[0].source)} {{"
    ns_open, ns_close = (ns, "}") if lang == "cpp" else ("", "")
    for n, b in enumerate(blocks):
        header = b.source.startswith("include/")
        if b.mode == "top-level":
            out += [ns_open, f'#line {b.line} "{b.source}"'] + b.code + [ns_close]
            continue
        out.append(ns_open)
        if header:
            # A header's examples are read in the header's namespace.
            out.append("using namespace redress;")
        if lang == "cpp":
            out.append(f"redress::result<void> example_{n}({b.given}) {{")
        else:
            out.append(f"int {stem(b.source)}_example_{n}({b.given or 'void'});")
            out.append(f"int {stem(b.source)}_example_{n}({b.given or 'void'}) {{")
        out += [f'#line {b.line} "{b.source}"'] + b.code
        out.append("return boost::outcome_v2::success();" if lang == "cpp" else "return 0;")
        out += ["}", ns_close]
    return "\n".join(out) + "\n"


def program_tu(b):
    return "\n".join([f'#line {b.line} "{b.source}"'] + b.code) + "\n"


def generate(out_dir, with_):
    problems = []
    blocks = [b for b in all_blocks(problems) if b.lang in COMPILED and b.skip is None]
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = {}
    by_source = {}
    programs = []
    for b in blocks:
        if b.lang == "c" and "c" not in with_:
            continue
        needs = {"sqlite": "SqliteStore", "pg": "PgStore"}
        if any(word in "\n".join(b.code + [b.given]) and flag not in with_ for flag, word in needs.items()):
            continue
        if b.mode == "program":
            programs.append(b)
        else:
            by_source.setdefault((b.source, b.lang), []).append(b)
    fragments = {"cpp": [], "c": []}
    for (source, lang), bs in sorted(by_source.items()):
        name = f"{stem(source)}.{lang}"
        wanted[name] = fragment_tu(bs, lang, with_)
        fragments[lang].append(name)
    runs = []
    for b in programs:
        name = f"{stem(b.source)}_{b.line}.{b.lang}"
        wanted[name] = program_tu(b)
        runs.append((f"{stem(b.source)}_{b.line}", name, b.lang))
    for lang in ("cpp", "c"):
        if fragments[lang]:
            name = f"fragments_main.{lang}"
            wanted[name] = "int main(void) { return 0; }\n" if lang == "c" else "int main() { return 0; }\n"
            fragments[lang].append(name)
    cmake = ["# Generated by tools/doc-examples.py: the code blocks of the docs and headers."]
    cmake.append("set(REDRESS_DOC_FRAGMENTS_CPP " + " ".join(fragments["cpp"]) + ")")
    cmake.append("set(REDRESS_DOC_FRAGMENTS_C " + " ".join(fragments["c"]) + ")")
    headers = [l.split(" ", 1)[1] for l in prologue("cpp", with_) if l.startswith("#include")]
    cmake.append("set(REDRESS_DOC_HEADERS " + " ".join(f'"{h}"' for h in headers) + ")")
    cmake.append("set(REDRESS_DOC_PROGRAMS " + " ".join(f"{n}|{f}|{l}" for n, f, l in runs) + ")")
    wanted["doc-examples.cmake"] = "\n".join(cmake) + "\n"
    for name, text in wanted.items():
        path = out_dir / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")  # unchanged files keep their time stamps
    for path in out_dir.iterdir():
        if path.is_file() and path.name not in wanted:
            path.unlink()
    sources = [str(p) for p in markdown_files() + header_files()]
    (out_dir / "sources.txt").write_text("\n".join(sources) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- check

def schema_validators():
    sys.path.insert(0, str(ROOT / "tests" / "schema"))
    try:
        import validate  # tests/schema/validate.py: the schemas with their references resolved
        return validate.make_validators(validate.load_schemas())
    except ImportError:  # no python3-jsonschema: the JSON is still parsed
        return None


LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|!\[[^\]]*\]\(([^)\s]+)\)")


def check_links(path, problems):
    rel = path.relative_to(ROOT)
    in_code = False
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line) or re.match(r"^\s*```", line):
            in_code = not in_code
            continue
        if in_code:
            continue
        for m in LINK.finditer(re.sub(r"`[^`]*`", "", line)):
            target = m.group(1) or m.group(2)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue
            file_part = target.split("#", 1)[0]
            if file_part and not (path.parent / file_part).exists():
                problems.append(f"{rel}:{n}: the link to {target} leads nowhere")


def check_header_references(path, problems):
    """A header's comment that names docs/X.md names a page that exists."""
    rel = path.relative_to(ROOT)
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        for m in re.finditer(r"\bdocs/[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.(?:md|json)", line):
            if not (ROOT / m.group(0)).exists():
                problems.append(f"{rel}:{n}: {m.group(0)} does not exist")


def check(problems):
    blocks = all_blocks(problems)
    validators = schema_validators()
    counts = {}
    for b in blocks:
        if b.skip is not None:
            counts["skipped"] = counts.get("skipped", 0) + 1
            continue
        text = "\n".join(b.code) + "\n"
        if b.lang == "json":
            try:
                # A block that starts with a member ("name": ...) shows part of an object.
                doc = json.loads("{" + text + "}" if text.lstrip().startswith('"') else text)
            except json.JSONDecodeError as e:
                problems.append(f"{b.source}:{b.line + e.lineno - 1}: not JSON: {e.msg}")
                continue
            schema = doc.get("schema") if isinstance(doc, dict) else None
            if isinstance(schema, str) and validators is not None:
                m = re.fullmatch(r"redress\.([a-z_]+)/\d+", schema)
                if not m or m.group(1) not in validators:
                    problems.append(f"{b.where()}: no schema for {schema!r} in docs/schema/")
                else:
                    for e in sorted(validators[m.group(1)].iter_errors(doc), key=lambda e: list(e.absolute_path))[:3]:
                        at = "/".join(str(p) for p in e.absolute_path)
                        problems.append(f"{b.where()}: not a valid {schema}: at /{at}: {e.message[:200]}")
        elif b.lang == "python":
            try:
                compile(text, b.where(), "exec")  # what py_compile does, without writing a .pyc
            except SyntaxError as e:
                problems.append(f"{b.source}:{b.line + (e.lineno or 1) - 1}: not Python: {e.msg}")
        elif b.lang == "sh":
            r = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True)
            if r.returncode != 0:
                problems.append(f"{b.where()}: not a shell script: {r.stderr.strip()}")
        counts[b.lang or "?"] = counts.get(b.lang or "?", 0) + 1
    for p in markdown_files():
        check_links(p, problems)
    for p in header_files():
        check_header_references(p, problems)
    return counts


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "generate":
        with_ = set()
        if len(sys.argv) == 5 and sys.argv[3] == "--with":
            with_ = {w for w in sys.argv[4].split(",") if w}
        generate(pathlib.Path(sys.argv[2]), with_)
    elif len(sys.argv) == 2 and sys.argv[1] == "check":
        problems = []
        counts = check(problems)
        for p in problems:
            print("FAIL " + p, file=sys.stderr)
        if problems:
            sys.exit(1)
        print("doc blocks: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
              + " checked; every local link resolves")
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
