"""Labels of the report in Japanese (default) and English."""

from __future__ import annotations

LABELS = {
    "ja": {
        "title": "移行準備状況レポート", "index": "全国一覧", "site": "サイト", "wave": "ウェーブ",
        "readiness": "準備状況", "ready": "準備完了", "not_ready": "未完了", "blockers": "要対応",
        "deadlines": "期限", "days_left": "残り日数", "days_over": "日経過", "evaluated": "評価対象と日時",
        "generated": "作成日時", "as_of": "基準日", "inventory_revision": "台帳リビジョン", "tools": "ツール",
        "sources": "証跡の取得元", "breakdown": "結果の内訳", "checks": "チェック一覧", "status": "結果",
        "area": "分野", "all": "すべて", "message": "内容", "host": "端末", "source": "取得元",
        "details": "詳細と証跡", "actions": "手作業が必要な端末・作業", "no_actions": "手作業はありません",
        "costs": "費用の概算（月額・税抜）", "drift": "前回からの変化", "missing_now": "今回なくなったもの",
        "new_now": "今回新たに出たもの", "changed": "変わったもの", "no_drift": "前回との差はありません",
        "no_previous": "比較する前回の結果がありません", "back": "全国一覧へ戻る", "endpoints": "PC台数",
        "addresses": "メールアドレス数", "identity": "ID方式", "manual_note": "手作業の確認事項",
        "groupware": "ガルーンID", "m365": "Microsoft 365 ライセンス（要更新のPC）", "storage": "ファイル共有の容量",
        "total": "合計", "count": "件数", "yen": "円", "filter": "絞り込み", "shown": "表示中",
        "office_1619": "Office 2016/2019 サポート終了", "office_2021": "Office 2021 サポート終了",
        "wave_start": "このサイトの移行ウェーブ開始", "cutover": "データセンター廃止（2028年4月サーバー更改）",
        "site_count": "サイト数", "ready_sites": "準備完了のサイト", "what": "項目", "value": "値",
        "before": "前回", "after": "今回",
    },
    "en": {
        "title": "Cutover readiness report", "index": "National index", "site": "Site", "wave": "Wave",
        "readiness": "Readiness", "ready": "Ready", "not_ready": "Not ready", "blockers": "Blockers",
        "deadlines": "Deadlines", "days_left": "days left", "days_over": "days over",
        "evaluated": "What was evaluated, and when",
        "generated": "Generated", "as_of": "As of", "inventory_revision": "Inventory revision", "tools": "Tools",
        "sources": "Evidence sources", "breakdown": "Result breakdown", "checks": "Checks", "status": "Status",
        "area": "Area", "all": "All", "message": "Message", "host": "PC", "source": "Source",
        "details": "Details and evidence", "actions": "PCs and work needing hands-on action",
        "no_actions": "No hands-on work", "costs": "Cost estimate (monthly, excl. tax)",
        "drift": "Changes since the previous run",
        "missing_now": "Missing now", "new_now": "New now", "changed": "Changed",
        "no_drift": "No change since the previous run",
        "no_previous": "No previous run to compare with", "back": "Back to the national index", "endpoints": "PCs",
        "addresses": "Mail addresses", "identity": "Identity mode", "manual_note": "Manual steps to confirm",
        "groupware": "Groupware IDs", "m365": "Microsoft 365 licences (PCs needing new Office)",
        "storage": "File share capacity", "total": "Total", "count": "Count", "yen": "yen", "filter": "Filter",
        "shown": "shown", "office_1619": "Office 2016/2019 end of support", "office_2021": "Office 2021 end of support",
        "wave_start": "This site's rollout wave starts", "cutover": "Data-center retirement (April 2028 replacement)",
        "site_count": "Sites", "ready_sites": "Sites ready", "what": "Item", "value": "Value",
        "before": "Before", "after": "Now",
    },
}
STATUS_LABELS = {
    "ja": {"pass": "合格", "fail": "不合格", "error": "確認不能", "not_applicable": "対象外", "manual": "手作業",
           "waived": "例外承認"},
    "en": {"pass": "pass", "fail": "fail", "error": "error", "not_applicable": "n/a", "manual": "manual",
           "waived": "waived"},
}
AREA_LABELS = {
    "ja": {"cloud": "クラウド", "ngav": "ウイルス対策", "office": "Office", "mail": "メール",
           "fileshare": "ファイル共有", "migration": "データ移行", "inventory": "台帳"},
    "en": {"cloud": "Cloud", "ngav": "NGAV", "office": "Office", "mail": "Mail", "fileshare": "File share",
           "migration": "Migration", "inventory": "Inventory"},
}
