@echo off
rem Unloads and removes FileBackup from a test VM (the :backup streams already written stay).
rem Run from an elevated Command Prompt, in the folder that holds this file.
setlocal
cd /d "%~dp0"

net session >nul 2>&1
if errorlevel 1 (
  echo uninstall.cmd: not elevated.
  echo   Open Command Prompt with "Run as administrator" and run uninstall.cmd again.
  exit /b 1
)

reg query "HKLM\SYSTEM\CurrentControlSet\Control" /v SystemStartOptions 2>nul | findstr /i "TESTSIGNING" >nul
if errorlevel 1 (
  echo uninstall.cmd: note: test-signing mode is off in this boot, so FileBackup cannot be
  echo   loaded now; removing it anyway. To turn test signing off for good afterwards:
  echo   bcdedit /set testsigning off, then reboot.
)

echo Unloading the filter...
fltmc unload FileBackup >nul 2>&1

echo Removing the package from the Driver Store...
rem Windows 10 1903+ keeps an installed INF package in the Driver Store (as oemNN.inf) and
rem ignores the INF's DefaultUninstall section: deleting the package is what uninstalls it.
rem pnputil exits 0 when done, 3010 (ERROR_SUCCESS_REBOOT_REQUIRED) when done but a reboot must
rem finish it, anything else when it failed.
set "found="
for /f %%p in ('find_package.cmd') do (
  set "found=1"
  echo   pnputil /delete-driver %%p /uninstall /force
  pnputil /delete-driver %%p /uninstall /force >nul
  if errorlevel 3011 (
    echo uninstall.cmd: pnputil could not delete %%p; see "pnputil /enum-drivers".
  ) else if errorlevel 3010 (
    echo   deleted; Windows finishes it at the next reboot.
  ) else if errorlevel 1 (
    echo uninstall.cmd: pnputil could not delete %%p; see "pnputil /enum-drivers".
  )
)
if not defined found echo   no FileBackup package in the Driver Store.
rem Older Windows (and a package that never reached the Driver Store) use the INF's section.
if exist FileBackup.inf rundll32.exe setupapi.dll,InstallHinfSection DefaultUninstall.NTamd64 132 %~dp0FileBackup.inf

rem A service registered by install.cmd's fallback (or left behind) is removed directly.
sc query FileBackup >nul 2>&1
if not errorlevel 1 sc delete FileBackup >nul
if exist "%SystemRoot%\System32\drivers\FileBackup.sys" del /f "%SystemRoot%\System32\drivers\FileBackup.sys"

echo Removing the test certificate from Root and TrustedPublisher...
certutil -delstore Root "FileBackup Test Signing" >nul 2>&1
certutil -delstore TrustedPublisher "FileBackup Test Signing" >nul 2>&1

echo.
fltmc filters
sc query FileBackup >nul 2>&1
if not errorlevel 1 (
  echo uninstall.cmd: the FileBackup service is still registered; reboot and run uninstall.cmd again.
  exit /b 1
)
echo FileBackup is uninstalled.
exit /b 0
