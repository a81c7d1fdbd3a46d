--TEST--
SquirrelMail plugin: stream options mapped or refused by name, mechanism names, $sqauth_pool, EHLO shape, the auth.php helpers (RFC 2195 and RFC 5802 vectors)
--EXTENSIONS--
sqauth
--FILE--
<?php
require __DIR__ . '/../contrib/squirrelmail/plugins/sqauth/functions.php';

echo "-- stream options\n";
var_dump(sqauth_sm_tls_options(['ssl' => [
    'cafile' => '/etc/ca.pem', 'capath' => '/etc/certs', 'peer_name' => 'mail.example', 'verify_peer' => 1,
    'verify_peer_name' => false, 'local_cert' => '/c.pem', 'local_pk' => '/k.pem', 'ciphers' => 'HIGH',
    'allow_self_signed' => false, 'SNI_enabled' => true, 'disable_compression' => true, 'capture_peer_cert' => true,
    'peer_fingerprint' => ['sha256' => 'ab12'],
    'crypto_method' => STREAM_CRYPTO_METHOD_TLSv1_1_CLIENT | STREAM_CRYPTO_METHOD_TLSv1_2_CLIENT,
]], '$imap_stream_options'));
var_dump(sqauth_sm_tls_options(null, '$x'), sqauth_sm_tls_options([], '$x'));
var_dump(sqauth_sm_tls_options(['ssl' => ['crypto_method' => STREAM_CRYPTO_METHOD_TLS_CLIENT]], '$x'));
var_dump(sqauth_sm_tls_options(['ssl' => ['crypto_method' => STREAM_CRYPTO_METHOD_TLSv1_3_CLIENT]], '$x'));
// php.ini's openssl.cafile when the setting names no CA (PHP's own TLS does the same); not settable at run time
passthru(escapeshellarg(getenv('TEST_PHP_EXECUTABLE')) . ' -n -d openssl.cafile=/etc/php-ca.pem -r '
    . escapeshellarg('require "' . __DIR__ . '/../contrib/squirrelmail/plugins/sqauth/functions.php";'
        . 'echo json_encode([sqauth_sm_tls_options([], "\$x"), sqauth_sm_tls_options(["ssl" => ["capath" => "/p"]], "\$x")]);'));
echo "\n";

foreach ([
    'not an array' => 'cafile=/x',
    'socket options' => ['socket' => ['bindto' => '0:0']],
    'ssl not an array' => ['ssl' => true],
    'verify_depth' => ['ssl' => ['verify_depth' => 3]],
    'allow_self_signed' => ['ssl' => ['allow_self_signed' => true]],
    'SNI off' => ['ssl' => ['SNI_enabled' => false]],
    'passphrase' => ['ssl' => ['passphrase' => 'secret-pass-phrase']],
    'md5 pin' => ['ssl' => ['peer_fingerprint' => 'd41d8cd98f00b204e9800998ecf8427e']],
    'TLS 1.0 and 1.2 only' => ['ssl' => ['crypto_method' => STREAM_CRYPTO_METHOD_TLSv1_0_CLIENT | STREAM_CRYPTO_METHOD_TLSv1_2_CLIENT]],
    'SSLv3 only' => ['ssl' => ['crypto_method' => STREAM_CRYPTO_METHOD_SSLv3_CLIENT]],
    'empty cafile' => ['ssl' => ['cafile' => '']],
    'unknown' => ['ssl' => ['no_ticket' => true]],
] as $what => $options) {
    try {
        sqauth_sm_tls_options($options, '$smtp_stream_options');
        echo "$what: accepted\n";
    } catch (SqAuthSettingError $e) {
        echo "$what: ", $e->getMessage(), "\n";
    }
}

echo "-- \$use_*_tls and ports: what SquirrelMail means, or an error naming the setting (never plaintext by default)\n";
foreach ([['imap', 0, 143], ['imap', '1', '993'], ['imap', 2, 143], ['imap', true, 993], ['imap', false, 143],
          ['imap', null, 143], ['smtp', '2', 587], ['pop3', 'offered', '110'],
          ['imap', 'starttls', 143], ['imap', 3, 143], ['imap', 'yes', 143], ['smtp', 2.0, 587], ['smtp', [1], 465],
          ['imap', 1, 'abc'], ['imap', 1, 0], ['smtp', 2, 70000], ['smtp', 2, '587x'], ['imap', 2, ''], ['imap', 2, null],
          ['pop3', 'offered', 0]] as [$protocol, $tls, $port]) {
    try {
        [$uri, $options] = sqauth_sm_target($protocol, 'mail.example', $port, $tls, [], '$' . ($protocol === 'imap' ? 'imap' : 'smtp') . '_stream_options');
        echo "$protocol ", var_export($tls, true), ' ', var_export($port, true), " => $uri {$options['tls']}\n";
    } catch (SqAuthSettingError $e) {
        echo "$protocol ", preg_replace('/\s+/', ' ', var_export($tls, true)), ' ', var_export($port, true), ' => ', $e->getMessage(), "\n";
    }
}

echo "-- mechanisms\n";
foreach (['login', 'LOGIN', 'plain', 'cram-md5', 'digest-md5', 'scram-sha-1', 'scram-sha-256', 'auto', ' Auto ',
          'none', 'xoauth2', 'scram-sha-512', '', null, ['plain'], 1.5] as $setting) {
    echo preg_replace('/\s+/', ' ', var_export($setting, true)), ' => ', var_export(sqauth_sm_mechanism($setting), true), "\n";
}

echo "-- \$sqauth_pool (unset: on, but off inside Apache httpd; a value neither true nor false is an error, not a guess)\n";
foreach (['unset', true, false, 1, 0, 'off', 'yes', '', 'sometimes', 2, [false]] as $sqauth_pool) {
    if ($sqauth_pool === 'unset') {
        unset($sqauth_pool);
    }
    try {
        $state = sqauth_sm_pool_state();
        echo var_export($sqauth_pool ?? 'unset', true), ' => ', rtrim(var_export($state['on'], true) . ' ' . $state['why']), "\n";
    } catch (SqAuthSettingError $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
foreach (['unset', true, false] as $sqauth_pool) {
    if ($sqauth_pool === 'unset') {
        unset($sqauth_pool);
    }
    $state = sqauth_sm_pool_state('apache2handler');
    echo 'apache2handler, ', var_export($sqauth_pool ?? 'unset', true), ' => ', rtrim(var_export($state['on'], true) . ' ' . $state['why']), "\n";
}

echo "-- EHLO\n";
var_dump(sqauth_sm_smtp_ehlo(['8BITMIME' => true, 'SIZE' => '10240000', 'AUTH' => 'PLAIN LOGIN', 'starttls' => true]));

echo "-- CRAM-MD5, DIGEST-MD5\n";
var_dump(sqauth_sm_cram_md5_response('tim', 'tanstaaftanstaaf', 'PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+'));
var_dump(sqauth_sm_cram_md5_response('tim', 'tanstaaftanstaaf', 'not base64!'));
$challenge = base64_encode('realm="a.example",realm="b.example",nonce="OA6MG9tEQGm2hh",qop="auth",charset=utf-8,algorithm=md5-sess');
var_dump(sqauth_sm_digest_md5_parse_challenge($challenge));
$reply = sqauth_sm_digest_md5_response('chris', 'secret', $challenge, 'imap', 'elwood.innosoft.com');
var_dump(substr($reply, -2) === "\r\n");
$fields = base64_decode(substr($reply, 0, -2));
var_dump(str_contains($fields, 'username="chris"'), str_contains($fields, 'realm="a.example"'),
    str_contains($fields, 'digest-uri="imap/elwood.innosoft.com"'), (bool)preg_match('/response=[0-9a-f]{32}/', $fields),
    str_contains($fields, 'secret'));
var_dump(sqauth_sm_digest_md5_response('chris', 'secret', base64_encode('nonce="x",algorithm=sha1'), 'imap', 'h'));
var_dump(sqauth_sm_digest_md5_parse_challenge('%%%'));

echo "-- SCRAM (RFC 5802 section 5)\n";
$cnonce = 'fyko+d2lbbFgONRv9qkxdawL';
$snonce = 'fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j';
$server_first = base64_encode("r=$snonce,s=QSXCR+Q6sek8bf92,i=4096");
var_dump(base64_decode(sqauth_sm_scram_request('user', 'n', $cnonce)));
var_dump(base64_decode(sqauth_sm_scram_request('us,er=', 'n', $cnonce)));
var_dump(sqauth_sm_scram_request('user', 'y', $cnonce));
$parsed = sqauth_sm_scram_parse_challenge($server_first, $cnonce);
var_dump($parsed['r'], base64_encode($parsed['s']), $parsed['i']);
var_dump(sqauth_sm_scram_parse_challenge(base64_encode("r=other$snonce,s=QSXCR+Q6sek8bf92,i=4096"), $cnonce));
var_dump(sqauth_sm_scram_parse_challenge(base64_encode("r=$snonce,s=QSXCR+Q6sek8bf92,i=0"), $cnonce));
var_dump(sqauth_sm_scram_parse_challenge('!!', $cnonce));
var_dump(base64_decode(sqauth_sm_scram_response('sha1', 'user', 'n', $cnonce, $snonce, 'pencil', $parsed['s'], 4096)));
var_dump(sqauth_sm_scram_response('md5', 'user', 'n', $cnonce, $snonce, 'pencil', $parsed['s'], 4096));
$good = base64_encode('v=rmF9pqV8S7suAoZWja4dJRkFsKQ=');
$bad = base64_encode('v=' . base64_encode(str_repeat("\0", 20)));
var_dump(sqauth_sm_scram_verify('sha1', 'user', 'n', $cnonce, $snonce, 'pencil', $parsed['s'], 4096, $good));
var_dump(sqauth_sm_scram_verify('sha1', 'user', 'n', $cnonce, $snonce, 'pencil', $parsed['s'], 4096, $bad));
var_dump(sqauth_sm_scram_verify('sha1', 'user', 'n', $cnonce, $snonce, 'pencil', $parsed['s'], 4096, '%%'));
var_dump(sqauth_sm_scram_verify('sha1', 'user', 'n', $cnonce, $snonce, 'wrong', $parsed['s'], 4096, $good));
var_dump(sqauth_sm_scram_verify('sha256', 'user', 'p=tls-unique', $cnonce, $snonce, 'pencil', $parsed['s'], 4096, $good));
?>
--EXPECT--
-- stream options
array(11) {
  ["cafile"]=>
  string(11) "/etc/ca.pem"
  ["capath"]=>
  string(10) "/etc/certs"
  ["peer_name"]=>
  string(12) "mail.example"
  ["verify_peer"]=>
  bool(true)
  ["verify_peer_name"]=>
  bool(false)
  ["local_cert"]=>
  string(6) "/c.pem"
  ["local_pk"]=>
  string(6) "/k.pem"
  ["ciphers"]=>
  string(4) "HIGH"
  ["peer_fingerprint"]=>
  string(4) "ab12"
  ["min_protocol"]=>
  string(7) "TLSv1.1"
  ["max_protocol"]=>
  string(7) "TLSv1.2"
}
array(0) {
}
array(0) {
}
array(1) {
  ["min_protocol"]=>
  string(5) "TLSv1"
}
array(1) {
  ["min_protocol"]=>
  string(7) "TLSv1.3"
}
[{"cafile":"\/etc\/php-ca.pem"},{"capath":"\/p"}]
not an array: $smtp_stream_options must be an array like array('ssl' => array('cafile' => ...))
socket options: $smtp_stream_options['socket'] cannot be honoured with sqauth: it takes only 'ssl' options. Remove it, or unload the sqauth extension.
ssl not an array: $smtp_stream_options['ssl'] must be an array of SSL context options
verify_depth: $smtp_stream_options['ssl']['verify_depth'] cannot be honoured with sqauth: sqauth has no limit on the length of the certificate chain. Change or remove it in the SquirrelMail configuration, or unload the sqauth extension to go back to PHP's own TLS.
allow_self_signed: $smtp_stream_options['ssl']['allow_self_signed'] cannot be honoured with sqauth: sqauth does not accept a self-signed certificate blindly; put the server's certificate into a file and name it as 'cafile' instead. Change or remove it in the SquirrelMail configuration, or unload the sqauth extension to go back to PHP's own TLS.
SNI off: $smtp_stream_options['ssl']['SNI_enabled'] cannot be honoured with sqauth: sqauth always sends the server name (SNI). Change or remove it in the SquirrelMail configuration, or unload the sqauth extension to go back to PHP's own TLS.
passphrase: $smtp_stream_options['ssl']['passphrase'] cannot be honoured with sqauth: sqauth cannot read an encrypted private key; store the key unencrypted in a file only the web server can read. Change or remove it in the SquirrelMail configuration, or unload the sqauth extension to go back to PHP's own TLS.
md5 pin: $smtp_stream_options['ssl']['peer_fingerprint'] cannot be honoured with sqauth: sqauth pins a certificate by its SHA-256 fingerprint only: use array('sha256' => '...'). Change or remove it in the SquirrelMail configuration, or unload the sqauth extension to go back to PHP's own TLS.
TLS 1.0 and 1.2 only: $smtp_stream_options['ssl']['crypto_method'] cannot be honoured with sqauth: sqauth offers one contiguous range of TLS versions from TLS 1.0 up (STREAM_CRYPTO_METHOD_TLSv1_*_CLIENT flags). Change or remove it in the SquirrelMail configuration, or unload the sqauth extension to go back to PHP's own TLS.
SSLv3 only: $smtp_stream_options['ssl']['crypto_method'] cannot be honoured with sqauth: sqauth offers one contiguous range of TLS versions from TLS 1.0 up (STREAM_CRYPTO_METHOD_TLSv1_*_CLIENT flags). Change or remove it in the SquirrelMail configuration, or unload the sqauth extension to go back to PHP's own TLS.
empty cafile: $smtp_stream_options['ssl']['cafile'] cannot be honoured with sqauth: it must be a non-empty string. Change or remove it in the SquirrelMail configuration, or unload the sqauth extension to go back to PHP's own TLS.
unknown: $smtp_stream_options['ssl']['no_ticket'] cannot be honoured with sqauth: sqauth has no such TLS option. Change or remove it in the SquirrelMail configuration, or unload the sqauth extension to go back to PHP's own TLS.
-- $use_*_tls and ports: what SquirrelMail means, or an error naming the setting (never plaintext by default)
imap 0 143 => imap://mail.example:143 none
imap '1' '993' => imaps://mail.example:993 implicit
imap 2 143 => imap://mail.example:143 starttls
imap true 993 => imaps://mail.example:993 implicit
imap false 143 => imap://mail.example:143 none
imap NULL 143 => imap://mail.example:143 none
smtp '2' 587 => smtp://mail.example:587 starttls
pop3 'offered' '110' => pop3://mail.example:110 none
imap 'starttls' 143 => $use_imap_tls = 'starttls' is not a TLS setting SquirrelMail knows: use 0 (no TLS), 1 (TLS from the first byte, port 993) or 2 (STARTTLS) in config/config.php
imap 3 143 => $use_imap_tls = 3 is not a TLS setting SquirrelMail knows: use 0 (no TLS), 1 (TLS from the first byte, port 993) or 2 (STARTTLS) in config/config.php
imap 'yes' 143 => $use_imap_tls = 'yes' is not a TLS setting SquirrelMail knows: use 0 (no TLS), 1 (TLS from the first byte, port 993) or 2 (STARTTLS) in config/config.php
smtp 2.0 587 => $use_smtp_tls = 2.0 is not a TLS setting SquirrelMail knows: use 0 (no TLS), 1 (TLS from the first byte, port 465) or 2 (STARTTLS) in config/config.php
smtp array ( 0 => 1, ) 465 => $use_smtp_tls = array ( 0 => 1, ) is not a TLS setting SquirrelMail knows: use 0 (no TLS), 1 (TLS from the first byte, port 465) or 2 (STARTTLS) in config/config.php
imap 1 'abc' => $imapPort = 'abc' is not a port number: use a number from 1 to 65535 (IMAP: 143, or 993 for TLS from the first byte) in config/config.php
imap 1 0 => $imapPort = 0 is not a port number: use a number from 1 to 65535 (IMAP: 143, or 993 for TLS from the first byte) in config/config.php
smtp 2 70000 => $smtpPort = 70000 is not a port number: use a number from 1 to 65535 (SMTP: 587, 25, or 465 for TLS from the first byte) in config/config.php
smtp 2 '587x' => $smtpPort = '587x' is not a port number: use a number from 1 to 65535 (SMTP: 587, 25, or 465 for TLS from the first byte) in config/config.php
imap 2 '' => $imapPort = '' is not a port number: use a number from 1 to 65535 (IMAP: 143, or 993 for TLS from the first byte) in config/config.php
imap 2 NULL => $imapPort = NULL is not a port number: use a number from 1 to 65535 (IMAP: 143, or 993 for TLS from the first byte) in config/config.php
pop3 'offered' 0 => $pop_before_smtp_host = 0 is not a port number: use a number from 1 to 65535 (POP3: 110) in config/config.php
-- mechanisms
'login' => 'login'
'LOGIN' => 'login'
'plain' => 'PLAIN'
'cram-md5' => 'CRAM-MD5'
'digest-md5' => 'DIGEST-MD5'
'scram-sha-1' => 'SCRAM-SHA-1'
'scram-sha-256' => 'SCRAM-SHA-256'
'auto' => 'auto'
' Auto ' => 'auto'
'none' => NULL
'xoauth2' => NULL
'scram-sha-512' => NULL
'' => NULL
NULL => NULL
array ( 0 => 'plain', ) => NULL
1.5 => NULL
-- $sqauth_pool (unset: on, but off inside Apache httpd; a value neither true nor false is an error, not a guess)
'unset' => true
true => true
false => false $sqauth_pool = false in the SquirrelMail configuration
1 => true
0 => false $sqauth_pool = false in the SquirrelMail configuration
'off' => false $sqauth_pool = false in the SquirrelMail configuration
'yes' => true
'' => false $sqauth_pool = false in the SquirrelMail configuration
SqAuthSettingError: $sqauth_pool = 'sometimes' is neither true nor false: set $sqauth_pool = true; (page views reuse pooled IMAP logins) or $sqauth_pool = false; (every page view logs in) in config/config_local.php
SqAuthSettingError: $sqauth_pool = 2 is neither true nor false: set $sqauth_pool = true; (page views reuse pooled IMAP logins) or $sqauth_pool = false; (every page view logs in) in config/config_local.php
SqAuthSettingError: $sqauth_pool = array ( 0 => false, ) is neither true nor false: set $sqauth_pool = true; (page views reuse pooled IMAP logins) or $sqauth_pool = false; (every page view logs in) in config/config_local.php
apache2handler, 'unset' => false $sqauth_pool is not set, and inside Apache httpd every child keeps its own pool: set $sqauth_pool = true in config/config_local.php once the IMAP server allows each user more connections than httpd runs children (Dovecot: mail_max_userip_connections, 10 by default)
apache2handler, true => true
apache2handler, false => false $sqauth_pool = false in the SquirrelMail configuration
-- EHLO
array(4) {
  ["8BITMIME"]=>
  string(0) ""
  ["SIZE"]=>
  string(8) "10240000"
  ["AUTH"]=>
  array(2) {
    [0]=>
    string(5) "PLAIN"
    [1]=>
    string(5) "LOGIN"
  }
  ["STARTTLS"]=>
  string(0) ""
}
-- CRAM-MD5, DIGEST-MD5
string(50) "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw
"
string(3) "*
"
array(5) {
  ["realm"]=>
  array(2) {
    [0]=>
    string(9) "a.example"
    [1]=>
    string(9) "b.example"
  }
  ["nonce"]=>
  string(14) "OA6MG9tEQGm2hh"
  ["qop"]=>
  string(4) "auth"
  ["charset"]=>
  string(5) "utf-8"
  ["algorithm"]=>
  string(8) "md5-sess"
}
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(false)
string(3) "*
"
array(0) {
}
-- SCRAM (RFC 5802 section 5)
string(36) "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"
string(42) "n,,n=us=2Cer=3D,r=fyko+d2lbbFgONRv9qkxdawL"
NULL
string(42) "fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j"
string(16) "QSXCR+Q6sek8bf92"
int(4096)
bool(false)
bool(false)
bool(false)
string(82) "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="
NULL
bool(true)
bool(false)
bool(false)
bool(false)
NULL
