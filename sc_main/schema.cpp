#include "schema.h"

#include <yaml-cpp/eventhandler.h>

#include <sstream>

namespace gicv5_sim::schema {

void context::add_override(std::string path, std::string text) {
    overrides_.emplace_back(std::move(path), std::move(text));
}

std::string context::where(const YAML::Mark& mark, const std::string& path) const {
    // The last override covering the path wins, as it was applied last.
    for (auto it = overrides_.rbegin(); it != overrides_.rend(); ++it) {
        const std::string& set = it->first;
        if (path == set || (path.size() > set.size() && path.compare(0, set.size(), set) == 0 &&
                            path[set.size()] == '.'))
            return "--set " + it->second;
    }
    if (mark.is_null())
        return file_;
    return file_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

void context::error(const YAML::Mark& mark, const std::string& path, const std::string& expected,
                    const std::string& got) {
    errors_.push_back(where(mark, path) + ": " + (path.empty() ? "(top level)" : path) +
                      ": expected " + expected + ", got '" + got + "'");
}

std::string flow(const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull())
        return "";
    if (node.IsScalar())
        return node.Scalar();
    YAML::Emitter out;
    out.SetMapFormat(YAML::Flow);
    out.SetSeqFormat(YAML::Flow);
    out << node;
    return out.c_str();
}

std::string show(const YAML::Node& node) {
    constexpr std::size_t limit = 60;
    std::string text = flow(node);
    if (text.size() > limit)
        text = text.substr(0, limit - 3) + "...";
    return text;
}

std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
}

YAML::Mark mark_of(const YAML::Node& value, const YAML::Node& key) {
    return value.IsNull() ? key.Mark() : value.Mark();
}

namespace {

override_outcome failed(std::string path, std::string expected, std::string got) {
    return {false, std::move(path), std::move(expected), std::move(got)};
}

std::string child_names(const std::vector<key_info>& keys, const std::string& canonical) {
    const std::string prefix = canonical.empty() ? "" : canonical + ".";
    std::string names;
    for (const key_info& k : keys) {
        if (k.path.compare(0, prefix.size(), prefix) != 0)
            continue;
        const std::string rest = k.path.substr(prefix.size());
        if (rest.find('.') == std::string::npos)
            names += (names.empty() ? "" : ", ") + rest;
    }
    return names;
}

const key_info* find_key(const std::vector<key_info>& keys, const std::string& path) {
    for (const key_info& k : keys)
        if (k.path == path)
            return &k;
    return nullptr;
}

} // namespace

bool all_digits(const std::string& s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

std::optional<std::size_t> parse_index(const std::string& part) {
    // Nine digits are below any list's size limit and far from overflowing std::size_t.
    if (!all_digits(part) || part.size() > 9)
        return std::nullopt;
    return static_cast<std::size_t>(std::stoul(part));
}

namespace {

// Tags of YAML's core schema, which say what the loader assumes anyway; yaml-cpp reports an
// untagged node as "?" (plain) or "!" (quoted).
bool core_tag(const std::string& tag) {
    static const std::string core = "tag:yaml.org,2002:";
    if (tag.empty() || tag == "?" || tag == "!")
        return true;
    if (tag.compare(0, core.size(), core) != 0)
        return false;
    const std::string name = tag.substr(core.size());
    for (const char* ok : {"str", "int", "float", "bool", "null", "map", "seq"})
        if (name == ok)
            return true;
    return false;
}

// The tag as the file wrote it, as far as it can be told: "!!python/object", "!foo".
std::string written_tag(const std::string& tag) {
    static const std::string core = "tag:yaml.org,2002:";
    return tag.compare(0, core.size(), core) == 0 ? "!!" + tag.substr(core.size()) : tag;
}

class event_check : public YAML::EventHandler {
public:
    explicit event_check(const std::string& text) : text_(text) {}
    std::optional<yaml_problem> problem;

    void OnDocumentStart(const YAML::Mark& mark) override {
        // yaml-cpp 0.7 starts document after document at a stray flow indicator (",0") without
        // reading anything: a parser that does not move on is a syntax error, not a loop.
        if (documents_ > 0 && mark.pos == start_.pos && !problem)
            problem = yaml_problem{mark, "YAML syntax error: a ',', ']' or '}' outside any "
                                         "[...] or {...}: remove it, or quote the value"};
        ++documents_;
        start_ = mark;
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { content(mark); }
    void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t,
                  const std::string&) override {
        node(mark, tag);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {
        node(mark, tag);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {
        node(mark, tag);
    }
    void OnMapEnd() override {}

private:
    void node(const YAML::Mark& mark, const std::string& tag) {
        content(mark);
        if (!problem && !core_tag(tag))
            problem = yaml_problem{
                mark, "the YAML tag '" + written_tag(tag) +
                          "' is not supported: a config holds plain values, write it without "
                          "the tag"};
    }
    // Content in a document after the first is an error; an empty one (a trailing '---') is not.
    void content(const YAML::Mark& mark) {
        if (documents_ < 2 || problem)
            return;
        const bool marker = start_.pos >= 0 &&
                            text_.compare(static_cast<std::size_t>(start_.pos), 3, "---") == 0;
        // yaml-cpp starts a new document where a line's indentation ends a block mapping or list
        // that cannot go on ("- a" then "b: 1"): that is a mistake of indentation.
        problem = marker ? yaml_problem{start_, "a second YAML document starts here ('---'): a "
                                                "config is one document; remove this line and "
                                                "what follows, or start another file"}
                         : yaml_problem{mark, "YAML syntax error: this line does not continue "
                                              "the mapping or list above it: check its "
                                              "indentation (and that a list does not end the "
                                              "file's top-level keys)"};
    }

    const std::string& text_;
    int documents_ = 0;
    YAML::Mark start_;
};

} // namespace

std::optional<yaml_problem> check_yaml_events(const std::string& text) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    event_check check(text);
    while (!check.problem && parser.HandleNextDocument(check)) {
    }
    return check.problem;
}

std::string plain_yaml_error(const std::string& message) {
    // yaml-cpp's messages (yaml-cpp/exceptions.h, ErrorMsg) that a hand-written config meets.
    static const std::pair<const char*, const char*> words[] = {
        {"illegal map value",
         "a ':' where no mapping value can start: a value cannot itself be 'key: value' on the "
         "same line (use {key: value} or a new, indented line), or this line is indented more "
         "than the keys it belongs with"},
        {"illegal map key", "a '?' (a complex mapping key), which a config does not use"},
        {"illegal block entry",
         "a '- ' list entry where no list can start: indent it under its key, and align it with "
         "the entries before it"},
        {"end of map not found",
         "this line's indentation does not match the keys of the mapping above it"},
        {"end of sequence not found",
         "this line's indentation does not match the entries of the list above it"},
        {"end of map flow not found", "a '{' that no '}' closes"},
        {"end of sequence flow not found", "a '[' that no ']' closes"},
        {"illegal flow end", "a ']' or '}' that no '[' or '{' opened"},
        {"illegal EOF in scalar", "a quoted string that is not closed before the end of the file"},
        {"illegal character in scalar",
         "a character that cannot stand in an unquoted value here: put the value in quotes"},
        {"illegal tab when looking for indentation",
         "a tab in the indentation: YAML indents with spaces only"},
        {"illegal document indicator in scalar",
         "a line starting '---' or '...' inside a quoted string"},
        {"unknown escape character: ",
         "an unknown backslash escape in a double-quoted string (use single quotes for "
         "backslashes): "},
        {"invalid character in single-quoted string",
         "a character that cannot stand in a single-quoted string"},
        {"unknown token", "text that is not YAML here"},
        {"the referenced anchor is not defined",
         "an alias (*name) whose anchor (&name) is not defined before it"},
        {"alias not found after *", "a '*' without an alias name after it"},
        {"anchor not found after &", "a '&' without an anchor name after it"},
        {"cannot assign multiple tags to the same node", "two tags on one value"},
        {"cannot assign multiple anchors to the same node", "two anchors (&name) on one value"},
        // yaml-cpp's depth guard says "bad file" when lists and mappings nest 500 deep.
        {"bad file", "lists or mappings nested hundreds deep, too deep for a config"},
    };
    for (const auto& [terse, plain] : words) {
        const std::string t = terse;
        if (message.compare(0, t.size(), t) == 0)
            return plain + message.substr(t.size());
    }
    return message;
}

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> parts;
    for (std::size_t start = 0;;) {
        const std::size_t dot = path.find('.', start);
        parts.push_back(path.substr(start, dot - start));
        if (dot == std::string::npos)
            return parts;
        start = dot + 1;
    }
}

override_outcome apply_override(YAML::Node& root, const std::string& text,
                                const std::vector<key_info>& keys) {
    const std::size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0)
        return failed("", "KEY.PATH=VALUE", text);
    const std::string key_path = text.substr(0, eq);
    YAML::Node value;
    try {
        if (auto problem = check_yaml_events(text.substr(eq + 1)))
            return failed(key_path, "a YAML value after '=' (" + problem->message + ")",
                          text.substr(eq + 1));
        value = YAML::Load(text.substr(eq + 1));
    } catch (const YAML::Exception&) {
        return failed(key_path, "a YAML value after '='", text.substr(eq + 1));
    }
    const std::vector<std::string> parts = split_path(key_path);
    for (const std::string& p : parts)
        if (p.empty())
            return failed(key_path, "a dotted key path such as vms.0.tracking", key_path);

    // Walk the document and the declared keys together. `canonical` is the path as declared
    // ("vms[].guest"), `actual` the one in the document ("vms.0.guest").
    YAML::Node cur = root;
    std::string canonical, actual;
    key_kind kind = key_kind::section;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::string& part = parts[i];
        const bool last = i + 1 == parts.size();
        const std::string next_actual = join(actual, part);
        if (kind == key_kind::value)
            return failed(next_actual, "no key below '" + actual + "', which is a value", part);
        if (kind == key_kind::list) {
            if (!all_digits(part))
                return failed(next_actual, "a list index (0, 1, ...)", part);
            if (cur.IsNull())
                cur = YAML::Node(YAML::NodeType::Sequence);
            if (!cur.IsSequence())
                return failed(actual, "a list", show(cur));
            // Index == size appends an entry, whose other keys take their defaults.
            const std::optional<std::size_t> parsed = parse_index(part);
            if (!parsed || *parsed > cur.size())
                return failed(next_actual, "an index in 0.." + std::to_string(cur.size()), part);
            const std::size_t index = *parsed;
            if (index == cur.size())
                cur.push_back(last ? value : YAML::Node(YAML::NodeType::Map));
            else if (last)
                cur[index] = value;
            if (last)
                return {true, next_actual, "", ""};
            YAML::Node element = cur[index];
            cur.reset(element);
            canonical += "[]";
            kind = key_kind::section;
        } else {
            const std::string next_canonical = join(canonical, part);
            const key_info* key = find_key(keys, next_canonical);
            if (!key)
                return failed(next_actual, "one of the keys " + child_names(keys, canonical), part);
            // Assigning to a bound node rebinds its content in place, so a null entry in the
            // document becomes a mapping there.
            if (cur.IsNull())
                cur = YAML::Node(YAML::NodeType::Map);
            if (!cur.IsMap())
                return failed(actual, "a mapping", show(cur));
            if (last) {
                cur[part] = value;
                return {true, next_actual, "", ""};
            }
            if (!cur[part]) {
                // Absent from the file: start from the documented default, so that setting one
                // key of a default list entry keeps the others.
                cur[part] = key->kind == key_kind::list ? YAML::Load(key->default_value)
                                                        : YAML::Node(YAML::NodeType::Map);
            }
            YAML::Node child = cur[part];
            cur.reset(child);
            canonical = next_canonical;
            kind = key->kind;
        }
        actual = next_actual;
    }
    return {true, actual, "", ""}; // unreachable: the loop returns at the last part
}

} // namespace gicv5_sim::schema
