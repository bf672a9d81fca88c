@echo off
rem Installs the FileBackup test package on a Windows 10/11 x64 test VM and loads the filter.
rem Run from an elevated Command Prompt, in the folder that holds this file.
setlocal
cd /d "%~dp0"

rem --- 1. Elevation: service, driver store and certificate stores need an administrator.
net session >nul 2>&1
if errorlevel 1 (
  echo install.cmd: not elevated.
  echo   Open Command Prompt with "Run as administrator" and run install.cmd again.
  exit /b 1
)

rem --- 2. Test signing: FileBackup.sys carries a test signature Windows only honors in this mode.
rem     SystemStartOptions shows the options of the running boot, so a pending change is caught too.
reg query "HKLM\SYSTEM\CurrentControlSet\Control" /v SystemStartOptions 2>nul | findstr /i "TESTSIGNING" >nul
if errorlevel 1 (
  echo install.cmd: test-signing mode is off in this boot, so Windows would refuse the driver.
  echo   Run:  bcdedit /set testsigning on
  echo   then reboot and run install.cmd again. Secure Boot must be off in the VM's firmware
  echo   settings, or bcdedit refuses the change.
  exit /b 1
)

for %%f in (FileBackup.sys FileBackup.inf FileBackupTest.cer) do (
  if not exist "%%f" (
    echo install.cmd: %%f is missing next to install.cmd; copy the whole FileBackup-x64 folder.
    exit /b 1
  )
)

rem --- 3. Trust the test certificate: Root makes the chain valid, TrustedPublisher lets the
rem     package install without a prompt.
echo Importing FileBackupTest.cer into Root and TrustedPublisher...
certutil -f -addstore Root FileBackupTest.cer >nul || goto :cert_failed
certutil -f -addstore TrustedPublisher FileBackupTest.cer >nul || goto :cert_failed

rem --- 4. Install the INF (service FileBackup, instance keys, driver file) into the Driver Store.
rem     pnputil is non-interactive; "rundll32 setupapi.dll,InstallHinfSection DefaultInstall.NTamd64
rem     132 FileBackup.inf" (what right-click Install runs) does the same with dialogs.
echo Installing FileBackup.inf...
pnputil /add-driver "%~dp0FileBackup.inf" /install
sc query FileBackup >nul 2>&1
if errorlevel 1 goto :inf_failed

rem --- 5. Load the filter and show where it attached.
:load
echo Loading the filter...
fltmc load FileBackup
if errorlevel 1 (
  echo install.cmd: "fltmc load FileBackup" failed. Details: Event Viewer, System log, and
  echo   "fltmc filters". A signature error means test signing or the certificate import failed.
  exit /b 1
)
echo.
fltmc instances
echo.
echo FileBackup is loaded. It attaches to NTFS volumes only.
if exist fbmon.exe echo Watch backups live with:  fbmon.exe --help
exit /b 0

:cert_failed
echo install.cmd: certutil could not import FileBackupTest.cer.
exit /b 1

:inf_failed
rem The package has no signed catalog (Linux builds cannot make one yet). Where the INF install
rem refuses an unsigned package, register the same service and instance keys the INF describes.
echo install.cmd: the INF install did not create the FileBackup service (pnputil's message
echo   above; details in %%windir%%\INF\setupapi.dev.log); registering it directly instead.
copy /y FileBackup.sys "%SystemRoot%\System32\drivers\FileBackup.sys" >nul || exit /b 1
sc create FileBackup type= filesys start= demand error= normal group= "FSFilter Continuous Backup" depend= FltMgr binPath= "\SystemRoot\System32\drivers\FileBackup.sys" DisplayName= "FileBackup" >nul || exit /b 1
for %%k in ("HKLM\SYSTEM\CurrentControlSet\Services\FileBackup\Instances" "HKLM\SYSTEM\CurrentControlSet\Services\FileBackup\Parameters\Instances") do (
  reg add %%k /v DefaultInstance /t REG_SZ /d "FileBackup Instance" /f >nul || exit /b 1
  reg add "%%~k\FileBackup Instance" /v Altitude /t REG_SZ /d 286410 /f >nul || exit /b 1
  reg add "%%~k\FileBackup Instance" /v Flags /t REG_DWORD /d 0 /f >nul || exit /b 1
)
goto :load
