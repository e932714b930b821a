// Helpers shared by the tests: the real data dir ($QEVAL_DATA_DIR, skipped with a printed reason when unset),
// temporary directories, writing plain and gzip files, and running the qeval binary as a child process.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace qeval::test {

// $QEVAL_DATA_DIR when it is set and exists.
std::optional<std::filesystem::path> real_data_dir();

// In a TEST_CASE: `QEVAL_NEED_DATA(dir);` declares `dir` or prints why the test is skipped and returns.
#define QEVAL_NEED_DATA(var)                                                                                           \
    auto var##_opt = ::qeval::test::real_data_dir();                                                                   \
    if (!var##_opt) {                                                                                                  \
        WARN("SKIPPED: QEVAL_DATA_DIR is not set (or missing); this test reads the real data sets");                   \
        return;                                                                                                        \
    }                                                                                                                  \
    const std::filesystem::path var = *var##_opt

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& rel) const { return path_ / rel; }

private:
    std::filesystem::path path_;
};

void write_text(const std::filesystem::path& path, const std::string& text);
// A made-up MATH-500-shaped data set under tmp/data (problem i asks for i + 7; written by the tests, not benchmark
// text); returns the data dir.
std::filesystem::path write_made_up_math500(const TempDir& tmp, int problems);
void write_gzip(const std::filesystem::path& path, const std::string& text);
std::string read_text(const std::filesystem::path& path);

struct ProcessResult {
    int exit_code = -1; // -signal when killed
    std::string out, err;
};

// Runs the program `argv[0]` (an absolute path) with `argv`; `env` entries are added to the environment (an empty
// value unsets the variable). stdin is /dev/null.
ProcessResult run_process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {});

// Runs the qeval binary built with the tests (QEVAL_BINARY) with `args`, as run_process.
ProcessResult run_qeval(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {});

} // namespace qeval::test
