// How tern_sub and tern_rr print a received message, byte for byte as mosquitto_sub 2.0.11:
//   default   the payload and a newline; nothing at all for an empty payload
//   -v        "topic payload" and a newline; "topic (null)" for an empty payload
//   -N        no newline (with -v, an empty payload prints nothing)
//   -F FORMAT the format string (man mosquitto_sub, OUTPUT FORMAT), then a newline unless -N:
//     %% %t topic  %p payload  %x %X payload in hex  %l length  %m message id  %q QoS
//     %r retain  %A topic alias  %C content type  %D correlation data  %E message expiry
//     %F payload format  %P user properties (key:value, space separated)  %R response topic
//     %S subscription identifier  %I ISO-8601 local time  %U Unix time with nanoseconds
//     %j JSON with the payload as a string  %J JSON with the payload as JSON
//     flags "-" and "0", a width and a ".precision" between % and the letter (where mosquitto
//     applies them, including its quirks: a width truncates %p and halves %x);
//     @X strftime's %X on the local receive time, @N nanoseconds, @@ a literal @;
//     \\ \0 \a \e \n \r \t \v.
// MQTT 5.0 properties (MQTT 5.0 section 3.3.2.3) print as the PUBLISH carries them; this
// renderer sees them as mqtt::Properties, so JSON lists them in property identifier order,
// which is the order a Tern broker sends them in.
//
// Rendering is pure: the receive time is an argument (local time zone from TZ, as strftime),
// and the text and any error line come back as strings. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mqtt/packets.h"

namespace tern::tools {

struct OutputOptions {
  std::optional<std::string> format;  // -F
  bool verbose = false;               // -v
  bool eol = true;                    // -N clears it
  bool pretty = false;                // --pretty: %j and %J indented
};

// Wall-clock time (CLOCK_REALTIME) when the message was received.
struct Timestamp {
  std::int64_t seconds = 0;      // since the Unix epoch
  std::int32_t nanoseconds = 0;  // 0..999,999,999
};

Timestamp wall_clock_now();

// mosquitto_sub's check of a -F format at start-up: std::nullopt, or the error line
// ("Error: Invalid format specifier 'z'.").
std::optional<std::string> check_format(std::string_view format);

struct Rendered {
  std::string text;  // for stdout
  // For stderr (each line ends with a newline); empty when all went well. Like mosquitto's
  // err_printf, the tool drops it under --quiet.
  std::string error;
};

// The output for one message. `message.packet_id` is the message id (%m); the properties are
// the message's own (empty before MQTT 5.0).
Rendered render_message(const OutputOptions& options, const mqtt::Publish& message,
                        Timestamp received);

}  // namespace tern::tools
