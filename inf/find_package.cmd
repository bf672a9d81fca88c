@echo off
rem Prints the Driver Store name (oemNN.inf) of every installed FileBackup package, one per line.
rem Reads "pnputil /enum-drivers", or the saved output of it given as %1. Its labels are
rem translated ("Published Name", "Veroeffentlichter Name", ...) and so may be what separates
rem them from the values, but the values are not: each package shows its published name
rem (oemNN.inf) and then its original name (filebackup.inf), the only two words ending in .inf.
rem So every word of every line is looked at, whatever the label. Used by uninstall.cmd.
rem Lines are split at colons and blanks, and :word looks at each word.
setlocal
set "published="
if "%~1"=="" (
  for /f "tokens=1-8 delims=:	 " %%a in ('pnputil /enum-drivers 2^>nul') do call :words "%%a" "%%b" "%%c" "%%d" "%%e" "%%f" "%%g" "%%h"
) else (
  for /f "usebackq tokens=1-8 delims=:	 " %%a in ("%~1") do call :words "%%a" "%%b" "%%c" "%%d" "%%e" "%%f" "%%g" "%%h"
)
exit /b 0

:words
if "%~1"=="" exit /b 0
call :word "%~1"
shift
goto words

:word
if /i not "%~x1"==".inf" exit /b 0
if /i "%~1"=="filebackup.inf" (
  if defined published echo %published%
  set "published="
  exit /b 0
)
set "published=%~1"
exit /b 0
