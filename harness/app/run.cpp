// run_tasks (see run.hpp).
#include "harness/app/run.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>

#include <unistd.h>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/sandbox/sandbox.hpp"
#include "core/time.hpp"
#include "harness/data/progress.hpp"
#include "harness/storage/run_store.hpp"
#include "qeval/version.hpp"
#include "runners/runner.hpp"
#include "tasks/task_list.hpp"

namespace qeval::harness {
namespace {

core::Json generation_json(const core::GenerateConfig& g) {
    core::Json j = core::Json::object();
    if (g.temperature) j["temperature"] = *g.temperature;
    if (g.top_p) j["top_p"] = *g.top_p;
    if (g.top_k) j["top_k"] = *g.top_k;
    if (g.min_p) j["min_p"] = *g.min_p;
    if (g.max_tokens) j["max_tokens"] = *g.max_tokens;
    if (!g.stop.empty()) j["stop"] = g.stop;
    j["stream"] = g.stream;
    return j;
}

// Problems of this run: dataset order, then the shard's every n-th, then the first `limit`.
std::vector<const tasks::Sample*> select(const tasks::Dataset& ds, const RunOptions& o) {
    std::vector<const tasks::Sample*> out;
    for (std::size_t i = 0; i < ds.samples.size(); ++i)
        if (static_cast<int>(i % static_cast<std::size_t>(o.shard_count)) == o.shard_index)
            out.push_back(&ds.samples[i]);
    if (o.limit > 0 && out.size() > o.limit) out.resize(o.limit);
    return out;
}

// A problem of the run: its sample and the hash of its rendered prompt (stored with each response).
struct Problem {
    const tasks::Sample* sample = nullptr;
    std::string prompt_hash;
};
using Problems = std::map<std::string, Problem>;

// Responses flow from the runner's thread through a pool of graders to one writer thread, which commits whatever has
// arrived in one transaction (group commit: small groups when responses are slow, large ones at full speed) and
// keeps the run's heartbeat. push() blocks while the queue is full, so memory stays bounded. finish() commits
// everything pushed before returning, also after a failure elsewhere: what arrived is never dropped.
class Pipeline {
public:
    Pipeline(const tasks::TaskSpec& task, const Problems& by_id, RunStore& store, std::int64_t run_id, int graders,
             std::function<void(const StoredSample&)> on_commit)
        : task_(task), by_id_(by_id), store_(store), run_id_(run_id), on_commit_(std::move(on_commit)) {
        for (int i = 0; i < graders; ++i)
            graders_.emplace_back([this] { grade_loop(); });
        writer_ = std::thread([this] { write_loop(); });
    }
    ~Pipeline() {
        try {
            finish();
        } catch (...) { // the first error was already reported by finish(), or is being unwound
        }
    }

    // Called by the runner's I/O thread: only a pointer and a move here; the sample is built by a grader. `req`
    // stays valid until finish() (the runner's request list).
    void push(const runners::GenerateRequest& req, core::ModelOutput out) {
        std::unique_lock lock(mu_);
        space_.wait(lock, [&] { return in_queue_.size() < kCapacity || failure_; });
        if (failure_) std::rethrow_exception(failure_);
        in_queue_.push_back({&req, std::move(out)});
        // A grader is woken for a full batch; a partial one is picked up by its next poll (kPoll), so a steady
        // stream of responses costs one wake-up per batch instead of one per response.
        if (in_queue_.size() >= kTake) work_.notify_one();
    }

    // Commits everything pushed, stops the threads, rethrows the writer's failure.
    void finish() {
        {
            std::lock_guard lock(mu_);
            if (closed_) return;
            closed_ = true;
        }
        work_.notify_all();
        for (auto& t : graders_)
            t.join();
        {
            std::lock_guard lock(mu_);
            graders_done_ = true;
        }
        graded_.notify_all();
        writer_.join();
        if (failure_) std::rethrow_exception(failure_);
    }

    std::size_t stored() const { return stored_; }

private:
    static constexpr std::size_t kCapacity = 4096, kGroup = 1024, kTake = 32;
    static constexpr std::chrono::milliseconds kPoll{5}, kGather{20};

    // Takes what is queued (up to kTake at once: fewer wake-ups), grades it, hands it to the writer.
    void grade_loop() {
        std::vector<Arrived> taken;
        std::vector<StoredSample> batch;
        for (;;) {
            {
                std::unique_lock lock(mu_);
                while (in_queue_.empty() && !closed_)
                    work_.wait_for(lock, kPoll);
                if (in_queue_.empty()) return;
                while (!in_queue_.empty() && taken.size() < kTake) {
                    taken.push_back(std::move(in_queue_.front()));
                    in_queue_.pop_front();
                }
            }
            space_.notify_all();
            for (Arrived& a : taken) {
                const Problem& problem = by_id_.at(a.request->problem_id);
                StoredSample& s = batch.emplace_back(StoredSample{
                    a.request->problem_id, a.request->sample_index, problem.prompt_hash, std::move(a.output), {}});
                if (s.output.error.empty())
                    s.score = tasks::score_response(task_, s.output.text, *problem.sample);
                else
                    s.score = tasks::make_score(core::Verdict::error, "", "request", s.output.error);
            }
            taken.clear();
            bool full = false;
            {
                std::lock_guard lock(mu_);
                for (StoredSample& s : batch)
                    out_queue_.push_back(std::move(s));
                full = out_queue_.size() >= kTake;
            }
            batch.clear();
            if (full) graded_.notify_one(); // else the writer's next poll takes it
        }
    }

    void write_loop() {
        auto last_beat = std::chrono::steady_clock::now(), last_commit = last_beat;
        std::vector<StoredSample> group;
        for (;;) {
            {
                std::unique_lock lock(mu_);
                graded_.wait_for(lock, kPoll, [&] { return !out_queue_.empty() || graders_done_; });
                // At full speed a group gathers for kGather after the last commit: fewer, larger transactions (each
                // costs a prepare-free but fsync'ed commit). Slow responses still commit within kGather.
                if (!out_queue_.empty())
                    graded_.wait_until(lock, last_commit + kGather,
                                       [&] { return out_queue_.size() >= kGroup || graders_done_; });
                while (!out_queue_.empty() && group.size() < kGroup) {
                    group.push_back(std::move(out_queue_.front()));
                    out_queue_.pop_front();
                }
                if (group.empty() && graders_done_) return;
            }
            try {
                if (!group.empty()) {
                    stored_ += store_.store(run_id_, group);
                    last_commit = std::chrono::steady_clock::now();
                    for (const auto& s : group)
                        on_commit_(s); // acknowledged only now, after the commit
                    group.clear();
                }
                auto now = std::chrono::steady_clock::now();
                if (now - last_beat > std::chrono::seconds(10)) {
                    store_.heartbeat(run_id_);
                    last_beat = now;
                }
            } catch (...) {
                std::lock_guard lock(mu_);
                failure_ = std::current_exception();
                in_queue_.clear();
                out_queue_.clear();
                space_.notify_all();
                return;
            }
        }
    }

    const tasks::TaskSpec& task_;
    const Problems& by_id_;
    RunStore& store_;
    std::int64_t run_id_;
    std::function<void(const StoredSample&)> on_commit_;
    std::mutex mu_;
    std::condition_variable work_, space_, graded_;
    struct Arrived {
        const runners::GenerateRequest* request;
        core::ModelOutput output;
    };
    std::deque<Arrived> in_queue_;
    std::deque<StoredSample> out_queue_;
    bool closed_ = false, graders_done_ = false;
    std::exception_ptr failure_;
    std::vector<std::thread> graders_;
    std::thread writer_;
    std::size_t stored_ = 0;
};

// What `qeval run` shows while it runs: on a terminal a line redrawn in place; otherwise one JSON line a minute.
class RunProgress {
public:
    RunProgress(const std::string& label, std::size_t total, bool enabled)
        : total_(total), enabled_(enabled), label_(label),
          bar_(label, data::ProgressUnit::samples, enabled && isatty(STDERR_FILENO) != 0) {}

    void add(const StoredSample& s, RunResult& r) { // called by the writer thread only
        ++done_;
        if (!s.output.error.empty()) ++r.errors;
        if (s.output.finish_reason == "length") ++r.truncated;
        if (s.output.attempts > 1) r.retries += static_cast<std::size_t>(s.output.attempts - 1);
        if (s.output.error.empty()) {
            ++answered_;
            tokens_ += s.output.completion_tokens;
        }
        if (!enabled_) return;
        std::string extra = "errors " + std::to_string(r.errors) + "  retries " + std::to_string(r.retries);
        if (answered_ > 0) extra += "  tokens/answer " + std::to_string(tokens_ / static_cast<std::int64_t>(answered_));
        bar_.update(done_, total_, extra);
        auto now = std::chrono::steady_clock::now();
        if (isatty(STDERR_FILENO) == 0 && now - last_line_ > std::chrono::seconds(60)) {
            last_line_ = now;
            double elapsed = bar_.elapsed_s();
            double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0;
            std::cerr << core::Json{{"progress", label_},
                                    {"done", done_},
                                    {"total", total_},
                                    {"errors", r.errors},
                                    {"retries", r.retries},
                                    {"samples_per_s", rate},
                                    {"eta_s", rate > 0 ? static_cast<double>(total_ - done_) / rate : 0.0}}
                             .dump()
                      << "\n";
        }
    }

private:
    std::size_t total_, done_ = 0, answered_ = 0;
    std::int64_t tokens_ = 0;
    bool enabled_;
    std::string label_;
    data::Progress bar_;
    std::chrono::steady_clock::time_point last_line_ = std::chrono::steady_clock::now();
};

int grader_threads(int asked, bool runs_code) {
    if (asked > 0) return asked;
    unsigned cores = std::thread::hardware_concurrency();
    if (runs_code) return static_cast<int>(std::clamp<unsigned>(cores, 1, 64)); // graders wait on sandboxes
    return static_cast<int>(std::clamp<unsigned>(cores > 1 ? cores - 1 : 1, 1, 16));
}

// Every problem's breakdown values (the task's metadata keys; numbers as text, e.g. MATH level "5").
RunStore::Groups breakdown_groups(const tasks::TaskSpec& task, const tasks::Dataset& ds) {
    RunStore::Groups out;
    for (const auto& s : ds.samples)
        for (const auto& axis : task.breakdowns) {
            auto it = s.metadata.find(axis);
            if (it == s.metadata.end() || it->is_null()) continue;
            std::string value = it->is_string() ? it->get<std::string>() : it->dump();
            if (!value.empty()) out[axis][s.id] = std::move(value);
        }
    return out;
}

// True when the run already holds a response for every (problem, sample): resuming it generates nothing, so the
// runner's checks (its server) are not needed.
bool nothing_missing(RunStore& store, const std::string& fingerprint, const std::vector<const tasks::Sample*>& problems,
                     int samples) {
    std::string owner;
    std::int64_t heartbeat = 0;
    auto existing = store.find_run(fingerprint, owner, heartbeat);
    if (!existing) return false;
    auto done = store.done_pairs(existing->id);
    for (const tasks::Sample* s : problems)
        for (int k = 0; k < samples; ++k)
            if (!done.count({s->id, k})) return false;
    return true;
}

RunResult run_one(const tasks::TaskSpec& task, const RunOptions& o, runners::Runner& runner, RunStore& store) {
    tasks::Dataset ds = task.load({o.data_dir, o.seed, o.task_params});
    std::string prompt = o.prompt.empty() ? task.default_prompt : o.prompt;
    tasks::check_prompt(task, prompt);
    std::vector<const tasks::Sample*> problems = select(ds, o);
    core::Json files = core::Json::array();
    for (const auto& f : ds.files)
        files.push_back({{"path", f.path}, {"sha256", f.sha256}});
    core::Json settings = {{"prompt", prompt},
                           {"samples", o.samples},
                           {"seed", o.seed},
                           {"limit", o.limit},
                           {"shard", std::to_string(o.shard_index) + "/" + std::to_string(o.shard_count)},
                           {"params", o.task_params},
                           {"generation", generation_json(o.generation)},
                           {"runner", o.runner}};
    if (!o.night.empty()) settings["night"] = o.night;
    if (o.unsafe_no_sandbox && task.runs_code)
        settings["unsafe_no_sandbox"] =
            true; // a run of its own, flagged // absent otherwise: fingerprints made before it stay the same
    core::Json identity = {{"variant", o.variant}, {"task", task.name},    {"task_version", task.version},
                           {"data", files},        {"settings", settings}, {"runner", runner.identity()}};
    const std::string fingerprint = core::sha256_hex(identity.dump());
    if (!nothing_missing(store, fingerprint, problems, o.samples)) runner.prepare();
    RunSpec spec{fingerprint,
                 o.variant,
                 task.name,
                 task.version,
                 settings,
                 core::Json{{"qeval_version", kVersion},
                            {"qeval_commit", kGitCommit},
                            {"data", files},
                            {"runner", runner.identity()},
                            {"runner_details", runner.provenance()},
                            {"host", RunStore::default_owner()},
                            {"started_at", core::utc_now_iso()}},
                 static_cast<std::int64_t>(problems.size()) * o.samples};
    RunHandle handle = store.begin_run(spec);
    if (!task.breakdowns.empty()) store.save_groups(task.name, RunStore::data_key(files), breakdown_groups(task, ds));
    RunResult result;
    result.run_id = handle.run.id;
    result.task = task.name;
    result.resumed = handle.resumed;
    auto done = store.done_pairs(handle.run.id);
    std::vector<runners::GenerateRequest> requests;
    Problems by_id;
    for (const tasks::Sample* s : problems) {
        auto messages = task.render(*s, prompt, ds);
        by_id[s->id] = {s, core::sha256_hex(core::Json(messages).dump())};
        for (int k = 0; k < o.samples; ++k) {
            if (done.count({s->id, k})) {
                ++result.already_done;
                continue;
            }
            runners::GenerateRequest req{s->id, k, messages, o.generation};
            req.config.seed = core::derive_seed(s->id + "#" + std::to_string(k), o.seed);
            requests.push_back(std::move(req));
        }
    }
    result.requested = requests.size();
    RunProgress progress(o.variant + "/" + task.name, requests.size(), o.progress && !requests.empty());
    {
        Pipeline pipeline(task, by_id, store, handle.run.id, grader_threads(o.graders, task.runs_code),
                          [&](const StoredSample& s) { progress.add(s, result); });
        const auto started = std::chrono::steady_clock::now();
        try {
            runner.run(requests, [&](const runners::GenerateRequest& req, core::ModelOutput out) {
                pipeline.push(req, std::move(out));
            });
            pipeline.finish();
            if (!requests.empty())
                result.generate_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        } catch (...) {
            pipeline.finish(); // commit what arrived (rethrows a storage failure, which then wins)
            result.stored = pipeline.stored();
            store.finish_run(handle.run.id, "failed"); // releases it; the same command resumes
            throw;
        }
        result.stored = pipeline.stored();
    }
    store.finish_run(handle.run.id, "done");
    for (const auto& r : store.list_runs(handle.run.id))
        result.accuracy = r.accuracy;
    return result;
}

} // namespace

core::Json RunResult::to_json() const {
    return {{"run", run_id},
            {"task", task},
            {"resumed", resumed},
            {"requested", requested},
            {"stored", stored},
            {"already_done", already_done},
            {"errors", errors},
            {"truncated", truncated},
            {"retries", retries},
            {"accuracy", accuracy ? core::Json(*accuracy * 100.0) : core::Json()},
            {"generate_s", generate_s},
            {"responses_per_s", generate_s > 0 ? core::Json(static_cast<double>(stored) / generate_s) : core::Json()}};
}

std::pair<int, int> parse_shard(const std::string& text) {
    auto slash = text.find('/');
    int i = -1, n = 0;
    try {
        if (slash != std::string::npos) {
            i = std::stoi(text.substr(0, slash));
            n = std::stoi(text.substr(slash + 1));
        }
    } catch (const std::exception&) {
        i = -1;
    }
    QEVAL_CHECK(i >= 0 && n > 0 && i < n, ErrorCode::usage, "--shard \"" + text + "\": expected i/n with 0 <= i < n");
    return {i, n};
}

std::vector<RunResult> run_tasks(const RunOptions& o) {
    QEVAL_CHECK(!o.variant.empty(), ErrorCode::usage, "qeval run: --variant LABEL is required");
    QEVAL_CHECK(o.samples >= 1, ErrorCode::usage, "qeval run: --samples must be at least 1");
    auto tasks = tasks::resolve_tasks(o.tasks);
    QEVAL_CHECK(!tasks.empty(), ErrorCode::usage, "qeval run: --task is required");
    core::sandbox::set_unsafe_no_isolation(o.unsafe_no_sandbox);
    auto runner = runners::make_runner(o.runner, o.runner_settings);
    auto store = RunStore::open(o.db);
    std::vector<RunResult> out;
    for (const tasks::TaskSpec* t : tasks)
        out.push_back(run_one(*t, o, *runner, *store));
    return out;
}

} // namespace qeval::harness
