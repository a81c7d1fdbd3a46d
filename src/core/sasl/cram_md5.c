/*
 * CRAM-MD5 (RFC 2195): response = user SP hex(HMAC-MD5(password, challenge)).
 * The server is not authenticated by this mechanism (isServerVerified()
 * stays false).
 */
#include "sasl.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

static int cram_md5_step(sqauth_sasl *s, const unsigned char *in, size_t in_len, sqauth_buf *out, sqauth_error *err)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;

    if (in_len == 0) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "CRAM-MD5 challenge is empty");
    }
    if (!HMAC(EVP_md5(), s->password.data, (int)s->password.len, in, in_len, mac, &mac_len)) {
        return sqauth_fail(err, SQAUTH_ERR_CRYPTO, "OpenSSL HMAC-MD5 failed");
    }
    if (sqauth_buf_append(out, s->authcid.data, s->authcid.len) || sqauth_buf_append_byte(out, ' ')
        || sqauth_buf_append_hex(out, mac, mac_len)) {
        sqauth_cleanse(mac, sizeof(mac));
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    sqauth_cleanse(mac, sizeof(mac));
    s->complete = 1;
    return SQAUTH_OK;
}

const sqauth_sasl_mech sqauth_mech_cram_md5 = {
    "CRAM-MD5", 30, SQAUTH_MECH_NEEDS_PASSWORD,
    NULL, cram_md5_step, NULL,
};
