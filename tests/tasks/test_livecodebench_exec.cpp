// LiveCodeBench grading: the official comparisons as tables (tools/lcb_checker_notes.md §4-5.3), and made-up problems
// (written here) graded end to end in the sandbox: verdicts per test, early stop, the official list, the stdin
// quirks the official run has, and a program that prints fake frames or exits early gaining nothing.
#include <catch2/catch.hpp>

#include "core/sandbox/sandbox.hpp"
#include "tasks/livecodebench_exec.hpp"

using namespace qeval;
namespace lcb = tasks::lcb;

TEST_CASE("livecodebench stdout comparison follows the official checker", "[livecodebench]") {
    struct Case {
        const char *got, *want;
        bool equal;
    };
    const Case cases[] = {
        {"1\n2\n", "1\n2", true},
        {"\n\n1\n2\n\n", "1\n2\n", true},      // blank lines around the whole output
        {"1\r\n2\r\n", "1\n2\n", true},        // \r is whitespace
        {"1\n\n2", "1\n2", false},             // a blank line in the middle counts
        {"1  2", "1 2", true},                 // numeric lines compare token by token
        {"a  b", "a b", false},                // other lines exactly
        {"1\t2", "1 2", true},                 //
        {"1.0", "1", true},                    // Decimal equality
        {"1e1", "10", true},                   //
        {"1_0", "10", true},                   // Decimal drops underscores
        {"-0", "0", true},                     //
        {"+5", "5", true},                     //
        {"12.340", "12.34", true},             //
        {"6.000000001", "6", false},           // no tolerance
        {"0.30000000000000004", "0.3", false}, //
        {"Infinity", "inf", true},             //
        {"nan", "nan", true},                  // equal as strings
        {"nan", "NaN", false},                 // NaN never equals as a number
        {"Yes", "yes", false},                 // case-sensitive
        {"1.5 abc", "1.50 abc", false},        // a non-number token: the line must match exactly
        {"0x10", "16", false},                 //
        {"1 2", "1 2 3", false},               //
        {"\xE3\x80\x80"
         "5\xC2\xA0",
         "5", true},      // U+3000 and U+00A0 are whitespace to str.strip()
        {"", "", true},   //
        {"", "0", false}, //
    };
    for (const Case& c : cases) {
        INFO("got \"" << c.got << "\" want \"" << c.want << "\"");
        CHECK(lcb::stdio_equal(c.got, c.want) == c.equal);
    }
}

TEST_CASE("livecodebench call-based comparison is Python ==", "[livecodebench]") {
    struct Case {
        const char *got, *want;
        bool equal;
    };
    const Case cases[] = {
        {"[1, 2]", "[1,2]", true},
        {"1", "1.0", true},
        {"true", "1", true},
        {"false", "0", true},
        {"0.30000000000000004", "0.3", false},
        {"[[1, 2]]", "[[1, 2]]", true},
        {"{\"b\": 2, \"a\": 1}", "{\"a\": 1, \"b\": 2}", true},
        {"null", "null", true},
        {"\"ab\"", "\"ab\"", true},
        {"\"1\"", "1", false},
        {"[1]", "1", false},
        {"", "1", false}, // not JSON (a generator, a set): never equal
        {"18446744073709551615", "18446744073709551615", true},
        // beyond 64 bits Python's ints stay exact (a double would make these equal)
        {"18446744073709551617", "18446744073709551616", false},
        {"[-36893488147419103233]", "[-36893488147419103233]", true},
        {"100000000000000000000", "1e20", true}, // 1e20 is that integer exactly
        {"100000000000000000001", "1e20", false},
        {"100000000000000000000", "100000000000000000000.5", true}, // the float rounds to 1e20 first
        {"18446744073709551616", "1", false},
        {"{\"a\": 1, \"a\": 2}", "{\"a\": 2}", true}, // duplicate keys: the last wins
        {"[1, [2, {\"k\": [true, null]}]]", "[1.0, [2, {\"k\": [1, null]}]]", true},
        {"[1, 2", "[1, 2]", false},
    };
    for (const Case& c : cases) {
        INFO("got " << c.got << " want " << c.want);
        CHECK(lcb::call_equal(c.got, c.want) == c.equal);
    }
}

namespace {

// A made-up stdin problem: print the sum of the two integers on the line.
std::vector<tasks::CodeTest> sum_tests() {
    return {{"1 2\n", "3\n", "stdin"}, {"10 -4\n", "6\n", "stdin"}, {"0 0\n", "0\n", "stdin"}};
}

// A made-up call-based problem: Solution().double(x) = 2x.
std::vector<tasks::CodeTest> double_tests() {
    return {{"1", "2", "functional"}, {"21", "42", "functional"}, {"-3", "-6", "functional"}};
}

std::vector<std::string> verdicts(const lcb::Grade& g) {
    std::vector<std::string> out;
    for (auto v : g.tests)
        out.push_back(lcb::to_string(v));
    return out;
}

} // namespace

TEST_CASE("livecodebench grading in the sandbox: verdicts per test and the official list", "[livecodebench][sandbox]") {
    std::string why;
    if (!core::sandbox::available(&why)) {
        WARN("SKIPPED: the sandbox cannot be set up on this machine: " << why);
        return;
    }
    using V = std::vector<std::string>;
    lcb::Options fast;
    fast.timeout_seconds = 1;
    fast.warm = GENERATE(true, false); // forked from a warm interpreter, and in a fresh one: the same verdicts
    INFO((fast.warm ? "warm" : "cold"));
    struct Case {
        const char* name;
        std::string code;
        bool call;
        V verdicts;
        std::vector<int> official;
    };
    const Case cases[] = {
        {"correct", "a, b = map(int, input().split())\nprint(a + b)\n", false, {"pass", "pass", "pass"}, {1, 1, 1}},
        {"main guard",
         "def main():\n    a, b = map(int, input().split())\n    print(a + b)\nif __name__ == '__main__':\n    "
         "main()\n",
         false,
         {"pass", "pass", "pass"},
         {1, 1, 1}},
        {"wrong on the second",
         "a, b = map(int, input().split())\nprint(a + b if a < 5 else 0)\n",
         false,
         {"pass", "wrong_answer", "not_run"},
         {1, -2}},
        {"crash", "print(1 // 0)\n", false, {"runtime_error", "not_run", "not_run"}, {-4}},
        {"spins", "while True:\n    pass\n", false, {"time_limit", "not_run", "not_run"}, {-3}},
        {"syntax error", "print(\n", false, {"runtime_error", "not_run", "not_run"}, {-4}},
        {"iterates sys.stdin (official: TypeError)",
         "import sys\nfor l in sys.stdin:\n    pass\n",
         false,
         {"runtime_error", "not_run", "not_run"},
         {-4}},
        {"exit() after printing is fine",
         "a, b = map(int, input().split())\nprint(a + b)\nexit()\n",
         false,
         {"pass", "pass", "pass"},
         {1, 1, 1}},
        {"os._exit before the tests end",
         "import os\na, b = map(int, input().split())\nprint(a + b)\nos._exit(0)\n",
         false,
         {"runtime_error", "not_run", "not_run"},
         {-2}},
        {"fake frames gain nothing",
         "import os\nfor i in range(3):\n    os.write(1, ('\\nqeval-00000000000000000000000000000000 %d out Mwo=\\n' % "
         "i).encode())\nprint('wrong')\n",
         false,
         {"wrong_answer", "not_run", "not_run"},
         {-2}},
        {"call-based",
         "class Solution:\n    def double(self, x):\n        return 2 * x\n",
         true,
         {"pass", "pass", "pass"},
         {1, 1, 1}},
        {"call-based returns a float",
         "class Solution:\n    def double(self, x):\n        return 2.0 * x\n",
         true,
         {"pass", "pass", "pass"},
         {1, 1, 1}},
        {"call-based state across tests",
         "class Solution:\n    n = 0\n    def double(self, x):\n        Solution.n += 1\n        return 2 * x if "
         "Solution.n < 3 else 0\n",
         true,
         {"pass", "pass", "wrong_answer"},
         {1, 1, 0}},
        {"call-based missing method",
         "class Solution:\n    def twice(self, x):\n        return 2 * x\n",
         true,
         {"runtime_error", "not_run", "not_run"},
         {-4}},
        {"call-based sys.exit (official: the child dies)",
         "import sys\nclass Solution:\n    def double(self, x):\n        sys.exit(0)\n",
         true,
         {"runtime_error", "not_run", "not_run"},
         {-2}},
    };
    for (const Case& c : cases) {
        INFO(c.name);
        const lcb::Grade g = lcb::grade(c.code, c.call ? double_tests() : sum_tests(), c.call ? "double" : "", fast);
        INFO(g.message << g.sandbox_error);
        REQUIRE_FALSE(g.sandbox_failed);
        CHECK(verdicts(g) == c.verdicts);
        CHECK(g.official == c.official);
        CHECK(g.passed == (c.official == std::vector<int>{1, 1, 1}));
    }
}

TEST_CASE("livecodebench grading under --unsafe-no-sandbox gives the same verdicts", "[livecodebench]") {
    struct Reset {
        ~Reset() { core::sandbox::set_unsafe_no_isolation(false); }
    } reset;
    core::sandbox::set_unsafe_no_isolation(true);
    const lcb::Grade ok = lcb::grade("a, b = map(int, input().split())\nprint(a + b)\n", sum_tests(), "");
    INFO(ok.message << ok.sandbox_error);
    CHECK(ok.passed);
    CHECK(ok.official == std::vector<int>{1, 1, 1});
    const lcb::Grade bad = lcb::grade("print(1 // 0)\n", sum_tests(), "");
    CHECK(bad.official == std::vector<int>{-4});
}
