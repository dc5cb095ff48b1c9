#ifndef DROPMATE_CHIREDIS_SHIM_H
#define DROPMATE_CHIREDIS_SHIM_H
// hiredis is used for the Redis wire format only (RESP2): the bytes travel over SwiftNIO, so TLS works.
#include <hiredis/hiredis.h>
#include <hiredis/read.h>

// Field access through functions: hiredis' structs and macros do not all import cleanly into Swift.
static inline int dm_reply_type(const redisReply *r) { return r->type; }
static inline long long dm_reply_integer(const redisReply *r) { return r->integer; }
static inline const char *dm_reply_str(const redisReply *r) { return r->str; }
static inline size_t dm_reply_len(const redisReply *r) { return r->len; }
static inline size_t dm_reply_elements(const redisReply *r) { return r->elements; }
static inline const redisReply *dm_reply_element(const redisReply *r, size_t i) { return r->element[i]; }

/// 1 when the reader met a protocol error; its message is then in `dm_reader_error`.
static inline int dm_reader_failed(const redisReader *reader) { return reader->err != 0; }
static inline const char *dm_reader_error(const redisReader *reader) { return reader->errstr; }

static inline int dm_reply_string(void) { return REDIS_REPLY_STRING; }
static inline int dm_reply_array(void) { return REDIS_REPLY_ARRAY; }
static inline int dm_reply_integer_type(void) { return REDIS_REPLY_INTEGER; }
static inline int dm_reply_nil(void) { return REDIS_REPLY_NIL; }
static inline int dm_reply_status(void) { return REDIS_REPLY_STATUS; }
static inline int dm_reply_error(void) { return REDIS_REPLY_ERROR; }
#endif
