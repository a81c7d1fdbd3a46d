/* PLACEHOLDER: replaced by the SCRAM implementation. */
#include "sasl.h"
const sqauth_sasl_mech sqauth_mech_scram_sha_1 = {"SCRAM-SHA-1", 60, SQAUTH_MECH_NEEDS_PASSWORD | SQAUTH_MECH_CLIENT_FIRST, NULL, NULL, NULL};
const sqauth_sasl_mech sqauth_mech_scram_sha_256 = {"SCRAM-SHA-256", 70, SQAUTH_MECH_NEEDS_PASSWORD | SQAUTH_MECH_CLIENT_FIRST, NULL, NULL, NULL};
const sqauth_sasl_mech sqauth_mech_scram_sha_1_plus = {"SCRAM-SHA-1-PLUS", 80, SQAUTH_MECH_NEEDS_PASSWORD | SQAUTH_MECH_CLIENT_FIRST | SQAUTH_MECH_CHANNEL_BIND, NULL, NULL, NULL};
const sqauth_sasl_mech sqauth_mech_scram_sha_256_plus = {"SCRAM-SHA-256-PLUS", 90, SQAUTH_MECH_NEEDS_PASSWORD | SQAUTH_MECH_CLIENT_FIRST | SQAUTH_MECH_CHANNEL_BIND, NULL, NULL, NULL};
