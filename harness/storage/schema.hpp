// The run database schema: forward-only migrations, one SQL script per version, applied in order inside one
// IMMEDIATE transaction that also sets PRAGMA user_version. A database newer than this build is refused.
#pragma once

#include <string>

#include "harness/storage/db.hpp"

namespace qeval::harness {

// The schema version this build writes (the number of migrations).
int schema_version();

// Brings `db` up to schema_version(); a no-op when it is already there. Returns the version found before.
// Throws Error(storage) when the database's user_version is newer than this build knows.
int migrate(Database& db);

// The one statement that writes a sample row (17 parameters, in the columns' order): a new (run, problem, sample)
// is inserted; an existing one is replaced only when it holds a failed request (error <> '') and `also_when` holds
// (SQL over `excluded`, e.g. "excluded.error = ''"), with attempts adding up. A stored response is never replaced.
std::string upsert_sample_sql(const std::string& also_when = "1");

} // namespace qeval::harness
