# sut/sim/: the from-scratch userspace eventpoll ("scratch" SUT), its tests
# and its benchmark. Included from the top-level CMakeLists.txt after the
# epollcheck_test() helper is defined.

# The simulated kernel: standard library and threads only, plus model/ for
# abi.h and EP_CHECK.
add_library(epollcheck_sim STATIC
  sut/sim/eventfd.cc sut/sim/eventpoll.cc sut/sim/file.cc sut/sim/pidfd.cc
  sut/sim/pipe.cc sut/sim/select.cc sut/sim/signal.cc sut/sim/sim_kernel.cc
  sut/sim/timerfd.cc sut/sim/unix.cc sut/sim/wait_queue.cc)
target_link_libraries(epollcheck_sim PUBLIC epollcheck_model Threads::Threads)

# The Sut adapter, and its registration under the name "scratch".
add_library(epollcheck_sut_sim STATIC sut/sim/sim_sut.cc)
target_link_libraries(epollcheck_sut_sim PUBLIC epollcheck_sim)
target_link_libraries(epollcheck_suts PUBLIC epollcheck_sut_sim)

# Labels: scratch (model ≡ scratch, sim unit tests), scratch-threads
# (blocking and wakeups across threads; also run under TSan).
epollcheck_test(sim_test scratch sut/sim/sim_test.cc)
target_link_libraries(sim_test PRIVATE epollcheck_sut_sim)
epollcheck_test(sim_unix_test scratch sut/sim/sim_unix_test.cc)
target_link_libraries(sim_unix_test PRIVATE epollcheck_sut_sim)
epollcheck_test(sim_poll_test scratch sut/sim/sim_poll_test.cc)
target_link_libraries(sim_poll_test PRIVATE epollcheck_sut_sim)
# On the simulated kernel alone (no properties, SUTs or fixtures), so the
# TSan build (CMakePresets.json tsan) compiles only model/ and sut/sim/.
add_executable(sim_threads_test sut/sim/sim_threads_test.cc)
target_link_libraries(sim_threads_test PRIVATE epollcheck_sim GTest::gtest
  GTest::gtest_main)
gtest_discover_tests(sim_threads_test PROPERTIES LABELS scratch-threads
  TIMEOUT 300 DISCOVERY_TIMEOUT 60)
epollcheck_test(scratch_props_test scratch properties/scratch_props_test.cc)
target_link_libraries(scratch_props_test PRIVATE epollcheck_sut_sim)
# The fdinfo view on the kernel, scratch and the model (sut/fdinfo.h).
epollcheck_test(fdinfo_test kernel sut/fdinfo_test.cc)
target_link_libraries(fdinfo_test PRIVATE epollcheck_sut_sim)
epollcheck_test(fdinfo_oracle_test scratch properties/fdinfo_oracle_test.cc)
target_link_libraries(fdinfo_oracle_test PRIVATE epollcheck_sut_sim)

if(EPOLLCHECK_BENCHMARKS)
  add_executable(epollcheck_sim_bench bench/sim_vs_kernel_bench.cc)
  target_link_libraries(epollcheck_sim_bench PRIVATE epollcheck_sim
    benchmark::benchmark)
endif()
