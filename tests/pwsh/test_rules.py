"""Each PowerShell rule flags a bad sample and passes a good one (samples are inline, not repository files)."""

from __future__ import annotations

import pytest

from tests.pwsh import rules

OK_MODULE_HEAD = "#!powershell\n#AnsibleRequires -CSharpUtil Ansible.Basic\nSet-StrictMode -Version 2.0\n"

BAD = [
    ("ps51-pipeline-chain", "git pull && Write-Output 'pulled'\n"),
    ("ps51-pipeline-chain", "Test-Path C:\\x || Write-Output 'missing'\n"),
    ("ps51-parallel", "1..3 | ForEach-Object -Parallel { $_ * 2 }\n"),
    ("ps51-parallel", "1..3 | % -Par { $_ }\n"),
    ("ps51-null-coalescing", "$name = $value ?? 'default'\n"),
    ("ps51-null-coalescing", "$name ??= 'default'\n"),
    ("ps51-null-conditional", "$length = $item?.Length\n"),
    ("ps51-null-conditional", "$first = $list?[0]\n"),
    ("ps51-ternary", "$word = $ok ? 'yes' : 'no'\n"),
    ("ps51-ternary", "Write-Output ($count -gt 0 ? 'some' : 'none')\n"),
    ("parse-error", "function Get-Broken {\n    $a = @{ b = 1\n"),
    ("native-stderr-redirect", "try {\n    $null = & reg.exe load HKU\\x C:\\x\\NTUSER.DAT 2>&1\n"
                               "    if ($LASTEXITCODE -ne 0) { throw 'no' }\n} catch { }\n"),
    ("native-stderr-redirect", "try {\n    & robocopy.exe a b /L 2>$null\n    $rc = $LASTEXITCODE\n} catch { }\n"),
    ("native-stderr-redirect", "try {\n    $all = schtasks.exe /query *>&1\n    $rc = $LASTEXITCODE\n} catch { }\n"),
    ("native-exit-code", "try {\n    & robocopy.exe a b /L | Out-Null\n} catch { }\n"),
    ("native-exit-code", "try {\n    & reg.exe unload HKU\\a\n    & reg.exe unload HKU\\b\n"
                         "    if ($LASTEXITCODE) { throw 'b' }\n} catch { }\n"),
    ("native-outside-try", "& schtasks.exe /query /tn x\nif ($LASTEXITCODE -ne 0) { throw 'no task' }\n"),
    ("native-outside-try", "try {\n    & 'C:\\odt\\setup.exe' /configure c.xml\n    $rc = $LASTEXITCODE\n}"
                           " finally { Remove-Item c.xml }\n"),
    ("registry-key-dispose", "$key = $base.OpenSubKey('SOFTWARE\\x')\n$value = $key.GetValue('y')\n$key.Dispose()\n"),
    ("registry-key-dispose", "$value = $base.OpenSubKey('SOFTWARE\\x').GetValue('y')\n"),
    ("registry-key-dispose", "$base = [Microsoft.Win32.RegistryKey]::OpenBaseKey('Users', 'Default')\n"
                             "try { $x = 1 } finally { $other.Dispose() }\n"),
]

GOOD = [
    "git pull\nif ($LASTEXITCODE -eq 0) { Write-Output 'pulled' }\n",
    "1..3 | ForEach-Object -Process { $_ * 2 }\n",
    "$name = if ($null -eq $value) { 'default' } else { $value }\n",
    "$length = if ($item) { $item.Length } else { $null }\n",
    "$word = if ($ok) { 'yes' } else { 'no' }\n$url = 'https://example.invalid/?a=b:c'\n",
    "try {\n    & robocopy.exe a b /L | Out-Null\n    $rc = $LASTEXITCODE\n}\ncatch {\n    $rc = 16\n}\n",
    "try {\n    $null = & reg.exe load HKU\\x C:\\x\\NTUSER.DAT\n    if ($LASTEXITCODE -ne 0) { throw 'load' }\n}\n"
    "catch {\n    $failed = $_\n}\n",
    "$process = Start-Process -FilePath 'C:\\odt\\setup.exe' -ArgumentList '/configure' -Wait -PassThru\n",
    "$key = $base.OpenSubKey('SOFTWARE\\x')\ntry {\n    $value = $key.GetValue('y')\n}\nfinally {\n"
    "    if ($null -ne $key) { $key.Dispose() }\n}\n",
    "try {\n    $key = $base.CreateSubKey('SOFTWARE\\x')\n    $key.SetValue('y', 1)\n}\n"
    "finally {\n    $key.Close()\n}\n",
    "function Open-Key {\n    param(\n        $Base\n    )\n    return $Base.OpenSubKey('SOFTWARE\\x')\n}\n",
]


@pytest.mark.parametrize(("rule", "source"), BAD, ids=[f"{r}-{i}" for i, (r, _) in enumerate(BAD)])
def test_rule_flags_the_bad_sample(rule, source):
    found = {f.rule for f in rules.check_source(source.encode())}
    assert rule in found, f"{rule} not flagged; found {found}"


@pytest.mark.parametrize("source", GOOD, ids=[f"good-{i}" for i in range(len(GOOD))])
def test_rule_passes_the_good_sample(source):
    assert rules.check_source(source.encode()) == []


def test_every_rule_has_a_bad_sample():
    assert {r for r, _ in BAD} | {"strict-mode"} == set(rules.RULES)


def test_a_custom_module_must_set_strict_mode():
    module = "#!powershell\n#AnsibleRequires -CSharpUtil Ansible.Basic\n$spec = @{ options = @{} }\n"
    assert [f.rule for f in rules.check_source(module.encode(), custom_module=True)] == ["strict-mode"]
    inside_a_function = module + "function Set-Strict {\n    Set-StrictMode -Version 2.0\n}\n"
    assert [f.rule for f in rules.check_source(inside_a_function.encode(), custom_module=True)] == ["strict-mode"]
    assert rules.check_source((OK_MODULE_HEAD + module).encode(), custom_module=True) == []
    assert rules.check_source(module.encode(), custom_module=False) == [], "only custom modules need it"


def test_findings_name_the_file_the_line_and_the_rule():
    source = b"Set-StrictMode -Version 2.0\n\n$word = $ok ? 'yes' : 'no'\n"
    (finding,) = rules.check_source(source, path="roles/x/library/cutover_x.ps1", custom_module=True)
    assert (finding.path, finding.line, finding.rule) == ("roles/x/library/cutover_x.ps1", 3, "ps51-ternary")
    assert str(finding).startswith("roles/x/library/cutover_x.ps1:3: ps51-ternary: ")


def test_custom_modules_are_recognised_by_their_place():
    from pathlib import Path
    assert rules.is_custom_module(Path("roles/ngav/library/cutover_ngav_facts.ps1"))
    assert not rules.is_custom_module(Path("roles/fileshare_client/files/cutover-map-drives.ps1"))
    assert not rules.is_custom_module(Path("tests/pester/CutoverVectors.psm1"))
