#include "auth/password_hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <climits>
#include <stdexcept>

namespace tern::auth {
namespace {

constexpr std::string_view kPbkdf2Prefix = "$7$";
constexpr std::string_view kSha512Prefix = "$6$";

// Splits `text` at every '$' (empty fields kept, unlike strtok), at most `max_fields + 1`
// pieces so that "too many fields" is still visible to the caller.
std::vector<std::string_view> split_fields(std::string_view text, std::size_t max_fields) {
  std::vector<std::string_view> fields;
  while (fields.size() <= max_fields) {
    const auto dollar = text.find('$');
    fields.push_back(text.substr(0, dollar));
    if (dollar == std::string_view::npos) break;
    text.remove_prefix(dollar + 1);
  }
  return fields;
}

// Quotes a piece of the file for an error message, cut short so a garbage line cannot produce
// a garbage-sized message.
std::string quoted(std::string_view text) {
  constexpr std::size_t kMax = 32;
  std::string out = "'";
  out += text.substr(0, kMax);
  if (text.size() > kMax) out += "...";
  out += "'";
  return out;
}

// Decodes the salt field into `out`, or returns why it cannot be a salt.
std::string decode_salt(std::string_view text, std::vector<unsigned char>& out) {
  auto bytes = base64_decode(text);
  if (!bytes) return "salt is not valid base64";
  if (bytes->size() != kSaltLength && bytes->size() != kLongSaltLength) {
    return "salt must be " + std::to_string(kSaltLength) + " or " +
           std::to_string(kLongSaltLength) + " bytes, got " + std::to_string(bytes->size());
  }
  out = std::move(*bytes);
  return {};
}

std::string decode_hash(std::string_view text, std::array<unsigned char, kHashLength>& out) {
  auto bytes = base64_decode(text);
  if (!bytes) return "hash is not valid base64";
  if (bytes->size() != kHashLength) {
    return "hash must be " + std::to_string(kHashLength) + " bytes, got " +
           std::to_string(bytes->size());
  }
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return {};
}

ParsedHash failure(std::string reason) {
  return {std::nullopt, std::move(reason)};
}

ParsedHash parse_pbkdf2(std::string_view rest) {
  const auto fields = split_fields(rest, 3);
  if (fields.size() != 3) return failure("$7$ hash must be $7$ITERATIONS$SALT$HASH");

  PasswordHash out;
  out.scheme = HashScheme::sha512_pbkdf2;
  const std::string_view iterations = fields[0];
  const auto [end, ec] =
      std::from_chars(iterations.data(), iterations.data() + iterations.size(), out.iterations);
  if (iterations.empty() || ec != std::errc{} || end != iterations.data() + iterations.size() ||
      out.iterations < 1) {
    return failure("iterations must be a positive number, got " + quoted(iterations));
  }
  if (auto error = decode_salt(fields[1], out.salt); !error.empty()) return failure(error);
  if (auto error = decode_hash(fields[2], out.hash); !error.empty()) return failure(error);
  return {std::move(out), {}};
}

ParsedHash parse_sha512(std::string_view rest) {
  const auto fields = split_fields(rest, 2);
  if (fields.size() != 2) return failure("$6$ hash must be $6$SALT$HASH");

  PasswordHash out;
  out.scheme = HashScheme::sha512;
  if (auto error = decode_salt(fields[0], out.salt); !error.empty()) return failure(error);
  if (auto error = decode_hash(fields[1], out.hash); !error.empty()) return failure(error);
  return {std::move(out), {}};
}

bool is_base64_alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

}  // namespace

ParsedHash parse_password_hash(std::string_view text) {
  if (text.empty()) return failure("missing password hash");
  // Never quote such a field: it is most likely a plain-text password.
  if (text.front() != '$') {
    return failure("password is not hashed (expected $7$ or $6$; mosquitto_passwd -U hashes it)");
  }
  if (text.starts_with(kPbkdf2Prefix)) return parse_pbkdf2(text.substr(kPbkdf2Prefix.size()));
  if (text.starts_with(kSha512Prefix)) return parse_sha512(text.substr(kSha512Prefix.size()));
  const auto second_dollar = text.find('$', 1);
  const auto type =
      second_dollar == std::string_view::npos ? text : text.substr(0, second_dollar + 1);
  return failure("unknown password hash type " + quoted(type) + " (expected $7$ or $6$)");
}

std::string format_password_hash(const PasswordHash& hash) {
  std::string out;
  if (hash.scheme == HashScheme::sha512_pbkdf2) {
    out = std::string(kPbkdf2Prefix) + std::to_string(hash.iterations) + "$";
  } else {
    out = std::string(kSha512Prefix);
  }
  out += base64_encode(hash.salt);
  out += '$';
  out += base64_encode(hash.hash);
  return out;
}

std::optional<std::array<unsigned char, kHashLength>> compute_hash(const PasswordHash& params,
                                                                   std::string_view password) {
  std::array<unsigned char, kHashLength> out{};
  if (params.scheme == HashScheme::sha512_pbkdf2) {
    if (password.size() > INT_MAX || params.salt.size() > INT_MAX || params.iterations < 1) {
      return std::nullopt;
    }
    const int ok =
        PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), params.salt.data(),
                          static_cast<int>(params.salt.size()), params.iterations, EVP_sha512(),
                          static_cast<int>(out.size()), out.data());
    if (ok != 1) return std::nullopt;
    return out;
  }

  // $6$: SHA-512 over the password bytes followed by the salt bytes.
  std::vector<unsigned char> input(password.begin(), password.end());
  input.insert(input.end(), params.salt.begin(), params.salt.end());
  unsigned int length = 0;
  const int ok = EVP_Digest(input.data(), input.size(), out.data(), &length, EVP_sha512(), nullptr);
  OPENSSL_cleanse(input.data(), input.size());  // it holds the password
  if (ok != 1 || length != out.size()) return std::nullopt;
  return out;
}

bool verify_password(const PasswordHash& expected, std::string_view password) {
  const auto actual = compute_hash(expected, password);
  if (!actual) return false;
  return CRYPTO_memcmp(actual->data(), expected.hash.data(), kHashLength) == 0;
}

PasswordHash make_password_hash(std::string_view password, int iterations) {
  return make_password_hash(password, HashScheme::sha512_pbkdf2, iterations);
}

PasswordHash make_password_hash(std::string_view password, HashScheme scheme, int iterations) {
  const bool pbkdf2 = scheme == HashScheme::sha512_pbkdf2;
  if (pbkdf2 && iterations < 1) throw std::invalid_argument("iterations must be at least 1");
  PasswordHash out;
  out.scheme = scheme;
  out.iterations = pbkdf2 ? iterations : 0;
  out.salt.resize(kSaltLength);
  if (RAND_bytes(out.salt.data(), static_cast<int>(out.salt.size())) != 1) {
    throw std::runtime_error("cannot get random bytes for a password salt");
  }
  const auto hash = compute_hash(out, password);
  if (!hash) {
    throw std::runtime_error(pbkdf2 ? "cannot hash the password (PBKDF2-HMAC-SHA512 failed)"
                                    : "cannot hash the password (SHA-512 failed)");
  }
  out.hash = *hash;
  return out;
}

std::string base64_encode(std::span<const unsigned char> bytes) {
  if (bytes.empty()) return {};
  // EVP_EncodeBlock writes 4 characters per 3 bytes (rounded up) and a terminating NUL.
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                      static_cast<int>(bytes.size()));
  out.resize(written > 0 ? static_cast<std::size_t>(written) : 0);
  return out;
}

std::optional<std::vector<unsigned char>> base64_decode(std::string_view text) {
  // EVP_DecodeBlock is lenient (it skips blanks around the text) and does not say how many
  // bytes were padding, so the text is checked here first and the padding subtracted after.
  if (text.empty() || text.size() % 4 != 0 || text.size() > INT_MAX) return std::nullopt;
  std::size_t padding = 0;
  if (text.ends_with("==")) {
    padding = 2;
  } else if (text.ends_with('=')) {
    padding = 1;
  }
  for (std::size_t i = 0; i < text.size() - padding; ++i) {
    if (!is_base64_alphabet(text[i])) return std::nullopt;
  }

  std::vector<unsigned char> out(text.size() / 4 * 3);
  const int decoded =
      EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                      static_cast<int>(text.size()));
  if (decoded < 0 || static_cast<std::size_t>(decoded) != out.size()) return std::nullopt;
  out.resize(out.size() - padding);
  return out;
}

}  // namespace tern::auth
