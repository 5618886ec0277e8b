// RequestTable: the AsyncClient's open MQTT 5.0 requests (request/response, MQTT 5.0 §4.10),
// each waiting for the response that carries its Correlation Data, or for its deadline.
//
// The table makes the Correlation Data itself: a random prefix chosen once per table plus a
// counter, so two clients (or two runs of one) do not mix up each other's responses on a shared
// response topic, and one table never reuses a value.
//
// Each entry's completion runs exactly once: with the response (complete), an Error (fail,
// fail_all) or ErrorCode::timeout (expire). Entries leave the table before their completion
// runs, so a completion may add requests. Not thread-safe (the network thread owns it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "tern/client/error.h"
#include "tern/client/session.h"

namespace tern::client {

class RequestTable {
 public:
  using Completion = std::function<void(Result<Message>)>;

  // `prefix_seed` picks the random prefix (tests pass a fixed one; 0: from std::random_device).
  explicit RequestTable(std::uint64_t prefix_seed = 0);

  // A Correlation Data value not used before by this table.
  std::string next_correlation_data();

  void add(std::string correlation_data, TimePoint deadline, Completion done);
  bool contains(const std::string& correlation_data) const {
    return entries_.contains(correlation_data);
  }
  std::size_t size() const { return entries_.size(); }

  // Completes the request `response` answers (by its Correlation Data); false when none does
  // (no Correlation Data, a late response after a timeout, another client's).
  bool complete(Message response);
  // Fails one request (its PUBLISH was refused, ...); false when it is not open.
  bool fail(const std::string& correlation_data, Error error);
  // Fails every open request.
  void fail_all(const Error& error);
  // Fails with ErrorCode::timeout the requests whose deadline is at or before `now`; returns
  // how many.
  std::size_t expire(TimePoint now);
  // The earliest deadline; std::nullopt when no request is open.
  std::optional<TimePoint> next_deadline() const;

 private:
  struct Entry {
    TimePoint deadline;
    Completion done;
  };
  // Removes the entry and returns its completion.
  Completion take(std::map<std::string, Entry>::iterator it);

  std::string prefix_;
  std::uint64_t counter_ = 0;
  std::map<std::string, Entry> entries_;               // by Correlation Data
  std::multimap<TimePoint, std::string> by_deadline_;  // deadline -> Correlation Data
};

}  // namespace tern::client
