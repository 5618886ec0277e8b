// RequestTable (see async_requests.h).
#include "tern/client/async_requests.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <utility>
#include <vector>

namespace tern::client {

namespace {

std::uint64_t random_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

// splitmix64: a small, good generator for a prefix and jitter (not for secrets).
std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

RequestTable::RequestTable(std::uint64_t prefix_seed) {
  std::uint64_t state = prefix_seed != 0 ? prefix_seed : random_seed();
  char text[24];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(next_random(state)));
  prefix_ = text;
}

std::string RequestTable::next_correlation_data() {
  return prefix_ + "-" + std::to_string(++counter_);
}

void RequestTable::add(std::string correlation_data, TimePoint deadline, Completion done) {
  if (auto old = entries_.find(correlation_data); old != entries_.end()) {
    take(old)(Error{ErrorCode::invalid_argument, "Correlation Data reused"});
  }
  by_deadline_.emplace(deadline, correlation_data);
  entries_.emplace(std::move(correlation_data), Entry{deadline, std::move(done)});
}

RequestTable::Completion RequestTable::take(std::map<std::string, Entry>::iterator it) {
  auto [first, last] = by_deadline_.equal_range(it->second.deadline);
  for (auto d = first; d != last; ++d) {
    if (d->second == it->first) {
      by_deadline_.erase(d);
      break;
    }
  }
  Completion done = std::move(it->second.done);
  entries_.erase(it);
  return done;
}

bool RequestTable::complete(Message response) {
  if (!response.properties.correlation_data) return false;
  auto it = entries_.find(*response.properties.correlation_data);
  if (it == entries_.end()) return false;
  take(it)(std::move(response));
  return true;
}

bool RequestTable::fail(const std::string& correlation_data, Error error) {
  auto it = entries_.find(correlation_data);
  if (it == entries_.end()) return false;
  take(it)(std::move(error));
  return true;
}

void RequestTable::fail_all(const Error& error) {
  std::vector<Completion> all;
  for (auto& [key, entry] : entries_)
    all.push_back(std::move(entry.done));
  entries_.clear();
  by_deadline_.clear();
  for (auto& done : all)
    done(error);
}

std::size_t RequestTable::expire(TimePoint now) {
  std::vector<Completion> due;
  while (!by_deadline_.empty() && by_deadline_.begin()->first <= now) {
    auto it = entries_.find(by_deadline_.begin()->second);
    by_deadline_.erase(by_deadline_.begin());
    due.push_back(std::move(it->second.done));
    entries_.erase(it);
  }
  for (auto& done : due)
    done(Error{ErrorCode::timeout, "no response before the request's deadline"});
  return due.size();
}

std::optional<TimePoint> RequestTable::next_deadline() const {
  if (by_deadline_.empty()) return std::nullopt;
  return by_deadline_.begin()->first;
}

}  // namespace tern::client
