#include "properties/supervisor.h"

// Boost 1.81 Process v2 with BOOST_PROCESS_USE_STD_FS uses boost::optional and
// <type_traits> without including them.
#include <type_traits>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include <array>
#include <charconv>
#include <deque>
#include <iomanip>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/writable_pipe.hpp>
#include <boost/asio/write.hpp>
#include <boost/optional.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/stdio.hpp>

#include "fixtures/child_process.h"
#include "properties/minimize.h"
#include "properties/worker.h"

namespace epollcheck {
namespace {

namespace asio = boost::asio;
namespace bp = boost::process::v2;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Replays of a crash or hang each start a process: fewer than the
// in-process minimizer's 3000.
constexpr int kMaxProcessReplays = 600;
// How much of a worker's stderr is kept for a report.
constexpr size_t kStderrTail = 2048;

std::string FormatDuration(milliseconds d) {
  const long ms = static_cast<long>(d.count());
  if (ms % 3600000 == 0)
    return std::to_string(ms / 3600000) + " h";
  if (ms % 60000 == 0)
    return std::to_string(ms / 60000) + " min";
  if (ms % 1000 == 0)
    return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

// The last few lines of a worker's stderr, indented, or "".
std::string StderrNote(const std::string& tail) {
  std::string t = tail;
  while (!t.empty() && t.back() == '\n')
    t.pop_back();
  if (t.empty())
    return "";
  std::string note = "worker stderr:";
  std::istringstream in(t);
  for (std::string line; std::getline(in, line);)
    note += "\n  " + line;
  return note;
}

void KeepTail(std::string& tail, const char* data, size_t n) {
  tail.append(data, n);
  if (tail.size() > kStderrTail)
    tail.erase(0, tail.size() - kStderrTail);
}

// What a one-shot replay in a fresh worker did.
struct ProcessReplay {
  SequenceRun run;
  std::vector<Outcome> got;  // the SUT's results, if it finished
  std::string stderr_tail;
};

// The failure being reported: sequence `sequence` fails with `signature`.
struct Finding {
  int sequence = 0;
  std::string signature;
  SequenceRun run;
  int index = 0;          // its number in the report
  bool assigned = false;  // a worker or the finder thread has it
  std::string died;       // the signature of a report job that died
  std::string stderr_tail;
};

struct WorkerProc {
  explicit WorkerProc(asio::io_context& ctx) : in(ctx), out(ctx), err(ctx) {}
  asio::writable_pipe in;
  asio::readable_pipe out;
  asio::readable_pipe err;
  std::optional<bp::process> proc;
  std::array<char, 1 << 16> out_chunk{};
  std::array<char, 4096> err_chunk{};
  std::string out_buffer;
  std::string err_tail;
  bool out_open = true;
  bool err_open = true;
  enum class Job { kIdle, kRun, kReport } job = Job::kIdle;
  int run_next = 0;
  int run_end = 0;
  // The first divergence of the sequence in progress (from a `div` frame).
  int div_sequence = -3;
  int div_step = -1;
  std::string div_signature;
  std::string fatal_kind;  // "crash SIGSEGV" or "hang" from a `fatal` frame
  int fatal_step = -1;
  bool killed_silent = false;  // no frame for too long: killed as a hang
  bool ready = false;          // it started (a `ready` frame)
  Clock::time_point last_heard = Clock::now();
};

class Supervisor {
public:
  Supervisor(const CheckOptions& options, const SuperviseOptions& supervise,
             std::ostream& out, std::ostream* progress)
      : options_(options), supervise_(supervise), out_(out),
        progress_(progress), tick_(ctx_) {
    first_ = FirstSequence(options);
    end_ = options.only_sequence >= 0 ? first_ + 1 : options.sequences;
    stride_ = SequenceStride(options);
    next_dispatch_ = first_;
    next_commit_ = first_;
    masked_ = options.masked;
    for (const auto& [signature, entry] : options.known)
      masked_.insert(signature);
    const int jobs = std::max(1, supervise.jobs);
    const int count = (std::max(0, end_ - first_) + stride_ - 1) / stride_;
    chunk_ = std::clamp(count / (jobs * 16), 1, 16);
    window_ = chunk_ * jobs * 8 * stride_;
    // A silent worker is killed after the watchdog's timeout and then some
    // (the watchdog itself reports a hung operation at the timeout).
    silence_limit_ =
        options.hang_timeout +
        std::max<milliseconds>(options.hang_timeout, milliseconds(10000));
  }

  CheckReport Run() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    struct sigaction saved {};
    sigaction(SIGPIPE, &ignore, &saved);  // a dead worker's stdin: EPIPE
    start_ = Clock::now();
    for (int i = 0; i < std::max(1, supervise_.jobs); ++i)
      Spawn();
    Pump();
    Tick();
    ctx_.run();
    if (finder_.joinable())
      finder_.join();
    sigaction(SIGPIPE, &saved, nullptr);
    EndProgress();
    for (const auto& [signature, n] : hits_) {
      if (options_.known.count(signature) != 0)
        report_.known_hits[signature] = n;
    }
    PrintRunEnd(options_, report_, coverage_, out_);
    report_.coverage = coverage_;
    return report_;
  }

private:
  using WorkerPtr = std::shared_ptr<WorkerProc>;

  void Spawn() {
    auto w = std::make_shared<WorkerProc>(ctx_);
    try {
      w->proc.emplace(ctx_, supervise_.program, supervise_.worker_args,
                      bp::process_stdio{w->in, w->out, w->err});
    } catch (const std::exception& e) {
      Fail(std::string("cannot start a worker: ") + e.what());
      return;
    }
    // Our ends of its pipes stay out of later children (see CheckWorker in
    // cli/main.cc for why that is not enough by itself).
    for (const int fd : {w->in.native_handle(), w->out.native_handle(),
                         w->err.native_handle()})
      (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    workers_.push_back(w);
    ReadOut(w);
    ReadErr(w);
  }

  void ReadOut(const WorkerPtr& w) {
    w->out.async_read_some(
        asio::buffer(w->out_chunk),
        [this, w](const boost::system::error_code& ec, size_t n) {
          if (ec) {
            w->out_open = false;
            MaybeGone(w);
            return;
          }
          w->last_heard = Clock::now();
          w->out_buffer.append(w->out_chunk.data(), n);
          for (const Frame& frame : DecodeFrames(w->out_buffer))
            OnFrame(w, frame);
          ReadOut(w);
        });
  }

  void ReadErr(const WorkerPtr& w) {
    w->err.async_read_some(
        asio::buffer(w->err_chunk),
        [this, w](const boost::system::error_code& ec, size_t n) {
          if (ec) {
            w->err_open = false;
            MaybeGone(w);
            return;
          }
          KeepTail(w->err_tail, w->err_chunk.data(), n);
          ReadErr(w);
        });
  }

  void Send(const WorkerPtr& w, std::string_view tag,
            std::string_view payload) {
    const std::string frame = EncodeFrame(tag, payload);
    boost::system::error_code ec;
    asio::write(w->in, asio::buffer(frame), ec);  // a dead one: EOF follows
    w->last_heard = Clock::now();
  }

  void OnFrame(const WorkerPtr& w, const Frame& frame) {
    if (frame.tag == "seq") {
      std::optional<SequenceRun> run = DecodeRun(frame.payload);
      if (!run || w->job != WorkerProc::Job::kRun ||
          run->sequence != w->run_next) {
        Fail("worker protocol: unexpected result");
        return;
      }
      results_[run->sequence] = std::move(*run);
      if ((w->run_next += stride_) >= w->run_end)
        w->job = WorkerProc::Job::kIdle;
      Pump();
    } else if (frame.tag == "div") {
      std::istringstream in(frame.payload);
      in >> w->div_sequence >> w->div_step >> w->div_signature;
    } else if (frame.tag == "shrink") {
      std::istringstream(frame.payload) >> shrink_tried_ >> shrink_accepted_;
      Draw(false);
    } else if (frame.tag == "report") {
      OnReport(w, frame.payload);
    } else if (frame.tag == "fatal") {
      std::istringstream in(frame.payload);
      std::string kind;
      in >> kind;
      if (kind == "crash") {
        std::string signal;
        in >> signal;
        kind = "crash:" + signal;
      }
      w->fatal_kind = kind;
      in >> w->fatal_step;
    } else if (frame.tag == "ready") {
      w->ready = true;
      failed_starts_ = 0;
    } else if (frame.tag == "alive") {
      // last_heard is already updated
    } else {
      Fail("worker: " + frame.tag + " " + frame.payload);
    }
  }

  void OnReport(const WorkerPtr& w, std::string payload) {
    w->job = WorkerProc::Job::kIdle;
    std::optional<FoundDivergence> found;
    Coverage coverage;
    std::string text;
    for (const Frame& f : DecodeFrames(payload)) {
      if (f.tag == "found") {
        size_t used = 0;
        found = DecodeFound(f.payload, used);
      } else if (f.tag == "coverage") {
        std::optional<SequenceRun> run = DecodeRun("sequence 0\n" + f.payload);
        if (run)
          coverage = run->coverage;
      } else if (f.tag == "text") {
        text = f.payload;
      }
    }
    FinishFinding(found, coverage, text);
  }

  // The failure of finding_ is reported: print it, mask it, go on.
  void FinishFinding(std::optional<FoundDivergence> found,
                     const Coverage& coverage, const std::string& text) {
    if (!finding_)
      return;
    EndProgress();
    out_ << text << std::flush;
    coverage_.Add(coverage);
    if (!found) {
      found = FoundDivergence{
          .signature = finding_->signature,
          .sequence = finding_->sequence,
          .rerun = RerunCommand(options_, finding_->sequence, masked_),
          .reproduced = false};
    }
    ++report_.divergences;
    masked_.insert(found->signature);
    masked_.insert(finding_->signature);
    report_.found.push_back(*found);
    finding_.reset();
    shrink_tried_ = 0;
    shrink_accepted_ = 0;
    if (static_cast<int>(report_.found.size()) >= options_.max_divergences) {
      out_ << "epollcheck: stopping after " << options_.max_divergences
           << " distinct divergences\n";
      stop_ = true;
    }
    Pump();
  }

  void MaybeGone(const WorkerPtr& w) {
    if (w->out_open || w->err_open)
      return;
    OnWorkerGone(w);
  }

  void OnWorkerGone(const WorkerPtr& w) {
    boost::system::error_code ec;
    w->proc->wait(ec);  // both pipes closed: it has exited or is exiting
    const int status = w->proc->native_exit_code();
    std::erase(workers_, w);
    if (done_)
      return;
    if (!w->ready) {
      // It never started: not a finding. Its job goes to another worker.
      if (w->job == WorkerProc::Job::kRun) {
        requeue_.emplace_front(w->run_next, w->run_end);
      } else if (w->job == WorkerProc::Job::kReport && finding_) {
        finding_->assigned = false;
      }
      if (++failed_starts_ >= 3) {
        Fail("workers do not start" +
             (w->err_tail.empty() ? std::string() : ": " + w->err_tail));
        return;
      }
      Spawn();
      Pump();
      return;
    }
    std::string signature;
    if (w->killed_silent || w->fatal_kind == "hang") {
      signature = "hang";
    } else if (!w->fatal_kind.empty()) {
      signature = w->fatal_kind;
    } else if (WIFSIGNALED(status)) {
      signature = CrashSignature(WTERMSIG(status));
    } else {
      signature = "crash:exit-" + std::to_string(WEXITSTATUS(status));
    }
    switch (w->job) {
    case WorkerProc::Job::kRun: {
      if (signature == "hang")
        signature =
            RefineHang(GenerateSequence(options_, w->run_next), w->fatal_step);
      SequenceRun run;
      run.sequence = w->run_next;
      if (w->div_sequence == w->run_next) {
        run.divergence = w->div_signature;
        run.divergence_step = w->div_step;
      }
      run.fatal = signature;
      run.fatal_step = w->fatal_step;
      stderr_tails_[run.sequence] = w->err_tail;
      results_[run.sequence] = std::move(run);
      if (w->run_next + stride_ < w->run_end)
        requeue_.emplace_front(w->run_next + stride_, w->run_end);
      break;
    }
    case WorkerProc::Job::kReport:
      if (finding_) {
        finding_->died = signature;
        finding_->stderr_tail = w->err_tail;
        StartFinder();
      }
      break;
    case WorkerProc::Job::kIdle:
      break;  // it died between jobs: nothing was lost
    }
    Spawn();
    Pump();
  }

  // A harness failure: say so and end the run.
  void Fail(const std::string& what) {
    if (done_)
      return;
    EndProgress();
    std::string line = what;
    while (!line.empty() && line.back() == '\n')
      line.pop_back();
    out_ << "epollcheck: " << options_.sut_name << ": failure: " << line
         << '\n';
    ++report_.divergences;
    stop_ = true;
    finding_.reset();
    Finish();
  }

  void Pump() {
    if (done_)
      return;
    Commit();
    if (done_)
      return;
    const bool running =
        std::any_of(workers_.begin(), workers_.end(), [](const WorkerPtr& w) {
          return w->job == WorkerProc::Job::kRun;
        });
    const bool all_committed = next_commit_ >= end_;
    // Stopped: what is still running would not be counted. Time up: what is
    // running is counted once it ends.
    if (!finding_ && (all_committed || stop_ || (time_up_ && !running))) {
      Finish();
      return;
    }
    Dispatch();
  }

  // Decides, in sequence order, what each finished sequence means.
  void Commit() {
    while (!finding_ && !stop_) {
      auto it = results_.find(next_commit_);
      if (it == results_.end())
        return;
      SequenceRun run = std::move(it->second);
      results_.erase(it);
      next_commit_ += stride_;
      ++report_.sequences_run;
      CountSignature(run, report_.census);
      if (run.gave_up || !run.failure.empty()) {
        EndProgress();
        out_ << "epollcheck: " << options_.sut_name
             << (run.gave_up ? ": gave up: " : ": failure: ") << run.failure
             << '\n';
        ++report_.divergences;
        stop_ = true;
        return;
      }
      const std::string signature = FailingSignature(run, masked_);
      if (signature.empty()) {
        CountMaskedHits(run, masked_, hits_);
        coverage_.Add(run.coverage);
        continue;
      }
      const int sequence = run.sequence;
      finding_ = Finding{.sequence = sequence,
                         .signature = signature,
                         .run = std::move(run),
                         .index = static_cast<int>(report_.found.size()) + 1};
      if (signature == finding_->run.fatal) {
        finding_->stderr_tail = stderr_tails_[finding_->sequence];
        StartFinder();
      }
    }
  }

  void Dispatch() {
    for (const WorkerPtr& w : workers_) {
      if (w->job != WorkerProc::Job::kIdle)
        continue;
      if (finding_ && !finding_->assigned) {
        finding_->assigned = true;
        w->job = WorkerProc::Job::kReport;
        std::string masks;
        for (const std::string& m : masked_)
          masks += m + '\n';
        Send(w, "report",
             std::to_string(finding_->sequence) + " " +
                 std::to_string(finding_->index) + "\n" +
                 EncodeFrame("masks", masks));
        continue;
      }
      if (stop_ || time_up_)
        continue;
      std::pair<int, int> range;
      if (!requeue_.empty()) {
        range = requeue_.front();
        requeue_.pop_front();
      } else if (next_dispatch_ < end_ &&
                 next_dispatch_ < next_commit_ + window_) {
        range = {next_dispatch_,
                 std::min(end_, next_dispatch_ + chunk_ * stride_)};
        next_dispatch_ = range.second;
      } else {
        continue;
      }
      w->job = WorkerProc::Job::kRun;
      w->run_next = range.first;
      w->run_end = range.second;
      w->div_sequence = -3;
      w->fatal_kind.clear();
      w->fatal_step = -1;
      Send(w, "run",
           std::to_string(range.first) + " " + std::to_string(range.second));
    }
  }

  // Ends the run: every worker is killed; the reads then see EOF and each
  // one is reaped (OnWorkerGone).
  void Finish() {
    if (done_)
      return;
    done_ = true;
    tick_.cancel();
    for (const WorkerPtr& w : workers_) {
      boost::system::error_code ec;
      w->in.close(ec);
      w->proc->terminate(ec);
    }
  }

  void Tick() {
    tick_.expires_after(milliseconds(100));
    tick_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || done_)
        return;
      const auto now = Clock::now();
      for (const WorkerPtr& w : workers_) {
        if (w->job != WorkerProc::Job::kIdle && !w->killed_silent &&
            now - w->last_heard > silence_limit_) {
          w->killed_silent = true;
          boost::system::error_code ignored;
          w->proc->terminate(ignored);
        }
      }
      if (supervise_.duration && !time_up_ &&
          now - start_ >= *supervise_.duration) {
        time_up_ = true;
        Pump();
      }
      Draw(false);
      if (!done_)
        Tick();
    });
  }

  void Draw(bool force) {
    if (progress_ == nullptr)
      return;
    const auto now = Clock::now();
    if (!force && now - last_draw_ < milliseconds(200))
      return;
    last_draw_ = now;
    *progress_ << "\r" << options_.sut_name << ": " << report_.sequences_run;
    if (!supervise_.duration)
      *progress_ << "/" << (end_ - first_ + stride_ - 1) / stride_;
    *progress_ << " sequences, " << report_.found.size() << " divergences, "
               << workers_.size() << " jobs";
    if (supervise_.duration) {
      const auto left = std::chrono::duration_cast<std::chrono::seconds>(
          *supervise_.duration - (now - start_));
      if (left.count() > 0)
        *progress_ << ", " << left.count() / 60 << "m" << std::setw(2)
                   << std::setfill('0') << left.count() % 60
                   << std::setfill(' ') << "s left";
    }
    if (finding_) {
      *progress_ << ", minimizing " << finding_->signature;
      if (shrink_tried_ > 0)
        *progress_ << " (" << shrink_tried_ << " tried, " << shrink_accepted_
                   << " accepted)";
    }
    *progress_ << "   " << std::flush;
    drawn_ = true;
  }

  void EndProgress() {
    if (progress_ != nullptr && drawn_)
      *progress_ << '\n' << std::flush;
    drawn_ = false;
  }

  // Minimizes finding_ with each candidate replayed in a fresh process, on
  // a thread of its own (the workers go on meanwhile), then reports it.
  void StartFinder() {
    finding_->assigned = true;
    if (finder_.joinable())
      finder_.join();
    finder_ = std::thread([this, finding = *finding_, masked = masked_] {
      std::ostringstream text;
      const FoundDivergence found = FindInProcesses(finding, masked, text);
      asio::post(ctx_, [this, found, report = text.str()] {
        FinishFinding(found, Coverage{}, report);
      });
    });
  }

  // The signature of a hang at step `step` of `ops` (HangSignature; "hang"
  // for the teardown or a step not known).
  std::string RefineHang(const std::vector<Op>& ops, int step) const {
    if (step < 0 || static_cast<size_t>(step) >= ops.size())
      return "hang";
    return HangSignature(options_.profile,
                         std::span<const Op>(ops.data(), step + 1));
  }

  // The worker job that replays `ops` once, in a fresh process.
  ProcessReplay ReplayInProcess(const std::vector<Op>& ops,
                                const std::set<std::string>& masked) const {
    std::string masks;
    for (const std::string& m : masked)
      masks += m + '\n';
    const std::string job =
        EncodeFrame("replay", EncodeFrame("masks", masks) +
                                  EncodeFrame("ops", EncodeOps(ops)));
    const ChildResult child =
        RunChild(supervise_.program, supervise_.worker_args,
                 options_.hang_timeout + silence_limit_, job);
    ProcessReplay replay;
    replay.stderr_tail = child.err.substr(
        child.err.size() > kStderrTail ? child.err.size() - kStderrTail : 0);
    replay.run.sequence = -1;
    std::string buffer = child.out;
    bool finished = false;
    bool ready = false;
    std::string fatal;
    for (const Frame& f : DecodeFrames(buffer)) {
      if (f.tag == "ready") {
        ready = true;
      } else if (f.tag == "div") {
        std::istringstream in(f.payload);
        int sequence = 0;
        in >> sequence >> replay.run.divergence_step >> replay.run.divergence;
      } else if (f.tag == "fatal") {
        std::istringstream in(f.payload);
        std::string kind;
        in >> kind;
        if (kind == "crash") {
          std::string signal;
          in >> signal;
          kind = "crash:" + signal;
        }
        fatal = kind;
        in >> replay.run.fatal_step;
      } else if (f.tag == "replayed") {
        std::string inner = f.payload;
        for (const Frame& g : DecodeFrames(inner)) {
          if (g.tag == "run") {
            if (std::optional<SequenceRun> run = DecodeRun(g.payload)) {
              replay.run = *run;
              finished = true;
            }
          } else if (g.tag == "got") {
            if (auto got = DecodeOutcomes(g.payload))
              replay.got = *got;
          }
        }
      }
    }
    if (!finished && ready) {
      if (child.timed_out || fatal == "hang") {
        replay.run.fatal = RefineHang(ops, replay.run.fatal_step);
      } else if (!fatal.empty()) {
        replay.run.fatal = fatal;
      } else if (child.signal != 0) {
        replay.run.fatal = CrashSignature(child.signal);
      } else {
        replay.run.fatal = "crash:exit-" + std::to_string(child.exit_code);
      }
    }
    return replay;
  }

  // The signature `ops` fails with when replayed in a fresh process, and
  // the failing step (within `ops`).
  std::string ReplaySignatureInProcess(const std::vector<Op>& ops,
                                       const std::set<std::string>& masked,
                                       int& step,
                                       ProcessReplay* keep = nullptr) const {
    ProcessReplay replay = ReplayInProcess(ops, masked);
    std::string signature = FailingSignature(replay.run, masked);
    const int last = static_cast<int>(ops.size()) - 1;
    step = -1;
    if (signature.empty()) {
      step = -1;
    } else if (signature == replay.run.divergence) {
      step = replay.run.divergence_step;
    } else if (signature == replay.run.fatal) {
      step = replay.run.fatal_step < 0 ? last
                                       : std::min(replay.run.fatal_step, last);
    } else {
      step = last;  // the teardown
    }
    if (keep != nullptr)
      *keep = std::move(replay);
    return signature;
  }

  FoundDivergence FindInProcesses(const Finding& finding,
                                  const std::set<std::string>& masked,
                                  std::ostream& text) const {
    std::vector<Op> ops = GenerateSequence(options_, finding.sequence);
    const ReplayOracle oracle = [&](const std::vector<Op>& candidate,
                                    int& step) {
      return ReplaySignatureInProcess(candidate, masked, step);
    };
    ReplayedFailure failure;
    failure.signature = finding.signature;
    const bool fatal = finding.died.empty();
    if (fatal) {
      failure.how = "sequence " + std::to_string(finding.sequence) +
                    (IsHangSignature(finding.signature) ? " hung" : " killed") +
                    " its worker at step " +
                    std::to_string(finding.run.fatal_step) +
                    "; replayed in fresh processes";
    } else {
      failure.how = "shrinking it killed the worker (" + finding.died +
                    "); replayed in fresh processes";
    }
    int step = -1;
    ProcessReplay replay;
    const std::string first =
        ReplaySignatureInProcess(ops, masked, step, &replay);
    // A worker killed for falling silent is a hang at a step not known;
    // the replay's watchdog names the step (op:hang:rule).
    if (finding.signature == "hang" && IsHangSignature(first))
      failure.signature = first;
    if (first == failure.signature) {
      ops.resize(static_cast<size_t>(step) + 1);
      failure.original_steps = ops.size();
      ops = Minimize(ops, failure.signature, oracle, options_.profile,
                     kMaxProcessReplays);
      (void)ReplaySignatureInProcess(ops, masked, step, &replay);
    } else {
      failure.original_steps = ops.size();
      step = finding.run.fatal_step >= 0
                 ? std::min<int>(finding.run.fatal_step,
                                 static_cast<int>(ops.size()) - 1)
                 : static_cast<int>(ops.size()) - 1;
      failure.note = "note: a fresh replay of this sequence did not fail (" +
                     (first.empty() ? std::string("it passed") : first) + ")\n";
    }
    failure.ops = ops;
    failure.step = std::max(step, 0);
    if (IsHangSignature(finding.signature)) {
      failure.fatal = "HANGS (no return within " +
                      FormatDuration(options_.hang_timeout) + ")";
      failure.fatal_got = "no return, killed";
    } else if (finding.signature.rfind("crash:", 0) == 0) {
      const std::string how = finding.signature.substr(6);
      failure.fatal = "CRASHES (" + how + ")";
      failure.fatal_got = how.rfind("SIG", 0) == 0 ? "killed by " + how
                                                   : "exited (" + how + ")";
    } else {
      failure.got = replay.got;  // a divergence: the SUT's own results
    }
    const std::string stderr_note = StderrNote(
        replay.stderr_tail.empty() ? finding.stderr_tail : replay.stderr_tail);
    if (!stderr_note.empty())
      failure.note += stderr_note;
    FoundDivergence found = ReportReplayed(options_, failure, finding.sequence,
                                           masked, finding.index, text);
    found.reproduced = first == failure.signature;
    return found;
  }

  const CheckOptions& options_;
  const SuperviseOptions& supervise_;
  std::ostream& out_;
  std::ostream* progress_;
  asio::io_context ctx_;
  asio::steady_timer tick_;
  std::vector<WorkerPtr> workers_;
  int first_ = 0;
  int end_ = 0;
  int chunk_ = 1;
  int stride_ = 1;  // sequences i, i + stride_, ... (--shard)
  int window_ = 1;
  int next_dispatch_ = 0;
  int next_commit_ = 0;
  std::deque<std::pair<int, int>> requeue_;
  std::map<int, SequenceRun> results_;
  std::map<int, std::string> stderr_tails_;
  std::set<std::string> masked_;
  std::map<std::string, long> hits_;
  Coverage coverage_;
  CheckReport report_;
  std::optional<Finding> finding_;
  std::thread finder_;
  int failed_starts_ = 0;
  int shrink_tried_ = 0;
  int shrink_accepted_ = 0;
  bool stop_ = false;
  bool time_up_ = false;
  bool done_ = false;
  bool drawn_ = false;
  milliseconds silence_limit_{0};
  Clock::time_point start_;
  Clock::time_point last_draw_{};
};

}  // namespace

CheckReport RunSupervised(const CheckOptions& options,
                          const SuperviseOptions& supervise, std::ostream& out,
                          std::ostream* progress) {
  Supervisor supervisor(options, supervise, out, progress);
  return supervisor.Run();
}

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  double value = 0;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data() || value <= 0)
    return std::nullopt;
  const std::string_view unit(end, text.data() + text.size() - end);
  double ms = 0;
  if (unit == "ms") {
    ms = value;
  } else if (unit.empty() || unit == "s") {
    ms = value * 1000;
  } else if (unit == "m" || unit == "min") {
    ms = value * 60000;
  } else if (unit == "h") {
    ms = value * 3600000;
  } else {
    return std::nullopt;
  }
  if (ms < 1 || ms > 1e12)
    return std::nullopt;
  return std::chrono::milliseconds(static_cast<long long>(ms));
}

}  // namespace epollcheck
