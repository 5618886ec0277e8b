// PasswordHash: one Mosquitto password hash, the part of a password-file line after "username:".
//
// Two schemes, as Mosquitto writes them (standard base64 with padding, fields split by '$'):
//
//   $7$ITERATIONS$SALT$HASH   PBKDF2-HMAC-SHA512 (Mosquitto 2.x, `mosquitto_passwd` default;
//                             101 iterations and a 12-byte salt unless told otherwise)
//   $6$SALT$HASH              SHA-512(password bytes, then salt bytes) (Mosquitto 1.x;
//                             `mosquitto_passwd -H sha512` still writes it)
//
// HASH is always 64 bytes. SALT is 12 bytes; 64-byte salts are accepted too because newer
// Mosquitto releases write them. Argon2id (`$argon2id$`) is not supported.
//
// Everything here is a pure function over OpenSSL's libcrypto and safe to call from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tern::auth {

inline constexpr std::size_t kHashLength = 64;      // SHA-512 output
inline constexpr std::size_t kSaltLength = 12;      // what Mosquitto 1.x and 2.0 write
inline constexpr std::size_t kLongSaltLength = 64;  // what later Mosquitto releases write
inline constexpr int kDefaultIterations = 101;      // mosquitto_passwd's default for $7$

enum class HashScheme {
  sha512,         // "$6$"
  sha512_pbkdf2,  // "$7$"
};

struct PasswordHash {
  HashScheme scheme = HashScheme::sha512_pbkdf2;
  int iterations = 0;  // > 0 for sha512_pbkdf2, unused (0) for sha512
  std::vector<unsigned char> salt;
  std::array<unsigned char, kHashLength> hash{};
};

// The outcome of parse_password_hash: a hash, or the reason the text is not one (without a
// file name or line number; the caller adds those).
struct ParsedHash {
  std::optional<PasswordHash> hash;
  std::string error;
};

// Parses "$7$..." or "$6$..." exactly: no surrounding blanks, no extra fields, padded base64.
ParsedHash parse_password_hash(std::string_view text);

// The inverse of parse_password_hash.
std::string format_password_hash(const PasswordHash& hash);

// Hashes `password` with the scheme, iterations and salt of `params` (its `hash` is ignored).
// Returns nothing only if libcrypto fails (out of memory) or the password is longer than
// libcrypto takes (INT_MAX bytes).
std::optional<std::array<unsigned char, kHashLength>> compute_hash(const PasswordHash& params,
                                                                   std::string_view password);

// True if `password` hashes to `expected.hash`. The comparison takes the same time wherever
// the first differing byte is (CRYPTO_memcmp).
bool verify_password(const PasswordHash& expected, std::string_view password);

// A new "$7$" hash of `password` with a fresh random 12-byte salt.
// Throws std::invalid_argument if iterations < 1, std::runtime_error if the system's random
// generator or libcrypto fails (tools and start-up only, never on the data path).
PasswordHash make_password_hash(std::string_view password, int iterations = kDefaultIterations);
// The same in either scheme: `iterations` matters for sha512_pbkdf2 only (a "$6$" hash has none,
// as `mosquitto_passwd -H sha512` writes it). Throws as above.
PasswordHash make_password_hash(std::string_view password, HashScheme scheme,
                                int iterations = kDefaultIterations);

// Standard base64 (RFC 4648 section 4) with '=' padding, no line breaks.
std::string base64_encode(std::span<const unsigned char> bytes);
// Strict inverse of base64_encode: nothing if the text is empty, is not a multiple of 4 long,
// has a character outside the alphabet, or has '=' anywhere but in the last two places.
std::optional<std::vector<unsigned char>> base64_decode(std::string_view text);

}  // namespace tern::auth
