// OutputQueue: the bytes waiting to be written to one connection, as a list of segments that a
// single writev() can gather.
//
// Two kinds of segment: bytes copied into the queue's own blocks (fixed headers, acks, small
// packets), and bytes that belong to a shared Message (a PUBLISH payload), referenced rather than
// copied, so a payload fanned out to many subscribers exists once in memory. Blocks are never
// reallocated while referenced and one spare block is kept, so a connection in steady state
// queues without allocating.
//
// Not thread-safe: owned by the connection's worker thread.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "broker/message.h"

namespace tern::net {

class OutputQueue {
 public:
  static constexpr std::size_t kBlockSize = 16 * 1024;

  // Copies `bytes` into the queue.
  void append(std::span<const std::uint8_t> bytes);
  // Queues `bytes`, which live inside `*owner`, without copying; keeps `owner` alive until written.
  void append_shared(broker::MessagePtr owner, std::string_view bytes);

  // Fills up to `max` iovecs with the oldest queued bytes; returns how many it filled.
  int gather(iovec* iov, int max) const;
  // Drops the first `n` bytes (those a write took).
  void consume(std::size_t n);

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Gives back the memory an empty queue keeps for the next writes (its block and bookkeeping):
  // an idle connection then costs no output buffer. Does nothing when bytes are queued.
  void trim();

 private:
  struct Block {
    std::unique_ptr<std::uint8_t[]> data{new std::uint8_t[kBlockSize]};
    std::size_t used = 0;      // bytes appended
    std::size_t consumed = 0;  // bytes written out
  };
  struct Segment {
    const std::uint8_t* data;
    std::size_t length;
    broker::MessagePtr owner;  // null for bytes in our own blocks
    Block* block;              // the block holding them, when owner is null
  };

  Block& tail_block();
  void block_consumed(Block* block, std::size_t n);

  // Vectors rather than deques: an empty std::deque still holds about 600 bytes, paid by every
  // idle connection. Segments before `head_` are written; the vector is compacted as it drains.
  std::vector<Segment> segments_;
  std::size_t head_ = 0;
  std::vector<std::unique_ptr<Block>> blocks_;  // blocks in use, oldest first; few
  std::unique_ptr<Block> spare_;
  std::size_t size_ = 0;
};

}  // namespace tern::net
