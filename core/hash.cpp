// SHA-256 through OpenSSL's EVP interface; derive_seed on top of it.
#include "core/hash.hpp"

#include <array>
#include <fstream>
#include <memory>

#include <openssl/evp.h>

#include "core/error.hpp"

namespace qeval::core {
namespace {

struct MdCtxDeleter {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

// Fetched once: EVP_sha256() makes every EVP_DigestInit_ex look the algorithm up in the provider anew (OpenSSL 3),
// which cost more than hashing a short key (derive_seed runs once per request).
const EVP_MD* sha256_md() {
    static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md ? md : EVP_sha256();
}

MdCtx new_sha256() {
    MdCtx ctx(EVP_MD_CTX_new());
    QEVAL_ASSERT(ctx && EVP_DigestInit_ex(ctx.get(), sha256_md(), nullptr) == 1, "EVP sha256 init");
    return ctx;
}

// The calling thread's context, initialised afresh: short hashes (sha256_hex, derive_seed) skip allocating one.
EVP_MD_CTX* thread_sha256() {
    thread_local MdCtx ctx(EVP_MD_CTX_new());
    QEVAL_ASSERT(ctx && EVP_DigestInit_ex(ctx.get(), sha256_md(), nullptr) == 1, "EVP sha256 init");
    return ctx.get();
}

std::string finish_hex(EVP_MD_CTX* ctx) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    QEVAL_ASSERT(EVP_DigestFinal_ex(ctx, md.data(), &len) == 1, "EVP sha256 final");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned i = 0; i < len; ++i) {
        out.push_back(kHex[md[i] >> 4]);
        out.push_back(kHex[md[i] & 15]);
    }
    return out;
}

} // namespace

std::string sha256_hex(std::string_view bytes) {
    EVP_MD_CTX* ctx = thread_sha256();
    EVP_DigestUpdate(ctx, bytes.data(), bytes.size());
    return finish_hex(ctx);
}

std::string sha256_file_hex(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    QEVAL_CHECK(in.good(), ErrorCode::input, path.string() + ": cannot open for reading");
    MdCtx ctx = new_sha256();
    std::array<char, 1 << 16> buf{};
    while (in) {
        in.read(buf.data(), buf.size());
        if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(in.gcount()));
    }
    QEVAL_CHECK(in.eof(), ErrorCode::input, path.string() + ": read error");
    return finish_hex(ctx.get());
}

std::uint64_t derive_seed(std::string_view key, std::uint64_t seed) {
    std::string material(key);
    material.push_back('\x1f');
    material += std::to_string(seed);
    EVP_MD_CTX* ctx = thread_sha256();
    EVP_DigestUpdate(ctx, material.data(), material.size());
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, md.data(), &len);
    std::uint64_t out = 0;
    for (int i = 0; i < 8; ++i)
        out = (out << 8) | md[i];
    return out;
}

} // namespace qeval::core
