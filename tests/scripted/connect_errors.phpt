--TEST--
Connection failures: refused (11), read timeout (12), all ConnectionException
--EXTENSIONS--
sqauth
--FILE--
<?php
use SqAuth\Connection;
require __DIR__ . '/scripted.inc';
// The upper bounds say the deadline cut the wait; under valgrind (run-tests -m sets
// USE_ZEND_ALLOC=0 and does not set SKIP_ASAN) OpenSSL's CPU work alone can take seconds.
$slack = getenv('USE_ZEND_ALLOC') === '0' && getenv('SKIP_ASAN') === false ? 30 : 0;

// a loopback port nobody listens on: a listener we open and close again
$l = stream_socket_server('tcp://127.0.0.1:0');
$name = stream_socket_get_name($l, false);
$free = (int)substr($name, strrpos($name, ':') + 1);
fclose($l);
try {
    Connection::open("imap://127.0.0.1:$free", ['tls' => 'none']);
} catch (SqAuth\ConnectionException $e) {
    echo str_replace((string)$free, 'PORT', sqauth_describe($e)), "\n";
    var_dump($e->getErrno());
}

// a server that accepts and never greets: the call's deadline ('timeout' => 1)
foreach (['imap', 'imaps', 'pop3', 'smtp'] as $scheme) {
    $srv = sqauth_fake_server([['hold', 20]]);
    $t0 = hrtime(true);
    try {
        Connection::open("$scheme://127.0.0.1:{$srv['port']}", ['timeout' => 1]);
    } catch (SqAuth\ConnectionException $e) {
        $elapsed = (hrtime(true) - $t0) / 1e9;
        echo "$scheme: ", sqauth_describe($e), ", errno ", $e->getErrno(), "\n";
        // a bound, not a performance threshold: the deadline is 1 s
        var_dump($elapsed >= 0.9 && $elapsed < 5 + $slack);
    }
    var_dump(sqauth_fake_server_finish($srv));
}

// a fractional timeout
$srv = sqauth_fake_server([['hold', 20]]);
$t0 = hrtime(true);
try {
    Connection::open("imap://127.0.0.1:{$srv['port']}", ['timeout' => 0.3, 'tls' => 'none']);
} catch (SqAuth\ConnectionException $e) {
    $elapsed = (hrtime(true) - $t0) / 1e9;
    echo sqauth_describe($e), "\n";
    var_dump($elapsed >= 0.25 && $elapsed < 3 + $slack);
}
sqauth_fake_server_finish($srv);
?>
--EXPECT--
SqAuth\ConnectionException (11): cannot connect to 127.0.0.1 port PORT: Connection refused
int(111)
imap: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1 s has passed, errno 0
bool(true)
array(0) {
}
imaps: SqAuth\ConnectionException (12): timed out during the TLS handshake: the call's 'timeout' of 1 s has passed, errno 0
bool(true)
array(0) {
}
pop3: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1 s has passed, errno 0
bool(true)
array(0) {
}
smtp: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1 s has passed, errno 0
bool(true)
array(0) {
}
SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 0.3 s has passed
bool(true)
