/*
 * sqauth SASL client core (RFC 4422): the mechanism interface, the client
 * session every mechanism shares, the registry and mechanism selection.
 *
 * Mechanisms never see sockets: they turn server challenges (raw bytes, not
 * base64) into client responses (raw bytes). Framing for IMAP, SMTP and POP3
 * lives elsewhere and drives a session through sqauth_sasl_start/step.
 */
#ifndef SQAUTH_SASL_H
#define SQAUTH_SASL_H

#include "../common.h"

/* Mechanism flags. */
#define SQAUTH_MECH_CLEARTEXT      0x01u /* sends a reusable secret in the clear (PLAIN, LOGIN, bearer tokens) */
#define SQAUTH_MECH_CLIENT_FIRST   0x02u /* start() produces an initial response */
#define SQAUTH_MECH_NEEDS_PASSWORD 0x04u /* authcid + password mechanisms; the only ones 'auto' picks */
#define SQAUTH_MECH_NEEDS_TOKEN    0x08u /* OAuth 2.0 bearer token */
#define SQAUTH_MECH_CHANNEL_BIND   0x10u /* -PLUS: needs TLS channel-binding data */
#define SQAUTH_MECH_PROVES_SERVER  0x20u /* the server proves it knows the secret (server_proof): a server
                                            that accepts without that proof is not trusted */

/* Security layers a mechanism may negotiate. */
#define SQAUTH_LAYER_NONE 0
#define SQAUTH_LAYER_INT  1 /* DIGEST-MD5 auth-int */
#define SQAUTH_LAYER_CONF 2 /* DIGEST-MD5 auth-conf */

/* Security layer receive limit announced to the server (DIGEST-MD5
 * maxbuf) when the caller sets none, and the bounds a caller may set
 * (RFC 2831: maxbuf 17..16777215). */
#define SQAUTH_SASL_DEFAULT_MAXBUF 65536u
#define SQAUTH_SASL_MIN_MAXBUF     17u
#define SQAUTH_SASL_MAX_MAXBUF     16777215u

#define SQAUTH_SCRAM_DEFAULT_MIN_ITERATIONS 4096u
/* A hostile server could ask for billions of PBKDF2 rounds and pin the CPU;
 * refuse counts above this unless the caller raises the limit. */
#define SQAUTH_SCRAM_DEFAULT_MAX_ITERATIONS 1000000u

typedef struct sqauth_sasl sqauth_sasl;

/* What the caller hands to sqauth_sasl_new(). Everything is borrowed and
 * copied by sqauth_sasl_new(); a NULL data pointer means "not given". */
typedef struct sqauth_sasl_config {
    sqauth_str authcid;   /* user name */
    sqauth_str password;
    sqauth_str authzid;   /* identity to act as; absent = same as authcid */
    sqauth_str token;     /* OAuth 2.0 bearer token */

    sqauth_str service;   /* "imap", "smtp", "pop" ... (DIGEST-MD5 digest-uri) */
    sqauth_str host;      /* server host name (DIGEST-MD5 digest-uri, OAUTHBEARER host=) */
    unsigned port;        /* OAUTHBEARER port=, 0 = not sent */
    sqauth_str realm;     /* preferred DIGEST-MD5 realm */
    sqauth_str cnonce;    /* fixed client nonce: tests only */

    /* DIGEST-MD5 qop preference, strongest first, e.g. {"auth"}; NULL = default. */
    const char *const *qop;
    size_t qop_count;
    /* DIGEST-MD5 auth-conf cipher ("3des", "des", "rc4", "rc4-56",
     * "rc4-40"); absent = the strongest the server offers. */
    sqauth_str cipher;
    /* Largest protected buffer we accept from the server (DIGEST-MD5
     * maxbuf); 0 = SQAUTH_SASL_DEFAULT_MAXBUF. */
    unsigned maxbuf;
    /* DIGEST-MD5 under charset=utf-8: hash user name, realm and password as
     * the UTF-8 bytes they are, instead of RFC 2831's ISO-8859-1 form of
     * those that have one (Dovecot 2.3 does this). 0 = RFC 2831. */
    int digest_hash_utf8;

    unsigned min_iterations; /* SCRAM; 0 = SQAUTH_SCRAM_DEFAULT_MIN_ITERATIONS */
    unsigned max_iterations; /* SCRAM; 0 = SQAUTH_SCRAM_DEFAULT_MAX_ITERATIONS */
    /* SCRAM: neither use nor fill the process's key cache (scram_cache.h)
     * for this exchange. 0 = use it. */
    int no_key_cache;

    sqauth_str cb_type;   /* channel binding type for -PLUS, e.g. "tls-exporter" */
    sqauth_str cb_data;   /* channel binding data */
} sqauth_sasl_config;

typedef struct sqauth_sasl_mech {
    const char *name;
    int strength;       /* higher is preferred by sqauth_sasl_select() */
    unsigned flags;     /* SQAUTH_MECH_* */
    /* Produces the initial response into out and sets *has_output (0 when the
     * mechanism waits for the server). May be NULL: no initial response. */
    int (*start)(sqauth_sasl *s, sqauth_buf *out, int *has_output, sqauth_error *err);
    /* Answers one server challenge. Sets s->complete when the exchange is
     * over from the client's point of view. */
    int (*step)(sqauth_sasl *s, const unsigned char *in, size_t in_len, sqauth_buf *out, sqauth_error *err);
    /* Wipes and frees s->state. May be NULL when the mechanism keeps none. */
    void (*dispose)(sqauth_sasl *s);
    /* SQAUTH_MECH_PROVES_SERVER: what the server's proof is called, for
     * messages ("rspauth", "server signature"). */
    const char *server_proof;
} sqauth_sasl_mech;

/* A negotiated security layer as the session sees it: a mechanism fills
 * s->layer_ops/s->layer_ctx when its exchange succeeded with one, and the
 * generic sqauth_sasl_wrap()/_unwrap() do the RFC 4422 §3.7 framing (4-byte
 * big-endian length, splitting at the peer's maxbuf) around these. */
typedef struct sqauth_sasl_layer_ops {
    /* Protects one message; appends the buffer without its length prefix. */
    int (*seal)(void *ctx, const unsigned char *in, size_t len, sqauth_buf *out, sqauth_error *err);
    /* Checks and opens one buffer (without its length prefix); appends the
     * plaintext. Any failure leaves the layer unusable. */
    int (*open)(void *ctx, const unsigned char *in, size_t len, sqauth_buf *out, sqauth_error *err);
    /* The most bytes seal() adds to a message. */
    size_t (*overhead)(const void *ctx);
    /* "3des", "rc4", ... or NULL for an integrity-only layer. */
    const char *(*cipher_name)(const void *ctx);
    /* Wipes keys and cipher states, frees ctx. */
    void (*free)(void *ctx);
} sqauth_sasl_layer_ops;

/* An owned secret or string: bytes plus a NUL, wiped when the session ends. */
typedef struct sqauth_owned {
    char *data;         /* NULL when absent */
    size_t len;
} sqauth_owned;

struct sqauth_sasl {
    const sqauth_sasl_mech *mech;

    sqauth_owned authcid, password, authzid, token;
    sqauth_owned service, host, realm, cnonce, cb_type, cb_data;
    unsigned port;
    char **qop;         /* owned copy of the preference list */
    size_t qop_count;
    sqauth_owned cipher; /* DIGEST-MD5 auth-conf cipher forced by the caller */
    unsigned maxbuf;    /* our receive limit for protected buffers */
    int digest_hash_utf8; /* see sqauth_sasl_config */
    unsigned min_iterations, max_iterations;
    int no_key_cache;   /* see sqauth_sasl_config */
    int key_cache_hit;  /* SCRAM: the keys of this exchange came from the cache */

    void *state;        /* mechanism private state */
    int started;
    int complete;        /* the client has nothing more to say */
    int server_verified; /* the server proved it knows the secret (rspauth, v=) */
    int failed;          /* an error happened: the session refuses further steps */
    int layer;           /* SQAUTH_LAYER_* negotiated; set once the exchange succeeded */
    /* The security layer once s->layer != SQAUTH_LAYER_NONE. */
    const sqauth_sasl_layer_ops *layer_ops;
    void *layer_ctx;
    unsigned long peer_maxbuf; /* the server's receive limit (what we send) */
    int layer_failed;    /* a wrap/unwrap error: the layer refuses further use */
    /* Server-reported error text (SCRAM e= value, OAuth JSON), raw. */
    sqauth_owned server_error;
    /* One block holding every caller string above (authcid ... cipher and
     * the qop list): one allocation and one wipe per session. */
    char *strings;
    size_t strings_len;
};

/* Registry. */
size_t sqauth_sasl_mech_count(void);
const sqauth_sasl_mech *sqauth_sasl_mech_at(size_t i);
/* Case-insensitive lookup; NULL when this build does not support it. */
const sqauth_sasl_mech *sqauth_sasl_find(const char *name, size_t len);

/* Picks the strongest mechanism among offered (server names, any case), and
 * among allowed when allowed != NULL. With allowed == NULL only password
 * mechanisms are candidates (token, EXTERNAL and -PLUS need something the
 * caller must provide). Cleartext mechanisms only when encrypted != 0.
 * Returns the canonical name, or NULL when nothing fits. */
const char *sqauth_sasl_select(const sqauth_str *offered, size_t offered_count,
                               const sqauth_str *allowed, size_t allowed_count, int encrypted);

/* Creates a session. Returns SQAUTH_OK or an error (unknown mechanism,
 * missing credential for this mechanism, NUL bytes where not allowed). */
int sqauth_sasl_new(sqauth_sasl **out, const char *mech_name, size_t mech_name_len,
                    const sqauth_sasl_config *cfg, sqauth_error *err);

/* What sqauth_sasl_new() checks of cfg for mechanism m (credentials the
 * mechanism needs, no NUL bytes, maxbuf and iteration bounds), for callers
 * that use a mechanism without a session. Returns SQAUTH_OK or
 * SQAUTH_ERR_INVALID_ARG. */
int sqauth_sasl_check_config(const sqauth_sasl_mech *m, const sqauth_sasl_config *cfg, sqauth_error *err);

/* Initial response: out gets raw bytes and *has_output says whether there is
 * one at all (an empty initial response is not the same as none). */
int sqauth_sasl_start(sqauth_sasl *s, sqauth_buf *out, int *has_output, sqauth_error *err);

/* One challenge in, one response out. Calls start() first when the caller
 * did not and the mechanism has no initial response. */
int sqauth_sasl_step(sqauth_sasl *s, const unsigned char *in, size_t in_len,
                     sqauth_buf *out, sqauth_error *err);

/* Wipes every secret and frees the session (NULL-safe). */
void sqauth_sasl_free(sqauth_sasl *s);

const char *sqauth_sasl_layer_name(int layer); /* NULL, "auth-int", "auth-conf" */

/* ---- security layer (RFC 4422 §3.7), after a successful exchange that
 * negotiated one (s->layer != SQAUTH_LAYER_NONE) ----
 *
 * sqauth_sasl_wrap() protects len bytes for the server and appends one or
 * more complete buffers to out, each with its 4-byte big-endian length
 * prefix; the input is split so that no buffer (prefix included) exceeds
 * the server's maxbuf. len == 0 appends nothing.
 *
 * sqauth_sasl_unwrap() takes bytes read from the server, consumes every
 * complete length-prefixed buffer at the start of in, appends the plaintext
 * to out and sets *consumed; an incomplete buffer at the end is left
 * unconsumed for the caller to complete with more bytes. Errors:
 *   SQAUTH_ERR_PROTOCOL   a length above our maxbuf or too short to be a buffer
 *   SQAUTH_ERR_INTEGRITY  bad MAC, sequence number (replay, reordering, loss),
 *                         version or padding
 *   SQAUTH_ERR_STATE      no layer negotiated, or the layer failed before
 *   SQAUTH_ERR_CRYPTO     OpenSSL refused an operation
 * After an error the layer's state (sequence numbers, cipher stream) is
 * lost: the connection must be closed. On error *consumed counts the
 * buffers that were opened before the bad one, and out holds their
 * plaintext. */
int sqauth_sasl_wrap(sqauth_sasl *s, const unsigned char *in, size_t len, sqauth_buf *out, sqauth_error *err);
int sqauth_sasl_unwrap(sqauth_sasl *s, const unsigned char *in, size_t len, size_t *consumed,
                       sqauth_buf *out, sqauth_error *err);
/* The auth-conf cipher ("3des", "des", "rc4", "rc4-56", "rc4-40"), or NULL
 * when no confidentiality layer is active. */
const char *sqauth_sasl_cipher_name(const sqauth_sasl *s);
/* Our receive limit (announced as maxbuf) and the server's (the limit for
 * what sqauth_sasl_wrap() sends): sizes of a buffer without its prefix. */
unsigned long sqauth_sasl_recv_maxbuf(const sqauth_sasl *s);
unsigned long sqauth_sasl_send_maxbuf(const sqauth_sasl *s);
/* The most plaintext bytes one wrapped buffer carries (0 without a layer). */
size_t sqauth_sasl_max_wrap_chunk(const sqauth_sasl *s);

/* Helpers shared by mechanisms. */
int sqauth_owned_set(sqauth_owned *o, sqauth_str s);
void sqauth_owned_wipe(sqauth_owned *o);
int sqauth_sasl_set_server_error(sqauth_sasl *s, const void *p, size_t n);
/* Appends a saslname (RFC 5802 §7, RFC 5801): ',' and '=' as "=2C" and "=3D".
 * SCRAM's user names and gs2 authzids, OAUTHBEARER's a=. */
int sqauth_sasl_append_saslname(sqauth_buf *out, const char *p, size_t n);
/* Fills out with the base64 form of random_bytes random bytes (no ',' or
 * '"') from sqauth_random_nonce(), or copies s->cnonce when the caller
 * fixed one. */
int sqauth_sasl_nonce(sqauth_sasl *s, sqauth_buf *out, size_t random_bytes, sqauth_error *err);

/* CRAM-MD5 without a session (what the mechanism's step does): appends
 * user SP hex(HMAC-MD5(password, challenge)) to out. The caller checks the
 * credentials as sqauth_sasl_new() would (present, no NUL bytes). */
int sqauth_cram_md5_response(sqauth_str user, sqauth_str password, const unsigned char *in, size_t in_len,
                             sqauth_buf *out, sqauth_error *err);
/* Only the 32 lowercase hex digits of HMAC-MD5(password, challenge), for a
 * caller that assembles the response itself (SqAuth\cram_md5_response()
 * writes it straight into its base64 input). An empty challenge is
 * SQAUTH_ERR_MALFORMED. */
int sqauth_cram_md5_hex(sqauth_str password, const unsigned char *in, size_t in_len, char hex[32], sqauth_error *err);

/* DIGEST-MD5 without a session, for SqAuth\digest_md5_response(), which
 * SquirrelMail calls on every login: the digest-response to one challenge
 * that arrives base64-encoded (strict, as sqauth_b64_decode()), as the
 * mechanism's first step computes it from the same configuration (checked
 * first, as sqauth_sasl_new() would); nothing is kept for rspauth. The raw
 * response goes to out[0..*out_len), cap > SQAUTH_DIGEST_MD5_MAX_RESPONSE
 * (4095; a longer response is an error); the caller cleanses it. No
 * allocation for a challenge RFC 2831 allows and a response under cap. */
int sqauth_digest_md5_answer_b64(const sqauth_sasl_config *cfg, const char *b64, size_t b64_len, char *out,
                                 size_t cap, size_t *out_len, sqauth_error *err);

/* The mechanisms, each in its own file. */
extern const sqauth_sasl_mech sqauth_mech_plain;
extern const sqauth_sasl_mech sqauth_mech_login;
extern const sqauth_sasl_mech sqauth_mech_cram_md5;
extern const sqauth_sasl_mech sqauth_mech_digest_md5;
extern const sqauth_sasl_mech sqauth_mech_scram_sha_1;
extern const sqauth_sasl_mech sqauth_mech_scram_sha_256;
extern const sqauth_sasl_mech sqauth_mech_scram_sha_1_plus;
extern const sqauth_sasl_mech sqauth_mech_scram_sha_256_plus;
extern const sqauth_sasl_mech sqauth_mech_xoauth2;
extern const sqauth_sasl_mech sqauth_mech_oauthbearer;
extern const sqauth_sasl_mech sqauth_mech_external;

#endif
