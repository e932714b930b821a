// unpickle_string: a pickle machine that knows only the opcodes pickle.dumps(str) writes (the opcode spec is CPython
// Lib/pickletools.py; framing follows Lib/pickle.py _Unframer), so it cannot import, call or build anything. And
// decode_lcb_private_tests, lcb_runner's two-branch decoding of LiveCodeBench private tests (see pickle.hpp).
#include "core/data/pickle.hpp"

#include <array>
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/data/base64.hpp"
#include "core/data/compress.hpp"
#include "core/error.hpp"
#include "core/text.hpp"

namespace qeval::core {
namespace {

// Every opcode of pickle protocols 0-5, for error messages (CPython Lib/pickletools.py `opcodes`).
struct OpcodeName {
    std::uint8_t code;
    std::string_view name;
};
// clang-format off
constexpr std::array<OpcodeName, 68> kOpcodeNames = {{
    {0x28, "MARK"},             {0x29, "EMPTY_TUPLE"},      {0x2e, "STOP"},             {0x30, "POP"},
    {0x31, "POP_MARK"},         {0x32, "DUP"},              {0x42, "BINBYTES"},         {0x43, "SHORT_BINBYTES"},
    {0x46, "FLOAT"},            {0x47, "BINFLOAT"},         {0x49, "INT"},              {0x4a, "BININT"},
    {0x4b, "BININT1"},          {0x4c, "LONG"},             {0x4d, "BININT2"},          {0x4e, "NONE"},
    {0x50, "PERSID"},           {0x51, "BINPERSID"},        {0x52, "REDUCE"},           {0x53, "STRING"},
    {0x54, "BINSTRING"},        {0x55, "SHORT_BINSTRING"},  {0x56, "UNICODE"},          {0x58, "BINUNICODE"},
    {0x5d, "EMPTY_LIST"},       {0x61, "APPEND"},           {0x62, "BUILD"},            {0x63, "GLOBAL"},
    {0x64, "DICT"},             {0x65, "APPENDS"},          {0x67, "GET"},              {0x68, "BINGET"},
    {0x69, "INST"},             {0x6a, "LONG_BINGET"},      {0x6c, "LIST"},             {0x6f, "OBJ"},
    {0x70, "PUT"},              {0x71, "BINPUT"},           {0x72, "LONG_BINPUT"},      {0x73, "SETITEM"},
    {0x74, "TUPLE"},            {0x75, "SETITEMS"},         {0x7d, "EMPTY_DICT"},       {0x80, "PROTO"},
    {0x81, "NEWOBJ"},           {0x82, "EXT1"},             {0x83, "EXT2"},             {0x84, "EXT4"},
    {0x85, "TUPLE1"},           {0x86, "TUPLE2"},           {0x87, "TUPLE3"},           {0x88, "NEWTRUE"},
    {0x89, "NEWFALSE"},         {0x8a, "LONG1"},            {0x8b, "LONG4"},            {0x8c, "SHORT_BINUNICODE"},
    {0x8d, "BINUNICODE8"},      {0x8e, "BINBYTES8"},        {0x8f, "EMPTY_SET"},        {0x90, "ADDITEMS"},
    {0x91, "FROZENSET"},        {0x92, "NEWOBJ_EX"},        {0x93, "STACK_GLOBAL"},     {0x94, "MEMOIZE"},
    {0x95, "FRAME"},            {0x96, "BYTEARRAY8"},       {0x97, "NEXT_BUFFER"},      {0x98, "READONLY_BUFFER"},
}};
// clang-format on

// The opcodes accepted.
constexpr std::uint8_t kProto = 0x80;           // PROTO <u8 protocol>
constexpr std::uint8_t kFrame = 0x95;           // FRAME <u64le length>
constexpr std::uint8_t kUnicode = 'V';          // UNICODE <raw-unicode-escape text>\n
constexpr std::uint8_t kBinUnicode = 'X';       // BINUNICODE <u32le length> <UTF-8>
constexpr std::uint8_t kShortBinUnicode = 0x8c; // SHORT_BINUNICODE <u8 length> <UTF-8>
constexpr std::uint8_t kBinUnicode8 = 0x8d;     // BINUNICODE8 <u64le length> <UTF-8>
constexpr std::uint8_t kMemoize = 0x94;         // MEMOIZE
constexpr std::uint8_t kPut = 'p';              // PUT <decimal index>\n
constexpr std::uint8_t kBinPut = 'q';           // BINPUT <u8 index>
constexpr std::uint8_t kLongBinPut = 'r';       // LONG_BINPUT <u32le index>
constexpr std::uint8_t kStop = '.';             // STOP
constexpr int kHighestProtocol = 5;             // pickle.HIGHEST_PROTOCOL as of Python 3.8-3.13

std::string hex_byte(std::uint8_t b) {
    constexpr std::string_view kHex = "0123456789abcdef";
    return std::string("0x") + kHex[b >> 4] + kHex[b & 15];
}

// "GLOBAL (0x63 'c')", "MEMOIZE (0x94)", "0xff (not a pickle opcode)".
std::string describe_opcode(std::uint8_t op) {
    std::string code = hex_byte(op);
    if (op >= 0x21 && op <= 0x7e) code += std::string(" '") + static_cast<char>(op) + "'";
    for (const OpcodeName& entry : kOpcodeNames) {
        if (entry.code == op) return std::string(entry.name) + " (" + code + ")";
    }
    return code + " (not a pickle opcode)";
}

// Offset of the first byte that does not start a well-formed UTF-8 sequence (Unicode Table 3-7: no overlongs, no
// surrogates, nothing past U+10FFFF), or npos.
std::size_t find_invalid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        unsigned char lo = 0x80;
        unsigned char hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf)
            len = 2;
        else if (c == 0xe0)
            len = 3, lo = 0xa0;
        else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef)
            len = 3;
        else if (c == 0xed)
            len = 3, hi = 0x9f;
        else if (c == 0xf0)
            len = 4, lo = 0x90;
        else if (c >= 0xf1 && c <= 0xf3)
            len = 4;
        else if (c == 0xf4)
            len = 4, hi = 0x8f;
        else
            return i;
        if (len > s.size() - i) return i;
        const auto c1 = static_cast<unsigned char>(s[i + 1]);
        if (c1 < lo || c1 > hi) return i;
        for (std::size_t k = 2; k < len; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return i;
        }
        i += len;
    }
    return std::string_view::npos;
}

// Runs the accepted opcodes over the bytes; holds at most one value, the str.
class StrUnpickler {
public:
    explicit StrUnpickler(std::string_view bytes) : bytes_(bytes) {}
    std::string run();

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw_error(ErrorCode::input,
                    "pickle: offset " + std::to_string(op_offset_) + ", opcode " + describe_opcode(op_) + ": " + what);
    }
    void leave_exhausted_frame();
    std::string_view take(std::uint64_t n, std::string_view what);
    std::uint64_t take_uint_le(int n_bytes, std::string_view what);
    std::string_view take_line(std::string_view what);
    void push(std::string value);
    void push_utf8(int length_bytes);
    [[noreturn]] void fail_at_end() const;
    std::string decode_raw_unicode_escape(std::string_view line, std::size_t line_offset) const;
    void frame();
    void memo_put(int index_bytes);

    std::string_view bytes_;
    std::size_t pos_ = 0;
    bool in_frame_ = false;
    std::size_t frame_end_ = 0;
    std::size_t op_offset_ = 0;
    std::uint8_t op_ = 0;
    bool any_op_ = false;
    std::optional<std::string> value_;
};

// As pickle._Unframer: once a FRAME's bytes are used up, reads continue from the stream itself.
void StrUnpickler::leave_exhausted_frame() {
    if (in_frame_ && pos_ == frame_end_) in_frame_ = false;
}

std::string_view StrUnpickler::take(std::uint64_t n, std::string_view what) {
    leave_exhausted_frame();
    const std::size_t left = bytes_.size() - pos_;
    if (n > left) {
        fail("truncated: " + std::string(what) + " needs " + std::to_string(n) + " bytes, the data has " +
             std::to_string(left) + " left");
    }
    if (in_frame_ && n > frame_end_ - pos_) {
        fail(std::string(what) + " (" + std::to_string(n) + " bytes) runs past the end of its FRAME (" +
             std::to_string(frame_end_ - pos_) + " bytes left in it)");
    }
    const std::string_view out = bytes_.substr(pos_, static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
    return out;
}

std::uint64_t StrUnpickler::take_uint_le(int n_bytes, std::string_view what) {
    const std::string_view raw = take(static_cast<std::uint64_t>(n_bytes), what);
    std::uint64_t v = 0;
    for (int i = n_bytes - 1; i >= 0; --i)
        v = (v << 8) | static_cast<unsigned char>(raw[static_cast<std::size_t>(i)]);
    return v;
}

// The bytes up to the next '\n' (which is consumed, not returned), within the current FRAME if there is one.
std::string_view StrUnpickler::take_line(std::string_view what) {
    leave_exhausted_frame();
    const std::size_t limit = in_frame_ ? frame_end_ : bytes_.size();
    const std::size_t newline = bytes_.substr(0, limit).find('\n', pos_);
    if (newline == std::string_view::npos) {
        if (in_frame_ && bytes_.find('\n', limit) != std::string_view::npos) {
            fail(std::string(what) + " runs past the end of its FRAME");
        }
        fail("truncated: no '\\n' ends " + std::string(what));
    }
    const std::string_view line = bytes_.substr(pos_, newline - pos_);
    pos_ = newline + 1;
    return line;
}

void StrUnpickler::push(std::string value) {
    if (value_) fail("a second value on the stack; only a pickle of one str is accepted");
    value_ = std::move(value);
}

// SHORT_BINUNICODE, BINUNICODE, BINUNICODE8: a little-endian length of length_bytes, then that many bytes of UTF-8.
void StrUnpickler::push_utf8(int length_bytes) {
    const std::string_view payload = take(take_uint_le(length_bytes, "the length"), "the string");
    const std::size_t bad = find_invalid_utf8(payload);
    if (bad != std::string_view::npos) {
        fail("invalid UTF-8 at byte " + std::to_string(bad) + " of the " + std::to_string(payload.size()) +
             "-byte string (pickle offset " + std::to_string(pos_ - payload.size() + bad) + ")");
    }
    push(std::string(payload));
}

// Python's 'raw-unicode-escape' codec (Objects/unicodeobject.c, _PyUnicode_DecodeRawUnicodeEscapeStateful): bytes
// are Latin-1 code points, except \uXXXX and \UXXXXXXXX; a backslash before anything else is itself. Protocol 0
// writes backslash, \0, \n, \r and \x1a as \u escapes, so a pickled str always comes back whole.
std::string StrUnpickler::decode_raw_unicode_escape(std::string_view line, std::size_t line_offset) const {
    std::string out;
    out.reserve(line.size());
    std::size_t i = 0;
    while (i < line.size()) {
        const auto c = static_cast<unsigned char>(line[i]);
        if (c != '\\' || i + 1 == line.size()) {
            append_utf8(out, c);
            ++i;
            continue;
        }
        if (line[i + 1] != 'u' && line[i + 1] != 'U') { // both bytes kept, as CPython does
            append_utf8(out, c);
            append_utf8(out, static_cast<unsigned char>(line[i + 1]));
            i += 2;
            continue;
        }
        const std::size_t n_hex = line[i + 1] == 'u' ? 4 : 8;
        const std::string at = " at pickle offset " + std::to_string(line_offset + i);
        std::uint32_t cp = 0;
        for (std::size_t k = 0; k < n_hex; ++k) {
            const std::size_t j = i + 2 + k;
            const int d = j < line.size() ? hex_digit(line[j]) : -1;
            if (d < 0) fail("truncated \\" + std::string(1, line[i + 1]) + " escape" + at);
            cp = (cp << 4) | static_cast<std::uint32_t>(d);
        }
        if (cp > 0x10ffff) fail("\\U escape out of range" + at);
        if (cp >= 0xd800 && cp <= 0xdfff) fail("escape of a lone surrogate, which UTF-8 cannot hold" + at);
        append_utf8(out, cp);
        i += 2 + n_hex;
    }
    return out;
}

void StrUnpickler::frame() {
    const std::uint64_t length = take_uint_le(8, "the FRAME length");
    if (in_frame_) {
        fail("a new FRAME begins before the current one ends (" + std::to_string(frame_end_ - pos_) +
             " bytes left in it)");
    }
    const std::size_t left = bytes_.size() - pos_;
    if (length > left) {
        fail("truncated: FRAME length " + std::to_string(length) + " runs past the end of the data (" +
             std::to_string(left) + " bytes left)");
    }
    in_frame_ = true;
    frame_end_ = pos_ + static_cast<std::size_t>(length);
}

// MEMOIZE, PUT, BINPUT, LONG_BINPUT: the index (-1: a decimal line, else that many bytes) is read and dropped, since
// GET is not accepted and the memo is never read.
void StrUnpickler::memo_put(int index_bytes) {
    if (index_bytes < 0) {
        const std::string_view digits = take_line("the PUT index");
        if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) {
            fail("the PUT index is not a decimal number");
        }
    } else if (index_bytes > 0) {
        take(static_cast<std::uint64_t>(index_bytes), "the memo index");
    }
    if (!value_) fail("nothing on the stack to store in the memo");
}

void StrUnpickler::fail_at_end() const {
    const std::string last =
        any_op_ ? "; the last opcode is " + describe_opcode(op_) + " at offset " + std::to_string(op_offset_)
                : "; the data is empty";
    throw_error(ErrorCode::input,
                "pickle: offset " + std::to_string(pos_) + ": the data ends without a STOP opcode" + last);
}

std::string StrUnpickler::run() {
    for (;;) {
        leave_exhausted_frame();
        if (pos_ == bytes_.size()) fail_at_end();
        op_offset_ = pos_;
        op_ = static_cast<std::uint8_t>(bytes_[pos_++]);
        any_op_ = true;
        switch (op_) {
        case kProto: {
            if (op_offset_ != 0) fail("PROTO is accepted only as the first opcode");
            const std::uint64_t proto = take_uint_le(1, "the protocol number");
            if (proto > kHighestProtocol) fail("unsupported pickle protocol " + std::to_string(proto) + " (0-5 are)");
            break;
        }
        case kFrame:
            frame();
            break;
        case kUnicode: {
            const std::size_t line_offset = pos_;
            push(decode_raw_unicode_escape(take_line("the UNICODE text"), line_offset));
            break;
        }
        case kShortBinUnicode:
            push_utf8(1);
            break;
        case kBinUnicode:
            push_utf8(4);
            break;
        case kBinUnicode8:
            push_utf8(8);
            break;
        case kMemoize:
            memo_put(0);
            break;
        case kPut:
            memo_put(-1);
            break;
        case kBinPut:
            memo_put(1);
            break;
        case kLongBinPut:
            memo_put(4);
            break;
        case kStop:
            if (!value_) fail("empty stack: the pickle holds no value");
            if (pos_ != bytes_.size()) fail(std::to_string(bytes_.size() - pos_) + " trailing bytes after STOP");
            return std::move(*value_);
        default:
            fail("not accepted: only a pickle of one str is read (PROTO, FRAME, UNICODE, BINUNICODE, "
                 "SHORT_BINUNICODE, BINUNICODE8, MEMOIZE, PUT, BINPUT, LONG_BINPUT, STOP); nothing else is executed");
        }
    }
}

// A SAX handler that keeps nothing and records the first syntax error (nlohmann's SAX parser is iterative, so deep
// nesting cannot overflow the stack).
class JsonChecker : public nlohmann::json_sax<nlohmann::json> {
public:
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return true; }
    bool key(string_t&) override { return true; }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    // nlohmann counts characters read from 1; the message gives the 0-based offset (the size: at the end).
    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) override {
        error = "syntax error at byte " + std::to_string(position > 0 ? position - 1 : 0);
        return false;
    }
    std::string error;
};

// Why text is not JSON as Python's json.loads(str) sees it, or nullopt when it is.
std::optional<std::string> json_error(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF")) return "starts with a UTF-8 byte order mark (json.loads rejects it)";
    JsonChecker checker;
    if (nlohmann::json::sax_parse(text.begin(), text.end(), &checker)) return std::nullopt;
    return checker.error.empty() ? std::string("not JSON") : checker.error;
}

constexpr std::string_view kField = "LiveCodeBench private_test_cases";

} // namespace

std::string unpickle_string(std::string_view bytes) {
    return StrUnpickler(bytes).run();
}

std::string decode_lcb_private_tests(std::string_view field, std::size_t max_bytes) {
    // lcb_runner's first branch: json.loads(private_test_cases).
    const std::optional<std::string> not_json = json_error(field);
    if (!not_json) return std::string(field);
    // Its second: json.loads(pickle.loads(zlib.decompress(base64.b64decode(s.encode("utf-8"))))).
    std::string text;
    try {
        text = unpickle_string(zlib_inflate(base64_decode(field), max_bytes));
    } catch (const Error& e) {
        throw Error(e.code(), std::string(kField) + " (" + std::to_string(field.size()) + " bytes): not JSON (" +
                                  *not_json + "), and decoding it as base64 -> zlib -> pickle failed: " + e.what());
    }
    if (const std::optional<std::string> bad = json_error(text)) {
        throw_error(ErrorCode::input, std::string(kField) + ": the pickled str (" + std::to_string(text.size()) +
                                          " bytes) is not JSON: " + *bad);
    }
    return text;
}

} // namespace qeval::core
