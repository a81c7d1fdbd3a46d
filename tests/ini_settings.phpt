--TEST--
php.ini settings of connections: defaults and changeability, phpinfo(), ini_set() of the INI_ALL ones only; sqauth.timeout and sqauth.connect_timeout: the call's option, then php.ini; a bad value from ini_set() is reported by the next open()
--EXTENSIONS--
sqauth
--INI--
sqauth.timeout=7.5
--FILE--
<?php
use SqAuth\Connection;
require __DIR__ . '/scripted/scripted.inc';

$mine = ['sqauth.cafile', 'sqauth.capath', 'sqauth.connect_timeout', 'sqauth.min_protocol', 'sqauth.session_resumption',
         'sqauth.timeout'];
$access = [INI_USER => 'INI_USER', INI_PERDIR => 'INI_PERDIR', INI_SYSTEM => 'INI_SYSTEM', INI_ALL => 'INI_ALL'];
echo "-- declared\n";
$all = ini_get_all('sqauth');
foreach ($mine as $name) {
    printf("%s global=\"%s\" local=\"%s\" %s\n", $name, $all[$name]['global_value'], $all[$name]['local_value'],
        $access[$all[$name]['access']]);
}

echo "-- phpinfo()\n";
ob_start();
phpinfo(INFO_MODULES);
$info = ob_get_clean();
foreach (explode("\n", $info) as $line) {
    if (in_array(strtok($line, ' '), $mine, true)) {
        echo $line, "\n";
    }
}

echo "-- ini_set()\n";
var_dump(ini_set('sqauth.timeout', '2'), ini_get('sqauth.timeout'));
var_dump(ini_set('sqauth.connect_timeout', '0.25'), ini_get('sqauth.connect_timeout'));
foreach (['sqauth.cafile', 'sqauth.capath', 'sqauth.min_protocol', 'sqauth.session_resumption'] as $name) {
    var_dump(ini_set($name, 'x'), ini_get($name));
}

function attempt(string $uri, array $options = []): void
{
    try {
        Connection::open($uri, ['tls' => 'none'] + $options);
        echo "connected\n";
    } catch (Throwable $e) {
        echo sqauth_describe($e), "\n";
    }
}

/* A listener whose accept queue is full: a connect to it never completes,
 * so the exception says which connect timeout was in force. */
$ctx = stream_context_create(['socket' => ['backlog' => 0]]);
$full = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr, STREAM_SERVER_BIND | STREAM_SERVER_LISTEN, $ctx);
$port = (int)substr(strrchr(stream_socket_get_name($full, false), ':'), 1);
$queued = stream_socket_client("tcp://127.0.0.1:$port");
$full_uri = "imap://127.0.0.1:$port";

echo "-- sqauth.connect_timeout\n";
attempt($full_uri);                                    // php.ini (ini_set above): 250 ms
attempt($full_uri, ['connect_timeout' => 0.3]);        // the call's option wins
ini_set('sqauth.connect_timeout', '0.2');
attempt($full_uri);

echo "-- sqauth.timeout\n";
/* A server that accepts, says nothing, and closes after 0.6 s: a deadline
 * of php.ini's 0.2 s ends the wait first (code 12); the call's 5 s does
 * not, and the close is seen (code 13). */
foreach ([[], ['timeout' => 5]] as $options) {
    ini_set('sqauth.timeout', '0.2');
    $srv = sqauth_fake_server([['sleep', 0.6], ['close']]);
    attempt("imap://127.0.0.1:{$srv['port']}", $options);
    sqauth_fake_server_finish($srv);
}

echo "-- bad values from ini_set(): accepted, then named by the next open()\n";
foreach (['sqauth.timeout' => ['-1', '0', 'abc', '1e3', '86401', '5 s'], 'sqauth.connect_timeout' => ['-5', "0x10\n"]] as $name => $values) {
    foreach ($values as $value) {
        var_dump(ini_set($name, $value) !== false);
        attempt('imap://127.0.0.1:1');
    }
    ini_restore($name);
}
// a value the call overrides is not used
ini_set('sqauth.timeout', 'abc');
attempt('imap://127.0.0.1:1', ['timeout' => 1]);
// an empty value is no value: the built-in 30 s (the refused port answers at once)
ini_set('sqauth.timeout', '');
ini_set('sqauth.connect_timeout', '');
attempt('imap://127.0.0.1:1');
?>
--EXPECTF--
-- declared
sqauth.cafile global="" local="" INI_PERDIR
sqauth.capath global="" local="" INI_PERDIR
sqauth.connect_timeout global="30" local="30" INI_ALL
sqauth.min_protocol global="TLSv1.2" local="TLSv1.2" INI_PERDIR
sqauth.session_resumption global="1" local="1" INI_PERDIR
sqauth.timeout global="7.5" local="7.5" INI_ALL
-- phpinfo()
sqauth.cafile => no value => no value
sqauth.capath => no value => no value
sqauth.connect_timeout => 30 => 30
sqauth.min_protocol => TLSv1.2 => TLSv1.2
sqauth.session_resumption => 1 => 1
sqauth.timeout => 7.5 => 7.5
-- ini_set()
string(3) "7.5"
string(1) "2"
string(2) "30"
string(4) "0.25"
bool(false)
string(0) ""
bool(false)
string(0) ""
bool(false)
string(7) "TLSv1.2"
bool(false)
string(1) "1"
-- sqauth.connect_timeout
SqAuth\ConnectionException (12): timed out connecting to 127.0.0.1 port %d: 'connect_timeout' of 0.25 s has passed
SqAuth\ConnectionException (12): timed out connecting to 127.0.0.1 port %d: 'connect_timeout' of 0.3 s has passed
SqAuth\ConnectionException (12): timed out connecting to 127.0.0.1 port %d: 'connect_timeout' of 0.2 s has passed
-- sqauth.timeout
SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 0.2 s has passed
SqAuth\ConnectionException (13): the server closed the connection
-- bad values from ini_set(): accepted, then named by the next open()
bool(true)
SqAuth\ConnectionException (11): php.ini sqauth.timeout="-1" is not a number of seconds greater than 0 and at most 86400
bool(true)
SqAuth\ConnectionException (11): php.ini sqauth.timeout="0" is not a number of seconds greater than 0 and at most 86400
bool(true)
SqAuth\ConnectionException (11): php.ini sqauth.timeout="abc" is not a number of seconds greater than 0 and at most 86400
bool(true)
SqAuth\ConnectionException (11): php.ini sqauth.timeout="1e3" is not a number of seconds greater than 0 and at most 86400
bool(true)
SqAuth\ConnectionException (11): php.ini sqauth.timeout="86401" is not a number of seconds greater than 0 and at most 86400
bool(true)
SqAuth\ConnectionException (11): php.ini sqauth.timeout="5 s" is not a number of seconds greater than 0 and at most 86400
bool(true)
SqAuth\ConnectionException (11): php.ini sqauth.connect_timeout="-5" is not a number of seconds greater than 0 and at most 86400
bool(true)
SqAuth\ConnectionException (11): php.ini sqauth.connect_timeout="0x10?" is not a number of seconds greater than 0 and at most 86400
SqAuth\ConnectionException (11): cannot connect to 127.0.0.1 port 1: Connection refused
SqAuth\ConnectionException (11): cannot connect to 127.0.0.1 port 1: Connection refused
