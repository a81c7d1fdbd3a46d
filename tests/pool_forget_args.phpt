--TEST--
Connection::forgetPooled() and the 'reuse' option without a server: argument errors name the argument as pooled()'s and pooledLogin()'s do ($mechanism null takes pooledLogin()'s options); forgetPooled() never connects (an address nobody listens on returns 0, no miss counted); 'reuse' is a bool
--EXTENSIONS--
sqauth
--FILE--
<?php
use SqAuth\Connection;

$nowhere = 'imaps://127.0.0.1:1';
$calls = [
    'a malformed URI' => fn() => Connection::forgetPooled('imaps://user@host', null, 'u'),
    'an unknown scheme' => fn() => Connection::forgetPooled('http://host', 'PLAIN', 'u'),
    'an unknown option' => fn() => Connection::forgetPooled($nowhere, 'PLAIN', 'u', ['no_such_option' => 1]),
    'an open() option of the wrong type' => fn() => Connection::forgetPooled($nowhere, 'PLAIN', 'u', ['timeout' => 'soon']),
    'a timeout out of range' => fn() => Connection::forgetPooled($nowhere, null, 'u', ['timeout' => 0]),
    'a login option of the wrong type' => fn() => Connection::forgetPooled($nowhere, 'PLAIN', 'u', ['realm' => 1]),
    'a callable token' => fn() => Connection::forgetPooled($nowhere, 'XOAUTH2', 'u', ['token' => fn(bool $refresh) => 't']),
    'mechanism null: an authenticate() option' => fn() => Connection::forgetPooled($nowhere, null, 'u', ['realm' => 'x']),
    'mechanism null: allow_plaintext not a bool' => fn() => Connection::forgetPooled($nowhere, null, 'u', ['allow_plaintext' => 1]),
    'an integer key' => fn() => Connection::forgetPooled($nowhere, null, 'u', [1 => true]),
    'reuse not a bool' => fn() => Connection::forgetPooled($nowhere, null, 'u', ['reuse' => 0]),
    'a mechanism of the wrong type' => fn() => Connection::forgetPooled($nowhere, [], 'u'),
    'no user' => fn() => Connection::forgetPooled($nowhere, null),
    'pooled(): reuse not a bool' => fn() => Connection::pooled($nowhere, 'PLAIN', 'u', 'p', ['reuse' => 'no']),
    'pooledLogin(): reuse not a bool' => fn() => Connection::pooledLogin($nowhere, 'u', 'p', ['reuse' => null]),
];
foreach ($calls as $what => $call) {
    try {
        $call();
        echo "$what: no error\n";
    } catch (Throwable $e) {
        echo "$what: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}

$f = SqAuth\features();
var_dump(Connection::forgetPooled($nowhere, null, 'u'));
var_dump(Connection::forgetPooled($nowhere, 'auto', 'u', ['allowed' => ['PLAIN'], 'reuse' => true, 'timeout' => 1]));
var_dump(Connection::forgetPooled('pop3s://127.0.0.1:1', null, 'u'));
$g = SqAuth\features();
echo 'misses +', $g['pool_misses'] - $f['pool_misses'], ', forgotten +', $g['pool_forgotten'] - $f['pool_forgotten'], "\n";

/* 'reuse' => false: still a fresh login, refused here like any other. */
try {
    Connection::pooledLogin($nowhere, 'u', 'p', ['reuse' => false, 'timeout' => 2]);
} catch (SqAuth\ConnectionException $e) {
    echo 'reuse false, refused: ', get_class($e), ' (', $e->getCode(), '), misses +',
        SqAuth\features()['pool_misses'] - $g['pool_misses'], "\n";
}
?>
--EXPECT--
a malformed URI: ValueError: SqAuth\Connection::forgetPooled(): Argument #1 ($uri) must not contain user information, a query or a fragment
an unknown scheme: ValueError: SqAuth\Connection::forgetPooled(): Argument #1 ($uri) must use one of the schemes imap, imaps, pop3, pop3s, smtp, smtps, submission, submissions, sieve
an unknown option: ValueError: SqAuth\Connection::forgetPooled(): Argument #4 ($options) has an unknown key "no_such_option"
an open() option of the wrong type: TypeError: SqAuth\Connection::forgetPooled(): Argument #4 ($options) option "timeout" must be of type int|float, string given
a timeout out of range: ValueError: SqAuth\Connection::forgetPooled(): Argument #4 ($options) option "timeout" must be a number of seconds greater than 0 and at most 86400
a login option of the wrong type: TypeError: SqAuth\Connection::forgetPooled(): Argument #4 ($options) key "realm" must be of type string, int given
a callable token: TypeError: SqAuth\Connection::forgetPooled(): Argument #4 ($options) key "token" must be of type string, Closure given
mechanism null: an authenticate() option: ValueError: SqAuth\Connection::forgetPooled(): Argument #4 ($options) has an unknown option "realm"
mechanism null: allow_plaintext not a bool: TypeError: SqAuth\Connection::forgetPooled(): Argument #4 ($options) option "allow_plaintext" must be of type bool, int given
an integer key: ValueError: SqAuth\Connection::forgetPooled(): Argument #4 ($options) must only have string keys
reuse not a bool: TypeError: SqAuth\Connection::forgetPooled(): Argument #4 ($options) option "reuse" must be of type bool, int given
a mechanism of the wrong type: TypeError: SqAuth\Connection::forgetPooled(): Argument #2 ($mechanism) must be of type ?string, array given
no user: ArgumentCountError: SqAuth\Connection::forgetPooled() expects at least 3 arguments, 2 given
pooled(): reuse not a bool: TypeError: SqAuth\Connection::pooled(): Argument #5 ($options) option "reuse" must be of type bool, string given
pooledLogin(): reuse not a bool: TypeError: SqAuth\Connection::pooledLogin(): Argument #4 ($options) option "reuse" must be of type bool, null given
int(0)
int(0)
int(0)
misses +0, forgotten +0
reuse false, refused: SqAuth\ConnectionException (11), misses +1
