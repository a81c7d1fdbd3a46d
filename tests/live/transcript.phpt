--TEST--
Connection::transcript(): "C: "/"S: " lines with 'transcript' => true, empty without
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
$o = ['cafile' => $env['SQAUTH_TEST_CA']];

$c = Connection::open("imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}", $o);
var_dump($c->transcript());
$c->close();
$c = Connection::open("imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}", $o + ['transcript' => false]);
var_dump($c->transcript());
$c->close();

$c = Connection::open("pop3://localhost:{$env['SQAUTH_TEST_POP3_PORT']}", $o + ['transcript' => true]);
$t = $c->transcript();
var_dump(array_is_list($t));
foreach ($t as $l) {
    if (!preg_match('/^[CS]: /', $l)) {
        echo "bad line: $l\n";
    }
}
echo implode("\n", array_slice($t, 0, 3)), "\n";
// the lines carry no CR LF
var_dump(preg_grep('/[\r\n]/', $t));
// what goes through stream() is not recorded
$n = count($t);
$s = $c->stream();
fputs($s, "NOOP\r\n");
echo fgets($s);
var_dump(count($c->transcript()) === $n);
$c->close();
?>
--EXPECT--
array(0) {
}
array(0) {
}
bool(true)
S: +OK sqauth test dovecot (main) ready.
C: CAPA
S: +OK
array(0) {
}
-ERR Unknown command.
bool(true)
