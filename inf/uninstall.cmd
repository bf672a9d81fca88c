@echo off
rem Unloads and removes FileBackup from a test VM (the :backup streams already written stay).
rem Run it from an elevated Command Prompt, from any folder (a UNC path too). It never reboots:
rem a step that Windows can only finish at the next reboot says so. Every step reports its
rem result; exit code 0: everything removed, 1: a step failed (the message says which).
setlocal
rem (Checked with a file of the package and "if errorlevel", never with "||" or "&&", here and below:
rem Wine's cmd, which runs these scripts in the tests, takes those branches whatever the exit code.)
pushd "%~dp0"
if not exist "find_package.cmd" (
  echo uninstall.cmd: cannot change to the folder of uninstall.cmd, "%~dp0", or find_package.cmd is missing there.
  exit /b 1
)
set "out=%TEMP%\FileBackup-uninstall-%RANDOM%.txt"
call :main
set "rc=%errorlevel%"
if exist "%out%" del "%out%"
popd
exit /b %rc%

:main
fltmc >nul 2>&1
if not "%errorlevel%"=="0" (
  echo uninstall.cmd: not elevated ^(fltmc was refused^).
  echo   Open Command Prompt with "Run as administrator" and run uninstall.cmd again.
  exit /b 1
)
set "failed="

reg query "HKLM\SYSTEM\CurrentControlSet\Control" /v SystemStartOptions 2>nul | find "TESTSIGNING" >nul
if errorlevel 1 (
  echo uninstall.cmd: note: test-signing mode is off in this boot, so FileBackup cannot be
  echo   loaded now; removing it anyway. To turn test signing off for good afterwards:
  echo   bcdedit /set testsigning off, then reboot.
)

rem --- 1. Unload.
echo Unloading the filter...
set "loaded="
for /f "tokens=1" %%f in ('fltmc filters 2^>nul') do if /i "%%f"=="FileBackup" set "loaded=1"
if not defined loaded (
  echo   not loaded.
) else (
  call :run fltmc unload FileBackup
  if errorlevel 1 (
    call :show
    echo uninstall.cmd: "fltmc unload FileBackup" failed ^(its message above^); the driver keeps
    echo   running until the next reboot. Reboot, then run uninstall.cmd again.
    set "failed=1"
  ) else (
    echo   unloaded.
  )
)

rem --- 2. The Driver Store package. On Windows 10 1903+ deleting it uninstalls the service too.
echo Removing the package from the Driver Store...
set "found="
for /f %%p in ('find_package.cmd') do (
  set "found=1"
  call delete_package.cmd %%p uninstall.cmd
  if errorlevel 1 set "failed=1"
)
if not defined found echo   no FileBackup package in the Driver Store.

rem --- 3. A service left by install.cmd's direct registration (or by an older Windows).
echo Removing the FileBackup service...
sc query FileBackup >nul 2>&1
if errorlevel 1 (
  echo   no FileBackup service registered.
) else (
  call :run sc delete FileBackup
  if errorlevel 1 (
    call :show
    find "1072" "%out%" >nul
    if not errorlevel 1 (
      echo   marked for deletion: Windows removes it at the next reboot.
    ) else (
      echo uninstall.cmd: "sc delete FileBackup" failed ^(its message above^).
      set "failed=1"
    )
  ) else (
    echo   deleted.
  )
)
if exist "%SystemRoot%\System32\drivers\FileBackup.sys" (
  del /f "%SystemRoot%\System32\drivers\FileBackup.sys" >nul 2>&1
  if exist "%SystemRoot%\System32\drivers\FileBackup.sys" (
    echo uninstall.cmd: could not delete %SystemRoot%\System32\drivers\FileBackup.sys ^(in use?^);
    echo   reboot and run uninstall.cmd again.
    set "failed=1"
  ) else (
    echo   deleted %SystemRoot%\System32\drivers\FileBackup.sys.
  )
)

rem --- 4. The test certificate.
echo Removing the test certificate from Root and TrustedPublisher...
for %%s in (Root TrustedPublisher) do call :delete_certificate %%s

echo.
fltmc filters
sc query FileBackup >nul 2>&1
if not errorlevel 1 (
  echo uninstall.cmd: the FileBackup service is still registered; reboot and run uninstall.cmd again.
  exit /b 1
)
if defined failed (
  echo uninstall.cmd: FileBackup is removed, but a step above failed.
  exit /b 1
)
echo FileBackup is uninstalled.
exit /b 0

rem --- Subroutines ---------------------------------------------------------------------------

:run
rem Runs its arguments as a command line with stdout and stderr kept in %out% (sc and certutil
rem print their errors on stdout).
%* >"%out%" 2>&1
set "rc=%errorlevel%"
rem Exit codes can be negative (an HRESULT such as 0x80092004), which "if errorlevel 1" does not
rem see: :run answers 1 for any failure and keeps the code itself in %rc%.
if "%rc%"=="0" exit /b 0
exit /b 1

:show
if not exist "%out%" exit /b 0
for /f "usebackq delims=" %%l in ("%out%") do echo     %%l
exit /b 0

:delete_certificate
rem %1: the store. certutil reports a certificate that is not there as CRYPT_E_NOT_FOUND
rem (0x80092004), which is no failure here.
call :run certutil -delstore %1 "FileBackup Test Signing"
if not errorlevel 1 (
  echo   %1: removed.
  exit /b 0
)
find "0x80092004" "%out%" >nul
if not errorlevel 1 (
  echo   %1: not there.
  exit /b 0
)
call :show
echo uninstall.cmd: certutil could not remove the certificate from %1 ^(its message above^).
set "failed=1"
exit /b 0
