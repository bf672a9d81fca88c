#!/usr/bin/env bash
# One Wine run of fbmon.exe, named by $1. Environment (set by CMakeLists.txt):
#   FBMON    fbmon.exe          FIXTURE  fb_wine_fixture (native)   HOLD_FILE  hold_file.exe
#   WINEPREFIX, WINEDEBUG=-all  SAMPLES  folder that keeps each case's output (for docs/usage.md)
# Each case works in its own C:\fbtest\<case> so cases can run in parallel.
set -u
name=$1
dir_win="C:\\fbtest\\$name"
dir="$WINEPREFIX/drive_c/fbtest/$name"
rm -rf "$dir" && mkdir -p "$dir" "$SAMPLES"
file="$dir/a.txt"
file_win="$dir_win\\a.txt"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# fbmon runs in an empty scratch directory: nothing may appear there (a stream name taken as
# a relative file name would).
cwd="$WINEPREFIX/drive_c/fbtest/$name.cwd"
rm -rf "$cwd" && mkdir -p "$cwd"

# Runs fbmon with the given arguments; sets rc, out, err and keeps a sample transcript.
fbmon() {
  out=$(cd "$cwd" && wine "$FBMON" "$@" 2>"$dir/stderr.txt"); rc=$?
  [ -z "$(ls -A "$cwd")" ] || fail "fbmon $* left files in its working directory: $(ls -A "$cwd")"
  err=$(cat "$dir/stderr.txt")
  { printf '> fbmon'; printf ' %s' "$@"; printf '\n'; [ -n "$out" ] && printf '%s\n' "$out"
    [ -n "$err" ] && printf '%s\n' "$err"; printf '(exit %s)\n\n' "$rc"; } | tr -d '\r' >>"$SAMPLES/$name.txt"
  out=$(printf '%s' "$out" | tr -d '\r'); err=$(printf '%s' "$err" | tr -d '\r')
}
expect_rc() { [ "$rc" = "$1" ] || fail "exit status $rc, expected $1 (stdout: $out) (stderr: $err)"; }
expect_in() { case "$2" in *"$1"*) ;; *) fail "expected '$1' in: $2" ;; esac; }
expect_one_line() { [ "$(printf '%s\n' "$1" | wc -l)" = 1 ] || fail "expected one line, got: $1"; }
fixture() { "$FIXTURE" "$@" || fail "fixture $*"; }

: >"$SAMPLES/$name.txt"
case "$name" in
  help)
    fbmon --help; expect_rc 0; expect_in "usage: fbmon" "$out"
    for c in watch stats config list restore; do fbmon "$c" --help; expect_rc 0; expect_in "usage: fbmon $c" "$out"; done
    fbmon frobnicate; expect_rc 2; expect_in "unknown command 'frobnicate'" "$err"
    ;;
  watch-no-driver|stats-no-driver)
    fbmon "${name%%-*}"
    [ "$rc" != 0 ] || fail "exit status 0 without a driver"
    expect_one_line "$err"
    expect_in '\FileBackupPort' "$err"
    expect_in 'HRESULT 0x80004001' "$err"   # Wine: FilterConnectCommunicationPort is E_NOTIMPL
    ;;
  config-show)
    fbmon config show; expect_rc 0; expect_in "MaxVersions" "$out"
    fbmon config set MaxVersions 12; expect_rc 2; expect_in "MaxVersions must be 1 .. 9; got '12' (see \`fbmon config --help\`)" "$err"
    ;;
  config-edit)
    # Wine's registry is writable; its port is not there, so the reload is reported as failed.
    # The prefix is shared: start from no Parameters key and leave none behind.
    params='HKLM\SYSTEM\CurrentControlSet\Services\FileBackup\Parameters'
    reset_params() { (cd "$cwd" && wine reg delete "$params" /f >/dev/null 2>&1); }
    reset_params
    fbmon config add-folder 'c:/Users/me/Documents/'; expect_rc 3
    expect_in 'ProtectedFolders = C:\Users\me\Documents' "$out"; expect_in 'HRESULT 0x80004001' "$err"
    fbmon config add-folder 'C:\USERS\ME\DOCUMENTS'; expect_rc 0; expect_in "already protected" "$out"
    fbmon config add-folder '\\server\share'; expect_rc 2; expect_in "local drive paths" "$err"
    fbmon config set MaxVersions 3; expect_rc 3
    fbmon config set IncludeExtensions 'DOCX; .xlsx'; expect_rc 3
    fbmon config show; expect_rc 0
    expect_in 'C:\Users\me\Documents' "$out"; expect_in "MaxVersions         3" "$out"
    expect_in ".docx; .xlsx" "$out"
    fbmon config remove-folder 'C:\Users\me\Documents'; expect_rc 3
    fbmon config show; expect_rc 0; expect_in "ProtectedFolders    (empty)" "$out"
    reset_params
    ;;
  config-schema)
    # One parser: what `reg add` stores is judged as the driver judges it; refused edits keep
    # the value that was there.
    params='HKLM\SYSTEM\CurrentControlSet\Services\FileBackup\Parameters'
    reg_() { (cd "$cwd" && wine reg "$@" >/dev/null 2>&1) || fail "wine reg $*"; }
    (cd "$cwd" && wine reg delete "$params" /f >/dev/null 2>&1)
    reg_ add "$params" /v MaxFileSize /t REG_DWORD /d 1048576 /f
    reg_ add "$params" /v MaxVersions /t REG_DWORD /d 0 /f
    reg_ add "$params" /v IncludeExtensions /t REG_MULTI_SZ /d '.doc*\0.docx' /f
    fbmon config show; expect_rc 0
    expect_in "MaxFileSize         1048576 bytes (1.00 MiB)" "$out"
    case "$err" in *"wrong registry type"*) fail "REG_DWORD MaxFileSize called the wrong type: $err" ;; esac
    expect_in "MaxVersions         ignored: REG_DWORD 0, out of range" "$out"
    expect_in "deletes no versions" "$out"
    expect_in "IncludeExtensions   .docx" "$out"
    expect_in "ignored: item 1 '.doc*' has a wildcard" "$out"
    fbmon config show --json; expect_rc 0
    expect_in '{"name":"MaxFileSize","set":true,"valid":true,"value":1048576}' "$out"
    expect_in '{"name":"MaxVersions","set":true,"valid":false,"value":1,' "$out"
    fbmon config set IncludeExtensions 'doc*'; expect_rc 2
    expect_one_line "$err"
    expect_in "IncludeExtensions: 'doc*' has a wildcard; entries are matched exactly, list each one (see \`fbmon config --help\`)" "$err"
    fbmon config set ExcludeExtensions '.tmp;~*'; expect_rc 2; expect_in "'~*' has a wildcard" "$err"
    fbmon config set IncludeExtensions 'doc;;xls'; expect_rc 2; expect_in "entry 2 is empty" "$err"
    fbmon config add-folder 'C:\Users\*'; expect_rc 2; expect_in "has a wildcard" "$err"
    fbmon config set Nonsense 1; expect_rc 2; expect_in "unknown key 'Nonsense' (see \`fbmon config --help\`)" "$err"
    case "$err" in *"(see"*"(see"*) fail "usage hint given twice: $err" ;; esac
    fbmon config show; expect_rc 0
    expect_in "IncludeExtensions   .docx" "$out"   # the refused edits left the stored value as it was
    (cd "$cwd" && wine reg delete "$params" /f >/dev/null 2>&1)
    ;;
  restore)
    fixture file "$file" "current content that is longer than the backup"
    fixture backup "$file" 1 "version one"
    fbmon restore "$file_win"; expect_rc 0; expect_in "restored" "$out"
    fixture expect "$file" "version one"                                 # content back, no stale tail
    fixture expect-backup "$file" 1 "current content that is longer than the backup"  # undo copy
    [ -e "$file:backup.tmp" ] && fail "the snapshot stream was left behind"
    fbmon restore "$file_win"; expect_rc 0                              # undo
    fixture expect "$file" "current content that is longer than the backup"
    ;;
  restore-version)
    fbmon config show >/dev/null
    fixture file "$file" "now"
    fixture backup "$file" 1 "v1"
    fixture backup "$file" 2 "v2 older"
    fbmon restore "$file_win" --version 2 --dry-run; expect_rc 0; expect_in "would write" "$out"
    fixture expect "$file" "now"
    fbmon restore "$file_win" --version 2; expect_rc 0
    fixture expect "$file" "v2 older"
    fixture expect-backup "$file" 1 "now"        # the undo copy
    fixture expect-backup "$file" 2 "v1"         # a restore drops no backup, whatever MaxVersions says
    fixture expect-backup "$file" 3 "v2 older"
    ;;
  restore-to)
    fixture file "$file" "now"
    fixture backup "$file" 1 "v1"
    fixture file "$dir/out.txt" "a longer file that must be cut to the backup's length"
    fbmon restore "$file_win" --to "$dir_win\\out.txt"; expect_rc 0
    fixture expect "$dir/out.txt" "v1"
    fixture expect "$file" "now"
    fixture expect-backup "$file" 1 "v1"
    ;;
  restore-corrupt)
    fixture file "$file" "now"
    fixture backup "$file" 1 "version one"
    fixture corrupt "$file" 1
    fbmon restore "$file_win"; expect_rc 5
    expect_one_line "$err"; expect_in "backup is corrupt, refusing to restore it" "$err"
    fixture expect "$file" "now"
    [ -e "$file:backup.tmp" ] && fail "a refused restore left a snapshot"
    rm -f "$file:backup.meta"
    fbmon restore "$file_win"; expect_rc 5; expect_in "backup is incomplete" "$err"
    fbmon restore "$dir_win\\none.txt"; expect_rc 1; expect_in "file not found" "$err"
    fixture file "$dir/b.txt" "never backed up"
    fbmon restore "$dir_win\\b.txt"; expect_rc 5; expect_in "no backup yet" "$err"
    ;;
  restore-in-use)
    # Another program holds the file. Without sharing: refused, nothing changed. With sharing
    # (as editors that keep a file open do): restored.
    [ -f "$HOLD_FILE" ] || { echo "FAIL: $HOLD_FILE missing (needs x86_64-w64-mingw32-g++)"; exit 1; }
    fixture file "$file" "now"
    fixture backup "$file" 1 "v1"
    hold() {  # starts hold_file.exe in the background and waits until it holds the file
      (cd "$cwd" && exec wine "$HOLD_FILE" "$file_win" "$1" 20) >"$dir/hold.out" 2>&1 &
      holder=$!
      for _ in $(seq 1 100); do grep -q holding "$dir/hold.out" 2>/dev/null && return 0; sleep 0.1; done
      fail "hold_file.exe did not start: $(cat "$dir/hold.out")"
    }
    release() { kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null; }
    hold exclusive
    fbmon restore "$file_win"; expect_rc 6
    expect_one_line "$err"; expect_in "file in use by another program" "$err"
    release
    fixture expect "$file" "now"
    fixture expect-backup "$file" 1 "v1"
    [ -e "$file:backup.tmp" ] && fail "a refused restore left a snapshot"
    hold shared
    fbmon restore "$file_win"; expect_rc 0
    release
    fixture expect "$file" "v1"
    fixture expect-backup "$file" 1 "now"
    ;;
  list)
    fixture file "$file" "now"
    fixture backup "$file" 1 "version one" 4312
    fixture backup "$file" 2 "version two" 1200
    fixture corrupt "$file" 2
    fbmon list "$file_win"; expect_rc 0
    expect_in "slot  time" "$out"
    expect_in "4312  ok" "$out"
    expect_in "1200  bad (data: content hash mismatch)" "$out"
    fbmon list "$dir_win"; expect_rc 0; expect_in "a.txt" "$out"
    ;;
  *)
    fail "unknown case $name"
    ;;
esac
[ "$failures" = 0 ] && echo "PASS: $name" || exit 1
