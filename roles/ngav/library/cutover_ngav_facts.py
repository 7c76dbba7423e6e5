# Documentation for the PowerShell module cutover_ngav_facts.ps1 (ansible-doc reads this file).

DOCUMENTATION = r"""
module: cutover_ngav_facts
short_description: Old antivirus, NGAV, Defender, disk media and last boot in one read-only call
description:
  - Old antivirus - uninstall entries whose DisplayName matches I(old_av_display_patterns) (64- and
    32-bit Uninstall keys), the state of I(old_av_services), and scheduled tasks under I(old_av_task_paths).
  - NGAV - the uninstall entry matching I(ngav_display_pattern), I(ngav_services) and its Security
    Center entry I(ngav_security_center_name) (C(root/SecurityCenter2 AntiVirusProduct)).
  - Windows Defender real-time protection, the system disk's media type (MSFT_PhysicalDisk; NVMe
    counts as SSD when the media type is unspecified) and the last boot time.
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
  old_av_task_paths:
    description: Task Scheduler folders of the old antivirus's scheduled scans.
    type: list
    elements: str
    default: ['\TrendMicro\']
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
author:
  - cutover project
"""

RETURN = r"""
old_av:
  description: >-
    products (product_id, display_name, publisher, uninstall_string),
    services (name -> state or null), tasks.
  returned: always
  type: dict
ngav:
  description: >-
    product (or null), services (name -> state or null),
    security_center (display_name, product_state or null).
  returned: always
  type: dict
security_center:
  description: Every antivirus registered in Security Center (display_name, product_state).
  returned: always
  type: list
  elements: dict
defender:
  description: realtime_enabled and its Security Center entry.
  returned: always
  type: dict
disk:
  description: media_type (HDD, SSD, SCM, Unspecified, Unknown) and bus_type of the system disk.
  returned: always
  type: dict
last_boot:
  description: Last boot time (ISO 8601).
  returned: always
  type: str
"""
