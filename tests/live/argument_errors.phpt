--TEST--
Connection::open(): URI and option errors are ValueError/TypeError, before any connection
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
$imap = "imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}";

function attempt(string $uri, array $o = []): void
{
    try {
        Connection::open($uri, $o);
        echo "no exception\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}

echo "-- URIs\n";
attempt('http://localhost');
attempt('localhost:143');
attempt('imap://testuser:secret-password@localhost');
// the password is neither in the message nor in the trace's arguments
try {
    Connection::open('imap://testuser:secret-password@localhost');
} catch (ValueError $e) {
    var_dump(str_contains($e->getMessage(), 'secret-password'), str_contains(print_r($e->getTrace(), true), 'secret-password'),
        str_contains((string)$e, 'secret-password'));
}
attempt('imap://testuser@localhost');
attempt('imap://localhost/?x=1');
attempt('imap://localhost#frag');
attempt('imap://localhost:0');
attempt('imap://localhost:70000');
attempt('imap://localhost:');
attempt('imap://localhost:14x');
attempt('imap://');
attempt('imap://[::1');
attempt('imap://localhost/INBOX');
attempt("imap://local\0host");
attempt('imap://' . str_repeat('a', 300));

echo "-- options\n";
attempt($imap, ['bogus' => 1]);
attempt($imap, ["cafile\0x" => '/etc/passwd']);  // a NUL in the key: not "cafile"
attempt($imap, [0 => 'x']);
attempt($imap, ['tls' => 'bogus']);
attempt($imap, ['tls' => true]);
attempt($imap, ['timeout' => 0]);
attempt($imap, ['timeout' => -1.5]);
attempt($imap, ['timeout' => 86401]);
attempt($imap, ['timeout' => '5']);
attempt($imap, ['connect_timeout' => 0]);
attempt($imap, ['min_protocol' => 'SSLv3']);
attempt($imap, ['min_protocol' => 12]);
attempt($imap, ['verify_peer' => 1]);
attempt($imap, ['verify_peer_name' => 'no']);
attempt($imap, ['transcript' => 'yes']);
attempt($imap, ['cafile' => 42]);
attempt($imap, ['cafile' => "/tmp/ca\0.pem"]);
attempt($imap, ['peer_name' => null]);
attempt($imap, ['helo' => '']);
attempt($imap, ['helo' => "bad name"]);
attempt($imap, ['helo' => "x\r\nRCPT TO:<a@b>"]);
attempt($imap, ['helo' => str_repeat('h', 256)]);

echo "-- files and lists OpenSSL refuses\n";
$imaps = "imaps://localhost:{$env['SQAUTH_TEST_IMAPS_PORT']}";
attempt($imaps, ['cafile' => '/nonexistent/ca.pem']);
attempt($imaps, ['capath' => '/nonexistent']);
attempt($imaps, ['cafile' => $env['SQAUTH_TEST_CA'], 'ciphers' => 'NO-SUCH-CIPHER']);
?>
--INI--
zend.exception_ignore_args=0
--EXPECT--
-- URIs
ValueError: SqAuth\Connection::open(): Argument #1 ($uri) must use one of the schemes imap, imaps, pop3, pop3s, smtp, smtps, submission, submissions, sieve
ValueError: SqAuth\Connection::open(): Argument #1 ($uri) must be a URI like imaps://mail.example.com:993
ValueError: SqAuth\Connection::open(): Argument #1 ($uri) must not contain user information, a query or a fragment
bool(false)
bool(false)
bool(false)
ValueError: SqAuth\Connection::open(): Argument #1 ($uri) must not contain user information, a query or a fragment
ValueError: SqAuth\Connection::open(): Argument #1 ($uri) must not contain user information, a query or a fragment
ValueError: SqAuth\Connection::open(): Argument #1 ($uri) must not contain user information, a query or a fragment
ValueError: SqAuth\Connection::open(): Argument #1 ($uri) must be a URI like imaps://mail.example.com:993
ValueError: SqAuth\Connection::open(): Argument #1 ($uri) must be a URI like imaps://mail.example.com:993
ValueError: SqAuth\Connection::open(): Argument #1 ($uri) must be a URI like imaps://mail.example.com:993
ValueError: SqAuth\Connection::open(): Argument #1 ($uri) must be a URI like imaps://mail.example.com:993
ValueError: SqAuth\Connection::open(): Argument #1 ($uri) must be a URI like imaps://mail.example.com:993
ValueError: SqAuth\Connection::open(): Argument #1 ($uri) must be a URI like imaps://mail.example.com:993
ValueError: SqAuth\Connection::open(): Argument #1 ($uri) must be a URI like imaps://mail.example.com:993
ValueError: SqAuth\Connection::open(): Argument #1 ($uri) must be a URI like imaps://mail.example.com:993
ValueError: SqAuth\Connection::open(): Argument #1 ($uri) must be a URI like imaps://mail.example.com:993
-- options
ValueError: SqAuth\Connection::open(): Argument #2 ($options) has an unknown option "bogus"
ValueError: SqAuth\Connection::open(): Argument #2 ($options) has an unknown option "…"
ValueError: SqAuth\Connection::open(): Argument #2 ($options) must only have string keys
ValueError: SqAuth\Connection::open(): Argument #2 ($options) option "tls" must be "none", "starttls" or "implicit"
ValueError: SqAuth\Connection::open(): Argument #2 ($options) option "tls" must be "none", "starttls" or "implicit"
ValueError: SqAuth\Connection::open(): Argument #2 ($options) option "timeout" must be a number of seconds greater than 0 and at most 86400
ValueError: SqAuth\Connection::open(): Argument #2 ($options) option "timeout" must be a number of seconds greater than 0 and at most 86400
ValueError: SqAuth\Connection::open(): Argument #2 ($options) option "timeout" must be a number of seconds greater than 0 and at most 86400
TypeError: SqAuth\Connection::open(): Argument #2 ($options) option "timeout" must be of type int|float, string given
ValueError: SqAuth\Connection::open(): Argument #2 ($options) option "connect_timeout" must be a number of seconds greater than 0 and at most 86400
ValueError: SqAuth\Connection::open(): Argument #2 ($options) option "min_protocol" must be "TLSv1", "TLSv1.1", "TLSv1.2" or "TLSv1.3"
ValueError: SqAuth\Connection::open(): Argument #2 ($options) option "min_protocol" must be "TLSv1", "TLSv1.1", "TLSv1.2" or "TLSv1.3"
TypeError: SqAuth\Connection::open(): Argument #2 ($options) option "verify_peer" must be of type bool, int given
TypeError: SqAuth\Connection::open(): Argument #2 ($options) option "verify_peer_name" must be of type bool, string given
TypeError: SqAuth\Connection::open(): Argument #2 ($options) option "transcript" must be of type bool, string given
TypeError: SqAuth\Connection::open(): Argument #2 ($options) option "cafile" must be of type string, int given
ValueError: SqAuth\Connection::open(): Argument #2 ($options) option "cafile" must not contain NUL bytes
TypeError: SqAuth\Connection::open(): Argument #2 ($options) option "peer_name" must be of type string, null given
ValueError: SqAuth\Connection::open(): Argument #2 ($options) option "helo" must be a host name or address literal
ValueError: SqAuth\Connection::open(): Argument #2 ($options) option "helo" must be a host name or address literal
ValueError: SqAuth\Connection::open(): Argument #2 ($options) option "helo" must be a host name or address literal
ValueError: SqAuth\Connection::open(): Argument #2 ($options) option "helo" must be a host name or address literal
-- files and lists OpenSSL refuses
SqAuth\TlsException: cannot load 'cafile': No such file or directory
SqAuth\TlsException: cannot load 'capath': No such file or directory
SqAuth\TlsException: invalid 'ciphers' list: no cipher match
