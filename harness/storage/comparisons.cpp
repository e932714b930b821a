// See comparisons.hpp.
#include "harness/storage/comparisons.hpp"

#include <cmath>

namespace qeval::harness {
namespace {

void bind_number(Statement& st, int index, double x) {
    if (std::isfinite(x))
        st.bind_real(index, x);
    else
        st.bind_null(index);
}

double number_or_nan(const Statement& st, int col) {
    return st.is_null(col) ? NAN : st.column_real(col);
}

std::vector<std::int64_t> ids_of(const std::string& text) {
    core::Json j = core::Json::parse(text, nullptr, false);
    std::vector<std::int64_t> ids;
    if (j.is_array())
        for (const auto& v : j)
            if (v.is_number_integer()) ids.push_back(v.get<std::int64_t>());
    return ids;
}

} // namespace

void save_comparisons(Database& db, const std::vector<ComparisonRecord>& records) {
    ImmediateTransaction tx(db);
    Statement drop =
        db.prepare("DELETE FROM comparisons WHERE baseline = ?1 AND candidate = ?2 AND task = ?3 AND night = ?4");
    Statement st = db.prepare(
        "INSERT INTO comparisons (created_at, baseline, candidate, task, baseline_runs, candidate_runs, n_problems, "
        "samples_per_problem, baseline_accuracy, candidate_accuracy, retention, retention_lo, retention_hi, delta, "
        "delta_lo, delta_hi, gained, lost, verdict, details, night) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
        "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)");
    for (const auto& r : records) {
        if (!r.night.empty()) {
            drop.bind_text(1, r.baseline).bind_text(2, r.candidate).bind_text(3, r.task).bind_text(4, r.night);
            drop.step();
            drop.reset();
        }
        st.bind_text(1, r.created_at).bind_text(2, r.baseline).bind_text(3, r.candidate).bind_text(4, r.task);
        st.bind_text(5, core::Json(r.baseline_runs).dump()).bind_text(6, core::Json(r.candidate_runs).dump());
        st.bind_int(7, r.n_problems).bind_int(8, r.samples_per_problem);
        bind_number(st, 9, r.baseline_accuracy);
        bind_number(st, 10, r.candidate_accuracy);
        bind_number(st, 11, r.retention);
        bind_number(st, 12, r.retention_lo);
        bind_number(st, 13, r.retention_hi);
        bind_number(st, 14, r.delta);
        bind_number(st, 15, r.delta_lo);
        bind_number(st, 16, r.delta_hi);
        st.bind_int(17, r.gained).bind_int(18, r.lost).bind_text(19, r.verdict);
        st.bind_text(20, r.details.dump(-1, ' ', false, core::Json::error_handler_t::replace));
        st.bind_text(21, r.night);
        st.step();
        st.reset();
    }
    tx.commit();
}

std::vector<ComparisonRecord> comparison_history(Database& db, const std::string& candidate, const std::string& task) {
    Statement st = db.prepare(
        "SELECT id, created_at, baseline, candidate, task, baseline_runs, candidate_runs, n_problems, "
        "samples_per_problem, baseline_accuracy, candidate_accuracy, retention, retention_lo, retention_hi, delta, "
        "delta_lo, delta_hi, gained, lost, verdict, details, night FROM comparisons WHERE candidate = ?1 AND "
        "(?2 = '' OR task = ?2) ORDER BY created_at, id");
    st.bind_text(1, candidate).bind_text(2, task);
    std::vector<ComparisonRecord> out;
    while (st.step()) {
        ComparisonRecord r;
        r.id = st.column_int(0);
        r.created_at = st.column_text(1);
        r.baseline = st.column_text(2);
        r.candidate = st.column_text(3);
        r.task = st.column_text(4);
        r.baseline_runs = ids_of(st.column_text(5));
        r.candidate_runs = ids_of(st.column_text(6));
        r.n_problems = static_cast<int>(st.column_int(7));
        r.samples_per_problem = static_cast<int>(st.column_int(8));
        r.baseline_accuracy = number_or_nan(st, 9);
        r.candidate_accuracy = number_or_nan(st, 10);
        r.retention = number_or_nan(st, 11);
        r.retention_lo = number_or_nan(st, 12);
        r.retention_hi = number_or_nan(st, 13);
        r.delta = number_or_nan(st, 14);
        r.delta_lo = number_or_nan(st, 15);
        r.delta_hi = number_or_nan(st, 16);
        r.gained = static_cast<int>(st.column_int(17));
        r.lost = static_cast<int>(st.column_int(18));
        r.verdict = st.column_text(19);
        r.details = core::Json::parse(st.column_text(20), nullptr, false);
        r.night = st.column_text(21);
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace qeval::harness
