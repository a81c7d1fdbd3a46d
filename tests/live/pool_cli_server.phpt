--TEST--
Pooled connections across requests: PHP's built-in server with workers (PHP_CLI_SERVER_WORKERS=2: the server and two forked workers answer requests) serving page views of two users; each process logs in once per user and reuses that connection for its later requests of the same user; stopping the server leaves no session behind
--EXTENSIONS--
sqauth
--SKIPIF--
<?php
require __DIR__ . '/skipif.inc';
require __DIR__ . '/skipif_valgrind.inc';
?>
--FILE--
<?php
$env = require __DIR__ . '/env.inc';
require __DIR__ . '/pool.inc';
$users = [pool_user(12), pool_user(13)];
$dir = sys_get_temp_dir() . '/sqauth-pool-cli-' . getmypid();
@mkdir($dir);
file_put_contents("$dir/router.php", <<<'PHP'
<?php
// One page view: a pooled IMAP login, a NOOP, release.
$c = SqAuth\Connection::pooledLogin(getenv('POOL_URI'), $_GET['user'], getenv('POOL_PASS'),
                                    ['cafile' => getenv('POOL_CA'), 'peer_name' => 'localhost']);
$s = $c->stream();
fwrite($s, "n NOOP\r\n");
while (($l = fgets($s)) !== false && !str_starts_with($l, 'n ')) {
}
$r = ['pid' => getmypid(), 'reused' => $c->isReused(), 'noop' => substr((string)$l, 0, 4)];
$c->release();
header('Content-Type: application/json');
echo json_encode($r);
PHP);
$port = pool_free_port();
$server = proc_open([PHP_BINARY, '-n', '-d', 'extension=' . pool_extension_path(), '-S', "127.0.0.1:$port", "$dir/router.php"],
    [0 => ['file', '/dev/null', 'r'], 1 => ['file', "$dir/server.log", 'w'], 2 => ['file', "$dir/server.log", 'a']], $pipes, $dir,
    // this process's environment too: under scripts/asan.sh it preloads the sanitizer runtime
    ['PHP_CLI_SERVER_WORKERS' => '2', 'POOL_URI' => pool_uri($env, 'imaps', 'IMAPS'), 'POOL_PASS' => $env['SQAUTH_TEST_POOL_PASS'],
     'POOL_CA' => $env['SQAUTH_TEST_CA']] + getenv());
for ($i = 0; $i < 100 && !($probe = @stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 1)); $i++) {
    usleep(50000);
}
if (!$probe) {
    echo "the built-in server did not start:\n", @file_get_contents("$dir/server.log");
    exit(1);
}
fclose($probe);

$seen = [];          // [pid][user] => true once that worker logged that user in
$wrong = [];
$fresh = 0;
for ($i = 0; $i < 16; $i++) {
    $user = $users[$i % 2];
    $r = json_decode((string)file_get_contents("http://127.0.0.1:$port/?user=$user"), true);
    if (!is_array($r) || $r['noop'] !== 'n OK') {
        $wrong[] = "request $i: " . var_export($r, true);
        continue;
    }
    $expect = isset($seen[$r['pid']][$user]);
    if ($r['reused'] !== $expect) {
        $wrong[] = "request $i ($user, worker {$r['pid']}): " . ($r['reused'] ? 'reused' : 'fresh') . ', expected ' . ($expect ? 'reused' : 'fresh');
    }
    $fresh += !$r['reused'];
    $seen[$r['pid']][$user] = true;
}
$workers = count($seen);
echo "16 page views answered by ", $workers >= 1 && $workers <= 3 ? 'up to 3' : $workers, " processes\n";
echo $wrong ? implode("\n", $wrong) . "\n" : "every worker logged each user in once and reused that connection after\n";
echo $fresh === array_sum(array_map('count', $seen)) ? "fresh logins: one per worker and user\n" : "fresh logins: $fresh\n";
$during = pool_sessions($env, $users[0])['imap'] ?? 0;    // every page view released: what the pools hold
echo "sessions of $users[0] while the server runs: ", $during === count(array_filter($seen, fn($u) => isset($u[$users[0]]))) ? 'one per worker that served it' : $during, "\n";

pool_stop_tree(proc_get_status($server)['pid']);
proc_close($server);
foreach ($users as $u) {
    echo "$u after the server stopped: ", json_encode(pool_sessions_settled($env, $u, [])), "\n";
}
array_map('unlink', glob("$dir/*"));
rmdir($dir);
?>
--EXPECT--
16 page views answered by up to 3 processes
every worker logged each user in once and reused that connection after
fresh logins: one per worker and user
sessions of pool12 while the server runs: one per worker that served it
pool12 after the server stopped: []
pool13 after the server stopped: []
