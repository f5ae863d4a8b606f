#!/usr/bin/env bash
# The CLI lists its commands, prints its version, and rejects unknown commands.
set -euo pipefail
redress=$1
"$redress" --help | grep -q '^usage: redress'
"$redress" version | grep -Eq '^redress [0-9]+\.[0-9]+\.[0-9]+$'
if "$redress" no-such-command 2>/dev/null; then echo "unknown command accepted" >&2; exit 1; fi
rc=0; "$redress" no-such-command 2>/dev/null || rc=$?
[ "$rc" = 2 ]
