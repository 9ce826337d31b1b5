// Internal to the config loader: declarative key schemas. A keys_of<S> lists the keys of a YAML
// mapping that fills a struct S; each key knows how to load itself (validating and collecting
// errors), how to print its value (for documented defaults) and how to describe itself.
#pragma once

#include "config_loader.h"
#include "units.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace gicv5_sim::schema {

// Collects the errors of one load and knows where each value came from.
class context {
public:
    explicit context(std::string file) : file_(std::move(file)) {}

    // Values at or below `path` were supplied by the override `text`, not by the file.
    void add_override(std::string path, std::string text);
    // "FILE:LINE:COL", "FILE" when the node has no position, or "--set TEXT".
    std::string where(const YAML::Mark& mark, const std::string& path) const;
    void error(const YAML::Mark& mark, const std::string& path, const std::string& expected,
               const std::string& got);
    void raw_error(std::string message) { errors_.push_back(std::move(message)); }
    const std::string& file() const { return file_; }
    std::vector<std::string>& errors() { return errors_; }

private:
    std::string file_;
    std::vector<std::pair<std::string, std::string>> overrides_; // path, text
    std::vector<std::string> errors_;
};

// A node as text for "got '...'": the scalar, or compact flow YAML, shortened if long.
std::string show(const YAML::Node& node);
std::string flow(const YAML::Node& node);
std::string join(const std::string& path, const std::string& key);
// The parts of a dotted key path ("vms.0.tracking" -> vms, 0, tracking); empty parts kept.
std::vector<std::string> split_path(const std::string& path);
// A list index as a key path writes it: digits only.
bool all_digits(const std::string& s);
// The index a key path part names, or nothing when it is not all digits or is beyond any list
// (a part of 20 digits must not end the program with std::out_of_range).
std::optional<std::size_t> parse_index(const std::string& part);

// What a YAML document may hold beyond its values, checked on the parser's events before the
// document is loaded: exactly one document with content (YAML::Load would silently drop the
// others), and no tags but those of YAML's core schema (!!str, !!int, ...); anything else
// (!!python/object, !foo) would be read as its bare value. Throws YAML::ParserException as the
// parser does.
struct yaml_problem {
    YAML::Mark mark;
    std::string message; // "a second YAML document starts here: ..."
};
std::optional<yaml_problem> check_yaml_events(const std::string& text);

// A yaml-cpp parser message ("illegal map value") in plain words, for a user who may not know
// YAML's grammar; an unknown message is returned as it is.
std::string plain_yaml_error(const std::string& parser_message);
// For a null value ("key:" with nothing after) the key's position is the useful one.
YAML::Mark mark_of(const YAML::Node& value, const YAML::Node& key);

// The result of one --set: on success the document path it set ("vms.0.tracking"); on failure
// the parts of "PATH: expected EXPECTED, got 'GOT'".
struct override_outcome {
    bool ok = false;
    std::string path, expected, got;
};

// Applies "key.path=value" to the document root, checking the path against the declared keys.
// Sections and lists absent from the document are created (lists from their default) on the way.
override_outcome apply_override(YAML::Node& root, const std::string& text,
                                const std::vector<key_info>& keys);

template <class S>
struct field {
    std::string name;
    key_kind kind = key_kind::value;
    std::string type, unit, description;
    std::function<void(context&, const YAML::Node&, const YAML::Mark&, const std::string&, S&)>
        load;
    std::function<YAML::Node(const S&)> dump;
    // Sections and lists: appends the keys below this one.
    std::function<void(const std::string& path, const S& defaults, std::vector<key_info>&)>
        children;
};

template <class S>
using keys_of = std::vector<field<S>>;

template <class S>
void describe(const keys_of<S>& keys, const std::string& prefix, const S& defaults,
              std::vector<key_info>& out) {
    for (const field<S>& f : keys) {
        const std::string path = prefix + f.name;
        out.push_back({path, f.kind, f.type, flow(f.dump(defaults)), f.unit, f.description});
        if (f.children)
            f.children(path, defaults, out);
    }
}

template <class S>
YAML::Node dump_map(const keys_of<S>& keys, const S& s) {
    YAML::Node node(YAML::NodeType::Map);
    for (const field<S>& f : keys)
        node[f.name] = f.dump(s);
    return node;
}

template <class S>
std::string key_names(const keys_of<S>& keys) {
    std::string names;
    for (const field<S>& f : keys)
        names += (names.empty() ? "" : ", ") + f.name;
    return names;
}

// Loads the keys present in `node` into `out`; keys left out keep their value in `out`.
template <class S>
void load_map(context& cx, const YAML::Node& node, const YAML::Mark& mark, const std::string& path,
              const keys_of<S>& keys, S& out) {
    if (!node.IsMap()) {
        cx.error(mark, path, "a mapping with keys " + key_names(keys), show(node));
        return;
    }
    std::vector<std::string> seen;
    for (const auto& entry : node) {
        const YAML::Node& key = entry.first;
        if (!key.IsScalar()) {
            cx.error(key.Mark(), path, "a key name", show(key));
            continue;
        }
        const std::string key_path = join(path, key.Scalar());
        const field<S>* match = nullptr;
        for (const field<S>& f : keys)
            if (f.name == key.Scalar())
                match = &f;
        if (!match) {
            cx.error(key.Mark(), key_path, "one of the keys " + key_names(keys), key.Scalar());
        } else if (std::find(seen.begin(), seen.end(), key.Scalar()) != seen.end()) {
            cx.error(key.Mark(), key_path, "a key not already given in this mapping", key.Scalar());
        } else {
            seen.push_back(key.Scalar());
            match->load(cx, entry.second, mark_of(entry.second, key), key_path, out);
        }
    }
}

// A key holding one scalar. parse: string_view -> units::parsed<T>; format: const T& -> string.
template <class S, class Get, class Parse, class Format>
field<S> scalar_key(std::string name, std::string type, std::string unit, std::string description,
                    Get get, Parse parse, Format format) {
    field<S> f{std::move(name),
               key_kind::value,
               std::move(type),
               std::move(unit),
               std::move(description),
               {},
               {},
               {}};
    f.load = [get, parse](context& cx, const YAML::Node& node, const YAML::Mark& mark,
                          const std::string& path, S& out) {
        // Non-scalars are judged as empty text, which gets the parser's description of the syntax.
        auto result = parse(node.IsScalar() ? node.Scalar() : std::string());
        if (result)
            std::invoke(get, out) = *result.value;
        else
            cx.error(mark, path, result.expected, show(node));
    };
    f.dump = [get, format](const S& s) { return YAML::Node(format(std::invoke(get, s))); };
    return f;
}

template <class S, class Get>
field<S> integer_key(std::string name, Get get, uint64_t lo, uint64_t hi, std::string unit,
                     std::string description, bool hex = false) {
    using T = std::decay_t<std::invoke_result_t<Get, S&>>;
    const bool full_range = lo == 0 && hi == std::numeric_limits<T>::max();
    const std::string range = std::to_string(lo) + ".." + std::to_string(hi);
    auto parse = [lo, hi, full_range, range](std::string_view text) {
        auto n = units::parse_integer(text);
        if (n && (*n.value < lo || *n.value > hi))
            return units::parsed<T>::fail("an integer in " + range);
        if (!n)
            return units::parsed<T>::fail(full_range ? n.expected : n.expected + " in " + range);
        return units::parsed<T>::ok(static_cast<T>(*n.value));
    };
    auto format = [hex](const T& v) {
        return hex ? units::format_hex(v) : std::to_string(static_cast<uint64_t>(v));
    };
    return scalar_key<S>(std::move(name), full_range ? "integer" : "integer, " + range,
                         std::move(unit), std::move(description), get, parse, format);
}

// A list of integers in lo..hi, as a YAML sequence ([1, 2, 3]); each bad item is an error of its
// own, at its index.
template <class S, class Get>
field<S> integer_list_key(std::string name, Get get, uint64_t lo, uint64_t hi,
                          std::string description) {
    using V = std::decay_t<std::invoke_result_t<Get, S&>>;
    using T = typename V::value_type;
    const std::string range = std::to_string(lo) + ".." + std::to_string(hi);
    field<S> f{std::move(name),
               key_kind::value,
               "list of integers, " + range,
               "",
               std::move(description),
               {},
               {},
               {}};
    f.load = [get, lo, hi, range](context& cx, const YAML::Node& node, const YAML::Mark& mark,
                                  const std::string& path, S& out) {
        if (!node.IsSequence()) {
            cx.error(mark, path, "a list of integers in " + range + ", such as [1, 2]", show(node));
            return;
        }
        V values;
        for (std::size_t i = 0; i < node.size(); ++i) {
            const YAML::Node item = node[i];
            auto n = units::parse_integer(item.IsScalar() ? item.Scalar() : std::string());
            if (!n || *n.value < lo || *n.value > hi)
                cx.error(item.Mark(), join(path, std::to_string(i)), "an integer in " + range,
                         show(item));
            else
                values.push_back(static_cast<T>(*n.value));
        }
        std::invoke(get, out) = std::move(values);
    };
    f.dump = [get](const S& s) {
        YAML::Node list(YAML::NodeType::Sequence);
        list.SetStyle(YAML::EmitterStyle::Flow);
        for (const T& v : std::invoke(get, s))
            list.push_back(std::to_string(static_cast<uint64_t>(v)));
        return list;
    };
    return f;
}

template <class S, class Get>
field<S> address_key(std::string name, Get get, std::string description) {
    return scalar_key<S>(std::move(name), "address", "", std::move(description), get,
                         units::parse_integer, units::format_hex);
}

template <class S, class Get>
field<S> time_key(std::string name, Get get, bool positive, std::string description) {
    auto parse = [positive](std::string_view text) {
        auto t = units::parse_duration(text);
        if (t && positive && *t.value == sc_core::SC_ZERO_TIME)
            return units::parsed<sc_core::sc_time>::fail("a duration above 0");
        return t;
    };
    return scalar_key<S>(std::move(name), positive ? "duration, > 0" : "duration",
                         "fs, ps, ns, us, ms, s", std::move(description), get, parse,
                         units::format_duration);
}

template <class S, class Get>
field<S> frequency_key(std::string name, Get get, std::string description) {
    return scalar_key<S>(std::move(name), "frequency, > 0", "Hz, kHz, MHz, GHz",
                         std::move(description), get, units::parse_frequency,
                         units::format_frequency);
}

// A non-negative decimal number in `unit` (memory.bandwidth): 0, or at least 0.001 (a smaller
// one would make the time per unit overflow the simulator's time).
template <class S, class Get>
field<S> number_key(std::string name, Get get, std::string unit, std::string description) {
    auto parse = [](std::string_view text) {
        auto n = units::parse_number(text);
        if (n && *n.value > 0 && *n.value < 0.001)
            return units::parsed<double>::fail("0, or a number of at least 0.001");
        return n;
    };
    return scalar_key<S>(std::move(name), "number", std::move(unit), std::move(description), get,
                         parse, units::format_number);
}

template <class S, class Get>
field<S> size_key(std::string name, Get get, std::string description) {
    auto parse = [](std::string_view text) {
        auto n = units::parse_size(text);
        if (n && *n.value == 0)
            return units::parsed<uint64_t>::fail("a size above 0 bytes");
        return n;
    };
    return scalar_key<S>(std::move(name), "size, > 0", "B, KiB, MiB, GiB, TiB",
                         std::move(description), get, parse, units::format_size);
}

template <class S, class Get, class E>
field<S> enum_key(std::string name, Get get, std::vector<std::pair<std::string, E>> names,
                  std::string description) {
    std::string list;
    for (const auto& [text, value] : names)
        list += (list.empty() ? "" : ", ") + text;
    auto parse = [names, list](std::string_view text) {
        for (const auto& [n, value] : names)
            if (n == text)
                return units::parsed<E>::ok(value);
        return units::parsed<E>::fail("one of " + list);
    };
    auto format = [names](const E& v) {
        for (const auto& [n, value] : names)
            if (value == v)
                return n;
        return std::string("?");
    };
    return scalar_key<S>(std::move(name), "one of: " + list, "", std::move(description), get, parse,
                         format);
}

template <class S, class Get>
field<S> bool_key(std::string name, Get get, std::string description) {
    return enum_key<S>(std::move(name), get,
                       std::vector<std::pair<std::string, bool>>{{"false", false}, {"true", true}},
                       std::move(description));
}

// A nested mapping filling the struct get(S).
template <class S, class Get, class Sub = std::decay_t<std::invoke_result_t<Get, S&>>>
field<S> section_key(std::string name, Get get, const keys_of<Sub>& sub, std::string description) {
    field<S> f{
        std::move(name), key_kind::section, "section", "", std::move(description), {}, {}, {}};
    f.load = [get, &sub](context& cx, const YAML::Node& node, const YAML::Mark& mark,
                         const std::string& path,
                         S& out) { load_map(cx, node, mark, path, sub, std::invoke(get, out)); };
    f.dump = [get, &sub](const S& s) { return dump_map(sub, std::invoke(get, s)); };
    f.children = [get, &sub](const std::string& path, const S& defaults,
                             std::vector<key_info>& out) {
        describe(sub, path + ".", std::invoke(get, defaults), out);
    };
    return f;
}

// A list of mappings, each filling one element of the vector get(S). A list in the file replaces
// the default list; keys left out of an entry take the defaults of a default-constructed element.
template <class S, class Get,
          class Item = typename std::decay_t<std::invoke_result_t<Get, S&>>::value_type>
field<S> list_key(std::string name, Get get, const keys_of<Item>& item, std::size_t min_items,
                  std::string description, std::size_t max_items = 0) {
    std::string kind = "list";
    if (min_items && max_items)
        kind += ", " + std::to_string(min_items) + " to " + std::to_string(max_items) + " entries";
    else if (min_items)
        kind += ", at least " + std::to_string(min_items) + " entry";
    else if (max_items)
        kind += ", at most " + std::to_string(max_items) + " entries";
    field<S> f{std::move(name),
               key_kind::list,
               kind,
               "",
               std::move(description),
               {},
               {},
               {}};
    f.load = [get, &item, min_items, max_items](context& cx, const YAML::Node& node,
                                                const YAML::Mark& mark, const std::string& path,
                                                S& out) {
        if (!node.IsSequence()) {
            cx.error(mark, path, "a list of mappings with keys " + key_names(item), show(node));
            return;
        }
        if (max_items && node.size() > max_items) {
            cx.error(mark, path, "at most " + std::to_string(max_items) + " entries",
                     std::to_string(node.size()) + " entries");
            return;
        }
        std::vector<Item> items(node.size());
        for (std::size_t i = 0; i < node.size(); ++i)
            load_map(cx, node[i], node[i].Mark(), join(path, std::to_string(i)), item, items[i]);
        if (items.size() < min_items)
            cx.error(mark, path, "at least " + std::to_string(min_items) + " entry", show(node));
        std::invoke(get, out) = std::move(items);
    };
    f.dump = [get, &item](const S& s) {
        YAML::Node list(YAML::NodeType::Sequence);
        for (const Item& element : std::invoke(get, s))
            list.push_back(dump_map(item, element));
        return list;
    };
    f.children = [&item](const std::string& path, const S&, std::vector<key_info>& out) {
        describe(item, path + "[].", Item{}, out);
    };
    return f;
}

} // namespace gicv5_sim::schema
