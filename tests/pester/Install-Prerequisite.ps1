# Prepares a Windows runner for Invoke-CutoverPester.ps1: the pinned Pester (PESTER_VERSION) from the
# PowerShell Gallery, and the pinned ansible-core (requirements.txt) unpacked with pip into -Destination, whose
# ansible\module_utils holds Ansible.Basic.cs and the PowerShell module utils the modules run under.
#   .\tests\pester\Install-Prerequisite.ps1 -Destination build\ansible-core
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$Destination
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0
Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'CutoverVectors.psm1') -Force
$repository = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '..\..')).Path

$pester = ([System.IO.File]::ReadAllText((Join-Path -Path $PSScriptRoot -ChildPath 'PESTER_VERSION'))).Trim()
if (-not (Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version -eq [version]$pester })) {
    Install-Module -Name Pester -RequiredVersion $pester -Repository PSGallery -Scope CurrentUser -Force -SkipPublisherCheck
}

$requirements = [System.IO.File]::ReadAllLines((Join-Path -Path $repository -ChildPath 'requirements.txt'))
$pins = @($requirements | Where-Object { $_ -match '^ansible-core==\S+$' })
if ($pins.Count -ne 1) {
    throw 'requirements.txt must pin ansible-core exactly once (ansible-core==<version>)'
}
$python = (Get-Command -Name python -CommandType Application | Select-Object -First 1).Source
$null = Invoke-VectorNative -FilePath $python -ArgumentList @('-m', 'pip', 'install', '--disable-pip-version-check', '--no-deps', '--target', $Destination, $pins[0])
$basic = Join-Path -Path $Destination -ChildPath 'ansible\module_utils\csharp\Ansible.Basic.cs'
if (-not (Test-Path -LiteralPath $basic)) {
    throw "$($pins[0]) installed into $Destination has no $basic"
}
Write-Output "Pester $pester; $($pins[0]) in $Destination"
