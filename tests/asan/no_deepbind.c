/*
 * LD_PRELOAD shim for running stock PHP with a sanitizer-built extension
 * (scripts/asan.sh). PHP opens extensions with dlopen(..., RTLD_DEEPBIND)
 * unless PHP itself was built with ASan; the ASan runtime refuses that flag
 * (a DEEPBIND library would bind malloc/free to libc instead of ASan's,
 * https://github.com/google/sanitizers/issues/611) and kills the process.
 * This dlopen clears the flag and hands on to the next dlopen in the lookup
 * order, ASan's own interceptor, so it has to be preloaded before libasan.
 *
 * Clearing DEEPBIND only changes which definition wins when a symbol exists
 * both in the extension's own dependencies and in the global scope: sqauth's
 * own symbols carry its prefixes, and OpenSSL and libxml2 are the same
 * libraries PHP has loaded, so nothing binds differently.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

void *dlopen(const char *file, int mode)
{
    static void *(*next_dlopen)(const char *, int);

    if (next_dlopen == NULL)
        next_dlopen = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
    return next_dlopen(file, mode & ~RTLD_DEEPBIND);
}
