--TEST--
Connection::stream() with a security layer: a server that floods buffers carrying no data keeps no read past its timeout, and a non-blocking read does not wait for the flood to end
--EXTENSIONS--
sqauth
--FILE--
<?php
require __DIR__ . '/digest_layer.inc';

/*
 * After the login the server sends 50000 valid auth-int buffers with an
 * empty message each (sequence numbers 0..49999, correct MACs: the server
 * has the keys), then one with a line. Every byte arrives at once, so the
 * client never has to wait on the socket; no buffer gives it plaintext
 * either. A read's timeout must still end the read (one that goes on
 * while bytes keep coming never ends with an endless flood), and a
 * non-blocking read must not chew through the flood.
 */
$d = digest_layer_fake();
$flood = '';
for ($i = 0; $i < 50000; $i++) {
    $flood .= digest_layer_seal($d, $i, '');
}
$flood .= digest_layer_seal($d, 50000, "* OK after the flood\r\n");
$srv = sqauth_fake_server(array_merge($d['login'], [['send64', base64_encode($flood)], ['close']]));
$c = digest_layer_login($d, $srv['port'], 10);
$s = $c->stream();
usleep(300000);

stream_set_timeout($s, 0, 1000);                        // 1 ms
$r = fread($s, 100);
$m = stream_get_meta_data($s);
echo 'fread with a 1 ms timeout: ', var_export($r, true), ', timed_out: ', var_export($m['timed_out'], true),
    ', sqauth_error: ', var_export($m['sqauth_error'], true), "\n";
var_dump(stream_set_blocking($s, false));
$r = fread($s, 100);
echo 'non-blocking fread: ', var_export($r, true), "\n";
var_dump(stream_set_blocking($s, true));
stream_set_timeout($s, 10);
echo 'then fgets: ', var_export(fgets($s), true), "\n";
$c->close();
sqauth_fake_server_finish($srv);
?>
--EXPECT--
fread with a 1 ms timeout: '', timed_out: true, sqauth_error: NULL
bool(true)
non-blocking fread: ''
bool(true)
then fgets: '* OK after the flood
'
