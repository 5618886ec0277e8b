#include "net/output_queue.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace tern::net {

namespace {

// Written-out first blocks of this thread's connections, for the next connection that writes.
// Bounded: past that many, blocks are freed.
constexpr std::size_t kPoolLimit = 4096;

}  // namespace

std::vector<std::unique_ptr<OutputQueue::Block>>& OutputQueue::small_block_pool() {
  thread_local std::vector<std::unique_ptr<Block>> pool;
  return pool;
}

std::unique_ptr<OutputQueue::Block> OutputQueue::new_block() {
  std::unique_ptr<Block> block;
  auto& pool = small_block_pool();
  if (next_block_size_ == kFirstBlockSize && !pool.empty()) {
    block = std::move(pool.back());
    pool.pop_back();
  } else {
    block = std::make_unique<Block>(next_block_size_);
  }
  next_block_size_ =
      static_cast<std::uint32_t>(std::min<std::size_t>(kBlockSize, next_block_size_ * 2u));
  return block;
}

void OutputQueue::release_small_block() {
  auto& pool = small_block_pool();
  if (pool.size() < kPoolLimit) pool.push_back(std::move(blocks_.front()));
  // The bookkeeping goes too (about 70 bytes with malloc's headers, per idle connection).
  blocks_.clear();
  blocks_.shrink_to_fit();
  segments_.shrink_to_fit();  // empty already
  next_block_size_ = kFirstBlockSize;
}

OutputQueue::Block& OutputQueue::tail_block() {
  if (blocks_.empty() || blocks_.back()->used == blocks_.back()->capacity) {
    // The spare is used only when it is as large as a new block would be.
    std::unique_ptr<Block> block =
        spare_ && spare_->capacity >= next_block_size_ ? std::move(spare_) : new_block();
    block->used = block->consumed = 0;
    blocks_.push_back(std::move(block));
  }
  return *blocks_.back();
}

void OutputQueue::append(std::span<const std::uint8_t> bytes) {
  size_ += bytes.size();
  while (!bytes.empty()) {
    Block& block = tail_block();
    std::size_t n = std::min(bytes.size(), block.capacity - block.used);
    std::uint8_t* at = block.data.get() + block.used;
    std::memcpy(at, bytes.data(), n);
    block.used += n;
    bytes = bytes.subspan(n);
    // Bytes right after the previous segment's in the same block extend it.
    if (segments_.size() > head_ && segments_.back().block == &block &&
        segments_.back().data + segments_.back().length == at) {
      segments_.back().length += n;
    } else {
      segments_.push_back({at, n, nullptr, &block});
    }
  }
}

void OutputQueue::append_shared(broker::MessagePtr owner, std::string_view bytes) {
  if (bytes.empty()) return;
  size_ += bytes.size();
  segments_.push_back({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(),
                       std::move(owner), nullptr});
}

int OutputQueue::gather(iovec* iov, int max) const {
  int n = 0;
  for (std::size_t i = head_; i < segments_.size(); ++i) {
    const Segment& s = segments_[i];
    if (n == max) break;
    iov[n].iov_base = const_cast<std::uint8_t*>(s.data);
    iov[n].iov_len = s.length;
    ++n;
  }
  return n;
}

void OutputQueue::block_consumed(Block* block, std::size_t n) {
  block->consumed += n;
  // Blocks are filled and written in order, so only the front block can become free.
  while (!blocks_.empty() && blocks_.front()->consumed == blocks_.front()->used) {
    if (blocks_.size() == 1) {
      // The only block: rewind it in place for the next appends.
      blocks_.front()->used = blocks_.front()->consumed = 0;
      break;
    }
    if (blocks_.front()->used < blocks_.front()->capacity) break;  // still being appended to
    spare_ = std::move(blocks_.front());
    blocks_.erase(blocks_.begin());
  }
}

void OutputQueue::consume(std::size_t n) {
  assert(n <= size_);
  size_ -= n;
  while (n > 0) {
    Segment& s = segments_[head_];
    std::size_t take = std::min(n, s.length);
    s.data += take;
    s.length -= take;
    n -= take;
    if (s.block) block_consumed(s.block, take);
    if (s.length == 0) {
      s.owner.reset();  // a shared payload is released as soon as it is written
      ++head_;
    }
  }
  if (head_ == segments_.size()) {
    segments_.clear();  // keeps the capacity for the next turn's writes
    head_ = 0;
    // A connection that never needed more than its first block gives it back.
    if (blocks_.size() == 1 && !spare_ && blocks_.front()->capacity == kFirstBlockSize) {
      release_small_block();
    }
  } else if (head_ >= 64 && head_ * 2 >= segments_.size()) {
    segments_.erase(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

void OutputQueue::trim() {
  if (!empty()) return;
  spare_.reset();
  blocks_.clear();
  next_block_size_ = kFirstBlockSize;
  blocks_.shrink_to_fit();
  segments_.clear();
  segments_.shrink_to_fit();
  head_ = 0;
}

}  // namespace tern::net
