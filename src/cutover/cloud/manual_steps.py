"""Steps ARM and Pulumi cannot do, exported as the ``manual_steps`` stack output for the reports."""

from __future__ import annotations


def for_site(site_id: str, account_name: str, identity_mode: str) -> list[dict[str, str]]:
    app = f"[Storage Account] {account_name}.file.core.windows.net"
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
            "id": "entra-kerberos-mfa-exclusion",
            "title_en": f"Exclude the app of {account_name} from conditional access policies requiring MFA",
            "title_ja": f"{account_name} のアプリを MFA 必須の条件付きアクセスの対象外にする",
            "why": "Kerberos ticket requests cannot answer an MFA challenge (System error 1327 when mounting).",
            "how": f"In every CA policy that requires MFA for all apps, add '{app}' to the excluded applications.",
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
    if identity_mode == "cloud_only":
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
