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

    class Exception extends \Exception
    {
    }

    class ConnectionException extends Exception
    {
    }

    class TlsException extends Exception
    {
    }

    class ProtocolException extends Exception
    {
    }

    class SaslException extends Exception
    {
    }

    class AuthenticationException extends Exception
    {
    }

    function mechanisms(): array {}

    function features(): array {}

    function select_mechanism(array $offered, ?array $allowed = null, bool $encrypted = true): ?string {}

    function cram_md5_response(string $user, #[\SensitiveParameter] string $password, string $challenge): string {}

    function digest_md5_parse_challenge(string $challenge): array {}

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
