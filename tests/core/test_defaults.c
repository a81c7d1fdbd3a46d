/*
 * The site's defaults (defaults.c): which source wins, each setting parsed
 * from its text, the CA locations taken as one setting, bad values named
 * and quoted; and the CA files they name, loaded ahead of a handshake
 * (sqauth_tls_ctx_preload()) with messages that name the setting.
 */
#include "check.h"
#include "defaults.h"
#include "tls/tls.h"
#include "scripted_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/pem.h>

#define SITE(field, value) site.field.text = (value)

static void site_init(sqauth_site_defaults *site)
{
    memset(site, 0, sizeof(*site));
    site->cafile.name = "php.ini sqauth.cafile";
    site->capath.name = "php.ini sqauth.capath";
    site->platform_cafile.name = "php.ini openssl.cafile";
    site->platform_capath.name = "php.ini openssl.capath";
    site->min_protocol.name = "php.ini sqauth.min_protocol";
    site->session_resumption.name = "php.ini sqauth.session_resumption";
    site->timeout.name = "php.ini sqauth.timeout";
    site->connect_timeout.name = "php.ini sqauth.connect_timeout";
}

static int apply(sqauth_session_options *o, unsigned given, const sqauth_site_defaults *site, sqauth_error *err)
{
    sqauth_session_options_init(o);
    sqauth_error_clear(err);
    return sqauth_defaults_apply(o, given, site, err);
}

static void test_pick(void)
{
    CHECK(sqauth_source_pick(1, 1, 1) == SQAUTH_SOURCE_CALL);
    CHECK(sqauth_source_pick(1, 0, 0) == SQAUTH_SOURCE_CALL);
    CHECK(sqauth_source_pick(0, 1, 1) == SQAUTH_SOURCE_SITE);
    CHECK(sqauth_source_pick(0, 1, 0) == SQAUTH_SOURCE_SITE);
    CHECK(sqauth_source_pick(0, 0, 1) == SQAUTH_SOURCE_PLATFORM);
    CHECK(sqauth_source_pick(0, 0, 0) == SQAUTH_SOURCE_BUILTIN);
}

static void test_ca(void)
{
    sqauth_site_defaults site;
    sqauth_session_options o;
    sqauth_error err;

    /* Nothing anywhere: OpenSSL's default store. */
    site_init(&site);
    CHECK_RC(apply(&o, 0, &site, &err), SQAUTH_OK);
    CHECK(!o.tls.cafile && !o.tls.capath && !o.cafile_name && !o.capath_name);
    /* "" is not set, as php.ini's default "no value". */
    SITE(cafile, "");
    SITE(platform_capath, "");
    CHECK_RC(apply(&o, 0, &site, &err), SQAUTH_OK);
    CHECK(!o.tls.cafile && !o.tls.capath);

    /* The platform's, then the site's over it, then the call's over both. */
    SITE(platform_cafile, "/platform/ca.pem");
    CHECK_RC(apply(&o, 0, &site, &err), SQAUTH_OK);
    CHECK(o.tls.cafile && strcmp(o.tls.cafile, "/platform/ca.pem") == 0 && !o.tls.capath);
    CHECK(o.cafile_name && strcmp(o.cafile_name, "php.ini openssl.cafile") == 0);
    SITE(cafile, "/site/ca.pem");
    CHECK_RC(apply(&o, 0, &site, &err), SQAUTH_OK);
    CHECK(o.tls.cafile && strcmp(o.tls.cafile, "/site/ca.pem") == 0);
    CHECK(strcmp(o.cafile_name, "php.ini sqauth.cafile") == 0 && strcmp(o.capath_name, "php.ini sqauth.capath") == 0);
    sqauth_session_options_init(&o);
    o.tls.cafile = "/call/ca.pem";
    sqauth_error_clear(&err);
    CHECK_RC(sqauth_defaults_apply(&o, SQAUTH_GIVEN_CA, &site, &err), SQAUTH_OK);
    CHECK(strcmp(o.tls.cafile, "/call/ca.pem") == 0 && !o.cafile_name);

    /* One setting: a site capath alone hides the platform's cafile, and a
     * call's capath alone hides the site's cafile. */
    SITE(cafile, NULL);
    SITE(capath, "/site/certs");
    CHECK_RC(apply(&o, 0, &site, &err), SQAUTH_OK);
    CHECK(!o.tls.cafile && strcmp(o.tls.capath, "/site/certs") == 0);
    sqauth_session_options_init(&o);
    o.tls.capath = "/call/certs";
    CHECK_RC(sqauth_defaults_apply(&o, SQAUTH_GIVEN_CA, &site, &err), SQAUTH_OK);
    CHECK(!o.tls.cafile && strcmp(o.tls.capath, "/call/certs") == 0 && !o.capath_name);
}

static void test_values(void)
{
    static const struct {
        const char *text;
        int ms;                  /* 0: refused */
    } seconds[] = {
        {"30", 30000}, {"2.5", 2500}, {".5", 500}, {"7.", 7000}, {"86400", 86400000}, {"0.0001", 1},
        {"0", 0}, {"0.0", 0}, {"-1", 0}, {"+5", 0}, {"abc", 0}, {"1e3", 0}, {"0x10", 0}, {" 5", 0}, {"5 ", 0},
        {"5s", 0}, {"86400.5", 0}, {"99999999999999999999999999999999", 0}, {".", 0}, {"inf", 0}, {"nan", 0},
    };
    static const struct {
        const char *text;
        int on;                  /* -1: refused */
    } bools[] = {
        {"1", 1}, {"On", 1}, {"yes", 1}, {"TRUE", 1}, {"", 0}, {"0", 0}, {"off", 0}, {"No", 0}, {"false", 0},
        {"2", -1}, {"maybe", -1}, {"on ", -1},
    };
    sqauth_site_defaults site;
    sqauth_session_options o;
    sqauth_error err;
    size_t i;

    for (i = 0; i < sizeof(seconds) / sizeof(seconds[0]); i++) {
        site_init(&site);
        SITE(timeout, seconds[i].text);
        CHECK_RC(apply(&o, 0, &site, &err), seconds[i].ms ? SQAUTH_OK : SQAUTH_ERR_CONNECT);
        if (seconds[i].ms) {
            CHECK(o.timeout_ms == seconds[i].ms && o.connect_timeout_ms == 0);
        } else {
            CHECK(strncmp(err.message, "php.ini sqauth.timeout=\"", 24) == 0
                  && strstr(err.message, "\" is not a number of seconds greater than 0 and at most 86400"));
        }
        /* The same rule for connect_timeout, and the call's option wins
         * over a bad value, which is then never used. */
        site_init(&site);
        SITE(connect_timeout, seconds[i].text);
        CHECK_RC(apply(&o, 0, &site, &err), seconds[i].ms ? SQAUTH_OK : SQAUTH_ERR_CONNECT);
        CHECK(!seconds[i].ms || o.connect_timeout_ms == seconds[i].ms);
        CHECK_RC(apply(&o, SQAUTH_GIVEN_CONNECT_TIMEOUT, &site, &err), SQAUTH_OK);
        CHECK(o.connect_timeout_ms == 0);
    }
    site_init(&site);
    SITE(timeout, "-1");
    CHECK_RC(apply(&o, 0, &site, &err), SQAUTH_ERR_CONNECT);
    CHECK(strcmp(err.message, "php.ini sqauth.timeout=\"-1\" is not a number of seconds greater than 0 and at "
                              "most 86400") == 0);

    for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
        site_init(&site);
        SITE(session_resumption, bools[i].text);
        CHECK_RC(apply(&o, 0, &site, &err), bools[i].on >= 0 ? SQAUTH_OK : SQAUTH_ERR_TLS);
        CHECK(bools[i].on < 0 || o.tls.session_resumption == bools[i].on);
        CHECK_RC(apply(&o, SQAUTH_GIVEN_SESSION_RESUMPTION, &site, &err), SQAUTH_OK);
        CHECK(o.tls.session_resumption == 1);
    }
    site_init(&site);
    SITE(session_resumption, "maybe");
    CHECK_RC(apply(&o, 0, &site, &err), SQAUTH_ERR_TLS);
    CHECK(strcmp(err.message, "php.ini sqauth.session_resumption=\"maybe\" is not On or Off") == 0);
    /* Not set at all (no such entry): the built-in default. */
    SITE(session_resumption, NULL);
    CHECK_RC(apply(&o, 0, &site, &err), SQAUTH_OK);
    CHECK(o.tls.session_resumption == 1);

    site_init(&site);
    SITE(min_protocol, "TLSv1.3");
    CHECK_RC(apply(&o, 0, &site, &err), SQAUTH_OK);
    CHECK(o.tls.min_protocol == TLS1_3_VERSION);
    SITE(min_protocol, "TLSv1");
    CHECK_RC(apply(&o, 0, &site, &err), SQAUTH_OK);
    CHECK(o.tls.min_protocol == TLS1_VERSION);
    SITE(min_protocol, "");
    CHECK_RC(apply(&o, 0, &site, &err), SQAUTH_OK);
    CHECK(o.tls.min_protocol == TLS1_2_VERSION);
    SITE(min_protocol, "TLSv9");
    CHECK_RC(apply(&o, 0, &site, &err), SQAUTH_ERR_TLS);
    CHECK(strcmp(err.message, "php.ini sqauth.min_protocol=\"TLSv9\" is not a TLS version (\"TLSv1\", \"TLSv1.1\", "
                              "\"TLSv1.2\" or \"TLSv1.3\")") == 0);
    SITE(min_protocol, "tlsv1.2");
    CHECK_RC(apply(&o, 0, &site, &err), SQAUTH_ERR_TLS);
    CHECK_RC(apply(&o, SQAUTH_GIVEN_MIN_PROTOCOL, &site, &err), SQAUTH_OK);
    /* A value is quoted safely: control bytes and quotes as '?', cut at 64 bytes. */
    SITE(min_protocol, "TLS\"\r\n\x01v1.2aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    CHECK_RC(apply(&o, 0, &site, &err), SQAUTH_ERR_TLS);
    CHECK(strncmp(err.message, "php.ini sqauth.min_protocol=\"TLS????v1.2aaaa", 43) == 0
          && strstr(err.message, "aaa...\" is not a TLS version") != NULL);
}

/* A PEM file holding the scripted server's certificate; "" when it cannot be made. */
static void write_ca(char path[64])
{
    FILE *f;
    int fd;

    snprintf(path, 64, "/tmp/sqauth-test-ca-XXXXXX");
    fd = mkstemp(path);
    f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f || !test_certificate() || !PEM_write_X509(f, test_server_cert)) {
        path[0] = '\0';
    }
    if (f) {
        fclose(f);
    }
}

static void test_preload(void)
{
    sqauth_tls_config cfg;
    sqauth_tls_failure fail;
    sqauth_error err;
    char ca[64];
    size_t before;

    write_ca(ca);
    CHECK(ca[0] != '\0');
    sqauth_tls_config_init(&cfg);
    cfg.cafile = "/nonexistent/sqauth-ca.pem";
    CHECK_RC(sqauth_tls_ctx_preload(&cfg, "php.ini sqauth.cafile", NULL, &fail, &err), SQAUTH_ERR_TLS);
    CHECK(strcmp(err.message, "cannot load php.ini sqauth.cafile=\"/nonexistent/sqauth-ca.pem\": No such file or "
                              "directory") == 0);
    CHECK(fail.error_count > 0);
    /* The caller's option keeps its own name. */
    CHECK_RC(sqauth_tls_ctx_preload(&cfg, NULL, NULL, &fail, &err), SQAUTH_ERR_TLS);
    CHECK(strcmp(err.message, "cannot load 'cafile': No such file or directory") == 0);
    /* Not a PEM file. */
    cfg.cafile = "/etc/hostname";
    CHECK_RC(sqauth_tls_ctx_preload(&cfg, "php.ini openssl.cafile", NULL, &fail, &err), SQAUTH_ERR_TLS);
    CHECK(strncmp(err.message, "cannot load php.ini openssl.cafile=\"/etc/hostname\": ", 52) == 0);

    /* A directory that is not one, or missing, is refused when loaded. */
    cfg.cafile = NULL;
    cfg.capath = "/nonexistent/certs";
    CHECK_RC(sqauth_tls_ctx_preload(&cfg, NULL, "php.ini sqauth.capath", &fail, &err), SQAUTH_ERR_TLS);
    CHECK(strcmp(err.message, "cannot load php.ini sqauth.capath=\"/nonexistent/certs\": No such file or "
                              "directory") == 0);
    CHECK(fail.error_count == 0);
    cfg.capath = ca;
    CHECK_RC(sqauth_tls_ctx_preload(&cfg, NULL, NULL, &fail, &err), SQAUTH_ERR_TLS);
    CHECK(strcmp(err.message, "cannot load 'capath': not a directory") == 0);

    /* A good file: the context is built and cached for the handshake. */
    cfg.capath = NULL;
    cfg.cafile = ca;
    before = sqauth_tls_cache_size();
    CHECK_RC(sqauth_tls_ctx_preload(&cfg, "php.ini sqauth.cafile", NULL, &fail, &err), SQAUTH_OK);
    CHECK(sqauth_tls_cache_size() == before + 1);
    CHECK_RC(sqauth_tls_ctx_preload(&cfg, NULL, NULL, &fail, &err), SQAUTH_OK);
    CHECK(sqauth_tls_cache_size() == before + 1);
    cfg.capath = "/tmp";
    CHECK_RC(sqauth_tls_ctx_preload(&cfg, NULL, NULL, &fail, &err), SQAUTH_OK);
    unlink(ca);
}

void test_defaults(void)
{
    test_pick();
    test_ca();
    test_values();
    test_preload();
}
