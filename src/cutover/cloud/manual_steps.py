"""Steps ARM and Pulumi cannot do, exported as the ``manual_steps`` stack output for the reports."""

from __future__ import annotations

from cutover import naming


def for_site(site_id: str, account_name: str, identity_mode: str) -> list[dict[str, str]]:
    app = naming.storage_app(account_name)
    steps = [
        {
            "id": "entra-kerberos-admin-consent",
            "title_en": f"Grant admin consent to the Entra Kerberos app of {account_name}",
            "title_ja": f"{account_name} の Entra Kerberos アプリに管理者の同意を付与",
            "why": "The storage resource provider creates the app; only an Entra admin can consent to its "
                   "openid, profile and User.Read permissions. Without consent, mounting fails.",
            "how": f"Entra admin centre > Enterprise applications > '{app}' > Permissions > Grant admin consent.",
        },
        {
            "id": "entra-kerberos-mfa-exclusion-elsewhere",
            "title_en": f"Exclude the app of {account_name} from MFA policies this project does not manage",
            "title_ja": f"本プロジェクト管理外の MFA 必須ポリシーから {account_name} のアプリを除外",
            "why": "Kerberos ticket requests cannot answer an MFA challenge (System error 1327 when mounting). "
                   "The site's own MFA policy excludes the app in code; policies made outside cutover do not.",
            "how": f"In every other CA policy that requires MFA for all apps, exclude '{app}'.",
        },
        {
            "id": "client-cloud-kerberos-ticket-retrieval",
            "title_en": "Enable cloud Kerberos ticket retrieval on the site's PCs",
            "title_ja": "県本部の PC でクラウド Kerberos チケット取得を有効化",
            "why": "Clients must request the Entra Kerberos TGT at logon "
                   "(CloudKerberosTicketRetrievalEnabled = 1).",
            "how": "Applied by the fileshare_client role (or Intune / GPO); needs a reboot or policy refresh.",
        },
    ]
    if identity_mode == "hybrid":
        steps.append({
            "id": "hybrid-dc-line-of-sight",
            "title_en": "Set folder ACLs from a PC that reaches a domain controller",
            "title_ja": "ドメインコントローラーに到達できる PC からフォルダーのアクセス権を設定",
            "why": "Windows ACLs name AD-synced groups; icacls and Set-Acl resolve them against AD, so the client "
                   "needs unimpeded network connectivity to a domain controller (File Explorer works because "
                   "the account carries the domain name and GUID).",
            "how": "Apply the 'directory_acl_plan' output from an admin PC inside the VPN, mounted with net use.",
        })
    if identity_mode == "cloud_only":
        steps.append({
            "id": "kdc-enable-cloud-group-sids",
            "title_en": f"Tag the Entra Kerberos app of {account_name} with kdc_enable_cloud_group_sids",
            "title_ja": f"{account_name} の Entra Kerberos アプリに kdc_enable_cloud_group_sids タグを付与",
            "why": "Folder ACLs of cloud-only sites name cloud groups; without the manifest tag their SIDs are "
                   "not in the Kerberos ticket and access is refused. The app belongs to the storage resource "
                   "provider, so ARM and this project cannot set it (tag string: third-party sources only).",
            "how": f"Entra admin centre > App registrations > '{app}' > Manifest: add "
                   "'kdc_enable_cloud_group_sids' to tags; check with a test user before the cutover.",
        })
        steps.append({
            "id": "cloud-only-directory-acls",
            "title_en": "Set the folder ACLs from the directory-ACL plan",
            "title_ja": "ディレクトリ ACL 計画に従ってフォルダーのアクセス権を設定",
            "why": "Cloud-only identities get one default share-level permission for the whole tenant; "
                   "separation between folders and sites comes from the directory ACLs only.",
            "how": "Apply the 'directory_acl_plan' output with the Azure portal or PowerShell (not File Explorer).",
        })
    return steps


def for_storage_mover(site_id: str, agent: str, vault_uri: str) -> list[dict[str, str]]:
    return [
        {
            "id": "storage-mover-agent",
            "title_en": f"Register the Storage Mover agent {agent} near the data-center file server",
            "title_ja": f"Storage Mover エージェント {agent} をファイルサーバーの近くに登録",
            "why": "The agent VM runs in the data center and is registered through Azure Arc; ARM cannot create it.",
            "how": f"Deploy the agent image on a VM that reaches the file server over SMB, register it as {agent} "
                   "and grant it access to the storage account.",
        },
        {
            "id": "storage-mover-credentials",
            "title_en": "Store the data-center share's SMB credentials in Key Vault",
            "title_ja": "データセンター共有の SMB 資格情報を Key Vault に保存",
            "why": "Source endpoints read the username and password from Key Vault secrets; "
                   "secrets never go in the repo.",
            "how": f"Create secrets {site_id}-dc-smb-username and {site_id}-dc-smb-password in {vault_uri} and give "
                   "the Storage Mover's identity Key Vault Secrets User.",
        },
    ]


def for_file_sync(site_id: str, server: str, office: str, shares: list[str], path: str) -> list[dict[str, str]]:
    return [{
        "id": "file-sync-register-server",
        "title_en": f"Install the Azure File Sync agent on {server} and add its server endpoints",
        "title_ja": f"{server} に Azure File Sync エージェントを導入しサーバーエンドポイントを追加",
        "why": f"The line of {office} blocks TCP 445: its PCs use {server}, which syncs with Azure over HTTPS 443. "
               "Registering a server needs the agent on it, so ARM cannot do it.",
        "how": f"Install the agent, register {server} with {naming.storage_sync_service(site_id)}, then add a "
               f"server endpoint per sync group ({', '.join(shares)}) under {path} with cloud tiering on; "
               "PCs of that office map the server's shares.",
    }]


def for_offices(offices, file_sync) -> list[dict[str, str]]:
    steps = []
    for office in offices:
        if office.shared_ipv4:
            steps.append({
                "id": "office-shared-ipv4",
                "title_en": f"{office.name}: its IPv4 address is shared, so it is not in the storage firewall",
                "title_ja": f"{office.name}: IPv4 アドレスが共有のためストレージのファイアウォールに登録しない",
                "why": "IPv4 over IPv6 services (MAP-E, DS-Lite) share one IPv4 address among many subscribers; "
                       "allowing it would admit strangers to the firewall and the trusted location.",
                "how": "Order a fixed IPv4 address option from the ISP (then clear shared_ipv4), or serve the "
                       "office through Azure File Sync on a local server.",
            })
        if office.port_445_blocked and not (file_sync and file_sync.office == office.name):
            steps.append({
                "id": "office-port-445-blocked",
                "title_en": f"{office.name}: TCP 445 is blocked and no alternative is configured",
                "title_ja": f"{office.name}: TCP 445 が遮断され代替手段が未設定",
                "why": "SMB to Azure Files uses TCP 445 only.",
                "how": "Ask the ISP to open outbound 445, or set file_sync for this office in site.yml.",
            })
    return steps
