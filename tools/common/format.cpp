// The renderer follows mosquitto_sub 2.0.11's print_message and formatted_print step by step
// (the same scan of the format string, the same printf conversions), so that the odd cases come
// out the same too: "%-p" pads the payload with as many blanks as it has bytes, a width cuts
// %p short, %x's width counts bytes twice, a missing %C pads with blanks but a missing %R prints
// nothing at all.
#include "common/format.h"

#include <climits>
#include <cstdio>
#include <ctime>

#include "common/json.h"

namespace tern::tools {

namespace {

// Flags, width and precision of one %-sequence.
struct Spec {
  bool left = false;  // '-'
  char pad = ' ';     // '0' or ' '
  int width = 0;
  int precision = -1;  // -1: none
};

// Strings reach printf("%s") in mosquitto: they end at the first NUL byte.
std::string_view c_string(std::string_view text) {
  return text.substr(0, text.find('\0'));
}

void blank(std::string& out, char pad, int width) {
  if (width > 0) out.append(static_cast<std::size_t>(width), pad);
}

void print_int(std::string& out, long long value, const Spec& spec) {
  char buffer[64];
  int n;
  if (spec.width == 0) {
    n = std::snprintf(buffer, sizeof buffer, "%lld", value);
  } else if (spec.left) {
    n = std::snprintf(buffer, sizeof buffer, "%-*lld", spec.width, value);
  } else if (spec.pad == '0') {
    n = std::snprintf(buffer, sizeof buffer, "%0*lld", spec.width, value);
  } else {
    n = std::snprintf(buffer, sizeof buffer, "%*lld", spec.width, value);
  }
  if (n < static_cast<int>(sizeof buffer)) {
    out.append(buffer, static_cast<std::size_t>(n));
    return;
  }
  // Wider than the buffer: pad by hand around the plain number.
  std::string digits = std::to_string(value);
  std::size_t fill = static_cast<std::size_t>(spec.width) - digits.size();
  if (spec.left) {
    out += digits;
    out.append(fill, ' ');
  } else if (spec.pad == '0') {
    if (value < 0) {
      out.push_back('-');
      digits.erase(0, 1);
    }
    out.append(fill, '0');
    out += digits;
  } else {
    out.append(fill, ' ');
    out += digits;
  }
}

// printf's "%*.*s" family: the precision cuts, the width pads with blanks.
void print_str(std::string& out, std::string_view value, const Spec& spec) {
  value = c_string(value);
  if (spec.precision >= 0 && value.size() > static_cast<std::size_t>(spec.precision)) {
    value = value.substr(0, static_cast<std::size_t>(spec.precision));
  }
  std::size_t fill = value.size() < static_cast<std::size_t>(spec.width)
                         ? static_cast<std::size_t>(spec.width) - value.size()
                         : 0;
  if (!spec.left) out.append(fill, ' ');
  out += value;
  if (spec.left) out.append(fill, ' ');
}

enum class Hex : std::uint8_t { none, lower, upper };

void write_payload(std::string& out, std::string_view payload, Hex hex, const Spec& spec) {
  static constexpr char kLower[] = "0123456789abcdef";
  static constexpr char kUpper[] = "0123456789ABCDEF";
  long long length = static_cast<long long>(payload.size());
  long long padlen;
  if (spec.width > 0) {
    if (length > spec.width) length = spec.width;
    if (hex != Hex::none) {
      length /= 2;
      padlen = spec.width - length * 2;
    } else {
      padlen = spec.width - length;
    }
  } else {
    padlen = spec.width - length;
  }
  if (!spec.left && padlen > 0) out.append(static_cast<std::size_t>(padlen), spec.pad);
  if (hex == Hex::none) {
    out.append(payload.data(), static_cast<std::size_t>(length));
  } else {
    const char* digits = hex == Hex::lower ? kLower : kUpper;
    for (long long i = 0; i < length; ++i) {
      auto byte = static_cast<unsigned char>(payload[static_cast<std::size_t>(i)]);
      out.push_back(digits[byte >> 4]);
      out.push_back(digits[byte & 0xF]);
    }
  }
  // printf("%*s", padlen, "") with a negative width pads too: "%-p" adds a blank per byte.
  if (spec.left && padlen != 0) {
    out.append(static_cast<std::size_t>(padlen < 0 ? -padlen : padlen), ' ');
  }
}

// strftime into mosquitto's 100-byte buffer: an empty result or one that does not fit prints
// nothing.
std::string format_time(const char* format, const std::tm& tm) {
  char buffer[100];
  std::size_t n = std::strftime(buffer, sizeof buffer, format, &tm);
  return std::string(buffer, n);
}

std::tm local_time(Timestamp t) {
  std::time_t seconds = static_cast<std::time_t>(t.seconds);
  std::tm tm{};
  localtime_r(&seconds, &tm);
  return tm;
}

std::string nanoseconds9(Timestamp t) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%09ld", static_cast<long>(t.nanoseconds));
  return buffer;
}

// mosquitto_sub's %j/%J "tst": local time, microseconds, a literal Z, then the UTC offset.
std::string json_timestamp(Timestamp t) {
  std::tm tm = local_time(t);
  char micro[16];
  std::snprintf(micro, sizeof micro, "%06d", static_cast<int>(t.nanoseconds / 1000));
  return format_time("%Y-%m-%dT%H:%M:%S", tm) + "." + micro + "Z" + format_time("%z", tm);
}

// The "properties" member of %j/%J, in property identifier order.
json::Value json_properties(const mqtt::Properties& p) {
  json::Value object = json::Value::make_object();
  if (p.payload_format_indicator) {
    object.add("payload-format-indicator", json::Value::make_number(*p.payload_format_indicator));
  }
  if (p.message_expiry_interval) {
    object.add("message-expiry-interval", json::Value::make_number(*p.message_expiry_interval));
  }
  if (p.content_type) object.add("content-type", json::Value::make_string(*p.content_type));
  if (p.response_topic) object.add("response-topic", json::Value::make_string(*p.response_topic));
  if (p.correlation_data) {
    object.add("correlation-data", json::Value::make_string(*p.correlation_data));
  }
  for (std::uint32_t id : p.subscription_identifiers) {
    object.add("subscription-identifier", json::Value::make_number(id));
  }
  if (p.topic_alias) {
    // mosquitto_sub reads the alias with the wrong property identifier and prints whatever its
    // 16-bit scratch variable last held: the length of the Correlation Data, else 0.
    double quirk = p.correlation_data ? static_cast<double>(p.correlation_data->size()) : 0;
    object.add("topic-alias", json::Value::make_number(quirk));
  }
  if (!p.user_properties.empty()) {
    json::Value& users = object.add("user-properties", json::Value::make_object());
    for (const mqtt::UserProperty& u : p.user_properties) {
      users.add(u.name, json::Value::make_string(u.value));
    }
  }
  return object;
}

// %j (escaped = true) or %J; false when %J's payload is not JSON (nothing is printed then).
bool print_json(std::string& out, const mqtt::Publish& m, Timestamp t, bool escaped, bool pretty) {
  json::Value root = json::Value::make_object();
  root.add("tst", json::Value::make_string(json_timestamp(t)));
  root.add("topic", json::Value::make_string(m.topic));
  root.add("qos", json::Value::make_number(static_cast<int>(m.qos)));
  root.add("retain", json::Value::make_number(m.retain ? 1 : 0));
  root.add("payloadlen", json::Value::make_number(static_cast<double>(m.payload.size())));
  if (m.qos != mqtt::QoS::at_most_once) root.add("mid", json::Value::make_number(m.packet_id));
  if (!m.properties.empty()) root.add("properties", json_properties(m.properties));
  if (m.payload.empty()) {
    root.add("payload", json::Value::make_null());  // libmosquitto gives no payload buffer
  } else if (escaped) {
    root.add("payload", json::Value::make_string(m.payload));
  } else {
    std::optional<json::Value> payload = json::parse(m.payload);
    if (!payload) return false;
    root.add("payload", std::move(*payload));
  }
  json::print(root, pretty, out);
  return true;
}

void print_percent(Rendered& r, const OutputOptions& options, const mqtt::Publish& m, Timestamp t,
                   char conversion, const Spec& spec) {
  std::string& out = r.text;
  const mqtt::Properties& p = m.properties;
  switch (conversion) {
    case '%':
      out.push_back('%');
      break;
    case 'A':
      if (p.topic_alias) {
        print_int(out, *p.topic_alias, spec);
      } else {
        blank(out, spec.pad, spec.width);
      }
      break;
    case 'C':
      if (p.content_type) {
        print_str(out, *p.content_type, spec);
      } else {
        blank(out, ' ', spec.width);
      }
      break;
    case 'D':
      if (p.correlation_data) out += *p.correlation_data;
      break;
    case 'E':
      if (p.message_expiry_interval) {
        print_int(out, static_cast<std::int32_t>(*p.message_expiry_interval), spec);
      } else {
        blank(out, spec.pad, spec.width);
      }
      break;
    case 'F':
      if (p.payload_format_indicator) {
        print_int(out, *p.payload_format_indicator, spec);
      } else {
        blank(out, spec.pad, spec.width);
      }
      break;
    case 'I': {
      std::string iso = format_time("%FT%T%z", local_time(t));
      if (!iso.empty()) {
        print_str(out, iso, spec);
      } else {
        blank(out, ' ', spec.width);
      }
      break;
    }
    case 'j':
      print_json(out, m, t, true, options.pretty);
      break;
    case 'J':
      if (!print_json(out, m, t, false, options.pretty)) {
        r.error += "Error: Message payload is not valid JSON on topic " +
                   std::string(c_string(m.topic)) + ".\n";
      }
      break;
    case 'l':
      print_int(out, static_cast<long long>(m.payload.size()), spec);
      break;
    case 'm':
      print_int(out, m.packet_id, spec);
      break;
    case 'P':
      for (std::size_t i = 0; i < p.user_properties.size(); ++i) {
        if (i > 0) out.push_back(' ');
        out += c_string(p.user_properties[i].name);
        out.push_back(':');
        out += c_string(p.user_properties[i].value);
      }
      break;
    case 'p':
      write_payload(out, m.payload, Hex::none, spec);
      break;
    case 'q':
      out.push_back(static_cast<char>('0' + static_cast<int>(m.qos)));
      break;
    case 'R':
      if (p.response_topic) print_str(out, *p.response_topic, spec);
      break;
    case 'r':
      out.push_back(m.retain ? '1' : '0');
      break;
    case 'S':
      if (!p.subscription_identifiers.empty()) {
        print_int(out, static_cast<std::int32_t>(p.subscription_identifiers.front()), spec);
      } else {
        blank(out, spec.pad, spec.width);
      }
      break;
    case 't':
      print_str(out, m.topic, spec);
      break;
    case 'U': {
      std::string seconds = format_time("%s", local_time(t));
      if (!seconds.empty()) out += seconds + "." + nanoseconds9(t);
      break;
    }
    case 'x':
      write_payload(out, m.payload, Hex::lower, spec);
      break;
    case 'X':
      write_payload(out, m.payload, Hex::upper, spec);
      break;
    default:
      break;
  }
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Accumulates a decimal field without overflowing (mosquitto's int would wrap).
void accumulate(int& field, char digit) {
  if (field <= (INT_MAX - 9) / 10) field = field * 10 + (digit - '0');
}

void formatted_print(Rendered& r, const OutputOptions& options, const mqtt::Publish& m,
                     Timestamp t) {
  const std::string& f = *options.format;
  std::string& out = r.text;
  const std::size_t len = f.size();
  for (std::size_t i = 0; i < len; ++i) {
    char c = f[i];
    if (c == '%') {
      if (i + 1 >= len) continue;
      ++i;
      Spec spec;
      if (f[i] == '-') {
        spec.left = true;
        if (i + 1 < len) ++i;
      }
      if (f[i] == '0') {
        spec.pad = '0';
        if (i + 1 < len) ++i;
      }
      while (i + 1 < len && is_digit(f[i]))
        accumulate(spec.width, f[i++]);
      if (f[i] == '.' && i + 1 < len) {
        ++i;
        spec.precision = 0;
        while (i + 1 < len && is_digit(f[i]))
          accumulate(spec.precision, f[i++]);
      }
      print_percent(r, options, m, t, f[i], spec);
    } else if (c == '@') {
      if (i + 1 >= len) continue;
      char next = f[++i];
      if (next == '@') {
        out.push_back('@');
      } else if (next == 'N') {
        out += nanoseconds9(t);
      } else {
        const char conversion[3] = {'%', next, '\0'};
        out += format_time(conversion, local_time(t));
      }
    } else if (c == '\\') {
      if (i + 1 >= len) continue;
      switch (f[++i]) {
        case '\\':
          out.push_back('\\');
          break;
        case '0':
          out.push_back('\0');
          break;
        case 'a':
          out.push_back('\a');
          break;
        case 'e':
          out.push_back('\x1b');
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
        case 'v':
          out.push_back('\v');
          break;
        default:
          break;
      }
    } else {
      out.push_back(c);
    }
  }
  if (options.eol) out.push_back('\n');
}

}  // namespace

Timestamp wall_clock_now() {
  std::timespec ts{};
  std::timespec_get(&ts, TIME_UTC);
  return Timestamp{static_cast<std::int64_t>(ts.tv_sec), static_cast<std::int32_t>(ts.tv_nsec)};
}

std::optional<std::string> check_format(std::string_view f) {
  const std::string kIncomplete = "Error: Incomplete format specifier.";
  const std::size_t len = f.size();
  for (std::size_t i = 0; i < len; ++i) {
    if (f[i] == '%') {
      if (i == len - 1) return kIncomplete;
      if (f[i + 1] == '0' || f[i + 1] == '-') {
        ++i;
        if (i == len - 1) return kIncomplete;
      }
      while (i + 1 < len && is_digit(f[i + 1])) {
        ++i;
        if (i == len - 1) return kIncomplete;
      }
      if (i + 1 < len && f[i + 1] == '.') {
        ++i;
        if (i == len - 1) return kIncomplete;
        while (i + 1 < len && is_digit(f[i + 1])) {
          ++i;
          if (i == len - 1) return kIncomplete;
        }
      }
      constexpr std::string_view kConversions = "%ACDEFIlmPpqRSrtjJUxX";
      if (kConversions.find(f[i + 1]) == std::string_view::npos) {
        return std::string("Error: Invalid format specifier '") + f[i + 1] + "'.";
      }
      ++i;
    } else if (f[i] == '@') {
      if (i == len - 1) return kIncomplete;
      ++i;
    } else if (f[i] == '\\') {
      if (i == len - 1) return std::string("Error: Incomplete escape specifier.");
      constexpr std::string_view kEscapes = "\\0aenrtv";
      if (kEscapes.find(f[i + 1]) == std::string_view::npos) {
        return std::string("Error: Invalid escape specifier '") + f[i + 1] + "'.";
      }
      ++i;
    }
  }
  return std::nullopt;
}

Rendered render_message(const OutputOptions& options, const mqtt::Publish& message,
                        Timestamp received) {
  Rendered r;
  if (options.format) {
    formatted_print(r, options, message, received);
  } else if (options.verbose) {
    if (!message.payload.empty()) {
      r.text += c_string(message.topic);
      r.text.push_back(' ');
      r.text += message.payload;
      if (options.eol) r.text.push_back('\n');
    } else if (options.eol) {
      r.text += std::string(c_string(message.topic)) + " (null)\n";
    }
  } else if (!message.payload.empty()) {
    r.text += message.payload;
    if (options.eol) r.text.push_back('\n');
  }
  return r;
}

}  // namespace tern::tools
