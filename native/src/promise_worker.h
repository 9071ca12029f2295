// The one shape of an asynchronous addon call: arguments are validated on the
// JavaScript thread, a job runs on a libuv worker thread, and a Promise
// settles with the job's value or with its one error.
//
// A job is a movable struct with
//   bool run(E* error);               worker thread, no JavaScript: false with
//                                     *error filled on failure (E is
//                                     NativeError or derived from it)
//   Napi::Value build(Napi::Env env); JavaScript thread, after run() succeeded
// and is queued with queuePromise(env, "rtslib.name", std::move(job)).
#ifndef RTSLIB_PROMISE_WORKER_H
#define RTSLIB_PROMISE_WORKER_H

#include <napi.h>

#include <utility>

#include "js_util.h"
#include "native_error.h"

namespace rtslib {

// The rejection value for a failed job's error. An error type derived from
// NativeError that carries more (scsi::SysError) overloads this in its own
// namespace; the worker finds the overload by argument-dependent lookup.
inline Napi::Value rejectionValue(Napi::Env env, const NativeError& error) {
  return js::toJsError(env, error).Value();
}

namespace promise_detail {
template <typename Run>
struct ErrorOf;
template <typename Job, typename E>
struct ErrorOf<bool (Job::*)(E*)> {
  using type = E;
};
}  // namespace promise_detail

template <typename Job>
class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Error = typename promise_detail::ErrorOf<decltype(&Job::run)>::type;

  PromiseWorker(Napi::Env env, const char* name, Job job)
      : Napi::AsyncWorker(env, name),
        deferred_(Napi::Promise::Deferred::New(env)),
        job_(std::move(job)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  // Worker thread: no JavaScript access here.
  void Execute() override { ok_ = job_.run(&error_); }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    if (!ok_) {
      deferred_.Reject(rejectionValue(env, error_));
      return;
    }
    Napi::Value value = job_.build(env);
    Napi::Value exception;
    if (js::takePendingException(env, &exception)) {
      deferred_.Reject(exception);
    } else {
      deferred_.Resolve(value);
    }
  }

  // Only reached through SetError, which no job uses; kept so a failure of
  // the machinery still settles the Promise.
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Job job_;
  Error error_;
  bool ok_ = false;
};

// Queues `job` on a worker thread and returns its Promise.
template <typename Job>
Napi::Value queuePromise(Napi::Env env, const char* name, Job job) {
  auto* worker = new PromiseWorker<Job>(env, name, std::move(job));  // deletes itself
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace rtslib

#endif  // RTSLIB_PROMISE_WORKER_H
