--TEST--
SCRAM: every malformed or refused server-first message is a SaslException with a precise message
--EXTENSIONS--
sqauth
--FILE--
<?php
const CN = 'fyko+d2lbbFgONRv9qkxdawL';
function first(string $serverFirst, array $options = []) {
    $c = new SqAuth\SaslClient('SCRAM-SHA-1', ['authcid' => 'user', 'password' => 'pencil'], $options + ['cnonce' => CN]);
    $c->start();
    try {
        $r = $c->step($serverFirst);
        echo "no exception: $r\n";
    } catch (Throwable $e) {
        echo get_class($e), ' ', $e->getCode(), ': ', $e->getMessage(), "\n";
        var_dump($c->isComplete() || $c->isServerVerified());
    }
    return $c;
}
$salt = 's=QSXCR+Q6sek8bf92';

echo "-- nonce\n";
first("r=XXXX+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,$salt,i=4096");
first("r=fyko+d2lbbFgONRv9qkxda,$salt,i=4096");
first("r=" . CN . ",$salt,i=4096");
first("r=" . CN . " x,$salt,i=4096");
first("r=" . CN . "\x7f,$salt,i=4096");
echo "-- salt\n";
first("r=" . CN . "x,s=,i=4096");
first("r=" . CN . "x,s=QSXCR+Q6sek8bf9,i=4096");
first("r=" . CN . "x,s=QSXC*+Q6sek8bf92,i=4096");
first("r=" . CN . "x,s=QSXCR+Q6 sek8bf92,i=4096");
echo "-- iteration count\n";
foreach (['0', '04096', '+4096', '-1', '40a96', ' 4096', '4096 ', '0x1000', '', '4096.0'] as $i) {
    first("r=" . CN . "x,$salt,i=$i");
}
first("r=" . CN . "x,$salt,i=99999999999999999999999");
first("r=" . CN . "x,$salt,i=1000001");
first("r=" . CN . "x,$salt,i=4095");
first("r=" . CN . "x,$salt,i=4096", ['min_iterations' => 10000]);
first("r=" . CN . "x,$salt,i=5001", ['max_iterations' => 5000, 'min_iterations' => 1000]);
echo "-- extensions and server errors\n";
first("m=ext,r=" . CN . "x,$salt,i=4096");
first("e=unknown-user");
echo "-- structure\n";
first("");
first("r=" . CN . "x");
first("r=" . CN . "x,$salt");
first("$salt,r=" . CN . "x,i=4096");
first("r=" . CN . "x,i=4096,$salt");
first("r=" . CN . "x,$salt,i=4096,");
first("r=" . CN . "x,,$salt,i=4096");
first("r=" . CN . "x,$salt,i=4096,r=again");
first("r=" . CN . "x,$salt,i=4096,x=");
first("r=" . CN . "x,$salt,i=4096,1=x");
first("r=" . CN . "x\0,$salt,i=4096");
first("r=" . CN . "x,$salt,i=4096,x=\xff");
first("r=" . CN . "x,$salt,i=4096,x=" . str_repeat('a', 5000));

echo "-- a failed exchange stays failed\n";
$c = first("r=" . CN . "x,$salt,i=1");
try {
    $c->step('v=rmF9pqV8S7suAoZWja4dJRkFsKQ=');
} catch (SqAuth\SaslException $e) {
    echo get_class($e), ' ', $e->getCode(), ': ', $e->getMessage(), "\n";
}
?>
--EXPECT--
-- nonce
SqAuth\SaslException 3: SCRAM server nonce (r=) does not start with the client nonce
bool(false)
SqAuth\SaslException 3: SCRAM server nonce (r=) does not start with the client nonce
bool(false)
SqAuth\SaslException 3: SCRAM server nonce (r=) adds nothing to the client nonce
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: nonce (r=) is empty or has characters outside printable ASCII
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: nonce (r=) is empty or has characters outside printable ASCII
bool(false)
-- salt
SqAuth\SaslException 3: SCRAM server-first message: salt (s=) is empty
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: salt (s=) is not valid: invalid base64: length 15 is not a multiple of 4
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: salt (s=) is not valid: invalid base64: unexpected character at offset 4
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: salt (s=) is not valid: invalid base64: length 17 is not a multiple of 4
bool(false)
-- iteration count
SqAuth\SaslException 3: SCRAM server-first message: iteration count (i=) is not a positive decimal number
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: iteration count (i=) is not a positive decimal number
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: iteration count (i=) is not a positive decimal number
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: iteration count (i=) is not a positive decimal number
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: iteration count (i=) is not a positive decimal number
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: iteration count (i=) is not a positive decimal number
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: iteration count (i=) is not a positive decimal number
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: iteration count (i=) is not a positive decimal number
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: iteration count (i=) is not a positive decimal number
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: iteration count (i=) is not a positive decimal number
bool(false)
SqAuth\SaslException 9: SCRAM server asks for more than 2^64 PBKDF2 iterations, more than the limit of 1000000 (option 'max_iterations')
bool(false)
SqAuth\SaslException 9: SCRAM server asks for 1000001 PBKDF2 iterations, more than the limit of 1000000 (option 'max_iterations')
bool(false)
SqAuth\SaslException 9: SCRAM server asks for only 4095 PBKDF2 iterations, fewer than the minimum of 4096 (option 'min_iterations')
bool(false)
SqAuth\SaslException 9: SCRAM server asks for only 4096 PBKDF2 iterations, fewer than the minimum of 10000 (option 'min_iterations')
bool(false)
SqAuth\SaslException 9: SCRAM server asks for 5001 PBKDF2 iterations, more than the limit of 5000 (option 'max_iterations')
bool(false)
-- extensions and server errors
SqAuth\SaslException 6: SCRAM server requires a mandatory extension (m=) that sqauth does not support
bool(false)
SqAuth\SaslException 5: SCRAM server error: unknown-user
bool(false)
-- structure
SqAuth\SaslException 3: SCRAM server-first message is empty
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: the salt (s=) is missing
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: the iteration count (i=) is missing
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: expected the nonce (r=), got 's='
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: expected the salt (s=), got 'i='
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: attribute at offset 54 is not of the form <letter>=<value>
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: attribute at offset 28 is not of the form <letter>=<value>
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: attribute 'r=' appears twice or out of order
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: extension 'x=' has an empty value
bool(false)
SqAuth\SaslException 3: SCRAM server-first message: attribute at offset 54 is not of the form <letter>=<value>
bool(false)
SqAuth\SaslException 3: SCRAM server-first message contains a NUL byte
bool(false)
SqAuth\SaslException 3: SCRAM server-first message is not valid UTF-8
bool(false)
SqAuth\SaslException 3: SCRAM server-first message is too long (5056 bytes, limit 4096)
bool(false)
-- a failed exchange stays failed
SqAuth\SaslException 9: SCRAM server asks for only 1 PBKDF2 iterations, fewer than the minimum of 4096 (option 'min_iterations')
bool(false)
SqAuth\SaslException 7: the SASL exchange already failed
