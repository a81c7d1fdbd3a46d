/*
 * CRAM-MD5 (RFC 2195): response = user SP hex(HMAC-MD5(password, challenge)).
 * The server is not authenticated by this mechanism (isServerVerified()
 * stays false).
 */
#include "sasl.h"
#include "hmac_md5.h"
#include "md5.h"

int sqauth_cram_md5_hex(sqauth_str password, const unsigned char *in, size_t in_len, char hex[32], sqauth_error *err)
{
    unsigned char mac[16];
    int rc;

    if (in_len == 0) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "CRAM-MD5 challenge is empty");
    }
    rc = sqauth_hmac_md5_direct(password.data, password.len, in, in_len, mac, err);
    if (rc == SQAUTH_OK) {
        sqauth_md5_hex(hex, mac);
    }
    sqauth_cleanse(mac, sizeof(mac));
    return rc;
}

int sqauth_cram_md5_response(sqauth_str user, sqauth_str password, const unsigned char *in, size_t in_len,
                             sqauth_buf *out, sqauth_error *err)
{
    char hex[32];
    int rc = sqauth_cram_md5_hex(password, in, in_len, hex, err);

    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (sqauth_buf_reserve(out, user.len + 1 + sizeof(hex)) || sqauth_buf_append(out, user.data, user.len)
        || sqauth_buf_append_byte(out, ' ') || sqauth_buf_append(out, hex, sizeof(hex))) {
        rc = sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    sqauth_cleanse(hex, sizeof(hex));
    return rc;
}

static int cram_md5_step(sqauth_sasl *s, const unsigned char *in, size_t in_len, sqauth_buf *out, sqauth_error *err)
{
    sqauth_str user, password;
    int rc;

    user.data = s->authcid.data;
    user.len = s->authcid.len;
    password.data = s->password.data;
    password.len = s->password.len;
    rc = sqauth_cram_md5_response(user, password, in, in_len, out, err);
    if (rc == SQAUTH_OK) {
        s->complete = 1;
    }
    return rc;
}

const sqauth_sasl_mech sqauth_mech_cram_md5 = {
    "CRAM-MD5", 30, SQAUTH_MECH_NEEDS_PASSWORD,
    NULL, cram_md5_step, NULL, NULL,
};
