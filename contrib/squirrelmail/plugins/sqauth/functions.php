<?php
/**
 * sqauth for SquirrelMail: logins, mail sending and TLS through the sqauth
 * extension instead of SquirrelMail's userland SASL and PHP's TLS streams.
 *
 * contrib/squirrelmail/install puts one short block at the top of each
 * function SquirrelMail has no hook for (sqimap_create_stream, sqimap_login,
 * sqimap_logout, sqsession_destroy, Deliver_SMTP::initStream and ::authPop,
 * the SASL helpers of functions/auth.php). When the sqauth extension is
 * loaded that block calls the function of the same purpose here and returns
 * its result (null: SquirrelMail's own code carries on); when it is not, the
 * block does nothing and SquirrelMail runs its own code. SMTP AUTH goes
 * through SquirrelMail's own smtp_authenticate hook.
 *
 * Every connection is made by sqauth_sm_connect(), and every TLS option comes
 * from $imap_stream_options / $smtp_stream_options through
 * sqauth_sm_tls_options(), which refuses what sqauth cannot honour instead of
 * dropping it. IMAP page views take a logged-in connection from sqauth's
 * connection pool and hand it back at sqimap_logout() ($sqauth_pool = false
 * turns that off); the login form always logs in afresh, and signing out logs
 * out. Errors reach SquirrelMail's own error pages as text an administrator
 * can act on; a password never does.
 *
 * @license MIT (the sqauth project); SquirrelMail itself is GPL
 * @package plugins
 * @subpackage sqauth
 */

/** A SquirrelMail setting sqauth cannot honour (the message names it and says what to do). */
class SqAuthSettingError extends Exception
{
}

/** Password mechanisms 'auto' may choose, strongest first (token mechanisms need a token, not a password). */
const SQAUTH_SM_PASSWORD_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'DIGEST-MD5', 'CRAM-MD5', 'PLAIN', 'LOGIN'];

/** Mechanisms that can carry an authorization identity (the authz plugin's proxy logins). */
const SQAUTH_SM_AUTHZ_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'DIGEST-MD5', 'PLAIN'];

/* ------------------------------------------------------------------------
 * Settings
 * --------------------------------------------------------------------- */

/**
 * sqauth's TLS options for one of SquirrelMail's stream option settings (PHP
 * stream context options: array('ssl' => array(...))).
 *
 * @param mixed  $stream_options the setting's value
 * @param string $setting        its name, for messages ('$imap_stream_options')
 * @return array options for SqAuth\Connection::open()
 * @throws SqAuthSettingError naming the first option sqauth cannot honour
 */
function sqauth_sm_tls_options($stream_options, string $setting): array
{
    $out = [];
    if ($stream_options === null || $stream_options === '' || $stream_options === []) {
        $stream_options = [];
    } elseif (!is_array($stream_options)) {
        throw new SqAuthSettingError("$setting must be an array like array('ssl' => array('cafile' => ...))");
    }
    foreach ($stream_options as $wrapper => $options) {
        if ($wrapper !== 'ssl') {
            throw new SqAuthSettingError(sprintf("%s['%s'] cannot be honoured with sqauth: it takes only "
                . "'ssl' options. Remove it, or unload the sqauth extension.", $setting, $wrapper));
        }
        if (!is_array($options)) {
            throw new SqAuthSettingError("{$setting}['ssl'] must be an array of SSL context options");
        }
        foreach ($options as $name => $value) {
            $out = array_merge($out, sqauth_sm_tls_option($setting, (string)$name, $value));
        }
    }
    // PHP's own TLS falls back to php.ini's openssl.cafile / openssl.capath.
    if (!isset($out['cafile']) && !isset($out['capath'])) {
        foreach (['cafile', 'capath'] as $name) {
            $ini = ini_get("openssl.$name");
            if (is_string($ini) && $ini !== '') {
                $out[$name] = $ini;
            }
        }
    }
    return $out;
}

/** One SSL context option: the sqauth options it becomes (none for what changes nothing here). */
function sqauth_sm_tls_option(string $setting, string $name, $value): array
{
    $where = sprintf("%s['ssl']['%s']", $setting, $name);
    $refuse = function (string $why) use ($where): never {
        throw new SqAuthSettingError("$where cannot be honoured with sqauth: $why. Change or remove it in "
            . "the SquirrelMail configuration, or unload the sqauth extension to go back to PHP's own TLS.");
    };
    switch ($name) {
    case 'cafile':
    case 'capath':
    case 'peer_name':
    case 'local_cert':
    case 'local_pk':
    case 'ciphers':
        if (!is_string($value) || $value === '') {
            $refuse('it must be a non-empty string');
        }
        return [$name => $value];
    case 'verify_peer':
    case 'verify_peer_name':
        return [$name => (bool)$value];
    case 'allow_self_signed':
        if ($value) {
            $refuse("sqauth does not accept a self-signed certificate blindly; put the server's "
                . "certificate into a file and name it as 'cafile' instead");
        }
        return [];
    case 'SNI_enabled':
        if (!$value) {
            $refuse('sqauth always sends the server name (SNI)');
        }
        return [];
    case 'disable_compression':           // OpenSSL 3 never compresses
    case 'capture_peer_cert':             // read back from the context, which SquirrelMail never does
    case 'capture_peer_cert_chain':
    case 'capture_session_meta':
        return [];
    case 'peer_fingerprint':
        if (is_array($value) && array_keys($value) === ['sha256'] && is_string($value['sha256'])) {
            return ['peer_fingerprint' => $value['sha256']];
        }
        $refuse("sqauth pins a certificate by its SHA-256 fingerprint only: use array('sha256' => '...')");
    case 'crypto_method':
        return sqauth_sm_tls_versions($value) ?? $refuse('sqauth offers one contiguous range of TLS '
            . 'versions from TLS 1.0 up (STREAM_CRYPTO_METHOD_TLSv1_*_CLIENT flags)');
    case 'verify_depth':
        $refuse('sqauth has no limit on the length of the certificate chain');
    case 'passphrase':
        $refuse('sqauth cannot read an encrypted private key; store the key unencrypted in a file '
            . 'only the web server can read');
    default:
        $refuse('sqauth has no such TLS option');
    }
}

/** PHP's STREAM_CRYPTO_METHOD_* client flags as min_protocol/max_protocol, null if not one range. */
function sqauth_sm_tls_versions($flags): ?array
{
    if (!is_int($flags)) {
        return null;
    }
    $versions = [8 => 'TLSv1', 16 => 'TLSv1.1', 32 => 'TLSv1.2', 64 => 'TLSv1.3'];
    $on = array_values(array_filter($versions, fn($bit) => ($flags & $bit) !== 0, ARRAY_FILTER_USE_KEY));
    $all = array_values($versions);
    $first = $on ? array_search($on[0], $all, true) : false;
    if ($first === false || array_slice($all, $first, count($on)) !== $on) {
        return null;
    }
    $out = ['min_protocol' => $on[0]];
    if (end($on) !== 'TLSv1.3') {
        $out['max_protocol'] = end($on);
    }
    return $out;
}

/** A setting's value as the configuration would spell it, on one line ('sometimes', array ( 0 => 1, )). */
function sqauth_sm_export($value): string
{
    return preg_replace('/\s+/', ' ', var_export($value, true));
}

/**
 * Whether IMAP page views go through sqauth's connection pool: yes unless the
 * administrator turned it off, in SquirrelMail with $sqauth_pool = false
 * (config/config_local.php), or with sqauth.pool_size = 0 (php.ini for the
 * whole PHP process, or Apache's php_admin_value for SquirrelMail's
 * directory). Unset means on, except inside Apache httpd (mod_php): every
 * httpd child keeps its own pool, and httpd hands a user's page views to
 * its idle children in turn, so a user soon holds a session per child;
 * with Dovecot's default of 10 per user and address, a site with more
 * children than that refuses page views (bench/pool_workers.php
 * --server=apache). There it takes $sqauth_pool = true, once the server
 * allows it.
 *
 * @param string $sapi the PHP SAPI SquirrelMail runs in (PHP_SAPI; a
 *                     parameter for the tests)
 * @return array 'on' => bool, 'why' => what turned it off ('' when on)
 * @throws SqAuthSettingError when $sqauth_pool is neither true nor false: a
 *         typo must not decide unnoticed how many connections the site holds
 */
function sqauth_sm_pool_state(string $sapi = PHP_SAPI): array
{
    global $sqauth_pool;

    if (isset($sqauth_pool)) {
        $on = is_scalar($sqauth_pool)
            ? filter_var($sqauth_pool, FILTER_VALIDATE_BOOLEAN, FILTER_NULL_ON_FAILURE) : null;
        if ($on === null) {
            throw new SqAuthSettingError('$sqauth_pool = ' . sqauth_sm_export($sqauth_pool)
                . ' is neither true nor false: set $sqauth_pool = true; (page views reuse pooled IMAP logins) or '
                . '$sqauth_pool = false; (every page view logs in) in config/config_local.php');
        }
        if (!$on) {
            return ['on' => false, 'why' => '$sqauth_pool = false in the SquirrelMail configuration'];
        }
    } elseif ($sapi === 'apache2handler') {
        return ['on' => false, 'why' => '$sqauth_pool is not set, and inside Apache httpd every child keeps its own '
            . 'pool: set $sqauth_pool = true in config/config_local.php once the IMAP server allows each user more '
            . 'connections than httpd runs children (Dovecot: mail_max_userip_connections, 10 by default)'];
    }
    if ((int)ini_get('sqauth.pool_size') <= 0) {
        // php.ini, or Apache's php_admin_value for SquirrelMail's directory alone
        return ['on' => false, 'why' => 'sqauth.pool_size = 0 (php.ini, or php_admin_value for this directory)'];
    }
    return ['on' => true, 'why' => ''];
}

/* ------------------------------------------------------------------------
 * Connections
 * --------------------------------------------------------------------- */

/**
 * Opens a connection, and logs in when $login says how: the one place where
 * the integration makes one. IMAP logins that ask for it come from sqauth's
 * connection pool (sqauth_sm_pooled()) and go back to it at sqimap_logout().
 *
 * @param string $protocol       'imap', 'smtp' or 'pop3'
 * @param mixed  $tls            SquirrelMail's setting: 0 plaintext, 1 implicit TLS, 2 STARTTLS;
 *                               'offered' (POP before SMTP): STARTTLS when the server offers it
 * @param mixed  $stream_options $imap_stream_options or $smtp_stream_options
 * @param array  $extra          further Connection::open() options ('helo', ...)
 * @param ?array $login          null: not logged in here (SMTP logs in through the smtp_authenticate
 *                               hook). Else 'mechanism' (from sqauth_sm_mechanism()), 'user',
 *                               'password', 'host' (the server's name for DIGEST-MD5), 'authz',
 *                               'pool' (take it from the pool: sqauth_sm_pool_state()) and 'fresh'
 *                               (the server must judge the password now: never a kept connection)
 * @throws SqAuth\Exception|SqAuthSettingError
 */
function sqauth_sm_connect(string $protocol, string $host, $port, $tls, $stream_options, string $setting,
                           array $extra = [], #[\SensitiveParameter] ?array $login = null): SqAuth\Connection
{
    [$uri, $options] = sqauth_sm_target($protocol, $host, $port, $tls, $stream_options, $setting, $extra);
    $tls = sqauth_sm_tls_mode($protocol, $tls);
    if ($login !== null && !empty($login['pool']) && $protocol === 'imap') {
        $connection = sqauth_sm_pooled($uri, $options, $login, $tls === 0);
        sqauth_sm_remember($connection->stream(), $connection, true);
        return $connection;
    }
    $connection = SqAuth\Connection::open($uri, $options);
    if ($tls === 'offered' && isset($connection->capabilities()['STLS'])) {
        $connection->startTls();
    }
    if ($login !== null) {
        try {
            sqauth_sm_authenticate($connection, $login['mechanism'], $login['user'], $login['password'],
                $login['host'], $login['authz'] ?? '', $tls === 0);
        } catch (Throwable $e) {
            $connection->close();
            throw $e;
        }
    }
    sqauth_sm_remember($connection->stream(), $connection, false);
    return $connection;
}

/** Per protocol: the settings that give the TLS mode and the port, and the usual ports. */
const SQAUTH_SM_SERVER_SETTINGS = [
    'imap' => ['$use_imap_tls', '$imapPort', 993, 'IMAP: 143, or 993 for TLS from the first byte'],
    'smtp' => ['$use_smtp_tls', '$smtpPort', 465, 'SMTP: 587, 25, or 465 for TLS from the first byte'],
    'pop3' => ['$pop_before_smtp', '$pop_before_smtp_host', 995, 'POP3: 110'],
];

/**
 * SquirrelMail's TLS setting (0 none, 1 TLS from the first byte, 2 STARTTLS;
 * true and false as SquirrelMail 1.4 had them; unset is 0), or 'offered' for
 * POP before SMTP. Anything else is refused, not read as 0: that would send
 * the password in clear where the administrator meant TLS ('starttls').
 *
 * @throws SqAuthSettingError naming the setting
 */
function sqauth_sm_tls_mode(string $protocol, $tls): int|string
{
    if ($tls === 'offered' && $protocol === 'pop3') {
        return 'offered';
    }
    if ($tls === null || is_bool($tls) || ((is_int($tls) || is_string($tls)) && in_array((string)$tls, ['0', '1', '2'], true))) {
        return (int)$tls;
    }
    [$name, , $implicit_port] = SQAUTH_SM_SERVER_SETTINGS[$protocol];
    throw new SqAuthSettingError("$name = " . sqauth_sm_export($tls) . ' is not a TLS setting SquirrelMail knows: use 0 '
        . "(no TLS), 1 (TLS from the first byte, port $implicit_port) or 2 (STARTTLS) in config/config.php");
}

/** A port setting as a number from 1 to 65535. @throws SqAuthSettingError naming the setting */
function sqauth_sm_port(string $protocol, $port): int
{
    if ((is_int($port) || (is_string($port) && preg_match('/^[0-9]{1,5}$/', $port))) && (int)$port >= 1 && (int)$port <= 65535) {
        return (int)$port;
    }
    [, $name, , $usual] = SQAUTH_SM_SERVER_SETTINGS[$protocol];
    throw new SqAuthSettingError("$name = " . sqauth_sm_export($port) . ' is not a port number: use a number from 1 to '
        . "65535 ($usual) in config/config.php");
}

/**
 * Where a connection goes: [the URI, the Connection::open() options] from
 * SquirrelMail's settings (see sqauth_sm_connect()). The same settings give
 * the same pair, so that the pool finds a user's connections again.
 *
 * @throws SqAuthSettingError for a TLS, port or stream option setting it cannot take
 */
function sqauth_sm_target(string $protocol, string $host, $port, $tls, $stream_options, string $setting,
                          array $extra = []): array
{
    $tls = sqauth_sm_tls_mode($protocol, $tls);
    $port = sqauth_sm_port($protocol, $port);
    $schemes = ['imap' => ['imap', 'imaps'], 'smtp' => ['smtp', 'smtps'], 'pop3' => ['pop3', 'pop3s']];
    $scheme = $schemes[$protocol][$tls === 1 ? 1 : 0];
    if (str_contains($host, ':') && $host[0] !== '[') {
        $host = "[$host]";
    }
    $socket_timeout = (int)ini_get('default_socket_timeout');
    $options = $extra + [
        'tls' => $tls === 1 ? 'implicit' : ($tls === 2 ? 'starttls' : 'none'),
        'connect_timeout' => $socket_timeout > 0 ? min($socket_timeout, 30) : 15,
        'timeout' => $socket_timeout > 0 ? $socket_timeout : 60,
    ];
    $options += $tls === 0 ? [] : sqauth_sm_tls_options($stream_options, $setting);
    return ["$scheme://$host:$port", $options];
}

/**
 * A logged-in IMAP connection from this PHP process's pool (logged in by an
 * earlier page view of the same user with the same password and settings,
 * and handed back by its sqimap_logout()), or a fresh login that goes to the
 * pool when this page is done with it.
 *
 * The login form ('fresh') never gets a kept connection ('reuse' => false):
 * the server judges the password there, so a password changed or an account
 * locked on the server since is refused as without the pool. When the
 * server accepts it, sqauth logs out the connections this process kept for
 * that login (the new one replaces them); a refused password leaves them.
 */
function sqauth_sm_pooled(string $uri, array $options, #[\SensitiveParameter] array $login,
                          bool $plaintext): SqAuth\Connection
{
    [$sasl, $login_options] = sqauth_sm_login_options('imap', $login['mechanism'], $login['host'],
        $login['authz'] ?? '', $plaintext);
    $options += $login_options + ['reuse' => empty($login['fresh'])];
    return $sasl === null
        ? SqAuth\Connection::pooledLogin($uri, $login['user'], $login['password'], $options)
        : SqAuth\Connection::pooled($uri, $sasl, $login['user'], $login['password'], $options);
}

/**
 * The connections behind the PHP streams handed to SquirrelMail, by stream.
 *
 * @return array (int)stream => ['connection' => SqAuth\Connection, 'stream' => resource,
 *               'pooled' => bool (from the pool: handed back at sqimap_logout()),
 *               'open' => bool (not yet logged out or handed back),
 *               'auth' => null|true|Throwable (SMTP AUTH not tried, done, refused)]
 */
function &sqauth_sm_connections(): array
{
    static $connections = [];
    return $connections;
}

function sqauth_sm_remember($stream, SqAuth\Connection $connection, bool $pooled = false): void
{
    $all = &sqauth_sm_connections();
    // The entry holds the stream too: closing it (as its last reference goes) ends the connection,
    // and a pooled one that was not handed back is logged out then, never pooled.
    $all[(int)$stream] = ['connection' => $connection, 'stream' => $stream, 'pooled' => $pooled, 'open' => true,
                          'auth' => null];
}

/** The sqauth connection behind a stream SquirrelMail holds, or null if the stream is not ours. */
function &sqauth_sm_entry($stream): ?array
{
    $all = &sqauth_sm_connections();
    $none = null;
    if (!is_resource($stream) || !isset($all[(int)$stream])) {
        return $none;
    }
    return $all[(int)$stream];
}

/**
 * What went wrong, as lines of plain text an administrator can act on. The
 * secret, when given, is replaced wherever it appears (server replies are
 * hostile input and could echo it).
 */
function sqauth_sm_describe(Throwable $e, string $setting, ?string $secret = null): array
{
    $lines = [$e->getMessage()];
    if ($e instanceof SqAuth\TlsException) {
        $verify = $e->getVerifyResult();
        if ($verify) {
            $lines[] = sprintf('Server certificate: %s (verify error %d: %s, at depth %d)',
                $verify['subject'] ?? '?', $verify['code'], $verify['message'], $verify['depth']);
        }
        foreach ($e->getOpensslErrors() as $error) {
            $lines[] = sprintf('OpenSSL: %s: %s (%s)', $error['library'] ?? '?', $error['reason'] ?? '?',
                $error['message']);
        }
        if ($e->getAlert() !== null) {
            $lines[] = 'TLS alert: ' . $e->getAlert();
        }
        $lines[] = "TLS options for SquirrelMail go into $setting = array('ssl' => array('cafile' => '...', "
            . "'peer_name' => '...')); in config/config_local.php.";
    } elseif ($e instanceof SqAuth\ProtocolException) {
        if ($e->getServerResponse() !== null) {
            $lines[] = 'Server replied: ' . $e->getServerResponse();
        }
        if (str_contains($e->getMessage(), 'STARTTLS')) {
            $tls_setting = str_replace('_stream_options', '_tls', str_replace('$', '$use_', $setting));
            $lines[] = "In SquirrelMail $tls_setting = 2 asks for STARTTLS; 1 is TLS from the first byte (ports 993, 465).";
        }
    } elseif ($e instanceof SqAuth\ConnectionException && $e->getErrno() !== 0) {
        $lines[] = 'errno ' . $e->getErrno();
    } elseif (!$e instanceof SqAuth\Exception && !$e instanceof SqAuthSettingError) {
        $lines[0] = get_class($e) . ': ' . $lines[0];
    }
    $lines = array_map(fn($l) => sqauth_sm_redact($l, $secret), $lines);
    return array_map(fn($l) => preg_replace('/[\x00-\x1f\x7f]+/', ' ', $l), $lines);
}

/**
 * $text with the password replaced by "<password>": as it is, and inside any
 * base64 word, as a server that echoes a command line sends it back (AUTH
 * PLAIN's credentials, LOGIN's answer).
 */
function sqauth_sm_redact(string $text, #[\SensitiveParameter] ?string $password): string
{
    if ($password === null || $password === '') {
        return $text;
    }
    $text = str_replace($password, '<password>', $text);
    return preg_replace_callback('~[A-Za-z0-9+/]{4,}={0,2}~',
        fn($m) => str_contains((string)base64_decode($m[0]), $password) ? '<password>' : $m[0], $text);
}

/** sqauth_sm_describe() as HTML for SquirrelMail's error pages. */
function sqauth_sm_describe_html(Throwable $e, string $setting, ?string $secret = null): string
{
    return implode("<br />\n", array_map('sqauth_sm_html', sqauth_sm_describe($e, $setting, $secret)));
}

function sqauth_sm_html(string $text): string
{
    return htmlspecialchars($text, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
}

/**
 * The SASL mechanism for one of SquirrelMail's *_auth_mech settings: a name
 * sqauth takes, 'auto', 'login' (the IMAP LOGIN command), or null for a
 * setting it does not know.
 */
function sqauth_sm_mechanism($setting): ?string
{
    if (!is_string($setting)) {
        return null;
    }
    $setting = strtolower(trim($setting));
    if ($setting === 'auto' || $setting === 'login') {
        return $setting;
    }
    $name = strtoupper($setting);
    return in_array($name, SQAUTH_SM_PASSWORD_MECHANISMS, true) ? $name : null;
}

/**
 * Logs in on an open connection.
 *
 * @param string $mechanism from sqauth_sm_mechanism() ('login' is IMAP LOGIN or SASL LOGIN on SMTP)
 * @param bool   $plaintext the administrator chose a connection without TLS for this server
 * @throws SqAuth\Exception
 */
function sqauth_sm_authenticate(SqAuth\Connection $connection, string $mechanism, string $user,
                                #[\SensitiveParameter] string $password, string $host, string $authz,
                                bool $plaintext): void
{
    [$sasl, $options] = sqauth_sm_login_options($connection->protocol(), $mechanism, $host, $authz, $plaintext);
    if ($sasl === null) {
        $connection->login($user, $password, $options);
    } else {
        $connection->authenticate($sasl, $user, $password, $options);
    }
}

/**
 * How to log in: [the SASL mechanism, or null for IMAP's LOGIN command; the
 * options of authenticate() or login()]. Connection::pooled() and
 * pooledLogin() take the same, so that a pooled login is the login
 * sqauth_sm_authenticate() makes.
 */
function sqauth_sm_login_options(string $protocol, string $mechanism, string $host, string $authz,
                                 bool $plaintext): array
{
    $options = $plaintext ? ['allow_plaintext' => true] : [];
    if ($mechanism === 'login' && $protocol === 'imap') {
        return [null, $options];
    }
    $options['host'] = $host;
    if ($authz !== '') {
        $options['authzid'] = $authz;
    }
    if ($mechanism === 'auto') {
        $options['allowed'] = $authz !== '' ? SQAUTH_SM_AUTHZ_MECHANISMS : SQAUTH_SM_PASSWORD_MECHANISMS;
    }
    return [$mechanism === 'login' ? 'LOGIN' : $mechanism, $options];
}

/* ------------------------------------------------------------------------
 * IMAP: sqimap_create_stream(), sqimap_login(), sqimap_logout()
 * --------------------------------------------------------------------- */

/**
 * Shows SquirrelMail's login error page with what went wrong on the way to
 * the IMAP server, and ends the request (as sqimap_create_stream() does).
 */
function sqauth_sm_imap_connect_failed($server, Throwable $e, ?string $password = null): never
{
    global $squirrelmail_language;
    set_up_language($squirrelmail_language, true);
    require_once(SM_PATH . 'functions/display_messages.php');
    $title = sprintf(_("Error connecting to IMAP server: %s."), sqauth_sm_html((string)$server));
    logout_error($title . "<br />\n" . sqauth_sm_describe_html($e, '$imap_stream_options', $password) . "<br />\n",
        $title);
    exit;
}

/**
 * sqimap_create_stream(): connected, greeted and (for STARTTLS) encrypted, not
 * logged in. Callers that pass no stream options (login.php's LOGINDISABLED
 * check) get $imap_stream_options: they connect to the same server.
 */
function sqauth_sm_imap_create_stream($server, $port, $tls = 0, $stream_options = array())
{
    global $imap_stream_options;
    try {
        $connection = sqauth_sm_connect('imap', (string)$server, $port, $tls, $stream_options ?: $imap_stream_options,
            '$imap_stream_options');
    } catch (SqAuth\Exception | SqAuthSettingError | ValueError $e) {
        sqauth_sm_imap_connect_failed($server, $e);
    }
    return $connection->stream();
}

/**
 * How a user logs in to IMAP: SquirrelMail's settings with the authz
 * plugin's overrides for proxy logins. Every page view of a user gets the
 * same, so that the pool finds the connection again; the pages that pass no
 * stream options (read_body.php) get $imap_stream_options, as
 * sqimap_create_stream() does.
 *
 * @return array 'server', 'host' (as configured, for DIGEST-MD5), 'port',
 *               'tls', 'stream_options', 'mechanism_setting', 'mechanism'
 *               (from sqauth_sm_mechanism(), null for one it does not know),
 *               'authz'
 */
function sqauth_sm_imap_settings($username, $imap_server_address, $imap_port, $stream_options): array
{
    global $use_imap_tls, $imap_auth_mech, $imap_stream_options;

    $mechanism_setting = $imap_auth_mech;
    $tls = $use_imap_tls;
    $authz = '';
    sqgetGlobalVar('authz', $authz, SQ_SESSION);
    $authz = (string)$authz;
    if ($authz !== '') {
        global $authz_imap_auth_mech, $authz_use_imap_tls, $authz_imapPort_tls;
        if (!empty($authz_imap_auth_mech)) {
            $mechanism_setting = strtolower($authz_imap_auth_mech);
        }
        if (!empty($authz_use_imap_tls)) {
            $tls = $authz_use_imap_tls;
            $imap_port = $authz_imapPort_tls;
        }
    }
    return ['server' => (string)sqimap_get_user_server($imap_server_address, $username),
            'host' => (string)$imap_server_address, 'port' => $imap_port, 'tls' => $tls,
            'stream_options' => $stream_options ?: $imap_stream_options,
            'mechanism_setting' => $mechanism_setting, 'mechanism' => sqauth_sm_mechanism($mechanism_setting),
            'authz' => $authz];
}

/**
 * The logged-in IMAP connection for these settings (sqauth_sm_imap_settings()),
 * from the pool when it is on. $fresh: the login form, where the server must
 * judge the password.
 *
 * @throws SqAuth\Exception|SqAuthSettingError|ValueError
 */
function sqauth_sm_imap_connect(array $imap, string $username, #[\SensitiveParameter] string $password,
                                bool $fresh): SqAuth\Connection
{
    return sqauth_sm_connect('imap', $imap['server'], $imap['port'], $imap['tls'], $imap['stream_options'],
        '$imap_stream_options', [], ['mechanism' => $imap['mechanism'], 'user' => $username, 'password' => $password,
                                     'host' => $imap['host'], 'authz' => $imap['authz'],
                                     'pool' => sqauth_sm_pool_state()['on'], 'fresh' => $fresh]);
}

/**
 * The session's one-time pad as a fingerprint: a new pad means the
 * session's password was saved anew (SquirrelMail makes one at the login
 * form and in sqauth_save_password(), which password-change plugins call;
 * its change_password plugin does the same by hand). The pad alone tells
 * nothing of the password, which is the pad applied to the key cookie.
 */
function sqauth_sm_pad_fingerprint($pad): string
{
    return hash('sha256', (string)$pad);
}

/**
 * sqimap_login(): the same arguments, settings, return values and error
 * pages, with the connection and the login done by sqauth. Page views
 * ($password false: the session's password) take a pooled connection when
 * the pool is on; the login form ($password given) always logs in afresh,
 * and so does the first page view after the session's password was saved
 * anew (a password change): the server judges the new password, and the
 * login replaces the user's kept connections of the old one in every PHP
 * worker, as the login form's does, so that another browser session still
 * carrying the old password is refused at its next page view, wherever it
 * lands, instead of reusing a connection of the old password.
 */
function sqauth_sm_imap_login($username, $password, $imap_server_address, $imap_port, $hide,
                              $stream_options = array())
{
    global $onetimepad, $sqimap_capabilities, $authz;

    $from_form = $password !== false;
    $imap = sqauth_sm_imap_settings($username, $imap_server_address, $imap_port, $stream_options);
    $authz = $imap['authz'];
    if ($authz !== '' && in_array($imap['mechanism'], ['login', 'CRAM-MD5'], true)) {
        logout_error(sqauth_sm_html("A proxy login (authz) needs a mechanism that carries the authorization "
            . "identity: plain, digest-md5, scram-sha-1, scram-sha-256 or auto; login and cram-md5 cannot."));
        exit;
    }

    if (!$from_form) {
        $password = sqauth_read_password();
        $pad = null;
        sqgetGlobalVar('onetimepad', $pad, SQ_SESSION);
    } else {
        // redirect.php's pad: in the session only after the login
        if (empty($onetimepad)) {
            sqgetGlobalVar('onetimepad', $onetimepad, SQ_SESSION);
        }
        $password = OneTimePadDecrypt($password, $onetimepad);
        $pad = $onetimepad;
    }
    $pad_now = sqauth_sm_pad_fingerprint($pad);
    $pad_seen = null;
    sqgetGlobalVar('sqauth_pad_seen', $pad_seen, SQ_SESSION);
    // A session from before this check has no fingerprint yet: not taken for a change
    $saved_anew = !$from_form && is_string($pad_seen) && !hash_equals($pad_seen, $pad_now);
    $password = (string)$password;
    if (!isset($sqimap_capabilities)) {
        sqgetGlobalVar('sqimap_capabilities', $sqimap_capabilities, SQ_SESSION);
    }

    if ($imap['mechanism'] === null) {
        return sqauth_sm_imap_login_failed('BAD', '$imap_auth_mech = ' . sqauth_sm_export($imap['mechanism_setting'])
            . ' is not a mechanism sqauth knows: use login, plain, cram-md5, digest-md5, scram-sha-1, scram-sha-256 or auto',
            $hide);
    }
    try {
        $connection = sqauth_sm_imap_connect($imap, (string)$username, $password, $from_form || $saved_anew);
    } catch (SqAuth\AuthenticationException $e) {
        // "TAG NO [CODE] text": SquirrelMail shows the text when $display_imap_login_error is on.
        $reply = explode(' ', (string)$e->getServerResponse(), 3);
        return sqauth_sm_imap_login_failed(strtoupper($reply[1] ?? 'NO') === 'BAD' ? 'BAD' : 'NO',
            sqauth_sm_redact($reply[2] ?? $e->getMessage(), $password), $hide,
            !$from_form && $e->getResponseCode() === 'LIMIT');
    } catch (SqAuth\SaslException $e) {
        return sqauth_sm_imap_login_failed('BAD',
            implode("\n", sqauth_sm_describe($e, '$imap_stream_options', $password)), $hide);
    } catch (SqAuth\Exception | SqAuthSettingError | ValueError $e) {
        // The connection, TLS, or a server that broke the protocol.
        sqauth_sm_imap_connect_failed($imap['server'], $e, $password);
    }
    if ($pad_seen !== $pad_now) {
        sqsession_register($pad_now, 'sqauth_pad_seen');
    }
    $stream = $connection->stream();
    sqauth_sm_imap_id($stream);
    return $stream;
}

/** A server's reply text without the RFC 5530 response code in front ("[LIMIT] Too many" -> "Too many"). */
function sqauth_sm_without_code(string $text): string
{
    return trim(preg_replace('/^\[[^\]]*\]/', '', $text));
}

/**
 * A login the server (or sqauth) refused, handled as sqimap_login() does:
 * $hide 0 shows the page and ends the request, 1 just ends it, 2 returns
 * false, 3 returns the message.
 *
 * $limit: a page view's login refused with RFC 5530's [LIMIT] (Dovecot: the
 * user's sessions from this address reached mail_max_userip_connections,
 * which every PHP worker's pooled connection counts against). The password
 * is not in question, so the SquirrelMail session stays (a plain NO ends
 * it with "Unknown user or password incorrect."), and the page says what
 * happened and where the limit is explained; the server's own words only
 * with $display_imap_login_error, as for any refusal.
 */
function sqauth_sm_imap_login_failed(string $status, string $text, $hide, bool $limit = false)
{
    global $squirrelmail_language, $display_imap_login_error;

    if ($hide && $hide != 3) {
        if ($hide == 2) {
            return false;
        }
        exit;
    }
    set_up_language($squirrelmail_language, true);
    if ($limit) {
        $message = _("The IMAP server refused another connection for you.");
        if ($display_imap_login_error && sqauth_sm_without_code($text) !== '') {
            // The server's own words only where the administrator shows them for any refusal.
            $message .= ' (' . sqauth_sm_without_code($text) . ')';
        }
        $message .= "\n" . _("Please try again in a moment. If this goes on, the server's limit of connections per "
                             . "user is too low for this site: see the sqauth plugin's README (mail_max_userip_connections).");
        if ($hide == 3) {
            return $message;
        }
        error_box(nl2br(sqauth_sm_html($message)) . "<br />\n");
        exit;
    }
    if ($status === 'NO') {
        sqsession_destroy();
        $message = _("Unknown user or password incorrect.");
        $server_text = '';
        if ($display_imap_login_error) {
            // The server's own words, without an RFC 5530 response code in front.
            $server_text = sqauth_sm_without_code($text);
            if ($server_text !== '') {
                $message = _($server_text);
            }
        }
        if ($hide == 3) {
            return $message;
        }
        // logout_error() takes HTML (and puts it in the page's title too): the server's words are text.
        logout_error($server_text !== '' ? sqauth_sm_html($message) : $message);
        exit;
    }
    if ($hide == 3) {
        return sprintf(_("Bad request: %s"), $text);
    }
    error_box(sprintf(_("Bad request: %s"), nl2br(sqauth_sm_html($text))) . "<br />\n");
    exit;
}

/**
 * sqimap_logout(): a pooled connection goes back to the pool (sqauth logs it
 * out instead when the page left it with a command unfinished or a reply
 * unread), any other is logged out. Pages that end without calling it, as
 * error pages do, leave their pooled connection to be logged out when the
 * request ends. Null, for SquirrelMail's own code, for a stream that is not
 * ours.
 */
function sqauth_sm_imap_logout($imap_stream)
{
    $entry = &sqauth_sm_entry($imap_stream);
    if ($entry === null) {
        return null;
    }
    if ($entry['open']) {
        $entry['open'] = false;
        $entry['pooled'] ? $entry['connection']->release() : $entry['connection']->close();
    }
    return true;
}

/**
 * sqsession_destroy(): when the user signs out (signout.php), the pooled
 * connections this PHP process keeps for them are logged out. Always null:
 * SquirrelMail's own code then ends the session.
 */
function sqauth_sm_session_destroy()
{
    if (defined('PAGE_NAME') && PAGE_NAME === 'signout') {
        sqauth_sm_imap_signout();
    }
    return null;
}

/**
 * Logs out the user's pooled IMAP connections (Connection::forgetPooled():
 * by the user's settings, without the password and without a login): those
 * of this PHP process now, those of the site's other PHP-FPM workers or
 * httpd children at their next page view (features()['pool_shared_signouts']);
 * without that, they end after sqauth.pool_idle_timeout, and there is
 * nothing to do when this process keeps none.
 */
function sqauth_sm_imap_signout(): void
{
    global $imapServerAddress, $imapPort, $imap_stream_options;

    $username = null;
    try {
        $features = SqAuth\features();
        if (!sqauth_sm_pool_state()['on']
            || ($features['pool_entries'] === 0 && empty($features['pool_shared_signouts']))) {
            return;
        }
    } catch (SqAuthSettingError $e) {
        return;     // the pool is off until the setting is fixed (the pages say so)
    }
    if (!sqgetGlobalVar('username', $username, SQ_SESSION) || (string)$username === '') {
        return;
    }
    require_once(SM_PATH . 'functions/imap_general.php');
    $imap = sqauth_sm_imap_settings($username, $imapServerAddress, $imapPort, $imap_stream_options);
    if ($imap['mechanism'] === null) {
        return;
    }
    $tls = (int)$imap['tls'];
    try {
        [$uri, $options] = sqauth_sm_target('imap', $imap['server'], $imap['port'], $tls, $imap['stream_options'],
            '$imap_stream_options');
        [$sasl, $login_options] = sqauth_sm_login_options('imap', $imap['mechanism'], $imap['host'], $imap['authz'],
            $tls === 0);
        SqAuth\Connection::forgetPooled($uri, $sasl, (string)$username, $options + $login_options);
    } catch (SqAuthSettingError | ValueError $e) {
        // Settings the login pages refuse: no page view pooled a connection with them.
    }
}

/** The IMAP ID command (RFC 2971) after login, when $imap_id_command_args asks for it. */
function sqauth_sm_imap_id($stream): void
{
    global $imap_id_command_args, $do_not_parse_imap_id_command_response, $imap_server_id_response;

    if (empty($imap_id_command_args) || !is_array($imap_id_command_args) || !sqimap_capability($stream, 'ID')) {
        return;
    }
    $fields = $imap_id_command_args + ['name' => 'SquirrelMail', 'vendor' => 'SquirrelMail Project Team',
                                       'support-url' => 'https://squirrelmail.org', 'version' => SM_VERSION];
    $quote = fn($s) => '"' . addcslashes($s, '"\\') . '"';
    $pairs = [];
    foreach ($fields as $key => $value) {
        $key = trim((string)$key);
        $value = sqauth_sm_imap_id_value(trim((string)$value));
        if ($key !== '' && $value !== '') {
            $pairs[] = $quote($key) . ' ' . $quote($value);
        }
    }
    $lines = sqimap_run_command($stream, 'ID (' . implode(' ', $pairs) . ')', false, $response, $message);
    if (!is_array($lines) || !$lines) {
        return;
    }
    if ($do_not_parse_imap_id_command_response) {
        $imap_server_id_response = $lines;
    } else {
        $imap_server_id_response = [];
        foreach ($lines as $line) {
            if (preg_match('/^\* ID \((.*)\)/i', $line, $m)
                && preg_match_all('/"((?:[^"\\\\]|\\\\.)*)"\s+(?:"((?:[^"\\\\]|\\\\.)*)"|NIL)/i', $m[1], $found,
                    PREG_SET_ORDER)) {
                foreach ($found as $pair) {
                    $imap_server_id_response[stripslashes($pair[1])] = stripslashes($pair[2] ?? '');
                }
            }
        }
    }
    sqsession_register($imap_server_id_response, 'imap_server_id_response');
}

/** The client address placeholders of $imap_id_command_args. */
function sqauth_sm_imap_id_value(string $value): string
{
    $remote = sqGetGlobalVar('REMOTE_ADDR', $addr, SQ_SERVER) ? $addr : null;
    $forwarded = sqGetGlobalVar('HTTP_X_FORWARDED_FOR', $xff, SQ_SERVER) ? $xff : null;
    switch ($value) {
    case '###REMOTE ADDRESS###':
        return $remote ?? $value;
    case '###X-FORWARDED-FOR###':
        return $forwarded ?? $value;
    case '###X-FORWARDED-FOR OR REMOTE ADDRESS###':
        return $forwarded ?? $remote ?? $value;
    }
    return $value;
}

/* ------------------------------------------------------------------------
 * SMTP: Deliver_SMTP::initStream() and ::authPop()
 * --------------------------------------------------------------------- */

/**
 * Deliver_SMTP::initStream(): the same arguments, and the same result (the
 * stream after DATA was accepted, or 0 with the reason in dlv_msg,
 * dlv_ret_nr and dlv_server_msg).
 */
function sqauth_sm_smtp_init_stream($deliver, $message, $domain, $length = 0, $host = '', $port = '', $user = '',
                                    $pass = '', $authpop = false, $pop_host = '', $stream_options = array())
{
    global $use_smtp_tls, $smtp_auth_mech;

    if ($authpop) {
        $deliver->authPop($user, $pass, $pop_host, '');
    }
    $header = $message->rfc822_header;
    try {
        $connection = sqauth_sm_connect('smtp', (string)$host, $port, $use_smtp_tls, $stream_options,
            '$smtp_stream_options', ['helo' => sqauth_sm_smtp_helo((string)$domain)]);
    } catch (SqAuth\Exception | SqAuthSettingError | ValueError $e) {
        $deliver->tls_enabled = false;
        $deliver->dlv_msg = sqauth_sm_describe_html($e, '$smtp_stream_options');
        $deliver->dlv_ret_nr = $e instanceof SqAuth\ConnectionException && $e->getErrno() ? $e->getErrno() : '';
        $deliver->dlv_server_msg = _("Can't open SMTP stream.");
        return 0;
    }
    $stream = $connection->stream();
    $deliver->tls_enabled = $connection->isEncrypted();
    $deliver->ehlo = sqauth_sm_smtp_ehlo($connection->capabilities());
    // The server's name, as SquirrelMail keeps it (from its greeting here, not EHLO's first line).
    $deliver->domain = preg_match('/^\d{3}[ -](\S+)/', $connection->greeting(), $m) ? $m[1] : '';

    // SMTP AUTH: plugins on SquirrelMail's smtp_authenticate hook first (this
    // one when activated), then sqauth directly.
    $args = ['auth_mech' => $smtp_auth_mech, 'user' => $user, 'pass' => $pass, 'host' => $host, 'port' => $port,
             'stream' => $stream];
    if (!boolean_hook_function('smtp_authenticate', $args, 1) && !sqauth_sm_smtp_authenticate($args)) {
        $entry = &sqauth_sm_entry($stream);
        sqauth_sm_smtp_auth_failed($deliver, $entry['auth'], (string)$pass, $stream);
        $connection->close();
        return 0;
    }

    $from = $header->from[0] ?? null;
    $type = $header->content_type;
    // A read receipt (RFC 3798 MDN) goes out with an empty return path.
    $mdn = $type->type0 == 'multipart' && $type->type1 == 'report'
        && ($type->properties['report-type'] ?? '') == 'disposition-notification';
    $return_path = !$mdn && $from && strlen((string)$from->mailbox) && $from->host
        ? $from->mailbox . '@' . $from->host : '';
    if (!sqauth_sm_smtp_command($deliver, $stream, "MAIL FROM:<$return_path>")) {
        return 0;
    }
    $dsn = !empty($header->dsn) && array_key_exists('DSN', $deliver->ehlo);
    foreach ([$header->to, $header->cc, $header->bcc] as $recipients) {
        foreach ((array)$recipients as $address) {
            if (!$address->host) {
                $address->host = $domain;
            }
            if (!strlen((string)$address->mailbox)) {
                continue;
            }
            $rcpt = 'RCPT TO:<' . $address->mailbox . '@' . $address->host . '>';
            // Some servers refuse the DSN parameters: then once more without them.
            if (!($dsn && sqauth_sm_smtp_command($deliver, $stream, "$rcpt NOTIFY=SUCCESS,DELAY,FAILURE"))
                && !sqauth_sm_smtp_command($deliver, $stream, $rcpt)) {
                return 0;
            }
        }
    }
    return sqauth_sm_smtp_command($deliver, $stream, 'DATA') ? $stream : 0;
}

/**
 * SMTP AUTH on a connection of ours, once: the smtp_authenticate hook of this
 * plugin and initStream() both end up here. False for a stream that is not
 * ours (SquirrelMail's own code then does what it always did), and for a
 * refused login (the reason is kept for initStream()).
 */
function sqauth_sm_smtp_authenticate(array $args): bool
{
    global $use_smtp_tls;

    $entry = &sqauth_sm_entry($args['stream'] ?? null);
    if ($entry === null) {
        return false;
    }
    if ($entry['auth'] !== null) {
        return $entry['auth'] === true;
    }
    $setting = $args['auth_mech'] ?? 'none';
    if (is_string($setting) && in_array(strtolower(trim($setting)), ['none', ''], true)) {
        $entry['auth'] = true;
        return true;
    }
    $mechanism = sqauth_sm_mechanism($setting);
    try {
        if ($mechanism === null) {
            throw new SqAuthSettingError('$smtp_auth_mech = ' . sqauth_sm_export($setting) . ' is not a mechanism sqauth '
                . 'knows: use none, login, plain, cram-md5, digest-md5, scram-sha-1, scram-sha-256 or auto');
        }
        sqauth_sm_authenticate($entry['connection'], $mechanism, (string)$args['user'], (string)$args['pass'],
            (string)$args['host'], '', (int)$use_smtp_tls === 0);
        $entry['auth'] = true;
    } catch (SqAuth\Exception | SqAuthSettingError $e) {
        $entry['auth'] = $e;
    }
    return $entry['auth'] === true;
}

/** Why SMTP AUTH failed, in Deliver_SMTP's error fields. */
function sqauth_sm_smtp_auth_failed($deliver, $error, string $password, $stream): void
{
    if ($error instanceof SqAuth\AuthenticationException && $error->getServerResponse() !== null) {
        // The server's reply, through SquirrelMail's own SMTP error texts.
        $deliver->errorCheck(sqauth_sm_redact($error->getServerResponse(), $password) . "\r\n", $stream);
        return;
    }
    $deliver->dlv_msg = $error instanceof Throwable ? sqauth_sm_describe_html($error, '$smtp_stream_options', $password)
        : sqauth_sm_html('SMTP authentication failed');
    $deliver->dlv_ret_nr = '';
    $deliver->dlv_server_msg = '';
}

/** One SMTP command and its reply; false (with the reason in $deliver) when the server refuses. */
function sqauth_sm_smtp_command($deliver, $stream, string $command): bool
{
    if (fwrite($stream, "$command\r\n") === false || ($reply = fgets($stream, 1024)) === false) {
        $deliver->dlv_msg = _("Can't open SMTP stream.");
        $deliver->dlv_ret_nr = '';
        $deliver->dlv_server_msg = 'the connection to the SMTP server was lost';
        return false;
    }
    return !$deliver->errorCheck($reply, $stream);
}

/** EHLO capabilities in Deliver_SMTP's shape: keyword => '' | parameter | list of parameters. */
function sqauth_sm_smtp_ehlo(array $capabilities): array
{
    $ehlo = [];
    foreach ($capabilities as $keyword => $value) {
        $params = $value === true ? [] : preg_split('/\s+/', trim((string)$value));
        $ehlo[strtoupper($keyword)] = count($params) > 1 ? $params : ($params[0] ?? '');
    }
    return $ehlo;
}

/** The EHLO name: the web site's host name as SquirrelMail uses it, else $domain. */
function sqauth_sm_smtp_helo(string $domain): string
{
    $name = $domain;
    if (sqgetGlobalVar('HTTP_HOST', $http_host, SQ_SERVER)) {
        $name = preg_replace('/:\d+$/', '', (string)$http_host);
    }
    if (preg_match('/^\d+\.\d+\.\d+\.\d+$/', $name)) {
        $name = "[$name]";
    }
    $override = do_hook('smtp_helo_override', $name);
    if (!empty($override)) {
        $name = $override;
    }
    $name = (string)$name;
    return preg_match('/^[A-Za-z0-9.:\[\]-]{1,255}$/', $name) ? $name : 'localhost';
}

/**
 * Deliver_SMTP::authPop(), POP before SMTP: USER/PASS with sqauth, over STLS
 * when the server offers it. $pop_server may carry a port ("host:port").
 * Without SMTP credentials ($smtp_auth_mech 'none', the usual case with POP
 * before SMTP) it logs in as the webmail user, whose mailbox it is.
 */
function sqauth_sm_pop_before_smtp($deliver, $user, $pass, $pop_server = '', $pop_port = '')
{
    global $smtp_stream_options, $username;

    if ((string)$user === '') {
        $user = $username;
        $pass = sqauth_read_password();
    }
    $host = (string)$pop_server !== '' ? (string)$pop_server : 'localhost';
    if (!$pop_port && preg_match('/^(\[[^\]]+\]|[^:]+):(\d+)$/', $host, $m)) {
        [$host, $pop_port] = [trim($m[1], '[]'), $m[2]];
    }
    $pop_port = $pop_port ?: 110;
    try {
        $connection = sqauth_sm_connect('pop3', $host, $pop_port, 'offered', $smtp_stream_options,
            '$smtp_stream_options');
        $connection->login((string)$user, (string)$pass, ['allow_plaintext' => !$connection->isEncrypted()]);
        $connection->close();
        return true;
    } catch (SqAuth\Exception | SqAuthSettingError $e) {
        error_log("POP before SMTP to $host:$pop_port failed: "
            . implode(' / ', sqauth_sm_describe($e, '$smtp_stream_options', (string)$pass)));
        return false;
    }
}

/* ------------------------------------------------------------------------
 * functions/auth.php helpers (base64 in and out, lines end in CRLF as
 * SquirrelMail's do). A challenge sqauth refuses is answered with "*", the
 * SASL cancel, so the server ends the exchange.
 * --------------------------------------------------------------------- */

const SQAUTH_SM_CANCEL = "*\r\n";

function sqauth_sm_cram_md5_response($username, $password, $challenge)
{
    try {
        return SqAuth\cram_md5_response((string)$username, (string)$password, (string)$challenge) . "\r\n";
    } catch (SqAuth\Exception $e) {
        return SQAUTH_SM_CANCEL;
    }
}

function sqauth_sm_digest_md5_response($username, $password, $challenge, $service, $host, $authz = '')
{
    try {
        return SqAuth\digest_md5_response((string)$username, (string)$password, (string)$challenge,
            (string)$service, (string)$host, (string)$authz) . "\r\n";
    } catch (SqAuth\Exception $e) {
        return SQAUTH_SM_CANCEL;
    }
}

function sqauth_sm_digest_md5_parse_challenge($challenge)
{
    try {
        return SqAuth\digest_md5_parse_challenge((string)$challenge);
    } catch (SqAuth\Exception $e) {
        return [];
    }
}

/** SCRAM-SHA-1 or SCRAM-SHA-256 for the hash names scram_supports() gives; null for others. */
function sqauth_sm_scram_name($alg): ?string
{
    return ['sha1' => 'SCRAM-SHA-1', 'sha256' => 'SCRAM-SHA-256'][strtolower(str_replace('-', '', (string)$alg))] ?? null;
}

/**
 * A SCRAM client at the point SquirrelMail's helpers describe: after the client's
 * first message, and after the server's first message when $server_nonce is given.
 * Channel binding ($cbf other than 'n') is left to SquirrelMail's own code (null).
 */
function sqauth_sm_scram_client(string $mechanism, $username, $cbf, $nonce, $password = '', $server_nonce = null,
                                $salt = '', $iter = 0): ?array
{
    if ($cbf !== 'n') {
        return null;
    }
    $client = new SqAuth\SaslClient($mechanism, ['authcid' => (string)$username, 'password' => (string)$password],
        ['cnonce' => (string)$nonce]);
    $first = $client->start();
    $final = $server_nonce === null ? null
        : $client->step('r=' . $server_nonce . ',s=' . base64_encode((string)$salt) . ',i=' . (int)$iter);
    return [$client, $first, $final];
}

function sqauth_sm_scram_request($username, $cbf, $nonce)
{
    try {
        $scram = sqauth_sm_scram_client('SCRAM-SHA-256', $username, $cbf, $nonce);
        return $scram === null ? null : base64_encode($scram[1]);
    } catch (SqAuth\Exception $e) {
        return base64_encode('*');
    }
}

/** scram_parse_challenge(): array('r' => nonce, 's' => raw salt, 'i' => iterations), false if sqauth refuses it. */
function sqauth_sm_scram_parse_challenge($challenge, $nonce)
{
    $decoded = base64_decode((string)$challenge, true);
    if ($decoded === false) {
        return false;
    }
    try {
        // sqauth checks the nonce, salt and iteration count as it would in a login.
        $client = new SqAuth\SaslClient('SCRAM-SHA-1', ['authcid' => 'u', 'password' => ''],
            ['cnonce' => (string)$nonce]);
        $client->start();
        $client->step($decoded);
    } catch (SqAuth\Exception $e) {
        return false;
    }
    $fields = [];
    foreach (explode(',', $decoded) as $field) {
        $fields[substr($field, 0, 1)] = substr($field, 2);
    }
    return ['r' => $fields['r'], 's' => base64_decode($fields['s']), 'i' => (int)$fields['i']];
}

function sqauth_sm_scram_response($alg, $username, $cbf, $cli_nonce, $ser_nonce, $password, $salt, $iter)
{
    $mechanism = sqauth_sm_scram_name($alg);
    if ($mechanism === null) {
        return null;
    }
    try {
        $scram = sqauth_sm_scram_client($mechanism, $username, $cbf, $cli_nonce, $password, $ser_nonce, $salt, $iter);
        return $scram === null ? null : base64_encode($scram[2]);
    } catch (SqAuth\Exception $e) {
        return base64_encode('*');
    }
}

function sqauth_sm_scram_verify($alg, $username, $cbf, $cli_nonce, $ser_nonce, $password, $salt, $iter, $proof)
{
    $mechanism = sqauth_sm_scram_name($alg);
    $final = base64_decode((string)$proof, true);
    if ($mechanism === null) {
        return null;
    }
    try {
        $scram = sqauth_sm_scram_client($mechanism, $username, $cbf, $cli_nonce, $password, $ser_nonce, $salt, $iter);
        if ($scram === null) {
            return null;
        }
        if ($final === false) {
            return false;
        }
        $scram[0]->step($final);
        return $scram[0]->isServerVerified();
    } catch (SqAuth\Exception $e) {
        return false;
    }
}

/* ------------------------------------------------------------------------
 * src/configtest.php
 * --------------------------------------------------------------------- */

/** The sqauth section of configtest.php; true when something is wrong (printed with do_err()). */
function sqauth_sm_configtest(): bool
{
    global $IND, $imapServerAddress, $imapPort, $use_imap_tls, $imap_stream_options, $imap_auth_mech,
           $useSendmail, $smtpServerAddress, $smtpPort, $use_smtp_tls, $smtp_stream_options, $smtp_auth_mech;

    echo $IND . 'sqauth ' . sqauth_sm_html((string)phpversion('sqauth')) . ": logins and TLS through the sqauth extension<br />\n";
    $failed = sqauth_sm_configtest_pool();
    $servers = [['IMAP', 'imap', $imapServerAddress, $imapPort, $use_imap_tls, $imap_stream_options,
                 '$imap_stream_options', $imap_auth_mech]];
    if (!$useSendmail) {
        $servers[] = ['SMTP', 'smtp', $smtpServerAddress, $smtpPort, $use_smtp_tls, $smtp_stream_options,
                      '$smtp_stream_options', $smtp_auth_mech];
    }
    foreach ($servers as [$label, $protocol, $host, $port, $tls, $options, $setting, $mech]) {
        try {
            $connection = sqauth_sm_connect($protocol, (string)$host, $port, $tls, $options, $setting);
        } catch (SqAuth\Exception | SqAuthSettingError | ValueError $e) {
            do_err("sqauth: $label server " . sqauth_sm_html("$host:$port") . ':<br />'
                . sqauth_sm_describe_html($e, $setting), false);
            $failed = true;
            continue;
        }
        $tls_info = $connection->tlsInfo();
        $offered = $connection->mechanisms();
        $mechanism = sqauth_sm_mechanism($mech);
        echo $IND . "sqauth: $label " . sqauth_sm_html("$host:$port") . ' '
            . ($tls_info ? sqauth_sm_html($tls_info['protocol'] . ', certificate ' . ($tls_info['peer_certificate']['subject'] ?? '?')
                . ($tls_info['verify']['verified'] ? ' (verified)' : ' (NOT verified)')) : 'without TLS')
            . ', mechanisms: ' . sqauth_sm_html(implode(' ', $offered) ?: '(none listed)') . "<br />\n";
        if ($mechanism === null && !(is_string($mech) && strtolower(trim($mech)) === 'none')) {
            do_err('sqauth: ' . sqauth_sm_html(sqauth_sm_export($mech)) . " is not a mechanism sqauth knows for $label", false);
            $failed = true;
        } elseif ($mechanism !== null && $mechanism !== 'auto' && $mechanism !== 'login' && !in_array($mechanism, $offered, true)) {
            do_err("sqauth: the $label server does not offer " . sqauth_sm_html($mechanism), false);
            $failed = true;
        }
        $connection->close();
    }
    return $failed;
}

/** The pool's line of the configtest; true when $sqauth_pool is wrong (printed with do_err()). */
function sqauth_sm_configtest_pool(): bool
{
    global $IND;

    try {
        $state = sqauth_sm_pool_state();
    } catch (SqAuthSettingError $e) {
        do_err('sqauth: ' . sqauth_sm_html($e->getMessage()), false);
        return true;
    }
    if (!$state['on']) {
        echo $IND . 'sqauth: pooled IMAP logins off: ' . sqauth_sm_html($state['why'])
            . "; every page view logs in to IMAP<br />\n";
        return false;
    }
    $f = SqAuth\features();
    echo $IND . sqauth_sm_html(sprintf('sqauth: pooled IMAP logins on: each PHP process keeps up to %d logged-in IMAP '
        . 'connections, %d per user, for the next page views (logged out after %d s unused; php.ini sqauth.pool_*, '
        . '$sqauth_pool = false turns it off); this process now: %d kept, %d reused, %d fresh logins',
        $f['pool_size'], (int)ini_get('sqauth.pool_per_user'), (int)ini_get('sqauth.pool_idle_timeout'),
        $f['pool_entries'], $f['pool_hits'], $f['pool_misses'])) . "<br />\n";
    if (PHP_SAPI === 'apache2handler') {
        // Measured: httpd hands one user's page views to its idle children in turn.
        echo $IND . 'sqauth: under Apache httpd every child keeps its own pool, and a user\'s page views go to '
            . 'the idle children in turn: keep the IMAP server\'s per-user limit (Dovecot: '
            . 'mail_max_userip_connections, 10 by default) above the number of children httpd runs, or page '
            . "views are refused (see the plugin's README)<br />\n";
    }
    return false;
}
