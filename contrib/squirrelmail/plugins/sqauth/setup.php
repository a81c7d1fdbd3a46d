<?php
/**
 * sqauth for SquirrelMail: plugin registration (read by config/conf.pl when the
 * plugin is activated) and the hook functions.
 *
 * The integration works without activating the plugin: the blocks that
 * contrib/squirrelmail/install adds to SquirrelMail load functions.php
 * themselves. Activating it (config/conf.pl, "Plugins") adds
 *  - smtp_authenticate: SMTP AUTH through SquirrelMail's own hook, next to any
 *    other plugin that authenticates there;
 *  - configtest: a sqauth section on src/configtest.php (extension, mapped TLS
 *    options, a connection to the IMAP and SMTP servers).
 *
 * @license MIT (the sqauth project)
 * @package plugins
 * @subpackage sqauth
 */

function squirrelmail_plugin_init_sqauth()
{
    global $squirrelmail_plugin_hooks;

    $squirrelmail_plugin_hooks['smtp_authenticate']['sqauth'] = 'sqauth_plugin_smtp_authenticate';
    $squirrelmail_plugin_hooks['configtest']['sqauth'] = 'sqauth_plugin_configtest';
}

function sqauth_info()
{
    return array(
        'english_name' => 'sqauth',
        'version' => '0.1.0',
        'summary' => 'Logins, mail sending and TLS through the sqauth PHP extension.',
        'details' => 'IMAP and SMTP connections, STARTTLS, every SASL mechanism and TLS error '
            . 'reporting done by the sqauth extension; installed with contrib/squirrelmail/install '
            . 'from the sqauth sources, which also patches the functions SquirrelMail has no hook for.',
        'requires_configuration' => 0,
        'requires_source_patch' => 1,
    );
}

function sqauth_version()
{
    $info = sqauth_info();
    return $info['version'];
}

/**
 * smtp_authenticate: true when sqauth logged in on this connection. A stream
 * that is not sqauth's (the extension is not loaded) is left to SquirrelMail.
 */
function sqauth_plugin_smtp_authenticate(&$args)
{
    if (!extension_loaded('sqauth')) {
        return false;
    }
    require_once(SM_PATH . 'plugins/sqauth/functions.php');
    return sqauth_sm_smtp_authenticate($args);
}

/** configtest: true (a failed test) when sqauth cannot reach a server the way the configuration says. */
function sqauth_plugin_configtest()
{
    if (!extension_loaded('sqauth')) {
        do_err('sqauth plugin: the sqauth extension is not loaded, so SquirrelMail uses its own code '
            . '(load it with extension=sqauth.so in php.ini)', false);
        return false;
    }
    require_once(SM_PATH . 'plugins/sqauth/functions.php');
    return sqauth_sm_configtest();
}
