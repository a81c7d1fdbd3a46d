<?php

/**
 * @generate-class-entries
 */

namespace SqAuth {
    /**
     * A SASL client exchange with no I/O: raw bytes in, raw bytes out.
     * @strict-properties
     * @not-serializable
     */
    final class SaslClient
    {
        public function __construct(string $mechanism, #[\SensitiveParameter] array $credentials, array $options = []) {}

        public function mechanism(): string {}

        public function start(): ?string {}

        public function step(string $challenge): string {}

        public function isComplete(): bool {}

        public function isServerVerified(): bool {}

        public function securityLayer(): ?string {}

        public function serverError(): ?string {}
    }

    /**
     * A connection to an IMAP, POP3 or SMTP server, with TLS or STARTTLS.
     * @strict-properties
     * @not-serializable
     */
    final class Connection
    {
        private function __construct() {}

        public static function open(#[\SensitiveParameter] string $uri, #[\SensitiveParameter] array $options = []): Connection {}

        /** @param resource $stream */
        public static function fromStream($stream, string $protocol, array $options = []): Connection {}

        public function protocol(): string {}

        public function greeting(): string {}

        public function capabilities(): array {}

        public function mechanisms(): array {}

        public function startTls(): void {}

        public function isEncrypted(): bool {}

        public function tlsInfo(): ?array {}

        /** The SASL security layer in force after authenticate(): mechanism, qop, cipher, maxbufs; null if none. */
        public function securityLayer(): ?array {}

        public function authenticate(
            string $mechanism,
            string $user,
            #[\SensitiveParameter] string $password,
            #[\SensitiveParameter] array $options = []
        ): void {}

        public function login(string $user, #[\SensitiveParameter] string $password, array $options = []): void {}

        /** The server's first challenge for $mechanism (raw bytes), then cancels; null if it does not answer. */
        public function probeChallenge(string $mechanism): ?string {}

        /** @return resource */
        public function stream() {}

        public function transcript(): array {}

        public function close(): void {}
    }

    class Exception extends \Exception
    {
    }

    class ConnectionException extends Exception
    {
        private int $errno = 0;

        public function getErrno(): int {}
    }

    class TlsException extends Exception
    {
        private array $opensslErrors = [];
        private ?array $verifyResult = null;
        private ?string $alert = null;

        public function getOpensslErrors(): array {}

        public function getVerifyResult(): ?array {}

        public function getAlert(): ?string {}
    }

    class ProtocolException extends Exception
    {
        private ?string $serverResponse = null;

        public function getServerResponse(): ?string {}
    }

    class SaslException extends Exception
    {
    }

    class AuthenticationException extends Exception
    {
        private ?string $serverResponse = null;
        private ?string $responseCode = null;

        public function getServerResponse(): ?string {}

        public function getResponseCode(): ?string {}
    }

    function mechanisms(): array {}

    function features(): array {}

    function select_mechanism(array $offered, ?array $allowed = null, bool $encrypted = true): ?string {}

    function cram_md5_response(string $user, #[\SensitiveParameter] string $password, string $challenge): string {}

    function digest_md5_parse_challenge(string $challenge): array {}

    function openssl_error_decode(int|string $code): array {}

    function detect(#[\SensitiveParameter] string $uri, #[\SensitiveParameter] array $options = []): array {}

    function digest_md5_response(
        string $user,
        #[\SensitiveParameter] string $password,
        string $challenge,
        string $service,
        string $host,
        string $authz = '',
        array $options = []
    ): string {}
}
