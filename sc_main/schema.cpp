#include "schema.h"

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
            const std::size_t index = std::stoul(part);
            // Index == size appends an entry, whose other keys take their defaults.
            if (index > cur.size())
                return failed(next_actual, "an index in 0.." + std::to_string(cur.size()), part);
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
