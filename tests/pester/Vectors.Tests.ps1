# Every shared vector (tests/vectors/<module>/<case>.json) against the real module, on a Windows runner.
# Run through Invoke-CutoverPester.ps1, which sets CUTOVER_ANSIBLE_CORE to the pinned ansible-core's
# ansible package folder (the source of Ansible.Basic and the PowerShell module utils).

BeforeDiscovery {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'CutoverVectors.psm1') -Force
    $repository = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '..\..')).Path
    $modules = @(Get-CutoverVectorFile -Root $repository | Group-Object -Property { $_.Directory.Name } | ForEach-Object {
            @{ Module = $_.Name; Cases = @($_.Group | ForEach-Object { @{ Case = $_.BaseName; Path = $_.FullName } }) }
        })
}

BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'CutoverVectors.psm1') -Force
    $repository = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '..\..')).Path
    $ansibleCore = $env:CUTOVER_ANSIBLE_CORE
    if (-not $ansibleCore -or -not (Test-Path -LiteralPath (Join-Path -Path $ansibleCore -ChildPath 'module_utils\csharp\Ansible.Basic.cs'))) {
        throw 'CUTOVER_ANSIBLE_CORE must name the ansible package folder of the pinned ansible-core (run Invoke-CutoverPester.ps1)'
    }
}

Describe '<Module>' -ForEach $modules {
    It '<Case>' -ForEach $Cases {
        $vector = Read-CutoverVector -Path $Path
        if ($vector['windows']['arrange'] -eq 'none') {
            Set-ItResult -Skipped -Because "cannot be arranged on a Windows Server runner: $($vector['windows']['reason'])"
            return
        }
        $problems = @(Invoke-CutoverVector -Vector $vector -Root $repository -AnsibleCore $ansibleCore)
        $defect = if ($vector.ContainsKey('known_defect')) { $vector['known_defect'] } else { $null }
        if ($null -ne $defect -and @('windows', 'both') -contains $defect['side']) {
            if ($problems.Count -eq 0) {
                throw "known defect $($defect['issue']) no longer shows on Windows: remove known_defect from $Path"
            }
            Set-ItResult -Inconclusive -Because "known defect $($defect['issue']): $($defect['detail']) | observed: $($problems -join ' | ')"
            return
        }
        $problems.Count | Should -Be 0 -Because ($problems -join [Environment]::NewLine)
    }
}
