@echo off
rem Installs (or upgrades) the FileBackup test package on a Windows 10/11 x64 test VM and loads
rem the filter. Run it from an elevated Command Prompt, from any folder (a UNC path too):
rem   install.cmd           the service starts with Windows (StartType 1, SERVICE_SYSTEM_START)
rem   install.cmd /demand   it starts only on "fltmc load FileBackup" (SERVICE_DEMAND_START)
rem Every command's own message is shown when it fails, with the likely fix. Exit code 0:
rem installed and loaded; 1: a step failed (the message says which); 2: bad argument.
setlocal
set "start=system"
if "%~1"=="" goto arguments_read
if "%~1"=="/?" goto usage
if /i "%~1"=="/demand" set "start=demand"
if /i "%~1"=="/demand" goto arguments_read
echo install.cmd: unknown argument "%~1".
goto usage_error
:arguments_read
rem pushd maps a UNC folder to a drive letter; cd /d cannot change to one.
rem (Checked with a file of the package and "if errorlevel", never with "||" or "&&", here and below:
rem Wine's cmd, which runs these scripts in the tests, takes those branches whatever the exit code.)
pushd "%~dp0"
if not exist "find_package.cmd" (
  echo install.cmd: cannot change to the folder of install.cmd, "%~dp0", or find_package.cmd is missing there.
  exit /b 1
)
set "out=%TEMP%\FileBackup-install-%RANDOM%.txt"
call :main
set "rc=%errorlevel%"
if exist "%out%" del "%out%"
popd
exit /b %rc%

:usage
echo usage: install.cmd [/demand]
echo   Installs FileBackup from the Driver Store package in this folder and loads it.
echo   Without /demand the filter starts with Windows; with /demand only on "fltmc load FileBackup".
exit /b 0
:usage_error
echo usage: install.cmd [/demand]
exit /b 2

:main
rem --- 1. Elevation. fltmc talks to Filter Manager, which only administrators may: it fails
rem     when the prompt is not elevated, whatever services run ("net session" needs the Server
rem     service).
fltmc >nul 2>&1
if not "%errorlevel%"=="0" (
  echo install.cmd: not elevated ^(fltmc was refused^).
  echo   Open Command Prompt with "Run as administrator" and run install.cmd again.
  exit /b 1
)

rem --- 2. Test signing: FileBackup.sys and FileBackup.cat carry a test signature Windows only
rem     honors in this mode. SystemStartOptions shows the options of the running boot.
reg query "HKLM\SYSTEM\CurrentControlSet\Control" /v SystemStartOptions 2>nul | find "TESTSIGNING" >nul
if errorlevel 1 (
  echo install.cmd: test-signing mode is off in this boot, so Windows would refuse the driver.
  echo   Run:  bcdedit /set testsigning on
  echo   then reboot and run install.cmd again. Secure Boot must be off in the VM's firmware
  echo   settings, or bcdedit refuses the change.
  exit /b 1
)

for %%f in (FileBackup.sys FileBackup.inf FileBackup.cat FileBackupTest.cer find_package.cmd delete_package.cmd) do (
  if not exist "%%f" (
    echo install.cmd: %%f is missing next to install.cmd; copy the whole FileBackup-x64 folder.
    exit /b 1
  )
)

rem --- 3. Trust the test certificate: Root makes the chain valid, TrustedPublisher lets the
rem     package install without a prompt.
echo Importing FileBackupTest.cer into the Root and TrustedPublisher stores...
call :import_certificate Root
if errorlevel 1 exit /b 1
call :import_certificate TrustedPublisher
if errorlevel 1 exit /b 1

rem --- 4. An earlier FileBackup: unload it and remove its Driver Store package, so the new
rem     binary is the one that loads (a package of the same version would otherwise stay).
call :unload_running
if errorlevel 1 exit /b 1
for /f %%p in ('find_package.cmd') do call delete_package.cmd %%p install.cmd

rem --- 5. Install: the Driver Store first, direct registration only if pnputil refuses.
echo Installing FileBackup.inf with pnputil (the Driver Store)...
call :run pnputil /add-driver FileBackup.inf /install
set "pnputil_rc=%rc%"
call :show
set "route="
if "%pnputil_rc%"=="0" set "route=pnputil"
if "%pnputil_rc%"=="3010" (
  set "route=pnputil"
  echo   pnputil: installed; Windows asks for a reboot to finish ^(exit code 3010^).
)
set "pnputil_ok=%route%"
if defined route (
  sc query FileBackup >nul 2>&1
  if errorlevel 1 (
    set "route="
    echo install.cmd: pnputil added the package but did not create the FileBackup service
    echo   ^(Windows before 10 version 1903 does not install a DefaultInstall package this way^).
  )
)
if not defined route (
  if "%pnputil_ok%"=="" (
    echo install.cmd: pnputil refused the package, exit code %pnputil_rc% ^(its message above^).
    echo   Likely: the catalog or certificate is not trusted. Details: %%windir%%\INF\setupapi.dev.log.
  )
  call :register_directly
  if errorlevel 1 exit /b 1
  set "route=direct"
)
if "%route%"=="pnputil" (
  echo Route: Driver Store ^(pnputil /add-driver /install^).
  rem A copy the direct route left in System32\drivers by an earlier install is stale now.
  if exist "%SystemRoot%\System32\drivers\FileBackup.sys" (
    del /f "%SystemRoot%\System32\drivers\FileBackup.sys" >nul 2>&1
    echo   removed the old directly registered copy %SystemRoot%\System32\drivers\FileBackup.sys.
  )
) else (
  echo Route: direct registration ^(sc create, reg add^), because pnputil did not install the package.
)

rem --- 6. Start type: the mode asked for, whatever the route or an earlier install set.
call :run sc config FileBackup start= %start%
if errorlevel 1 (
  call :show
  echo install.cmd: "sc config FileBackup start= %start%" failed ^(its message above^).
  exit /b 1
)

rem --- 7. Load the filter, say which version runs and where it attached.
echo Loading the filter...
call :run fltmc load FileBackup
if errorlevel 1 (
  call :show
  call :explain_load_failure
  exit /b 1
)
call :print_version
echo.
fltmc instances
echo.
if "%start%"=="system" (
  echo FileBackup is loaded and starts with Windows ^(system start^). It attaches to NTFS volumes only.
  echo   To load it only on demand instead: install.cmd /demand
) else (
  echo FileBackup is loaded, demand start: after a reboot nothing is protected until you run
  echo   "fltmc load FileBackup" ^(elevated^). To start it with Windows: install.cmd
)
if exist fbmon.exe echo Watch backups live with:  fbmon.exe watch
exit /b 0

rem --- Subroutines ---------------------------------------------------------------------------

:run
rem Runs its arguments as a command line with stdout and stderr kept in %out% (sc, certutil and
rem pnputil print their errors on stdout).
%* >"%out%" 2>&1
set "rc=%errorlevel%"
rem Exit codes can be negative (an HRESULT such as 0x80092004), which "if errorlevel 1" does not
rem see: :run answers 1 for any failure and keeps the code itself in %rc%.
if "%rc%"=="0" exit /b 0
exit /b 1

:show
rem Shows what the last :run printed, indented.
if not exist "%out%" exit /b 0
for /f "usebackq delims=" %%l in ("%out%") do echo     %%l
exit /b 0

:import_certificate
rem %1: the machine store.
call :run certutil -f -addstore %1 FileBackupTest.cer
if not errorlevel 1 exit /b 0
call :show
echo install.cmd: certutil could not import FileBackupTest.cer into %1 ^(its message above^).
echo   Check that FileBackupTest.cer is the file from this package and not empty.
exit /b 1

:unload_running
rem Unloads a FileBackup that is loaded now; says so when a watcher (fbmon.exe) runs.
set "loaded="
for /f "tokens=1" %%f in ('fltmc filters 2^>nul') do if /i "%%f"=="FileBackup" set "loaded=1"
if not defined loaded exit /b 0
echo FileBackup is loaded: unloading it to replace it...
tasklist /fi "imagename eq fbmon.exe" /fo csv /nh 2>nul | find "fbmon.exe" >nul
if not errorlevel 1 (
  echo   fbmon.exe is running: a connected "fbmon watch" loses the driver now and reconnects
  echo   by itself when the new one is loaded; events in between are not shown.
)
call :run fltmc unload FileBackup
if errorlevel 1 (
  call :show
  echo install.cmd: "fltmc unload FileBackup" failed ^(its message above^); the old driver still runs.
  echo   Reboot and run install.cmd again.
  exit /b 1
)
echo   unloaded.
exit /b 0

:register_directly
rem The same service and instance keys the INF describes, registered by hand.
echo Registering FileBackup directly...
call :run copy /y FileBackup.sys "%SystemRoot%\System32\drivers\FileBackup.sys"
if errorlevel 1 (
  call :show
  echo install.cmd: could not copy FileBackup.sys to %SystemRoot%\System32\drivers ^(message above^).
  echo   If the old driver is still loaded, run "fltmc unload FileBackup" and install.cmd again.
  exit /b 1
)
set "service_verb=create"
sc query FileBackup >nul 2>&1
if not errorlevel 1 set "service_verb=config"
call :run sc %service_verb% FileBackup type= filesys start= %start% error= normal group= "FSFilter Continuous Backup" depend= FltMgr binPath= "\SystemRoot\System32\drivers\FileBackup.sys" DisplayName= "FileBackup"
if errorlevel 1 (
  call :show
  echo install.cmd: "sc %service_verb% FileBackup" failed ^(its message above^).
  exit /b 1
)
for %%k in ("HKLM\SYSTEM\CurrentControlSet\Services\FileBackup\Instances" "HKLM\SYSTEM\CurrentControlSet\Services\FileBackup\Parameters\Instances") do (
  call :add_instance_keys %%k
  if errorlevel 1 exit /b 1
)
exit /b 0

:add_instance_keys
rem %1: the quoted Instances key. Windows 11 24H2 and later read Parameters\Instances, earlier
rem versions Instances: both get the same values as in the INF.
call :run reg add %1 /v DefaultInstance /t REG_SZ /d "FileBackup Instance" /f
if errorlevel 1 goto add_instance_keys_failed
call :run reg add "%~1\FileBackup Instance" /v Altitude /t REG_SZ /d 286410 /f
if errorlevel 1 goto add_instance_keys_failed
call :run reg add "%~1\FileBackup Instance" /v Flags /t REG_DWORD /d 0 /f
if errorlevel 1 goto add_instance_keys_failed
exit /b 0
:add_instance_keys_failed
call :show
echo install.cmd: "reg add" under %1 failed ^(its message above^).
exit /b 1

:explain_load_failure
rem fltmc prints the HRESULT; the likely fix depends on it.
find "0x80070420" "%out%" >nul
if not errorlevel 1 (
  echo install.cmd: FileBackup is already loaded ^(0x80070420^): the driver running now is the one
  echo   loaded before; run "fltmc unload FileBackup", then install.cmd again.
  exit /b 0
)
find "0x80070241" "%out%" >nul
if not errorlevel 1 (
  echo install.cmd: Windows refused the driver's signature ^(0x80070241, invalid image hash^):
  echo   test signing must be on in this boot and FileBackupTest.cer in Root and TrustedPublisher;
  echo   see Event Viewer, Microsoft-Windows-CodeIntegrity/Operational, events 3004 and 3089.
  exit /b 0
)
find "0x80070002" "%out%" >nul
if not errorlevel 1 (
  echo install.cmd: the service, the driver file or the instance keys are missing ^(0x80070002^):
  echo   check "sc qc FileBackup" and the Instances keys ^(install.md, Troubleshooting^).
  exit /b 0
)
find "0x80070005" "%out%" >nul
if not errorlevel 1 (
  echo install.cmd: access denied ^(0x80070005^): run install.cmd from an elevated prompt.
  exit /b 0
)
echo install.cmd: "fltmc load FileBackup" failed ^(its message above^). Details: Event Viewer,
echo   System log, and "fltmc filters".
exit /b 0

:print_version
rem The version resource of the image the service points to (powershell, else wmic).
set "image="
for /f "tokens=2,*" %%a in ('reg query "HKLM\SYSTEM\CurrentControlSet\Services\FileBackup" /v ImagePath 2^>nul ^| find "ImagePath"') do set "image=%%b"
if not defined image (
  echo FileBackup is running; its image path could not be read ^(reg query ... ImagePath^).
  exit /b 0
)
if /i "%image:~0,12%"=="\SystemRoot\" set "image=%SystemRoot%\%image:~12%"
if /i "%image:~0,4%"=="\??\" set "image=%image:~4%"
if /i "%image:~0,9%"=="System32\" set "image=%SystemRoot%\%image%"
set "version="
for /f "usebackq delims=" %%v in (`powershell -NoProfile -NonInteractive -Command "(Get-Item -LiteralPath '%image%').VersionInfo.FileVersion" 2^>nul`) do set "version=%%v"
if not defined version (
  for /f "tokens=2 delims==" %%v in ('wmic datafile where "name='%image:\=\\%'" get Version /value 2^>nul ^| find "="') do (
    for /f "delims=" %%w in ("%%v") do set "version=%%w"
  )
)
if not defined version set "version=(version not readable)"
echo FileBackup %version% is running: %image%
exit /b 0
