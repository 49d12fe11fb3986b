<#
.SYNOPSIS
    Collects what httpsys-sim needs to diagnose client-certificate behaviour on this server.

.DESCRIPTION
    Read-only: it changes nothing on the server.  It reads the http.sys SSL bindings
    (netsh http show sslcert), IIS's applicationHost.config, the web.config of every site
    and application, the http.sys and Schannel registry keys (reg export) and the Windows
    build, and writes them into one folder:

        netsh-sslcert.txt
        applicationHost.config
        webconfig\<site name>\web.config                 (a site's root)
        webconfig\<site name>\<virtual path>\web.config  (each application)
        http.reg        HKLM\SYSTEM\CurrentControlSet\Services\HTTP\Parameters
        schannel.reg    HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL
        os.txt          product name, installation type and build

    It needs nothing beyond what Windows ships (Windows PowerShell 5.1, netsh.exe, reg.exe);
    no IIS PowerShell module.  Run it in an elevated prompt (netsh and applicationHost.config
    need administrator rights), then copy the folder and run on any machine:

        httpsys-sim diagnose --bundle <folder> --format html -o report.html

    The files contain certificate thumbprints and host names, but no private keys and no
    secrets beyond what the configuration holds (web.config files may hold connection
    strings: review the folder before sharing it).

.PARAMETER OutDir
    The folder to write (created if missing).  Default: httpsys-sim-bundle-<computer name>
    in the current directory.
#>
[CmdletBinding()]
param(
    [string]$OutDir = (Join-Path (Get-Location) ("httpsys-sim-bundle-" + $env:COMPUTERNAME))
)

$ErrorActionPreference = 'Continue'
New-Item -ItemType Directory -Force -Path $OutDir | Out-Null
$OutDir = (Resolve-Path -LiteralPath $OutDir).Path
function Say([string]$Message) { Write-Host "httpsys-sim collect: $Message" }

# 1. http.sys SSL bindings, as netsh prints them (English display language needed).
try {
    $netsh = & "$env:windir\System32\netsh.exe" http show sslcert
    $netsh | Out-File -LiteralPath (Join-Path $OutDir 'netsh-sslcert.txt') -Encoding utf8
    Say "netsh-sslcert.txt written"
} catch {
    Say "netsh http show sslcert failed: $($_.Exception.Message)"
}

# 2. applicationHost.config (a copy; the original is not touched).
$appHost = Join-Path $env:windir 'System32\inetsrv\config\applicationHost.config'
$config = $null
if (Test-Path -LiteralPath $appHost) {
    Copy-Item -LiteralPath $appHost -Destination (Join-Path $OutDir 'applicationHost.config')
    Say "applicationHost.config copied"
    try {
        $config = New-Object System.Xml.XmlDocument
        $config.Load($appHost)
    } catch {
        Say "cannot read applicationHost.config as XML: $($_.Exception.Message)"
        $config = $null
    }
} else {
    Say "no $appHost (IIS not installed?)"
}

# 3. web.config of every site and application, under webconfig\<site>\<virtual path>.
if ($null -ne $config) {
    $invalid = [System.IO.Path]::GetInvalidFileNameChars()
    foreach ($site in $config.SelectNodes('/configuration/system.applicationHost/sites/site')) {
        $siteName = $site.GetAttribute('name')
        $safeSite = -join ($siteName.ToCharArray() | ForEach-Object {
            if ($invalid -contains $_) { '_' } else { $_ }
        })
        foreach ($app in $site.SelectNodes('application')) {
            $appPath = $app.GetAttribute('path')
            $root = $app.SelectSingleNode("virtualDirectory[@path='/']")
            if ($null -eq $root) { continue }
            $physical = [Environment]::ExpandEnvironmentVariables($root.GetAttribute('physicalPath'))
            $source = Join-Path $physical 'web.config'
            $target = Join-Path (Join-Path $OutDir 'webconfig') $safeSite
            $relative = $appPath.Trim('/')
            if ($relative) { $target = Join-Path $target ($relative -replace '/', '\') }
            if (Test-Path -LiteralPath $source) {
                New-Item -ItemType Directory -Force -Path $target | Out-Null
                Copy-Item -LiteralPath $source -Destination (Join-Path $target 'web.config')
                Say "web.config of $siteName$appPath copied"
            }
        }
    }
}

# 4. Registry: http.sys parameters and bindings, Schannel (reg export only reads).
& "$env:windir\System32\reg.exe" export 'HKLM\SYSTEM\CurrentControlSet\Services\HTTP\Parameters' `
    (Join-Path $OutDir 'http.reg') /y | Out-Null
if ($LASTEXITCODE -ne 0) { Say "reg export of the HTTP parameters failed" } else { Say "http.reg written" }
& "$env:windir\System32\reg.exe" export 'HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL' `
    (Join-Path $OutDir 'schannel.reg') /y | Out-Null
if ($LASTEXITCODE -ne 0) { Say "reg export of SCHANNEL failed" } else { Say "schannel.reg written" }

# 5. The Windows build.
$cv = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
@(
    "ProductName: $($cv.ProductName)",
    "InstallationType: $($cv.InstallationType)",
    "DisplayVersion: $($cv.DisplayVersion)",
    "CurrentBuild: $($cv.CurrentBuild)",
    "UBR: $($cv.UBR)"
) | Out-File -LiteralPath (Join-Path $OutDir 'os.txt') -Encoding utf8
Say "os.txt written"

Say "done: $OutDir"
Say "next: httpsys-sim diagnose --bundle `"$OutDir`" --format html -o report.html"
