// gicv5-litmus: runs herd7 litmus tests of GICv5 instruction ordering (herdtools7
// catalogue/aarch64-gic, or tests/litmus/) on the timed model, many timings each, and checks
// that no outcome the architecture forbids is ever seen.
//
//   gicv5-litmus [--runs N] [--seed S] [--run K] [--json] [--jobs J] [--kinds FILE] PATH...
//
// PATH: .litmus files, or folders (every *.litmus in them). A test's verdict comes from its own
// Verdict=Allow|Forbid line (before the initial state), else from a kinds.txt beside it (or
// --kinds). Exit status: 0 when no Forbid outcome was reached; 1 when
// one was (the seed, run and timing that reproduce it are printed) or a run could not be made;
// 2 for bad input (a file that does not parse, an unknown instruction: FILE:LINE: what).
//
// SystemC elaborates once per process: each batch of runs (runs sharing a quantum, at most
// --batch of them) is simulated in a child process, side by side in one elaboration.
#include "litmus/runner.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <systemc>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const bool banner_off = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1) == 0;

struct options {
    std::vector<std::string> paths;
    unsigned runs = 1000;
    uint64_t seed = 1;
    std::optional<unsigned> run;
    bool json = false;
    unsigned jobs = 1;
    unsigned batch = 100;
    std::string kinds;
};

struct result {
    litmus::test t;
    std::string status; // skipped, held, violated, reached, not_reached, error
    std::string reason;
    unsigned runs = 0, reached = 0;
    std::map<std::string, unsigned> outcomes;
    std::optional<litmus::run_params> first_reached; // a run that reached the condition
    std::string errors;
};

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The files to run, in order: a folder's *.litmus sorted by name.
std::vector<std::string> collect(const std::vector<std::string>& paths) {
    std::vector<std::string> out;
    for (const std::string& p : paths) {
        if (fs::is_directory(p)) {
            std::vector<std::string> in;
            for (const fs::directory_entry& e : fs::directory_iterator(p))
                if (e.path().extension() == ".litmus")
                    in.push_back(e.path().string());
            std::sort(in.begin(), in.end());
            out.insert(out.end(), in.begin(), in.end());
        } else if (fs::exists(p)) {
            out.push_back(p);
        } else {
            throw litmus::parse_error(p + ": no such file or folder");
        }
    }
    return out;
}

// One child process: runs `batch` of t, writes "run \t reached \t error \t outcome" lines.
struct child {
    pid_t pid = -1;
    int fd = -1;
};

child spawn(const litmus::test& t, const std::vector<litmus::run_params>& batch) {
    int p[2];
    if (pipe(p) != 0)
        throw std::runtime_error("pipe failed");
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");
    if (pid == 0) {
        close(p[0]);
        dup2(2, 1); // SystemC's reports go to stdout: keep them out of the parent's report
        std::string out;
        for (const litmus::run_result& r : litmus::run_batch(t, batch))
            out += std::to_string(r.run) + "\t" + (r.reached ? "1" : "0") + "\t" + r.error + "\t" +
                   r.outcome + "\n";
        for (std::size_t off = 0; off < out.size();) {
            const ssize_t n = write(p[1], out.data() + off, out.size() - off);
            if (n <= 0)
                _exit(3);
            off += static_cast<std::size_t>(n);
        }
        _exit(0);
    }
    close(p[1]);
    return {pid, p[0]};
}

void reap(child c, result& r, const std::map<unsigned, litmus::run_params>& params,
          std::optional<unsigned> only) {
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = read(c.fd, buf, sizeof buf)) > 0;)
        out.append(buf, static_cast<std::size_t>(n));
    close(c.fd);
    int status = 0;
    waitpid(c.pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        r.errors += "a batch of runs crashed (status " + std::to_string(status) + "); ";
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> f;
        std::size_t pos = 0;
        for (int k = 0; k < 3; ++k) {
            const std::size_t tab = line.find('\t', pos);
            f.push_back(line.substr(pos, tab - pos));
            pos = tab + 1;
        }
        f.push_back(line.substr(pos));
        const unsigned run = static_cast<unsigned>(std::stoul(f[0]));
        if (only && run != *only)
            continue;
        ++r.runs;
        if (!f[2].empty()) {
            r.errors += "run " + f[0] + ": " + f[2] + "; ";
            continue;
        }
        ++r.outcomes[f[3]];
        if (f[1] == "1") {
            ++r.reached;
            if (!r.first_reached || run < r.first_reached->run)
                r.first_reached = params.at(run);
        }
    }
}

void run_test(result& r, const options& o) {
    // Batches of runs sharing a quantum. Runs simulated side by side are independent, but the
    // kernel may order their simultaneous events differently with other runs beside them: a
    // run is reproduced with its batch, so --run K simulates the batch K belongs to.
    std::map<unsigned, litmus::run_params> params;
    std::map<sc_core::sc_time, std::vector<litmus::run_params>> by_quantum;
    for (unsigned k = 0; k < o.runs; ++k) {
        params[k] = litmus::params_for(r.t, o.seed, k);
        by_quantum[params[k].timing.quantum].push_back(params[k]);
    }
    std::vector<std::vector<litmus::run_params>> batches;
    for (auto& [q, v] : by_quantum)
        for (std::size_t k = 0; k < v.size(); k += o.batch)
            batches.emplace_back(v.begin() + static_cast<std::ptrdiff_t>(k),
                                 v.begin() +
                                     static_cast<std::ptrdiff_t>(std::min(v.size(), k + o.batch)));
    if (o.run)
        batches.erase(std::remove_if(batches.begin(), batches.end(),
                                     [&](const std::vector<litmus::run_params>& b) {
                                         return std::none_of(
                                             b.begin(), b.end(),
                                             [&](const auto& p) { return p.run == *o.run; });
                                     }),
                      batches.end());
    std::deque<child> running;
    for (const auto& b : batches) {
        if (running.size() >= o.jobs) {
            reap(running.front(), r, params, o.run);
            running.pop_front();
        }
        running.push_back(spawn(r.t, b));
    }
    for (const child& c : running)
        reap(c, r, params, o.run);
    const bool forbid = r.t.verdict && *r.t.verdict == "Forbid";
    if (!r.errors.empty())
        r.status = "error";
    else if (forbid)
        r.status = r.reached ? "violated" : "held";
    else
        r.status = r.reached ? "reached" : "not_reached";
}

std::string verdict_text(const litmus::test& t) {
    if (!t.verdict)
        return "no verdict";
    return *t.verdict +
           (t.verdict_commented ? " (commented in kinds.txt: not yet run by herd)" : "");
}

std::string reproduce(const result& r, const options& o) {
    return "gicv5-litmus --seed " + std::to_string(o.seed) + " --runs " + std::to_string(o.runs) +
           " --batch " + std::to_string(o.batch) + " --run " +
           std::to_string(r.first_reached->run) + " " + r.t.file;
}

void print_text(const result& r, const options& o) {
    std::cout << r.t.name << ": " << verdict_text(r.t) << ": " << r.status;
    if (r.status == "skipped")
        std::cout << " (" << r.reason << ")\n";
    else if (r.status == "not_reached")
        std::cout << ", stricter than the architecture (allowed, never seen in " << r.runs
                  << " runs)\n";
    else
        std::cout << ", " << r.reached << " of " << r.runs << " runs reach the condition\n";
    if (!r.errors.empty())
        std::cout << "  errors: " << r.errors << "\n";
    for (const auto& [outcome, n] : r.outcomes)
        std::cout << "  " << n << "\t" << outcome << "\n";
    if (r.status == "violated")
        std::cout << "  FORBIDDEN OUTCOME: seed " << o.seed << " run " << r.first_reached->run
                  << ": " << r.first_reached->describe() << "\n  reproduce: " << reproduce(r, o)
                  << "\n";
}

json to_json(const result& r, const options& o) {
    json j;
    j["name"] = r.t.name;
    j["file"] = r.t.file;
    j["verdict"] = r.t.verdict ? json(*r.t.verdict) : json(nullptr);
    j["verdict_commented"] = r.t.verdict_commented;
    j["status"] = r.status;
    if (!r.reason.empty())
        j["reason"] = r.reason;
    j["runs"] = r.runs;
    j["reached"] = r.reached;
    j["outcomes"] = r.outcomes;
    if (!r.errors.empty())
        j["errors"] = r.errors;
    if (r.first_reached)
        j["reproduce"] = {{"seed", o.seed},
                          {"run", r.first_reached->run},
                          {"timing", r.first_reached->describe()},
                          {"command", reproduce(r, o)}};
    return j;
}

int run(int argc, char* argv[]) {
    options o;
    CLI::App app{"gicv5-litmus: herd7 GICv5 litmus tests on the timed model"};
    app.add_option("paths", o.paths, ".litmus files or folders of them")->required();
    app.add_option("--runs", o.runs, "runs per test, each with its own timing (default 1000)")
        ->check(CLI::Range(1u, 10000000u));
    app.add_option("--seed", o.seed, "seed of the timings (default 1)");
    app.add_option("--run", o.run,
                   "only run K of each test, simulated with its batch (a reproduction: give the "
                   "same --seed, --runs and --batch)");
    app.add_flag("--json", o.json, "print one JSON object");
    app.add_option("--jobs,-j", o.jobs, "child processes at once (default 1)")
        ->check(CLI::Range(1u, 64u));
    app.add_option("--batch", o.batch, "runs per child process at most (default 100)")
        ->check(CLI::Range(1u, 10000u));
    app.add_option("--kinds", o.kinds, "the verdicts file (default: kinds.txt beside each test)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    if (o.run && *o.run >= o.runs) {
        std::cerr << "gicv5-litmus: --run " << *o.run << " is not one of the " << o.runs
                  << " runs (--runs)\n";
        return 2;
    }
    std::vector<result> results;
    try {
        std::map<std::string, std::map<std::string, litmus::kind_entry>> kinds; // by file
        auto kinds_for =
            [&](const std::string& file) -> const std::map<std::string, litmus::kind_entry>& {
            const std::string k =
                o.kinds.empty() ? (fs::path(file).parent_path() / "kinds.txt").string() : o.kinds;
            if (!kinds.count(k))
                kinds[k] = fs::exists(k) ? litmus::parse_kinds(read_text(k), k)
                                         : std::map<std::string, litmus::kind_entry>{};
            return kinds[k];
        };
        for (const std::string& f : collect(o.paths)) {
            result r;
            r.t = litmus::parse_file(f);
            litmus::resolve(r.t);
            const auto& kv = kinds_for(f);
            if (const auto it = kv.find(r.t.name); it != kv.end() && !r.t.verdict) {
                r.t.verdict = it->second.verdict;
                r.t.verdict_commented = it->second.commented;
            }
            r.reason = litmus::unsupported(r.t);
            if (!r.reason.empty())
                r.status = "skipped";
            results.push_back(std::move(r));
        }
    } catch (const litmus::parse_error& e) {
        std::cerr << "gicv5-litmus: " << e.what() << "\n";
        return 2;
    }
    json tests = json::array();
    std::map<std::string, unsigned> counts;
    for (result& r : results) {
        if (r.status.empty())
            run_test(r, o);
        ++counts[r.status];
        if (o.json)
            tests.push_back(to_json(r, o));
        else
            print_text(r, o);
    }
    if (o.json) {
        json j;
        j["seed"] = o.seed;
        j["runs"] = o.runs;
        j["batch"] = o.batch;
        if (o.run)
            j["run"] = *o.run;
        j["tests"] = tests;
        j["summary"] = counts;
        std::cout << j.dump(2) << "\n";
    } else {
        std::cout << "summary:";
        for (const auto& [s, n] : counts)
            std::cout << " " << s << " " << n << ";";
        std::cout << "\n";
    }
    return counts["violated"] || counts["error"] ? 1 : 0;
}

} // namespace

int sc_main(int argc, char* argv[]) {
    (void)banner_off;
    return run(argc, argv);
}
