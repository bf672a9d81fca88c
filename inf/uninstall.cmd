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
set "found="
for /f %%p in ('find_package.cmd') do call :delete_package %%p
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

:delete_package
rem %1: a published name (oemNN.inf) whose original name is filebackup.inf. The package is ours
rem only if the Driver Store's copy of the INF names our provider; another one is left alone.
set "found=1"
find "FileBackup project" "%SystemRoot%\INF\%~1" >nul 2>&1
if errorlevel 1 (
  echo   %~1 is a filebackup.inf from another provider; left alone.
  exit /b 0
)
echo   pnputil /delete-driver %~1 /uninstall /force
pnputil /delete-driver %~1 /uninstall /force >nul
rem 0: done; 3010 (ERROR_SUCCESS_REBOOT_REQUIRED): done, a reboot finishes it; else it failed.
set "rc=%errorlevel%"
if "%rc%"=="0" exit /b 0
if "%rc%"=="3010" (
  echo   deleted; Windows finishes it at the next reboot.
  exit /b 0
)
echo uninstall.cmd: pnputil could not delete %~1, exit code %rc%; see "pnputil /enum-drivers".
exit /b 0
