/*
 * The protocol layer (src/core/proto/): IMAP, POP3 and SMTP greeting,
 * capabilities, then one login, as src/php/connection.c drives a session,
 * over a socketpair whose far end carries the input and then ends. Whatever
 * the server says, the session must end in success or a clear error:
 * never a crash, never a wait (everything the server will ever send is
 * there from the start, so a timeout would be a hang), no secret in an
 * error or the transcript, the OpenSSL error queue left empty.
 *
 * Input: a selector byte, then the server's side of the conversation.
 *   bits 0-1  0 IMAP, 1 POP3, 2 and 3 SMTP
 *   bits 2-4  after the greeting and the capabilities:
 *             0, 5, 6, 7  authenticate with the strongest mechanism the server
 *                         lists (any, cleartext allowed; PLAIN when none fits)
 *             1           IMAP LOGIN / POP3 USER+PASS with a non-ASCII user
 *                         name (SMTP: AUTH PLAIN)
 *             2           probe the mechanism of bits 5-7
 *             3           authenticate with the mechanism of bits 5-7
 *             4           STARTTLS instead of the capabilities
 *   bits 5-7  PLAIN, LOGIN, CRAM-MD5, DIGEST-MD5, SCRAM-SHA-1,
 *             SCRAM-SHA-256-PLUS, OAUTHBEARER, XOAUTH2
 * After a successful login with a security layer, the connection reads one
 * line through it; every session ends with a logout.
 */
#include "fuzz.h"
#include "conn.h"
#include "proto/session.h"

#include <openssl/err.h>

#define PASSWORD "Pw\"fuzz\\0123"
#define PASSWORD_B64 "UHciZnV6elwwMTIz"     /* what LOGIN would send */

static const char *const chosen[8] = {
    "PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256-PLUS", "OAUTHBEARER", "XOAUTH2",
};

static const char *const qop_layers[] = {"auth-conf", "auth-int", "auth"};

static const char *service(sqauth_proto_kind kind)
{
    return kind == SQAUTH_PROTO_IMAP ? "imap" : kind == SQAUTH_PROTO_POP3 ? "pop" : "smtp";
}

/* What SqAuth\Connection::authenticate('auto') picks, with every mechanism
 * allowed and cleartext too ('allow_plaintext'). */
static const char *pick_mechanism(const fuzz_input *in, sqauth_session *s)
{
    sqauth_str offered[SQAUTH_MAX_CAPABILITIES * 4], allowed[32];
    char **list = NULL;
    size_t count = 0, i, n = sqauth_sasl_mech_count();
    const char *pick;
    sqauth_error err;
    int rc;

    sqauth_error_clear(&err);
    rc = sqauth_session_mechanisms(s, &list, &count, &err);
    fuzz_check_error(in, rc, &err, NULL);
    FUZZ_ASSERT(rc == SQAUTH_OK && list && list[count] == NULL && count <= sizeof(offered) / sizeof(offered[0]));
    for (i = 0; i < count; i++) {
        size_t k;
        for (k = 0; list[i][k]; k++) {
            FUZZ_ASSERT(!(list[i][k] >= 'a' && list[i][k] <= 'z'));
        }
        offered[i] = sqauth_str_c(list[i]);
    }
    FUZZ_ASSERT(n <= sizeof(allowed) / sizeof(allowed[0]));
    for (i = 0; i < n; i++) {
        allowed[i] = sqauth_str_c(sqauth_sasl_mech_at(i)->name);
    }
    pick = sqauth_sasl_select(offered, count, allowed, n, 1);
    sqauth_session_free_list(list, count);
    return pick ? pick : "PLAIN";
}

static int authenticate(const fuzz_input *in, sqauth_session *s, const char *mech)
{
    sqauth_sasl_config cfg;
    sqauth_sasl *sasl = NULL;
    sqauth_auth_reply reply;
    sqauth_error err;
    int rc;

    fuzz_sasl_config(&cfg, "user@example.org", PASSWORD);
    cfg.service = sqauth_str_c(service(s->kind));
    cfg.cnonce = sqauth_str_c("fyko+d2lbbFgONRv9qkxdawL");
    cfg.qop = qop_layers;
    cfg.qop_count = 3;
    FUZZ_ASSERT(sqauth_sasl_new(&sasl, mech, strlen(mech), &cfg, &err) == SQAUTH_OK);
    sqauth_error_clear(&err);
    rc = sqauth_session_authenticate(s, sasl, &reply, &err);
    fuzz_check_error(in, rc, &err, PASSWORD);
    FUZZ_ASSERT(memchr(reply.code, '\0', sizeof(reply.code)) != NULL);
    FUZZ_ASSERT(rc != SQAUTH_ERR_TIMEOUT);
    if (rc == SQAUTH_OK) {
        FUZZ_ASSERT(s->authenticated);
    }
    if (rc == SQAUTH_OK && sasl->layer != SQAUTH_LAYER_NONE) {
        /* As connection.c does: from here on the connection is wrapped. */
        FUZZ_ASSERT(sqauth_conn_set_layer(s->conn, sasl, &err) == SQAUTH_OK);
        sqauth_error_clear(&err);
        rc = sqauth_session_read_line(s, &err);
        fuzz_check_error(in, rc, &err, PASSWORD);
    } else {
        sqauth_sasl_free(sasl);
    }
    return rc;
}

static int login(const fuzz_input *in, sqauth_session *s)
{
    static const char user[] = "j\xc3\xbcrgen";     /* sent as an IMAP literal */
    sqauth_auth_reply reply;
    sqauth_error err;
    int rc;

    if (!s->ops->login) {
        return authenticate(in, s, "PLAIN");
    }
    sqauth_error_clear(&err);
    rc = sqauth_session_login(s, user, sizeof(user) - 1, PASSWORD, strlen(PASSWORD), &reply, &err);
    fuzz_check_error(in, rc, &err, PASSWORD);
    FUZZ_ASSERT(memchr(reply.code, '\0', sizeof(reply.code)) != NULL);
    return rc;
}

static int starttls(const fuzz_input *in, sqauth_session *s)
{
    sqauth_tls_config tls;
    sqauth_error err;
    int rc;

    sqauth_tls_config_init(&tls);
    tls.verify_peer = 0;
    tls.verify_peer_name = 0;
    tls.session_resumption = 0;
    sqauth_error_clear(&err);
    rc = sqauth_session_starttls(s, &tls, &err);
    fuzz_check_error(in, rc, &err, NULL);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = fuzz_input_make(data, size);
    unsigned sel = fuzz_byte(&in), action = (sel >> 2) & 7;
    sqauth_proto_kind kind = (sel & 3) == 0 ? SQAUTH_PROTO_IMAP : (sel & 3) == 1 ? SQAUTH_PROTO_POP3 : SQAUTH_PROTO_SMTP;
    const char *mech = chosen[sel >> 5];
    fuzz_server srv;
    sqauth_conn *conn = NULL;
    sqauth_session *s = NULL;
    sqauth_error err;
    size_t i;
    int rc, answers = 0;

    FUZZ_ASSERT(sqauth_conn_adopt(&conn, fuzz_server_start(&srv, in.data, in.len), 2000, &err) == SQAUTH_OK);
    FUZZ_ASSERT(sqauth_session_new(&s, conn, kind, "mail.example.org", "client.example.org", 1, &err) == SQAUTH_OK);

    sqauth_error_clear(&err);
    rc = sqauth_session_greeting(s, &err);
    fuzz_check_error(&in, rc, &err, NULL);
    if (rc == SQAUTH_OK && action == 4) {
        rc = starttls(&in, s);
    } else if (rc == SQAUTH_OK) {
        if (!s->caps_known) {
            sqauth_error_clear(&err);
            rc = sqauth_session_capabilities(s, &err);
            fuzz_check_error(&in, rc, &err, NULL);
        }
        (void)sqauth_session_starttls_offered(s);
        (void)sqauth_session_login_disabled(s);
    }
    if (rc == SQAUTH_OK) {
        switch (action) {
        case 1:
            rc = login(&in, s);
            break;
        case 2:
            sqauth_error_clear(&err);
            rc = sqauth_session_probe(s, mech, &answers, NULL, &err);
            fuzz_check_error(&in, rc, &err, NULL);
            break;
        case 3:
            rc = authenticate(&in, s, mech);
            break;
        case 4:
            break;
        default:
            rc = authenticate(&in, s, pick_mechanism(&in, s));
            break;
        }
    }
    FUZZ_ASSERT(rc != SQAUTH_ERR_TIMEOUT);
    sqauth_session_logout(s);

    for (i = 0; i < s->transcript_count; i++) {
        const char *t = s->transcript[i].text;
        fuzz_check_no_secret(&in, t, strlen(t), PASSWORD);
        fuzz_check_no_secret(&in, t, strlen(t), PASSWORD_B64);
    }
    FUZZ_ASSERT(ERR_peek_error() == 0);
    sqauth_session_free(s);     /* and conn */
    fuzz_server_stop(&srv);
    return 0;
}
