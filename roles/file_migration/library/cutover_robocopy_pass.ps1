#!powershell
# One robocopy pass of the migration (seed, delta or final) from a data-center share to the site's
# Azure file share. A dry run (/L) unless execute is true. /MIR only ever points at the Azure share.
# The command line is built once with the C runtime's quoting rules, started exactly as logged
# (CreateProcess, no PowerShell argument re-quoting), and returned with the exit-code meaning and the
# log's summary as evidence: the logged line runs the same when pasted into cmd.exe. robocopy's
# output goes to its Unicode log, so nothing is written to the module's error stream.
# Documentation: the .py beside this.

#AnsibleRequires -CSharpUtil Ansible.Basic
#Requires -Module Ansible.ModuleUtils.ArgvParser
#Requires -Module Ansible.ModuleUtils.CommandUtil

Set-StrictMode -Version 2.0

$spec = @{
    options = @{
        source = @{ type = 'str'; required = $true }
        target = @{ type = 'str'; required = $true }
        pass = @{ type = 'str'; required = $true; choices = @('seed', 'delta', 'final') }
        execute = @{ type = 'bool'; default = $false }
        copy_security = @{ type = 'bool'; default = $true }
        log_path = @{ type = 'str'; required = $true }
        threads = @{ type = 'int'; default = 16 }
        retries = @{ type = 'int'; default = 2 }
        wait_seconds = @{ type = 'int'; default = 5 }
        exclude_dirs = @{ type = 'list'; elements = 'str'; default = @('System Volume Information', '$RECYCLE.BIN', 'DfsrPrivate') }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$p = $module.Params
if ($p.target -notmatch '^\\\\[a-z0-9]{3,24}\.file\.core\.windows\.net\\[a-z0-9-]{3,63}(\\.*)?$') {
    $module.FailJson("robocopy target must be an Azure file share UNC path, got $($p.target)")
}
if ($p.source -match '^\\\\[a-z0-9]{3,24}\.file\.core\.windows\.net\\') {
    $module.FailJson('robocopy source is an Azure file share: source and target look swapped')
}
if ($p.target.ToLowerInvariant().StartsWith($p.source.TrimEnd('\').ToLowerInvariant() + '\')) {
    $module.FailJson('the target lies inside the source')
}
if ($p.threads -lt 1 -or $p.threads -gt 128) {
    $module.FailJson('threads must be between 1 and 128')
}

$copy = if ($p.copy_security) { '/COPY:DATSO' } else { '/COPY:DAT' }
$argv = @('robocopy.exe', $p.source, $p.target, '/MIR', $copy, '/DCOPY:DAT', '/ZB', '/IT', "/MT:$($p.threads)",
    "/R:$($p.retries)", "/W:$($p.wait_seconds)", '/XJ', '/NP', "/UNILOG:$($p.log_path)", '/XD') + @($p.exclude_dirs)
$dryRun = (-not $p.execute) -or $module.CheckMode
if ($dryRun) {
    $argv += '/L'
}
# Quoted where CreateProcess needs it, and also where cmd.exe would otherwise act on & | < > ^ ( ) ! %.
$quoted = foreach ($argument in $argv) {
    Escape-Argument -argument $argument -force_quote ($argument -match '[&|<>^()!%]')
}
$commandLine = $quoted -join ' '
$module.Result.command_line = $commandLine
$module.Result.dry_run = $dryRun

$logDir = Split-Path -Parent $p.log_path
if (-not (Test-Path -LiteralPath $logDir)) {
    $null = New-Item -ItemType Directory -Path $logDir -Force
}
$run = Run-Command -command $commandLine
$rc = [int]$run.rc
$meanings = @()
if ($rc -eq 0) { $meanings += 'no change: source and target were already in sync' }
if ($rc -band 1) { $meanings += 'one or more files were copied' }
if ($rc -band 2) { $meanings += 'extra files or directories exist at the target (removed by /MIR unless listing)' }
if ($rc -band 4) { $meanings += 'mismatched files or directories were detected' }
if ($rc -band 8) { $meanings += 'some files or directories could not be copied (retry limit exceeded)' }
if ($rc -band 16) { $meanings += 'fatal error: robocopy did not copy anything (bad path, access denied to the share, or bad usage)' }
$summary = @()
if (Test-Path -LiteralPath $p.log_path) {
    $summary = @(Get-Content -LiteralPath $p.log_path -Encoding Unicode -Tail 12)
}
$module.Result.rc = $rc
$module.Result.success = $rc -lt 8
$module.Result.meanings = $meanings
$module.Result.summary = $summary
$module.Result.changed = (-not $dryRun) -and (($rc -band 3) -ne 0)
if ($module.Result.changed) {
    $module.Diff.prepared = $summary -join "`n"  # robocopy's own summary of what it copied and removed
}
if ($rc -ge 8) {
    $detail = if ($run.stderr) { " ($($run.stderr.Trim()))" } else { '' }
    $module.FailJson("robocopy exit code $($rc): $($meanings -join '; ')$detail")
}
$module.ExitJson()
