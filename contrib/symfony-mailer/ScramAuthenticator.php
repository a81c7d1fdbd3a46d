<?php
/*
 * SCRAM-SHA-256 and SCRAM-SHA-1 (RFC 5802, RFC 7677; SMTP framing RFC 4954)
 * for Symfony Mailer's EsmtpTransport, computed by the sqauth extension
 * (SqAuth\SaslClient). Symfony Mailer has no SCRAM of its own.
 *
 *   $transport = new EsmtpTransport('mail.example.com', 587);
 *   $transport->setUsername($user)->setPassword($password);
 *   ScramAuthenticator::install($transport);   // SCRAM-SHA-256, then -1, before Symfony's own
 *
 * The server signature (v=) is checked: a server that cannot prove that it
 * knows the password gets a SASL cancel, the connection is closed and the
 * send stops with SqAuth\SaslException (code 4). That exception is deliberately not a
 * Symfony TransportException: EsmtpTransport answers a TransportException
 * from one authenticator by trying the next (CRAM-MD5, LOGIN, PLAIN), which
 * would hand the password to the very server that just failed to prove
 * itself. A server that refuses the login (535, or SCRAM e=) is an ordinary
 * TransportException, so Symfony carries on as it does for its own
 * authenticators; so are a user name or password SCRAM cannot take (SASLprep
 * refuses it, e.g. a password that is not UTF-8): the server did nothing
 * wrong, and Symfony's next authenticator may well log in.
 *
 * No -PLUS variants: channel binding needs the TLS channel (tls-unique,
 * tls-exporter or the server certificate), and EsmtpTransport does not
 * expose it: its SocketStream keeps the stream resource protected, and
 * PHP's stream layer exports neither tls-unique nor tls-exporter keying
 * material. Asking for one is an InvalidArgumentException; a server that
 * offers only -PLUS is left to Symfony's "no supported authenticator".
 */
declare(strict_types=1);

namespace SqAuth\Contrib\SymfonyMailer;

use SqAuth\SaslClient;
use SqAuth\SaslException;
use Symfony\Component\Mailer\Exception\TransportException;
use Symfony\Component\Mailer\Exception\TransportExceptionInterface;
use Symfony\Component\Mailer\Transport\Smtp\Auth\AuthenticatorInterface;
use Symfony\Component\Mailer\Transport\Smtp\EsmtpTransport;

final class ScramAuthenticator implements AuthenticatorInterface
{
    /** Strongest first: the order install() puts them in. */
    public const MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-1'];

    /** sqauth's status for "the server did not prove that it knows the password". */
    private const NOT_VERIFIED = 4;
    /** sqauth's status for "the server reported an error" (SCRAM e=). */
    private const SERVER_ERROR = 5;
    /** sqauth's status for a charset problem: SASLprep refused the user name or password. */
    private const CHARSET = 10;

    private string $mechanism;
    private array $options;

    /**
     * @param array $options SqAuth\SaslClient options ('min_iterations',
     *                       'max_iterations', ...); 'service' is always 'smtp'
     */
    public function __construct(string $mechanism = 'SCRAM-SHA-256', array $options = [])
    {
        $mechanism = strtoupper($mechanism);
        if (str_ends_with($mechanism, '-PLUS')) {
            throw new \InvalidArgumentException("$mechanism needs TLS channel binding data, which Symfony Mailer's "
                . 'transport does not expose; use ' . substr($mechanism, 0, -5));
        }
        if (!in_array($mechanism, self::MECHANISMS, true)) {
            throw new \InvalidArgumentException("$mechanism is not one of " . implode(', ', self::MECHANISMS));
        }
        $this->mechanism = $mechanism;
        $this->options = ['service' => 'smtp'] + $options;
    }

    /**
     * Adds SCRAM authenticators to the transport, ahead of its own ones.
     *
     * EsmtpTransport tries its authenticators in list order and stops at the
     * first that works; addAuthenticator() appends, so SCRAM would only run
     * after CRAM-MD5, LOGIN and PLAIN had been tried. Symfony 5.4 (Debian 12)
     * has no way to reorder the list, so the list is read through reflection
     * and written back with setAuthenticators() where Symfony has it, through
     * reflection otherwise. Calling install() again replaces the SCRAM ones.
     *
     * @param list<string> $mechanisms a subset of MECHANISMS, in the order to try
     */
    public static function install(EsmtpTransport $transport, array $options = [],
                                   array $mechanisms = self::MECHANISMS): void
    {
        $ours = [];
        foreach ($mechanisms as $m) {
            $ours[] = new self($m, $options);
        }
        $list = new \ReflectionProperty(EsmtpTransport::class, 'authenticators');
        $theirs = array_values(array_filter($list->getValue($transport), fn ($a) => !$a instanceof self));
        if (method_exists($transport, 'setAuthenticators')) {
            $transport->setAuthenticators([...$ours, ...$theirs]);
        } else {
            $list->setValue($transport, [...$ours, ...$theirs]);
        }
    }

    public function getAuthKeyword(): string
    {
        return $this->mechanism;
    }

    public function authenticate(EsmtpTransport $client): void
    {
        $sasl = new SaslClient($this->mechanism,
            ['authcid' => $client->getUsername(), 'password' => $client->getPassword()], $this->options);
        try {
            $first = (string)$sasl->start();
        } catch (SaslException $e) {
            throw $this->unusable($e);
        }
        $reply = $client->executeCommand("AUTH {$this->mechanism} " . base64_encode($first) . "\r\n", [334]);
        try {
            $answer = $sasl->step($this->challenge($reply));
            $reply = $client->executeCommand(base64_encode($answer) . "\r\n", [334, 235]);
            if (str_starts_with($reply, '334')) {
                // The server-final message: step() checks v= and throws when it does not match.
                $sasl->step($this->challenge($reply));
                $reply = $client->executeCommand("\r\n", [235]);
            }
        } catch (SaslException $e) {
            $this->cancel($client);
            if ($e->getCode() === self::SERVER_ERROR) {
                throw new TransportException("{$this->mechanism}: the server refused the login ({$e->getMessage()})", 0, $e);
            }
            if ($e->getCode() === self::CHARSET) {
                throw $this->unusable($e);
            }
            $client->getStream()->terminate();
            throw $e;
        }
        if (!$sasl->isServerVerified()) {
            // 235 straight after the client proof: the login went through without v=.
            $client->getStream()->terminate();
            throw new SaslException("{$this->mechanism}: the server accepted the login without proving that it "
                . 'knows the password (no server signature); connection closed', self::NOT_VERIFIED);
        }
    }

    /** Credentials SCRAM cannot take: a TransportException, so that Symfony tries its next authenticator. */
    private function unusable(SaslException $e): \Throwable
    {
        if ($e->getCode() !== self::CHARSET) {
            return $e;
        }
        return new TransportException("{$this->mechanism} cannot be used with this user name or password ({$e->getMessage()})", 0, $e);
    }

    /** The decoded text of a "334 <base64>" reply; anything else is a malformed challenge. */
    private function challenge(string $reply): string
    {
        $b64 = rtrim(substr($reply, 4), "\r\n");
        $raw = base64_decode($b64, true);
        if (!str_starts_with($reply, '334 ') || $raw === false) {
            throw new SaslException("{$this->mechanism}: the server's challenge is not one line of base64", 3);
        }
        return $raw;
    }

    /** RFC 4954 4: "*" ends the exchange; the server's answer (501) does not matter any more. */
    private function cancel(EsmtpTransport $client): void
    {
        try {
            $client->executeCommand("*\r\n", [501]);
        } catch (TransportExceptionInterface) {
        }
    }
}
