// What a TOML value is, in the words of a configuration error ("must be a string, not an
// integer"), shared by the configuration reader (daemon/) and the tokens file (status/). Header
// only: the libraries that read TOML link toml++; core itself does not.
#pragma once

#include <toml++/toml.h>

#include <string_view>

namespace misync::core {

inline std::string_view tomlTypeName(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a float";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
        default:
            return "nothing";
    }
}

}  // namespace misync::core
