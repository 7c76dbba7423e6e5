# Runs one custom module the way Ansible runs it on a Windows host, and prints its result as one JSON line.
#
# Follows "Windows debugging" in Ansible's Windows module development guide
# (https://docs.ansible.com/ansible/latest/dev_guide/developing_modules_general_windows.html#windows-debugging):
# the C# module utils the module asks for (#AnsibleRequires -CSharpUtil, and their `using Ansible.*;`) are compiled
# with Add-CSharpType from Ansible.ModuleUtils.AddType, PowerShell module utils are imported, the module
# arguments come from an args file ({"ANSIBLE_MODULE_ARGS": {...}}), and $ErrorActionPreference is 'Stop' as
# in Ansible's module wrapper. Like the wrapper, the module runs in its own runspace with stdout captured:
# anything left in its error stream, or written to its output stream, fails the call.
#
# The utils come from the pinned ansible-core (requirements.txt), never from a newer copy: the workflow
# downloads exactly that version and passes its module_utils folders in -UtilPath.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$ModulePath,
    [Parameter(Mandatory = $true)][string]$ArgsPath,
    # Folders searched for module utils, separated by ';' (ansible-core csharp and powershell, the repo's own).
    [Parameter(Mandatory = $true)][string]$UtilPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0
[Console]::OutputEncoding = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false
$utf8 = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false
$folders = @($UtilPath.Split(';') | Where-Object { $_ })

function Find-ModuleUtil {
    param(
        [string]$Name,
        [string]$Extension
    )
    foreach ($folder in $folders) {
        $candidate = Join-Path -Path $folder -ChildPath "$Name$Extension"
        if (Test-Path -LiteralPath $candidate) {
            return $candidate
        }
    }
    throw "module util $Name$Extension not found in $($folders -join ', ')"
}

function Get-Requirement {
    # C# and PowerShell utils a script asks for, in the forms Ansible's module manifest accepts for builtin utils.
    param(
        [string]$Text
    )
    $csharp = @([regex]::Matches($Text, '(?im)^#AnsibleRequires\s+-CSharpUtil\s+(?<n>Ansible\.[\w.]+)') | ForEach-Object { $_.Groups['n'].Value })
    $csharp += @([regex]::Matches($Text, '(?m)^using\s+(?<n>Ansible\.\w+)\s*;') | ForEach-Object { $_.Groups['n'].Value })
    $powershell = @([regex]::Matches($Text, '(?im)^#(AnsibleRequires\s+-PowerShell|Requires\s+-Module)\s+(?<n>Ansible\.ModuleUtils\.[\w.]+)') | ForEach-Object { $_.Groups['n'].Value })
    $other = @([regex]::Matches($Text, '(?im)^#AnsibleRequires\s+-(CSharpUtil|PowerShell)\s+(?<n>(ansible_collections|\.)\S*)') | ForEach-Object { $_.Groups['n'].Value })
    if ($other.Count -gt 0) {
        throw "collection or relative module utils are not supported by this harness: $($other -join ', ')"
    }
    return @{ csharp = $csharp; powershell = $powershell }
}

function Write-Result {
    param(
        [hashtable]$Result
    )
    Add-Type -AssemblyName System.Web.Extensions
    $serializer = New-Object -TypeName System.Web.Script.Serialization.JavaScriptSerializer
    $serializer.MaxJsonLength = [int]::MaxValue
    [Console]::Out.WriteLine($serializer.Serialize($Result))
}

try {
    $moduleText = [System.IO.File]::ReadAllText($ModulePath, $utf8)

    # Resolve every util the module needs, following the utils' own requirements.
    $csharpTexts = [ordered]@{}
    $powershellTexts = [ordered]@{}
    $pending = New-Object -TypeName System.Collections.Generic.Queue[object]
    $pending.Enqueue((Get-Requirement -Text $moduleText))
    while ($pending.Count -gt 0) {
        $wanted = $pending.Dequeue()
        foreach ($name in $wanted.csharp) {
            if (-not $csharpTexts.Contains($name)) {
                $csharpTexts[$name] = [System.IO.File]::ReadAllText((Find-ModuleUtil -Name $name -Extension '.cs'), $utf8)
                $pending.Enqueue((Get-Requirement -Text $csharpTexts[$name]))
            }
        }
        foreach ($name in $wanted.powershell) {
            if (-not $powershellTexts.Contains($name)) {
                $powershellTexts[$name] = [System.IO.File]::ReadAllText((Find-ModuleUtil -Name $name -Extension '.psm1'), $utf8)
                $pending.Enqueue((Get-Requirement -Text $powershellTexts[$name]))
            }
        }
    }

    Import-Module -Name (Find-ModuleUtil -Name 'Ansible.ModuleUtils.AddType' -Extension '.psm1')
    if ($csharpTexts.Count -gt 0) {
        Add-CSharpType -References @($csharpTexts.Values) -TempPath ([System.IO.Path]::GetTempPath()) -IncludeDebugInfo
    }

    $arguments = [System.IO.File]::ReadAllText($ArgsPath, $utf8)
    Add-Type -AssemblyName System.Web.Extensions
    $parser = New-Object -TypeName System.Web.Script.Serialization.JavaScriptSerializer
    $parsed = $parser.DeserializeObject($arguments)
    if (-not ($parsed -is [System.Collections.IDictionary]) -or -not $parsed.ContainsKey('ANSIBLE_MODULE_ARGS')) {
        throw "$ArgsPath has no ANSIBLE_MODULE_ARGS"
    }

    $ps = [PowerShell]::Create()
    $ps.Runspace.SessionStateProxy.SetVariable('ErrorActionPreference', 'Stop')
    $null = $ps.AddScript('Function Write-Host($msg) { Write-Output -InputObject $msg }').AddStatement()
    foreach ($name in $powershellTexts.Keys) {
        $loader = 'param($Name, $Text) New-Module -Name $Name -ScriptBlock ([ScriptBlock]::Create($Text)) | Import-Module -Scope Global -WarningAction SilentlyContinue'
        $null = $ps.AddScript($loader, $true).AddParameters(@{ Name = $name; Text = $powershellTexts[$name] }).AddStatement()
    }
    # The module is a function of its own, called with the args file as its only argument ($args[0]), which
    # [Ansible.Basic.AnsibleModule]::Create reads like Ansible's wrapper hands it the arguments.
    # As the guide says, '#Requires -Module' lines are commented out: the utils are already imported.
    $runnable = [regex]::Replace($moduleText, '(?im)^#Requires\s+-Module', '##Requires -Module')
    $null = $ps.AddScript('param($Text) ${function:Invoke-CutoverModule} = [ScriptBlock]::Create($Text)').AddParameter('Text', $runnable).AddStatement()
    $null = $ps.AddCommand('Invoke-CutoverModule', $false).AddArgument($ArgsPath).AddStatement()

    $originalOut = [Console]::Out
    $captured = New-Object -TypeName System.Text.StringBuilder
    $writer = New-Object -TypeName System.IO.StringWriter -ArgumentList $captured
    $crash = $null
    $output = @()
    try {
        [Console]::SetOut($writer)
        $output = @($ps.Invoke())
    }
    catch {
        $crash = $_
    }
    finally {
        [Console]::SetOut($originalOut)
        $writer.Dispose()
    }

    $stdout = $captured.ToString().Trim()
    $errors = @($ps.Streams.Error | ForEach-Object { $_.ToString() })
    if ($crash) {
        Write-Result -Result @{ failed = $true; changed = $false; msg = "Unhandled exception while executing module: $crash"; module_stdout = $stdout; _harness = 'crash' }
    }
    elseif ($errors.Count -gt 0) {
        Write-Result -Result @{ failed = $true; changed = $false; msg = "The module left records in its error stream: $($errors -join ' | ')"; module_stdout = $stdout; _harness = 'error_stream' }
    }
    elseif ($output.Count -gt 0) {
        Write-Result -Result @{ failed = $true; changed = $false; msg = "The module wrote to its output stream: $($output -join ' | ')"; module_stdout = $stdout; _harness = 'output_stream' }
    }
    elseif (-not $stdout) {
        Write-Result -Result @{ failed = $true; changed = $false; msg = 'The module printed no result'; _harness = 'no_result' }
    }
    else {
        [Console]::Out.WriteLine(($stdout -split "`r?`n" | Where-Object { $_ } | Select-Object -Last 1))
    }
}
catch {
    Write-Result -Result @{ failed = $true; changed = $false; msg = "The harness could not run the module: $_"; _harness = 'setup' }
    exit 2
}
