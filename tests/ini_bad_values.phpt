--TEST--
php.ini settings of connections: a value that cannot be used, in php.ini, is no startup warning and is named by the call that takes it up (exact class, code, message); a CA location that cannot be loaded stops STARTTLS before the command; a value the call overrides is never used
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/live/skipif_valgrind.inc'; ?>
--FILE--
<?php
require __DIR__ . '/ini_child.inc';

/* open() to a port nothing listens on: the settings are taken up (and
 * checked) before the connect, which then fails. */
$open = <<<'PHP'
try {
    SqAuth\Connection::open('imap://127.0.0.1:1', $args);
    echo "connected\n";
} catch (Throwable $e) {
    echo sqauth_describe($e), "\n";
}
PHP;

/* TLS over a socket pair (no server needed): the greeting offers STARTTLS,
 * or the connection is implicit TLS; then what the client wrote. */
$tls = <<<'PHP'
[$a, $b] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0);
fwrite($b, "* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] hi\r\n");
try {
    SqAuth\Connection::fromStream($a, 'imap', $args + ['peer_name' => 'localhost', 'timeout' => 0.5]);
    echo "connected\n";
} catch (Throwable $e) {
    echo sqauth_describe($e), "\n";
    if ($e instanceof SqAuth\TlsException) {
        echo count($e->getOpensslErrors()) ? "with OpenSSL errors\n" : "without OpenSSL errors\n";
    }
}
stream_set_blocking($b, false);
echo 'the client sent: ', json_encode((string)fread($b, 1000)), "\n";
PHP;

$notpem = __FILE__;
$cases = [
    ['sqauth.min_protocol', 'TLSv9', $open, []],
    ['sqauth.min_protocol', 'tlsv1.2', $open, []],
    ['sqauth.session_resumption', 'maybe', $open, []],
    ['sqauth.timeout', '-1', $open, []],
    ['sqauth.timeout', 'abc', $open, []],
    ['sqauth.connect_timeout', '0', $open, []],
    ['sqauth.cafile', '/nonexistent/site-ca.pem', $tls, []],
    ['sqauth.cafile', '/nonexistent/site-ca.pem', $tls, ['tls' => 'implicit']],
    ['sqauth.cafile', $notpem, $tls, []],
    ['sqauth.capath', '/nonexistent/certs', $tls, []],
    ['sqauth.capath', $notpem, $tls, []],
    ['openssl.cafile', '/nonexistent/php-ca.pem', $tls, []],
    ['openssl.capath', '/nonexistent/php-certs', $tls, []],
];
foreach ($cases as [$name, $value, $code, $args]) {
    echo "== $name=", basename($value), $args ? ' ' . json_encode($args) : '', "\n";
    echo str_replace($notpem, 'THIS-FILE', sqauth_ini_child([$name => $value], $code, $args));
}

echo "== a bad value the call overrides is never used\n";
$bad = ['sqauth.min_protocol' => 'TLSv9', 'sqauth.session_resumption' => 'maybe', 'sqauth.timeout' => '-1',
        'sqauth.connect_timeout' => 'x', 'sqauth.cafile' => '/nonexistent/site-ca.pem'];
echo sqauth_ini_child($bad, $open, ['min_protocol' => 'TLSv1.2', 'session_resumption' => true, 'timeout' => 1,
                                    'connect_timeout' => 1, 'tls' => 'none']);
echo sqauth_ini_child($bad + ['openssl.cafile' => '/nonexistent/php-ca.pem'], $tls,
                      ['min_protocol' => 'TLSv1.2', 'session_resumption' => true, 'timeout' => 1, 'connect_timeout' => 1,
                       'capath' => '/nonexistent/call-certs', 'tls' => 'implicit']);

echo "== the site's CA setting hides the platform's, even a bad one\n";
echo sqauth_ini_child(['sqauth.capath' => '/nonexistent/site-certs', 'openssl.cafile' => '/nonexistent/php-ca.pem'], $tls);

echo "== sqauth.min_protocol against a call's max_protocol\n";
echo sqauth_ini_child(['sqauth.min_protocol' => 'TLSv1.3'], $open, ['max_protocol' => 'TLSv1.2']);
echo sqauth_ini_child(['sqauth.min_protocol' => 'TLSv1.3'], $open, ['max_protocol' => 'TLSv1.2', 'min_protocol' => 'TLSv1.2']);
echo sqauth_ini_child(['sqauth.min_protocol' => ''], $open, ['max_protocol' => 'TLSv1.1']);
?>
--EXPECTF--
== sqauth.min_protocol=TLSv9
SqAuth\TlsException (14): php.ini sqauth.min_protocol="TLSv9" is not a TLS version ("TLSv1", "TLSv1.1", "TLSv1.2" or "TLSv1.3")
== sqauth.min_protocol=tlsv1.2
SqAuth\TlsException (14): php.ini sqauth.min_protocol="tlsv1.2" is not a TLS version ("TLSv1", "TLSv1.1", "TLSv1.2" or "TLSv1.3")
== sqauth.session_resumption=maybe
SqAuth\TlsException (14): php.ini sqauth.session_resumption="maybe" is not On or Off
== sqauth.timeout=-1
SqAuth\ConnectionException (11): php.ini sqauth.timeout="-1" is not a number of seconds greater than 0 and at most 86400
== sqauth.timeout=abc
SqAuth\ConnectionException (11): php.ini sqauth.timeout="abc" is not a number of seconds greater than 0 and at most 86400
== sqauth.connect_timeout=0
SqAuth\ConnectionException (11): php.ini sqauth.connect_timeout="0" is not a number of seconds greater than 0 and at most 86400
== sqauth.cafile=site-ca.pem
SqAuth\TlsException (14): cannot load php.ini sqauth.cafile="/nonexistent/site-ca.pem": No such file or directory
with OpenSSL errors
the client sent: ""
== sqauth.cafile=site-ca.pem {"tls":"implicit"}
SqAuth\TlsException (14): cannot load php.ini sqauth.cafile="/nonexistent/site-ca.pem": No such file or directory
with OpenSSL errors
the client sent: ""
== sqauth.cafile=ini_bad_values.php
SqAuth\TlsException (14): cannot load php.ini sqauth.cafile="THIS-FILE": %s
with OpenSSL errors
the client sent: ""
== sqauth.capath=certs
SqAuth\TlsException (14): cannot load php.ini sqauth.capath="/nonexistent/certs": No such file or directory
without OpenSSL errors
the client sent: ""
== sqauth.capath=ini_bad_values.php
SqAuth\TlsException (14): cannot load php.ini sqauth.capath="THIS-FILE": not a directory
without OpenSSL errors
the client sent: ""
== openssl.cafile=php-ca.pem
SqAuth\TlsException (14): cannot load php.ini openssl.cafile="/nonexistent/php-ca.pem": No such file or directory
with OpenSSL errors
the client sent: ""
== openssl.capath=php-certs
SqAuth\TlsException (14): cannot load php.ini openssl.capath="/nonexistent/php-certs": No such file or directory
without OpenSSL errors
the client sent: ""
== a bad value the call overrides is never used
SqAuth\ConnectionException (11): cannot connect to 127.0.0.1 port 1: Connection refused
SqAuth\TlsException (14): cannot load 'capath': No such file or directory
without OpenSSL errors
the client sent: ""
== the site's CA setting hides the platform's, even a bad one
SqAuth\TlsException (14): cannot load php.ini sqauth.capath="/nonexistent/site-certs": No such file or directory
without OpenSSL errors
the client sent: ""
== sqauth.min_protocol against a call's max_protocol
ValueError (0): SqAuth\Connection::open(): Argument #2 ($options) option "max_protocol" is below php.ini sqauth.min_protocol="TLSv1.3"
SqAuth\ConnectionException (11): cannot connect to 127.0.0.1 port 1: Connection refused
ValueError (0): SqAuth\Connection::open(): Argument #2 ($options) option "max_protocol" is below "min_protocol" (default TLSv1.2)
