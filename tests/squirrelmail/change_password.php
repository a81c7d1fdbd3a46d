<?php
/*
 * A password-change page for the e2e (section 6c), as SquirrelMail 1.5
 * documents them: it changes the user's password where the IMAP server keeps
 * it, here the test Dovecot's passwd-file ($SQAUTH_TEST_DIR/passwd,
 * "user@a.example:{PLAIN}password" lines, which Dovecot reads again when the
 * file changes), as a site's would in its LDAP or SQL, then saves the new one
 * in the session with sqauth_save_password(). (The fixture's change_password
 * plugin does the same, but fails on PHP 8 before it gets there: its
 * do_hook() call passes an expression by reference.) The e2e copies it into
 * the unpacked tree as plugins/sqauth_e2e/change_password.php and removes it
 * afterwards. POST: current, new.
 */
define('SM_PATH', '../../');
require SM_PATH . 'include/init.php';

sqgetGlobalVar('current', $current, SQ_POST);
sqgetGlobalVar('new', $new, SQ_POST);
sqgetGlobalVar('username', $username, SQ_SESSION);
$file = getenv('SQAUTH_TEST_DIR') . '/passwd';
$who = "$username@a.example:{PLAIN}";
$text = (string)@file_get_contents($file);
if ((string)$current !== sqauth_read_password() || (string)$new === ''
    || !preg_match('/^' . preg_quote($who . $current, '/') . '$/m', $text)) {
    echo "not changed: the current password is not correct\n";
    exit;
}
// a callback: a new password with "$1" or "\1" in it is written as it is
$text = preg_replace_callback('/^' . preg_quote($who . $current, '/') . '$/m', fn() => $who . $new, $text);
// A new file in its place, with the old one's group and mode: Dovecot never reads half of it
if (file_put_contents("$file.new", $text) === false || !chgrp("$file.new", filegroup($file))
    || !chmod("$file.new", fileperms($file) & 0777) || !rename("$file.new", $file)) {
    echo "not changed: cannot write $file\n";
    exit;
}
sqauth_save_password($new);
echo "password changed\n";
