/*
 * SqAuth\detect(): what a server offers (capabilities, STARTTLS,
 * LOGINDISABLED, mechanisms, TLS), and the PHP views of those that
 * SqAuth\Connection's methods share.
 */
#include "connection.h"

/* ---- views ---- */

/* The capability list: IMAP atoms as a list, EHLO/CAPA keywords as
 * KEYWORD => parameters (true when none). */
void php_sqauth_capabilities_to_zval(const sqauth_session *s, zval *out)
{
    size_t i;

    array_init(out);
    for (i = 0; i < sqauth_session_capability_count(s); i++) {
        const sqauth_capability *cap = sqauth_session_capability(s, i);
        if (sqauth_session_caps_are_atoms(s)) {
            add_next_index_string(out, cap->name);
        } else {
            zend_string *name = zend_string_init(cap->name, strlen(cap->name), 0);
            zval v;
            /* In place: zend_string_toupper() would return a copy and leak this one. */
            zend_str_toupper(ZSTR_VAL(name), ZSTR_LEN(name));
            if (cap->value[0]) {
                ZVAL_STRING(&v, cap->value);
            } else {
                ZVAL_TRUE(&v);
            }
            zend_symtable_update(Z_ARRVAL_P(out), name, &v);
            zend_string_release(name);
        }
    }
}

int php_sqauth_mechanisms_to_zval(const sqauth_session *s, zval *out)
{
    char **list;
    size_t count, i;
    sqauth_error err;

    if (sqauth_session_mechanisms(s, &list, &count, &err) != SQAUTH_OK) {
        php_sqauth_throw(&err, NULL, NULL, 0, NULL);
        return FAILURE;
    }
    array_init(out);
    for (i = 0; i < count; i++) {
        add_next_index_string(out, list[i]);
    }
    sqauth_session_free_list(list, count);
    return SUCCESS;
}

void php_sqauth_tls_info_to_zval(const sqauth_session *s, zval *out)
{
    sqauth_tls_info info;
    zval cert, verify;

    if (!sqauth_session_tls_info(s, &info)) {
        ZVAL_NULL(out);
        return;
    }
    array_init(out);
    add_assoc_string(out, "protocol", info.protocol);
    add_assoc_string(out, "cipher", info.cipher);
    add_assoc_long(out, "bits", info.bits);
    add_assoc_bool(out, "session_reused", info.session_reused);
    if (info.has_peer_cert) {
        zval sans;
        char *p = info.sans;
        array_init(&cert);
        add_assoc_string(&cert, "subject", info.subject);
        add_assoc_string(&cert, "issuer", info.issuer);
        array_init(&sans);
        while (*p) {
            size_t n = strcspn(p, ",");
            add_next_index_stringl(&sans, p, n);
            p += n;
            while (*p == ',' || *p == ' ') {
                p++;
            }
        }
        add_assoc_zval(&cert, "san", &sans);
        add_assoc_string(&cert, "not_after", info.not_after);
        add_assoc_string(&cert, "sha256", info.sha256);
        add_assoc_zval(out, "peer_certificate", &cert);
    } else {
        add_assoc_null(out, "peer_certificate");
    }
    array_init(&verify);
    add_assoc_long(&verify, "code", info.verify_code);
    add_assoc_string(&verify, "message", info.verify_message);
    add_assoc_bool(&verify, "verified", info.verified);
    add_assoc_zval(out, "verify", &verify);
}

/* ---- detect() ---- */


static const char *tls_mode_name(sqauth_tls_mode mode)
{
    return mode == SQAUTH_TLS_NONE ? "none" : mode == SQAUTH_TLS_STARTTLS ? "starttls" : "implicit";
}

/* SqAuth\detect(): what a server offers, over the TLS mode the site will
 * really use. With 'probe' => true, every password mechanism this build
 * knows is also tried with AUTHENTICATE/AUTH and cancelled, for servers
 * that answer mechanisms they do not list. */
PHP_FUNCTION(SqAuth_detect)
{
    zend_string *uri, *key;
    HashTable *options = NULL, *conn_opts;
    zval conn, *zv, tmp;
    int probe = 0;
    php_sqauth_connection *c;
    sqauth_session *s;

    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_STR(uri)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();

    conn_opts = zend_new_array(8);
    if (options) {
        ZEND_HASH_FOREACH_STR_KEY_VAL(options, key, zv) {
            if (key && zend_string_equals_literal(key, "probe")) {
                if (php_sqauth_opt_bool(zv, &probe, 2, "probe") == FAILURE) {
                    zend_array_destroy(conn_opts);
                    RETURN_THROWS();
                }
            } else if (key) {
                Z_TRY_ADDREF_P(zv);
                zend_hash_update(conn_opts, key, zv);
            } else {
                zend_argument_value_error(2, "must only have string keys");
                zend_array_destroy(conn_opts);
                RETURN_THROWS();
            }
        } ZEND_HASH_FOREACH_END();
    }
    /* One deadline ('timeout') for all of it: open, probes, logout. */
    if (php_sqauth_connection_open(&conn, uri, conn_opts, 1) == FAILURE) {
        zend_array_destroy(conn_opts);
        RETURN_THROWS();
    }
    zend_array_destroy(conn_opts);
    c = Z_CONNECTION_P(&conn);
    s = c->session;
    if (php_sqauth_connection_ensure_caps(c) == FAILURE) {
        zval_ptr_dtor(&conn);
        RETURN_THROWS();
    }

    array_init(return_value);
    add_assoc_str(return_value, "uri", zend_string_copy(uri));
    add_assoc_string(return_value, "protocol", (char *)sqauth_protocol_name(sqauth_session_protocol(s)));
    add_assoc_string(return_value, "tls_mode", (char *)tls_mode_name(sqauth_session_tls_mode(s)));
    add_assoc_string(return_value, "greeting", (char *)sqauth_session_greeting_text(s));
    php_sqauth_capabilities_to_zval(s, &tmp);
    add_assoc_zval(return_value, "capabilities", &tmp);
    add_assoc_bool(return_value, "starttls", sqauth_session_has_starttls(s));
    add_assoc_bool(return_value, "login_disabled", sqauth_session_login_disabled(s));
    if (php_sqauth_mechanisms_to_zval(s, &tmp) == FAILURE) {
        zval_ptr_dtor(return_value);
        zval_ptr_dtor(&conn);
        RETURN_THROWS();
    }
    add_assoc_zval(return_value, "mechanisms", &tmp);
    php_sqauth_tls_info_to_zval(s, &tmp);
    add_assoc_zval(return_value, "tls", &tmp);

    if (probe) {
        const char **names = safe_emalloc(sqauth_sasl_mech_count(), sizeof(char *), 0);
        int *answers = safe_emalloc(sqauth_sasl_mech_count(), sizeof(int), 0);
        size_t count, i;
        sqauth_error err;

        sqauth_error_clear(&err);
        if (sqauth_probe_mechanisms(s, names, answers, &count, &err) != SQAUTH_OK) {
            efree(names);
            efree(answers);
            php_sqauth_throw_session(s, &err);
            zval_ptr_dtor(return_value);
            zval_ptr_dtor(&conn);
            RETURN_THROWS();
        }
        array_init(&tmp);
        for (i = 0; i < count; i++) {
            add_assoc_bool(&tmp, names[i], answers[i]);
        }
        efree(names);
        efree(answers);
        add_assoc_zval(return_value, "probed", &tmp);
    }
    sqauth_session_logout(s);
    sqauth_session_end_call(s);
    zval_ptr_dtor(&conn);
}

