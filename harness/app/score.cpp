// score_stream (see score.hpp). The dataset is loaded only when a line needs it (a line without "gold"), so
// responses carrying their own gold grade without any data dir.
#include "harness/app/score.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <ostream>
#include <sstream>
#include <thread>

#include "core/data/file.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "tasks/task_list.hpp"

namespace qeval::harness {
namespace {

using core::Json;

struct LineResult {
    Json id;
    core::Score score;
};

LineResult error_line(Json id, std::string why) {
    core::Score s;
    s.verdict = core::Verdict::error;
    s.stage = "data";
    s.explanation = std::move(why);
    return {std::move(id), std::move(s)};
}

class Grader {
public:
    explicit Grader(const ScoreOptions& o) : options_(o), task_(tasks::find_task(o.task)) {}

    LineResult grade(const std::string& line, std::size_t line_no) {
        std::string where = "line " + std::to_string(line_no);
        Json row = Json::parse(line, nullptr, false);
        if (row.is_discarded() || !row.is_object()) return error_line(nullptr, where + ": not a JSON object");
        Json id = row.contains("id") ? row["id"] : Json();
        if (!id.is_string() && !id.is_number_integer())
            return error_line(id, where + ": \"id\" must be a string or integer");
        std::string key = id.is_string() ? id.get<std::string>() : id.dump();
        auto resp = row.find("response");
        if (resp == row.end() || !resp->is_string()) return error_line(id, where + ": \"response\" must be a string");
        const std::string& response = resp->get_ref<const std::string&>();
        auto gold = row.find("gold");
        const tasks::Sample* known = find(key, /*required=*/gold == row.end());
        if (gold == row.end()) {
            if (!known) return error_line(id, where + ": unknown id \"" + key + "\" for task " + task_.name);
            return {id, tasks::score_response(task_, response, *known)};
        }
        if (!task_.set_gold) return error_line(id, where + ": task " + task_.name + " does not take a \"gold\"");
        tasks::Sample sample;
        if (known)
            sample = *known;
        else
            sample.id = key;
        if (std::string why = task_.set_gold(sample, *gold); !why.empty()) return error_line(id, where + ": " + why);
        return {id, tasks::score_response(task_, response, sample)};
    }

private:
    // The dataset's sample; when the line brings its own gold the data set is optional (used when present).
    const tasks::Sample* find(const std::string& id, bool required) {
        std::lock_guard lock(load_); // graded from several threads (--jobs): the data set loads once
        if (!dataset_) {
            if (!required && !data_present()) return nullptr;
            dataset_ = task_.load({options_.data_dir, options_.seed, options_.params});
        }
        return dataset_->find(id);
    }
    bool data_present() {
        if (!present_) present_ = task_.locate(options_.data_dir).missing.empty();
        return *present_;
    }
    const ScoreOptions& options_;
    const tasks::TaskSpec& task_;
    std::optional<tasks::Dataset> dataset_;
    std::mutex load_;
    std::optional<bool> present_;
};

// The output line; strings are made valid UTF-8 so that a response with broken bytes cannot break the stream.
std::string render_line(const LineResult& r) {
    nlohmann::ordered_json j; // design.md's field order: id, extracted, verdict, stage, error
    j["id"] = r.id;
    j["extracted"] = core::to_valid_utf8(r.score.extracted);
    j["verdict"] = core::to_string(r.score.verdict);
    j["stage"] = r.score.stage;
    if (r.score.verdict == core::Verdict::error) j["error"] = core::to_valid_utf8(r.score.explanation);
    if (r.score.details.contains("verdicts")) // code tasks: per-test verdicts, and the official checker's list
        j["tests"] = {{"verdicts", r.score.details["verdicts"]},
                      {"official", r.score.details.value("official", Json::array())},
                      {"why", core::to_valid_utf8(r.score.explanation)}};
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

} // namespace

double ScoreSummary::accuracy() const {
    auto count = [&](const char* k) {
        auto it = counts.find(k);
        return it == counts.end() ? std::size_t{0} : it->second;
    };
    std::size_t graded = count("correct") + count("incorrect") + count("no_answer");
    return graded == 0 ? 0.0 : static_cast<double>(count("correct")) / static_cast<double>(graded);
}

Json ScoreSummary::to_json() const {
    Json c = Json::object();
    for (const char* v : {"correct", "incorrect", "no_answer", "error"})
        c[v] = counts.count(v) ? counts.at(v) : 0;
    return {{"task", task},
            {"lines", lines},
            {"counts", c},
            {"accuracy", accuracy() * 100.0},
            {"seconds", seconds},
            {"lines_per_second", seconds > 0 ? static_cast<double>(lines) / seconds : 0.0},
            {"slowest_line_ms", slowest_line_ms}};
}

std::string ScoreSummary::to_text() const {
    Json j = to_json();
    std::ostringstream os;
    os.setf(std::ios::fixed);
    os.precision(2);
    os << task << ": " << lines << " lines, accuracy " << j["accuracy"].get<double>() << "% over "
       << (lines - j["counts"]["error"].get<std::size_t>()) << " graded (correct " << j["counts"]["correct"]
       << ", incorrect " << j["counts"]["incorrect"] << ", no_answer " << j["counts"]["no_answer"] << ", error "
       << j["counts"]["error"] << ") in " << seconds << " s\n";
    return os.str();
}

ScoreSummary score_stream(const ScoreOptions& options, const std::filesystem::path& in, std::ostream& out) {
    auto t0 = std::chrono::steady_clock::now();
    Grader grader(options);
    core::LineReader reader(in);
    ScoreSummary summary;
    summary.task = options.task;
    const unsigned jobs =
        options.jobs > 0 ? static_cast<unsigned>(options.jobs) : std::max(1u, std::thread::hardware_concurrency());
    // Lines are graded in chunks, each chunk by `jobs` threads, and written in input order.
    const std::size_t chunk = jobs == 1 ? 1 : 64 * jobs;
    std::vector<std::pair<std::string, std::size_t>> lines;
    std::vector<LineResult> results;
    std::vector<double> ms;
    std::string line;
    bool more = true;
    while (more) {
        lines.clear();
        while (lines.size() < chunk && (more = reader.next(line)))
            if (!core::trim(line).empty()) lines.emplace_back(line, reader.line_number());
        results.assign(lines.size(), LineResult{});
        ms.assign(lines.size(), 0.0);
        std::atomic<std::size_t> next{0};
        auto work = [&] {
            for (std::size_t i; (i = next++) < lines.size();) {
                auto line_start = std::chrono::steady_clock::now();
                results[i] = grader.grade(lines[i].first, lines[i].second);
                ms[i] =
                    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - line_start).count();
            }
        };
        std::vector<std::thread> pool;
        for (unsigned t = 1; t < std::min<std::size_t>(jobs, lines.size()); ++t)
            pool.emplace_back(work);
        work();
        for (auto& t : pool)
            t.join();
        for (std::size_t i = 0; i < results.size(); ++i) {
            summary.slowest_line_ms = std::max(summary.slowest_line_ms, ms[i]);
            out << render_line(results[i]) << '\n';
            ++summary.lines;
            ++summary.counts[std::string(core::to_string(results[i].score.verdict))];
        }
    }
    out.flush();
    QEVAL_CHECK(out.good(), ErrorCode::storage, "writing the verdict lines failed");
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return summary;
}

} // namespace qeval::harness
