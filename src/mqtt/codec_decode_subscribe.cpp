// Decoding SUBSCRIBE and UNSUBSCRIBE (MQTT 5.0 sections 3.8 and 3.10).
#include "mqtt/decoders.h"
#include "mqtt/property_codec.h"
#include "mqtt/topic.h"

namespace tern::mqtt::detail {

namespace {

// Subscription Options bits (section 3.8.3.1).
constexpr std::uint8_t kQosMask = 0b0000'0011;
constexpr std::uint8_t kNoLocal = 0b0000'0100;
constexpr std::uint8_t kRetainAsPublished = 0b0000'1000;
constexpr std::uint8_t kRetainHandlingShift = 4;
constexpr std::uint8_t kReservedV5 = 0b1100'0000;
constexpr std::uint8_t kReservedV3 = 0b1111'1100;  // 3.1.1 [MQTT-3.8.3-4]

std::string read_filter(wire::Reader& r) {
  std::string filter = r.utf8();
  if (r.failed()) return filter;
  if (is_shared_filter(filter)) {
    if (!parse_shared_filter(filter)) r.fail(Errc::invalid_shared_subscription);
  } else if (!is_valid_topic_filter(filter)) {
    r.fail(Errc::invalid_topic_filter);
  }
  return filter;
}

}  // namespace

Subscribe decode_subscribe(wire::Reader& r, Version version) {
  Subscribe p;
  bool v5 = version == Version::v5;
  p.packet_id = read_packet_id(r);
  if (v5) p.properties = read_properties(r, PropertyScope::subscribe, Sender::client);
  while (!r.failed() && !r.at_end()) {
    Subscription s;
    s.filter = read_filter(r);
    std::uint8_t options = r.u8();
    if (r.failed()) break;
    if (options & (v5 ? kReservedV5 : kReservedV3)) {
      r.fail(Errc::subscription_options_reserved);  // [MQTT-3.8.3-5]
    }
    std::uint8_t qos = options & kQosMask;
    if (qos == 3) r.fail(Errc::invalid_subscription_qos);
    s.max_qos = static_cast<QoS>(qos);
    if (v5) {
      s.no_local = options & kNoLocal;
      s.retain_as_published = options & kRetainAsPublished;
      std::uint8_t handling = (options >> kRetainHandlingShift) & 0b11;
      if (handling == 3) r.fail(Errc::invalid_retain_handling);
      s.retain_handling = static_cast<RetainHandling>(handling);
      if (s.no_local && is_shared_filter(s.filter)) r.fail(Errc::no_local_on_shared);
    }
    p.subscriptions.push_back(std::move(s));
  }
  if (!r.failed() && p.subscriptions.empty()) r.fail(Errc::no_topic_filters);  // [MQTT-3.8.3-2]
  return p;
}

Unsubscribe decode_unsubscribe(wire::Reader& r, Version version) {
  Unsubscribe p;
  p.packet_id = read_packet_id(r);
  if (version == Version::v5) {
    p.properties = read_properties(r, PropertyScope::unsubscribe, Sender::client);
  }
  while (!r.failed() && !r.at_end())
    p.filters.push_back(read_filter(r));
  if (!r.failed() && p.filters.empty()) r.fail(Errc::no_topic_filters);  // [MQTT-3.10.3-2]
  return p;
}

}  // namespace tern::mqtt::detail
