// Test helpers (see test_util.hpp).
#include "test_util.hpp"

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <nlohmann/json.hpp>

extern char** environ;

namespace qeval::test {
namespace fs = std::filesystem;

std::optional<fs::path> real_data_dir() {
    const char* v = std::getenv("QEVAL_DATA_DIR");
    if (!v || !*v || !fs::is_directory(v)) return std::nullopt;
    return fs::path(v);
}

TempDir::TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("qeval-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

void write_text(const fs::path& path, const std::string& text) {
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

void write_gzip(const fs::path& path, const std::string& text) {
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    gzFile gz = gzopen(path.c_str(), "wb9");
    if (!gz) throw std::runtime_error("cannot write " + path.string());
    gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
    gzclose(gz);
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

ProcessResult run_qeval(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
    std::vector<std::string> argv{QEVAL_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, env);
}

ProcessResult run_process(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
    TempDir tmp;
    fs::path out = tmp / "stdout", err = tmp / "stderr";
    std::vector<std::string> argv_s = args;
    std::vector<char*> argv;
    for (auto& a : argv_s)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    std::vector<std::string> env_s;
    for (char** e = environ; *e; ++e) {
        std::string kv(*e);
        std::string key = kv.substr(0, kv.find('='));
        if (!env.count(key)) env_s.push_back(kv);
    }
    for (const auto& [k, v] : env)
        if (!v.empty()) env_s.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : env_s)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot start " + args.at(0));
    int status = 0;
    waitpid(pid, &status, 0);
    ProcessResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    r.out = read_text(out);
    r.err = read_text(err);
    return r;
}

std::filesystem::path write_made_up_math500(const TempDir& tmp, int problems) {
    std::string text;
    for (int i = 0; i < problems; ++i)
        text += nlohmann::json{{"unique_id", "made-up/" + std::to_string(i) + ".json"},
                               {"problem", "Compute $" + std::to_string(i) + " + 7$."},
                               {"solution", "It is $\\boxed{" + std::to_string(i + 7) + "}$."},
                               {"answer", std::to_string(i + 7)},
                               {"subject", "Prealgebra"},
                               {"level", 1 + i % 5}}
                    .dump() +
                "\n";
    write_text(tmp / "data/math500/test.jsonl", text);
    return tmp / "data";
}

} // namespace qeval::test
