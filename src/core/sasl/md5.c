/*
 * MD5 (RFC 1321 §3) for the responses of CRAM-MD5 and DIGEST-MD5, written
 * from the RFC, with a two-lane block function.
 *
 * Why our own: MD5's block function is a chain of 64 steps, each waiting
 * for the one before, so one block takes the latency of that chain (about
 * 290 cycles here, OpenSSL's assembly included) while the CPU's other
 * execution units wait. Two independent blocks computed together, step by
 * step, keep them busy: the pair takes about 1.3 times one block instead
 * of 2 (bench/md5_floor.c). OpenSSL has no such interface. HMAC-MD5's
 * K^ipad and K^opad blocks are independent (CRAM-MD5: 3 serial blocks
 * instead of 4), and so are several hashes of a DIGEST-MD5 response
 * (digest_md5_calc.c). One block alone runs as fast as OpenSSL's
 * low-level MD5 and without its per-hash set-up, so every hash of these
 * responses is ours. The DIGEST-MD5 security layer (digest_md5_layer.c:
 * its keys and HMAC-MD5 per message) stays on OpenSSL's MD5.
 *
 * How it is checked (tests/core/test_hmac_md5.c, tests/fuzz/fuzz_common.c):
 * RFC 1321 §A.5's test suite, OpenSSL's MD5 on every length from 0 to 300
 * bytes and on random contents, both lanes of the pair against the single
 * lane, RFC 2202's HMAC-MD5 vectors and OpenSSL's HMAC; the fuzzer
 * compares it with OpenSSL's MD5 on every input.
 *
 * FIPS: our code would hash where the process allows only a FIPS
 * provider, which has no MD5; sqauth_md5_permitted() asks OpenSSL for MD5
 * through EVP (sqauth_md5(), fetched once and kept), and every user calls
 * it first, so that CRAM-MD5 and DIGEST-MD5 still refuse to run there.
 */
#include "md5.h"

#include <string.h>

int sqauth_md5_permitted(sqauth_error *err)
{
    return sqauth_md5() ? SQAUTH_OK
        : sqauth_fail(err, SQAUTH_ERR_CRYPTO, "OpenSSL refused MD5 (FIPS mode?); CRAM-MD5 and DIGEST-MD5 cannot be used");
}

/* ---- the block function, RFC 1321 §3.4 ---- */

/* The auxiliary functions F, G, H, I, in forms with fewer operations:
 * F(X,Y,Z) = XY v not(X) Z picks Y where X has a 1 and Z elsewhere, as
 * Z xor (X and (Y xor Z)) does; G(X,Y,Z) = XZ v Y not(Z): its two terms
 * share no bit, so v is +, and the compiler adds Y not(Z), which does not
 * depend on the previous step, off the chain. */
#define F(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define G(x, y, z) (((x) & (z)) + ((y) & ~(z)))
#define H(x, y, z) ((x) ^ (y) ^ (z))
#define I(x, y, z) ((y) ^ ((x) | ~(z)))

#define ROTATE_LEFT(x, s) (((x) << (s)) | ((x) >> (32 - (s))))

/* Word k of a block: §2 and §3.4, "low-order byte first". Byte by byte,
 * so neither the machine's byte order nor the block's alignment matters;
 * compilers make one load of it where the machine allows. */
static uint32_t word(const unsigned char *block, int k)
{
    const unsigned char *p = block + 4 * k;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* §3.4's step [abcd k s i]: a = b + ((a + F(b,c,d) + X[k] + T[i]) <<< s),
 * with X[k] + T[i], which does not wait for b, added first. */
#define STEP(f, a, b, c, d, x, t, s) \
    ((a) += (x) + (uint32_t)(t), (a) += f((b), (c), (d)), (a) = ROTATE_LEFT((a), (s)) + (b))

/* Between rounds: the message words are read from the block again rather
 * than kept, which the two-lane function would otherwise do for all 32
 * and spill to the stack (124 stack accesses per call with GCC 12, none
 * with this). Nothing is written to memory here: it costs nothing else. */
#if defined(__GNUC__)
#define ROUND_END __asm__ __volatile__("" ::: "memory")
#else
#define ROUND_END ((void)0)
#endif

/* The 64 steps of §3.4 as S(f, a, b, c, d, k, s, T[i]), in the RFC's
 * order; T[i] = 4294967296 * abs(sin(i)), i in radians (§3.4's table). */
#define MD5_STEPS(S)                                                                                           \
    /* Round 1 */                                                                                              \
    S(F, a, b, c, d, 0, 7, 0xd76aa478) S(F, d, a, b, c, 1, 12, 0xe8c7b756)                                    \
    S(F, c, d, a, b, 2, 17, 0x242070db) S(F, b, c, d, a, 3, 22, 0xc1bdceee)                                   \
    S(F, a, b, c, d, 4, 7, 0xf57c0faf) S(F, d, a, b, c, 5, 12, 0x4787c62a)                                    \
    S(F, c, d, a, b, 6, 17, 0xa8304613) S(F, b, c, d, a, 7, 22, 0xfd469501)                                   \
    S(F, a, b, c, d, 8, 7, 0x698098d8) S(F, d, a, b, c, 9, 12, 0x8b44f7af)                                    \
    S(F, c, d, a, b, 10, 17, 0xffff5bb1) S(F, b, c, d, a, 11, 22, 0x895cd7be)                                 \
    S(F, a, b, c, d, 12, 7, 0x6b901122) S(F, d, a, b, c, 13, 12, 0xfd987193)                                  \
    S(F, c, d, a, b, 14, 17, 0xa679438e) S(F, b, c, d, a, 15, 22, 0x49b40821)                                 \
    ROUND_END;                                                                                                 \
    /* Round 2 */                                                                                              \
    S(G, a, b, c, d, 1, 5, 0xf61e2562) S(G, d, a, b, c, 6, 9, 0xc040b340)                                     \
    S(G, c, d, a, b, 11, 14, 0x265e5a51) S(G, b, c, d, a, 0, 20, 0xe9b6c7aa)                                  \
    S(G, a, b, c, d, 5, 5, 0xd62f105d) S(G, d, a, b, c, 10, 9, 0x02441453)                                    \
    S(G, c, d, a, b, 15, 14, 0xd8a1e681) S(G, b, c, d, a, 4, 20, 0xe7d3fbc8)                                  \
    S(G, a, b, c, d, 9, 5, 0x21e1cde6) S(G, d, a, b, c, 14, 9, 0xc33707d6)                                    \
    S(G, c, d, a, b, 3, 14, 0xf4d50d87) S(G, b, c, d, a, 8, 20, 0x455a14ed)                                   \
    S(G, a, b, c, d, 13, 5, 0xa9e3e905) S(G, d, a, b, c, 2, 9, 0xfcefa3f8)                                    \
    S(G, c, d, a, b, 7, 14, 0x676f02d9) S(G, b, c, d, a, 12, 20, 0x8d2a4c8a)                                  \
    ROUND_END;                                                                                                 \
    /* Round 3 */                                                                                              \
    S(H, a, b, c, d, 5, 4, 0xfffa3942) S(H, d, a, b, c, 8, 11, 0x8771f681)                                    \
    S(H, c, d, a, b, 11, 16, 0x6d9d6122) S(H, b, c, d, a, 14, 23, 0xfde5380c)                                 \
    S(H, a, b, c, d, 1, 4, 0xa4beea44) S(H, d, a, b, c, 4, 11, 0x4bdecfa9)                                    \
    S(H, c, d, a, b, 7, 16, 0xf6bb4b60) S(H, b, c, d, a, 10, 23, 0xbebfbc70)                                  \
    S(H, a, b, c, d, 13, 4, 0x289b7ec6) S(H, d, a, b, c, 0, 11, 0xeaa127fa)                                   \
    S(H, c, d, a, b, 3, 16, 0xd4ef3085) S(H, b, c, d, a, 6, 23, 0x04881d05)                                   \
    S(H, a, b, c, d, 9, 4, 0xd9d4d039) S(H, d, a, b, c, 12, 11, 0xe6db99e5)                                   \
    S(H, c, d, a, b, 15, 16, 0x1fa27cf8) S(H, b, c, d, a, 2, 23, 0xc4ac5665)                                  \
    ROUND_END;                                                                                                 \
    /* Round 4 */                                                                                              \
    S(I, a, b, c, d, 0, 6, 0xf4292244) S(I, d, a, b, c, 7, 10, 0x432aff97)                                    \
    S(I, c, d, a, b, 14, 15, 0xab9423a7) S(I, b, c, d, a, 5, 21, 0xfc93a039)                                  \
    S(I, a, b, c, d, 12, 6, 0x655b59c3) S(I, d, a, b, c, 3, 10, 0x8f0ccc92)                                   \
    S(I, c, d, a, b, 10, 15, 0xffeff47d) S(I, b, c, d, a, 1, 21, 0x85845dd1)                                  \
    S(I, a, b, c, d, 8, 6, 0x6fa87e4f) S(I, d, a, b, c, 15, 10, 0xfe2ce6e0)                                   \
    S(I, c, d, a, b, 6, 15, 0xa3014314) S(I, b, c, d, a, 13, 21, 0x4e0811a1)                                  \
    S(I, a, b, c, d, 4, 6, 0xf7537e82) S(I, d, a, b, c, 11, 10, 0xbd3af235)                                   \
    S(I, c, d, a, b, 2, 15, 0x2ad7d2bb) S(I, b, c, d, a, 9, 21, 0xeb86d391)

/* One lane: the state in a, b, c, d, the block at x. */
#define STEP1(f, a, b, c, d, k, s, t) STEP(f, a, b, c, d, word(x, k), t, s);

/* Two lanes, step by step: the same step on a2, b2, c2, d2 and the block
 * at x2 follows each step of the first lane, and the CPU runs the two,
 * which do not depend on each other, side by side. */
#define STEP2(f, a, b, c, d, k, s, t) \
    STEP(f, a, b, c, d, word(x, k), t, s); STEP(f, a##2, b##2, c##2, d##2, word(x2, k), t, s);

static void compress(uint32_t h[4], const unsigned char *x)
{
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];

    MD5_STEPS(STEP1)
    /* §3.4: "A = A + AA", ... */
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
}

static void compress2(uint32_t h[4], const unsigned char *x, uint32_t h2[4], const unsigned char *x2)
{
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    uint32_t a2 = h2[0], b2 = h2[1], c2 = h2[2], d2 = h2[3];

    MD5_STEPS(STEP2)
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h2[0] += a2;
    h2[1] += b2;
    h2[2] += c2;
    h2[3] += d2;
}

/* ---- messages: padding (§3.1, §3.2) and the digest (§3.5) ---- */

void sqauth_md5_start(sqauth_md5_state *m)
{
    /* §3.3: word A: 01 23 45 67, B: 89 ab cd ef, C: fe dc ba 98,
     * D: 76 54 32 10, low-order bytes first. */
    m->h[0] = 0x67452301;
    m->h[1] = 0xefcdab89;
    m->h[2] = 0x98badcfe;
    m->h[3] = 0x10325476;
    m->len = 0;
}

void sqauth_md5_block(sqauth_md5_state *m, const unsigned char block[SQAUTH_MD5_BLOCK])
{
    compress(m->h, block);
    m->len += SQAUTH_MD5_BLOCK;
}

void sqauth_md5_block2(sqauth_md5_state *m, const unsigned char block[SQAUTH_MD5_BLOCK], sqauth_md5_state *o,
                       const unsigned char other[SQAUTH_MD5_BLOCK])
{
    compress2(m->h, block, o->h, other);
    m->len += SQAUTH_MD5_BLOCK;
    o->len += SQAUTH_MD5_BLOCK;
}

/* Stores v low-order byte first (§3.2, §3.5), byte by byte whatever the
 * machine's byte order; compilers merge the stores where they can. */
static void store32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/* The end of the message whose m->len first bytes m has and whose n
 * others are at p: the last n % 64 of those (the whole blocks before them
 * are read in place), then the padding of §3.1 (one "1" bit, then "0"
 * bits up to 448 bits modulo 512: in a second block when fewer than 9
 * bytes are left) and §3.2 (the message's length in bits, 64 bits,
 * low-order first; its low 64 bits should it be longer), into tail.
 * Returns the number of blocks written, 1 or 2. */
static size_t pad(unsigned char tail[2 * SQAUTH_MD5_BLOCK], const sqauth_md5_state *m, const unsigned char *p,
                  size_t n)
{
    size_t rest = n % SQAUTH_MD5_BLOCK, blocks = rest < SQAUTH_MD5_BLOCK - 8 ? 1 : 2;
    unsigned char *length = tail + blocks * SQAUTH_MD5_BLOCK - 8;
    uint64_t bits = (m->len + n) << 3;
    size_t i;

    /* 16 bytes at a time: GCC makes these vector stores, one memset of
     * the whole would be "rep stos", which takes longer to start. */
    for (i = 0; i < 2 * SQAUTH_MD5_BLOCK; i += 16) {
        memset(tail + i, 0, 16);
    }
    if (rest) {
        memcpy(tail, p + n - rest, rest);
    }
    tail[rest] = 0x80;
    store32(length, (uint32_t)bits);
    store32(length + 4, (uint32_t)(bits >> 32));
    return blocks;
}

/* §3.5: A, B, C, D, low-order byte first; then the state is cleansed. */
static void digest(sqauth_md5_state *m, unsigned char out[SQAUTH_MD5_LEN])
{
    store32(out, m->h[0]);
    store32(out + 4, m->h[1]);
    store32(out + 8, m->h[2]);
    store32(out + 12, m->h[3]);
    sqauth_cleanse(m, sizeof(*m));
}

void sqauth_md5_finish(sqauth_md5_state *m, const void *data, size_t n, unsigned char out[SQAUTH_MD5_LEN])
{
    const unsigned char *p = data;
    unsigned char tail[2 * SQAUTH_MD5_BLOCK];
    size_t whole = n / SQAUTH_MD5_BLOCK, blocks, i;

    blocks = pad(tail, m, p, n);
    for (i = 0; i < whole; i++) {
        compress(m->h, p + i * SQAUTH_MD5_BLOCK);
    }
    for (i = 0; i < blocks; i++) {
        compress(m->h, tail + i * SQAUTH_MD5_BLOCK);
    }
    sqauth_cleanse(tail, sizeof(tail));
    digest(m, out);
}

/* Block i of a message: in place, or in its padded tail after whole. */
static const unsigned char *block_at(const unsigned char *p, size_t whole, const unsigned char *tail, size_t i)
{
    return i < whole ? p + i * SQAUTH_MD5_BLOCK : tail + (i - whole) * SQAUTH_MD5_BLOCK;
}

void sqauth_md5_finish2(sqauth_md5_state *m, const void *data, size_t n, unsigned char out[SQAUTH_MD5_LEN],
                        sqauth_md5_state *o, const void *other, size_t other_n, unsigned char other_out[SQAUTH_MD5_LEN])
{
    const unsigned char *p = data, *q = other;
    unsigned char tail[2 * SQAUTH_MD5_BLOCK], other_tail[2 * SQAUTH_MD5_BLOCK];
    size_t whole = n / SQAUTH_MD5_BLOCK, other_whole = other_n / SQAUTH_MD5_BLOCK;
    size_t blocks = whole + pad(tail, m, p, n), other_blocks = other_whole + pad(other_tail, o, q, other_n), i;

    for (i = 0; i < blocks && i < other_blocks; i++) {
        compress2(m->h, block_at(p, whole, tail, i), o->h, block_at(q, other_whole, other_tail, i));
    }
    for (; i < blocks; i++) {
        compress(m->h, block_at(p, whole, tail, i));
    }
    for (; i < other_blocks; i++) {
        compress(o->h, block_at(q, other_whole, other_tail, i));
    }
    sqauth_cleanse(tail, sizeof(tail));
    sqauth_cleanse(other_tail, sizeof(other_tail));
    digest(m, out);
    digest(o, other_out);
}

void sqauth_md5_buf(const void *p, size_t n, unsigned char out[SQAUTH_MD5_LEN])
{
    sqauth_md5_state m;

    sqauth_md5_start(&m);
    sqauth_md5_finish(&m, p, n, out);
}

/* "00" ... "ff", written out by the preprocessor. */
#define HEX_DIGIT(d) ((char)((d) < 10 ? '0' + (d) : 'a' + (d) - 10))
#define HEX_PAIR(n) {HEX_DIGIT((n) >> 4), HEX_DIGIT((n) & 15)}
#define HEX_R4(n) HEX_PAIR(n), HEX_PAIR((n) + 1), HEX_PAIR((n) + 2), HEX_PAIR((n) + 3)
#define HEX_R16(n) HEX_R4(n), HEX_R4((n) + 4), HEX_R4((n) + 8), HEX_R4((n) + 12)
#define HEX_R64(n) HEX_R16(n), HEX_R16((n) + 16), HEX_R16((n) + 32), HEX_R16((n) + 48)
static const char hex_pairs[256][2] = {HEX_R64(0), HEX_R64(64), HEX_R64(128), HEX_R64(192)};

void sqauth_md5_hex(char out[2 * SQAUTH_MD5_LEN], const unsigned char h[SQAUTH_MD5_LEN])
{
    size_t i;

    for (i = 0; i < SQAUTH_MD5_LEN; i++) {
        memcpy(out + 2 * i, hex_pairs[h[i]], 2);
    }
}
