# The Windows side of the shared test vectors (tests/vectors/README.md): read a vector, arrange its state on
# a Windows runner, run the real module under Ansible.Basic (Invoke-AnsibleModule.ps1), observe the state after,
# and match result and state with the same rules as tests/vectors/vectorlib.py.
#
# Runners are disposable, but every case undoes what it arranged (a journal of undo steps) so the next case
# starts from the runner's own state. Everything here is Windows PowerShell 5.1.

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

if (-not ('CutoverVectors.RawFile' -as [type])) {
    Add-Type -TypeDefinition @'
using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace CutoverVectors
{
    public static class RawFile
    {
        [DllImport("kernel32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern SafeFileHandle CreateFileW(string name, uint access, uint share, IntPtr security,
            uint disposition, uint flags, IntPtr template);

        [DllImport("kernel32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern bool CreateDirectoryW(string name, IntPtr security);

        public static void EnsureDirectory(string path)
        {
            string[] parts = path.TrimEnd('\\').Split('\\');
            string current = parts[0];
            for (int i = 1; i < parts.Length; i++)
            {
                current += "\\" + parts[i];
                if (!CreateDirectoryW(@"\\?\" + current, IntPtr.Zero))
                {
                    int error = Marshal.GetLastWin32Error();
                    if (error != 183)  // ERROR_ALREADY_EXISTS
                        throw new Win32Exception(error, "cannot create " + current);
                }
            }
        }

        public static void Write(string path, byte[] data)
        {
            EnsureDirectory(path.Substring(0, path.LastIndexOf('\\')));
            // GENERIC_WRITE, no sharing, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL
            using (SafeFileHandle handle = CreateFileW(@"\\?\" + path, 0x40000000, 0, IntPtr.Zero, 2, 0x80, IntPtr.Zero))
            {
                if (handle.IsInvalid)
                    throw new Win32Exception(Marshal.GetLastWin32Error(), "cannot write " + path);
                using (FileStream stream = new FileStream(handle, FileAccess.Write))
                {
                    stream.Write(data, 0, data.Length);
                }
            }
        }
    }
}
'@
}

$script:Utf8 = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false
$script:Scratch = @('C:\cutover-vectors', 'C:\ProgramData\cutover-vector')
$script:HostsFile = Join-Path -Path $env:SystemRoot -ChildPath 'System32\drivers\etc\hosts'
$script:HostsMarker = '# cutover-vector'
$script:ProfileList = 'SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList'

# What this harness can arrange and observe, and the function that does it. pytest (tests/pester/test_pester.py)
# checks that every vector with windows.arrange=full needs only these, and that each function exists below.
$script:CutoverVectorCapabilities = @{
    'arrange.registry' = 'Add-VectorRegistry'
    'arrange.users' = 'Add-VectorUser'
    'arrange.users.thunderbird_profiles' = 'Add-VectorThunderbirdProfile'
    'arrange.services.stopped' = 'Add-VectorService'
    'arrange.services.absent' = 'Add-VectorService'
    'arrange.files' = 'Add-VectorFile'
    'arrange.scheduled_tasks' = 'Add-VectorScheduledTask'
    'arrange.network.tcp' = 'Add-VectorTcpEndpoint'
    'arrange.smb_shares' = 'Add-VectorSmbShare'
    'arrange.smb_shares.saved_access' = 'Add-VectorSmbShare'
    'arrange.trees' = 'Add-VectorTree'
    'arrange.faults.locked_hive' = 'Lock-VectorHive'
    'arrange.faults.unreachable_share' = 'Test-VectorUnreachable'
    'arrange.faults.open_files' = 'Lock-VectorOpenFile'
    'observe.registry' = 'Get-VectorRegistryObservation'
    'observe.users.thunderbird_profiles' = 'Get-VectorUserObservation'
    'observe.files' = 'Get-VectorFileObservation'
    'observe.scheduled_tasks' = 'Get-VectorTaskObservation'
    'observe.smb_shares' = 'Get-VectorSmbShareObservation'
}

# ------------------------------------------------------------------------------------------------------------
# JSON and small helpers
# ------------------------------------------------------------------------------------------------------------

function ConvertFrom-VectorJson {
    # Objects become Dictionary[string, object], arrays object[]; numbers keep int/long/decimal (no PSCustomObject).
    param(
        [Parameter(Mandatory = $true)][string]$Text
    )
    Add-Type -AssemblyName System.Web.Extensions
    $serializer = New-Object -TypeName System.Web.Script.Serialization.JavaScriptSerializer
    $serializer.MaxJsonLength = [int]::MaxValue
    return , $serializer.DeserializeObject($Text)
}

function ConvertTo-VectorJson {
    param(
        $Value
    )
    Add-Type -AssemblyName System.Web.Extensions
    $serializer = New-Object -TypeName System.Web.Script.Serialization.JavaScriptSerializer
    $serializer.MaxJsonLength = [int]::MaxValue
    return $serializer.Serialize($Value)
}

function Get-VectorValue {
    param(
        $Dictionary,
        [string]$Key,
        $Default = $null
    )
    if ($null -ne $Dictionary -and $Dictionary -is [System.Collections.IDictionary] -and $Dictionary.ContainsKey($Key)) {
        return , $Dictionary[$Key]
    }
    return , $Default
}

function Test-VectorAbsent {
    param(
        $Value
    )
    return ($Value -is [System.Collections.IDictionary]) -and $Value.Count -eq 1 -and $Value.ContainsKey('$absent') -and ($Value['$absent'] -eq $true)
}

function Test-VectorList {
    param(
        $Value
    )
    return ($Value -is [System.Collections.IList]) -and -not ($Value -is [string])
}

function Test-VectorNumber {
    param(
        $Value
    )
    if ($null -eq $Value -or $Value -is [bool]) {
        return $false
    }
    $code = [System.Type]::GetTypeCode($Value.GetType())
    return @('Byte', 'SByte', 'Int16', 'UInt16', 'Int32', 'UInt32', 'Int64', 'UInt64', 'Single', 'Double', 'Decimal') -contains $code.ToString()
}

function Read-CutoverVector {
    param(
        [Parameter(Mandatory = $true)][string]$Path
    )
    $vector = ConvertFrom-VectorJson -Text ([System.IO.File]::ReadAllText($Path, $script:Utf8))
    $vector['path'] = $Path
    return , $vector
}

function Get-CutoverVectorFile {
    # Every vector, the same set pytest runs: tests/vectors/<module>/<case>.json.
    param(
        [Parameter(Mandatory = $true)][string]$Root
    )
    $vectors = Join-Path -Path $Root -ChildPath 'tests\vectors'
    return @(Get-ChildItem -LiteralPath $vectors -Directory | Where-Object { $_.Name -like 'cutover_*' } | Sort-Object -Property Name | ForEach-Object {
            Get-ChildItem -LiteralPath $_.FullName -Filter '*.json' -File | Sort-Object -Property Name
        })
}

function ConvertTo-VectorArgument {
    # One argument quoted by the Windows command-line rules (CommandLineToArgvW).
    param(
        [string]$Value
    )
    if ($Value -and $Value -notmatch '[\s"]') {
        return $Value
    }
    $escaped = [regex]::Replace($Value, '(\\*)"', { param($m) ($m.Groups[1].Value * 2) + '\"' })
    $escaped = [regex]::Replace($escaped, '(\\+)$', { param($m) $m.Groups[1].Value * 2 })
    return '"' + $escaped + '"'
}

function Invoke-VectorNative {
    # A native program with its exit code, stdout and stderr kept apart: never through PowerShell's error stream.
    param(
        [Parameter(Mandatory = $true)][string]$FilePath,
        [string[]]$ArgumentList = @(),
        [int]$TimeoutSeconds = 300,
        [switch]$AllowFailure
    )
    $info = New-Object -TypeName System.Diagnostics.ProcessStartInfo
    $info.FileName = $FilePath
    $info.Arguments = (@($ArgumentList | ForEach-Object { ConvertTo-VectorArgument -Value $_ }) -join ' ')
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.CreateNoWindow = $true
    $info.StandardOutputEncoding = $script:Utf8
    $process = [System.Diagnostics.Process]::Start($info)
    try {
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill()
            throw "$FilePath $($info.Arguments) did not finish within $TimeoutSeconds s"
        }
        $process.WaitForExit()
        $result = [pscustomobject]@{ ExitCode = $process.ExitCode; StdOut = $stdout.Result; StdErr = $stderr.Result }
    }
    finally {
        $process.Dispose()
    }
    if ($result.ExitCode -ne 0 -and -not $AllowFailure) {
        throw "$FilePath $($info.Arguments) exited $($result.ExitCode): $($result.StdErr.Trim()) $($result.StdOut.Trim())"
    }
    return $result
}

# ------------------------------------------------------------------------------------------------------------
# matching: the same rules as tests/vectors/vectorlib.py (both run tests/vectors/matcher-cases.json)
# ------------------------------------------------------------------------------------------------------------

function Get-VectorOperator {
    param(
        $Value
    )
    if (($Value -is [System.Collections.IDictionary]) -and $Value.Count -eq 1) {
        foreach ($key in $Value.Keys) {
            if ([string]$key -like '$*') {
                return [string]$key
            }
        }
    }
    return $null
}

function Format-VectorValue {
    param(
        $Value
    )
    $text = ConvertTo-VectorJson -Value $Value
    if ($text.Length -gt 120) {
        $text = $text.Substring(0, 120)
    }
    return $text
}

function Test-VectorScalar {
    param(
        $Expected,
        $Actual
    )
    if ($Expected -is [bool] -or $Actual -is [bool]) {
        return ($Expected -is [bool]) -and ($Actual -is [bool]) -and ($Expected -eq $Actual)
    }
    if ((Test-VectorNumber -Value $Expected) -or (Test-VectorNumber -Value $Actual)) {
        return (Test-VectorNumber -Value $Expected) -and (Test-VectorNumber -Value $Actual) -and ([decimal]$Expected -eq [decimal]$Actual)
    }
    if ($null -eq $Expected -or $null -eq $Actual) {
        return ($null -eq $Expected) -and ($null -eq $Actual)
    }
    return ($Expected -is [string]) -and ($Actual -is [string]) -and ($Expected -ceq $Actual)
}

function Test-VectorAssignment {
    # Can each expected item be matched to a different actual item? (backtracking; the lists are small)
    param(
        [object[]]$Fits,
        [int]$Index,
        [System.Collections.Generic.HashSet[int]]$Used
    )
    if ($Index -ge $Fits.Count) {
        return $true
    }
    foreach ($candidate in $Fits[$Index]) {
        if ($Used.Add([int]$candidate)) {
            if (Test-VectorAssignment -Fits $Fits -Index ($Index + 1) -Used $Used) {
                return $true
            }
            $null = $Used.Remove([int]$candidate)
        }
    }
    return $false
}

function Get-VectorMismatch {
    # Everything that does not match, one line each; nothing when $Actual matches $Expected.
    param(
        $Expected,
        $Actual,
        [string]$Path = ''
    )
    $where = if ($Path) { $Path } else { '(top)' }
    $operator = Get-VectorOperator -Value $Expected
    if ($operator) {
        if ($operator -eq '$any') {
            return
        }
        if ($operator -eq '$absent') {
            "${where}: expected to be absent"
            return
        }
        if (-not (Test-VectorList -Value $Actual)) {
            "${where}: expected a list, got $(Format-VectorValue -Value $Actual)"
            return
        }
        $items = @($Expected[$operator])
        $actualItems = @($Actual)
        if ($operator -eq '$unordered' -and $items.Count -ne $actualItems.Count) {
            "${where}: expected $($items.Count) items, got $($actualItems.Count)"
            return
        }
        $fits = [object[]]::new($items.Count)
        for ($i = 0; $i -lt $items.Count; $i++) {
            $options = New-Object -TypeName System.Collections.Generic.List[int]
            for ($j = 0; $j -lt $actualItems.Count; $j++) {
                if (@(Get-VectorMismatch -Expected $items[$i] -Actual $actualItems[$j] -Path $where).Count -eq 0) {
                    $options.Add($j)
                }
            }
            if ($options.Count -eq 0) {
                "${where}: no actual item matches expected item ${i}: $(Format-VectorValue -Value $items[$i])"
                return
            }
            $fits[$i] = $options.ToArray()
        }
        $used = New-Object -TypeName System.Collections.Generic.HashSet[int]
        if (-not (Test-VectorAssignment -Fits $fits -Index 0 -Used $used)) {
            "${where}: the expected items cannot each be matched to a different actual item"
        }
        return
    }
    if ($Expected -is [System.Collections.IDictionary]) {
        if (-not ($Actual -is [System.Collections.IDictionary])) {
            "${where}: expected an object, got $(Format-VectorValue -Value $Actual)"
            return
        }
        foreach ($key in $Expected.Keys) {
            $sub = if ($Path) { "$Path.$key" } else { [string]$key }
            if (Test-VectorAbsent -Value $Expected[$key]) {
                if ($Actual.ContainsKey($key)) {
                    "${sub}: expected to be absent, got $(Format-VectorValue -Value $Actual[$key])"
                }
            }
            elseif (-not $Actual.ContainsKey($key)) {
                "${sub}: missing"
            }
            else {
                Get-VectorMismatch -Expected $Expected[$key] -Actual $Actual[$key] -Path $sub
            }
        }
        return
    }
    if (Test-VectorList -Value $Expected) {
        if (-not (Test-VectorList -Value $Actual)) {
            "${where}: expected a list, got $(Format-VectorValue -Value $Actual)"
            return
        }
        $expectedItems = @($Expected)
        $actualItems = @($Actual)
        if ($expectedItems.Count -ne $actualItems.Count) {
            "${where}: expected $($expectedItems.Count) items, got $($actualItems.Count)"
            return
        }
        for ($i = 0; $i -lt $expectedItems.Count; $i++) {
            Get-VectorMismatch -Expected $expectedItems[$i] -Actual $actualItems[$i] -Path "$Path[$i]"
        }
        return
    }
    if (-not (Test-VectorScalar -Expected $Expected -Actual $Actual)) {
        "${where}: expected $(Format-VectorValue -Value $Expected), got $(Format-VectorValue -Value $Actual)"
    }
}

function Set-VectorHostDependent {
    # On a runner, values that come from the runner itself are only required to be present.
    param(
        $Expect,
        [string[]]$Paths
    )
    foreach ($dotted in $Paths) {
        $parts = $dotted.Split('.')
        $node = $Expect
        for ($i = 0; $i -lt $parts.Count - 1; $i++) {
            $node = $node[$parts[$i]]
        }
        $anyValue = New-Object -TypeName 'System.Collections.Generic.Dictionary[string,object]'
        $anyValue['$any'] = $true
        $node[$parts[-1]] = $anyValue
    }
}

# ------------------------------------------------------------------------------------------------------------
# the undo journal
# ------------------------------------------------------------------------------------------------------------

function New-VectorJournal {
    return , (New-Object -TypeName System.Collections.Generic.List[scriptblock])
}

function Undo-VectorJournal {
    # Every undo step runs, newest first; failures are collected and reported together.
    param(
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][System.Collections.Generic.List[scriptblock]]$Journal
    )
    $problems = New-Object -TypeName System.Collections.Generic.List[string]
    for ($i = $Journal.Count - 1; $i -ge 0; $i--) {
        try {
            & $Journal[$i]
        }
        catch {
            $problems.Add("undo step ${i}: $_")
        }
    }
    $Journal.Clear()
    foreach ($folder in $script:Scratch) {
        if (Test-Path -LiteralPath $folder) {
            # rd with a \\?\ path also removes names Win32 refuses (trailing dots, reserved device names).
            $removal = Invoke-VectorNative -FilePath (Join-Path -Path $env:SystemRoot -ChildPath 'System32\cmd.exe') -ArgumentList @('/d', '/c', 'rd', '/s', '/q', "\\?\$folder") -AllowFailure
            if ($removal.ExitCode -ne 0 -or (Test-Path -LiteralPath $folder)) {
                $problems.Add("could not remove $folder`: $($removal.StdErr.Trim())")
            }
        }
    }
    if ($problems.Count -gt 0) {
        throw ($problems -join '; ')
    }
}

# ------------------------------------------------------------------------------------------------------------
# registry
# ------------------------------------------------------------------------------------------------------------

$script:RegistryKinds = @{
    REG_SZ = [Microsoft.Win32.RegistryValueKind]::String
    REG_EXPAND_SZ = [Microsoft.Win32.RegistryValueKind]::ExpandString
    REG_MULTI_SZ = [Microsoft.Win32.RegistryValueKind]::MultiString
    REG_DWORD = [Microsoft.Win32.RegistryValueKind]::DWord
    REG_QWORD = [Microsoft.Win32.RegistryValueKind]::QWord
    REG_BINARY = [Microsoft.Win32.RegistryValueKind]::Binary
    REG_NONE = [Microsoft.Win32.RegistryValueKind]::None
}

function Split-VectorRegistryPath {
    param(
        [Parameter(Mandatory = $true)][string]$Path
    )
    $head, $rest = $Path.Split([string[]]@('\'), 2, [System.StringSplitOptions]::None)
    switch -Regex ($head) {
        '^(HKLM|HKEY_LOCAL_MACHINE):?$' { $hive = [Microsoft.Win32.RegistryHive]::LocalMachine }
        '^(HKU|HKEY_USERS):?$' { $hive = [Microsoft.Win32.RegistryHive]::Users }
        default { throw "registry path ${Path}: only HKLM and HKU can be arranged" }
    }
    if ($null -eq $rest) {
        $rest = ''
    }
    return @{ Hive = $hive; SubKey = $rest }
}

function Open-VectorBaseKey {
    param(
        [Microsoft.Win32.RegistryHive]$Hive
    )
    return [Microsoft.Win32.RegistryKey]::OpenBaseKey($Hive, [Microsoft.Win32.RegistryView]::Registry64)
}

function ConvertTo-VectorRegistryData {
    param(
        [string]$Kind,
        $Data
    )
    switch ($Kind) {
        'REG_SZ' { return , [string]$Data }
        'REG_EXPAND_SZ' { return , [string]$Data }
        'REG_MULTI_SZ' { return , [string[]]@($Data) }
        'REG_DWORD' { return , [BitConverter]::ToInt32([BitConverter]::GetBytes([uint32]$Data), 0) }
        'REG_QWORD' { return , [BitConverter]::ToInt64([BitConverter]::GetBytes([uint64]$Data), 0) }
        'REG_BINARY' { return , [byte[]]@($Data) }
        'REG_NONE' { return , [byte[]]@($Data) }
        default { throw "registry value kind $Kind is not one of $($script:RegistryKinds.Keys -join ', ')" }
    }
}

function ConvertFrom-VectorRegistryValue {
    # One value in the twin's shape: {type, data}, DWORD/QWORD unsigned, binary as a list of bytes.
    param(
        [Microsoft.Win32.RegistryKey]$Key,
        [string]$Name
    )
    $kind = $Key.GetValueKind($Name)
    $raw = $Key.GetValue($Name, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
    $type = ($script:RegistryKinds.GetEnumerator() | Where-Object { $_.Value -eq $kind } | Select-Object -First 1).Key
    switch ($type) {
        'REG_DWORD' { $data = [long][BitConverter]::ToUInt32([BitConverter]::GetBytes([int32]$raw), 0) }
        'REG_QWORD' { $data = [decimal][BitConverter]::ToUInt64([BitConverter]::GetBytes([int64]$raw), 0) }
        'REG_BINARY' { $data = [object[]]@($raw | ForEach-Object { [int]$_ }) }
        'REG_NONE' { $data = [object[]]@($raw | ForEach-Object { [int]$_ }) }
        'REG_MULTI_SZ' { $data = [object[]]@($raw) }
        default { $data = [string]$raw }
    }
    return @{ type = $type; data = $data }
}

function Test-VectorRegistryKey {
    param(
        [Microsoft.Win32.RegistryKey]$Base,
        [string]$SubKey
    )
    $probe = $Base.OpenSubKey($SubKey)
    try {
        return ($null -ne $probe)
    }
    finally {
        if ($null -ne $probe) {
            $probe.Dispose()
        }
    }
}

function Write-VectorRegistryValues {
    # Values into an open key; an $absent value is deleted.
    param(
        [Microsoft.Win32.RegistryKey]$Key,
        $Values
    )
    foreach ($name in $Values.Keys) {
        $value = $Values[$name]
        if (Test-VectorAbsent -Value $value) {
            $Key.DeleteValue($name, $false)
        }
        else {
            $Key.SetValue($name, (ConvertTo-VectorRegistryData -Kind $value['type'] -Data $value['data']), $script:RegistryKinds[$value['type']])
        }
    }
}

function Add-VectorRegistryKey {
    # One HKLM key with its values; the journal restores the values it had, or removes what did not exist.
    param(
        [string]$Path,
        $Values,
        [System.Collections.Generic.List[scriptblock]]$Journal
    )
    $target = Split-VectorRegistryPath -Path $Path
    $base = Open-VectorBaseKey -Hive $target.Hive
    try {
        if (Test-VectorAbsent -Value $Values) {
            if (Test-VectorRegistryKey -Base $base -SubKey $target.SubKey) {
                $backup = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath ("cutover-vector-{0}.reg" -f [guid]::NewGuid())
                $null = Invoke-VectorNative -FilePath 'reg.exe' -ArgumentList @('export', $Path, $backup, '/y')
                $base.DeleteSubKeyTree($target.SubKey)
                $Journal.Add({ $null = Invoke-VectorNative -FilePath 'reg.exe' -ArgumentList @('import', $backup) }.GetNewClosure())
            }
            return
        }
        # Remember the topmost key that does not exist yet: deleting it undoes everything created below it.
        $parts = $target.SubKey.Split([char]'\')
        $created = $null
        for ($i = 1; $i -le $parts.Count; $i++) {
            $partial = ($parts[0..($i - 1)] -join '\')
            if (-not (Test-VectorRegistryKey -Base $base -SubKey $partial)) {
                $created = $partial
                break
            }
        }
        $key = $base.CreateSubKey($target.SubKey)
        try {
            if ($null -eq $created) {
                $previous = @{}
                foreach ($name in $Values.Keys) {
                    if ($key.GetValueNames() -contains $name) {
                        $previous[$name] = @{ kind = $key.GetValueKind($name); data = $key.GetValue($name, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames) }
                    }
                    else {
                        $previous[$name] = $null
                    }
                }
                $hive = $target.Hive
                $subKey = $target.SubKey
                $Journal.Add({
                        $undoBase = [Microsoft.Win32.RegistryKey]::OpenBaseKey($hive, [Microsoft.Win32.RegistryView]::Registry64)
                        try {
                            $undoKey = $undoBase.OpenSubKey($subKey, $true)
                            try {
                                if ($null -ne $undoKey) {
                                    foreach ($name in $previous.Keys) {
                                        if ($null -eq $previous[$name]) {
                                            $undoKey.DeleteValue($name, $false)
                                        }
                                        else {
                                            $undoKey.SetValue($name, $previous[$name].data, $previous[$name].kind)
                                        }
                                    }
                                }
                            }
                            finally {
                                if ($null -ne $undoKey) { $undoKey.Dispose() }
                            }
                        }
                        finally {
                            $undoBase.Dispose()
                        }
                    }.GetNewClosure())
            }
            else {
                $hive = $target.Hive
                $Journal.Add({
                        $undoBase = [Microsoft.Win32.RegistryKey]::OpenBaseKey($hive, [Microsoft.Win32.RegistryView]::Registry64)
                        try {
                            $undoBase.DeleteSubKeyTree($created, $false)
                        }
                        finally {
                            $undoBase.Dispose()
                        }
                    }.GetNewClosure())
            }
            Write-VectorRegistryValues -Key $key -Values $Values
        }
        finally {
            $key.Dispose()
        }
    }
    finally {
        $base.Dispose()
    }
}

function Add-VectorRegistry {
    # HKLM keys directly; HKU\<SID>\ keys go into that user's hive file (Add-VectorUser).
    param(
        $Vector,
        [System.Collections.Generic.List[scriptblock]]$Journal
    )
    $registry = Get-VectorValue -Dictionary $Vector['state'] -Key 'registry' -Default @{}
    foreach ($path in $registry.Keys) {
        if ($path -match '^(HKU|HKEY_USERS)\\') {
            continue
        }
        Add-VectorRegistryKey -Path $path -Values $registry[$path] -Journal $Journal
    }
}

function Get-VectorUserRegistry {
    # The HKU\<SID>\... entries of one user, with paths relative to the hive root.
    param(
        $Vector,
        [string]$Sid
    )
    $registry = Get-VectorValue -Dictionary $Vector['state'] -Key 'registry' -Default @{}
    $mine = @{}
    $prefix = '^(HKU|HKEY_USERS)\\' + [regex]::Escape($Sid) + '(\\|$)'
    foreach ($path in $registry.Keys) {
        if ($path -match $prefix) {
            $mine[($path -replace $prefix, '')] = $registry[$path]
        }
    }
    return $mine
}

function Invoke-VectorHiveUnload {
    param(
        [string]$Name
    )
    [gc]::Collect()
    [gc]::WaitForPendingFinalizers()
    $null = Invoke-VectorNative -FilePath 'reg.exe' -ArgumentList @('unload', "HKU\$Name")
}

function New-VectorHiveFile {
    # A real hive file holding the user's keys: built under a scratch HKLM key, written with reg save.
    param(
        [string]$Sid,
        $Keys,
        [string]$File
    )
    $scratch = "SOFTWARE\CutoverVectorHive\$Sid"
    $base = Open-VectorBaseKey -Hive ([Microsoft.Win32.RegistryHive]::LocalMachine)
    try {
        $root = $base.CreateSubKey($scratch)
        try {
            foreach ($relative in $Keys.Keys) {
                if (-not $relative) {
                    Write-VectorRegistryValues -Key $root -Values $Keys[$relative]
                    continue
                }
                $key = $root.CreateSubKey($relative)
                try {
                    Write-VectorRegistryValues -Key $key -Values $Keys[$relative]
                }
                finally {
                    $key.Dispose()
                }
            }
        }
        finally {
            $root.Dispose()
        }
        $null = Invoke-VectorNative -FilePath 'reg.exe' -ArgumentList @('save', "HKLM\$scratch", $File, '/y')
    }
    finally {
        $base.DeleteSubKeyTree('SOFTWARE\CutoverVectorHive', $false)
        $base.Dispose()
    }
}

function Add-VectorUser {
    # A profile a module can find: ProfileList\<SID>, the profile folder, NTUSER.DAT with the user's keys,
    # loaded at HKU\<SID> when the user is logged on. No Windows account is needed for that.
    param(
        $Vector,
        [System.Collections.Generic.List[scriptblock]]$Journal
    )
    foreach ($user in @(Get-VectorValue -Dictionary $Vector['state'] -Key 'users' -Default @())) {
        $sid = $user['sid']
        $profilePath = $user['profile_path']
        if (Test-Path -LiteralPath $profilePath) {
            throw "cannot arrange user $sid`: $profilePath already exists on the runner"
        }
        $null = New-Item -ItemType Directory -Path $profilePath -Force
        $Journal.Add({ Remove-Item -LiteralPath $profilePath -Recurse -Force }.GetNewClosure())
        $profileValues = New-Object -TypeName 'System.Collections.Generic.Dictionary[string,object]'
        $profileValues['ProfileImagePath'] = @{ type = 'REG_EXPAND_SZ'; data = $profilePath }
        Add-VectorRegistryKey -Path "HKLM\$script:ProfileList\$sid" -Values $profileValues -Journal $Journal
        $hiveFile = Join-Path -Path $profilePath -ChildPath 'NTUSER.DAT'
        New-VectorHiveFile -Sid $sid -Keys (Get-VectorUserRegistry -Vector $Vector -Sid $sid) -File $hiveFile
        if ($user['logged_on']) {
            $null = Invoke-VectorNative -FilePath 'reg.exe' -ArgumentList @('load', "HKU\$sid", $hiveFile)
            $Journal.Add({ Invoke-VectorHiveUnload -Name $sid }.GetNewClosure())
        }
        if (@(Get-VectorValue -Dictionary $user -Key 'thunderbird_profiles' -Default @()).Count -gt 0) {
            Add-VectorThunderbirdProfile -User $user
        }
    }
}

function ConvertTo-VectorPrefValue {
    param(
        $Value
    )
    $text = [string]$Value
    if ($Value -is [bool]) {
        return $text.ToLowerInvariant()
    }
    if ($text -ceq 'true' -or $text -ceq 'false' -or $text -match '^-?\d+$') {
        return $text
    }
    return '"' + $text.Replace('\', '\\').Replace('"', '\"') + '"'
}

function Add-VectorThunderbirdProfile {
    # profiles.ini under AppData\Roaming\Thunderbird, and each profile's prefs.js and user.js.
    param(
        $User
    )
    $root = Join-Path -Path $User['profile_path'] -ChildPath 'AppData\Roaming\Thunderbird'
    $null = New-Item -ItemType Directory -Path $root -Force
    $ini = New-Object -TypeName System.Collections.Generic.List[string]
    $ini.Add('[General]')
    $ini.Add('StartWithLastProfile=1')
    $n = 0
    foreach ($thunderbird in @($User['thunderbird_profiles'])) {
        $directory = $thunderbird['dir']
        $null = New-Item -ItemType Directory -Path $directory -Force
        $ini.Add('')
        $ini.Add("[Profile$n]")
        $ini.Add("Name=profile$n")
        if ($directory.StartsWith($root + '\', [System.StringComparison]::OrdinalIgnoreCase)) {
            $ini.Add('IsRelative=1')
            $ini.Add('Path=' + $directory.Substring($root.Length + 1).Replace('\', '/'))
        }
        else {
            $ini.Add('IsRelative=0')
            $ini.Add("Path=$directory")
        }
        $prefs = Get-VectorValue -Dictionary $thunderbird -Key 'prefs' -Default @{}
        $lines = @('// Mozilla User Preferences') + @($prefs.Keys | Sort-Object | ForEach-Object { "user_pref(""$_"", $(ConvertTo-VectorPrefValue -Value $prefs[$_]));" })
        [System.IO.File]::WriteAllLines((Join-Path -Path $directory -ChildPath 'prefs.js'), [string[]]$lines, $script:Utf8)
        $userJs = @(Get-VectorValue -Dictionary $thunderbird -Key 'user_js' -Default @())
        if ($userJs.Count -gt 0) {
            [System.IO.File]::WriteAllLines((Join-Path -Path $directory -ChildPath 'user.js'), [string[]]$userJs, $script:Utf8)
        }
        $n++
    }
    [System.IO.File]::WriteAllLines((Join-Path -Path $root -ChildPath 'profiles.ini'), [string[]]$ini, $script:Utf8)
}

function Lock-VectorHive {
    # Every not-logged-on user's NTUSER.DAT held open without sharing, so reg load fails as on a locked profile.
    param(
        $Vector,
        [System.Collections.Generic.List[scriptblock]]$Journal
    )
    foreach ($user in @(Get-VectorValue -Dictionary $Vector['state'] -Key 'users' -Default @())) {
        if (-not $user['logged_on']) {
            $stream = [System.IO.File]::Open((Join-Path -Path $user['profile_path'] -ChildPath 'NTUSER.DAT'), 'Open', 'ReadWrite', 'None')
            $Journal.Add({ $stream.Dispose() }.GetNewClosure())
        }
    }
}

function Test-VectorUnreachable {
    # Nothing to arrange: the vector's UNC paths are under *.example (RFC 2606), which never resolves.
    param(
        $Vector,
        [System.Collections.Generic.List[scriptblock]]$Journal
    )
    foreach ($value in $Vector['args'].Values) {
        if ($value -is [string] -and $value.StartsWith('\\') -and $value -notmatch '^\\\\[^\\]+\.example\\') {
            throw "faults.unreachable_share needs UNC paths under *.example, got $value"
        }
    }
}

# ------------------------------------------------------------------------------------------------------------
# services, files, scheduled tasks, network, shares
# ------------------------------------------------------------------------------------------------------------

function Add-VectorService {
    # Stopped services only: a running one would need a real service binary.
    param(
        $Vector,
        [System.Collections.Generic.List[scriptblock]]$Journal
    )
    $services = Get-VectorValue -Dictionary $Vector['state'] -Key 'services' -Default @{}
    $startTypes = @{ auto = 'Automatic'; automatic = 'Automatic'; manual = 'Manual'; disabled = 'Disabled' }
    foreach ($name in $services.Keys) {
        $existing = Get-Service -Name $name -ErrorAction SilentlyContinue
        if (Test-VectorAbsent -Value $services[$name]) {
            if ($existing) {
                throw "cannot arrange: the runner has a service named $name"
            }
            continue
        }
        if ($existing) {
            throw "cannot arrange service $name`: it already exists on the runner"
        }
        $service = $services[$name]
        if ($service['state'] -ne 'stopped') {
            throw "cannot arrange service $name in state $($service['state']): only stopped services"
        }
        $binary = "C:\cutover-vectors\bin\$name.exe"
        $null = New-Service -Name $name -BinaryPathName $binary -DisplayName (Get-VectorValue -Dictionary $service -Key 'display_name' -Default $name) -StartupType $startTypes[$service['start_mode']]
        $Journal.Add({
                $instance = Get-CimInstance -ClassName Win32_Service -Filter "Name = '$name'"
                if ($instance) {
                    $null = Invoke-CimMethod -InputObject $instance -MethodName Delete
                }
            }.GetNewClosure())
    }
}

function Write-VectorFileBytes {
    # Through a \\?\ path (CreateFileW), so names Win32 refuses (trailing dot, reserved device name) can exist;
    # Windows PowerShell 5.1's System.IO may use legacy path handling that rejects \\?\.
    param(
        [string]$Path,
        [byte[]]$Bytes
    )
    [CutoverVectors.RawFile]::Write($Path, $Bytes)
}

function Get-VectorFileBytes {
    param(
        $Entry
    )
    if ($Entry.ContainsKey('content')) {
        return , $script:Utf8.GetBytes([string]$Entry['content'])
    }
    return , (New-Object -TypeName 'byte[]' -ArgumentList ([int](Get-VectorValue -Dictionary $Entry -Key 'size' -Default 0)))
}

function Add-VectorFile {
    param(
        $Vector,
        [System.Collections.Generic.List[scriptblock]]$Journal
    )
    $files = Get-VectorValue -Dictionary $Vector['state'] -Key 'files' -Default @{}
    foreach ($path in $files.Keys) {
        $existed = Test-Path -LiteralPath $path
        if ($existed) {
            $backup = [System.IO.File]::ReadAllBytes($path)
            $Journal.Add({ [System.IO.File]::WriteAllBytes($path, $backup) }.GetNewClosure())
        }
        else {
            $Journal.Add({ if (Test-Path -LiteralPath $path) { Remove-Item -LiteralPath $path -Force } }.GetNewClosure())
        }
        if (Test-VectorAbsent -Value $files[$path]) {
            if ($existed) {
                Remove-Item -LiteralPath $path -Force
            }
            continue
        }
        Write-VectorFileBytes -Path $path -Bytes (Get-VectorFileBytes -Entry $files[$path])
    }
}

function Split-VectorTaskPath {
    param(
        [string]$FullName
    )
    $index = $FullName.LastIndexOf('\')
    return @{ Folder = $FullName.Substring(0, $index + 1); Name = $FullName.Substring($index + 1) }
}

function Add-VectorScheduledTask {
    param(
        $Vector,
        [System.Collections.Generic.List[scriptblock]]$Journal
    )
    $tasks = Get-VectorValue -Dictionary $Vector['state'] -Key 'scheduled_tasks' -Default @{}
    foreach ($fullName in $tasks.Keys) {
        $where = Split-VectorTaskPath -FullName $fullName
        $folder = $where.Folder
        $name = $where.Name
        $existing = Get-ScheduledTask -TaskPath $folder -TaskName $name -ErrorAction SilentlyContinue
        if ($existing) {
            $xml = Export-ScheduledTask -TaskPath $folder -TaskName $name
            Unregister-ScheduledTask -TaskPath $folder -TaskName $name -Confirm:$false
            $Journal.Add({
                    if (Get-ScheduledTask -TaskPath $folder -TaskName $name -ErrorAction SilentlyContinue) {
                        Unregister-ScheduledTask -TaskPath $folder -TaskName $name -Confirm:$false
                    }
                    $null = Register-ScheduledTask -TaskPath $folder -TaskName $name -Xml $xml
                }.GetNewClosure())
        }
        else {
            $Journal.Add({
                    if (Get-ScheduledTask -TaskPath $folder -TaskName $name -ErrorAction SilentlyContinue) {
                        Unregister-ScheduledTask -TaskPath $folder -TaskName $name -Confirm:$false
                    }
                }.GetNewClosure())
        }
        $task = $tasks[$fullName]
        if (Test-VectorAbsent -Value $task) {
            continue
        }
        $actions = @(foreach ($action in @($task['actions'])) {
                $arguments = Get-VectorValue -Dictionary $action -Key 'arguments' -Default ''
                if ($arguments) {
                    New-ScheduledTaskAction -Execute $action['path'] -Argument $arguments
                }
                else {
                    New-ScheduledTaskAction -Execute $action['path']
                }
            })
        $triggers = @(foreach ($trigger in @(Get-VectorValue -Dictionary $task -Key 'triggers' -Default @())) {
                switch ($trigger['type']) {
                    'daily' { New-ScheduledTaskTrigger -Daily -At ([datetime]$trigger['start_boundary']) }
                    'logon' { New-ScheduledTaskTrigger -AtLogOn }
                    default { throw "scheduled task trigger type $($trigger['type']) cannot be arranged" }
                }
            })
        $settings = if ((Get-VectorValue -Dictionary $task -Key 'enabled' -Default $true) -eq $false) { New-ScheduledTaskSettingsSet -Disable } else { New-ScheduledTaskSettingsSet }
        $register = @{ TaskPath = $folder; TaskName = $name; Action = $actions; Settings = $settings }
        if ($triggers.Count -gt 0) {
            $register.Trigger = $triggers
        }
        $description = Get-VectorValue -Dictionary $task -Key 'description'
        if ($description) {
            $register.Description = $description
        }
        $null = Register-ScheduledTask @register
    }
}

function Set-VectorHostsEntry {
    param(
        [string]$Address,
        [string]$HostName,
        [System.Collections.Generic.List[scriptblock]]$Journal
    )
    $hostsFile = $script:HostsFile
    $marker = $script:HostsMarker
    [System.IO.File]::AppendAllText($hostsFile, "`r`n$Address $HostName $marker`r`n", [System.Text.Encoding]::ASCII)
    Clear-DnsClientCache
    $Journal.Add({
            $kept = @([System.IO.File]::ReadAllLines($hostsFile) | Where-Object { -not $_.EndsWith($marker) })
            [System.IO.File]::WriteAllLines($hostsFile, [string[]]$kept, [System.Text.Encoding]::ASCII)
            Clear-DnsClientCache
        }.GetNewClosure())
}

function Add-VectorTcpEndpoint {
    # host:port true → the name points at 127.0.0.1 and something listens there; false → 192.0.2.1 (never answers).
    param(
        $Vector,
        [System.Collections.Generic.List[scriptblock]]$Journal
    )
    $tcp = Get-VectorValue -Dictionary $Vector['state']['network'] -Key 'tcp' -Default @{}
    $named = @{}
    foreach ($endpoint in $tcp.Keys) {
        $hostName, $port = $endpoint.Split(':')
        $open = [bool]$tcp[$endpoint]
        if ($named.ContainsKey($hostName) -and $named[$hostName] -ne $open) {
            throw "network.tcp: $hostName cannot be both reachable and not on one runner"
        }
        if (-not $named.ContainsKey($hostName)) {
            $address = if ($open) { '127.0.0.1' } else { '192.0.2.1' }
            Set-VectorHostsEntry -Address $address -HostName $hostName -Journal $Journal
            $named[$hostName] = $open
        }
        if ($open) {
            $listener = New-Object -TypeName System.Net.Sockets.TcpListener -ArgumentList ([System.Net.IPAddress]::Loopback), ([int]$port)
            $listener.Start()
            $Journal.Add({ $listener.Stop() }.GetNewClosure())
        }
    }
}

function Add-VectorSmbShareObject {
    param(
        [string]$Name,
        [string]$Folder,
        [object[]]$Access,
        [System.Collections.Generic.List[scriptblock]]$Journal
    )
    if (Get-SmbShare -Name $Name -ErrorAction SilentlyContinue) {
        throw "cannot arrange SMB share $Name`: it already exists on the runner"
    }
    $null = New-Item -ItemType Directory -Path $Folder -Force
    $share = @{ Name = $Name; Path = $Folder }
    $byRight = @{ Full = 'FullAccess'; Change = 'ChangeAccess'; Read = 'ReadAccess' }
    foreach ($entry in $Access) {
        $parameter = if ($entry['type'] -eq 'Deny') { 'NoAccess' } else { $byRight[$entry['right']] }
        if (-not $parameter) {
            throw "SMB access right $($entry['right']) cannot be arranged"
        }
        $share[$parameter] = @(Get-VectorValue -Dictionary $share -Key $parameter -Default @()) + $entry['account']
    }
    $null = New-SmbShare @share
    $Journal.Add({ Remove-SmbShare -Name $Name -Force }.GetNewClosure())
}

function Get-VectorSavedAccessFile {
    param(
        $Vector,
        [string]$Share
    )
    $folder = Get-VectorValue -Dictionary $Vector['args'] -Key 'saved_access_path' -Default 'C:\ProgramData\cutover\share-access'
    return Join-Path -Path $folder -ChildPath "$Share.json"
}

function Add-VectorSmbShare {
    param(
        $Vector,
        [System.Collections.Generic.List[scriptblock]]$Journal
    )
    $shares = Get-VectorValue -Dictionary $Vector['state'] -Key 'smb_shares' -Default @{}
    foreach ($key in $shares.Keys) {
        $share = $shares[$key]
        Add-VectorSmbShareObject -Name $share['name'] -Folder "C:\cutover-vectors\smb\$($share['name'])" -Access @($share['access']) -Journal $Journal
        $saved = Get-VectorValue -Dictionary $share -Key 'saved_access'
        $file = Get-VectorSavedAccessFile -Vector $Vector -Share $share['name']
        $Journal.Add({ if (Test-Path -LiteralPath $file) { Remove-Item -LiteralPath $file -Force } }.GetNewClosure())
        if ($null -ne $saved) {
            $null = New-Item -ItemType Directory -Path (Split-Path -Parent $file) -Force
            [System.IO.File]::WriteAllText($file, (ConvertTo-VectorJson -Value ([object[]]@($saved))), $script:Utf8)
        }
    }
}

function Add-VectorTree {
    # \\localhost\<share>\<folder>: an SMB share on a scratch folder holding the tree's files.
    param(
        $Vector,
        [System.Collections.Generic.List[scriptblock]]$Journal
    )
    $trees = Get-VectorValue -Dictionary $Vector['state'] -Key 'trees' -Default @{}
    $made = @{}
    foreach ($unc in $trees.Keys) {
        $parts = $unc.TrimStart('\').Split([char]'\')
        if ($parts[0] -ne 'localhost' -or $parts.Count -lt 2) {
            throw "trees: $unc cannot be arranged; use \\localhost\<share>\..."
        }
        $shareName = $parts[1]
        $folder = "C:\cutover-vectors\trees\$shareName"
        if (-not $made.ContainsKey($shareName)) {
            $access = New-Object -TypeName 'System.Collections.Generic.Dictionary[string,object]'
            $access['account'] = 'BUILTIN\Administrators'
            $access['right'] = 'Full'
            $access['type'] = 'Allow'
            Add-VectorSmbShareObject -Name $shareName -Folder $folder -Access @($access) -Journal $Journal
            $made[$shareName] = $true
        }
        $inside = if ($parts.Count -gt 2) { Join-Path -Path $folder -ChildPath (($parts[2..($parts.Count - 1)]) -join '\') } else { $folder }
        [CutoverVectors.RawFile]::EnsureDirectory($inside)
        $tree = $trees[$unc]
        foreach ($relative in $tree.Keys) {
            Write-VectorFileBytes -Path (Join-Path -Path $inside -ChildPath $relative) -Bytes (Get-VectorFileBytes -Entry $tree[$relative])
        }
    }
}

function Lock-VectorOpenFile {
    param(
        $Vector,
        [System.Collections.Generic.List[scriptblock]]$Journal
    )
    $trees = Get-VectorValue -Dictionary $Vector['state'] -Key 'trees' -Default @{}
    foreach ($relative in @($Vector['state']['faults']['open_files'])) {
        foreach ($unc in $trees.Keys) {
            if ($trees[$unc].ContainsKey($relative)) {
                $parts = $unc.TrimStart('\').Split([char]'\')
                $inside = "C:\cutover-vectors\trees\$($parts[1])"
                if ($parts.Count -gt 2) {
                    $inside = Join-Path -Path $inside -ChildPath (($parts[2..($parts.Count - 1)]) -join '\')
                }
                $stream = [System.IO.File]::Open((Join-Path -Path $inside -ChildPath $relative), 'Open', 'ReadWrite', 'None')
                $Journal.Add({ $stream.Dispose() }.GetNewClosure())
            }
        }
    }
}

# ------------------------------------------------------------------------------------------------------------
# arrange: the state sections in a fixed order (users before hives are locked, shares before their files)
# ------------------------------------------------------------------------------------------------------------

function Get-VectorNeed {
    # The capabilities a vector needs; mirrors tests/vectors/vectorlib.py windows_needs().
    param(
        $Vector
    )
    $needs = New-Object -TypeName System.Collections.Generic.List[string]
    $state = $Vector['state']
    foreach ($section in $state.Keys) {
        $value = $state[$section]
        switch ($section) {
            { $_ -in @('faults', 'network') } {
                foreach ($name in $value.Keys) {
                    $item = $value[$name]
                    $empty = ($null -eq $item) -or ($item -is [bool] -and -not $item) -or ((Test-VectorList -Value $item) -and @($item).Count -eq 0) -or (($item -is [System.Collections.IDictionary]) -and $item.Count -eq 0)
                    if (-not $empty) { $needs.Add("arrange.$section.$name") }
                }
            }
            'services' {
                foreach ($service in $value.Values) {
                    if (Test-VectorAbsent -Value $service) { $needs.Add('arrange.services.absent') } else { $needs.Add("arrange.services.$($service['state'])") }
                }
            }
            'users' {
                $needs.Add('arrange.users')
                if (@($value | Where-Object { @(Get-VectorValue -Dictionary $_ -Key 'thunderbird_profiles' -Default @()).Count -gt 0 }).Count -gt 0) {
                    $needs.Add('arrange.users.thunderbird_profiles')
                }
            }
            'smb_shares' {
                $needs.Add('arrange.smb_shares')
                if (@($value.Values | Where-Object { @(Get-VectorValue -Dictionary $_ -Key 'saved_access' -Default @()).Count -gt 0 }).Count -gt 0) {
                    $needs.Add('arrange.smb_shares.saved_access')
                }
            }
            default {
                $empty = ($null -eq $value) -or ($value -is [bool] -and -not $value) -or ((Test-VectorList -Value $value) -and @($value).Count -eq 0) -or (($value -is [System.Collections.IDictionary]) -and $value.Count -eq 0)
                if (-not $empty) { $needs.Add("arrange.$section") }
            }
        }
    }
    $expectState = Get-VectorValue -Dictionary $Vector['expect'] -Key 'state' -Default @{}
    foreach ($section in $expectState.Keys) {
        if ($section -eq 'users') { $needs.Add('observe.users.thunderbird_profiles') } else { $needs.Add("observe.$section") }
    }
    return @($needs | Sort-Object -Unique)
}

function Invoke-VectorArrange {
    param(
        $Vector,
        [System.Collections.Generic.List[scriptblock]]$Journal
    )
    $needs = Get-VectorNeed -Vector $Vector
    $missing = @($needs | Where-Object { -not $script:CutoverVectorCapabilities.ContainsKey($_) })
    if ($missing.Count -gt 0) {
        throw "the harness cannot arrange or observe $($missing -join ', ') (the vector says windows.arrange=full)"
    }
    $order = @('arrange.registry', 'arrange.users', 'arrange.services.stopped', 'arrange.services.absent', 'arrange.files',
        'arrange.scheduled_tasks', 'arrange.network.tcp', 'arrange.smb_shares', 'arrange.trees', 'arrange.faults.locked_hive',
        'arrange.faults.open_files', 'arrange.faults.unreachable_share')
    $done = @{}
    foreach ($capability in $order) {
        if ($needs -contains $capability) {
            $function = $script:CutoverVectorCapabilities[$capability]
            if (-not $done.ContainsKey($function)) {
                & $function -Vector $Vector -Journal $Journal
                $done[$function] = $true
            }
        }
    }
}

# ------------------------------------------------------------------------------------------------------------
# observe: the state after the run, in the twin's shape, for the sections the vector asserts
# ------------------------------------------------------------------------------------------------------------

function Read-VectorRegistryKey {
    param(
        [Microsoft.Win32.RegistryHive]$Hive,
        [string]$SubKey
    )
    $base = Open-VectorBaseKey -Hive $Hive
    try {
        $key = $base.OpenSubKey($SubKey)
        try {
            if ($null -eq $key) {
                return $null
            }
            $values = @{}
            foreach ($name in $key.GetValueNames()) {
                $values[$name] = ConvertFrom-VectorRegistryValue -Key $key -Name $name
            }
            return $values
        }
        finally {
            if ($null -ne $key) {
                $key.Dispose()
            }
        }
    }
    finally {
        $base.Dispose()
    }
}

function Get-VectorRegistryObservation {
    # HKLM directly; HKU\<SID> where it is loaded (logged on, or left loaded by the module), else from the hive file.
    param(
        $Vector
    )
    $observed = @{}
    $expected = $Vector['expect']['state']['registry']
    $loadedForObservation = @{}
    try {
        foreach ($path in $expected.Keys) {
            if ($path -match '^(HKU|HKEY_USERS)\\(?<sid>[^\\]+)\\?(?<rest>.*)$') {
                $sid = $Matches['sid']
                $rest = $Matches['rest']
                $users = Open-VectorBaseKey -Hive ([Microsoft.Win32.RegistryHive]::Users)
                try {
                    $loaded = @($users.GetSubKeyNames())
                }
                finally {
                    $users.Dispose()
                }
                if ($loaded -contains $sid) {
                    $root = $sid
                }
                elseif ($loaded -contains "cutover_$sid") {
                    $root = "cutover_$sid"
                }
                else {
                    $root = "CutoverVectorObserve_$sid"
                    if (-not $loadedForObservation.ContainsKey($root)) {
                        $user = @($Vector['state']['users'] | Where-Object { $_['sid'] -eq $sid })[0]
                        $null = Invoke-VectorNative -FilePath 'reg.exe' -ArgumentList @('load', "HKU\$root", (Join-Path -Path $user['profile_path'] -ChildPath 'NTUSER.DAT'))
                        $loadedForObservation[$root] = $true
                    }
                }
                $values = Read-VectorRegistryKey -Hive ([Microsoft.Win32.RegistryHive]::Users) -SubKey ("$root\$rest".TrimEnd('\'))
            }
            else {
                $target = Split-VectorRegistryPath -Path $path
                $values = Read-VectorRegistryKey -Hive $target.Hive -SubKey $target.SubKey
            }
            if ($null -ne $values) {
                $observed[$path] = $values
            }
        }
    }
    finally {
        foreach ($root in $loadedForObservation.Keys) {
            Invoke-VectorHiveUnload -Name $root
        }
    }
    return $observed
}

function Get-VectorFileObservation {
    param(
        $Vector
    )
    $observed = @{}
    foreach ($path in $Vector['expect']['state']['files'].Keys) {
        if (Test-Path -LiteralPath $path) {
            $bytes = [System.IO.File]::ReadAllBytes($path)
            $sha = [System.Security.Cryptography.SHA256]::Create()
            try {
                $hash = (($sha.ComputeHash($bytes) | ForEach-Object { $_.ToString('x2') }) -join '')
            }
            finally {
                $sha.Dispose()
            }
            $text = (New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false).GetString($bytes).TrimStart([char]0xFEFF)
            $observed[$path] = @{ size = [long]$bytes.Length; sha256 = $hash; content = $text }
        }
    }
    return $observed
}

function Get-VectorTaskObservation {
    param(
        $Vector
    )
    $observed = @{}
    $kinds = @{ MSFT_TaskLogonTrigger = 'logon'; MSFT_TaskDailyTrigger = 'daily'; MSFT_TaskTimeTrigger = 'once'; MSFT_TaskBootTrigger = 'boot' }
    foreach ($fullName in $Vector['expect']['state']['scheduled_tasks'].Keys) {
        $where = Split-VectorTaskPath -FullName $fullName
        $task = Get-ScheduledTask -TaskPath $where.Folder -TaskName $where.Name -ErrorAction SilentlyContinue
        if ($task) {
            $principal = if ($task.Principal.GroupId) { [string]$task.Principal.GroupId } else { [string]$task.Principal.UserId }
            $observed[$fullName] = @{
                enabled = [bool]$task.Settings.Enabled
                description = $task.Description
                principal = $principal
                actions = [object[]]@($task.Actions | ForEach-Object { @{ path = $_.Execute; arguments = $_.Arguments } })
                triggers = [object[]]@($task.Triggers | ForEach-Object { @{ type = $kinds[$_.CimClass.CimClassName] } })
            }
        }
    }
    return $observed
}

function Read-VectorLine {
    param(
        [string]$Path
    )
    if (Test-Path -LiteralPath $Path) {
        return , [object[]]@([System.IO.File]::ReadAllLines($Path, $script:Utf8))
    }
    return , [object[]]@()
}

function Get-VectorUserObservation {
    # Per expected user (same order), each Thunderbird profile's user.js lines and prefs.js values.
    param(
        $Vector
    )
    $users = @()
    foreach ($wanted in @($Vector['expect']['state']['users'])) {
        $user = @($Vector['state']['users'] | Where-Object { $_['sid'] -eq $wanted['sid'] })[0]
        $profiles = @()
        foreach ($thunderbird in @(Get-VectorValue -Dictionary $user -Key 'thunderbird_profiles' -Default @())) {
            $prefs = @{}
            foreach ($line in (Read-VectorLine -Path (Join-Path -Path $thunderbird['dir'] -ChildPath 'prefs.js'))) {
                $match = [regex]::Match($line, '^\s*user_pref\("(?<name>[^"]+)",\s*(?<value>.+?)\);\s*$')
                if ($match.Success) {
                    $prefs[$match.Groups['name'].Value] = $match.Groups['value'].Value.Trim('"')
                }
            }
            $profiles += , @{ dir = $thunderbird['dir']; prefs = $prefs; user_js = (Read-VectorLine -Path (Join-Path -Path $thunderbird['dir'] -ChildPath 'user.js')) }
        }
        $users += , @{ sid = $user['sid']; profile_path = $user['profile_path']; thunderbird_profiles = [object[]]$profiles }
    }
    return , [object[]]$users
}

function Get-VectorSmbShareObservation {
    param(
        $Vector
    )
    $observed = @{}
    foreach ($key in $Vector['expect']['state']['smb_shares'].Keys) {
        $name = $Vector['state']['smb_shares'][$key]['name']
        $access = @(Get-SmbShareAccess -Name $name | ForEach-Object { @{ account = $_.AccountName; right = [string]$_.AccessRight; type = [string]$_.AccessControlType } })
        $share = @{ name = $name; access = [object[]]$access }
        $file = Get-VectorSavedAccessFile -Vector $Vector -Share $name
        if (Test-Path -LiteralPath $file) {
            $share['saved_access'] = ConvertFrom-VectorJson -Text ([System.IO.File]::ReadAllText($file))
        }
        $observed[$key] = $share
    }
    return $observed
}

function Get-VectorObservation {
    param(
        $Vector
    )
    $observed = @{}
    $expectState = Get-VectorValue -Dictionary $Vector['expect'] -Key 'state' -Default @{}
    foreach ($section in $expectState.Keys) {
        $capability = if ($section -eq 'users') { 'observe.users.thunderbird_profiles' } else { "observe.$section" }
        $observed[$section] = & $script:CutoverVectorCapabilities[$capability] -Vector $Vector
    }
    return $observed
}

# ------------------------------------------------------------------------------------------------------------
# run one vector
# ------------------------------------------------------------------------------------------------------------

function Get-VectorHiveLeftLoaded {
    $users = Open-VectorBaseKey -Hive ([Microsoft.Win32.RegistryHive]::Users)
    try {
        return @($users.GetSubKeyNames() | Where-Object { $_ -like 'cutover_*' -or $_ -like 'CutoverVectorObserve_*' })
    }
    finally {
        $users.Dispose()
    }
}

function Invoke-CutoverModule {
    # The real module in a fresh Windows PowerShell 5.1 process under Ansible.Basic; returns its result.
    param(
        [Parameter(Mandatory = $true)][string]$Root,
        [Parameter(Mandatory = $true)][string]$Module,
        [Parameter(Mandatory = $true)]$Arguments,
        [bool]$CheckMode,
        [Parameter(Mandatory = $true)][string]$AnsibleCore
    )
    $libraries = @((Join-Path -Path $Root -ChildPath 'roles\*\library'), (Join-Path -Path $Root -ChildPath 'ansible\library'))
    $scripts = @(Get-ChildItem -Path $libraries -Filter "$Module.ps1" -File -ErrorAction SilentlyContinue)
    if ($scripts.Count -ne 1) {
        throw "expected one $Module.ps1 in roles\*\library or ansible\library, found $($scripts.Count)"
    }
    $moduleArgs = @{}
    foreach ($key in $Arguments.Keys) {
        $moduleArgs[$key] = $Arguments[$key]
    }
    $moduleArgs['_ansible_check_mode'] = $CheckMode
    $moduleArgs['_ansible_diff'] = $false
    $argsFile = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath ("cutover-vector-args-{0}.json" -f [guid]::NewGuid())
    [System.IO.File]::WriteAllText($argsFile, (ConvertTo-VectorJson -Value @{ ANSIBLE_MODULE_ARGS = $moduleArgs }), $script:Utf8)
    $utilFolders = @(
        (Join-Path -Path $AnsibleCore -ChildPath 'module_utils\csharp'),
        (Join-Path -Path $AnsibleCore -ChildPath 'module_utils\powershell'),
        (Join-Path -Path $Root -ChildPath 'ansible\module_utils')
    ) + @(Get-ChildItem -Path (Join-Path -Path $Root -ChildPath 'roles\*\module_utils') -Directory -ErrorAction SilentlyContinue | ForEach-Object { $_.FullName })
    try {
        $powershell = Join-Path -Path $env:SystemRoot -ChildPath 'System32\WindowsPowerShell\v1.0\powershell.exe'
        $run = Invoke-VectorNative -FilePath $powershell -AllowFailure -ArgumentList @(
            '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', (Join-Path -Path $PSScriptRoot -ChildPath 'Invoke-AnsibleModule.ps1'),
            '-ModulePath', $scripts[0].FullName, '-ArgsPath', $argsFile, '-UtilPath', ($utilFolders -join ';'))
    }
    finally {
        Remove-Item -LiteralPath $argsFile -Force -ErrorAction SilentlyContinue
    }
    $line = @($run.StdOut -split "`r?`n" | Where-Object { $_.Trim().StartsWith('{') } | Select-Object -Last 1)
    if ($line.Count -eq 0) {
        throw "the module process printed no JSON (exit $($run.ExitCode)): $($run.StdErr.Trim()) $($run.StdOut.Trim())"
    }
    return , (ConvertFrom-VectorJson -Text $line[0])
}

function Invoke-CutoverVector {
    # Arrange, run, observe, undo; returns the mismatches (empty: the vector holds on Windows).
    param(
        [Parameter(Mandatory = $true)]$Vector,
        [Parameter(Mandatory = $true)][string]$Root,
        [Parameter(Mandatory = $true)][string]$AnsibleCore
    )
    $before = @(Get-VectorHiveLeftLoaded)
    if ($before.Count -gt 0) {
        throw "hives left loaded before the case started: $($before -join ', ')"
    }
    $expect = $Vector['expect']
    Set-VectorHostDependent -Expect $expect -Paths @(Get-VectorValue -Dictionary $Vector['windows'] -Key 'host_dependent' -Default @())
    $journal = New-VectorJournal
    $problems = New-Object -TypeName System.Collections.Generic.List[string]
    try {
        Invoke-VectorArrange -Vector $Vector -Journal $journal
        $result = Invoke-CutoverModule -Root $Root -Module $Vector['module'] -Arguments $Vector['args'] -CheckMode ([bool]$Vector['check_mode']) -AnsibleCore $AnsibleCore
        foreach ($line in @(Get-VectorMismatch -Expected $expect['result'] -Actual $result -Path 'result')) {
            $problems.Add($line)
        }
        if ($expect.ContainsKey('state')) {
            $observed = Get-VectorObservation -Vector $Vector
            foreach ($line in @(Get-VectorMismatch -Expected $expect['state'] -Actual $observed -Path 'state')) {
                $problems.Add($line)
            }
        }
        foreach ($left in @(Get-VectorHiveLeftLoaded)) {
            $problems.Add("HKU\$left is still loaded after the module ran (a module must unload every hive it loads)")
            Invoke-VectorHiveUnload -Name $left
        }
        if ($problems.Count -gt 0 -and $result.ContainsKey('msg')) {
            $problems.Add("module msg: $($result['msg'])")
        }
    }
    finally {
        Undo-VectorJournal -Journal $journal
    }
    return , [string[]]$problems.ToArray()
}

# Everything is exported: undo steps are closures (GetNewClosure) and only see exported functions.
Export-ModuleMember -Function * -Variable CutoverVectorCapabilities
