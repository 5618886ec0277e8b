// OutputQueue: the bytes waiting to be written to one connection, as a list of segments that a
// single writev() can gather.
//
// Two kinds of segment: bytes copied into the queue's own blocks (fixed headers, acks, small
// packets), and bytes that belong to a shared Message (a PUBLISH payload), referenced rather than
// copied, so a payload fanned out to many subscribers exists once in memory. Blocks are never
// reallocated while referenced and one spare block is kept, so a connection in steady state
// queues without allocating.
//
// Most connections write a few small packets now and then (CONNACK, SUBACK, PINGRESP, PUBACK).
// Their first block is small and goes back to a pool of the thread's as soon as it is written
// out, so thousands of idle connections hold no output memory at all, and taking it again costs
// no allocation. Connections that write more grow larger blocks and keep them until trim().
//
// Not thread-safe: owned by the connection's worker thread (the pool is per thread).
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
  // Blocks start small and double up to kBlockSize as a connection writes more: a connection
  // that only ever gets a CONNACK and PINGRESPs never holds 16 KiB (thousands of idle devices).
  static constexpr std::size_t kFirstBlockSize = 256;
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
    explicit Block(std::size_t size) : data(new std::uint8_t[size]), capacity(size) {}
    std::unique_ptr<std::uint8_t[]> data;
    std::size_t capacity;
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
  std::unique_ptr<Block> new_block();
  // The small first block goes back to the thread's pool once written out.
  void release_small_block();
  static std::vector<std::unique_ptr<Block>>& small_block_pool();
  void block_consumed(Block* block, std::size_t n);

  // Vectors rather than deques: an empty std::deque still holds about 600 bytes, paid by every
  // idle connection. Segments before `head_` are written; the vector is compacted as it drains.
  std::vector<Segment> segments_;
  std::vector<std::unique_ptr<Block>> blocks_;  // blocks in use, oldest first; few
  std::unique_ptr<Block> spare_;
  std::size_t size_ = 0;
  std::uint32_t head_ = 0;  // 32 bits: one per connection, and never near 4 billion segments
  std::uint32_t next_block_size_ = kFirstBlockSize;
};

}  // namespace tern::net
