<?php
/*
 * Router of the e2e's second PHP built-in server (PHP_CLI_SERVER_WORKERS=2,
 * section 6c): every request goes to SquirrelMail as usual, except
 * /sqauth-e2e-hold?until=FILE, which keeps the worker that took it busy
 * until FILE exists (at most 60 s). It answers with the worker's process id
 * at once, so that the test knows the worker is taken: while all but one
 * are held, every page view of the browser goes to that one, and the test
 * chooses which worker serves which browser session. (The built-in server
 * closes every connection after its answer, so no kept-alive connection
 * ties the browser to a worker.)
 */
if (!str_starts_with($_SERVER['REQUEST_URI'], '/sqauth-e2e-hold?')) {
    return false;
}
header('Content-Type: text/plain');
echo getmypid(), "\n";
while (ob_get_level()) {
    ob_end_flush();
}
flush();
$until = (string)($_GET['until'] ?? '');
for ($deadline = microtime(true) + 60; $until !== '' && !file_exists($until) && microtime(true) < $deadline;) {
    usleep(10000);
}
return true;
