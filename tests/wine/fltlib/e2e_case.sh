#!/usr/bin/env bash
# fbmon.exe (the shipped dist/ copy) under Wine, talking to the shipped FileBackup.sys run by
# the host kernel (fb_e2e_host), through the test-only fltlib.dll (fltlib_loopback.cpp).
# One case per run, named by $1. Environment (set by tests/kernel/e2e/CMakeLists.txt):
#   FBMON  the shipped fbmon.exe   FLTLIB  the test fltlib.dll   HOST  fb_e2e_host
#   WINEPREFIX, WINEDEBUG=-all     SAMPLES  folder that keeps each case's transcript
# fbmon and the DLL are copied to a temporary folder inside the prefix, and only this run's
# processes get WINEDLLOVERRIDES=fltlib=n: the override never touches the other Wine cases.
# The restore cases also mount the model bridge (tests/kernel/e2e/host/model_bridge.h) at
# $work/docs, reached as drive M: (a dosdevices symlink, removed at the end): the model's
# \Users\me\Documents, where fbmon's file I/O reaches the image through the simulated Filter
# Manager. A drive of its own, because fbmon asks for the volume of the path (GetVolumePathNameW)
# and Wine refuses a Unix mount point below a drive's root (error 0x90, ERROR_DIR_NOT_ROOT).
set -u
name=$1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
mkdir -p "$SAMPLES"
sample="$SAMPLES/e2e-$name.txt"
: >"$sample"

work=$(mktemp -d "$WINEPREFIX/drive_c/fbe2e.XXXXXX")
cp "$FBMON" "$work/fbmon.exe" && cp "$FLTLIB" "$work/fltlib.dll" || { echo "FAIL: cannot stage fbmon.exe and fltlib.dll"; exit 1; }
host_pid=""; ctl_open=0; watchers=()
bridge="$work/docs"; bridge_drive="$WINEPREFIX/dosdevices/m:"; bridge_win="M:"
cleanup() {
  for p in "${watchers[@]}"; do kill "$p" 2>/dev/null; done
  [ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null
  # A bridge its host left mounted (killed): detach it before removing the folder.
  if grep -q " $bridge fuse" /proc/mounts 2>/dev/null; then umount -l "$bridge" 2>/dev/null || fusermount3 -u -z "$bridge"; fi
  [ "$(readlink "$bridge_drive" 2>/dev/null)" = "$bridge" ] && rm -f "$bridge_drive"
  rm -rf "$work"
}
trap cleanup EXIT

# --- the host driver process -----------------------------------------------------------------------
host_args=(--port-file "$work/port")
case "$name" in
  restore|restore_bites)
    # The bridge needs /dev/fuse: a fresh machine may lack the node (we run as root).
    [ -e /dev/fuse ] || mknod /dev/fuse c 10 229 2>/dev/null
    [ -r /dev/fuse ] && [ -w /dev/fuse ] || { echo "FAIL: /dev/fuse is missing and cannot be made (mknod /dev/fuse c 10 229 as root): the model bridge cannot mount"; exit 1; }
    mkdir -p "$bridge"
    [ -e "$bridge_drive" ] && { echo "FAIL: drive M: is taken in the Wine prefix ($(readlink "$bridge_drive"))"; exit 1; }
    ln -s "$bridge" "$bridge_drive"
    host_args+=(--bridge "$bridge")
    # The twin: the bridge's requests come from an ordinary application, not from fbmon.
    [ "$name" = restore_bites ] && host_args+=(--bridge-process application)
    ;;
esac
"$HOST" "${host_args[@]}" 2>"$work/host.log" &
host_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { echo "FAIL: fb_e2e_host did not start: $(tr '\n' ' ' <"$work/host.log")"; exit 1; }
export FB_FLTLIB_PORT=$(cat "$work/port")
exec 3<>"/dev/tcp/127.0.0.1/$FB_FLTLIB_PORT" || { echo "FAIL: no control connection"; exit 1; }
printf 'CONTROL\n' >&3
# host COMMAND...: one command, its answer must start with "ok".
host() {
  printf '%s\n' "$*" >&3
  local reply=""
  IFS= read -r -t 30 reply <&3 || reply="(no answer)"
  printf '# host: %s -> %s\n' "$*" "$reply" >>"$sample"
  case "$reply" in ok*) ;; *) fail "host $*: $reply" ;; esac
}

run_fbmon() {  # a command to completion: rc, out, err
  out=$(cd "$work" && WINEDLLOVERRIDES="fltlib=n;mscoree,mshtml=" wine ./fbmon.exe "$@" 2>"$work/stderr.txt"); rc=$?
  err=$(tr -d '\r' <"$work/stderr.txt"); out=$(printf '%s' "$out" | tr -d '\r')
  { printf '> fbmon'; printf ' %s' "$@"; printf '\n'; [ -n "$out" ] && printf '%s\n' "$out"
    [ -n "$err" ] && printf '%s\n' "$err"; printf '(exit %s)\n\n' "$rc"; } >>"$sample"
}
start_watch() {  # fbmon watch ARGS in the background, its output in $work/watch<N>.out/.err
  local n=${#watchers[@]}
  (cd "$work" && WINEDLLOVERRIDES="fltlib=n;mscoree,mshtml=" exec wine ./fbmon.exe watch "$@" \
     >"$work/watch$n.out" 2>"$work/watch$n.err") &
  watchers+=($!)
  watch_out="$work/watch$n.out"; watch_err="$work/watch$n.err"
}
wait_for() {  # FILE PATTERN [seconds]: until grep finds it
  local i
  for i in $(seq $((${3:-20} * 10))); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  fail "waited for '$2' in $(basename "$1"): $(tr -d '\r' <"$1" 2>/dev/null | tail -5)"
  return 1
}
expect_in() { case "$2" in *"$1"*) ;; *) fail "expected '$1' in: $2" ;; esac; }
keep_watch() {  # the watcher's transcript into the sample
  { printf '> fbmon watch %s\n' "$1"; tr -d '\r' <"$watch_out"; tr -d '\r' <"$watch_err"; printf '\n'; } >>"$sample"
}
connected() {  # until the host has admitted a watcher
  wait_for "$work/host.log" "connect from process .*: status 0" 30
}

case "$name" in
  watch)
    start_watch; connected
    host story S1; host story S4; host story S5; host story fail
    wait_for "$watch_out" 'big.bin'
    sleep 0.5
    lines=$(tr -d '\r' <"$watch_out")
    keep_watch ""
    [ "$(printf '%s\n' "$lines" | grep -c .)" = 4 ] || fail "expected 4 event lines, got: $lines"
    l1=$(printf '%s\n' "$lines" | sed -n 1p); l2=$(printf '%s\n' "$lines" | sed -n 2p)
    l3=$(printf '%s\n' "$lines" | sed -n 3p); l4=$(printf '%s\n' "$lines" | sed -n 4p)
    expect_in 'report.docx' "$l1"; expect_in 'backed up' "$l1"; expect_in 'write' "$l1"
    expect_in 'notes.txt' "$l2"; expect_in 'overwrite' "$l2"
    expect_in 'thesis.docx' "$l3"; expect_in 'rename-over' "$l3"
    expect_in 'big.bin' "$l4"; expect_in 'FAILED' "$l4"
    ;;
  watch-json)
    start_watch --json; connected
    host story S1; host story fail
    wait_for "$watch_out" 'big.bin'
    sleep 0.5
    lines=$(tr -d '\r' <"$watch_out")
    keep_watch --json
    [ "$(printf '%s\n' "$lines" | grep -c .)" = 2 ] || fail "expected 2 JSON lines, got: $lines"
    l1=$(printf '%s\n' "$lines" | sed -n 1p); l2=$(printf '%s\n' "$lines" | sed -n 2p)
    expect_in '"trigger":"write"' "$l1"; expect_in 'report.docx' "$l1"; expect_in '"file_size":9' "$l1"; expect_in '"outcome":"backed-up"' "$l1"
    expect_in 'big.bin' "$l2"; expect_in '"outcome":"failed"' "$l2"
    ;;
  gap)
    # Events nobody received (no watcher connected) are reported as a gap to the next watcher.
    host story S1; host story edit; host story edit
    start_watch; connected
    host story S4
    wait_for "$watch_out" 'notes.txt'
    sleep 0.5
    keep_watch ""
    lines=$(tr -d '\r' <"$watch_out")
    expect_in 'events dropped' "$lines"
    ;;
  second-watcher)
    start_watch; connected
    run_fbmon watch
    [ "$rc" != 0 ] || fail "a second watcher was admitted (exit 0)"
    expect_in '\FileBackupPort' "$err"
    expect_in '0x800704D6' "$err"   # HRESULT_FROM_WIN32(ERROR_CONNECTION_COUNT_LIMIT)
    expect_in 'one watcher at a time' "$err"
    host story S1   # the first watcher is unaffected
    wait_for "$watch_out" 'report.docx'
    keep_watch ""
    ;;
  reload)
    start_watch; connected
    host story S1
    wait_for "$watch_out" 'report.docx'
    host unload
    wait_for "$watch_err" 'lost'
    host load
    wait_for "$watch_err" 'reconnected' 30
    host story S4
    wait_for "$watch_out" 'notes.txt'
    keep_watch ""
    ;;
  stats)
    # Known sequence, no watcher: 3 backups (9 + 5 + 12 bytes), 1 failure (disk full), and the
    # 4 events nobody took; the default rules (documents, pictures).
    host story S1; host story S4; host story S5; host story fail
    run_fbmon stats
    [ "$rc" = 0 ] || fail "fbmon stats exit $rc: $err"
    stat() { printf '%s\n' "$out" | grep -E "^ +$1 " | awk '{print $NF}' | head -1; }
    for pair in "backups 3" "skipped 0" "failed 1" "disk 1" "tracked 0"; do
      set -- $pair
      [ "$(printf '%s\n' "$out" | grep -E "^ +$1 " | head -1 | awk '{print $NF}')" = "$2" ] || fail "stats: $1 is not $2"
    done
    expect_in 'bytes copied               26 (26 B)' "$out"
    expect_in 'events dropped             4' "$out"
    expect_in 'rules loaded               2' "$out"
    ;;
  config)
    # fbmon config writes Wine's registry and asks the driver (over the port) to reload. The
    # host's simulated registry gets the value fbmon wrote, read back from Wine's registry.
    params='HKLM\SYSTEM\CurrentControlSet\Services\FileBackup\Parameters'
    (cd "$work" && wine reg delete "$params" /f >/dev/null 2>&1)
    start_watch; connected
    host story S1
    wait_for "$watch_out" 'backed up'
    run_fbmon config set Enabled 0
    value=$(cd "$work" && wine reg query "$params" /v Enabled 2>/dev/null | tr -d '\r' | awk '/Enabled/ {print $NF}')
    [ -n "$value" ] || fail "fbmon config set left no Enabled value in Wine's registry"
    host set Enabled dword $((value))
    # The reload fbmon asked for ran before the host had the value: ask again, as fbmon does.
    run_fbmon config set Enabled 0
    [ "$rc" = 0 ] || fail "fbmon config set Enabled 0 (with the driver there): exit $rc: $err"
    host story S1
    wait_for "$watch_out" 'disabled'
    keep_watch ""
    (cd "$work" && wine reg delete "$params" /f >/dev/null 2>&1)
    ;;
  restore|restore_bites)
    # A document the image protects (the model's Documents, the default rules): an application
    # saves version 2 over version 1 (one backup, slot 1 = version 1). fbmon restore, through the
    # bridge, puts version 1 back and keeps version 2 as its undo copy in slot 1 (restore_plan.h:
    # snapshot, write, promote; the earlier slot 1 moves to slot 2). The image must not back up
    # fbmon's own writes: the watcher sees the application's backup and nothing after it.
    start_watch --json; connected
    host story restore-doc
    wait_for "$watch_out" 'doc.txt'
    [ -f "$bridge/doc.txt" ] || fail "the bridge does not show doc.txt: $(ls -A "$bridge" 2>&1)"
    run_fbmon restore "$bridge_win\\doc.txt"
    [ "$rc" = 0 ] || fail "fbmon restore exit $rc: $err"
    expect_in 'restored' "$out"
    host expect doc.txt - version 1
    host expect doc.txt backup version 2
    host expect doc.txt backup.2 version 1
    host expect doc.txt backup.tmp '<missing>'
    host streams doc.txt
    expect_in 'BACKUP BACKUP.2 BACKUP.2.META BACKUP.META' "$(tail -1 "$sample")"
    # Every change fbmon made through the bridge came from the process its control connection
    # registered (the second port client: the watcher is the first).
    restore_process=$(grep -o 'connect from process [0-9]*: status 0' "$work/host.log" | sed -n 2p | awk '{print $4}' | tr -d :)
    host bridge
    attributed=$(tail -1 "$sample" | sed 's/.*-> ok *//')
    [ -n "$restore_process" ] && printf '%s\n' "$attributed" | grep -qE "^$restore_process:[0-9]+\$" ||
      fail "the bridge's changes came from '$attributed', not only from fbmon restore's process ${restore_process:-(not connected)}"
    sleep 1   # an event of fbmon's writes would be on its way by now
    lines=$(tr -d '\r' <"$watch_out")
    keep_watch --json
    events=$(printf '%s\n' "$lines" | grep -c .)
    expect_in '"outcome":"backed-up"' "$(printf '%s\n' "$lines" | sed -n 1p)"
    [ "$events" -le 1 ] || fail "the watcher saw a backup of fbmon's own write: $(printf '%s\n' "$lines" | sed -n '2,$p')"
    [ "$events" -ge 1 ] || fail "the watcher saw no event at all (the application's save is missing)"
    ;;
  *)
    echo "unknown case $name"; exit 2 ;;
esac

host quit
exec 3>&-
for p in "${watchers[@]}"; do kill "$p" 2>/dev/null; done
wait "$host_pid"; host_rc=$?; host_pid=""
printf '# host log:\n' >>"$sample"; sed 's/^/#   /' "$work/host.log" >>"$sample"
[ "$host_rc" = 0 ] || fail "fb_e2e_host exit $host_rc (unload findings?): $(tail -5 "$work/host.log")"
cat "$sample"
[ "$failures" = 0 ] || { echo "$failures failure(s) in case $name"; exit 1; }
echo "case $name passed"
