--TEST--
Connection::stream(): fclose() ends the connection; close() ends the stream
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
$uri = "imaps://localhost:{$env['SQAUTH_TEST_IMAPS_PORT']}";
$o = ['cafile' => $env['SQAUTH_TEST_CA']];

$c = Connection::open($uri, $o);
$s = $c->stream();
fclose($s);
foreach (['protocol', 'greeting', 'capabilities', 'mechanisms', 'isEncrypted', 'tlsInfo', 'transcript', 'stream', 'startTls'] as $m) {
    try {
        $c->$m();
        echo "$m: no exception\n";
    } catch (SqAuth\ConnectionException $e) {
        echo "$m: ", sqauth_describe($e), "\n";
    }
}
$c->close(); // no-op on a closed connection
$c->close();

echo "-- close() first\n";
$c = Connection::open($uri, $o);
$s = $c->stream();
$c->close();
var_dump(fgets($s), feof($s), fwrite($s, "a1 NOOP\r\n"));
fclose($s);

echo "-- the stream outlives the object that made it\n";
$s = Connection::open($uri, $o)->stream();
fputs($s, "a1 NOOP\r\n");
echo fgets($s);
fclose($s);
?>
--EXPECT--
protocol: SqAuth\ConnectionException (13): the connection is closed
greeting: SqAuth\ConnectionException (13): the connection is closed
capabilities: SqAuth\ConnectionException (13): the connection is closed
mechanisms: SqAuth\ConnectionException (13): the connection is closed
isEncrypted: SqAuth\ConnectionException (13): the connection is closed
tlsInfo: SqAuth\ConnectionException (13): the connection is closed
transcript: SqAuth\ConnectionException (13): the connection is closed
stream: SqAuth\ConnectionException (13): the connection is closed
startTls: SqAuth\ConnectionException (13): the connection is closed
-- close() first
bool(false)
bool(true)
bool(false)
-- the stream outlives the object that made it
a1 OK NOOP completed.
