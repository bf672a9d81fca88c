@echo off
rem Prints the Driver Store name (oemNN.inf) of every installed package whose original name is
rem filebackup.inf, one per line. Reads "pnputil /enum-drivers", or the saved output of it given
rem as %1. Its labels are translated ("Published Name", "Veroeffentlichter Name", ...) and so
rem may be what separates them from the values, but the values are not: each package shows its
rem published name (oemNN.inf) and then its original name, the only two words ending in .inf.
rem Only the lines holding ".inf" are kept (by find, before any word reaches a call, so no
rem other value's quotes, & or % can disturb it); they are split at colons and blanks, and :word
rem looks at each word. pnputil prints both names in lower case, as the Driver Store keeps them.
rem Used by uninstall.cmd, which checks the package's provider before it deletes anything.
setlocal
set "published="
rem (No "if ... ( for ... ) else ( for ... )": Wine's cmd, which runs this in the tests,
rem misparses the else after a for /f.)
if "%~1"=="" goto from_pnputil
for /f "tokens=1-8 delims=:	 " %%a in ('type "%~1" ^| find ".inf"') do call :words "%%a" "%%b" "%%c" "%%d" "%%e" "%%f" "%%g" "%%h"
exit /b 0
:from_pnputil
for /f "tokens=1-8 delims=:	 " %%a in ('pnputil /enum-drivers 2^>nul ^| find ".inf"') do call :words "%%a" "%%b" "%%c" "%%d" "%%e" "%%f" "%%g" "%%h"
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
