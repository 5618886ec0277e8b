// Per-packet decoders (internal to the codec); `decode` in codec.h dispatches to them after
// checking the fixed header. Each reads the frame body from `r` and records the first rule broken
// in `r`, leaving the result unspecified when `r.failed()`.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "mqtt/packets.h"
#include "mqtt/wire.h"

namespace tern::mqtt::detail {

Connect decode_connect(wire::Reader& r);
Subscribe decode_subscribe(wire::Reader& r, Version version);
Unsubscribe decode_unsubscribe(wire::Reader& r, Version version);

// Packet Identifier of a packet that needs one: non-zero [MQTT-2.2.1-3],
// [MQTT-2.2.1-4].
inline std::uint16_t read_packet_id(wire::Reader& r) {
  std::uint16_t id = r.u16();
  if (!r.failed() && id == 0) r.fail(Errc::zero_packet_id);
  return id;
}

}  // namespace tern::mqtt::detail
