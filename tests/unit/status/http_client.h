// A small Beast HTTP client for the server tests: every operation is asynchronous with a generous
// timeout (10 s unless given), so that a server that does not answer fails the test instead of
// hanging it. Plain TCP or TLS.
#pragma once

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace misync::statustest {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using HttpResponse = http::response<http::string_body>;

template <bool Tls>
class BasicClient {
    using Stream = std::conditional_t<Tls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

  public:
    // Plain: connects to 127.0.0.1:port. TLS: connects and shakes hands, trusting `caFile`.
    explicit BasicClient(unsigned short port, const std::string& caFile = "")
        : ctx_(net::ssl::context::tls_client), stream_(makeStream(caFile)) {
        beast::error_code ec;
        lowest().expires_after(kPatience);
        lowest().async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                               [&](beast::error_code e) { ec = e; });
        runAll();
        if (!ec) {
            if constexpr (Tls) {
                lowest().expires_after(kPatience);
                stream_.async_handshake(net::ssl::stream_base::client,
                                        [&](beast::error_code e) { ec = e; });
                runAll();
            }
        }
        connectError = ec;
    }

    static constexpr std::chrono::seconds kPatience{10};

    // Sends a request; nullopt (with `error`) when there is no complete answer in time.
    std::optional<HttpResponse> request(http::verb method, const std::string& target,
                                        const std::string& token = "", const std::string& body = "",
                                        bool keepAlive = true) {
        http::request<http::string_body> req{method, target, 11};
        req.set(http::field::host, "127.0.0.1");
        if (!token.empty()) {
            req.set(http::field::authorization, "Bearer " + token);
        }
        req.body() = body;
        req.keep_alive(keepAlive);
        req.prepare_payload();
        beast::error_code ec;
        lowest().expires_after(kPatience);
        http::async_write(stream_, req, [&](beast::error_code e, std::size_t) { ec = e; });
        runAll();
        if (ec) {
            error = ec;
            return std::nullopt;
        }
        return read();
    }
    std::optional<HttpResponse> get(const std::string& target, const std::string& token = "") {
        return request(http::verb::get, target, token);
    }

    // Writes raw bytes (a request made by hand).
    beast::error_code writeRaw(const std::string& bytes) {
        beast::error_code ec;
        lowest().expires_after(kPatience);
        net::async_write(stream_, net::buffer(bytes),
                         [&](beast::error_code e, std::size_t) { ec = e; });
        runAll();
        return ec;
    }

    // Reads one response; nullopt (with `error`) when none arrives whole in time.
    std::optional<HttpResponse> read(std::chrono::seconds patience = kPatience) {
        HttpResponse res;
        beast::error_code ec;
        lowest().expires_after(patience);
        http::async_read(stream_, buffer_, res, [&](beast::error_code e, std::size_t) { ec = e; });
        runAll();
        if (ec) {
            error = ec;
            return std::nullopt;
        }
        return res;
    }

    // Waits for the server to close the connection: the error the read ended with (eof or a
    // reset when closed; beast::error::timeout when the server kept it open past `patience`).
    beast::error_code waitForClose(std::chrono::seconds patience = kPatience) {
        char byte = 0;
        beast::error_code ec;
        lowest().expires_after(patience);
        lowest().async_read_some(net::buffer(&byte, 1),
                                 [&](beast::error_code e, std::size_t) { ec = e; });
        runAll();
        return ec ? ec : beast::error_code(net::error::would_block);  // data, not a close
    }

    // Bytes the server sent that nobody has read yet.
    std::size_t available() {
        beast::error_code ec;
        return lowest().socket().available(ec) + buffer_.size();
    }

    void close() {
        beast::error_code ec;
        lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
        lowest().socket().close(ec);
    }

    beast::error_code connectError;
    beast::error_code error;

  private:
    net::io_context io_;
    net::ssl::context ctx_;
    Stream stream_;
    beast::flat_buffer buffer_;

    Stream makeStream(const std::string& caFile) {
        if constexpr (Tls) {
            ctx_.set_verify_mode(net::ssl::verify_peer);
            ctx_.load_verify_file(caFile);
            return Stream(io_, ctx_);
        } else {
            (void)caFile;
            return Stream(io_);
        }
    }
    beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
    void runAll() {
        io_.restart();
        io_.run();
    }
};

using Client = BasicClient<false>;
using TlsClient = BasicClient<true>;

}  // namespace misync::statustest
