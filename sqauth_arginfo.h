/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: ac3122142fe023f64426097114e7cfd2771f4d59 */

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_SqAuth_mechanisms, 0, 0, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

#define arginfo_SqAuth_features arginfo_SqAuth_mechanisms

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_SqAuth_select_mechanism, 0, 1, IS_STRING, 1)
	ZEND_ARG_TYPE_INFO(0, offered, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, allowed, IS_ARRAY, 1, "null")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, encrypted, _IS_BOOL, 0, "true")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_SqAuth_cram_md5_response, 0, 3, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, user, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, password, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, challenge, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_SqAuth_digest_md5_parse_challenge, 0, 1, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, challenge, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_SqAuth_openssl_error_decode, 0, 1, IS_ARRAY, 0)
	ZEND_ARG_TYPE_MASK(0, code, MAY_BE_LONG|MAY_BE_STRING, NULL)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_SqAuth_detect, 0, 1, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, uri, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_SqAuth_digest_md5_response, 0, 5, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, user, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, password, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, challenge, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, service, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, host, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, authz, IS_STRING, 0, "\'\'")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_SqAuth_SaslClient___construct, 0, 0, 2)
	ZEND_ARG_TYPE_INFO(0, mechanism, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, credentials, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SqAuth_SaslClient_mechanism, 0, 0, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SqAuth_SaslClient_start, 0, 0, IS_STRING, 1)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SqAuth_SaslClient_step, 0, 1, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, challenge, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SqAuth_SaslClient_isComplete, 0, 0, _IS_BOOL, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_SqAuth_SaslClient_isServerVerified arginfo_class_SqAuth_SaslClient_isComplete

#define arginfo_class_SqAuth_SaslClient_securityLayer arginfo_class_SqAuth_SaslClient_start

#define arginfo_class_SqAuth_SaslClient_serverError arginfo_class_SqAuth_SaslClient_start

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_SqAuth_Connection___construct, 0, 0, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_SqAuth_Connection_open, 0, 1, SqAuth\\Connection, 0)
	ZEND_ARG_TYPE_INFO(0, uri, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_SqAuth_Connection_fromStream, 0, 2, SqAuth\\Connection, 0)
	ZEND_ARG_INFO(0, stream)
	ZEND_ARG_TYPE_INFO(0, protocol, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_SqAuth_Connection_pooled, 0, 4, SqAuth\\Connection, 0)
	ZEND_ARG_TYPE_INFO(0, uri, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, mechanism, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, user, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, password, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_SqAuth_Connection_pooledLogin, 0, 3, SqAuth\\Connection, 0)
	ZEND_ARG_TYPE_INFO(0, uri, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, user, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, password, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SqAuth_Connection_forgetPooled, 0, 3, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO(0, uri, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, mechanism, IS_STRING, 1)
	ZEND_ARG_TYPE_INFO(0, user, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

#define arginfo_class_SqAuth_Connection_protocol arginfo_class_SqAuth_SaslClient_mechanism

#define arginfo_class_SqAuth_Connection_greeting arginfo_class_SqAuth_SaslClient_mechanism

#define arginfo_class_SqAuth_Connection_capabilities arginfo_SqAuth_mechanisms

#define arginfo_class_SqAuth_Connection_mechanisms arginfo_SqAuth_mechanisms

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SqAuth_Connection_startTls, 0, 0, IS_VOID, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_SqAuth_Connection_isEncrypted arginfo_class_SqAuth_SaslClient_isComplete

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SqAuth_Connection_tlsInfo, 0, 0, IS_ARRAY, 1)
ZEND_END_ARG_INFO()

#define arginfo_class_SqAuth_Connection_securityLayer arginfo_class_SqAuth_Connection_tlsInfo

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SqAuth_Connection_authenticate, 0, 3, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, mechanism, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, user, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, password, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SqAuth_Connection_login, 0, 2, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, user, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, password, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SqAuth_Connection_probeChallenge, 0, 1, IS_STRING, 1)
	ZEND_ARG_TYPE_INFO(0, mechanism, IS_STRING, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_SqAuth_Connection_stream arginfo_class_SqAuth_Connection___construct

#define arginfo_class_SqAuth_Connection_transcript arginfo_SqAuth_mechanisms

#define arginfo_class_SqAuth_Connection_close arginfo_class_SqAuth_Connection_startTls

#define arginfo_class_SqAuth_Connection_release arginfo_class_SqAuth_Connection_startTls

#define arginfo_class_SqAuth_Connection_isReused arginfo_class_SqAuth_SaslClient_isComplete

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SqAuth_ConnectionException_getErrno, 0, 0, IS_LONG, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_SqAuth_TlsException_getOpensslErrors arginfo_SqAuth_mechanisms

#define arginfo_class_SqAuth_TlsException_getVerifyResult arginfo_class_SqAuth_Connection_tlsInfo

#define arginfo_class_SqAuth_TlsException_getAlert arginfo_class_SqAuth_SaslClient_start

#define arginfo_class_SqAuth_ProtocolException_getServerResponse arginfo_class_SqAuth_SaslClient_start

#define arginfo_class_SqAuth_AuthenticationException_getServerResponse arginfo_class_SqAuth_SaslClient_start

#define arginfo_class_SqAuth_AuthenticationException_getResponseCode arginfo_class_SqAuth_SaslClient_start


ZEND_FUNCTION(SqAuth_mechanisms);
ZEND_FUNCTION(SqAuth_features);
ZEND_FUNCTION(SqAuth_select_mechanism);
ZEND_FUNCTION(SqAuth_cram_md5_response);
ZEND_FUNCTION(SqAuth_digest_md5_parse_challenge);
ZEND_FUNCTION(SqAuth_openssl_error_decode);
ZEND_FUNCTION(SqAuth_detect);
ZEND_FUNCTION(SqAuth_digest_md5_response);
ZEND_METHOD(SqAuth_SaslClient, __construct);
ZEND_METHOD(SqAuth_SaslClient, mechanism);
ZEND_METHOD(SqAuth_SaslClient, start);
ZEND_METHOD(SqAuth_SaslClient, step);
ZEND_METHOD(SqAuth_SaslClient, isComplete);
ZEND_METHOD(SqAuth_SaslClient, isServerVerified);
ZEND_METHOD(SqAuth_SaslClient, securityLayer);
ZEND_METHOD(SqAuth_SaslClient, serverError);
ZEND_METHOD(SqAuth_Connection, __construct);
ZEND_METHOD(SqAuth_Connection, open);
ZEND_METHOD(SqAuth_Connection, fromStream);
ZEND_METHOD(SqAuth_Connection, pooled);
ZEND_METHOD(SqAuth_Connection, pooledLogin);
ZEND_METHOD(SqAuth_Connection, forgetPooled);
ZEND_METHOD(SqAuth_Connection, protocol);
ZEND_METHOD(SqAuth_Connection, greeting);
ZEND_METHOD(SqAuth_Connection, capabilities);
ZEND_METHOD(SqAuth_Connection, mechanisms);
ZEND_METHOD(SqAuth_Connection, startTls);
ZEND_METHOD(SqAuth_Connection, isEncrypted);
ZEND_METHOD(SqAuth_Connection, tlsInfo);
ZEND_METHOD(SqAuth_Connection, securityLayer);
ZEND_METHOD(SqAuth_Connection, authenticate);
ZEND_METHOD(SqAuth_Connection, login);
ZEND_METHOD(SqAuth_Connection, probeChallenge);
ZEND_METHOD(SqAuth_Connection, stream);
ZEND_METHOD(SqAuth_Connection, transcript);
ZEND_METHOD(SqAuth_Connection, close);
ZEND_METHOD(SqAuth_Connection, release);
ZEND_METHOD(SqAuth_Connection, isReused);
ZEND_METHOD(SqAuth_ConnectionException, getErrno);
ZEND_METHOD(SqAuth_TlsException, getOpensslErrors);
ZEND_METHOD(SqAuth_TlsException, getVerifyResult);
ZEND_METHOD(SqAuth_TlsException, getAlert);
ZEND_METHOD(SqAuth_ProtocolException, getServerResponse);
ZEND_METHOD(SqAuth_AuthenticationException, getServerResponse);
ZEND_METHOD(SqAuth_AuthenticationException, getResponseCode);


static const zend_function_entry ext_functions[] = {
	ZEND_NS_FALIAS("SqAuth", mechanisms, SqAuth_mechanisms, arginfo_SqAuth_mechanisms)
	ZEND_NS_FALIAS("SqAuth", features, SqAuth_features, arginfo_SqAuth_features)
	ZEND_NS_FALIAS("SqAuth", select_mechanism, SqAuth_select_mechanism, arginfo_SqAuth_select_mechanism)
	ZEND_NS_FALIAS("SqAuth", cram_md5_response, SqAuth_cram_md5_response, arginfo_SqAuth_cram_md5_response)
	ZEND_NS_FALIAS("SqAuth", digest_md5_parse_challenge, SqAuth_digest_md5_parse_challenge, arginfo_SqAuth_digest_md5_parse_challenge)
	ZEND_NS_FALIAS("SqAuth", openssl_error_decode, SqAuth_openssl_error_decode, arginfo_SqAuth_openssl_error_decode)
	ZEND_NS_FALIAS("SqAuth", detect, SqAuth_detect, arginfo_SqAuth_detect)
	ZEND_NS_FALIAS("SqAuth", digest_md5_response, SqAuth_digest_md5_response, arginfo_SqAuth_digest_md5_response)
	ZEND_FE_END
};


static const zend_function_entry class_SqAuth_SaslClient_methods[] = {
	ZEND_ME(SqAuth_SaslClient, __construct, arginfo_class_SqAuth_SaslClient___construct, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_SaslClient, mechanism, arginfo_class_SqAuth_SaslClient_mechanism, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_SaslClient, start, arginfo_class_SqAuth_SaslClient_start, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_SaslClient, step, arginfo_class_SqAuth_SaslClient_step, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_SaslClient, isComplete, arginfo_class_SqAuth_SaslClient_isComplete, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_SaslClient, isServerVerified, arginfo_class_SqAuth_SaslClient_isServerVerified, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_SaslClient, securityLayer, arginfo_class_SqAuth_SaslClient_securityLayer, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_SaslClient, serverError, arginfo_class_SqAuth_SaslClient_serverError, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_SqAuth_Connection_methods[] = {
	ZEND_ME(SqAuth_Connection, __construct, arginfo_class_SqAuth_Connection___construct, ZEND_ACC_PRIVATE)
	ZEND_ME(SqAuth_Connection, open, arginfo_class_SqAuth_Connection_open, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(SqAuth_Connection, fromStream, arginfo_class_SqAuth_Connection_fromStream, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(SqAuth_Connection, pooled, arginfo_class_SqAuth_Connection_pooled, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(SqAuth_Connection, pooledLogin, arginfo_class_SqAuth_Connection_pooledLogin, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(SqAuth_Connection, forgetPooled, arginfo_class_SqAuth_Connection_forgetPooled, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(SqAuth_Connection, protocol, arginfo_class_SqAuth_Connection_protocol, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_Connection, greeting, arginfo_class_SqAuth_Connection_greeting, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_Connection, capabilities, arginfo_class_SqAuth_Connection_capabilities, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_Connection, mechanisms, arginfo_class_SqAuth_Connection_mechanisms, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_Connection, startTls, arginfo_class_SqAuth_Connection_startTls, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_Connection, isEncrypted, arginfo_class_SqAuth_Connection_isEncrypted, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_Connection, tlsInfo, arginfo_class_SqAuth_Connection_tlsInfo, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_Connection, securityLayer, arginfo_class_SqAuth_Connection_securityLayer, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_Connection, authenticate, arginfo_class_SqAuth_Connection_authenticate, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_Connection, login, arginfo_class_SqAuth_Connection_login, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_Connection, probeChallenge, arginfo_class_SqAuth_Connection_probeChallenge, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_Connection, stream, arginfo_class_SqAuth_Connection_stream, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_Connection, transcript, arginfo_class_SqAuth_Connection_transcript, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_Connection, close, arginfo_class_SqAuth_Connection_close, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_Connection, release, arginfo_class_SqAuth_Connection_release, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_Connection, isReused, arginfo_class_SqAuth_Connection_isReused, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_SqAuth_Exception_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_SqAuth_ConnectionException_methods[] = {
	ZEND_ME(SqAuth_ConnectionException, getErrno, arginfo_class_SqAuth_ConnectionException_getErrno, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_SqAuth_TlsException_methods[] = {
	ZEND_ME(SqAuth_TlsException, getOpensslErrors, arginfo_class_SqAuth_TlsException_getOpensslErrors, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_TlsException, getVerifyResult, arginfo_class_SqAuth_TlsException_getVerifyResult, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_TlsException, getAlert, arginfo_class_SqAuth_TlsException_getAlert, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_SqAuth_ProtocolException_methods[] = {
	ZEND_ME(SqAuth_ProtocolException, getServerResponse, arginfo_class_SqAuth_ProtocolException_getServerResponse, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_SqAuth_SaslException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_SqAuth_AuthenticationException_methods[] = {
	ZEND_ME(SqAuth_AuthenticationException, getServerResponse, arginfo_class_SqAuth_AuthenticationException_getServerResponse, ZEND_ACC_PUBLIC)
	ZEND_ME(SqAuth_AuthenticationException, getResponseCode, arginfo_class_SqAuth_AuthenticationException_getResponseCode, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};

static void register_sqauth_symbols(int module_number)
{

	zend_add_parameter_attribute(zend_hash_str_find_ptr(CG(function_table), "sqauth\\cram_md5_response", sizeof("sqauth\\cram_md5_response") - 1), 1, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(CG(function_table), "sqauth\\detect", sizeof("sqauth\\detect") - 1), 0, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(CG(function_table), "sqauth\\detect", sizeof("sqauth\\detect") - 1), 1, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(CG(function_table), "sqauth\\digest_md5_response", sizeof("sqauth\\digest_md5_response") - 1), 1, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);
}

static zend_class_entry *register_class_SqAuth_SaslClient(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "SqAuth", "SaslClient", class_SqAuth_SaslClient_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;


	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "__construct", sizeof("__construct") - 1), 1, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	return class_entry;
}

static zend_class_entry *register_class_SqAuth_Connection(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "SqAuth", "Connection", class_SqAuth_Connection_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;


	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "open", sizeof("open") - 1), 0, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "open", sizeof("open") - 1), 1, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "pooled", sizeof("pooled") - 1), 0, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "pooled", sizeof("pooled") - 1), 3, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "pooled", sizeof("pooled") - 1), 4, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "pooledlogin", sizeof("pooledlogin") - 1), 0, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "pooledlogin", sizeof("pooledlogin") - 1), 2, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "pooledlogin", sizeof("pooledlogin") - 1), 3, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "forgetpooled", sizeof("forgetpooled") - 1), 0, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "forgetpooled", sizeof("forgetpooled") - 1), 3, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "authenticate", sizeof("authenticate") - 1), 2, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "authenticate", sizeof("authenticate") - 1), 3, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "login", sizeof("login") - 1), 1, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	return class_entry;
}

static zend_class_entry *register_class_SqAuth_Exception(zend_class_entry *class_entry_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "SqAuth", "Exception", class_SqAuth_Exception_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_Exception);

	return class_entry;
}

static zend_class_entry *register_class_SqAuth_ConnectionException(zend_class_entry *class_entry_SqAuth_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "SqAuth", "ConnectionException", class_SqAuth_ConnectionException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_SqAuth_Exception);

	zval property_errno_default_value;
	ZVAL_LONG(&property_errno_default_value, 0);
	zend_string *property_errno_name = zend_string_init("errno", sizeof("errno") - 1, 1);
	zend_declare_typed_property(class_entry, property_errno_name, &property_errno_default_value, ZEND_ACC_PRIVATE, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_LONG));
	zend_string_release(property_errno_name);

	return class_entry;
}

static zend_class_entry *register_class_SqAuth_TlsException(zend_class_entry *class_entry_SqAuth_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "SqAuth", "TlsException", class_SqAuth_TlsException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_SqAuth_Exception);

	zval property_opensslErrors_default_value;
	ZVAL_EMPTY_ARRAY(&property_opensslErrors_default_value);
	zend_string *property_opensslErrors_name = zend_string_init("opensslErrors", sizeof("opensslErrors") - 1, 1);
	zend_declare_typed_property(class_entry, property_opensslErrors_name, &property_opensslErrors_default_value, ZEND_ACC_PRIVATE, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_ARRAY));
	zend_string_release(property_opensslErrors_name);

	zval property_verifyResult_default_value;
	ZVAL_NULL(&property_verifyResult_default_value);
	zend_string *property_verifyResult_name = zend_string_init("verifyResult", sizeof("verifyResult") - 1, 1);
	zend_declare_typed_property(class_entry, property_verifyResult_name, &property_verifyResult_default_value, ZEND_ACC_PRIVATE, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_ARRAY|MAY_BE_NULL));
	zend_string_release(property_verifyResult_name);

	zval property_alert_default_value;
	ZVAL_NULL(&property_alert_default_value);
	zend_string *property_alert_name = zend_string_init("alert", sizeof("alert") - 1, 1);
	zend_declare_typed_property(class_entry, property_alert_name, &property_alert_default_value, ZEND_ACC_PRIVATE, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_STRING|MAY_BE_NULL));
	zend_string_release(property_alert_name);

	return class_entry;
}

static zend_class_entry *register_class_SqAuth_ProtocolException(zend_class_entry *class_entry_SqAuth_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "SqAuth", "ProtocolException", class_SqAuth_ProtocolException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_SqAuth_Exception);

	zval property_serverResponse_default_value;
	ZVAL_NULL(&property_serverResponse_default_value);
	zend_string *property_serverResponse_name = zend_string_init("serverResponse", sizeof("serverResponse") - 1, 1);
	zend_declare_typed_property(class_entry, property_serverResponse_name, &property_serverResponse_default_value, ZEND_ACC_PRIVATE, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_STRING|MAY_BE_NULL));
	zend_string_release(property_serverResponse_name);

	return class_entry;
}

static zend_class_entry *register_class_SqAuth_SaslException(zend_class_entry *class_entry_SqAuth_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "SqAuth", "SaslException", class_SqAuth_SaslException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_SqAuth_Exception);

	return class_entry;
}

static zend_class_entry *register_class_SqAuth_AuthenticationException(zend_class_entry *class_entry_SqAuth_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "SqAuth", "AuthenticationException", class_SqAuth_AuthenticationException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_SqAuth_Exception);

	zval property_serverResponse_default_value;
	ZVAL_NULL(&property_serverResponse_default_value);
	zend_string *property_serverResponse_name = zend_string_init("serverResponse", sizeof("serverResponse") - 1, 1);
	zend_declare_typed_property(class_entry, property_serverResponse_name, &property_serverResponse_default_value, ZEND_ACC_PRIVATE, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_STRING|MAY_BE_NULL));
	zend_string_release(property_serverResponse_name);

	zval property_responseCode_default_value;
	ZVAL_NULL(&property_responseCode_default_value);
	zend_string *property_responseCode_name = zend_string_init("responseCode", sizeof("responseCode") - 1, 1);
	zend_declare_typed_property(class_entry, property_responseCode_name, &property_responseCode_default_value, ZEND_ACC_PRIVATE, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_STRING|MAY_BE_NULL));
	zend_string_release(property_responseCode_name);

	return class_entry;
}
