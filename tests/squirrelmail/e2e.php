<?php
/*
 * SquirrelMail on sqauth, end to end, in a real browser: the fixture
 * SquirrelMail is unpacked, contrib/squirrelmail/install is run on it, PHP's
 * built-in server serves it with the sqauth extension loaded, and Debian's
 * Chromium (through chromedriver) uses the real pages against the test Dovecot.
 * Section 6b serves the same tree from Apache httpd with mod_php (Debian's
 * libapache2-mod-php8.2, one prefork child; one "skip:" line without it),
 * where the plugin's pool is off unless $sqauth_pool = true. Section 6c serves
 * it from PHP's built-in server with two workers and chooses which worker
 * serves which browser session (hold_router.php): a login form and a
 * password change in one worker reach the user's kept connections in the
 * other.
 *
 *   php tests/squirrelmail/e2e.php      (scripts/test.sh runs it with the servers up)
 *
 * Needs the test servers (tests/setup/servers.sh; their env.json in
 * $SQAUTH_TEST_DIR), chromium and chromium-driver, and the fixture: the
 * tarball named by $SQAUTH_SQUIRRELMAIL_TARBALL, else
 * ../shared/fixtures/squirrelmail-*.tar.gz beside the project. Without the
 * fixture it prints one "skip:" line. Screenshots go to
 * $SQAUTH_TEST_OUTPUT/squirrelmail/ (default: test-output/ in the project).
 * Prints "ok - ..." / "not ok - ..." per check, then "N passed, N failed".
 */
declare(strict_types=1);

require __DIR__ . '/webdriver.inc';
require __DIR__ . '/../scripted/fake_server.inc';
require __DIR__ . '/../live/pool.inc';

$root = dirname(__DIR__, 2);
$tarball = getenv('SQAUTH_SQUIRRELMAIL_TARBALL') ?: (glob(dirname($root) . '/shared/fixtures/squirrelmail-*.tar.gz')[0] ?? '');
if ($tarball === '' || !is_file($tarball)) {
    echo "skip: no SquirrelMail fixture (set SQAUTH_SQUIRRELMAIL_TARBALL or provide ../shared/fixtures/squirrelmail-*.tar.gz)\n";
    exit(0);
}

$test_dir = getenv('SQAUTH_TEST_DIR') ?: '/tmp/sqauth-test';
$env = json_decode((string)@file_get_contents("$test_dir/env.json"), true);
if (!is_array($env)) {
    fwrite(STDERR, "e2e: $test_dir/env.json is missing: start the servers (sh tests/setup/servers.sh start)\n");
    echo "0 passed, 1 failed\n";
    exit(1);
}
$extension = "$root/modules/sqauth.so";
$output = (getenv('SQAUTH_TEST_OUTPUT') ?: "$root/test-output") . '/squirrelmail';
$work = "$test_dir/squirrelmail";
$web_port = (int)(getenv('SQAUTH_TEST_WEBMAIL_PORT') ?: 31880);
$driver_port = (int)(getenv('SQAUTH_TEST_WEBDRIVER_PORT') ?: 31881);
$base = "http://127.0.0.1:$web_port";
$host = $env['SQAUTH_TEST_HOST'];
$user = $env['SQAUTH_TEST_USER'];
$pass = $env['SQAUTH_TEST_PASS'];

$passed = 0;
$failed = 0;
function check(string $what, bool $ok, string $detail = ''): bool
{
    global $passed, $failed;
    $ok ? $passed++ : $failed++;
    echo ($ok ? 'ok' : 'not ok') . " - $what" . (!$ok && $detail !== '' ? "\n    " . str_replace("\n", "\n    ", trim($detail)) : '') . "\n";
    return $ok;
}

function run(array $cmd, ?string &$out = null): int
{
    $p = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes);
    $out = stream_get_contents($pipes[1]);
    fclose($pipes[1]);
    return proc_close($p);
}

/** sha256 of every file under $dir, by relative path. */
function tree_hashes(string $dir): array
{
    $out = [];
    $it = new RecursiveIteratorIterator(new RecursiveDirectoryIterator($dir, FilesystemIterator::SKIP_DOTS));
    foreach ($it as $file) {
        $out[substr($file->getPathname(), strlen($dir) + 1)] = hash_file('sha256', $file->getPathname());
    }
    ksort($out);
    return $out;
}

/* ---- the SquirrelMail tree and its configuration ---- */

run(['rm', '-rf', $work]);
foreach (["$work/data", "$work/attach", "$work/sessions", "$work/profile", $output] as $dir) {
    @mkdir($dir, 0700, true);
}
if (run(['tar', 'xzf', $tarball, '-C', $work], $out) !== 0 || !is_dir("$work/squirrelmail")) {
    check("unpack $tarball", false, $out);
    echo "$passed passed, $failed failed\n";
    exit(1);
}
$sm = "$work/squirrelmail";
$pristine = tree_hashes($sm);
copy("$sm/config/default_pref", "$work/data/default_pref");
// config.php as SquirrelMail ships it (its defaults; conf.pl activates the plugin in it after
// the install); each step's settings go into config_local.php (no opcache: it changes each step).
copy("$sm/config/config_default.php", "$sm/config/config.php");

$site = [
    'domain' => 'a.example', 'imapServerAddress' => $host, 'smtpServerAddress' => $host,
    'imap_server_type' => 'dovecot', 'data_dir' => "$work/data/", 'attachment_dir' => "$work/attach/",
    'only_secure_cookies' => false, 'useSendmail' => false, 'ask_user_info' => false,
    'imap_stream_options' => ['ssl' => ['cafile' => $env['SQAUTH_TEST_CA']]],
    'smtp_stream_options' => ['ssl' => ['cafile' => $env['SQAUTH_TEST_CA']]],
];
$imap_starttls = ['use_imap_tls' => 2, 'imapPort' => (int)$env['SQAUTH_TEST_IMAP_PORT']];
$imap_implicit = ['use_imap_tls' => 1, 'imapPort' => (int)$env['SQAUTH_TEST_IMAPS_PORT']];
$smtp_starttls = ['use_smtp_tls' => 2, 'smtpPort' => (int)$env['SQAUTH_TEST_SUBMISSION_PORT']];

/** config/config_local.php: the site settings, then $settings. */
function configure(array $settings): void
{
    global $sm, $site;
    $php = "<?php\n/* written by tests/squirrelmail/e2e.php */\n";
    foreach (array_merge($site, $settings) as $name => $value) {
        $php .= "\$$name = " . var_export($value, true) . ";\n";
    }
    file_put_contents("$sm/config/config_local.php", $php);
}

/* ---- PHP's built-in server with the extension, and the browser ---- */

$server_log = "$work/php-server.log";
$error_log = "$work/php-errors.log";
$server = proc_open(['setsid', PHP_BINARY, '-d', "extension=$extension", '-d', "session.save_path=$work/sessions",
                     '-d', 'opcache.enable=0', '-d', 'error_reporting=-1', '-d', 'display_errors=0', '-d', 'log_errors=1', '-d', "error_log=$error_log",
                     '-S', "127.0.0.1:$web_port", '-t', $sm],
    [0 => ['file', '/dev/null', 'r'], 1 => ['file', $server_log, 'w'], 2 => ['file', $server_log, 'a']],
    // One PHP process, as a site with one PHP-FPM worker: the pool's reuse is then exact (section 6
    // counts logins), and every connection it keeps is one Dovecot counts against
    // mail_max_userip_connections (10) for the test user.
    $pipes, $sm, array_diff_key(getenv(), ['PHP_CLI_SERVER_WORKERS' => 1]));
$server_pid = proc_get_status($server)['pid'];
// Interrupted or not, what was started is stopped (the shutdown functions run on exit()).
pcntl_async_signals(true);
foreach ([SIGTERM, SIGINT, SIGHUP] as $signal) {
    pcntl_signal($signal, fn() => exit(1));
}
register_shutdown_function(function () use ($server, $server_pid) {
    // setsid made the server its own process group: its workers go with it.
    posix_kill(-$server_pid, SIGTERM);
    proc_close($server);
});
for ($i = 0; $i < 50 && !@fsockopen('127.0.0.1', $web_port); $i++) {
    usleep(100000);
}

$started = microtime(true);
try {
    $browser = new WebDriver($driver_port, "$work/profile", "$work/chromedriver.log");
} catch (WebDriverError $e) {
    check('start Chromium through chromedriver', false, $e->getMessage());
    echo "$passed passed, $failed failed\n";
    exit(1);
}

/**
 * Logs in through login.php; returns the visible text of the page it lands on:
 * for the frameset, the folder list (left frame) when it shows INBOX, else both frames.
 */
function login(string $login, string $password): string
{
    global $browser, $base;
    try {
        $browser->get("$base/src/login.php");
        if ($browser->find('#login_username') === null) {
            return 'no login form: ' . $browser->text();
        }
        $browser->type('#login_username', $login);
        $browser->type('#secretkey', $password);
        $browser->submit('form[name="login_form"] input[type="submit"]');
        if ($browser->find('frame[name="left"]') === null) {
            return $browser->text();
        }
        $browser->frame('left');
        $browser->waitFor(fn($b) => str_contains($b->text(), 'INBOX'), 5);
        $text = $browser->text();
        $browser->frame(null);
        if (!str_contains($text, 'INBOX')) {
            $browser->frame('right');
            $text = "left frame: $text\nright frame: " . $browser->text();
            $browser->frame(null);
        }
        return $text;
    } catch (WebDriverError $e) {
        return $e->getMessage();
    }
}

function logout(): bool
{
    global $browser, $base;
    $browser->get("$base/src/signout.php");
    return str_contains($browser->text(), 'signed out');
}

/** Composes and sends a message to the test user; returns the text of the page after sending. */
function send_mail(string $subject): string
{
    global $browser, $base, $user;
    try {
        $browser->get("$base/src/compose.php");
        $browser->type('input[name="send_to"]', "$user@a.example");
        $browser->type('input[name="subject"]', $subject);
        $browser->type('textarea[name="body"]', "Sent through SquirrelMail on sqauth.\n");
        $browser->submit('input[type="submit"][name^="send"]');
        return $browser->text();
    } catch (WebDriverError $e) {
        return 'ERROR ' . $e->getMessage();
    }
}

/** The visible text of INBOX's message list (newest first). */
function inbox(): string
{
    global $browser, $base;
    $browser->get("$base/src/right_main.php?mailbox=INBOX&startMessage=1");
    return $browser->text();
}

/* Dovecot's log says who logged in with which mechanism: the proof that a
 * setting was used, not just that something worked. */
$dovecot_log = "$test_dir/log/main.log";
function log_mark(): int
{
    global $dovecot_log;
    clearstatcache();
    return (int)@filesize($dovecot_log);
}

/** "user method" of each $service-login since $mark (waits a little for the log to catch up). */
function logins_since(int $mark, string $service): array
{
    global $dovecot_log;
    $found = [];
    for ($i = 0; $i < 20 && !$found; $i++, usleep(100000)) {
        clearstatcache();
        $new = (string)@file_get_contents($dovecot_log, false, null, $mark);
        preg_match_all("/$service-login: Info: Login: user=<([^>]*)>, method=([A-Z0-9-]+)/", $new, $m, PREG_SET_ORDER);
        $found = array_map(fn($x) => "$x[1] $x[2]", $m);
    }
    return $found;
}

/** True when there were logins since $mark and every one was $who with $method. */
function logged_in_as(int $mark, string $service, string $who, string $method, ?string &$seen = null): bool
{
    $logins = logins_since($mark, $service);
    $seen = $logins ? implode(', ', $logins) : 'no login in the Dovecot log';
    return $logins && !array_diff($logins, ["$who $method"]);
}

/** Waits until Dovecot's log has not grown for a moment (its log process writes behind the sessions). */
function log_settled(): void
{
    $size = -1;
    for ($i = 0; $i < 30 && $size !== log_mark(); $i++) {
        $size = log_mark();
        usleep(150000);
    }
}

/**
 * The IMAP sessions in Dovecot's log since $mark, each as "user session-id": 'logins' (every
 * session a page made, however it ends, starts with one) and 'logouts'.
 */
function imap_sessions_since(int $mark): array
{
    global $dovecot_log;
    log_settled();
    $new = (string)@file_get_contents($dovecot_log, false, null, $mark);
    preg_match_all('/imap-login: Info: Login: user=<([^>]*)>, .*session=<([^>]*)>/', $new, $m, PREG_SET_ORDER);
    return ['logins' => array_map(fn($x) => "$x[1] $x[2]", $m),
            'logouts' => array_map(fn($e) => "{$e['user']} {$e['session']}",
                                   array_filter(pool_session_ends($dovecot_log, $new), fn($e) => $e['logged_out']))];
}

/**
 * $n IMAP sessions of $login held open (plaintext LOGIN: Dovecot counts a
 * client on loopback as secured); their streams. Each is logged in when this
 * returns, so Dovecot counts it against mail_max_userip_connections.
 */
function hold_imap_sessions(string $host, int $port, string $login, string $password, int $n): array
{
    $held = [];
    try {
        for ($i = 0; $i < $n; $i++) {
            $s = stream_socket_client("tcp://$host:$port", $errno, $error, 5);
            if ($s === false) {
                throw new RuntimeException("IMAP session $i to $host:$port: $error");
            }
            $held[] = $s;
            stream_set_timeout($s, 5);
            fgets($s);
            $reply = pool_imap($s, 'h', 'LOGIN "' . addcslashes($login, '"\\') . '" "' . addcslashes($password, '"\\') . '"');
            if (!str_starts_with($reply, 'h OK')) {
                throw new RuntimeException("IMAP session $i: LOGIN answered $reply");
            }
        }
    } catch (Throwable $e) {
        array_map('fclose', $held);
        throw $e;
    }
    return $held;
}

/** Logs out and closes what hold_imap_sessions() returned. */
function release_imap_sessions(array $held): void
{
    foreach ($held as $s) {
        pool_imap($s, 'z', 'LOGOUT');
        fclose($s);
    }
}

/** $n page views, the message list and the folder list in turn; the text of the message lists. */
function page_views(int $n): string
{
    global $browser, $base;
    $text = '';
    for ($i = 0; $i < $n; $i++) {
        $browser->get($i % 2 ? "$base/src/left_main.php" : "$base/src/right_main.php?mailbox=INBOX&startMessage=1");
        $text .= $i % 2 ? '' : $browser->text() . "\n";
    }
    return $text;
}

$wrong_password = 'not-the-Password-7731';
$run = bin2hex(random_bytes(3));
$me = "$user@a.example";
$method = ['login' => 'PLAIN', 'plain' => 'PLAIN', 'cram-md5' => 'CRAM-MD5', 'digest-md5' => 'DIGEST-MD5',
           'scram-sha-1' => 'SCRAM-SHA-1', 'scram-sha-256' => 'SCRAM-SHA-256', 'auto' => 'SCRAM-SHA-256'];

/* ---- 1. Without the integration: SquirrelMail's own DIGEST-MD5 is refused ---- */

configure($imap_implicit + ['imap_auth_mech' => 'digest-md5']);
$mark = log_mark();
$text = login($user, $pass);
check('without the integration, SquirrelMail\'s own DIGEST-MD5 login is refused', str_contains($text, 'Unknown user or password incorrect'), $text);
$browser->waitFor(fn() => preg_match('/auth failed.*method=DIGEST-MD5/', (string)file_get_contents($dovecot_log, false, null, $mark)), 2);
check('... by Dovecot, for a wrong DIGEST-MD5 response', (bool)preg_match('/imap-login: .*auth failed.*user=<testuser@[^>]*>, method=DIGEST-MD5/',
    (string)file_get_contents($dovecot_log, false, null, $mark)));

/* ---- 2. The installer; with it the same login works, and mail goes out before the plugin is activated ---- */

$installer = "$root/contrib/squirrelmail/install";
check('install: the blocks in the functions SquirrelMail has no hook for', run([$installer, $sm], $out) === 0
    && str_contains($out, 'changed functions/imap_general.php: sqimap_create_stream, sqimap_login, sqimap_logout')
    && str_contains($out, 'changed functions/global.php: sqsession_destroy'), $out);
$installed = tree_hashes($sm);
check('install again changes nothing', run([$installer, $sm], $out) === 0 && str_contains($out, 'nothing to do')
    && tree_hashes($sm) === $installed, $out);
// A site installed before sqimap_logout() and sqsession_destroy() had blocks: install brings it up to date.
foreach (['functions/imap_general.php' => 'sqauth_sm_imap_logout', 'functions/global.php' => 'sqauth_sm_session_destroy'] as $file => $handler) {
    $code = file_get_contents("$sm/$file");
    file_put_contents("$sm/$file", preg_replace('~\n[ \t]*/\* sqauth integration begin(?:(?!integration end).)*?' . $handler
        . '\(.*?/\* sqauth integration end \*/~s', '', $code, -1, $n));
    $n === 1 || check("remove the $handler block from $file", false);
}
check('install on a tree installed by an older installer adds the new blocks, and only them', run([$installer, $sm], $out) === 0
    && str_contains($out, 'changed functions/global.php: sqsession_destroy') && tree_hashes($sm) === $installed, $out);

$mark = log_mark();
check('with the integration, the same DIGEST-MD5 login works', str_contains($text = login($user, $pass), 'INBOX'), $text);
check('... with DIGEST-MD5', logged_in_as($mark, 'imap', $me, 'DIGEST-MD5', $seen), $seen);
configure($imap_implicit + ['imap_auth_mech' => 'digest-md5'] + $smtp_starttls + ['smtp_auth_mech' => 'cram-md5']);
$mark = log_mark();
$subjects = ['SMTP cram-md5, plugin not activated' => $subject = "sqauth $run #00: cram-md5, no hook"];
check('SMTP cram-md5 with the plugin not activated: sent', !str_contains($text = send_mail($subject), 'Message not sent'), $text);
check('... with CRAM-MD5', logged_in_as($mark, 'submission', $me, 'CRAM-MD5', $seen), $seen);
logout();

check('the plugin is activated with SquirrelMail\'s own conf.pl',
    run(['sh', '-c', 'cd "$1/config" && perl conf.pl --install-plugin sqauth </dev/null', 'sh', $sm], $out) === 0
    && str_contains((string)@file_get_contents("$sm/config/plugin_hooks.php"), "['smtp_authenticate']['sqauth']"), $out);

configure($imap_starttls + ['imap_auth_mech' => 'scram-sha-256'] + $smtp_starttls + ['smtp_auth_mech' => 'plain']);
$browser->get("$base/src/configtest.php");
$text = $browser->text();
check('configtest.php: the plugin\'s sqauth section, both servers verified, the pool, "Plugins OK"',
    (bool)preg_match('/sqauth: IMAP 127\.0\.0\.1:\d+ TLSv1\.3, certificate CN=localhost,O=sqauth tests \(verified\), mechanisms: .*SCRAM-SHA-256/', $text)
    && (bool)preg_match('/sqauth: SMTP 127\.0\.0\.1:\d+ TLSv1\.3, .*\(verified\)/', $text) && str_contains($text, 'Plugins OK')
    && (bool)preg_match('/sqauth: pooled IMAP logins on: each PHP process keeps up to 16 logged-in IMAP connections, 1 per user/', $text), $text);
configure(['use_imap_tls' => 1, 'imapPort' => (int)$env['SQAUTH_TEST_IMAPS_UNKNOWNCA_PORT']] + $smtp_starttls
    + ['smtp_auth_mech' => 'bogus']);
$browser->get("$base/src/configtest.php");
$text = $browser->text();
check('configtest.php: an unknown CA (IMAP) and an unknown mechanism (SMTP) are reported',
    str_contains($text, 'certificate verify failed') && str_contains($text, "'bogus' is not a mechanism sqauth knows for SMTP")
    && str_contains($text, 'Some plugin tests failed'), $text);

configure($imap_starttls + ['imap_auth_mech' => 'bogus']);
$text = login($user, $pass);
check('an $imap_auth_mech sqauth does not know: SquirrelMail\'s error page names it',
    str_contains($text, "Bad request: \$imap_auth_mech = 'bogus' is not a mechanism sqauth knows"), $text);

configure($imap_starttls + ['imap_auth_mech' => ['scram-sha-256']]);
$text = login($user, $pass);
check('an $imap_auth_mech that is not a string: the error page shows its value, not "Array"',
    str_contains($text, "Bad request: \$imap_auth_mech = array ( 0 => 'scram-sha-256', ) is not a mechanism sqauth knows"), $text);
// A TLS setting SquirrelMail does not know is not taken as "no TLS": the password would go out in clear.
configure(['use_imap_tls' => 'starttls', 'imapPort' => (int)$env['SQAUTH_TEST_IMAP_PORT'], 'imap_auth_mech' => 'plain']);
$mark = log_mark();
$text = login($user, $pass);
check('$use_imap_tls = \'starttls\': the error page names it, no login without TLS',
    str_contains($text, "\$use_imap_tls = 'starttls' is not a TLS setting SquirrelMail knows") && !str_contains($text, 'INBOX')
    && !logins_since($mark, 'imap'), $text);

/* ---- 3. Every IMAP mechanism over STARTTLS and implicit TLS ---- */

foreach (['STARTTLS' => $imap_starttls, 'implicit TLS' => $imap_implicit] as $tls => $settings) {
    foreach ($method as $mech => $expected) {
        configure($settings + ['imap_auth_mech' => $mech]);
        if ($mech === 'login' && $tls === 'STARTTLS') {
            $browser->get("$base/src/login.php");
            $browser->screenshot("$output/login.png");
        }
        $mark = log_mark();
        $text = login($user, $pass);
        check("IMAP $mech over $tls: logged in, INBOX in the folder list", str_contains($text, 'INBOX'), $text);
        check("IMAP $mech over $tls: Dovecot saw $expected", logged_in_as($mark, 'imap', $me, $expected, $seen), $seen);
        check("IMAP $mech over $tls: logged out", logout());
    }
}

configure($imap_starttls + ['imap_auth_mech' => 'auto', 'imap_id_command_args' => ['x-sqauth-run' => $run]]);
$mark = log_mark();
login($user, $pass);
check('$imap_id_command_args: the ID command after login', $browser->waitFor(fn() =>
    str_contains((string)file_get_contents($dovecot_log, false, null, $mark), "ID sent: x-sqauth-run=$run"), 2));
logout();

/* ---- 4. Sending through submission with every SMTP mechanism ---- */

$reading = $imap_starttls + ['imap_auth_mech' => 'scram-sha-256'];
configure($reading);
login($user, $pass);
$sends = [];
foreach ($method as $mech => $expected) {
    // SMTP 'login' is SASL LOGIN; on IMAP it is the LOGIN command, which Dovecot counts as PLAIN.
    $sends["SMTP $mech over STARTTLS"] = [$smtp_starttls + ['smtp_auth_mech' => $mech], 'submission', $me,
                                          $mech === 'login' ? 'LOGIN' : $expected];
}
$sends['SMTP scram-sha-1 over implicit TLS'] = [['use_smtp_tls' => 1, 'smtpPort' => (int)$env['SQAUTH_TEST_SUBMISSIONS_PORT'],
    'smtp_auth_mech' => 'scram-sha-1'], 'submission', $me, 'SCRAM-SHA-1'];
$realm_user = $env['SQAUTH_TEST_REALM2_USER'] . '@b.example';
$sends['SMTP with the site-wide account'] = [$smtp_starttls + ['smtp_auth_mech' => 'digest-md5',
    'smtp_sitewide_user' => $realm_user, 'smtp_sitewide_pass' => $env['SQAUTH_TEST_REALM2_PASS']],
    'submission', $realm_user, 'DIGEST-MD5'];
// The relay takes mail without AUTH; POP before SMTP logs in to POP3 (over STLS) first.
$sends['SMTP none, POP before SMTP'] = [['use_smtp_tls' => 0, 'smtpPort' => (int)$env['SQAUTH_TEST_RELAY_PORT'],
    'smtp_auth_mech' => 'none', 'pop_before_smtp' => true, 'pop_before_smtp_host' => "$host:" . $env['SQAUTH_TEST_POP3_PORT']],
    'pop3', $me, 'PLAIN'];
foreach ($sends as $what => [$settings, $service, $who, $expected]) {
    configure($reading + $settings);
    $subject = sprintf('sqauth %s #%02d: %s', $run, count($subjects), substr($what, 5));
    $mark = log_mark();
    $text = send_mail($subject);
    if (check("$what: sent", !str_contains($text, 'Message not sent') && !str_contains($text, 'ERROR'), $text)) {
        $subjects[$what] = $subject;
    }
    check("$what: Dovecot saw $who with $expected ($service)", logged_in_as($mark, $service, $who, $expected, $seen), $seen);
}
configure($reading);
// The list cuts long subjects: the run and the number are enough.
$subjects = array_map(fn($s) => strtok($s, ':'), $subjects);
$list = '';
$browser->waitFor(function () use (&$list, $subjects) {
    $list = inbox();
    return !array_filter($subjects, fn($s) => !str_contains($list, $s));
}, 10);
foreach ($subjects as $what => $subject) {
    check("$what: the message arrived in INBOX", str_contains($list, $subject), $list);
}
$browser->get("$base/src/webmail.php");
$browser->waitFor(fn($b) => $b->find('frame[name="right"]') !== null, 5);
$browser->screenshot("$output/message-list.png");

/* ---- 5. Errors on SquirrelMail's own pages ---- */

configure($reading + $smtp_starttls + ['smtp_auth_mech' => 'plain',
    'smtp_sitewide_user' => $realm_user, 'smtp_sitewide_pass' => $wrong_password]);
$text = send_mail("sqauth e2e $run: wrong SMTP password");
check('SMTP with a wrong password: "Message not sent", the server\'s 535 and SquirrelMail\'s words for it',
    str_contains($text, 'Message not sent') && str_contains($text, 'Authentication failed') && str_contains($text, '535'), $text);
check('... and not the password', !str_contains($browser->source(), $wrong_password));

configure($reading + ['use_smtp_tls' => 2, 'smtpPort' => (int)$env['SQAUTH_TEST_RELAY_PORT'], 'smtp_auth_mech' => 'none']);
$text = send_mail("sqauth e2e $run: no STARTTLS");
check('SMTP STARTTLS to a server that does not offer it: "Message not sent" saying so',
    str_contains($text, 'Message not sent') && str_contains($text, 'STARTTLS'), $text);

configure($reading + $smtp_starttls + ['smtp_auth_mech' => 'plain',
    'smtp_stream_options' => ['ssl' => ['cafile' => $env['SQAUTH_TEST_OTHER_CA']]]]);
$text = send_mail("sqauth e2e $run: untrusted");
check('SMTP to a server the CA does not vouch for: "Message not sent" with the verify error',
    str_contains($text, 'Message not sent') && str_contains($text, 'certificate verify failed')
    && str_contains($text, 'verify error 20'), $text);
logout();

configure($imap_starttls + ['imap_auth_mech' => 'scram-sha-256']);
$text = login($user, $wrong_password);
check('a wrong password shows SquirrelMail\'s usual login error', str_contains($text, 'Unknown user or password incorrect'), $text);
check('... and not the password', !str_contains($browser->source(), $wrong_password));

configure($imap_implicit + ['imap_auth_mech' => 'digest-md5', 'display_imap_login_error' => true]);
$text = login($user, $wrong_password);
check('$display_imap_login_error: the server\'s own words, without the response code',
    str_contains($text, 'Authentication failed.') && !str_contains($text, 'AUTHENTICATIONFAILED')
    && !str_contains($text, 'Unknown user or password incorrect'), $text);

// Every server byte is hostile: a scripted IMAP server (a real one will not send markup on purpose)
// refuses the login with HTML in its text, which $display_imap_login_error puts on the page.
$markup = '</title><img src=x id=sqauth-injected onerror="document.title=1"><b id=sqauth-bold>bold</b>';
$hostile = sqauth_fake_server([['send', "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake\r\n"],
    ['expect', 'A0001 AUTHENTICATE PLAIN'], ['send', "A0001 NO [AUTHENTICATIONFAILED] refused $markup\r\n"], ['drain', 5]]);
configure(['imapServerAddress' => '127.0.0.1', 'imapPort' => $hostile['port'], 'use_imap_tls' => 0,
    'imap_auth_mech' => 'plain', 'display_imap_login_error' => true]);
$text = login($user, $wrong_password);
$injected = $browser->find('#sqauth-injected') !== null || $browser->find('#sqauth-bold') !== null;
$title = $browser->title();
sqauth_fake_server_finish($hostile);
check('$display_imap_login_error with markup in the server\'s NO text: shown as text, in the page and its title',
    str_contains($text, "refused $markup") && !$injected && str_contains($title, 'refused </title><img'), "title: $title\n$text");

configure(['use_imap_tls' => 1, 'imapPort' => (int)$env['SQAUTH_TEST_IMAPS_UNKNOWNCA_PORT'], 'imap_auth_mech' => 'scram-sha-256']);
$text = login($user, $pass);
$browser->screenshot("$output/tls-error.png");
check('a server certificate from an unknown CA: the verify error, its reason and subject on the page',
    str_contains($text, 'Error connecting to IMAP server') && str_contains($text, 'unable to get local issuer certificate')
    && str_contains($text, 'verify error 20') && str_contains($text, 'CN=localhost')
    && str_contains($text, 'OpenSSL: SSL routines: certificate verify failed'), $text);

configure($imap_implicit + ['imap_auth_mech' => 'plain',
    'imap_stream_options' => ['ssl' => ['cafile' => $env['SQAUTH_TEST_CA'], 'verify_depth' => 3]]]);
$text = login($user, $pass);
check('a stream option sqauth cannot honour is named on the page, not dropped',
    str_contains($text, "\$imap_stream_options['ssl']['verify_depth'] cannot be honoured with sqauth"), $text);

/* ---- 6. The connection pool (on unless $sqauth_pool = false): page views reuse the login ---- */

$pool_started = microtime(true);
$pool_site = $imap_starttls + ['imap_auth_mech' => 'scram-sha-256'];
$other = $env['SQAUTH_TEST_REALM2_USER'] . '@b.example';
$mine = "sqauth $run #";      // the subjects section 4 sent to the test user
$views = 4;
$describe = fn(array $s) => json_encode($s, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES);
configure($pool_site);
$browser->setCookies(null);
$mark = log_mark();
$text = login($user, $pass) . page_views($views);
$s = imap_sessions_since($mark);
$first = $s['logins'][0] ?? 'none';
$pooled_logins = count($s['logins']);
check("pool on: the login form and $views page views, one IMAP login, nothing logged out",
    str_contains($text, $mine) && $pooled_logins === 1 && str_starts_with($first, "$me ") && !$s['logouts'], $describe($s));
$mine_cookies = $browser->cookies();

$browser->setCookies(null);
$mark = log_mark();
$text = login($other, $env['SQAUTH_TEST_REALM2_PASS']) . page_views(2);
$s = imap_sessions_since($mark);
check('a second user in the same PHP process: one login of their own, not the first user\'s messages',
    str_contains($text, 'INBOX') && !str_contains($text, $mine) && count($s['logins']) === 1
    && str_starts_with($s['logins'][0], "$other ") && !$s['logouts'], $describe($s) . "\n$text");
$other_cookies = $browser->cookies();
$browser->setCookies(null);
$browser->setCookies($mine_cookies);
$mark = log_mark();
$text = page_views(1);
$s = imap_sessions_since($mark);
check('... then the first user\'s next page view: their messages, from their pooled session (no login)',
    str_contains($text, $mine) && !$s['logins'] && !$s['logouts'], $describe($s));

$browser->setCookies(null);
$mark = log_mark();
$text = login($user, $wrong_password);
$browser->waitFor(fn() => preg_match('/imap-login: .*auth failed/', (string)file_get_contents($dovecot_log, false, null, $mark)), 2);
$s = imap_sessions_since($mark);
check('the login form with a wrong password while the user has a pooled session: refused by Dovecot, the session kept',
    str_contains($text, 'Unknown user or password incorrect') && !$s['logins'] && !$s['logouts']
    && preg_match('/imap-login: .*auth failed.*user=<' . preg_quote($me, '/') . '>/',
        (string)file_get_contents($dovecot_log, false, null, $mark)), $describe($s) . "\n$text");

$mark = log_mark();
$text = login($user, $pass);
$s = imap_sessions_since($mark);
$second = $s['logins'][0] ?? 'none';
check('the login form with the right password: a fresh login the server judged, the pooled session logged out',
    str_contains($text, 'INBOX') && count($s['logins']) === 1 && $second !== $first && str_starts_with($second, "$me ")
    && $s['logouts'] === [$first], $describe($s));

$mark = log_mark();
$signed_out = logout();
$s = imap_sessions_since($mark);
check('signing out logs the user\'s pooled session out', $signed_out && !$s['logins'] && $s['logouts'] === [$second], $describe($s));
// The first browser session of the user is still signed in; the pool holds nothing of theirs now
// (the form login replaced their session, and signing out logged that one out), only the
// second user's session.
$browser->setCookies(null);
$browser->setCookies($mine_cookies);
$mark = log_mark();
$signed_out = logout();
$s = imap_sessions_since($mark);
check('signing out where the pool holds no session of the user: no IMAP login and no logout (the second user\'s session stays)',
    $signed_out && !$s['logins'] && !$s['logouts'], $describe($s));
$mark = log_mark();
$text = login($user, $pass);
$s = imap_sessions_since($mark);
check('... and logging in again works, with a login of its own', str_contains($text, 'INBOX') && count($s['logins']) === 1
    && !in_array($s['logins'][0], [$first, $second], true), $describe($s));
logout();

configure($pool_site + ['sqauth_pool' => false]);
$mark = log_mark();
$text = login($user, $pass) . page_views($views);
$s = imap_sessions_since($mark);
$unpooled_logins = count($s['logins']);
check("\$sqauth_pool = false: the login form and $views page views log in and out once per sqimap_login(), as without the pool",
    str_contains($text, $mine) && $unpooled_logins >= $views + 1 && !array_diff($s['logins'], $s['logouts']), $describe($s));
logout();
printf("pool: the login form and %d page views made %d IMAP login(s) with the pool, %d with \$sqauth_pool = false\n",
    $views, $pooled_logins, $unpooled_logins);

// A page view whose IMAP login Dovecot refuses because the user's sessions from this address
// reached mail_max_userip_connections (the test Dovecot keeps the default, 10): the other 10 are
// held here, as PHP workers' pooled connections would hold them. Every page view logs in with
// $sqauth_pool = false, so the refusal comes at the next one.
$text = login($user, $pass);
$held = [];
try {
    $held = hold_imap_sessions($host, (int)$env['SQAUTH_TEST_IMAP_PORT'], $user, $pass, 10);
    $mark = log_mark();
    $browser->get("$base/src/right_main.php?mailbox=INBOX&startMessage=1");
    $refused = $browser->text();
} finally {
    release_imap_sessions($held);
}
$browser->waitFor(fn() => str_contains((string)file_get_contents($dovecot_log, false, null, $mark), 'connections from user+IP exceeded'), 2);
$limit_logged = str_contains((string)file_get_contents($dovecot_log, false, null, $mark), 'connections from user+IP exceeded');
check('a page view whose IMAP login Dovecot refuses with [LIMIT] (mail_max_userip_connections): the page says the server '
    . 'refused another connection, not "password incorrect", without the server\'s words ($display_imap_login_error off)',
    str_contains($text, 'INBOX') && $limit_logged && str_contains($refused, 'The IMAP server refused another connection for you.')
    && str_contains($refused, 'mail_max_userip_connections') && !str_contains($refused, 'Maximum number of connections')
    && !str_contains($refused, 'password incorrect'), "Dovecot logged the limit: " . var_export($limit_logged, true) . "\n$refused");
$browser->waitFor(fn() => count(imap_sessions_since($mark)['logouts']) >= 10, 5);
$text = page_views(1);
check('... the SquirrelMail session stayed: once the other sessions are gone, the next page view shows the messages',
    str_contains($text, $mine), $text);
logout();

configure($pool_site + ['sqauth_pool' => 'sometimes']);
$text = login($user, $pass);
$browser->get("$base/src/configtest.php");
$configtest = $browser->text();
check('a $sqauth_pool that is neither true nor false: named on the login error page and by configtest.php',
    str_contains($text, "\$sqauth_pool = 'sometimes' is neither true nor false")
    && str_contains($configtest, "sqauth: \$sqauth_pool = 'sometimes' is neither true nor false"), "$text\n$configtest");
$pool_seconds = microtime(true) - $pool_started;

/* ---- 6c. Two PHP workers, and a password changed in one of them ---- */

/** One worker of the two-worker server taken until release_worker() (hold_router.php): [socket, flag, pid]. */
function hold_worker(int $port): array
{
    global $work;
    $flag = "$work/release-" . bin2hex(random_bytes(4));
    $s = stream_socket_client("tcp://127.0.0.1:$port", $errno, $error, 5);
    if ($s === false) {
        throw new RuntimeException("holding a worker on port $port: $error");
    }
    stream_set_timeout($s, 10);
    fwrite($s, 'GET /sqauth-e2e-hold?until=' . rawurlencode($flag) . " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    while (($line = fgets($s)) !== false && !preg_match('/^\d+$/', rtrim($line))) {
    }
    if ($line === false) {
        fclose($s);
        throw new RuntimeException("holding a worker on port $port: no worker answered");
    }
    return ['socket' => $s, 'flag' => $flag, 'pid' => (int)$line];
}

function release_worker(array $held): void
{
    touch($held['flag']);
    stream_get_contents($held['socket']);
    fclose($held['socket']);
    @unlink($held['flag']);
}

/** The other worker taken instead of $held's: from now on the browser's page views go to $held's. */
function switch_worker(int $port, array $held): array
{
    $other = hold_worker($port);
    release_worker($held);
    if ($other['pid'] === $held['pid']) {
        release_worker($other);
        throw new RuntimeException("the same worker ({$held['pid']}) was taken twice");
    }
    return $other;
}

/**
 * Returns once a login will see a change to the test Dovecot's passwd-file made before the call:
 * Dovecot looks at the file again (its time stamp and size) at most once a second, so a lookup in
 * the second of the change may still use the old contents.
 */
function dovecot_passwd_settled(): void
{
    $now = microtime(true);
    usleep((int)((floor($now) + 1.05 - $now) * 1e6));
}

/** Sets $login's password in the test Dovecot's passwd-file ("{PLAIN}" lines; Dovecot reads it again when it changes). */
function dovecot_password(string $file, string $login, string $password): void
{
    $old = file_get_contents($file);
    $text = preg_replace('/^' . preg_quote("$login:", '/') . '.*$/m', "$login:{PLAIN}$password", $old, -1, $n);
    if ($n !== 1) {
        throw new RuntimeException("$login is not in $file");
    }
    if ($text === $old) {
        return;
    }
    file_put_contents("$file.new", $text);
    chgrp("$file.new", filegroup($file));
    chmod("$file.new", fileperms($file) & 0777);
    rename("$file.new", $file);
    dovecot_passwd_settled();
}

// The same tree, sessions and pool settings served by PHP's built-in server with two workers (a
// site with two PHP-FPM workers); hold_router.php keeps one of them busy, so that the test chooses
// which worker serves which browser session. A user of the tests' own changes their password with
// change_password.php (ours, a password-change plugin's page as SquirrelMail 1.5 documents them:
// sqauth_save_password()). The question: does another browser session that still carries the old
// password get the old password's kept connection in the other worker after the change? It must not.
$cpw_started = microtime(true);
$web2_port = (int)(getenv('SQAUTH_TEST_WEBMAIL2_PORT') ?: 31882);
$cpw_user = pool_user(48);
$cpw_me = "$cpw_user@a.example";
$cpw_old = $env['SQAUTH_TEST_POOL_PASS'];
$cpw_new = "changed-$run";
$passwd = "$test_dir/passwd";
$cpw_page = "$sm/plugins/sqauth_e2e/change_password.php";
$php_base = $base;
$server2 = $held = $spare = null;
/* The other worker for the browser session of $cookies; where Dovecot's log is then (log_mark()). */
$back_to = function (array $cookies) use (&$held, $web2_port, $browser): int {
    $held = switch_worker($web2_port, $held);
    $browser->setCookies(null);
    $browser->setCookies($cookies);
    return log_mark();
};
/* A browser session of its own (no cookies): the user's login form and a page view; [their text, their IMAP sessions]. */
$sign_in = function () use ($browser, $cpw_user, $cpw_old): array {
    $browser->setCookies(null);
    $mark = log_mark();
    $text = login($cpw_user, $cpw_old) . page_views(1);
    return [$text, imap_sessions_since($mark)];
};
try {
    dovecot_password($passwd, $cpw_me, $cpw_old);   // as it was, even after an interrupted run
    configure($pool_site);
    @mkdir(dirname($cpw_page));
    copy(__DIR__ . '/change_password.php', $cpw_page);
    $server2 = proc_open(['setsid', PHP_BINARY, '-d', "extension=$extension", '-d', "session.save_path=$work/sessions",
                          '-d', 'opcache.enable=0', '-d', 'error_reporting=-1', '-d', 'display_errors=0', '-d', 'log_errors=1',
                          '-d', "error_log=$error_log", '-S', "127.0.0.1:$web2_port", '-t', $sm, __DIR__ . '/hold_router.php'],
        [0 => ['file', '/dev/null', 'r'], 1 => ['file', $server_log, 'a'], 2 => ['file', $server_log, 'a']],
        $pipes, $sm, ['PHP_CLI_SERVER_WORKERS' => '2'] + getenv());
    for ($i = 0; $i < 50 && !@fsockopen('127.0.0.1', $web2_port); $i++) {
        usleep(100000);
    }
    $base = "http://127.0.0.1:$web2_port";

    // With PHP_CLI_SERVER_WORKERS=2 the server's first process serves too (all three accept on one
    // socket): one of them stays taken throughout, and the test moves between the other two.
    $spare = hold_worker($web2_port);
    $held = hold_worker($web2_port);
    if (@file_get_contents("$base/images/spacer.png", false, stream_context_create(['http' => ['timeout' => 5]])) === false) {
        throw new RuntimeException('with two of its processes taken the server answers no more: this PHP\'s built-in server '
            . 'does not serve from three processes with PHP_CLI_SERVER_WORKERS=2, and the test cannot choose the worker');
    }
    [$text, $s] = $sign_in();
    $a_first = $s['logins'][0] ?? 'none';
    check('two PHP workers: browser session A logs in on the first worker, its page view reuses that login',
        str_contains($text, 'INBOX') && count($s['logins']) === 1 && str_starts_with($a_first, "$cpw_me ") && !$s['logouts'],
        $describe($s) . "\n$text");
    $a_cookies = $browser->cookies();

    $held = switch_worker($web2_port, $held);
    [$text, $s] = $sign_in();
    $b_first = $s['logins'][0] ?? 'none';
    check('... the same user\'s browser session B logs in on the second worker: a login of its own; the first worker keeps A\'s until it is used',
        str_contains($text, 'INBOX') && count($s['logins']) === 1 && $b_first !== $a_first && !$s['logouts'], $describe($s) . "\n$text");
    $b_cookies = $browser->cookies();

    $mark = $back_to($a_cookies);
    $text = page_views(2);
    $s = imap_sessions_since($mark);
    $a_second = $s['logins'][0] ?? 'none';
    check('... A\'s next page views on the first worker: B\'s login form replaced A\'s kept connection there too (logged out), one fresh login, then reused',
        str_contains($text, 'INBOX') && count($s['logins']) === 1 && $a_second !== $b_first && $s['logouts'] === [$a_first],
        $describe($s) . "\n$text");

    $mark = $back_to($b_cookies);
    $browser->get("$base/src/left_main.php");
    $browser->script('const f = document.createElement("form"); f.method = "post"; f.action = arguments[0];
        for (const [name, value] of Object.entries(arguments[1])) {
            const i = document.createElement("input"); i.name = name; i.value = value; f.appendChild(i);
        }
        document.body.appendChild(f); f.submit();', ["$base/plugins/sqauth_e2e/change_password.php", ['current' => $cpw_old, 'new' => $cpw_new]]);
    $browser->waitFor(fn($b) => str_contains($b->text(), 'changed'), 5);
    $changed = $browser->text();
    dovecot_passwd_settled();
    $text = page_views(1);
    $s = imap_sessions_since($mark);
    check('... B changes the password on the second worker (sqauth_save_password()): Dovecot has the new one, and the next page '
        . 'view logs in with it afresh and logs out B\'s connection of the old one',
        str_contains($changed, 'password changed') && str_contains((string)file_get_contents($passwd), "$cpw_me:{PLAIN}$cpw_new")
        && str_contains($text, 'INBOX')
        && count($s['logins']) === 1 && !in_array($s['logins'][0], [$a_first, $b_first, $a_second], true)
        && $s['logouts'] === [$b_first], $describe($s) . "\n$changed\n$text");

    $mark = $back_to($a_cookies);
    $text = page_views(1);
    $s = imap_sessions_since($mark);
    $refused = (bool)preg_match('/imap-login: .*auth failed.*user=<' . preg_quote($cpw_me, '/') . '>/',
                                (string)file_get_contents($dovecot_log, false, null, $mark));
    check('... then A\'s page view on the first worker, with the old password: the kept connection of the old one is logged out, '
        . 'not reused, and Dovecot refuses the old password',
        str_contains($text, 'password incorrect') && !$s['logins'] && $s['logouts'] === [$a_second] && $refused,
        $describe($s) . "\nrefused in Dovecot's log: " . var_export($refused, true) . "\n$text");
} catch (Throwable $e) {
    check('two PHP workers and a password change', false, get_class($e) . ': ' . $e->getMessage());
} finally {
    foreach ([$held, $spare] as $taken) {
        if ($taken) {
            release_worker($taken);
        }
    }
    if ($server2) {
        $pid = proc_get_status($server2)['pid'];
        posix_kill(-$pid, SIGTERM);
        proc_close($server2);
    }
    dovecot_password($passwd, $cpw_me, $cpw_old);
    @unlink($cpw_page);
    @rmdir(dirname($cpw_page));
    $base = $php_base;
}
$cpw_seconds = microtime(true) - $cpw_started;

/* ---- 6b. The same SquirrelMail inside Apache httpd with mod_php: the pool off unless $sqauth_pool = true ---- */

require_once __DIR__ . '/../live/apache.inc';
if (apache_binaries() === null) {
    echo "skip: Apache httpd with mod_php not found (Debian package libapache2-mod-php8.2, which scripts/setup.sh installs)\n";
} else {
    $httpd_dir = "$work/httpd";
    // One prefork child, which runs as nobody when the test runs as root: SquirrelMail's tree readable,
    // its data, attachment and session directories its own
    @mkdir("$httpd_dir/sessions", 0700, true);
    symlink($sm, "$httpd_dir/www");
    run(['chmod', '-R', 'a+rX', $work]);
    if (posix_geteuid() === 0) {
        run(['chown', '-R', 'nobody', "$work/data", "$work/attach", "$httpd_dir/sessions"]);
    }
    $php_base = $base;
    $httpd = null;
    // OPcache on, as Debian's mod_php has it, when this PHP has it
    $opcache = is_file(ini_get('extension_dir') . '/opcache.so') ? ['zend_extension=opcache'] : [];
    // httpd with one child for the site configuration $settings, and the browser sent to it afresh:
    // the login form and $views page views; [their page text, their IMAP sessions, configtest.php's text]
    // A fresh httpd for each configuration: with OPcache a running child goes on with the
    // config_local.php it compiled until opcache.revalidate_freq (2 s) has passed
    $browse_httpd = function (array $settings) use (&$httpd, &$base, $httpd_dir, $extension, $opcache, $browser, $user, $pass, $views): array {
        $httpd?->stop(28);
        $httpd = new ApacheServer($httpd_dir, [], [], 1, ["extension=$extension", "session.save_path=$httpd_dir/sessions",
                                                          'error_reporting=-1', ...$opcache]);
        $base = "http://127.0.0.1:{$httpd->port}";
        configure($settings);
        $browser->setCookies(null);
        $mark = log_mark();
        $text = login($user, $pass) . page_views($views);
        $s = imap_sessions_since($mark);
        $browser->get("$base/src/configtest.php");
        return [$text, $s, $browser->text()];
    };
    try {
        [$text, $s, $configtest] = $browse_httpd($pool_site);
        check("inside Apache httpd, \$sqauth_pool unset: the login form and $views page views log in and out each time, and configtest.php says why",
            str_contains($text, $mine) && count($s['logins']) >= $views + 1 && !array_diff($s['logins'], $s['logouts'])
            && str_contains($configtest, 'sqauth: pooled IMAP logins off: $sqauth_pool is not set, and inside Apache httpd every child keeps its own pool'),
            $describe($s) . "\n$text\n$configtest");
        logout();
        [$text, $s, $configtest] = $browse_httpd($pool_site + ['sqauth_pool' => true]);
        check("inside Apache httpd with \$sqauth_pool = true: the login form and $views page views, one IMAP login (one child), and configtest.php's note on children",
            str_contains($text, $mine) && count($s['logins']) === 1 && !$s['logouts']
            && str_contains($configtest, 'sqauth: under Apache httpd every child keeps its own pool'), $describe($s) . "\n$configtest");
        $kept = $s['logins'][0] ?? 'none';
        $mark = log_mark();
        $signed_out = logout();
        $s = imap_sessions_since($mark);
        check('... signing out inside httpd logs the pooled session out', $signed_out && $s['logouts'] === [$kept], $describe($s));
        $httpd->stop(28);
        check('... and httpd\'s log has no PHP error from the plugin',
            !preg_match('~plugins/sqauth/.*|PHP Fatal~i', $httpd->log()), $httpd->log());
    } catch (Throwable $e) {
        check('SquirrelMail inside Apache httpd', false, get_class($e) . ': ' . $e->getMessage() . ($httpd ? "\n" . $httpd->log() : ''));
    } finally {
        $httpd?->stop(9);
        $base = $php_base;
        if (posix_geteuid() === 0) {
            run(['chown', '-R', 'root', "$work/data", "$work/attach"]);
        }
    }
}

$browser->quit();
$seconds = microtime(true) - $started;

/* ---- 7. Uninstalling, and a tree the installer does not know ---- */

check('install --uninstall', run([$installer, '--uninstall', $sm], $out) === 0, $out);
check('install --uninstall again: nothing to do', run([$installer, '--uninstall', $sm], $out) === 0
    && str_contains($out, 'nothing to do: already removed'), $out);
@unlink("$sm/config/config_local.php");
@unlink("$sm/config/plugin_hooks.php");
@unlink("$sm/config/config.php");
$after = tree_hashes($sm);
check('after --uninstall every SquirrelMail file is as it was, byte for byte', $after === $pristine,
    implode("\n", array_keys(array_diff_assoc($after, $pristine) + array_diff_assoc($pristine, $after))));

$auth = "$sm/functions/auth.php";
file_put_contents($auth, str_replace("\n", "\r\n", file_get_contents($auth)));
$crlf = hash_file('sha256', $auth);
run([$installer, $sm]);
check('a file with CRLF line ends keeps them, and stays valid PHP',
    !preg_match('/(?<!\r)\n/', file_get_contents($auth)) && str_contains(file_get_contents($auth), 'sqauth integration begin')
    && run([PHP_BINARY, '-l', $auth]) === 0);
run([$installer, '--uninstall', $sm]);
check('... and --uninstall gives it back byte for byte', hash_file('sha256', $auth) === $crlf);

$code = file_get_contents("$sm/functions/imap_general.php");
file_put_contents("$sm/functions/imap_general.php", str_replace('function sqimap_login ', 'function sqimap_login_elsewhere ', $code));
$before = tree_hashes($sm);
check('a tree without sqimap_login() is refused with a clear message, nothing written',
    run([$installer, $sm], $out) === 1 && str_contains($out, 'has no function sqimap_login') && tree_hashes($sm) === $before, $out);
copy($installer, "$work/install-alone");
check('an installer without its plugin beside it refuses', run([PHP_BINARY, "$work/install-alone", $sm], $out) === 1
    && str_contains($out, 'the plugin is not beside the installer'), $out);
check('a directory that is not SquirrelMail is refused', run([$installer, "$work/data"], $out) === 1
    && str_contains($out, 'is not a SquirrelMail tree'), $out);

$errors = (string)@file_get_contents($error_log);
check('no PHP error from the plugin in the server log', !preg_match('~plugins/sqauth/.*|Fatal~i', $errors),
    implode("\n", array_slice(preg_grep('~plugins/sqauth|Fatal~i', explode("\n", $errors)), 0, 10)));

printf("browser part: %.0f s (the pool: %.1f s, two workers and a password change: %.1f s); screenshots in %s\n",
    $seconds, $pool_seconds, $cpw_seconds, $output);
echo "$passed passed, $failed failed\n";
exit($failed ? 1 : 0);
