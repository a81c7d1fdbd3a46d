--TEST--
Connection::stream() with a security layer: a read returns the data of the whole buffers that arrived and does not wait for the rest of the incomplete buffer behind them
--EXTENSIONS--
sqauth
--FILE--
<?php
require __DIR__ . '/digest_layer.inc';

/*
 * One write of the server carries a whole buffer (a line) and the first 10
 * bytes of the next one; the rest of that one comes 2 s later. A blocking
 * fread() has the line at once: it returns it, as a read of a plain socket
 * returns what has arrived, rather than waiting (up to the timeout) to
 * complete the buffer behind it.
 */
$d = digest_layer_fake();
$first = digest_layer_seal($d, 0, "* OK first\r\n");
$second = digest_layer_seal($d, 1, "* OK second\r\n");
$srv = sqauth_fake_server(array_merge($d['login'], [
    ['send64', base64_encode($first . substr($second, 0, 10))], ['sleep', 2],
    ['send64', base64_encode(substr($second, 10))], ['hold', 5],
]));
$c = digest_layer_login($d, $srv['port'], 10);
$s = $c->stream();
usleep(500000);
$r = fread($s, 8192);
echo 'fread: ', var_export($r, true), ', timed_out: ', var_export(stream_get_meta_data($s)['timed_out'], true), "\n";
echo 'fgets: ', var_export(fgets($s), true), "\n";
fclose($s);
sqauth_fake_server_finish($srv);
?>
--EXPECT--
fread: '* OK first
', timed_out: false
fgets: '* OK second
'
