--TEST--
Connection::capabilities() keeps no memory per call (IMAP list; POP3 CAPA and SMTP EHLO keyword => value maps); found by the ASan run of scripts/asan.sh
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
require __DIR__ . '/fault.inc';

$o = ['tls' => 'none', 'timeout' => 5];
foreach (['imap' => $env['SQAUTH_TEST_IMAP_PORT'], 'pop3' => $env['SQAUTH_TEST_POP3_PORT'],
          'smtp' => $env['SQAUTH_TEST_SUBMISSION_PORT']] as $proto => $port) {
    $c = Connection::open("$proto://127.0.0.1:$port", $o);
    echo "$proto: ";
    fault_flat(function (bool $print) use ($c) {
        for ($i = 0; $i < 20; $i++) {
            $caps = $c->capabilities();
        }
        if ($print) {
            echo count($caps) > 5 ? 'capabilities read, ' : 'too few capabilities, ';
        }
    });
}
?>
--EXPECT--
imap: capabilities read, after more rounds: memory flat, descriptors flat
pop3: capabilities read, after more rounds: memory flat, descriptors flat
smtp: capabilities read, after more rounds: memory flat, descriptors flat
