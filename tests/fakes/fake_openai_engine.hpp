// The serving engines behind FakeOpenAI (see fake_openai.hpp): the cpp-httplib engine (fake_openai.cpp, every fault,
// the tests' default) and the epoll engine (fake_openai_epoll.cpp, cheap on CPU, for benchmarks). Both answer with
// fake_openai_wire's shapes and draws, so the same request gets the same answer from either.
#pragma once

#include <memory>
#include <string>

#include "tests/fakes/fake_openai.hpp"

namespace qeval::testing {

class FakeServerEngine {
public:
    virtual ~FakeServerEngine() = default;
    virtual void stop() = 0; // idempotent
    virtual int port() const = 0;
    virtual const FakeOpenAIOptions& options() const = 0;
    virtual FakeOpenAI::Stats stats() const = 0;
    virtual std::string last_request() const = 0;
};

// Both bind and start serving before they return; Error(network) when the address cannot be bound.
std::unique_ptr<FakeServerEngine> make_httplib_engine(FakeOpenAIOptions options);
std::unique_ptr<FakeServerEngine> make_epoll_engine(FakeOpenAIOptions options);

} // namespace qeval::testing
