// The sqlite3 RAII layer: connection setup (WAL, synchronous=FULL, foreign keys, busy timeout; or read-only),
// statements and IMMEDIATE transactions. Every SQLite failure becomes Error(storage) naming the database file and
// SQLite's message.
#include "harness/storage/db.hpp"

#include <sqlite3.h>

#include "core/error.hpp"

namespace qeval::harness {

namespace {
constexpr int kBusyTimeoutMs = 10'000;

// True when no write-ahead log with content sits beside the database: every committed write is in the main file.
bool no_pending_wal(const std::filesystem::path& path) {
    std::error_code ec;
    auto size = std::filesystem::file_size(path.string() + "-wal", ec);
    return ec || size == 0;
}

// "file:<path>?immutable=1" (https://www.sqlite.org/uri.html): no locks, no -wal/-shm files. Only for a database no
// process is writing, which a merge input is.
std::string immutable_uri(const std::filesystem::path& path) {
    std::string uri = "file:";
    for (char c : std::filesystem::absolute(path).string()) {
        if (c == '%' || c == '?' || c == '#') {
            constexpr char kHex[] = "0123456789abcdef";
            uri += '%';
            uri += kHex[(static_cast<unsigned char>(c) >> 4) & 0xf];
            uri += kHex[static_cast<unsigned char>(c) & 0xf];
        } else {
            uri += c;
        }
    }
    return uri + "?immutable=1";
}
} // namespace

// ---- Statement --------------------------------------------------------------------------------------------------

Statement::~Statement() {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Statement& Statement::bind_int(int index, std::int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) db_->fail("binding parameter " + std::to_string(index));
    return *this;
}

Statement& Statement::bind_real(int index, double value) {
    if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) db_->fail("binding parameter " + std::to_string(index));
    return *this;
}

Statement& Statement::bind_text(int index, std::string_view value) {
    int rc = sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (rc != SQLITE_OK) db_->fail("binding parameter " + std::to_string(index));
    return *this;
}

Statement& Statement::bind_text_static(int index, std::string_view value) {
    int rc = sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8);
    if (rc != SQLITE_OK) db_->fail("binding parameter " + std::to_string(index));
    return *this;
}

Statement& Statement::bind_null(int index) {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) db_->fail("binding parameter " + std::to_string(index));
    return *this;
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    std::string sql = sqlite3_sql(stmt_) != nullptr ? sqlite3_sql(stmt_) : "";
    sqlite3_reset(stmt_);
    db_->fail("executing \"" + sql.substr(0, 80) + "\"");
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

int Statement::changes() const {
    return sqlite3_changes(sqlite3_db_handle(stmt_));
}

bool Statement::is_null(int col) const {
    return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

std::int64_t Statement::column_int(int col) const {
    return sqlite3_column_int64(stmt_, col);
}

double Statement::column_real(int col) const {
    return sqlite3_column_double(stmt_, col);
}

std::string Statement::column_text(int col) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    if (text == nullptr) return {};
    return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

// ---- Database ---------------------------------------------------------------------------------------------------

Database::Database(const std::filesystem::path& path, OpenMode mode) : path_(path) {
    const bool read_only = mode == OpenMode::read_only;
    int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    std::string name = path.string();
    if (read_only && no_pending_wal(path)) { // nothing outside the main file: read it as immutable, create no files
        name = immutable_uri(path);
        flags |= SQLITE_OPEN_URI;
    }
    int rc = sqlite3_open_v2(name.c_str(), &db_, flags, nullptr);
    try {
        if (rc != SQLITE_OK) fail(read_only ? "cannot open the database for reading" : "cannot open the database");
        sqlite3_extended_result_codes(db_, 1);
        sqlite3_busy_timeout(db_, kBusyTimeoutMs);
        if (read_only) {
            query_int("PRAGMA schema_version"); // reads the header now: "not a database" surfaces here
            return;
        }
        Statement mode_stmt = prepare("PRAGMA journal_mode=WAL");
        std::string got = mode_stmt.step() ? mode_stmt.column_text(0) : "";
        QEVAL_CHECK(got == "wal", ErrorCode::storage,
                    path_.string() + ": cannot switch the database to WAL mode (journal_mode is '" + got + "')");
        exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
    } catch (...) {
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw;
    }
}

Database::~Database() {
    if (db_ != nullptr) sqlite3_close_v2(db_);
}

void Database::fail(std::string_view what) const {
    std::string message = path_.string() + ": ";
    int code = db_ != nullptr ? sqlite3_errcode(db_) & 0xff : SQLITE_CANTOPEN;
    if (code == SQLITE_NOTADB)
        message += "not an SQLite database (or encrypted, or its header is damaged): ";
    else if (code == SQLITE_CORRUPT)
        message += "the database is corrupt (" + std::string(what) + "): ";
    else
        message += std::string(what) + ": ";
    message += db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    throw Error(ErrorCode::storage, std::move(message));
}

void Database::exec(std::string_view sql) {
    std::string text(sql);
    char* err = nullptr;
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) == SQLITE_OK) return;
    sqlite3_free(err); // the same text is still in sqlite3_errmsg
    fail("executing \"" + text.substr(0, 80) + "\"");
}

Statement Database::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
        fail("preparing \"" + std::string(sql.substr(0, 80)) + "\"");
    }
    return Statement(*this, stmt);
}

std::int64_t Database::query_int(std::string_view sql) {
    Statement stmt = prepare(sql);
    return stmt.step() ? stmt.column_int(0) : 0;
}

int Database::user_version() {
    return static_cast<int>(query_int("PRAGMA user_version"));
}

std::int64_t Database::last_insert_rowid() const {
    return sqlite3_last_insert_rowid(db_);
}

// ---- ImmediateTransaction ---------------------------------------------------------------------------------------

ImmediateTransaction::ImmediateTransaction(Database& db) : db_(db) {
    db_.exec("BEGIN IMMEDIATE");
}

ImmediateTransaction::~ImmediateTransaction() {
    if (!open_) return;
    try {
        db_.exec("ROLLBACK");
    } catch (...) { // nothing useful to do while unwinding: SQLite rolls back on close as well
    }
}

void ImmediateTransaction::commit() {
    QEVAL_ASSERT(open_, "commit() called twice");
    db_.exec("COMMIT");
    open_ = false;
}

} // namespace qeval::harness
