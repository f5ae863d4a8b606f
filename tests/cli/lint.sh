#!/usr/bin/env bash
# redress lint: reads a file or stdin, underlines spans, prints hints and JSON,
# sets the exit status by severity, and refuses bad input.
set -euo pipefail
redress=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The seed's wrong reply: two findings, exit 1, the span underlined under the phrase.
printf '先生,这张券昨天就过期了,系统有明确说明的。\n' > "$tmp/wrong.txt"
rc=0; "$redress" lint "$tmp/wrong.txt" > "$tmp/out" || rc=$?
[ "$rc" = 1 ]
grep -q 'wrong.txt:1:9: warn order.facts_before_feelings: "就过期"' "$tmp/out"
grep -q 'wrong.txt:1:14: warn policy_speak: "系统有明确说明"' "$tmp/out"
# 先生,这张券昨天 is 8 characters, 15 columns wide (the comma is half-width): 2 + 15 spaces, then 6 carets.
grep -qx '                 ^^^^^^' "$tmp/out"
grep -q '  hint: 先接纳并说出客户的情绪' "$tmp/out"
grep -q '^2 findings; structure score 0/100' "$tmp/out"

# The seed's right reply from stdin: clean, exit 0.
printf '先生,非常理解您的心情。您别担心,我马上帮您看看有什么办法。' | "$redress" lint > "$tmp/out"
grep -q '^0 findings; structure score [0-9]*/100 (repair, feeling); language zh-Hans' "$tmp/out"

# --json and --lang: the hint follows the language asked for.
printf '這是我們的政策' | "$redress" lint - --json --lang en > "$tmp/out" || true
grep -q '"code":"policy_speak"' "$tmp/out"
grep -q '"language":"en"' "$tmp/out"
grep -q '"hint":"Do not quote the policy' "$tmp/out"

# --authority raises the limit for a refund promise.
rc=0; printf "I'll refund you 500." | "$redress" lint > "$tmp/out" || rc=$?
[ "$rc" = 1 ]; grep -q 'block promise.over_authority: "refund you 500"' "$tmp/out"
printf "I'll refund you 500." | "$redress" lint --authority 1000:CNY > "$tmp/out"

# --policy reads a JSON policy.
printf '{"disabled": ["policy_speak"]}' > "$tmp/policy.json"
printf 'This is our policy.' | "$redress" lint --policy "$tmp/policy.json" > "$tmp/out"
grep -q '^0 findings' "$tmp/out"

# A language the lint does not read is said, never passed as clean.
rc=0; printf 'Es tut mir leid, aber das ist unsere Richtlinie. Da kann ich leider nichts machen.' | "$redress" lint > "$tmp/out" || rc=$?
[ "$rc" = 1 ]; grep -q 'warn lint.unsupported_language' "$tmp/out"
grep -q 'language not covered' "$tmp/out"

# Bad input is exit 2, findings exit 1: invalid UTF-8 names the byte offset,
# and under --json the error is a JSON object on stdout as well.
rc=0; printf 'ok\377' | "$redress" lint 2> "$tmp/err" || rc=$?
[ "$rc" = 2 ]; grep -q 'invalid UTF-8 at byte 2' "$tmp/err"
rc=0; printf 'ok\377' | "$redress" lint --json > "$tmp/out" 2>/dev/null || rc=$?
[ "$rc" = 2 ]
python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; assert e["code"]=="invalid_utf8", e; assert "byte 2" in e["message"], e' "$tmp/out"
rc=0; "$redress" lint "$tmp/no-such-file" --json > "$tmp/out" 2>/dev/null || rc=$?
[ "$rc" = 2 ]; grep -q '"code":"unreadable"' "$tmp/out"
head -c 70000 /dev/zero | tr '\0' 'a' > "$tmp/long.txt"
rc=0; "$redress" lint "$tmp/long.txt" 2>/dev/null >/dev/null || rc=$?
[ "$rc" = 2 ]
# --fail-on chooses the severity that fails: an info finding alone passes by
# default and fails at --fail-on info; a warn passes at --fail-on block.
printf '我很抱歉,我向您道歉。' | "$redress" lint > "$tmp/out"
grep -q 'info apology.weak' "$tmp/out"
rc=0; printf '我很抱歉,我向您道歉。' | "$redress" lint --fail-on info > /dev/null || rc=$?
[ "$rc" = 1 ]
printf 'This is our policy.' | "$redress" lint --fail-on block > /dev/null
rc=0; printf 'This is our policy.' | "$redress" lint --fail-on sometimes > /dev/null 2>&1 || rc=$?
[ "$rc" = 2 ]
rc=0; "$redress" lint --lang xx < /dev/null 2>/dev/null || rc=$?
[ "$rc" = 2 ]
rc=0; "$redress" lint --bogus < /dev/null 2>/dev/null || rc=$?
[ "$rc" = 2 ]
"$redress" lint --help | grep -q '^usage: redress lint'
