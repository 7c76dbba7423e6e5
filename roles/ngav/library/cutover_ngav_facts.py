# Documentation for the PowerShell module cutover_ngav_facts.ps1 (ansible-doc reads this file).

DOCUMENTATION = r"""
module: cutover_ngav_facts
short_description: Old antivirus, pending restart, NGAV, Defender, disk media and clock in one read-only call
description:
  - Old antivirus - uninstall entries whose DisplayName matches I(old_av_display_patterns) (64- and
    32-bit registry views), the state of I(old_av_services), the scheduled scan the old agent's
    server pushed into I(old_av_schedule_key) (read in the 32-bit view, where the 32-bit agent keeps
    it), and Task Scheduler tasks under I(old_av_task_paths) (none by default; Apex One creates none).
  - A restart left pending (PendingFileRenameOperations, Component Based Servicing, Windows Update).
  - NGAV - the uninstall entry matching I(ngav_display_pattern), I(ngav_services), its Security
    Center entry I(ngav_security_center_name) and the first-scan task I(first_scan_task).
  - Windows Defender real-time protection, the system disk's media type (MSFT_PhysicalDisk; NVMe
    counts as SSD when the media type is unspecified), the last boot and the PC's local clock.
  - Read-only; every registry key it opens is disposed before it returns.
options:
  old_av_display_patterns:
    description: Wildcard patterns of the old antivirus's DisplayName.
    type: list
    elements: str
    default: ['Trend Micro Apex One*', 'Trend Micro OfficeScan*', 'ウイルスバスター*']
  old_av_services:
    description: Services of the old antivirus (leftovers after uninstall are detected through them).
    type: list
    elements: str
    default: [ntrtscan, TmListen, TMBMServer, tmccsf]
  old_av_schedule_key:
    description: HKLM key (without C(HKLM\)) where the agent keeps its scheduled scan, in the 32-bit view.
    type: str
    default: SOFTWARE\TrendMicro\PC-cillinNTCorp\CurrentVersion\Prescheduled Scan Configuration
  old_av_task_paths:
    description: Task Scheduler folders to look for scan tasks of the old antivirus in.
    type: list
    elements: str
    default: []
  ngav_display_pattern:
    description: Wildcard pattern of the NGAV's DisplayName.
    type: str
    required: true
  ngav_services:
    description: Services the NGAV runs.
    type: list
    elements: str
    default: []
  ngav_security_center_name:
    description: The NGAV's display name in Windows Security Center.
    type: str
    required: true
  first_scan_task:
    description: Full path of the NGAV's first-scan task.
    type: str
    default: \Cutover\NGAV first full scan
notes:
  - The scheduled-scan key and its values (C(Enable), C(Frequency), C(Hour), C(Minute)) are known from
    community scripts, not from Trend Micro documentation; Trend documents that the schedule is set on
    the server and that NTRtScan runs the scan.
  - Supports check mode (it changes nothing).
seealso:
  - name: Apex One scheduled scan (Trend Micro)
    link: https://docs.trendmicro.com/en-us/documentation/article/trend-micro-apex-one-patch-3-online-help-schedule
  - name: MoveFileEx (PendingFileRenameOperations)
    link: https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-movefileexw
  - module: ansible.windows.win_package
author:
  - cutover project
"""

EXAMPLES = r"""
- name: Discover the antivirus state in one call
  cutover_ngav_facts:
    ngav_display_pattern: Example NGAV*
    ngav_services: [ExampleNgavSvc]
    ngav_security_center_name: Example NGAV
  register: ngav_discovered
"""

RETURN = r"""
old_av:
  description: products (product_id, display_name, publisher, uninstall_string), services (name -> state or
    null), tasks, scheduled_scan (present, enabled, frequency, hour, minute, key).
  returned: always
  type: dict
  sample:
    products:
      - product_id: OfficeScanNT
        display_name: Trend Micro Apex One Security Agent
        publisher: Trend Micro Inc.
        uninstall_string: '"C:\Program Files (x86)\Trend Micro\Security Agent\ntrmv.exe"'
    services: {ntrtscan: running, TmListen: running, TMBMServer: running, tmccsf: null}
    tasks: []
    scheduled_scan: {present: true, enabled: true, frequency: 3, hour: 12, minute: 15,
                     key: SOFTWARE\TrendMicro\PC-cillinNTCorp\CurrentVersion\Prescheduled Scan Configuration}
reboot_pending:
  description: Whether a restart is pending, and why.
  returned: always
  type: dict
  sample: {pending: true, reasons: [PendingFileRenameOperations]}
ngav:
  description: product (or null), services (name -> state or null), security_center (or null),
    first_scan (present, next_run_time, last_run_time, last_result).
  returned: always
  type: dict
  sample:
    product: null
    services: {ExampleNgavSvc: null}
    security_center: null
    first_scan: {present: false, next_run_time: null, last_run_time: null, last_result: null}
security_center:
  description: Every antivirus registered in Security Center (display_name, product_state).
  returned: always
  type: list
  elements: dict
  sample: [{display_name: Windows Defender, product_state: 393472}]
defender:
  description: realtime_enabled and its Security Center entry.
  returned: always
  type: dict
  sample: {realtime_enabled: false, security_center: {display_name: Windows Defender, product_state: 393472}}
disk:
  description: media_type (HDD, SSD, SCM, Unspecified, Unknown) and bus_type of the system disk.
  returned: always
  type: dict
  sample: {media_type: HDD, bus_type: SATA}
last_boot:
  description: Last boot time (ISO 8601 with offset).
  returned: always
  type: str
  sample: '2026-11-24T08:30:00+09:00'
clock:
  description: The PC's local time (ISO 8601 with offset); the first scan's start is computed from it.
  returned: always
  type: str
  sample: '2026-11-24T10:00:00+09:00'
"""
