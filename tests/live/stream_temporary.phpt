--TEST--
Connection::stream() used without keeping it (fgets($c->stream())): dropping the stream is not fclose(); the Connection goes on, bytes PHP read ahead come back on its next stream(), and a pooled connection still goes back to the pool (unless such bytes are unread)
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
$uri = "imaps://localhost:{$env['SQAUTH_TEST_IMAPS_PORT']}";
$options = ['cafile' => $env['SQAUTH_TEST_CA']];
$pool = fn() => array_intersect_key(SqAuth\features(), array_flip(['pool_entries', 'pool_hits', 'pool_misses']));

// The reply's lines up to the tagged one, each read through a stream of its own
function reply(Connection $c, string $tag): array
{
    $lines = [];
    do {
        $line = fgets($c->stream());
        if ($line === false) {
            return [...$lines, 'false'];
        }
        $lines[] = implode(' ', array_slice(explode(' ', $line), 0, 2));
    } while (!str_starts_with($line, "$tag "));
    return $lines;
}

echo "-- a command written through one stream, its reply read through others\n";
$c = Connection::open($uri, $options);
$c->login($env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS']);
var_dump(fwrite($c->stream(), "a CAPABILITY\r\n"));
// the whole reply arrives in one TLS record: PHP reads it all ahead on the first fgets()
print_r(reply($c, 'a'));
var_dump(count($c->capabilities()) > 0);

echo "-- read ahead, then stream_select() on the next stream: the bytes are there\n";
fwrite($c->stream(), "b NOOP\r\nc NOOP\r\n");
$s = $c->stream();
for ($seen = ''; !str_contains($seen, "c OK"); ) {
    $r = [$s]; $w = $e = null;
    stream_select($r, $w, $e, 5);
    $seen .= fread($s, 8192);
}
echo substr_count($seen, ' OK '), " replies\n";
unset($s);
fwrite($c->stream(), "d CAPABILITY\r\n");
echo substr(fgets($c->stream()), 0, 12), "\n";
$s = $c->stream();
$r = [$s]; $w = $e = null;
var_dump(stream_select($r, $w, $e, 0));
echo substr(fgets($s), 0, 5), "\n";
unset($s);

echo "-- the server ends the session: named alike whether the stream was kept or let go of\n";
foreach (['kept', 'let go of'] as $how) {
    $d = Connection::open($uri, $options);
    $d->login($env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS']);
    $s = $d->stream();
    fwrite($s, "z LOGOUT\r\n");
    if ($how !== 'kept') {
        unset($s);
    }
    while (fgets($how === 'kept' ? $s : $d->stream()) !== false) {
    }
    try {
        $d->capabilities();
    } catch (SqAuth\ConnectionException $e) {
        echo "$how: ", get_class($e), ' ', $e->getCode(), ': ', $e->getMessage(), "\n";
    }
    unset($s, $d);
}

echo "-- the connection reset under a read: named alike whether the stream was kept or let go of\n";
require __DIR__ . '/cut_proxy.inc';
$proxy = cut_proxy((int)$env['SQAUTH_TEST_IMAP_PORT'], array_fill(0, 2, ['dir' => 'server', 'after' => 'r OK', 'how' => 'rst']));
foreach (['kept', 'let go of'] as $how) {
    $d = Connection::open("imap://127.0.0.1:{$proxy['port']}", ['tls' => 'none', 'timeout' => 5]);
    $d->login($env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS'], ['allow_plaintext' => true]);
    $s = $d->stream();
    fwrite($s, "r NOOP\r\n");
    if ($how !== 'kept') {
        unset($s);
    }
    while (fgets($how === 'kept' ? $s : $d->stream()) !== false) {
    }
    try {
        $d->capabilities();
    } catch (SqAuth\ConnectionException $e) {
        echo "$how: ", get_class($e), ' ', $e->getCode(), ', errno ', $e->getErrno(), ': ', $e->getMessage(), "\n";
    }
    unset($s, $d);
}
echo 'proxy: both cut: ', json_encode(array_column(cut_proxy_finish($proxy), 'cut')), "\n";

echo "-- fclose() still ends the connection\n";
fclose($c->stream());
try {
    $c->capabilities();
} catch (SqAuth\ConnectionException $e) {
    echo get_class($e), ' ', $e->getCode(), ': ', $e->getMessage(), "\n";
}

echo "-- the stream the last holder: dropping it ends the connection with the Connection\n";
$s = Connection::open($uri, $options)->stream();
fwrite($s, "f NOOP\r\n");
echo substr(fgets($s), 0, 4), "\n";
unset($s);

echo "-- pooled: page views that never keep the stream\n";
for ($i = 0; $i < 3; $i++) {
    $c = Connection::pooledLogin($uri, $env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS'], $options);
    fwrite($c->stream(), "g$i SELECT INBOX\r\n");
    $reply = reply($c, "g$i");
    echo $c->isReused() ? 'reused' : 'fresh', ', ', end($reply), "\n";
    $c->release();
    unset($c);
}
echo json_encode($pool()), "\n";

echo "-- pooled, released with a line PHP read ahead and nobody read: logged out, not pooled\n";
$c = Connection::pooledLogin($uri, $env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS'], $options);
fwrite($c->stream(), "h CAPABILITY\r\n");
echo substr(fgets($c->stream()), 0, 12), "\n";
$c->release();
unset($c);
echo json_encode($pool()), "\n";
?>
--EXPECTF--
-- a command written through one stream, its reply read through others
int(14)
Array
(
    [0] => * CAPABILITY
    [1] => a OK
)
bool(true)
-- read ahead, then stream_select() on the next stream: the bytes are there
2 replies
* CAPABILITY
int(1)
d OK 
-- the server ends the session: named alike whether the stream was kept or let go of
kept: SqAuth\ConnectionException 13: the server closed the connection
let go of: SqAuth\ConnectionException 13: the server closed the connection
-- the connection reset under a read: named alike whether the stream was kept or let go of
kept: SqAuth\ConnectionException 13, errno 104: %s
let go of: SqAuth\ConnectionException 13, errno 104: %s
proxy: both cut: [true,true]
-- fclose() still ends the connection
SqAuth\ConnectionException 13: the connection is closed
-- the stream the last holder: dropping it ends the connection with the Connection
f OK
-- pooled: page views that never keep the stream
fresh, g0 OK
reused, g1 OK
reused, g2 OK
{"pool_entries":1,"pool_hits":2,"pool_misses":1}
-- pooled, released with a line PHP read ahead and nobody read: logged out, not pooled
* CAPABILITY
{"pool_entries":0,"pool_hits":3,"pool_misses":1}
