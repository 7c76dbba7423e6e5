#!powershell
# Read-only raw state for `cutover verify`: registry values (machine and per user), files, services,
# scheduled tasks, processes, Security Center and folder listings, in ONE call, without any verdict.
# Changes nothing; a user's hive that is not loaded is loaded for the read and always unloaded
# (Ansible.ModuleUtils.CutoverProfile). Documentation: cutover_endpoint_probe.py beside this file.

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell Ansible.ModuleUtils.CutoverProfile

# Sub-options are written out in full: the contract tests read $spec as a literal from the syntax tree.
$spec = @{
    options = @{
        registry = @{
            type = 'list'; elements = 'dict'; default = @()
            options = @{
                path = @{ type = 'str'; required = $true }
                names = @{ type = 'list'; elements = 'str'; required = $true }
                depth = @{ type = 'int'; default = 0 }
            }
        }
        user_registry = @{
            type = 'list'; elements = 'dict'; default = @()
            options = @{
                path = @{ type = 'str'; required = $true }
                names = @{ type = 'list'; elements = 'str'; required = $true }
                depth = @{ type = 'int'; default = 0 }
            }
        }
        files = @{
            type = 'list'; elements = 'dict'; default = @()
            options = @{
                path = @{ type = 'str'; required = $true }
                match = @{ type = 'str' }
            }
        }
        appdata_files = @{
            type = 'list'; elements = 'dict'; default = @()
            options = @{
                path = @{ type = 'str'; required = $true }
                match = @{ type = 'str' }
            }
        }
        services = @{ type = 'list'; elements = 'str'; default = @() }
        task_folders = @{ type = 'list'; elements = 'str'; default = @() }
        processes = @{ type = 'list'; elements = 'str'; default = @() }
        security_center = @{ type = 'bool'; default = $false }
        trees = @{
            type = 'list'; elements = 'dict'; default = @()
            options = @{
                path = @{ type = 'str'; required = $true }
                hash_newest = @{ type = 'int'; default = 20 }
                exclude_dirs = @{ type = 'list'; elements = 'str'; default = @('System Volume Information', '$RECYCLE.BIN', 'DfsrPrivate') }
            }
        }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$p = $module.Params
$errors = [System.Collections.Generic.List[string]]@()
$MaxDepth = 4
$Kinds = @{
    String = 'REG_SZ'; ExpandString = 'REG_EXPAND_SZ'; Binary = 'REG_BINARY'; DWord = 'REG_DWORD'
    MultiString = 'REG_MULTI_SZ'; QWord = 'REG_QWORD'; None = 'REG_NONE'; Unknown = 'REG_NONE'
}

Function ConvertTo-RawValue {
    # One registry value as the verification reads it: REG_BINARY as a list of byte values, numbers unsigned.
    param([Parameter(Mandatory = $true)][hashtable]$Value)
    $kind = $Kinds[[string]$Value.kind]
    $data = $Value.data
    if ($kind -eq 'REG_BINARY' -or $kind -eq 'REG_NONE') {
        $bytes = [System.Collections.Generic.List[int]]@()
        if ($null -ne $data) {
            foreach ($byte in [byte[]]$data) {
                $bytes.Add([int]$byte)
            }
        }
        return @{ type = $kind; value = $bytes }
    }
    if ($kind -eq 'REG_DWORD') {
        return @{ type = $kind; value = [System.BitConverter]::ToUInt32([System.BitConverter]::GetBytes([int]$data), 0) }
    }
    if ($kind -eq 'REG_QWORD') {
        return @{ type = $kind; value = [System.BitConverter]::ToUInt64([System.BitConverter]::GetBytes([long]$data), 0) }
    }
    if ($kind -eq 'REG_MULTI_SZ') {
        return @{ type = $kind; value = @([string[]]$data) }
    }
    return @{ type = $kind; value = [string]$data }
}

Function Read-RegistryItem {
    # The named values of a key and of its subkeys down to the requested depth; keys open read-only.
    param(
        [Parameter(Mandatory = $true)][Microsoft.Win32.RegistryKey]$Root,
        [Parameter(Mandatory = $true)][string]$Display,
        [Parameter(Mandatory = $true)][AllowEmptyString()][string]$Path,
        [Parameter(Mandatory = $true)][hashtable]$Item
    )
    $keys = @{}
    $pending = [System.Collections.Generic.Queue[object]]::new()
    $pending.Enqueue(@('', 0))
    while ($pending.Count -gt 0) {
        $next = $pending.Dequeue()
        $relative = [string]$next[0]
        $level = [int]$next[1]
        $full = if ($relative -eq '') { $Path } elseif ($Path -eq '') { $relative } else { "$Path\$relative" }
        $key = Get-CutoverRegistryKey -Root $Root -Path $full
        if ($null -eq $key) {
            continue
        }
        $values = @{}
        foreach ($name in $Item.names) {
            if ($key.values.ContainsKey($name)) {
                $values[$name] = ConvertTo-RawValue -Value $key.values[$name]
            }
        }
        $keys[$relative] = $values
        if ($level -lt $Item.depth) {
            foreach ($sub in $key.subkeys) {
                $child = if ($relative -eq '') { $sub } else { "$relative\$sub" }
                $pending.Enqueue(@($child, ($level + 1)))
            }
        }
    }
    return @{ path = $Display; keys = $keys }
}

Function Get-MachineKeyPath {
    param([Parameter(Mandatory = $true)][string]$Path)
    $match = [regex]::Match($Path, '^(?i)(HKLM:?|HKEY_LOCAL_MACHINE|Registry::HKEY_LOCAL_MACHINE)(\\(?<rest>.*))?$')
    if (-not $match.Success) {
        $module.FailJson("registry: only HKLM paths (got $Path); per-user keys are read with user_registry")
    }
    return $match.Groups['rest'].Value.Trim('\')
}

Function Read-FileItem {
    # Files matching a path (wildcards allowed): size, SHA-256 and, with a pattern, the matching lines.
    param(
        [Parameter(Mandatory = $true)][string]$Pattern,
        [AllowNull()][string]$Match
    )
    $found = [System.Collections.Generic.List[object]]@()
    $problems = $null
    $items = @(Get-Item -Path $Pattern -Force -ErrorAction SilentlyContinue -ErrorVariable problems)
    foreach ($problem in @($problems)) {
        if ($problem.Exception -isnot [System.Management.Automation.ItemNotFoundException]) {
            $errors.Add("files: cannot read ${Pattern}: $($problem.Exception.Message)")
        }
    }
    $fileItems = @($items | Where-Object { -not $_.PSIsContainer } | Sort-Object -Property FullName)
    foreach ($item in $fileItems) {
        $record = @{ path = $item.FullName; size = $item.Length; sha256 = $null }
        try {
            $record.sha256 = (Get-FileHash -LiteralPath $item.FullName -Algorithm SHA256 -ErrorAction Stop).Hash.ToLowerInvariant()
            if ($Match) {
                $lines = [System.Collections.Generic.List[string]]@()
                foreach ($line in [System.IO.File]::ReadAllLines($item.FullName)) {
                    if ([regex]::IsMatch($line, $Match)) {
                        $lines.Add($line)
                    }
                }
                $record.lines = $lines
            }
        }
        catch {
            $errors.Add("files: cannot read $($item.FullName): $($_.Exception.Message)")
        }
        $found.Add($record)
    }
    return @{ path = $Pattern; matches = $found }
}

Function Read-Tree {
    # Every file below a folder (relative path, size, last write time) and SHA-256 of the newest ones.
    param([Parameter(Mandatory = $true)][hashtable]$Item)
    $path = $Item.path.TrimEnd('\')
    $record = @{ path = $Item.path; exists = $false; files = @(); sha256 = @{} }
    if (-not (Test-Path -LiteralPath $path -PathType Container)) {
        return $record
    }
    # Walked as robocopy copied it: folders named in exclude_dirs (/XD) and junctions or symbolic
    # links (/XJ) are skipped and never descended (Windows PowerShell 5.1's -Recurse would follow them).
    $all = [System.Collections.Generic.List[System.IO.FileInfo]]@()
    $pending = [System.Collections.Generic.Stack[string]]::new()
    $pending.Push($path)
    while ($pending.Count -gt 0) {
        $folder = $pending.Pop()
        $problems = $null
        $children = @(Get-ChildItem -LiteralPath $folder -Force -ErrorAction SilentlyContinue -ErrorVariable problems)
        if (@($problems).Count -gt 0) {
            $errors.Add("trees: cannot read all of ${path}: $(@($problems)[0].Exception.Message)")
            $record.exists = $null
            return $record
        }
        foreach ($child in $children) {
            if ($child.Attributes -band [System.IO.FileAttributes]::ReparsePoint) {
                continue
            }
            if ($child.PSIsContainer) {
                if (@($Item.exclude_dirs) -notcontains $child.Name) {
                    $pending.Push($child.FullName)
                }
            }
            else {
                $all.Add($child)
            }
        }
    }
    $listing = [System.Collections.Generic.List[object]]@()
    $sorted = @($all | Sort-Object -Property FullName)
    foreach ($file in $sorted) {
        $relative = $file.FullName.Substring($path.Length).TrimStart('\')
        $listing.Add(@($relative, $file.Length, $file.LastWriteTime.ToString('yyyy-MM-ddTHH:mm:ss')))
    }
    $hashes = @{}
    $newest = @($all | Sort-Object -Property LastWriteTime -Descending | Select-Object -First ([Math]::Max(0, $Item.hash_newest)))
    foreach ($file in $newest) {
        $relative = $file.FullName.Substring($path.Length).TrimStart('\')
        try {
            $hashes[$relative] = (Get-FileHash -LiteralPath $file.FullName -Algorithm SHA256 -ErrorAction Stop).Hash.ToLowerInvariant()
        }
        catch {
            $errors.Add("trees: cannot hash $($file.FullName): $($_.Exception.Message)")
        }
    }
    $record.exists = $true
    $record.files = $listing
    $record.sha256 = $hashes
    return $record
}

foreach ($item in @($p.registry) + @($p.user_registry)) {
    # Checked before any hive is loaded, so a bad request never leaves one behind.
    if ($item.depth -lt 0 -or $item.depth -gt $MaxDepth) {
        $module.FailJson("depth must be between 0 and $MaxDepth (got $($item.depth))")
    }
}

# ---- machine registry -----------------------------------------------------------------------------
$registry = [System.Collections.Generic.List[object]]@()
foreach ($item in $p.registry) {
    $relative = Get-MachineKeyPath -Path $item.path
    $registry.Add((Read-RegistryItem -Root ([Microsoft.Win32.Registry]::LocalMachine) -Display $item.path -Path $relative -Item $item))
}

# ---- files ----------------------------------------------------------------------------------------
$files = [System.Collections.Generic.List[object]]@()
foreach ($item in $p.files) {
    $files.Add((Read-FileItem -Pattern $item.path -Match $item.match))
}

# ---- users: their hive (read-only, unloaded afterwards) and their AppData files ---------------------
$users = [System.Collections.Generic.List[object]]@()
if ($p.user_registry.Count -gt 0 -or $p.appdata_files.Count -gt 0) {
    foreach ($userProfile in Get-CutoverUserProfile) {
        $record = @{
            sid = $userProfile.sid; profile_path = $userProfile.profile_path; hive = $null; error = $null
            registry = @(); appdata = $null; files = @()
        }
        $wanted = $p.user_registry
        $profilePath = $userProfile.profile_path
        $read = Invoke-CutoverUserHive -UserProfile $userProfile -Module $module -ScriptBlock {
            param($Root)
            $keys = [System.Collections.Generic.List[object]]@()
            foreach ($item in $wanted) {
                $keys.Add((Read-RegistryItem -Root $Root -Display $item.path -Path $item.path.Trim('\') -Item $item))
            }
            return @{ registry = $keys; appdata = (Resolve-CutoverAppData -Root $Root -ProfilePath $profilePath) }
        }
        if ($read.unload_error) {
            $module.Warn($read.unload_error)
            $errors.Add("users: $($read.unload_error)")
        }
        if ($read.error -or $null -eq $read.output) {
            $record.hive = 'unreadable'
            $record.error = if ($read.error) { $read.error } else { 'the hive gave no answer' }
            $users.Add($record)
            continue
        }
        $record.hive = $read.hive
        $record.registry = $read.output.registry
        $record.appdata = $read.output.appdata
        if ($record.appdata.reachable) {
            $userFiles = [System.Collections.Generic.List[object]]@()
            foreach ($item in $p.appdata_files) {
                $userFiles.Add((Read-FileItem -Pattern (Join-Path -Path $record.appdata.path -ChildPath $item.path) -Match $item.match))
            }
            $record.files = $userFiles
        }
        $users.Add($record)
    }
}

# ---- services -------------------------------------------------------------------------------------
$services = @{}
foreach ($name in $p.services) {
    $service = Get-Service -Name $name -ErrorAction SilentlyContinue
    if ($null -eq $service) {
        $services[$name] = @{ exists = $false; state = $null; start_mode = $null }
        continue
    }
    $startMode = switch ([string]$service.StartType) {
        'Automatic' { 'auto' }
        'Manual' { 'manual' }
        'Disabled' { 'disabled' }
        default { ([string]$service.StartType).ToLowerInvariant() }
    }
    $services[$name] = @{ exists = $true; state = ([string]$service.Status).ToLowerInvariant(); start_mode = $startMode }
}

# ---- scheduled tasks ------------------------------------------------------------------------------
$tasks = [System.Collections.Generic.List[object]]@()
if ($p.task_folders.Count -gt 0) {
    try {
        $allTasks = @(Get-ScheduledTask -ErrorAction Stop | Sort-Object -Property @('TaskPath', 'TaskName'))
        foreach ($task in $allTasks) {
            $inFolder = $false
            foreach ($folder in $p.task_folders) {
                $prefix = if ($folder.EndsWith('\')) { $folder } else { "$folder\" }
                if ($task.TaskPath.StartsWith($prefix, [System.StringComparison]::OrdinalIgnoreCase)) {
                    $inFolder = $true
                }
            }
            if (-not $inFolder) {
                continue
            }
            $actions = [System.Collections.Generic.List[object]]@()
            foreach ($action in @($task.Actions)) {
                $actions.Add(@{ path = $action.Execute; arguments = $action.Arguments })
            }
            $tasks.Add(@{ path = "$($task.TaskPath)$($task.TaskName)"; enabled = [bool]$task.Settings.Enabled; actions = $actions })
        }
    }
    catch {
        $errors.Add("scheduled_tasks: cannot list tasks: $($_.Exception.Message)")
    }
}

# ---- processes ------------------------------------------------------------------------------------
$processes = [System.Collections.Generic.List[object]]@()
if ($p.processes.Count -gt 0) {
    $owners = Get-CutoverProcessOwner -Name $p.processes
    if ($owners.error) {
        $errors.Add("processes: $($owners.error)")
    }
    foreach ($name in $owners.sids.Keys) {
        foreach ($sid in $owners.sids[$name]) {
            $processes.Add(@{ name = $name; user_sid = $sid })
        }
    }
}

# ---- Security Center ------------------------------------------------------------------------------
$securityCenter = $null
if ($p.security_center) {
    try {
        $securityCenter = [System.Collections.Generic.List[object]]@()
        foreach ($product in @(Get-CimInstance -Namespace 'root/SecurityCenter2' -ClassName AntiVirusProduct -ErrorAction Stop)) {
            $securityCenter.Add(@{ display_name = $product.displayName; product_state = [int64]$product.productState })
        }
    }
    catch {
        $securityCenter = $null
        $errors.Add("security_center: root/SecurityCenter2 is not available: $($_.Exception.Message)")
    }
}

# ---- folder listings ------------------------------------------------------------------------------
$trees = [System.Collections.Generic.List[object]]@()
foreach ($item in $p.trees) {
    $trees.Add((Read-Tree -Item $item))
}

$module.Result.changed = $false
$module.Result.registry = $registry
$module.Result.users = $users
$module.Result.files = $files
$module.Result.services = $services
$module.Result.scheduled_tasks = $tasks
$module.Result.processes = $processes
$module.Result.security_center = $securityCenter
$module.Result.trees = $trees
$module.Result.errors = $errors
$module.ExitJson()
