--TEST--
SCRAM server-final: wrong v= is not verified, e= is a server error the caller can read
--EXTENSIONS--
sqauth
--FILE--
<?php
function final_(string $serverFinal) {
    $c = new SqAuth\SaslClient('SCRAM-SHA-1', ['authcid' => 'user', 'password' => 'pencil'],
                               ['cnonce' => 'fyko+d2lbbFgONRv9qkxdawL']);
    $c->start();
    $c->step('r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096');
    try {
        var_dump($c->step($serverFinal));
    } catch (Throwable $e) {
        echo get_class($e), ' ', $e->getCode(), ': ', $e->getMessage(), "\n";
    }
    var_dump($c->isComplete(), $c->isServerVerified());
    echo 'serverError: ', json_encode($c->serverError()), "\n";
}
echo "-- wrong signature\n";
final_('v=AmF9pqV8S7suAoZWja4dJRkFsKQ=');
final_('v=rmF9pqV8S7suAoZWja4dJRkF');
final_('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');   // the SHA-256 one
echo "-- server error\n";
final_('e=invalid-proof');
final_('e=channel-bindings-dont-match,x=ext');
final_("e=other \xC3\xA4\x01\\");
echo "-- malformed\n";
final_('v=rmF9pqV8S7suAoZWja4dJRkFsKR=');
final_('v=');
final_('e=');
final_('');
final_('x=rmF9pqV8S7suAoZWja4dJRkFsKQ=');
final_('v=rmF9pqV8S7suAoZWja4dJRkFsKQ=,v=rmF9pqV8S7suAoZWja4dJRkFsKQ=');
echo "-- extensions after v= are ignored\n";
final_('v=rmF9pqV8S7suAoZWja4dJRkFsKQ=,x=ext');
?>
--EXPECT--
-- wrong signature
SqAuth\SaslException 4: SCRAM server signature (v=) does not match: the server did not prove that it knows the password
bool(false)
bool(false)
serverError: null
SqAuth\SaslException 4: SCRAM server signature (v=) does not match: the server did not prove that it knows the password
bool(false)
bool(false)
serverError: null
SqAuth\SaslException 4: SCRAM server signature (v=) does not match: the server did not prove that it knows the password
bool(false)
bool(false)
serverError: null
-- server error
SqAuth\SaslException 5: SCRAM server error: invalid-proof
bool(false)
bool(false)
serverError: "invalid-proof"
SqAuth\SaslException 5: SCRAM server error: channel-bindings-dont-match
bool(false)
bool(false)
serverError: "channel-bindings-dont-match"
SqAuth\SaslException 5: SCRAM server error: other ä\x01\
bool(false)
bool(false)
serverError: "other \u00e4\u0001\\"
-- malformed
SqAuth\SaslException 3: SCRAM server-final message: server signature (v=) is not valid: invalid base64: non-canonical padding bits
bool(false)
bool(false)
serverError: null
SqAuth\SaslException 3: SCRAM server-final message: server signature (v=) is empty
bool(false)
bool(false)
serverError: null
SqAuth\SaslException 3: SCRAM server-final message: empty server error (e=)
bool(false)
bool(false)
serverError: null
SqAuth\SaslException 3: SCRAM server-final message is empty
bool(false)
bool(false)
serverError: null
SqAuth\SaslException 3: SCRAM server-final message: expected the server signature (v=) or an error (e=), got 'x='
bool(false)
bool(false)
serverError: null
SqAuth\SaslException 3: SCRAM server-final message: attribute 'v=' appears twice or out of order
bool(false)
bool(false)
serverError: null
-- extensions after v= are ignored
string(0) ""
bool(true)
bool(true)
serverError: null
