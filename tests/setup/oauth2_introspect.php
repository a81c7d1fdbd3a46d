<?php
/*
 * OAuth 2.0 token introspection endpoint (RFC 7662) for the main Dovecot's oauth2 passdb
 * (servers.sh writes dovecot-oauth2.conf.ext with introspection_mode = post). Router script
 * for PHP's built-in server, started by servers.sh:
 *
 *   SQAUTH_OAUTH_TOKEN=... SQAUTH_OAUTH_USER=testuser@a.example \
 *       php -n -S 127.0.0.1:31080 tests/setup/oauth2_introspect.php
 *
 * One fixed token is valid: $SQAUTH_OAUTH_TOKEN, for $SQAUTH_OAUTH_USER. So are tokens that
 * expire, for the same user: $SQAUTH_OAUTH_EXPIRING_PREFIX followed by a Unix time in decimal
 * digits ("sqauth-test-exp-1893456000") is active until that second, then inactive, as an
 * access token past its "exp" would be. A test mints one that has already expired and a fresh
 * one without any state shared with other tests (tests/live/auth_oauth_refresh.phpt). The
 * token is taken from a POST body (token=...), the query string (?token=...) or
 * "Authorization: Bearer ...", so every introspection_mode but local works. Answers
 *   valid token:   200 {"active":true,"username":USER,"scope":"mail","token_type":"Bearer",...}
 *   unknown or expired token: 200 {"active":false}  (RFC 7662 §2.2: an inactive token is not an HTTP error)
 *   no token:      400 {"error":"invalid_request"}
 * GET /health answers 200 "ok". The token is never logged (php -S logs only addresses).
 */
$valid = getenv('SQAUTH_OAUTH_TOKEN');
$user = getenv('SQAUTH_OAUTH_USER');
$expiring = getenv('SQAUTH_OAUTH_EXPIRING_PREFIX');
$path = parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH);

header('Content-Type: application/json');
header('Cache-Control: no-store');
if ($path === '/health') {
    header('Content-Type: text/plain');
    echo "ok\n";
    return true;
}
if ($valid === false || $valid === '' || $user === false || $user === '') {
    http_response_code(500);
    echo json_encode(['error' => 'server_error', 'error_description' => 'SQAUTH_OAUTH_TOKEN/USER not set']);
    return true;
}

$token = null;
if (isset($_POST['token']) && is_string($_POST['token'])) {
    $token = $_POST['token'];
} elseif (isset($_GET['token']) && is_string($_GET['token'])) {
    $token = $_GET['token'];
} else {
    $auth = $_SERVER['HTTP_AUTHORIZATION'] ?? '';
    if (preg_match('/^Bearer\s+(\S+)$/i', $auth, $m)) {
        $token = $m[1];
    }
}
if ($token === null || $token === '') {
    http_response_code(400);
    echo json_encode(['error' => 'invalid_request']);
    return true;
}
$now = time();
$exp = $now + 3600;
if ($expiring !== false && $expiring !== '' && str_starts_with($token, $expiring)
    && preg_match('/^[0-9]{1,12}$/D', substr($token, strlen($expiring)))) {
    $exp = (int)substr($token, strlen($expiring));
    if ($exp <= $now) {
        echo json_encode(['active' => false]);
        return true;
    }
} elseif (!hash_equals($valid, $token)) {
    echo json_encode(['active' => false]);
    return true;
}
echo json_encode([
    'active' => true,
    'username' => $user,
    'scope' => 'mail',
    'token_type' => 'Bearer',
    'client_id' => 'sqauth-tests',
    'iat' => $now,
    'exp' => $exp,
]);
return true;
