#!/usr/bin/env bash
# expect_exit.sh CODE PATTERN -- COMMAND...
# Runs COMMAND and fails unless it exits with CODE and its output (stdout and
# stderr) matches the extended regular expression PATTERN.
set -u
expected=$1; pattern=$2; shift 3
output=$("$@" 2>&1); code=$?
echo "$output"
if [[ $code -ne $expected ]]; then echo "FAIL: exit code $code, expected $expected"; exit 1; fi
if ! grep -Eq -- "$pattern" <<<"$output"; then echo "FAIL: output does not match /$pattern/"; exit 1; fi
echo "ok: exit $code and output matches /$pattern/"
