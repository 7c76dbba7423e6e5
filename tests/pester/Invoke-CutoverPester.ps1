# Runs the Pester suite (the vector matcher, then every shared vector against the real modules) with the
# pinned Pester version, and writes JUnit XML for the workflow to upload. Exit code: failed tests.
#   .\tests\pester\Invoke-CutoverPester.ps1 -AnsibleCore <site-packages>\ansible -OutputPath build\pester
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$AnsibleCore,
    [string]$OutputPath = 'build\pester'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0

$pinned = ([System.IO.File]::ReadAllText((Join-Path -Path $PSScriptRoot -ChildPath 'PESTER_VERSION'))).Trim()
Import-Module -Name Pester -RequiredVersion $pinned
if ($PSVersionTable.PSVersion.Major -ne 5) {
    throw "run this in Windows PowerShell 5.1 (the PowerShell Ansible uses on Windows 10/11), not $($PSVersionTable.PSVersion)"
}
$principal = New-Object -TypeName System.Security.Principal.WindowsPrincipal -ArgumentList ([System.Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)) {
    throw 'the vectors arrange registry hives, services and SMB shares: run as an administrator'
}
if (-not (Test-Path -LiteralPath (Join-Path -Path $AnsibleCore -ChildPath 'module_utils\csharp\Ansible.Basic.cs'))) {
    throw "$AnsibleCore is not the ansible package folder of ansible-core (no module_utils\csharp\Ansible.Basic.cs)"
}
$env:CUTOVER_ANSIBLE_CORE = (Resolve-Path -LiteralPath $AnsibleCore).Path
$null = New-Item -ItemType Directory -Path $OutputPath -Force

$configuration = New-PesterConfiguration
$configuration.Run.Path = @(
    (Join-Path -Path $PSScriptRoot -ChildPath 'Matcher.Tests.ps1'),
    (Join-Path -Path $PSScriptRoot -ChildPath 'Vectors.Tests.ps1')
)
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'JUnitXml'
$configuration.TestResult.OutputPath = Join-Path -Path $OutputPath -ChildPath 'pester-junit.xml'
$run = Invoke-Pester -Configuration $configuration

$summary = "passed $($run.PassedCount), failed $($run.FailedCount), skipped (not arrangeable on a runner) $($run.SkippedCount), inconclusive (known defects) $($run.InconclusiveCount), not run $($run.NotRunCount)"
Write-Output $summary
[System.IO.File]::WriteAllText((Join-Path -Path $OutputPath -ChildPath 'summary.txt'), $summary)
if ($run.FailedCount -gt 0 -or $run.FailedBlocksCount -gt 0 -or $run.FailedContainersCount -gt 0) {
    exit 1
}
exit 0
