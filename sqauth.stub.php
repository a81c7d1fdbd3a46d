<?php

/**
 * @generate-class-entries
 */

/*
 * The PHPDoc below is for IDEs and static analysers (PHPStan, Psalm): the
 * option arrays as array shapes and the exceptions each call throws.
 * tests/manual/stub_shapes.phpt keeps the shapes equal to the options the
 * extension knows; docs/manual/ explains each key. scripts/gen-arginfo.sh
 * hides the shapes from PHP 8.2's gen_stub.php, which cannot read them.
 */

namespace SqAuth {
    /**
     * A SASL client exchange with no I/O: raw bytes in, raw bytes out.
     * @strict-properties
     * @not-serializable
     */
    final class SaslClient
    {
        /**
         * @param array{
         *     authcid?: string,
         *     password?: string,
         *     authzid?: string,
         *     token?: string,
         * } $credentials
         * @param array{
         *     service?: string,
         *     host?: string,
         *     port?: int<1, 65535>,
         *     realm?: string,
         *     qop?: 'auth'|'auth-int'|'auth-conf'|list<'auth'|'auth-int'|'auth-conf'>,
         *     cipher?: '3des'|'des'|'rc4'|'rc4-56'|'rc4-40',
         *     maxbuf?: int<17, 16777215>,
         *     digest_charset?: 'rfc2831'|'utf-8',
         *     min_iterations?: int<1, 2147483647>,
         *     max_iterations?: int<1, 2147483647>,
         *     scram_cache?: bool,
         *     channel_binding?: array{type: string, data: string},
         *     cnonce?: string,
         * } $options
         * @throws SaslException unsupported mechanism, a credential the mechanism needs is missing, a value out of range
         * @throws \ValueError an unknown key or a value of the wrong form
         */
        public function __construct(string $mechanism, #[\SensitiveParameter] array $credentials, array $options = []) {}

        public function mechanism(): string {}

        /** @throws SaslException called twice, or the credentials cannot be used (SASLprep, a byte the mechanism forbids) */
        public function start(): ?string {}

        /** @throws SaslException malformed challenge, server not verified, server error, policy, call out of order */
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

        /**
         * Connects, secures and reads the greeting and capabilities. 'timeout' (seconds, default
         * 30) is a deadline for each public call as a whole (this one, startTls(), authenticate(),
         * login(), probeChallenge(), capabilities() and mechanisms() when they ask the server,
         * close()'s goodbye), however many reads it makes; through stream() it bounds each read
         * and write on its own, as PHP's streams do. 'connect_timeout' bounds the TCP connect
         * within that deadline (the earlier of the two ends it).
         * @param array{
         *     tls?: 'none'|'starttls'|'implicit',
         *     verify_peer?: bool,
         *     verify_peer_name?: bool,
         *     peer_name?: string,
         *     cafile?: string,
         *     capath?: string,
         *     local_cert?: string,
         *     local_pk?: string,
         *     min_protocol?: 'TLSv1'|'TLSv1.0'|'TLSv1.1'|'TLSv1.2'|'TLSv1.3',
         *     max_protocol?: 'TLSv1'|'TLSv1.0'|'TLSv1.1'|'TLSv1.2'|'TLSv1.3',
         *     ciphers?: string,
         *     peer_fingerprint?: string,
         *     session_resumption?: bool,
         *     timeout?: int|float,
         *     connect_timeout?: int|float,
         *     greeting?: bool,
         *     helo?: string,
         *     transcript?: bool,
         *     smtp_user?: string,
         *     smtp_password?: string,
         * } $options
         * @throws ConnectionException cannot connect (DNS, refused), the call's 'timeout' or 'connect_timeout' passed (code 12), or the server closed
         * @throws TlsException handshake or certificate verification failed, a TLS option cannot be loaded
         * @throws ProtocolException unexpected greeting, STARTTLS not offered or refused, bytes injected before the handshake
         * @throws \ValueError a malformed URI, an unknown option or a value out of range
         */
        public static function open(#[\SensitiveParameter] string $uri, #[\SensitiveParameter] array $options = []): Connection {}

        /**
         * Adopts a connected socket; the greeting and STARTTLS have one deadline, 'timeout'.
         * @param resource $stream
         * @param array{
         *     tls?: 'none'|'starttls'|'implicit',
         *     verify_peer?: bool,
         *     verify_peer_name?: bool,
         *     peer_name?: string,
         *     cafile?: string,
         *     capath?: string,
         *     local_cert?: string,
         *     local_pk?: string,
         *     min_protocol?: 'TLSv1'|'TLSv1.0'|'TLSv1.1'|'TLSv1.2'|'TLSv1.3',
         *     max_protocol?: 'TLSv1'|'TLSv1.0'|'TLSv1.1'|'TLSv1.2'|'TLSv1.3',
         *     ciphers?: string,
         *     peer_fingerprint?: string,
         *     session_resumption?: bool,
         *     timeout?: int|float,
         *     connect_timeout?: int|float,
         *     greeting?: bool,
         *     helo?: string,
         *     transcript?: bool,
         *     smtp_user?: string,
         *     smtp_password?: string,
         * } $options
         * @throws ConnectionException the socket cannot be made non-blocking, the call's 'timeout' passed (code 12), or the server closed
         * @throws TlsException handshake or certificate verification failed, a TLS option cannot be loaded
         * @throws ProtocolException unexpected greeting, STARTTLS not offered or refused, bytes injected before the handshake
         * @throws \ValueError an unknown protocol or option, a value out of range, no 'peer_name' to verify against
         */
        public static function fromStream($stream, string $protocol, array $options = []): Connection {}

        /**
         * An authenticated connection from this process's pool, or a fresh one logged in with
         * authenticate($mechanism, $user, $password, ...); hand it back with release(). The fresh
         * login and any check of a pooled connection share one deadline, 'timeout'. 'token' is a
         * string here: the pool is keyed by the token itself. 'reuse' => false (a login form): never
         * a kept connection; a fresh login the server accepts replaces the ones kept for this login.
         * @param array{
         *     tls?: 'none'|'starttls'|'implicit',
         *     verify_peer?: bool,
         *     verify_peer_name?: bool,
         *     peer_name?: string,
         *     cafile?: string,
         *     capath?: string,
         *     local_cert?: string,
         *     local_pk?: string,
         *     min_protocol?: 'TLSv1'|'TLSv1.0'|'TLSv1.1'|'TLSv1.2'|'TLSv1.3',
         *     max_protocol?: 'TLSv1'|'TLSv1.0'|'TLSv1.1'|'TLSv1.2'|'TLSv1.3',
         *     ciphers?: string,
         *     peer_fingerprint?: string,
         *     session_resumption?: bool,
         *     timeout?: int|float,
         *     connect_timeout?: int|float,
         *     greeting?: bool,
         *     helo?: string,
         *     transcript?: bool,
         *     smtp_user?: string,
         *     smtp_password?: string,
         *     allow_plaintext?: bool,
         *     allowed?: list<string>,
         *     authzid?: string,
         *     token?: string,
         *     service?: string,
         *     host?: string,
         *     port?: int<1, 65535>,
         *     realm?: string,
         *     qop?: 'auth'|'auth-int'|'auth-conf'|list<'auth'|'auth-int'|'auth-conf'>,
         *     cipher?: '3des'|'des'|'rc4'|'rc4-56'|'rc4-40',
         *     maxbuf?: int<17, 16777215>,
         *     digest_charset?: 'rfc2831'|'utf-8',
         *     min_iterations?: int<1, 2147483647>,
         *     max_iterations?: int<1, 2147483647>,
         *     scram_cache?: bool,
         *     channel_binding?: array{type: string, data: string},
         *     cnonce?: string,
         *     reuse?: bool,
         * } $options
         * @throws ConnectionException cannot connect (DNS, refused), the call's 'timeout' or 'connect_timeout' passed (code 12), or the server closed
         * @throws TlsException handshake or certificate verification failed, a TLS option cannot be loaded
         * @throws ProtocolException unexpected greeting or reply, STARTTLS not offered or refused, bytes injected before the handshake
         * @throws AuthenticationException the server refused the login
         * @throws SaslException no usable mechanism, cleartext refused, the server did not prove itself, a malformed challenge
         * @throws \ValueError a malformed URI, an unknown option or a value out of range
         */
        public static function pooled(
            #[\SensitiveParameter] string $uri,
            string $mechanism,
            string $user,
            #[\SensitiveParameter] string $password,
            #[\SensitiveParameter] array $options = []
        ): Connection {}

        /**
         * The same with the protocol's own login command (IMAP LOGIN, POP3 USER/PASS), as login() does.
         * @param array{
         *     tls?: 'none'|'starttls'|'implicit',
         *     verify_peer?: bool,
         *     verify_peer_name?: bool,
         *     peer_name?: string,
         *     cafile?: string,
         *     capath?: string,
         *     local_cert?: string,
         *     local_pk?: string,
         *     min_protocol?: 'TLSv1'|'TLSv1.0'|'TLSv1.1'|'TLSv1.2'|'TLSv1.3',
         *     max_protocol?: 'TLSv1'|'TLSv1.0'|'TLSv1.1'|'TLSv1.2'|'TLSv1.3',
         *     ciphers?: string,
         *     peer_fingerprint?: string,
         *     session_resumption?: bool,
         *     timeout?: int|float,
         *     connect_timeout?: int|float,
         *     greeting?: bool,
         *     helo?: string,
         *     transcript?: bool,
         *     smtp_user?: string,
         *     smtp_password?: string,
         *     allow_plaintext?: bool,
         *     reuse?: bool,
         * } $options
         * @throws ConnectionException cannot connect (DNS, refused), the call's 'timeout' or 'connect_timeout' passed (code 12), or the server closed
         * @throws TlsException handshake or certificate verification failed, a TLS option cannot be loaded
         * @throws ProtocolException unexpected greeting or reply, STARTTLS not offered or refused, bytes injected before the handshake
         * @throws AuthenticationException the server refused the login
         * @throws SaslException the password would go in the clear, the server announces LOGINDISABLED, or the protocol has no such command (SMTP)
         * @throws \ValueError a malformed URI, an unknown option or a value out of range
         */
        public static function pooledLogin(
            #[\SensitiveParameter] string $uri,
            string $user,
            #[\SensitiveParameter] string $password,
            #[\SensitiveParameter] array $options = []
        ): Connection {}

        /**
         * Logs out every connection this process's pool keeps for this user identity: the same server,
         * options and login as pooled($uri, $mechanism, $user, ...) would use ($mechanism null: as
         * pooledLogin()), with any password. Takes pooled()'s options (with $mechanism null,
         * pooledLogin()'s), so that the same array can be passed; the secrets in it and 'reuse' are
         * not used. Never connects and never logs in; the goodbyes share one deadline, 'timeout'.
         * Returns how many connections it logged out (0 when the pool is off).
         * @param array{
         *     tls?: 'none'|'starttls'|'implicit',
         *     verify_peer?: bool,
         *     verify_peer_name?: bool,
         *     peer_name?: string,
         *     cafile?: string,
         *     capath?: string,
         *     local_cert?: string,
         *     local_pk?: string,
         *     min_protocol?: 'TLSv1'|'TLSv1.0'|'TLSv1.1'|'TLSv1.2'|'TLSv1.3',
         *     max_protocol?: 'TLSv1'|'TLSv1.0'|'TLSv1.1'|'TLSv1.2'|'TLSv1.3',
         *     ciphers?: string,
         *     peer_fingerprint?: string,
         *     session_resumption?: bool,
         *     timeout?: int|float,
         *     connect_timeout?: int|float,
         *     greeting?: bool,
         *     helo?: string,
         *     transcript?: bool,
         *     smtp_user?: string,
         *     smtp_password?: string,
         *     allow_plaintext?: bool,
         *     allowed?: list<string>,
         *     authzid?: string,
         *     token?: string,
         *     service?: string,
         *     host?: string,
         *     port?: int<1, 65535>,
         *     realm?: string,
         *     qop?: 'auth'|'auth-int'|'auth-conf'|list<'auth'|'auth-int'|'auth-conf'>,
         *     cipher?: '3des'|'des'|'rc4'|'rc4-56'|'rc4-40',
         *     maxbuf?: int<17, 16777215>,
         *     digest_charset?: 'rfc2831'|'utf-8',
         *     min_iterations?: int<1, 2147483647>,
         *     max_iterations?: int<1, 2147483647>,
         *     scram_cache?: bool,
         *     channel_binding?: array{type: string, data: string},
         *     cnonce?: string,
         *     reuse?: bool,
         * } $options
         * @throws \ValueError a malformed URI, an unknown option or a value out of range
         */
        public static function forgetPooled(
            #[\SensitiveParameter] string $uri,
            ?string $mechanism,
            string $user,
            #[\SensitiveParameter] array $options = []
        ): int {}

        /** @throws ConnectionException after close() (a failure that closed the connection for I/O leaves it answering) */
        public function protocol(): string {}

        /** @throws ConnectionException after close() (a failure that closed the connection for I/O leaves it answering) */
        public function greeting(): string {}

        /** @throws Exception the connection is closed (ConnectionException 13, naming the failure that closed it), or asking the server failed (its deadline is 'timeout') */
        public function capabilities(): array {}

        /** @throws Exception the connection is closed (ConnectionException 13, naming the failure that closed it), or asking the server failed (its deadline is 'timeout') */
        public function mechanisms(): array {}

        /**
         * STARTTLS, the handshake and the new capabilities, within one deadline ('timeout'); once STARTTLS
         * was sent, a failure closes the connection for I/O.
         * @throws Exception STARTTLS not offered or refused (ProtocolException), the handshake failed (TlsException), the deadline passed or the connection is closed (ConnectionException)
         */
        public function startTls(): void {}

        /** @throws ConnectionException after close() (a failure that closed the connection for I/O leaves it answering) */
        public function isEncrypted(): bool {}

        /** @throws ConnectionException after close() (a failure that closed the connection for I/O leaves it answering) */
        public function tlsInfo(): ?array {}

        /**
         * The SASL security layer in force after authenticate(): mechanism, qop, cipher, maxbufs; null if none.
         * @throws ConnectionException after close() (a failure that closed the connection for I/O leaves it answering)
         */
        public function securityLayer(): ?array {}

        /**
         * Logs in with SASL; the whole exchange has one deadline, the connection's 'timeout'. A refused
         * login leaves the connection open; a failure that leaves the exchange in an unknown state closes it for I/O.
         * 'token' may be a callable, fn(bool $refresh): string, asked once more for a fresh token when
         * the server refuses the first as expired; whatever it throws is passed through unchanged.
         * @param array{
         *     allow_plaintext?: bool,
         *     allowed?: list<string>,
         *     authzid?: string,
         *     token?: string|(callable(bool): string),
         *     service?: string,
         *     host?: string,
         *     port?: int<1, 65535>,
         *     realm?: string,
         *     qop?: 'auth'|'auth-int'|'auth-conf'|list<'auth'|'auth-int'|'auth-conf'>,
         *     cipher?: '3des'|'des'|'rc4'|'rc4-56'|'rc4-40',
         *     maxbuf?: int<17, 16777215>,
         *     digest_charset?: 'rfc2831'|'utf-8',
         *     min_iterations?: int<1, 2147483647>,
         *     max_iterations?: int<1, 2147483647>,
         *     scram_cache?: bool,
         *     channel_binding?: array{type: string, data: string},
         *     cnonce?: string,
         * } $options
         * @throws AuthenticationException the server refused the login
         * @throws SaslException no usable mechanism, cleartext refused, the server did not prove itself, a malformed challenge
         * @throws ProtocolException an unexpected reply, or already authenticated
         * @throws ConnectionException the call's 'timeout' passed (code 12), the server closed, or the connection is closed (13, naming the failure that closed it)
         * @throws TlsException a TLS error on the connection, or no channel binding for -PLUS
         * @throws \ValueError an unknown option or a value of the wrong form
         */
        public function authenticate(
            string $mechanism,
            string $user,
            #[\SensitiveParameter] string $password,
            #[\SensitiveParameter] array $options = []
        ): void {}

        /**
         * IMAP LOGIN or POP3 USER/PASS, within one deadline (the connection's 'timeout').
         * @param array{allow_plaintext?: bool} $options
         * @throws AuthenticationException the server refused the login
         * @throws SaslException the password would go in the clear, the server announces LOGINDISABLED, or the protocol has no such command (SMTP)
         * @throws ProtocolException an unexpected reply, or already authenticated
         * @throws ConnectionException the call's 'timeout' passed (code 12), the server closed, or the connection is closed (13, naming the failure that closed it)
         * @throws TlsException a TLS error on the connection
         * @throws \ValueError an unknown option, or a NUL byte in the user name or password
         */
        public function login(string $user, #[\SensitiveParameter] string $password, array $options = []): void {}

        /**
         * The server's first challenge for $mechanism (raw bytes), then cancels; null if it does not answer.
         * One deadline for all of it, the connection's 'timeout'.
         * @throws Exception the connection is closed (ConnectionException 13), the deadline passed (ConnectionException 12), or the exchange with the server failed
         */
        public function probeChallenge(string $mechanism): ?string {}

        /**
         * The connection as a PHP stream: 'timeout' bounds each read and write on its own, as for PHP's
         * streams (stream_set_timeout() changes it for the stream); a timed-out read leaves it usable.
         * @return resource
         * @throws ConnectionException after close(), or once a failure closed the connection for I/O (the message names it)
         */
        public function stream() {}

        /** @throws ConnectionException after close() (a failure that closed the connection for I/O leaves it answering) */
        public function transcript(): array {}

        public function close(): void {}

        /** Hands a connection from pooled() back to the pool (when clean; else logs it out); closed for I/O from then on. */
        public function release(): void {}

        /** Whether pooled() handed out a connection an earlier request logged in. */
        public function isReused(): bool {}
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

        /** @return list<array{code: int, library: string, library_code: int, reason: string, reason_code: int, message: string}> */
        public function getOpensslErrors(): array {}

        /** @return array{code: int, message: string, depth: int, subject: string}|null */
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

    /** @return list<string> */
    function mechanisms(): array {}

    /**
     * @return array{
     *     version: string,
     *     saslprep: bool,
     *     openssl: string,
     *     libxml: string,
     *     libidn: string|null,
     *     tls_contexts: int,
     *     tls_sessions: int,
     *     scram_cache_size: int,
     *     scram_cache_entries: int,
     *     scram_cache_hits: int,
     *     scram_cache_misses: int,
     *     scram_cache_evictions: int,
     *     pool_size: int,
     *     pool_entries: int,
     *     pool_hits: int,
     *     pool_misses: int,
     *     pool_discards: int,
     *     pool_evictions: int,
     *     pool_expired: int,
     *     pool_forgotten: int,
     *     pool_shared_signouts: bool,
     * }
     */
    function features(): array {}

    /**
     * @param list<string> $offered
     * @param list<string>|null $allowed
     */
    function select_mechanism(array $offered, ?array $allowed = null, bool $encrypted = true): ?string {}

    /** @throws SaslException the challenge is not base64, or a credential contains a NUL byte */
    function cram_md5_response(string $user, #[\SensitiveParameter] string $password, string $challenge): string {}

    /**
     * @return array<string, string|list<string>>
     * @throws SaslException the challenge is not base64 or not a valid RFC 2831 challenge
     */
    function digest_md5_parse_challenge(string $challenge): array {}

    /**
     * @return array{code: int, library: string, library_code: int, reason: string, reason_code: int, message: string, format: 'openssl-3'|'openssl-1.x', function_code?: int}
     * @throws \ValueError not an OpenSSL error code
     */
    function openssl_error_decode(int|string $code): array {}

    /**
     * What a server offers; all of it (open, probes, logout) has one deadline, 'timeout'.
     * @param array{
     *     probe?: bool,
     *     tls?: 'none'|'starttls'|'implicit',
     *     verify_peer?: bool,
     *     verify_peer_name?: bool,
     *     peer_name?: string,
     *     cafile?: string,
     *     capath?: string,
     *     local_cert?: string,
     *     local_pk?: string,
     *     min_protocol?: 'TLSv1'|'TLSv1.0'|'TLSv1.1'|'TLSv1.2'|'TLSv1.3',
     *     max_protocol?: 'TLSv1'|'TLSv1.0'|'TLSv1.1'|'TLSv1.2'|'TLSv1.3',
     *     ciphers?: string,
     *     peer_fingerprint?: string,
     *     session_resumption?: bool,
     *     timeout?: int|float,
     *     connect_timeout?: int|float,
     *     greeting?: bool,
     *     helo?: string,
     *     transcript?: bool,
     *     smtp_user?: string,
     *     smtp_password?: string,
     * } $options
     * @throws Exception cannot connect or the whole call took longer than 'timeout' (ConnectionException), TLS failed (TlsException), an unexpected reply (ProtocolException)
     * @throws \ValueError a malformed URI, an unknown option or a value out of range
     */
    function detect(#[\SensitiveParameter] string $uri, #[\SensitiveParameter] array $options = []): array {}

    /**
     * @param array{
     *     realm?: string,
     *     cnonce?: string,
     *     qop?: 'auth'|'auth-int'|'auth-conf'|list<'auth'|'auth-int'|'auth-conf'>,
     * } $options
     * @throws SaslException the challenge is not base64 or not valid, a credential cannot be used, the qop or realm is not offered
     * @throws \ValueError an unknown option or a value of the wrong form
     */
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
