--TEST--
SquirrelMail plugin: a page view's IMAP login refused with [LIMIT] (too many sessions of the user, which pooled connections count against) keeps the SquirrelMail session and says what happened; the same refusal of the login form, and a plain NO, end it as SquirrelMail does
--EXTENSIONS--
sqauth
--FILE--
<?php
require __DIR__ . '/../contrib/squirrelmail/plugins/sqauth/functions.php';

// SquirrelMail's own functions that the error path calls, recording what it did
$calls = [];
function set_up_language($language, $force = false) {}
function sqsession_destroy() { global $calls; $calls[] = 'sqsession_destroy'; }
if (!function_exists('_')) {
    function _($text) { return $text; }
}
$display_imap_login_error = false;
$limit = 'Maximum number of connections from user+IP exceeded (mail_max_userip_connections=10)';

foreach ([
    'a page view, [LIMIT]' => ['NO', "[LIMIT] $limit", true],
    'a page view, [LIMIT], $display_imap_login_error' => ['NO', "[LIMIT] $limit", true],
    'the login form, [LIMIT]' => ['NO', "[LIMIT] $limit", false],
    'a page view, a plain NO' => ['NO', '[AUTHENTICATIONFAILED] Authentication failed.', false],
] as $what => [$status, $text, $page_view_limit]) {
    $calls = [];
    $display_imap_login_error = str_contains($what, 'display');
    // $hide = 3: the message is returned instead of shown (sqimap_login()'s contract)
    $message = sqauth_sm_imap_login_failed($status, $text, 3, $page_view_limit);
    echo "-- $what\n", $message, "\n", 'session ended: ', $calls ? 'yes' : 'no', "\n";
}
var_dump(sqauth_sm_imap_login_failed('NO', "[LIMIT] $limit", 2, true));
var_dump(sqauth_sm_without_code('[LIMIT] too many'), sqauth_sm_without_code('no code [here]'));
?>
--EXPECT--
-- a page view, [LIMIT]
The IMAP server refused another connection for you.
Please try again in a moment. If this goes on, the server's limit of connections per user is too low for this site: see the sqauth plugin's README (mail_max_userip_connections).
session ended: no
-- a page view, [LIMIT], $display_imap_login_error
The IMAP server refused another connection for you. (Maximum number of connections from user+IP exceeded (mail_max_userip_connections=10))
Please try again in a moment. If this goes on, the server's limit of connections per user is too low for this site: see the sqauth plugin's README (mail_max_userip_connections).
session ended: no
-- the login form, [LIMIT]
Unknown user or password incorrect.
session ended: yes
-- a page view, a plain NO
Unknown user or password incorrect.
session ended: yes
bool(false)
string(8) "too many"
string(14) "no code [here]"
