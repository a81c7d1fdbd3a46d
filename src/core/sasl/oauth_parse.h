/*
 * The error document an OAuth 2.0 SASL server sends before it fails the
 * exchange (RFC 7628 §3.2.2 for OAUTHBEARER; XOAUTH2 sends the same shape):
 *
 *   {"status":"invalid_token","scope":"...","openid-configuration":"..."}
 *   {"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}
 *
 * RFC 8259 JSON, from the server, so hostile: the whole document must be
 * one well-formed object (nesting depth and size capped, every string and
 * number checked, nothing after it); its top-level "status" member is
 * what callers want. Pure syntax; what a status means is the login
 * policy's business (policy.c).
 */
#ifndef SQAUTH_OAUTH_PARSE_H
#define SQAUTH_OAUTH_PARSE_H

#include "../common.h"

/* Nesting deeper than this, or a document longer than
 * SQAUTH_OAUTH_MAX_DOCUMENT bytes, is not read. */
#define SQAUTH_OAUTH_MAX_DEPTH 16
#define SQAUTH_OAUTH_MAX_DOCUMENT 4096

/* The "status" of doc[0..len): 1 with *status set (borrowed from doc) when
 * doc is one JSON object whose top-level members include exactly one
 * "status" (the key written without escapes), a string without escapes
 * (the quotes not included) or a number (its text); 0 otherwise: not JSON,
 * not an object, no status, a status of another type or with escapes, or
 * two of them. */
int sqauth_oauth_error_status(const char *doc, size_t len, sqauth_str *status);

#endif
