#include "daemon/http_post.h"

#ifndef MISYNC_NO_OPENSSL
#include <openssl/err.h>
#include <openssl/ssl.h>
#endif

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#ifndef MISYNC_NO_OPENSSL
#include <boost/asio/ssl.hpp>
#endif
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#ifndef MISYNC_NO_OPENSSL
#include <boost/beast/ssl.hpp>
#endif
#include <exception>
#include <optional>
#include <stdexcept>

#ifndef MISYNC_VERSION
#define MISYNC_VERSION "0.0.0"
#endif

namespace misync::daemon {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
#ifndef MISYNC_NO_OPENSSL
namespace ssl = asio::ssl;
#endif
using tcp = asio::ip::tcp;

template <class Stream>
asio::awaitable<unsigned> exchange(Stream& stream, http::request<http::string_body>& request) {
    co_await http::async_write(stream, request, asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024);  // the answer is not read; a receiver's page may be long
    co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
    co_return parser.get().result_int();
}

asio::awaitable<unsigned> post(const NotifyConfig& target,
                               http::request<http::string_body>& request,
                               std::chrono::milliseconds timeout) {
    auto executor = co_await asio::this_coro::executor;
    tcp::resolver resolver(executor);
    auto endpoints = co_await resolver.async_resolve(target.host, target.port, asio::use_awaitable);
    if (target.scheme != "https") {
        beast::tcp_stream stream(executor);
        stream.expires_after(timeout);
        co_await stream.async_connect(endpoints, asio::use_awaitable);
        co_return co_await exchange(stream, request);
    }
#ifdef MISYNC_NO_OPENSSL
    // A build without OpenSSL (Windows, docs/windows.md): no https notifications.
    throw std::runtime_error("https is not available in this build (no OpenSSL: docs/windows.md)");
#else
    ssl::context context(ssl::context::tls_client);
    context.set_default_verify_paths();
    context.set_verify_mode(ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(executor, context);
    // SNI; what SSL_set_tlsext_host_name() expands to, without its C cast.
    if (::SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                   const_cast<char*>(target.host.c_str())) != 1) {
        throw beast::system_error(beast::error_code(static_cast<int>(::ERR_get_error()),
                                                    asio::error::get_ssl_category()));
    }
    stream.set_verify_callback(ssl::host_name_verification(target.host));
    beast::get_lowest_layer(stream).expires_after(timeout);
    co_await beast::get_lowest_layer(stream).async_connect(endpoints, asio::use_awaitable);
    co_await stream.async_handshake(ssl::stream_base::client, asio::use_awaitable);
    co_return co_await exchange(stream, request);
#endif
}

}  // namespace

PostResult postJson(const NotifyConfig& target, const std::string& body,
                    std::chrono::milliseconds timeout) {
    const bool defaultPort = target.port == (target.scheme == "https" ? "443" : "80");
    const std::string host =
        target.host.find(':') != std::string::npos ? "[" + target.host + "]" : target.host;
    http::request<http::string_body> request{http::verb::post, target.target, 11};
    request.set(http::field::host, defaultPort ? host : host + ":" + target.port);
    request.set(http::field::user_agent, "misync/" MISYNC_VERSION);
    request.set(http::field::content_type, "application/json");
    request.set(http::field::connection, "close");
    if (!target.token.empty()) {
        request.set(http::field::authorization, "Bearer " + target.token);
    }
    request.body() = body;
    request.prepare_payload();

    asio::io_context io;
    std::optional<unsigned> status;
    std::string problem;
    asio::co_spawn(
        io, post(target, request, timeout), [&](std::exception_ptr error, unsigned answer) {
            if (!error) {
                status = answer;
                return;
            }
            try {
                std::rethrow_exception(error);
            } catch (const beast::system_error& e) {
                problem = e.code() == beast::error::timeout ? "timed out" : e.code().message();
            } catch (const std::exception& e) {
                problem = e.what();
            }
        });
    // The stream's own timeout bounds connect and exchange; this also bounds name resolution.
    io.run_for(timeout + std::chrono::milliseconds(500));
    if (!status && problem.empty()) {
        io.stop();
        problem = "timed out";
    }
    PostResult result;
    if (!status) {
        result.retry = true;
        result.problem = problem;
        return result;
    }
    result.delivered = *status >= 200 && *status < 300;
    result.retry = *status == 408 || *status == 429 || *status >= 500;
    if (!result.delivered) {
        result.problem = "HTTP " + std::to_string(*status);
    }
    return result;
}

}  // namespace misync::daemon
