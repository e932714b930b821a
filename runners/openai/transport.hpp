// The openai runner's HTTP side (transport.cpp): libcurl multi on one epoll loop, one I/O thread, keep-alive
// connections spread over the servers, retries with backoff, streaming, and the blocking GET of the preflight.
#pragma once

#include <string>
#include <vector>

#include "runners/openai/openai_runner.hpp"

namespace qeval::runners::openai {

// Sends every request (retries, the servers taken in turn, a dead one taken out for a while) and calls on_result
// once per request on this thread: the answer, or the error after the last attempt.
void run_requests(const OpenAISettings& settings, const std::string& api_key,
                  const std::vector<GenerateRequest>& requests, const OnResult& on_result);

// A blocking GET (the /models preflight): the HTTP status, or 0 with `error` saying why there was none.
long http_get(const std::string& url, const std::string& api_key, long timeout_s, std::string& body,
              std::string& error);

void global_init();                       // curl_global_init, once per process
std::string strip_slash(std::string url); // a base URL without its trailing slashes

} // namespace qeval::runners::openai
