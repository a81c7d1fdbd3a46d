/*
 * What a hostile server can make a session hold and do (proto.h's limits,
 * README "What a server can make a connection hold"): floods as large as
 * the line and count limits allow, from a scripted server on a socketpair.
 * Mechanism lists (names over 20 characters or off RFC 4422's alphabet
 * ignored, the first 64 distinct ones kept, duplicates once), capability
 * lists (count and byte limits, duplicates once), the transcript (each
 * line and the whole cut, and marked), the reply kept for errors and the
 * greeting (cut and marked), and, after each flood, what the session
 * holds. The work is linear in what the server sends: each flood here is
 * megabytes and the whole file runs in a fraction of a second.
 */
#include "check.h"
#include "policy.h"
#include "proto/proto.h"
#include "sasl/digest_md5_parse.h"
#include "sasl/scram_parse.h"
#include "scripted_server.h"

#include <stdio.h>
#include <stdlib.h>

/* The longest line a server may send: SQAUTH_CONN_MAX_LINE bytes of text. */
#define MAX_LINE SQAUTH_CONN_MAX_LINE

typedef struct flood {
    scripted_server srv;
    sqauth_session *s;
    sqauth_error err;
    int rc;                      /* of the open */
} flood;

/* A plaintext session of protocol over the script, transcript on. */
static void flood_open(flood *f, const script_step *steps, const char *protocol)
{
    sqauth_session_options o;
    int fd = scripted_start(&f->srv, steps);

    sqauth_session_options_init(&o);
    o.protocol = sqauth_protocol_find(protocol);
    o.host = "mail.example.org";
    o.helo = "client.example.org";
    o.tls_mode = SQAUTH_TLS_NONE;
    o.transcript = 1;
    o.timeout_ms = 10000;
    sqauth_error_clear(&f->err);
    CHECK(fd >= 0 && o.protocol);
    CHECK_RC(sqauth_session_new(&f->s, &o, &f->err), SQAUTH_OK);
    f->rc = sqauth_session_open_socket(f->s, fd, NULL, 0, NULL, &f->err);
}

/* What the session holds for the server, against the documented limits. */
static void check_holdings(const sqauth_session *s)
{
    CHECK(s->cap_count <= SQAUTH_MAX_CAPABILITIES);
    CHECK(s->cap_bytes <= SQAUTH_MAX_CAPABILITY_BYTES);
    CHECK(s->transcript_count <= SQAUTH_TRANSCRIPT_MAX_LINES);
    CHECK(s->transcript_bytes <= SQAUTH_TRANSCRIPT_MAX_BYTES);
    CHECK(s->response.len <= SQAUTH_MAX_KEPT_REPLY + 48 && s->response.cap <= 2 * SQAUTH_MAX_KEPT_REPLY);
    CHECK(!s->greeting || strlen(s->greeting) <= SQAUTH_MAX_KEPT_REPLY + 48);
    CHECK(s->line.cap <= 2 * (MAX_LINE + 2));
}

static void flood_close(flood *f)
{
    check_holdings(f->s);
    sqauth_session_free(f->s);
    scripted_finish(&f->srv);
}

/* head, then unit ("%zu" = 0, 1, ...) as often as fits in cap bytes with
 * tail, into out (cap + 1 bytes, NUL-terminated). Returns the length; *units
 * says how many (may be NULL). */
static size_t repeat_to(char *out, size_t cap, const char *head, const char *unit, const char *tail, size_t *units)
{
    size_t used = strlen(head), n = 0, t = strlen(tail);
    char piece[64];

    memcpy(out, head, used);
    for (;; n++) {
        size_t w = (size_t)snprintf(piece, sizeof(piece), unit, n);
        if (used + w + t > cap) {
            break;
        }
        memcpy(out + used, piece, w);
        used += w;
    }
    memcpy(out + used, tail, t + 1);
    if (units) {
        *units = n;
    }
    return used + t;
}

/* prefix, then words made from fmt (a "%zu" in it) and a counter, as many
 * as fit in a line of MAX_LINE bytes with suffix, then CR LF. *words says
 * how many. */
static char *word_line(const char *prefix, const char *fmt, const char *suffix, size_t *words)
{
    char *line = malloc(MAX_LINE + 3);
    size_t used = repeat_to(line, MAX_LINE, prefix, fmt, suffix, words);

    memcpy(line + used, "\r\n", 3);
    return line;
}

/* prefix filled with c to a line of exactly MAX_LINE bytes, then CR LF. */
static char *full_line(const char *prefix, char c)
{
    char *line = malloc(MAX_LINE + 3);
    size_t n = strlen(prefix);
    memcpy(line, prefix, n);
    memset(line + n, c, MAX_LINE - n);
    memcpy(line + MAX_LINE, "\r\n", 3);
    return line;
}

static const char *mech(char **list, size_t count, size_t i)
{
    return i < count ? list[i] : "";
}

/* The list rules themselves. */
static void test_names(void)
{
    sqauth_names n;
    char word[16];
    size_t i;

    memset(&n, 0, sizeof(n));
    n.list = calloc(SQAUTH_MAX_MECHANISMS + 1, sizeof(char *));
    CHECK_RC(sqauth_names_add_words(&n, "  plain PLAIN Plain cram-md5 ABCDEFGHIJ0123456789 ABCDEFGHIJ0123456789X "
                                        "BAD.NAME BAD=NAME X_Y-Z"),
             SQAUTH_OK);
    CHECK(n.count == 4);
    CHECK(strcmp(mech(n.list, n.count, 0), "PLAIN") == 0);
    CHECK(strcmp(mech(n.list, n.count, 1), "CRAM-MD5") == 0);
    CHECK(strcmp(mech(n.list, n.count, 2), "ABCDEFGHIJ0123456789") == 0); /* 20: the longest */
    CHECK(strcmp(mech(n.list, n.count, 3), "X_Y-Z") == 0);
    for (i = 0; i < 100; i++) {
        snprintf(word, sizeof(word), "m%zu", i);
        CHECK_RC(sqauth_names_add(&n, word, strlen(word)), SQAUTH_OK);
    }
    CHECK_RC(sqauth_names_add(&n, "SCRAM-SHA-256", 13), SQAUTH_OK);
    CHECK(n.count == SQAUTH_MAX_MECHANISMS);
    CHECK(strcmp(mech(n.list, n.count, 4), "M0") == 0);
    CHECK(strcmp(mech(n.list, n.count, 63), "M59") == 0);
    CHECK(n.list[SQAUTH_MAX_MECHANISMS] == NULL);
    sqauth_session_free_list(n.list, n.count);
}

/* One EHLO AUTH line as long as a line may be, every word distinct: the
 * first 64 mechanisms are kept, found and chosen from at once. */
static void test_mechanism_floods(void)
{
    size_t words;
    char *auth = word_line("250-AUTH CRAM-MD5 plain", " M%zu", "", &words);
    char *sasl = word_line("SASL", " PLAIN", "", NULL);
    char *sieve = word_line("\"SASL\" \"CRAM-MD5", " M%zu", "\"", NULL);
    const script_step smtp[] = {SEND("220 fake ESMTP\r\n"), EXPECT("EHLO "), SEND("250-fake\r\n"), SEND(auth),
                                SEND("250-AUTH SCRAM-SHA-256\r\n250 8BITMIME\r\n"), EXPECT("AUTH CRAM-MD5"),
                                SEND("535 5.7.8 no\r\n"), END};
    const script_step pop3[] = {SEND("+OK hi\r\n"), EXPECT("CAPA"), SEND("+OK\r\n"), SEND(sasl), SEND("USER\r\n.\r\n"), END};
    const script_step sieve_steps[] = {SEND(sieve), SEND("\"STARTTLS\"\r\nOK \"ready\"\r\n"), END};
    sqauth_login_options lo;
    char **list;
    size_t count;
    flood f;

    CHECK(words > 10000);
    flood_open(&f, smtp, "smtp");
    CHECK_RC(f.rc, SQAUTH_OK);
    CHECK_RC(sqauth_session_mechanisms(f.s, &list, &count, &f.err), SQAUTH_OK);
    CHECK(count == SQAUTH_MAX_MECHANISMS);
    CHECK(strcmp(mech(list, count, 0), "CRAM-MD5") == 0 && strcmp(mech(list, count, 1), "PLAIN") == 0);
    CHECK(strcmp(mech(list, count, 63), "M61") == 0);
    sqauth_session_free_list(list, count);
    /* 'auto' picks from the kept list: CRAM-MD5 (SCRAM came too late). */
    sqauth_login_options_init(&lo);
    lo.mechanism = sqauth_str_c("auto");
    lo.sasl.authcid = sqauth_str_c("user");
    lo.sasl.password = sqauth_str_c("secret");
    CHECK_RC(sqauth_login(f.s, &lo, &f.err), SQAUTH_ERR_AUTH);
    flood_close(&f);
    CHECK(f.srv.ok && scripted_got(&f.srv, "AUTH CRAM-MD5"));

    /* 10,000 times the same name: one. */
    flood_open(&f, pop3, "pop3");
    CHECK_RC(f.rc, SQAUTH_OK);
    CHECK_RC(sqauth_session_mechanisms(f.s, &list, &count, &f.err), SQAUTH_OK);
    CHECK(count == 1 && strcmp(mech(list, count, 0), "PLAIN") == 0);
    sqauth_session_free_list(list, count);
    flood_close(&f);

    flood_open(&f, sieve_steps, "sieve");
    CHECK_RC(f.rc, SQAUTH_OK);
    CHECK_RC(sqauth_session_mechanisms(f.s, &list, &count, &f.err), SQAUTH_OK);
    CHECK(count == SQAUTH_MAX_MECHANISMS && strcmp(mech(list, count, 0), "CRAM-MD5") == 0);
    sqauth_session_free_list(list, count);
    flood_close(&f);

    free(auth);
    free(sasl);
    free(sieve);
}

static void test_capability_floods(void)
{
    char *dup = word_line("* OK [CAPABILITY IMAP4rev1", " AUTH=PLAIN", "]", NULL);
    char *distinct = word_line("* OK [CAPABILITY IMAP4rev1", " X%zu", "]", NULL);
    char *ehlo[3];
    size_t i;
    flood f;

    for (i = 0; i < 3; i++) {
        char prefix[32];
        snprintf(prefix, sizeof(prefix), "250-X-FLOOD%zu", i);
        ehlo[i] = full_line(prefix, 'a');
    }
    {
        const script_step dups[] = {SEND(dup), END};
        const script_step many[] = {SEND(distinct), END};
        const script_step smtp[] = {SEND("220 fake\r\n"), EXPECT("EHLO "), SEND("250-fake\r\n"), SEND(ehlo[0]),
                                    SEND(ehlo[1]), SEND(ehlo[2]), SEND("250 8BITMIME\r\n"), END};
        const script_step pop3[] = {SEND("+OK hi\r\n"), EXPECT("CAPA"), SEND("+OK\r\n"), REPEAT("X-SAME\r\n", 998),
                                    SEND(".\r\n"), END};
        const script_step pop3_many[] = {SEND("+OK hi\r\n"), EXPECT("CAPA"), SEND("+OK\r\n"),
                                         REPEAT("X-A\r\nX-B 1\r\nX-B 2\r\n", 332), SEND("X-C\r\n.\r\n"), END};

        /* The same atom 5,000 times is one capability. */
        flood_open(&f, dups, "imap");
        CHECK_RC(f.rc, SQAUTH_OK);
        CHECK(sqauth_session_capability_count(f.s) == 2);
        CHECK(strcmp(sqauth_session_capability(f.s, 1)->name, "AUTH=PLAIN") == 0);
        flood_close(&f);

        flood_open(&f, many, "imap");
        CHECK_RC(f.rc, SQAUTH_ERR_PROTOCOL);
        CHECK(strcmp(f.err.message, "the server listed more than 512 capabilities") == 0);
        flood_close(&f);

        /* Two maximal lines fit (131,072 bytes), a third does not. */
        flood_open(&f, smtp, "smtp");
        CHECK_RC(f.rc, SQAUTH_ERR_PROTOCOL);
        CHECK(strcmp(f.err.message, "the server's capabilities are longer than 131072 bytes") == 0);
        CHECK(f.s->cap_count == 2);
        flood_close(&f);

        flood_open(&f, pop3, "pop3");
        CHECK_RC(f.rc, SQAUTH_OK);
        CHECK(sqauth_session_capability_count(f.s) == 1);
        flood_close(&f);

        /* Same name, other value: another capability (SMTP AUTH twice). */
        flood_open(&f, pop3_many, "pop3");
        CHECK_RC(f.rc, SQAUTH_OK);
        CHECK(sqauth_session_capability_count(f.s) == 4);
        CHECK(strcmp(sqauth_session_capability(f.s, 2)->value, "2") == 0);
        flood_close(&f);
    }
    free(dup);
    free(distinct);
    for (i = 0; i < 3; i++) {
        free(ehlo[i]);
    }
}

static const char *transcript_text(const sqauth_session *s, size_t i)
{
    const sqauth_transcript_line *l = sqauth_session_transcript_line(s, i);
    return l ? l->text : "";
}

/* The case: ~2,000 maximal untagged lines used to make one
 * connection hold ~124 MiB of transcript. */
static void test_transcript_floods(void)
{
    char *big = full_line("* ", 'x');
    char expected[2048 + 64];
    const script_step bytes[] = {SEND("* OK hi\r\n"), EXPECT("A0001 CAPABILITY"), REPEAT(big, 998),
                                 SEND("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA0001 OK done\r\n"),
                                 EXPECT("A0002 AUTHENTICATE PLAIN"), REPEAT(big, 998),
                                 SEND("A0002 NO [AUTHENTICATIONFAILED] no\r\n"), END};
    const script_step lines[] = {SEND("* OK hi\r\n"), EXPECT("A0001 CAPABILITY"), REPEAT("* x\r\n", 998),
                                 SEND("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA0001 OK done\r\n"), END};
    sqauth_login_options lo;
    size_t n;
    flood f;

    flood_open(&f, bytes, "imap");
    CHECK_RC(f.rc, SQAUTH_OK);
    n = sqauth_session_transcript_count(f.s);
    CHECK(n == 34);
    CHECK(strcmp(transcript_text(f.s, 0), "* OK hi") == 0);
    snprintf(expected, sizeof(expected), "* %.2046s... [cut: 63488 more bytes]", big + 2);
    CHECK(strcmp(transcript_text(f.s, 2), expected) == 0);
    CHECK(strcmp(transcript_text(f.s, 32), expected) == 0);
    CHECK(strcmp(transcript_text(f.s, 33), "[transcript cut: 969 more lines]") == 0);
    CHECK(sqauth_session_transcript_line(f.s, 33)->direction == '-');
    sqauth_login_options_init(&lo);
    lo.mechanism = sqauth_str_c("PLAIN");
    lo.sasl.authcid = sqauth_str_c("user");
    lo.sasl.password = sqauth_str_c("secret");
    lo.allow_plaintext = 1;
    CHECK_RC(sqauth_login(f.s, &lo, &f.err), SQAUTH_ERR_AUTH);
    CHECK(sqauth_session_transcript_count(f.s) == 34);
    CHECK(strcmp(transcript_text(f.s, 33), "[transcript cut: 1969 more lines]") == 0);
    CHECK(strcmp(sqauth_session_response_code(f.s), "AUTHENTICATIONFAILED") == 0);
    flood_close(&f);
    CHECK(f.srv.ok);

    /* Short lines: the count limit. */
    flood_open(&f, lines, "imap");
    CHECK_RC(f.rc, SQAUTH_OK);
    CHECK(sqauth_session_transcript_count(f.s) == SQAUTH_TRANSCRIPT_MAX_LINES);
    CHECK(strcmp(transcript_text(f.s, 998), "* x") == 0);
    CHECK(strcmp(transcript_text(f.s, 999), "[transcript cut: 3 more lines]") == 0);
    CHECK(f.s->transcript_bytes == 7 + 16 + 997 * 3);
    flood_close(&f);
    free(big);
}

/* A reply of 1,000 maximal lines: the first 8 KiB are kept for errors. */
static void test_reply_floods(void)
{
    char *greet = full_line("220-", 'g'), *refusal = full_line("535-", 'r'), *imap = full_line("* OK ", 'i');
    const script_step smtp[] = {SEND(greet), REPEAT(greet, 998), SEND("220 fake\r\n"), EXPECT("EHLO "),
                                SEND("250-fake\r\n250 AUTH PLAIN\r\n"), EXPECT("AUTH PLAIN"), SEND(refusal),
                                REPEAT(refusal, 998), SEND("535 5.7.8 no\r\n"), END};
    const script_step imap_steps[] = {SEND(imap), EXPECT("A0001 CAPABILITY"),
                                      SEND("* CAPABILITY IMAP4rev1\r\nA0001 OK done\r\n"), END};
    char expected[SQAUTH_MAX_KEPT_REPLY + 64];
    sqauth_login_options lo;
    sqauth_str r;
    flood f;

    flood_open(&f, smtp, "smtp");
    CHECK_RC(f.rc, SQAUTH_OK);
    /* 999 lines of 65,536 bytes and 998 "\n" between them, the last "220 fake". */
    snprintf(expected, sizeof(expected), "%.8192s... [cut: %d more bytes]", greet,
             999 * MAX_LINE + 999 + 8 - 8192);
    CHECK(strcmp(sqauth_session_greeting_text(f.s), expected) == 0);
    sqauth_login_options_init(&lo);
    lo.mechanism = sqauth_str_c("PLAIN");
    lo.sasl.authcid = sqauth_str_c("user");
    lo.sasl.password = sqauth_str_c("secret");
    lo.allow_plaintext = 1;
    CHECK_RC(sqauth_login(f.s, &lo, &f.err), SQAUTH_ERR_AUTH);
    r = sqauth_session_response(f.s);
    snprintf(expected, sizeof(expected), "%.8192s... [cut: %d more bytes]", refusal,
             999 * MAX_LINE + 999 + 12 - 8192);
    CHECK_BYTES(r.data, r.len, expected);
    CHECK(strncmp(f.err.message, "the server refused the PLAIN login: 535-rrr", 43) == 0);
    /* The code from the last line: the others say "535-". */
    CHECK(strcmp(sqauth_session_response_code(f.s), "535 5.7.8") == 0);
    flood_close(&f);

    flood_open(&f, imap_steps, "imap");
    CHECK_RC(f.rc, SQAUTH_OK);
    snprintf(expected, sizeof(expected), "%.8192s... [cut: %d more bytes]", imap, MAX_LINE - 8192);
    CHECK(strcmp(sqauth_session_greeting_text(f.s), expected) == 0);
    flood_close(&f);
    free(greet);
    free(refusal);
    free(imap);
}

/* Server text in messages: controls and what is not UTF-8 escaped, the
 * rest as it came; the reply kept raw. */
static void test_server_text_in_messages(void)
{
    static const script_step smtp[] = {
        SEND("220 fake\r\n"), EXPECT("EHLO "), SEND("250-fake\r\n250 AUTH PLAIN\r\n"), EXPECT("AUTH PLAIN"),
        SEND("535 5.7.8 j\xc3\xbcrgen \x1b[2J\x07\r\x08 \xc2\x9b\xff\xc0\xaf\xed\xa0\x80 \x7f\\x1b ok\r\n"), END};
    sqauth_login_options lo;
    sqauth_str r;
    flood f;

    flood_open(&f, smtp, "smtp");
    CHECK_RC(f.rc, SQAUTH_OK);
    sqauth_login_options_init(&lo);
    lo.mechanism = sqauth_str_c("PLAIN");
    lo.sasl.authcid = sqauth_str_c("user");
    lo.sasl.password = sqauth_str_c("secret");
    lo.allow_plaintext = 1;
    CHECK_RC(sqauth_login(f.s, &lo, &f.err), SQAUTH_ERR_AUTH);
    CHECK(strcmp(f.err.message, "the server refused the PLAIN login: 535 5.7.8 j\xc3\xbcrgen \\x1b[2J\\x07\\x0d\\x08 "
                                "\\xc2\\x9b\\xff\\xc0\\xaf\\xed\\xa0\\x80 \\x7f\\x1b ok") == 0);
    r = sqauth_session_response(f.s);
    CHECK_BYTES(r.data, r.len, "535 5.7.8 j\xc3\xbcrgen \x1b[2J\x07\r\x08 \xc2\x9b\xff\xc0\xaf\xed\xa0\x80 \x7f\\x1b ok");
    flood_close(&f);
}

/* SCRAM messages as long as they may be (4,096 bytes): extensions by the
 * thousand are skipped in one pass, a long e= is shortened. */
static void test_scram_floods(void)
{
    static const char first[] = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096";
    static const char final_v[] = "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=";
    unsigned char msg[SQAUTH_SCRAM_MAX_MESSAGE + 8];
    sqauth_scram_server_first sf;
    sqauth_scram_server_final sfin;
    sqauth_sasl_config cfg;
    sqauth_sasl *sasl = NULL;
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;
    size_t n;
    int has;

    n = strlen(first);
    memcpy(msg, first, n);
    while (n + 4 <= SQAUTH_SCRAM_MAX_MESSAGE) {
        memcpy(msg + n, ",x=1", 4);
        n += 4;
    }
    CHECK_RC(sqauth_scram_parse_server_first(msg, n, &sf, &err), SQAUTH_OK);
    CHECK(sf.iterations == 4096 && sf.nonce.len == 42);
    sqauth_scram_server_first_free(&sf);
    memcpy(msg + n - 4, ",r=1", 4); /* the last one repeats the nonce */
    CHECK_RC(sqauth_scram_parse_server_first(msg, n, &sf, &err), SQAUTH_ERR_MALFORMED);
    sqauth_scram_server_first_free(&sf);
    msg[n] = ',';
    CHECK_RC(sqauth_scram_parse_server_first(msg, n + 1, &sf, &err), SQAUTH_ERR_MALFORMED); /* 4,097 bytes */
    sqauth_scram_server_first_free(&sf);

    n = strlen(final_v);
    memcpy(msg, final_v, n);
    while (n + 4 <= SQAUTH_SCRAM_MAX_MESSAGE) {
        memcpy(msg + n, ",x=1", 4);
        n += 4;
    }
    CHECK_RC(sqauth_scram_parse_server_final(msg, n, &sfin, &err), SQAUTH_OK);
    CHECK(sfin.verifier.len == 20);
    sqauth_scram_server_final_free(&sfin);

    /* e= of 4,094 bytes: the message shows its first 150. */
    memset(&cfg, 0, sizeof(cfg));
    cfg.authcid = sqauth_str_c("user");
    cfg.password = sqauth_str_c("pencil");
    CHECK_RC(sqauth_sasl_new(&sasl, "SCRAM-SHA-1", 11, &cfg, &err), SQAUTH_OK);
    CHECK_RC(sqauth_sasl_start(sasl, &out, &has, &err), SQAUTH_OK);
    sqauth_buf_reset(&out);
    memcpy(msg, "e=", 2);
    memset(msg + 2, 'e', SQAUTH_SCRAM_MAX_MESSAGE - 2);
    CHECK_RC(sqauth_sasl_step(sasl, msg, SQAUTH_SCRAM_MAX_MESSAGE, &out, &err), SQAUTH_ERR_SERVER);
    CHECK(strlen(err.message) == strlen("SCRAM server error: ") + 150 + 3);
    sqauth_sasl_free(sasl);
    sqauth_buf_wipe(&out);
}

/* A DIGEST-MD5 challenge of head, then unit ("%zu" = 0, 1, ...) as often
 * as fits in the 2,047 bytes RFC 2831 allows with tail. */
static size_t digest_flood(char *out, const char *head, const char *unit, const char *tail, size_t *units)
{
    return repeat_to(out, SQAUTH_DIGEST_MD5_MAX_CHALLENGE, head, unit, tail, units);
}

/* DIGEST-MD5 challenges as long as RFC 2831 allows, of many realms, empty
 * elements, list elements, unknown directives, escapes and white space. */
static void test_digest_floods(void)
{
    char msg[SQAUTH_DIGEST_MD5_MAX_CHALLENGE + 64];
    sqauth_digest_md5_challenge ch;
    sqauth_digest_md5_directives d = SQAUTH_DIGEST_MD5_DIRECTIVES_INIT;
    sqauth_error err;
    size_t n, units;

    n = digest_flood(msg, "", "realm=\"r%zu\",", "nonce=\"n\",algorithm=md5-sess", &units);
    CHECK(n == 2037 && units == 163);
    CHECK_RC(sqauth_digest_md5_parse_challenge((const unsigned char *)msg, n, &ch, &err), SQAUTH_OK);
    CHECK(ch.realm_count == units && ch.realms[162].len == 4 && memcmp(ch.realms[162].data, "r162", 4) == 0);
    sqauth_digest_md5_challenge_free(&ch);

    n = digest_flood(msg, "nonce=\"n\",", ",", "algorithm=md5-sess", &units);
    CHECK(n == SQAUTH_DIGEST_MD5_MAX_CHALLENGE);
    CHECK_RC(sqauth_digest_md5_parse_directives((const unsigned char *)msg, n, &d, &err), SQAUTH_OK);
    CHECK(d.count == 2);
    sqauth_digest_md5_directives_free(&d);

    n = digest_flood(msg, "nonce=\"n\",algorithm=md5-sess,qop=\"", "auth-int,", "auth\"", &units);
    CHECK_RC(sqauth_digest_md5_parse_challenge((const unsigned char *)msg, n, &ch, &err), SQAUTH_OK);
    CHECK(ch.qop == (SQAUTH_DIGEST_MD5_QOP_AUTH | SQAUTH_DIGEST_MD5_QOP_AUTH_INT));
    sqauth_digest_md5_challenge_free(&ch);

    n = digest_flood(msg, "nonce=\"n\",algorithm=md5-sess,qop=\"auth-conf\",cipher=\"", "x%zu,", "rc4\"", &units);
    CHECK_RC(sqauth_digest_md5_parse_challenge((const unsigned char *)msg, n, &ch, &err), SQAUTH_OK);
    CHECK(ch.ciphers == SQAUTH_DIGEST_MD5_CIPHER_RC4);
    sqauth_digest_md5_challenge_free(&ch);

    n = digest_flood(msg, "nonce=\"n\",algorithm=md5-sess,", "x%zu=1,", "y=2", &units);
    CHECK_RC(sqauth_digest_md5_parse_directives((const unsigned char *)msg, n, &d, &err), SQAUTH_OK);
    CHECK(d.count == units + 3);
    sqauth_digest_md5_directives_free(&d);
    CHECK_RC(sqauth_digest_md5_parse_challenge((const unsigned char *)msg, n, &ch, &err), SQAUTH_OK);
    sqauth_digest_md5_challenge_free(&ch);

    n = digest_flood(msg, "nonce=\"n\",algorithm=md5-sess,realm=\"", "\\a", "\"", &units);
    CHECK_RC(sqauth_digest_md5_parse_challenge((const unsigned char *)msg, n, &ch, &err), SQAUTH_OK);
    CHECK(ch.realm_count == 1 && ch.realms[0].len == units);
    sqauth_digest_md5_challenge_free(&ch);

    n = digest_flood(msg, "nonce=\"n\",algorithm=md5-sess,realm=", " ", "\"r\"", &units);
    CHECK_RC(sqauth_digest_md5_parse_challenge((const unsigned char *)msg, n, &ch, &err), SQAUTH_OK);
    CHECK(ch.realm_count == 1 && ch.realms[0].len == 1);
    sqauth_digest_md5_challenge_free(&ch);

    /* One byte more is refused before anything else. */
    memset(msg, ',', SQAUTH_DIGEST_MD5_MAX_CHALLENGE + 1);
    CHECK_RC(sqauth_digest_md5_parse_directives((const unsigned char *)msg, SQAUTH_DIGEST_MD5_MAX_CHALLENGE + 1, &d,
                                                &err), SQAUTH_ERR_MALFORMED);
    sqauth_digest_md5_directives_free(&d);
}

void test_limits(void)
{
    test_names();
    test_mechanism_floods();
    test_capability_floods();
    test_transcript_floods();
    test_reply_floods();
    test_server_text_in_messages();
    test_scram_floods();
    test_digest_floods();
}
