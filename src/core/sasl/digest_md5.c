/* PLACEHOLDER: replaced by the DIGEST-MD5 implementation. */
#include "sasl.h"
const sqauth_sasl_mech sqauth_mech_digest_md5 = {"DIGEST-MD5", 50, SQAUTH_MECH_NEEDS_PASSWORD, NULL, NULL, NULL};
