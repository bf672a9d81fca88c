#!/usr/bin/env bash
# inf/install.cmd and inf/uninstall.cmd, run as shipped (CRLF) by Wine's cmd.exe, with every
# Windows command they call (fltmc, pnputil, sc, reg, certutil, tasklist, powershell, wmic)
# replaced by stub_tool.exe copies first on PATH that replay saved transcripts
# (tests/wine/transcripts/) with saved exit codes and log each call. One case per run, named
# by $1. Environment: WINEPREFIX, WINEDEBUG, SOURCE_DIR (the repository), STUB_EXE.
# Each case asserts on the script's output, its exit code and the stub call log.
set -u
[ -f "${STUB_EXE:-}" ] || { echo "FAIL: stub_tool.exe not found at ${STUB_EXE:-?} (needs x86_64-w64-mingw32-g++)"; exit 1; }
name=$1
base_win="C:\\fbtest\\install-$name"
base="$WINEPREFIX/drive_c/fbtest/install-$name"
rm -rf "$base" && mkdir -p "$base/pkg" "$base/stubs" "$base/elsewhere"
pkg="$base/pkg"; stubs="$base/stubs"; log="$base/calls.txt"
crlf() { sed 's/\r*$/\r/' "$1" >"$2"; }

for f in install.cmd uninstall.cmd find_package.cmd delete_package.cmd FileBackup.inf; do
  crlf "$SOURCE_DIR/inf/$f" "$pkg/$f"
done
for f in FileBackup.sys FileBackup.cat FileBackupTest.cer; do echo "stand-in for $f" >"$pkg/$f"; done
for t in fltmc pnputil sc reg certutil tasklist powershell wmic; do cp "$STUB_EXE" "$stubs/$t.exe"; done
for f in "$SOURCE_DIR"/tests/wine/transcripts/*.txt "$SOURCE_DIR"/tests/wine/pnputil/*.txt; do
  crlf "$f" "$stubs/$(basename "$f")"
done
windir="$WINEPREFIX/drive_c/windows"
drivers="$windir/system32/drivers"
rm -f "$drivers/FileBackup.sys" "$windir/inf/oem12.inf"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect_in() { case "$2" in *"$1"*) ;; *) fail "expected '$1' in:"$'\n'"$2" ;; esac; }
expect_not_in() { case "$2" in *"$1"*) fail "did not expect '$1' in:"$'\n'"$2" ;; esac; }
expect_rc() { [ "$rc" = "$1" ] || fail "exit code $rc, expected $1"; }
# Asserts that the call log holds these calls in this order (other calls may come between).
expect_order() {
  local rest="$calls" c
  for c in "$@"; do
    case "$rest" in
      *"$c"*) rest=${rest#*"$c"} ;;
      *) fail "call '$c' missing or out of order; calls:"$'\n'"$calls"; return ;;
    esac
  done
}

# rule TOOL PREFIX TRANSCRIPT CODE: appends one line to the tool's rules (see stub_tool.cpp);
# lines with the same prefix answer successive calls.
rule() { printf '%s|%s|%s\n' "$2" "$3" "$4" >>"$stubs/$1.rules"; }
# default_rule: the same, unless the case already gave that prefix its own answer.
default_rule() {
  if [ -f "$stubs/$1.rules" ] &&
     P="$2" awk -F'|' '$1 == ENVIRON["P"] { found = 1 } END { exit !found }' "$stubs/$1.rules"; then
    return
  fi
  rule "$@"
}
# The answers of an installed, elevated, test-signing VM with nothing of FileBackup on it yet;
# a case gives its own answers first, and they replace these.
base_rules() {
  default_rule fltmc - - 0
  default_rule fltmc filters fltmc_filters_without.txt 0
  default_rule fltmc "load filebackup" - 0
  default_rule fltmc "unload filebackup" - 0
  default_rule fltmc instances fltmc_instances.txt 0
  default_rule reg "query hklm\\system\\currentcontrolset\\control " reg_startoptions_testsigning.txt 0
  default_rule reg "query hklm\\system\\currentcontrolset\\services\\filebackup /v imagepath" reg_imagepath_driverstore.txt 0
  default_rule reg add reg_add_ok.txt 0
  default_rule certutil -f certutil_addstore_ok.txt 0
  default_rule certutil -delstore certutil_delstore_ok.txt 0
  default_rule pnputil /enum-drivers not_installed.txt 0
  default_rule pnputil /add-driver pnputil_add_ok.txt 0
  default_rule pnputil /delete-driver pnputil_delete_ok.txt 0
  default_rule sc "query filebackup" sc_query_stopped.txt 0
  default_rule sc config sc_config_ok.txt 0
  default_rule sc create sc_create_ok.txt 0
  default_rule sc delete sc_delete_ok.txt 0
  default_rule tasklist '*' tasklist_none.txt 0
  default_rule powershell '*' powershell_version.txt 0
  default_rule wmic '*' wmic_version.txt 0
}
# A FileBackup package oem12.inf of ours in the Driver Store (english.txt lists it).
installed_package() {
  rule pnputil /enum-drivers english.txt 0
  printf '[Version]\r\nProvider = %%ProviderName%%\r\n[Strings]\r\nProviderName = "FileBackup project"\r\n' >"$windir/inf/oem12.inf"
}

# run SCRIPT [ARGS...]: runs the script from the package folder, or from another folder when
# FROM_ELSEWHERE=1 (by its full path); sets out, rc and calls.
run() {
  local script=$1; shift
  local dir="$pkg" cmdline="$script $*"
  if [ "${FROM_ELSEWHERE:-0}" = 1 ]; then dir="$base/elsewhere"; cmdline="$base_win\\pkg\\$script $*"; fi
  : >"$log"
  (cd "$dir" && STUB_DIR="$base_win\\stubs" STUB_LOG="$base_win\\calls.txt" \
     wine cmd /c "set PATH=$base_win\\stubs;%PATH%&& $cmdline" >"$base/out.txt" 2>&1); rc=$?
  out=$(tr -d '\r' <"$base/out.txt")
  calls=$(tr -d '\r' <"$log")
  printf '%s\n--- exit %s\n--- calls:\n%s\n' "$out" "$rc" "$calls" >"$base/transcript.txt"
}

case "$name" in
  fresh)  # nothing installed: the Driver Store route, system start, version printed
    base_rules; run install.cmd
    expect_rc 0
    expect_in "Route: Driver Store (pnputil /add-driver /install)." "$out"
    expect_in "Published Name:         oem13.inf" "$out"              # pnputil's own output shown
    expect_in "FileBackup 0.1.0 is running: C:\\windows\\System32\\DriverStore\\FileRepository\\filebackup.inf_amd64_3f2a9c0e1b7d4a55\\FileBackup.sys" "$out"
    expect_in "starts with Windows (system start)" "$out"
    expect_order "fltmc" "certutil -f -addstore Root FileBackupTest.cer" \
                 "certutil -f -addstore TrustedPublisher FileBackupTest.cer" "pnputil /add-driver FileBackup.inf /install" \
                 "sc config FileBackup start= system" "fltmc load FileBackup" "fltmc instances"
    expect_not_in "sc create" "$calls"; expect_not_in "fltmc unload" "$calls"; expect_not_in "/delete-driver" "$calls"
    ;;
  from-elsewhere)  # started by its full path from another folder: pushd finds the package
    base_rules; FROM_ELSEWHERE=1 run install.cmd
    expect_rc 0
    expect_in "Route: Driver Store" "$out"
    expect_not_in "is missing next to install.cmd" "$out"
    ;;
  demand)
    base_rules; run install.cmd /demand
    expect_rc 0
    expect_in "demand start: after a reboot nothing is protected" "$out"
    expect_order "pnputil /add-driver FileBackup.inf /install" "sc config FileBackup start= demand" "fltmc load FileBackup"
    ;;
  bad-argument)
    base_rules; run install.cmd /bogus
    expect_rc 2
    expect_in 'unknown argument "/bogus"' "$out"
    [ -z "$calls" ] || fail "commands ran despite the bad argument: $calls"
    ;;
  not-elevated)
    rule fltmc - fltmc_not_elevated.txt 0x80070005; base_rules; run install.cmd   # an HRESULT: negative
    expect_rc 1
    expect_in "not elevated (fltmc was refused)" "$out"
    [ "$calls" = "fltmc" ] || fail "only the elevation check may run, calls: $calls"
    ;;
  no-test-signing)
    rule reg "query hklm\\system\\currentcontrolset\\control " reg_startoptions_plain.txt 0; base_rules; run install.cmd
    expect_rc 1
    expect_in "bcdedit /set testsigning on" "$out"
    expect_not_in "certutil" "$calls"
    ;;
  certutil-fails)
    rule certutil -f certutil_addstore_failed.txt 0x80093102; base_rules; run install.cmd
    expect_rc 1
    expect_in "CertUtil: ASN1 unexpected end of data." "$out"      # certutil's own message
    expect_in "could not import FileBackupTest.cer into Root" "$out"
    expect_not_in "pnputil" "$calls"
    ;;
  upgrade)  # a FileBackup is loaded and a watcher runs: unload, delete the old package, install, load
    rule fltmc filters fltmc_filters_with.txt 0; rule tasklist '*' tasklist_fbmon.txt 0
    installed_package; base_rules; run install.cmd
    expect_rc 0
    expect_in "FileBackup is loaded: unloading it to replace it..." "$out"
    expect_in "fbmon.exe is running" "$out"
    expect_in "Removing oem12.inf from the Driver Store" "$out"
    expect_order "fltmc unload FileBackup" "pnputil /enum-drivers" "pnputil /delete-driver oem12.inf /uninstall /force" \
                 "pnputil /add-driver FileBackup.inf /install" "fltmc load FileBackup"
    expect_in "FileBackup 0.1.0 is running" "$out"
    ;;
  unload-fails)  # the running driver cannot be unloaded (German fltmc): stop, nothing replaced
    rule fltmc filters fltmc_filters_with.txt 0; rule fltmc "unload filebackup" fltmc_unload_failed_de.txt 1
    base_rules; run install.cmd
    expect_rc 1
    expect_in "Fehler beim Entladen: 0x801f0010" "$out"
    expect_in '"fltmc unload FileBackup" failed' "$out"
    expect_not_in "pnputil /add-driver" "$calls"
    ;;
  refused-fallback)  # pnputil refuses (German output, HRESULT exit code): direct registration
    rule pnputil /add-driver pnputil_add_refused_de.txt 0xE0000247
    rule sc "query filebackup" sc_query_missing.txt 1060
    rule reg "query hklm\\system\\currentcontrolset\\services\\filebackup /v imagepath" reg_imagepath_direct.txt 0
    rule powershell '*' - 1
    base_rules; run install.cmd
    expect_rc 0
    expect_in "Fehler beim Hinzufuegen des Treiberpakets" "$out"
    expect_in "pnputil refused the package, exit code -536870329" "$out"
    expect_in "Route: direct registration (sc create, reg add), because pnputil did not install the package." "$out"
    expect_order "pnputil /add-driver" "sc create FileBackup type= filesys start= system error= normal group= FSFilter Continuous Backup depend= FltMgr" \
                 "reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\FileBackup\\Instances /v DefaultInstance" \
                 "reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\FileBackup\\Parameters\\Instances\\FileBackup Instance /v Flags" \
                 "sc config FileBackup start= system" "fltmc load FileBackup" "wmic datafile"
    [ -f "$drivers/FileBackup.sys" ] || fail "FileBackup.sys was not copied to system32\\drivers"
    expect_in "FileBackup 0.1.0.0 is running: C:\\windows\\System32\\drivers\\FileBackup.sys" "$out"
    ;;
  reinstall-fallback)  # the direct route again over an existing service: the binary is replaced
    echo "old driver" >"$drivers/FileBackup.sys"
    rule fltmc filters fltmc_filters_with.txt 0
    rule pnputil /add-driver pnputil_add_refused_de.txt 0xE0000247
    base_rules; run install.cmd
    expect_rc 0
    expect_order "fltmc unload FileBackup" "pnputil /add-driver" "sc config FileBackup type= filesys start= system" "fltmc load FileBackup"
    expect_not_in "sc create" "$calls"
    grep -q "stand-in for FileBackup.sys" "$drivers/FileBackup.sys" || fail "the old FileBackup.sys was not replaced"
    ;;
  sc-fails)  # the fallback's sc create fails: sc's message (on stdout) is shown
    rule pnputil /add-driver pnputil_add_refused_de.txt 0xE0000247
    rule sc "query filebackup" sc_query_missing.txt 1060
    rule sc create sc_denied.txt 5
    base_rules; run install.cmd
    expect_rc 1
    expect_in "[SC] OpenSCManager FAILED 5:" "$out"
    expect_in '"sc create FileBackup" failed' "$out"
    expect_not_in "fltmc load" "$calls"
    ;;
  reboot-pending)
    rule pnputil /add-driver pnputil_add_reboot.txt 3010; base_rules; run install.cmd
    expect_rc 0
    expect_in "installed; Windows asks for a reboot to finish (exit code 3010)" "$out"
    expect_in "Route: Driver Store" "$out"
    ;;
  already-loaded)  # fltmc load answers 0x80070420: said as such, not as a signature problem
    rule fltmc "load filebackup" fltmc_load_already.txt 1; base_rules; run install.cmd
    expect_rc 1
    expect_in "Load failed with error: 0x80070420" "$out"
    expect_in "FileBackup is already loaded (0x80070420)" "$out"
    expect_not_in "signature" "$out"
    ;;
  signature-refused)
    rule fltmc "load filebackup" fltmc_load_signature.txt 1; base_rules; run install.cmd
    expect_rc 1
    expect_in "Windows refused the driver's signature (0x80070241" "$out"
    ;;
  uninstall)  # loaded, packaged, certificates present: every step reports, no reboot
    rule fltmc filters fltmc_filters_with.txt 0
    rule fltmc filters fltmc_filters_without.txt 0   # the second "fltmc filters", after unloading
    rule sc "query filebackup" sc_query_missing.txt 1060
    installed_package; base_rules; run uninstall.cmd
    expect_rc 0
    expect_in "  unloaded." "$out"
    expect_in "Removing oem12.inf from the Driver Store" "$out"
    expect_in "  deleted." "$out"
    expect_in "no FileBackup service registered." "$out"
    expect_in "  Root: removed." "$out"; expect_in "  TrustedPublisher: removed." "$out"
    expect_in "FileBackup is uninstalled." "$out"
    expect_order "fltmc unload FileBackup" "pnputil /delete-driver oem12.inf /uninstall /force" \
                 "certutil -delstore Root" "certutil -delstore TrustedPublisher"
    expect_not_in "rundll32" "$calls"; expect_not_in "/reboot" "$calls"
    ;;
  uninstall-partial)  # unload refused, package delete needs a reboot, service marked, a store empty
    rule fltmc filters fltmc_filters_with.txt 0
    rule fltmc "unload filebackup" fltmc_unload_failed_de.txt 1
    rule pnputil /delete-driver pnputil_delete_reboot.txt 3010
    rule sc delete sc_delete_marked.txt 1072
    rule certutil "-delstore root" certutil_delstore_notfound.txt 0x80092004
    installed_package; base_rules; run uninstall.cmd
    expect_rc 1
    expect_in "Fehler beim Entladen: 0x801f0010" "$out"
    expect_in "deleted; Windows finishes it at the next reboot (exit code 3010)" "$out"
    expect_in "marked for deletion: Windows removes it at the next reboot." "$out"
    expect_in "  Root: not there." "$out"; expect_in "  TrustedPublisher: removed." "$out"
    expect_in "still registered; reboot and run uninstall.cmd again" "$out"
    expect_not_in "FileBackup is uninstalled." "$out"
    ;;
  *)
    fail "unknown case $name"
    ;;
esac
[ "$failures" = 0 ] && echo "PASS: $name" || { echo "--- transcript:"; cat "$base/transcript.txt"; exit 1; }
