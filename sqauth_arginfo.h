/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: 7a2d59a47ba48a1803463f4834696e4bfe2b11d1 */

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


ZEND_FUNCTION(SqAuth_mechanisms);
ZEND_FUNCTION(SqAuth_features);
ZEND_FUNCTION(SqAuth_select_mechanism);
ZEND_FUNCTION(SqAuth_cram_md5_response);
ZEND_FUNCTION(SqAuth_digest_md5_parse_challenge);
ZEND_FUNCTION(SqAuth_digest_md5_response);
ZEND_METHOD(SqAuth_SaslClient, __construct);
ZEND_METHOD(SqAuth_SaslClient, mechanism);
ZEND_METHOD(SqAuth_SaslClient, start);
ZEND_METHOD(SqAuth_SaslClient, step);
ZEND_METHOD(SqAuth_SaslClient, isComplete);
ZEND_METHOD(SqAuth_SaslClient, isServerVerified);
ZEND_METHOD(SqAuth_SaslClient, securityLayer);
ZEND_METHOD(SqAuth_SaslClient, serverError);


static const zend_function_entry ext_functions[] = {
	ZEND_NS_FALIAS("SqAuth", mechanisms, SqAuth_mechanisms, arginfo_SqAuth_mechanisms)
	ZEND_NS_FALIAS("SqAuth", features, SqAuth_features, arginfo_SqAuth_features)
	ZEND_NS_FALIAS("SqAuth", select_mechanism, SqAuth_select_mechanism, arginfo_SqAuth_select_mechanism)
	ZEND_NS_FALIAS("SqAuth", cram_md5_response, SqAuth_cram_md5_response, arginfo_SqAuth_cram_md5_response)
	ZEND_NS_FALIAS("SqAuth", digest_md5_parse_challenge, SqAuth_digest_md5_parse_challenge, arginfo_SqAuth_digest_md5_parse_challenge)
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


static const zend_function_entry class_SqAuth_Exception_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_SqAuth_ConnectionException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_SqAuth_TlsException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_SqAuth_ProtocolException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_SqAuth_SaslException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_SqAuth_AuthenticationException_methods[] = {
	ZEND_FE_END
};

static void register_sqauth_symbols(int module_number)
{

	zend_add_parameter_attribute(zend_hash_str_find_ptr(CG(function_table), "sqauth\\cram_md5_response", sizeof("sqauth\\cram_md5_response") - 1), 1, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

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

	return class_entry;
}

static zend_class_entry *register_class_SqAuth_TlsException(zend_class_entry *class_entry_SqAuth_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "SqAuth", "TlsException", class_SqAuth_TlsException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_SqAuth_Exception);

	return class_entry;
}

static zend_class_entry *register_class_SqAuth_ProtocolException(zend_class_entry *class_entry_SqAuth_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "SqAuth", "ProtocolException", class_SqAuth_ProtocolException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_SqAuth_Exception);

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

	return class_entry;
}
