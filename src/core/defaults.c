/*
 * sqauth core: the site's defaults for connections and which source wins
 * (see defaults.h).
 */
#include "defaults.h"

#include <stdio.h>
#include <string.h>

sqauth_source sqauth_source_pick(int call, int site, int platform)
{
    if (call) {
        return SQAUTH_SOURCE_CALL;
    }
    if (site) {
        return SQAUTH_SOURCE_SITE;
    }
    return platform ? SQAUTH_SOURCE_PLATFORM : SQAUTH_SOURCE_BUILTIN;
}

static int is_set(const sqauth_site_value *v)
{
    return v->text && v->text[0];
}

/* The value as a message quotes it: at most 64 bytes, anything but
 * printable ASCII as '?' (a configuration file may hold any bytes). */
static void quoted(char out[72], const char *text)
{
    size_t i;

    for (i = 0; text[i] && i < 64; i++) {
        out[i] = text[i] >= 0x20 && text[i] < 0x7f && text[i] != '"' ? text[i] : '?';
    }
    if (text[i]) {
        memcpy(out + i, "...", 4);
    } else {
        out[i] = '\0';
    }
}

static int bad(sqauth_error *err, int code, const sqauth_site_value *v, const char *what)
{
    char q[72];

    quoted(q, v->text);
    return sqauth_fail(err, code, "%s=\"%s\" is not %s", v->name, q, what);
}

static int ascii_caseeq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        if (x != *b) {
            return 0;
        }
    }
    return *a == *b;
}

/* php.ini's booleans: On/Off as the parser leaves them ("1", ""), and the
 * words ini_set() may be given. */
static int parse_bool(const char *t, int *out)
{
    static const char *const yes[] = {"1", "on", "yes", "true"};
    static const char *const no[] = {"", "0", "off", "no", "false"};
    size_t i;

    for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (ascii_caseeq(t, yes[i])) {
            *out = 1;
            return 1;
        }
    }
    for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        if (ascii_caseeq(t, no[i])) {
            *out = 0;
            return 1;
        }
    }
    return 0;
}

/* Seconds as decimal digits with an optional fraction ("30", "2.5", ".5"),
 * greater than 0 and at most 86400, as the 'timeout' option takes them;
 * nothing else (no sign, exponent, hex, spaces or units). */
static int parse_seconds(const char *t, int *ms)
{
    double v = 0, scale = 0.1;
    size_t digits = 0;

    for (; *t >= '0' && *t <= '9'; t++, digits++) {
        v = v * 10 + (*t - '0');
    }
    if (*t == '.') {
        for (t++; *t >= '0' && *t <= '9'; t++, digits++) {
            v += (*t - '0') * scale;
            scale /= 10;
        }
    }
    if (!digits || *t || !(v > 0) || v > 86400) {
        return 0;
    }
    *ms = (int)(v * 1000.0);
    if (*ms < 1) {
        *ms = 1;
    }
    return 1;
}

static int apply_seconds(int *ms, int given, const sqauth_site_value *v, sqauth_error *err)
{
    if (sqauth_source_pick(given, is_set(v), 0) != SQAUTH_SOURCE_SITE) {
        return SQAUTH_OK;
    }
    if (!parse_seconds(v->text, ms)) {
        return bad(err, SQAUTH_ERR_CONNECT, v, "a number of seconds greater than 0 and at most 86400");
    }
    return SQAUTH_OK;
}

/* The CA file and directory of one source (either may be unset there). */
static void take_ca(sqauth_session_options *o, const sqauth_site_value *file, const sqauth_site_value *dir)
{
    o->tls.cafile = is_set(file) ? file->text : NULL;
    o->tls.capath = is_set(dir) ? dir->text : NULL;
    o->cafile_name = file->name;
    o->capath_name = dir->name;
}

int sqauth_defaults_apply(sqauth_session_options *o, unsigned given, const sqauth_site_defaults *site,
                          sqauth_error *err)
{
    const sqauth_site_value *v;
    int rc;

    /* Where the trust anchors come from: both locations from one source. */
    switch (sqauth_source_pick(given & SQAUTH_GIVEN_CA, is_set(&site->cafile) || is_set(&site->capath),
                               is_set(&site->platform_cafile) || is_set(&site->platform_capath))) {
    case SQAUTH_SOURCE_SITE:
        take_ca(o, &site->cafile, &site->capath);
        break;
    case SQAUTH_SOURCE_PLATFORM:
        take_ca(o, &site->platform_cafile, &site->platform_capath);
        break;
    default:
        break;
    }

    v = &site->min_protocol;
    if (sqauth_source_pick(given & SQAUTH_GIVEN_MIN_PROTOCOL, is_set(v), 0) == SQAUTH_SOURCE_SITE) {
        int version = sqauth_tls_version_find(v->text, strlen(v->text));
        if (!version) {
            return bad(err, SQAUTH_ERR_TLS, v, "a TLS version (" SQAUTH_TLS_VERSION_NAMES ")");
        }
        o->tls.min_protocol = version;
    }

    /* A boolean is always set: "" is Off. */
    v = &site->session_resumption;
    if (sqauth_source_pick(given & SQAUTH_GIVEN_SESSION_RESUMPTION, v->text != NULL, 0) == SQAUTH_SOURCE_SITE
        && !parse_bool(v->text, &o->tls.session_resumption)) {
        return bad(err, SQAUTH_ERR_TLS, v, "On or Off");
    }

    rc = apply_seconds(&o->timeout_ms, given & SQAUTH_GIVEN_TIMEOUT, &site->timeout, err);
    if (rc == SQAUTH_OK) {
        rc = apply_seconds(&o->connect_timeout_ms, given & SQAUTH_GIVEN_CONNECT_TIMEOUT, &site->connect_timeout, err);
    }
    return rc;
}
