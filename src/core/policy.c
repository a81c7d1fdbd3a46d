/*
 * sqauth core: the login policy (see policy.h). The protocol files frame
 * the exchange (proto/auth.c drives it); the mechanisms do the maths;
 * what is allowed, chosen and trusted is decided here.
 */
#include "policy.h"
#include "proto/proto.h"
#include "sasl/oauth_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sqauth_login_options_init(sqauth_login_options *o)
{
    memset(o, 0, sizeof(*o));
}

/* The mechanisms the server lists, as borrowed strings for selection and a
 * comma list for messages. */
typedef struct offered_list {
    char **names;
    size_t count;
    sqauth_str *strs;
    char text[512];
} offered_list;

static int offered_get(sqauth_session *s, offered_list *l, sqauth_error *err)
{
    size_t i, used = 0;
    int rc;

    memset(l, 0, sizeof(*l));
    rc = sqauth_session_mechanisms(s, &l->names, &l->count, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    l->strs = calloc(l->count + 1, sizeof(sqauth_str));
    if (!l->strs) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < l->count; i++) {
        l->strs[i] = sqauth_str_c(l->names[i]);
        if (used < sizeof(l->text)) {
            used += (size_t)snprintf(l->text + used, sizeof(l->text) - used, "%s%s", i ? ", " : "", l->names[i]);
        }
    }
    if (!l->count) {
        snprintf(l->text, sizeof(l->text), "none");
    }
    return SQAUTH_OK;
}

static void offered_free(offered_list *l)
{
    sqauth_session_free_list(l->names, l->count);
    free(l->strs);
}

static int offered_has(const offered_list *l, const char *name)
{
    size_t i;
    for (i = 0; i < l->count; i++) {
        if (strcmp(l->names[i], name) == 0) {
            return 1;
        }
    }
    return 0;
}

/* 'auto': the strongest mechanism both sides have. Without a caller's
 * list, every password mechanism; over TLS the -PLUS variants too, since
 * the connection supplies their channel binding. */
/* password_only: the site-wide SMTP account, which has no token. */
static const char *pick_mechanism(const sqauth_login_options *o, const offered_list *offered, int encrypted,
                                  int password_only)
{
    sqauth_str candidates[64];
    const sqauth_str *allowed = o->allowed;
    size_t allowed_count = o->allowed_count, i;

    if (allowed && password_only) {
        allowed_count = 0;
        for (i = 0; i < o->allowed_count && allowed_count < sizeof(candidates) / sizeof(candidates[0]); i++) {
            const sqauth_sasl_mech *m = sqauth_sasl_find(o->allowed[i].data, o->allowed[i].len);
            if (!m || !(m->flags & SQAUTH_MECH_NEEDS_TOKEN)) {
                candidates[allowed_count++] = o->allowed[i];
            }
        }
        allowed = candidates;
    } else if (!allowed && encrypted) {
        allowed_count = 0;
        for (i = 0; i < sqauth_sasl_mech_count() && allowed_count < sizeof(candidates) / sizeof(candidates[0]); i++) {
            const sqauth_sasl_mech *m = sqauth_sasl_mech_at(i);
            if (m->flags & SQAUTH_MECH_NEEDS_PASSWORD) {
                candidates[allowed_count++] = sqauth_str_c(m->name);
            }
        }
        allowed = candidates;
    }
    return sqauth_sasl_select(offered->strs, offered->count, allowed, allowed_count,
                              encrypted || o->allow_plaintext);
}

static int is_auto(sqauth_str mech)
{
    return mech.len == 4 && sqauth_strncaseeq(mech.data, "auto", 4);
}

static const char *const qop_over_tls[] = {"auth"};
/* A security layer is worth its cost only without TLS. */
static const char *const qop_in_the_clear[] = {"auth-conf", "auth-int", "auth"};

/* The server refused a bearer token as invalid or expired, which a fresh
 * token can mend: RFC 7628 §3.2.2's "invalid_token" (RFC 6750 §3.1), or
 * the HTTP status XOAUTH2 servers send. Not "insufficient_scope" or
 * "invalid_request": the same grant would be refused again. */
static int token_refused(const sqauth_sasl *sasl)
{
    sqauth_str status;

    if (!(sasl->mech->flags & SQAUTH_MECH_NEEDS_TOKEN)
        || !sqauth_oauth_error_status(sasl->server_error.data, sasl->server_error.len, &status)) {
        return 0;
    }
    return (status.len == 13 && memcmp(status.data, "invalid_token", 13) == 0)
        || (status.len == 3 && memcmp(status.data, "401", 3) == 0);
}

/* One SASL exchange with cfg; *sasl is the session it ran (the caller frees it). */
static int run_exchange(sqauth_session *s, const char *mech, size_t mech_len, const sqauth_sasl_config *cfg,
                        sqauth_sasl **sasl, sqauth_auth_reply *reply, sqauth_error *err)
{
    int rc = sqauth_sasl_new(sasl, mech, mech_len, cfg, err);

    memset(reply, 0, sizeof(*reply));
    if (rc != SQAUTH_OK) {
        return rc;
    }
    rc = sqauth_session_authenticate(s, *sasl, reply, err);
    snprintf(s->reply_code, sizeof(s->reply_code), "%s", reply->code);
    return rc;
}

static int sasl_login(sqauth_session *s, const sqauth_login_options *o, sqauth_error *err)
{
    sqauth_sasl_config cfg = o->sasl;
    sqauth_str mech = o->mechanism;
    const sqauth_sasl_mech *m;
    sqauth_buf cb = SQAUTH_BUF_INIT;
    sqauth_sasl *sasl = NULL;
    sqauth_auth_reply reply;
    offered_list offered;
    int encrypted, layer, rc, sitewide;
    int (*token_fn)(void *, int, sqauth_str *, sqauth_error *);

    if (s->authenticated) {
        /* Before the offered-mechanism check: after login the list is
         * empty. No server reply belongs to this error. */
        sqauth_buf_reset(&s->response);
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "already authenticated on this connection");
    }
    if (!mech.data) {
        return sqauth_fail(err, SQAUTH_ERR_UNSUPPORTED, "no SASL mechanism given");
    }
    rc = sqauth_session_ensure_capabilities(s, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    encrypted = sqauth_conn_is_encrypted(s->conn);
    rc = offered_get(s, &offered, err);
    if (rc != SQAUTH_OK) {
        offered_free(&offered);
        return rc;
    }
    /* The site-wide SMTP account replaces the caller's. */
    sitewide = (s->ops->flags & SQAUTH_PROTO_SITEWIDE_ACCOUNT) && s->sitewide_user;
    if (sitewide) {
        cfg.authcid.data = s->sitewide_user;
        cfg.authcid.len = s->sitewide_user_len;
        cfg.password.data = s->sitewide_password;
        cfg.password.len = s->sitewide_password_len;
    }
    if (is_auto(mech)) {
        const char *pick = pick_mechanism(o, &offered, encrypted, sitewide);
        if (!pick) {
            rc = sqauth_fail(err, SQAUTH_ERR_UNSUPPORTED, "no usable SASL mechanism: the server offers %.120s%s",
                             offered.text,
                             encrypted ? "" : " (cleartext mechanisms are not used on an unencrypted connection)");
            goto done;
        }
        mech = sqauth_str_c(pick);
    }

    m = sqauth_sasl_find(mech.data, mech.len);
    if (sitewide && m && (m->flags & SQAUTH_MECH_NEEDS_TOKEN)) {
        /* The token is the caller's: under the site-wide account's name
         * it would be a login as neither. */
        rc = sqauth_fail(err, SQAUTH_ERR_POLICY, "%s cannot log in the site-wide SMTP account ('smtp_user'): it "
                         "has a password, and the token is the caller's; use a password mechanism", m->name);
        goto done;
    }
    if (m && (m->flags & SQAUTH_MECH_CLEARTEXT) && !encrypted && !o->allow_plaintext) {
        rc = sqauth_fail(err, SQAUTH_ERR_POLICY, "refusing to send the %s in the clear with %s on an unencrypted "
                         "connection; use TLS, or pass 'allow_plaintext' => true",
                         (m->flags & SQAUTH_MECH_NEEDS_TOKEN) ? "bearer token" : "password", m->name);
        goto done;
    }
    if (m && !offered_has(&offered, m->name)) {
        rc = sqauth_fail(err, SQAUTH_ERR_UNSUPPORTED, "the server does not offer %s (it offers %.150s)", m->name,
                         offered.text);
        goto done;
    }

    if (!cfg.service.data) {
        cfg.service = sqauth_str_c(s->ops->sasl_service);
    }
    if (!cfg.host.data && s->host) {
        cfg.host = sqauth_str_c(s->host);
    }
    /* SCRAM -PLUS: bound to this TLS connection unless the caller brought
     * channel-binding data of its own. */
    if (m && (m->flags & SQAUTH_MECH_CHANNEL_BIND) && !cfg.cb_data.data) {
        const char *cb_type;
        rc = sqauth_conn_channel_binding(s->conn, NULL, &cb_type, &cb, err);
        if (rc != SQAUTH_OK) {
            goto done;
        }
        cfg.cb_type = sqauth_str_c(cb_type);
        cfg.cb_data.data = cb.data ? (const char *)cb.data : "";
        cfg.cb_data.len = cb.len;
    }
    if (!cfg.qop) {
        cfg.qop = encrypted ? qop_over_tls : qop_in_the_clear;
        cfg.qop_count = encrypted ? 1 : 3;
    }
    token_fn = m && (m->flags & SQAUTH_MECH_NEEDS_TOKEN) ? o->token_fn : NULL;
    if (token_fn) {
        rc = token_fn(o->token_ctx, 0, &cfg.token, err);
        if (rc != SQAUTH_OK) {
            goto done;
        }
    }
    rc = run_exchange(s, mech.data, mech.len, &cfg, &sasl, &reply, err);
    /* An expired token: one fresh one, on the same connection (the server
     * ended the exchange with its refusal and takes another AUTHENTICATE). */
    if (rc == SQAUTH_ERR_AUTH && token_fn && token_refused(sasl)) {
        sqauth_sasl_free(sasl);
        sasl = NULL;
        rc = token_fn(o->token_ctx, 1, &cfg.token, err);
        if (rc != SQAUTH_OK) {
            goto done;
        }
        rc = run_exchange(s, mech.data, mech.len, &cfg, &sasl, &reply, err);
    }
    if (!sasl) {
        goto done;
    }
    layer = sasl->layer;
    if (rc == SQAUTH_OK && layer != SQAUTH_LAYER_NONE) {
        /* From here on the connection is wrapped; it owns the session. */
        rc = sqauth_conn_set_layer(s->conn, sasl, err);
        if (rc == SQAUTH_OK) {
            sasl = NULL;
        }
    }
    if (rc == SQAUTH_OK) {
        rc = sqauth_session_logged_in(s, layer, err);
    } else if (rc == SQAUTH_ERR_NOT_VERIFIED || reply.status == SQAUTH_AUTH_SUCCESS) {
        /* The server did not prove who it is (or let us in while the end
         * of the exchange did not add up): nothing more goes over this
         * connection, not even a LOGOUT. */
        sqauth_session_close_io(s, err);
    }
done:
    sqauth_sasl_free(sasl);
    sqauth_buf_wipe(&cb);
    offered_free(&offered);
    return rc;
}

static int command_login(sqauth_session *s, const sqauth_login_options *o, sqauth_error *err)
{
    sqauth_auth_reply reply;
    int rc;

    if (s->authenticated) {
        /* Before anything is asked of the server, as for a SASL login. */
        sqauth_buf_reset(&s->response);
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "already authenticated on this connection");
    }
    if (!sqauth_conn_is_encrypted(s->conn) && !o->allow_plaintext) {
        return sqauth_fail(err, SQAUTH_ERR_POLICY, "refusing to send the password in the clear with %s on an "
                           "unencrypted connection; use TLS, or pass 'allow_plaintext' => true",
                           /* a protocol without one names IMAP's */
                           s->ops->login_name ? s->ops->login_name : "LOGIN");
    }
    rc = sqauth_session_ensure_capabilities(s, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (!o->sasl.authcid.data || !o->sasl.password.data) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "a login needs a user name and a password");
    }
    rc = sqauth_session_login(s, o->sasl.authcid.data, o->sasl.authcid.len, o->sasl.password.data,
                              o->sasl.password.len, &reply, err);
    snprintf(s->reply_code, sizeof(s->reply_code), "%s", reply.code);
    return rc == SQAUTH_OK ? sqauth_session_logged_in(s, SQAUTH_LAYER_NONE, err) : rc;
}

int sqauth_login(sqauth_session *s, const sqauth_login_options *o, sqauth_error *err)
{
    sqauth_call call;
    int rc;

    s->reply_code[0] = '\0';
    /* One deadline for the whole login: capabilities, every step, the
     * reply, the capabilities after it. */
    rc = sqauth_call_begin(s, &call, err);
    if (rc == SQAUTH_OK) {
        rc = o->method == SQAUTH_LOGIN_COMMAND ? command_login(s, o, err) : sasl_login(s, o, err);
    }
    return sqauth_call_end(s, &call, rc, err);
}

int sqauth_probe_mechanisms(sqauth_session *s, const char **names, int *answers, size_t *count, sqauth_error *err)
{
    sqauth_call call;
    size_t i;
    int rc;

    *count = 0;
    s->reply_code[0] = '\0';
    rc = sqauth_call_begin(s, &call, err);
    for (i = 0; rc == SQAUTH_OK && i < sqauth_sasl_mech_count(); i++) {
        const sqauth_sasl_mech *m = sqauth_sasl_mech_at(i);
        if (!(m->flags & SQAUTH_MECH_NEEDS_PASSWORD) || (m->flags & SQAUTH_MECH_CHANNEL_BIND)) {
            continue;
        }
        rc = sqauth_session_probe(s, m->name, &answers[*count], NULL, err);
        if (rc == SQAUTH_OK) {
            names[(*count)++] = m->name;
        }
    }
    return sqauth_call_end(s, &call, rc, err);
}
