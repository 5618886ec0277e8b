// Google Benchmarks of the codec's hot paths: framing and decoding PUBLISH, encoding it (into a
// reused buffer and as shared bytes), a stream of back-to-back packets, and topic matching.
// Items are packets (or matches); bytes are wire bytes. One thread: the numbers are per core.
//
// Run: build/bin/tern_codec_bench (make bench), e.g. --benchmark_filter=Publish.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mqtt/codec.h"
#include "mqtt/framer.h"
#include "mqtt/packets.h"
#include "mqtt/properties.h"
#include "mqtt/topic.h"
#include "mqtt/types.h"

namespace {

using namespace tern::mqtt;

constexpr std::string_view kTopic = "sensor/42/temperature";

Publish make_publish(QoS qos, std::size_t payload_size, std::uint16_t packet_id = 1) {
  Publish publish;
  publish.topic = std::string(kTopic);
  publish.payload = std::string(payload_size, 'x');
  publish.qos = qos;
  if (qos != QoS::at_most_once) publish.packet_id = packet_id;
  return publish;
}

Version version_arg(std::int64_t arg) {
  return static_cast<Version>(arg);
}

std::vector<std::uint8_t> encode_or_die(const Packet& packet, Version version) {
  std::vector<std::uint8_t> bytes;
  if (!encode(packet, version, bytes)) std::abort();
  return bytes;
}

// Args: payload size, protocol version (4: 3.1.1, 5: 5.0).
void framer_decode_publish(benchmark::State& state, QoS qos) {
  const Version version = version_arg(state.range(1));
  const std::vector<std::uint8_t> bytes =
      encode_or_die(make_publish(qos, static_cast<std::size_t>(state.range(0))), version);
  Framer framer;
  for (auto _ : state) {
    std::span<const std::uint8_t> input(bytes);
    Result<std::optional<Frame>> frame = framer.next(input);
    if (!frame || !frame->has_value()) {
      state.SkipWithError("framing failed");
      break;
    }
    Result<Packet> packet = decode(**frame, version, Sender::client);
    if (!packet) {
      state.SkipWithError("decode failed");
      break;
    }
    benchmark::DoNotOptimize(packet);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
}

void BM_FramerDecodePublishQoS0(benchmark::State& state) {
  framer_decode_publish(state, QoS::at_most_once);
}
void BM_FramerDecodePublishQoS1(benchmark::State& state) {
  framer_decode_publish(state, QoS::at_least_once);
}

// Args: payload size, protocol version. QoS 1.
void BM_EncodePublish(benchmark::State& state) {
  const Version version = version_arg(state.range(1));
  const Packet packet = make_publish(QoS::at_least_once, static_cast<std::size_t>(state.range(0)));
  std::vector<std::uint8_t> out;
  std::size_t size = 0;
  for (auto _ : state) {
    out.clear();
    Result<std::size_t> appended = encode(packet, version, out);
    if (!appended) {
      state.SkipWithError("encode failed");
      break;
    }
    size = *appended;
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
}

// Args: payload size, protocol version. QoS 1. Only the header is written (the broker sends
// one shared payload after each subscriber's header); bytes counted are the header's.
void BM_EncodePublishHeader(benchmark::State& state) {
  const Version version = version_arg(state.range(1));
  const auto payload_size = static_cast<std::size_t>(state.range(0));
  const Properties properties;
  std::vector<std::uint8_t> out;
  std::size_t size = 0;
  for (auto _ : state) {
    out.clear();
    Result<std::size_t> appended = encode_publish_header(
        kTopic, QoS::at_least_once, false, false, 1, &properties, payload_size, version, out);
    if (!appended) {
      state.SkipWithError("encode_publish_header failed");
      break;
    }
    size = *appended;
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
}

// Args: payload size, protocol version. QoS 1; one allocation of the shared buffer per packet.
void BM_EncodeShared(benchmark::State& state) {
  const Version version = version_arg(state.range(1));
  const Packet packet = make_publish(QoS::at_least_once, static_cast<std::size_t>(state.range(0)));
  std::size_t size = 0;
  for (auto _ : state) {
    Result<SharedBytes> shared = encode_shared(packet, version);
    if (!shared) {
      state.SkipWithError("encode_shared failed");
      break;
    }
    size = (*shared)->size();
    benchmark::DoNotOptimize(shared);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
}

// 1000 back-to-back QoS 1 publishes with 16-byte payloads, framed and decoded in one go.
// Args: protocol version, read size (0: the whole buffer at once, as if one read returned it;
// otherwise chunks of that many bytes, so frames straddle reads and the framer buffers them).
void BM_DecodeStream(benchmark::State& state) {
  constexpr std::size_t kPackets = 1000;
  const Version version = version_arg(state.range(0));
  const auto read_size = static_cast<std::size_t>(state.range(1));
  std::vector<std::uint8_t> stream;
  for (std::size_t i = 0; i < kPackets; ++i) {
    const auto id = static_cast<std::uint16_t>(i + 1);
    if (!encode(make_publish(QoS::at_least_once, 16, id), version, stream)) std::abort();
  }
  for (auto _ : state) {
    Framer framer;
    std::size_t decoded = 0;
    std::span<const std::uint8_t> rest(stream);
    while (!rest.empty()) {
      const std::size_t n = read_size == 0 ? rest.size() : std::min(read_size, rest.size());
      std::span<const std::uint8_t> input = rest.first(n);
      rest = rest.subspan(n);
      for (;;) {
        Result<std::optional<Frame>> frame = framer.next(input);
        if (!frame) {
          state.SkipWithError("framing failed");
          return;
        }
        if (!frame->has_value()) break;
        Result<Packet> packet = decode(**frame, version, Sender::client);
        if (!packet) {
          state.SkipWithError("decode failed");
          return;
        }
        benchmark::DoNotOptimize(packet);
        ++decoded;
      }
    }
    if (decoded != kPackets) {
      state.SkipWithError("wrong packet count");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kPackets));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(stream.size()));
}

struct MatchCase {
  std::string_view filter;
  std::string_view topic;
};
constexpr std::array<MatchCase, 7> kMatchCases = {{
    {"sensor/42/temperature", "sensor/42/temperature"},  // exact
    {"sensor/+/temperature", "sensor/42/temperature"},   // single-level wildcard
    {"sensor/#", "sensor/42/temperature"},               // multi-level wildcard
    {"#", "sensor/42/temperature"},                      // everything
    {"sensor/+/humidity", "sensor/42/temperature"},      // mismatch in the last level
    {"+/+/+/#", "$SYS/broker/clients/connected"},        // the '$' rule
    {"building/+/floor/+/room/+/sensor/#", "building/7/floor/3/room/12/sensor/co2/ppm"},
}};

// Arg: index into kMatchCases.
void BM_TopicMatches(benchmark::State& state) {
  const MatchCase& match = kMatchCases[static_cast<std::size_t>(state.range(0))];
  state.SetLabel(std::string(match.filter) + " ~ " + std::string(match.topic));
  for (auto _ : state) {
    std::string_view filter = match.filter;
    std::string_view topic = match.topic;
    benchmark::DoNotOptimize(filter);
    benchmark::DoNotOptimize(topic);
    bool matched = topic_matches(filter, topic);
    benchmark::DoNotOptimize(matched);
  }
  state.SetItemsProcessed(state.iterations());
}

void publish_args(benchmark::internal::Benchmark* bench) {
  bench->ArgNames({"payload", "version"});
  for (std::int64_t version : {4, 5}) {
    for (std::int64_t payload : {16, 256})
      bench->Args({payload, version});
  }
}

BENCHMARK(BM_FramerDecodePublishQoS0)->Apply(publish_args);
BENCHMARK(BM_FramerDecodePublishQoS1)->Apply(publish_args);
BENCHMARK(BM_EncodePublish)->Apply(publish_args);
BENCHMARK(BM_EncodePublishHeader)->Apply(publish_args);
BENCHMARK(BM_EncodeShared)->Apply(publish_args);
BENCHMARK(BM_DecodeStream)
    ->ArgNames({"version", "read"})
    ->Args({4, 0})
    ->Args({5, 0})
    ->Args({4, 4096})
    ->Args({5, 4096});
BENCHMARK(BM_TopicMatches)->DenseRange(0, static_cast<int>(kMatchCases.size()) - 1);

}  // namespace
