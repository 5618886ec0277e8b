// OutputQueue: bytes queued by copy and by reference come out in order through gather/consume,
// whatever the write sizes; written shared payloads are released; trim gives memory back.
#include "net/output_queue.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace tern::net {
namespace {

std::string drain(OutputQueue& queue, std::size_t per_write) {
  std::string out;
  iovec iov[16];
  while (!queue.empty()) {
    int n = queue.gather(iov, 16);
    std::size_t budget = per_write;
    std::size_t taken = 0;
    for (int i = 0; i < n && budget > 0; ++i) {
      std::size_t take = std::min(budget, iov[i].iov_len);
      out.append(static_cast<const char*>(iov[i].iov_base), take);
      budget -= take;
      taken += take;
    }
    queue.consume(taken);
  }
  return out;
}

std::span<const std::uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

broker::MessagePtr message(std::string payload) {
  auto m = std::make_shared<broker::Message>();
  m->payload = std::move(payload);
  return m;
}

TEST(OutputQueue, CopiedAndSharedBytesComeOutInOrderWhateverTheWriteSize) {
  for (std::size_t per_write : {1u, 3u, 7u, 100u, 70000u}) {
    OutputQueue queue;
    std::string expected;
    for (int i = 0; i < 50; ++i) {
      std::string header = "h" + std::to_string(i) + ":";
      queue.append(bytes(header));
      auto m = message(std::string(static_cast<std::size_t>(i * 37 % 500), 'a' + i % 26));
      queue.append_shared(m, m->payload);
      expected += header + m->payload;
    }
    EXPECT_EQ(queue.size(), expected.size());
    EXPECT_EQ(drain(queue, per_write), expected) << "per_write " << per_write;
    EXPECT_TRUE(queue.empty());
  }
}

TEST(OutputQueue, AppendsLargerThanABlockSpanBlocks) {
  OutputQueue queue;
  std::string big(3 * OutputQueue::kBlockSize + 123, 'x');
  for (std::size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<char>('a' + i % 26);
  queue.append(bytes(big));
  EXPECT_EQ(drain(queue, 5000), big);
}

TEST(OutputQueue, WrittenSharedPayloadIsReleased) {
  OutputQueue queue;
  auto m = message("payload");
  std::weak_ptr<const broker::Message> watch = m;
  queue.append_shared(m, m->payload);
  queue.append(bytes(std::string("tail")));
  m.reset();
  EXPECT_FALSE(watch.expired());  // the queue keeps it while it is unwritten
  queue.consume(7);               // the payload is written, "tail" is not
  EXPECT_TRUE(watch.expired());
  EXPECT_EQ(drain(queue, 100), "tail");
}

TEST(OutputQueue, TrimKeepsQueuedBytesAndWorksAfterward) {
  OutputQueue queue;
  queue.append(bytes(std::string("abc")));
  queue.trim();  // not empty: nothing changes
  EXPECT_EQ(drain(queue, 2), "abc");
  queue.trim();
  queue.append(bytes(std::string("again")));
  EXPECT_EQ(drain(queue, 100), "again");
}

TEST(OutputQueue, ManyPartialWritesCompactTheSegments) {
  OutputQueue queue;
  std::string expected;
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < 10; ++i) {
      auto m = message(std::to_string(round * 10 + i) + ",");
      queue.append_shared(m, m->payload);
      expected += m->payload;
    }
    // Write only part of what is queued each round, so the queue never drains.
    iovec iov[4];
    int n = queue.gather(iov, 4);
    std::size_t taken = 0;
    for (int i = 0; i < n; ++i)
      taken += iov[i].iov_len;
    std::string written;
    for (int i = 0; i < n; ++i)
      written.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
    ASSERT_EQ(written, expected.substr(0, taken));
    expected.erase(0, taken);
    queue.consume(taken);
  }
  EXPECT_EQ(drain(queue, 1000), expected);
}

}  // namespace
}  // namespace tern::net
