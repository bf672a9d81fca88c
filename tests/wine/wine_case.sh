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
    expect_in "exit status: 0 done" "$out"; expect_in "6 file in use" "$out"
    for c in status watch stats config list usage restore prune deleted; do
      fbmon "$c" --help; expect_rc 0; expect_in "usage: fbmon $c" "$out"; expect_in "exit status: 0 done" "$out"
    done
    fbmon frobnicate; expect_rc 2; expect_in "unknown command 'frobnicate' (see \`fbmon --help\`)" "$err"
    fbmon restore; expect_rc 2; expect_one_line "$err"
    expect_in "restore needs a FILE (see \`fbmon restore --help\`)" "$err"
    fbmon prune "$file_win"; expect_rc 2; expect_in "prune needs --keep N, --older-than DAYS or --all" "$err"
    ;;
  no-command)
    # `fbmon` alone: the summary on stdout, no error line, exit status 2.
    fbmon; expect_rc 2
    expect_in "usage: fbmon <command>" "$out"; expect_in "exit status:" "$out"
    [ -z "$err" ] || fail "fbmon alone wrote to stderr: $err"
    ;;
  status)
    # No driver under Wine: status still answers what it can, exit 0; then a registered service.
    (cd "$cwd" && wine sc delete FileBackup >/dev/null 2>&1)
    fbmon status; expect_rc 0
    expect_in "service               not installed" "$out"
    expect_in "driver                not reachable: filter communication ports are not available here" "$out"
    expect_in "event queue           unknown" "$out"
    fbmon status --json; expect_rc 0
    expect_in '{"service":{"known":true,"installed":false},"driver":{"loaded":false,"fbmon_protocol":' "$out"
    expect_one_line "$out"
    (cd "$cwd" && wine sc create FileBackup type= kernel start= demand binpath= 'C:\windows\system32\drivers\FileBackup.sys' >/dev/null 2>&1) || fail "sc create"
    fbmon status; expect_rc 0
    expect_in "service               installed, start demand (manual), stopped" "$out"
    fbmon status --json; expect_rc 0
    expect_in '"installed":true,"start_type":3,"start":"demand (manual)","running":false' "$out"
    (cd "$cwd" && wine sc delete FileBackup >/dev/null 2>&1)
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
  restore-to-existing)
    # An existing OUT keeps its content as its own backup 1; restore OUT undoes; FILE untouched.
    fixture file "$file" "now"
    fixture backup "$file" 1 "v1"
    fixture file "$dir/out.txt" "the other file's own, longer content"
    fbmon restore "$file_win" --to "$dir_win\\out.txt" --dry-run; expect_rc 0
    expect_in "would copy the current content of $dir_win\\out.txt to $dir_win\\out.txt:backup.tmp (the undo copy)" "$out"
    fixture expect "$dir/out.txt" "the other file's own, longer content"
    fbmon restore "$file_win" --to "$dir_win\\out.txt"; expect_rc 0
    expect_in "its previous content is now its backup 1" "$out"
    fixture expect "$dir/out.txt" "v1"
    fixture expect-backup "$dir/out.txt" 1 "the other file's own, longer content"
    fixture expect "$file" "now"
    fixture expect-backup "$file" 1 "v1"
    [ -e "$file:backup.2" ] && fail "the source file got a backup"
    fbmon restore "$dir_win\\out.txt"; expect_rc 0
    fixture expect "$dir/out.txt" "the other file's own, longer content"
    ;;
  restore-to-refused)
    # --to the file itself or one of its streams: refused before anything changes.
    fixture file "$file" "now"
    fixture backup "$file" 1 "v1"
    fixture backup "$file" 2 "v2"
    for target in "$file_win" "$dir_win\\A.TXT" "$file_win:backup" "$file_win:backup.2" "$file_win:backup.meta" "$file_win::\$DATA"; do
      fbmon restore "$file_win" --version 2 --to "$target"; expect_rc 2; expect_one_line "$err"
      case "$err" in *"(see"*"(see"*) fail "usage hint given twice: $err" ;; esac
      fixture expect "$file" "now"; fixture expect-backup "$file" 1 "v1"; fixture expect-backup "$file" 2 "v2"
    done
    fbmon restore "$file_win" --to "$file_win"; expect_in "is the file itself; to put a backup back into it, run \`fbmon restore $file_win\`" "$err"
    fbmon restore "$file_win" --to "$file_win:backup"; expect_in "names a stream (a backup, its metadata or another stream), which restore never writes" "$err"
    ;;
  restore-messages)
    # One line each, saying what went wrong and the fix; never the port's advice for a file.
    fixture file "$file" "now"
    fixture backup "$file" 1 "v1"
    fixture backup "$file" 2 "v2"
    no_port_advice() { case "$err" in *"administrators and SYSTEM"*) fail "port advice for a file: $err" ;; esac; }
    fbmon restore "$dir_win"; expect_rc 1; expect_one_line "$err"; no_port_advice
    expect_in "$dir_win is a folder; give a file (\`fbmon list $dir_win\` shows the files in it with backups)" "$err"
    mkdir -p "$dir/folder"
    fbmon restore "$file_win" --to "$dir_win\\folder"; expect_rc 1; no_port_advice
    expect_in "$dir_win\\folder is a folder; --to needs a file name" "$err"
    fixture file "$dir/ro.txt" "read-only content"; chmod a-w "$dir/ro.txt"
    fbmon restore "$file_win" --to "$dir_win\\ro.txt"; expect_rc 1; no_port_advice
    expect_in "$dir_win\\ro.txt is read-only (the --to destination); clear the attribute with \`attrib -r" "$err"
    fixture expect "$dir/ro.txt" "read-only content"
    chmod a-w "$file"
    fbmon restore "$file_win"; expect_rc 1; expect_in "$file_win is read-only; clear the attribute" "$err"; no_port_advice
    chmod u+w "$file"; fixture expect "$file" "now"
    fbmon restore "$file_win" --to "$dir_win\\nope\\out.txt"; expect_rc 1; expect_one_line "$err"
    expect_in "folder not found: $dir_win\\nope; the --to destination's folder does not exist; create it first" "$err"
    case "$err" in *"file not found"*) fail "a missing folder reported as a missing file: $err" ;; esac
    fbmon restore "$file_win" --version 4; expect_rc 5; expect_one_line "$err"
    expect_in "$file_win has no backup 4 (backups present: 1, 2); pick one of those with --version N" "$err"
    case "$err" in *"no backup yet"*) fail "no backup yet for a missing version: $err" ;; esac
    rm -f "$file:backup.2"
    fbmon restore "$file_win" --version 2; expect_rc 5
    expect_in "backup is incomplete, refusing to restore it: $file_win:backup.2 (its data stream is missing; only its metadata is left)" "$err"
    fbmon restore "$dir_win\\none.txt"; expect_rc 1; expect_in "file not found: $dir_win\\none.txt (error 0x00000002); check the name" "$err"
    fbmon restore "$dir_win\\nofolder\\deeper\\none.txt"; expect_rc 1
    expect_in "folder not found: $dir_win\\nofolder (error 0x00000003); it holds $dir_win\\nofolder\\deeper\\none.txt; check the path" "$err"
    fbmon restore "$file_win" --version 1 --dry-run; expect_rc 0
    expect_in "backup 1 of $file_win (undo with \`fbmon restore $file_win\`); its 1 backup moves down one slot, none is dropped (MaxVersions 1 applies again at the driver's next backup of it)" "$out"
    fixture expect "$file" "now"
    ;;
  restore-dry-run-in-use)
    # A dry run refuses a file in use as the real run does: no "would ..." for what cannot happen.
    [ -f "$HOLD_FILE" ] || { echo "FAIL: $HOLD_FILE missing (needs x86_64-w64-mingw32-g++)"; exit 1; }
    fixture file "$file" "now"
    fixture backup "$file" 1 "v1"
    (cd "$cwd" && exec wine "$HOLD_FILE" "$file_win" exclusive 20) >"$dir/hold.out" 2>&1 &
    holder=$!
    for _ in $(seq 1 100); do grep -q holding "$dir/hold.out" 2>/dev/null && break; sleep 0.1; done
    fbmon restore "$file_win" --dry-run; expect_rc 6
    expect_in "file in use by another program" "$err"
    case "$out" in *would*) fail "dry run said 'would' for a file in use: $out" ;; esac
    kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
    fixture expect "$file" "now"
    ;;
  list-recurse)
    mkdir -p "$dir/sub/deeper"
    fixture file "$dir/sub/deeper/b.txt" "bee"
    fixture backup "$dir/sub/deeper/b.txt" 1 "old bee"
    fixture file "$file" "now"
    fixture backup "$file" 1 "v1"
    fbmon list "$dir_win"; expect_rc 0
    expect_in "$file_win" "$out"
    case "$out" in *b.txt*) fail "list without --recurse went into subfolders" ;; esac
    fbmon list "$dir_win" --recurse; expect_rc 0
    expect_in "$dir_win\\sub\\deeper\\b.txt" "$out"; expect_in "$file_win" "$out"
    fbmon list "$dir_win\\sub"; expect_rc 0; expect_in "has a backup (--recurse looks in subfolders too)" "$out"
    fbmon list "$dir_win" --recurse --json; expect_rc 0
    expect_in '{"file":"C:\\fbtest\\list-recurse\\a.txt","slots":[{"slot":1,"time":"2026-11-21T' "$out"
    expect_in '"size":2,"ok":true}]}' "$out"
    # A drive root: one separator between the root and the name.
    root="$WINEPREFIX/drive_c/fbtest-root-$$.txt"
    fixture file "$root" "root"; fixture backup "$root" 1 "old root"
    fbmon list 'C:\'; expect_rc 0
    expect_in "C:\\fbtest-root-$$.txt" "$out"
    case "$out" in *'C:\\fbtest-root'*) fail "doubled separator after the root: $out" ;; esac
    rm -f "$root" "$root":backup*
    ;;
  usage)
    mkdir -p "$dir/sub"
    fixture file "$file" "now"
    fixture backup "$file" 1 "a small one"
    fixture file "$dir/sub/big.txt" "big"
    fixture backup "$dir/sub/big.txt" 1 "a much larger backup than the other one"
    fixture backup "$dir/sub/big.txt" 2 "and another"
    fbmon usage "$dir_win"; expect_rc 0
    expect_in "        2  146 B       $dir_win\\sub\\big.txt" "$out"
    expect_in "        1  59 B        $file_win" "$out"
    expect_in "2 files under $dir_win hold 3 backups in 205 B (205 bytes)" "$out"
    big_line=$(printf '%s\n' "$out" | grep -n big.txt | cut -d: -f1); small_line=$(printf '%s\n' "$out" | grep -n 'a.txt' | cut -d: -f1)
    [ "$big_line" -lt "$small_line" ] || fail "usage is not largest first: $out"
    fbmon usage "$dir_win" --json; expect_rc 0
    expect_in '{"file":"C:\\fbtest\\usage\\sub\\big.txt","backups":2,"bytes":146}' "$out"
    expect_in '{"total":{"folder":"C:\\fbtest\\usage","files":2,"backups":3,"bytes":205}}' "$out"
    fbmon usage "$file_win"; expect_rc 2; expect_in "usage takes a FOLDER" "$err"
    ;;
  prune)
    # What survives: the file's own content always; the kept backups, renumbered newest-first.
    fixture file "$file" "the file's own content"
    fixture backup-aged "$file" 1 "one day old" 1
    fixture backup-aged "$file" 2 "forty days old" 40
    fixture backup-aged "$file" 3 "three days old" 3
    fbmon prune "$file_win" --older-than 30 --dry-run; expect_rc 0
    expect_in "would delete $file_win:backup.2 and its metadata" "$out"
    expect_in "would renumber the 2 kept backups of $file_win as 1..2, newest first" "$out"
    fixture expect-backup "$file" 2 "forty days old"
    fbmon prune "$file_win" --older-than 30; expect_rc 0
    expect_in "deleted 1 backup of 1 file" "$out"
    fixture expect "$file" "the file's own content"
    fixture expect-backup "$file" 1 "one day old"
    fixture expect-backup "$file" 2 "three days old"          # slot 3 renumbered to 2
    [ -e "$file:backup.3" ] || [ -e "$file:backup.3.meta" ] && fail "slot 3 left after renumbering"
    fbmon prune "$file_win" --keep 1; expect_rc 0
    fixture expect-backup "$file" 1 "one day old"
    [ -e "$file:backup.2" ] || [ -e "$file:backup.2.meta" ] && fail "slot 2 left after --keep 1"
    fixture expect "$file" "the file's own content"
    mkdir -p "$dir/sub"
    fixture file "$dir/sub/b.txt" "bee"; fixture backup "$dir/sub/b.txt" 1 "old bee"
    fbmon prune "$dir_win" --all; expect_rc 0
    expect_in "deleted 2 backups of 2 files" "$out"
    fixture expect "$file" "the file's own content"; fixture expect "$dir/sub/b.txt" "bee"
    [ -n "$(ls "$dir" "$dir/sub" | grep ':backup')" ] && fail "backups left after --all: $(ls "$dir" "$dir/sub")"
    fbmon prune "$file_win" --all; expect_rc 5; expect_in "no backup yet" "$err"
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
  deleted)
    # The vault as the driver leaves it (Wine has no driver): C:\$FileBackupVault\<id> with the
    # file's streams (plain files `<id>:backup` here) and its record <id>.info. Records name the
    # file as `\??\C:\...` (an NT path Wine's device table need not know).
    vault="$WINEPREFIX/drive_c/\$FileBackupVault"; rm -rf "$vault"
    fbmon deleted "$dir_win"; expect_rc 0
    expect_in "no deleted file is kept: there is no vault on C:\\ yet" "$out"
    mkdir -p "$vault"
    fixture file "$vault/00000000000000a1" "the report as it was deleted"
    fixture backup "$vault/00000000000000a1" 1 "report, an hour earlier"
    fixture backup "$vault/00000000000000a1" 2 "report, two hours earlier"
    fixture vault-record "$vault/00000000000000a1.info" '\??\C:\fbtest\deleted\report.txt' 28 2
    fixture file "$vault/00000000000000a2" "older"
    fixture vault-record "$vault/00000000000000a2.info" '\??\C:\fbtest\deleted\report.txt' 5 30
    fixture file "$vault/00000000000000a3" "elsewhere"
    fixture vault-record "$vault/00000000000000a3.info" '\??\C:\fbtest\other\x.txt' 9 1
    fixture file "$vault/00000000000000a4" "its record was cut short"
    fixture file "$vault/00000000000000a4.info" "FBV1"
    fbmon deleted "$dir_win"; expect_rc 0
    expect_in "2 deleted files kept from $dir_win, newest first" "$out"
    expect_in "2         00000000000000a1  $dir_win\\report.txt" "$out"
    expect_in "0         00000000000000a2  $dir_win\\report.txt" "$out"
    case "$out" in *x.txt*) fail "a file deleted elsewhere was listed under $dir_win" ;; esac
    expect_in "1 more kept file has no readable record" "$out"
    fbmon deleted "$dir_win" --json; expect_rc 0
    expect_in '"id":"00000000000000a1","vault_file":"C:\\$FileBackupVault\\00000000000000a1","record":"ok","file":"C:\\fbtest\\deleted\\report.txt"' "$out"
    expect_in '"pid":4312,"size_at_delete":28,"size":28,"versions":2,"still_named":false}' "$out"
    fbmon deleted; expect_rc 0
    expect_in "00000000000000a3  C:\\fbtest\\other\\x.txt" "$out"
    expect_in "? (record truncated; the file is C:\\\$FileBackupVault\\00000000000000a4)" "$out"
    fbmon restore --deleted "$dir_win\\report.txt" --dry-run; expect_rc 0
    expect_in "note: 2 deleted files were kept for $dir_win\\report.txt; restoring the newest" "$out"
    expect_in "would write the kept content to $dir_win\\report.txt and read it back" "$out"
    [ -e "$dir/report.txt" ] && fail "a dry run created the file"
    fbmon prune --deleted "$dir_win" --keep 1 --dry-run; expect_rc 0
    expect_in "would delete the kept $dir_win\\report.txt" "$out"; expect_in "(id 00000000000000a2" "$out"
    fbmon prune --deleted "$dir_win" --keep 1; expect_rc 0
    [ -e "$vault/00000000000000a2" ] || [ -e "$vault/00000000000000a2.info" ] && fail "prune left the entry"
    [ -e "$vault/00000000000000a1" ] || fail "prune took the newest"
    rm -rf "$vault"
    ;;
  restore-deleted)
    vault="$WINEPREFIX/drive_c/\$FileBackupVault"; rm -rf "$vault"; mkdir -p "$vault"
    fixture file "$vault/00000000000000b1" "the deleted content"
    fixture backup "$vault/00000000000000b1" 1 "version one"
    fixture backup "$vault/00000000000000b1" 2 "version two"
    fixture vault-record "$vault/00000000000000b1.info" '\??\C:\fbtest\restore-deleted\a.txt' 19 1
    fbmon restore --deleted "$file_win"; expect_rc 0
    expect_in "restored the deleted $file_win (19 bytes, 2 versions)" "$out"
    fixture expect "$file" "the deleted content"
    fixture expect-backup "$file" 1 "version one"
    fixture expect-backup "$file" 2 "version two"
    [ -n "$(ls -A "$vault")" ] && fail "the vault entry was left: $(ls -A "$vault")"
    fbmon restore --deleted "$file_win"; expect_rc 5
    expect_in "fbmon: not kept: $file_win is not in the vault; \`fbmon deleted\` lists the deleted files it keeps" "$err"
    # A file at the name now: its content becomes its backup 1 (and `fbmon restore` undoes).
    fixture file "$vault/00000000000000b2" "deleted again"
    fixture vault-record "$vault/00000000000000b2.info" '\??\C:\fbtest\restore-deleted\a.txt' 13 0
    fixture file "$file" "a new file at the name"
    fbmon restore --deleted "$file_win"; expect_rc 0
    expect_in "its previous content is now its backup 1" "$out"
    fixture expect "$file" "deleted again"
    fixture expect-backup "$file" 1 "a new file at the name"
    fixture expect-backup "$file" 2 "version one"
    [ -n "$(ls -A "$vault")" ] && fail "the vault entry was left: $(ls -A "$vault")"
    fbmon restore "$file_win"; expect_rc 0
    fixture expect "$file" "a new file at the name"
    rm -rf "$vault"
    ;;
  *)
    fail "unknown case $name"
    ;;
esac
[ "$failures" = 0 ] && echo "PASS: $name" || exit 1
