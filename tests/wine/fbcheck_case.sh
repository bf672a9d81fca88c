#!/usr/bin/env bash
# fbcheck.exe (as shipped in dist/) under Wine, in a fresh temp folder. Wine keeps `a.txt:s` as a
# plain file and has no Filter Manager, so several facts must FAIL and every story must be
# skipped; the run must reach its summary line with exit status 1 (any failure), one line per
# fact and story, and counts that match the lines. Environment: FBCHECK, WINEPREFIX, SAMPLES.
set -u
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
[ -f "$FBCHECK" ] || { echo "FAIL: $FBCHECK missing: run ./build.sh (fb_dist) first"; exit 1; }

work="$WINEPREFIX/drive_c/fbcheck-case"
rm -rf "$work" && mkdir -p "$work" "$SAMPLES"
out=$(cd "$work" && wine "$FBCHECK" 2>"$work.stderr"); rc=$?
out=$(printf '%s' "$out" | tr -d '\r')
printf '> fbcheck\n%s\n(exit %s)\n' "$out" "$rc" >"$SAMPLES/fbcheck.txt"
echo "$out"

[ "$rc" = 1 ] || fail "exit status $rc, expected 1 (facts Wine does not honour fail); stderr: $(cat "$work.stderr")"
summary=$(printf '%s\n' "$out" | tail -n 1)
if [[ "$summary" =~ ^fbcheck:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
  passed=${BASH_REMATCH[1]}; failed=${BASH_REMATCH[2]}; skipped=${BASH_REMATCH[3]}
  [ "$passed" = "$(printf '%s\n' "$out" | grep -c '^PASS ')" ] || fail "summary's passed count does not match the PASS lines"
  [ "$failed" = "$(printf '%s\n' "$out" | grep -c '^FAIL ')" ] || fail "summary's failed count does not match the FAIL lines"
  [ "$skipped" = "$(printf '%s\n' "$out" | grep -c '^SKIP ')" ] || fail "summary's skipped count does not match the SKIP lines"
  [ "$failed" -ge 1 ] || fail "no fact failed under Wine, whose streams are plain files"
else
  fail "no summary line at the end (crashed?): last line '$summary'"
fi
for id in N1 N2 N3 N4 N5 N6 N7 N8 N9 N10 N11 N12 N13 S1 S2 S3 S4 S5 S7 S8 DEL; do
  n=$(printf '%s\n' "$out" | grep -cE "^(PASS|FAIL|SKIP) $id ")
  [ "$n" = 1 ] || fail "$n lines for $id, expected 1"
done
for id in N12 N13 S1 S2 S3 S4 S5 S7 S8 DEL; do
  printf '%s\n' "$out" | grep -qE "^SKIP $id " || fail "$id is not SKIP"
done
printf '%s\n' "$out" | grep -qE '^FAIL N1 ' || fail "N1 passed, but Wine does not delete a.txt:s on CREATE_ALWAYS"
printf '%s\n' "$out" | grep -q '^fbcheck: stories skipped: .*\\FileBackupPort' || fail "no line saying why the stories were skipped"
# The scratch folder is made in the current folder and holds the facts' files.
ls -d "$work"/fbcheck-*/facts >/dev/null 2>&1 || fail "no scratch folder fbcheck-*/facts in the current folder"

# The command line.
(cd "$work" && wine "$FBCHECK" --help >"$work.help" 2>&1); rc=$?
[ "$rc" = 0 ] || fail "--help: exit status $rc"
grep -q 'usage: fbcheck' "$work.help" || fail "--help does not print the usage"
(cd "$work" && wine "$FBCHECK" --frobnicate >/dev/null 2>&1); rc=$?
[ "$rc" = 2 ] || fail "an unknown option: exit status $rc, expected 2"
(cd "$work" && wine "$FBCHECK" 'C:\no\such\folder' >/dev/null 2>&1); rc=$?
[ "$rc" = 3 ] || fail "a missing folder: exit status $rc, expected 3"
(cd "$work" && wine "$FBCHECK" --facts-only >"$work.facts" 2>&1); rc=$?
[ "$rc" = 1 ] || fail "--facts-only: exit status $rc, expected 1"
grep -q '^SKIP S1 .*--facts-only' <(tr -d '\r' <"$work.facts") || fail "--facts-only did not skip the stories"

[ "$failures" = 0 ] && echo "PASS: fbcheck" || exit 1
