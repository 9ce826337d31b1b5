// kinds.txt, herdtools7's verdict list: "name<TAB>Verdict", and "# name Verdict" for a verdict
// known but not yet checked by herd.
#include "litmus/litmus.h"

#include <sstream>

namespace litmus {

std::map<std::string, kind_entry> parse_kinds(const std::string& text, const std::string& file) {
    std::map<std::string, kind_entry> out;
    std::istringstream in(text);
    int line = 0;
    for (std::string l; std::getline(in, l);) {
        ++line;
        std::string s = l;
        s.erase(0, s.find_first_not_of(" \t\r"));
        s.erase(s.find_last_not_of(" \t\r") + 1);
        if (s.empty())
            continue;
        kind_entry e;
        if (s[0] == '#') {
            e.commented = true;
            s.erase(0, s.find_first_not_of(" \t", 1));
        }
        std::istringstream w(s);
        std::string name, verdict, extra;
        w >> name >> verdict >> extra;
        const bool known = verdict == "Allow" || verdict == "Forbid" || verdict == "Require";
        if (e.commented && (!known || !extra.empty()))
            continue; // another comment
        if (!known || !extra.empty())
            throw parse_error(file + ":" + std::to_string(line) +
                              ": expected 'name<TAB>Allow|Forbid', got '" + s + "'");
        e.verdict = verdict;
        out[name] = e;
    }
    return out;
}

} // namespace litmus
