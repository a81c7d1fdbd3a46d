/*
 * sqauth core: the protocols. Adding one is its file in this folder (a
 * filled sqauth_protocol, see proto.h) and its line here; URI schemes,
 * ports, TLS modes and everything else come from its entry.
 */
#include "proto.h"

#include <string.h>

/* Each defined in its own file. */
extern const sqauth_protocol sqauth_proto_imap;
extern const sqauth_protocol sqauth_proto_pop3;
extern const sqauth_protocol sqauth_proto_smtp;
extern const sqauth_protocol sqauth_proto_sieve;

const sqauth_protocol *const sqauth_protocols[] = {
    &sqauth_proto_imap,
    &sqauth_proto_pop3,
    &sqauth_proto_smtp,
    &sqauth_proto_sieve,
};

const size_t sqauth_protocol_table_size = sizeof(sqauth_protocols) / sizeof(sqauth_protocols[0]);

const sqauth_protocol *sqauth_protocol_find(const char *name)
{
    size_t i;
    for (i = 0; i < sqauth_protocol_table_size; i++) {
        if (strcmp(sqauth_protocols[i]->name, name) == 0) {
            return sqauth_protocols[i];
        }
    }
    return NULL;
}

const char *sqauth_protocol_name(const sqauth_protocol *p)
{
    return p->name;
}

size_t sqauth_scheme_count(void)
{
    size_t i, n = 0;
    const sqauth_scheme *sc;
    for (i = 0; i < sqauth_protocol_table_size; i++) {
        for (sc = sqauth_protocols[i]->schemes; sc->name; sc++) {
            n++;
        }
    }
    return n;
}

const sqauth_scheme *sqauth_scheme_at(size_t index, const sqauth_protocol **protocol)
{
    size_t i;
    const sqauth_scheme *sc;
    for (i = 0; i < sqauth_protocol_table_size; i++) {
        for (sc = sqauth_protocols[i]->schemes; sc->name; sc++) {
            if (index-- == 0) {
                if (protocol) {
                    *protocol = sqauth_protocols[i];
                }
                return sc;
            }
        }
    }
    return NULL;
}

const sqauth_scheme *sqauth_scheme_find(const char *name, size_t len, const sqauth_protocol **protocol)
{
    size_t i;
    const sqauth_scheme *sc;
    for (i = 0; i < sqauth_protocol_table_size; i++) {
        for (sc = sqauth_protocols[i]->schemes; sc->name; sc++) {
            if (strlen(sc->name) == len && sqauth_strncaseeq(sc->name, name, len)) {
                if (protocol) {
                    *protocol = sqauth_protocols[i];
                }
                return sc;
            }
        }
    }
    return NULL;
}
