--TEST--
Connection::stream(): fgets/fputs through TLS, stream_set_timeout, stream_select, meta data
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';

$c = Connection::open("imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}", ['cafile' => $env['SQAUTH_TEST_CA']]);
$s = $c->stream();
var_dump(get_resource_type($s), $c->stream() === $s);
$m = stream_get_meta_data($s);
var_dump($m['stream_type'], $m['mode'], $m['timed_out'], $m['encrypted'], $m['eof'], $m['seekable'], $m['sqauth_error']);

var_dump(fputs($s, "a1 NOOP\r\n"));
$r = [$s]; $w = $e = null;
var_dump(stream_select($r, $w, $e, 5));
echo fgets($s);

// nothing to read: select says so, a read waits for the stream's timeout
$r = [$s]; $w = $e = null;
var_dump(stream_select($r, $w, $e, 0, 200000));
var_dump(stream_set_timeout($s, 1));
$t0 = hrtime(true);
var_dump(fgets($s));
$elapsed = (hrtime(true) - $t0) / 1e9;
var_dump($elapsed >= 0.9 && $elapsed < 5);
var_dump(stream_get_meta_data($s)['timed_out'], feof($s));

// the connection is still usable after a timed-out read
fputs($s, "a2 CAPABILITY\r\n");
$caps = fgets($s);
// as for PHP's sockets, the flag tells about the last read
var_dump(stream_get_meta_data($s)['timed_out']);
var_dump(str_starts_with($caps, '* CAPABILITY IMAP4rev1 '), str_contains($caps, 'STARTTLS'));
echo fgets($s);

// several replies in one read: select must not wait for bytes already decrypted
fputs($s, "a3 NOOP\r\na4 NOOP\r\n");
echo fgets($s);
$r = [$s]; $w = $e = null;
var_dump(stream_select($r, $w, $e, 2));
echo fgets($s);

// non-blocking mode
var_dump(stream_set_blocking($s, false));
var_dump(fgets($s));
var_dump(stream_set_blocking($s, true));

fputs($s, "a5 LOGOUT\r\n");
while (($l = fgets($s)) !== false) {
    echo $l;
}
var_dump(feof($s));
?>
--EXPECTF--
string(6) "stream"
bool(true)
string(6) "sqauth"
string(2) "r+"
bool(false)
bool(true)
bool(false)
bool(false)
NULL
int(9)
int(1)
a1 OK NOOP completed.
int(0)
bool(true)
bool(false)
bool(true)
bool(true)
bool(false)
bool(false)
bool(true)
bool(false)
a2 OK Pre-login capabilities listed, post-login capabilities have more.
a3 OK NOOP completed.
int(1)
a4 OK NOOP completed.
bool(true)
bool(false)
bool(true)
* BYE Logging out
a5 OK Logout completed.
bool(true)
