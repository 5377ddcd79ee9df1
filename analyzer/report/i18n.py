"""Report texts in English and Japanese.

Labels are looked up by key; finding texts by finding code, as ``str.format``
templates filled with the finding's parameters (the English ones live in the
findings catalog). A missing Japanese text falls back to English.
"""

from __future__ import annotations

import re

LANGUAGES = ("en", "ja")

_LABELS: dict[str, dict[str, str]] = {
    "report_title": {
        "en": "Postfix mail case report",
        "ja": "Postfix メール調査レポート",
    },
    "summary_title": {"en": "Case summary", "ja": "調査サマリー"},
    "bundle": {"en": "Bundle", "ja": "バンドル"},
    "generated": {"en": "Generated", "ja": "作成日時"},
    "hosts": {"en": "Hosts", "ja": "ホスト"},
    "verdict": {"en": "Verdict", "ja": "結論"},
    "verdict_failing": {
        "en": "Mail is not being delivered",
        "ja": "メールが配送されていません",
    },
    "verdict_failing_some": {
        "en": "Some mail is not being delivered",
        "ja": "一部のメールが配送されていません",
    },
    "verdict_warning": {
        "en": "Problems to fix were found",
        "ja": "対処すべき問題が見つかりました",
    },
    "verdict_failing_over": {
        "en": "Some mail was not delivered; later mail goes out",
        "ja": "一部のメールが配送されませんでした。その後のメールは送信されています",
    },
    "verdict_warning_over": {
        "en": "Problems occurred earlier; mail goes out now",
        "ja": "以前に問題がありました。現在はメールが送信されています",
    },
    "verdict_healthy": {"en": "No problem found", "ja": "問題は見つかりませんでした"},
    "verdict_healthy_detail": {
        "en": "Every message in the logs was delivered or handed on.",
        "ja": "ログ上のすべてのメッセージが配送または転送されました。",
    },
    "verdict_healthy_none": {
        "en": "No message in the logs was delivered or handed on ({states}).",
        "ja": "ログ上のメッセージは 1 通も配送・転送されていません（{states}）。",
    },
    "verdict_healthy_some": {
        "en": "{delivered} of {total} messages in the logs were delivered or handed "
        "on ({states}).",
        "ja": "ログ上の {total} 通のうち {delivered} 通が配送または転送されました"
        "（残り：{states}）。",
    },
    "verdict_state": {"en": "{count} {state}", "ja": "{state} {count} 通"},
    "verdict_state_unknown": {
        "en": "{count} with no outcome in the logs",
        "ja": "ログに結果なし {count} 通",
    },
    "verdict_state_separator": {"en": "; ", "ja": "、"},
    "verdict_other_hosts": {
        "en": "Other hosts with problems: {hosts}.",
        "ja": "ほかにも問題のあるホスト：{hosts}。",
    },
    "verdict_sentence": {"en": "{text}.", "ja": "{text}。"},
    "verdict_sentences": {"en": "{first} {then}", "ja": "{first}{then}"},
    "verdict_partial": {
        "en": "Parts of the bundle could not be read; results are partial.",
        "ja": "バンドルの一部を読めなかったため、結果は部分的です。",
    },
    "key_numbers": {"en": "Key numbers", "ja": "主要な数値"},
    "messages": {"en": "Messages", "ja": "メッセージ数"},
    "state_delivered": {"en": "Delivered", "ja": "配送済み"},
    "state_deferred": {"en": "Deferred, still queued", "ja": "配送待ち（キュー内）"},
    "state_held": {"en": "On hold", "ja": "保留中"},
    "state_deleted": {"en": "Deleted by an administrator", "ja": "管理者が削除"},
    "state_partial": {
        "en": "Delivered to some recipients only",
        "ja": "一部の宛先のみ配送",
    },
    "state_rejected": {"en": "Rejected", "ja": "拒否"},
    "state_discarded": {
        "en": "Discarded by this host's checks",
        "ja": "このホストのチェックで破棄",
    },
    "rejected_unqueued": {
        "en": "Submissions rejected before queueing",
        "ja": "キュー投入前に拒否された送信",
    },
    "state_unknown": {"en": "Outcome not in the logs", "ja": "ログに結果なし"},
    "state_bounced": {"en": "Bounced", "ja": "バウンス"},
    "state_expired": {"en": "Expired", "ja": "期限切れ"},
    "recipients_queued": {
        "en": "Recipients still queued",
        "ja": "キュー内で待つ宛先",
    },
    "recipients_bounced": {
        "en": "Recipients bounced",
        "ja": "バウンスした宛先",
    },
    "queued_now": {"en": "In the queue listing", "ja": "キュー一覧の件数"},
    "colon": {"en": ": ", "ja": "："},
    "list_separator": {"en": ", ", "ja": "、"},
    "qshape_total": {"en": "T", "ja": "合計"},
    "qshape_total_row": {"en": "TOTAL", "ja": "合計"},
    "title_hosts": {"en": "{title} ({hosts})", "ja": "{title}（{hosts}）"},
    "whole_bundle": {"en": "whole bundle", "ja": "バンドル全体"},
    "setting_unset": {
        "en": '({name} is not set; default: "{value}")',
        "ja": '（{name} は未設定。既定値："{value}"）',
    },
    "member_status_read": {"en": "read", "ja": "読み取り済み"},
    "member_status_partial": {"en": "partial", "ja": "一部のみ"},
    "member_status_skipped": {"en": "skipped", "ja": "対象外"},
    "member_status_rejected": {"en": "rejected", "ja": "拒否（安全でない）"},
    "member_status_error": {"en": "error", "ja": "読み取りエラー"},
    "member_kind_maillog": {"en": "mail log", "ja": "メール・ログ"},
    "member_kind_journal_json": {"en": "journal (JSON)", "ja": "journal（JSON）"},
    "member_kind_postqueue_json": {"en": "postqueue -j", "ja": "postqueue -j"},
    "member_kind_archive": {"en": "archive", "ja": "アーカイブ"},
    "member_kind_other": {"en": "other", "ja": "その他"},
    "notices": {
        "en": "Non-delivery notices (from=<>)",
        "ja": "不達通知（from=<>）",
    },
    "log_span": {"en": "Log covers", "ja": "ログの期間"},
    "findings": {"en": "Findings", "ja": "検出事項"},
    "no_findings": {"en": "No findings.", "ja": "検出事項はありません。"},
    "summary_findings_note": {
        "en": "{shown} of {total} findings shown; report.html lists them all.",
        "ja": "{total} 件の検出事項のうち {shown} 件を表示しています。すべては report.html にあります。",
    },
    "summary_findings_note_command": {
        "en": "{shown} of {total} findings shown; `mailbundle report --format html` "
        "lists them all.",
        "ja": "{total} 件の検出事項のうち {shown} 件を表示しています。すべては "
        "`mailbundle report --format html` で出力できます。",
    },
    "severity_error": {"en": "Error", "ja": "エラー"},
    "severity_warning": {"en": "Warning", "ja": "警告"},
    "severity_info": {"en": "Information", "ja": "情報"},
    "host": {"en": "Host", "ja": "ホスト"},
    "affected": {"en": "Messages affected", "ja": "影響を受けたメッセージ"},
    "affected_count": {"en": "{count}", "ja": "{count} 通"},
    "first_seen": {"en": "First seen", "ja": "最初の記録"},
    "last_seen": {"en": "Last seen", "ja": "最後の記録"},
    "evidence": {"en": "Evidence", "ja": "根拠"},
    "remedy": {"en": "What to do", "ja": "対処"},
    "next_steps": {"en": "Next steps", "ja": "次の手順"},
    "timeline": {"en": "Timeline", "ja": "タイムライン"},
    "traffic_chart_min": {
        "en": "Delivery attempts per minute, one per recipient",
        "ja": "1 分ごとの配送試行（宛先ごとに 1 回）",
    },
    "traffic_chart_h": {
        "en": "Delivery attempts per hour, one per recipient",
        "ja": "1 時間ごとの配送試行（宛先ごとに 1 回）",
    },
    "traffic_chart_D": {
        "en": "Delivery attempts per day, one per recipient",
        "ja": "1 日ごとの配送試行（宛先ごとに 1 回）",
    },
    "traffic_chart_rejected": {
        "en": "{caption}, and submissions rejected before queueing",
        "ja": "{caption}と、キュー投入前に拒否された送信",
    },
    "traffic_chart_notices": {
        "en": "{caption}; non-delivery notices (from=<>) are not shown",
        "ja": "{caption}。不達通知（from=<>）は含みません",
    },
    "deferrals": {"en": "Deferrals", "ja": "配送の遅延"},
    "by_reason": {"en": "By reason", "ja": "理由別"},
    "by_relay": {"en": "By relay", "ja": "リレー先別"},
    "by_domain": {"en": "By recipient domain", "ja": "宛先ドメイン別"},
    "by_dsn": {"en": "By DSN code", "ja": "DSN コード別"},
    "count": {"en": "Count", "ja": "件数"},
    "example": {"en": "Most frequent reply", "ja": "最も多い応答"},
    "per_host": {"en": "Per host", "ja": "ホスト別"},
    "queue_shape": {
        "en": "Queue shape (minutes in queue, by domain)",
        "ja": "キューの状況：ドメイン別・滞留時間（分）",
    },
    "qshape_age_listing": {
        "en": "The table shows the messages of each host's newest queue listing. "
        "Ages are minutes up to the time that listing was made: {times}. That is the "
        "listing's file time, or its newest arrival time when that is later. As in "
        "Postfix's qshape, each column counts the messages younger than its heading "
        "and at least as old as the previous one. The 1280+ column counts messages "
        "of 1,280 minutes and more.",
        "ja": "表は各ホストの最新のキュー一覧のメッセージを示します。滞留時間は、その一覧の作成時刻"
        "までの分数です：{times}。作成時刻は一覧のファイル時刻で、一覧内で最も新しい到着時刻の方が"
        "後ならその到着時刻です。Postfix の qshape と同じく、各列は見出しの分数未満で前の列の"
        "分数以上のメッセージを数えます。1280+ の列は 1,280 分以上のメッセージです。",
    },
    "qshape_gap_note": {
        "en": "That time is {days} days after the last log line. If the files were "
        "copied without keeping their times, every age here is too large by about "
        "that much.",
        "ja": "この時刻は最後のログ行の {days} 日後です。ファイルが時刻を保たずにコピーされた"
        "場合、ここの滞留時間はすべてその分だけ大きすぎます。",
    },
    "no_queue": {
        "en": "The bundle has no queue listing.",
        "ja": "バンドルにキュー一覧がありません。",
    },
    "queue_failed": {
        "en": "The queue listings show an error instead of the queue ({errors}).",
        "ja": "キュー一覧にはキューの代わりにエラーが出ています（{errors}）。",
    },
    "queue_empty": {
        "en": "The queue was empty when it was listed ({listings}).",
        "ja": "一覧の作成時、キューは空でした（{listings}）。",
    },
    "config_review": {"en": "Configuration review", "ja": "設定の確認"},
    "parameter": {"en": "Parameter", "ja": "パラメーター"},
    "written": {"en": "Written", "ja": "記述値"},
    "effective": {"en": "Effective", "ja": "実効値"},
    "line": {"en": "Line", "ja": "行"},
    "default": {"en": "default", "ja": "既定値"},
    "inline_comment": {
        "en": '(includes the comment "{comment}": Postfix reads it as part of the value)',
        "ja": "（コメント「{comment}」を含みます。Postfix はこれを値の一部として読みます）",
    },
    "overridden": {
        "en": "Overridden by a later line",
        "ja": "後の行で上書きされた設定",
    },
    "services": {"en": "master.cf services", "ja": "master.cf のサービス"},
    "message_table": {"en": "Messages", "ja": "メッセージ"},
    "message_table_note": {
        "en": "Showing {shown} of {total} messages, problems first.",
        "ja": "{total} 件中 {shown} 件を表示（問題のあるものから）。",
    },
    "message_table_note_handoffs": {
        "en": "Showing {shown} of {total} queue entries, problems first. "
        "{handed_off} of them are copies that went on under a new queue ID "
        "(through a content filter, another Postfix instance or an alias forward), "
        "so the key numbers count {messages} messages.",
        "ja": "{total} 件のキュー・エントリーのうち {shown} 件を表示（問題のあるものから）。"
        "うち {handed_off} 件は新しいキュー ID で引き継がれたコピー（コンテンツ・"
        "フィルター、別の Postfix インスタンス、エイリアスの転送による）のため、"
        "主要な数値ではメッセージを {messages} 件と数えています。",
    },
    "message_table_note_tries": {
        "en": "Showing {shown} of {total} queue entries, problems first. {tries} of "
        "them are tries that cleanup did not accept, which pickup or the client "
        "repeats under a new queue ID, so the key numbers count {messages} messages.",
        "ja": "{total} 件のキュー・エントリーのうち {shown} 件を表示（問題のあるものから）。"
        "うち {tries} 件は cleanup が受け付けなかった試行で、pickup またはクライアントが新しい"
        "キュー ID で繰り返すため、主要な数値ではメッセージを {messages} 件と数えています。",
    },
    "trace_omitted": {
        "en": "{count} more lines of this message; mailbundle trace BUNDLE {queue_id} "
        "shows them all.",
        "ja": "このメッセージの残り {count} 行は mailbundle trace BUNDLE {queue_id} "
        "で表示できます。",
    },
    "queue_id": {"en": "Queue ID", "ja": "キュー ID"},
    "sender": {"en": "Sender", "ja": "送信者"},
    "state": {"en": "State", "ja": "状態"},
    "trace": {"en": "Trace", "ja": "履歴"},
    "parent": {"en": "Parent", "ja": "親メッセージ"},
    "children": {"en": "Children", "ja": "子メッセージ"},
    "inventory": {"en": "Bundle inventory", "ja": "バンドルの内容"},
    "path": {"en": "Member", "ja": "メンバー"},
    "size": {"en": "Size", "ja": "サイズ"},
    "kind": {"en": "Read as", "ja": "種類"},
    "status": {"en": "Status", "ja": "状態"},
    "detail": {"en": "Detail", "ja": "詳細"},
    "lines": {"en": "Lines", "ja": "行数"},
    "unrecognized": {"en": "Unrecognized lines", "ja": "認識できなかった行"},
    "unknown_postfix": {
        "en": "Postfix lines no rule recognized",
        "ja": "どの規則にも一致しなかった Postfix の行",
    },
    "other_programs": {
        "en": "Lines of other programs (skipped)",
        "ja": "他のプログラムの行（対象外）",
    },
    "unparsed_lines": {
        "en": "Lines without a syslog header",
        "ja": "syslog ヘッダーのない行",
    },
    "duplicates": {
        "en": "Duplicate lines dropped (overlapping rotated logs)",
        "ja": "重複して除外した行（ローテーションの重なり）",
    },
    "totals": {"en": "Totals", "ja": "集計"},
    "ours": {"en": "mailbundle", "ja": "mailbundle"},
    "peer": {"en": "pflogsumm definition", "ja": "pflogsumm の定義"},
    "totals_note": {
        "en": "The second column counts as pflogsumm does, which counts a message "
        "that passes a content filter twice. The first counts it once. Like "
        "pflogsumm without --syslog-name, the second column reads only lines logged "
        "as postfix/..., so it shows 0 for another instance (postfix-out/...). Like "
        "pflogsumm, it also leaves out status=SOFTBOUNCE lines (soft_bounce = yes), "
        "which the first column counts as deferrals. Each row says whether it counts "
        "messages or recipients.",
        "ja": "2 列目は pflogsumm と同じ数え方で、コンテンツ・フィルターを通ったメッセージを 2 回数えます。"
        "1 列目は 1 回だけ数えます。2 列目は --syslog-name なしの pflogsumm と同じく postfix/... と"
        "記録された行だけを読むため、別のインスタンス（postfix-out/...）では 0 になります。"
        "pflogsumm と同じく status=SOFTBOUNCE の行（soft_bounce = yes）も数えませんが、1 列目は"
        "それを配送遅延として数えます。"
        "メッセージ数か宛先数かは各行に示します。",
    },
    "total_received": {"en": "Received", "ja": "受信"},
    "total_delivered": {"en": "Delivered (recipients)", "ja": "配送（宛先）"},
    "total_forwarded": {"en": "Forwarded", "ja": "転送"},
    "total_deferred": {"en": "Deferred (messages)", "ja": "配送遅延があったメッセージ"},
    "total_deferrals": {"en": "Deferrals", "ja": "配送遅延の回数"},
    "total_bounced": {"en": "Bounced (recipients)", "ja": "バウンス（宛先）"},
    "total_rejected": {"en": "Rejected", "ja": "拒否"},
    "total_held": {"en": "Held", "ja": "保留キュー"},
    "total_discarded": {"en": "Discarded", "ja": "破棄"},
    "missing": {"en": "not in the bundle", "ja": "バンドルにありません"},
    "relayhost": {"en": "relayhost", "ja": "relayhost"},
    "times_in_zone": {"en": "Times are in {zone}.", "ja": "時刻は {zone} です。"},
    "page_footer": {"en": "Page {page} / {pages}", "ja": "{page} / {pages} ページ"},
    "contents": {"en": "Contents", "ja": "目次"},
    "traffic_table": {
        "en": "Traffic per day (non-delivery notices left out)",
        "ja": "日ごとの件数（不達通知を除く）",
    },
    "period": {"en": "Day", "ja": "日付"},
    "received": {"en": "Received", "ja": "受信"},
    "delivered": {"en": "Delivered", "ja": "配送"},
    "deferred": {"en": "Deferrals", "ja": "配送遅延（回数）"},
    "bounced": {"en": "Bounced", "ja": "バウンス"},
    "rejected": {"en": "Rejected", "ja": "拒否"},
    # Final states as tables name them: the frames' own values in English.
    # The summary command's lines.
    "summary_bundle": {
        "en": "Bundle: {name} ({members} members; hosts: {hosts})",
        "ja": "バンドル：{name}（メンバー {members} 件、ホスト：{hosts}）",
    },
    "summary_bundle_one": {
        "en": "Bundle: {name} ({members} member; hosts: {hosts})",
        "ja": "バンドル：{name}（メンバー {members} 件、ホスト：{hosts}）",
    },
    "summary_no_hosts": {"en": "none", "ja": "なし"},
    "summary_verdict": {
        "en": "Verdict: {status}: {detail}",
        "ja": "判定：{status}：{detail}",
    },
    "summary_status_failing": {"en": "FAILING", "ja": "要対応"},
    "summary_status_warning": {"en": "WARNING", "ja": "警告"},
    "summary_status_healthy": {"en": "HEALTHY", "ja": "正常"},
    "summary_logs": {
        "en": "Logs: {span}; {lines} lines, {postfix} from Postfix, {recognized} recognized",
        "ja": "ログ：{span}。{lines} 行、うち Postfix {postfix} 行、認識 {recognized} 行",
    },
    "summary_logs_one": {
        "en": "Logs: {span}; 1 line, {postfix} from Postfix, {recognized} recognized",
        "ja": "ログ：{span}。1 行、うち Postfix {postfix} 行、認識 {recognized} 行",
    },
    "summary_duplicates": {
        "en": "; {count} lines that overlapping files repeat were read once",
        "ja": "。重なるファイルが繰り返す {count} 行は一度だけ読みました",
    },
    "summary_span": {
        "en": "{first} to {last} {zone}",
        "ja": "{first} ～ {last}（{zone}）",
    },
    "summary_no_timestamps": {"en": "no timestamps", "ja": "時刻なし"},
    "summary_messages": {
        "en": "Messages: {count}{states}",
        "ja": "メッセージ：{count} 通{states}",
    },
    "summary_states": {"en": " ({states})", "ja": "（{states}）"},
    "summary_state": {"en": "{state} {count}", "ja": "{state} {count}"},
    "summary_notices": {
        "en": "Non-delivery notices (from=<>): {count}{states}",
        "ja": "不達通知（from=<>）：{count} 通{states}",
    },
    "summary_rejected_unqueued": {
        "en": "Submissions rejected before queueing: {count}",
        "ja": "キュー投入前に拒否された送信：{count} 件",
    },
    "summary_peer": {
        "en": "Totals as pflogsumm counts them: {totals}",
        "ja": "pflogsumm の数え方による合計：{totals}",
    },
    "summary_peer_item": {"en": "{name} {count}", "ja": "{name} {count}"},
    "summary_peer_received": {"en": "received", "ja": "受信"},
    "summary_peer_delivered": {"en": "delivered", "ja": "配送"},
    "summary_peer_deferred": {"en": "deferred", "ja": "配送遅延"},
    "summary_peer_deferrals": {"en": "deferrals", "ja": "遅延回数"},
    "summary_peer_bounced": {"en": "bounced", "ja": "バウンス"},
    "summary_peer_rejected": {"en": "rejected", "ja": "拒否"},
    "summary_soft_bounce": {
        "en": "  (pflogsumm counts no status=SOFTBOUNCE lines: the {deferrals} "
        "deferrals of {messages} messages that soft_bounce = yes kept queued are not "
        "in these totals)",
        "ja": "  （pflogsumm は status=SOFTBOUNCE の行を数えないため、soft_bounce = yes で"
        "キューに残った {messages} 通の {deferrals} 回の配送遅延はこの合計に含まれません）",
    },
    "summary_instances": {
        "en": "  (pflogsumm reads only postfix/ lines: the {count} lines of other "
        "instances, {names}, are not in these totals)",
        "ja": "  （pflogsumm は postfix/ の行だけを読むため、ほかのインスタンス（{names}）の "
        "{count} 行はこの合計に含まれません）",
    },
    "summary_queue": {
        "en": "Queue listing: {count} messages{later}",
        "ja": "キュー一覧：{count} 通{later}",
    },
    "summary_queue_one": {
        "en": "Queue listing: {count} message{later}",
        "ja": "キュー一覧：{count} 通{later}",
    },
    "summary_queue_empty": {
        "en": "Queue listing: empty ({sources}){later}",
        "ja": "キュー一覧：空（{sources}）{later}",
    },
    "summary_queue_gone": {
        "en": "; {count} messages listed earlier are gone from it",
        "ja": "。以前の一覧にあった {count} 通はなくなっています",
    },
    "summary_queue_gone_one": {
        "en": "; {count} message listed earlier is gone from it",
        "ja": "。以前の一覧にあった {count} 通はなくなっています",
    },
    "summary_reasons": {
        "en": "Top deferral reasons (deferrals per reason, shown by its most frequent "
        "whole reply):",
        "ja": "主な配送遅延の理由（理由ごとの遅延回数と、最も多い応答の全文）：",
    },
    "summary_reason_share": {
        "en": " ({example} of {total} with this reply)",
        "ja": "（{total} 回のうち {example} 回がこの応答）",
    },
    "summary_findings": {"en": "Findings:", "ja": "検出事項："},
    "summary_no_findings": {"en": "none", "ja": "なし"},
    "summary_finding_count": {"en": "{count} msgs", "ja": "{count} 通"},
    "summary_severity_error": {"en": "ERROR", "ja": "エラー"},
    "summary_severity_warning": {"en": "WARNING", "ja": "警告"},
    "summary_severity_info": {"en": "INFO", "ja": "情報"},
    "short_delivered": {"en": "delivered", "ja": "配送済み"},
    "short_deferred": {"en": "deferred", "ja": "配送待ち"},
    "short_bounced": {"en": "bounced", "ja": "バウンス"},
    "short_expired": {"en": "expired", "ja": "期限切れ"},
    "short_deleted": {"en": "deleted", "ja": "削除"},
    "short_held": {"en": "held", "ja": "保留"},
    "short_rejected": {"en": "rejected", "ja": "拒否"},
    "short_discarded": {"en": "discarded", "ja": "破棄"},
    "short_partial": {"en": "partial", "ja": "一部配送"},
    "short_handed_off": {"en": "handed_off", "ja": "引き渡し"},
    "short_not_accepted": {"en": "not_accepted", "ja": "未受理"},
    "short_unknown": {"en": "unknown", "ja": "不明"},
    # The trace command's lines. Queue names and log lines stay in Postfix's
    # words.
    "trace_messages": {
        "en": "{count} message(s); times in {zone}",
        "ja": "メッセージ {count} 件（時刻は {zone}）",
    },
    "trace_messages_linked": {
        "en": "{count} message(s), and {linked} linked to them (notices, filter "
        "copies, relayed copies); times in {zone}",
        "ja": "メッセージ {count} 件と、関連する通知やコピー {linked} 件（時刻は {zone}）",
    },
    "trace_from": {"en": "from <{sender}>", "ja": "送信者 <{sender}>"},
    # How a child message derives from its parent, in English as the log
    # words it ("sender non-delivery notification: QUEUE_ID").
    "trace_link_handoff": {"en": "handoff", "ja": "再投入（フィルターまたは転送）"},
    "trace_link_relay": {"en": "relay", "ja": "別ホストからの中継"},
    "trace_link_notification:sender_non-delivery": {
        "en": "notification:sender non-delivery",
        "ja": "送信者への不達通知",
    },
    "trace_link_notification:sender_delay": {
        "en": "notification:sender delay",
        "ja": "送信者への遅延通知",
    },
    "trace_link_notification:sender_delivery_status": {
        "en": "notification:sender delivery status",
        "ja": "送信者への配送状況通知",
    },
    "trace_link_notification:postmaster_non-delivery": {
        "en": "notification:postmaster non-delivery",
        "ja": "postmaster への不達通知",
    },
    "trace_link_notification:postmaster_delay": {
        "en": "notification:postmaster delay",
        "ja": "postmaster への遅延通知",
    },
    "trace_link_notification:postmaster_delivery_status": {
        "en": "notification:postmaster delivery status",
        "ja": "postmaster への配送状況通知",
    },
    "trace_message_id": {"en": "message-id {id}", "ja": "Message-ID {id}"},
    "trace_child_of": {
        "en": "child of {parent} ({link})",
        "ja": "{parent} から生成（{link}）",
    },
    "trace_listed": {
        "en": "{count} message(s) only in the queue listing; times in {zone}",
        "ja": "キューの一覧にだけあるメッセージ {count} 件（時刻は {zone}）",
    },
    "trace_arrived": {"en": "arrived {time}", "ja": "到着 {time}"},
    "trace_listed_row": {
        "en": "in the queue listing: [{queue}] to <{recipient}>{reason}",
        "ja": "キューの一覧：[{queue}] 宛先 <{recipient}>{reason}",
    },
    "trace_to": {"en": "to <{recipient}>", "ja": "宛先 <{recipient}>"},
    "trace_unqueued": {
        "en": "{count} line(s) without a queue ID: mail rejected before Postfix "
        "queued it; times in {zone}",
        "ja": "キュー ID のない行 {count} 件：Postfix がキューに入れる前に拒否したメールです"
        "（時刻は {zone}）",
    },
    "trace_more": {"en": "... and {count} more", "ja": "... ほか {count} 行"},
    "trace_no_match": {
        "en": "no message matches {query}; {hint}",
        "ja": "{query} に一致するメッセージはありません。{hint}",
    },
    "trace_hint_unqueued": {
        "en": "the lines above show mail that was rejected before it was queued.",
        "ja": "上の行は、キューに入る前に拒否されたメールです。",
    },
    "trace_hint_empty": {
        "en": "the logs of this bundle show no message at all.",
        "ja": "このバンドルのログにはメッセージがひとつもありません。",
    },
    "trace_hint_port": {
        "en": "that server was tried at port {ports}: give that port, or none.",
        "ja": "そのサーバーはポート {ports} で試されています。そのポートを指定するか、ポートを省いて"
        "ください。",
    },
    "trace_hint_query": {
        "en": "give a queue ID, message key, Message-ID, address, domain, relay "
        "host name or IP address, or the name or address of a client.",
        "ja": "キュー ID、メッセージ・キー、Message-ID、アドレス、ドメイン、リレー・ホストの名前か "
        "IP アドレス、またはクライアントの名前かアドレスを指定してください。",
    },
}


def labels(lang: str) -> dict[str, str]:
    """Return every label in ``lang`` (English where a translation is missing)."""
    if lang not in LANGUAGES:
        raise ValueError(
            f"unsupported report language {lang!r}; use one of {', '.join(LANGUAGES)}"
        )
    return {key: texts.get(lang) or texts["en"] for key, texts in _LABELS.items()}


OUTCOMES_JA = {
    "waiting": "このうち {delivered} 通は後で配送され、{waiting} 通はまだキューで待っています。",
    "waiting_one": "このうち 1 通は後で配送され、{waiting} 通はまだキューで待っています。",
    "delivered": "このうち {delivered} 通は後で配送されました。",
    "delivered_one": "このうち 1 通は後で配送されました。",
}
"""The catalog's OUTCOMES in Japanese."""

SOFT_BOUNCE_JA = (
    "soft_bounce = yes のため、Postfix はこれらの失敗を status=SOFTBOUNCE と記録しました：本来なら"
    "返送するメールもキューに残し、maximal_queue_lifetime（{lifetime}）まで再送するため、"
    "それまで送信者にバウンスは届きません。"
)
"""The catalog's SOFT_BOUNCE in Japanese."""
SOFT_BOUNCE_REMEDY_JA = (
    "まず下記の原因を解消し、その後 /etc/postfix/main.cf で soft_bounce = no にして（soft_bounce は"
    "テストや移行のための設定です）`postfix reload` を実行してください：それでも恒久的に失敗する"
    "メールは、期限切れを待たずに次の再送で送信者に返送されます。"
)
"""The catalog's SOFT_BOUNCE_REMEDY in Japanese."""

_FLUSH_JA = "原因を解消したら `postfix flush` でキュー内のメールを送信してください。"
FLUSH_JA = _FLUSH_JA
"""The remedies' last sentence in Japanese (see the catalog's FLUSH)."""

_AUTHENTICATED_RELAY_JA = (
    "このホストはサーバーにログインしています（smtp_sasl_auth_enable = yes）。サーバーはアカウントを"
    "把握したうえで拒否しているので、そのアカウント（smtp_sasl_password_maps が示すファイルのもの）に"
    "外部ドメインへの中継を許可するよう管理者に依頼してください（Exchange では受信コネクタの権限）。"
    + _FLUSH_JA
)
"""The catalog's relay-access-denied remedy for a host that logs in, in Japanese."""

_MYDESTINATION_TITLE_JA = "{domain} 宛てのメールがこのホストに留まります：mydestination がそのドメインを含んでいます"
_MYDESTINATION_REMEDY_JA = (
    "/etc/postfix/main.cf の mydestination から {domain}（または $mydomain）を削除し、Postfix の既定値 "
    "mydestination = $myhostname, localhost.$mydomain, localhost にしてから `postfix reload` を実行して"
    "ください。{domain} 宛てのメールは relayhost またはそのドメインのメール・サーバーに送られるように"
    "なります。"
)
"""The catalog's mydestination title and remedy in Japanese."""

_CONTENT_CHECK_REMEDY_JA = (
    "これらのメールを送るべきなら、一致したパターンを探してください：`postmap -q {probe} {table}` "
    "で、最初に一致した行のアクションが表示されます。その行を修正または削除して `postfix reload` を"
    "実行してください。"
)
"""The first sentences of content-check-stopped's remedies in Japanese."""

# code -> (title, summary, remedy)
_FINDINGS_JA: dict[str, tuple[str, str, str]] = {
    "server-storage-full": (
        "メール・サーバーにメールを置く余地がありません",
        "{count} 通が、{relays} に保存領域が残っていないため配送待ちになりました：{reasons}。"
        "サーバーのディスクかキューがいっぱいです。このホストに原因はなく、Postfix は後で再送します。",
        "{relays} の管理者にディスク領域の確保かキューの整理を依頼してください。Postfix はメールを"
        "保持し、maximal_queue_lifetime（既定値 5 日）が切れるまで再送を続けます。"
        + _FLUSH_JA,
    ),
    "error-transport": (
        "Postfix がこのメールを差し戻す設定になっています：{setting} = {value}",
        "{domains} 宛ての {count} 通は、メール・サーバーではなく Postfix の error トランスポートに"
        "差し戻されました。{setting} = {value} がこれらを error(8) に送り、error(8) はすぐに"
        "すべてを差し戻します。そのテキスト{reasons}はサーバーの応答ではありません。error(8) は"
        "設定の「error:」の後のテキストを、それがなければ次の中継先（relayhost）を書きます。",
        "/etc/postfix/main.cf で {setting} = {default} とするか、その行を削除し（既定値は {default}）、"
        "`postfix reload` を実行してください。Debian では `dpkg-reconfigure postfix` の"
        "「ローカルのみ」を選ぶと default_transport = error が書かれます。差し戻されたメールは"
        "送り直す必要があります。",
    ),
    "delivery-not-attempted": (
        "キューに入ったメールが配送されていません",
        "qmgr が {count} 通を配送のためキューに入れました（最も古いものは {oldest}）が、ログの終わり"
        "（{end}）まで、それらの配送の試行は記録されていません。通常、配送エージェントは数秒以内に"
        "配送を試みます。",
        "`postqueue -p` を実行してください。理由なしで一覧に残っているメールは配送エージェントを"
        "待っています。ログ全体で smtp、qmgr、master の警告・致命的エラー・パニックを探し"
        "（`grep -E 'warning|fatal|panic' /var/log/maillog`）、`postfix check` を実行してください。"
        "バンドルのログが完全かも確認してください：プログラムやファシリティで絞り込んだログには"
        "配送の行がありません。修正後、`postqueue -f` で再送されます。",
    ),
    "localhost-loop": (
        "メールがこのホスト自身に戻っています：メール・サーバーが未設定か localhost です",
        "{count} 通が{reasons}で失敗しました。relayhost が「{relayhost}」のため、Postfix が"
        "自分自身に配送しようとしています。",
        "実在するメール・サーバーを設定してください（localhost は不可）：/etc/postfix/main.cf の "
        "relayhost = [mail.example.com]。QRadar ではコンソールがこの設定を書き込みます。7.3 以前は"
        "ホストごとに入力します（管理 > システムおよびライセンス管理 > ホスト > E メール・サーバー）。"
        "7.4 以降は保存済みのメール・サーバーを選び、必要なら「E メール・サーバーの管理」で追加し、"
        "接続テストを実行します。" + _FLUSH_JA,
    ),
    "myhostname-conflict": (
        "メール・サーバーがこのホスト自身の名前（myhostname）で応答しています",
        "{count} 通が{reasons}で失敗しました。サーバー {server} が、このホストの myhostname と"
        "同じ名前 {own_name} で応答したため、Postfix はメールが自分に戻ったと判断して返送しました。",
        "このホストに固有の名前を付けてください：/etc/postfix/main.cf の myhostname をメール・サーバーの"
        "名前ではなく、このホストの完全修飾名にし、`postfix reload` を実行します。Postfix はサーバーの"
        "応答を myhostname とだけ比べるため、smtp_helo_name では直りません。名前が誤っているのが"
        "メール・サーバー側なら、そちらのホスト名を直してください。" + _FLUSH_JA,
    ),
    "own-name-loop": (
        "このホスト自身の名前宛てのメールがループしています：mydestination にその名前がありません",
        "{domains} 宛ての {count} 通が{reasons}で失敗しました。relayhost は未設定で、{domain} は"
        "このホスト自身の名前ですが mydestination にないため、Postfix はそのメールを外部へ送ろうとして"
        "自分自身に戻しています。",
        "このホスト宛てのメールをここで配送してください：/etc/postfix/main.cf の mydestination に "
        "$myhostname を加え（Postfix の既定値は mydestination = $myhostname, localhost.$mydomain, "
        "localhost）、`postfix reload` を実行します。そのメールを人に届けるには、/etc/aliases で root に"
        "外部のアドレスを設定し、`newaliases` を実行してください。" + _FLUSH_JA,
    ),
    "relayhost-mx-lookup": (
        "relayhost に角括弧がないため、Postfix が MX レコードを検索しています",
        "{count} 通が DSN 4.4.3「Name service error for name={name} type=MX」で配送待ちに"
        "なりました。使用中の設定の relayhost = {relayhost} に角括弧がないため、Postfix は {name} に"
        "接続せず、その MX レコードを DNS に問い合わせています。",
        "メール・サーバーを角括弧で囲んで MX 検索を止めてください：/etc/postfix/main.cf に "
        "relayhost = [{name}]（別ポートなら [{name}]:587）と書き、`systemctl restart postfix` を"
        "実行します。" + _FLUSH_JA,
    ),
    "relayhost-unbracketed": (
        "relayhost に角括弧がありません：Postfix は MX レコードを検索します",
        "{source} の relayhost = {relayhost} には角括弧がありません。Postfix は {name} の MX レコードを"
        "DNS に問い合わせ、レコードがなければ「type=MX: Host not found」で配送を延期します。"
        "このバンドルのログにはまだ現れていません。",
        "/etc/postfix/main.cf に relayhost = [{name}] と書き、`systemctl restart postfix` を実行してください。",
    ),
    "relayhost-unresolvable": (
        "メール・サーバーの名前を解決できません",
        "{count} 通が、DNS に {names} のアドレスがないため配送待ちになりました（「Name service error for "
        "name=... type=A」または「Host not found」）。多くはメール・サーバー名の入力ミスです。"
        "使用中の設定の relayhost は {relayhost} です。",
        "/etc/postfix/main.cf の relayhost（QRadar では E メール・サーバー設定）の綴りと、このホストで名前解決できるかを"
        "確認してください：`getent hosts {name}`。[192.0.2.10] のように IP アドレスを角括弧で書けば"
        "名前解決は不要です。" + _FLUSH_JA,
    ),
    "dns-lookup-failed": (
        "宛先ドメインへ直接配送しようとして、DNS の検索に失敗しています",
        "{count} 通が {names} の DNS エラーで配送できませんでした。relayhost が未設定のため、Postfix が"
        "宛先ドメインごとに配送先を検索しています。",
        "組織のメール・サーバーを relayhost = [mail.example.com] として設定する（QRadar ではホストの "
        "E メール・サーバー設定）か、/etc/resolv.conf の DNS サーバーを修正してください。"
        + _FLUSH_JA,
    ),
    "destination-dns-failed": (
        "一部の宛先ドメインまたはそのメール・サーバーが DNS にありません",
        "{domains} 宛ての {count} 通が {names} の DNS エラーで配送できませんでした。relayhost が"
        "未設定のため、Postfix は宛先ドメインとそのメール・サーバーを自分で検索します。ほかの"
        "サーバー宛ての {elsewhere} 通は送信できており、このホストの DNS は機能しています："
        "これらの名前が DNS にないか、誤っています。",
        "このホストにこのメールを止めている原因はありません。宛先アドレスの入力ミスを確認し、"
        "宛先の管理者に DNS（MX レコードと、それが指すサーバーのアドレス）の修正を依頼してください："
        "`host -t mx {domain}`。一時的な DNS エラーは maximal_queue_lifetime（既定 5 日）まで"
        "再試行され、存在しない名前ならメールはすぐに返送されます。",
    ),
    "destination-unreachable": (
        "一部の宛先ドメインのメール・サーバーが接続を受け付けません",
        "{domains} 宛ての {count} 通を {relays} に渡せませんでした：{reasons}。relayhost が未設定の"
        "ため、Postfix は宛先ドメインごとのメール・サーバーに自分で接続します。ほかのサーバー宛ての "
        "{elsewhere} 通は送信できており、このホストからの外向きの接続は機能しています。",
        "このホストにこのメールを止めている原因はありません。Postfix は配送待ちのメールを "
        "maximal_queue_lifetime（既定 5 日）まで再送し、その後送信者に返します。{relays} がポート "
        "{port} で応答しないことを宛先の管理者に伝えてください。これらのドメイン宛てのメールを早く"
        "届ける必要があれば、組織のメール・サーバー経由で送ってください（relayhost = "
        "[mail.example.com]）。",
    ),
    "relay-connection-failed": (
        "このホストからメール・サーバーに接続できません",
        "{count} 通を {relays} に渡せませんでした：{reasons}。",
        "このホストから接続を確認してください："
        "`nc -vz {relay_host} {port}`。「Connection refused」は、そのポートで待ち受けているプロセスがないか、"
        "ファイアウォールが接続を拒否していることを示します。「Connection timed out」と"
        "「No route to host」は、ファイアウォールが通信を破棄しているか、経路がないことを示します。このホストからメール・サーバーへの"
        "ポートを開けるか、サーバー名とポートを修正してください。" + _FLUSH_JA,
    ),
    "content-filter-unreachable": (
        "このホストのコンテンツ・フィルターが接続を受け付けません",
        "{count} 通を {relay_host}:{port} のコンテンツ・フィルターに渡せませんでした：{reasons}。"
        "content_filter（main.cf、または master.cf の -o content_filter）がすべてのメールを"
        "このホスト上のフィルター（amavis など）に通すため、フィルターが止まっている間は"
        "すべてのメールがキューで待ちます。",
        "フィルターを起動し、待ち受けを確認してください：`systemctl status amavis`（または amavisd）、"
        "続いて `ss -ltn | grep {port}`。フィルターを廃止したのなら、/etc/postfix/main.cf と "
        "master.cf から content_filter を削除して `postfix reload` を実行します。"
        + _FLUSH_JA,
    ),
    "ipv6-no-route": (
        "Postfix が IPv6 で接続しようとしていますが、このホストには IPv6 の経路がありません",
        "{count} 通が {relays} の IPv6 アドレスで「Network is unreachable」または「No route to host」"
        "になりました。",
        "/etc/postfix/main.cf に inet_protocols = ipv4（IPv6 を予備に残すなら smtp_address_preference "
        "= ipv4）と書き、`systemctl restart postfix` を実行してください。",
    ),
    "relay-access-denied": (
        "メール・サーバーがこのホストからの中継を拒否しています",
        "{count} 通が {relays} に拒否されました：{reasons}。",
        "メール・サーバーがこのホストの IP アドレスからのメールを受け付けていません。"
        "サーバー管理者に中継の許可を依頼するか（Exchange の受信コネクタ、Postfix の mynetworks など）、"
        "サーバーが要求する場合は SMTP 認証を設定してください。" + _FLUSH_JA,
    ),
    "ip-blocklisted": (
        "受信側サーバーがこのホストの IP アドレスを拒否しています：ブロックリストに登録されています",
        "{count} 通が {relays} に拒否されました。このホストの送信元 IP アドレスが DNS ブロックリストに"
        "登録されています：{reasons}。",
        "応答に書かれたリストでアドレスを調べ、登録された理由（共有の NAT アドレス、背後の感染した"
        "マシンなど）を確かめたうえで、そのリストの削除手続きに従ってください。メール・サーバーでない"
        "ホストは、インターネットへ直接ではなく組織のメール・サーバー経由で送るべきです："
        "/etc/postfix/main.cf に relayhost = [mail.example.com] を設定してください。"
        + _FLUSH_JA,
    ),
    "sender-address-rejected": (
        "メール・サーバーが送信者アドレスを拒否しています",
        "送信者 {senders} が原因で {count} 通が拒否されました：{reasons}。",
        "メール・サーバーが受け付ける、名前解決できる実在のドメインの送信者アドレスにしてください。"
        "このホストで投入されたメールなら、/etc/postfix/main.cf の myorigin = example.com か送信元"
        "アプリケーションの設定の送信者アドレスを設定するか、sender_canonical_maps で root などの"
        "ローカル送信者を書き換え、`systemctl restart postfix` を実行します。ほかのクライアントから"
        "中継したメールは送信者アドレスがそのまま使われるため、その送信者がアドレスを直す必要が"
        "あります。",
    ),
    "helo-rejected": (
        "メール・サーバーがこのホストの HELO 名を拒否しています",
        "{count} 通が、このホストの HELO 名のために {relays} に拒否されました：{reasons}。",
        "Postfix は myhostname（smtp_helo_name があればその値）を名乗ります。/etc/postfix/main.cf の "
        "myhostname を、DNS で名前解決できる完全修飾名（host.example.com など）にして、"
        "`systemctl restart postfix` を実行してください。" + _FLUSH_JA,
    ),
    "sasl-authentication-failed": (
        "メール・サーバーへのログイン（SMTP 認証）に失敗しています",
        "{count} 通が {relays} で SMTP 認証エラーになりました：{reasons}。",
        "smtp_sasl_password_maps のファイルのユーザー名とパスワード（変更後は `postmap` を実行）、"
        "smtp_sasl_auth_enable = yes、SASL モジュール（`libsasl2-modules` または `cyrus-sasl-plain`）の"
        "導入を確認してください。" + _FLUSH_JA,
    ),
    "sasl-required": (
        "メール・サーバーがログインを求めていますが、Postfix はログインする設定になっていません",
        "{count} 通が、このホストがログインしなかったため {relays} に拒否されました：{reasons}。"
        "使用中の設定で SMTP 認証が有効になっていません（smtp_sasl_auth_enable が yes ではありません）。",
        "メール・サーバーの管理者から受け取ったアカウントでログインしてください：/etc/postfix/main.cf に "
        "smtp_sasl_auth_enable = yes、smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd、"
        "smtp_sasl_security_options = noanonymous、smtp_tls_security_level = encrypt を設定します"
        "（Exchange Online などは STARTTLS の後でしかログインを受け付けません）。"
        "/etc/postfix/sasl_passwd に {sasl_key} user:password の行を書き、"
        "`postmap /etc/postfix/sasl_passwd` と `postfix reload` を実行します。または、"
        "このホストのアドレスをログインなしで受け付けるようサーバー側で設定してください。"
        + _FLUSH_JA,
    ),
    "sasl-no-mechanism": (
        "メール・サーバーが受け付けるログイン方式が Postfix にありません",
        "{count} 通が {relays} にログインできませんでした：{reasons}。このホストの SASL ライブラリが、"
        "自分とサーバーの両方が認めるログイン方式を見つけられず、パスワードは試されていません。",
        "Cyrus SASL のプラグイン（Debian・Ubuntu では `libsasl2-modules`、RHEL では `cyrus-sasl-plain`）を"
        "インストールし、/etc/postfix/main.cf の smtp_sasl_security_options を確認してください："
        "既定値に含まれる noplaintext は、多くのサーバーが提供する PLAIN と LOGIN を禁止します。"
        "noanonymous にすれば使えます。パスワードが暗号化されて送られるよう、"
        "smtp_tls_security_level = encrypt も設定してください。その後 `systemctl restart postfix` を"
        "実行します。" + _FLUSH_JA,
    ),
    "tls-failure": (
        "メール・サーバーとの TLS 接続に失敗しています",
        "{count} 通が {relays} との TLS の問題で配送できませんでした：{reasons}。",
        "サーバーが STARTTLS を提供していない場合は、サーバー管理者に有効化を依頼するか、"
        "smtp_tls_security_level を may に下げてください。証明書エラーの場合は、発行元 CA を"
        "Postfix に設定する（smtp_tls_CAfile）か、サーバー証明書を修正してもらいます。"
        + _FLUSH_JA,
    ),
    "tls-required-by-server": (
        "メール・サーバーが TLS を要求していますが、Postfix が TLS を開始していません",
        "TLS を使わずに送ろうとしたため、{count} 通が {relays} に拒否されました：{reasons}。",
        "送信の TLS を有効にしてください：/etc/postfix/main.cf に smtp_tls_security_level = may"
        "（TLS のないサーバーへは送らない場合は encrypt）と書き、`systemctl restart postfix` を"
        "実行します。" + _FLUSH_JA,
    ),
    "sender-policy-rejected": (
        "メール・サーバーが送信者ドメインのポリシー（SPF、DKIM、DMARC）で拒否しています",
        "{count} 通が、送信者ドメインがこのホストを許可していないため {relays} に拒否されました：{reasons}。",
        "送信者ドメインが許可するメール・サーバー（SPF レコード、DKIM 署名）、通常は組織のサーバーを"
        "経由して送ってください：relayhost = [mail.example.com]。または送信者アドレス（QRadar では"
        "E メール設定）を、SPF レコードにこのホストを含むドメインに変えます。",
    ),
    "relay-server-error": (
        "メール・サーバーが自身の障害を報告しています",
        "{count} 通が {relays} に拒否されました：{reasons}。この応答は、このホスト側に原因があることを"
        "示していません。サーバーは接続を受け付けた後、自身の障害を報告しています。4 で始まる応答なら "
        "Postfix は後で再試行し、5 で始まる応答ならメールを送信者に返します。",
        "{relays} の管理者に応答の意味を問い合わせ、根拠の行の時刻ごろのサーバーを調べるよう依頼して"
        "ください。一時的な応答（4xx）を受けたメールを Postfix は保持し、maximal_queue_lifetime（既定は "
        "5 日）が切れるまで再試行します。" + _FLUSH_JA,
    ),
    "rate-limited": (
        "メール・サーバーがこのホストの送信速度を制限しています",
        "{count} 通が {relays} の速度または接続数の制限で配送待ちになりました：{reasons}。",
        "Postfix は自動的に再送します。配送待ちが続く場合は、このホストの制限を緩めるようサーバー管理者に"
        "依頼するか、main.cf の smtp_destination_concurrency_limit と smtp_destination_rate_delay で"
        "送信の速度を下げてください。",
    ),
    "message-too-large": (
        "メッセージがメール・サーバーにとって大きすぎます",
        "{count} 通がサイズのために {relays} に拒否されました：{reasons}。",
        "メッセージを小さくする（レポートはリンクや圧縮した添付にする）か、メール・サーバー管理者に"
        "サイズ上限の引き上げを依頼してください。",
    ),
    "unknown-recipient": (
        "宛先アドレスが存在しません",
        "存在しない宛先（{recipients}）が原因で {count} 通が拒否されました：{reasons}。",
        "宛先アドレスを設定している場所（送信元アプリケーション、メーリング・リスト、エイリアス）で"
        "修正するか、宛先ドメインの管理者にメールボックスが移動していないか確認してください。",
    ),
    "greylisting": (
        "メール・サーバーがグレイリストを使っています：初回は一時拒否され、再送で受け付けられます",
        "{count} 通が最初 {relays} に一時拒否され（{reasons}）、そのうち {delivered} 通は後で配送されました。",
        "故障ではありません。遅延を避けるには、このホストをグレイリストの対象外にするようサーバー管理者に"
        "依頼してください。",
    ),
    "bind-address-missing": (
        "smtp_bind_address がこのホストにないアドレスを指しています",
        "smtp は送信元アドレス {address} を使えませんでした（{count} 回）：{reason}。代わりにこのホストの"
        "別のアドレスから接続したため、{address} だけを受け付けるメール・サーバーはこのホストを拒否します。",
        "/etc/postfix/main.cf の smtp_bind_address をこのホストにあるアドレス（`ip -br addr`）にするか"
        "削除してから、`postfix reload` を実行してください。",
    ),
    "mail-not-accepted": (
        "Postfix が投入されたメールを受け付けていません",
        "cleanup は {count} 通のメッセージを受け付けませんでした（計 {attempts} 回）："
        "「{problem}」。メールは maildrop キューに残り、pickup が数秒ごとに新しいキュー ID で"
        "再試行しますが、送信されることはありません。",
        "このホストで警告が示す問題を修正してから `postfix reload` を実行してください。"
        "pickup が待っているメールを自動的にキューに入れます。",
    ),
    "transport-missing": (
        "Postfix に {transport} という配送サービスがありません",
        "{count} 通が「mail transport unavailable」で待っています：{setting} はメールをトランスポート "
        "{transport} に送りますが、master.cf にその名前のサービスがないため、qmgr は配送エージェントに"
        "メールを渡せません。",
        "{setting} のトランスポート名を修正するか（他のサーバーへのメールなら smtp）、"
        "/etc/postfix/master.cf に {transport} サービスを追加してから `postfix reload` を実行してください。"
        "`postconf -M` でサービスを一覧できます。" + _FLUSH_JA,
    ),
    "lookup-table-unavailable": (
        "Postfix がルックアップ・テーブル {table} を読めません",
        "Postfix が {table} を読めないため、{count} 通が待っています：{why}。Postfix はテーブルが"
        "必要なメールを、テーブルなしで送らずに延期します。",
        "テキスト・ファイルからテーブルを作成してください：`postmap {path}` の後に `postfix reload` を"
        "実行します。{path} を変更するたびに `postmap` を再実行してください。"
        + _FLUSH_JA,
    ),
    "lookup-table-stale": (
        "Postfix は古い {database} を使い続けています",
        "Postfix は {database} が {source} より古いと警告しました：データベースを最後に作成した後で"
        "ファイルが変更されています。Postfix はデータベースだけを読むため、最後の `{command}` 以降の"
        "変更は有効になっていません。",
        "{source} の内容が正しいことを確認してから、データベースを作り直してください：`{command}` の"
        "後に `postfix reload` を実行します。{source} を変更するたびに再実行してください。",
    ),
    "notices-undeliverable": (
        "不達通知を送信者に返せません",
        "このホストが作成した {count} 通の不達通知（from=<>）を、返送先の送信者（{domains}）に配送"
        "できませんでした：{reasons}。そのうち {lost} 通は配送をあきらめています。これらはこのホストが"
        "受け付けて配送できなかったメールの通知です。迷惑メールのように送信者が偽装されていると、通知は"
        "送っていないアドレスに届きます（バックスキャッター）。",
        "このホスト自身のメールを止めるものではありません。通知が迷惑メールへの返信なら、受け付けてから"
        "返送するのではなく SMTP の段階で拒否してください：受け付ける前に宛先を確認し"
        "（smtpd_recipient_restrictions の reject_unlisted_recipient、reject_unverified_recipient）、"
        "コンテンツ・フィルターには返送ではなく拒否させます。配送できない通知は bounce_queue_lifetime"
        "（既定 5d）の後にあきらめられます。",
    ),
    "messages-expired": (
        "メッセージがキューで期限切れになり、送信者に返送されました",
        "{count} 通が maximal_queue_lifetime（{lifetime}）を超えてキューに残り、配送不能として返送"
        "されました。",
        "まず配送遅延の原因（他の検出事項）を解消してください。期限切れのメッセージは失われており、"
        "再送が必要です。",
    ),
    "content-check-stopped": (
        "このホスト自身のコンテンツ・チェックがメッセージを止めています",
        "cleanup が、このホストの header_checks または body_checks によって {rejected} 通を拒否し、"
        "{discarded} 通を破棄しました（{count} 通）：{reasons}。これらはメール・サーバーに届いて"
        "いません。",
        _CONTENT_CHECK_REMEDY_JA
        + "拒否されたメールは送信者に返され、破棄されたメールは失われたため"
        "送り直す必要があります。",
    ),
    "queue-past-lifetime": (
        "キュー内のメールがキューの保持期間を超えています：Postfix は送信者に返送します",
        "キュー一覧の {count} 通は、一覧を取得した {taken} より maximal_queue_lifetime（{lifetime}）"
        "以上前に到着しています。最も古いものは {oldest} です。次の配送試行で Postfix は諦めて"
        "送信者に返送するため、これらの通知は届きません。",
        "まず配送待ちの原因を解消してください（ほかの検出結果を参照）。メールを残すには、"
        "/etc/postfix/main.cf の maximal_queue_lifetime を延ばし（例：10d）、`postfix reload` の後に "
        "`postqueue -f` を実行します。保持期間は各メールの到着時刻から数えられます。",
    ),
    "queue-backlog": (
        "メール・キューに大量のメッセージが滞留しています",
        "{count} 通がキューで待機しています。最も古いものは {oldest} に到着しました。",
        "まず配送の問題を解消してください。イベントごとに 1 通送るアプリケーションやアラート・ルールが"
        "原因なら、送信数が減るように調整します。その後 `postfix flush` で滞留分を送信します。代わりに "
        "`postsuper -d ALL` を使うとキュー内のすべてのメッセージが削除されます。元に戻せず、その"
        "メールは失われます。",
    ),
    "submission-burst": (
        "数分の間に大量のメッセージが投入されました",
        "{burst_start} から {burst_end} までに {count} 通が投入されました。",
        "根拠の送信者とクライアントから、投入元を特定してください。このような集中は、イベントごとに"
        "メールを送るアプリケーションやアラート・ルールが原因であることが多いです。それらを調整するか、"
        "送信レートを制限してください。",
    ),
    "messages-on-hold": (
        "保留キュー（hold）にメッセージがあります",
        "{count} 通が保留キューにあり、解放されるまで配送されません。",
        "まず保留された理由を確かめてください：管理者が意図して保留したか、header_checks、"
        "body_checks、アクセス・マップが確認のために保留した可能性があります（`postcat -q キューID` で"
        "内容を表示）。送るものだけを `postsuper -H キューID` で解放します。`postsuper -H ALL` は"
        "すべてを解放します。",
    ),
    "accepted-by-relay": (
        "次のメール・サーバーがメッセージを受け付けました",
        "{count} 通が {relays} に渡され、受け付けられました（250）。受信者に届いていない場合、"
        "原因は次のサーバー以降にあります。",
        "根拠に示す時刻と相手側のキュー ID をメール・サーバー管理者に渡し、追跡を依頼してください。",
    ),
    "local-mailbox-delivery": (
        "メールがこのホストのローカル・メールボックスに配送されています",
        "{recipients} 宛ての {count} 通が、誰も読まないこのホストのメールボックスに保存されました"
        "（relay=local）。",
        "宛先を完全なアドレス（user@example.com）にするか、ローカル・ユーザー宛てのメールを転送してください："
        "/etc/aliases に「{user}: admin@example.com」を追加し `newaliases` を実行します。",
    ),
    "disk-full": (
        "メール・キューのファイルシステムの空き容量がありません",
        "Postfix がディスク容量不足を {count} 回報告しました：{reasons}。",
        "/var/spool/postfix のファイルシステムの空きを確保してください。`df -h /var/spool/postfix` が"
        "容量を、`df -i /var/spool/postfix` が i ノードを表示します。容量が残っていても、小さなファイルが"
        "多いと i ノードが尽きます。また smtpd は、空きが queue_minfree（main.cf）を下回る間メールを"
        "拒否します。",
    ),
    "postfix-fatal-error": (
        "Postfix が致命的なエラーを報告しました",
        "致命的エラー（fatal／panic）が {count} 件あります。例：{reasons}。",
        "メッセージが示す問題（多くは main.cf や master.cf の誤り。`postfix check` で確認できます）を"
        "直し、`systemctl restart postfix` を実行してください。",
    ),
    "postfix-stopped": (
        "Postfix が停止したまま再起動されていません",
        "ログ上の最後の起動・停止は {last} の停止です。",
        "`systemctl start postfix` で起動し、`systemctl enable postfix` で起動時に有効にしてください。"
        "その間に投入されたメールは maildrop キューで待っており、Postfix が動き出すと送信されます。",
    ),
    "delivery-suspended": (
        "失敗が続いたため、宛先への配送が一時停止されています",
        "{count} 通が「delivery temporarily suspended」で配送待ちになりました：{reasons}。",
        "Postfix は失敗が続いた宛先への配送を一時停止します。メッセージに示された元の失敗を解消して"
        "ください。" + _FLUSH_JA,
    ),
    "mailbox-full": (
        "宛先のメールボックスが満杯です",
        "{count} 通がメールボックス満杯のために配送できませんでした：{reasons}。",
        "受信者またはメール・サーバー管理者に空き容量の確保を依頼してください。一時的な応答（4.2.2）"
        "で配送待ちになったメールは maximal_queue_lifetime まで再送され、恒久的な応答（5.2.2）なら"
        "送信者に返送されます。",
    ),
    "mailbox-unwritable": (
        "ローカル配送がメールボックス {mailbox} に書き込めません",
        "{recipients} 宛ての {count} 通が、このホスト自身のローカル配送（local(8)）でメールボックス・"
        "ファイルに書き込めず失敗しました：{reasons}。原因はこのホスト上のファイルまたはそのフォルダーで、"
        "メール・サーバーではありません。",
        "メールボックスとそのフォルダーを確認してください：`ls -ld {folder} {mailbox}`。メールボックスは"
        " {user} が所有するモード 0600 のファイルである必要があり（`chown {user} {mailbox}`、"
        "`chmod 0600 {mailbox}`）、フォルダーは Postfix が使える権限のままにします（Debian と Ubuntu "
        "では /var/mail は所有者 root、グループ mail、モード 2775）。所有者とモードが正しければ SELinux が"
        "書き込みを妨げている可能性があります：`ls -Z {mailbox}` でファイルのラベルを確認し、"
        "`restorecon -v {mailbox}` で既定のラベルに戻します。" + _FLUSH_JA,
    ),
    "content-rejected": (
        "メール・サーバーがメッセージの内容を拒否しています",
        "{count} 通が内容のために {relays} に拒否されました：{reasons}。",
        "どのフィルターがなぜ拒否したかをメール・サーバー管理者に確認してください。",
    ),
    "delivery-failed": (
        "その他の理由で配送に失敗しています",
        "{count} 通が配送待ちになるかバウンスされました：{reasons}。",
        "根拠に示した応答を確認してください。相手サーバーまたは Postfix が出したもので、問題の内容が書かれています。",
    ),
    "relayhost-loopback": (
        "relayhost がこのホスト自身を指しています",
        "使用中の設定の relayhost = {relayhost} はこのホストです。外部宛てのメールは自分に戻ります"
        "（「mail for ... loops back to myself」）。",
        "実在するメール・サーバーを設定してください：relayhost = [mail.example.com]（QRadar では"
        "ホストの E メール・サーバー設定）。relayhost がすでにメール・サーバーを指していて、myhostname "
        "だけが同じ名前をこのホストに付けているなら、myhostname をこのホスト自身の完全修飾名にしてください。",
    ),
    "relayhost-not-set": (
        "relayhost が未設定です：Postfix は宛先ドメインへ直接配送します",
        "使用中の設定に relayhost がないため、Postfix は宛先ドメインのメール・サーバーを自分で検索して"
        "接続します。社内ネットワークのホストは、メール・サーバーを除き、通常は社内のメール・サーバー"
        "経由で送る必要があります。",
        "このホストから外部への 25 番ポートが閉じている場合は relayhost = [mail.example.com] を設定して"
        "ください（QRadar ではホストの E メール・サーバー設定）。",
    ),
    "config-conflict": (
        "main.cf がバンドル内の postconf -n の出力と異なります",
        "{main} と postconf -n の出力 {postconf} とで {values} の値が異なります。postconf -n は"
        "実行時点の main.cf を出力するので、main.cf は別の時点で変更されています。変更した main.cf を"
        "Postfix が使うのは `postfix reload` の後です。main.cf の方が新しくないため、検出事項は "
        "Postfix 自身が出力した postconf -n の値を使います。",
        "ホスト上で `postconf -n` と /etc/postfix/main.cf を比べ、意図した値を main.cf に残して "
        "`postfix reload` を実行してください。そのうえで、ログと設定が同じ時点のものになるよう"
        "バンドルを取り直してください。",
    ),
    "config-inline-comment": (
        "main.cf の値の後ろのコメントが値の一部になっています",
        "{source} の {count} 行で値の後ろにコメントがあります：{parameters}。Postfix が「#」を"
        "コメントとみなすのは行頭だけなので、「#」とその後ろの文字列は値の一部になり、Postfix は"
        "その値を使います。",
        "各コメントを「#」で始まる独立した行に移し、等号の後ろには値だけを残してから、"
        "`postfix reload` を実行してください。",
    ),
    "myorigin-not-fqdn": (
        "送信者ドメインが完全なドメイン名ではありません",
        "このホストのメールは送信者ドメイン {sender_domain} で送られます。ドットのない名前や "
        ".localdomain の名前はどの DNS でも解決できず、このような送信者は一般に拒否されます"
        "（「Sender address rejected: Domain not found」）。",
        "/etc/postfix/main.cf に myorigin = example.com（名前解決できるドメイン）を設定するか、"
        "myhostname を完全な名前にして、`systemctl restart postfix` を実行してください。",
    ),
    "queue-listings-differ": (
        "キュー一覧が異なる時刻に作成されています",
        "このホストのキュー一覧は異なるメッセージを示しています：{listings}。{total} 通のうち {shared} 通が"
        "複数の一覧にあります。古い一覧の {gone} 通は最新の一覧（{newest}）にないため、その作成前に"
        "配送・返送・削除されています。レポートは最新の一覧のメッセージだけをキューにあるものとして"
        "数え、各メッセージの滞留時間はそれを示す最新の一覧の作成時刻までで数えます。",
        "各一覧はその作成時刻の状態として読んでください。一貫した状態を得るには、ホストで "
        "`postqueue -j` と `mailq` を続けて実行し、その出力を送ってもらってください。",
    ),
    "queue-listing-empty": (
        "キュー一覧は空ですが、ログではメッセージがキューに残っています",
        "{source} は「Mail queue is empty」（作成 {taken}）ですが、ログの終わり（{last_line}）の"
        "時点で {count} 通が配送待ちのまま、配送・返送・削除されていません。一覧が別のホストや Postfix "
        "インスタンスのものか、ログが別の時期のものかもしれません。",
        "ホストで `postqueue -p` を実行し（root で。別インスタンスなら `postmulti -i NAME -x "
        "postqueue -p`）、ログと比べてください。",
    ),
    "bundle-incomplete": (
        "バンドルの一部を読み取れませんでした",
        "バンドル内の {count} 個のファイルが、破損・暗号化・上限による打ち切り・安全でないための拒否の"
        "いずれかのため読み取れませんでした：{members}。結果は部分的です。",
        "顧客にバンドルの再取得を依頼してください。それまでの検出事項は読めたメンバーだけに基づきます。",
    ),
    "timezone-mismatch": (
        "ログの時刻が {hours} 時間ずれています：ログのタイムゾーンが {zone} ではありません",
        "キュー一覧（postqueue -j、正確な時刻）の到着時刻と、同じ {count} 通の最初のログ行の時刻が "
        "{hours} 時間ずれています。ログのタイムスタンプにはタイムゾーンがなく、{zone} として読みました。"
        "UTC{offset} として読むと一致します。",
        "ホストのタイムゾーン、つまり UTC{offset} のゾーン（UTC+9 なら Asia/Tokyo）を --timezone に"
        "指定して再実行すると、レポートの時刻が顧客の時計と一致します。",
    ),
    "no-mail-activity": (
        "ログの期間中、Postfix にメールが届いていません",
        "ログは {first} から {last} までを含み Postfix は動作していますが、投入されたメッセージが"
        "1 通もありません。どのプログラムも Postfix にメールを渡していません。",
        "送信元アプリケーションの E メール設定を確認してください（QRadar では、ルールやレポートが "
        "E メールを送る設定になっているかも確認します）。ホストでテスト・メールを送り（`echo test | mail -s test you@example.com`、"
        "または QRadar 7.4 以降の接続テスト）、/var/log/maillog に現れるかを確認します。",
    ),
    "no-mail-log": (
        "バンドルに Postfix のログ行がありません",
        "Postfix のログ行を含むメンバーがないため、配送について何も示せません。",
        "/var/log/maillog とそのローテーション分（Debian・Ubuntu では /var/log/mail.log）、または "
        "`journalctl -u 'postfix*' -o json` の出力を依頼してください。",
    ),
}


# Other summaries of some findings, as the catalog's ``variants``.
_VARIANTS_JA: dict[tuple[str, str], str] = {
    (
        "mailbox-unwritable",
        "maildir",
    ): "{recipients} 宛ての {count} 通が、このホスト自身のローカル配送（local(8)）で返送されました："
    "{reasons}。local(8) は Maildir {mailbox} にファイルを作成できませんでした。local(8) は受信者の"
    "権限で書き込むため、{user} がそのフォルダーを作成し、書き込める必要があります。",
    (
        "sender-address-rejected",
        "generic_maps",
    ): "送信者アドレスが原因で {count} 通が拒否されました：{reasons}。サーバーが示しているのはエンベロープの送信者 "
    "{sender} ではなく {rewritten} です。main.cf の smtp_generic_maps = {table} が送信時に送信者を"
    "書き換えており、その結果をサーバーが拒否しています。",
    (
        "relay-connection-failed",
        "relayhost_changed",
    ): "{count} 通を {relays} に渡せませんでした：{reasons}。main.cf は現在 relayhost = {relayhost}"
    " と別のサーバーを指定しています。失敗はその設定より前のものか、Postfix がまだ設定を読み込んで"
    "いません。",
    (
        "relay-access-denied",
        "some_domains_authenticated",
    ): "{domains} 宛ての {count} 通が {relays} に拒否されました：{reasons}。同じサーバーはこのホストから"
    "の {delivered_there} 回の配送を受け付けているので、このホストからのメールは受け取りますが、"
    "これらのドメインへの中継はしません。",
    (
        "relay-connection-failed",
        "not_smtp_port",
    ): "{count} 通を {relays} に渡せませんでした：{reasons}。Postfix は {service} のポートである "
    "{port} 番に接続していますが、そこでは SMTP サーバーが応答しません。Postfix が待つ 220 で"
    "始まる行をそのサーバーは送りません。ポート番号の入力ミスと考えられます。",
    (
        "relay-connection-failed",
        "data_timeout",
    ): "{count} 通を {relays} に送りましたが、main.cf の smtp_data_done_timeout = {timeout} の"
    "とおり、Postfix はメッセージ末尾へのサーバーの応答を {timeout} 待った後で打ち切りました："
    "{reasons}。smtp_data_done_timeout の既定値は 600s（10 分）で、RFC 5321 が推奨する待ち時間も "
    "10 分です。サーバーはすでにメッセージを"
    "受け取っている可能性が高く、Postfix の次の試行で再送されるため、受信者に二重に届くことが"
    "あります。",
    (
        "relay-connection-failed",
        "cut_in_session",
    ): "{count} 通を {relays} に渡せませんでした：{reasons}。ポート {port} への接続は成功し、"
    "サーバーは挨拶を返しましたが、Postfix が {stage} を送ったところで、メッセージ本体を送る前に"
    "セッションが切れました（サーバーが閉じたか、応答しなくなりました）。ネットワークよりも、サーバー側の問題（障害や過負荷のコンテンツ・スキャナーや"
    "ポリシー・サービス、このホストからのセッション数の制限）でよく起こります。",
    (
        "mail-not-accepted",
        "expansion_limit",
    ): "cleanup は {count} 通のメッセージを受け付けませんでした（計 {attempts} 回）：{maps} が "
    "{address} を、virtual_alias_expansion_limit = {limit} が認めるより多くのアドレスに展開して"
    "います。メールは maildrop キューに残り、pickup が数秒ごとに新しいキュー ID で再試行しますが、"
    "送信されることはありません。",
    (
        "sasl-no-mechanism",
        "filtered",
    ): "{relays} へのログインに失敗したため、{count} 通を送信できませんでした：{reasons}。サーバーは "
    "{offered} を提供していますが、smtp_sasl_mechanism_filter = {filter} ではそのいずれも除外される"
    "ため、Postfix はパスワードを試していません。",
    (
        "mail-not-accepted",
        "from_clients",
    ): "cleanup は SMTP クライアントからの {count} 通のメッセージを受け付けませんでした（計 {attempts} "
    "回）：「{problem}」。smtpd はそれぞれに一時エラーを返したため、クライアントはメールを保持して後で"
    "送り直します。このホストのキューには入りません。",
    (
        "messages-on-hold",
        "content_check_gone",
    ): "{count} 通が保留キューにあり、解放されるまで配送されません。そのうち {checked} 通はこのホストの "
    "header_checks または body_checks が保留しましたが、バンドルの設定ではどちらも設定されていません。"
    "HOLD のルールはその後削除されています。",
    (
        "postfix-fatal-error",
        "submit_excluded",
    ): "致命的なエラーが {count} 件あります。例：{reasons}。authorized_submit_users = {allowed} が "
    "!{user} で {user} を除外しているため、sendmail はそのユーザーのメッセージをキュー ID が付く前に"
    "すべて拒否します。ログにはそのメールの行がほかにありません。",
    (
        "notices-undeliverable",
        "own_mail_remote",
    ): "このホストで投入されたメールの不達通知（from=<>）{count} 通を、その送信者（{domains}）に配送"
    "できませんでした：{reasons}。うち {lost} 通は破棄されました。これらはこのホスト自身のメールを"
    "返すものなので、このホストが送信者として使う {domains} のアドレスもメールを受け取れません。",
    (
        "relay-connection-failed",
        "no_retry",
    ): "{count} 通を {relays} に渡せませんでした：{reasons}。同じサーバーは {last_delivered} まで"
    "このホストのメールを受け取りましたが、ログには {last} 以降これらのメッセージの再送がありません。"
    "Postfix は配送待ちのメールを少なくとも maximal_backoff_time（{backoff}）ごとに再送します。"
    "その時間のログ行が欠けているか、メッセージがログに行を残さずにキューを離れた可能性があります。",
    (
        "postfix-fatal-error",
        "submit_refused",
    ): "致命的なエラーが {count} 件あります。例：{reasons}。authorized_submit_users = {allowed} に "
    "{user} が含まれていないため、sendmail はそのユーザーのメッセージをキュー ID が付く前にすべて"
    "拒否します。ログにはそのメールの行がほかにありません。",
    (
        "postfix-fatal-error",
        "table_type",
    ): "致命的なエラーが {count} 件あります。例：{reasons}。{setting} がテーブルの種類（hash:、"
    "lmdb: など）なしで {path} を指定しているため、{daemons} は起動するたびに停止し、それを必要と"
    "するメールは待ち続けます。",
    (
        "postfix-fatal-error",
        "table_type_unnamed",
    ): "致命的なエラーが {count} 件あります。例：{reasons}。ある設定がテーブルの種類（hash:、"
    "lmdb: など）なしで {path} を指定しているため、{daemons} は起動するたびに停止し、それを必要と"
    "するメールは待ち続けます。",
    (
        "relayhost-unresolvable",
        "ipv6_only",
    ): "{count} 通が配送待ちになりました。inet_protocols = ipv6 のため Postfix は IPv6 だけを使い、{names} の "
    "IPv6 アドレス（type=AAAA）だけを DNS に問い合わせます。IPv4 アドレスは角かっこで書いても"
    "「invalid host or domain name」として使いません：{reasons}。メール・サーバーに IPv6 アドレスが"
    "ないためで、名前の綴りの誤りではありません。",
    (
        "error-transport",
        "routed",
    ): "{domains} 宛ての {count} 通は、メール・サーバーではなく Postfix の error トランスポートに"
    "差し戻されました。transport_maps（または sender_dependent_default_transport_maps）がこれらの"
    "ドメイン宛てのメールを error(8) に送り、error(8) はすぐにすべてを差し戻します。そのテキストは"
    "{reasons}です。",
    (
        "error-transport",
        "no_config",
    ): "{domains} 宛ての {count} 通は、メール・サーバーではなく Postfix の error トランスポートに"
    "差し戻されました。このホストの設定（default_transport、relay_transport または transport_maps。"
    "バンドルに main.cf はありません）がこれらを error(8) に送り、error(8) はすぐにすべてを差し戻し"
    "ます。そのテキストは{reasons}です。",
    (
        "messages-on-hold",
        "content_check",
    ): "{count} 通が保留キューにあり、解放されるまで配送されません。そのうち {checked} 通はこのホストの "
    "header_checks または body_checks が保留しました。HOLD のルールに一致したためで、このルールは一致する"
    "新しいメッセージもすべて保留します。",
    (
        "timezone-mismatch",
        "skipped_hour",
    ): "{log} の {count} 行には、{zone} で時計が進むときに飛ばされる時刻があります（最初の行：{first}）。"
    "{zone} のホストはそのような時刻を書かないため、このログは別のタイム・ゾーンで書かれています。"
    "これらの行は飛ばされた時間帯の終わりの時刻として読まれたため、順序と遅延が失われています。",
    (
        "delivery-not-attempted",
        "listed",
    ): "qmgr が {count} 通を配送のためキューに入れました（最も古いものは {oldest}）が、ログの終わり"
    "（{end}）まで、それらの配送の試行は記録されていません。最新のキュー一覧にはそのうち {listed} 通が"
    "まだあります。通常、配送エージェントは数秒以内に配送を試みます。",
    (
        "content-check-stopped",
        "rejected",
    ): "cleanup が、このホストの header_checks または body_checks によって {count} 通を拒否しました："
    "{reasons}。これらはメール・サーバーに届いていません。",
    (
        "content-check-stopped",
        "discarded",
    ): "cleanup が、このホストの header_checks または body_checks によって {count} 通を破棄しました："
    "{reasons}。これらはメール・サーバーに届いておらず、送信者にも知らされていません。",
    (
        "relayhost-unbracketed",
        "main_fixed",
    ): "使用中の設定 {source} の relayhost = {relayhost} には角括弧がないため、Postfix は {name} の "
    "MX レコードを DNS に問い合わせ、レコードがなければ「type=MX: Host not found」で配送を延期"
    "します。{main} にはすでに relayhost = [{name}] とありますが、Postfix がそれを使うのは "
    "`postfix reload` の後です。",
    (
        "config-inline-comment",
        "not_in_use",
    ): "{source} の {count} 行で値の後ろにコメントがあります：{parameters}。Postfix が「#」を"
    "コメントとみなすのは行頭だけなので、次の `postfix reload` で「#」とその後ろの文字列が値の一部"
    "になります。使用中の設定にはまだ含まれていません。",
    (
        "queue-listing-empty",
        "later",
    ): "{source} は「Mail queue is empty」（作成 {taken}）で、ログの終わり（{last_line}）より"
    "後のものです。ログではその時点で {count} 通が配送待ちだったので、その間に配送・返送・削除"
    "されていますが、このログには現れません。",
    (
        "config-conflict",
        "main_newer",
    ): "{main} と postconf -n の出力 {postconf} とで {values} の値が異なります。main.cf は "
    "postconf -n の実行後に変更されており、変更した main.cf を Postfix が使うのは `postfix reload` "
    "の後です。main.cf の方が新しいため、検出事項は main.cf の値を使います。",
    (
        "tls-failure",
        "name_mismatch",
    ): "{count} 通が {relays} との TLS の問題で配送できませんでした：{reasons}。Postfix は"
    "サーバー証明書を検証できませんでした（{verification}）：証明書に Postfix が確認する名前が"
    "ありません。",
    (
        "tls-failure",
        "untrusted",
    ): "{count} 通が {relays} との TLS の問題で配送できませんでした：{reasons}。Postfix は"
    "サーバー証明書を検証できませんでした（{verification}）。",
    (
        "tls-failure",
        "not_offered",
    ): "{relays} が STARTTLS を提供しないため、{count} 通が配送できませんでした。"
    "smtp_tls_security_level = {level} では TLS が必須です：{reasons}。",
    (
        "localhost-loop",
        "recovered",
    ): "{count} 通が一時的に{reasons}で失敗しました（最後は {last}）。すべて後で配送されたため、"
    "原因はその時点で修正されています。",
    (
        "myhostname-conflict",
        "same_name",
    ): "{count} 通が{reasons}で失敗しました。relayhost は {server} を指し、myhostname はこのホストに"
    "同じ名前（{own_name}）を与えています。サーバーは自分の名前でグリーティングし、Postfix はそれを"
    "自分の名前とみなして、メールが自分に戻ってくるループとして返送します。",
    (
        "relay-access-denied",
        "some_domains",
    ): "{domains} 宛ての {count} 通が {relays} に拒否されました：{reasons}。同じサーバーはこのホストから"
    "の {delivered_there} 回の配送を受け付けているので、このホストからのメールは受け取りますが、"
    "これらのドメインへの中継はしません。",
    (
        "message-too-large",
        "local",
    ): "{count} 通がキューに入る前にこのホストで拒否されました：{reasons}。sendmail と postdrop は "
    "message_size_limit（{limit} バイト）より大きいメッセージを拒否するため、メール・サーバーには"
    "届きません。",
    (
        "postfix-fatal-error",
        "inet_protocols",
    ): "{count} 件の致命的エラー（例：{reasons}）。inet_interfaces = {interfaces} と inet_protocols = "
    "{protocols} により、Postfix はこのホストのどのインターフェースにもないアドレス（IPv6 が無効な"
    "ときの ::1）を使おうとするため、Postfix の各プログラムが停止し、sendmail はメールをキューに"
    "入れる前に止まります。",
    (
        "postfix-stopped",
        "master_fatal",
    ): "Postfix の master プロセスが {last} に致命的エラーで停止し（{fatal}）、その後の起動も Postfix "
    "デーモンの動作もログにありません：Postfix は動いていません。その間に投入されたメールは、Postfix が"
    "動くまで maildrop キューで待ちます。",
    (
        "postfix-stopped",
        "port_in_use",
    ): "Postfix の master プロセスが {last} に致命的エラーで停止し（{fatal}）、その後の起動も Postfix "
    "デーモンの動作もログにありません：別のプログラムがポート {port} で待ち受けているため、Postfix は"
    "動いていません。その間に投入されたメールは、Postfix が動くまで maildrop キューで待ちます。",
    (
        "postfix-fatal-error",
        "mailbox_limit",
    ): "{count} 件の致命的エラー（例：{reasons}）。local(8) がすぐに停止するため、このホストの"
    "メールボックスへの配送（root 宛ての通知を含む）は行われません。他のサーバーへのメールは続きます。",
    (
        "postfix-fatal-error",
        "mailbox_limit_over",
    ): "{count} 件の致命的エラー（例：{reasons}）。その時 local(8) はすぐに停止しましたが、{later} 以降は"
    "再び配送しています：その後設定が変更されています。",
    (
        "postfix-fatal-error",
        "permissions",
    ): "{count} 件の致命的エラー（例：{reasons}）。Postfix のプログラムがキュー内の {path} を開けません："
    "所有者かモードが誤っています。リストアや /var/spool/postfix の手作業での変更の後などに起こります。",
    (
        "postfix-fatal-error",
        "inet_interfaces",
    ): "{count} 件の致命的エラー（例：{reasons}）。inet_interfaces = {interfaces} が指す {address} は"
    "このホストのどのインターフェースにもないため（アドレスが変わった可能性があります）、Postfix の"
    "各プログラムが停止し、sendmail はメールをキューに入れる前に止まります。",
    (
        "message-too-large",
        "local_unlimited",
    ): "{count} 通がキューに入る前にこのホストで拒否されました：{reasons}。message_size_limit = 0 は"
    "上限なしなので、上限は別のところから来ています：メールを投入したプログラムのファイル・サイズ"
    "上限（`ulimit -f`）、または空き容量のないファイル・システムです。",
    (
        "unknown-recipient",
        "mydestination",
    ): "{recipients} 宛ての {count} 通が、このホスト自身のローカル配送で返送されました：{reasons}。"
    "mydestination = {mydestination} が {domain} を含むため、Postfix は {domain} 宛てのすべてのメールを"
    "このホストの local(8) で配送し、メール・サーバーには送りません。local(8) にはそのユーザーが"
    "いません。",
    (
        "mailbox-unwritable",
        "owner",
    ): "{recipients} 宛ての {count} 通が、このホスト自身のローカル配送（local(8)）で配送待ちになり"
    "ました：{reasons}。local(8) は所有者が受信者であるメールボックスにだけ書き込むため"
    "（strict_mailbox_ownership = yes、既定値）、このメールを maximal_queue_lifetime まで再送し、"
    "その後は返送します。",
    (
        "mailbox-unwritable",
        "not_file",
    ): "{recipients} 宛ての {count} 通が、このホスト自身のローカル配送（local(8)）で失敗しました："
    "{reasons}。local(8) はリンクが 1 つだけの通常ファイルにしか書き込まず、{mailbox} はそうでは"
    "ありません。",
    (
        "local-mailbox-delivery",
        "mydestination",
    ): "{recipients} 宛ての {count} 通がこのホストのメールボックスに保存されました（relay=local）。"
    "そこは誰も読みません。mydestination = {mydestination} が {domain} を含むため、Postfix は "
    "{domain} 宛てのすべてのメールをこのホストで配送し、メール・サーバーには送りません。",
    (
        "relay-connection-failed",
        "works_again",
    ): "{count} 通を {relays} に渡せませんでした：{reasons}。同じサーバーは最後の失敗の後にこのホストの"
    "メールを受け付けており（最後は {last_delivered}）、接続は回復しています。これらのメッセージは次の"
    "再送を待っています。",
    (
        "relay-connection-failed",
        "works_now",
    ): "キュー一覧 {listing} は {count} 通の理由として{reasons}を示していますが、ログには {relays} が"
    "受け付けた {delivered_there} 回の配送があり、最後は {last_delivered} です：その時点では接続でき"
    "ています。一覧がそれらの配送より古いか、これらのメッセージが次の再送を待っています。",
    (
        "tls-failure",
        "server_broken",
    ): "{relays} は STARTTLS を提供しますが開始できないため、{count} 通が保留されました：{reasons}。"
    "サーバー自身の TLS 設定（証明書または鍵）が壊れています。",
    (
        "relay-connection-failed",
        "wrappermode",
    ): "{count} 通が {relays} でサーバーのグリーティングを待つ間にタイムアウトしました：{reasons}。"
    "ポート {port} への接続はできています。ポート 465（SMTPS）のサーバーは最初に TLS ハンドシェイクを"
    "待ちますが、smtp_tls_wrappermode が yes でないため、Postfix は届くことのない平文のグリーティングを"
    "待ちます。",
    (
        "relay-connection-failed",
        "cut_all",
    ): "{count} 通は Postfix が {relays} に接続してメッセージを送った後に切断されました：{reasons}。"
    "接続自体はできていますが、そのサーバーへの試行で配送できたものはありません。SMTP を検査する"
    "ファイアウォールや侵入防止システム、またはサーバーのサイズや時間の制限が、メッセージの終わりに"
    "接続を切ることがよくあります。Postfix は再送しますが、サーバーがすでに一部を受け取っている"
    "可能性があります。",
    (
        "mail-not-accepted",
        "alias_loop",
    ): "cleanup は {count} 通のメッセージを受け付けませんでした（計 {attempts} 回）：{maps} が "
    "{address} を、それ自身に戻るアドレス（ループ）か、深すぎる入れ子に変換しています。メールは "
    "maildrop キューに残り、pickup が数秒ごとに新しいキュー ID で再試行しますが、送信されることは"
    "ありません。",
    (
        "transport-missing",
        "unnamed",
    ): "{count} 通が「mail transport unavailable」で待っています：main.cf か transport_maps が、"
    "master.cf に定義のないトランスポートにメールを送っています。メール・ログの qmgr の警告"
    "「connect to transport private/NAME」がその名前を示します。",
    (
        "lookup-table-unavailable",
        "unnamed",
    ): "{count} 通が待っています：Postfix はこれらについて local data error を報告しました。"
    "ルックアップ・テーブル（smtp_sasl_password_maps、transport_maps、TLS ポリシーのテーブル）の"
    "いずれかを読めなかったことを示します。これらの行の前に Postfix が記録した警告がテーブルを示します。",
    (
        "sasl-required",
        "no_entry_tls",
    ): "{count} 通が、このホストがログインしなかったため {relays} に拒否されました：{reasons}。"
    "smtp_sasl_auth_enable は yes ですが、Postfix はログインしていません：{password_maps} に"
    "このサーバーのエントリーが見つからなかったためです。キーはサーバー名か、main.cf に書かれた "
    "relayhost の値そのもの（{sasl_key}）でなければなりません。",
    (
        "sasl-required",
        "no_maps",
    ): "{count} 通が、このホストがログインしなかったため {relays} に拒否されました：{reasons}。"
    "smtp_sasl_auth_enable は yes ですが、smtp_sasl_password_maps が設定されていないため、Postfix "
    "には送るパスワードがありません。",
    (
        "sasl-required",
        "no_entry",
    ): "{count} 通が、このホストがログインしなかったため {relays} に拒否されました：{reasons}。"
    "smtp_sasl_auth_enable は yes ですが、Postfix はログインしていません。サーバーが STARTTLS の"
    "後でしかログインを受け付けず、このホストが TLS を開始しなかった（smtp_tls_security_level = "
    "{tls_level}）か、{password_maps} にこのサーバーのエントリーがないかのどちらかです。キーはサーバー名か、"
    "main.cf に書かれた relayhost の値そのもの（{sasl_key}）でなければなりません。ログからは"
    "どちらか区別できません。",
    (
        "notices-undeliverable",
        "own_mail",
    ): "このホストで投入されたメールの不達通知（from=<>）{count} 通を、その送信者（{domains}）に配送"
    "できませんでした：{reasons}。そのうち {lost} 通は配送をあきらめています。これらはこのホスト自身の"
    "メールを返すものなので、このホストが送信者として使うアドレスも機能していません。",
    (
        "unknown-recipient",
        "local_alias",
    ): "{count} 通が、このホスト自身のローカル配送で返送されました：{reasons}。エイリアス {aliases} が "
    "{recipients} に変換されますが、このホストにそのユーザーはいません。",
    (
        "content-filter-unreachable",
        "refuses",
    ): "{count} 通を {relay_host}:{port} のコンテンツ・フィルターに渡せませんでした：{reasons}。"
    "フィルターは接続を受け付けますが、セッションを拒否するか、グリーティングの前に切断します。"
    "動いてはいるものの、過負荷かプロセス数が足りません。拒否している間、すべてのメールがキューで待ちます。",
    (
        "relay-connection-failed",
        "routed",
    ): "{count} 通を {relays}（ポート {port}）に渡せませんでした：{reasons}。これは relayhost"
    "（{relayhost}）ではありません：main.cf の {maps} がこのメールをそこへ送っています。relayhost に"
    "従うメールはこの影響を受けません。",
    (
        "relay-connection-failed",
        "routed_alone",
    ): "{count} 通を {relays}（ポート {port}）に渡せませんでした：{reasons}。これは relayhost"
    "（{relayhost}）ではありません：main.cf の {maps} がこのメールをそこへ送っています。このログには"
    "relayhost のサーバーへのメールがないため、そのサーバーが動いているかはわかりません。",
    (
        "relay-connection-failed",
        "stale_table",
    ): "{count} 通を {relays}（ポート {port}）に渡せませんでした：{reasons}。これは relayhost"
    "（{relayhost}）ではありません：{maps} がこのメールをそこへ送っており、Postfix は {database} が "
    "{source} より古いと警告しました。Postfix は最後の `postmap` で作成したデータベースに従って"
    "配送先を決めるため、その後の {source} の変更（新しいサーバーなど）は有効になっていません。",
    (
        "lookup-table-stale",
        "routed",
    ): "Postfix は {database} が {source} より古いと警告しました。Postfix はデータベースだけを読む"
    "ため、最後の `{command}` 以降の {source} の変更は有効になっていません。{setting} がこの"
    "テーブルを使っており、{count} 通が relayhost（{relayhost}）ではない {relays} で失敗しました："
    "{reasons}。古いエントリーがこのメールを今もそこへ送っていると考えられます。",
    (
        "relay-connection-failed",
        "greeting_refused",
    ): "{count} 通を {relays} に渡せませんでした：{reasons}。ポート {port} への接続はできていますが、"
    "サーバーはグリーティングの代わりに拒否を返しました。現在このホストからのメールを受け付けていません。"
    "421 の応答はサーバーの過負荷か接続数の制限を、554 の応答はこのホストのアドレスを受け付けていない"
    "ことを示します。",
    (
        "relay-connection-failed",
        "greeting_lost",
    ): "{count} 通を {relays} に渡せませんでした：{reasons}。ポート {port} への接続はできていますが、"
    "サーバーはグリーティング（220 で始まる行）の前に接続を切ったか、何も返しませんでした。"
    "このホストのアドレスを制限・遮断しているサーバー（接続数の制限、TCP ラッパー、ブロックリスト）、"
    "過負荷のサーバー、または SMTP を検査するファイアウォールがこの動きをします。",
    (
        "relay-connection-failed",
        "greeting_lost_tls",
    ): "{count} 通を {relays} に渡せませんでした：{reasons}。ポート {port} への接続はできていますが、"
    "サーバーはグリーティング（220 で始まる行）の前に接続を切ったか、何も返しませんでした。"
    "このホストのアドレスを制限・遮断しているサーバー（接続数の制限、TCP ラッパー、ブロックリスト）、"
    "過負荷のサーバー、または SMTP を検査するファイアウォールがこの動きをします。",
    (
        "relay-connection-failed",
        "cut_in_data",
    ): "{count} 通は Postfix が {relays} に接続してメッセージを送った後に切断されました：{reasons}。"
    "接続自体はできており、その間にそのサーバーへの {delivered_there} 回の試行は配送できています。"
    "SMTP を検査するファイアウォールや侵入防止システム、またはサーバーのサイズや時間の制限が、"
    "主に大きなメッセージで、メッセージの終わりに接続を切ることがよくあります。Postfix は再送しますが、"
    "サーバーがすでに一部を受け取っている可能性があります。",
    (
        "relay-connection-failed",
        "via_mx",
    ): "{count} 通を {relays} に渡せませんでした：{reasons}。使用中の設定の relayhost = {relayhost} "
    "には角括弧がないため、Postfix はその名前自体ではなく、DNS が返す MX ホストに接続します。"
    "指定したサーバーに接続するには relayhost = [名前] と書いてください。",
    (
        "dns-lookup-failed",
        "no_config",
    ): "{count} 通が {names} の DNS エラーで配送できませんでした。バンドルに main.cf はありませんが、"
    "名前は一つの中継ホストではなく宛先に従っています（宛先自身のドメイン、または宛先ごとに異なる"
    "名前）：relayhost が未設定で、Postfix が宛先ドメインごとに配送先を検索しています。",
    (
        "postfix-stopped",
        "waiting",
    ): "ログ上の最後の起動・停止は {last} の停止です。その後の {waiting} 件の投入は pickup "
    "サービスを見つけられず（「unable to look up public/pickup」）、そのメールは Postfix が動くまで"
    "待っています。",
    (
        "postfix-stopped",
        "pickup",
    ): "{last} 以降の {waiting} 件の投入が pickup サービスを見つけられませんでした"
    "（「unable to look up public/pickup」）：Postfix は動いておらず、そのメールは動くまで待って"
    "います。",
    (
        "timezone-mismatch",
        "file_time",
    ): "{log} の最後の行は {zone} として読むと {last} で、ファイル自身の時刻（{written}）より "
    "{hours} 時間後です。ファイルにはその時刻より後に書き込まれないため、時間帯を持たないこのログの"
    "タイムスタンプは、少なくとも {hours} 時間進んだ時間帯（UTC{offset} 以上）で書かれています。",
    (
        "helo-rejected",
        "unresolved",
    ): "{count} 通が {relays} に拒否されました。このホストが HELO で名乗る完全修飾名 {helo} を、"
    "サーバー側の DNS が見つけられないためです：{reasons}。",
    (
        "relayhost-unbracketed",
        "mx_used",
    ): "{source} は relayhost = {relayhost} を角括弧なしで設定しているため、Postfix は {name} の MX "
    "レコードを引き、それが示すサーバーに送ります。ログでは SMTP で配送したメッセージがすべて "
    "{servers} に送られ、{name} 自体には 1 通も送られていません。そのサーバーがこのホストのメールを"
    "中継する想定でない場合や MX レコードが変わった場合、メールは誤った宛先に送られるか配送待ちになります。",
    (
        "postfix-stopped",
        "queued",
    ): "ログに記録された最後の Postfix の起動・停止は、{last} の停止です。キュー一覧 {listing} には、"
    "maildrop キューにある、または停止以降に投入された {queued} 通のメッセージがあります。これらのメールは "
    "Postfix が動くまで待ちます。pickup のソケットが残っている間、postdrop は何もログに書かないため、"
    "ログにはこれらのメールの行がありません。",
    (
        "greylisting",
        "pending",
    ): "{count} 通が {relays} に一時拒否され（{reasons}）、ログには後で受け付けられた試行がありません。"
    "グレイリストのサーバーは待ち時間の後の再送を受け付け、Postfix は一時拒否されたメールを自動で"
    "再送します。",
    (
        "timezone-mismatch",
        "stamp_offset",
    ): "{zoned_log} の行にはタイムゾーン（オフセット {stated}）があります。同じホストの {log} の行には"
    "タイムゾーンがなく、{zone} として読んだため、そのオフセットと {hours} 時間ずれています。"
    "ホストが書いたとおり UTC{offset} として読むと、ほかの行と一致します。",
    (
        "destination-dns-failed",
        "absent",
    ): "{domains} 宛ての {count} 通が {names} の DNS エラーで配送できませんでした。DNS はこれらの"
    "名前が存在しないと答えており（「Host not found」）、このホストの名前解決は機能しています。"
    "relayhost が未設定のため、Postfix は宛先ドメインとそのメール・サーバーを自分で検索します："
    "宛先アドレスの入力ミスか、ドメインがなくなっている可能性があります。",
    (
        "relay-connection-failed",
        "direct_blocked",
    ): "{domains} 宛ての {count} 通を、どのメール・サーバー（{relays}）にも渡せませんでした："
    "{reasons}。relayhost が未設定のため、Postfix は宛先ドメインごとのサーバーにポート 25 で自分で"
    "接続しますが、どの接続も成功していません：多くのネットワークは、メール・サーバー以外の"
    "ホストからインターネットへのポート 25 を遮断しています。組織のメール・サーバー経由で送って"
    "ください：relayhost = [mail.example.com]（QRadar では E メール・サーバー設定）。",
    (
        "disk-full",
        "passed",
    ): "Postfix はディスク容量の不足を {count} 回報告しました（最後は {last}）：{reasons}。その後 "
    "{later} 通が配送されており、容量は解放されています。ディスクが満杯の間に投入された"
    "メールは拒否された可能性があります。",
    (
        "relayhost-unresolvable",
        "temporary",
    ): "{count} 通が、DNS が {names} に応答しなかったため配送待ちになりました（「Host not found, "
    "try again」）：そのとき /etc/resolv.conf の DNS サーバーが遅いか到達できませんでした。"
    "名前の誤りではなく、検索の失敗です。",
    (
        "relay-connection-failed",
        "deleted",
    ): "{count} 通を {relays} に渡せませんでした：{reasons}。そのうち {deleted} 通は管理者が"
    "削除したため（postsuper -d）、それらの通知は失われました：接続が回復したら送り直して"
    "ください。",
    (
        "relay-connection-failed",
        "recovered",
    ): "{count} 通を一時的に {relays} に渡せませんでした：{reasons}。どれも後で配送されており、"
    "最後の失敗は {last} です。再発したら、下記のとおり接続を確認してください。",
    (
        "relay-connection-failed",
        "ongoing",
    ): "{count} 通を {relays} に渡せませんでした：{reasons}。このホストが最後にメールを配送したのは "
    "{last_delivered} で、失敗はログの最後（{last}）まで続いています。今はメールが送られていません。",
    (
        "relay-connection-failed",
        "recovered_partly",
    ): "{count} 通を一時的に {relays} に渡せませんでした：{reasons}。最後の失敗（{last}）の後、"
    "サーバーは再びメールを受け付けました。そのうち {delivered} 通は配送され、{held} 通は保留中です"
    "（その検出事項を参照）。再発したら、下記のとおり接続を確認してください。",
    (
        "localhost-loop",
        "unset",
    ): "{count} 通が{reasons}で失敗しました。relayhost が未設定で、宛先ドメイン（{domains}）の"
    "メール・サーバーがこのホスト自身になっています。",
    (
        "localhost-loop",
        "elsewhere",
    ): "{count} 通が{reasons}で失敗しました。使用中の設定の relayhost = {relayhost} は"
    "このホストを名指ししていません。ログがその設定より前のものか、{relay_host} がこのホスト自身の"
    "アドレスです。",
    (
        "relayhost-mx-lookup",
        "no_config",
    ): "{count} 通が DSN 4.4.3「Name service error for "
    "name={name} type=MX」で配送待ちになりました。バンドルに main.cf はありませんが、MX 検索は"
    "relayhost が角括弧なしで書かれていることを示しています。",
    (
        "relayhost-mx-lookup",
        "bracketed",
    ): "{count} 通が DSN 4.4.3「Name service error for "
    "name={name} type=MX」で配送待ちになりました。現在の設定の relayhost = {relayhost} には"
    "角括弧があり、ログはその設定より前のものです。",
    (
        "relayhost-unresolvable",
        "no_config",
    ): "{count} 通が、DNS に {names} のアドレスがないため"
    "配送待ちになりました（「Name service error for name=... type=A」または「Host not found」）。"
    "多くはメール・サーバー名の入力ミスです。",
    (
        "no-mail-log",
        "empty",
    ): "バンドルのメール・ログ（{logs}）に Postfix の行がありません。ログが空か、syslog が "
    "Postfix の行を別のファイルに書いています。",
    (
        "bundle-incomplete",
        "rejected",
    ): "バンドルの {count} 個のメンバーは安全でない（バンドルの外を指すパス、リンク、デバイス）"
    "ため拒否し、読んでいません：{members}。それ以外はすべて読みました。",
    (
        "queue-backlog",
        "log",
    ): "{count} 通がログの終わりの時点でキューに残っています。最後の配送試行は"
    "配送待ちでした。",
    (
        "queue-backlog",
        "deleted",
    ): "{count} 通がキューに滞留し（キュー一覧に記載）、そのうち {deleted} 通が "
    "postsuper で削除されたため、それらの通知は失われました。",
    (
        "queue-backlog",
        "delivered",
    ): "{count} 通がキューに滞留し（キュー一覧に記載）、そのうち {delivered} 通は"
    "原因の解消後に配送されました。",
    (
        "no-mail-activity",
        "rejected",
    ): "ログは {first} から {last} までを含み Postfix は動作していますが、キューに入った"
    "メッセージはありません：ログ上の {rejected} 件の投入はすべて、キューに入る前に smtpd が"
    "拒否しました。",
    (
        "relay-access-denied",
        "direct",
    ): "{domains} 宛ての {count} 通が {relays} に拒否されました：{reasons}。relayhost が設定されて"
    "いないため、これらは宛先ドメイン自身のメール・サーバーです。これらの宛先アドレスを自分のもの"
    "と見なしていないか、このホストからのメールを受け付けていません。",
    (
        "local-mailbox-delivery",
        "aliased",
    ): "{recipients} 宛ての {count} 通が、このホストのメールボックスに保存されました（relay=local）。"
    "エイリアスによりローカル・ユーザー {users} に渡されるため、このホスト上でメールを読まないと"
    "見えません。",
    (
        "messages-expired",
        "default",
    ): "{count} 通が maximal_queue_lifetime を超えてキューに残り、配送不能として返送されました。"
    "バンドルのどの main.cf もこの値を設定していないため、Postfix の既定値 {lifetime} と"
    "考えられます。",
    (
        "messages-expired",
        "from_log",
    ): "{count} 通が maximal_queue_lifetime を超えてキューに残り、配送不能として返送されました。"
    "バンドルのどの main.cf もこの値を設定しておらず、Postfix の既定値は {lifetime} ですが、"
    "これらのメッセージは到着から {shortest_hours}～{longest_hours} 時間で期限切れになっています"
    "（最後の配送試行の delay=）。ログから見ると、このホストの有効期間は長くても約 "
    "{shortest_hours} 時間のようです。",
}


# Other titles of some findings, as the catalog's ``titles``.
TITLES_JA: dict[tuple[str, str], str] = {
    (
        "mailbox-unwritable",
        "maildir",
    ): "ローカル配送が Maildir {mailbox} に書き込めません",
    (
        "sender-address-rejected",
        "generic_maps",
    ): "smtp_generic_maps が作る送信者アドレスをメール・サーバーが拒否しています",
    (
        "relay-connection-failed",
        "relayhost_changed",
    ): "Postfix は {relays} に接続できませんでしたが、relayhost はもうそのサーバーを指定していません",
    (
        "relay-access-denied",
        "some_domains_authenticated",
    ): "メール・サーバーはこのホストのメールを受け取りますが、一部のドメインへは中継しません",
    (
        "relay-connection-failed",
        "not_smtp_port",
    ): "メール・サーバーのポート {port} は SMTP ではなく {service} のポートです",
    (
        "relay-connection-failed",
        "data_timeout",
    ): "smtp_data_done_timeout がメール・サーバーに対して短すぎます",
    (
        "relay-connection-failed",
        "cut_in_session",
    ): "メール・サーバーがメッセージを受け取る前に SMTP セッションを終了しています",
    (
        "mail-not-accepted",
        "expansion_limit",
    ): "エイリアス {address} のアドレス数が virtual_alias_expansion_limit の上限を超えています",
    (
        "sasl-no-mechanism",
        "filtered",
    ): "smtp_sasl_mechanism_filter がメール・サーバーの提供するログイン方式をすべて除いています",
    (
        "messages-on-hold",
        "content_check_gone",
    ): "削除されたコンテンツ・チェックが保留したメッセージが保留キューに残っています",
    (
        "postfix-fatal-error",
        "submit_excluded",
    ): "sendmail が {user} からのメールを拒否しています：authorized_submit_users がそのユーザーを"
    "除外しています",
    (
        "relay-connection-failed",
        "no_retry",
    ): "配送待ちのメールの再送がログにありません",
    (
        "postfix-fatal-error",
        "submit_refused",
    ): "sendmail が {user} からのメールを拒否しています：authorized_submit_users にそのユーザーが"
    "ありません",
    (
        "postfix-fatal-error",
        "table_type",
    ): "{setting} がルックアップ・テーブルを種類なしで指定しています",
    (
        "postfix-fatal-error",
        "table_type_unnamed",
    ): "ある設定がルックアップ・テーブルを種類なしで指定しています",
    (
        "relayhost-unresolvable",
        "ipv6_only",
    ): "Postfix が IPv6 だけを使い、メール・サーバーには IPv6 アドレスがありません",
    (
        "error-transport",
        "routed",
    ): "Postfix が {domains} 宛てのメールを差し戻す設定になっています",
    (
        "error-transport",
        "no_config",
    ): "Postfix が {domains} 宛てのメールを差し戻す設定になっています",
    (
        "messages-on-hold",
        "content_check",
    ): "このホスト自身のコンテンツ・チェックがメッセージを保留しています",
    (
        "timezone-mismatch",
        "skipped_hour",
    ): "{log} に {zone} には存在しない時刻があります：タイム・ゾーンが異なります",
    (
        "relayhost-unbracketed",
        "main_fixed",
    ): "使用中の relayhost には角括弧がありませんが、main.cf にはすでにあります",
    (
        "relayhost-mx-lookup",
        "bracketed",
    ): "Postfix が relayhost の MX レコードを検索しました（現在の設定では角括弧付き）",
    ("relay-connection-failed", "direct_blocked"): "このホストはどの宛先ドメインの"
    "メール・サーバーにも接続できません",
    (
        "relay-connection-failed",
        "recovered",
    ): "メール・サーバーへの接続が一時的に失敗しました",
    ("localhost-loop", "recovered"): "メールが一時的にこのホストへループしていました",
    (
        "myhostname-conflict",
        "same_name",
    ): "このホストの myhostname がメール・サーバーの名前です",
    (
        "relay-access-denied",
        "some_domains",
    ): "メール・サーバーはこのホストのメールを受け取りますが、"
    "一部のドメインへは中継しません",
    (
        "message-too-large",
        "local",
    ): "メッセージがこのホストの message_size_limit より大きいです",
    (
        "postfix-fatal-error",
        "inet_protocols",
    ): "Postfix が停止します：このホストに想定した IPv6 アドレスがありません",
    (
        "postfix-stopped",
        "master_fatal",
    ): "Postfix が致命的エラーで停止し、再起動されていません",
    (
        "postfix-fatal-error",
        "mailbox_limit",
    ): "ローカル配送が停止します：mailbox_size_limit が message_size_limit より小さくなっています",
    (
        "postfix-fatal-error",
        "mailbox_limit_over",
    ): "ローカル配送が一時停止しました：mailbox_size_limit が message_size_limit より小さくなっていました",
    (
        "postfix-fatal-error",
        "permissions",
    ): "Postfix のプログラムがキューのフォルダーを開けません",
    (
        "postfix-fatal-error",
        "inet_interfaces",
    ): "Postfix が停止します：inet_interfaces がこのホストにないアドレスを指しています",
    (
        "message-too-large",
        "local_unlimited",
    ): "メッセージが投入元のプログラムの書き込める大きさを超えています",
    (
        "postfix-stopped",
        "port_in_use",
    ): "Postfix を起動できません：別のプログラムがそのポートを使っています",
    (
        "unknown-recipient",
        "mydestination",
    ): _MYDESTINATION_TITLE_JA,
    (
        "mailbox-unwritable",
        "owner",
    ): "メールボックス {mailbox} の所有者が {user} ではありません",
    (
        "mailbox-unwritable",
        "not_file",
    ): "メールボックス {mailbox} が通常のファイルではありません",
    (
        "local-mailbox-delivery",
        "mydestination",
    ): _MYDESTINATION_TITLE_JA,
    (
        "relay-connection-failed",
        "works_now",
    ): "キュー一覧に、ログには現れない接続失敗があります",
    (
        "relay-connection-failed",
        "works_again",
    ): "メール・サーバーへの接続が一時的に失敗しました",
    (
        "tls-failure",
        "server_broken",
    ): "メール・サーバーは TLS を提供しますが開始できません",
    (
        "relay-connection-failed",
        "wrappermode",
    ): "サーバーが TLS で始めるポート 465 で、Postfix が平文のグリーティングを待っています",
    (
        "mail-not-accepted",
        "alias_loop",
    ): "エイリアスのループのため Postfix が {address} 宛てのメールを受け付けていません",
    (
        "transport-missing",
        "unnamed",
    ): "Postfix に一部のメールの配送サービスがありません",
    (
        "lookup-table-unavailable",
        "unnamed",
    ): "Postfix がルックアップ・テーブルのいずれかを読めません",
    (
        "sasl-required",
        "no_entry",
    ): "メール・サーバーがログインを求めていますが、Postfix はログインしていません",
    (
        "sasl-required",
        "no_entry_tls",
    ): "メール・サーバーがログインを求めていますが、Postfix はそのパスワードを見つけられません",
    (
        "sasl-required",
        "no_maps",
    ): "メール・サーバーがログインを求めていますが、Postfix にパスワードのテーブルがありません",
    (
        "unknown-recipient",
        "local_alias",
    ): "このホストのエイリアスが、存在しないユーザーを指しています",
    (
        "content-filter-unreachable",
        "refuses",
    ): "このホストのコンテンツ・フィルターは接続を受け付けますが、セッションを拒否しています",
    (
        "relay-connection-failed",
        "routed",
    ): "ルーティング・テーブルが、このホストから接続できないサーバーにメールを送っています",
    (
        "relay-connection-failed",
        "routed_alone",
    ): "ルーティング・テーブルが、このホストから接続できないサーバーにメールを送っています",
    (
        "relay-connection-failed",
        "stale_table",
    ): "古い {database} が、このホストから接続できないサーバーにメールを送っています",
    (
        "lookup-table-stale",
        "routed",
    ): "Postfix は今も古い {database} に従ってメールを送っています",
    (
        "relay-connection-failed",
        "greeting_refused",
    ): "メール・サーバーがこのホストとの通信を拒否しています",
    (
        "relay-connection-failed",
        "greeting_lost",
    ): "メール・サーバーは接続を受け付けますが、グリーティングの前に切断します",
    (
        "relay-connection-failed",
        "greeting_lost_tls",
    ): "メール・サーバーは接続を受け付けますが、グリーティングの前に切断します",
    (
        "relay-connection-failed",
        "cut_in_data",
    ): "メッセージ送信中にメール・サーバーとの接続が切れます",
    (
        "relay-connection-failed",
        "cut_all",
    ): "メッセージ送信中にメール・サーバーとの接続が切れます",
    (
        "relay-connection-failed",
        "recovered_partly",
    ): "メール・サーバーへの接続が一時的に失敗しました",
    (
        "relayhost-unresolvable",
        "temporary",
    ): "メール・サーバー名の DNS 検索が失敗しました",
    (
        "disk-full",
        "passed",
    ): "メール・キューのファイル・システムが一時的に容量不足になりました",
    (
        "postfix-stopped",
        "pickup",
    ): "Postfix が動いていません：投入されたメールが待っています",
    (
        "relay-access-denied",
        "direct",
    ): "宛先ドメインのメール・サーバーがこのホストからのメールを拒否しています",
    (
        "no-mail-activity",
        "rejected",
    ): "ログの期間中、Postfix はメッセージを 1 通もキューに入れていません",
    (
        "greylisting",
        "pending",
    ): "メール・サーバーがグレイリストを使っています：初回の送信は一時拒否されます",
    (
        "postfix-stopped",
        "queued",
    ): "Postfix が動いていません：投入されたメールが待っています",
    (
        "queue-backlog",
        "deleted",
    ): "メール・キューに滞留が生じ、削除されました",
    (
        "queue-backlog",
        "delivered",
    ): "メール・キューに滞留が生じ、後で配送されました",
    (
        "relayhost-unbracketed",
        "mx_used",
    ): "relayhost に角括弧がありません：メールはその名前の MX ホストに送られています",
}
VARIANTS_JA = _VARIANTS_JA

# Other remedies of some findings, as the catalog's ``remedies``.
REMEDIES_JA: dict[tuple[str, str], str] = {
    (
        "mailbox-unwritable",
        "maildir",
    ): "ユーザーの Maildir を作成してください：`mkdir -p {mailbox}cur {mailbox}new {mailbox}tmp` の後、"
    "`chown -R {user} {mailbox}` と `chmod -R 0700 {mailbox}` を実行してください。{user} がメールを"
    "受け取らないシステム・ユーザーなら、/etc/aliases に `{user}: root` と書いて `newaliases` を実行し、"
    "担当者に届けてください。返送されたメールは送り直す必要があります。",
    (
        "sender-address-rejected",
        "generic_maps",
    ): "{table} の {sender} のエントリーを直してください。メール・サーバーが受け付けるドメインの完全な"
    "アドレスを返す必要があります（`postmap -q {sender} {table}` で現在の値がわかります）。その後 "
    "`postmap {table}` と `postfix reload` を実行してください。返送されたメールは送り直す必要が"
    "あります。" + _FLUSH_JA,
    (
        "relay-connection-failed",
        "relayhost_changed",
    ): "失敗の後に relayhost を変更したのであれば `postfix reload` を実行してください。次の再試行から "
    "{new_host} に送られます。このホストから接続できることを確認してください：`nc -vz {new_host} "
    "{new_port}` が「succeeded」と表示する必要があります。" + _FLUSH_JA,
    (
        "relay-access-denied",
        "authenticated",
    ): _AUTHENTICATED_RELAY_JA,
    (
        "relay-access-denied",
        "some_domains_authenticated",
    ): _AUTHENTICATED_RELAY_JA,
    (
        "relay-connection-failed",
        "not_smtp_port",
    ): "/etc/postfix/main.cf の relayhost（またはこのサーバーを指定する transport_maps の"
    "エントリー）のポートを直してください。通常は 25、ログインして送信する場合は 587 です。465 を"
    "使う場合は smtp_tls_wrappermode = yes と smtp_tls_security_level = encrypt も設定して"
    "ください。その後 `postfix reload` を実行してください。" + _FLUSH_JA,
    (
        "relay-connection-failed",
        "data_timeout",
    ): "/etc/postfix/main.cf から smtp_data_done_timeout の行を削除するか、600s にしてください。"
    "どちらの場合も、その後 `postfix reload` を実行してください。一部のメッセージが二重に届く"
    "可能性があることを受信者に伝えてください。" + _FLUSH_JA,
    (
        "relay-connection-failed",
        "cut_in_session",
    ): "接続自体は問題ありません：このホストで `nc {relay_host} {port}` を実行するとサーバーの"
    "グリーティング（220 応答）が表示されます。{relay_host} の管理者に、Postfix が {stage} を送ると"
    "このホストからのセッションが切れる理由を、{last} ごろのサーバーのログで確認するよう依頼して"
    "ください。" + _FLUSH_JA,
    (
        "mail-not-accepted",
        "expansion_limit",
    ): "{table} の {address} のリストを短くする（`postmap -q {address} {table}` で確認できます）か、"
    "/etc/postfix/main.cf の virtual_alias_expansion_limit を展開後のアドレス数より大きくしてください。"
    "変更後は `postmap {table}` と `postfix reload` を実行してください。pickup が待っているメールを"
    "自動的にキューに入れます。",
    (
        "sasl-no-mechanism",
        "filtered",
    ): "/etc/postfix/main.cf の smtp_sasl_mechanism_filter にサーバーが提供する方式（{offered}）を"
    "加えるか、この行を削除してください。どちらの場合も、その後 `postfix reload` を実行してください。"
    "PLAIN や LOGIN を使う"
    "ときは、パスワードが暗号化されて送られるよう smtp_tls_security_level = encrypt を設定して"
    "ください。" + _FLUSH_JA,
    (
        "mail-not-accepted",
        "from_clients",
    ): "このホストで警告が示す問題を直し、`postfix reload` を実行してください。クライアントの次の"
    "再送で配送されます。",
    (
        "messages-on-hold",
        "content_check_gone",
    ): "ルールが保留したメールを解放してください：`postsuper -H ALL`（送るものだけなら各々 "
    "`postsuper -H キューID`）。",
    (
        "postfix-fatal-error",
        "submit_excluded",
    ): "/etc/postfix/main.cf の authorized_submit_users から !{user} を削除してください。Postfix は"
    "最初に一致したエントリーを使うため、後ろに {user} を書き足しても効きません。sendmail は実行の"
    "たびに設定を読むため、再起動は不要です。拒否されたメールはキューに入っていないので、送信した"
    "プログラムが送り直す必要があります。",
    (
        "notices-undeliverable",
        "own_mail_remote",
    ): "アプリケーションが、実在しメールを受け取れるアドレスを送信者として使うようにしてください"
    "（QRadar ではメール設定の送信者アドレス）。または {domains} の管理者にそのアドレスの作成を依頼"
    "してください。このアドレスはこのホストにないため、/etc/aliases のエイリアスでは解決しません。",
    (
        "relay-connection-failed",
        "no_retry",
    ): "`postqueue -p` でキューを一覧してください。これらのメッセージがまだ待っていれば、"
    "`postqueue -f` ですぐに送信を試み、その時間のメール・ログで再送されなかった理由を確かめます。"
    "バンドルに、その時間のメール・ログ全体（ローテートされたファイルを含む）があることも確認して"
    "ください。",
    (
        "postfix-fatal-error",
        "submit_refused",
    ): "/etc/postfix/main.cf の authorized_submit_users に {user} を加えてください"
    "（authorized_submit_users = root, {user}。static:anyone ならすべてのユーザーが送信できます）。"
    "sendmail は実行のたびに設定を読むため、再起動は不要です。拒否されたメールはキューに入って"
    "いないので、送信したプログラムが送り直す必要があります。",
    (
        "postfix-fatal-error",
        "table_type",
    ): "/etc/postfix/main.cf でテーブルの種類を書いてください：{setting} = hash:{path}。"
    "`postmap hash:{path}` でテーブルを作り、`postfix reload` を実行してください。"
    + _FLUSH_JA,
    (
        "postfix-fatal-error",
        "table_type_unnamed",
    ): "設定を探してください：`postconf -n | grep {path}`。テーブルの種類を付けて書き"
    "（hash:{path}）、`postmap hash:{path}` でテーブルを作り、`postfix reload` を実行してください。"
    + _FLUSH_JA,
    (
        "relayhost-unresolvable",
        "ipv6_only",
    ): "/etc/postfix/main.cf で inet_protocols = all（または ipv4）とし、`systemctl restart postfix` "
    "を実行してください。inet_protocols は reload では変わりません。使われている値は "
    "`postconf inet_protocols` で確かめられます。" + _FLUSH_JA,
    (
        "error-transport",
        "routed",
    ): "エントリーを探してください：transport_maps の各テーブル（`postconf transport_maps`）に対して "
    "`postmap -q {domain} テーブル` を実行します。そのトランスポートを error から smtp に変えるか"
    "エントリーを削除し、テーブルに `postmap` を、続けて `postfix reload` を実行してください。"
    "差し戻されたメールは送り直す必要があります。",
    (
        "error-transport",
        "no_config",
    ): "このホストで `postconf default_transport relay_transport transport_maps` を実行してください。"
    "error となっているものを smtp にし（transport_maps では {domain} のエントリー）、`postfix reload` "
    "を実行してください。差し戻されたメールは送り直す必要があります。",
    (
        "messages-on-hold",
        "content_check",
    ): "一致したルールを探してください：`postmap -q {probe} {table}` が最初に一致した行の動作を表示"
    "します。その HOLD の行を変更または削除してから `postfix reload` を実行してください。メールを解放"
    "するだけでは解決しません。次のメッセージもルールに保留されるためです。その後、保留されたメールを "
    "`postsuper -H ALL` で解放してください。",
    (
        "timezone-mismatch",
        "skipped_hour",
    ): "--timezone にホストのタイム・ゾーン（夏時間のない"
    " Asia/Tokyo など）を指定して再実行し、レポートの時刻を顧客の時計と一致させてください。",
    ("content-check-stopped", "rejected"): _CONTENT_CHECK_REMEDY_JA
    + "拒否されたメールは送信者に返されています。",
    ("content-check-stopped", "discarded"): _CONTENT_CHECK_REMEDY_JA
    + "破棄されたメールは失われたため、送り直す必要があります。",
    (
        "relay-connection-failed",
        "works_again",
    ): "今は何も妨げていません：Postfix は保留中のメールを自動で再送し、`postqueue -f` ですぐに送信"
    "されます。再び失敗するなら接続を確認してください：`nc -vz {relay_host} {port}`。",
    (
        "relay-connection-failed",
        "works_now",
    ): "`postqueue -p` をもう一度実行してください。まだ一覧にあれば `postqueue -f` を実行し、メール・"
    "ログで配送を確認します。再び失敗するなら接続を確認してください：`nc -vz {relay_host} {port}`。",
    (
        "tls-failure",
        "server_broken",
    ): "サーバー管理者に TLS の修正を依頼してください。原因はサーバーのログにあります。"
    "smtp_tls_security_level は変えないでください：may にすると、その間メールが平文で送られます。"
    + _FLUSH_JA,
    (
        "localhost-loop",
        "recovered",
    ): "修正の必要はもうありません。ループが再発したら、/etc/postfix/main.cf の relayhost がこのホスト"
    "ではなくメール・サーバーを指しているか確認してください。",
    (
        "relay-access-denied",
        "some_domains",
    ): "このホストから外部ドメインへの中継を許可するよう、メール・サーバーの管理者に依頼してください"
    "（Exchange の受信コネクタ、Postfix の mynetworks）。または SMTP 認証を設定してください。"
    "外部宛てには認証を求めるサーバーがよくあります。" + _FLUSH_JA,
    (
        "message-too-large",
        "local",
    ): "/etc/postfix/main.cf の message_size_limit を上げて（例：{suggested} バイト）、`postfix reload` を"
    "実行するか、小さなメッセージで送ってください（レポートはリンクや圧縮した添付に）。メール・"
    "サーバーにも独自の上限があり得ます。拒否されたメッセージは送り直す必要があります。",
    (
        "postfix-fatal-error",
        "mailbox_limit",
    ): "/etc/postfix/main.cf の mailbox_size_limit を message_size_limit 以上（0 は無制限）に"
    "してから `postfix reload` を実行してください。ローカル配送を待っているメールが配送されます。",
    (
        "postfix-fatal-error",
        "mailbox_limit_over",
    ): "現在の対処は不要です。どちらかを変更するときは、mailbox_size_limit を message_size_limit 以上"
    "（0 は無制限）に保ってください。",
    (
        "postfix-fatal-error",
        "permissions",
    ): "`postfix check` を実行すると所有者やモードが誤ったファイルとフォルダーが表示されます。"
    "`postfix set-permissions` で修正してから `postfix reload` を実行してください。maildrop キューで"
    "待っているメールが取り込まれます。",
    (
        "postfix-fatal-error",
        "inet_interfaces",
    ): "/etc/postfix/main.cf の inet_interfaces をこのホストにあるアドレス（`ip -br addr`）にするか、"
    "送信だけのホストなら loopback-only にして、`systemctl restart postfix` を実行してください。その間"
    "に sendmail が拒否したメールは送り直す必要があります。",
    (
        "message-too-large",
        "local_unlimited",
    ): "メールを投入するプログラムのファイル・サイズ上限（その環境での `ulimit -f`、systemd ユニットの "
    "LimitFSIZE）と /var/spool/postfix の空き容量（`df -h /var/spool/postfix`）を確認してください。"
    "拒否されたメッセージは送り直す必要があります。",
    (
        "postfix-fatal-error",
        "inet_protocols",
    ): "/etc/postfix/main.cf で inet_protocols = ipv4 と設定し（送信だけのホストなら inet_interfaces = "
    "127.0.0.1 でも可）、`systemctl restart postfix` を実行してください。その間に sendmail が拒否した"
    "メールは送り直す必要があります。",
    (
        "postfix-stopped",
        "master_fatal",
    ): "致命的エラーが示す問題を直し（main.cf と master.cf の誤りは `postfix check` で見つかります）、"
    "Postfix を起動してください：`systemctl start postfix`。maildrop キューのメールは Postfix が"
    "動けば送信されます。",
    (
        "postfix-stopped",
        "port_in_use",
    ): "そのポートで待ち受けているプログラムを確認してください：`ss -ltnp 'sport = :{port}'`（多くは "
    "sendmail など別の MTA）。それを停止・無効化し（`systemctl disable --now sendmail`）、Postfix を"
    "起動します：`systemctl start postfix`。maildrop キューのメールは Postfix が動けば送信されます。",
    (
        "unknown-recipient",
        "mydestination",
    ): _MYDESTINATION_REMEDY_JA + "返送されたメールは送り直す必要があります。",
    (
        "mailbox-unwritable",
        "owner",
    ): "メールボックスをそのユーザーの所有にしてください：`chown {user} {mailbox}` と "
    "`chmod 0600 {mailbox}`。ファイルが空なら削除しても構いません：local(8) が {user} の所有で"
    "新しく作成します。/etc/postfix/main.cf の strict_mailbox_ownership = no は最後の手段です："
    "local(8) がほかのユーザーの所有するメールボックスにも書き込むようになります。"
    + _FLUSH_JA,
    (
        "mailbox-unwritable",
        "not_file",
    ): "そのパスに何があるかを確認してください：`ls -ld {mailbox}`。ディレクトリー、リンク、デバイスを"
    "別の場所に移すと（`mv {mailbox} {mailbox}.old`）、次の配送で local(8) が {user} の所有する"
    "メールボックスを新しく作成します。返送されたメールがあれば送り直す必要があります。",
    (
        "local-mailbox-delivery",
        "mydestination",
    ): _MYDESTINATION_REMEDY_JA
    + "保存済みのメールはローカルのメールボックス（/var/mail/ユーザー）に"
    "残ります。",
    (
        "relay-connection-failed",
        "direct_blocked",
    ): "/etc/postfix/main.cf で組織のメール・サーバーを relayhost = [mail.example.com] と設定し"
    "（QRadar ではホストの電子メール・サーバー設定）、`postfix reload` を実行してください。"
    "このホスト自身がインターネットに送る必要がある場合に限り、このホストからの外向きのポート 25 を"
    "開けるようネットワーク担当に依頼してください。" + _FLUSH_JA,
    (
        "relay-connection-failed",
        "wrappermode",
    ): "/etc/postfix/main.cf で smtp_tls_wrappermode = yes と smtp_tls_security_level = encrypt を"
    "設定する（Postfix 3.0 以降）か、STARTTLS を使うポート 587 にしてください：relayhost = "
    "[{relay_host}]:587。その後 `postfix reload` を実行します。" + _FLUSH_JA,
    (
        "relay-connection-failed",
        "cut_all",
    ): "このホストと {relay_host} の間で SMTP を検査するファイアウォールや IPS がないかネットワーク担当"
    "に確認し、このホストについてはその検査を外してください。サーバー管理者には {last} のログを確認"
    "してもらいます。" + _FLUSH_JA,
    (
        "mail-not-accepted",
        "alias_loop",
    ): "テーブル内で {address} をたどってください：`postmap -q {address} {table}` で変換先が"
    "わかります。得られたアドレスごとに繰り返し、元に戻るエントリーを削除してから、テーブルに "
    "`postmap` を実行し、`postfix reload` を実行してください。pickup が待っているメールを自動的に"
    "キューに入れます。",
    (
        "lookup-table-unavailable",
        "aliases",
    ): "エイリアス・テーブルを作成してください：`newaliases`（または `postalias {path}`）の後に "
    "`postfix reload` を実行します。" + _FLUSH_JA,
    (
        "lookup-table-unavailable",
        "file",
    ): "{path} が存在し、Postfix が読めることを確認してから `postfix reload` を実行してください。"
    + _FLUSH_JA,
    (
        "lookup-table-unavailable",
        "service",
    ): "{path} のテーブル定義と、そのサーバーがこのホストに応答するかを確認してください。"
    "`postmap -q キー {table}` で Postfix が得る値を確認できます。" + _FLUSH_JA,
    (
        "transport-missing",
        "unnamed",
    ): "main.cf（default_transport、relay_transport、content_filter）と transport_maps が指す"
    "トランスポートを、`postconf -M` が一覧するサービスと比べてください。名前を修正するかサービスを"
    "追加してから、`postfix reload` を実行します。" + _FLUSH_JA,
    (
        "lookup-table-unavailable",
        "unnamed",
    ): "最初の延期より前の警告（「is unavailable」または「lookup error」）からテーブルを特定し、"
    "`postmap` で作成してから `postfix reload` を実行してください。" + _FLUSH_JA,
    (
        "sasl-required",
        "no_entry_tls",
    ): "Postfix と同じ方法でキーを検索してください：`postmap -q '{sasl_key}' {password_maps}` が "
    "user:password を表示する必要があります。何も表示されなければ、{sasl_key} user:password の行を"
    "そのファイルに書き、`postmap` を実行してから `postfix reload` を実行します。"
    + _FLUSH_JA,
    (
        "sasl-required",
        "no_maps",
    ): "/etc/postfix/main.cf に smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd を設定し、"
    "{sasl_key} user:password の行をそのファイルに書いて、`postmap /etc/postfix/sasl_passwd` と "
    "`postfix reload` を実行してください。" + _FLUSH_JA,
    (
        "sasl-required",
        "no_entry",
    ): "Postfix と同じ方法でキーを検索すると、どちらかがわかります：`postmap -q '{sasl_key}' "
    "{password_maps}` が user:password を表示する必要があります。何も表示されなければ、{sasl_key} "
    "user:password の行をそのファイルに書き、`postmap` を実行してから `postfix reload` を実行します。"
    "エントリーが表示される場合は、/etc/postfix/main.cf で smtp_tls_security_level = encrypt を設定し"
    "（Exchange Online などは STARTTLS の後でしかログインを受け付けません）、`postfix reload` を"
    "実行してください。" + _FLUSH_JA,
    (
        "notices-undeliverable",
        "own_mail",
    ): "このホストのメールの送信者アドレスを配送可能にしてください：/etc/aliases で root（または"
    "アプリケーションが送信に使うアカウント）を実在するメールボックスかメール・アドレス"
    "（root: soc@example.com）に向けて `newaliases` を実行するか、アプリケーションが使う送信者アドレス"
    "を設定します。",
    (
        "unknown-recipient",
        "local_alias",
    ): "/etc/aliases（alias_maps が指すファイル）のエイリアス {alias} を修正し、存在するユーザーか"
    "メール・アドレス（root: soc@example.com）を指すようにしてから、`newaliases` を実行してください。"
    "返送されたメールは送り直す必要があります。",
    (
        "content-filter-unreachable",
        "refuses",
    ): "{last} のフィルターのログ（amavis なら `journalctl -u amavis`）を確認し、そのプロセス数の上限を "
    "/etc/postfix/master.cf のトランスポートの maxproc と比べてください（amavisd の $max_servers は"
    "それ以上が必要です）。フィルターが応答しなければ再起動します。" + _FLUSH_JA,
    (
        "relay-connection-failed",
        "routed",
    ): "{maps} のうち {relay_host} またはポート {port} を指すエントリーを確認し、サーバーかポートを"
    "修正するか、このメールが relayhost に従うようにエントリーを削除してください。その後テーブルに "
    "`postmap` を実行し、`postfix reload` を実行します。" + _FLUSH_JA,
    (
        "relay-connection-failed",
        "routed_alone",
    ): "{maps} のうち {relay_host} またはポート {port} を指すエントリーを確認し、サーバーかポートを"
    "修正するか、このメールが relayhost に従うようにエントリーを削除してください。その後テーブルに "
    "`postmap` を実行し、`postfix reload` を実行します。{relay_host} が正しいサーバーなら、接続を"
    "確認してください：`nc -vz {relay_host} {port}`。" + _FLUSH_JA,
    (
        "relay-connection-failed",
        "stale_table",
    ): "ファイルからテーブルを作り直してください：`{command}` の後に `postfix reload` を実行すると、"
    "Postfix は変更後の {source} に従います。{source} がまだ {relay_host} を指しているなら、先にその"
    "エントリーを修正するか、接続を確認してください：`nc -vz {relay_host} {port}`。"
    + _FLUSH_JA,
    (
        "lookup-table-stale",
        "routed",
    ): "{source} が正しいサーバーを指していることを確認してから、データベースを作り直してください："
    "`{command}` の後に `postfix reload` を実行します。{source} を変更するたびに再実行してください。"
    + _FLUSH_JA,
    (
        "lookup-table-stale",
        "aliases",
    ): "{source} の内容が正しいことを確認してから、エイリアス・データベースを作り直してください："
    "`newaliases` の後に `postfix reload` を実行します。{source} を変更するたびに再実行してください。",
    (
        "relay-connection-failed",
        "greeting_refused",
    ): "{relay_host} の管理者に、このホストの IP アドレスからのメールを受け付けるよう（554 の応答）、"
    "またはセッションを拒否する理由を（421 の応答）、{last} のサーバーのログとともに確認してください。"
    "このホストで `nc {relay_host} {port}` を実行すると応答を確認できます。"
    + _FLUSH_JA,
    (
        "relay-connection-failed",
        "greeting_lost",
    ): "接続だけでなくグリーティングを確認してください：このホストで `nc {relay_host} {port}` を実行し、"
    "数秒以内に 220 で始まる行が表示されることを確かめます。{relay_host} の管理者には、このホストの"
    "アドレスからのセッションを切る理由を {last} のサーバーのログとともに、ネットワーク担当には経路上で "
    "SMTP を検査するファイアウォールがないかを確認してください。" + _FLUSH_JA,
    (
        "relay-connection-failed",
        "greeting_lost_tls",
    ): "接続だけでなくグリーティングを確認してください：ポート 465 では TLS が先に来るため、このホストで "
    "`openssl s_client -connect {relay_host}:465` を実行し、証明書の後に 220 で始まる行が表示されることを確かめます。{relay_host} の管理者には、このホストの"
    "アドレスからのセッションを切る理由を {last} のサーバーのログとともに、ネットワーク担当には経路上で "
    "SMTP を検査するファイアウォールがないかを確認してください。" + _FLUSH_JA,
    (
        "relay-connection-failed",
        "cut_in_data",
    ): "失敗したメッセージのサイズ（qmgr 行の size=）を配送できたものと比べてください。このホストと "
    "{relay_host} の間で SMTP を検査するファイアウォールや IPS がないかネットワーク担当に確認し、"
    "このホストについてはその検査を外してください。サーバー管理者にはメッセージ・サイズの上限と "
    "{last} のログを確認してもらいます。" + _FLUSH_JA,
    (
        "relayhost-unresolvable",
        "temporary",
    ): "このホストの DNS サーバーが応答するか確認してください：`getent hosts {name}` と、"
    "/etc/resolv.conf の nameserver 行のサーバー（`dig @サーバー {name}`）。このホストからそれらへの "
    "DNS（ポート 53）を許可するようネットワーク担当に依頼するか、応答するサーバーを設定します。"
    "relayhost = [192.0.2.10] のようにメール・サーバーの IP アドレスを角括弧で書けば検索は不要です。"
    + _FLUSH_JA,
    (
        "queue-backlog",
        "deleted",
    ): "削除された通知は失われています。重要なものはアプリケーションから再送できれば再送してください。"
    "次の集中の前に配送の問題を解決し、滞留がイベントごとに 1 通送るアプリケーションやアラート・ルール"
    "によるものなら、送信数が減るよう調整してください。",
    (
        "queue-backlog",
        "delivered",
    ): "滞留したメールは今は待っていません。滞留がイベントごとに 1 通送るアプリケーションやアラート・"
    "ルールによるものなら送信数が減るよう調整し、次の集中で滞留しないよう遅延の原因を解決してください。",
    (
        "helo-rejected",
        "unresolved",
    ): "メール・サーバーが使う DNS に {helo} のレコード（このホストのアドレスを示す A レコード）を"
    "追加するか、このホストを受け付けるようサーバー管理者に依頼してください。/etc/postfix/main.cf の "
    "smtp_helo_name をそのサーバー側で解決できる別の名前にして `postfix reload` を実行する方法も"
    "あります。" + _FLUSH_JA,
    (
        "greylisting",
        "pending",
    ): "再送が受け付けられるか確認してください：サーバーの待ち時間（多くは 5 分）の後、ホストで "
    "`postqueue -f` を実行し、メール・ログに status=sent が出るかを見ます。再送も一時拒否され続ける"
    "なら、このホストをグレイリストの対象外にするようサーバー管理者に依頼してください。",
    (
        "relayhost-unbracketed",
        "main_fixed",
    ): "main.cf にはすでに角括弧があります。`postfix reload` を実行して Postfix にその設定を"
    "使わせ、`postconf relayhost` が relayhost = [{name}] を表示することを確認してください。",
    (
        "queue-listing-empty",
        "later",
    ): "これらのメッセージの行方を確認するため、キュー一覧の作成時刻までのログを送ってもらってください。",
    (
        "relayhost-mx-lookup",
        "bracketed",
    ): "設定にはすでに角括弧があります。main.cf を最後の `postfix reload` の後に編集したのなら、"
    "`postfix reload` を実行して Postfix にその設定を使わせ、新しい配送待ちに type=MX が"
    "現れないことを確認してください。" + _FLUSH_JA,
    (
        "tls-failure",
        "name_mismatch",
    ): "証明書にある名前でサーバーを指定してください：その名前を角括弧で囲んで /etc/postfix/main.cf の"
    "relayhost に書くか、smtp_tls_secure_cert_match（レベル secure）または smtp_tls_verify_cert_match"
    "（レベル verify）に加え、`postfix reload` を実行します。または、使っている名前で証明書を"
    "発行し直してもらいます。smtp_tls_security_level = encrypt なら暗号化は続きますが、サーバーの"
    "検証はしなくなります。" + _FLUSH_JA,
    (
        "tls-failure",
        "untrusted",
    ): "サーバー証明書の発行元 CA を Postfix に設定してください：/etc/postfix/main.cf の "
    "smtp_tls_CAfile にその CA を含むファイル（社内 CA、またはシステムのバンドル。RHEL では "
    "/etc/pki/tls/certs/ca-bundle.crt）を指定し、`postfix reload` を実行します。証明書が期限切れか"
    "自己署名なら、交換してもらいます。smtp_tls_security_level = encrypt なら暗号化は続きますが、"
    "サーバーの検証はしなくなります。" + _FLUSH_JA,
    (
        "tls-failure",
        "not_offered",
    ): "サーバー管理者に STARTTLS の有効化を依頼するか、/etc/postfix/main.cf で "
    "smtp_tls_security_level = may とし（TLS のないサーバーには平文で送ります）、`postfix reload` を"
    "実行してください。" + _FLUSH_JA,
    (
        "no-mail-activity",
        "rejected",
    ): "拒否された投入が必要なメールだったなら、根拠の拒否応答が、止めた制限（main.cf の "
    "smtpd_recipient_restrictions など）を示しています。このホスト自身がメールを送るべきなら、"
    "ホストでテスト・メールを送り（`echo test | mail -s test you@example.com`）、メール・ログに"
    "現れるかを確認してください。",
    (
        "relay-access-denied",
        "direct",
    ): "宛先アドレスに誤りがないか確認し、宛先ドメインの管理者に、メールボックスが存在するか、"
    "このホストからのメールを受け付けるかを問い合わせてください。メールを別のプロバイダーに移した"
    "ドメインは、MX レコードが古いことがあります（`host -t mx {domain}`）。このホストがインター"
    "ネットへ直接送るべきでないなら、組織のメール・サーバー経由で送ってください：/etc/postfix/main.cf "
    "の relayhost = [mail.example.com]。" + _FLUSH_JA,
    (
        "local-mailbox-delivery",
        "aliased",
    ): "{users} がほかの場所でメールを読むなら、エイリアスを外部アドレスへの転送に変えてください："
    "/etc/aliases に「{user}: admin@example.com」と書き、`newaliases` を実行します。ユーザーの "
    "~/.forward ファイルでも同じことができます。",
    (
        "messages-expired",
        "from_log",
    ): "まず配送遅延の原因（他の検出事項）を解消してください。期限切れのメッセージは失われており、"
    "再送が必要です。ホストで `postconf maximal_queue_lifetime` を実行し、実際の有効期間を"
    "確認してください。有効期間が数時間だと、1 日の障害なら遅れて届くはずのメールが返送されます。"
    "Postfix の既定値は 5d（5 日）です。",
}


def localized_params(params: dict[str, object], lang: str) -> dict[str, object]:
    """Return finding parameters with their English phrases in ``lang``.

    ``reasons`` quotes log text as "a"; "b", which becomes 「a」、「b」 in Japanese,
    from ``reason_texts``. ``listings`` is rebuilt from ``listing_parts``:
    [source, messages, made at].
    """
    if lang != "ja":
        return params
    localized = dict(params)
    texts = params.get("reason_texts")
    if isinstance(texts, list) and texts:
        localized["reasons"] = "、".join(f"「{text}」" for text in texts)
    listings = params.get("listing_parts")
    if isinstance(listings, list):
        localized["listings"] = "、".join(
            f"{source}（{count:,} 通、{listed_at} 作成）"
            for source, count, listed_at in listings
        )
    lifetime = params.get("lifetime")
    if isinstance(lifetime, str):
        localized["lifetime"] = _postfix_duration(lifetime)
    return localized


_DURATION_UNITS_JA = {"s": "秒", "m": "分", "h": "時間", "d": "日", "w": "週間"}


def _postfix_duration(value: str) -> str:
    """Return a Postfix time value ("45s", "5d") with its meaning in Japanese,
    as "45s = 45 秒". Other values stay as they are."""
    match = re.fullmatch(r"(\d+)([smhdw])", value.strip())
    if match is None:
        return value
    return f"{value} = {match[1]} {_DURATION_UNITS_JA[match[2]]}"


def finding_texts(
    code: str, lang: str, variant: str = ""
) -> tuple[str, str, str] | None:
    """Return the (title, summary, remedy) templates of ``code``, or None for English."""
    if lang != "ja" or code not in _FINDINGS_JA:
        return None
    title, summary, remedy = _FINDINGS_JA[code]
    return (
        TITLES_JA.get((code, variant), title),
        _VARIANTS_JA.get((code, variant), summary),
        REMEDIES_JA.get((code, variant), remedy),
    )


def all_finding_texts() -> list[tuple[str, str, str]]:
    """Return every Japanese (title, summary, remedy) template, variants included."""
    texts = list(_FINDINGS_JA.values())
    texts += [("", summary, "") for summary in _VARIANTS_JA.values()]
    texts += [(title, "", "") for title in TITLES_JA.values()]
    texts += [("", "", remedy) for remedy in REMEDIES_JA.values()]
    return texts
