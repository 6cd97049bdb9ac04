package config

// adviceText is every Advice in {English, Japanese}; %s is its Detail.
var adviceText = map[string][2]string{
	"no_upstream": {
		`No upstream: misend has nowhere to send passing mail and does not start. Set [upstream] addr = "mx.corp.example:25".`,
		`上流サーバー（[upstream] addr）がありません。送ってよいメールの行き先がないため misend は起動しません。addr = "mx.corp.example:25" のように設定してください。`},
	"bad_address": {
		`%s is no host:port address.`,
		`%s は「ホスト:ポート」の形ではありません。`},
	"no_org_domains": {
		`No organisation domains: misend uses those of the last import, and without any it counts every address as inside the organisation and checks nothing. Set org_domains = ["corp.example"].`,
		`組織のドメイン（org_domains）がありません。最後の取り込み時のドメインを使い、それもなければすべての宛先を社内とみなして何も確認しません。org_domains = ["corp.example"] のように設定してください。`},
	"open_relay": {
		`The SMTP listener %s can be reached from other hosts, but neither client networks nor AUTH say who may send through it: misend would be an open relay and refuses to start. Set [smtp] networks = ["10.0.0.0/8"] or auth_file, or listen on 127.0.0.1.`,
		`SMTP の待ち受け %s には他のホストから接続できますが、送信を許すネットワーク（networks）も認証（auth_file）もありません。不正中継になるため misend は起動しません。[smtp] networks = ["10.0.0.0/8"] か auth_file を設定するか、127.0.0.1 で待ち受けてください。`},
	"auth_without_tls": {
		`Clients of %s log in without TLS (no tls_cert): their passwords cross the network in clear text.`,
		`%s の利用者は TLS なし（tls_cert なし）でログインします。パスワードが平文でネットワークを流れます。`},
	"milter_exposed": {
		`The milter listener %s can be reached from other hosts, and a milter has no sign-in: listen on a loopback address or firewall it to the mail server.`,
		`ミルターの待ち受け %s には他のホストから接続でき、ミルターには認証がありません。ループバックアドレスで待ち受けるか、メールサーバーだけが届くようにファイアウォールで制限してください。`},
	"web_plain_http": {
		`The web UI on %s is reached from other hosts over plain HTTP: sign-in passwords and session cookies cross the network in clear text. Put a TLS proxy in front and set an https public URL (or [web] secure_cookies = true).`,
		`%s の Web 画面には他のホストから平文の HTTP で接続します。サインインのパスワードとセッションが暗号化されません。TLS のプロキシを前に置き、https の公開 URL（または [web] secure_cookies = true）を設定してください。`},
	"no_public_url": {
		`No public URL ([notify] base_url): senders are never told that their mail is held or waits for them, and no notice links to the web UI. Set base_url = "https://misend.corp.example".`,
		`公開 URL（[notify] base_url）がありません。メールが保留・確認待ちになっても送信者に通知が届きません。base_url = "https://misend.corp.example" のように設定してください。`},
	"approval_silent": {
		`[approval] passes held mail on and returns or refuses it at its deadline, but without a public URL ([notify] base_url) nobody is told: deputies are not asked and senders do not learn what became of their mail.`,
		`[approval] により保留メールは次の承認者へ回付され、期限で返送または送信中止されますが、公開 URL（[notify] base_url）がないため誰にも通知されません。代理承認者への依頼も、送信者へのお知らせも届きません。`},
	"no_spool_key": {
		`No spool key ([queue] encryption_key_file): held and waiting messages lie unencrypted on disk. misend init makes one; keep a copy of it with the backups.`,
		`スプールの暗号鍵（[queue] encryption_key_file）がありません。保留中・待機中のメール本文が暗号化されずにディスクに残ります。misend init で作成でき、バックアップと一緒に保管してください。`},
	"no_topic_key": {
		`No topic key on PostgreSQL ([model] topic_key_file): the hashes of the subjects that thread mail are unkeyed, and anyone with a copy of the database can test guessed subjects against them. Make one (head -c 32 /dev/urandom > /etc/misend/topic.key; chmod 600 it), copy it to every replica and set topic_key_file; threads by subject are then learned anew.`,
		`PostgreSQL でトピック鍵（[model] topic_key_file）がありません。スレッドをまとめる件名のハッシュに鍵がかからず、データベースの複製を持つ人は推測した件名と照合できます。鍵を作り（head -c 32 /dev/urandom > /etc/misend/topic.key; chmod 600）、すべてのレプリカに同じものを置いて topic_key_file を設定してください。件名によるスレッドはその後あらためて学習されます。`},
	"no_retention": {
		`No [retention] table: decisions, audit entries, the term index, the model journal and held mail nobody answers are kept for ever and the database only grows. misend init writes one with defaults (decisions 400 days, audit 1095, term index 365, held mail 14, model journal 7).`,
		`[retention] テーブルがありません。判定・監査ログ・語の索引・学習ジャーナル、そして誰も対応しない保留メールが永久に残り、データベースは増え続けます。misend init が既定値（判定 400 日、監査 1095 日、語の索引 365 日、保留メール 14 日、学習ジャーナル 7 日）で書き込みます。`},
	"held_kept_for_ever": {
		`No held_days in [retention]: held mail that neither an approver nor its sender answers stays in the spool, whole, for ever. Set held_days = 14 (what misend init writes): it is then deleted unsent and its sender told.`,
		`[retention] に held_days がありません。承認者も送信者も対応しない保留メールが、本文ごと無期限にスプールに残ります。held_days = 14（misend init が書き込む値）を設定すると、期限を過ぎたメールは送信せずに削除され、送信者に通知されます。`},
	"missing_file": {
		`%s cannot be read: misend does not start without it.`,
		`%s を読めません。このファイルがないと misend は起動しません。`},
	"secret_readable": {
		`%s holds a secret but other users can read it: chmod 600 it (misend refuses it otherwise).`,
		`%s には秘密の値がありますが、他のユーザーも読めます。chmod 600 にしてください（このままでは misend が使いません）。`},
	"bad_time_zone": {
		`%s is no time zone misend knows (use an IANA name such as Asia/Tokyo).`,
		`%s は misend が知っているタイムゾーンではありません（Asia/Tokyo のような IANA 名を使ってください）。`},
	"oidc_incomplete": {
		`OIDC sign-in needs a client ID as well as the issuer.`,
		`OIDC サインインには発行者（issuer）に加えてクライアント ID が必要です。`},
	"relative_path": {
		`%s is relative to the directory misend is started in, which differs between a shell and the service: give a full path.`,
		`%s は misend を起動したディレクトリからの相対パスで、シェルとサービスとで指す場所が変わります。絶対パスで指定してください。`},
	"network_fs": {
		`The SQLite database is on a network filesystem (%s): its locks and write-ahead log do not work there, and the database can be corrupted. Put it on a local disk, or use PostgreSQL.`,
		`SQLite のデータベースがネットワークファイルシステム（%s）上にあります。ロックと WAL が正しく働かず、データベースが壊れるおそれがあります。ローカルディスクに置くか、PostgreSQL を使ってください。`},
	"unknown_key": {
		`%s: misend knows no such setting; a typo leaves the default in force. See the comments misend init writes, or the README.`,
		`%s: misend にはこの設定項目がありません。書き間違いだと既定値のままになります。misend init が書くコメントか README を確かめてください。`},
	"trusted_freemail": {
		`%s is a freemail provider, where anyone can have an address: trusting it means mail to a stranger there is not asked about for its new domain. Take it out of [policy] trusted_domains (the web UI refuses it).`,
		`%s はフリーメールのドメインで、誰でもアドレスを作れます。信頼すると、そこにいる見知らぬ相手へのメールも新しいドメインとして確認されません。[policy] trusted_domains から外してください（Web 画面では指定できません）。`},
	"trusted_own": {
		`%s is one of the organisation's own domains: mail there is internal already, and trusting it changes nothing.`,
		`%s は組織自身のドメインです。そのメールは既に社内扱いのため、信頼しても何も変わりません。`},
	"exempt_outside": {
		`%s is not at an organisation domain: misend never exempts an outsider's address, so this entry does nothing.`,
		`%s は組織のドメインのアドレスではありません。misend は社外のアドレスを確認対象外にしないため、この指定は効果がありません。`},
	"unreadable": {
		`The configuration cannot be read: %s`,
		`設定ファイルを読めません: %s`},
}
