/*
 * sqauth core: the per-connection side of TLS (RFC 8446 / RFC 5246 through
 * OpenSSL): the options tls.h declares CONNECTION are applied here, on
 * each SSL: SNI (RFC 6066), the name check (RFC 6125), session resumption
 * under "port name", the handshake with a deadline, certificate pinning;
 * then what a connection reports: its TLS details and channel-binding data
 * (RFC 5929, RFC 9266). The shared contexts are in tls.c.
 */
#include "tls.h"
#include "../net/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

/* Turns the verification result into a message that says what to do. A
 * CA missing from trust anchors that a setting gave (ca_source, e.g.
 * "php.ini sqauth.cafile": one site's directory may set another CA than
 * the next one's) is reported against that setting, by name: its path
 * would reach the pages a webmail shows its users. */
static const char *verify_advice(long code, const char *ca_source, char *buf, size_t cap)
{
    switch (code) {
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        if (ca_source) {
            snprintf(buf, cap, "the CA that signed the server's certificate is not among those of %s: add it "
                     "there, or pass it as 'cafile' (or 'capath')", ca_source);
            return buf;
        }
        return "pass the CA that signed the server's certificate as 'cafile' (or 'capath')";
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return "the server's certificate has expired: renew it on the server";
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return "the server's certificate is not valid yet: check the clocks";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return "connect with a name the certificate lists, or set 'peer_name'";
    default:
        return "check the server's certificate chain";
    }
}

static int verify_peer_fingerprint(SSL *ssl, const char *want, sqauth_error *err)
{
    char have[65], norm[65];
    size_t i, n = 0;
    X509 *cert = SSL_get1_peer_certificate(ssl);
    int rc;

    if (strncmp(want, "sha256:", 7) == 0) {
        want += 7;
    }
    for (i = 0; want[i] && n < 64; i++) {
        char ch = want[i];
        if (ch == ':') {
            continue;
        }
        norm[n++] = (char)((ch >= 'A' && ch <= 'F') ? ch + 32 : ch);
    }
    norm[n] = '\0';
    rc = sqauth_tls_cert_sha256(cert, have);
    X509_free(cert);
    if (rc != SQAUTH_OK) {
        return sqauth_fail(err, SQAUTH_ERR_TLS, "the server sent no certificate to compare with 'peer_fingerprint'");
    }
    if (n != 64 || want[i] != '\0' || !sqauth_equal_ct(have, 64, norm, 64)) {
        return sqauth_fail(err, SQAUTH_ERR_TLS,
                           "the server's certificate does not match 'peer_fingerprint' (its sha256 is %s)", have);
    }
    return SQAUTH_OK;
}

int sqauth_tls_failure_is_eof(const sqauth_tls_failure *fail)
{
    size_t i;
    for (i = 0; i < fail->error_count; i++) {
        if (fail->errors[i].library_code == ERR_LIB_SSL && fail->errors[i].reason_code == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
            return 1;
        }
    }
    return 0;
}

int sqauth_tls_handshake(int fd, unsigned port, const sqauth_tls_config *cfg, const char *name, const char *ca_source,
                         int64_t deadline, SSL **ssl, sqauth_tls_ctx **ctx, char **session_key,
                         sqauth_tls_failure *fail, sqauth_error *err)
{
    int rc;

    rc = sqauth_tls_ctx_get(cfg, ctx, fail, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    ERR_clear_error();
    *ssl = SSL_new(sqauth_tls_ctx_ssl_ctx(*ctx));
    if (!*ssl || !SSL_set_fd(*ssl, fd) || sqauth_tls_attach(*ssl, fail) != SQAUTH_OK) {
        sqauth_tls_collect_errors(fail);
        return sqauth_fail(err, SQAUTH_ERR_TLS, "cannot set up TLS on the connection");
    }
    if (name && *name) {
        int is_ip = sqauth_net_is_ip_literal(name);
        /* RFC 6066 §3: no IP literals in SNI. */
        if (!is_ip && !SSL_set_tlsext_host_name(*ssl, name)) {
            sqauth_tls_collect_errors(fail);
            return sqauth_fail(err, SQAUTH_ERR_TLS, "cannot set the TLS server name (SNI)");
        }
        if (cfg->verify_peer && cfg->verify_peer_name) {
            X509_VERIFY_PARAM *param = SSL_get0_param(*ssl);
            X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            if (!(is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, name) : X509_VERIFY_PARAM_set1_host(param, name, 0))) {
                sqauth_tls_collect_errors(fail);
                return sqauth_fail(err, SQAUTH_ERR_TLS, "cannot set the name to verify");
            }
        }
    } else if (cfg->verify_peer && cfg->verify_peer_name) {
        return sqauth_fail(err, SQAUTH_ERR_TLS, "no host name to verify the certificate against: set 'peer_name'");
    }
    if (cfg->session_resumption && name && *name) {
        /* The name is the one the certificate was checked against (and the
         * SNI): a session is never offered to another server name. */
        size_t len = strlen(name) + 16;
        *session_key = malloc(len);
        if (!*session_key) {
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
        snprintf(*session_key, len, "%u %s", port, name);
        if (sqauth_tls_session_attach(*ctx, *ssl, *session_key) != SQAUTH_OK) {
            sqauth_tls_collect_errors(fail);
            return sqauth_fail(err, SQAUTH_ERR_TLS, "cannot set up TLS session resumption");
        }
    }
    /* Read whole TCP segments rather than a record header, then its body:
     * a handshake flight is one read instead of a dozen. Bytes read ahead
     * stay inside OpenSSL, which sqauth_conn_has_pending() accounts for. */
    SSL_set_read_ahead(*ssl, 1);
    for (;;) {
        int r, e, sys_errno;
        ERR_clear_error();
        errno = 0;
        r = SSL_connect(*ssl);
        sys_errno = errno;
        if (r == 1) {
            break;
        }
        e = SSL_get_error(*ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            rc = sqauth_net_wait(fd, e == SSL_ERROR_WANT_WRITE, deadline, "during the TLS handshake", err);
            if (rc != SQAUTH_OK) {
                return rc;
            }
            continue;
        }
        sqauth_tls_collect_errors(fail);
        sqauth_tls_session_forget(*ctx, *session_key);
        if (fail->has_verify) {
            char advice[256];
            return sqauth_fail(err, SQAUTH_ERR_TLS, "certificate verify failed: %s (depth %d); %s",
                               fail->verify_message, fail->verify_depth,
                               verify_advice(fail->verify_code, ca_source, advice, sizeof(advice)));
        }
        if (fail->alert[0]) {
            return sqauth_fail(err, SQAUTH_ERR_TLS, "TLS handshake failed: the server sent the alert \"%s\"%s",
                               fail->alert,
                               strstr(fail->alert, "certificate") ? "; the server may require a client certificate ('local_cert')"
                               : strcmp(fail->alert, "protocol version") == 0 ? "; the server may only offer a TLS version below 'min_protocol'" : "");
        }
        /* The server ended the connection: an orderly end (OpenSSL 3's
         * "unexpected eof while reading") or a reset (a server that closes
         * with our ClientHello unread gets its kernel to answer it with
         * one), which of the two is a matter of timing: one failure. */
        if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SSL && sqauth_tls_failure_is_eof(fail))
            || (e == SSL_ERROR_SYSCALL && fail->error_count == 0
                && (sys_errno == 0 || sys_errno == ECONNRESET || sys_errno == EPIPE))) {
            rc = sqauth_fail(err, SQAUTH_ERR_TLS, "TLS handshake failed: the server closed the connection");
            if (err && e == SSL_ERROR_SYSCALL) {
                err->sys_errno = sys_errno;
            }
            return rc;
        }
        if (fail->error_count) {
            const char *reason = fail->errors[0].reason;
            return sqauth_fail(err, SQAUTH_ERR_TLS, "TLS handshake failed: %s%s", reason,
                               strstr(reason, "protocol") ? "; the server may only offer a TLS version below 'min_protocol'" : "");
        }
        if (e == SSL_ERROR_SYSCALL) {
            rc = sqauth_fail(err, SQAUTH_ERR_TLS, "TLS handshake failed: %s", strerror(sys_errno));
            if (err) {
                err->sys_errno = sys_errno;
            }
            return rc;
        }
        return sqauth_fail(err, SQAUTH_ERR_TLS, "TLS handshake failed");
    }
    if (cfg->peer_fingerprint) {
        rc = verify_peer_fingerprint(*ssl, cfg->peer_fingerprint, err);
        if (rc != SQAUTH_OK) {
            sqauth_tls_session_forget(*ctx, *session_key);
            return rc;
        }
    }
    return SQAUTH_OK;
}

static void name_string(X509_NAME *name, char *out, size_t size)
{
    BIO *bio = BIO_new(BIO_s_mem());
    long n;
    char *p;

    out[0] = '\0';
    if (!bio) {
        return;
    }
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    n = BIO_get_mem_data(bio, &p);
    if (n > 0) {
        snprintf(out, size, "%.*s", (int)n, p);
    }
    BIO_free(bio);
}

static void sans_string(X509 *cert, char *out, size_t size)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    size_t used = 0;
    int i;

    out[0] = '\0';
    if (!names) {
        return;
    }
    for (i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        char item[300];
        item[0] = '\0';
        if (g->type == GEN_DNS) {
            snprintf(item, sizeof(item), "DNS:%.*s", ASN1_STRING_length(g->d.dNSName),
                     (const char *)ASN1_STRING_get0_data(g->d.dNSName));
        } else if (g->type == GEN_IPADD) {
            const unsigned char *a = ASN1_STRING_get0_data(g->d.iPAddress);
            int len = ASN1_STRING_length(g->d.iPAddress);
            char ip[64];
            if ((len == 4 && inet_ntop(AF_INET, a, ip, sizeof(ip)))
                || (len == 16 && inet_ntop(AF_INET6, a, ip, sizeof(ip)))) {
                snprintf(item, sizeof(item), "IP:%s", ip);
            }
        }
        if (item[0] && used + strlen(item) + 3 < size) {
            used += (size_t)snprintf(out + used, size - used, "%s%s", used ? ", " : "", item);
        }
    }
    GENERAL_NAMES_free(names);
}

int sqauth_tls_info_get(SSL *ssl, sqauth_tls_info *info)
{
    const SSL_CIPHER *cipher;
    X509 *cert;

    memset(info, 0, sizeof(*info));
    if (!ssl) {
        return 0;
    }
    snprintf(info->protocol, sizeof(info->protocol), "%s", SSL_get_version(ssl));
    cipher = SSL_get_current_cipher(ssl);
    if (cipher) {
        snprintf(info->cipher, sizeof(info->cipher), "%s", SSL_CIPHER_get_name(cipher));
        info->bits = SSL_CIPHER_get_bits(cipher, NULL);
    }
    info->session_reused = SSL_session_reused(ssl);
    info->verify_code = SSL_get_verify_result(ssl);
    snprintf(info->verify_message, sizeof(info->verify_message), "%s", X509_verify_cert_error_string(info->verify_code));
    cert = SSL_get1_peer_certificate(ssl);
    if (cert) {
        const ASN1_TIME *na = X509_get0_notAfter(cert);
        struct tm tm;
        info->has_peer_cert = 1;
        name_string(X509_get_subject_name(cert), info->subject, sizeof(info->subject));
        name_string(X509_get_issuer_name(cert), info->issuer, sizeof(info->issuer));
        sans_string(cert, info->sans, sizeof(info->sans));
        if (na && ASN1_TIME_to_tm(na, &tm)) {
            snprintf(info->not_after, sizeof(info->not_after), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        }
        sqauth_tls_cert_sha256(cert, info->sha256);
        X509_free(cert);
    }
    ERR_clear_error();
    return 1;
}

int sqauth_tls_channel_binding(SSL *ssl, const char *type, const char **type_out, sqauth_buf *out, sqauth_error *err)
{
    int tls13;

    *type_out = NULL;
    if (!ssl) {
        return sqauth_fail(err, SQAUTH_ERR_POLICY, "channel binding needs a TLS connection");
    }
    tls13 = SSL_version(ssl) >= TLS1_3_VERSION;
    if (!type) {
        type = tls13 ? "tls-exporter" : "tls-unique";
    }
    if (strcmp(type, "tls-exporter") == 0) {
        unsigned char km[32];
        static const char label[] = "EXPORTER-Channel-Binding";
        /* RFC 9266 §2: not with TLS 1.2 unless the extended master secret
         * is in use; we only offer it under TLS 1.3. */
        if (!tls13) {
            return sqauth_fail(err, SQAUTH_ERR_POLICY, "tls-exporter channel binding needs TLS 1.3");
        }
        if (SSL_export_keying_material(ssl, km, sizeof(km), label, sizeof(label) - 1, NULL, 0, 0) != 1) {
            ERR_clear_error();
            return sqauth_fail(err, SQAUTH_ERR_TLS, "cannot export the TLS keying material for channel binding");
        }
        if (sqauth_buf_append(out, km, sizeof(km)) != SQAUTH_OK) {
            sqauth_cleanse(km, sizeof(km));
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
        sqauth_cleanse(km, sizeof(km));
        *type_out = "tls-exporter";
        return SQAUTH_OK;
    }
    if (strcmp(type, "tls-unique") == 0) {
        unsigned char fin[EVP_MAX_MD_SIZE];
        size_t n;
        /* RFC 9266 §3: tls-unique is undefined for TLS 1.3. */
        if (tls13) {
            return sqauth_fail(err, SQAUTH_ERR_POLICY, "tls-unique channel binding does not exist under TLS 1.3");
        }
        /* RFC 7627 §5.4 / RFC 9266 §1: without the extended master secret
         * a resumed session's tls-unique can be made equal on two
         * connections (the triple handshake attack). */
        if (SSL_session_reused(ssl) && SSL_get_extms_support(ssl) != 1) {
            return sqauth_fail(err, SQAUTH_ERR_POLICY,
                               "tls-unique channel binding is unsafe on a resumed TLS session without the extended master secret");
        }
        /* The first Finished message of the handshake: the client's on a
         * full handshake, the server's on a resumed one. */
        n = SSL_session_reused(ssl) ? SSL_get_peer_finished(ssl, fin, sizeof(fin))
                                    : SSL_get_finished(ssl, fin, sizeof(fin));
        if (n == 0 || n > sizeof(fin) || sqauth_buf_append(out, fin, n) != SQAUTH_OK) {
            return sqauth_fail(err, SQAUTH_ERR_TLS, "cannot read the TLS Finished message for channel binding");
        }
        *type_out = "tls-unique";
        return SQAUTH_OK;
    }
    if (strcmp(type, "tls-server-end-point") == 0) {
        X509 *cert = SSL_get1_peer_certificate(ssl);
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        int mdnid = NID_undef, pknid;
        const EVP_MD *digest;
        if (!cert) {
            return sqauth_fail(err, SQAUTH_ERR_TLS, "the server sent no certificate for channel binding");
        }
        /* RFC 5929 §4.1: the certificate's signature hash, but SHA-256
         * instead of MD5 or SHA-1. */
        if (!X509_get_signature_info(cert, &mdnid, &pknid, NULL, NULL) || mdnid == NID_undef
            || mdnid == NID_md5 || mdnid == NID_sha1) {
            mdnid = NID_sha256;
        }
        digest = EVP_get_digestbynid(mdnid);
        if (!digest || !X509_digest(cert, digest, md, &len) || sqauth_buf_append(out, md, len) != SQAUTH_OK) {
            X509_free(cert);
            ERR_clear_error();
            return sqauth_fail(err, SQAUTH_ERR_TLS, "cannot hash the server certificate for channel binding");
        }
        X509_free(cert);
        *type_out = "tls-server-end-point";
        return SQAUTH_OK;
    }
    return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "unknown channel binding type \"%.40s\"", type);
}

