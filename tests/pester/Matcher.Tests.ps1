# The PowerShell matcher against the same cases as the Python one (tests/vectors/matcher-cases.json), so a
# vector means the same on the twin and on Windows.

BeforeDiscovery {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'CutoverVectors.psm1') -Force
    $file = Join-Path -Path $PSScriptRoot -ChildPath '..\vectors\matcher-cases.json'
    $all = ConvertFrom-VectorJson -Text ([System.IO.File]::ReadAllText($file, (New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false)))
    $cases = @($all | ForEach-Object {
            @{ Name = $_['name']; Expected = $_['expected']; Actual = $_['actual']; ShouldMatch = [bool]$_['match'] }
        })
}

BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'CutoverVectors.psm1') -Force
}

Describe 'the vector matcher' {
    It '<Name>' -ForEach $cases {
        $found = @(Get-VectorMismatch -Expected $Expected -Actual $Actual)
        ($found.Count -eq 0) | Should -Be $ShouldMatch -Because ($found -join '; ')
    }
}
