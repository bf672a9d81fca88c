@echo off
rem delete_package.cmd oemNN.inf [caller]: deletes one FileBackup package from the Driver Store
rem and uninstalls it (used by install.cmd before an upgrade and by uninstall.cmd). %1 comes
rem from find_package.cmd: a published name whose original name is filebackup.inf. The package
rem is deleted only if the Driver Store's copy of the INF names our provider. Never reboots:
rem pnputil only reboots when asked to with /reboot.
rem Exit code 0: deleted (or left alone, not ours); 1: pnputil failed (its message is shown).
setlocal
set "caller=%~2"
if not defined caller set "caller=delete_package.cmd"
find "FileBackup project" "%SystemRoot%\INF\%~1" >nul 2>&1
if errorlevel 1 (
  echo   %~1 is a filebackup.inf from another provider; left alone.
  exit /b 0
)
echo Removing %~1 from the Driver Store: pnputil /delete-driver %~1 /uninstall /force
set "out=%TEMP%\FileBackup-delete-%RANDOM%.txt"
pnputil /delete-driver %~1 /uninstall /force >"%out%" 2>&1
rem 0: done; 3010 (ERROR_SUCCESS_REBOOT_REQUIRED): done, a reboot finishes it; else it failed.
set "rc=%errorlevel%"
if "%rc%"=="0" (
  echo   deleted.
  del "%out%"
  exit /b 0
)
if "%rc%"=="3010" (
  echo   deleted; Windows finishes it at the next reboot ^(exit code 3010^).
  del "%out%"
  exit /b 0
)
for /f "usebackq delims=" %%l in ("%out%") do echo     %%l
del "%out%"
echo %caller%: pnputil could not delete %~1, exit code %rc% ^(its message above^).
echo   See "pnputil /enum-drivers"; if a FileBackup is still loaded, "fltmc unload FileBackup" first.
exit /b 1
