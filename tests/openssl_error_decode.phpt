--TEST--
openssl_error_decode(): OpenSSL 3 codes (int and string) and the OpenSSL 1.x strings of old logs
--EXTENSIONS--
sqauth
--FILE--
<?php
function show($code) {
    try {
        $r = SqAuth\openssl_error_decode($code);
        ksort($r);
        echo json_encode($r, JSON_UNESCAPED_SLASHES), "\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
// The OpenSSL 1.x line the seed's administrators had to look up in ssl.h:
// library 20 (SSL), function 148, reason 1040.
show('error:14094410:SSL routines:func(148):reason(1040)');
show('error:14094410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure');
// OpenSSL 3 prints no function: the same reason in the new layout.
show('error:0A000410:SSL routines::sslv3 alert handshake failure');
show(0x0A000086);                 // certificate verify failed, as an int
show('0A000086');                 // and as bare hex
show('0x0a000086');
foreach (['', 'error:zz', 'nonsense', '123456789', 'error:123456789:x'] as $bad) {
    show($bad);
}
show(-1);
show(0x1FFFFFFFF);
?>
--EXPECT--
{"code":336151568,"format":"openssl-1.x","function_code":148,"library":"SSL routines","library_code":20,"message":"error:0A000410:SSL routines::sslv3 alert handshake failure","reason":"sslv3 alert handshake failure","reason_code":1040}
{"code":336151568,"format":"openssl-1.x","function_code":148,"library":"SSL routines","library_code":20,"message":"error:0A000410:SSL routines::sslv3 alert handshake failure","reason":"sslv3 alert handshake failure","reason_code":1040}
{"code":167773200,"format":"openssl-3","library":"SSL routines","library_code":20,"message":"error:0A000410:SSL routines::sslv3 alert handshake failure","reason":"sslv3 alert handshake failure","reason_code":1040}
{"code":167772294,"format":"openssl-3","library":"SSL routines","library_code":20,"message":"error:0A000086:SSL routines::certificate verify failed","reason":"certificate verify failed","reason_code":134}
{"code":167772294,"format":"openssl-3","library":"SSL routines","library_code":20,"message":"error:0A000086:SSL routines::certificate verify failed","reason":"certificate verify failed","reason_code":134}
{"code":167772294,"format":"openssl-3","library":"SSL routines","library_code":20,"message":"error:0A000086:SSL routines::certificate verify failed","reason":"certificate verify failed","reason_code":134}
ValueError: SqAuth\openssl_error_decode(): Argument #1 ($code) must be an OpenSSL error code or an "error:XXXXXXXX:..." string
ValueError: SqAuth\openssl_error_decode(): Argument #1 ($code) must be an OpenSSL error code or an "error:XXXXXXXX:..." string
ValueError: SqAuth\openssl_error_decode(): Argument #1 ($code) must be an OpenSSL error code or an "error:XXXXXXXX:..." string
ValueError: SqAuth\openssl_error_decode(): Argument #1 ($code) must be an OpenSSL error code or an "error:XXXXXXXX:..." string
ValueError: SqAuth\openssl_error_decode(): Argument #1 ($code) must be an OpenSSL error code or an "error:XXXXXXXX:..." string
ValueError: SqAuth\openssl_error_decode(): Argument #1 ($code) must be between 0 and 0xFFFFFFFF
ValueError: SqAuth\openssl_error_decode(): Argument #1 ($code) must be between 0 and 0xFFFFFFFF
