--TEST--
Connection::stream() with a security layer: a large fwrite() is sealed and sent a piece at a time, not copied whole into one wrapped buffer first (memory outside memory_limit, as large as the write)
--EXTENSIONS--
sqauth
--SKIPIF--
<?php
if (!is_readable('/proc/self/status')) die('skip needs /proc/self/status (VmHWM)');
if (getenv('USE_ZEND_ALLOC') === '0') die('skip under valgrind: the peak resident size means nothing there');
?>
--FILE--
<?php
require __DIR__ . '/digest_layer.inc';

/* The process's peak resident size, in KiB. */
function peak_kib(): int
{
    preg_match('/^VmHWM:\s+(\d+) kB/m', file_get_contents('/proc/self/status'), $m);
    return (int)$m[1];
}

$d = digest_layer_fake();
$srv = sqauth_fake_server(array_merge($d['login'], [['hold', 20]]));   // reads and drops what comes
$c = digest_layer_login($d, $srv['port'], 20);
$s = $c->stream();
$data = str_repeat('0123456789abcdef', 4 << 20);                      // 64 MiB
$before = peak_kib();
var_dump(fwrite($s, $data));
$grew = peak_kib() - $before;
echo 'the peak grew by less than 16 MiB: ', var_export($grew < 16 << 10, true), $grew < 16 << 10 ? '' : " ($grew KiB)", "\n";
fclose($s);
sqauth_fake_server_finish($srv);
?>
--EXPECT--
int(67108864)
the peak grew by less than 16 MiB: true
