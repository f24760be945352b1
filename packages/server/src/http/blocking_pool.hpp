#pragma once
// A bounded pool of threads for work that blocks (database, bcrypt, disk, outbound HTTP), so that
// I/O threads never do. When `queue_limit` tasks are already waiting or running, Run() throws
// OVERLOADED (503 with Retry-After) instead of queueing without bound.
#include <atomic>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>

#include "core/errors.hpp"
#include "http/asio.hpp"

namespace stepwise::http {

class BlockingPool {
 public:
  BlockingPool(size_t threads, size_t queue_limit, std::string name)
      : pool_(threads), limit_(queue_limit), name_(std::move(name)) {}
  ~BlockingPool() { Join(); }
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  void Join() { pool_.join(); }

  // Fire and forget (thumbnails and other after-the-response work). Returns false, running
  // nothing, when the pool is full: such work must be safe to skip and redo later.
  template <class F>
  bool TryPost(F fn) {
    if (pending_.fetch_add(1) >= limit_) {
      pending_.fetch_sub(1);
      return false;
    }
    asio::post(pool_, [this, fn = std::move(fn)]() mutable {
      try {
        fn();
      } catch (...) {  // NOLINT(bugprone-empty-catch): the task logs its own failures
      }
      pending_.fetch_sub(1);
    });
    return true;
  }
  size_t Pending() const { return pending_.load(); }

  // Runs fn() on a pool thread; the awaiting coroutine resumes on its own executor with the
  // result, or the exception fn threw. `fn` is taken by reference: it lives in the caller's
  // frame, which stays suspended until the result is back. (GCC 12 destroys by-value coroutine
  // parameters with non-trivial destructors twice when they come from a temporary.)
  template <class F>
  Task<std::invoke_result_t<F&>> Run(F&& fn) {
    using R = std::invoke_result_t<F&>;
    if (pending_.fetch_add(1) >= limit_) {
      pending_.fetch_sub(1);
      throw core::Error(core::ErrorKind::kUnavailable, "OVERLOADED", "The server is busy; retry shortly",
                        {{"pool", name_}})
          .WithRetryAfter(1);
    }
    struct Release {
      std::atomic<size_t>& n;
      ~Release() { n.fetch_sub(1); }
    } release{pending_};
    if constexpr (std::is_void_v<R>) {
      co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr)>(
          [this, &fn](auto handler) mutable {
            asio::post(pool_, [&fn, handler = std::move(handler)]() mutable {
              std::exception_ptr ep;
              try {
                fn();
              } catch (...) {
                ep = std::current_exception();
              }
              auto ex = asio::get_associated_executor(handler);
              asio::post(ex, [handler = std::move(handler), ep]() mutable { handler(ep); });
            });
          },
          asio::use_awaitable);
    } else {
      std::optional<R> out = co_await asio::async_initiate<decltype(asio::use_awaitable),
                                                           void(std::exception_ptr, std::optional<R>)>(
          [this, &fn](auto handler) mutable {
            asio::post(pool_, [&fn, handler = std::move(handler)]() mutable {
              std::exception_ptr ep;
              std::optional<R> result;
              try {
                result.emplace(fn());
              } catch (...) {
                ep = std::current_exception();
              }
              auto ex = asio::get_associated_executor(handler);
              asio::post(ex, [handler = std::move(handler), ep, result = std::move(result)]() mutable {
                handler(ep, std::move(result));
              });
            });
          },
          asio::use_awaitable);
      co_return std::move(*out);
    }
  }

 private:
  asio::thread_pool pool_;
  std::atomic<size_t> pending_{0};
  size_t limit_;
  std::string name_;
};

}  // namespace stepwise::http
