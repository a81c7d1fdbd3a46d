--TEST--
Manual: every runnable example that needs no server runs and prints what its page shows
--EXTENSIONS--
sqauth
--SKIPIF--
<?php
// Documentation checks in child processes; the extension code they reach runs under valgrind in its own tests.
if (getenv('USE_ZEND_ALLOC') === '0') die('skip under valgrind: examples run in child processes; the code they reach has its own tests');
?>
--FILE--
<?php
require __DIR__ . '/manual.inc';
$examples = array_filter(sqauth_manual_examples(sqauth_manual_pages()), fn($e) => !$e['live']);
$failed = sqauth_manual_check_examples($examples, sqauth_manual_offline_replacements());
echo $failed || !$examples ? "$failed of " . count($examples) . " examples failed\n" : "every offline example prints what its page shows\n";
?>
--EXPECT--
every offline example prints what its page shows
