#!powershell
# One robocopy pass of the migration (seed, delta or final) from a data-center share to the site's
# Azure file share. A dry run (/L) unless execute is true. /MIR only ever points at the Azure share.
# The command line, exit-code meaning and summary are returned as evidence.

#AnsibleRequires -CSharpUtil Ansible.Basic

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
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$p = $module.Params
if ($p.target -notmatch '^\\\\[a-z0-9]{3,24}\.file\.core\.windows\.net\\') {
    $module.FailJson("robocopy target must be an Azure file share UNC path, got $($p.target)")
}
if ($p.source -match '\.file\.core\.windows\.net\\') {
    $module.FailJson('robocopy source is an Azure file share: source and target look swapped')
}
$copy = if ($p.copy_security) { '/COPY:DATSO' } else { '/COPY:DAT' }
$flags = @('/MIR', $copy, '/DCOPY:DAT', '/ZB', '/IT', "/MT:$($p.threads)", "/R:$($p.retries)", "/W:$($p.wait_seconds)",
    '/XJ', '/NP', "/UNILOG:$($p.log_path)", '/XD', 'System Volume Information', '$RECYCLE.BIN', 'DfsrPrivate')
$dryRun = (-not $p.execute) -or $module.CheckMode
if ($dryRun) {
    $flags += '/L'
}
$module.Result.command_line = "robocopy.exe `"$($p.source)`" `"$($p.target)`" $($flags -join ' ')"
$null = New-Item -ItemType Directory -Path (Split-Path -Parent $p.log_path) -Force
& robocopy.exe $p.source $p.target @flags | Out-Null
$rc = $LASTEXITCODE
$meanings = @()
if ($rc -eq 0) { $meanings += 'no change: source and target were already in sync' }
if ($rc -band 1) { $meanings += 'one or more files were copied' }
if ($rc -band 2) { $meanings += 'extra files or directories exist at the target' }
if ($rc -band 4) { $meanings += 'mismatched files or directories were detected' }
if ($rc -band 8) { $meanings += 'some files or directories could not be copied (retry limit exceeded)' }
if ($rc -band 16) { $meanings += 'fatal error: robocopy did not copy anything' }
$summary = Get-Content -LiteralPath $p.log_path -Encoding Unicode -Tail 12 -ErrorAction SilentlyContinue
$module.Result.rc = $rc
$module.Result.success = $rc -lt 8
$module.Result.meanings = $meanings
$module.Result.dry_run = $dryRun
$module.Result.summary = @($summary)
$module.Result.changed = (-not $dryRun) -and (($rc -band 3) -ne 0)
if ($rc -ge 8) {
    $module.FailJson("robocopy exit code $rc`: $($meanings -join '; ')")
}
$module.ExitJson()
