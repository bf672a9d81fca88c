#!/usr/bin/env bash
# inf/find_package.cmd (used by uninstall.cmd to find FileBackup's oemNN.inf in the Driver
# Store) under Wine's cmd.exe, on saved "pnputil /enum-drivers" transcripts: English, translated
# labels with two installed versions, and none installed. Environment: WINEPREFIX, WINEDEBUG,
# SOURCE_DIR (the repository).
set -u
work="$WINEPREFIX/drive_c/fbtest/find_package"
rm -rf "$work" && mkdir -p "$work"
# As shipped: CRLF line endings (cmake/AssembleDist.cmake).
sed 's/\r*$/\r/' "$SOURCE_DIR/inf/find_package.cmd" >"$work/find_package.cmd"
failures=0
check() {  # transcript, expected output (one name per line)
  sed 's/\r*$/\r/' "$SOURCE_DIR/tests/wine/pnputil/$1" >"$work/$1"
  got=$(cd "$work" && wine cmd /c find_package.cmd "$1" | tr -d '\r')
  if [ "$got" != "$2" ]; then
    echo "FAIL: $1: expected [$2], got [$got]"
    failures=$((failures + 1))
  else
    echo "ok: $1 -> [$got]"
  fi
}
check english.txt "oem12.inf"
check translated_two_versions.txt "oem7.inf
oem21.inf"
check not_installed.txt ""
check tabs_and_no_blank.txt "oem5.inf"
exit $failures
