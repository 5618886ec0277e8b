// A JSON reader and writer that reproduce cJSON 1.7.15 (parse_value, parse_string,
// utf16_literal_to_utf8, print_number, print_string_ptr, print_array, print_object), written
// from its documented behaviour so that %J output matches mosquitto_sub's byte for byte.
#include "common/json.h"

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace tern::tools::json {

namespace {

constexpr int kNestingLimit = 1000;  // CJSON_NESTING_LIMIT

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  std::optional<Value> parse_document() {
    // A byte order mark is skipped only when at least one more byte follows it in cJSON's
    // buffer, which counts the terminating NUL.
    if (text_.size() + 1 >= 4 && text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    skip_whitespace();
    Value value;
    if (!parse_value(value)) return std::nullopt;
    skip_whitespace();
    if (pos_ != text_.size()) return std::nullopt;
    return value;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  unsigned char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? static_cast<unsigned char>(text_[pos_ + ahead]) : 0;
  }
  void skip_whitespace() {
    while (!at_end() && peek() <= 32)
      ++pos_;
  }
  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool parse_value(Value& value) {
    if (literal("null")) {
      value.kind = Value::Kind::null;
      return true;
    }
    if (literal("false")) {
      value.kind = Value::Kind::boolean;
      value.boolean = false;
      return true;
    }
    if (literal("true")) {
      value.kind = Value::Kind::boolean;
      value.boolean = true;
      return true;
    }
    if (at_end()) return false;
    unsigned char c = peek();
    if (c == '"') {
      value.kind = Value::Kind::string;
      return parse_string(value.string);
    }
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number(value);
    if (c == '[') return parse_container(value, Value::Kind::array, ']');
    if (c == '{') return parse_container(value, Value::Kind::object, '}');
    return false;
  }

  bool parse_number(Value& value) {
    // cJSON copies at most 63 characters of the number alphabet and lets strtod decide.
    std::string digits;
    for (std::size_t i = 0; i < 63 && pos_ + i < text_.size(); ++i) {
      char c = text_[pos_ + i];
      bool in_alphabet =
          (c >= '0' && c <= '9') || c == '+' || c == '-' || c == 'e' || c == 'E' || c == '.';
      if (!in_alphabet) break;
      digits.push_back(c);
    }
    char* end = nullptr;
    double number = std::strtod(digits.c_str(), &end);
    if (end == digits.c_str()) return false;
    pos_ += static_cast<std::size_t>(end - digits.c_str());
    value.kind = Value::Kind::number;
    value.number = number;
    return true;
  }

  static int hex_digit(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return 10 + c - 'A';
    if (c >= 'a' && c <= 'f') return 10 + c - 'a';
    return -1;
  }
  // cJSON's parse_hex4: any bad digit makes the whole number 0.
  unsigned hex4(std::size_t at) const {
    unsigned h = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      int d = hex_digit(static_cast<unsigned char>(text_[at + i]));
      if (d < 0) return 0;
      h = (h << 4) | static_cast<unsigned>(d);
    }
    return h;
  }

  static void append_utf8(char32_t cp, std::string& out) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool parse_string(std::string& out) {
    if (peek() != '"') return false;
    // Find the closing quote first, skipping the byte after each backslash.
    std::size_t end = pos_ + 1;
    while (end < text_.size() && text_[end] != '"') {
      if (text_[end] == '\\') {
        if (end + 1 >= text_.size()) return false;
        ++end;
      }
      ++end;
    }
    if (end >= text_.size()) return false;
    std::size_t i = pos_ + 1;
    while (i < end) {
      char c = text_[i];
      if (c != '\\') {
        out.push_back(c);
        ++i;
        continue;
      }
      char e = text_[i + 1];
      switch (e) {
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'u': {
          if (end - i < 6) return false;
          unsigned first = hex4(i + 2);
          if (first >= 0xDC00 && first <= 0xDFFF) return false;
          char32_t cp = first;
          std::size_t length = 6;
          if (first >= 0xD800 && first <= 0xDBFF) {
            std::size_t second_at = i + 6;
            if (end - second_at < 6) return false;
            if (text_[second_at] != '\\' || text_[second_at + 1] != 'u') return false;
            unsigned second = hex4(second_at + 2);
            if (second < 0xDC00 || second > 0xDFFF) return false;
            cp = 0x10000 + (((first & 0x3FF) << 10) | (second & 0x3FF));
            length = 12;
          }
          append_utf8(cp, out);
          i += length;
          continue;
        }
        default:
          return false;
      }
      i += 2;
    }
    pos_ = end + 1;
    return true;
  }

  bool parse_container(Value& value, Value::Kind kind, char close) {
    if (depth_ >= kNestingLimit) return false;
    ++depth_;
    value.kind = kind;
    ++pos_;  // '[' or '{'
    skip_whitespace();
    if (!at_end() && peek() == static_cast<unsigned char>(close)) {
      ++pos_;
      --depth_;
      return true;
    }
    if (at_end()) return false;
    while (true) {
      skip_whitespace();
      Value child;
      if (kind == Value::Kind::object) {
        if (!parse_string(child.key)) return false;
        skip_whitespace();
        if (at_end() || peek() != ':') return false;
        ++pos_;
        skip_whitespace();
      }
      if (!parse_value(child)) return false;
      value.children.push_back(std::move(child));
      skip_whitespace();
      if (!at_end() && peek() == ',') {
        ++pos_;
        continue;
      }
      break;
    }
    if (at_end() || peek() != static_cast<unsigned char>(close)) return false;
    ++pos_;
    --depth_;
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

void print_value(const Value& value, bool pretty, int& depth, std::string& out) {
  switch (value.kind) {
    case Value::Kind::null:
      out += "null";
      return;
    case Value::Kind::boolean:
      out += value.boolean ? "true" : "false";
      return;
    case Value::Kind::number:
      print_number(value.number, out);
      return;
    case Value::Kind::string:
      print_string(value.string, out);
      return;
    case Value::Kind::array: {
      out.push_back('[');
      ++depth;
      for (std::size_t i = 0; i < value.children.size(); ++i) {
        print_value(value.children[i], pretty, depth, out);
        if (i + 1 < value.children.size()) out += pretty ? ", " : ",";
      }
      out.push_back(']');
      --depth;
      return;
    }
    case Value::Kind::object: {
      out.push_back('{');
      ++depth;
      if (pretty) out.push_back('\n');
      for (std::size_t i = 0; i < value.children.size(); ++i) {
        const Value& member = value.children[i];
        if (pretty) out.append(static_cast<std::size_t>(depth), '\t');
        print_string(member.key, out);
        out.push_back(':');
        if (pretty) out.push_back('\t');
        print_value(member, pretty, depth, out);
        if (i + 1 < value.children.size()) out.push_back(',');
        if (pretty) out.push_back('\n');
      }
      if (pretty) out.append(static_cast<std::size_t>(depth - 1), '\t');
      out.push_back('}');
      --depth;
      return;
    }
  }
}

}  // namespace

std::optional<Value> parse(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  return Parser(text).parse_document();
}

void print(const Value& value, bool pretty, std::string& out) {
  int depth = 0;
  print_value(value, pretty, depth, out);
}

void print_string(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == 0) break;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 32) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

void print_number(double number, std::string& out) {
  if (std::isnan(number) || std::isinf(number)) {
    out += "null";
    return;
  }
  char buffer[32];
  int length = std::snprintf(buffer, sizeof buffer, "%1.15g", number);
  // cJSON keeps 15 digits when they read back as the same double (within DBL_EPSILON).
  double back = 0;
  bool same =
      std::sscanf(buffer, "%lg", &back) == 1 &&
      std::fabs(back - number) <= std::fmax(std::fabs(back), std::fabs(number)) * DBL_EPSILON;
  if (!same) length = std::snprintf(buffer, sizeof buffer, "%1.17g", number);
  out.append(buffer, static_cast<std::size_t>(length));
}

}  // namespace tern::tools::json
