--TEST--
Connection::stream() with a security layer: a write that times out part-way closes the connection for I/O (the protected stream is cut inside a buffer and its sequence numbers have moved on), with the reason in the stream's metadata and in the next method's exception
--EXTENSIONS--
sqauth
--FILE--
<?php
require __DIR__ . '/digest_layer.inc';

/*
 * After the login the server reads nothing for 2 s, so a 32 MiB write
 * fills the socket buffers and times out (1 s). What went out ends inside
 * a wrapped buffer, and buffers were sealed (sequence numbers used) that
 * never went out: whatever the client wrote next would reach the server as
 * the rest of that buffer, or with a sequence number it cannot accept. So
 * nothing more is sent, and the reason is kept.
 */
$d = digest_layer_fake();
$srv = sqauth_fake_server(array_merge($d['login'], [['sleep', 2], ['close']]));
$c = digest_layer_login($d, $srv['port'], 10);
$s = $c->stream();
stream_set_timeout($s, 1);
$r = @fwrite($s, str_repeat('a', 32 << 20));
$m = stream_get_meta_data($s);
echo 'fwrite 32 MiB: ', var_export($r, true), ', timed_out: ', var_export($m['timed_out'], true), "\n";
echo 'sqauth_error: ', $m['sqauth_error'] === null ? 'null' : "({$m['sqauth_error']['code']}) {$m['sqauth_error']['message']}", "\n";
$t = microtime(true);
echo 'fwrite again: ', var_export(@fwrite($s, "A0002 NOOP\r\n"), true), ', at once: ', var_export(microtime(true) - $t < 0.5, true), "\n";
try {
    $c->capabilities();
    echo "capabilities(): no exception\n";
} catch (SqAuth\Exception $e) {
    echo 'capabilities(): ', sqauth_describe($e), "\n";
}
$c->close();
sqauth_fake_server_finish($srv);
?>
--EXPECT--
fwrite 32 MiB: false, timed_out: true
sqauth_error: (12) timed out sending to the server: the security layer's stream is cut inside a buffer; the connection cannot go on
fwrite again: false, at once: true
capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: timed out sending to the server: the security layer's stream is cut inside a buffer; the connection cannot go on
