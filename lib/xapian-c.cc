/*
 * xapian-c.cc — the C binding of Xapian declared in include/xapian-c.h.
 *
 * This is the only C++ file of passim and the only one that sees
 * <xapian.h>. Every entry point is one try block ending in XC_CATCH, so
 * that no exception ever unwinds into C: Xapian's exception classes become
 * xc_status values and their text is kept on the handle that failed.
 */
#include "xapian-c.h"

#include <xapian.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <memory>
#include <new>
#include <string>
#include <unordered_set>
#include <vector>

/* The parser flags are passed straight through, so they must agree. The
 * enums differ in type, hence the comparison as plain ints. */
static constexpr bool
xc_same_flag(int ours, int theirs)
{
    return ours == theirs;
}

using QP = Xapian::QueryParser;
static_assert(xc_same_flag(XC_FLAG_BOOLEAN, QP::FLAG_BOOLEAN) &&
              xc_same_flag(XC_FLAG_PHRASE, QP::FLAG_PHRASE) &&
              xc_same_flag(XC_FLAG_LOVEHATE, QP::FLAG_LOVEHATE) &&
              xc_same_flag(XC_FLAG_BOOLEAN_ANY_CASE,
                           QP::FLAG_BOOLEAN_ANY_CASE) &&
              xc_same_flag(XC_FLAG_WILDCARD, QP::FLAG_WILDCARD) &&
              xc_same_flag(XC_FLAG_PURE_NOT, QP::FLAG_PURE_NOT) &&
              xc_same_flag(XC_FLAG_PARTIAL, QP::FLAG_PARTIAL) &&
              xc_same_flag(XC_FLAG_SPELLING_CORRECTION,
                           QP::FLAG_SPELLING_CORRECTION) &&
              xc_same_flag(XC_FLAG_SYNONYM, QP::FLAG_SYNONYM) &&
              xc_same_flag(XC_FLAG_AUTO_SYNONYMS, QP::FLAG_AUTO_SYNONYMS) &&
              xc_same_flag(XC_FLAG_AUTO_MULTIWORD_SYNONYMS,
                           QP::FLAG_AUTO_MULTIWORD_SYNONYMS) &&
              xc_same_flag(XC_FLAG_CJK_NGRAM, QP::FLAG_CJK_NGRAM) &&
              xc_same_flag(XC_FLAG_DEFAULT, QP::FLAG_DEFAULT),
              "XC_FLAG_* must match Xapian::QueryParser flags");

/* ------------------------------------------------------------------ */
/* Handles                                                             */
/* ------------------------------------------------------------------ */

/* A read-only and a writable database share one struct, so that every
 * reading call works on both; `wdb` is only meaningful when `writable`. */
struct xc_database {
    Xapian::Database db;
    Xapian::WritableDatabase wdb;
    bool writable = false;
    bool abandoned = false; /* close without committing */
    /* A group's members, for what Xapian reads from the first one only
     * (metadata keys). */
    std::vector<Xapian::Database> members;
    std::string error;
};

/* The scratch strings back the borrowed results of get_data/get_value. */
struct xc_document {
    Xapian::Document doc;
    std::string data;
    std::string value;
    std::string error;
};

struct xc_stemmer {
    Xapian::Stem stem;
    std::string error;
};

struct xc_termgen {
    Xapian::TermGenerator tg;
    std::string error;
};

struct xc_qparser {
    Xapian::QueryParser qp;
    std::string error;
};

struct xc_query {
    Xapian::Query q;
};

/* The handle owns the spy; `valuecount` points into `spy` for value-count
 * spies so their results can be read without a dynamic_cast. */
struct xc_matchspy {
    std::unique_ptr<Xapian::MatchSpy> spy;
    Xapian::ValueCountMatchSpy *valuecount = nullptr;
    std::string error;
};

struct xc_enquire {
    explicit xc_enquire(const Xapian::Database &d) : enq(d) {}
    Xapian::Enquire enq;
    std::string error;
};

struct xc_mset {
    Xapian::MSet mset;
    std::string key; /* backs xc_mset_collapse_key() */
    std::string error;
};

/* ------------------------------------------------------------------ */
/* Error handling                                                      */
/* ------------------------------------------------------------------ */

/* Build "func(arg): what" without letting bad_alloc escape a catch
 * handler; on failure the message degrades to a static text. */
static std::string
xc_message(const char *func, const char *arg, const char *what)
{
    std::string msg(func);
    if (arg != nullptr) {
        msg += "(";
        msg += arg;
        msg += ")";
    }
    msg += ": ";
    msg += what;
    return msg;
}

/* Store the message on a handle; a NULL handle (a bad argument) keeps
 * nothing. */
template <typename Handle>
static xc_status
xc_fail(Handle *h, xc_status status, const char *func, const char *arg,
        const char *what) noexcept
{
    if (h == nullptr)
        return status;
    try {
        h->error = xc_message(func, arg, what);
    } catch (...) {
        h->error.clear();
    }
    return status;
}

/* Constructors have no handle yet: hand back a malloc'd copy instead. */
static xc_status
xc_fail(char **error, xc_status status, const char *func, const char *arg,
        const char *what) noexcept
{
    if (error == nullptr)
        return status;
    try {
        *error = strdup(xc_message(func, arg, what).c_str());
    } catch (...) {
        *error = strdup("out of memory");
    }
    return status;
}

/* Calls on queries have nowhere to keep a message: the status must do. */
static xc_status
xc_fail(std::nullptr_t, xc_status status, const char *, const char *,
        const char *) noexcept
{
    return status;
}

/* The Xapian flavour: the description names the exception class. */
template <typename Sink>
static xc_status
xc_fail_x(Sink sink, xc_status status, const char *func, const char *arg,
          const Xapian::Error &e) noexcept
{
    try {
        return xc_fail(sink, status, func, arg, e.get_description().c_str());
    } catch (...) {
        return xc_fail(sink, status, func, arg, e.get_msg().c_str());
    }
}

/*
 * The catch ladder every entry point ends with. `sink` is the handle (or
 * the constructor's `char **error`) that receives the message; `arg` adds
 * context such as a path, or is nullptr. Order matters: DatabaseNotFound
 * derives from DatabaseOpening, NetworkTimeout from Network, and all of
 * them from Xapian::Error.
 */
#define XC_CATCH_ARG(sink, arg)                                               \
    catch (const Xapian::DatabaseModifiedError &e) {                          \
        return xc_fail_x((sink), XC_MODIFIED, __func__, (arg), e);            \
    } catch (const Xapian::DatabaseLockError &e) {                            \
        return xc_fail_x((sink), XC_LOCKED, __func__, (arg), e);              \
    } catch (const Xapian::DatabaseNotFoundError &e) {                        \
        return xc_fail_x((sink), XC_NOT_FOUND, __func__, (arg), e);           \
    } catch (const Xapian::DocNotFoundError &e) {                             \
        return xc_fail_x((sink), XC_NOT_FOUND, __func__, (arg), e);           \
    } catch (const Xapian::DatabaseCorruptError &e) {                         \
        return xc_fail_x((sink), XC_CORRUPT, __func__, (arg), e);             \
    } catch (const Xapian::DatabaseOpeningError &e) {                         \
        return xc_fail_x((sink), XC_OPENING, __func__, (arg), e);             \
    } catch (const Xapian::QueryParserError &e) {                             \
        return xc_fail_x((sink), XC_QUERY_SYNTAX, __func__, (arg), e);        \
    } catch (const Xapian::InvalidArgumentError &e) {                         \
        return xc_fail_x((sink), XC_INVALID_ARGUMENT, __func__, (arg), e);    \
    } catch (const Xapian::InvalidOperationError &e) {                        \
        return xc_fail_x((sink), XC_INVALID_ARGUMENT, __func__, (arg), e);    \
    } catch (const Xapian::NetworkError &e) {                                 \
        return xc_fail_x((sink), XC_NETWORK, __func__, (arg), e);             \
    } catch (const Xapian::Error &e) {                                        \
        return xc_fail_x((sink), XC_ERROR, __func__, (arg), e);               \
    } catch (const std::bad_alloc &) {                                        \
        return xc_fail((sink), XC_NOMEM, __func__, (arg), "out of memory");   \
    } catch (const std::exception &e) {                                       \
        return xc_fail((sink), XC_ERROR, __func__, (arg), e.what());          \
    } catch (...) {                                                           \
        return xc_fail((sink), XC_ERROR, __func__, (arg),                     \
                       "unknown C++ exception");                              \
    }

#define XC_CATCH(sink) XC_CATCH_ARG(sink, nullptr)

/* Entry points that return something other than a status (sizes,
 * descriptions, destroy) can only report failure through `fallback`. */
#define XC_CATCH_RETURN(fallback)                                             \
    catch (...) {                                                             \
        return fallback;                                                      \
    }

/* Reject a NULL argument through the ladder, as an InvalidArgumentError. */
static void
xc_require(const void *p, const char *name)
{
    if (p == nullptr)
        throw Xapian::InvalidArgumentError(std::string(name) + " is NULL");
}

/* Callbacks are function pointers, which do not convert to void *. */
template <typename Fn>
static void
xc_require_fn(Fn fn)
{
    if (fn == nullptr)
        throw Xapian::InvalidArgumentError("the callback is NULL");
}

/* Writing calls go through here, so a read-only handle fails cleanly with
 * XC_INVALID_ARGUMENT instead of a Xapian error about a missing method. */
static Xapian::WritableDatabase &
xc_writable(xc_database *db)
{
    xc_require(db, "db");
    if (!db->writable)
        throw Xapian::InvalidOperationError(
            "the database was opened read-only");
    return db->wdb;
}

/* A malloc'd, NUL-terminated copy, for `char *` results the caller frees. */
static char *
xc_strdup(const std::string &s)
{
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (p == nullptr)
        throw std::bad_alloc();
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}

/* The length-carrying strings of the header, as std::string. */
static std::string
xc_str(const char *s, size_t len)
{
    if (s == nullptr && len != 0)
        throw Xapian::InvalidArgumentError("string is NULL");
    return s == nullptr ? std::string() : std::string(s, len);
}

/* NUL-terminated optional strings: NULL means "". */
static std::string
xc_cstr(const char *s)
{
    return s == nullptr ? std::string() : std::string(s);
}

/* Walk a TermIterator range, stopping when the callback asks to. */
static void
xc_walk_strings(Xapian::TermIterator it, const Xapian::TermIterator &end,
                xc_string_fn fn, void *ctx)
{
    xc_require_fn(fn);
    for (; it != end; ++it) {
        const std::string term = *it;
        if (fn(ctx, term.data(), term.size()) != 0)
            break;
    }
}

/* ------------------------------------------------------------------ */
/* Status                                                              */
/* ------------------------------------------------------------------ */

const char *
xc_status_to_string(xc_status status) noexcept
{
    try {
        static const char *const names[XC_STATUS_LAST] = {
            "success",
            "Xapian error",
            "out of memory",
            "not found",
            "database is locked by another writer",
            "database was modified: reopen and retry",
            "database is corrupt",
            "database could not be opened",
            "malformed query",
            "invalid argument",
            "network error",
        };
        if (static_cast<unsigned>(status) >= XC_STATUS_LAST)
            return "unknown status";
        return names[status];
    }
    XC_CATCH_RETURN("unknown status")
}

/* ------------------------------------------------------------------ */
/* Databases                                                           */
/* ------------------------------------------------------------------ */

xc_status
xc_database_open(const char *path, xc_database **db, char **error) noexcept
{
    try {
        if (error != nullptr)
            *error = nullptr;
        xc_require(db, "db");
        *db = nullptr;
        xc_require(path, "path");
        std::unique_ptr<xc_database> h(new xc_database);
        /* Xapian::Database(path) also follows stub database files. */
        h->db = Xapian::Database(path);
        *db = h.release();
        return XC_OK;
    }
    XC_CATCH_ARG(error, path)
}

xc_status
xc_database_open_writable(const char *path, xc_database **db,
                          char **error) noexcept
{
    try {
        if (error != nullptr)
            *error = nullptr;
        xc_require(db, "db");
        *db = nullptr;
        xc_require(path, "path");
        std::unique_ptr<xc_database> h(new xc_database);
        h->wdb = Xapian::WritableDatabase(path, Xapian::DB_CREATE_OR_OPEN);
        h->db = h->wdb;
        h->writable = true;
        *db = h.release();
        return XC_OK;
    }
    XC_CATCH_ARG(error, path)
}

/* The header promises that 0 means "Xapian's default" (10 seconds),
 * whereas Xapian itself reads 0 as "wait forever". */
static unsigned
xc_timeout(unsigned ms)
{
    return ms == 0 ? 10000 : ms;
}

xc_status
xc_database_open_remote_tcp(const char *host, unsigned port,
                            unsigned timeout_ms, unsigned connect_timeout_ms,
                            xc_database **db, char **error) noexcept
{
    try {
        if (error != nullptr)
            *error = nullptr;
        xc_require(db, "db");
        *db = nullptr;
        xc_require(host, "host");
        std::unique_ptr<xc_database> h(new xc_database);
        h->db = Xapian::Remote::open(host, port, xc_timeout(timeout_ms),
                                     xc_timeout(connect_timeout_ms));
        *db = h.release();
        return XC_OK;
    }
    XC_CATCH_ARG(error, host)
}

xc_status
xc_database_open_remote_prog(const char *program, const char *args,
                             unsigned timeout_ms, xc_database **db,
                             char **error) noexcept
{
    try {
        if (error != nullptr)
            *error = nullptr;
        xc_require(db, "db");
        *db = nullptr;
        xc_require(program, "program");
        std::unique_ptr<xc_database> h(new xc_database);
        h->db = Xapian::Remote::open(program, xc_cstr(args),
                                     xc_timeout(timeout_ms));
        *db = h.release();
        return XC_OK;
    }
    XC_CATCH_ARG(error, program)
}

xc_status
xc_database_create_group(xc_database **db, char **error) noexcept
{
    try {
        if (error != nullptr)
            *error = nullptr;
        xc_require(db, "db");
        *db = nullptr;
        /* Xapian::Database() is a database with no shards. */
        *db = new xc_database;
        return XC_OK;
    }
    XC_CATCH(error)
}

xc_status
xc_database_add(xc_database *db, xc_database *other) noexcept
{
    try {
        xc_require(db, "db");
        xc_require(other, "other");
        /* A writable handle would search shards it cannot write to, and a
         * writable shard would be shut by xc_database_close(other). */
        if (db->writable || other->writable)
            throw Xapian::InvalidOperationError(
                "xc_database_add takes read-only databases only");
        db->db.add_database(other->db);
        db->members.push_back(other->db);
        return XC_OK;
    }
    XC_CATCH(db)
}

xc_status
xc_database_reopen(xc_database *db) noexcept
{
    try {
        xc_require(db, "db");
        db->db.reopen();
        return XC_OK;
    }
    XC_CATCH(db)
}

xc_status
xc_database_reopen_changed(xc_database *db, int *changed) noexcept
{
    try {
        xc_require(db, "db");
        xc_require(changed, "changed");
        *changed = db->db.reopen() ? 1 : 0;
        return XC_OK;
    }
    XC_CATCH(db)
}

void
xc_database_close(xc_database *db) noexcept
{
    try {
        if (db == nullptr)
            return;
        /* A writer is committed and closed explicitly, so the lock goes now
         * even if an enquire or a query parser still holds a copy. Readers
         * are only let go of: their shards may live on in another handle
         * through xc_database_add(). */
        if (db->writable && !db->abandoned) {
            try {
                db->wdb.commit();
            } catch (const Xapian::Error &) {
                /* Documented: errors of the final commit are lost. */
            }
            try {
                db->wdb.close();
            } catch (const Xapian::Error &) {
                /* Closing a damaged database is still releasing it. */
            }
        }
        delete db;
    }
    XC_CATCH_RETURN()
}

void
xc_database_abandon(xc_database *db) noexcept
{
    if (db != nullptr)
        db->abandoned = true;
}

void
xc_database_set_error(xc_database *db, const char *message) noexcept
{
    try {
        if (db != nullptr && message != nullptr)
            db->error = message;
    }
    XC_CATCH_RETURN()
}

const char *
xc_database_last_error(const xc_database *db) noexcept
{
    try {
        return db == nullptr ? "no database" : db->error.c_str();
    }
    XC_CATCH_RETURN("")
}

xc_status
xc_database_doccount(xc_database *db, uint32_t *count) noexcept
{
    try {
        xc_require(count, "count");
        *count = 0;
        xc_require(db, "db");
        *count = db->db.get_doccount();
        return XC_OK;
    }
    XC_CATCH(db)
}

xc_status
xc_database_lastdocid(xc_database *db, xc_docid *docid) noexcept
{
    try {
        xc_require(docid, "docid");
        *docid = 0;
        xc_require(db, "db");
        *docid = db->db.get_lastdocid();
        return XC_OK;
    }
    XC_CATCH(db)
}

xc_status
xc_database_termfreq(xc_database *db, const char *term, size_t len,
                     uint32_t *freq) noexcept
{
    try {
        xc_require(freq, "freq");
        *freq = 0;
        xc_require(db, "db");
        *freq = db->db.get_termfreq(xc_str(term, len));
        return XC_OK;
    }
    XC_CATCH(db)
}

xc_status
xc_database_term_in(xc_database *db, const char *term, size_t len,
                    const xc_docid *docids, size_t n,
                    unsigned char *has) noexcept
{
    try {
        xc_require(db, "db");
        if (n == 0)
            return XC_OK;
        xc_require(docids, "docids");
        xc_require(has, "has");
        const std::string t = xc_str(term, len);
        auto it = db->db.postlist_begin(t);
        auto end = db->db.postlist_end(t);
        for (size_t i = 0; i < n && it != end; i++) {
            it.skip_to(docids[i]);
            if (it != end && *it == docids[i])
                has[i] = 1;
        }
        return XC_OK;
    }
    XC_CATCH(db)
}

xc_status
xc_database_revision(xc_database *db, uint64_t *revision) noexcept
{
    try {
        xc_require(revision, "revision");
        *revision = 0;
        xc_require(db, "db");
        *revision = db->db.get_revision();
        return XC_OK;
    }
    XC_CATCH(db)
}

xc_status
xc_database_get_document(xc_database *db, xc_docid docid,
                         xc_document **doc) noexcept
{
    try {
        xc_require(doc, "doc");
        *doc = nullptr;
        xc_require(db, "db");
        std::unique_ptr<xc_document> h(new xc_document);
        h->doc = db->db.get_document(docid);
        *doc = h.release();
        return XC_OK;
    }
    XC_CATCH(db)
}

xc_status
xc_database_postlist(xc_database *db, const char *term, size_t len,
                     xc_docid_fn fn, void *ctx) noexcept
{
    try {
        xc_require(db, "db");
        xc_require_fn(fn);
        const std::string t = xc_str(term, len);
        for (auto it = db->db.postlist_begin(t); it != db->db.postlist_end(t);
             ++it) {
            if (fn(ctx, *it) != 0)
                break;
        }
        return XC_OK;
    }
    XC_CATCH(db)
}

xc_status
xc_database_allterms(xc_database *db, const char *prefix, xc_term_freq_fn fn,
                     void *ctx) noexcept
{
    try {
        xc_require(db, "db");
        xc_require_fn(fn);
        const std::string p = xc_cstr(prefix);
        for (auto it = db->db.allterms_begin(p); it != db->db.allterms_end(p);
             ++it) {
            const std::string term = *it;
            if (fn(ctx, term.data(), term.size(), it.get_termfreq()) != 0)
                break;
        }
        return XC_OK;
    }
    XC_CATCH(db)
}

xc_status
xc_database_get_metadata(xc_database *db, const char *key, size_t key_len,
                         char **value, size_t *len) noexcept
{
    try {
        xc_require(value, "value");
        *value = nullptr;
        if (len != nullptr)
            *len = 0;
        xc_require(db, "db");
        const std::string v = db->db.get_metadata(xc_str(key, key_len));
        /* Xapian cannot tell an absent key from an empty value. */
        if (v.empty())
            return XC_OK;
        *value = xc_strdup(v);
        if (len != nullptr)
            *len = v.size();
        return XC_OK;
    }
    XC_CATCH(db)
}

xc_status
xc_database_set_metadata(xc_database *db, const char *key, size_t key_len,
                         const char *value, size_t len) noexcept
{
    try {
        xc_writable(db).set_metadata(xc_str(key, key_len), xc_str(value, len));
        return XC_OK;
    }
    XC_CATCH(db)
}

/* Xapian reads a group's metadata from its first member: merge the
 * members' sorted key lists instead, each key once. */
static void
xc_merge_metadata_keys(const std::vector<Xapian::Database> &members,
                       const std::string &prefix, xc_string_fn fn, void *ctx)
{
    std::vector<std::pair<Xapian::TermIterator, Xapian::TermIterator>> it;
    for (const auto &m : members)
        it.emplace_back(m.metadata_keys_begin(prefix),
                        m.metadata_keys_end(prefix));
    for (;;) {
        bool any = false;
        std::string least;
        for (auto &e : it) {
            if (e.first == e.second)
                continue;
            std::string key = *e.first;
            if (!any || key < least)
                least = std::move(key);
            any = true;
        }
        if (!any || fn(ctx, least.data(), least.size()) != 0)
            return;
        for (auto &e : it) {
            if (e.first != e.second && *e.first == least)
                ++e.first;
        }
    }
}

xc_status
xc_database_metadata_keys(xc_database *db, const char *prefix, xc_string_fn fn,
                          void *ctx) noexcept
{
    try {
        xc_require(db, "db");
        const std::string p = xc_cstr(prefix);
        if (db->members.size() < 2) {
            xc_walk_strings(db->db.metadata_keys_begin(p),
                            db->db.metadata_keys_end(p), fn, ctx);
            return XC_OK;
        }
        xc_require_fn(fn);
        xc_merge_metadata_keys(db->members, p, fn, ctx);
        return XC_OK;
    }
    XC_CATCH(db)
}

xc_status
xc_database_begin_transaction(xc_database *db, int flushed) noexcept
{
    try {
        xc_writable(db).begin_transaction(flushed != 0);
        return XC_OK;
    }
    XC_CATCH(db)
}

xc_status
xc_database_commit_transaction(xc_database *db) noexcept
{
    try {
        xc_writable(db).commit_transaction();
        return XC_OK;
    }
    XC_CATCH(db)
}

xc_status
xc_database_cancel_transaction(xc_database *db) noexcept
{
    try {
        xc_writable(db).cancel_transaction();
        return XC_OK;
    }
    XC_CATCH(db)
}

xc_status
xc_database_commit(xc_database *db) noexcept
{
    try {
        xc_writable(db).commit();
        return XC_OK;
    }
    XC_CATCH(db)
}

xc_status
xc_database_add_document(xc_database *db, const xc_document *doc,
                         xc_docid *docid) noexcept
{
    try {
        if (docid != nullptr)
            *docid = 0;
        Xapian::WritableDatabase &w = xc_writable(db);
        xc_require(doc, "doc");
        const Xapian::docid id = w.add_document(doc->doc);
        if (docid != nullptr)
            *docid = id;
        return XC_OK;
    }
    XC_CATCH(db)
}

xc_status
xc_database_replace_document(xc_database *db, xc_docid docid,
                             const xc_document *doc) noexcept
{
    try {
        Xapian::WritableDatabase &w = xc_writable(db);
        xc_require(doc, "doc");
        w.replace_document(docid, doc->doc);
        return XC_OK;
    }
    XC_CATCH(db)
}

xc_status
xc_database_delete_document(xc_database *db, xc_docid docid) noexcept
{
    try {
        xc_writable(db).delete_document(docid);
        return XC_OK;
    }
    XC_CATCH(db)
}

xc_status
xc_database_delete_documents_by_term(xc_database *db, const char *term,
                                     size_t len) noexcept
{
    try {
        xc_writable(db).delete_document(xc_str(term, len));
        return XC_OK;
    }
    XC_CATCH(db)
}

/* ------------------------------------------------------------------ */
/* Documents                                                           */
/* ------------------------------------------------------------------ */

xc_status
xc_document_create(xc_document **doc) noexcept
{
    try {
        xc_require(doc, "doc");
        *doc = nullptr;
        *doc = new xc_document;
        return XC_OK;
    }
    XC_CATCH(nullptr)
}

void
xc_document_destroy(xc_document *doc) noexcept
{
    try {
        delete doc;
    }
    XC_CATCH_RETURN()
}

const char *
xc_document_last_error(const xc_document *doc) noexcept
{
    try {
        return doc == nullptr ? "no document" : doc->error.c_str();
    }
    XC_CATCH_RETURN("")
}

xc_status
xc_document_clear(xc_document *doc) noexcept
{
    try {
        xc_require(doc, "doc");
        doc->doc.clear_terms();
        doc->doc.clear_values();
        doc->doc.set_data(std::string());
        return XC_OK;
    }
    XC_CATCH(doc)
}

xc_status
xc_document_set_data(xc_document *doc, const char *data, size_t len) noexcept
{
    try {
        xc_require(doc, "doc");
        doc->doc.set_data(xc_str(data, len));
        return XC_OK;
    }
    XC_CATCH(doc)
}

xc_status
xc_document_get_data(xc_document *doc, const char **data, size_t *len) noexcept
{
    try {
        xc_require(data, "data");
        *data = nullptr;
        if (len != nullptr)
            *len = 0;
        xc_require(doc, "doc");
        doc->data = doc->doc.get_data();
        *data = doc->data.c_str();
        if (len != nullptr)
            *len = doc->data.size();
        return XC_OK;
    }
    XC_CATCH(doc)
}

xc_status
xc_document_add_term(xc_document *doc, const char *term, size_t len,
                     uint32_t wdf_inc) noexcept
{
    try {
        xc_require(doc, "doc");
        doc->doc.add_term(xc_str(term, len), wdf_inc);
        return XC_OK;
    }
    XC_CATCH(doc)
}

xc_status
xc_document_add_boolean_term(xc_document *doc, const char *term,
                             size_t len) noexcept
{
    try {
        xc_require(doc, "doc");
        doc->doc.add_boolean_term(xc_str(term, len));
        return XC_OK;
    }
    XC_CATCH(doc)
}

xc_status
xc_document_add_posting(xc_document *doc, const char *term, size_t len,
                        xc_termpos pos, uint32_t wdf_inc) noexcept
{
    try {
        xc_require(doc, "doc");
        doc->doc.add_posting(xc_str(term, len), pos, wdf_inc);
        return XC_OK;
    }
    XC_CATCH(doc)
}

xc_status
xc_document_add_value(xc_document *doc, xc_valueno slot, const char *value,
                      size_t len) noexcept
{
    try {
        xc_require(doc, "doc");
        doc->doc.add_value(slot, xc_str(value, len));
        return XC_OK;
    }
    XC_CATCH(doc)
}

xc_status
xc_document_get_value(xc_document *doc, xc_valueno slot, const char **value,
                      size_t *len) noexcept
{
    try {
        xc_require(value, "value");
        *value = nullptr;
        if (len != nullptr)
            *len = 0;
        xc_require(doc, "doc");
        doc->value = doc->doc.get_value(slot);
        *value = doc->value.c_str();
        if (len != nullptr)
            *len = doc->value.size();
        return XC_OK;
    }
    XC_CATCH(doc)
}

xc_status
xc_document_terms(xc_document *doc, xc_term_freq_fn fn, void *ctx) noexcept
{
    try {
        xc_require(doc, "doc");
        xc_require_fn(fn);
        for (auto it = doc->doc.termlist_begin(); it != doc->doc.termlist_end();
             ++it) {
            const std::string term = *it;
            if (fn(ctx, term.data(), term.size(), it.get_wdf()) != 0)
                break;
        }
        return XC_OK;
    }
    XC_CATCH(doc)
}

size_t
xc_sortable_serialise(double value, char buf[18]) noexcept
{
    try {
        return Xapian::sortable_serialise_(value, buf);
    }
    XC_CATCH_RETURN(0)
}

double
xc_sortable_unserialise(const char *buf, size_t len) noexcept
{
    try {
        return Xapian::sortable_unserialise(xc_str(buf, len));
    }
    XC_CATCH_RETURN(0.0)
}

/* ------------------------------------------------------------------ */
/* Stemmers                                                            */
/* ------------------------------------------------------------------ */

namespace {

/* A stemming algorithm written in C. Xapian reference-counts it, so the
 * context is destroyed here, when the last Stem lets go of it. */
class CallbackStem : public Xapian::StemImplementation {
  public:
    CallbackStem(xc_stem_fn fn, void *ctx, void (*destroy_ctx)(void *),
                 std::string description) noexcept
        : fn_(fn), ctx_(ctx), destroy_ctx_(destroy_ctx),
          description_(std::move(description))
    {
    }

    ~CallbackStem() override
    {
        if (destroy_ctx_ != nullptr)
            destroy_ctx_(ctx_);
    }

    std::string
    operator()(const std::string &word) override
    {
        const char *stem = nullptr;
        size_t len = 0;
        /* A failing callback leaves the word as its own stem. */
        if (fn_(ctx_, word.data(), word.size(), &stem, &len) != 0 ||
            stem == nullptr)
            return word;
        return std::string(stem, len);
    }

    std::string
    get_description() const override
    {
        return description_;
    }

  private:
    xc_stem_fn fn_;
    void *ctx_;
    void (*destroy_ctx_)(void *);
    std::string description_;
};

}

xc_status
xc_stemmer_create_callback(xc_stem_fn fn, void *ctx,
                           void (*destroy_ctx)(void *),
                           const char *description, xc_stemmer **stemmer,
                           char **error) noexcept
{
    try {
        if (error != nullptr)
            *error = nullptr;
        xc_require(stemmer, "stemmer");
        *stemmer = nullptr;
        xc_require_fn(fn);
        /* Everything that may throw happens before CallbackStem exists, so
         * a failure leaves ctx with the caller and destroy_ctx uncalled. */
        std::string desc = description == nullptr ? "callback" : description;
        std::unique_ptr<xc_stemmer> h(new xc_stemmer);
        h->stem = Xapian::Stem(
            new CallbackStem(fn, ctx, destroy_ctx, std::move(desc)));
        *stemmer = h.release();
        return XC_OK;
    }
    XC_CATCH(error)
}

xc_status
xc_stemmer_create_builtin(const char *language, xc_stemmer **stemmer,
                          char **error) noexcept
{
    try {
        if (error != nullptr)
            *error = nullptr;
        xc_require(stemmer, "stemmer");
        *stemmer = nullptr;
        xc_require(language, "language");
        std::unique_ptr<xc_stemmer> h(new xc_stemmer);
        h->stem = Xapian::Stem(language);
        *stemmer = h.release();
        return XC_OK;
    }
    XC_CATCH_ARG(error, language)
}

void
xc_stemmer_destroy(xc_stemmer *stemmer) noexcept
{
    try {
        delete stemmer;
    }
    XC_CATCH_RETURN()
}

const char *
xc_stemmer_last_error(const xc_stemmer *stemmer) noexcept
{
    try {
        return stemmer == nullptr ? "no stemmer" : stemmer->error.c_str();
    }
    XC_CATCH_RETURN("")
}

xc_status
xc_stemmer_stem(xc_stemmer *stemmer, const char *word, size_t len, char **stem,
                size_t *stem_len) noexcept
{
    try {
        xc_require(stem, "stem");
        *stem = nullptr;
        if (stem_len != nullptr)
            *stem_len = 0;
        xc_require(stemmer, "stemmer");
        const std::string s = stemmer->stem(xc_str(word, len));
        *stem = xc_strdup(s);
        if (stem_len != nullptr)
            *stem_len = s.size();
        return XC_OK;
    }
    XC_CATCH(stemmer)
}

/* ------------------------------------------------------------------ */
/* Term generation                                                     */
/* ------------------------------------------------------------------ */

xc_status
xc_termgen_create(xc_termgen **tg, char **error) noexcept
{
    try {
        if (error != nullptr)
            *error = nullptr;
        xc_require(tg, "tg");
        *tg = nullptr;
        *tg = new xc_termgen;
        return XC_OK;
    }
    XC_CATCH(error)
}

void
xc_termgen_destroy(xc_termgen *tg) noexcept
{
    try {
        delete tg;
    }
    XC_CATCH_RETURN()
}

const char *
xc_termgen_last_error(const xc_termgen *tg) noexcept
{
    try {
        return tg == nullptr ? "no term generator" : tg->error.c_str();
    }
    XC_CATCH_RETURN("")
}

xc_status
xc_termgen_set_stemmer(xc_termgen *tg, xc_stemmer *stemmer) noexcept
{
    try {
        xc_require(tg, "tg");
        xc_require(stemmer, "stemmer");
        tg->tg.set_stemmer(stemmer->stem);
        return XC_OK;
    }
    XC_CATCH(tg)
}

/* The enums list the strategies in the same order for both classes. */
static Xapian::TermGenerator::stem_strategy
xc_tg_strategy(xc_stem_strategy s)
{
    switch (s) {
    case XC_STEM_NONE:
        return Xapian::TermGenerator::STEM_NONE;
    case XC_STEM_SOME:
        return Xapian::TermGenerator::STEM_SOME;
    case XC_STEM_ALL:
        return Xapian::TermGenerator::STEM_ALL;
    case XC_STEM_ALL_Z:
        return Xapian::TermGenerator::STEM_ALL_Z;
    case XC_STEM_SOME_FULL_POS:
        return Xapian::TermGenerator::STEM_SOME_FULL_POS;
    }
    throw Xapian::InvalidArgumentError("unknown stemming strategy");
}

xc_status
xc_termgen_set_stemming_strategy(xc_termgen *tg, xc_stem_strategy s) noexcept
{
    try {
        xc_require(tg, "tg");
        tg->tg.set_stemming_strategy(xc_tg_strategy(s));
        return XC_OK;
    }
    XC_CATCH(tg)
}

xc_status
xc_termgen_set_document(xc_termgen *tg, xc_document *doc) noexcept
{
    try {
        xc_require(tg, "tg");
        /* Xapian::Document copies share their contents, so terms added
         * through the generator land in the caller's document. NULL lets
         * go of it: the share is reference counted without atomics, so a
         * document handed to another thread must not stay shared. */
        tg->tg.set_document(doc ? doc->doc : Xapian::Document());
        tg->tg.set_termpos(0);
        return XC_OK;
    }
    XC_CATCH(tg)
}

xc_status
xc_termgen_index_text(xc_termgen *tg, const char *text, size_t len,
                      uint32_t wdf_inc, const char *prefix) noexcept
{
    try {
        xc_require(tg, "tg");
        tg->tg.index_text(xc_str(text, len), wdf_inc, xc_cstr(prefix));
        return XC_OK;
    }
    XC_CATCH(tg)
}

xc_status
xc_termgen_index_text_without_positions(xc_termgen *tg, const char *text,
                                        size_t len, uint32_t wdf_inc,
                                        const char *prefix) noexcept
{
    try {
        xc_require(tg, "tg");
        tg->tg.index_text_without_positions(xc_str(text, len), wdf_inc,
                                            xc_cstr(prefix));
        return XC_OK;
    }
    XC_CATCH(tg)
}

xc_status
xc_termgen_increase_termpos(xc_termgen *tg, xc_termpos delta) noexcept
{
    try {
        xc_require(tg, "tg");
        tg->tg.increase_termpos(delta);
        return XC_OK;
    }
    XC_CATCH(tg)
}

xc_status
xc_termgen_get_termpos(xc_termgen *tg, xc_termpos *pos) noexcept
{
    try {
        xc_require(pos, "pos");
        *pos = 0;
        xc_require(tg, "tg");
        *pos = tg->tg.get_termpos();
        return XC_OK;
    }
    XC_CATCH(tg)
}

/* ------------------------------------------------------------------ */
/* Queries                                                             */
/* ------------------------------------------------------------------ */

static Xapian::Query::op
xc_query_op_map(xc_query_op op)
{
    switch (op) {
    case XC_OP_AND:
        return Xapian::Query::OP_AND;
    case XC_OP_OR:
        return Xapian::Query::OP_OR;
    case XC_OP_AND_NOT:
        return Xapian::Query::OP_AND_NOT;
    case XC_OP_XOR:
        return Xapian::Query::OP_XOR;
    case XC_OP_AND_MAYBE:
        return Xapian::Query::OP_AND_MAYBE;
    case XC_OP_FILTER:
        return Xapian::Query::OP_FILTER;
    case XC_OP_NEAR:
        return Xapian::Query::OP_NEAR;
    case XC_OP_PHRASE:
        return Xapian::Query::OP_PHRASE;
    case XC_OP_SYNONYM:
        return Xapian::Query::OP_SYNONYM;
    case XC_OP_ELITE_SET:
        return Xapian::Query::OP_ELITE_SET;
    }
    throw Xapian::InvalidArgumentError("unknown query operator");
}

xc_status
xc_query_create_term(const char *term, size_t len, uint32_t wqf,
                     xc_query **q) noexcept
{
    try {
        xc_require(q, "q");
        *q = nullptr;
        std::unique_ptr<xc_query> h(new xc_query);
        h->q = Xapian::Query(xc_str(term, len), wqf);
        *q = h.release();
        return XC_OK;
    }
    XC_CATCH(nullptr)
}

xc_status
xc_query_create_combined(xc_query_op op, xc_query *const *subs, size_t n,
                         uint32_t window, xc_query **q) noexcept
{
    try {
        xc_require(q, "q");
        *q = nullptr;
        if (n != 0)
            xc_require(subs, "subs");
        std::vector<Xapian::Query> v;
        v.reserve(n);
        for (size_t i = 0; i < n; i++) {
            xc_require(subs[i], "subquery");
            v.push_back(subs[i]->q);
        }
        std::unique_ptr<xc_query> h(new xc_query);
        h->q = Xapian::Query(xc_query_op_map(op), v.begin(), v.end(), window);
        *q = h.release();
        return XC_OK;
    }
    XC_CATCH(nullptr)
}

xc_status
xc_query_create_scaled(double factor, const xc_query *sub,
                       xc_query **q) noexcept
{
    try {
        xc_require(q, "q");
        *q = nullptr;
        xc_require(sub, "sub");
        std::unique_ptr<xc_query> h(new xc_query);
        h->q = Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, sub->q, factor);
        *q = h.release();
        return XC_OK;
    }
    XC_CATCH(nullptr)
}

xc_status
xc_query_create_value_range(xc_valueno slot, const char *begin,
                            size_t begin_len, const char *end, size_t end_len,
                            xc_query **q) noexcept
{
    try {
        xc_require(q, "q");
        *q = nullptr;
        std::unique_ptr<xc_query> h(new xc_query);
        h->q = Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot,
                             xc_str(begin, begin_len), xc_str(end, end_len));
        *q = h.release();
        return XC_OK;
    }
    XC_CATCH(nullptr)
}

namespace {

/* Documents whose value in one slot is one of a set of keys: a filter
 * that walks the slot's value stream. Local databases only: a remote
 * server cannot unserialise it (name() is empty). */
class ValueSetSource : public Xapian::PostingSource {
    using Keys = std::unordered_set<std::string>;
    Xapian::valueno slot;
    std::shared_ptr<const Keys> keys;
    Xapian::Database db;
    Xapian::ValueIterator it, end;
    bool started = false;

    void settle()
    {
        while (it != end && !keys->count(*it))
            ++it;
    }

  public:
    ValueSetSource(Xapian::valueno slot_, std::shared_ptr<const Keys> keys_)
        : slot(slot_), keys(std::move(keys_)) {}

    ValueSetSource *clone() const override
    {
        return new ValueSetSource(slot, keys);
    }

    void init(const Xapian::Database &db_) override
    {
        db = db_;
        it = db.valuestream_begin(slot);
        end = db.valuestream_end(slot);
        started = false;
    }

    Xapian::doccount get_termfreq_min() const override { return 0; }
    Xapian::doccount get_termfreq_est() const override
    {
        return db.get_value_freq(slot);
    }
    Xapian::doccount get_termfreq_max() const override
    {
        return db.get_value_freq(slot);
    }

    void next(double) override
    {
        if (started && it != end)
            ++it;
        started = true;
        settle();
    }

    void skip_to(Xapian::docid did, double) override
    {
        started = true;
        if (it != end)
            it.skip_to(did); /* stays put when already on did or past it */
        settle();
    }

    /* True only when `did` is known: at the end, or on `did` in the set;
     * otherwise the next next() or skip_to() moves on. */
    bool check(Xapian::docid did, double) override
    {
        started = true;
        if (!it.check(did))
            return false;
        return it == end || keys->count(*it) != 0;
    }

    bool at_end() const override { return started && it == end; }
    Xapian::docid get_docid() const override { return it.get_docid(); }
    std::string get_description() const override
    {
        return "ValueSetSource(" + std::to_string(slot) + ", " +
               std::to_string(keys->size()) + " keys)";
    }
};

} // namespace

xc_status
xc_query_create_value_in(xc_valueno slot, const char *const *keys,
                         const size_t *lens, size_t n, xc_query **q) noexcept
{
    try {
        xc_require(q, "q");
        if (n)
            xc_require(keys, "keys"), xc_require(lens, "lens");
        *q = nullptr;
        auto set = std::make_shared<std::unordered_set<std::string>>();
        set->reserve(n);
        for (size_t i = 0; i < n; i++)
            set->emplace(keys[i], lens[i]);
        std::unique_ptr<xc_query> h(new xc_query);
        h->q = Xapian::Query((new ValueSetSource(slot, std::move(set)))
                                 ->release());
        *q = h.release();
        return XC_OK;
    }
    XC_CATCH(nullptr)
}

xc_status
xc_query_create_match_all(xc_query **q) noexcept
{
    try {
        xc_require(q, "q");
        *q = nullptr;
        std::unique_ptr<xc_query> h(new xc_query);
        h->q = Xapian::Query::MatchAll;
        *q = h.release();
        return XC_OK;
    }
    XC_CATCH(nullptr)
}

void
xc_query_destroy(xc_query *q) noexcept
{
    try {
        delete q;
    }
    XC_CATCH_RETURN()
}

int
xc_query_is_empty(const xc_query *q) noexcept
{
    try {
        return q == nullptr || q->q.empty();
    }
    XC_CATCH_RETURN(1)
}

xc_status
xc_query_terms(const xc_query *q, xc_string_fn fn, void *ctx) noexcept
{
    try {
        xc_require(q, "q");
        xc_walk_strings(q->q.get_unique_terms_begin(),
                        q->q.get_unique_terms_end(), fn, ctx);
        return XC_OK;
    }
    XC_CATCH(nullptr)
}

char *
xc_query_describe(const xc_query *q) noexcept
{
    try {
        if (q == nullptr)
            return nullptr;
        return xc_strdup(q->q.get_description());
    }
    XC_CATCH_RETURN(nullptr)
}

/* ------------------------------------------------------------------ */
/* Query parsing                                                       */
/* ------------------------------------------------------------------ */

xc_status
xc_qparser_create(xc_qparser **qp, char **error) noexcept
{
    try {
        if (error != nullptr)
            *error = nullptr;
        xc_require(qp, "qp");
        *qp = nullptr;
        *qp = new xc_qparser;
        return XC_OK;
    }
    XC_CATCH(error)
}

void
xc_qparser_destroy(xc_qparser *qp) noexcept
{
    try {
        delete qp;
    }
    XC_CATCH_RETURN()
}

const char *
xc_qparser_last_error(const xc_qparser *qp) noexcept
{
    try {
        return qp == nullptr ? "no query parser" : qp->error.c_str();
    }
    XC_CATCH_RETURN("")
}

xc_status
xc_qparser_set_database(xc_qparser *qp, xc_database *db) noexcept
{
    try {
        xc_require(qp, "qp");
        xc_require(db, "db");
        qp->qp.set_database(db->db);
        return XC_OK;
    }
    XC_CATCH(qp)
}

xc_status
xc_qparser_set_stemmer(xc_qparser *qp, xc_stemmer *stemmer) noexcept
{
    try {
        xc_require(qp, "qp");
        xc_require(stemmer, "stemmer");
        qp->qp.set_stemmer(stemmer->stem);
        return XC_OK;
    }
    XC_CATCH(qp)
}

/* The enums list the strategies in the same order for both classes. */
static Xapian::QueryParser::stem_strategy
xc_qp_strategy(xc_stem_strategy s)
{
    switch (s) {
    case XC_STEM_NONE:
        return Xapian::QueryParser::STEM_NONE;
    case XC_STEM_SOME:
        return Xapian::QueryParser::STEM_SOME;
    case XC_STEM_ALL:
        return Xapian::QueryParser::STEM_ALL;
    case XC_STEM_ALL_Z:
        return Xapian::QueryParser::STEM_ALL_Z;
    case XC_STEM_SOME_FULL_POS:
        return Xapian::QueryParser::STEM_SOME_FULL_POS;
    }
    throw Xapian::InvalidArgumentError("unknown stemming strategy");
}

xc_status
xc_qparser_set_stemming_strategy(xc_qparser *qp, xc_stem_strategy s) noexcept
{
    try {
        xc_require(qp, "qp");
        qp->qp.set_stemming_strategy(xc_qp_strategy(s));
        return XC_OK;
    }
    XC_CATCH(qp)
}

xc_status
xc_qparser_set_default_op(xc_qparser *qp, xc_query_op op) noexcept
{
    try {
        xc_require(qp, "qp");
        /* Xapian silently ignores other operators; say so instead. */
        if (op != XC_OP_AND && op != XC_OP_OR && op != XC_OP_NEAR &&
            op != XC_OP_PHRASE && op != XC_OP_ELITE_SET)
            throw Xapian::InvalidArgumentError(
                "the default operator must be AND, OR, NEAR, PHRASE or "
                "ELITE_SET");
        qp->qp.set_default_op(xc_query_op_map(op));
        return XC_OK;
    }
    XC_CATCH(qp)
}

/* The stopper of the last list of stop words set on this thread, shared
 * by the parsers given the same list (a search sets up several; each
 * stopper costs a set insertion per word). Xapian counts its references,
 * non-atomically: hence one per thread. */
namespace {
struct xc_stopper_cache {
    std::vector<std::string> words;
    Xapian::Internal::opt_intrusive_ptr<const Xapian::Stopper> stopper;
};
thread_local xc_stopper_cache xc_last_stopper;

bool
xc_same_words(const std::vector<std::string> &have,
              const char *const *words, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (words[i] == nullptr)
            continue;
        if (k == have.size() || have[k] != words[i])
            return false;
        k++;
    }
    return k == have.size();
}
} // namespace

xc_status
xc_qparser_set_stopwords(xc_qparser *qp, const char *const *words,
                         size_t n) noexcept
{
    try {
        xc_require(qp, "qp");
        if (n != 0)
            xc_require(words, "words");
        xc_stopper_cache &last = xc_last_stopper;
        if (last.stopper.get() == nullptr ||
            !xc_same_words(last.words, words, n)) {
            std::unique_ptr<Xapian::SimpleStopper> stopper(
                new Xapian::SimpleStopper);
            std::vector<std::string> kept;
            for (size_t i = 0; i < n; i++) {
                if (words[i] == nullptr)
                    continue;
                stopper->add(words[i]);
                kept.emplace_back(words[i]);
            }
            /* release() hands the stopper to Xapian's reference counting:
             * it lives as long as the cache or a parser holds it. */
            last.stopper = stopper.release()->release();
            last.words.swap(kept);
        }
        qp->qp.set_stopper(last.stopper.get());
        return XC_OK;
    }
    XC_CATCH(qp)
}

xc_status
xc_qparser_set_max_expansion(xc_qparser *qp, uint32_t max) noexcept
{
    try {
        xc_require(qp, "qp");
        qp->qp.set_max_expansion(max);
        return XC_OK;
    }
    XC_CATCH(qp)
}

namespace {

/* A field whose text C turns into a query. Xapian reference-counts the
 * processor, so the context is destroyed with it. */
class CallbackField : public Xapian::FieldProcessor {
  public:
    CallbackField(xc_field_fn fn, void *ctx, void (*destroy_ctx)(void *))
        : fn_(fn), ctx_(ctx), destroy_ctx_(destroy_ctx)
    {
    }

    ~CallbackField() override
    {
        if (destroy_ctx_ != nullptr)
            destroy_ctx_(ctx_);
    }

    Xapian::Query
    operator()(const std::string &text) override
    {
        xc_query *q = nullptr;
        if (fn_(ctx_, text.data(), text.size(), &q) != 0)
            throw Xapian::QueryParserError("cannot expand '" + text + "'");
        if (q == nullptr)
            return Xapian::Query();
        Xapian::Query result = q->q;
        delete q;
        return result;
    }

  private:
    xc_field_fn fn_;
    void *ctx_;
    void (*destroy_ctx_)(void *);
};

}

xc_status
xc_qparser_add_field_callback(xc_qparser *qp, const char *field,
                              xc_field_fn fn, void *ctx,
                              void (*destroy_ctx)(void *)) noexcept
{
    try {
        xc_require(qp, "qp");
        xc_require(field, "field");
        xc_require_fn(fn);
        auto *proc = new CallbackField(fn, ctx, destroy_ctx);
        qp->qp.add_prefix(field, proc->release());
        return XC_OK;
    }
    XC_CATCH(qp)
}

xc_status
xc_qparser_add_prefix(xc_qparser *qp, const char *field,
                      const char *prefix) noexcept
{
    try {
        xc_require(qp, "qp");
        xc_require(field, "field");
        qp->qp.add_prefix(field, xc_cstr(prefix));
        return XC_OK;
    }
    XC_CATCH(qp)
}

xc_status
xc_qparser_add_boolean_prefix(xc_qparser *qp, const char *field,
                              const char *prefix) noexcept
{
    try {
        xc_require(qp, "qp");
        xc_require(field, "field");
        qp->qp.add_boolean_prefix(field, xc_cstr(prefix));
        return XC_OK;
    }
    XC_CATCH(qp)
}

/* "field:" as a range processor prefix; no field means bare A..B. */
static std::string
xc_range_prefix(const char *field)
{
    if (field == nullptr || *field == '\0')
        return std::string();
    return std::string(field) + ":";
}

xc_status
xc_qparser_add_date_range(xc_qparser *qp, xc_valueno slot,
                          const char *field) noexcept
{
    try {
        xc_require(qp, "qp");
        /* The processor is reference-counted by the parser once released. */
        std::unique_ptr<Xapian::RangeProcessor> rp(
            new Xapian::DateRangeProcessor(slot, xc_range_prefix(field)));
        qp->qp.add_rangeprocessor(rp.release()->release());
        return XC_OK;
    }
    XC_CATCH(qp)
}

xc_status
xc_qparser_add_number_range(xc_qparser *qp, xc_valueno slot,
                            const char *field) noexcept
{
    try {
        xc_require(qp, "qp");
        std::unique_ptr<Xapian::RangeProcessor> rp(
            new Xapian::NumberRangeProcessor(slot, xc_range_prefix(field)));
        qp->qp.add_rangeprocessor(rp.release()->release());
        return XC_OK;
    }
    XC_CATCH(qp)
}

xc_status
xc_qparser_parse(xc_qparser *qp, const char *text, unsigned flags,
                 const char *default_prefix, xc_query **q) noexcept
{
    try {
        xc_require(q, "q");
        *q = nullptr;
        xc_require(qp, "qp");
        xc_require(text, "text");
        std::unique_ptr<xc_query> h(new xc_query);
        h->q = qp->qp.parse_query(text, flags, xc_cstr(default_prefix));
        *q = h.release();
        return XC_OK;
    }
    XC_CATCH(qp)
}

xc_status
xc_qparser_stoplist(xc_qparser *qp, xc_string_fn fn, void *ctx) noexcept
{
    try {
        xc_require(qp, "qp");
        xc_walk_strings(qp->qp.stoplist_begin(), qp->qp.stoplist_end(), fn,
                        ctx);
        return XC_OK;
    }
    XC_CATCH(qp)
}

/* ------------------------------------------------------------------ */
/* Match spies                                                         */
/* ------------------------------------------------------------------ */

namespace {

/* A match spy written in C. The document is lent to the callback inside
 * a stack xc_document, which shares the Xapian::Document's contents. */
class CallbackSpy : public Xapian::MatchSpy {
  public:
    CallbackSpy(xc_spy_fn fn, void *ctx) noexcept : fn_(fn), ctx_(ctx) {}

    void
    operator()(const Xapian::Document &doc, double wt) override
    {
        xc_document borrowed;
        borrowed.doc = doc;
        fn_(ctx_, &borrowed, wt);
    }

    Xapian::MatchSpy *
    clone() const override
    {
        return new CallbackSpy(fn_, ctx_);
    }

    std::string
    get_description() const override
    {
        return "CallbackSpy()";
    }

  private:
    xc_spy_fn fn_;
    void *ctx_;
};

}

xc_status
xc_matchspy_create_callback(xc_spy_fn fn, void *ctx, xc_matchspy **spy,
                            char **error) noexcept
{
    try {
        if (error != nullptr)
            *error = nullptr;
        xc_require(spy, "spy");
        *spy = nullptr;
        xc_require_fn(fn);
        std::unique_ptr<xc_matchspy> h(new xc_matchspy);
        h->spy.reset(new CallbackSpy(fn, ctx));
        *spy = h.release();
        return XC_OK;
    }
    XC_CATCH(error)
}

xc_status
xc_matchspy_create_valuecount(xc_valueno slot, xc_matchspy **spy,
                              char **error) noexcept
{
    try {
        if (error != nullptr)
            *error = nullptr;
        xc_require(spy, "spy");
        *spy = nullptr;
        std::unique_ptr<xc_matchspy> h(new xc_matchspy);
        h->valuecount = new Xapian::ValueCountMatchSpy(slot);
        h->spy.reset(h->valuecount);
        *spy = h.release();
        return XC_OK;
    }
    XC_CATCH(error)
}

void
xc_matchspy_destroy(xc_matchspy *spy) noexcept
{
    try {
        delete spy;
    }
    XC_CATCH_RETURN()
}

const char *
xc_matchspy_last_error(const xc_matchspy *spy) noexcept
{
    try {
        return spy == nullptr ? "no match spy" : spy->error.c_str();
    }
    XC_CATCH_RETURN("")
}

/* Only value-count spies keep results that C can read back. */
static Xapian::ValueCountMatchSpy &
xc_valuecount(xc_matchspy *spy)
{
    xc_require(spy, "spy");
    if (spy->valuecount == nullptr)
        throw Xapian::InvalidOperationError("not a value-count match spy");
    return *spy->valuecount;
}

xc_status
xc_matchspy_total(xc_matchspy *spy, uint32_t *total) noexcept
{
    try {
        xc_require(total, "total");
        *total = 0;
        *total = static_cast<uint32_t>(xc_valuecount(spy).get_total());
        return XC_OK;
    }
    XC_CATCH(spy)
}

xc_status
xc_matchspy_values(xc_matchspy *spy, uint32_t max, xc_term_freq_fn fn,
                   void *ctx) noexcept
{
    try {
        Xapian::ValueCountMatchSpy &vc = xc_valuecount(spy);
        xc_require_fn(fn);
        /* top_values_begin() reserves room for `max` entries, so "all"
         * must be the real number of distinct values, not UINT32_MAX. */
        size_t limit = max;
        if (limit == 0)
            limit = static_cast<size_t>(
                std::distance(vc.values_begin(), vc.values_end()));
        const Xapian::TermIterator end = vc.top_values_end(limit);
        for (auto it = vc.top_values_begin(limit); it != end; ++it) {
            const std::string value = *it;
            if (fn(ctx, value.data(), value.size(), it.get_termfreq()) != 0)
                break;
        }
        return XC_OK;
    }
    XC_CATCH(spy)
}

/* ------------------------------------------------------------------ */
/* Searching                                                           */
/* ------------------------------------------------------------------ */

xc_status
xc_enquire_create(xc_database *db, xc_enquire **enq, char **error) noexcept
{
    try {
        if (error != nullptr)
            *error = nullptr;
        xc_require(enq, "enq");
        *enq = nullptr;
        xc_require(db, "db");
        *enq = new xc_enquire(db->db);
        return XC_OK;
    }
    XC_CATCH(error)
}

void
xc_enquire_destroy(xc_enquire *enq) noexcept
{
    try {
        delete enq;
    }
    XC_CATCH_RETURN()
}

const char *
xc_enquire_last_error(const xc_enquire *enq) noexcept
{
    try {
        return enq == nullptr ? "no enquire" : enq->error.c_str();
    }
    XC_CATCH_RETURN("")
}

xc_status
xc_enquire_set_query(xc_enquire *enq, const xc_query *q,
                     uint32_t query_length) noexcept
{
    try {
        xc_require(enq, "enq");
        xc_require(q, "q");
        enq->enq.set_query(q->q, query_length);
        return XC_OK;
    }
    XC_CATCH(enq)
}

xc_status
xc_enquire_set_weighting_bm25(xc_enquire *enq, double k1, double k2, double k3,
                              double b, double min_normlen) noexcept
{
    try {
        xc_require(enq, "enq");
        enq->enq.set_weighting_scheme(
            Xapian::BM25Weight(k1, k2, k3, b, min_normlen));
        return XC_OK;
    }
    XC_CATCH(enq)
}

xc_status
xc_enquire_set_weighting_bool(xc_enquire *enq) noexcept
{
    try {
        xc_require(enq, "enq");
        enq->enq.set_weighting_scheme(Xapian::BoolWeight());
        return XC_OK;
    }
    XC_CATCH(enq)
}

/* Set weighting scheme `w` on `enq`. Xapian checks parameters when the
 * scheme is built (InvalidArgumentError), which XC_CATCH maps. */
#define XC_SET_WEIGHTING(enq, w)                                          \
    try {                                                                 \
        xc_require(enq, "enq");                                           \
        enq->enq.set_weighting_scheme(w);                                 \
        return XC_OK;                                                     \
    }                                                                     \
    XC_CATCH(enq)

xc_status
xc_enquire_set_weighting_bm25plus(xc_enquire *enq, double k1, double k2,
                                  double k3, double b, double min_normlen,
                                  double delta) noexcept
{
    XC_SET_WEIGHTING(enq, Xapian::BM25PlusWeight(k1, k2, k3, b, min_normlen,
                                                 delta))
}

xc_status
xc_enquire_set_weighting_pl2(xc_enquire *enq, double c) noexcept
{
    XC_SET_WEIGHTING(enq, Xapian::PL2Weight(c))
}

xc_status
xc_enquire_set_weighting_pl2plus(xc_enquire *enq, double c,
                                 double delta) noexcept
{
    XC_SET_WEIGHTING(enq, Xapian::PL2PlusWeight(c, delta))
}

xc_status
xc_enquire_set_weighting_dph(xc_enquire *enq) noexcept
{
    XC_SET_WEIGHTING(enq, Xapian::DPHWeight())
}

xc_status
xc_enquire_set_weighting_dlh(xc_enquire *enq) noexcept
{
    XC_SET_WEIGHTING(enq, Xapian::DLHWeight())
}

xc_status
xc_enquire_set_weighting_inl2(xc_enquire *enq, double c) noexcept
{
    XC_SET_WEIGHTING(enq, Xapian::InL2Weight(c))
}

xc_status
xc_enquire_set_weighting_ifb2(xc_enquire *enq, double c) noexcept
{
    XC_SET_WEIGHTING(enq, Xapian::IfB2Weight(c))
}

xc_status
xc_enquire_set_weighting_ineb2(xc_enquire *enq, double c) noexcept
{
    XC_SET_WEIGHTING(enq, Xapian::IneB2Weight(c))
}

xc_status
xc_enquire_set_weighting_bb2(xc_enquire *enq, double c) noexcept
{
    XC_SET_WEIGHTING(enq, Xapian::BB2Weight(c))
}

xc_status
xc_enquire_set_weighting_tfidf(xc_enquire *enq,
                               const char *normalisation) noexcept
{
    try {
        xc_require(enq, "enq");
        xc_require(normalisation, "normalisation");
        enq->enq.set_weighting_scheme(Xapian::TfIdfWeight(normalisation));
        return XC_OK;
    }
    XC_CATCH(enq)
}

xc_status
xc_enquire_set_weighting_lm(xc_enquire *enq, double param_log,
                            int select_smoothing, double param_smoothing1,
                            double param_smoothing2) noexcept
{
    typedef Xapian::LMWeight::type_smoothing smoothing;
    try {
        xc_require(enq, "enq");
        if (select_smoothing < 1 || select_smoothing > 5)
            throw Xapian::InvalidArgumentError("select_smoothing: 1 to 5");
        enq->enq.set_weighting_scheme(Xapian::LMWeight(
            param_log, smoothing(select_smoothing), param_smoothing1,
            param_smoothing2));
        return XC_OK;
    }
    XC_CATCH(enq)
}

#undef XC_SET_WEIGHTING

xc_status
xc_enquire_set_collapse_key(xc_enquire *enq, xc_valueno slot,
                            uint32_t collapse_max) noexcept
{
    try {
        xc_require(enq, "enq");
        enq->enq.set_collapse_key(slot, collapse_max);
        return XC_OK;
    }
    XC_CATCH(enq)
}

xc_status
xc_enquire_set_sort_by_value(xc_enquire *enq, xc_valueno slot,
                             int reverse) noexcept
{
    try {
        xc_require(enq, "enq");
        enq->enq.set_sort_by_value(slot, reverse != 0);
        return XC_OK;
    }
    XC_CATCH(enq)
}

xc_status
xc_enquire_set_sort_by_value_then_relevance(xc_enquire *enq, xc_valueno slot,
                                            int reverse) noexcept
{
    try {
        xc_require(enq, "enq");
        enq->enq.set_sort_by_value_then_relevance(slot, reverse != 0);
        return XC_OK;
    }
    XC_CATCH(enq)
}

xc_status
xc_enquire_add_matchspy(xc_enquire *enq, xc_matchspy *spy) noexcept
{
    try {
        xc_require(enq, "enq");
        xc_require(spy, "spy");
        /* Not released: the handle owns the spy, and the header makes the
         * caller keep it alive as long as the enquire. */
        enq->enq.add_matchspy(spy->spy.get());
        return XC_OK;
    }
    XC_CATCH(enq)
}

xc_status
xc_enquire_clear_matchspies(xc_enquire *enq) noexcept
{
    try {
        xc_require(enq, "enq");
        enq->enq.clear_matchspies();
        return XC_OK;
    }
    XC_CATCH(enq)
}

xc_status
xc_enquire_get_mset(xc_enquire *enq, uint32_t first, uint32_t maxitems,
                    uint32_t checkatleast, xc_mset **mset) noexcept
{
    try {
        xc_require(mset, "mset");
        *mset = nullptr;
        xc_require(enq, "enq");
        std::unique_ptr<xc_mset> h(new xc_mset);
        h->mset = enq->enq.get_mset(first, maxitems, checkatleast);
        *mset = h.release();
        return XC_OK;
    }
    XC_CATCH(enq)
}

xc_status
xc_enquire_matching_terms(xc_enquire *enq, xc_docid docid, xc_string_fn fn,
                          void *ctx) noexcept
{
    try {
        xc_require(enq, "enq");
        xc_walk_strings(enq->enq.get_matching_terms_begin(docid),
                        enq->enq.get_matching_terms_end(docid), fn, ctx);
        return XC_OK;
    }
    XC_CATCH(enq)
}

/* `weight` as a share of `top` in [0, 1000]; odd weights (negative, NaN,
 * or a zero top) clamp to 0 rather than wrap around in the cast. */
static uint32_t
xc_permille(double weight, double top)
{
    const double permille = weight / top * 1000.0;
    if (!(top > 0.0) || !std::isfinite(permille) || permille <= 0.0)
        return 0;
    if (permille >= 1000.0)
        return 1000;
    return static_cast<uint32_t>(std::lround(permille));
}

xc_status
xc_enquire_get_eset(xc_enquire *enq, const xc_docid *docids, size_t n,
                    uint32_t maxterms, xc_term_freq_fn fn, void *ctx) noexcept
{
    try {
        xc_require(enq, "enq");
        xc_require_fn(fn);
        if (n != 0)
            xc_require(docids, "docids");
        Xapian::RSet rset;
        for (size_t i = 0; i < n; i++)
            rset.add_document(docids[i]);
        const Xapian::ESet eset = enq->enq.get_eset(maxterms, rset);
        /* The ESet is sorted by weight, so the first is the top weight. */
        const double top = eset.empty() ? 0.0 : eset.begin().get_weight();
        for (auto it = eset.begin(); it != eset.end(); ++it) {
            const std::string term = *it;
            if (fn(ctx, term.data(), term.size(),
                   xc_permille(it.get_weight(), top)) != 0)
                break;
        }
        return XC_OK;
    }
    XC_CATCH(enq)
}

/* ------------------------------------------------------------------ */
/* Results                                                             */
/* ------------------------------------------------------------------ */

void
xc_mset_destroy(xc_mset *mset) noexcept
{
    try {
        delete mset;
    }
    XC_CATCH_RETURN()
}

const char *
xc_mset_last_error(const xc_mset *mset) noexcept
{
    try {
        return mset == nullptr ? "no result set" : mset->error.c_str();
    }
    XC_CATCH_RETURN("")
}

uint32_t
xc_mset_size(const xc_mset *mset) noexcept
{
    try {
        return mset == nullptr ? 0 : mset->mset.size();
    }
    XC_CATCH_RETURN(0)
}

xc_status
xc_mset_matches(const xc_mset *mset, uint32_t *estimated, uint32_t *lower,
                uint32_t *upper) noexcept
{
    try {
        /* Each count is optional: pass NULL for the ones not wanted. */
        if (estimated != nullptr)
            *estimated = 0;
        if (lower != nullptr)
            *lower = 0;
        if (upper != nullptr)
            *upper = 0;
        xc_require(mset, "mset");
        if (estimated != nullptr)
            *estimated = mset->mset.get_matches_estimated();
        if (lower != nullptr)
            *lower = mset->mset.get_matches_lower_bound();
        if (upper != nullptr)
            *upper = mset->mset.get_matches_upper_bound();
        return XC_OK;
    }
    XC_CATCH(nullptr)
}

/* Item i of the set, or an InvalidArgumentError when out of range. */
static Xapian::MSetIterator
xc_mset_at(xc_mset *mset, uint32_t i)
{
    xc_require(mset, "mset");
    if (i >= mset->mset.size())
        throw Xapian::InvalidArgumentError("result index out of range");
    return mset->mset[i];
}

xc_status
xc_mset_get(xc_mset *mset, uint32_t i, xc_mset_item *item) noexcept
{
    try {
        xc_require(item, "item");
        *item = xc_mset_item{};
        const Xapian::MSetIterator it = xc_mset_at(mset, i);
        item->docid = *it;
        item->weight = it.get_weight();
        item->rank = it.get_rank();
        item->collapse_count = it.get_collapse_count();
        return XC_OK;
    }
    XC_CATCH(mset)
}

xc_status
xc_mset_collapse_key(xc_mset *mset, uint32_t i, const char **key,
                     size_t *len) noexcept
{
    try {
        xc_require(key, "key");
        *key = nullptr;
        if (len != nullptr)
            *len = 0;
        const Xapian::MSetIterator it = xc_mset_at(mset, i);
        mset->key = it.get_collapse_key();
        *key = mset->key.c_str();
        if (len != nullptr)
            *len = mset->key.size();
        return XC_OK;
    }
    XC_CATCH(mset)
}

xc_status
xc_mset_get_document(xc_mset *mset, uint32_t i, xc_document **doc) noexcept
{
    try {
        xc_require(doc, "doc");
        *doc = nullptr;
        const Xapian::MSetIterator it = xc_mset_at(mset, i);
        std::unique_ptr<xc_document> h(new xc_document);
        h->doc = it.get_document();
        *doc = h.release();
        return XC_OK;
    }
    XC_CATCH(mset)
}

xc_status
xc_mset_fetch(xc_mset *mset) noexcept
{
    try {
        xc_require(mset, "mset");
        /* Not MSet::fetch(): in Xapian 1.4.22 it passes index 0 where
         * ranks are expected and crashes when the set starts past rank 0. */
        if (!mset->mset.empty())
            mset->mset.fetch(mset->mset.begin(), mset->mset.end());
        return XC_OK;
    }
    XC_CATCH(mset)
}
