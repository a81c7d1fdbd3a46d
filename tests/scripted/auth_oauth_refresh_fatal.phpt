--TEST--
Connection::authenticate() with 'token' as a callable that ends in a fatal error: the script ends there, nothing was sent, nothing crashes
--EXTENSIONS--
sqauth
--SKIPIF--
<?php
// After a fatal error PHP frees nothing (it drops its memory manager's heap at the end of the
// request); with USE_ZEND_ALLOC=0, as valgrind and scripts/asan.sh run, every object alive at
// that moment is reported as a leak, PHP's own as much as this test's Connection.
if (getenv('USE_ZEND_ALLOC') === '0') die('skip a fatal error leaks by design without the Zend memory manager');
?>
--FILE--
<?php
use SqAuth\Connection;
require __DIR__ . '/scripted.inc';
const GREETING = "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=OAUTHBEARER AUTH=XOAUTH2] fake\r\n";

echo "== a fatal error in the callable ends the script, nothing sent\n";
$srv = sqauth_fake_server([['send', GREETING], ['drain', 1]]);
$c = Connection::open("imap://127.0.0.1:{$srv['port']}", ['tls' => 'none']);
register_shutdown_function(function () use ($srv) {
    echo "\nserver got: ", json_encode(sqauth_fake_server_finish($srv)), "\n";
});
$c->authenticate('OAUTHBEARER', 'user@example.org', '', ['allow_plaintext' => true, 'token' => function (bool $refresh) {
    trigger_error('the token store is gone', E_USER_ERROR);
}]);
echo "not reached\n";
?>
--EXPECTF--
== a fatal error in the callable ends the script, nothing sent

Fatal error: the token store is gone in %s on line %d

server got: []
