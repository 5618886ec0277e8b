// Result<T>: a value or an Errc. The codec reports every failure of untrusted input this way,
// never by exception.
//
// std::expected is C++23 and Clang 14 with libstdc++ 12 cannot use it, and Debian 12 packages no
// expected-like library, so this is the small subset we need; it can become an alias of
// std::expected<T, Errc> when the toolchains allow.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "mqtt/errc.h"

namespace tern::mqtt {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  Result(Errc error) : state_(std::in_place_index<1>, error) {}          // NOLINT: implicit

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // Precondition for value access: ok(). For error(): !ok().
  T& value() & {
    assert(ok());
    return *std::get_if<0>(&state_);
  }
  const T& value() const& {
    assert(ok());
    return *std::get_if<0>(&state_);
  }
  T&& value() && {
    assert(ok());
    return std::move(*std::get_if<0>(&state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  Errc error() const {
    assert(!ok());
    return *std::get_if<1>(&state_);
  }

 private:
  std::variant<T, Errc> state_;
};

}  // namespace tern::mqtt
