<?php
/*
 * SCRAM-SHA-256 and SCRAM-SHA-1 (RFC 5802, RFC 7677; SMTP framing RFC 4954)
 * for PEAR Net_SMTP, the SMTP layer of Roundcube, computed by the sqauth
 * extension (SqAuth\SaslClient). Net_SMTP 1.10 has no SCRAM, and the SCRAM
 * class of Auth_SASL 1.1 (Auth/SASL/SCRAM.php) calls create_function(),
 * which PHP 8 removed.
 *
 *   $smtp = new Net_SMTP('tls://mail.example.com', 465);
 *   ScramAuth::register($smtp);                 // SCRAM-SHA-256 first, then SCRAM-SHA-1
 *   $smtp->connect(); $smtp->auth($user, $password);
 *
 * register() uses Net_SMTP::setAuthMethod() with prepend, so getBestAuthMethod()
 * prefers SCRAM whenever the server offers it; auth($user, $pw, 'SCRAM-SHA-1')
 * picks one by name. Errors come back the Net_SMTP way, as a PEAR_Error from
 * auth(). The server signature (v=) is checked: when it does not match, or
 * the server accepts the login without one, the exchange is cancelled, the
 * connection is closed (nothing more reaches a server that did not prove
 * that it knows the password) and auth() returns a PEAR_Error with code 4
 * (sqauth's "server not verified").
 */
declare(strict_types=1);

namespace SqAuth\Contrib\NetSmtp;

use SqAuth\SaslClient;
use SqAuth\SaslException;

final class ScramAuth
{
    /** Strongest first: register() prepends them so that this order wins. */
    public const MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-1'];

    /** sqauth's status for "the server did not prove that it knows the password". */
    public const NOT_VERIFIED = 4;

    private string $mechanism;
    private array $options;

    /**
     * @param array $options SqAuth\SaslClient options ('min_iterations',
     *                       'max_iterations', ...); 'service' is always 'smtp'
     */
    public function __construct(string $mechanism, array $options = [])
    {
        $mechanism = strtoupper($mechanism);
        if (!in_array($mechanism, self::MECHANISMS, true)) {
            throw new \InvalidArgumentException("$mechanism is not one of " . implode(', ', self::MECHANISMS)
                . (str_ends_with($mechanism, '-PLUS') ? ' (Net_SMTP does not expose the TLS channel for channel binding)' : ''));
        }
        $this->mechanism = $mechanism;
        $this->options = ['service' => 'smtp'] + $options;
    }

    /**
     * Registers the SCRAM mechanisms with Net_SMTP::setAuthMethod(), ahead of
     * its own.
     *
     * @param list<string> $mechanisms a subset of MECHANISMS, strongest first
     */
    public static function register(\Net_SMTP $smtp, array $options = [], array $mechanisms = self::MECHANISMS): void
    {
        foreach (array_reverse($mechanisms) as $m) {
            $auth = new self($m, $options);
            $r = $smtp->setAuthMethod($auth->mechanism, [$auth, 'authenticate'], true);
            if ($r !== true) {
                throw new \RuntimeException("Net_SMTP refused $m: " . $r->getMessage());
            }
        }
    }

    /**
     * The callback Net_SMTP::auth() calls: true, or a PEAR_Error.
     */
    public function authenticate(string $uid, #[\SensitiveParameter] string $pwd, ?string $authz, \Net_SMTP $smtp): mixed
    {
        $credentials = ['authcid' => $uid, 'password' => $pwd];
        if ($authz !== null && $authz !== '') {
            $credentials['authzid'] = $authz;
        }
        try {
            $sasl = new SaslClient($this->mechanism, $credentials, $this->options);
            $first = base64_encode((string)$sasl->start());
        } catch (SaslException $e) {
            return \PEAR::raiseError("{$this->mechanism}: {$e->getMessage()}", $e->getCode());
        }
        $r = $smtp->command("AUTH {$this->mechanism} $first", 334);
        if ($r !== true) {
            return $r;
        }
        try {
            $r = $smtp->command(base64_encode($sasl->step($this->challenge($smtp))), [334, 235]);
            if ($r !== true) {
                return $r;
            }
            if ($smtp->getResponse()[0] === 334) {
                // The server-final message: step() checks v= and throws when it does not match.
                $sasl->step($this->challenge($smtp));
                $r = $smtp->command('', 235);
                if ($r !== true) {
                    return $r;
                }
            }
        } catch (SaslException $e) {
            return $this->refuse($smtp, "{$this->mechanism}: {$e->getMessage()}", $e->getCode());
        }
        if (!$sasl->isServerVerified()) {
            // 235 straight after the client proof: the login went through without v=.
            $smtp->disconnect(true);
            return \PEAR::raiseError("{$this->mechanism}: the server accepted the login without proving that it "
                . 'knows the password (no server signature); connection closed', self::NOT_VERIFIED);
        }
        return true;
    }

    /** The decoded text of the last "334 <base64>" reply. */
    private function challenge(\Net_SMTP $smtp): string
    {
        [$code, $text] = $smtp->getResponse();
        $raw = base64_decode($text, true);
        if ($code !== 334 || $raw === false || str_contains($text, "\n")) {
            throw new SaslException("the server's challenge is not one line of base64", 3);
        }
        return $raw;
    }

    /**
     * Cancels the exchange (RFC 4954 4) and, unless the server merely said
     * no (SCRAM e=), closes the connection: the server did not prove itself.
     */
    private function refuse(\Net_SMTP $smtp, string $message, int $code): \PEAR_Error
    {
        $smtp->command('*', 501);
        if ($code !== 5) {
            $smtp->disconnect(true);
            $message .= '; connection closed';
        }
        return \PEAR::raiseError($message, $code);
    }
}
