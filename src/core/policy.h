/*
 * sqauth core: the login policy. Every decision a login makes lives here,
 * behind sqauth_login(): which mechanism ('auto' picks the strongest both
 * sides have), whether a secret may go over an unencrypted connection,
 * whether the server offers the mechanism, the SASL service name, TLS
 * channel binding for -PLUS, the security-layer preference by TLS state,
 * installing the security layer, the site-wide SMTP account, and what
 * happens to a server that accepts a login without proving itself. The PHP
 * binding, the C tests and the fuzzers all call this one function.
 */
#ifndef SQAUTH_POLICY_H
#define SQAUTH_POLICY_H

#include "proto/session.h"

typedef enum {
    SQAUTH_LOGIN_SASL = 0,       /* AUTHENTICATE / AUTH with a SASL mechanism */
    SQAUTH_LOGIN_COMMAND = 1     /* the protocol's own login command: IMAP LOGIN, POP3 USER/PASS */
} sqauth_login_method;

/* One login, whatever the caller. Strings are borrowed for the call. */
typedef struct sqauth_login_options {
    sqauth_login_method method;
    /* SASL: a mechanism name (any case), or "auto" for the strongest
     * mechanism both sides have. */
    sqauth_str mechanism;
    /* 'auto' picks among these (any case); NULL = every password
     * mechanism, and over TLS their -PLUS variants too. */
    const sqauth_str *allowed;
    size_t allowed_count;
    /* Send a reusable secret (PLAIN, LOGIN, bearer tokens, IMAP LOGIN,
     * USER/PASS) over an unencrypted connection. */
    int allow_plaintext;
    /* Credentials (authcid = the user, password, authzid, token) and the
     * mechanism options, as a SaslClient takes them. Left absent (data
     * NULL), service, host, qop and the channel binding come from the
     * session: the protocol's service name, the host connected to,
     * auth-conf > auth-int > auth without TLS and auth over TLS, and the
     * TLS connection's own channel binding for -PLUS. */
    sqauth_sasl_config sasl;
    /* OAuth 2.0 tokens that expire: where the token comes from instead of
     * sasl.token (the binding's PHP callable; NULL = sasl.token). Called
     * with refresh 0 when a token mechanism (XOAUTH2, OAUTHBEARER) is about
     * to run, after the policy's checks, so a refused or plaintext login
     * never fetches a token; and at most once more, with refresh 1, when
     * the server refused that token as invalid or expired (see
     * sqauth_login()). Sets *token, borrowed until the next call or the end
     * of sqauth_login(). Any other return ends the login with that status
     * (err filled by the function, or left alone when its caller reports
     * the failure itself, as the binding does with a PHP exception). */
    int (*token_fn)(void *ctx, int refresh, sqauth_str *token, sqauth_error *err);
    void *token_ctx;
} sqauth_login_options;

void sqauth_login_options_init(sqauth_login_options *o);

/* Logs in on an open session: one public call, with one deadline (the
 * session's timeout) for all of it, and the rule of session.h's "After a
 * failure" when it fails.
 * Errors, before anything is sent:
 *   SQAUTH_ERR_PROTOCOL     already authenticated on this connection
 *   SQAUTH_ERR_POLICY       a cleartext secret on an unencrypted connection, LOGINDISABLED
 *   SQAUTH_ERR_UNSUPPORTED  no usable mechanism for 'auto', a mechanism the server does not
 *                           offer or this build does not know, no login command (SMTP)
 *   SQAUTH_ERR_INVALID_ARG  a credential the mechanism needs is missing, NUL bytes, an option
 *                           out of range (sqauth_sasl_new())
 * then the exchange's: SQAUTH_ERR_AUTH when the server says no
 * (sqauth_session_response() and _response_code() say why), the SASL
 * errors of the client side (after cancelling the exchange), the
 * connection errors, and SQAUTH_ERR_NOT_VERIFIED when the server accepted a
 * mechanism that can prove the server knows the secret without proving
 * it: the connection is then shut down and the session closed for I/O.
 * On success a negotiated security layer is installed: from then on the
 * session's reads and writes go through it.
 * A token that expired: when the server refuses an XOAUTH2 or OAUTHBEARER
 * login and its JSON error document (RFC 7628 §3.2.2) has the status
 * "invalid_token" (RFC 6750 §3.1) or "401" (XOAUTH2), and o->token_fn
 * gives tokens, the login asks it once for a fresh one (refresh 1) and
 * runs again on the same connection; never a third time, whatever the
 * second answer. Its failure is the login's: SQAUTH_ERR_AUTH with that
 * server reply and status. Another status (insufficient_scope,
 * invalid_request) or a refusal without a document is not retried: a
 * fresh token would not change it. */
int sqauth_login(sqauth_session *s, const sqauth_login_options *o, sqauth_error *err);

/* For detection: asks the server, for every password mechanism this build
 * knows (not -PLUS, which needs a login's TLS binding), whether it answers
 * an AUTHENTICATE/AUTH, and cancels; all of it one call, one deadline. names[i] and answers[i] for i < *count;
 * both arrays need room for sqauth_sasl_mech_count() entries. */
int sqauth_probe_mechanisms(sqauth_session *s, const char **names, int *answers, size_t *count, sqauth_error *err);

#endif
