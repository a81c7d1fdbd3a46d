--TEST--
Manual: every runnable example that needs a server runs against the test servers and prints what its page shows
--EXTENSIONS--
sqauth
--SKIPIF--
<?php
require __DIR__ . '/skipif.inc';
// Documentation checks in child processes; the extension code they reach runs under valgrind in its own tests.
if (getenv('USE_ZEND_ALLOC') === '0') die('skip under valgrind: examples run in child processes; the code they reach has its own tests');
?>
--FILE--
<?php
$env = require __DIR__ . '/env.inc';
require __DIR__ . '/../manual/manual.inc';
$examples = array_filter(sqauth_manual_examples(sqauth_manual_pages()), fn($e) => $e['live']);
$failed = sqauth_manual_check_examples($examples, sqauth_manual_live_replacements($env));
echo $failed || !$examples ? "$failed of " . count($examples) . " examples failed\n" : "every live example prints what its page shows\n";
?>
--EXPECT--
every live example prints what its page shows
