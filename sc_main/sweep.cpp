#include "sweep.h"

#include "cli.h"
#include "config_loader.h"
#include "expect.h"
#include "report.h"

#include "platform/output_file.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

namespace gicv5_sim {

namespace {

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(text);
    while (std::getline(in, part, sep))
        parts.push_back(part);
    if (!text.empty() && text.back() == sep)
        parts.emplace_back();
    return parts;
}

// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos)
        return s;
    std::string q = "\"";
    for (char c : s)
        q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

// A word for a POSIX shell, single-quoted unless it is plainly safe.
std::string shell_word(const std::string& s) {
    if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_-./=:,+@%") == std::string::npos)
        return s;
    std::string q = "'";
    for (char c : s)
        q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::string value_text(const nlohmann::ordered_json* v) {
    if (!v || v->is_null())
        return "";
    if (v->is_string())
        return v->get<std::string>();
    if (v->is_number_float()) {
        std::ostringstream out;
        out << std::setprecision(15) << v->get<double>();
        return out.str();
    }
    return v->dump();
}

std::string point_name(std::size_t i) {
    std::ostringstream out;
    out << "point-" << std::setw(4) << std::setfill('0') << i;
    return out.str();
}

} // namespace

std::optional<sweep_axis> parse_sweep(const std::string& text, std::string& error) {
    const std::size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0) {
        error = "--sweep " + text + ": expected KEY.PATH=V1,V2,...";
        return std::nullopt;
    }
    sweep_axis axis{text.substr(0, eq), split(text.substr(eq + 1), ',')};
    for (const std::string& k : split(axis.key, ','))
        if (k.empty()) {
            error = "--sweep " + text + ": expected a key path between each pair of commas";
            return std::nullopt;
        }
    for (const std::string& v : axis.values)
        if (v.empty()) {
            error = "--sweep " + text + ": expected a value between each pair of commas";
            return std::nullopt;
        }
    if (axis.values.empty()) {
        error = "--sweep " + text + ": expected at least one value";
        return std::nullopt;
    }
    return axis;
}

std::vector<std::vector<std::string>> sweep_points(const std::vector<sweep_axis>& axes) {
    std::vector<std::vector<std::string>> points{{}};
    for (const sweep_axis& axis : axes) {
        std::vector<std::vector<std::string>> next;
        const std::vector<std::string> keys = split(axis.key, ',');
        for (const auto& p : points)
            for (const std::string& v : axis.values) {
                next.push_back(p);
                for (const std::string& k : keys) // keys swept together take the same value
                    next.back().push_back(k + "=" + v);
            }
        points = std::move(next);
    }
    return points;
}

const std::vector<std::string>& default_sweep_columns() {
    static const std::vector<std::string> columns{
        "interrupts.injected", "interrupts.delivered", "interrupts.lost",     "latency_ns.p50",
        "latency_ns.p99",      "latency_ns.max",       "latency_ns.mean",     "ap_list.max_length",
        "vcpu_exits",          "instructions.VDPEND",  "instructions.VDRCFG", "drained",
        "sim_time_ns",         "host_seconds"};
    return columns;
}

void write_sweep_csv(std::ostream& out, const std::vector<std::string>& report_files,
                     const std::vector<nlohmann::ordered_json>& reports,
                     const std::vector<std::string>& columns) {
    // The swept keys: every key a run set with --set, first seen first; a later --set of the
    // same key in one run wins, as in the run itself.
    std::vector<std::string> keys;
    std::vector<std::map<std::string, std::string>> set_in(reports.size());
    for (std::size_t r = 0; r < reports.size(); ++r) {
        const nlohmann::ordered_json* overrides = find_path(reports[r], "config.overrides");
        if (!overrides || !overrides->is_array())
            continue;
        for (const auto& o : *overrides) {
            const std::string text = o.is_string() ? o.get<std::string>() : std::string();
            const std::size_t eq = text.find('=');
            if (eq == std::string::npos)
                continue;
            const std::string key = text.substr(0, eq);
            if (std::find(keys.begin(), keys.end(), key) == keys.end())
                keys.push_back(key);
            set_in[r][key] = text.substr(eq + 1);
        }
    }
    out << "report";
    for (const std::string& k : keys)
        out << "," << csv_field(k);
    for (const std::string& c : columns)
        out << "," << csv_field(c);
    out << "\n";
    for (std::size_t r = 0; r < reports.size(); ++r) {
        out << csv_field(report_files[r]);
        for (const std::string& k : keys) {
            const auto it = set_in[r].find(k);
            out << "," << csv_field(it == set_in[r].end() ? "" : it->second);
        }
        for (const std::string& c : columns)
            out << "," << csv_field(value_text(find_path(reports[r], c)));
        out << "\n";
    }
}

std::string report_problem(const nlohmann::ordered_json& report,
                           const std::vector<std::string>& columns) {
    if (!report.is_object())
        return "it is not a JSON object";
    const auto schema = report.find("schema");
    if (schema == report.end() || !schema->is_string() || *schema != "gicv5-sim-report")
        return "its \"schema\" is not \"gicv5-sim-report\"";
    const auto version = report.find("schema_version");
    if (version == report.end() || !version->is_number_integer())
        return "its \"schema_version\" is not an integer";
    if (*version != report_schema_version)
        return "its schema_version is " + version->dump() + ", this gicv5-sim reads " +
               std::to_string(report_schema_version) + " (docs/report.md)";
    const nlohmann::ordered_json* overrides = find_path(report, "config.overrides");
    if (overrides) {
        bool ok = overrides->is_array();
        for (const auto& o : ok ? *overrides : nlohmann::ordered_json::array())
            ok = ok && o.is_string();
        if (!ok)
            return "its config.overrides is not a list of \"KEY.PATH=VALUE\" strings";
    }
    for (const std::string& c : columns.empty() ? default_sweep_columns() : columns) {
        const nlohmann::ordered_json* v = find_path(report, c);
        if (v && !v->is_number() && !v->is_boolean())
            return "its " + c + " is " + std::string(v->type_name()) + ", expected a number";
    }
    return "";
}

namespace {
// The CSV of these reports into `csv` (default columns when none are given); exit_bad_input,
// with the reason, when it cannot be written.
int write_csv_file(platform::output_file& csv, const std::vector<std::string>& report_files,
                   const std::vector<nlohmann::ordered_json>& reports,
                   const std::vector<std::string>& columns) {
    write_sweep_csv(csv.stream(), report_files, reports,
                    columns.empty() ? default_sweep_columns() : columns);
    return csv.commit(std::cerr) ? exit_ok : exit_bad_input;
}

const char* signal_name(int sig) {
    const char* name = ::sigabbrev_np(sig);
    return name ? name : "an unknown signal";
}
} // namespace

int merge_reports(const std::vector<std::string>& report_files, const std::string& csv_path,
                  const std::vector<std::string>& columns, bool dry_run) {
    std::vector<nlohmann::ordered_json> reports;
    for (const std::string& f : report_files) {
        std::error_code ec;
        const std::filesystem::file_status st = std::filesystem::status(f, ec);
        std::string problem;
        if (!std::filesystem::exists(st))
            problem = "no such file";
        else if (!std::filesystem::is_regular_file(st))
            problem = std::filesystem::is_directory(st) ? "it is a directory, not a report"
                                                        : "it is not a regular file";
        std::ifstream in;
        if (problem.empty()) {
            in.open(f);
            if (!in)
                problem = std::string("cannot read it: ") + std::strerror(errno);
        }
        nlohmann::ordered_json j;
        if (problem.empty()) {
            j = nlohmann::ordered_json::parse(in, nullptr, false);
            problem = j.is_discarded() ? "it is not JSON" : report_problem(j, columns);
        }
        if (!problem.empty()) {
            std::cerr << "gicv5-sim: --merge: '" << f << "': " << problem << "\n";
            return exit_bad_input;
        }
        reports.push_back(std::move(j));
    }
    if (dry_run)
        return exit_ok;
    platform::output_file csv;
    if (!csv.open(csv_path, "the CSV", std::cerr))
        return exit_bad_input;
    return write_csv_file(csv, report_files, reports, columns);
}

bool check_sweep(const sweep_options& opt, std::string& error) {
    std::vector<std::string> swept;
    std::size_t points = 1;
    for (const sweep_axis& axis : opt.axes) {
        for (const std::string& k : split(axis.key, ',')) {
            if (std::find(swept.begin(), swept.end(), k) != swept.end()) {
                error = "--sweep " + axis.key + ": " + k +
                        " is swept twice; give all its values in one --sweep";
                return false;
            }
            swept.push_back(k);
            for (const std::string& s : opt.sets)
                if (s.compare(0, k.size() + 1, k + "=") == 0) {
                    error = "--set " + s + " does nothing: --sweep " + axis.key +
                            " sets " + k + " in every point";
                    return false;
                }
        }
        if (axis.values.size() > max_sweep_points / points) {
            error = "--sweep: more than " + std::to_string(max_sweep_points) +
                    " points; sweep fewer values";
            return false;
        }
        points *= axis.values.size();
    }
    return true;
}

int run_sweep(const sweep_options& opt, const std::string& exe) {
    const std::vector<std::vector<std::string>> points = sweep_points(opt.axes);
    // Every point's config is checked before any runs: a typo fails at once, not hours later.
    for (const auto& point : points) {
        std::vector<std::string> sets = opt.sets;
        sets.insert(sets.end(), point.begin(), point.end());
        const load_result loaded = load_config(opt.config_path, sets);
        if (!loaded.ok()) {
            for (const std::string& e : loaded.errors)
                std::cerr << e << "\n";
            return exit_bad_input;
        }
    }
    if (opt.dry_run)
        return exit_ok;
    std::vector<std::vector<std::string>> commands;
    std::vector<std::string> report_files;
    for (std::size_t i = 0; i < points.size(); ++i) {
        std::vector<std::string> argv{exe, opt.config_path};
        for (const std::string& s : opt.sets)
            argv.insert(argv.end(), {"--set", s});
        for (const std::string& s : points[i])
            argv.insert(argv.end(), {"--set", s});
        if (!opt.seed_text.empty())
            argv.insert(argv.end(), {"--seed", opt.seed_text});
        report_files.push_back(opt.dir + "/" + point_name(i) + ".json");
        argv.insert(argv.end(), {"--report", report_files.back(), "--quiet"});
        commands.push_back(std::move(argv));
    }
    std::error_code ec;
    std::filesystem::create_directories(opt.dir, ec); // the runs write their reports there
    if (ec) {
        std::cerr << "gicv5-sim: cannot create the sweep directory '" << opt.dir
                  << "': " << ec.message() << "\n";
        return exit_bad_input;
    }
    if (opt.emit_jobs) {
        std::cout.flush();
        platform::output_file out;
        out.open_descriptor(STDOUT_FILENO, "standard output");
        for (const auto& argv : commands) {
            std::string line;
            for (const std::string& a : argv)
                line += (line.empty() ? "" : " ") + shell_word(a);
            out.stream() << line << "\n";
        }
        return out.commit(std::cerr) ? exit_ok : exit_bad_input;
    }
    // Opened before the points run, so that an unwritable CSV fails at once.
    const std::string csv_path = opt.csv_path.empty() ? opt.dir + "/sweep.csv" : opt.csv_path;
    platform::output_file csv;
    if (!csv.open(csv_path, "the CSV", std::cerr))
        return exit_bad_input;

    if (!opt.quiet)
        std::cerr << "sweep: " << points.size() << " points, " << opt.jobs << " at a time, in "
                  << opt.dir << "/\n";
    // Exit statuses; a point killed by a signal has killed_by set instead.
    std::vector<int> status(points.size(), -1), killed_by(points.size(), 0);
    std::map<pid_t, std::size_t> running;
    std::size_t next = 0;
    auto reap = [&] {
        int st = 0;
        const pid_t pid = ::wait(&st);
        if (pid <= 0)
            return;
        const std::size_t i = running.at(pid);
        running.erase(pid);
        status[i] = WIFEXITED(st) ? WEXITSTATUS(st) : exit_internal_error;
        if (WIFSIGNALED(st))
            killed_by[i] = WTERMSIG(st);
    };
    while (next < points.size() || !running.empty()) {
        if (next < points.size() && running.size() < opt.jobs) {
            const std::size_t i = next++;
            const std::string log = opt.dir + "/" + point_name(i) + ".log";
            std::fflush(nullptr);
            const pid_t pid = ::fork();
            if (pid == 0) {
                // The point's own output goes to its log, so that runs in parallel do not mix.
                std::FILE* f = std::freopen(log.c_str(), "w", stdout);
                if (f)
                    ::dup2(::fileno(stdout), STDERR_FILENO);
                std::vector<char*> args;
                for (const std::string& a : commands[i])
                    args.push_back(const_cast<char*>(a.c_str()));
                args.push_back(nullptr);
                ::execv(exe.c_str(), args.data());
                std::_Exit(127);
            }
            if (pid < 0) {
                std::cerr << "gicv5-sim: cannot start a sweep point: " << std::strerror(errno)
                          << "\n";
                status[i] = exit_internal_error;
                continue;
            }
            running[pid] = i;
        } else {
            reap();
        }
    }

    int result = exit_ok;
    std::vector<std::string> done_files;
    std::vector<nlohmann::ordered_json> done;
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (status[i] == exit_ok || status[i] == exit_expectation_failed) {
            std::ifstream in(report_files[i]);
            nlohmann::ordered_json j = nlohmann::ordered_json::parse(in, nullptr, false);
            if (!j.is_discarded()) {
                done_files.push_back(report_files[i]);
                done.push_back(std::move(j));
            }
        }
        if (status[i] != exit_ok) {
            std::string what;
            for (const std::string& s : points[i])
                what += (what.empty() ? "" : " ") + s;
            std::cerr << "sweep: " << point_name(i) << " (" << what << ") ";
            if (killed_by[i] != 0)
                std::cerr << "was killed by SIG" << signal_name(killed_by[i]);
            else
                std::cerr << "exited " << status[i];
            std::cerr << ", see " << opt.dir << "/" << point_name(i) << ".log\n";
            result =
                std::max(result, status[i] == exit_expectation_failed ? int{exit_expectation_failed}
                                                                      : int{exit_bad_input});
        }
    }
    if (write_csv_file(csv, done_files, done, opt.columns) != exit_ok)
        return exit_bad_input;
    if (!opt.quiet)
        std::cerr << "sweep: " << done.size() << " of " << points.size() << " points in "
                  << csv_path << "\n";
    return result;
}

} // namespace gicv5_sim
