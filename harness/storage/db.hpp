// A small RAII layer over sqlite3: one Database connection (WAL, synchronous=FULL, foreign keys, 10 s busy timeout;
// or read-only, for databases qeval must never modify), prepared Statements with bind/step/column helpers, and
// ImmediateTransaction (BEGIN IMMEDIATE, COMMIT, ROLLBACK on unwind). Every failure throws
// qeval::Error(ErrorCode::storage) naming the database file and SQLite's message.
// One connection belongs to one thread at a time; open one Database per thread or process.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace qeval::harness {

class Database;

class Statement {
public:
    Statement(const Database& db, sqlite3_stmt* stmt) : db_(&db), stmt_(stmt) {}
    ~Statement();
    Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
    Statement& operator=(Statement&&) = delete;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Parameters are 1-based, as in SQLite. Text is copied (SQLITE_TRANSIENT).
    Statement& bind_int(int index, std::int64_t value);
    Statement& bind_real(int index, double value);
    Statement& bind_text(int index, std::string_view value);
    // Not copied (SQLITE_STATIC): the text must stay valid and unchanged until the statement is reset.
    Statement& bind_text_static(int index, std::string_view value);
    Statement& bind_null(int index);

    bool step();         // true: a row is ready; false: done
    void reset();        // ready to step again; keeps no bindings
    int changes() const; // rows changed by the last completed INSERT/UPDATE/DELETE on this connection

    // Columns are 0-based. NULL reads as 0, 0.0 or "".
    bool is_null(int col) const;
    std::int64_t column_int(int col) const;
    double column_real(int col) const;
    std::string column_text(int col) const;

private:
    const Database* db_;
    sqlite3_stmt* stmt_;
};

enum class OpenMode {
    read_write, // created when absent; switched to WAL, synchronous=FULL, foreign keys on
    read_only,  // must exist; never written, not even -wal/-shm side files when no write-ahead log is pending
                // (then it is opened immutable: for a database no process is writing, such as a finished shard)
};

class Database {
public:
    // Opens and configures the connection; a file that is not an SQLite database is refused.
    explicit Database(const std::filesystem::path& path, OpenMode mode = OpenMode::read_write);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    void exec(std::string_view sql); // one or more statements, no results
    Statement prepare(std::string_view sql);
    std::int64_t query_int(std::string_view sql); // the first column of the first row (0 when no row)

    int user_version();
    std::int64_t last_insert_rowid() const;
    const std::filesystem::path& path() const { return path_; }

    // Throws Error(storage): "<file>: <what>: <sqlite message>".
    [[noreturn]] void fail(std::string_view what) const;

private:
    std::filesystem::path path_;
    sqlite3* db_ = nullptr;
    friend class Statement;
};

// BEGIN IMMEDIATE on construction (takes the write lock, waiting up to the busy timeout); commit() makes the writes
// durable; destruction without commit() rolls back.
class ImmediateTransaction {
public:
    explicit ImmediateTransaction(Database& db);
    ~ImmediateTransaction();
    ImmediateTransaction(const ImmediateTransaction&) = delete;
    ImmediateTransaction& operator=(const ImmediateTransaction&) = delete;
    void commit();

private:
    Database& db_;
    bool open_ = true;
};

} // namespace qeval::harness
