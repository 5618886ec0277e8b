// Link: what the broker core needs from a client connection. The server layer implements it on
// a TCP (later TLS or WebSocket) socket; tests implement it in memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "broker/message.h"

namespace tern::broker {

class Link {
 public:
  virtual ~Link() = default;
  // Queues bytes (copied) to be written at the end of this loop turn.
  virtual void send(std::span<const std::uint8_t> bytes) = 0;
  // Queues `bytes`, which live inside `*owner`, by reference: the shared payload of a PUBLISH.
  virtual void send_shared(const MessagePtr& owner, std::string_view bytes) = 0;
  // Writes what is queued, then closes. The core calls it once and forgets the link.
  virtual void close() = 0;
  // Bytes queued and not yet written: how far behind this client is.
  virtual std::size_t backlog() const = 0;
  virtual std::string_view address() const = 0;
};

}  // namespace tern::broker
