@echo off
rem Prints the Driver Store name (oemNN.inf) of every installed FileBackup package, one per line.
rem Reads "pnputil /enum-drivers", or the saved output of it given as %1. Its labels are
rem translated ("Published Name", "Veroeffentlichter Name", ...) but its values are not: each
rem package shows its published name (oemNN.inf) and then its original name (filebackup.inf),
rem the only two values ending in .inf. Used by uninstall.cmd.
setlocal
set "published="
if "%~1"=="" (
  for /f "tokens=1,* delims=:" %%a in ('pnputil /enum-drivers 2^>nul') do call :first_word "%%b"
) else (
  for /f "usebackq tokens=1,* delims=:" %%a in ("%~1") do call :first_word "%%b"
)
exit /b 0

:first_word
for /f "tokens=1" %%v in ("%~1") do call :value "%%v"
exit /b 0

:value
if /i "%~1"=="filebackup.inf" (
  if defined published echo %published%
  set "published="
  exit /b 0
)
if /i "%~x1"==".inf" set "published=%~1"
exit /b 0
