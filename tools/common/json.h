// JSON the way mosquitto_sub 2.0.11 reads and writes it for -F %j and %J: Debian builds it
// with cJSON 1.7.15, so tern_sub must accept the payloads cJSON accepts, and print them back
// byte for byte as cJSON does.
//
// What that means: leading and trailing bytes up to 0x20 are whitespace; a UTF-8 byte order mark
// may lead; numbers are whatever strtod reads from the run of [0-9+-.eE] characters and are
// printed with "%1.15g" (or "%1.17g" when that does not read back), NaN and infinities as null;
// strings keep raw bytes (even invalid UTF-8 and control characters) and print with \" \\ \b
// \f \n \r \t and \u00xx for other bytes below 0x20; a \u escape with bad hex digits is
// U+0000, and a string printed ends at its first U+0000 (cJSON strings are C strings); objects
// keep duplicate keys in order; nesting deeper than 1000 is refused. Pretty printing indents with
// tabs, puts a tab after each colon and ", " between array items.
//
// Value is a plain tree; the functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::tools::json {

struct Value {
  enum class Kind : std::uint8_t { null, boolean, number, string, array, object };
  Kind kind = Kind::null;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::string key;              // this value's key when it is a member of an object
  std::vector<Value> children;  // array items or object members, in order

  static Value make_null() { return Value{}; }
  static Value make_number(double n) {
    Value v;
    v.kind = Kind::number;
    v.number = n;
    return v;
  }
  static Value make_string(std::string s) {
    Value v;
    v.kind = Kind::string;
    v.string = std::move(s);
    return v;
  }
  static Value make_object() {
    Value v;
    v.kind = Kind::object;
    return v;
  }
  // Appends a member (objects) and returns it.
  Value& add(std::string member_key, Value value) {
    value.key = std::move(member_key);
    children.push_back(std::move(value));
    return children.back();
  }
};

// The whole of `text` must be one JSON value (with whitespace around it); text containing a NUL
// byte is refused, as mosquitto_sub refuses it.
std::optional<Value> parse(std::string_view text);

// Appends `value` as cJSON_PrintUnformatted (pretty = false) or cJSON_Print (pretty = true).
void print(const Value& value, bool pretty, std::string& out);

// Appends a quoted, escaped string (up to its first NUL byte), as cJSON prints strings.
void print_string(std::string_view text, std::string& out);

// Appends a number as cJSON prints it.
void print_number(double number, std::string& out);

}  // namespace tern::tools::json
