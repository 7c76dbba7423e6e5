"""Catalogue of policy ids: the one list that the policy pack, waivers and reports share.

A waiver in the inventory names one of these ids. ``waivable`` says whether a waiver may
relax the policy at all (some settings are never negotiable). ``scope`` says what a waiver
narrows to: the whole site, one file share, or one endpoint (hostname).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Enforcement = Literal["mandatory", "advisory"]
Scope = Literal["site", "share", "endpoint"]


@dataclass(frozen=True)
class PolicyInfo:
    id: str
    enforcement: Enforcement
    area: str  # cloud | ngav | office | mail | fileshare | migration
    title_en: str
    title_ja: str
    waivable: bool = False
    scope: Scope = "site"


POLICIES: tuple[PolicyInfo, ...] = (
    PolicyInfo("storage-https-only", "mandatory", "cloud", "Storage account accepts HTTPS only",
               "ストレージアカウントは HTTPS のみ受け付ける"),
    PolicyInfo("storage-min-tls-1-2", "mandatory", "cloud", "Minimum TLS version is 1.2",
               "TLS 1.2 以上のみ許可"),
    PolicyInfo("storage-no-public-blob", "mandatory", "cloud", "No anonymous public blob access",
               "BLOB の匿名公開アクセスを禁止"),
    PolicyInfo("storage-shared-key-disabled", "mandatory", "cloud",
               "Shared-key (account key) access off, or on only for vaulted backup with key and SAS expiry",
               "共有キー（アカウントキー）は無効。保管庫バックアップに必要な場合のみキー・SAS の有効期限付きで有効",
               waivable=True),
    PolicyInfo("storage-infrastructure-encryption", "mandatory", "cloud",
               "Infrastructure (double) encryption enabled", "インフラストラクチャ暗号化（二重暗号化）を有効化"),
    PolicyInfo("storage-no-cross-tenant-replication", "mandatory", "cloud",
               "Cross-tenant object replication disabled", "テナント間レプリケーションを無効化"),
    PolicyInfo("storage-network-default-deny", "mandatory", "cloud",
               "Storage firewall denies by default", "ストレージのファイアウォールは既定で拒否"),
    PolicyInfo("storage-ip-rules-public-only", "mandatory", "cloud",
               "IP rules list only public office egress addresses (no 0.0.0.0/0, no private ranges)",
               "IP 規則は事務所のグローバル IP のみ（0.0.0.0/0・プライベート範囲は不可）"),
    PolicyInfo("storage-trusted-services-bypass", "advisory", "cloud",
               "Trusted Azure services may bypass the firewall (needed by Azure Backup)",
               "信頼された Azure サービス（バックアップ）のファイアウォール通過を許可"),
    PolicyInfo("files-smb-3-1-1-only", "mandatory", "cloud", "SMB 3.1.1 only",
               "SMB 3.1.1 のみ許可"),
    PolicyInfo("files-kerberos-aes256", "mandatory", "cloud", "Kerberos tickets use AES-256 only",
               "Kerberos チケット暗号化は AES-256 のみ"),
    PolicyInfo("files-channel-aes256-gcm", "mandatory", "cloud",
               "SMB channel encryption AES-256-GCM only (AES-128-GCM beside it while Windows 10 PCs remain, "
               "until the deadline)",
               "SMB チャネル暗号化は AES-256-GCM のみ（Windows 10 が残る間は期限まで AES-128-GCM も許可）"),
    PolicyInfo("files-ntlmv2-disabled", "mandatory", "cloud", "NTLMv2 authentication disabled unless waived",
               "NTLMv2 認証は例外承認がない限り無効", waivable=True),
    PolicyInfo("files-share-soft-delete", "mandatory", "cloud", "Share soft delete kept for 14 days or more",
               "共有の論理削除を 14 日以上保持"),
    PolicyInfo("files-identity-entra-kerberos", "mandatory", "cloud",
               "Identity-based access through Microsoft Entra Kerberos",
               "Microsoft Entra Kerberos による ID ベース認証"),
    PolicyInfo("rbac-groups-only", "mandatory", "cloud", "Share role assignments go to groups only",
               "共有のロール割り当てはグループのみ"),
    PolicyInfo("storage-delete-lock", "mandatory", "cloud", "CanNotDelete lock on the storage account",
               "ストレージアカウントに削除ロック（CanNotDelete）"),
    PolicyInfo("storage-diagnostics", "mandatory", "cloud",
               "File service logs (read/write/delete) go to the central Log Analytics workspace",
               "ファイルサービスのログ（読取・書込・削除）を共通 Log Analytics へ送信"),
    PolicyInfo("files-backup-every-share", "mandatory", "cloud", "Every file share is protected by Azure Backup",
               "すべてのファイル共有を Azure Backup で保護", waivable=True, scope="share"),
    PolicyInfo("storage-defender", "advisory", "cloud", "Defender for Storage activity monitoring on",
               "Defender for Storage のアクティビティ監視を有効化"),
    PolicyInfo("storage-required-tags", "advisory", "cloud", "Site, wave, managed-by and cost-centre tags present",
               "サイト・ウェーブ・管理者・コストセンターのタグを付与"),
    PolicyInfo("storage-protected", "mandatory", "cloud",
               "Storage account and shares are protected from `pulumi destroy`",
               "ストレージアカウントと共有を pulumi destroy から保護"),
    PolicyInfo("waivers-unexpired", "mandatory", "cloud", "Every waiver in force is unexpired",
               "適用中の例外承認はすべて有効期限内"),
    PolicyInfo("storage-public-endpoint-for-offices", "mandatory", "cloud",
               "Public endpoint enabled (the offices reach the shares over the internet; no private endpoint)",
               "パブリックエンドポイントを有効化（事務所はインターネット経由で接続、プライベートエンドポイントなし）"),
    PolicyInfo("storage-egress-range-bounded", "mandatory", "cloud",
               "Storage firewall ranges no wider than /24 unless waived",
               "ファイアウォールの IP 範囲は例外承認がない限り /24 以下", waivable=True),
    PolicyInfo("storage-migration-source-expired", "mandatory", "cloud",
               "The data center's egress leaves the firewall after the site's migration window",
               "移行期間の終了後はデータセンターの送信元 IP をファイアウォールから削除"),
    PolicyInfo("files-default-share-permission", "mandatory", "cloud",
               "Default share permission: none on hybrid sites, at most SMB Share Contributor on cloud-only sites",
               "既定の共有アクセス許可はハイブリッドではなし、クラウドのみでは SMB 共有の共同作成者まで"),
    PolicyInfo("rbac-share-scope-only", "mandatory", "cloud",
               "Share role assignments are scoped to one file share and use an SMB share role",
               "共有のロール割り当ては個々のファイル共有を範囲とし SMB 共有ロールを使う"),
    PolicyInfo("identity-mfa-policy", "mandatory", "cloud",
               "MFA outside the offices: enforced once the wave is live; offices, the storage app and "
               "break-glass accounts excluded",
               "事務所外での MFA: ウェーブ稼働後は強制。事務所・ストレージのアプリ・緊急用アカウントは除外"),
    PolicyInfo("identity-legacy-auth-blocked", "mandatory", "cloud",
               "Legacy authentication blocked from the agreed date; break-glass accounts excluded",
               "合意した日からレガシー認証をブロック（緊急用アカウントは除外）"),
    PolicyInfo("backup-retention-bounds", "mandatory", "cloud",
               "Backup retention is the inventory's and within the support matrix for its tier",
               "バックアップ保持期間はインベントリの値で、階層ごとのサポート範囲内"),
    PolicyInfo("backup-vault-protected", "mandatory", "cloud",
               "Core backup vault: geo-redundant with cross-region restore, soft delete always on, immutable, "
               "locked and protected",
               "共通バックアップ資格情報コンテナー: geo 冗長・リージョン間復元・論理削除常時有効・不変・ロック・保護"),
    PolicyInfo("key-vault-protected", "mandatory", "cloud",
               "Core Key Vault: purge protection, soft delete, RBAC, network deny by default, protected",
               "共通 Key Vault: 消去保護・論理削除・RBAC・既定拒否のネットワーク・保護"),
    PolicyInfo("endpoint-readiness", "mandatory", "fileshare",
               "Endpoint ready for the cloud file share before cutover", "移行前に端末がクラウドファイル共有に対応済み",
               waivable=True, scope="endpoint"),
)

BY_ID: dict[str, PolicyInfo] = {p.id: p for p in POLICIES}
